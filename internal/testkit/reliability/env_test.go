package reliability

// The test bed: the in-process server, the fault proxy in front of it, a
// client through the proxy and one straight to the server (the referee,
// which sees no faults), a log sink that counts retries and keeps every
// record for the secrets scan, and the checks every test shares — bytes by
// sha256, no multipart upload left, no goroutine left.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// The credentials every client here signs with. The secret and the token
// are long and unusual so that the secrets scan cannot miss them, and hold
// characters ("/", "+") that encodings would change.
const (
	accessKey    = "AKIDRELIABILITY0001"
	secretKey    = "relSecret/Key+0123456789abcdefGHIJKLmnopq"
	sessionToken = "relSessionTokenFwoGZXIvYXdzEBYaDH/0123456789+abcdefXYZ=="
	testRegion   = "us-east-1"
)

// ssecKey is the SSE-C key of the tests that send one.
var ssecKey = s3client.SSECKey("relSSECkey-0123456789abcdefghijk") // 32 bytes

// seed returns the seed of the fault schedules: S3KIT_RELIABILITY_SEED, or 1.
func seed(t testing.TB) uint64 {
	s := os.Getenv("S3KIT_RELIABILITY_SEED")
	if s == "" {
		return 1
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("S3KIT_RELIABILITY_SEED=%q: %v", s, err)
	}
	return v
}

// options shape an env.
type options struct {
	schedule    faultproxy.Schedule
	maxAttempts int  // 0: 5
	virtual     bool // virtual-host addressing
	payload     s3client.PayloadSigning
	checksums   s3client.ChecksumPolicy
	noThreads   bool // the transfer manager's Config.NoThreads
}

// headerTimeout is the response-header timeout of every client here:
// generous, so that a healthy request on a loaded machine never trips it.
// A Delay fault does not wait for it: the proxy's Transport fails the held
// request at once with the timeout error this timeout would raise.
const headerTimeout = time.Minute

// env is one server, one proxy and the clients around them.
type env struct {
	t      testing.TB
	srv    *s3test.Server
	proxy  *faultproxy.Proxy
	client *s3client.Client // through the proxy
	direct *s3client.Client // straight to the server, the referee

	clientTransport *http.Transport
	directTransport *http.Transport
	logs            *logSink
	bucket          string
}

func newEnv(t testing.TB, o options) *env {
	t.Helper()
	srv := s3test.New(t)
	proxy, err := faultproxy.New(faultproxy.Config{Target: srv.URL, Schedule: o.schedule, Delay: 2 * headerTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	e := &env{t: t, srv: srv, proxy: proxy, logs: &logSink{}, bucket: "reliability"}
	srv.CreateBucket(t, e.bucket)

	if o.maxAttempts == 0 {
		o.maxAttempts = 5
	}
	e.clientTransport = loopbackTransport(headerTimeout)
	t.Cleanup(e.clientTransport.CloseIdleConnections)
	endpoint := proxy.URL
	style := s3client.AddressingPath
	if o.virtual {
		endpoint = strings.Replace(proxy.URL, "127.0.0.1", "localhost", 1)
		style = s3client.AddressingVirtual
	}
	e.client = newClient(t, s3client.Config{
		Endpoint:          endpoint,
		AddressingStyle:   style,
		HTTPClient:        &http.Client{Transport: proxy.Transport(e.clientTransport)},
		MaxAttempts:       o.maxAttempts,
		PayloadSigning:    o.payload,
		ChecksumPolicy:    o.checksums,
		Logger:            slog.New(e.logs),
		AllowSSECOverHTTP: true,
	})
	e.directTransport = loopbackTransport(headerTimeout)
	t.Cleanup(e.directTransport.CloseIdleConnections)
	e.direct = newClient(t, s3client.Config{
		Endpoint:        srv.URL,
		AddressingStyle: s3client.AddressingPath,
		HTTPClient:      &http.Client{Transport: e.directTransport},
	})
	return e
}

// newClient returns a client with the test credentials, fast retries and
// the given settings.
func newClient(t testing.TB, cfg s3client.Config) *s3client.Client {
	t.Helper()
	if cfg.Region == "" {
		cfg.Region = testRegion
	}
	if cfg.Credentials == nil {
		cfg.Credentials = sigv4.NewStaticProvider(accessKey, secretKey, sessionToken)
	}
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = time.Millisecond
	}
	if cfg.RetryMaxDelay == 0 {
		cfg.RetryMaxDelay = 20 * time.Millisecond
	}
	c, err := s3client.New(cfg)
	if err != nil {
		t.Fatalf("s3client.New: %v", err)
	}
	return c
}

// loopbackTransport dials every "*.localhost" name to 127.0.0.1 (virtual-host
// style against a local server), never uses a proxy from the environment,
// and waits at most headerTimeout for an answer's headers.
func loopbackTransport(headerTimeout time.Duration) *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		DisableCompression:    true,
	}
}

