package multipart

// The download engine's parts: combining range CRCs, the whole-object
// checksum, the reorder queue and the range count (moved here from package
// transfer with the engine).

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

// randBytes returns n reproducible pseudo-random bytes.
func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCRCCombine(t *testing.T) {
	data := randBytes(100_000, 9)
	for _, alg := range []s3client.ChecksumAlgorithm{s3client.ChecksumCRC32, s3client.ChecksumCRC32C, s3client.ChecksumCRC64NVME} {
		w := want{alg: alg}
		whole := w.newHash()
		whole.Write(data)
		r := rand.New(rand.NewPCG(1, 2))
		for trial := 0; trial < 20; trial++ {
			// Random cuts, including empty ranges.
			var crcs []uint64
			var lens []int64
			for off := 0; off < len(data); {
				n := min(r.IntN(30_000), len(data)-off)
				h := w.newHash()
				h.Write(data[off : off+n])
				crcs, lens = append(crcs, sumOf(h)), append(lens, int64(n))
				off += n
			}
			if got, want := w.combine(crcs, lens), sumOf(whole); got != want {
				t.Fatalf("%s trial %d: combined %x, want %x", alg, trial, got, want)
			}
		}
		if got := w.encodeCRC(sumOf(whole)); got != encodeHash(whole) {
			t.Errorf("%s: encodeCRC %s, hash gives %s", alg, got, encodeHash(whole))
		}
	}
}

func encodeHash(h interface{ Sum([]byte) []byte }) string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestFullObjectChecksum(t *testing.T) {
	for _, tc := range []struct {
		c    s3client.Checksums
		want s3client.ChecksumAlgorithm
	}{
		{s3client.Checksums{}, ""},
		{s3client.Checksums{CRC32C: "abc=", Type: "COMPOSITE"}, ""},
		{s3client.Checksums{CRC32C: "abc=-3"}, ""},
		{s3client.Checksums{CRC32C: "abc=", Type: "FULL_OBJECT"}, s3client.ChecksumCRC32C},
		{s3client.Checksums{SHA256: "x=", CRC64NVME: "y="}, s3client.ChecksumCRC64NVME},
		{s3client.Checksums{SHA1: "x="}, s3client.ChecksumSHA1},
	} {
		w, ok := fullObjectChecksum(&tc.c)
		if ok != (tc.want != "") || w.alg != tc.want {
			t.Errorf("%+v: got %q %v, want %q", tc.c, w.alg, ok, tc.want)
		}
	}
}

// The reorder queue writes chunks in order whatever order they come in,
// lends only space within its window, writes no more than a quarter of
// its ring (plus the last chunk taken) at once, and does not deadlock with
// a ring of one chunk or less.
func TestReorder(t *testing.T) {
	for _, ring := range []int64{60, 100, 200, 500, 1000} {
		t.Run(fmt.Sprint(ring), func(t *testing.T) {
			const chunk, size = 100, 10_000 + 37
			data := randBytes(size, 11)
			q := newReorder(ring, 0)
			var next atomic.Int64
			ctx := context.Background()
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 0))
					// Ranges of 7 chunks, taken in order, read in
					// uneven pieces.
					for {
						start := (next.Add(1) - 1) * 7 * chunk
						if start >= size {
							return
						}
						end := min(start+7*chunk, size)
						for off := start; off < end; {
							n := min(int64(1+r.IntN(chunk)), end-off)
							buf, err := q.admit(ctx, off, n)
							if err != nil {
								t.Error(err)
								return
							}
							q.mu.Lock()
							inWindow := off >= q.next && off+int64(len(buf)) <= q.next+ring
							q.mu.Unlock()
							if len(buf) == 0 || int64(len(buf)) > n || !inWindow {
								t.Errorf("admit(%d, %d) lent %d bytes, window from %d", off, n, len(buf), q.next)
								return
							}
							copy(buf, data[off:])
							if r.IntN(4) == 0 {
								time.Sleep(time.Microsecond)
							}
							q.put(off, buf)
							off += int64(len(buf))
						}
					}
				}()
			}
			out := &recordWriter{}
			if err := q.drain(ctx, out, size, nil); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatal("bytes out of order")
			}
			for _, n := range out.writes {
				if int64(n) >= max(ring/4, 1)+chunk {
					t.Fatalf("a write of %d bytes from a ring of %d", n, ring)
				}
			}
			if len(q.filled) != 0 {
				t.Errorf("%d pieces left in the queue", len(q.filled))
			}
		})
	}
}

