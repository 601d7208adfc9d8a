package transfer

// Test scaffolding: the in-process gofakes3 server with a client, a shim
// in front of it for what gofakes3 lacks (If-Match on GET, UploadPartCopy,
// bodies cut short), a counting wrapper around the client, and a check
// that no worker goroutine outlived a transfer.

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

const (
	testBucket = "bkt"
	mib        = 1 << 20
)

// newTestClient returns a client for endpoint with test credentials and
// fast retries.
func newTestClient(t testing.TB, endpoint string, hc *http.Client, mods ...func(*s3client.Config)) *s3client.Client {
	t.Helper()
	cfg := s3client.Config{
		Region:            "us-east-1",
		Endpoint:          endpoint,
		AddressingStyle:   s3client.AddressingPath,
		Credentials:       sigv4.NewStaticProvider("AKIDTESTEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:        hc,
		RetryBaseDelay:    time.Millisecond,
		RetryMaxDelay:     5 * time.Millisecond,
		AllowSSECOverHTTP: true,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := s3client.New(cfg)
	if err != nil {
		t.Fatalf("s3client.New: %v", err)
	}
	return c
}

// env is a gofakes3 server with bucket testBucket and a client for it.
type env struct {
	srv    *s3test.Server
	client *s3client.Client
}

func newEnv(t testing.TB, opts ...s3test.Option) *env {
	t.Helper()
	srv := s3test.New(t, opts...)
	srv.CreateBucket(t, testBucket)
	return &env{srv: srv, client: newTestClient(t, srv.URL, srv.HTTPClient())}
}

func newManager(t testing.TB, api API, cfg Config) *Manager {
	t.Helper()
	m, err := New(api, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// smallConfig makes multipart transfers cheap: 5 MiB parts and threshold.
func smallConfig() Config {
	return Config{MultipartThreshold: testChunk, MultipartChunkSize: testChunk, StateDir: "/nonexistent/state"}
}

// testRange is the range size of download tests. S3 has no minimum for
// ranges, only for parts; tests that only download set it on the Manager
// (smallRanges) to keep their objects small.
const testRange = 64 << 10

func smallRanges(m *Manager) *Manager {
	m.cfg.MultipartChunkSize, m.cfg.IOChunkSize = testRange, 16<<10
	return m
}

func noThreads(c Config) Config {
	c.NoThreads = true
	return c
}

// randBytes returns n reproducible pseudo-random bytes.
func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// objectData reads an object through the backend.
func (e *env) objectData(t testing.TB, key string) []byte {
	t.Helper()
	b, _ := e.srv.GetObject(t, testBucket, key)
	return b
}

// etagOf is the ETag gofakes3 serves for an object.
func etagOf(t testing.TB, backend gofakes3.Backend, bucket, key string) string {
	obj, err := backend.HeadObject(bucket, key)
	if err != nil {
		t.Errorf("head %s/%s: %v", bucket, key, err)
		return ""
	}
	obj.Contents.Close()
	return `"` + hex.EncodeToString(obj.Hash) + `"`
}

// checkNoWorkers fails the test if a goroutine of this package or of the
// multipart engine is still running (after a short grace period for
// goroutines that are returning).
func checkNoWorkers(t testing.TB) {
	t.Helper()
	var leaked []string
	for deadline := time.Now().Add(time.Minute); ; { // patience for a hang, not a speed check
		leaked = leaked[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			ours := strings.Contains(g, "s3kit/s3kit/transfer.") || strings.Contains(g, "s3kit/s3kit/multipart")
			if ours && !strings.Contains(g, "transfer.Test") && !strings.Contains(g, "transfer.Benchmark") &&
				!strings.Contains(g, "transfer.Example") && !strings.Contains(g, "transfer.checkNoWorkers") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(leaked) > 0 {
		t.Errorf("%d goroutines left behind:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
}

// shim stands in front of the gofakes3 server and adds what it lacks:
// If-Match on GET (412 when the ETag differs), UploadPartCopy (served
// from the backend), and faults — bodies cut after some bytes. It records
// every request.
type shim struct {
	srv   *s3test.Server
	proxy *httputil.ReverseProxy
	ts    *httptest.Server

	mu   sync.Mutex
	reqs []recorded
	// cut, if set, is asked for each GET: a result ≥ 0 aborts the body
	// after that many bytes.
	cut func(r *http.Request) int64
	// before, if set, runs before each request is served; returning true
	// means it answered the request itself.
	before func(w http.ResponseWriter, r *http.Request) bool
}

type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
}

func newShim(t testing.TB, srv *s3test.Server) *shim {
	t.Helper()
	target, _ := url.Parse(srv.URL)
	s := &shim{srv: srv, proxy: httputil.NewSingleHostReverseProxy(target)}
	s.proxy.ErrorLog = log.New(io.Discard, "", 0) // cut bodies are the point
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	return s
}

func (s *shim) URL() string { return s.ts.URL }

func (s *shim) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// count returns how many requests matched.
func (s *shim) count(match func(recorded) bool) int {
	n := 0
	for _, r := range s.requests() {
		if match(r) {
			n++
		}
	}
	return n
}

func isGet(r recorded) bool { return r.Method == http.MethodGet && r.Header.Get("Range") != "" }
func isPart(r recorded) bool {
	return r.Method == http.MethodPut && r.Query.Has("partNumber") && r.Header.Get("X-Amz-Copy-Source") == ""
}
func isAbort(r recorded) bool { return r.Method == http.MethodDelete && r.Query.Has("uploadId") }

func (s *shim) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
	before, cut := s.before, s.cut
	s.mu.Unlock()
	if before != nil && before(w, r) {
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	if r.Method == http.MethodPut && q.Has("uploadId") && r.Header.Get("X-Amz-Copy-Source") != "" {
		s.partCopy(w, r, bucket, key)
		return
	}
	if r.Method == http.MethodGet && key != "" && len(q) == 0 {
		if im := r.Header.Get("If-Match"); im != "" {
			obj, err := s.srv.Backend().HeadObject(bucket, key)
			if err == nil {
				obj.Contents.Close()
				if im != `"`+hex.EncodeToString(obj.Hash)+`"` {
					writeError(w, http.StatusPreconditionFailed, "PreconditionFailed")
					return
				}
			}
		}
		if cut != nil {
			if n := cut(r); n >= 0 {
				s.serveCut(w, r, bucket, key, n)
				return
			}
		}
	}
	s.proxy.ServeHTTP(w, r)
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, code)
}

// partCopy serves UploadPartCopy from the backend: it reads the source
// range and uploads it to gofakes3 as an ordinary part.
func (s *shim) partCopy(w http.ResponseWriter, r *http.Request, bucket, key string) {
	src, err := url.PathUnescape(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidArgument")
		return
	}
	src, _, _ = strings.Cut(src, "?")
	sb, sk, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	obj, err := s.srv.Backend().HeadObject(sb, sk)
	if err != nil {
		writeError(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	obj.Contents.Close()
	if im := r.Header.Get("X-Amz-Copy-Source-If-Match"); im != "" && im != `"`+hex.EncodeToString(obj.Hash)+`"` {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed")
		return
	}
	var rr *gofakes3.ObjectRangeRequest
	if spec, ok := strings.CutPrefix(r.Header.Get("X-Amz-Copy-Source-Range"), "bytes="); ok {
		a, b, _ := strings.Cut(spec, "-")
		start, _ := strconv.ParseInt(a, 10, 64)
		end, _ := strconv.ParseInt(b, 10, 64)
		rr = &gofakes3.ObjectRangeRequest{Start: start, End: end}
	}
	data, err := s.srv.Backend().GetObject(sb, sk, rr)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRange")
		return
	}
	body, _ := io.ReadAll(data.Contents)
	data.Contents.Close()
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPut, s.srv.URL+r.URL.EscapedPath()+"?"+r.URL.RawQuery, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalError")
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		writeError(w, resp.StatusCode, "PartFailed")
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, "<CopyPartResult><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>%s</ETag></CopyPartResult>",
		strings.ReplaceAll(resp.Header.Get("ETag"), `"`, "&quot;"))
}

// serveCut answers a ranged GET from the backend, but sends only n bytes
// of the body before breaking the connection.
func (s *shim) serveCut(w http.ResponseWriter, r *http.Request, bucket, key string, n int64) {
	head, err := s.srv.Backend().HeadObject(bucket, key)
	if err != nil {
		writeError(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	head.Contents.Close()
	var first, last int64 = 0, head.Size - 1
	if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
		a, b, _ := strings.Cut(spec, "-")
		first, _ = strconv.ParseInt(a, 10, 64)
		if b != "" {
			last, _ = strconv.ParseInt(b, 10, 64)
		}
	}
	obj, err := s.srv.Backend().GetObject(bucket, key, &gofakes3.ObjectRangeRequest{Start: first, End: last})
	if err != nil {
		writeError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		return
	}
	defer obj.Contents.Close()
	w.Header().Set("ETag", `"`+hex.EncodeToString(head.Hash)+`"`)
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, head.Size))
	w.Header().Set("Content-Length", strconv.FormatInt(last-first+1, 10))
	w.WriteHeader(http.StatusPartialContent)
	io.CopyN(w, obj.Contents, min(n, last-first+1))
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler) // break the connection mid-body
}

// counting wraps an API and counts its calls by operation, and the
// goroutines they were made on.
type counting struct {
	API
	mu         sync.Mutex
	calls      map[string]int
	goroutines map[uint64]bool
	failPart   func(num int) error // UploadPart fault
}

func newCounting(api API) *counting {
	return &counting{API: api, calls: map[string]int{}, goroutines: map[uint64]bool{}}
}

func goroutineID() uint64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	id, _ := strconv.ParseUint(s[:strings.IndexByte(s, ' ')], 10, 64)
	return id
}

func (c *counting) note(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
	c.goroutines[goroutineID()] = true
}

func (c *counting) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[op]
}

func (c *counting) goroutineSet() map[uint64]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[uint64]bool, len(c.goroutines))
	for k := range c.goroutines {
		m[k] = true
	}
	return m
}

