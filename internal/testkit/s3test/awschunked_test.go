package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// Two well-formed chunk signatures (64 lower-case hex digits). The decoder
// checks their form, never their value.
var (
	sigA = strings.Repeat("ab", 32)
	sigB = strings.Repeat("0f", 32)
)

// encodeChunked frames data in chunks of chunkSize (the last may be
// shorter), as an aws-chunked body. sig, if not "", is used as the
// chunk-signature of every chunk. trailer lines are written as given,
// "name:value"; trailerSig, if not "", adds x-amz-trailer-signature.
func encodeChunked(data []byte, chunkSize int, sig string, trailer []string, trailerSig string) []byte {
	var b bytes.Buffer
	header := func(n int) {
		fmt.Fprintf(&b, "%x", n)
		if sig != "" {
			b.WriteString(";chunk-signature=" + sig)
		}
		b.WriteString("\r\n")
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		header(n)
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	header(0)
	for _, t := range trailer {
		b.WriteString(t + "\r\n")
	}
	if trailerSig != "" {
		b.WriteString("x-amz-trailer-signature:" + trailerSig + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func TestChunkedReaderDecodes(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1000) // 16000 bytes
	tests := []struct {
		name       string
		body       string
		want       []byte
		wantChunks []Chunk
		wantTrail  http.Header
		wantSig    string
	}{
		{
			name:       "signed, no trailer",
			body:       string(encodeChunked(data, 8192, sigA, nil, "")),
			want:       data,
			wantChunks: []Chunk{{8192, sigA}, {16000 - 8192, sigA}, {0, sigA}},
		},
		{
			name: "AWS example framing with distinct signatures",
			body: "5;chunk-signature=" + sigA + "\r\nhello\r\n" +
				"0;chunk-signature=" + sigB + "\r\n\r\n",
			want:       []byte("hello"),
			wantChunks: []Chunk{{5, sigA}, {0, sigB}},
		},
		{
			name:       "unsigned with trailer",
			body:       string(encodeChunked(data, 4096, "", []string{"x-amz-checksum-crc32:AAAAAA=="}, "")),
			want:       data,
			wantChunks: []Chunk{{4096, ""}, {4096, ""}, {4096, ""}, {16000 - 3*4096, ""}, {0, ""}},
			wantTrail:  http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}},
		},
		{
			name:       "signed with trailer and trailer signature",
			body:       string(encodeChunked([]byte("abc"), 8192, sigA, []string{"x-amz-checksum-sha256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}, sigB)),
			want:       []byte("abc"),
			wantChunks: []Chunk{{3, sigA}, {0, sigA}},
			wantTrail:  http.Header{"X-Amz-Checksum-Sha256": {"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}},
			wantSig:    sigB,
		},
		{
			name:       "empty body, signed",
			body:       "0;chunk-signature=" + sigA + "\r\n\r\n",
			want:       []byte{},
			wantChunks: []Chunk{{0, sigA}},
		},
		{
			name:       "empty body, unsigned trailer",
			body:       "0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n",
			want:       []byte{},
			wantChunks: []Chunk{{0, ""}},
			wantTrail:  http.Header{"X-Amz-Checksum-Crc32c": {"AAAAAA=="}},
		},
		{
			name:       "upper-case hex size and trailer value spaces",
			body:       "A\r\n0123456789\r\n0\r\nX-Amz-Checksum-Crc32: AAAAAA== \r\n\r\n",
			want:       []byte("0123456789"),
			wantChunks: []Chunk{{10, ""}, {0, ""}},
			wantTrail:  http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}},
		},
		{
			name:       "data containing CRLF and framing-like bytes",
			body:       "c\r\n0\r\n\r\n5;x\r\n\r\n\r\n0\r\n\r\n",
			want:       []byte("0\r\n\r\n5;x\r\n\r\n"),
			wantChunks: []Chunk{{12, ""}, {0, ""}},
		},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"one byte at a time", iotest.OneByteReader},
		{"half reads", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				cr := NewChunkedReader(rd.wrap(strings.NewReader(tt.body)))
				got, err := io.ReadAll(cr)
				if err != nil {
					t.Fatalf("ReadAll: %v", err)
				}
				if !bytes.Equal(got, tt.want) {
					t.Errorf("data: got %d bytes %q..., want %d bytes", len(got), limitForError(got), len(tt.want))
				}
				if fmt.Sprint(cr.Chunks()) != fmt.Sprint(tt.wantChunks) {
					t.Errorf("chunks: got %v, want %v", cr.Chunks(), tt.wantChunks)
				}
				wantTrail := tt.wantTrail
				if wantTrail == nil {
					wantTrail = http.Header{}
				}
				if fmt.Sprint(cr.Trailer()) != fmt.Sprint(wantTrail) {
					t.Errorf("trailer: got %v, want %v", cr.Trailer(), wantTrail)
				}
				if cr.TrailerSignature() != tt.wantSig {
					t.Errorf("trailer signature: got %q, want %q", cr.TrailerSignature(), tt.wantSig)
				}
				// EOF is sticky.
				if n, err := cr.Read(make([]byte, 8)); n != 0 || err != io.EOF {
					t.Errorf("Read after EOF: %d, %v", n, err)
				}
			})
		}
	}
}

// TestChunkedReaderIOContract runs the standard reader checks (short reads,
// ReadAt-free behaviour at EOF) over a decoded body.
func TestChunkedReaderIOContract(t *testing.T) {
	data := bytes.Repeat([]byte("s3kit "), 5000)
	body := encodeChunked(data, 8192, "", []string{"x-amz-checksum-crc32:AAAAAA=="}, "")
	if err := iotest.TestReader(NewChunkedReader(bytes.NewReader(body)), data); err != nil {
		t.Fatal(err)
	}
}

func TestChunkedReaderRejects(t *testing.T) {
	okEnd := "0\r\n\r\n"
	tests := []struct {
		name      string
		body      string
		truncated bool // the error also wraps io.ErrUnexpectedEOF
	}{
		{"empty input", "", true},
		{"no CRLF after data", "5\r\nhelloX\r\n" + okEnd, false},
		{"data longer than size", "3\r\nhello\r\n" + okEnd, false},
		{"bare LF line ending", "5\nhello\r\n" + okEnd, false},
		{"bare LF after data", "5\r\nhello\n" + okEnd, false},
		{"size with sign", "+5\r\nhello\r\n" + okEnd, false},
		{"size with 0x", "0x5\r\nhello\r\n" + okEnd, false},
		{"size with underscore", "0_5\r\nhello\r\n" + okEnd, false},
		{"size not hex", "5g\r\nhello\r\n" + okEnd, false},
		{"empty size", "\r\nhello\r\n" + okEnd, false},
		{"size too long", "00000000000000005\r\nhello\r\n" + okEnd, false},
		{"size beyond int64", "ffffffffffffffff\r\nhello\r\n" + okEnd, false},
		{"size with space", "5 \r\nhello\r\n" + okEnd, false},
		{"other chunk extension", "5;foo=bar\r\nhello\r\n" + okEnd, false},
		{"empty signature", "5;chunk-signature=\r\nhello\r\n0;chunk-signature=" + sigA + "\r\n\r\n", false},
		{"upper-case signature", "5;chunk-signature=" + strings.ToUpper(sigA) + "\r\nhello\r\n0;chunk-signature=" + sigA + "\r\n\r\n", false},
		{"signature not hex", "5;chunk-signature=" + strings.Repeat("zz", 32) + "\r\nhello\r\n0;chunk-signature=" + sigA + "\r\n\r\n", false},
		{"signature too long", "5;chunk-signature=" + strings.Repeat("a", maxSignatureLen+1) + "\r\nhello\r\n" + okEnd, false},
		{"signed then unsigned", "5;chunk-signature=" + sigA + "\r\nhello\r\n" + okEnd, false},
		{"unsigned then signed", "5\r\nhello\r\n0;chunk-signature=" + sigA + "\r\n\r\n", false},
		{"data after the end", "5\r\nhello\r\n" + okEnd + "x", false},
		{"second body after the end", "5\r\nhello\r\n" + okEnd + okEnd, false},
		{"trailer without colon", "0\r\nx-amz-checksum-crc32 AAAAAA==\r\n\r\n", false},
		{"trailer with empty name", "0\r\n:AAAAAA==\r\n\r\n", false},
		{"trailer name with space", "0\r\nx amz:AAAAAA==\r\n\r\n", false},
		{"trailer after trailer signature", "0\r\nx-amz-trailer-signature:" + sigA + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", false},
		{"two trailer signatures", "0\r\nx-amz-trailer-signature:" + sigA + "\r\nx-amz-trailer-signature:" + sigA + "\r\n\r\n", false},
		{"trailer signature not hex", "0\r\nx-amz-trailer-signature:xyz\r\n\r\n", false},
		{"line too long", strings.Repeat("0", maxChunkLine+10) + "\r\n", false},
		{"too many trailer lines", "0\r\n" + strings.Repeat("a:b\r\n", maxTrailerLines+1) + "\r\n", false},
		{"ends inside data", "5\r\nhel", true},
		{"ends before CRLF after data", "5\r\nhello", true},
		{"ends inside CRLF after data", "5\r\nhello\r", true},
		{"ends inside chunk header", "5\r\nhello\r\n0", true},
		{"ends before final CRLF", "5\r\nhello\r\n0\r\n", true},
		{"ends inside trailer", "0\r\nx-amz-checksum-crc32:AA", true},
		{"ends after trailer line", "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := NewChunkedReader(strings.NewReader(tt.body))
			_, err := io.ReadAll(cr)
			if !errors.Is(err, ErrMalformedChunkedBody) {
				t.Fatalf("got error %v, want ErrMalformedChunkedBody", err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.truncated {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v (err: %v)", got, tt.truncated, err)
			}
			if !strings.HasPrefix(err.Error(), "s3test: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			// The error is sticky.
			if _, err2 := cr.Read(make([]byte, 4)); err2 != err {
				t.Errorf("second Read: %v, want the same error %v", err2, err)
			}
		})
	}
}

// TestChunkedReaderEveryPrefixFails cuts a valid body at every byte: each
// strict prefix must be reported as truncated, never as a shorter success.
func TestChunkedReaderEveryPrefixFails(t *testing.T) {
	bodies := map[string][]byte{
		"signed":          encodeChunked([]byte("hello, world"), 5, sigA, nil, ""),
		"unsigned-trail":  encodeChunked([]byte("hello, world"), 5, "", []string{"x-amz-checksum-crc32:AAAAAA=="}, ""),
		"signed-trailsig": encodeChunked([]byte("hello"), 5, sigA, []string{"x-amz-checksum-crc32:AAAAAA=="}, sigB),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < len(body); i++ {
				_, err := io.ReadAll(NewChunkedReader(bytes.NewReader(body[:i])))
				if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ErrMalformedChunkedBody) {
					t.Fatalf("prefix of %d/%d bytes: got %v, want a truncation error", i, len(body), err)
				}
			}
			if _, err := io.ReadAll(NewChunkedReader(bytes.NewReader(body))); err != nil {
				t.Fatalf("whole body: %v", err)
			}
		})
	}
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestChunkedReaderPassesReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	for _, cut := range []int{0, 3, 9, 12} {
		body := encodeChunked([]byte("hello"), 5, "", nil, "")
		cr := NewChunkedReader(&errReader{data: body[:cut], err: boom})
		_, err := io.ReadAll(cr)
		if !errors.Is(err, boom) {
			t.Errorf("cut at %d: got %v, want the underlying error", cut, err)
		}
		if errors.Is(err, ErrMalformedChunkedBody) {
			t.Errorf("cut at %d: a read error is not a framing error: %v", cut, err)
		}
	}
}

func FuzzChunkedReader(f *testing.F) {
	f.Add(encodeChunked([]byte("hello, world"), 5, sigA, nil, ""))
	f.Add(encodeChunked([]byte("hello, world"), 4, "", []string{"x-amz-checksum-crc32:AAAAAA=="}, ""))
	f.Add(encodeChunked([]byte("abc"), 8, sigA, []string{"x-amz-checksum-crc32c:AAAAAA=="}, sigB))
	f.Add([]byte("0\r\n\r\n"))
	f.Add([]byte("A\r\n0123456789\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		cr := NewChunkedReader(bytes.NewReader(body))
		data, err := io.ReadAll(cr)
		if err != nil {
			if !errors.Is(err, ErrMalformedChunkedBody) {
				t.Fatalf("error %v does not wrap ErrMalformedChunkedBody", err)
			}
			return
		}
		// A body that decodes describes itself consistently and re-encodes
		// to no more bytes than it had.
		chunks := cr.Chunks()
		if len(chunks) == 0 || chunks[len(chunks)-1].Size != 0 {
			t.Fatalf("chunks %v do not end with the zero chunk", chunks)
		}
		var total int64
		for i, c := range chunks {
			if c.Size == 0 && i != len(chunks)-1 {
				t.Fatalf("zero chunk before the end: %v", chunks)
			}
			if (c.Signature == "") != (chunks[0].Signature == "") {
				t.Fatalf("mixed signed and unsigned chunks accepted: %v", chunks)
			}
			total += c.Size
		}
		if total != int64(len(data)) {
			t.Fatalf("chunk sizes add up to %d, data is %d bytes", total, len(data))
		}
		if int64(len(body)) < total {
			t.Fatalf("decoded %d bytes out of a %d-byte body", total, len(body))
		}
	})
}

// FuzzChunkedRoundTrip encodes arbitrary data in arbitrary chunk sizes and
// decodes it back.
func FuzzChunkedRoundTrip(f *testing.F) {
	f.Add([]byte("hello, world"), uint16(5), true)
	f.Add([]byte{}, uint16(1), false)
	f.Add(bytes.Repeat([]byte{'\r', '\n'}, 100), uint16(7), false)
	f.Fuzz(func(t *testing.T, data []byte, size uint16, signed bool) {
		chunkSize := int(size)%1024 + 1
		sig := ""
		var trailer []string
		if signed {
			sig = sigA
		} else {
			trailer = []string{"x-amz-checksum-crc32:AAAAAA=="}
		}
		body := encodeChunked(data, chunkSize, sig, trailer, "")
		got, err := io.ReadAll(NewChunkedReader(iotest.HalfReader(bytes.NewReader(body))))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("round trip changed the data: got %d bytes, want %d", len(got), len(data))
		}
	})
}