// A writer slower than the workers gets what they committed meanwhile in
// one write, up to a quarter of the ring, and never across its end.
func TestReorderCoalesces(t *testing.T) {
	ctx := context.Background()
	q := newReorder(1000, 900)
	for _, p := range [][2]int64{{900, 50}, {950, 50}, {1000, 100}, {1100, 100}, {1200, 100}, {1300, 100}, {1400, 100}} {
		buf, err := q.admit(ctx, p[0], p[1])
		if err != nil || int64(len(buf)) != p[1] {
			t.Fatalf("admit(%d, %d) = %d bytes, %v", p[0], p[1], len(buf), err)
		}
		for i := range buf {
			buf[i] = byte(p[0] + int64(i))
		}
		q.put(p[0], buf)
	}
	out := &recordWriter{}
	if err := q.drain(ctx, out, 1500, nil); err != nil {
		t.Fatal(err)
	}
	// 900-999 end the ring; 1000-1299 reach a quarter of it (250) with
	// the piece that crosses it; 1300-1499 is the rest.
	if want := []int{100, 300, 200}; !slices.Equal(out.writes, want) {
		t.Errorf("writes %v, want %v", out.writes, want)
	}
	for i, b := range out.Bytes() {
		if b != byte(900+i) {
			t.Fatalf("byte %d is %d", 900+i, b)
		}
	}
	// Space past the ring's end is lent from its start, at most to the
	// end of the window.
	buf, err := q.admit(ctx, 1950, 100)
	if err != nil || len(buf) != 50 {
		t.Fatalf("admit across the ring's end: %d bytes, %v", len(buf), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := q.admit(cctx, 2450, 100); err != context.Canceled {
		t.Errorf("admit beyond the window, canceled: %v", err)
	}
	// A failing writer ends the drain with its error.
	q = newReorder(10, 0)
	buf, _ = q.admit(ctx, 0, 10)
	q.put(0, buf)
	if err := q.drain(ctx, errWriter{}, 20, nil); err == nil || err.Error() != "full" {
		t.Errorf("drain = %v", err)
	}
}

// The in-order queue is QueueSize × ReadSize bytes, within the object's
// size and what one slice holds, whatever the knobs say.
func TestQueueBytes(t *testing.T) {
	for _, tc := range []struct {
		queue      int
		read, size int64
		want       int64
	}{
		{100, 256 << 10, 1 << 30, 25 << 20},
		{100, 256 << 10, 3 << 20, 3 << 20},
		{1, 5 << 30, math.MaxInt64, min(5<<30, math.MaxInt)},
		{math.MaxInt, 5 << 30, math.MaxInt64, math.MaxInt},
		{math.MaxInt, 1, 7, 7},
	} {
		if got := queueBytes(tc.queue, tc.read, tc.size); got != tc.want {
			t.Errorf("queueBytes(%d, %d, %d) = %d, want %d", tc.queue, tc.read, tc.size, got, tc.want)
		}
	}
}

// recordWriter keeps what it was given and the size of each write.
type recordWriter struct {
	bytes.Buffer
	writes []int
}

func (w *recordWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return w.Buffer.Write(p)
}

// directSink writes a read of more than a TLS record as it came, and
// gathers smaller ones to half its buffer or the body's end.
func TestDirectSinkGathers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		piece, body int
		want        []int
	}{
		{"records", 4 << 10, 300 << 10, []int{128 << 10, 128 << 10, 44 << 10}},
		{"one record each", 16 << 10, 64 << 10, []int{64 << 10}},
		{"large reads", 20 << 10, 50 << 10, []int{20 << 10, 20 << 10, 10 << 10}},
		{"a read larger than half", 200 << 10, 300 << 10, []int{200 << 10, 100 << 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &directSink{buf: make([]byte, 256<<10)}
			body := &pieceReader{r: bytes.NewReader(make([]byte, tc.body)), piece: tc.piece}
			var got []int
			for left := int64(tc.body); left > 0; {
				buf, _ := s.buffer(context.Background(), 0, min(left, int64(len(s.buf))))
				n, err := s.read(body, buf)
				if err != nil || n == 0 {
					t.Fatalf("read: %d, %v", n, err)
				}
				got = append(got, n)
				left -= int64(n)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("writes %v, want %v", got, tc.want)
			}
		})
	}
}

