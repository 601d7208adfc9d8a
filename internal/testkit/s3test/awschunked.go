// This file decodes aws-chunked bodies (SigV4 streaming uploads). What the
// server does with the decoded bytes, the lengths and the trailing checksum
// is in body.go.

package s3test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
)

// ErrMalformedChunkedBody is wrapped by every error ChunkedReader returns
// for a body that is not valid aws-chunked framing; a body that ends early
// also wraps io.ErrUnexpectedEOF.
var ErrMalformedChunkedBody = errors.New("s3test: malformed aws-chunked body")

const (
	// maxChunkLine bounds a chunk header or trailer line, CRLF included. A
	// SigV4a chunk signature (about 144 hex digits) fits with room to spare.
	maxChunkLine = 4096
	// maxTrailerLines bounds the trailer section.
	maxTrailerLines = 64
	// maxSignatureLen bounds a chunk signature: 64 hex digits for HMAC-SHA256,
	// a DER-encoded ECDSA signature in hex for SigV4a.
	maxSignatureLen = 512
)

// Chunk describes one chunk of an aws-chunked body as it was framed.
type Chunk struct {
	// Size is the chunk's data length; the final chunk has Size 0.
	Size int64
	// Signature is the chunk-signature extension, "" in unsigned framing.
	Signature string
}

// ChunkedReader decodes an aws-chunked body: the framing of SigV4 streaming
// uploads, whose x-amz-content-sha256 is one of the STREAMING-* values.
//
// The framing it accepts, byte for byte:
//
//	signed chunk:    hex-size ";chunk-signature=" signature CRLF data CRLF
//	unsigned chunk:  hex-size CRLF data CRLF
//	end:             a chunk of size 0 (no data, no CRLF after it), then
//	                 zero or more trailer lines "name:value" CRLF, then CRLF
//
// All chunks of one body must be either signed or unsigned. Signatures are
// lower-case hex. Bytes after the final CRLF are an error. ChunkedReader
// checks framing only: it verifies no signature, enforces no minimum chunk
// size and knows nothing about declared lengths (body.go does that).
//
// Chunks, Trailer and TrailerSignature describe what has been read so far and
// are complete once Read has returned io.EOF.
type ChunkedReader struct {
	br         *bufio.Reader
	remaining  int64 // data bytes left in the current chunk
	inData     bool  // inside a chunk's data
	signed     int   // 0 unknown, 1 signed, -1 unsigned
	chunks     []Chunk
	trailer    http.Header
	trailerSig string
	err        error // sticky: io.EOF after a complete body

	// sigs, when set (a server with credentials), checks each chunk's
	// signature against its data as the data is read, and the trailer's.
	sigs         *chunkSigner
	dataHash     hash.Hash
	dataSig      string // the signature of the chunk being read
	trailerLines []byte // "name:value\n" of each trailer, names in lower case
}

// NewChunkedReader returns a ChunkedReader that decodes r.
func NewChunkedReader(r io.Reader) *ChunkedReader {
	return &ChunkedReader{br: bufio.NewReaderSize(r, 32<<10)}
}

// Chunks returns the chunks read so far, the final zero-size chunk included
// once it has been read.
func (c *ChunkedReader) Chunks() []Chunk { return c.chunks }

// Trailer returns the trailing headers (names in canonical form), without
// x-amz-trailer-signature. It is empty before io.EOF and for a body without
// trailers.
func (c *ChunkedReader) Trailer() http.Header {
	if c.trailer == nil {
		return http.Header{}
	}
	return c.trailer
}

// TrailerSignature returns the x-amz-trailer-signature trailer, or "".
func (c *ChunkedReader) TrailerSignature() string { return c.trailerSig }

// Read reads decoded data.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for !c.inData {
		if err := c.readChunkHeader(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	if c.dataHash != nil {
		c.dataHash.Write(p[:n])
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = truncated("chunk data")
		}
		c.err = err
		return n, err
	}
	if c.remaining == 0 {
		if c.sigs != nil && c.dataSig != "" && !c.sigs.chunk(c.dataSig, c.dataHash.Sum(nil)) {
			c.err = signatureMismatch("chunk " + strconv.Itoa(len(c.chunks)))
			return n, c.err
		}
		if err := c.expectCRLF("chunk data"); err != nil {
			c.err = err
			return n, err
		}
		c.inData = false
	}
	return n, nil
}

