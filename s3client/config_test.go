package s3client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/credentials"
	"github.com/s3kit/s3kit/sigv4"
)

const (
	envSecret  = "ENVSECRETwJalrXUtnFEMI/K7MDENGbPxRfiCY"
	fileSecret = "FILESECRETwJalrXUtnFEMI/K7MDENGbPxRfi"
	cfgSecret  = "CFGSECRETwJalrXUtnFEMI/K7MDENGbPxRfiC"
	procSecret = "PROCSECRETwJalrXUtnFEMI/K7MDENGbPxRf"
	tokSecret  = "TOKENSECRETFwoGZXIvYXdzEXAMPLE"
)

var allSecrets = []string{envSecret, fileSecret, cfgSecret, procSecret, tokSecret}

// testEnv writes the two shared files into a temp dir and returns a getenv
// that points at them, with instance metadata disabled, plus the extra
// variables; nothing comes from the machine's environment.
func testEnv(t *testing.T, config, credentials string, vars map[string]string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	m := map[string]string{
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		// The chain's last source would ask 169.254.169.254; tests that
		// want instance metadata point it at a fake instead.
		"AWS_EC2_METADATA_DISABLED": "true",
	}
	for k, v := range vars {
		m[k] = v
	}
	for name, text := range map[string]string{"config": config, "credentials": credentials} {
		if text != "" {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return func(k string) string { return m[k] }
}

// credScript writes a credential_process helper that prints keys with the
// given access key ID and expiry, and appends a line to a counter file
// each time it runs. It returns the command and a function counting runs.
func credScript(t *testing.T, akid, expiration string) (string, func() int) {
	t.Helper()
	dir := t.TempDir()
	count := filepath.Join(dir, "runs")
	exp := ""
	if expiration != "" {
		exp = `, "Expiration": "` + expiration + `"`
	}
	body := "#!/bin/sh\necho run >> \"$1\"\n" +
		`echo '{"Version": 1, "AccessKeyId": "` + akid + `", "SecretAccessKey": "` + procSecret + `", "SessionToken": "` + tokSecret + `"` + exp + `}'` + "\n"
	path := filepath.Join(dir, "helper.sh")
	if err := os.WriteFile(path, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	runs := func() int {
		b, _ := os.ReadFile(count)
		return bytes.Count(b, []byte("run"))
	}
	// The counter path is quoted as the CLI would split it.
	return path + " '" + count + "'", runs
}

// chainOf returns the chain LoadConfig put in cfg.Credentials.
func chainOf(t *testing.T, cfg Config) *credentials.Chain {
	t.Helper()
	ch, ok := cfg.Credentials.(*credentials.Chain)
	if !ok {
		t.Fatalf("Credentials is %T, want *credentials.Chain", cfg.Credentials)
	}
	return ch
}

// accessKey retrieves through the chain; "" means that no source is
// configured (every source said ErrNotConfigured), anything else that
// fails ends the test.
func accessKey(t *testing.T, ch *credentials.Chain) string {
	t.Helper()
	c, err := ch.Retrieve(context.Background())
	if err != nil {
		var ce *credentials.ChainError
		if !errors.As(err, &ce) {
			t.Fatalf("Retrieve: %v", err)
		}
		for _, a := range ce.Attempts {
			if !errors.Is(a.Err, credentials.ErrNotConfigured) {
				t.Fatalf("Retrieve: %v", err)
			}
		}
		return ""
	}
	return c.AccessKeyID
}

func TestLoadConfigPrecedence(t *testing.T) {
	proc, _ := credScript(t, "AKPROC", "")
	config := `[default]
region = us-west-2
aws_access_key_id = AKCFG
aws_secret_access_key = ` + cfgSecret + `
s3 =
  addressing_style = path
  use_dualstack_endpoint = true
  payload_signing_enabled = TRUE
max_attempts = 7
request_checksum_calculation = when_required

[profile proc]
region = eu-west-1
credential_process = ` + proc + `
aws_access_key_id = AKCFG
aws_secret_access_key = ` + cfgSecret + `

[profile keysincfg]
aws_access_key_id = AKCFG
aws_secret_access_key = ` + cfgSecret + `

[profile minio]
region = us-east-1
endpoint_url = http://global.example:9000
services = local
s3 =
  endpoint_url = http://plugin.example:9000
  addressing_style = virtual

[profile plugin]
endpoint_url = http://global.example:9000
s3 =
  endpoint_url = http://plugin.example:9000

[profile global]
endpoint_url = http://global.example:9000

[profile accel]
s3 =
  use_accelerate_endpoint = true

[services local]
s3 =
  endpoint_url = http://services.example:9000
`
	credsFile := `[default]
aws_access_key_id = AKFILE
aws_secret_access_key = ` + fileSecret + `
region = ap-south-1

[proc]
aws_access_key_id = AKFILE
aws_secret_access_key = ` + fileSecret + `

[proconly]
credential_process = ` + proc + `

[anon]
region = eu-north-1
`
	type want struct {
		region, endpoint, akid string
		// source is what the chain's Source says; CONFIG, CREDS and PROC
		// stand for the two files and the credential_process program.
		source                string
		style                 AddressingStyle
		dualStack, accelerate bool
		signing               PayloadSigning
		attempts              int
		checksum              ChecksumPolicy
	}
	const (
		defaultFileKeys = `shared config: profile "default": static keys in CREDS`
		procRun         = `shared config: profile "proc": credential_process PROC`
	)
	defaults := want{region: "ap-south-1", akid: "AKFILE", source: defaultFileKeys, style: AddressingPath, dualStack: true, signing: PayloadSigningSigned, attempts: 7, checksum: ChecksumWhenRequired}
	with := func(f func(*want)) want { w := defaults; f(&w); return w }
	envKeys := func(kv ...string) map[string]string {
		m := map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": envSecret}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		profile string
		env     map[string]string
		want    want
	}{
		{"default profile: credentials file wins", "", nil, defaults},
		{"environment wins", "", envKeys(
			"AWS_REGION", "eu-central-1", "AWS_DEFAULT_REGION", "eu-west-3",
			"AWS_MAX_ATTEMPTS", "2", "AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_SUPPORTED",
			"AWS_USE_DUALSTACK_ENDPOINT", "false",
		), with(func(w *want) {
			w.region, w.akid, w.source, w.attempts, w.checksum, w.dualStack = "eu-central-1", "AKENV", "environment", 2, ChecksumWhenSupported, false
		})},
		{"AWS_DEFAULT_REGION after AWS_REGION", "", map[string]string{"AWS_DEFAULT_REGION": "eu-west-3"}, with(func(w *want) { w.region = "eu-west-3" })},
		{"keys in the credentials file beat credential_process", "proc", nil,
			want{region: "eu-west-1", akid: "AKFILE", source: `shared config: profile "proc": static keys in CREDS`}},
		{"credential_process beats keys in the config file", "proc", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"},
			want{region: "eu-west-1", akid: "AKPROC", source: procRun}},
		{"credential_process from the credentials file", "proconly", nil,
			want{akid: "AKPROC", source: `shared config: profile "proconly": credential_process PROC`}},
		{"keys in the config file", "keysincfg", nil, want{akid: "AKCFG", source: `shared config: profile "keysincfg": static keys in CONFIG`}},
		{"no credentials anywhere", "anon", nil, want{region: "eu-north-1"}},
		{"AWS_PROFILE", "", map[string]string{"AWS_PROFILE": "anon"}, want{region: "eu-north-1"}},
		{"option beats AWS_PROFILE", "keysincfg", map[string]string{"AWS_PROFILE": "anon"}, want{akid: "AKCFG", source: `shared config: profile "keysincfg": static keys in CONFIG`}},
		// As boto3: a profile named in code skips the environment's keys, one
		// named by AWS_PROFILE does not.
		{"a profile named in LoadOptions skips the environment's keys", "keysincfg", envKeys(),
			want{akid: "AKCFG", source: `shared config: profile "keysincfg": static keys in CONFIG`}},
		{"environment keys beat the profile AWS_PROFILE names", "", envKeys("AWS_PROFILE", "keysincfg"), want{akid: "AKENV", source: "environment"}},
		{"half a key pair in the skipped environment is no error", "keysincfg", map[string]string{"AWS_ACCESS_KEY_ID": "AKENV"},
			want{akid: "AKCFG", source: `shared config: profile "keysincfg": static keys in CONFIG`}},
		{"services section beats the s3 sub-section and endpoint_url", "minio", nil, want{region: "us-east-1", endpoint: "http://services.example:9000", style: AddressingVirtual}},
		{"s3 sub-section endpoint_url beats endpoint_url", "plugin", nil, want{endpoint: "http://plugin.example:9000"}},
		{"endpoint_url", "global", nil, want{endpoint: "http://global.example:9000"}},
		{"AWS_ENDPOINT_URL beats the files", "minio", map[string]string{"AWS_ENDPOINT_URL": "https://env.example"}, want{region: "us-east-1", endpoint: "https://env.example", style: AddressingVirtual}},
		{"AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL", "minio", map[string]string{"AWS_ENDPOINT_URL": "https://env.example", "AWS_ENDPOINT_URL_S3": "https://s3env.example"}, want{region: "us-east-1", endpoint: "https://s3env.example", style: AddressingVirtual}},
		{"configured endpoints ignored", "minio", map[string]string{"AWS_ENDPOINT_URL_S3": "https://s3env.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, want{region: "us-east-1", style: AddressingVirtual}},
		{"accelerate", "accel", nil, want{accelerate: true}},
	}
	procProgram, _, _ := strings.Cut(proc, " ")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := testEnv(t, config, credsFile, tt.env)
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Profile: tt.profile, Getenv: getenv})
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			ch := chainOf(t, cfg)
			got := want{
				region: cfg.Region, endpoint: cfg.Endpoint, akid: accessKey(t, ch), source: ch.Source(),
				style: cfg.AddressingStyle, dualStack: cfg.UseDualStack, accelerate: cfg.UseAccelerate,
				signing: cfg.PayloadSigning, attempts: cfg.MaxAttempts, checksum: cfg.ChecksumPolicy,
			}
			w := tt.want
			w.source = strings.NewReplacer("CONFIG", getenv("AWS_CONFIG_FILE"), "CREDS", getenv("AWS_SHARED_CREDENTIALS_FILE"), "PROC", procProgram).Replace(w.source)
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			if cfg.HTTPClient != nil {
				t.Errorf("HTTPClient set without a CA bundle")
			}
			if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); containsSecret(s) {
				t.Errorf("formatted Config leaks a secret: %s", s)
			}
		})
	}
}

