package s3client

// Small-object throughput against the in-process gofakes3 server: the cost
// of the client's pipeline (sign, send, classify) per request, with the
// server's share included.

import (
	"bytes"
	"context"
	"io"
	"testing"
)

const benchObjectSize = 4 << 10

func reportOps(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
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
