package s3client

// The one request pipeline: every operation fills a request and calls do,
// which resolves the endpoint, prepares the body (payload hash, checksum,
// aws-chunked), signs, sends, classifies the answer, retries, and hands the
// response back to the operation to decode.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// request is what an operation hands to do.
type request struct {
	op          string
	method      string
	bucket, key string
	query       url.Values
	header      http.Header
	body        io.Reader // nil: no body
	size        int64     // length of body; -1 when unknown
	// checksum is the algorithm to send with the body (header or trailer).
	checksum ChecksumAlgorithm
	// md5 asks for Content-MD5 (operations that require an integrity check
	// and have no checksum).
	md5 bool
	// errorIn200 marks operations whose 200 answer may carry an <Error>.
	errorIn200 bool
	// result, if set, is the root element a successful answer's document
	// must have; any other is an error wrapping ErrUnexpectedResponse.
	result string
	// stream hands the body of a successful answer to the caller unread
	// (GetObject); other answers are read within the attempt.
	stream bool
	// attempts is set by do: how many times the request was sent.
	attempts int
	// progress, if set, is told how many body bytes went out, and a negative
	// amount when a failed attempt's bytes are taken back before a retry.
	progress func(int64)
	// noAccelerate sends a bucket operation S3 Transfer Acceleration does
	// not serve (CreateBucket, DeleteBucket) to the regular endpoint.
	noAccelerate bool
	// noAccessPoints, expressControl, objectLambda and noExpressSession
	// are the operation's endpoint parameters (see target).
	noAccessPoints, expressControl, objectLambda, noExpressSession bool
	// hostPrefix is put in front of the resolved host
	// (WriteGetObjectResponse's RequestRoute).
	hostPrefix string
	// path is the fixed path of an operation without a bucket
	// (WriteGetObjectResponse).
	path string
	// common, if set, holds the input's extra query parameters and
	// headers, which do and presign add (see addCommon).
	common *Common
}

// maxResponseBody bounds the XML answers read into memory (a listing page
// of 1000 keys of 1024 bytes is about 1.5 MB).
const maxResponseBody = 32 << 20

// smallBody is the size up to which a body's checksum goes in a header,
// computed in a pass over the bytes before sending, rather than as an
// aws-chunked trailer: for small bodies the extra pass is cheaper than the
// framing, and every S3-compatible store understands a header.
const smallBody = 1 << 20

// replayable returns a function that opens the body afresh for each attempt,
// or nil when the body is a stream that can be read only once.
func replayable(body io.Reader, size int64) (func() io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return func() io.Reader { return http.NoBody }, nil
	case *bytes.Reader:
		off := b.Size() - int64(b.Len())
		return func() io.Reader { return io.NewSectionReader(b, off, size) }, nil
	case *strings.Reader:
		off := b.Size() - int64(b.Len())
		return func() io.Reader { return io.NewSectionReader(b, off, size) }, nil
	case interface {
		io.ReaderAt
		io.Seeker
	}:
		// Files and section readers: read from where the caller's position
		// is, without moving it, so attempts can never interfere.
		off, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, nil
		}
		return func() io.Reader { return io.NewSectionReader(b, off, size) }, nil
	}
	return nil, nil
}

// bodySize finds the length of a body whose size was not given.
func bodySize(body io.Reader) (int64, bool) {
	switch b := body.(type) {
	case nil:
		return 0, true
	case interface{ Len() int }:
		return int64(b.Len()), true
	case io.Seeker:
		cur, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		end, err := b.Seek(0, io.SeekEnd)
		if err != nil {
			return 0, false
		}
		if _, err := b.Seek(cur, io.SeekStart); err != nil {
			return 0, false
		}
		return end - cur, true
	}
	return 0, false
}

// payload is how one attempt's body is sent.
type payload struct {
	hash    string    // X-Amz-Content-Sha256 / payload hash to sign
	body    io.Reader // what net/http reads (nil: none)
	size    int64     // its length
	stream  *sigv4.StreamingOptions
	headers [][2]string  // checksum / Content-MD5 headers computed up front
	counter *countReader // progress of this attempt
}

