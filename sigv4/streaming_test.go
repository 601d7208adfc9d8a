package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// chunkedParams is what a server knows when it decodes an aws-chunked body.
type chunkedParams struct {
	payload   string
	seed      string // the request's header signature
	secret    string
	t         time.Time
	region    string
	chunkSize int // every chunk but the last must have this size
}

// decodeChunked decodes an aws-chunked body the way S3 does, with its own
// parsing and HMAC code: it checks the framing, every chunk signature in
// the chain and the trailer signature, and returns the data and the
// trailer lines (without the signature line).
func decodeChunked(body []byte, p chunkedParams) (data []byte, trailers []string, err error) {
	signed := p.payload != StreamingUnsignedPayloadTrailer
	withTrailer := p.payload != StreamingPayload
	ts := p.t.UTC().Format("20060102T150405Z")
	scope := p.t.UTC().Format("20060102") + "/" + p.region + "/s3/aws4_request"
	key := refSigningKey(p.secret, p.t, p.region, "s3")
	prev := p.seed
	rest := body
	line := func() (string, error) {
		i := bytes.Index(rest, []byte("\r\n"))
		if i < 0 {
			return "", fmt.Errorf("no CRLF in %q", rest)
		}
		l := string(rest[:i])
		rest = rest[i+2:]
		return l, nil
	}
	sign := func(sts string) string { return fmt.Sprintf("%x", refHMAC(key, sts)) }
	last := false
	for n := 0; ; n++ {
		l, err := line()
		if err != nil {
			return nil, nil, fmt.Errorf("chunk %d header: %v", n, err)
		}
		sizeHex, ext, hasExt := strings.Cut(l, ";")
		size, err := strconv.ParseUint(sizeHex, 16, 31)
		if err != nil || sizeHex != strconv.FormatUint(size, 16) {
			return nil, nil, fmt.Errorf("chunk %d: bad size %q", n, sizeHex)
		}
		if int(size) > len(rest) {
			return nil, nil, fmt.Errorf("chunk %d: size %d, %d bytes left", n, size, len(rest))
		}
		chunk := rest[:size]
		rest = rest[size:]
		if signed {
			sig, ok := strings.CutPrefix(ext, "chunk-signature=")
			if !hasExt || !ok || len(sig) != 64 {
				return nil, nil, fmt.Errorf("chunk %d: extension %q", n, ext)
			}
			h := sha256.Sum256(chunk)
			want := sign("AWS4-HMAC-SHA256-PAYLOAD\n" + ts + "\n" + scope + "\n" + prev + "\n" + refSHA256Hex("") + "\n" + fmt.Sprintf("%x", h))
			if sig != want {
				return nil, nil, fmt.Errorf("chunk %d: signature %s, want %s", n, sig, want)
			}
			prev = sig
		} else if hasExt {
			return nil, nil, fmt.Errorf("chunk %d: unexpected extension %q", n, ext)
		}
		if size == 0 {
			break
		}
		if last {
			return nil, nil, fmt.Errorf("chunk %d follows a short chunk", n)
		}
		if int(size) > p.chunkSize {
			return nil, nil, fmt.Errorf("chunk %d: %d bytes, chunk size %d", n, size, p.chunkSize)
		}
		last = int(size) < p.chunkSize
		data = append(data, chunk...)
		if !bytes.HasPrefix(rest, []byte("\r\n")) {
			return nil, nil, fmt.Errorf("chunk %d: no CRLF after the data", n)
		}
		rest = rest[2:]
	}
	if withTrailer {
		var canon strings.Builder
		for {
			l, err := line()
			if err != nil {
				return nil, nil, fmt.Errorf("trailer: %v", err)
			}
			if l == "" {
				return nil, nil, errors.New("trailer: missing")
			}
			name, value, ok := strings.Cut(l, ":")
			if !ok {
				return nil, nil, fmt.Errorf("trailer line %q", l)
			}
			if name == "x-amz-trailer-signature" {
				if !signed {
					return nil, nil, errors.New("unsigned payload with a trailer signature")
				}
				want := sign("AWS4-HMAC-SHA256-TRAILER\n" + ts + "\n" + scope + "\n" + prev + "\n" + refSHA256Hex(canon.String()))
				if value != want {
					return nil, nil, fmt.Errorf("trailer signature %s, want %s", value, want)
				}
				break
			}
			trailers = append(trailers, l)
			canon.WriteString(name + ":" + value + "\n")
			if !signed {
				break
			}
		}
	}
	if string(rest) != "\r\n" {
		return nil, nil, fmt.Errorf("body ends with %q, want the closing CRLF", rest)
	}
	return data, trailers, nil
}

// streamMode is one payload mode with a fresh checksum and its expected
// trailer line for some data.
type streamMode struct {
	name     string
	opts     func() StreamingOptions
	trailer  func(data []byte) string
	checksum string
}

