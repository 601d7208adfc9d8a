package conformance

// Every payload mode with every checksum algorithm, and bodies of unknown
// length: what the signer frames and signs is what the server checks.

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/s3kit/s3kit/s3client"
)

func init() { register("PayloadModes", testPayloadModes) }

var payloadModes = []struct {
	name string
	mode s3client.PayloadSigning
}{
	{"signed", s3client.PayloadSigningSigned},
	{"unsigned", s3client.PayloadSigningUnsigned},
	{"streaming", s3client.PayloadSigningStreaming},
}

// checksumAlgs are no checksum and every algorithm.
var checksumAlgs = append([]s3client.ChecksumAlgorithm{s3client.ChecksumNone}, s3client.ChecksumAlgorithms()...)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func testPayloadModes(e *env) {
	// 100 bytes: checksum in a header; 1.5 MiB: above the small-body limit,
	// so an unsigned payload carries its checksum as an aws-chunked trailer.
	sizes := []int{0, 100, 3<<19 + 17}
	for _, pm := range payloadModes {
		for _, alg := range checksumAlgs {
			name := pm.name + "/" + string(alg)
			if alg == s3client.ChecksumNone {
				name = pm.name + "/none"
			}
			e.t.Run(name, func(t *testing.T) {
				if pm.mode == s3client.PayloadSigningStreaming || (pm.mode == s3client.PayloadSigningUnsigned && alg != s3client.ChecksumNone) {
					if !e.tg.Caps.AWSChunked {
						t.Skipf("%s: server lacks aws-chunked", e.tg.Name)
					}
				}
				if alg != s3client.ChecksumNone && !e.tg.Caps.ChecksumHeaders {
					t.Skipf("%s: server lacks checksum headers", e.tg.Name)
				}
				c := e.client(func(cfg *s3client.Config) { cfg.PayloadSigning = pm.mode })
				for _, size := range sizes {
					body := pattern(size)
					key := "payload/" + name + "/" + itoa(size)
					in := &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body), ChecksumAlgorithm: alg}
					if _, err := c.PutObject(e.ctx, in); err != nil {
						t.Fatalf("PutObject %d bytes: %v", size, err)
					}
					out, err := c.GetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, ChecksumMode: alg != s3client.ChecksumNone})
					if err != nil {
						t.Fatalf("GetObject: %v", err)
					}
					got, err := io.ReadAll(out.Body)
					out.Body.Close()
					if err != nil {
						t.Fatalf("GetObject body: %v", err)
					}
					if !bytes.Equal(got, body) {
						t.Fatalf("%d bytes came back as %d different bytes", size, len(got))
					}
					if alg != s3client.ChecksumNone && size > 0 && e.tg.Caps.StoresChecksums {
						if v := out.Checksums; v == (s3client.Checksums{}) {
							t.Errorf("GetObject with ChecksumMode returned no checksum for %s", alg)
						}
					}
				}
				// A body that is a plain stream (not seekable): one attempt,
				// read once; signed mode frames it as aws-chunked.
				if pm.mode == s3client.PayloadSigningSigned && !e.tg.Caps.AWSChunked {
					return
				}
				body := pattern(200 << 10)
				key := "payload/" + name + "/stream"
				_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key,
					Body: iotest.HalfReader(bytes.NewReader(body)), ContentLength: int64(len(body)), ChecksumAlgorithm: alg})
				if err != nil {
					t.Fatalf("PutObject from a stream: %v", err)
				}
				if got := getBytes(t, c, e.bucket, key); !bytes.Equal(got, body) {
					t.Fatalf("stream upload differs")
				}
			})
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