// payloadMode is the resolved PayloadSigning for the client.
func (c *Client) payloadMode() PayloadSigning {
	if c.cfg.PayloadSigning != PayloadSigningAuto {
		return c.cfg.PayloadSigning
	}
	if c.https {
		return PayloadSigningUnsigned
	}
	return PayloadSigningSigned
}

// preparePayload decides, for one attempt, the payload hash and framing:
// a signed SHA-256 (one pass over the body first), UNSIGNED-PAYLOAD, or
// aws-chunked (signed chunks, or an unsigned body with a checksum trailer).
func (c *Client) preparePayload(r *request, open func() io.Reader, signed bool) (*payload, error) {
	p := &payload{size: r.size}
	if r.body == nil {
		p.hash = sigv4.EmptyPayloadHash
		if r.md5 { // an empty body still gets its MD5
			sum := md5.Sum(nil)
			p.headers = append(p.headers, [2]string{"Content-Md5", base64.StdEncoding.EncodeToString(sum[:])})
		}
		return p, nil
	}
	mode := c.payloadMode()
	compat := c.custom && c.compat.Load()
	if !signed {
		mode = PayloadSigningUnsigned // anonymous requests carry no signature at all
	}
	alg := r.checksum
	if compat && mode == PayloadSigningStreaming {
		mode = PayloadSigningSigned
	}

	// A stream cannot be hashed before it is sent: a signed payload of one
	// goes as aws-chunked, which signs each chunk as it passes.
	stream := open == nil
	if stream && mode == PayloadSigningSigned && !compat {
		mode = PayloadSigningStreaming
	}
	// Pre-pass: hash what must be known before the headers are signed. A
	// checksum goes in a header for small bodies, for signed payloads (the
	// pass is made anyway) and for stores in compat mode; otherwise it is
	// computed as the bytes go and sent as an aws-chunked trailer.
	var hashers []hash.Hash
	var shaH, algH, md5H hash.Hash
	algInHeader := alg != ChecksumNone && !stream && (mode == PayloadSigningSigned || compat || r.size <= smallBody)
	if mode == PayloadSigningSigned {
		shaH = sha256.New()
		hashers = append(hashers, shaH)
	}
	if algInHeader {
		algH = alg.NewHash()
		hashers = append(hashers, algH)
	}
	if r.md5 || (compat && alg != ChecksumNone) {
		md5H = md5.New()
		hashers = append(hashers, md5H)
	}
	if stream && len(hashers) > 0 {
		return nil, fmt.Errorf("%w: the body must be an io.ReaderAt or io.Seeker to be hashed before sending", ErrInvalidInput)
	}
	if len(hashers) > 0 {
		var w io.Writer = hashers[0]
		if len(hashers) > 1 {
			ws := make([]io.Writer, len(hashers))
			for i, h := range hashers {
				ws[i] = h
			}
			w = io.MultiWriter(ws...)
		}
		bp := copyBufPool.Get().(*[]byte)
		n, err := io.CopyBuffer(w, onlyReader{open()}, *bp)
		copyBufPool.Put(bp)
		if err != nil {
			return nil, fmt.Errorf("s3client: reading body: %w", err)
		}
		if n != r.size {
			return nil, fmt.Errorf("%w: body has %d bytes, want %d", ErrInvalidInput, n, r.size)
		}
	}
	if algH != nil {
		p.headers = append(p.headers, [2]string{alg.Header(), encodeSum(algH)})
	}
	if md5H != nil {
		p.headers = append(p.headers, [2]string{"Content-Md5", base64.StdEncoding.EncodeToString(md5H.Sum(nil))})
	}

	var src io.Reader
	if open != nil {
		src = open()
	} else {
		src = r.body
	}
	if r.progress != nil {
		p.counter = &countReader{r: src, fn: r.progress}
		src = p.counter
	}
	p.body = src

	switch {
	case mode == PayloadSigningSigned:
		p.hash = hex.EncodeToString(shaH.Sum(nil))
	case mode == PayloadSigningStreaming:
		p.stream = &sigv4.StreamingOptions{Payload: sigv4.StreamingPayload}
		if alg != ChecksumNone && !algInHeader {
			p.stream.Payload = sigv4.StreamingPayloadTrailer
			p.stream.Checksum, p.stream.ChecksumHeader = alg.NewHash(), alg.Header()
		}
		p.hash = p.stream.Payload
	case alg != ChecksumNone && !algInHeader:
		// UNSIGNED-PAYLOAD with the checksum computed as the bytes go out and
		// sent as a trailer: every byte is checked, at no extra pass.
		p.stream = &sigv4.StreamingOptions{Payload: sigv4.StreamingUnsignedPayloadTrailer,
			Checksum: alg.NewHash(), ChecksumHeader: alg.Header(), ChunkSize: sigv4.SingleChunk}
		p.hash = p.stream.Payload
	default:
		p.hash = sigv4.UnsignedPayload
	}
	return p, nil
}

