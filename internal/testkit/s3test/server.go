// This file holds the Server: the listener, the options, the helpers tests
// call, and the outer handlers around gofakes3 (request recording and
// virtual-host routing). The body checks of the chain are in body.go.

package s3test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3kit/s3kit/sigv4"
)

// VirtualHostDomain is the base domain of virtual-host addressing: a request
// whose Host is "<bucket>.localhost[:port]" addresses <bucket>.
const VirtualHostDomain = "localhost"

// Server is an in-process S3 server: gofakes3 behind an aws-chunked decoder,
// a checksum check and virtual-host routing, listening on 127.0.0.1 on a port
// the kernel picks. It serves path style on every host name and virtual-host
// style on "<bucket>.localhost".
type Server struct {
	// URL is the path-style endpoint, "http://127.0.0.1:port".
	URL string

	port      string
	backend   gofakes3.Backend
	srv       *http.Server
	transport *http.Transport
	served    chan struct{} // closed when Serve has returned
	closeOnce sync.Once
}

// Option configures a Server.
type Option func(*config)

type config struct {
	dir        string
	timeSource gofakes3.TimeSource
	recorder   func(*http.Request)
	fakeOpts   []gofakes3.Option
	creds      *sigv4.Credentials
	postChecks bool
}

// WithDir keeps buckets and objects as files under dir (gofakes3's s3afero
// backend) instead of in memory, for a server whose data should outlive it,
// such as "s3kit serve". The directory is created if missing. The on-disk
// backend does not support versioning.
func WithDir(dir string) Option {
	return func(c *config) { c.dir = dir }
}

// WithTimeSource gives the server a clock, used for Last-Modified, for
// multipart upload initiation times and for the RequestTimeTooSkewed check
// against x-amz-date (15 minutes by default). gofakes3.FixedTimeSource returns
// one that tests can advance.
func WithTimeSource(ts gofakes3.TimeSource) Option {
	return func(c *config) { c.timeSource = ts }
}

// WithRequestRecorder calls record for each request before the server acts on
// it, with a clone taken as the request arrived: original Host, URL, headers
// (signatures included), ContentLength and TransferEncoding. The clone's Body
// is http.NoBody; the server reads the real one. record may be called from
// several goroutines at once.
func WithRequestRecorder(record func(*http.Request)) Option {
	return func(c *config) { c.recorder = record }
}

// WithCredentials makes the server check the SigV4 signature of every
// request against creds, as S3 does: header-signed and presigned requests,
// the chunk and trailer signatures of signed aws-chunked bodies, and (with
// WithPOSTPolicies) browser upload forms. A wrong access key is answered
// 403 InvalidAccessKeyId, a wrong signature 403 SignatureDoesNotMatch with
// the CanonicalRequest and StringToSign the server computed, an expired
// presigned URL or an unsigned request 403 AccessDenied. Any region in the
// credential scope is accepted.
func WithCredentials(creds sigv4.Credentials) Option {
	return func(c *config) { c.creds = &creds }
}

// WithPOSTPolicies makes the server check browser uploads (POST of
// multipart/form-data to a bucket) against their policy with
// presignpost.Check, and their signature with presignpost.Verify when the
// server has credentials; ${filename} is substituted, and the answer
// follows success_action_status and success_action_redirect (204 by
// default). Without it, gofakes3 stores any form.
func WithPOSTPolicies() Option {
	return func(c *config) { c.postChecks = true }
}

// WithGoFakeS3Options passes options to gofakes3.New, for example
// gofakes3.WithTimeSkewLimit, gofakes3.WithAutoBucket or
// gofakes3.WithGlobalLog. Options that change host routing
// (gofakes3.WithHostBucket, gofakes3.WithHostBucketBase) would fight the
// Server's own virtual-host routing and should not be used.
func WithGoFakeS3Options(opts ...gofakes3.Option) Option {
	return func(c *config) { c.fakeOpts = append(c.fakeOpts, opts...) }
}

