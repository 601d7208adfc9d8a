package s3client

// Shared test scaffolding: clients for the in-process gofakes3 server
// (internal/testkit/s3test) and for httptest fakes that count what they receive.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/sigv4"
)

const (
	testAccessKey = "AKIDTESTEXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion    = "us-east-1"
)

// newClient returns a client for endpoint with test credentials, fast
// retries and deterministic backoff; mods adjust the configuration.
func newClient(t testing.TB, endpoint string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Region:            testRegion,
		Endpoint:          endpoint,
		AddressingStyle:   AddressingPath,
		Credentials:       sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		RetryBaseDelay:    time.Millisecond,
		RetryMaxDelay:     5 * time.Millisecond,
		AllowSSECOverHTTP: true,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.jitter = func() float64 { return 0.5 }
	return c
}

// recorder keeps the requests a server received.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) record(req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
}

func (r *recorder) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}

// fakeS3 starts the gofakes3 server with a recorder and returns a
// path-style client for it.
func fakeS3(t testing.TB, opts ...s3test.Option) (*s3test.Server, *Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := s3test.New(t, append([]s3test.Option{s3test.WithRequestRecorder(rec.record)}, opts...)...)
	c := newClient(t, srv.URL, func(c *Config) { c.HTTPClient = srv.HTTPClient() })
	return srv, c, rec
}

// fake is an httptest server whose handler sees each request with its
// 1-based sequence number; the body has been read into body.
type fake struct {
	*httptest.Server
	n    atomic.Int32
	rec  recorder
	body sync.Map // sequence number → []byte
}

func newFake(t testing.TB, h func(w http.ResponseWriter, r *http.Request, n int, body []byte)) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(f.n.Add(1))
		b, _ := io.ReadAll(r.Body)
		f.body.Store(n, b)
		c := r.Clone(context.Background())
		c.Body = http.NoBody
		f.rec.record(c)
		h(w, r, n, b)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) count() int { return int(f.n.Load()) }

func (f *fake) bodyOf(n int) []byte {
	v, _ := f.body.Load(n)
	b, _ := v.([]byte)
	return b
}

// writeError writes an S3 error document.
func writeError(w http.ResponseWriter, status int, code, message string, extra ...string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+message+`</Message>`+
		strings.Join(extra, "")+`<RequestId>REQ123</RequestId><HostId>HOST456</HostId></Error>`)
}

func writeXML(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+doc)
}

// credentialRegion returns the region of a request's credential scope.
func credentialRegion(r *http.Request) string {
	a := r.Header.Get("Authorization")
	i := strings.Index(a, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(a[i+len("Credential="):], ",", 2)[0], "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