func (c *counting) PutObject(ctx context.Context, in *s3client.PutObjectInput) (*s3client.PutObjectOutput, error) {
	c.note("PutObject")
	return c.API.PutObject(ctx, in)
}

func (c *counting) CreateMultipartUpload(ctx context.Context, in *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error) {
	c.note("CreateMultipartUpload")
	return c.API.CreateMultipartUpload(ctx, in)
}

func (c *counting) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	c.note("UploadPart")
	if c.failPart != nil {
		if err := c.failPart(in.PartNumber); err != nil {
			return nil, err
		}
	}
	return c.API.UploadPart(ctx, in)
}

func (c *counting) CompleteMultipartUpload(ctx context.Context, in *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error) {
	c.note("CompleteMultipartUpload")
	return c.API.CompleteMultipartUpload(ctx, in)
}

func (c *counting) AbortMultipartUpload(ctx context.Context, in *s3client.AbortMultipartUploadInput) error {
	c.note("AbortMultipartUpload")
	return c.API.AbortMultipartUpload(ctx, in)
}

func (c *counting) ListParts(ctx context.Context, in *s3client.ListPartsInput) (*s3client.ListPartsOutput, error) {
	c.note("ListParts")
	return c.API.ListParts(ctx, in)
}

func (c *counting) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	c.note("HeadObject")
	return c.API.HeadObject(ctx, in)
}

