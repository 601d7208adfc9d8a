package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"testing"
	"testing/iotest"
)

// TestSingleChunk: an unsigned body with a trailer sent as one chunk that
// streams through decodes to the input, whatever the pattern of reads, and
// has the length StreamingLength says.
func TestSingleChunk(t *testing.T) {
	for _, size := range []int{0, 1, 100, MinChunkSize, DefaultChunkSize + 1, 3<<20 + 5} {
		for _, src := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{{"plain", func(r io.Reader) io.Reader { return r }}, {"OneByteReader", iotest.OneByteReader}, {"HalfReader", iotest.HalfReader}, {"DataErrReader", iotest.DataErrReader}} {
			t.Run(fmt.Sprintf("%d/%s", size, src.name), func(t *testing.T) {
				data := testData(size)
				opts := StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, ChunkSize: SingleChunk,
					Checksum: crc32.New(castagnoli), ChecksumHeader: "x-amz-checksum-crc32c"}
				req := newStreamRequest(t)
				var s Signer
				if err := s.SignStreaming(req, src.wrap(bytes.NewReader(data)), int64(size), testCreds, "us-east-1", opts, testTime); err != nil {
					t.Fatal(err)
				}
				seed := checkStreamRequest(t, req, opts, int64(size))
				enc, err := io.ReadAll(req.Body)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(enc)) != req.ContentLength {
					t.Errorf("encoded %d bytes, ContentLength %d", len(enc), req.ContentLength)
				}
				got, trailers, err := decodeChunked(enc, chunkedParams{opts.Payload, seed, testCreds.SecretAccessKey, testTime, "us-east-1", max(size, 1)})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Errorf("decoded %d bytes differ from the %d sent", len(got), len(data))
				}
				if want := crcTrailer("x-amz-checksum-crc32c", castagnoli)(data); len(trailers) != 1 || trailers[0] != want {
					t.Errorf("trailers %q, want %q", trailers, want)
				}
				if src.name == "plain" {
					req := newStreamRequest(t)
					opts.Checksum = crc32.New(castagnoli)
					if err := s.SignStreaming(req, bytes.NewReader(data), int64(size), testCreds, "us-east-1", opts, testTime); err != nil {
						t.Fatal(err)
					}
					if err := iotest.TestReader(req.Body, enc); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
}

func TestSingleChunkErrors(t *testing.T) {
	var s Signer
	opts := func() StreamingOptions {
		return StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, ChunkSize: SingleChunk, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}
	}
	// A short source.
	req := newStreamRequest(t)
	if err := s.SignStreaming(req, bytes.NewReader(testData(10)), 20, testCreds, "us-east-1", opts(), testTime); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(req.Body); !errors.Is(err, ErrShortBody) {
		t.Errorf("short body: %v, want ErrShortBody", err)
	}
	// A read error propagates.
	req = newStreamRequest(t)
	if err := s.SignStreaming(req, iotest.ErrReader(io.ErrClosedPipe), 20, testCreds, "us-east-1", opts(), testTime); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(req.Body); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read error: %v", err)
	}
	// Only the declared bytes are read.
	src := bytes.NewReader(testData(50))
	req = newStreamRequest(t)
	if err := s.SignStreaming(req, src, 20, testCreds, "us-east-1", opts(), testTime); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(req.Body); err != nil || src.Len() != 30 {
		t.Errorf("read %d bytes of the source, err %v; want 20", 50-src.Len(), err)
	}
	// Close during a blocked read ends the read; reads after fail.
	b := &blockingReader{make(chan struct{}), make(chan struct{}), make(chan struct{})}
	req = newStreamRequest(t)
	if err := s.SignStreaming(req, b, 100, testCreds, "us-east-1", opts(), testTime); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := io.ReadAll(req.Body)
		done <- err
	}()
	<-b.started
	req.Body.Close()
	if err := <-done; !errors.Is(err, io.ErrClosedPipe) && !errors.Is(err, errReadAfterClose) {
		t.Errorf("blocked read ended with %v", err)
	}
	// SingleChunk is only for the unsigned trailer.
	bad := StreamingOptions{Payload: StreamingPayload, ChunkSize: SingleChunk}
	if _, err := StreamingLength(10, bad); !errors.Is(err, ErrInvalidStreamingOpt) {
		t.Errorf("SingleChunk with signed chunks: %v", err)
	}
}