// containsSecret reports whether s holds any secret, or the start of one
// (the first 12 bytes: a fragment leaks too).
func containsSecret(s string) bool {
	for _, secret := range allSecrets {
		if strings.Contains(s, secret[:12]) {
			return true
		}
	}
	return false
}

func TestLoadConfigEnvCredentials(t *testing.T) {
	getenv := testEnv(t, "", "", map[string]string{
		"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": envSecret, "AWS_SECURITY_TOKEN": tokSecret,
		"AWS_CREDENTIAL_EXPIRATION": "2031-02-03T04:05:06Z",
	})
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	ch := chainOf(t, cfg)
	c, err := ch.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := sigv4.Credentials{AccessKeyID: "AKENV", SecretAccessKey: envSecret, SessionToken: tokSecret, Expires: time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)}
	if c != want {
		t.Errorf("got %v", c)
	}
	if src := ch.Source(); src != "environment" {
		t.Errorf("Source = %q", src)
	}
}

func TestLoadConfigHomeDirectory(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile p]\nregion = sa-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"HOME": home, "AWS_PROFILE": "p"}[k] }
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil || cfg.Region != "sa-east-1" {
		t.Errorf("got %q, %v", cfg.Region, err)
	}
	// Nothing at all: the zero Config but for the chain, which has not
	// looked for anything yet (it would ask instance metadata, so it is
	// not called here; TestLoadConfigNoCredentials does).
	cfg, err = LoadConfig(context.Background(), &LoadOptions{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if src := chainOf(t, cfg).Source(); src != "" {
		t.Errorf("Source before any Retrieve = %q", src)
	}
	cfg.Credentials = nil
	if !reflect.ValueOf(cfg).IsZero() {
		t.Errorf("empty environment: %+v", cfg)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	noCert := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(noCert, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		config      string
		credentials string
		profile     string
		env         map[string]string
		want        []string // substrings; "CONFIG"/"CREDS" stand for the file paths
	}{
		{name: "malformed config file", config: "[default]\nregion = us-west-2\naws_secret_access_key " + cfgSecret + "\n",
			want: []string{"CONFIG:3:"}},
		{name: "malformed credentials file", credentials: "[default\naws_secret_access_key = " + fileSecret + "\n",
			want: []string{"CREDS:1:", "closing"}},
		{name: "profile not found", config: "[profile a]\n", profile: "b",
			want: []string{"profile not found", `"b"`}},
		{name: "bad max_attempts", config: "[default]\n\nmax_attempts = many\n",
			want: []string{"CONFIG:3", "max_attempts", `"many"`}},
		{name: "zero AWS_MAX_ATTEMPTS", env: map[string]string{"AWS_MAX_ATTEMPTS": "0"},
			want: []string{"environment variable AWS_MAX_ATTEMPTS"}},
		{name: "bad boolean", config: "[default]\ns3 =\n  use_accelerate_endpoint = yes\n",
			want: []string{"CONFIG:3", "use_accelerate_endpoint", `"yes"`}},
		{name: "bad addressing style", credentials: "[default]\ns3 =\n  addressing_style = dns\n",
			want: []string{"CREDS:3", "addressing_style", `"dns"`}},
		{name: "bad region", env: map[string]string{"AWS_REGION": "us west"},
			want: []string{"environment variable AWS_REGION", `"us west"`}},
		{name: "bad endpoint", env: map[string]string{"AWS_ENDPOINT_URL": "localhost:9000"},
			want: []string{"environment variable AWS_ENDPOINT_URL", "absolute"}},
		{name: "endpoint with a password", config: "[default]\nendpoint_url = http://u:pw@h\n",
			want: []string{"CONFIG:2", "user information"}},
		{name: "endpoint with a password containing a slash", config: "[default]\nendpoint_url = http://u:" + cfgSecret + "@h\n",
			want: []string{"CONFIG:2", "not a valid URI"}},
		{name: "endpoint with dual-stack", config: "[default]\nendpoint_url = http://h.example\nuse_dualstack_endpoint = true\n",
			want: []string{"dual-stack", "CONFIG:2"}},
		{name: "bad checksum calculation", env: map[string]string{"AWS_REQUEST_CHECKSUM_CALCULATION": "always"},
			want: []string{"AWS_REQUEST_CHECKSUM_CALCULATION", `"always"`}},
		{name: "CA bundle missing", env: map[string]string{"AWS_CA_BUNDLE": filepath.Join(dir, "missing.pem")},
			want: []string{"environment variable AWS_CA_BUNDLE", "missing.pem"}},
		{name: "CA bundle without certificates", config: "[default]\nca_bundle = " + noCert + "\n",
			want: []string{"CONFIG:2", "no PEM certificate"}},
		{name: "access key without secret", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKENV"},
			want: []string{"AWS_SECRET_ACCESS_KEY"}},
		{name: "secret without access key", env: map[string]string{"AWS_SECRET_ACCESS_KEY": envSecret},
			want: []string{"AWS_ACCESS_KEY_ID"}},
		{name: "bad credential expiration", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": envSecret, "AWS_CREDENTIAL_EXPIRATION": "soon"},
			want: []string{"AWS_CREDENTIAL_EXPIRATION"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := testEnv(t, tt.config, tt.credentials, tt.env)
			_, err := LoadConfig(context.Background(), &LoadOptions{Profile: tt.profile, Getenv: getenv})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "s3client: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %q does not wrap ErrInvalidConfig", msg)
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "CONFIG", getenv("AWS_CONFIG_FILE"))
				w = strings.ReplaceAll(w, "CREDS", getenv("AWS_SHARED_CREDENTIALS_FILE"))
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if containsSecret(msg) {
				t.Errorf("error leaks a secret: %q", msg)
			}
		})
	}
}