// New starts a Server for a test and stops it in t.Cleanup. It fails the test
// if the server cannot start.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a Server outside a test, as the demo command does.
// The caller stops it with Close.
func NewServer(opts ...Option) (*Server, error) {
	h, backend, err := newHandler(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("s3test: listen: %w", err)
	}
	_, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("s3test: listen: %w", err)
	}

	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		port:    port,
		backend: backend,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 30 * time.Second,
		},
		transport: newLoopbackTransport(),
		served:    make(chan struct{}),
	}
	go func() {
		defer close(s.served)
		// Serve returns http.ErrServerClosed after Close; there is no one
		// else to report an earlier failure to, and the requests of the
		// test then fail on their own.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// NewHandler returns the handler a Server serves, for a caller that serves
// it on a listener of its own, as "s3kit serve" does on the address the
// user chose: the handler opens no listener. Its Backend is the Server's.
func NewHandler(opts ...Option) (http.Handler, gofakes3.Backend, error) {
	return newHandler(opts)
}

// newHandler builds the chain, outermost first: the recorder, the
// signature check (WithCredentials, on the request as it arrived),
// virtual-host routing, the POST checks (WithPOSTPolicies),
// UploadPartCopy, the body checks, gofakes3.
func newHandler(opts []Option) (http.Handler, gofakes3.Backend, error) {
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}
	backend, err := newBackend(&cfg)
	if err != nil {
		return nil, nil, err
	}
	var fakeOpts []gofakes3.Option
	now := time.Now
	if cfg.timeSource != nil {
		fakeOpts = append(fakeOpts, gofakes3.WithTimeSource(cfg.timeSource))
		now = cfg.timeSource.Now
	}
	fakeOpts = append(fakeOpts, cfg.fakeOpts...)
	fake := gofakes3.New(backend, fakeOpts...)

	var h http.Handler = fake.Server()
	h = checkBodies(h)
	h = copyParts(h, backend, now)
	if cfg.postChecks {
		h = checkPostForms(h, cfg.creds, now)
	}
	h = routeVirtualHost(h)
	if cfg.creds != nil {
		h = checkSignatures(h, *cfg.creds, now)
	}
	if cfg.recorder != nil {
		h = recordRequests(cfg.recorder, h)
	}
	return h, backend, nil
}

func newBackend(cfg *config) (gofakes3.Backend, error) {
	if cfg.dir == "" {
		var memOpts []s3mem.Option
		if cfg.timeSource != nil {
			memOpts = append(memOpts, s3mem.WithTimeSource(cfg.timeSource))
		}
		return s3mem.New(memOpts...), nil
	}
	fs, err := s3afero.FsPath(cfg.dir, s3afero.FsPathCreateAll)
	if err != nil {
		return nil, fmt.Errorf("s3test: directory backend %s: %w", cfg.dir, err)
	}
	b, err := s3afero.MultiBucket(fs)
	if err != nil {
		return nil, fmt.Errorf("s3test: directory backend %s: %w", cfg.dir, err)
	}
	return b, nil
}

// shutdownGrace bounds how long Close waits for requests in flight.
const shutdownGrace = 2 * time.Second

// Close stops the server and waits for it. Requests in flight get a short
// grace period to finish, so that no handler still writes (to a WithDir
// directory, say) after Close returns; connections still busy after it are
// cut. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
		<-s.served
		s.transport.CloseIdleConnections()
	})
}

// Endpoint returns the path-style endpoint, "http://127.0.0.1:port".
func (s *Server) Endpoint() string { return s.URL }

// VirtualHostEndpoint returns "http://localhost:port". A client that puts the
// bucket in front of the host name ("http://<bucket>.localhost:port") reaches
// the bucket virtual-host style; such names resolve nowhere, so the client
// needs HTTPClient's transport (or its own DialContext) to connect.
func (s *Server) VirtualHostEndpoint() string {
	return "http://" + VirtualHostDomain + ":" + s.port
}