func crcTrailer(name string, tab *crc32.Table) func([]byte) string {
	return func(data []byte) string {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], crc32.Checksum(data, tab))
		return name + ":" + base64.StdEncoding.EncodeToString(b[:])
	}
}

var streamModes = []streamMode{
	{name: "signed", opts: func() StreamingOptions { return StreamingOptions{Payload: StreamingPayload} }},
	{name: "signed-trailer-crc32c", opts: func() StreamingOptions {
		return StreamingOptions{Payload: StreamingPayloadTrailer, Checksum: crc32.New(castagnoli), ChecksumHeader: "x-amz-checksum-crc32c"}
	}, trailer: crcTrailer("x-amz-checksum-crc32c", castagnoli)},
	{name: "unsigned-trailer-sha256", opts: func() StreamingOptions {
		return StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, Checksum: sha256.New(), ChecksumHeader: "x-amz-checksum-sha256"}
	}, trailer: func(data []byte) string {
		h := sha256.Sum256(data)
		return "x-amz-checksum-sha256:" + base64.StdEncoding.EncodeToString(h[:])
	}},
	{name: "unsigned-trailer-crc32", opts: func() StreamingOptions {
		return StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, Checksum: crc32.NewIEEE(), ChecksumHeader: "x-amz-checksum-crc32"}
	}, trailer: crcTrailer("x-amz-checksum-crc32", crc32.IEEETable)},
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func newStreamRequest(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.amazonaws.com/chunked object", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	return req
}

// checkStreamRequest checks the headers SignStreaming set and that the
// seed signature verifies; it returns the seed.
func checkStreamRequest(t *testing.T, req *http.Request, opts StreamingOptions, decoded int64) string {
	t.Helper()
	if got := req.Header.Get("Content-Encoding"); got != "aws-chunked" {
		t.Errorf("Content-Encoding %q", got)
	}
	if got := req.Header.Get("X-Amz-Decoded-Content-Length"); got != strconv.FormatInt(decoded, 10) {
		t.Errorf("X-Amz-Decoded-Content-Length %q, want %d", got, decoded)
	}
	if got := req.Header.Get("X-Amz-Trailer"); got != opts.ChecksumHeader && opts.Payload != StreamingPayload || got != "" && opts.Payload == StreamingPayload {
		t.Errorf("X-Amz-Trailer %q", got)
	}
	if got := req.Header.Get("X-Amz-Content-Sha256"); got != opts.Payload {
		t.Errorf("X-Amz-Content-Sha256 %q, want %q", got, opts.Payload)
	}
	if req.GetBody != nil {
		t.Error("GetBody left set: a retry would resend a consumed stream")
	}
	return verifySigned(t, req, testCreds.SecretAccessKey)
}

