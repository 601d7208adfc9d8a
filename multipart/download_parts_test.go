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
	"math/rand/v2"
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
// never lends more than its buffers, and does not deadlock with one.
func TestReorder(t *testing.T) {
	for _, bufs := range []int{1, 2, 5} {
		t.Run(fmt.Sprint(bufs), func(t *testing.T) {
			const chunk, size = 100, 10_000 + 37
			data := randBytes(size, 11)
			q := newReorder(chunk, bufs, 0)
			var lent, peak atomic.Int32
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
							if l := lent.Add(1); l > peak.Load() {
								peak.Store(l)
							}
							copy(buf, data[off:off+n])
							if r.IntN(4) == 0 {
								time.Sleep(time.Microsecond)
							}
							lent.Add(-1)
							q.put(off, buf)
							off += n
						}
					}
				}()
			}
			var out bytes.Buffer
			if err := q.drain(ctx, &out, size, nil); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatal("bytes out of order")
			}
			if q.inUse != 0 || len(q.free) > bufs {
				t.Errorf("inUse %d, %d free buffers (max %d)", q.inUse, len(q.free), bufs)
			}
		})
	}
	// A failing writer ends the drain with its error.
	q := newReorder(10, 2, 0)
	buf, _ := q.admit(context.Background(), 0, 10)
	q.put(0, buf)
	if err := q.drain(context.Background(), errWriter{}, 20, nil); err == nil || err.Error() != "full" {
		t.Errorf("drain = %v", err)
	}
}

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
