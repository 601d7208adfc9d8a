package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// Cancelling an upload midway aborts its multipart upload and leaves no
// goroutine behind, in every way of uploading.
func TestUploadCancel(t *testing.T) {
	e := newEnv(t)
	data := randBytes(4*testChunk, 20)
	src := writeFile(t, t.TempDir(), "src", data)
	ways := []struct {
		name string
		up   func(ctx context.Context, m *Manager, cb Callback) error
	}{
		{"UploadFile", func(ctx context.Context, m *Manager, cb Callback) error {
			_, err := m.UploadFile(ctx, src, testBucket, "cancel", cb)
			return err
		}},
		{"stream", func(ctx context.Context, m *Manager, cb Callback) error {
			_, err := m.Upload(ctx, onlyReader{bytes.NewReader(data)}, testBucket, "cancel", cb)
			return err
		}},
		{"NewWriter", func(ctx context.Context, m *Manager, cb Callback) error {
			w, err := m.NewWriter(ctx, testBucket, "cancel", cb)
			if err != nil {
				return err
			}
			_, werr := io.Copy(w, bytes.NewReader(data))
			cerr := w.Close()
			if werr == nil && cerr == nil {
				return errors.New("the writer succeeded")
			}
			return cerr
		}},
	}
	for _, threads := range []bool{true, false} {
		for _, way := range ways {
			t.Run(fmt.Sprintf("threads=%v/%s", threads, way.name), func(t *testing.T) {
				cfg := smallConfig()
				if !threads {
					cfg = noThreads(cfg)
				}
				api := newCounting(e.client)
				m := newManager(t, api, cfg)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var seen atomic.Int64
				cb := Callback(func(n int64) {
					if seen.Add(n) > testChunk+testChunk/2 {
						cancel()
					}
				})
				err := way.up(ctx, m, cb)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				var ue *multipart.UploadError
				if !errors.As(err, &ue) || !ue.Aborted || ue.UploadID == "" {
					t.Errorf("err = %v, want an aborted *multipart.UploadError", err)
				}
				if api.count("AbortMultipartUpload") != 1 {
					t.Errorf("%d aborts, want 1", api.count("AbortMultipartUpload"))
				}
				if ups := listUploads(t, e.client); len(ups) != 0 {
					t.Errorf("uploads left: %v", ups)
				}
				checkNoWorkers(t)
			})
		}
	}
}

