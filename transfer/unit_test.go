package transfer

// Tests of the pieces that need no server: Config, the CRC combination,
// the token bucket, the memory budget, the reorder queue, key safety and
// option parsing.

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

func TestConfigDefaults(t *testing.T) {
	m := newManager(t, &s3client.Client{}, Config{})
	c := m.Config()
	want := Config{MultipartThreshold: 8 << 20, MultipartChunkSize: 8 << 20, MaxConcurrency: 10,
		NumDownloadAttempts: 5, MaxIOQueue: 100, IOChunkSize: 256 << 10, MemoryBudget: DefaultMemoryBudget}
	if c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
	}
	if m.workers() != 10 || m.limiter != nil {
		t.Errorf("%d workers, limiter %v: want 10 and no cap", m.workers(), m.limiter)
	}
	m = newManager(t, &s3client.Client{}, Config{NoThreads: true, MaxBandwidth: 1000})
	if m.workers() != 1 || !m.Config().NoThreads || m.limiter == nil {
		t.Errorf("NoThreads not kept (%d workers), or MaxBandwidth ignored", m.workers())
	}
}

func TestConfigInvalid(t *testing.T) {
	realMinPartSize(t)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"negative threshold", Config{MultipartThreshold: -1}},
		{"negative chunk", Config{MultipartChunkSize: -1}},
		{"chunk below 5 MiB", Config{MultipartChunkSize: 5<<20 - 1}},
		{"chunk above 5 GiB", Config{MultipartChunkSize: 5<<30 + 1}},
		{"negative concurrency", Config{MaxConcurrency: -1}},
		{"negative attempts", Config{NumDownloadAttempts: -1}},
		{"negative io queue", Config{MaxIOQueue: -1}},
		{"negative io chunk", Config{IOChunkSize: -1}},
		{"io chunk above part", Config{IOChunkSize: 9 << 20}},
		{"negative bandwidth", Config{MaxBandwidth: -1}},
		{"negative budget", Config{MemoryBudget: -1}},
		{"budget below a part", Config{MemoryBudget: 1 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(&s3client.Client{}, tc.cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("New = %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := New(nil, Config{}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("New(nil) = %v", err)
	}
	if _, err := New(&s3client.Client{}, Config{MultipartChunkSize: 5 << 20}); err != nil {
		t.Errorf("5 MiB chunk refused: %v", err)
	}
}

// The token bucket lets rate×W + burst bytes through in W — no more, and
// no less when its callers are fast enough — on a clock of the test's own,
// so that the machine's speed decides nothing; and it gives back what a
// cancelled wait took.
func TestTokenBucket(t *testing.T) {
	const rate = 4 << 20
	b := newTokenBucket(rate)
	var mu sync.Mutex
	clock := time.Unix(1_700_000_000, 0)
	b.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	b.sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d) // one caller at a time: the wait is the time that passes
		return nil
	}
	b.last = clock
	start := b.now()
	var sent int64
	for b.now().Sub(start) < 5*time.Second {
		if err := b.WaitN(context.Background(), 64<<10); err != nil {
			t.Fatal(err)
		}
		sent += 64 << 10
	}
	elapsed := b.now().Sub(start).Seconds()
	// What passed is the burst plus the rate over the time waited, to
	// within the last read.
	want := rate*elapsed + b.burst
	if got := float64(sent); got > want+1 || got < want-64<<10 {
		t.Errorf("%d bytes passed in %.3f s, want %.0f (rate %d, burst %.0f)", sent, elapsed, want, rate, b.burst)
	}
	b = newTokenBucket(rate) // the real clock again, for what follows

	// A wait cut short by its context gives its bytes back.
	b = newTokenBucket(1 << 10) // burst 16 KiB
	b.WaitN(context.Background(), 16<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := b.WaitN(ctx, 1<<20); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitN = %v", err)
	}
	b.mu.Lock()
	tokens := b.tokens
	b.mu.Unlock()
	if tokens < -1024 {
		t.Errorf("cancelled wait kept its debt: tokens %.0f", tokens)
	}
}

