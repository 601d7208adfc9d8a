package credentials

import (
	"context"
	"fmt"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

// TestSecretsRedactedInEveryFormat prints every type of the package that
// holds a secret (keys, a session token, a command line, the IMDSv2 token),
// by value, by pointer and inside a struct, with every verb.
func TestSecretsRedactedInEveryFormat(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: testSession}
	static := sigv4.StaticProvider{Credentials: creds}
	ctx := context.Background()

	f := newFakeIMDS(t)
	imds := &IMDSProvider{Getenv: env(nil), HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL}
	if _, err := imds.Retrieve(ctx); err != nil { // it now keeps its session token
		t.Fatal(err)
	}
	cache := NewCache(static, nil)
	chain := NewChain(ChainSource{Name: "static", Provider: staticSource{creds: creds}})
	shared := NewSharedConfigProvider(Options{Getenv: env(filesEnv(t, "",
		"[default]\naws_access_key_id = K\naws_secret_access_key = "+testSecret+"\naws_session_token = "+testSession+"\n"))})
	for _, p := range []sigv4.CredentialsProvider{cache, chain, shared} {
		if _, err := p.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	process := ProcessProvider{Command: "/usr/bin/vault-helper --token " + testSession}
	assume := AssumeRoleProvider{Source: static, RoleARN: "arn:aws:iam::1:role/r", ExternalID: "x"}
	web := WebIdentityProvider{TokenFile: "/var/run/token", RoleARN: "arn:aws:iam::1:role/r"}
	container := ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": testAuthToken})}
	opts := Options{Credentials: creds, Profile: "p"}

	values := []struct {
		name string
		v    any
	}{
		{"Options", opts},
		{"*Options", &opts},
		{"staticSource", staticSource{creds: creds}},
		{"ProcessProvider", process},
		{"*ProcessProvider", &process},
		{"EnvProvider", EnvProvider{Getenv: func(string) string { return testSecret }}},
		{"AssumeRoleProvider", assume},
		{"*AssumeRoleProvider", &assume},
		{"WebIdentityProvider", web},
		{"*WebIdentityProvider", &web},
		{"ContainerProvider", container},
		{"*ContainerProvider", &container},
		{"*IMDSProvider", imds},
		{"*Cache", cache},
		{"*Chain", chain},
		{"*SharedConfigProvider", shared},
		{"ChainSource", ChainSource{Name: "static", Provider: staticSource{creds: creds}}},
		{"in a struct", struct {
			Chain   *Chain
			Process ProcessProvider
			Source  staticSource
			IMDS    *IMDSProvider
			Opts    Options
		}{chain, process, staticSource{creds: creds}, imds, opts}},
		{"in a slice", []sigv4.CredentialsProvider{cache, chain, imds, process, staticSource{creds: creds}}},
	}
	for _, tt := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			assertNoSecrets(t, verb+" of "+tt.name, fmt.Sprintf(verb, tt.v))
		}
		assertNoSecrets(t, "Sprint of "+tt.name, fmt.Sprint(tt.v))
		assertNoSecrets(t, "Sprintln of "+tt.name, fmt.Sprintln(tt.v))
	}
	// The command line's arguments are not printed either.
	for _, s := range []string{fmt.Sprint(process), fmt.Sprintf("%#v", &process)} {
		if s != "credentials.ProcessProvider{/usr/bin/vault-helper}" {
			t.Errorf("ProcessProvider prints %q", s)
		}
	}
}