// closeIdle closes every idle connection of the clients and the proxy, so
// that what remains of their goroutines is what is still in use.
func (e *env) closeIdle() {
	e.clientTransport.CloseIdleConnections()
	e.directTransport.CloseIdleConnections()
	e.proxy.CloseIdleConnections()
}

// --- data ---

// data returns n pseudo-random bytes, different for every (n, salt), built
// from a random 1 MiB block with each MiB stamped with its index, so that a
// part in the wrong place changes the sha256.
func data(n int64, salt uint64) []byte {
	blockOnce.Do(func() {
		r := rand.NewChaCha8([32]byte{'s', '3', 'k', 'i', 't'})
		block = make([]byte, 1<<20)
		r.Read(block)
	})
	b := make([]byte, n)
	for off := int64(0); off < n; off += 1 << 20 {
		m := copy(b[off:], block)
		var stamp [16]byte
		binary.LittleEndian.PutUint64(stamp[:8], uint64(off>>20))
		binary.LittleEndian.PutUint64(stamp[8:], salt^uint64(n))
		copy(b[off:off+int64(m)], stamp[:])
	}
	return b
}

var (
	blockOnce sync.Once
	block     []byte
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// stream hides everything but Read, so that the client and the engine must
// treat the body as a stream that cannot be read twice.
type stream struct{ r io.Reader }

func (s stream) Read(p []byte) (int, error) { return s.r.Read(p) }

// --- referee checks ---

// object returns the sha256 of an object as the server holds it, and
// whether it exists.
func (e *env) object(key string) (string, int64, bool) {
	e.t.Helper()
	out, err := e.direct.GetObject(context.Background(), &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
	if s3client.IsNotFound(err) {
		return "", 0, false
	}
	if err != nil {
		e.t.Errorf("referee GetObject %s: %v", key, err)
		return "", 0, false
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		e.t.Errorf("referee reading %s: %v", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, true
}

// uploads returns the multipart uploads in progress in the bucket.
func (e *env) uploads() []s3client.MultipartUpload {
	e.t.Helper()
	var ups []s3client.MultipartUpload
	for u, err := range e.direct.AllMultipartUploads(context.Background(), &s3client.ListMultipartUploadsInput{Bucket: e.bucket}) {
		if s3client.ErrorCode(err) == "NoSuchUpload" {
			// gofakes3 answers 404 NoSuchUpload for a bucket that never
			// had an upload; S3 lists none.
			break
		}
		if err != nil {
			e.t.Errorf("referee ListMultipartUploads: %v", err)
			break
		}
		ups = append(ups, u)
	}
	return ups
}

// checkNoUploads fails the test if any multipart upload is left.
func (e *env) checkNoUploads(t testing.TB) {
	t.Helper()
	if ups := e.uploads(); len(ups) > 0 {
		for _, u := range ups {
			t.Errorf("multipart upload left behind: %s (%s)", u.Key, u.UploadID)
		}
	}
}

// --- goroutines ---

// goroutines returns the stacks of the running goroutines, by ID.
func goroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[string]string)
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		fields := strings.Fields(header)
		if len(fields) >= 2 && fields[0] == "goroutine" {
			out[fields[1]] = g
		}
	}
	return out
}

// checkNoLeaks fails the test if goroutines started since before are
// still running once every idle connection is closed (allowing them a few
// seconds to notice).
func (e *env) checkNoLeaks(t testing.TB, before map[string]string) {
	t.Helper()
	var left []string
	deadline := time.Now().Add(time.Minute) // patience for a hang, not a speed check
	for {
		e.closeIdle()
		left = left[:0]
		for id, g := range goroutines() {
			if _, ok := before[id]; ok || strings.Contains(g, "checkNoLeaks") {
				continue
			}
			left = append(left, g)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		sort.Strings(left)
		t.Errorf("%d goroutines left running:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// --- logs ---

// logSink is a slog.Handler that keeps every record as text (for the
// secrets scan) and counts the client's retries.
type logSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	retries atomic.Int64
	records atomic.Int64
	attrs   []slog.Attr
	group   string
}

func (l *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	l.records.Add(1)
	if r.Message == "s3kit: retrying" {
		l.retries.Add(1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := slog.NewTextHandler(&l.buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	var hh slog.Handler = h
	if len(l.attrs) > 0 {
		hh = hh.WithAttrs(l.attrs)
	}
	if l.group != "" {
		hh = hh.WithGroup(l.group)
	}
	return hh.Handle(context.Background(), r)
}

// WithAttrs and WithGroup share the buffer and counters of the root sink.
func (l *logSink) WithAttrs(as []slog.Attr) slog.Handler {
	return &derivedSink{root: l, attrs: as}
}

func (l *logSink) WithGroup(name string) slog.Handler {
	return &derivedSink{root: l, group: name}
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type derivedSink struct {
	root  *logSink
	attrs []slog.Attr
	group string
}

func (d *derivedSink) Enabled(context.Context, slog.Level) bool { return true }
func (d *derivedSink) Handle(ctx context.Context, r slog.Record) error {
	r2 := r.Clone()
	if d.group != "" {
		r2.AddAttrs(slog.String("group", d.group))
	}
	r2.AddAttrs(d.attrs...)
	return d.root.Handle(ctx, r2)
}
func (d *derivedSink) WithAttrs(as []slog.Attr) slog.Handler {
	return &derivedSink{root: d.root, attrs: append(append([]slog.Attr(nil), d.attrs...), as...), group: d.group}
}
func (d *derivedSink) WithGroup(name string) slog.Handler {
	return &derivedSink{root: d.root, attrs: d.attrs, group: d.group + "." + name}
}

// slogger returns a logger writing to h.
func slogger(h slog.Handler) *slog.Logger { return slog.New(h) }

// --- tallies ---

// tally counts the outcomes of a run of transfers.
type tally struct {
	transfers, successes, cleanFailures atomic.Int64
	// lateSuccesses are failures whose work the server had nonetheless
	// done (an answer lost after the server acted): the error is right to
	// report the doubt, and the object is whole.
	lateSuccesses atomic.Int64
}

func (ta *tally) report(t testing.TB, name string, e *env, extraRetries int64) {
	t.Helper()
	s := e.proxy.Stats()
	t.Logf("%s: %d transfers, %d faults injected (%v), %d retries, %d successes, %d clean failures (%d of them with the object written)",
		name, ta.transfers.Load(), s.Injected(), s, e.logs.retries.Load()+extraRetries,
		ta.successes.Load(), ta.cleanFailures.Load(), ta.lateSuccesses.Load())
}

// isTyped reports whether err is (or wraps) one of s3kit's error types or
// sentinels, rather than a bare error from below.
func isTyped(err error, types ...any) bool {
	var ce *s3client.Error
	if errors.As(err, &ce) {
		return true
	}
	for _, target := range types {
		if errors.As(err, target) {
			return true
		}
	}
	return false
}

// describe shortens an error for a log line.
func describe(err error) string {
	s := fmt.Sprint(err)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
