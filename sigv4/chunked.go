package sigv4

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
	"sync"
	"time"
)

// DefaultChunkSize is the aws-chunked chunk size used when
// StreamingOptions.ChunkSize is zero.
const DefaultChunkSize = 64 << 10

// MinChunkSize is the smallest chunk S3 accepts, except for the last one.
const MinChunkSize = 8 << 10

// StreamingOptions describe an aws-chunked body.
type StreamingOptions struct {
	// Payload is StreamingPayload, StreamingPayloadTrailer or
	// StreamingUnsignedPayloadTrailer.
	Payload string
	// ChunkSize is the size of each chunk but the last; 0 means
	// DefaultChunkSize. It must be at least MinChunkSize.
	ChunkSize int
	// Checksum is fed every byte of the body; its sum, in base64, is sent as
	// the trailer. Required with the trailer payloads, ignored otherwise.
	Checksum hash.Hash
	// ChecksumHeader names the trailer, for example "x-amz-checksum-crc32c".
	ChecksumHeader string
}

func (o *StreamingOptions) check() error {
	switch o.Payload {
	case StreamingPayload:
	case StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		if o.Checksum == nil || o.ChecksumHeader == "" {
			return fmt.Errorf("%w: %s needs a Checksum and a ChecksumHeader", ErrInvalidStreamingOpt, o.Payload)
		}
	default:
		return fmt.Errorf("%w: unknown payload %q", ErrInvalidStreamingOpt, o.Payload)
	}
	if o.ChunkSize != 0 && o.ChunkSize < MinChunkSize {
		return fmt.Errorf("%w: chunk size %d below %d", ErrInvalidStreamingOpt, o.ChunkSize, MinChunkSize)
	}
	return nil
}

func (o *StreamingOptions) chunkSize() int {
	if o.ChunkSize == 0 {
		return DefaultChunkSize
	}
	return o.ChunkSize
}

func (o *StreamingOptions) trailer() bool { return o.Payload != StreamingPayload }
func (o *StreamingOptions) signed() bool  { return o.Payload != StreamingUnsignedPayloadTrailer }

const sigExt = len(";chunk-signature=") + 64

// chunkOverhead is the framing around a chunk of n bytes.
func (o *StreamingOptions) chunkOverhead(n int64) int64 {
	l := int64(len(strconv.FormatInt(n, 16))) + 4 // size, CRLF after it and after the data
	if o.signed() {
		l += int64(sigExt)
	}
	return l
}

// StreamingLength returns the Content-Length of the aws-chunked encoding of
// a body of decodedLength bytes (what S3 needs with
// X-Amz-Decoded-Content-Length). It computes in int64, so it is exact for
// any size on 32-bit platforms too.
func StreamingLength(decodedLength int64, opts StreamingOptions) (int64, error) {
	if err := opts.check(); err != nil {
		return 0, err
	}
	if decodedLength < 0 {
		return 0, fmt.Errorf("%w: negative length %d", ErrInvalidStreamingOpt, decodedLength)
	}
	cs := int64(opts.chunkSize())
	full := decodedLength / cs
	n := decodedLength + full*opts.chunkOverhead(cs)
	if rest := decodedLength % cs; rest > 0 {
		n += opts.chunkOverhead(rest)
	}
	// The final zero-length chunk: "0" [sig] CRLF.
	n += 1 + 2
	if opts.signed() {
		n += int64(sigExt)
	}
	if opts.trailer() {
		n += int64(len(opts.ChecksumHeader)+1+base64.StdEncoding.EncodedLen(opts.Checksum.Size())) + 2
		if opts.signed() {
			n += int64(len("x-amz-trailer-signature:")+64) + 2
		}
	}
	return n + 2, nil // the closing CRLF
}