// TestLoadConfigCredentialErrorsAtFirstUse: a source that is configured but
// broken is reported by the chain when credentials are first needed, with
// the file and line, and stops the chain there.
func TestLoadConfigCredentialErrorsAtFirstUse(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name        string
		config      string
		credentials string
		env         map[string]string
		source      string   // the source that failed
		want        []string // substrings; "CONFIG"/"CREDS" stand for the file paths
	}{
		{name: "file secret without access key", credentials: "[default]\n\naws_secret_access_key = " + fileSecret + "\n",
			source: "shared config", want: []string{"CREDS:3", "without aws_access_key_id"}},
		{name: "role_arn without a source", config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\n",
			source: "shared config", want: []string{"CONFIG:2", "role_arn needs source_profile or credential_source"}},
		{name: "unknown credential_source", config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Laptop\n",
			source: "shared config", want: []string{"CONFIG:3", `credential_source "Laptop"`}},
		{name: "sso", config: "[default]\nsso_session = corp\n",
			source: "shared config", want: []string{"CONFIG:2", "no [sso-session corp] section"}},
		{name: "web identity token file missing", env: map[string]string{
			"AWS_WEB_IDENTITY_TOKEN_FILE": filepath.Join(dir, "missing-token"), "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
			"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}, // never reached: the token is read first
			source: "web identity", want: []string{"missing-token", "arn:aws:iam::1:role/r"}},
		{name: "web identity without a role", env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": filepath.Join(dir, "token")},
			source: "web identity", want: []string{"AWS_ROLE_ARN"}},
		{name: "container URL not allowed over http", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://metadata.example/creds"},
			source: "container", want: []string{"metadata.example", "not allowed over http"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := testEnv(t, tt.config, tt.credentials, tt.env)
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			ch := chainOf(t, cfg)
			_, err = ch.Retrieve(context.Background())
			var ce *credentials.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *credentials.ChainError", err)
			}
			if last := ce.Attempts[len(ce.Attempts)-1]; last.Source != tt.source || errors.Is(last.Err, credentials.ErrNotConfigured) {
				t.Errorf("the chain stopped at %q (%v), want a failure of %q", last.Source, last.Err, tt.source)
			}
			msg := err.Error()
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "CONFIG", getenv("AWS_CONFIG_FILE"))
				w = strings.ReplaceAll(w, "CREDS", getenv("AWS_SHARED_CREDENTIALS_FILE"))
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if containsSecret(msg) {
				t.Errorf("error leaks a secret: %q", msg)
			}
			if ch.Source() != "" {
				t.Errorf("Source = %q after a failure", ch.Source())
			}
		})
	}
}

