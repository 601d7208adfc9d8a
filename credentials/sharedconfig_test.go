package credentials

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/internal/awsconfig"
)

// filesEnv writes the shared files and returns an environment that points
// at them.
func filesEnv(t *testing.T, config, creds string, kv ...string) map[string]string {
	t.Helper()
	m := isolatedEnv(t, kv...)
	m["AWS_CONFIG_FILE"] = writeFile(t, "config", config)
	m["AWS_SHARED_CREDENTIALS_FILE"] = writeFile(t, "credentials", creds)
	return m
}

const processCmd = `echo '{"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "proc-secret"}'`

func TestSharedConfigKeysAndProcess(t *testing.T) {
	tests := []struct {
		name, config, creds, profile string
		wantKey, wantDesc            string
	}{
		{"credentials file", "", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = " + testSecret + "\naws_session_token = " + testSession + "\n", "",
			"FILEKEY", `profile "default": static keys in `},
		{"config file", "[profile dev]\naws_access_key_id = CFGKEY\naws_secret_access_key = s\n", "", "dev",
			"CFGKEY", `profile "dev": static keys in `},
		{"credentials file beats credential_process", "[default]\ncredential_process = " + processCmd + "\n",
			"[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\n", "", "FILEKEY", `profile "default": static keys`},
		{"credential_process beats the config file's keys", "[default]\ncredential_process = " + processCmd + "\naws_access_key_id = CFGKEY\naws_secret_access_key = s\n",
			"", "", "PROCKEY", `profile "default": credential_process echo`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewSharedConfigProvider(Options{Profile: tt.profile, Getenv: env(filesEnv(t, tt.config, tt.creds))})
			creds, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tt.wantKey {
				t.Errorf("key = %s, want %s", creds.AccessKeyID, tt.wantKey)
			}
			if d := p.describe(); !strings.HasPrefix(d, tt.wantDesc) {
				t.Errorf("describe = %q, want prefix %q", d, tt.wantDesc)
			}
			assertFormatsClean(t, p)
		})
	}
}

// TestSharedConfigSecurityToken: aws_security_token, the boto2 name, is
// read when aws_session_token is not set, in either file.
func TestSharedConfigSecurityToken(t *testing.T) {
	tests := []struct {
		name, config, creds, want string
	}{
		{"credentials file", "", "[default]\naws_access_key_id = K\naws_secret_access_key = s\naws_security_token = " + testSession + "\n", testSession},
		{"config file", "[default]\naws_access_key_id = K\naws_secret_access_key = s\naws_security_token = " + testSession + "\n", "", testSession},
		{"aws_session_token wins", "", "[default]\naws_access_key_id = K\naws_secret_access_key = s\naws_security_token = old\naws_session_token = " + testSession + "\n", testSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, err := NewSharedConfigProvider(Options{Getenv: env(filesEnv(t, tt.config, tt.creds))}).Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.SessionToken != tt.want {
				t.Errorf("token = %q, want %q", creds.SessionToken, tt.want)
			}
		})
	}
}

func TestSharedConfigProfileFromEnv(t *testing.T) {
	m := filesEnv(t, "[profile ci]\naws_access_key_id = CIKEY\naws_secret_access_key = s\n", "", "AWS_PROFILE", "ci")
	creds, err := NewSharedConfigProvider(Options{Getenv: env(m)}).Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "CIKEY" {
		t.Errorf("Retrieve = %v, %v", creds, err)
	}
}

// stsOptions returns Options whose STS calls go to fake.
func stsOptions(t *testing.T, fake *fakeSTS, m map[string]string) Options {
	return Options{Getenv: env(m), HTTPClient: newTestNet(t).client(), STSEndpoint: fake.srv.URL}
}

func TestSharedConfigAssumeRole(t *testing.T) {
	const config = `[profile deploy]
role_arn = arn:aws:iam::123456789012:role/deploy
source_profile = base
role_session_name = deploy-session
external_id = ext-1
duration_seconds = 1800
region = eu-west-1

[profile base]
region = us-east-2
`
	creds := "[base]\naws_access_key_id = " + testAccessKeyID + "\naws_secret_access_key = " + testSecret + "\n"
	fake := newFakeSTS(t, false)
	p := NewSharedConfigProvider(stsOptions(t, fake, filesEnv(t, config, creds, "AWS_PROFILE", "deploy")))
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIASTS1" {
		t.Errorf("creds = %v", got)
	}
	calls := fake.calls()
	if len(calls) != 1 {
		t.Fatalf("%d STS calls", len(calls))
	}
	c := calls[0]
	if c.AccessKeyID != testAccessKeyID || c.Region != "eu-west-1" || c.Form.Get("RoleSessionName") != "deploy-session" ||
		c.Form.Get("ExternalId") != "ext-1" || c.Form.Get("DurationSeconds") != "1800" {
		t.Errorf("call = %+v", c)
	}
	want := `profile "deploy": assume role arn:aws:iam::123456789012:role/deploy (source: profile "base": static keys in `
	if d := p.describe(); !strings.HasPrefix(d, want) {
		t.Errorf("describe = %q", d)
	}
	// Cached: a second Retrieve does not call STS.
	if _, err := p.Retrieve(context.Background()); err != nil || len(fake.calls()) != 1 {
		t.Errorf("second Retrieve: %v, %d calls", err, len(fake.calls()))
	}
}

