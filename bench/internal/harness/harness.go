// Package harness is the child side of the benchmark: the main function of
// every client program (cmd/client-*), which the runner (cmd/compare)
// starts once per measured run, so that the CPU time and peak RSS the
// kernel reports for the process are one client's alone.
//
// A child parses its flags, builds the client named by -client, runs one
// operation against the sink, and prints one JSON Result line. Its wall time
// covers the operation only; its CPU time and RSS, taken by the runner from
// the process's rusage, cover everything, start-up included.
package harness

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/bench/internal/pattern"
)

// Credentials every client signs with; the sink accepts any.
const (
	AccessKeyID     = "AKIDBENCHMARK0000000"
	SecretAccessKey = "benchmark/secret/key/0000000000000000000"
	Region          = "us-east-1"
)

// Config is what a client is built with.
type Config struct {
	// Endpoint is the sink's URL, "http://127.0.0.1:PORT" or https.
	Endpoint string
	// Concurrency and PartSize tune a transfer; 0 means the client's own
	// default, which is the point of the "defaults" runs.
	Concurrency int
	PartSize    int64
	// Variant selects a documented option of a client (for instance
	// minio-go's ConcurrentStreamParts); "" is the plain client.
	Variant string
}

// Client is one library's way of doing each benchmark operation. An
// operation a client cannot do returns errors.ErrUnsupported.
type Client interface {
	// Upload uploads the file at path, of size bytes, as bucket/key.
	Upload(ctx context.Context, bucket, key, path string, size int64) error
	// Download downloads bucket/key, of size bytes, into a new file at path.
	Download(ctx context.Context, bucket, key, path string, size int64) error
	// DownloadTo writes bucket/key, of size bytes, to w in order. w is a
	// plain io.Writer (no WriterAt, no ReaderFrom): what a program that
	// streams an object to a pipe, a hash or an encoder hands a library.
	DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error
	// UploadStream uploads r, of unknown length, as bucket/key.
	UploadStream(ctx context.Context, bucket, key string, r io.Reader) error
	// Put uploads body as bucket/key with one request.
	Put(ctx context.Context, bucket, key string, body []byte) error
	// Get reads bucket/key with one request into buf and returns its
	// length.
	Get(ctx context.Context, bucket, key string, buf []byte) (int, error)
}

// ProcessClient is a Client that does its work in processes of its own (a
// command line): ChildPeakRSSKiB is the highest peak RSS of those, which
// the result reports if higher than the Client's own. Their CPU time needs
// nothing: the runner's rusage of the child includes the processes it
// waited for.
type ProcessClient interface {
	Client
	ChildPeakRSSKiB() int64
}

// Factory builds a Client.
type Factory func(Config) (Client, error)

// Result is the line a child prints.
type Result struct {
	Client string  `json:"client"`
	Op     string  `json:"op"`
	Bytes  int64   `json:"bytes,omitempty"`
	Secs   float64 `json:"seconds"`
	// Small-object runs: each phase's wall time and allocations per
	// request (runtime.MemStats.Mallocs over the phase, divided by count).
	PutSecs    float64 `json:"put_seconds,omitempty"`
	GetSecs    float64 `json:"get_seconds,omitempty"`
	PutAllocs  float64 `json:"put_allocs,omitempty"`
	GetAllocs  float64 `json:"get_allocs,omitempty"`
	PutBytesOp float64 `json:"put_bytes_per_op,omitempty"`
	GetBytesOp float64 `json:"get_bytes_per_op,omitempty"`
	Count      int     `json:"count,omitempty"`
	Verified   bool    `json:"verified,omitempty"`
	// PeakRSSKiB is the process's VmHWM after the operation: its peak
	// resident set. (The rusage maxrss a parent reads is no use here: Go
	// starts children with vfork semantics, and Linux folds the parent's
	// high-water mark into the child's at exec.)
	PeakRSSKiB  int64  `json:"peak_rss_kib,omitempty"`
	ErrorString string `json:"error,omitempty"`
}

