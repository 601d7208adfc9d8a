package awsconfig

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsRedactedInEveryFormat prints what holds the shared files'
// values (secret keys, session tokens, credential_process command lines)
// by value, by pointer and inside a struct, with every verb.

const (
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken  = "FwoGZXIvYXdzEXAMPLETOKEN"
)

func TestSecretsRedactedInEveryFormat(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, filepath.Join(dir, "config"), "[default]\ncredential_process = /bin/helper --password "+testToken+
		"\ns3 =\n  addressing_style = path\n")
	creds := write(t, filepath.Join(dir, "credentials"), "[default]\naws_access_key_id = AKID\naws_secret_access_key = "+testSecret+
		"\naws_session_token = "+testToken+"\n")
	prof, err := Load(env(map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": creds}), "")
	if err != nil {
		t.Fatal(err)
	}
	file, err := Parse("credentials", []byte("[dev]\naws_secret_access_key = "+testSecret+"\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	values := []struct {
		name string
		v    any
	}{
		{"Section", *prof.Credentials},
		{"*Section", prof.Credentials},
		{"config *Section", prof.Config},
		{"Profile", *prof},
		{"*Profile", prof},
		{"*File", file},
		{"File", *file},
		{"in a struct", struct {
			S Section
			P *Section
		}{*prof.Credentials, prof.Config}},
	}
	for _, tt := range values {
		outs := []string{fmt.Sprint(tt.v), fmt.Sprintln(tt.v)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outs = append(outs, fmt.Sprintf(verb, tt.v))
		}
		for _, s := range outs {
			if strings.Contains(s, testSecret) || strings.Contains(s, testToken) || strings.Contains(s, "--password") {
				t.Errorf("%s prints a secret: %s", tt.name, s)
			}
		}
	}
	want := "awsconfig.Section{default in " + creds + ", keys: aws_access_key_id aws_secret_access_key aws_session_token}"
	if got := fmt.Sprint(prof.Credentials); got != want {
		t.Errorf("Section prints %q, want %q", got, want)
	}
	if got := fmt.Sprint(*prof.Config); !strings.Contains(got, "keys: credential_process s3 s3.addressing_style}") {
		t.Errorf("config Section prints %q", got)
	}
}
