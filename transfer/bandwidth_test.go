package transfer

// MaxBandwidth, measured where the bytes arrive: at a local server for an
// upload, at the writer for a download. Each takes about 2.7 seconds;
// they run in parallel with each other.

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"
)

const (
	// testRate is the cap, in bytes per second: 2 MB/s with 5 MiB parts
	// (a fifth under the race detector, with its 1 MiB parts).
	testRate = 2_000_000 * testChunk / (5 * mib)
	// About 2.7 s at testRate, in two parts or ranges, one part and a
	// twentieth, sent by two workers at once.
	rateSize = testChunk + testChunk/20
)

// arrivals records when bytes arrive. Its clock starts when the transfer
// starts (start), not at the first arrival: bytes arrive in chunks (a
// part's first read, a range's first write), and a first chunk counted
// without the time it took would make the rate look higher than it was.
type arrivals struct {
	mu          sync.Mutex
	first, last time.Time
	total       int64
}

// start starts the clock, before the transfer.
func (a *arrivals) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.first = time.Now()
}

func (a *arrivals) add(n int) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last = now
	a.total += int64(n)
}

// check reports the rate from the start to the last byte.
func (a *arrivals) check(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.last.Sub(a.first).Seconds()
	rate := float64(a.total) / d
	t.Logf("%d bytes in %.2f s: %.0f B/s (cap %d)", a.total, d, rate, testRate)
	// The cap is what is checked here: at most 10 % over. Below it is the
	// machine's speed, not the limiter's; that the limiter lets the whole
	// rate through is TestTokenBucket's, on a clock of its own.
	if a.total < rateSize || rate > testRate*1.10 {
		t.Errorf("%d bytes at %.0f B/s over %.2f s: more than 10%% over the cap %d", a.total, rate, d, testRate)
	}
}

func TestMaxBandwidthUpload(t *testing.T) {
	t.Parallel()
	sink := newSink(t, 0)
	var a arrivals
	sink.onRead = a.add
	cfg := smallConfig()
	cfg.MaxBandwidth = testRate
	m := newManager(t, newTestClient(t, sink.ts.URL, nil), cfg)
	a.start()
	res, err := m.Upload(context.Background(), bytes.NewReader(make([]byte, rateSize)), testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts != 2 {
		t.Fatalf("%d parts, want 2 sent at once", res.Parts)
	}
	a.check(t)
}

// timedWriter records when bytes are written to it.
type timedWriter struct{ a *arrivals }

func (w timedWriter) WriteAt(p []byte, _ int64) (int, error) {
	w.a.add(len(p))
	return len(p), nil
}

func TestMaxBandwidthDownload(t *testing.T) {
	t.Parallel()
	sink := newSink(t, rateSize)
	cfg := smallConfig()
	cfg.MaxBandwidth = testRate
	m := newManager(t, newTestClient(t, sink.ts.URL, nil), cfg)
	var a arrivals
	a.start()
	res, err := m.DownloadAt(context.Background(), testBucket, "k", timedWriter{&a})
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts != 2 {
		t.Fatalf("%d ranges, want 2 fetched at once", res.Parts)
	}
	a.check(t)
}

var _ io.WriterAt = timedWriter{}
