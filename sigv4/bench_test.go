package sigv4

import (
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var benchCreds = Credentials{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==",
}

var benchTime = time.Date(2024, 5, 24, 12, 0, 0, 0, time.UTC)

// newPutObject builds the request s3client sends for a PutObject: a
// virtual-host URL, a key that needs encoding, Content-Type, user metadata,
// and a body length carried by ContentLength (net/http writes the header).
func newPutObject(b *testing.B) *http.Request {
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/May/cat picture (1).jpg", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = 1 << 20
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("X-Amz-Meta-Owner", "alice")
	req.Header.Set("X-Amz-Meta-Camera", "ILCE-7M3")
	req.Header.Set("X-Amz-Storage-Class", "STANDARD_IA")
	req.Header.Set("User-Agent", "s3kit/0.1")
	return req
}

func BenchmarkSignPutObject(b *testing.B) {
	for _, tc := range []struct{ name, hash string }{
		{"unsigned", UnsignedPayload},
		{"sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var s Signer
			req := newPutObject(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.Sign(req, benchCreds, "us-east-1", tc.hash, benchTime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPresignGetObject(b *testing.B) {
	var s Signer
	req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/May/cat picture (1).jpg?versionId=3HL4kqtJlcpXroDTDmJ%2Bi2T0rHYi4v&response-content-disposition=attachment", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Presign(req, benchCreds, "us-east-1", UnsignedPayload, time.Hour, benchTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreaming measures the aws-chunked encoder (signing and framing,
// plus the checksum for the trailer modes) over a 4 MiB body.
func BenchmarkStreaming(b *testing.B) {
	const size = 4 << 20
	data := strings.Repeat("s3kit-streaming-benchmark-data!\n", size/32)
	for _, payload := range []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer} {
		b.Run(payload, func(b *testing.B) {
			var s Signer
			opts := StreamingOptions{Payload: payload}
			if payload != StreamingPayload {
				opts.Checksum = crc32.New(crc32.MakeTable(crc32.Castagnoli))
				opts.ChecksumHeader = "x-amz-checksum-crc32c"
			}
			req := newPutObject(b)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.SignStreaming(req, strings.NewReader(data), size, benchCreds, "us-east-1", opts, benchTime); err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, req.Body)
				if err != nil || n != req.ContentLength {
					b.Fatalf("copied %d of %d: %v", n, req.ContentLength, err)
				}
				req.Body.Close()
			}
		})
	}
}
