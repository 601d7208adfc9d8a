package sigv4

// aws-chunked bodies: StreamingOptions and the encoded length, SignStreaming,
// and the readers that frame the chunks and sign them, each signature
// chained to the one before (SigV4's HMAC or SigV4a's ECDSA, as the header
// signature's algorithm).

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultChunkSize is the aws-chunked chunk size used when
// StreamingOptions.ChunkSize is zero.
const DefaultChunkSize = 64 << 10

// MinChunkSize is the smallest chunk S3 accepts, except for the last one.
const MinChunkSize = 8 << 10

// SingleChunk, as StreamingOptions.ChunkSize of an unsigned payload with a
// trailer, sends the whole body as one chunk that streams straight through
// with no buffer and no copy (as the AWS SDKs do): nothing is signed per
// chunk, so nothing has to be held.
const SingleChunk = -1

// MaxChunkSize is the largest StreamingOptions.ChunkSize accepted: the
// encoder holds one chunk in memory, and larger chunks gain nothing.
const MaxChunkSize = 16 << 20

// ErrShortBody is returned by the body of SignStreaming when the source ends
// before the declared decoded length.
var ErrShortBody = errors.New("sigv4: body ended before its declared length")

var errReadAfterClose = errors.New("sigv4: read from a closed aws-chunked body")

// StreamingOptions describe an aws-chunked body.
type StreamingOptions struct {
	// Payload is StreamingPayload, StreamingPayloadTrailer or
	// StreamingUnsignedPayloadTrailer for Signer, and StreamingPayloadV4a,
	// StreamingPayloadTrailerV4a or StreamingUnsignedPayloadTrailer for
	// SignerV4a.
	Payload string
	// ChunkSize is the size of each chunk but the last; 0 means
	// DefaultChunkSize. It must be between MinChunkSize and MaxChunkSize.
	// With StreamingUnsignedPayloadTrailer it may be SingleChunk.
	ChunkSize int
	// Checksum is fed every byte of the body; its sum, in base64, is sent as
	// the trailer. Required with the trailer payloads, ignored otherwise.
	Checksum hash.Hash
	// ChecksumHeader names the trailer, for example "x-amz-checksum-crc32c".
	ChecksumHeader string
}

