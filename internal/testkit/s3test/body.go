// This file is the part of the handler chain that checks request bodies
// before gofakes3 sees them: it decodes aws-chunked bodies (gofakes3 cannot,
// see doc.go), and verifies x-amz-content-sha256 and x-amz-checksum-* values
// as S3 does, since gofakes3 verifies neither. It also keeps signing headers
// that gofakes3 stores as metadata out of GET and HEAD responses.

package s3test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// The x-amz-content-sha256 values of SigV4 streaming uploads.
const (
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// minChunkSize is the smallest data chunk S3 accepts in an aws-chunked body,
// except for the last data chunk.
const minChunkSize = 8192

// streamingMode is what one STREAMING-* value promises about the framing.
type streamingMode struct {
	signed  bool // every chunk carries a chunk-signature
	trailer bool // a trailer follows the final chunk
	sigLen  int  // exact signature length in hex digits; 0 when it varies (ECDSA)
}

var streamingModes = map[string]streamingMode{
	streamingSigned:          {signed: true, sigLen: 64},
	streamingSignedTrailer:   {signed: true, trailer: true, sigLen: 64},
	streamingUnsignedTrailer: {trailer: true},
	streamingECDSA:           {signed: true},
	streamingECDSATrailer:    {signed: true, trailer: true},
}

// echoedHeaders are request headers gofakes3 stores as object metadata
// (it keeps every X-Amz-* header) that S3 never returns on GET or HEAD. The
// session token and the SSE-C keys are secrets besides.
var echoedHeaders = []string{
	"X-Amz-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source",
	"X-Amz-Copy-Source-Range",
	"X-Amz-Metadata-Directive",
	"X-Amz-Tagging-Directive",
	"X-Amz-Tagging",
	"X-Amz-Acl",
	"X-Amz-Date",
	"X-Amz-Content-Sha256",
	"X-Amz-Security-Token",
	"X-Amz-User-Agent",
	"X-Amz-Sdk-Checksum-Algorithm",
	"X-Amz-Sdk-Invocation-Id",
	"X-Amz-Sdk-Request",
	"X-Amz-Decoded-Content-Length",
	"X-Amz-Trailer",
	"X-Amz-Checksum-Algorithm",
	"X-Amz-Checksum-Type",
}

// s3Error is an error answer. It embeds gofakes3.ErrorResponse so that when
// a body read fails inside gofakes3, gofakes3 writes it as it writes its own
// errors; status overrides gofakes3's status for codes it does not know.
type s3Error struct {
	gofakes3.ErrorResponse
	status int
}

func requestError(status int, code, message string) *s3Error {
	return &s3Error{
		ErrorResponse: gofakes3.ErrorResponse{Code: gofakes3.ErrorCode(code), Message: message},
		status:        status,
	}
}

func writeS3Error(w http.ResponseWriter, r *http.Request, e *s3Error) {
	writeXML(w, r, e.status, e)
}

// writeXML answers status with the XML document doc (no body for HEAD).
func writeXML(w http.ResponseWriter, r *http.Request, status int, doc any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	out, err := xml.Marshal(doc)
	if err != nil { // the documents are structs of strings, which always marshal
		return
	}
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}

// checkBodies wraps next with the body checks and the response filter.
func checkBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, body, err := prepareBody(r)
		if err != nil {
			var e *s3Error
			if !errors.As(err, &e) {
				e = requestError(http.StatusInternalServerError, "InternalError", err.Error())
			}
			writeS3Error(w, r, e)
			return
		}
		rw := &responseWriter{ResponseWriter: w, req: r, body: body}
		next.ServeHTTP(rw, r)
		if !rw.wroteHeader {
			// A handler that writes nothing (gofakes3's HEAD object) gets
			// its 200 from net/http after returning, past the filter.
			rw.WriteHeader(http.StatusOK)
		}
	})
}

