package transfer

// 1 GiB through the manager to and from an in-process sink (an HTTP
// server that drains uploads and serves a generated object), reporting
// MB/s (from SetBytes) and the peak heap in use during the transfer.
//
//	go test -run '^$' -bench 1GiB -benchtime 1x ./transfer/

import (
	"context"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

const benchSize = 1 << 30

// patternAt is a generated io.ReaderAt: an upload source that is not in
// memory, like a file in the page cache.
type patternAt struct{}

func (patternAt) ReadAt(p []byte, off int64) (int, error) {
	for n := 0; n < len(p); {
		start := (off + int64(n)) % 251
		n += copy(p[n:], sinkPattern[start:])
	}
	return len(p), nil
}

// heapPeak samples the heap in use until stop is called, and reports its
// peak above the starting point, in MiB.
func heapPeak(b *testing.B) (stop func()) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		grown := float64(int64(peak.Load())-int64(base.HeapInuse)) / (1 << 20)
		b.ReportMetric(max(grown, 0), "peak-heap-MiB")
	}
}

func benchManager(b *testing.B, size int64) (*Manager, *sinkServer) {
	sink := newSink(b, size)
	sink.noRec = true
	m := newManager(b, newTestClient(b, sink.ts.URL, nil), Config{})
	return m, sink
}

// A 1 GiB source of known size (read in place, as a file is), in 8 MiB
// parts on 10 workers.
func BenchmarkUpload1GiB(b *testing.B) {
	m, _ := benchManager(b, 0)
	b.SetBytes(benchSize)
	stop := heapPeak(b)
	b.ResetTimer()
	for range b.N {
		if _, err := m.Upload(context.Background(), io.NewSectionReader(patternAt{}, 0, benchSize), testBucket, "big"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stop()
}

// A 1 GiB stream of unknown length, through the memory budget.
func BenchmarkUpload1GiBStream(b *testing.B) {
	m, _ := benchManager(b, 0)
	b.SetBytes(benchSize)
	stop := heapPeak(b)
	b.ResetTimer()
	for range b.N {
		r := io.LimitReader(onlyReader{io.NewSectionReader(patternAt{}, 0, benchSize)}, benchSize)
		if _, err := m.Upload(context.Background(), onlyReader{r}, testBucket, "big"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stop()
}

// discardAt is an io.WriterAt that drops what it gets.
type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// A 1 GiB download at offsets (as into a file), 8 MiB ranges on 10 workers.
func BenchmarkDownload1GiB(b *testing.B) {
	m, _ := benchManager(b, benchSize)
	b.SetBytes(benchSize)
	stop := heapPeak(b)
	b.ResetTimer()
	for range b.N {
		if _, err := m.DownloadAt(context.Background(), testBucket, "big", discardAt{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stop()
}

// A 1 GiB download in order, through the reorder queue.
func BenchmarkDownload1GiBOrdered(b *testing.B) {
	m, _ := benchManager(b, benchSize)
	b.SetBytes(benchSize)
	stop := heapPeak(b)
	b.ResetTimer()
	for range b.N {
		if _, err := m.Download(context.Background(), testBucket, "big", onlyWriter{io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stop()
}