func (o *StreamingOptions) check() error {
	switch o.Payload {
	case StreamingPayload, StreamingPayloadV4a:
	case StreamingPayloadTrailer, StreamingPayloadTrailerV4a, StreamingUnsignedPayloadTrailer:
		if o.Checksum == nil || o.ChecksumHeader == "" {
			return fmt.Errorf("%w: %s needs a Checksum and a ChecksumHeader", ErrInvalidStreamingOpt, o.Payload)
		}
		if !validHeaderName(o.ChecksumHeader) {
			return fmt.Errorf("%w: invalid ChecksumHeader %q", ErrInvalidStreamingOpt, o.ChecksumHeader)
		}
	default:
		return fmt.Errorf("%w: unknown payload %q", ErrInvalidStreamingOpt, o.Payload)
	}
	if o.ChunkSize == SingleChunk {
		if o.Payload != StreamingUnsignedPayloadTrailer {
			return fmt.Errorf("%w: SingleChunk needs %s", ErrInvalidStreamingOpt, StreamingUnsignedPayloadTrailer)
		}
		return nil
	}
	if o.ChunkSize != 0 && (o.ChunkSize < MinChunkSize || o.ChunkSize > MaxChunkSize) {
		return fmt.Errorf("%w: chunk size %d not between %d and %d", ErrInvalidStreamingOpt, o.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	return nil
}

func (o *StreamingOptions) chunkSize() int {
	if o.ChunkSize == 0 {
		return DefaultChunkSize
	}
	return o.ChunkSize
}

// oneChunk reports whether the body goes as a single streamed chunk.
func (o *StreamingOptions) oneChunk() bool {
	return o.ChunkSize == SingleChunk
}

func (o *StreamingOptions) trailer() bool {
	return o.Payload != StreamingPayload && o.Payload != StreamingPayloadV4a
}
func (o *StreamingOptions) signed() bool { return o.Payload != StreamingUnsignedPayloadTrailer }
func (o *StreamingOptions) v4a() bool {
	return o.Payload == StreamingPayloadV4a || o.Payload == StreamingPayloadTrailerV4a
}

// Chunk and trailer signatures on the wire: SigV4's are 64 hex digits;
// SigV4a's are the hex DER ECDSA signature (at most 72 bytes), padded on
// the right with '*' to 144 characters, so that the encoded length is
// known before anything is signed.
const (
	sigLenV4  = 2 * sha256.Size
	sigLenV4a = 144
)

// sigLen is the length of a chunk or trailer signature on the wire.
func (o *StreamingOptions) sigLen() int {
	if o.v4a() {
		return sigLenV4a
	}
	return sigLenV4
}

// sigExt is the length of a chunk's ";chunk-signature=..." extension.
func (o *StreamingOptions) sigExt() int { return len(";chunk-signature=") + o.sigLen() }

// chunkOverhead is the framing around a chunk of n bytes.
func (o *StreamingOptions) chunkOverhead(n int64) int64 {
	l := int64(len(strconv.FormatInt(n, 16))) + 4 // size, CRLF after it and after the data
	if o.signed() {
		l += int64(o.sigExt())
	}
	return l
}

// trailerLength is the length of the trailer lines after the final chunk,
// not counting the closing CRLF.
func (o *StreamingOptions) trailerLength() int {
	if !o.trailer() {
		return 0
	}
	n := len(o.ChecksumHeader) + 1 + base64.StdEncoding.EncodedLen(o.Checksum.Size()) + 2
	if o.signed() {
		n += len("x-amz-trailer-signature:") + o.sigLen() + 2
	}
	return n
}

// StreamingLength returns the Content-Length of the aws-chunked encoding of
// a body of decodedLength bytes (what S3 needs with
// X-Amz-Decoded-Content-Length). It computes in int64, so it is exact for
// any size on 32-bit platforms too. The SigV4a payloads have their own
// StreamingLengthV4a.
func StreamingLength(decodedLength int64, opts StreamingOptions) (int64, error) {
	if opts.v4a() {
		return 0, fmt.Errorf("%w: %s is a SigV4a payload (see SignerV4a)", ErrInvalidStreamingOpt, opts.Payload)
	}
	return streamingLength(decodedLength, opts)
}

func streamingLength(decodedLength int64, opts StreamingOptions) (int64, error) {
	if err := opts.check(); err != nil {
		return 0, err
	}
	if decodedLength < 0 {
		return 0, fmt.Errorf("%w: negative length %d", ErrInvalidStreamingOpt, decodedLength)
	}
	cs := int64(opts.chunkSize())
	if opts.oneChunk() {
		cs = max(decodedLength, 1)
	}
	full := decodedLength / cs
	n := decodedLength + full*opts.chunkOverhead(cs)
	if rest := decodedLength % cs; rest > 0 {
		n += opts.chunkOverhead(rest)
	}
	// The final zero-length chunk: "0" [sig] CRLF.
	n += 1 + 2
	if opts.signed() {
		n += int64(opts.sigExt())
	}
	n += int64(opts.trailerLength())
	return n + 2, nil // the closing CRLF
}

// SignStreaming prepares req to send body, of exactly decodedLength bytes,
// in aws-chunked encoding: it sets Content-Encoding, X-Amz-Decoded-Content-Length,
// X-Amz-Trailer (with a checksum trailer) and req.ContentLength (and a
// Content-Length header, if the map has one, since it would be signed), signs
// the headers with opts.Payload as the payload hash, and replaces req.Body
// with a reader that frames and signs each chunk as it is read (seeded with
// the header signature). Bytes of body beyond decodedLength are not read; a
// body that ends early makes the reader fail with ErrShortBody, and an error
// of body is returned as is. Closing req.Body (net/http does) closes body if
// it is an io.Closer. The body is read once: to retry, call SignStreaming
// again with a fresh body (the Checksum is reset). On error req is unchanged,
// except when signing itself fails (see Sign).
func (s *Signer) SignStreaming(req *http.Request, body io.Reader, decodedLength int64, creds Credentials, region string, opts StreamingOptions, t time.Time) error {
	return signStreaming(s, req, body, decodedLength, creds, region, opts, t)
}

func checkStreaming(req *http.Request, body io.Reader) error {
	if body == nil {
		return fmt.Errorf("%w: nil body", ErrInvalidStreamingOpt)
	}
	return checkRequest(req)
}

// setStreamingHeaders sets the headers of an aws-chunked body of
// decodedLength bytes, encoded in encoded bytes.
func setStreamingHeaders(req *http.Request, decodedLength, encoded int64, opts StreamingOptions) {
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	// A retry signs the same request again: keep an existing aws-chunked.
	const ce = "aws-chunked"
	switch prev := req.Header.Get("Content-Encoding"); {
	case prev == "":
		req.Header.Set("Content-Encoding", ce)
	case prev == ce || strings.HasPrefix(prev, ce+","):
	default:
		req.Header.Set("Content-Encoding", ce+","+prev)
	}
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(decodedLength, 10))
	if opts.trailer() {
		req.Header.Set("X-Amz-Trailer", opts.ChecksumHeader)
	} else {
		req.Header.Del("X-Amz-Trailer")
	}
	req.ContentLength = encoded
	if _, ok := req.Header["Content-Length"]; ok {
		req.Header.Set("Content-Length", strconv.FormatInt(encoded, 10))
	}
}

// setStreamingBody replaces req.Body with the aws-chunked encoding of body.
// It returns the chunkedReader, whose signing fields (for signed chunks)
// the caller sets before the body is read, or nil for a SingleChunk body.
func setStreamingBody(req *http.Request, body io.Reader, decodedLength int64, opts StreamingOptions) *chunkedReader {
	req.GetBody = nil
	if opts.oneChunk() {
		opts.Checksum.Reset()
		req.Body = &oneChunkReader{src: body, remaining: decodedLength, opts: opts,
			head: strconv.AppendInt(nil, decodedLength, 16)}
		return nil
	}
	cr := &chunkedReader{
		src:       body,
		remaining: decodedLength,
		opts:      opts,
	}
	cr.bufSize = maxChunkHeader + opts.chunkSize() + 2
	if decodedLength < int64(opts.chunkSize()) {
		cr.bufSize = maxChunkHeader + int(decodedLength) + 2
	}
	cr.bufSize += opts.trailerLength() + 2
	if opts.trailer() {
		opts.Checksum.Reset()
	}
	req.Body = cr
	return cr
}

// chunkPool recycles chunk buffers between requests.
var chunkPool sync.Pool

// chunkedReader produces the aws-chunked encoding of src.
type chunkedReader struct {
	src       io.Reader
	remaining int64
	opts      StreamingOptions
	g         signature // the header signature's algorithm and key, for signed chunks
	prefix    []byte    // "<date>\n<scope>" of the chunk strings to sign
	prevSig   []byte    // chained into the next string to sign
	wire      []byte    // a SigV4a signature padded as sent
	sts       []byte    // scratch for strings to sign
	bufSize   int

	// net/http may call Close while a Read is still running in another
	// goroutine (when the server answers early or the request is
	// canceled). The chunk buffer goes back to the pool only when no Read
	// is using it, or another request could be handed a buffer this one is
	// still writing to.
	mu      sync.Mutex
	reading bool
	closed  bool

	buf  *[]byte // current frame: header, data, CRLF
	out  []byte  // unread part of the frame
	done bool
	err  error
}

const maxChunkHeader = 16 + len(";chunk-signature=") + sigLenV4a + 2

func (r *chunkedReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, errReadAfterClose
	}
	r.reading = true
	r.mu.Unlock()

	n, err := r.read(p)

	r.mu.Lock()
	r.reading = false
	if err != nil || r.closed {
		r.release()
	}
	r.mu.Unlock()
	return n, err
}