// TestLoadConfigCredentialProcess: credential_process runs once for many
// concurrent first requests, and its credentials serve later ones until
// they are near expiry; nothing prints its arguments.
func TestLoadConfigCredentialProcess(t *testing.T) {
	cmd, runs := credScript(t, "AKPROC", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	getenv := testEnv(t, "[default]\ncredential_process = "+cmd+"\n", "", nil)
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	ch := chainOf(t, cfg)
	if n := runs(); n != 0 {
		t.Fatalf("LoadConfig ran the command %d times; it should wait for the first request", n)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ch.Retrieve(context.Background())
			if err == nil && (c.AccessKeyID != "AKPROC" || c.SecretAccessKey != procSecret || c.SessionToken != tokSecret) {
				err = fmt.Errorf("got %v", c)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if got := accessKey(t, ch); got != "AKPROC" {
			t.Fatalf("got %q", got)
		}
	}
	if n := runs(); n != 1 {
		t.Errorf("11 calls, 8 of them concurrent, ran the command %d times, want 1", n)
	}

	// The chain names the program, not its arguments (the counter file
	// here, a secret elsewhere).
	program, _, _ := strings.Cut(cmd, " ")
	if src, want := ch.Source(), `shared config: profile "default": credential_process `+program; src != want {
		t.Errorf("Source = %q, want %q", src, want)
	}
	s := fmt.Sprintf("%v %+v %#v %s %v", cfg, cfg, cfg, ch, ch)
	if strings.Contains(s, "runs") || !strings.Contains(s, "helper.sh") || containsSecret(s) {
		t.Errorf("Config formats as %q", s)
	}
}

func TestLoadConfigCredentialProcessError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fail.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho 'session expired: run login' >&2\nexit 2\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	getenv := testEnv(t, "[default]\ncredential_process = "+path+" --token "+tokSecret+"\n", "", nil)
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	var ce *credentials.ChainError
	// The helper's stderr goes to this process's stderr, never into the
	// error, where it could carry a secret; the error names the helper
	// and its exit status, not its arguments.
	if !errors.As(err, &ce) || strings.Contains(err.Error(), "session expired: run login") || !strings.Contains(err.Error(), "fail.sh") ||
		!strings.Contains(err.Error(), "exit status 2") || strings.Contains(err.Error(), "--token") || containsSecret(err.Error()) {
		t.Errorf("err = %v", err)
	}
}

// fakeIMDS serves IMDSv2: a token, then the role and its credentials, or a
// 404 for the role when there is none. It fails the test on a request
// without the token.
func fakeIMDS(t *testing.T, role string) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		const tok = "imds-session-token"
		const rolePath = "/latest/meta-data/iam/security-credentials/"
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			io.WriteString(w, tok)
			return
		case r.Header.Get("X-Aws-Ec2-Metadata-Token") != tok:
			t.Errorf("IMDS %s %s without the session token", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusUnauthorized)
		case role == "":
			http.NotFound(w, r)
		case r.URL.Path == rolePath:
			io.WriteString(w, role+"\n")
		case r.URL.Path == rolePath+role:
			fmt.Fprintf(w, `{"Code": "Success", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": %q, "Token": %q, "Expiration": %q}`,
				envSecret, tokSecret, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		default:
			http.NotFound(w, r)
		}
	})
}