// A Writer whose context ends is aborted even if Close is never called.
func TestNewWriterAbandoned(t *testing.T) {
	e := newEnv(t)
	for _, threads := range []bool{true, false} {
		t.Run(fmt.Sprint(threads), func(t *testing.T) {
			cfg := smallConfig()
			if !threads {
				cfg = noThreads(cfg)
			}
			m := newManager(t, e.client, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			w, err := m.NewWriter(ctx, testBucket, "abandoned")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(randBytes(testChunk+10, 21)); err != nil {
				t.Fatal(err)
			}
			if !threads {
				// The full part goes when the next byte comes.
				w.Write([]byte{1})
			}
			deadline := time.Now().Add(time.Minute) // patience for a hang, not a speed check
			for len(listUploads(t, e.client)) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if len(listUploads(t, e.client)) == 0 {
				t.Fatal("the upload never started")
			}
			cancel()
			for len(listUploads(t, e.client)) != 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if ups := listUploads(t, e.client); len(ups) != 0 {
				t.Errorf("upload not aborted: %v", ups)
			}
			// Its memory is back in the budget without a Close.
			for {
				m.memory.mu.Lock()
				used := m.memory.used
				m.memory.mu.Unlock()
				if used == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d bytes of the budget still held", used)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if _, err := w.Write([]byte("more")); !errors.Is(err, context.Canceled) {
				t.Errorf("Write after cancel = %v", err)
			}
			if err := w.Close(); !errors.Is(err, context.Canceled) {
				t.Errorf("Close after cancel = %v", err)
			}
			if w.Result() != nil {
				t.Errorf("Result after a failed Close")
			}
			checkNoWorkers(t)
		})
	}
}

// With NoThreads every request of an upload, a download and a copy (of
// files, streams and directories) is made on the caller's goroutine, and
// the manager and engine start no goroutine at all: the one engine with one
// worker.
func TestNoThreads(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	api := newCounting(newTestClient(t, sh.URL(), nil))
	cfg := smallConfig()
	cfg.MaxConcurrency = 20 // ignored
	m := newManager(t, api, noThreads(cfg))
	dir := t.TempDir()
	data := randBytes(2*testChunk+3, 22)
	src := writeFile(t, dir, "src", data)
	writeFile(t, dir, "tree/a", []byte("a"))
	writeFile(t, dir, "tree/b/c", []byte("c"))

	var spawned atomic.Int32
	cb := Callback(func(int64) {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if strings.Contains(string(buf), "created by github.com/s3kit/s3kit/transfer") ||
			strings.Contains(string(buf), "created by github.com/s3kit/s3kit/multipart") {
			spawned.Add(1)
		}
	})
	ctx := context.Background()
	steps := []func() error{
		func() error { _, err := m.UploadFile(ctx, src, testBucket, "f", cb); return err },
		func() error {
			_, err := m.Upload(ctx, onlyReader{bytes.NewReader(data)}, testBucket, "s", cb)
			return err
		},
		func() error {
			_, err := m.DownloadFile(ctx, testBucket, "f", filepath.Join(dir, "out"), cb)
			return err
		},
		func() error { _, err := m.Download(ctx, testBucket, "s", onlyWriter{io.Discard}, cb); return err },
		func() error {
			_, err := m.Copy(ctx, CopySource{Bucket: testBucket, Key: "f"}, testBucket, "c", cb)
			return err
		},
		func() error {
			_, err := m.UploadDirectory(ctx, filepath.Join(dir, "tree"), testBucket, "tree/", cb)
			return err
		},
		func() error {
			_, err := m.DownloadDirectory(ctx, testBucket, "tree/", filepath.Join(dir, "back"), cb)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	me := goroutineID()
	if g := api.goroutineSet(); len(g) != 1 || !g[me] {
		t.Errorf("requests made on goroutines %v, want only the caller's (%d)", g, me)
	}
	if spawned.Load() != 0 {
		t.Errorf("%d progress calls saw a goroutine started by transfer or multipart", spawned.Load())
	}
	for _, op := range []string{"UploadPart", "GetObject", "UploadPartCopy"} {
		if api.count(op) < 2 {
			t.Errorf("%s called %d times: the test did not cover a transfer in parts", op, api.count(op))
		}
	}
	if got := e.objectData(t, "c"); !bytes.Equal(got, data) {
		t.Errorf("serial multipart copy: %d bytes", len(got))
	}

	// NewWriter reads what is written on one goroutine of its own, which
	// sends every request, one part at a time.
	wapi := newCounting(newTestClient(t, sh.URL(), nil))
	w, err := newManager(t, wapi, noThreads(cfg)).NewWriter(ctx, testBucket, "w")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if g := wapi.goroutineSet(); len(g) != 1 || g[me] || wapi.count("UploadPart") != 3 {
		t.Errorf("NewWriter: requests on goroutines %v (caller %d), %d parts; want one goroutine, not the caller's, 3 parts",
			g, me, wapi.count("UploadPart"))
	}
	if got := e.objectData(t, "w"); !bytes.Equal(got, data) {
		t.Errorf("NewWriter without threads: %d bytes", len(got))
	}
}

// Ten uploads from pipes at once share one memory budget: they wait for
// their turn instead of each taking its own.
func TestMemoryBudgetShared(t *testing.T) {
	sink := newSink(t, 0)
	sink.noRec = true
	client := newTestClient(t, sink.ts.URL, nil)
	cfg := smallConfig()
	cfg.MemoryBudget = 2 * testChunk
	m := newManager(t, client, cfg)
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	var peak atomic.Uint64
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, pw := io.Pipe()
			go func() {
				_, err := io.Copy(pw, io.LimitReader(patternReader{}, testChunk+1))
				pw.CloseWithError(err)
			}()
			_, err := m.Upload(context.Background(), pr, testBucket, fmt.Sprint(i))
			errs <- err
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := sink.received.Load(), int64(10*(testChunk+1)); got < want {
		t.Errorf("sink received %d bytes, want at least %d", got, want)
	}
	m.memory.mu.Lock()
	used, bpeak, waits := m.memory.used, m.memory.peak, m.memory.waits
	m.memory.mu.Unlock()
	if used != 0 || bpeak > cfg.MemoryBudget || waits == 0 {
		t.Errorf("budget: used %d after, peak %d (budget %d), %d waits (want some)", used, bpeak, cfg.MemoryBudget, waits)
	}
	// Ten unshared uploads would hold ten budgets (100 MiB) at once.
	if grown := int64(peak.Load()) - int64(base.HeapInuse); grown > 5*cfg.MemoryBudget {
		t.Errorf("heap grew by %d MiB, budget %d MiB", grown>>20, cfg.MemoryBudget>>20)
	}
}

// patternReader is an endless stream of the sink's pattern.
type patternReader struct{}

func (patternReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}

// The Listener hears the start, every byte, each part and the end; the
// Callback only the bytes. Both are serialized.
func TestListener(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	m := newManager(t, newTestClient(t, sh.URL(), nil), smallConfig())
	data := randBytes(2*testChunk+1, 23)
	src := writeFile(t, t.TempDir(), "src", data)
	ctx := context.Background()
	for _, op := range []string{"upload", "download", "copy"} {
		t.Run(op, func(t *testing.T) {
			var events []Event
			var inside atomic.Int32
			l := Listener(func(ev Event) {
				if inside.Add(1) != 1 {
					t.Error("overlapping listener calls")
				}
				events = append(events, ev)
				inside.Add(-1)
			})
			var sum progressSum
			var err error
			switch op {
			case "upload":
				_, err = m.UploadFile(ctx, src, testBucket, "l", l, sum.callback())
			case "download":
				_, err = m.Download(ctx, testBucket, "l", onlyWriter{io.Discard}, l, sum.callback())
			case "copy":
				_, err = m.Copy(ctx, CopySource{Bucket: testBucket, Key: "l"}, testBucket, "l2", l, sum.callback())
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) < 3 || events[0].Type != TransferStarted || events[0].Total != int64(len(data)) ||
				events[len(events)-1].Type != TransferCompleted || events[len(events)-1].Done != int64(len(data)) {
				t.Fatalf("events start %+v, end %+v", events[0], events[len(events)-1])
			}
			var bytesSum int64
			parts := map[int]int64{}
			for _, ev := range events {
				switch ev.Type {
				case BytesTransferred:
					bytesSum += ev.Bytes
				case PartCompleted:
					parts[ev.Part] = ev.PartSize
				}
			}
			want := map[int]int64{1: testChunk, 2: testChunk, 3: 1}
			if bytesSum != int64(len(data)) || fmt.Sprint(parts) != fmt.Sprint(want) {
				t.Errorf("bytes %d, parts %v; want %d, %v", bytesSum, parts, len(data), want)
			}
			if sum.total.Load() != int64(len(data)) || sum.bad.Load() {
				t.Errorf("callback total %d, overlapping %v", sum.total.Load(), sum.bad.Load())
			}
		})
	}
	// A failure is the last event.
	var last Event
	_, err := m.DownloadFile(ctx, testBucket, "missing", filepath.Join(t.TempDir(), "x"), Listener(func(ev Event) { last = ev }))
	if err == nil || last.Type != TransferFailed || last.Err == nil {
		t.Errorf("failed download: err %v, last event %+v", err, last)
	}
}

// IfNoneMatch "*" refuses to overwrite an object (put-if-absent).
func TestConditionalWrite(t *testing.T) {
	e := newEnv(t)
	m := newManager(t, e.client, smallConfig())
	ctx := context.Background()
	if _, err := m.Upload(ctx, strings.NewReader("first"), testBucket, "once", UploadArgs{IfNoneMatch: "*"}); err != nil {
		t.Fatal(err)
	}
	_, err := m.Upload(ctx, strings.NewReader("second"), testBucket, "once", UploadArgs{IfNoneMatch: "*"})
	if !errors.Is(err, s3client.ErrPreconditionFailed) {
		t.Fatalf("second write: %v, want ErrPreconditionFailed", err)
	}
	if got := e.objectData(t, "once"); string(got) != "first" {
		t.Errorf("object is %q", got)
	}
}

// A file larger than the threshold but with UploadFile of an unreadable
// path, or a key S3 refuses, reports the path and the key.
func TestUploadErrors(t *testing.T) {
	e := newEnv(t)
	m := newManager(t, e.client, Config{})
	_, err := m.UploadFile(context.Background(), filepath.Join(t.TempDir(), "missing"), testBucket, "k")
	var te *Error
	if !errors.Is(err, os.ErrNotExist) || !errors.As(err, &te) || te.Op != "UploadFile" || te.Key != "k" {
		t.Errorf("err = %v", err)
	}
	_, err = m.Upload(context.Background(), strings.NewReader("x"), "no-such-bucket", "k")
	if !s3client.IsNotFound(err) {
		t.Errorf("missing bucket: %v", err)
	}
}

// A part sent again after a failed attempt takes its bytes back from the
// progress first: the Callback hears a negative amount, and the total
// ends at the object's size.
func TestProgressRetryTakesBack(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	var failed atomic.Bool
	sh.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") == "2" && !failed.Swap(true) {
			io.Copy(io.Discard, r.Body)
			writeError(w, http.StatusInternalServerError, "InternalError")
			return true
		}
		return false
	}
	m := newManager(t, newTestClient(t, sh.URL(), nil), smallConfig())
	data := randBytes(2*testChunk+1, 24)
	var negative atomic.Int64
	var sum progressSum
	cb := sum.callback()
	_, err := m.Upload(context.Background(), bytes.NewReader(data), testBucket, "retry", Callback(func(n int64) {
		if n < 0 {
			negative.Add(n)
		}
		cb(n)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !failed.Load() || negative.Load() != -testChunk || sum.total.Load() != int64(len(data)) {
		t.Errorf("failed once %v, taken back %d (want %d), total %d (want %d)", failed.Load(), negative.Load(), -testChunk, sum.total.Load(), len(data))
	}
	if !bytes.Equal(e.objectData(t, "retry"), data) {
		t.Error("object differs")
	}
}