func (r *chunkedReader) read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			r.err = io.EOF
			return 0, io.EOF
		}
		if err := r.nextFrame(); err != nil {
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// Close releases the chunk buffer and closes the source if it is an
// io.Closer; net/http calls it when the request ends.
func (r *chunkedReader) Close() error {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	if !r.reading {
		r.release()
	}
	r.mu.Unlock()
	if already {
		return nil
	}
	if c, ok := r.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// release returns the chunk buffer to the pool; r.mu is held.
func (r *chunkedReader) release() {
	if r.buf != nil {
		chunkPool.Put(r.buf)
		r.buf = nil
		r.out = nil
	}
}

// nextFrame reads the next chunk from src and frames it into r.buf.
func (r *chunkedReader) nextFrame() error {
	cs := r.opts.chunkSize()
	if r.buf == nil {
		if b, ok := chunkPool.Get().(*[]byte); ok && cap(*b) >= r.bufSize {
			r.buf = b
		} else {
			b := make([]byte, r.bufSize)
			r.buf = &b
		}
	}
	buf := (*r.buf)[:cap(*r.buf)]
	n := cs
	if r.remaining < int64(n) {
		n = int(r.remaining)
	}
	data := buf[maxChunkHeader : maxChunkHeader+n]
	if n > 0 {
		if _, err := io.ReadFull(r.src, data); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return fmt.Errorf("%w: %d bytes missing", ErrShortBody, r.remaining)
			}
			return err
		}
		r.remaining -= int64(n)
		if r.opts.trailer() {
			r.opts.Checksum.Write(data)
		}
	}

	// The header goes right before the data, so the frame is contiguous.
	var hdr [maxChunkHeader]byte
	h := strconv.AppendInt(hdr[:0], int64(n), 16)
	if r.opts.signed() {
		sig, err := r.chunkSignature(data)
		if err != nil {
			return err
		}
		h = append(h, ";chunk-signature="...)
		h = append(h, sig...)
	}
	h = append(h, '\r', '\n')
	start := maxChunkHeader - len(h)
	copy(buf[start:], h)
	end := maxChunkHeader + n
	if n > 0 {
		buf = append(buf[:end], '\r', '\n')
		end += 2
	} else {
		// The final chunk: trailers (if any), then the closing CRLF.
		buf = buf[:end]
		if r.opts.trailer() {
			var err error
			if buf, err = r.appendTrailer(buf); err != nil {
				return err
			}
		}
		buf = append(buf, '\r', '\n')
		end = len(buf)
		r.done = true
	}
	r.out = buf[start:end]
	return nil
}

