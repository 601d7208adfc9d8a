package credentials

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

// fakeProxy is a forward proxy that records every request it is sent and
// forwards none.
type fakeProxy struct {
	srv *httptest.Server

	mu   sync.Mutex
	seen []string
}

func newFakeProxy(t *testing.T) *fakeProxy {
	p := &fakeProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.URL.String()+" token="+r.Header.Get("X-Aws-Ec2-Metadata-Token")+
			" auth="+r.Header.Get("Authorization"))
		p.mu.Unlock()
		http.Error(w, "proxy", http.StatusBadGateway)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProxy) reset() {
	p.mu.Lock()
	p.seen = nil
	p.mu.Unlock()
}

func (p *fakeProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// envProxy is http.ProxyFromEnvironment without its once-per-process
// cache, so that the variables a test sets with t.Setenv take effect.
func envProxy(r *http.Request) (*url.URL, error) {
	v := os.Getenv("HTTP_PROXY")
	if r.URL.Scheme == "https" {
		v = os.Getenv("HTTPS_PROXY")
	}
	if v == "" {
		return nil, nil
	}
	return url.Parse(v)
}

// TestMetadataNeverProxied: a client that honours HTTP_PROXY and
// HTTPS_PROXY, as s3client.LoadConfig's AWS_CA_BUNDLE client does, is
// handed to the default chain; the container endpoint and IMDS are still
// asked directly, and the proxy sees neither the IMDSv2 token nor the
// container's authorization token.
func TestMetadataNeverProxied(t *testing.T) {
	proxy := newFakeProxy(t)
	t.Setenv("HTTP_PROXY", proxy.srv.URL)
	t.Setenv("HTTPS_PROXY", proxy.srv.URL)

	tests := []struct {
		name    string
		env     []string
		wantKey string
	}{
		{"container", []string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN", testAuthToken}, "ASIAECS"},
		{"imds", []string{"AWS_EC2_METADATA_DISABLED", ""}, "ASIAIMDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.reset()
			ecs, imds := newFakeContainer(t), newFakeIMDS(t)
			ecs.wantAuth.Store(testAuthToken)
			tn := newTestNet(t)
			// The real addresses, routed to the fakes: a proxy would be
			// asked for them, as for any host that is not loopback.
			tn.route("169.254.170.2:80", ecs.srv)
			tn.route("169.254.169.254:80", imds.srv)
			client := tn.client()
			client.Transport.(*http.Transport).Proxy = envProxy

			// The client does send other requests (STS) to the proxy.
			if resp, err := client.Get("http://sts.amazonaws.com/"); err == nil {
				resp.Body.Close()
			}
			if got := proxy.requests(); len(got) != 1 {
				t.Fatalf("the client under test does not use the proxy: %q", got)
			}

			chain := NewDefaultChain(Options{Getenv: env(isolatedEnv(t, tt.env...)), HTTPClient: client})
			creds, err := chain.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tt.wantKey {
				t.Errorf("creds = %v, want %s", creds, tt.wantKey)
			}
			if got := proxy.requests(); len(got) != 1 {
				t.Errorf("the proxy saw metadata requests: %q", got[1:])
			}
			for _, r := range proxy.requests() {
				assertNoSecrets(t, "proxied request", r)
			}
		})
	}
}

// redirectTarget counts the requests that reach it, and the secrets they
// carry.
type redirectTarget struct {
	srv *httptest.Server

	mu   sync.Mutex
	seen []string
}

func newRedirectTarget(t *testing.T) *redirectTarget {
	rt := &redirectTarget{}
	rt.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		rt.seen = append(rt.seen, r.Method+" "+r.URL.Path+" token="+r.Header.Get("X-Aws-Ec2-Metadata-Token")+
			" auth="+r.Header.Get("Authorization"))
		rt.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// What a hostile host would answer, were it asked.
		w.Write([]byte(`{"AccessKeyId":"ASIAEVIL","SecretAccessKey":"evil","Token":"evil-token"}`))
	}))
	t.Cleanup(rt.srv.Close)
	return rt
}

func (rt *redirectTarget) requests() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.seen...)
}

// TestMetadataRedirectsNotFollowed: a metadata endpoint that redirects
// (the IMDSv2 token PUT, the credentials GET, the container GET) gets an
// error, and the redirect's target receives nothing — with the default
// client and with a caller's client that follows redirects.
func TestMetadataRedirectsNotFollowed(t *testing.T) {
	tests := []struct {
		name string
		// redirect answers the request with a redirect to target when it
		// returns true.
		redirect func(r *http.Request) bool
		imds     bool
	}{
		{"imds token PUT", func(r *http.Request) bool { return r.Method == http.MethodPut }, true},
		{"imds credentials GET", func(r *http.Request) bool { return r.Method == http.MethodGet }, true},
		{"container GET", func(*http.Request) bool { return true }, false},
	}
	for _, tt := range tests {
		for _, status := range []int{301, 302, 303, 307, 308} {
			for _, callerClient := range []bool{false, true} {
				name := tt.name + "/" + http.StatusText(status)
				if callerClient {
					name += "/caller client"
				}
				t.Run(name, func(t *testing.T) {
					target := newRedirectTarget(t)
					fake := newFakeIMDS(t)
					hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if tt.redirect(r) {
							http.Redirect(w, r, target.srv.URL+r.URL.Path, status)
							return
						}
						fake.serve(w, r)
					}))
					t.Cleanup(hostile.Close)

					var client *http.Client
					if callerClient {
						client = newTestNet(t).client() // follows redirects
					}
					var p sigv4.CredentialsProvider = &ContainerProvider{Getenv: env(map[string]string{
						"AWS_CONTAINER_CREDENTIALS_FULL_URI": hostile.URL + "/creds",
						"AWS_CONTAINER_AUTHORIZATION_TOKEN":  testAuthToken,
					}), HTTPClient: client}
					if tt.imds {
						p = &IMDSProvider{Getenv: env(nil), HTTPClient: client, Endpoint: hostile.URL}
					}
					creds, err := p.Retrieve(context.Background())
					if err == nil {
						t.Fatalf("Retrieve followed the redirect: %v", creds)
					}
					if !strings.Contains(err.Error(), http.StatusText(status)) {
						t.Errorf("err = %v, want the redirect status", err)
					}
					if got := target.requests(); len(got) != 0 {
						t.Errorf("the redirect target received %q", got)
					}
					assertNoSecrets(t, "error", err.Error())
				})
			}
		}
	}
}
