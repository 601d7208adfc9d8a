package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"testing/iotest"
)

// v4aStreamModes are the payload modes of SignerV4a.SignStreaming, with the
// trailer line expected for some data.
var v4aStreamModes = []streamMode{
	{name: "signed", opts: func() StreamingOptions { return StreamingOptions{Payload: StreamingPayloadV4a} }},
	{name: "signed-trailer-crc32c", opts: func() StreamingOptions {
		return StreamingOptions{Payload: StreamingPayloadTrailerV4a, Checksum: crc32.New(castagnoli), ChecksumHeader: "x-amz-checksum-crc32c"}
	}, trailer: crcTrailer("x-amz-checksum-crc32c", castagnoli)},
	{name: "unsigned-trailer-sha256", opts: func() StreamingOptions {
		return StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, Checksum: sha256.New(), ChecksumHeader: "x-amz-checksum-sha256"}
	}, trailer: func(data []byte) string {
		h := sha256.Sum256(data)
		return "x-amz-checksum-sha256:" + base64.StdEncoding.EncodeToString(h[:])
	}},
}

// TestV4aStreamingRoundTrip encodes bodies of sizes around the chunk size
// in every mode, from sources that return short reads, and decodes them as
// a server would: the headers verify, the length is StreamingLengthV4a's,
// every chunk and trailer signature is padded to 144 characters and
// verifies in the chain, and the data and trailer come back.
func TestV4aStreamingRoundTrip(t *testing.T) {
	pub := refV4aPublic(secretCreds.AccessKeyID, secretCreds.SecretAccessKey)
	cs := MinChunkSize
	for _, mode := range v4aStreamModes {
		for _, size := range []int{0, 1, cs - 1, cs, cs + 1, 2*cs + 5} {
			for _, wrap := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{{"plain", func(r io.Reader) io.Reader { return r }}, {"OneByteReader", iotest.OneByteReader}} {
				t.Run(fmt.Sprintf("%s/size=%d/%s", mode.name, size, wrap.name), func(t *testing.T) {
					data := testData(size)
					opts := mode.opts()
					opts.ChunkSize = cs
					req := newStreamRequest(t)
					var s SignerV4a
					if err := s.SignStreaming(req, wrap.f(bytes.NewReader(data)), int64(size), secretCreds, "*", opts, testTime); err != nil {
						t.Fatal(err)
					}
					if got := req.Header.Get("X-Amz-Content-Sha256"); got != opts.Payload {
						t.Errorf("X-Amz-Content-Sha256 %q, want %q", got, opts.Payload)
					}
					if got := req.Header.Get("X-Amz-Decoded-Content-Length"); got != strconv.Itoa(size) {
						t.Errorf("X-Amz-Decoded-Content-Length %q", got)
					}
					if req.Header.Get("Content-Encoding") != "aws-chunked" || req.GetBody != nil {
						t.Errorf("Content-Encoding %q, GetBody set %v", req.Header.Get("Content-Encoding"), req.GetBody != nil)
					}
					rs, seed := verifyV4aSigned(t, req, secretCreds)
					if rs != "*" {
						t.Errorf("region set %q", rs)
					}
					enc, err := io.ReadAll(req.Body)
					if err != nil {
						t.Fatal(err)
					}
					want, err := StreamingLengthV4a(int64(size), opts)
					if err != nil {
						t.Fatal(err)
					}
					if int64(len(enc)) != want || req.ContentLength != want {
						t.Errorf("encoded %d bytes, StreamingLengthV4a %d, ContentLength %d", len(enc), want, req.ContentLength)
					}
					got, trailers, err := decodeChunkedV4a(enc, v4aChunkedParams{opts.Payload, seed, pub, testTime, "s3", cs})
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, data) {
						t.Errorf("decoded %d bytes differ from the %d sent", len(got), len(data))
					}
					var wantTrailers []string
					if mode.trailer != nil {
						wantTrailers = []string{mode.trailer(data)}
					}
					if fmt.Sprint(trailers) != fmt.Sprint(wantTrailers) {
						t.Errorf("trailers %q, want %q", trailers, wantTrailers)
					}
					if err := req.Body.Close(); err != nil {
						t.Fatal(err)
					}
				})
			}
		}
	}
}

