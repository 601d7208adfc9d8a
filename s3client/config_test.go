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
	"strings"
	"sync"
	"testing"
	"time"

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
// that points at them, plus the extra variables; nothing comes from the
// machine's environment.
func testEnv(t *testing.T, config, credentials string, vars map[string]string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	m := map[string]string{
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
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

func accessKey(t *testing.T, p sigv4.CredentialsProvider) string {
	t.Helper()
	if p == nil {
		return ""
	}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
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
	credentials := `[default]
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
		style                  AddressingStyle
		dualStack, accelerate  bool
		signing                PayloadSigning
		attempts               int
		checksum               ChecksumPolicy
	}
	defaults := want{region: "ap-south-1", akid: "AKFILE", style: AddressingPath, dualStack: true, signing: PayloadSigningSigned, attempts: 7, checksum: ChecksumWhenRequired}
	with := func(f func(*want)) want { w := defaults; f(&w); return w }
	tests := []struct {
		name    string
		profile string
		env     map[string]string
		want    want
	}{
		{"default profile: credentials file wins", "", nil, defaults},
		{"environment wins", "", map[string]string{
			"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-west-3",
			"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": envSecret,
			"AWS_MAX_ATTEMPTS": "2", "AWS_REQUEST_CHECKSUM_CALCULATION": "WHEN_SUPPORTED",
			"AWS_USE_DUALSTACK_ENDPOINT": "false",
		}, with(func(w *want) {
			w.region, w.akid, w.attempts, w.checksum, w.dualStack = "eu-central-1", "AKENV", 2, ChecksumWhenSupported, false
		})},
		{"AWS_DEFAULT_REGION after AWS_REGION", "", map[string]string{"AWS_DEFAULT_REGION": "eu-west-3"}, with(func(w *want) { w.region = "eu-west-3" })},
		{"keys in the credentials file beat credential_process", "proc", nil, want{region: "eu-west-1", akid: "AKFILE"}},
		{"credential_process beats keys in the config file", "proc", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}, want{region: "eu-west-1", akid: "AKPROC"}},
		{"credential_process from the credentials file", "proconly", nil, want{akid: "AKPROC"}},
		{"keys in the config file", "keysincfg", nil, want{akid: "AKCFG"}},
		{"no credentials: anonymous", "anon", nil, want{region: "eu-north-1"}},
		{"AWS_PROFILE", "", map[string]string{"AWS_PROFILE": "anon"}, want{region: "eu-north-1"}},
		{"option beats AWS_PROFILE", "keysincfg", map[string]string{"AWS_PROFILE": "anon"}, want{akid: "AKCFG"}},
		{"services section beats the s3 sub-section and endpoint_url", "minio", nil, want{region: "us-east-1", endpoint: "http://services.example:9000", style: AddressingVirtual}},
		{"s3 sub-section endpoint_url beats endpoint_url", "plugin", nil, want{endpoint: "http://plugin.example:9000"}},
		{"endpoint_url", "global", nil, want{endpoint: "http://global.example:9000"}},
		{"AWS_ENDPOINT_URL beats the files", "minio", map[string]string{"AWS_ENDPOINT_URL": "https://env.example"}, want{region: "us-east-1", endpoint: "https://env.example", style: AddressingVirtual}},
		{"AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL", "minio", map[string]string{"AWS_ENDPOINT_URL": "https://env.example", "AWS_ENDPOINT_URL_S3": "https://s3env.example"}, want{region: "us-east-1", endpoint: "https://s3env.example", style: AddressingVirtual}},
		{"configured endpoints ignored", "minio", map[string]string{"AWS_ENDPOINT_URL_S3": "https://s3env.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, want{region: "us-east-1", style: AddressingVirtual}},
		{"accelerate", "accel", nil, want{accelerate: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := testEnv(t, config, credentials, tt.env)
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Profile: tt.profile, Getenv: getenv})
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			got := want{
				region: cfg.Region, endpoint: cfg.Endpoint, akid: accessKey(t, cfg.Credentials),
				style: cfg.AddressingStyle, dualStack: cfg.UseDualStack, accelerate: cfg.UseAccelerate,
				signing: cfg.PayloadSigning, attempts: cfg.MaxAttempts, checksum: cfg.ChecksumPolicy,
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
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
	c, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := sigv4.Credentials{AccessKeyID: "AKENV", SecretAccessKey: envSecret, SessionToken: tokSecret, Expires: time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)}
	if c != want {
		t.Errorf("got %v", c)
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
	// Nothing at all: the zero Config.
	cfg, err = LoadConfig(context.Background(), &LoadOptions{Getenv: func(string) string { return "" }})
	if err != nil || cfg.Region != "" || cfg.Credentials != nil {
		t.Errorf("empty environment: %+v, %v", cfg, err)
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
		unsupported bool
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
			want: []string{"CONFIG:2", "not a valid URL"}},
		{name: "endpoint with dual-stack", config: "[default]\nendpoint_url = http://h.example\nuse_dualstack_endpoint = true\n",
			want: []string{"UseDualStack", "CONFIG:2"}},
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
		{name: "file secret without access key", credentials: "[default]\n\naws_secret_access_key = " + fileSecret + "\n",
			want: []string{"CREDS:3", "without aws_access_key_id"}},
		{name: "bad credential expiration", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": envSecret, "AWS_CREDENTIAL_EXPIRATION": "soon"},
			want: []string{"AWS_CREDENTIAL_EXPIRATION"}},
		{name: "role_arn", config: "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n", credentials: "[default]\naws_access_key_id = AK\naws_secret_access_key = " + fileSecret + "\n",
			want: []string{"CONFIG:2", "role_arn"}, unsupported: true},
		{name: "sso", config: "[default]\nsso_session = corp\n", want: []string{"sso_session"}, unsupported: true},
		{name: "web identity", env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"},
			want: []string{"AWS_WEB_IDENTITY_TOKEN_FILE"}, unsupported: true},
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
			if tt.unsupported != errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v", !tt.unsupported)
			}
			if !tt.unsupported && !errors.Is(err, ErrInvalidConfig) {
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

func TestProcessProviderCaches(t *testing.T) {
	cmd, runs := credScript(t, "AKPROC", "2030-01-01T00:00:00Z")
	getenv := testEnv(t, "[default]\ncredential_process = "+cmd+"\n", "", nil)
	cfg, err := LoadConfig(context.Background(), &LoadOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := cfg.Credentials.(*processProvider)
	if !ok {
		t.Fatalf("Credentials is %T", cfg.Credentials)
	}
	var mu sync.Mutex
	now := time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.Retrieve(context.Background())
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
	if n := runs(); n != 1 {
		t.Errorf("8 concurrent calls ran the command %d times, want 1", n)
	}

	// Within five minutes of expiry the command runs again.
	mu.Lock()
	now = time.Date(2029, 12, 31, 23, 56, 0, 0, time.UTC)
	mu.Unlock()
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := runs(); n != 2 {
		t.Errorf("near expiry: %d runs, want 2", n)
	}
	// Past expiry, credentials the command returns are refused.
	mu.Lock()
	now = time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	mu.Unlock()
	if _, err := p.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "expired") || containsSecret(err.Error()) {
		t.Errorf("expired credentials: %v", err)
	}
	// A cancelled context does not wait for the command.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Retrieve(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	// The provider prints the program, not its arguments.
	s := fmt.Sprintf("%v %+v %#v %s", p, p, p, p)
	if strings.Contains(s, "runs") || !strings.Contains(s, "helper.sh") {
		t.Errorf("provider formats as %q", s)
	}
}

func TestProcessProviderLongTermKeys(t *testing.T) {
	cmd, runs := credScript(t, "AKPROC", "")
	p := newProcessProvider(cmd)
	for i := 0; i < 3; i++ {
		if got := accessKey(t, p); got != "AKPROC" {
			t.Fatalf("got %q", got)
		}
	}
	if n := runs(); n != 1 {
		t.Errorf("credentials without expiry fetched %d times, want 1", n)
	}
}

func TestProcessProviderError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fail.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho 'session expired: run login' >&2\nexit 2\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	p := newProcessProvider(path + " --token " + tokSecret)
	_, err := p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "session expired: run login") || !strings.HasPrefix(err.Error(), "s3client: ") || containsSecret(err.Error()) {
		t.Errorf("err = %v", err)
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