func TestSharedConfigRoleChain(t *testing.T) {
	const config = `[profile a]
role_arn = arn:aws:iam::1:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::1:role/b
source_profile = c
[profile c]
aws_access_key_id = ` + testAccessKeyID + `
aws_secret_access_key = ` + testSecret + `
`
	fake := newFakeSTS(t, false)
	p := NewSharedConfigProvider(stsOptions(t, fake, filesEnv(t, config, "", "AWS_REGION", "ap-northeast-1")))
	p.opts.Profile = "a"
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	calls := fake.calls()
	if len(calls) != 2 || got.AccessKeyID != "ASIASTS2" {
		t.Fatalf("creds %v after %d calls", got, len(calls))
	}
	// b is assumed with c's keys, then a with b's session.
	if calls[0].Form.Get("RoleArn") != "arn:aws:iam::1:role/b" || calls[0].AccessKeyID != testAccessKeyID ||
		calls[1].Form.Get("RoleArn") != "arn:aws:iam::1:role/a" || calls[1].AccessKeyID != "ASIASTS1" || calls[1].Token != "sts-token-1" {
		t.Errorf("calls = %+v", calls)
	}
	if calls[0].Region != "ap-northeast-1" {
		t.Errorf("region = %q", calls[0].Region)
	}
}

func TestSharedConfigSourceProfileKeysWin(t *testing.T) {
	const config = `[profile a]
role_arn = arn:aws:iam::1:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::1:role/b
source_profile = c
aws_access_key_id = ` + testAccessKeyID + `
aws_secret_access_key = ` + testSecret + `
[profile self]
role_arn = arn:aws:iam::1:role/self
source_profile = self
aws_access_key_id = ` + testAccessKeyID + `
aws_secret_access_key = ` + testSecret + `
`
	for _, profile := range []string{"a", "self"} {
		fake := newFakeSTS(t, false)
		opts := stsOptions(t, fake, filesEnv(t, config, ""))
		opts.Profile = profile
		if _, err := NewSharedConfigProvider(opts).Retrieve(context.Background()); err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		calls := fake.calls()
		if len(calls) != 1 || calls[0].AccessKeyID != testAccessKeyID || calls[0].Form.Get("RoleArn") != "arn:aws:iam::1:role/"+profile {
			t.Errorf("%s: calls = %+v", profile, calls)
		}
	}
}

func TestSharedConfigCredentialSource(t *testing.T) {
	imds := newFakeIMDS(t)
	ecs := newFakeContainer(t)
	tests := []struct {
		source  string
		env     []string
		wantKey string
	}{
		{"Environment", []string{"AWS_ACCESS_KEY_ID", testAccessKeyID, "AWS_SECRET_ACCESS_KEY", testSecret}, testAccessKeyID},
		{"Ec2InstanceMetadata", []string{"AWS_EC2_METADATA_DISABLED", ""}, "ASIAIMDS"},
		{"EcsContainer", []string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"}, "ASIAECS"},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			fake := newFakeSTS(t, false)
			fake.addKey("ASIAIMDS", "imds-secret")
			fake.addKey("ASIAECS", "ecs-secret")
			config := "[default]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = " + tt.source + "\n"
			opts := stsOptions(t, fake, filesEnv(t, config, "", tt.env...))
			opts.IMDSEndpoint, opts.ContainerEndpoint = imds.srv.URL, ecs.srv.URL
			p := NewSharedConfigProvider(opts)
			if _, err := p.Retrieve(context.Background()); err != nil {
				t.Fatal(err)
			}
			if calls := fake.calls(); len(calls) != 1 || calls[0].AccessKeyID != tt.wantKey {
				t.Errorf("calls = %+v", calls)
			}
		})
	}
}

func TestSharedConfigWebIdentity(t *testing.T) {
	fake := newFakeSTS(t, false)
	tokenFile := writeFile(t, "token", testWebToken)
	config := "[default]\nrole_arn = arn:aws:iam::1:role/oidc\nweb_identity_token_file = " + tokenFile + "\nrole_session_name = gha\n"
	m := filesEnv(t, config, "")
	m["AWS_ENDPOINT_URL_STS"] = fake.srv.URL // the variable, not Options
	p := NewSharedConfigProvider(Options{Getenv: env(m), HTTPClient: newTestNet(t).client()})
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIASTS1" || fake.calls()[0].Action != "AssumeRoleWithWebIdentity" || fake.calls()[0].Form.Get("RoleSessionName") != "gha" {
		t.Errorf("creds %v, calls %+v", creds, fake.calls())
	}
}