// TestV4aStreamingSingleChunk: an unsigned body with a trailer streams as
// one chunk under a SigV4a header signature too.
func TestV4aStreamingSingleChunk(t *testing.T) {
	data := testData(3*MinChunkSize + 7)
	opts := StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, ChunkSize: SingleChunk, Checksum: crc32.New(castagnoli), ChecksumHeader: "x-amz-checksum-crc32c"}
	req := newStreamRequest(t)
	var s SignerV4a
	if err := s.SignStreaming(req, bytes.NewReader(data), int64(len(data)), testCreds, "us-east-1,us-west-2", opts, testTime); err != nil {
		t.Fatal(err)
	}
	_, seed := verifyV4aSigned(t, req, testCreds)
	enc, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(enc)) != req.ContentLength {
		t.Errorf("encoded %d bytes, ContentLength %d", len(enc), req.ContentLength)
	}
	got, trailers, err := decodeChunkedV4a(enc, v4aChunkedParams{opts.Payload, seed, refPoint{}, testTime, "s3", len(data)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || len(trailers) != 1 || trailers[0] != crcTrailer("x-amz-checksum-crc32c", castagnoli)(data) {
		t.Errorf("decoded %d bytes, trailers %q", len(got), trailers)
	}
}

// TestV4aStreamingThroughServer sends a signed streaming upload to a
// loopback server that verifies the headers and decodes the body as
// received.
func TestV4aStreamingThroughServer(t *testing.T) {
	data := testData(2*MinChunkSize + 100)
	pub := refV4aPublic(testCreds.AccessKeyID, testCreds.SecretAccessKey)
	var mu sync.Mutex
	var got []byte
	var serverErr string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := &recordingT{}
		var seed string
		func() {
			defer func() { _ = recover() }()
			_, seed = verifyV4aHeaderSignature(rt, r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Host, r.Header, testCreds.AccessKeyID, testCreds.SecretAccessKey)
		}()
		body, err := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case rt.failed != "":
			serverErr = rt.failed
		case err != nil:
			serverErr = err.Error()
		case r.ContentLength != int64(len(body)):
			serverErr = fmt.Sprintf("Content-Length %d, body %d bytes", r.ContentLength, len(body))
		default:
			got, _, err = decodeChunkedV4a(body, v4aChunkedParams{r.Header.Get("X-Amz-Content-Sha256"), seed, pub, testTime, "s3", MinChunkSize})
			if err != nil {
				serverErr = err.Error()
			}
		}
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPut, srv.URL+"/mrap/object", nil)
	if err != nil {
		t.Fatal(err)
	}
	var s SignerV4a
	opts := StreamingOptions{Payload: StreamingPayloadTrailerV4a, ChunkSize: MinChunkSize, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}
	if err := s.SignStreaming(req, bytes.NewReader(data), int64(len(data)), testCreds, "*", opts, testTime); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if serverErr != "" || !bytes.Equal(got, data) {
		t.Fatalf("server: %s (decoded %d of %d bytes)", serverErr, len(got), len(data))
	}
}

// TestV4aStreamingLength: a SigV4a chunk carries 80 more characters of
// signature than a SigV4 one, and the arithmetic stays in int64 past 4 GiB.
func TestV4aStreamingLength(t *testing.T) {
	pairs := []struct{ v4, v4a StreamingOptions }{
		{StreamingOptions{Payload: StreamingPayload}, StreamingOptions{Payload: StreamingPayloadV4a}},
		{StreamingOptions{Payload: StreamingPayloadTrailer, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"},
			StreamingOptions{Payload: StreamingPayloadTrailerV4a, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}},
	}
	for _, p := range pairs {
		for _, n := range []int64{0, 1, DefaultChunkSize, 5 << 30, 5 << 40} {
			a, err := StreamingLength(n, p.v4)
			if err != nil {
				t.Fatal(err)
			}
			b, err := StreamingLengthV4a(n, p.v4a)
			if err != nil {
				t.Fatal(err)
			}
			// Every chunk, the final one and a trailer signature.
			sigs := (n+DefaultChunkSize-1)/DefaultChunkSize + 1
			if p.v4a.Payload == StreamingPayloadTrailerV4a {
				sigs++
			}
			if b-a != sigs*(sigLenV4a-sigLenV4) {
				t.Errorf("%s, %d bytes: SigV4a length %d, SigV4 %d: %d signatures differ by %d", p.v4a.Payload, n, b, a, sigs, b-a)
			}
		}
	}
	unsigned := StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}
	a, _ := StreamingLength(12345, unsigned)
	if b, err := StreamingLengthV4a(12345, unsigned); err != nil || a != b {
		t.Errorf("unsigned trailer: SigV4 %d, SigV4a %d, %v", a, b, err)
	}
}