// prepareBody validates the body-related headers of r and returns the request
// to hand on: a clone whose Body checks (and for aws-chunked, decodes) the
// payload as it is read. body is nil when there is nothing to check.
func prepareBody(r *http.Request) (*http.Request, *checkedBody, error) {
	b := &checkedBody{}
	hdr := r.Header

	sha := hdr.Get("X-Amz-Content-Sha256")
	switch {
	case sha == "" || sha == "UNSIGNED-PAYLOAD":
	case strings.HasPrefix(sha, "STREAMING-"):
		mode, ok := streamingModes[sha]
		if !ok {
			return r, nil, requestError(http.StatusBadRequest, "InvalidArgument",
				"x-amz-content-sha256 "+sha+" is not a streaming mode S3 knows")
		}
		b.mode = &mode
	case len(sha) == 64 && isLowerHex([]byte(sha)):
		want, _ := hex.DecodeString(sha)
		b.payloadWant, b.payloadHash = want, sha256.New()
	default:
		return r, nil, requestError(http.StatusBadRequest, "InvalidArgument",
			"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-..., or a valid sha256 value.")
	}

	encodings, chunkedEncoding := removeToken(hdr.Values("Content-Encoding"), "aws-chunked")
	if chunkedEncoding && b.mode == nil {
		return r, nil, requestError(http.StatusBadRequest, "InvalidArgument",
			"Content-Encoding aws-chunked needs a STREAMING-* x-amz-content-sha256")
	}

	trailerName := strings.TrimSpace(hdr.Get("X-Amz-Trailer"))
	switch {
	case trailerName != "" && (b.mode == nil || !b.mode.trailer):
		return r, nil, requestError(http.StatusBadRequest, "InvalidRequest",
			"x-amz-trailer is only valid with a STREAMING-*-TRAILER x-amz-content-sha256")
	case trailerName == "" && b.mode != nil && b.mode.trailer:
		return r, nil, requestError(http.StatusBadRequest, "InvalidRequest",
			"x-amz-content-sha256 "+sha+" needs an x-amz-trailer header")
	case trailerName != "":
		if !isChecksumHeader(trailerName) {
			return r, nil, requestError(http.StatusBadRequest, "InvalidRequest",
				"x-amz-trailer "+trailerName+" is not an x-amz-checksum-<algorithm> header")
		}
		c, err := newExpectedChecksum(trailerName, "")
		if err != nil {
			return r, nil, err
		}
		b.checksums = append(b.checksums, c)
		b.trailerName = c.header
	}

	// Checksum headers are verified on uploads of data only: on a
	// CompleteMultipartUpload (POST) they describe the whole object, and a
	// copy has no body.
	if r.Method == http.MethodPut && hdr.Get("X-Amz-Copy-Source") == "" {
		for name, values := range hdr {
			if !isChecksumFamily(name) || name == "X-Amz-Checksum-Algorithm" ||
				name == "X-Amz-Checksum-Type" || name == "X-Amz-Checksum-Mode" {
				continue
			}
			c, err := newExpectedChecksum(name, values[0])
			if err != nil {
				return r, nil, err
			}
			b.checksums = append(b.checksums, c)
		}
		if len(b.checksums) > 1 {
			return r, nil, requestError(http.StatusBadRequest, "InvalidRequest",
				"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
	}

	if b.mode == nil && b.payloadHash == nil && len(b.checksums) == 0 {
		return r, nil, nil
	}

	r = r.Clone(r.Context())
	b.src, b.closer = r.Body, r.Body
	if b.mode != nil {
		v := hdr.Get("X-Amz-Decoded-Content-Length")
		if v == "" {
			return r, nil, requestError(http.StatusLengthRequired, "MissingContentLength",
				"You must provide the x-amz-decoded-content-length header with aws-chunked uploads.")
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return r, nil, requestError(http.StatusBadRequest, "InvalidArgument",
				"x-amz-decoded-content-length "+v+" is not a length")
		}
		b.decodedWant = n
		b.chunked = NewChunkedReader(r.Body)
		b.src = b.chunked
		if cs, ok := r.Context().Value(streamKey{}).(*chunkSigner); ok && b.mode.signed {
			b.chunked.sigs, b.chunked.dataHash = cs, sha256.New()
		}

		// Hand gofakes3 a plain upload of the decoded bytes: it would
		// otherwise try its own decoder (signed framing only) or store
		// these headers as object metadata.
		r.ContentLength = n
		r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
		r.Header.Del("X-Amz-Decoded-Content-Length")
		r.Header.Del("X-Amz-Trailer")
		r.Header.Del("X-Amz-Content-Sha256")
		r.Header.Del("Content-Encoding")
		if len(encodings) > 0 {
			r.Header.Set("Content-Encoding", strings.Join(encodings, ","))
		}
	}
	r.Body = b
	r.GetBody = nil
	return r, b, nil
}

// removeToken removes token (case-insensitive) from a comma-separated header
// and reports whether it was there.
func removeToken(values []string, token string) (rest []string, found bool) {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			switch {
			case t == "":
			case strings.EqualFold(t, token):
				found = true
			default:
				rest = append(rest, t)
			}
		}
	}
	return rest, found
}