// HTTPClient returns a client whose transport connects "localhost" and every
// "*.localhost" name to 127.0.0.1, uses no proxy whatever the environment
// says, and keeps the Host header (which carries the bucket) as the URL has
// it. Every call returns a new Client sharing the Server's transport.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.transport}
}

// Backend returns the storage behind the server, for seeding and inspecting
// data without going through HTTP.
func (s *Server) Backend() gofakes3.Backend { return s.backend }

// CreateBucket creates a bucket through the backend, so that a test of a
// client does not depend on the client's own CreateBucket.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	// The same rule gofakes3 applies to CreateBucket over HTTP, so that a
	// test cannot depend on a bucket S3 would refuse.
	if err := gofakes3.ValidateBucketName(name); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
	if err := s.backend.CreateBucket(name); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
}

// PutObject stores an object through the backend. meta holds HTTP-style
// header names as gofakes3 stores them, for example "Content-Type" or
// "X-Amz-Meta-Color"; it may be nil.
func (s *Server) PutObject(t testing.TB, bucket, key string, data []byte, meta map[string]string) {
	t.Helper()
	m := make(map[string]string, len(meta))
	for k, v := range meta {
		m[http.CanonicalHeaderKey(k)] = v
	}
	if _, err := s.backend.PutObject(bucket, key, m, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		t.Fatalf("s3test: put object %s/%s: %v", bucket, key, err)
	}
}

// GetObject reads an object through the backend and returns its content and
// the metadata gofakes3 stored with it (header names in canonical form). It
// fails the test if the object does not exist.
func (s *Server) GetObject(t testing.TB, bucket, key string) ([]byte, map[string]string) {
	t.Helper()
	obj, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		t.Fatalf("s3test: get object %s/%s: %v", bucket, key, err)
	}
	defer obj.Contents.Close()
	data, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatalf("s3test: get object %s/%s: %v", bucket, key, err)
	}
	return data, obj.Metadata
}

// newLoopbackTransport returns a transport for the Server's clients. The
// bucket stays in the Host header and the URL; only the dialled address
// changes.
func newLoopbackTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if isLocalhostName(host) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: time.Minute,
	}
}

// isLocalhostName reports whether host is "localhost" or a name under it.
func isLocalhostName(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == VirtualHostDomain || strings.HasSuffix(host, "."+VirtualHostDomain)
}

// virtualHostBucket returns the bucket a Host header names in virtual-host
// style, or "" for path style. Bucket names may contain dots
// ("my.bucket.localhost" is bucket "my.bucket").
func virtualHostBucket(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	bucket, ok := strings.CutSuffix(host, "."+VirtualHostDomain)
	if !ok {
		return ""
	}
	return bucket
}

// routeVirtualHost turns a virtual-host request into the path-style request
// gofakes3 understands. gofakes3's own host-bucket modes cannot serve both
// styles on one port with a port in the Host header: WithHostBucket takes
// the first label of every host ("127" for 127.0.0.1) and
// WithHostBucketBase compares the suffix against a Host that still has its
// ":port".
func routeVirtualHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := virtualHostBucket(r.Host)
		if bucket == "" {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		p := r.URL.Path
		if p == "" {
			p = "/"
		}
		r2.URL.Path = "/" + bucket
		if p != "/" {
			r2.URL.Path += p
		}
		if r.URL.RawPath != "" {
			r2.URL.RawPath = "/" + bucket
			if r.URL.RawPath != "/" {
				r2.URL.RawPath += r.URL.RawPath
			}
		}
		next.ServeHTTP(w, r2)
	})
}

func recordRequests(record func(*http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Clone(r.Context())
		c.Body = http.NoBody
		c.GetBody = nil
		record(c)
		next.ServeHTTP(w, r)
	})
}
