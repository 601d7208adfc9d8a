package multipart

// Benchmarks of a 1 GiB upload, from a file-like io.ReaderAt (a
// deterministic pattern, not a real file) and from a pipe, into two sinks
// that discard the bytes: the in-memory fake (the engine alone) and an
// httptest server behind a real *s3client.Client (engine, client and
// loopback HTTP). Each reports MB/s and the peak heap during the upload,
// sampled from runtime/metrics, and fails if the peak breaks the issue's
// targets: under 16 MiB from a file whatever the part size, and within
// min((Concurrency+1) × PartSize, MemoryBudget) + 16 MiB from a pipe.
//
//	go test -run '^$' -bench Upload -benchtime 3x ./multipart/

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

const benchSize = 1 << 30

// heapSampler records the peak of live heap objects while it runs.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func heapNow(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if v := heapNow(s); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// sinkServer answers the multipart calls and PutObject, discarding bodies.
func sinkServer(b *testing.B) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodPost && q.Has("uploads"):
			fmt.Fprintf(w, "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-%d</UploadId></InitiateMultipartUploadResult>", n.Add(1))
		case r.Method == http.MethodPost && q.Has("uploadId"):
			fmt.Fprint(w, `<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"done-1"</ETag></CompleteMultipartUploadResult>`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("ETag", fmt.Sprintf(`"e-%d"`, n.Add(1)))
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkUpload(b *testing.B) {
	type benchCase struct {
		source   string // "file" or "pipe"
		sink     string // "fake" or "http"
		partSize int64
		budget   int64
		alg      s3client.ChecksumAlgorithm
	}
	var cases []benchCase
	for _, sink := range []string{"fake", "http"} {
		cases = append(cases,
			benchCase{"file", sink, 8 * mib, 0, ""},
			benchCase{"file", sink, 64 * mib, 0, ""},
			benchCase{"pipe", sink, 8 * mib, 0, ""},
			benchCase{"pipe", sink, 32 * mib, 128 * mib, ""})
	}
	// With a checksum (CRC32C, AWS's default), sent as an aws-chunked trailer.
	cases = append(cases, benchCase{"file", "http", 8 * mib, 0, s3client.ChecksumCRC32C},
		benchCase{"pipe", "http", 8 * mib, 0, s3client.ChecksumCRC32C})
	for _, bc := range cases {
		name := fmt.Sprintf("%s/%s/part=%dMiB", bc.source, bc.sink, bc.partSize/mib)
		if bc.budget > 0 {
			name += fmt.Sprintf("/budget=%dMiB", bc.budget/mib)
		}
		if bc.alg != "" {
			name += "/" + string(bc.alg)
		}
		b.Run(name, func(b *testing.B) {
			var api UploadAPI
			if bc.sink == "fake" {
				f := newFake()
				f.discard = true
				api = f
			} else {
				srv := sinkServer(b)
				tr := s3client.DefaultTransport()
				tr.MaxIdleConnsPerHost = 32
				c, err := s3client.New(s3client.Config{Region: "us-east-1", Endpoint: srv.URL, AddressingStyle: s3client.AddressingPath,
					Credentials:    sigv4.NewStaticProvider("AKIDEXAMPLE", "secret", ""),
					HTTPClient:     &http.Client{Transport: tr},
					PayloadSigning: s3client.PayloadSigningUnsigned})
				if err != nil {
					b.Fatal(err)
				}
				api = c
			}
			u := &Uploader{Client: api, PartSize: bc.partSize, MemoryBudget: bc.budget, ChecksumAlgorithm: bc.alg}
			copyBuf := make([]byte, 256<<10) // the pipe writer's, allocated before the baseline
			patternBlock()
			b.SetBytes(benchSize)
			b.ReportAllocs()
			var worst uint64
			for i := 0; i < b.N; i++ {
				var body io.Reader
				var writerDone chan error
				if bc.source == "file" {
					body = io.NewSectionReader(pattern(benchSize), 0, benchSize)
				} else {
					pr, pw := io.Pipe()
					writerDone = make(chan error, 1)
					go func() {
						_, err := io.CopyBuffer(pw, onlyReader{io.NewSectionReader(pattern(benchSize), 0, benchSize)}, copyBuf)
						pw.CloseWithError(err)
						writerDone <- err
					}()
					body = pr
				}
				runtime.GC()
				base := heapNow([]metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}})
				h := startHeapSampler()
				out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bench", Key: "k", Body: body})
				peak := h.finish()
				if err != nil {
					b.Fatal(err)
				}
				if writerDone != nil {
					if err := <-writerDone; err != nil {
						b.Fatal(err)
					}
				}
				if out.Size != benchSize {
					b.Fatalf("uploaded %d bytes", out.Size)
				}
				if peak > base {
					worst = max(worst, peak-base)
				}
			}
			b.ReportMetric(float64(worst)/float64(mib), "peak-heap-MiB")
			limit := 16 * mib
			if bc.source == "pipe" {
				budget := bc.budget
				if budget == 0 {
					budget = DefaultMemoryBudget
				}
				limit += min(int64(DefaultConcurrency+1)*bc.partSize, budget)
			}
			if bc.alg != "" && bc.sink == "http" {
				// Outside the engine: s3client sends the checksum as an
				// aws-chunked trailer, framed by sigv4 in 1 MiB chunks, one
				// chunk buffer per request in flight.
				limit += DefaultConcurrency * mib
			}
			if int64(worst) > limit {
				b.Errorf("peak heap %.1f MiB is over the target %d MiB", float64(worst)/float64(mib), limit/mib)
			}
		})
	}
}
