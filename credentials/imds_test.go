package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeIMDS is an instance metadata service with IMDSv2 tokens.
type fakeIMDS struct {
	srv *httptest.Server

	mu         sync.Mutex
	log        []string
	valid      map[string]bool
	issued     int
	putStatus  int           // answer PUT with this status instead of a token
	putDelay   time.Duration // hold PUT this long (a hop limit that drops the answer)
	v1OK       bool          // GET without a token is served
	role       string        // "" means no instance profile (404)
	code       string        // the document's Code; "" means Success
	expireNext bool          // answer the next GET with a token 401
	ttl        string        // the TTL asked for, last PUT
}

func newFakeIMDS(t *testing.T) *fakeIMDS {
	f := &fakeIMDS{valid: map[string]bool{}, role: "web-role"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIMDS) entries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func (f *fakeIMDS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
		f.log = append(f.log, "PUT token")
		f.ttl = r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds")
		status, delay := f.putStatus, f.putDelay
		f.issued++
		tok := fmt.Sprintf("imds-token-%d", f.issued)
		if status == 0 {
			f.valid[tok] = true
		}
		f.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		fmt.Fprint(w, tok)
		return
	}
	defer f.mu.Unlock()
	tok := r.Header.Get("X-Aws-Ec2-Metadata-Token")
	f.log = append(f.log, fmt.Sprintf("GET %s v2=%v", strings.TrimPrefix(r.URL.Path, "/latest/meta-data/iam/security-credentials/"), tok != ""))
	switch {
	case r.Method != http.MethodGet:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	case tok == "" && !f.v1OK, tok != "" && !f.valid[tok]:
		w.WriteHeader(http.StatusUnauthorized)
		return
	case tok != "" && f.expireNext:
		f.expireNext = false
		delete(f.valid, tok)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/latest/meta-data/iam/security-credentials/":
		if f.role == "" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, f.role)
	case "/latest/meta-data/iam/security-credentials/" + f.role:
		code := f.code
		if code == "" {
			code = "Success"
		}
		fmt.Fprintf(w, `{"Code":%q,"LastUpdated":"2025-03-01T10:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-session","Expiration":%q}`,
			code, time.Now().Add(6*time.Hour).UTC().Format(time.RFC3339))
	default:
		http.NotFound(w, r)
	}
}

func TestIMDSv2Flow(t *testing.T) {
	f := newFakeIMDS(t)
	tn := newTestNet(t)
	p := &IMDSProvider{Getenv: env(nil), HTTPClient: tn.client(), Endpoint: f.srv.URL}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAIMDS" || creds.SecretAccessKey != "imds-secret" || creds.SessionToken != "imds-session" || creds.Expires.IsZero() {
		t.Errorf("creds = %v", creds)
	}
	want := []string{"PUT token", "GET  v2=true", "GET web-role v2=true"}
	if got := f.entries(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests = %q, want %q", got, want)
	}
	if f.ttl != "21600" {
		t.Errorf("token TTL header = %q", f.ttl)
	}
	// The token is kept for the next call.
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.entries(); len(got) != 5 || got[3] != "GET  v2=true" {
		t.Errorf("second call: requests = %q", got)
	}
	if d := p.describe(); d != f.srv.URL+" role web-role" {
		t.Errorf("describe = %q", d)
	}
	assertFormatsClean(t, p)
}

func TestIMDSTokenRefreshOn401(t *testing.T) {
	f := newFakeIMDS(t)
	p := &IMDSProvider{Getenv: env(nil), HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL, TokenTTL: 90 * time.Second}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.ttl != "90" {
		t.Errorf("TTL = %q", f.ttl)
	}
	f.mu.Lock()
	f.expireNext = true
	f.mu.Unlock()
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "PUT token|GET  v2=true|GET web-role v2=true|GET  v2=true|PUT token|GET  v2=true|GET web-role v2=true"
	if got := strings.Join(f.entries(), "|"); got != want {
		t.Errorf("requests = %q\nwant       %q", got, want)
	}
}