// pieceReader gives at most piece bytes a read, as a socket or a TLS
// connection does.
type pieceReader struct {
	r     io.Reader
	piece int
}

func (p *pieceReader) Read(b []byte) (int, error) { return p.r.Read(b[:min(len(b), p.piece)]) }

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("full") }

// crcJoin combines ranges finishing in any order, and holds only those
// beyond a missing one.
func TestCRCJoin(t *testing.T) {
	data := randBytes(50_000, 12)
	w := want{alg: s3client.ChecksumCRC32}
	const chunk = 1000
	n := len(data) / chunk
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 10 {
		c := newCRCJoin(w)
		order := r.Perm(n)
		maxPending := 0
		for _, i := range order {
			c.add(i, uint64(crc32.ChecksumIEEE(data[i*chunk:(i+1)*chunk])), chunk)
			maxPending = max(maxPending, len(c.pending))
			if _, ok := c.sum(n); ok != (len(c.pending) == 0 && c.next == n) {
				t.Fatalf("trial %d: sum ok %v with %d pending", trial, ok, len(c.pending))
			}
		}
		got, ok := c.sum(n)
		if !ok || got != uint64(crc32.ChecksumIEEE(data)) || len(c.pending) != 0 {
			t.Fatalf("trial %d: %x, %v, %d pending; want %x", trial, got, ok, len(c.pending), crc32.ChecksumIEEE(data))
		}
		if maxPending >= n {
			t.Errorf("trial %d: %d ranges pending at once of %d", trial, maxPending, n)
		}
	}
	// In order, nothing waits.
	c := newCRCJoin(w)
	for i := range n {
		c.add(i, uint64(crc32.ChecksumIEEE(data[i*chunk:(i+1)*chunk])), chunk)
		if len(c.pending) != 0 {
			t.Fatalf("range %d in order left %d pending", i, len(c.pending))
		}
	}
	// A range that will never come (resumed from a file) stops the join.
	c = newCRCJoin(w)
	c.add(1, 0, chunk)
	c.stop()
	c.add(0, 0, chunk)
	if _, ok := c.sum(2); ok || c.pending != nil {
		t.Errorf("a stopped join gives a sum, or holds %d ranges", len(c.pending))
	}
}

func TestRangeCount(t *testing.T) {
	for _, tc := range []struct {
		size, chunk int64
		want        int
	}{
		{0, 8, 0},
		{1, 8, 1},
		{8, 8, 1},
		{9, 8, 2},
		{MaxDownloadSize, 5 << 20, 1 << 20},
		{MaxDownloadSize, 4 << 10, 5 << 28},
	} {
		if got, err := rangeCount(tc.size, tc.chunk); err != nil || got != tc.want {
			t.Errorf("rangeCount(%d, %d) = %d, %v; want %d", tc.size, tc.chunk, got, err, tc.want)
		}
	}
	for _, chunk := range []int64{0, -1} {
		if _, err := rangeCount(10, chunk); err == nil {
			t.Errorf("rangeCount(10, %d) succeeded", chunk)
		}
	}
}