// SignStreaming prepares req to send body, of exactly decodedLength bytes,
// in aws-chunked encoding: it sets Content-Encoding, X-Amz-Decoded-Content-Length,
// X-Amz-Trailer (with a checksum trailer) and req.ContentLength, signs the
// headers with opts.Payload as the payload hash, and replaces req.Body with a
// reader that frames and signs each chunk as it is read (seeded with the
// header signature). The body is read once: to retry, call SignStreaming
// again with a fresh body and a reset Checksum.
func (s *Signer) SignStreaming(req *http.Request, body io.Reader, decodedLength int64, creds Credentials, region string, opts StreamingOptions, t time.Time) error {
	encoded, err := StreamingLength(decodedLength, opts)
	if err != nil {
		return err
	}
	if body == nil {
		return fmt.Errorf("%w: nil body", ErrInvalidStreamingOpt)
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	ce := "aws-chunked"
	if prev := req.Header.Get("Content-Encoding"); prev != "" && prev != ce {
		ce += "," + prev
	}
	req.Header.Set("Content-Encoding", ce)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(decodedLength, 10))
	if opts.trailer() {
		req.Header.Set("X-Amz-Trailer", opts.ChecksumHeader)
	} else {
		req.Header.Del("X-Amz-Trailer")
	}
	req.ContentLength = encoded
	seed, err := s.sign(req, creds, region, opts.Payload, t)
	if err != nil {
		return err
	}
	t = t.UTC()
	cr := &chunkedReader{
		src:       body,
		remaining: decodedLength,
		opts:      opts,
		prevSig:   []byte(seed),
	}
	if opts.signed() {
		cr.key = s.keys.entry(creds.SecretAccessKey, t, region, s.service())
		cr.prefix = appendScope(append(t.AppendFormat(nil, timeFormat), '\n'), t, region, s.service())
	}
	if opts.Checksum != nil && opts.trailer() {
		opts.Checksum.Reset()
	}
	req.Body = cr
	req.GetBody = nil
	return nil
}

var errShortBody = errors.New("sigv4: body ended before its declared length")

// chunkPool recycles chunk buffers between requests.
var chunkPool sync.Pool

// chunkedReader produces the aws-chunked encoding of src.
type chunkedReader struct {
	src       io.Reader
	remaining int64
	opts      StreamingOptions
	key       *keyEntry // nil for unsigned chunks
	prefix    []byte    // "<date>\n<scope>" of the chunk strings to sign
	prevSig   []byte

	buf  *[]byte // current frame: header, data, CRLF
	out  []byte  // unread part of the frame
	done bool
	err  error
}

const maxChunkHeader = 16 + sigExt + 2

func (r *chunkedReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			r.release()
			r.err = io.EOF
			return 0, io.EOF
		}
		if err := r.nextFrame(); err != nil {
			r.release()
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// Close releases the chunk buffer; net/http calls it when the request ends.
func (r *chunkedReader) Close() error {
	r.release()
	if r.err == nil {
		r.err = errors.New("sigv4: read after close")
	}
	if c, ok := r.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

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
		if b, ok := chunkPool.Get().(*[]byte); ok && cap(*b) >= maxChunkHeader+cs+2 {
			r.buf = b
		} else {
			b := make([]byte, maxChunkHeader+cs+2)
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
				return errShortBody
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
	if r.key != nil {
		sig := r.chunkSignature(data)
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
			buf = r.appendTrailer(buf)
		}
		buf = append(buf, '\r', '\n')
		end = len(buf)
		r.done = true
	}
	r.out = buf[start:end]
	return nil
}

// chunkSignature signs one chunk, chained to the previous signature.
func (r *chunkedReader) chunkSignature(data []byte) []byte {
	sum := sha256.Sum256(data)
	return r.signString("AWS4-HMAC-SHA256-PAYLOAD", EmptyPayloadHash, sum[:])
}

func (r *chunkedReader) signString(algo, extra string, hashed []byte) []byte {
	sts := make([]byte, 0, 256)
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
	sig := r.key.sum(sts)
	r.prevSig = hex.AppendEncode(r.prevSig[:0], sig[:])
	return r.prevSig
}

func (r *chunkedReader) appendTrailer(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, r.opts.ChecksumHeader...)
	dst = append(dst, ':')
	var sum [64]byte
	dst = base64.StdEncoding.AppendEncode(dst, r.opts.Checksum.Sum(sum[:0]))
	if r.key != nil {
		// The trailer's string to sign hashes "name:value\n".
		line := append(append([]byte(nil), dst[start:]...), '\n')
		h := sha256.Sum256(line)
		sig := r.signString("AWS4-HMAC-SHA256-TRAILER", "", h[:])
		dst = append(dst, "\r\nx-amz-trailer-signature:"...)
		dst = append(dst, sig...)
	}
	return append(dst, '\r', '\n')
}