func TestStreamingRoundTrip(t *testing.T) {
	sources := []struct {
		name string
		wrap func(io.Reader) io.Reader
		// fails reports whether the source errors for a body of n bytes
		// read in chunks of cs.
		fails func(n, cs int) bool
	}{
		{"plain", func(r io.Reader) io.Reader { return r }, nil},
		{"OneByteReader", iotest.OneByteReader, nil},
		{"HalfReader", iotest.HalfReader, nil},
		{"DataErrReader", iotest.DataErrReader, nil},
		// TimeoutReader fails its second Read; a body that fits in one
		// chunk is read with one Read.
		{"TimeoutReader", iotest.TimeoutReader, func(n, cs int) bool { return n > cs }},
	}
	for _, chunk := range []int{MinChunkSize, 0} {
		cs := chunk
		if cs == 0 {
			cs = DefaultChunkSize
		}
		for _, mode := range streamModes {
			for _, size := range []int{0, 1, cs - 1, cs, cs + 1, 3*cs + 5} {
				for _, src := range sources {
					name := fmt.Sprintf("chunk=%d/%s/size=%d/%s", cs, mode.name, size, src.name)
					t.Run(name, func(t *testing.T) {
						data := testData(size)
						opts := mode.opts()
						opts.ChunkSize = chunk
						req := newStreamRequest(t)
						var s Signer
						if err := s.SignStreaming(req, src.wrap(bytes.NewReader(data)), int64(size), testCreds, "us-east-1", opts, testTime); err != nil {
							t.Fatal(err)
						}
						seed := checkStreamRequest(t, req, opts, int64(size))
						enc, err := io.ReadAll(req.Body)
						if src.fails != nil && src.fails(size, cs) {
							if !errors.Is(err, iotest.ErrTimeout) {
								t.Fatalf("read error %v, want the source's %v", err, iotest.ErrTimeout)
							}
							return
						}
						if err != nil {
							t.Fatal(err)
						}
						want, err := StreamingLength(int64(size), opts)
						if err != nil {
							t.Fatal(err)
						}
						if int64(len(enc)) != want || req.ContentLength != want {
							t.Errorf("encoded %d bytes, StreamingLength %d, ContentLength %d", len(enc), want, req.ContentLength)
						}
						got, trailers, err := decodeChunked(enc, chunkedParams{opts.Payload, seed, testCreds.SecretAccessKey, testTime, "us-east-1", cs})
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
						// Signing again with the same time and a fresh
						// source gives the same bytes, through any pattern
						// of reads (iotest.TestReader).
						if src.name == "plain" {
							opts := mode.opts()
							opts.ChunkSize = chunk
							req := newStreamRequest(t)
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
	}
}

func TestStreamingLengthLarge(t *testing.T) {
	// Past 4 GiB the arithmetic must stay in int64 (GOARCH=386 runs this).
	for _, mode := range streamModes {
		opts := mode.opts()
		cs := int64(DefaultChunkSize)
		perChunk := cs + int64(len(strconv.FormatInt(cs, 16))) + 4
		if opts.Payload != StreamingUnsignedPayloadTrailer {
			perChunk += int64(len(";chunk-signature=") + 64)
		}
		for _, n := range []int64{5 << 30, 5 << 40} {
			a, err := StreamingLength(n, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := StreamingLength(n+cs, opts)
			if err != nil {
				t.Fatal(err)
			}
			if b-a != perChunk || a <= n {
				t.Errorf("%s: StreamingLength(%d) = %d, one more chunk adds %d, want %d", mode.name, n, a, b-a, perChunk)
			}
		}
	}
}

var errBoom = errors.New("boom")

func TestStreamingBodyErrors(t *testing.T) {
	cs := MinChunkSize
	tests := []struct {
		name     string
		declared int
		src      io.Reader
		want     error
	}{
		{"empty source, one byte declared", 1, bytes.NewReader(nil), ErrShortBody},
		{"short by one in the only chunk", cs - 1, bytes.NewReader(testData(cs - 2)), ErrShortBody},
		{"short in the second chunk", cs + 1, bytes.NewReader(testData(cs)), ErrShortBody},
		{"short at a chunk boundary", 3*cs + 5, bytes.NewReader(testData(3 * cs)), ErrShortBody},
		{"reader error at once", 10, iotest.ErrReader(errBoom), errBoom},
		{"reader error after a chunk", 2 * cs, io.MultiReader(bytes.NewReader(testData(cs)), iotest.ErrReader(errBoom)), errBoom},
		{"reader error with data", 5, iotest.DataErrReader(iotest.ErrReader(errBoom)), errBoom},
	}
	for _, mode := range streamModes {
		for _, tc := range tests {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				src := tc.src
				if s, ok := src.(io.Seeker); ok { // reused across modes
					s.Seek(0, io.SeekStart)
				}
				opts := mode.opts()
				opts.ChunkSize = cs
				req := newStreamRequest(t)
				var s Signer
				if err := s.SignStreaming(req, src, int64(tc.declared), testCreds, "us-east-1", opts, testTime); err != nil {
					t.Fatal(err)
				}
				_, err := io.ReadAll(req.Body)
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				// The error sticks.
				if _, err2 := req.Body.Read(make([]byte, 10)); !errors.Is(err2, tc.want) {
					t.Errorf("second read: %v", err2)
				}
			})
		}
	}
}

func TestStreamingReadsOnlyDeclared(t *testing.T) {
	src := bytes.NewReader(testData(100))
	req := newStreamRequest(t)
	var s Signer
	if err := s.SignStreaming(req, src, 60, testCreds, "us-east-1", StreamingOptions{Payload: StreamingPayload}, testTime); err != nil {
		t.Fatal(err)
	}
	enc, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := decodeChunked(enc, chunkedParams{StreamingPayload, parseAuthorization(t, req.Header.Get("Authorization")).Signature, testCreds.SecretAccessKey, testTime, "us-east-1", DefaultChunkSize})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, testData(100)[:60]) || src.Len() != 40 {
		t.Errorf("sent %d bytes, %d left in the source", len(got), src.Len())
	}
}

func TestStreamingResign(t *testing.T) {
	// A retry signs the same request again with a fresh body.
	req := newStreamRequest(t)
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Content-Length", "5") // would be signed: must be the encoded length
	opts := streamModes[1].opts()
	var s Signer
	data := testData(3*MinChunkSize + 5)
	for i := 0; i < 3; i++ {
		tm := testTime.Add(time.Duration(i) * time.Second)
		if err := s.SignStreaming(req, bytes.NewReader(data), int64(len(data)), testCreds, "us-east-1", opts, tm); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Values("Content-Encoding"); len(got) != 1 || got[0] != "aws-chunked,gzip" {
			t.Fatalf("attempt %d: Content-Encoding %q", i, got)
		}
		if got := req.Header.Get("Content-Length"); got != strconv.FormatInt(req.ContentLength, 10) {
			t.Errorf("attempt %d: Content-Length header %s, ContentLength %d", i, got, req.ContentLength)
		}
		seed := verifySigned(t, req, testCreds.SecretAccessKey)
		enc, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, trailers, err := decodeChunked(enc, chunkedParams{opts.Payload, seed, testCreds.SecretAccessKey, tm, "us-east-1", DefaultChunkSize})
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		// The checksum was reset: the trailer covers this attempt only.
		if !bytes.Equal(got, data) || trailers[0] != streamModes[1].trailer(data) {
			t.Errorf("attempt %d: data or trailer %q wrong", i, trailers)
		}
	}
}

// blockingReader blocks each Read until released, like a network source.
type blockingReader struct {
	started chan struct{}
	release chan struct{}
	closed  chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	close(b.started)
	select {
	case <-b.release:
		return 0, io.EOF
	case <-b.closed:
		return 0, io.ErrClosedPipe
	}
}

func (b *blockingReader) Close() error { close(b.closed); return nil }

func TestStreamingCloseDuringRead(t *testing.T) {
	// net/http may close a request body while its write loop still reads
	// it. Run with -race: Close must not touch the chunk buffer a Read is
	// filling, and the Read must end.
	for _, mode := range streamModes {
		t.Run(mode.name, func(t *testing.T) {
			src := &blockingReader{make(chan struct{}), make(chan struct{}), make(chan struct{})}
			req := newStreamRequest(t)
			var s Signer
			if err := s.SignStreaming(req, src, 100, testCreds, "us-east-1", mode.opts(), testTime); err != nil {
				t.Fatal(err)
			}
			done := make(chan error)
			go func() {
				_, err := req.Body.Read(make([]byte, 512))
				done <- err
			}()
			<-src.started
			if err := req.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; !errors.Is(err, io.ErrClosedPipe) {
				t.Errorf("blocked Read returned %v, want the source's error", err)
			}
			if _, err := req.Body.Read(make([]byte, 10)); err == nil {
				t.Error("Read after Close succeeded")
			}
			if err := req.Body.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestStreamingOverHTTP(t *testing.T) {
	// Through a real net/http round trip: the server decodes and verifies.
	type result struct {
		data     []byte
		trailers []string
		err      error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			results <- result{err: err}
			return
		}
		if r.ContentLength != int64(len(body)) {
			results <- result{err: fmt.Errorf("Content-Length %d, body %d", r.ContentLength, len(body))}
			return
		}
		a := parseAuthorization(t, r.Header.Get("Authorization"))
		cs, _ := strconv.Atoi(r.Header.Get("X-Test-Chunk"))
		data, trailers, err := decodeChunked(body, chunkedParams{r.Header.Get("X-Amz-Content-Sha256"), a.Signature, testCreds.SecretAccessKey, testTime, a.Region, cs})
		results <- result{data, trailers, err}
	}))
	defer srv.Close()
	for _, mode := range streamModes {
		t.Run(mode.name, func(t *testing.T) {
			data := testData(3*MinChunkSize + 5)
			opts := mode.opts()
			opts.ChunkSize = MinChunkSize
			req, err := http.NewRequest(http.MethodPut, srv.URL+"/bucket/key", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Test-Chunk", strconv.Itoa(MinChunkSize))
			var s Signer
			if err := s.SignStreaming(req, iotest.HalfReader(bytes.NewReader(data)), int64(len(data)), testCreds, "us-west-2", opts, testTime); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			res := <-results
			if res.err != nil {
				t.Fatal(res.err)
			}
			if !bytes.Equal(res.data, data) {
				t.Error("server decoded other bytes")
			}
			if mode.trailer != nil && (len(res.trailers) != 1 || res.trailers[0] != mode.trailer(data)) {
				t.Errorf("trailers %q", res.trailers)
			}
		})
	}
}

// TestStreamingChecksumVisibleToCaller makes sure the hash.Hash fed by the encoder is the one the
// caller passed (s3client reads it after the upload).
func TestStreamingChecksumVisibleToCaller(t *testing.T) {
	var h hash.Hash32 = crc32.New(castagnoli)
	h.Write([]byte("stale state from an earlier attempt"))
	data := testData(1000)
	req := newStreamRequest(t)
	var s Signer
	opts := StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, Checksum: h, ChecksumHeader: "x-amz-checksum-crc32c"}
	if err := s.SignStreaming(req, bytes.NewReader(data), 1000, testCreds, "us-east-1", opts, testTime); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		t.Fatal(err)
	}
	if h.Sum32() != crc32.Checksum(data, castagnoli) {
		t.Errorf("caller's checksum %08x, want %08x", h.Sum32(), crc32.Checksum(data, castagnoli))
	}
}