func TestIMDSv1FallbackRules(t *testing.T) {
	tests := []struct {
		name       string
		putStatus  int
		putDelay   time.Duration
		allowV1    bool
		v1Disabled string
		ok         bool
		errHas     string
	}{
		{"403 allowed", 403, 0, true, "", true, ""},
		{"404 allowed", 404, 0, true, "", true, ""},
		{"405 allowed", 405, 0, true, "", true, ""},
		{"503 allowed", 503, 0, true, "", true, ""},
		{"timeout allowed", 0, 2 * time.Second, true, "", true, ""},
		{"403 not allowed", 403, 0, false, "", false, "IMDSv1 fallback is not allowed"},
		{"timeout not allowed", 0, 2 * time.Second, false, "", false, "IMDSv1 fallback is not allowed"},
		{"403 allowed but disabled by env", 403, 0, true, "true", false, "IMDSv1 fallback is not allowed"},
		{"403 allowed, env false", 403, 0, true, "false", true, ""},
		{"400 never falls back", 400, 0, true, "", false, "400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIMDS(t)
			f.putStatus, f.putDelay, f.v1OK = tt.putStatus, tt.putDelay, true
			p := &IMDSProvider{
				Getenv:     env(map[string]string{"AWS_EC2_METADATA_V1_DISABLED": tt.v1Disabled}),
				HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL, AllowV1: tt.allowV1,
				Timeout: 100 * time.Millisecond,
			}
			creds, err := p.Retrieve(context.Background())
			if tt.ok {
				if err != nil || creds.AccessKeyID != "ASIAIMDS" {
					t.Fatalf("Retrieve = %v, %v", creds, err)
				}
				if got := f.entries(); got[len(got)-1] != "GET web-role v2=false" {
					t.Errorf("requests = %q, want IMDSv1 GETs", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want %q", err, tt.errHas)
			}
			for _, e := range f.entries() {
				if strings.HasPrefix(e, "GET") {
					t.Errorf("a GET was made after the token was refused: %q", f.entries())
				}
			}
		})
	}
}

func TestIMDSDisabled(t *testing.T) {
	tn := newTestNet(t)
	p := &IMDSProvider{Getenv: env(map[string]string{"AWS_EC2_METADATA_DISABLED": "TRUE"}), HTTPClient: tn.client()}
	_, err := p.Retrieve(context.Background())
	if !errors.Is(err, ErrNotConfigured) {
		t.Errorf("err = %v", err)
	}
	if d := tn.dialedAddrs(); len(d) != 0 {
		t.Errorf("dialed %v", d)
	}
}

func TestIMDSEndpointFromEnv(t *testing.T) {
	f := newFakeIMDS(t)
	p := &IMDSProvider{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": f.srv.URL + "/"}), HTTPClient: newTestNet(t).client()}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	bad := &IMDSProvider{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "169.254.169.254"})}
	if _, err := bad.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "not an http or https URL") {
		t.Errorf("bad endpoint: err = %v", err)
	}
	mode := &IMDSProvider{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv5"})}
	if _, err := mode.Retrieve(context.Background()); err == nil {
		t.Error("bad mode: no error")
	}
}

// TestIMDSDefaultEndpoint checks which address the provider would use
// without an override; the test network refuses it, so nothing real is
// contacted.
func TestIMDSDefaultEndpoint(t *testing.T) {
	tests := []struct {
		mode, addr string
	}{
		{"", "169.254.169.254:80"},
		{"IPv4", "169.254.169.254:80"},
		{"IPv6", "[fd00:ec2::254]:80"},
	}
	for _, tt := range tests {
		tn := newTestNet(t)
		tn.allowRefused = true
		p := &IMDSProvider{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": tt.mode}), HTTPClient: tn.client()}
		_, err := p.Retrieve(context.Background())
		if err == nil {
			t.Fatalf("mode %q: no error", tt.mode)
		}
		refused := tn.refusedAddrs()
		if len(refused) == 0 || refused[0] != tt.addr {
			t.Errorf("mode %q: refused %v, want %s", tt.mode, refused, tt.addr)
		}
		for _, a := range tn.dialedAddrs() {
			if a != tt.addr {
				t.Errorf("mode %q: dialed %s", tt.mode, a)
			}
		}
		// Two attempts at most for the token, and no GET without IMDSv1.
		if n := len(tn.dialedAddrs()); n > imdsAttempts {
			t.Errorf("mode %q: %d dials", tt.mode, n)
		}
	}
}

func TestIMDSErrors(t *testing.T) {
	t.Run("no role", func(t *testing.T) {
		f := newFakeIMDS(t)
		f.role = ""
		p := &IMDSProvider{Getenv: env(nil), HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL}
		_, err := p.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), "no IAM role") || errors.Is(err, ErrNotConfigured) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("code not Success", func(t *testing.T) {
		f := newFakeIMDS(t)
		f.code = "AssumeRoleUnauthorizedAccess"
		p := &IMDSProvider{Getenv: env(nil), HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL}
		_, err := p.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), "AssumeRoleUnauthorizedAccess") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, "error", err.Error())
	})
	t.Run("cancelled", func(t *testing.T) {
		f := newFakeIMDS(t)
		f.putDelay = 5 * time.Second
		p := &IMDSProvider{Getenv: env(nil), HTTPClient: newTestNet(t).client(), Endpoint: f.srv.URL, AllowV1: true}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := p.Retrieve(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
		// The caller's deadline is not a reason to fall back to IMDSv1.
		for _, e := range f.entries() {
			if strings.HasPrefix(e, "GET") {
				t.Errorf("GET after cancellation: %q", f.entries())
			}
		}
	})
}