// Main runs the child program whose clients are given by name, and exits.
func Main(clients map[string]Factory) {
	var (
		name       = flag.String("client", "", "client to run: "+names(clients))
		op         = flag.String("op", "upload", "upload, download, download-writer (into -writer, in order), stream (stdin, unknown length) or small")
		writer     = flag.String("writer", "discard", "download-writer: discard (io.Discard) or pipe (file descriptor 3, drained by the parent)")
		endpoint   = flag.String("endpoint", "", "sink URL")
		bucket     = flag.String("bucket", "bench", "bucket")
		key        = flag.String("key", "", "object key (small: key prefix)")
		file       = flag.String("file", "", "file to upload or download into")
		size       = flag.Int64("size", 0, "object size in bytes (upload, download)")
		conc       = flag.Int("concurrency", 0, "parts in flight; 0 means the client's default")
		partSize   = flag.Int64("partsize", 0, "part size in bytes; 0 means the client's default")
		variant    = flag.String("variant", "", "client variant")
		verify     = flag.Bool("verify", false, "check the downloaded bytes (not timed)")
		workers    = flag.Int("workers", 1, "small: concurrent requests")
		count      = flag.Int("count", 2000, "small: PUTs, then as many GETs")
		objSize    = flag.Int("objsize", 4<<10, "small: object size")
		cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of the operation to this file")
		memProfile = flag.String("memprofile", "", "write an allocation profile (every allocation sampled) to this file at exit")
		traceFile  = flag.String("trace", "", "write an execution trace of the operation to this file (off-CPU time: syscalls, blocking)")
	)
	flag.Parse()
	if *memProfile != "" {
		// Every allocation, so that allocations per request can be read
		// off the profile; it slows the run, which is then not a measure.
		runtime.MemProfileRate = 1
		defer writeAllocs(*memProfile)
	}
	res := Result{Client: *name, Op: *op}
	err := run(clients, &res, *name, *op, Config{Endpoint: *endpoint, Concurrency: *conc, PartSize: *partSize, Variant: *variant},
		*bucket, *key, *file, *writer, *size, *verify, *workers, *count, *objSize, *cpuProfile, *traceFile)
	if err != nil {
		res.ErrorString = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(&res)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", *name, *op, err)
		if *memProfile != "" {
			writeAllocs(*memProfile)
		}
		os.Exit(1)
	}
}

func writeAllocs(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprofile:", err)
	}
}

func names(m map[string]Factory) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func run(clients map[string]Factory, res *Result, name, op string, cfg Config, bucket, key, file, writer string, size int64,
	verify bool, workers, count, objSize int, cpuProfile, traceFile string) error {
	factory := clients[name]
	if factory == nil {
		return fmt.Errorf("unknown client %q (have %s)", name, names(clients))
	}
	c, err := factory(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	stopProfile := func() {}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	}
	defer stopProfile()
	stopTrace := func() {}
	if traceFile != "" {
		f, err := os.Create(traceFile)
		if err != nil {
			return err
		}
		if err := trace.Start(f); err != nil {
			return err
		}
		stopTrace = func() { trace.Stop(); f.Close() }
	}
	defer stopTrace()
	var out *countingWriter
	if op == "download-writer" {
		if out, err = openWriter(writer, verify); err != nil {
			return err
		}
		defer out.close()
	}
	start := time.Now()
	switch op {
	case "upload":
		err = c.Upload(ctx, bucket, key, file, size)
		res.Bytes = size
	case "download":
		err = c.Download(ctx, bucket, key, file, size)
		res.Bytes = size
	case "download-writer":
		err = c.DownloadTo(ctx, bucket, key, out, size)
		res.Bytes = out.n
	case "stream":
		n := &countingReader{r: os.Stdin}
		// A plain io.Reader: *os.File's Seek and ReadAt would fail on a
		// pipe, and a client should not be judged by how it probes them.
		err = c.UploadStream(ctx, bucket, key, n)
		res.Bytes = n.n
	case "small":
		return small(ctx, c, res, bucket, key, workers, count, objSize, verify)
	default:
		return fmt.Errorf("unknown op %q", op)
	}
	res.Secs = time.Since(start).Seconds()
	stopProfile()
	stopTrace()
	res.PeakRSSKiB = peakRSS()
	if p, ok := c.(ProcessClient); ok {
		res.PeakRSSKiB = max(res.PeakRSSKiB, p.ChildPeakRSSKiB())
	}
	if err != nil {
		return err
	}
	if verify && op == "download" {
		if err := pattern.CheckFile(file, size); err != nil {
			return err
		}
		res.Verified = true
	}
	if op == "download-writer" {
		if out.n != size {
			return fmt.Errorf("%d bytes written to the %s writer, want %d", out.n, writer, size)
		}
		if out.check != nil {
			if out.check.Bad {
				return errors.New("the bytes written differ from the pattern")
			}
			res.Verified = true
		}
	}
	return nil
}