// readChunkHeader reads one chunk header. For a data chunk it leaves the
// reader inside the data; for the final chunk it reads the trailer and the
// end of the body and returns io.EOF.
func (c *ChunkedReader) readChunkHeader() error {
	line, err := c.readLine("chunk header")
	if err != nil {
		return err
	}
	sizeField, sig, hasExt := bytes.Cut(line, []byte(";"))
	size, err := parseChunkSize(sizeField)
	if err != nil {
		return err
	}
	var signature string
	if hasExt {
		v, ok := bytes.CutPrefix(sig, []byte("chunk-signature="))
		if !ok {
			return malformed("chunk extension %q is not chunk-signature", limitForError(sig))
		}
		if !isLowerHex(v) || len(v) == 0 || len(v) > maxSignatureLen {
			return malformed("chunk signature %q is not lower-case hex", limitForError(v))
		}
		signature = string(v)
	}
	kind := -1
	if hasExt {
		kind = 1
	}
	switch {
	case c.signed == 0:
		c.signed = kind
	case c.signed != kind:
		return malformed("chunk %d mixes signed and unsigned framing", len(c.chunks)+1)
	}
	c.chunks = append(c.chunks, Chunk{Size: size, Signature: signature})
	if size > 0 {
		c.remaining = size
		c.inData = true
		if c.sigs != nil {
			c.dataSig = signature
			c.dataHash.Reset()
		}
		return nil
	}
	if c.sigs != nil && signature != "" && !c.sigs.chunk(signature, emptySHA256[:]) {
		return signatureMismatch("final chunk")
	}
	if err := c.readTrailer(); err != nil {
		return err
	}
	if c.sigs != nil && c.trailerSig != "" && !c.sigs.trailer(c.trailerSig, c.trailerLines) {
		return signatureMismatch("trailer")
	}
	// Nothing may follow the body: extra bytes mean the sender framed or
	// counted wrongly.
	if _, err := c.br.ReadByte(); err == nil {
		return malformed("data after the final chunk")
	} else if !errors.Is(err, io.EOF) {
		return err
	}
	return io.EOF
}

func (c *ChunkedReader) readTrailer() error {
	for i := 0; ; i++ {
		line, err := c.readLine("trailer")
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if i == maxTrailerLines {
			return malformed("more than %d trailer lines", maxTrailerLines)
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isToken(name) {
			return malformed("trailer line %q is not name:value", limitForError(line))
		}
		v := string(bytes.Trim(value, " \t"))
		key := http.CanonicalHeaderKey(string(name))
		if key == "X-Amz-Trailer-Signature" {
			if c.trailerSig != "" {
				return malformed("two x-amz-trailer-signature lines")
			}
			if !isLowerHex([]byte(v)) || v == "" || len(v) > maxSignatureLen {
				return malformed("trailer signature %q is not lower-case hex", limitForError([]byte(v)))
			}
			c.trailerSig = v
			continue
		}
		if c.trailerSig != "" {
			return malformed("trailer %q after x-amz-trailer-signature", key)
		}
		if c.trailer == nil {
			c.trailer = http.Header{}
		}
		c.trailer.Add(key, v)
		c.trailerLines = append(append(append(append(c.trailerLines, bytes.ToLower(name)...), ':'), v...), '\n')
	}
}

// readLine returns the next line without its CRLF. A bare LF is an error:
// the framing is CRLF throughout.
func (c *ChunkedReader) readLine(what string) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine:
		return nil, malformed("%s line longer than %d bytes", what, maxChunkLine)
	case errors.Is(err, io.EOF):
		return nil, truncated(what)
	case err != nil:
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, malformed("%s line %q does not end in CRLF", what, limitForError(line))
	}
	return line[:len(line)-2], nil
}

func (c *ChunkedReader) expectCRLF(after string) error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return truncated("CRLF after " + after)
		}
		return err
	}
	if b != [2]byte{'\r', '\n'} {
		return malformed("no CRLF after %s (chunk %d is longer than its size says?)", after, len(c.chunks))
	}
	return nil
}

// parseChunkSize parses the hex size of a chunk header; strconv alone would
// accept a sign, an "0x" prefix and underscores.
func parseChunkSize(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 16 {
		return 0, malformed("chunk size %q is not 1 to 16 hex digits", limitForError(b))
	}
	for _, ch := range b {
		if !isHexDigit(ch) {
			return 0, malformed("chunk size %q is not hex", limitForError(b))
		}
	}
	n, err := strconv.ParseUint(string(b), 16, 63)
	if err != nil {
		return 0, malformed("chunk size %q is out of range", b)
	}
	return int64(n), nil
}

func isHexDigit(ch byte) bool {
	return '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
}

func isLowerHex(b []byte) bool {
	for _, ch := range b {
		if !('0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f') {
			return false
		}
	}
	return true
}

// isToken reports whether b is a non-empty HTTP token (RFC 9110 tchar).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, ch := range b {
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), ch) >= 0:
		default:
			return false
		}
	}
	return true
}

// limitForError keeps error messages short when the input is garbage.
func limitForError(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedChunkedBody, fmt.Sprintf(format, args...))
}

func truncated(what string) error {
	return fmt.Errorf("%w: body ends inside %s: %w", ErrMalformedChunkedBody, what, io.ErrUnexpectedEOF)
}