func (c *counting) GetObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.GetObjectOutput, error) {
	c.note("GetObject")
	return c.API.GetObject(ctx, in)
}

func (c *counting) CopyObject(ctx context.Context, in *s3client.CopyObjectInput) (*s3client.CopyObjectOutput, error) {
	c.note("CopyObject")
	return c.API.CopyObject(ctx, in)
}

func (c *counting) UploadPartCopy(ctx context.Context, in *s3client.UploadPartCopyInput) (*s3client.UploadPartCopyOutput, error) {
	c.note("UploadPartCopy")
	return c.API.UploadPartCopy(ctx, in)
}

// progressSum is a Callback that adds up what it is told, checking that
// its calls never overlap.
type progressSum struct {
	total  atomic.Int64
	calls  atomic.Int64
	inside atomic.Int32
	bad    atomic.Bool
}

func (p *progressSum) callback() Callback {
	return func(n int64) {
		if p.inside.Add(1) != 1 {
			p.bad.Store(true)
		}
		p.total.Add(n)
		p.calls.Add(1)
		p.inside.Add(-1)
	}
}

// listUploads returns the multipart uploads in progress in the bucket.
func listUploads(t testing.TB, c *s3client.Client) []s3client.MultipartUpload {
	t.Helper()
	out, err := c.ListMultipartUploads(context.Background(), &s3client.ListMultipartUploadsInput{Bucket: testBucket})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	return out.Uploads
}