// TestLoadConfigNoCredentials: with no source at all, LoadConfig still
// succeeds; the first request fails, before anything is sent, with an error
// that lists what each source said.
func TestLoadConfigNoCredentials(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string // nil: a fake IMDS without a role
		want []string
	}{
		{"instance metadata disabled", map[string]string{}, []string{
			"no credentials found (",
			"environment: not configured: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
			"web identity: not configured",
			"container: not configured",
			"imds: not configured: AWS_EC2_METADATA_DISABLED is true",
		}},
		{"an instance without a role", nil, []string{
			"no credentials found: imds failed",
			"environment: not configured",
			"no IAM role is attached",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			var imds *fake
			if env == nil {
				imds = fakeIMDS(t, "")
				env = map[string]string{"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL}
			}
			getenv := testEnv(t, "", "", env)
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			s3 := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {})
			cfg.Endpoint, cfg.AddressingStyle = s3.URL, AddressingPath
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.HeadBucket(context.Background(), &HeadBucketInput{Bucket: "bucket"})
			var ce *credentials.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *credentials.ChainError", err)
			}
			msg := err.Error()
			for _, w := range append(tt.want, "s3client: ", `shared config: not configured: profile "default"`) {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q:\n%s", w, msg)
				}
			}
			if n := s3.count(); n != 0 {
				t.Errorf("%d requests reached the store", n)
			}
			if imds != nil && imds.count() == 0 {
				t.Errorf("the fake instance metadata was not asked")
			}
			if src := chainOf(t, cfg).Source(); src != "" {
				t.Errorf("Source = %q", src)
			}

			// Anonymous requests are asked for, not a fall-back.
			cfg.Credentials = nil
			if c, err = New(cfg); err != nil {
				t.Fatal(err)
			}
			if _, err := c.HeadBucket(context.Background(), &HeadBucketInput{Bucket: "bucket"}); err != nil {
				t.Fatalf("anonymous HeadBucket: %v", err)
			}
			if reqs := s3.rec.all(); len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "" {
				t.Errorf("anonymous requests: %v", reqs)
			}
		})
	}
}