// chunkSignature signs one chunk, chained to the previous signature.
func (r *chunkedReader) chunkSignature(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return r.signString(r.g.chunkAlgorithm(false), EmptyPayloadHash, sum[:])
}

// signString signs the string to sign of a chunk or trailer and returns
// the signature as sent: SigV4a's padded on the right with '*' to
// sigLenV4a, the chain keeping it without the padding.
func (r *chunkedReader) signString(algo, extra string, hashed []byte) ([]byte, error) {
	sts := r.sts[:0]
	sts = append(sts, algo...)
	sts = append(sts, '\n')
	sts = append(sts, r.prefix...)
	sts = append(sts, '\n')
	sts = append(sts, r.prevSig...)
	sts = append(sts, '\n')
	if extra != "" {
		sts = append(sts, extra...)
		sts = append(sts, '\n')
	}
	sts = hex.AppendEncode(sts, hashed)
	r.sts = sts
	sig, err := r.g.appendSig(r.prevSig[:0], sts)
	if err != nil {
		return nil, err
	}
	r.prevSig = sig
	if !r.g.v4a {
		return sig, nil
	}
	if len(sig) > sigLenV4a {
		return nil, fmt.Errorf("sigv4: SigV4a signature of %d hex digits", len(sig))
	}
	r.wire = append(r.wire[:0], sig...)
	for len(r.wire) < sigLenV4a {
		r.wire = append(r.wire, '*')
	}
	return r.wire, nil
}