// tempFiles lists the download temporary files in dir.
func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".s3kit-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// sinkServer is a fake S3 that stores nothing: it drains request bodies,
// answers every upload, copy and delete call with made-up IDs, and serves
// one virtual object of size bytes (byte i is i mod 251) to HEAD and GET.
// It records the requests it gets (without bodies). It is the in-process
// sink of the benchmarks, the bandwidth test and the extra-args table.
type sinkServer struct {
	ts       *httptest.Server
	size     atomic.Int64
	received atomic.Int64 // body bytes read
	// onRead, if set, is told of every body read, for rate measurements.
	onRead func(n int)

	mu     sync.Mutex
	reqs   []recorded
	noRec  bool
	nextID int
}

const sinkETag = `"0123456789abcdef0123456789abcdef"`

var sinkPattern = func() []byte {
	b := make([]byte, 251*4096)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}()

func sinkBytes(off, n int64) []byte {
	b := make([]byte, 0, n)
	for int64(len(b)) < n {
		start := (off + int64(len(b))) % 251
		b = append(b, sinkPattern[start:start+min(n-int64(len(b)), int64(len(sinkPattern))-start)]...)
	}
	return b
}

func newSink(t testing.TB, size int64) *sinkServer {
	s := &sinkServer{}
	s.size.Store(size)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	return s
}

func (s *sinkServer) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

func (s *sinkServer) reset() {
	s.mu.Lock()
	s.reqs = nil
	s.mu.Unlock()
}

func (s *sinkServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if !s.noRec {
		s.reqs = append(s.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
	}
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			s.received.Add(int64(n))
			if s.onRead != nil {
				s.onRead(n)
			}
		}
		if err != nil {
			break
		}
	}
	q := r.URL.Query()
	size := s.size.Load()
	w.Header().Set("x-amz-request-id", strconv.Itoa(id))
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		fmt.Fprintf(w, "<InitiateMultipartUploadResult><UploadId>up%d</UploadId></InitiateMultipartUploadResult>", id)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		fmt.Fprintf(w, "<CompleteMultipartUploadResult><ETag>&quot;done-%d&quot;</ETag></CompleteMultipartUploadResult>", id)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "" && q.Has("uploadId"):
		fmt.Fprintf(w, "<CopyPartResult><ETag>&quot;p%d&quot;</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyPartResult>", id)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		fmt.Fprintf(w, "<CopyObjectResult><ETag>&quot;c%d&quot;</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>", id)
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", fmt.Sprintf(`"e%d"`, id))
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodHead:
		w.Header().Set("ETag", sinkETag)
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	case r.Method == http.MethodGet && q.Has("list-type"):
		fmt.Fprint(w, "<ListBucketResult></ListBucketResult>")
	case r.Method == http.MethodGet:
		var first, last int64 = 0, size - 1
		if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
			a, b, _ := strings.Cut(spec, "-")
			first, _ = strconv.ParseInt(a, 10, 64)
			if b != "" {
				last, _ = strconv.ParseInt(b, 10, 64)
			}
			last = min(last, size-1)
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, size))
		}
		w.Header().Set("ETag", sinkETag)
		w.Header().Set("Content-Length", strconv.FormatInt(last-first+1, 10))
		if r.Header.Get("Range") != "" {
			w.WriteHeader(http.StatusPartialContent)
		}
		for off := first; off <= last; {
			n := min(int64(len(sinkPattern)), last-off+1)
			start := off % 251
			n = min(n, int64(len(sinkPattern))-start)
			if _, err := w.Write(sinkPattern[start : start+n]); err != nil {
				return
			}
			off += n
		}
	default:
		writeError(w, http.StatusNotImplemented, "NotImplemented")
	}
}