func TestSharedConfigErrors(t *testing.T) {
	tests := []struct {
		name, config, creds, profile string
		notConfigured                bool
		errHas                       string
	}{
		{"no files, default profile", "", "", "", true, "neither"},
		{"profile without credentials", "[default]\nregion = us-west-2\n", "", "", true, "has no credentials"},
		{"named profile missing", "[default]\nregion = x\n", "", "nope", false, "profile not found"},
		{"id without secret", "", "[default]\naws_access_key_id = A\n", "", false, "without aws_secret_access_key"},
		{"secret without id", "", "[default]\naws_secret_access_key = " + testSecret + "\n", "", false, "without aws_access_key_id"},
		{"role without source", "[default]\nrole_arn = arn:x\n", "", "", false, "needs source_profile or credential_source"},
		{"both sources", "[default]\nrole_arn = arn:x\nsource_profile = b\ncredential_source = Environment\n", "", "", false, "both"},
		{"unknown credential_source", "[default]\nrole_arn = arn:x\ncredential_source = Magic\n", "", "", false, "is not Environment"},
		{"loop", "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = a\n", "", "a", false, "loop"},
		{"self without keys", "[profile a]\nrole_arn = arn:a\nsource_profile = a\n", "", "a", false, "names the profile itself"},
		{"missing source profile", "[default]\nrole_arn = arn:a\nsource_profile = ghost\n", "", "", false, "ghost"},
		{"source profile without credentials", "[default]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nregion = x\n", "", "", false, `profile "b": has no credentials`},
		{"web identity without role", "[default]\nweb_identity_token_file = /t\n", "", "", false, "needs role_arn"},
		{"sso", "[default]\nsso_session = corp\nsso_account_id = 1\n", "", "", false, "no [sso-session corp] section"},
		{"mfa without code", "[default]\nrole_arn = arn:a\nsource_profile = default\nmfa_serial = arn:mfa\naws_access_key_id = A\naws_secret_access_key = S\n", "", "", false, "MFATokenCode"},
		{"bad duration", "[default]\nrole_arn = arn:a\ncredential_source = Environment\nduration_seconds = 1h\n", "", "", false, "duration_seconds"},
		{"malformed file", "[default\naws_access_key_id = A\n", "", "", false, "config:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := isolatedEnv(t)
			if tt.config != "" {
				m["AWS_CONFIG_FILE"] = writeFile(t, "config", tt.config)
			}
			if tt.creds != "" {
				m["AWS_SHARED_CREDENTIALS_FILE"] = writeFile(t, "credentials", tt.creds)
			}
			p := NewSharedConfigProvider(Options{Profile: tt.profile, Getenv: env(m), HTTPClient: newTestNet(t).client()})
			_, err := p.Retrieve(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotConfigured) != tt.notConfigured {
				t.Errorf("errors.Is(ErrNotConfigured) = %v, want %v: %v", !tt.notConfigured, tt.notConfigured, err)
			}
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want %q", err, tt.errHas)
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
	// The awsconfig sentinel comes through.
	p := NewSharedConfigProvider(Options{Profile: "nope", Getenv: env(isolatedEnv(t))})
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, awsconfig.ErrProfileNotFound) {
		t.Errorf("err = %v, want awsconfig.ErrProfileNotFound", err)
	}
}

func TestSharedConfigMFA(t *testing.T) {
	fake := newFakeSTS(t, false)
	config := "[default]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = default\nmfa_serial = arn:aws:iam::1:mfa/me\naws_access_key_id = " +
		testAccessKeyID + "\naws_secret_access_key = " + testSecret + "\n"
	opts := stsOptions(t, fake, filesEnv(t, config, ""))
	opts.MFATokenCode = func() (string, error) { return "654321", nil }
	if _, err := NewSharedConfigProvider(opts).Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := fake.calls()[0]; c.Form.Get("SerialNumber") != "arn:aws:iam::1:mfa/me" || c.Form.Get("TokenCode") != "654321" {
		t.Errorf("form = %v", c.Form)
	}
}

func TestProcessProviderString(t *testing.T) {
	p := ProcessProvider{Command: "/usr/bin/vault-helper --secret " + testSecret}
	assertFormatsClean(t, p)
	if s := p.String(); s != "credentials.ProcessProvider{/usr/bin/vault-helper}" {
		t.Errorf("String = %q", s)
	}
	_, err := ProcessProvider{Command: "/nonexistent/helper --token " + testSession}.Retrieve(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	assertNoSecrets(t, "error", err.Error())
}