// TestV4aStreamingBadOptions: each signer refuses the other's signed
// payloads, and a refused request is left as it was.
func TestV4aStreamingBadOptions(t *testing.T) {
	crc := func(payload string) StreamingOptions {
		return StreamingOptions{Payload: payload, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}
	}
	var s4 Signer
	var sa SignerV4a
	tests := []struct {
		name      string
		v4a       bool
		opts      StreamingOptions
		creds     Credentials
		regionSet string
		want      error
	}{
		{"v4a signer, SigV4 payload", true, StreamingOptions{Payload: StreamingPayload}, testCreds, "*", ErrInvalidStreamingOpt},
		{"v4a signer, SigV4 trailer payload", true, crc(StreamingPayloadTrailer), testCreds, "*", ErrInvalidStreamingOpt},
		{"v4 signer, SigV4a payload", false, StreamingOptions{Payload: StreamingPayloadV4a}, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"v4 signer, SigV4a trailer payload", false, crc(StreamingPayloadTrailerV4a), testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"SigV4a trailer without checksum", true, StreamingOptions{Payload: StreamingPayloadTrailerV4a}, testCreds, "*", ErrInvalidStreamingOpt},
		{"SigV4a single chunk signed", true, StreamingOptions{Payload: StreamingPayloadV4a, ChunkSize: SingleChunk}, testCreds, "*", ErrInvalidStreamingOpt},
		{"SigV4a chunk too small", true, StreamingOptions{Payload: StreamingPayloadV4a, ChunkSize: MinChunkSize - 1}, testCreds, "*", ErrInvalidStreamingOpt},
		{"unknown payload", true, StreamingOptions{Payload: "STREAMING-AWS4-ECDSA-P384-PAYLOAD"}, testCreds, "*", ErrInvalidStreamingOpt},
		{"no credentials", true, StreamingOptions{Payload: StreamingPayloadV4a}, Credentials{}, "*", ErrMissingCredentials},
		{"no region set", true, StreamingOptions{Payload: StreamingPayloadV4a}, testCreds, "", ErrMissingRegion},
		{"bad region set", true, StreamingOptions{Payload: StreamingPayloadV4a}, testCreds, "us-east-1;x", ErrInvalidRegionSet},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := goodRequest()
			req.Method = http.MethodPut
			before := req.Header.Clone()
			err := noPanic(t, func() error {
				if tc.v4a {
					return sa.SignStreaming(req, bytes.NewReader(make([]byte, 10)), 10, tc.creds, tc.regionSet, tc.opts, testTime)
				}
				return s4.SignStreaming(req, bytes.NewReader(make([]byte, 10)), 10, tc.creds, tc.regionSet, tc.opts, testTime)
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("SignStreaming: %v, want %v", err, tc.want)
			}
			if !reflect.DeepEqual(req.Header, before) || req.Body != nil || req.ContentLength != 0 {
				t.Errorf("SignStreaming changed the request on error: %v", req.Header)
			}
			if tc.want == ErrInvalidStreamingOpt {
				length := StreamingLength
				if tc.v4a {
					length = StreamingLengthV4a
				}
				if _, err := length(10, tc.opts); !errors.Is(err, ErrInvalidStreamingOpt) {
					t.Errorf("length: %v", err)
				}
			}
		})
	}
	if err := sa.SignStreaming(goodRequest(), nil, 0, testCreds, "*", StreamingOptions{Payload: StreamingPayloadV4a}, testTime); !errors.Is(err, ErrInvalidStreamingOpt) {
		t.Errorf("nil body: %v", err)
	}
}