// checkedBody is a request body that checks what it carries: at the end of
// the data it compares the payload hash, the checksum and (for aws-chunked)
// the decoded length and trailer with what the headers declared, and fails
// the read that reaches the end if they differ.
type checkedBody struct {
	src    io.Reader
	closer io.Closer

	mode        *streamingMode
	chunked     *ChunkedReader
	decodedWant int64
	trailerName string // canonical name of the declared trailer

	payloadWant []byte
	payloadHash hash.Hash
	checksums   []*expectedChecksum

	n       int64
	err     error    // sticky, io.EOF after a body that checked out
	failure *s3Error // the answer a failed check calls for
}

func (b *checkedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.src.Read(p)
	var failure *s3Error // a chunk signature that does not match
	if n > 0 {
		b.n += int64(n)
		if b.payloadHash != nil {
			b.payloadHash.Write(p[:n])
		}
		for _, c := range b.checksums {
			c.hash.Write(p[:n])
		}
		if b.chunked != nil && b.n > b.decodedWant {
			return n, b.fail(requestError(http.StatusBadRequest, "IncompleteBody",
				"The chunks carry more data than x-amz-decoded-content-length says ("+
					strconv.FormatInt(b.decodedWant, 10)+")."))
		}
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		if ferr := b.finish(); ferr != nil {
			return n, b.fail(ferr)
		}
		b.err = io.EOF
		return n, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF) && errors.Is(err, ErrMalformedChunkedBody):
		return n, b.fail(requestError(http.StatusBadRequest, "IncompleteBody", err.Error()))
	case errors.Is(err, ErrMalformedChunkedBody):
		return n, b.fail(requestError(http.StatusBadRequest, "InvalidRequest", err.Error()))
	case errors.As(err, &failure):
		return n, b.fail(failure)
	default:
		b.err = err
		return n, err
	}
}

func (b *checkedBody) fail(e *s3Error) error {
	b.failure = e
	b.err = e
	return e
}

