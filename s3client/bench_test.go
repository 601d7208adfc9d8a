package s3client

// Small-object benchmarks. BenchmarkSmall measures PutObject and GetObject
// of 4 KiB beside raw net/http in the same run, against a minimal loopback
// server, with 1 and 16 workers: the client's pipeline (resolve, hash,
// sign, send, classify) against the floor of the same requests with no S3
// library. Allocation counts include the server's, which are the same for
// both clients. BenchmarkPutObject4KiB and BenchmarkGetObject4KiB run
// against the in-process gofakes3 server instead, whose share dominates.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

const benchObjectSize = 4 << 10

func reportOps(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// smallServer answers a PUT (its body read and discarded) with an ETag, and
// a GET with benchObjectSize bytes, as the benchmark sink of bench/ does.
func smallServer(b *testing.B) *httptest.Server {
	obj := bytes.Repeat([]byte{'x'}, benchObjectSize)
	size := strconv.Itoa(benchObjectSize)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Etag"] = []string{`"0123456789abcdef0123456789abcdef"`}
		if r.Method == http.MethodGet {
			h["Content-Length"] = []string{size}
			w.Write(obj)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// smallClient is one way of sending the benchmark's requests.
type smallClient interface {
	put(ctx context.Context, key string, body []byte) error
	get(ctx context.Context, key string, buf []byte) (int, error)
}

// rawSmall is plain net/http: no signing, no hashing, no checksum.
type rawSmall struct {
	hc  *http.Client
	url string
}

func (c *rawSmall) put(ctx context.Context, key string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.url+"/bench/"+key, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

func (c *rawSmall) get(ctx context.Context, key string, buf []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/bench/"+key, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.ReadFull(resp.Body, buf)
}

// s3kitSmall is the client as the bench module's s3kit client configures
// it: signed payloads over http and a CRC32C checksum with every PUT.
type s3kitSmall struct{ c *Client }

func (c *s3kitSmall) put(ctx context.Context, key string, body []byte) error {
	_, err := c.c.PutObject(ctx, &PutObjectInput{Bucket: "bench", Key: key, Body: bytes.NewReader(body)})
	return err
}

func (c *s3kitSmall) get(ctx context.Context, key string, buf []byte) (int, error) {
	out, err := c.c.GetObject(ctx, &GetObjectInput{Bucket: "bench", Key: key})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	return io.ReadFull(out.Body, buf)
}

func BenchmarkSmall(b *testing.B) {
	srv := smallServer(b)
	rt := http.DefaultTransport.(*http.Transport).Clone()
	rt.MaxIdleConnsPerHost, rt.DisableCompression = 64, true
	b.Cleanup(rt.CloseIdleConnections)
	c, err := New(Config{Region: "us-east-1", Endpoint: srv.URL, ChecksumPolicy: ChecksumWhenSupported,
		Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.httpClient.CloseIdleConnections)
	clients := []struct {
		name string
		c    smallClient
	}{{"raw", &rawSmall{hc: &http.Client{Transport: rt}, url: srv.URL}}, {"s3kit", &s3kitSmall{c}}}
	data := bytes.Repeat([]byte{'x'}, benchObjectSize)
	ctx := context.Background()
	for _, op := range []string{"PUT", "GET"} {
		for _, workers := range []int{1, 16} {
			for _, cl := range clients {
				run := func(buf []byte) error {
					if op == "PUT" {
						return cl.c.put(ctx, "small-object", data)
					}
					n, err := cl.c.get(ctx, "small-object", buf)
					if err == nil && n != benchObjectSize {
						b.Errorf("read %d bytes", n)
					}
					if err == io.ErrUnexpectedEOF {
						err = nil
					}
					return err
				}
				b.Run(op+"/w"+strconv.Itoa(workers)+"/"+cl.name, func(b *testing.B) {
					b.SetBytes(benchObjectSize)
					b.ReportAllocs()
					buf := make([]byte, 2*benchObjectSize)
					if err := run(buf); err != nil { // a connection open before the clock starts
						b.Fatal(err)
					}
					b.ResetTimer()
					if workers == 1 {
						for i := 0; i < b.N; i++ {
							if err := run(buf); err != nil {
								b.Fatal(err)
							}
						}
					} else {
						b.SetParallelism((workers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
						b.RunParallel(func(pb *testing.PB) {
							buf := make([]byte, 2*benchObjectSize)
							for pb.Next() {
								if err := run(buf); err != nil {
									b.Error(err)
									return
								}
							}
						})
					}
					reportOps(b)
				})
			}
		}
	}
}

func BenchmarkPutObject4KiB(b *testing.B) {
	srv, c, _ := fakeS3(b)
	srv.CreateBucket(b, "bench")
	data := bytes.Repeat([]byte{'x'}, benchObjectSize)
	ctx := context.Background()
	in := &PutObjectInput{Bucket: "bench", Key: "small-object"}
	b.SetBytes(benchObjectSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.Body = bytes.NewReader(data)
		if _, err := c.PutObject(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	reportOps(b)
}

func BenchmarkGetObject4KiB(b *testing.B) {
	srv, c, _ := fakeS3(b)
	srv.CreateBucket(b, "bench")
	srv.PutObject(b, "bench", "small-object", bytes.Repeat([]byte{'x'}, benchObjectSize), nil)
	ctx := context.Background()
	in := &GetObjectInput{Bucket: "bench", Key: "small-object"}
	buf := make([]byte, 2*benchObjectSize)
	b.SetBytes(benchObjectSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := c.GetObject(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.ReadFull(out.Body, buf)
		out.Body.Close()
		if n != benchObjectSize || err != io.ErrUnexpectedEOF {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
	reportOps(b)
}