func (r *chunkedReader) appendTrailer(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, r.opts.ChecksumHeader...)
	dst = append(dst, ':')
	dst = base64.StdEncoding.AppendEncode(dst, r.opts.Checksum.Sum(nil))
	if r.opts.signed() {
		// The trailer's string to sign hashes "name:value\n".
		h := sha256.Sum256(append(dst, '\n')[start:])
		sig, err := r.signString(r.g.chunkAlgorithm(true), "", h[:])
		if err != nil {
			return nil, err
		}
		dst = append(dst, "\r\nx-amz-trailer-signature:"...)
		dst = append(dst, sig...)
	}
	return append(dst, '\r', '\n'), nil
}

// oneChunkReader is the aws-chunked encoding of an unsigned body with a
// checksum trailer, as one chunk: the size line, the body read straight
// from src (and hashed on the way), then the zero chunk and the trailer.
//
// Reads come from one goroutine at a time (net/http's write loop); Close
// may come from another while a Read waits on src, so only closed is
// shared, and it is never held across a Read of src.
type oneChunkReader struct {
	src       io.Reader
	remaining int64
	opts      StreamingOptions
	head      []byte // "<hex size>" then CRLF, then what follows the data
	stage     int    // 0: head, 1: data, 2: tail, 3: done
	closed    atomic.Bool
	err       error
}

func (r *oneChunkReader) Read(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, errReadAfterClose
	}
	for {
		if r.err != nil {
			return 0, r.err
		}
		switch r.stage {
		case 0:
			if r.remaining == 0 {
				r.head = r.head[:0] // an empty body has only the zero chunk
				r.stage = 2
				r.head = r.tail(r.head)
				continue
			}
			if len(r.head) == 0 || r.head[len(r.head)-1] != '\n' {
				r.head = append(r.head, '\r', '\n')
			}
			n := copy(p, r.head)
			r.head = r.head[n:]
			if len(r.head) == 0 {
				r.stage = 1
			}
			return n, nil
		case 1:
			if int64(len(p)) > r.remaining {
				p = p[:r.remaining]
			}
			n, err := r.src.Read(p)
			r.opts.Checksum.Write(p[:n])
			r.remaining -= int64(n)
			if r.remaining == 0 {
				r.stage = 2
				r.head = r.tail(append(r.head[:0], '\r', '\n'))
				return n, nil
			}
			if err == io.EOF {
				r.err = ErrShortBody
				return n, nil
			}
			if err != nil {
				r.err = err
			}
			return n, nil
		case 2:
			n := copy(p, r.head)
			r.head = r.head[n:]
			if len(r.head) == 0 {
				r.stage = 3
			}
			return n, nil
		default:
			return 0, io.EOF
		}
	}
}

// tail appends the zero chunk, the trailer and the closing CRLF.
func (r *oneChunkReader) tail(dst []byte) []byte {
	dst = append(dst, "0\r\n"...)
	dst = append(dst, r.opts.ChecksumHeader...)
	dst = append(dst, ':')
	dst = base64.StdEncoding.AppendEncode(dst, r.opts.Checksum.Sum(nil))
	return append(dst, "\r\n\r\n"...)
}

// Close closes src if it is an io.Closer; later reads fail.
func (r *oneChunkReader) Close() error {
	already := r.closed.Swap(true)
	if c, ok := r.src.(io.Closer); ok && !already {
		return c.Close()
	}
	return nil
}