// countingWriter is the writer of download-writer: it counts, hides what
// its destination implements besides Write, and, when verifying, checks
// the bytes (of io.Discard; the parent checks what goes down a pipe).
type countingWriter struct {
	w     io.Writer
	f     *os.File // the pipe, if w is one
	n     int64
	check *pattern.Checker
	close func() error
}

// PipeWriter is what the writer of download-writer offers a ProcessClient
// that hands its process the pipe itself (a command line writing to its
// standard output) instead of writing to it: File is the pipe (nil for
// io.Discard), and Wrote counts n bytes that went down it. The runner checks
// what comes out of the pipe either way.
type PipeWriter interface {
	io.Writer
	File() *os.File
	Wrote(n int64)
}

func (c *countingWriter) File() *os.File { return c.f }
func (c *countingWriter) Wrote(n int64)  { c.n += n }

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if c.check != nil {
		c.check.Write(p[:n])
	}
	return n, err
}

func openWriter(kind string, verify bool) (*countingWriter, error) {
	c := &countingWriter{w: io.Discard, close: func() error { return nil }}
	switch kind {
	case "discard":
		if verify {
			c.check = new(pattern.Checker)
		}
	case "pipe":
		f := os.NewFile(3, "pipe")
		if f == nil {
			return nil, errors.New("-writer pipe: no file descriptor 3")
		}
		c.w, c.f, c.close = f, f, f.Close
	default:
		return nil, fmt.Errorf("unknown -writer %q (discard, pipe)", kind)
	}
	return c, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// small runs count PUTs of objSize bytes, then count GETs of the same keys,
// on workers goroutines, after one unmeasured request per worker (so that
// connections are open, as in a long-running program).
func small(ctx context.Context, c Client, res *Result, bucket, prefix string, workers, count, objSize int, verify bool) error {
	if workers < 1 || count < workers {
		return errors.New("small: need 1 <= workers <= count")
	}
	body := make([]byte, objSize)
	pattern.WriteTo(&fill{b: body}, 0, int64(objSize))
	keys := make([]string, count)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s/%06d", prefix, i)
	}
	bufs := make([][]byte, workers)
	for i := range bufs {
		bufs[i] = make([]byte, objSize+1)
	}
	phase := func(fn func(w, i int) error) (time.Duration, runtime.MemStats, error) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < count; i += workers {
					if err := fn(w, i); err != nil {
						errs[w] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		after.Mallocs -= before.Mallocs
		after.TotalAlloc -= before.TotalAlloc
		return d, after, errors.Join(errs...)
	}
	// Warm-up: open the connections.
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = c.Put(ctx, bucket, fmt.Sprintf("%s/warm%d", prefix, w), body)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d, ms, err := phase(func(_, i int) error { return c.Put(ctx, bucket, keys[i], body) })
	if err != nil {
		return err
	}
	res.PutSecs, res.PutAllocs, res.PutBytesOp = d.Seconds(), float64(ms.Mallocs)/float64(count), float64(ms.TotalAlloc)/float64(count)
	d, ms, err = phase(func(w, i int) error {
		n, err := c.Get(ctx, bucket, keys[i], bufs[w])
		if err != nil {
			return err
		}
		if n != objSize {
			return fmt.Errorf("GET %s: %d bytes, want %d", keys[i], n, objSize)
		}
		if verify && !pattern.Equal(bufs[w][:n], 0) {
			return fmt.Errorf("GET %s: bytes differ from the pattern", keys[i])
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.GetSecs, res.GetAllocs, res.GetBytesOp = d.Seconds(), float64(ms.Mallocs)/float64(count), float64(ms.TotalAlloc)/float64(count)
	res.Count = count
	res.Secs = res.PutSecs + res.GetSecs
	res.PeakRSSKiB = peakRSS()
	res.Verified = verify
	return nil
}

type fill struct {
	b []byte
	n int
}

func (f *fill) Write(p []byte) (int, error) {
	f.n += copy(f.b[f.n:], p)
	return len(p), nil
}

// ReadFull reads r into buf and returns the length of the body: an error if
// it is longer than buf. Clients' Get methods share it, so that every client
// reads a body the same way.
func ReadFull(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return n, nil
	case nil:
		return n, errors.New("body longer than expected")
	}
	return n, err
}

// peakRSS returns VmHWM from /proc/self/status, in KiB, or 0 where there is
// none.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