// copyBufPool holds the buffers of the hashing pass, which would otherwise
// allocate 32 KiB per request.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// onlyReader hides a reader's WriterTo, so that io.CopyBuffer uses the
// pooled buffer instead of one of its own.
type onlyReader struct{ io.Reader }

// countReader reports bytes read to a progress function. net/http may
// still be reading a request body after the response has come back (a
// server that answered early), so the count is guarded and frozen when the
// attempt ends: bytes read after that are neither reported nor taken back.
type countReader struct {
	r       io.Reader
	fn      func(int64)
	mu      sync.Mutex
	sent    int64
	stopped bool
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.mu.Lock()
		if !c.stopped {
			c.sent += int64(n)
			c.fn(int64(n))
		}
		c.mu.Unlock()
	}
	return n, err
}

// stop freezes the count and returns the bytes reported.
func (c *countReader) stop() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	return c.sent
}

// do runs the request through the pipeline and returns the successful
// response; the caller must close its body. Every error is an *Error.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	fail := func(err error) (*http.Response, error) {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fail(context.Cause(ctx))
	}
	if err := r.addCommon(); err != nil {
		return fail(err)
	}
	if r.body != nil && r.size < 0 {
		n, ok := bodySize(r.body)
		if !ok {
			return fail(inputError(r.op, r.bucket, r.key, errors.New("s3client: the body's length is unknown: set ContentLength or pass a body with a Len or Seek method")))
		}
		r.size = n
	}
	if r.checksum != ChecksumNone {
		alg, err := r.checksum.normalize()
		if err != nil {
			return fail(inputError(r.op, r.bucket, r.key, err))
		}
		r.checksum = alg
	}
	if err := c.checkSSEC(r); err != nil {
		return fail(err)
	}
	open, err := replayable(r.body, r.size)
	if err != nil {
		return fail(err)
	}

	region := c.bucketRegion(r.bucket)
	redirected, skewFixed, compatRetried := false, false, false
	attempts := 0
	var lastSent int64
	for {
		attempts++
		resp, p, err := c.attempt(ctx, r, open, region)
		if p != nil && p.counter != nil {
			lastSent = p.counter.stop()
		}
		if err == nil {
			r.attempts = attempts
			return resp, nil
		}
		if r.progress != nil && lastSent != 0 {
			r.progress(-lastSent) // the bytes of a failed attempt are taken back
			lastSent = 0
		}
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
		}
		e.Attempts = attempts
		if ctx.Err() != nil {
			if e.Err == nil || !errors.Is(e.Err, ctx.Err()) {
				e.Err = errors.Join(context.Cause(ctx), e.Err)
			}
			return nil, e
		}
		canReplay := open != nil || r.body == nil

		// Region redirect: re-sign for the bucket's region, once. A region
		// that checkRegion refuses is never remembered: it would fail every
		// later request of the bucket before it is sent.
		if newRegion := redirectRegion(e); newRegion != "" && newRegion != region && !redirected && r.bucket != "" {
			if !c.followable(r, newRegion) {
				e.Err = errors.Join(e.Err, errors.New("s3client: the bucket region the answer names is not a valid region; not followed"))
			} else {
				c.regions.Store(r.bucket, newRegion)
				c.log(ctx, slog.LevelDebug, "s3kit: bucket region learned from redirect", slog.String("bucket", r.bucket), slog.String("region", newRegion))
				region, redirected = newRegion, true
				if canReplay {
					attempts--
					continue
				}
			}
		}
		// Clock skew: adopt the server's clock, re-sign, once. A clock
		// further off than MaxClockSkew is not adopted: the server's error
		// is returned.
		if e.Code == "RequestTimeTooSkewed" || e.Code == "RequestExpired" || (e.Code == "InvalidSignatureException" && strings.Contains(e.Message, "Signature expired")) {
			if d, ok := e.serverDate(); ok && !skewFixed {
				local := time.Now()
				if c.cfg.Now != nil {
					local = c.cfg.Now()
				}
				skew := d.Sub(local)
				if skew.Abs() > MaxClockSkew {
					e.Err = errors.Join(e.Err, fmt.Errorf("s3client: the server's clock is %v off the local one, over MaxClockSkew (%v); not adopted",
						skew.Round(time.Second), MaxClockSkew))
				} else {
					c.skew.Store(int64(skew))
					skewFixed = true
					c.log(ctx, slog.LevelDebug, "s3kit: clock skew corrected", slog.Duration("skew", skew))
					if canReplay {
						attempts--
						continue
					}
				}
			}
		}
		// A store that does not speak aws-chunked or the checksum headers.
		if !compatRetried && c.custom && p != nil && (p.stream != nil || len(p.headers) > 0) && compatFailure(e) {
			c.compat.Store(true)
			compatRetried = true
			c.compatOnce.Do(func() {
				c.log(ctx, slog.LevelDebug, "s3kit: endpoint rejected aws-chunked or checksum headers; using plain signed payloads with Content-MD5",
					slog.String("code", e.Code))
			})
			if canReplay {
				attempts--
				continue
			}
		}
		if !e.retryable() || attempts >= c.maxAttempts {
			return nil, e
		}
		if !canReplay {
			e.Err = errors.Join(ErrBodyNotRewindable, e.Err)
			return nil, e
		}
		c.log(ctx, slog.LevelDebug, "s3kit: retrying", slog.String("op", r.op), slog.Int("attempt", attempts), slog.String("code", e.Code), slog.Int("status", e.StatusCode))
		if err := c.backoff(ctx, attempts); err != nil {
			e.Err = errors.Join(err, e.Err)
			return nil, e
		}
	}
}

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, r *request, open func() io.Reader, region string) (*http.Response, *payload, error) {
	ep, err := c.resolve(r, region)
	if err != nil {
		return nil, nil, err
	}
	u := ep.url
	u.RawQuery = encodeQuery(r.query)

	creds, signed, err := c.credentials(ctx)
	if err != nil {
		return nil, nil, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	var sessionToken string
	if signed && ep.auth == authS3Express {
		if creds, err = c.sessionCredentials(ctx, r.bucket, creds); err != nil {
			return nil, nil, err
		}
		// The session token goes in its own header, not X-Amz-Security-Token.
		sessionToken, creds.SessionToken = creds.SessionToken, ""
	}
	p, err := c.preparePayload(r, open, signed)
	if err != nil {
		return nil, nil, inputError(r.op, r.bucket, r.key, err)
	}

	h := make(http.Header, len(r.header)+8)
	for k, v := range r.header {
		h[k] = v
	}
	h["User-Agent"] = []string{c.userAgent}
	for _, kv := range p.headers {
		h.Set(kv[0], kv[1])
	}
	if sessionToken != "" {
		h.Set(s3SessionTokenHeader, sessionToken)
	}
	hreq := (&http.Request{
		Method:     r.method,
		URL:        u,
		Host:       u.Host,
		Header:     h,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
	}).WithContext(ctx)
	if r.body != nil {
		hreq.ContentLength = p.size
		if p.size == 0 {
			hreq.Body = http.NoBody
		} else {
			hreq.Body = io.NopCloser(p.body)
		}
	}

	t := c.now()
	if signed {
		if err = c.sign(hreq, ep, p, creds, t); err != nil {
			return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
		}
	} else if p.stream != nil {
		// Anonymous uploads never use aws-chunked (nothing to sign).
		return nil, p, inputError(r.op, r.bucket, r.key, errors.New("s3client: aws-chunked needs credentials"))
	}

	start := time.Now()
	resp, err := c.httpClient.Do(hreq)
	if err != nil {
		c.log(ctx, slog.LevelDebug, "s3kit: request failed", slog.String("op", r.op), slog.String("error", err.Error()))
		return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	c.log(ctx, slog.LevelDebug, "s3kit: request", slog.String("op", r.op), slog.String("method", r.method),
		slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if r.stream {
			return resp, p, nil
		}
		// The answer is read here, inside the attempt, so that a body cut
		// on the way is retried like any broken connection rather than
		// surfacing as a decoding error after do has returned. These
		// bodies are XML documents or empty.
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		resp.Body.Close()
		if err == nil && len(body) > maxResponseBody {
			err = fmt.Errorf("%w: body over %d bytes", ErrResponseTooLarge, maxResponseBody)
		}
		if err != nil {
			return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, StatusCode: resp.StatusCode, Err: err}
		}
		if r.errorIn200 || r.result != "" {
			// For some operations the status line goes out before the work
			// is done, and the body says whether it succeeded.
			switch root := rootElement(body); {
			case r.errorIn200 && root == "Error":
				return nil, p, newResponseError(r.op, r.bucket, r.key, resp, body)
			case r.result != "" && root != r.result:
				return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, StatusCode: resp.StatusCode,
					RequestID: resp.Header.Get("X-Amz-Request-Id"), HostID: resp.Header.Get("X-Amz-Id-2"),
					Err: fmt.Errorf("%w: want <%s>", ErrUnexpectedResponse, r.result)}
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, p, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	e := newResponseError(r.op, r.bucket, r.key, resp, body)
	e.date = resp.Header.Get("Date")
	return nil, p, e
}

// redirectRegion returns the region a redirect-like answer names.
func redirectRegion(e *Error) string {
	switch {
	case e.StatusCode == http.StatusMovedPermanently || e.StatusCode == http.StatusTemporaryRedirect ||
		e.Code == "PermanentRedirect" || e.Code == "TemporaryRedirect":
		return e.Region
	case e.Code == "AuthorizationHeaderMalformed" || e.Code == "IllegalLocationConstraintException":
		return e.Region
	case e.StatusCode == http.StatusBadRequest && e.Region != "" && e.Code == "BadRequest":
		return e.Region // a HEAD has no body, only x-amz-bucket-region
	}
	return ""
}

// compatFailure reports whether an error is a store's refusal of aws-chunked
// encoding or of the newer checksum headers.
func compatFailure(e *Error) bool {
	switch e.Code {
	case "XAmzContentSHA256Mismatch", "NotImplemented", "MissingContentMD5", "MissingContentLength":
		return true
	case "InvalidArgument", "InvalidRequest":
		m := strings.ToLower(e.Message)
		return strings.Contains(m, "checksum") || strings.Contains(m, "x-amz-") || strings.Contains(m, "chunk") || strings.Contains(m, "header")
	}
	return e.StatusCode == http.StatusNotImplemented
}

// retryable reports whether another attempt may succeed.
func (e *Error) retryable() bool {
	if e.StatusCode == 0 || e.StatusCode < 300 && e.Code == "" {
		// No answer, a successful answer whose body broke, or one whose
		// document is not the operation's (a server fault).
		return retryableTransport(e.Err) || errors.Is(e.Err, ErrUnexpectedResponse)
	}
	return retryableStatus(e.StatusCode) || retryableCodes[e.Code]
}

// retryableTransport classifies errors of sending: connection resets, cut
// bodies and timeouts are transient; a canceled context, a bad URL or a TLS
// certificate error are not.
func retryableTransport(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// A transport timeout (not the caller's deadline, checked before).
		return true
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// serverDate parses the Date of the answer that carried e.
func (e *Error) serverDate() (time.Time, bool) {
	if e.date == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(e.date)
	return t, err == nil
}

// drain discards what is left of a body (up to a bound, so the connection
// can be reused) and closes it.
func drain(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}

// itoa is strconv.FormatInt for int64 sizes.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