// finish runs the checks that need the whole body.
func (b *checkedBody) finish() *s3Error {
	if b.chunked != nil {
		if b.n != b.decodedWant {
			return requestError(http.StatusBadRequest, "IncompleteBody",
				"The chunks carry "+strconv.FormatInt(b.n, 10)+" bytes, x-amz-decoded-content-length says "+
					strconv.FormatInt(b.decodedWant, 10)+".")
		}
		if e := b.checkFraming(); e != nil {
			return e
		}
	}
	if b.payloadHash != nil && !bytes.Equal(b.payloadHash.Sum(nil), b.payloadWant) {
		return requestError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	for _, c := range b.checksums {
		if e := c.check(); e != nil {
			return e
		}
	}
	return nil
}

// checkFraming compares the chunks and trailer with the streaming mode and
// takes the trailing checksum value.
func (b *checkedBody) checkFraming() *s3Error {
	chunks := b.chunked.Chunks()
	// S3 (and versitygw) refuse a data chunk under 8 KiB unless it is the
	// last one; chunks ends with the zero chunk.
	for i := 0; i+2 < len(chunks); i++ {
		if chunks[i].Size < minChunkSize {
			return requestError(http.StatusBadRequest, "InvalidChunkSizeError",
				"Only the last chunk is allowed to have a size less than 8192 bytes (chunk "+
					strconv.Itoa(i+1)+" has "+strconv.FormatInt(chunks[i].Size, 10)+")")
		}
	}
	for i, c := range chunks {
		switch {
		case b.mode.signed && c.Signature == "":
			return requestError(http.StatusBadRequest, "InvalidRequest",
				"chunk "+strconv.Itoa(i+1)+" has no chunk-signature in a signed streaming upload")
		case !b.mode.signed && c.Signature != "":
			return requestError(http.StatusBadRequest, "InvalidRequest",
				"chunk "+strconv.Itoa(i+1)+" has a chunk-signature in an unsigned streaming upload")
		case b.mode.sigLen != 0 && c.Signature != "" && len(c.Signature) != b.mode.sigLen:
			return requestError(http.StatusBadRequest, "InvalidRequest",
				"chunk "+strconv.Itoa(i+1)+" has a chunk-signature of "+strconv.Itoa(len(c.Signature))+
					" hex digits, not "+strconv.Itoa(b.mode.sigLen))
		}
	}
	trailer, sig := b.chunked.Trailer(), b.chunked.TrailerSignature()
	if !b.mode.trailer {
		if len(trailer) > 0 || sig != "" {
			return requestError(http.StatusBadRequest, "MalformedTrailerError",
				"a trailer was sent in a streaming upload without trailer")
		}
		return nil
	}
	values := trailer[b.trailerName]
	if len(values) != 1 || len(trailer) != 1 {
		return requestError(http.StatusBadRequest, "MalformedTrailerError",
			"The request contained trailing data that was not well-formed or did not conform to our published schema: want exactly the trailer "+
				strings.ToLower(b.trailerName)+" declared in x-amz-trailer")
	}
	switch {
	case b.mode.signed && sig == "":
		return requestError(http.StatusBadRequest, "MalformedTrailerError",
			"a signed streaming upload with trailer needs x-amz-trailer-signature")
	case !b.mode.signed && sig != "":
		return requestError(http.StatusBadRequest, "MalformedTrailerError",
			"x-amz-trailer-signature in an unsigned streaming upload")
	case b.mode.sigLen != 0 && sig != "" && len(sig) != b.mode.sigLen:
		return requestError(http.StatusBadRequest, "MalformedTrailerError",
			"x-amz-trailer-signature has "+strconv.Itoa(len(sig))+" hex digits, not "+strconv.Itoa(b.mode.sigLen))
	}
	for _, c := range b.checksums {
		if c.header == b.trailerName {
			if e := c.setWant(values[0]); e != nil {
				return e
			}
		}
	}
	return nil
}

func (b *checkedBody) Close() error { return b.closer.Close() }

// responseWriter gives a failed body check its own status (gofakes3 answers
// 500 for error codes it does not know) and drops echoed signing headers and,
// unless asked for, checksum values from GET and HEAD answers.
type responseWriter struct {
	http.ResponseWriter
	req         *http.Request
	body        *checkedBody
	wroteHeader bool
}

func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return // gofakes3 answers again after a client has gone; net/http would only log it
	}
	w.wroteHeader = true
	if code >= 400 && w.body != nil && w.body.failure != nil {
		code = w.body.failure.status
	}
	if w.req.Method == http.MethodGet || w.req.Method == http.MethodHead {
		h := w.Header()
		for _, name := range echoedHeaders {
			h.Del(name)
		}
		if !strings.EqualFold(w.req.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			for name := range h {
				if isChecksumHeader(name) {
					h.Del(name)
				}
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
