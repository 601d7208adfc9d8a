package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeContainer serves container credentials at /creds, requiring wantAuth
// as the Authorization header when it is set.
type fakeContainer struct {
	srv      *httptest.Server
	wantAuth atomic.Value // string
	calls    atomic.Int32
	failN    atomic.Int32 // answer the first failN calls with 500
	status   atomic.Int32 // when set, every answer has this status
}

func newFakeContainer(t *testing.T) *fakeContainer {
	f := &fakeContainer{}
	f.wantAuth.Store("")
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.calls.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/creds" {
			http.NotFound(w, r)
			return
		}
		if want := f.wantAuth.Load().(string); want != "" && r.Header.Get("Authorization") != want {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":"InvalidToken","message":"bad authorization token"}`)
			return
		}
		if n <= f.failN.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if s := f.status.Load(); s != 0 {
			w.WriteHeader(int(s))
			fmt.Fprint(w, `{"code":"AccessDenied","message":"role not allowed"}`)
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret","Token":"ecs-token","Expiration":%q,"RoleArn":"arn:aws:iam::1:role/task"}`,
			time.Now().Add(6*time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestContainerRelativeURI(t *testing.T) {
	f := newFakeContainer(t)
	f.wantAuth.Store(testAuthToken)
	tn := newTestNet(t)
	p := &ContainerProvider{
		Getenv: env(map[string]string{
			"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds",
			// The relative URI wins over the full one.
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/elsewhere",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN":  testAuthToken,
		}),
		HTTPClient: tn.client(),
		Endpoint:   f.srv.URL,
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAECS" || creds.SecretAccessKey != "ecs-secret" || creds.SessionToken != "ecs-token" || creds.Expires.IsZero() {
		t.Errorf("creds = %v", creds)
	}
	assertFormatsClean(t, p)
}

func TestContainerDefaultBase(t *testing.T) {
	// Without Endpoint the relative URI goes to 169.254.170.2, which the
	// test network refuses: the address is checked, never contacted.
	tn := newTestNet(t)
	tn.allowRefused = true
	p := &ContainerProvider{
		Getenv:     env(map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"}),
		HTTPClient: tn.client(),
		Timeout:    time.Second,
	}
	_, err := p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "http://169.254.170.2/v2/credentials/abc") {
		t.Errorf("err = %v", err)
	}
	if got := tn.refusedAddrs(); len(got) == 0 || got[0] != "169.254.170.2:80" {
		t.Errorf("refused %v, want 169.254.170.2:80", got)
	}
}

func TestContainerFullURIHosts(t *testing.T) {
	tests := []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1:8080/creds", true},
		{"http://127.1.2.3/creds", true},
		{"http://[::1]:9/creds", true},
		{"http://localhost:9/creds", true},
		{"http://169.254.170.2/v1/creds", true},
		{"http://169.254.170.23/v1/credentials", true},
		{"http://[fd00:ec2::23]/v1/credentials", true},
		{"https://creds.example.com/x", true},
		{"http://creds.example.com/x", false},
		{"http://169.254.169.254/latest", false},
		{"http://10.0.0.5/creds", false},
		{"http://localhost.evil.com/creds", false},
		{"ftp://127.0.0.1/creds", false},
		{"not a url", false},
	}
	for _, tt := range tests {
		p := &ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": tt.uri})}
		_, err := p.target(p.Getenv)
		if (err == nil) != tt.ok {
			t.Errorf("FULL_URI %q: err = %v, want ok=%v", tt.uri, err, tt.ok)
		}
		if err != nil && errors.Is(err, ErrNotConfigured) {
			t.Errorf("FULL_URI %q: a rejected URI must not look unconfigured", tt.uri)
		}
	}
}

func TestContainerFullURIAndTokenFile(t *testing.T) {
	f := newFakeContainer(t)
	f.wantAuth.Store(testAuthToken)
	tokenFile := writeFile(t, "eks-token", testAuthToken+"\n")
	p := &ContainerProvider{
		Getenv: env(map[string]string{
			"AWS_CONTAINER_CREDENTIALS_FULL_URI":     f.srv.URL + "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
			"AWS_CONTAINER_AUTHORIZATION_TOKEN":      "the file wins",
		}),
		HTTPClient: newTestNet(t).client(),
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A wrong token: the server's message is in the error, the token not.
	if err := writeTo(tokenFile, "wrong-"+testAuthToken); err != nil {
		t.Fatal(err)
	}
	_, err := p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "InvalidToken") {
		t.Errorf("err = %v", err)
	} else {
		assertNoSecrets(t, "error", err.Error())
	}
}

func TestContainerErrors(t *testing.T) {
	t.Run("not configured", func(t *testing.T) {
		_, err := (&ContainerProvider{Getenv: env(nil)}).Retrieve(context.Background())
		if !errors.Is(err, ErrNotConfigured) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("token with newline", func(t *testing.T) {
		p := &ContainerProvider{Getenv: env(map[string]string{
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/x",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN":  testAuthToken + "\r\nX-Evil: 1",
		})}
		_, err := p.Retrieve(context.Background())
		if err == nil || errors.Is(err, ErrNotConfigured) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, "error", err.Error())
	})
	t.Run("500 then success", func(t *testing.T) {
		f := newFakeContainer(t)
		f.failN.Store(1)
		p := &ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"}),
			Endpoint: f.srv.URL, HTTPClient: newTestNet(t).client()}
		if _, err := p.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := f.calls.Load(); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
	t.Run("403 is not retried", func(t *testing.T) {
		f := newFakeContainer(t)
		f.status.Store(403)
		p := &ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"}),
			Endpoint: f.srv.URL, HTTPClient: newTestNet(t).client()}
		_, err := p.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), "AccessDenied: role not allowed") {
			t.Errorf("err = %v", err)
		}
		if n := f.calls.Load(); n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"AccessKeyId":"A","SecretAccessKey":"ecs-secret"`)
		}))
		defer srv.Close()
		p := &ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL}), HTTPClient: newTestNet(t).client()}
		_, err := p.Retrieve(context.Background())
		if err == nil || !strings.Contains(err.Error(), "not the expected JSON") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, "error", err.Error())
	})
	t.Run("timeout", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(block)
		p := &ContainerProvider{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL}),
			HTTPClient: newTestNet(t).client(), Timeout: 50 * time.Millisecond}
		start := time.Now()
		_, err := p.Retrieve(context.Background())
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
}