func TestBudget(t *testing.T) {
	b := newBudget(100)
	ctx := context.Background()
	if n, _ := b.Acquire(ctx, 1000); n != 100 {
		t.Fatalf("oversized acquire took %d, want the whole budget", n)
	}
	// FIFO: a large waiter is not overtaken by a small one that fits.
	waiting := func(n int) {
		for {
			b.mu.Lock()
			l := b.waiters.Len()
			b.mu.Unlock()
			if l == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	big, small := make(chan struct{}), make(chan struct{})
	go func() { b.Acquire(ctx, 80); close(big) }()
	waiting(1)
	go func() { b.Acquire(ctx, 10); close(small) }()
	waiting(2)
	b.Release(15) // small fits, big does not
	select {
	case <-small:
		t.Error("a small request overtook a large one")
	case <-time.After(20 * time.Millisecond):
	}
	b.Release(85)
	<-big
	<-small // 90 of 100 used
	// Cancellation leaves the queue as if the waiter never came.
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() { _, err := b.Acquire(cctx, 50); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire = %v", err)
	}
	b.Release(90)
	if b.used != 0 {
		t.Errorf("used %d after giving everything back", b.used)
	}
	if n, err := b.Acquire(ctx, 100); n != 100 || err != nil {
		t.Errorf("budget not whole again: %d %v", n, err)
	}
}

func TestSafeJoin(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel string
		ok  bool
	}{
		{"a", true},
		{"a/b/c.txt", true},
		{"real/x", true},
		{"new/dir/x", true},
		{"..", false},
		{"../x", false},
		{"a/../../x", false},
		{"a/../b", false},
		{"/etc/passwd", false},
		{"link/x", false},
		{"link", false},
		{"", false},
	} {
		target, err := safeJoin(dir, tc.rel)
		if tc.ok != (err == nil) {
			t.Errorf("safeJoin(%q) = %q, %v; want ok %v", tc.rel, target, err, tc.ok)
		}
		if !tc.ok && !errors.Is(err, ErrUnsafeKey) {
			t.Errorf("safeJoin(%q) error %v does not wrap ErrUnsafeKey", tc.rel, err)
		}
	}
}

func TestOptions(t *testing.T) {
	var nilArgs *UploadArgs
	o := options([]UploadOption{nil, nilArgs, &UploadArgs{ObjectProperties: s3client.ObjectProperties{ACL: "private"}}, Callback(func(int64) {})}, UploadOption.uploadOption)
	if o.upload.ACL != "private" || o.callback == nil || o.download == nil || o.copy == nil || o.delete == nil {
		t.Fatalf("options = %+v", o)
	}
	// The last of a kind wins; a nil pointer leaves the one before.
	var nilCopy *CopyArgs
	o = options([]CopyOption{CopyArgs{ObjectProperties: s3client.ObjectProperties{ACL: "a"}}, nilCopy, SourceClient(&s3client.Client{}), CopyArgs{ObjectProperties: s3client.ObjectProperties{ACL: "b"}}}, CopyOption.copyOption)
	if o.copy.ACL != "b" || o.source == nil {
		t.Errorf("options = %+v", o)
	}
	o = options([]DownloadDirectoryOption{Filter(func(string) bool { return true }), DownloadArgs{VersionID: "v"}},
		DownloadDirectoryOption.downloadDirectoryOption)
	if o.filter == nil || o.download.VersionID != "v" {
		t.Errorf("options = %+v", o)
	}
}

// TestWrongOptionDoesNotCompile builds testdata/wrongoption, whose calls
// each give an operation an option of another kind: every one of them must
// be a compile error, found by the compiler rather than at run time.
func TestWrongOptionDoesNotCompile(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "build", "-o", os.DevNull, "-gcflags=-e", "./testdata/wrongoption").CombinedOutput()
	if err == nil {
		t.Fatal("testdata/wrongoption compiled: an option of the wrong kind was accepted")
	}
	for _, want := range []string{
		"CopyArgs does not implement transfer.UploadOption",
		"DownloadArgs does not implement transfer.UploadOption",
		"UploadArgs does not implement transfer.DeleteOption",
		"Filter does not implement transfer.CopyOption",
		"CopyOption does not implement transfer.DownloadOption",
		"Callback does not implement transfer.DeleteOption",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the build did not say %q:\n%s", want, out)
		}
	}
}

func TestWholeObjectChecksumArgs(t *testing.T) {
	// Two whole-object checksums, or one that contradicts the algorithm.
	for _, a := range []UploadArgs{
		{ChecksumCRC32: "a", ChecksumSHA1: "b"},
		{ChecksumAlgorithm: s3client.ChecksumSHA256, ChecksumCRC32C: "a"},
	} {
		if _, _, err := a.fullObject(); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if alg, _, err := (&UploadArgs{ChecksumAlgorithm: "crc32c", ChecksumCRC32C: "a"}).fullObject(); err != nil || alg != s3client.ChecksumCRC32C {
		t.Errorf("fullObject = %q, %v", alg, err)
	}
	var _ io.Writer = (*Writer)(nil)
}