// TestLoadConfigRemoteSources: the chain reaches the container endpoint and
// instance metadata, moved to test servers by the variables that move them
// in production, and says which one it used.
func TestLoadConfigRemoteSources(t *testing.T) {
	const authToken = "container-authorization-token"
	ecs := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		if r.URL.Path != "/v2/credentials" || r.Header.Get("Authorization") != authToken {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId": "ASIAECS", "SecretAccessKey": %q, "Token": %q, "Expiration": %q}`,
			envSecret, tokSecret, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	})
	imds := fakeIMDS(t, "app-role")
	tests := []struct {
		name, akid, source string
		env                map[string]string
	}{
		{"container", "ASIAECS", "container: " + ecs.URL + "/v2/credentials", map[string]string{
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.URL + "/v2/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": authToken}},
		{"instance metadata", "ASIAIMDS", "imds: " + imds.URL + " role app-role", map[string]string{
			"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: testEnv(t, "", "", tt.env)})
			if err != nil {
				t.Fatal(err)
			}
			ch := chainOf(t, cfg)
			if got := accessKey(t, ch); got != tt.akid {
				t.Errorf("access key %q, want %q", got, tt.akid)
			}
			if src := ch.Source(); src != tt.source {
				t.Errorf("Source = %q, want %q", src, tt.source)
			}
			if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); containsSecret(s) || strings.Contains(s, authToken) {
				t.Errorf("formatted Config leaks a secret: %s", s)
			}
		})
	}
}

// stsCall is what the fake STS received.
type stsCall struct {
	action, roleARN, webToken, accessKey, region string
}

// fakeSTS answers AssumeRole and AssumeRoleWithWebIdentity with temporary
// credentials and records each call.
type fakeSTS struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []stsCall
}

func newFakeSTS(t *testing.T, useTLS bool) *fakeSTS {
	f := &fakeSTS{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := stsCall{action: r.PostForm.Get("Action"), roleARN: r.PostForm.Get("RoleArn"), webToken: r.PostForm.Get("WebIdentityToken"), region: credentialRegion(r)}
		if a := r.Header.Get("Authorization"); a != "" {
			_, cred, _ := strings.Cut(a, "Credential=")
			c.accessKey, _, _ = strings.Cut(cred, "/")
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		n := len(f.calls)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult><Credentials>
<AccessKeyId>ASIASTS%[2]d</AccessKeyId><SecretAccessKey>%[3]s</SecretAccessKey><SessionToken>%[4]s</SessionToken><Expiration>%[5]s</Expiration>
</Credentials></%[1]sResult></%[1]sResponse>`, c.action, n, envSecret, tokSecret, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes
	if useTLS {
		f.srv.StartTLS()
	} else {
		f.srv.Start()
	}
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) recorded() []stsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stsCall(nil), f.calls...)
}

// TestLoadConfigAssumeRole: role_arn with source_profile is assumed with
// the source's keys, signed for the region LoadConfig resolved, over the
// CA-bundle client (the fake STS is trusted by nothing else).
func TestLoadConfigAssumeRole(t *testing.T) {
	sts := newFakeSTS(t, true)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sts.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/deploy"
	config := "[profile deploy]\nrole_arn = " + role + "\nsource_profile = base\nregion = eu-west-1\nca_bundle = " + bundle + "\n"
	creds := "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = " + fileSecret + "\n"

	getenv := testEnv(t, config, creds, map[string]string{"AWS_ENDPOINT_URL_STS": sts.srv.URL})
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Profile: "deploy", Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPClient == nil {
		t.Fatal("no HTTPClient for the CA bundle")
	}
	defer cfg.HTTPClient.CloseIdleConnections()
	ch := chainOf(t, cfg)
	if got := accessKey(t, ch); got != "ASIASTS1" {
		t.Errorf("access key %q, want the assumed role's", got)
	}
	want := []stsCall{{action: "AssumeRole", roleARN: role, accessKey: "AKBASE", region: "eu-west-1"}}
	if got := sts.recorded(); !reflect.DeepEqual(got, want) {
		t.Errorf("STS calls %+v, want %+v", got, want)
	}
	wantSrc := `shared config: profile "deploy": assume role ` + role + ` (source: profile "base": static keys in ` + getenv("AWS_SHARED_CREDENTIALS_FILE") + ")"
	if src := ch.Source(); src != wantSrc {
		t.Errorf("Source = %q, want %q", src, wantSrc)
	}

	// Without the bundle, STS's certificate is refused: the chain used the
	// CA-bundle client above.
	getenv = testEnv(t, strings.ReplaceAll(config, "ca_bundle", "# ca_bundle"), creds, map[string]string{"AWS_ENDPOINT_URL_STS": sts.srv.URL})
	if cfg, err = LoadConfig(context.Background(), &LoadOptions{Profile: "deploy", Getenv: getenv}); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA bundle: %v", err)
	}
	if n := len(sts.recorded()); n != 1 {
		t.Errorf("STS answered %d calls, want the first only", n)
	}
}

// TestLoadConfigWebIdentity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN
// (EKS, CI with OIDC) give credentials when nothing before them does.
func TestLoadConfigWebIdentity(t *testing.T) {
	sts := newFakeSTS(t, false)
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln"
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(jwt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/ci"
	getenv := testEnv(t, "", "", map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role,
		"AWS_REGION": "ap-southeast-2", "AWS_ENDPOINT_URL_STS": sts.srv.URL,
	})
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	ch := chainOf(t, cfg)
	if got := accessKey(t, ch); got != "ASIASTS1" {
		t.Errorf("access key %q", got)
	}
	want := []stsCall{{action: "AssumeRoleWithWebIdentity", roleARN: role, webToken: jwt}}
	if got := sts.recorded(); !reflect.DeepEqual(got, want) {
		t.Errorf("STS calls %+v, want %+v", got, want)
	}
	if src, want := ch.Source(), "web identity: web identity "+role+" with "+tokenFile; src != want {
		t.Errorf("Source = %q, want %q", src, want)
	}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, jwt) || containsSecret(s) {
		t.Errorf("formatted Config leaks a secret: %s", s)
	}
}

// TestLoadConfigCABundle checks that AWS_CA_BUNDLE makes the client trust a
// server it would otherwise refuse.
func TestLoadConfigCABundle(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	plain := &http.Client{Transport: DefaultTransport()}
	if resp, err := plain.Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Fatal("the default transport trusted the test server")
	}

	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: testEnv(t, "", "", map[string]string{"AWS_CA_BUNDLE": bundle})})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPClient == nil {
		t.Fatal("no HTTPClient")
	}
	tr := cfg.HTTPClient.Transport.(*http.Transport)
	defer tr.CloseIdleConnections()
	if tr.MaxIdleConnsPerHost != DefaultTransport().MaxIdleConnsPerHost {
		t.Errorf("the CA-bundle transport is not the tuned one")
	}
	resp, err := cfg.HTTPClient.Get(srv.URL)
	if err != nil {
		t.Fatalf("with the CA bundle: %v", err)
	}
	resp.Body.Close()
}

func TestDefaultTransport(t *testing.T) {
	a, b := DefaultTransport(), DefaultTransport()
	if a == b || a.TLSClientConfig == b.TLSClientConfig {
		t.Fatal("DefaultTransport shares state between calls")
	}
	if a.MaxIdleConnsPerHost < 64 || a.MaxIdleConns < a.MaxIdleConnsPerHost || !a.DisableCompression ||
		a.TLSClientConfig.MinVersion != tls.VersionTLS12 || a.ResponseHeaderTimeout == 0 || a.Proxy == nil {
		t.Errorf("transport settings: %+v", a)
	}

	// Objects stored gzip-encoded come back as stored, and the request
	// does not ask for compression.
	stored := func() []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte("hello, hello, hello"))
		zw.Close()
		return buf.Bytes()
	}()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Accept-Encoding", r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(stored)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	a.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	defer a.CloseIdleConnections()
	resp, err := (&http.Client{Transport: a}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if !bytes.Equal(body.Bytes(), stored) || resp.Uncompressed {
		t.Errorf("body was decompressed: %q", body.Bytes())
	}
	if ae := resp.Header.Get("X-Accept-Encoding"); ae != "" {
		t.Errorf("request sent Accept-Encoding %q", ae)
	}
	// The server offers HTTP/2; the transport stays on HTTP/1.1.
	if resp.ProtoMajor != 1 {
		t.Errorf("protocol %s, want HTTP/1.1", resp.Proto)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"zero", Config{}, ""},
		{"all set", Config{MaxAttempts: 5, RetryBaseDelay: time.Second, RetryMaxDelay: time.Minute, PayloadSigning: PayloadSigningStreaming, ChecksumPolicy: ChecksumWhenRequired}, ""},
		{"negative attempts", Config{MaxAttempts: -1}, "MaxAttempts"},
		{"negative delay", Config{RetryBaseDelay: -time.Second}, "negative"},
		{"base above max", Config{RetryBaseDelay: time.Minute}, "above RetryMaxDelay"},
		{"unknown payload signing", Config{PayloadSigning: 9}, "PayloadSigning(9)"},
		{"unknown checksum policy", Config{ChecksumPolicy: -1}, "ChecksumPolicy(-1)"},
	}
	for _, tt := range tests {
		err := tt.cfg.validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{PayloadSigningAuto.String(), "auto"},
		{PayloadSigningUnsigned.String(), "unsigned"},
		{PayloadSigningSigned.String(), "signed"},
		{PayloadSigningStreaming.String(), "streaming"},
		{ChecksumAuto.String(), "auto"},
		{ChecksumWhenSupported.String(), "when_supported"},
		{ChecksumWhenRequired.String(), "when_required"},
		{AddressingVirtual.String(), "virtual"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
