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
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
	// session is set by an attempt signed with an S3 Express session's
	// credentials.
	session bool
}

// maxResponseBody bounds the XML answers read into memory (a listing page
// of 1000 keys of 1024 bytes is about 1.5 MB).
const maxResponseBody = 32 << 20

// smallBody is the size up to which a body's checksum goes in a header,
// computed in a pass over the bytes before sending, rather than as an
// aws-chunked trailer: for small bodies the extra pass is cheaper than the
// framing, and every S3-compatible store understands a header.
const smallBody = 1 << 20

// replay is how a body is read again: from a position of an io.ReaderAt
// for the hashing pass and for each attempt, without moving the caller's
// position, so that attempts can never interfere. ok is false for a stream,
// which can be read only once.
type replay struct {
	ok        bool
	at        io.ReaderAt // nil: no body
	off, size int64
	// mem holds a copy of the caller's *bytes.Reader or *strings.Reader
	// (taken when do starts) whose unread part is exactly the body: each
	// attempt sends a copy of it, which net/http knows to be in memory
	// and writes in one piece with the headers, where any other reader has
	// the headers flushed on their own first (one more packet and system
	// call per request).
	mem   memReader
	inMem bool
}

// memReader holds either reader by value.
type memReader struct {
	b bytes.Reader
	s strings.Reader
}

// replayable returns how the body can be read again.
func replayable(body io.Reader, size int64) replay {
	switch b := body.(type) {
	case nil:
		return replay{ok: true}
	case *bytes.Reader:
		rp := replay{ok: true, at: b, off: b.Size() - int64(b.Len()), size: size}
		if int64(b.Len()) == size {
			rp.mem.b, rp.inMem = *b, true
		}
		return rp
	case *strings.Reader:
		rp := replay{ok: true, at: b, off: b.Size() - int64(b.Len()), size: size}
		if int64(b.Len()) == size {
			rp.mem.s, rp.inMem = *b, true
		}
		return rp
	case interface {
		io.ReaderAt
		io.Seeker
	}:
		// Files and section readers: read from where the caller's position
		// is.
		off, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return replay{}
		}
		return replay{ok: true, at: b, off: off, size: size}
	}
	return replay{}
}

// open returns a reader of the whole body for one attempt.
func (rp *replay) open() io.Reader {
	switch {
	case rp.at == nil:
		return http.NoBody
	case !rp.inMem:
		return io.NewSectionReader(rp.at, rp.off, rp.size)
	}
	if _, ok := rp.at.(*bytes.Reader); ok {
		r := new(bytes.Reader)
		*r = rp.mem.b
		return r
	}
	r := new(strings.Reader)
	*r = rp.mem.s
	return r
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
	hash   string    // X-Amz-Content-Sha256 / payload hash to sign
	body   io.Reader // what net/http reads (nil: none)
	size   int64     // its length
	stream *sigv4.StreamingOptions
	// The checksum and Content-MD5 headers computed up front: canonical
	// names, and values that the header map slices.
	hnames  [2]string
	hvals   [2]string
	nh      int
	counter *countReader // progress of this attempt
}

// addHeader adds a header computed up front.
func (p *payload) addHeader(name, value string) {
	p.hnames[p.nh], p.hvals[p.nh] = name, value
	p.nh++
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

// noPayload is the payload of the requests without a body (GET, HEAD,
// DELETE...): shared, and never written to.
var noPayload = payload{hash: sigv4.EmptyPayloadHash}

// emptyMD5 is the Content-MD5 of an empty body.
const emptyMD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="

// preparePayload decides, for one attempt, the payload hash and framing:
// a signed SHA-256 (one pass over the body first), UNSIGNED-PAYLOAD, or
// aws-chunked (signed chunks, or an unsigned body with a checksum trailer).
func (c *Client) preparePayload(r *request, body *replay, signed bool) (*payload, error) {
	if r.body == nil {
		if !r.md5 {
			return &noPayload, nil
		}
		p := &payload{hash: sigv4.EmptyPayloadHash}
		p.addHeader("Content-Md5", emptyMD5) // an empty body still gets its MD5
		return p, nil
	}
	p := &payload{size: r.size}
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
	stream := !body.ok
	if stream && mode == PayloadSigningSigned && !compat {
		mode = PayloadSigningStreaming
	}
	// Pre-pass: hash what must be known before the headers are signed. A
	// checksum goes in a header for small bodies, for signed payloads (the
	// pass is made anyway) and for stores in compat mode; otherwise it is
	// computed as the bytes go and sent as an aws-chunked trailer.
	algInHeader := alg != ChecksumNone && !stream && (mode == PayloadSigningSigned || compat || r.size <= smallBody)
	var pass prePass
	if mode == PayloadSigningSigned {
		pass.sha = true
	}
	if algInHeader {
		pass.alg = alg
	}
	if r.md5 || (compat && alg != ChecksumNone) {
		pass.md5 = true
	}
	if pass.sha || pass.alg != ChecksumNone || pass.md5 {
		if stream {
			return nil, fmt.Errorf("%w: the body must be an io.ReaderAt or io.Seeker to be hashed before sending", ErrInvalidInput)
		}
		if err := pass.run(body); err != nil {
			return nil, err
		}
		if pass.alg != ChecksumNone {
			p.addHeader(checksumHeaderKey(alg), pass.algSum)
		}
		if pass.md5 {
			p.addHeader("Content-Md5", pass.md5Sum)
		}
	}

	var src io.Reader
	if body.ok {
		src = body.open()
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
		p.hash = pass.shaSum
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

// checksumHeaderKey is the canonical form of alg.Header(), the key the
// header map holds it under.
func checksumHeaderKey(alg ChecksumAlgorithm) string {
	switch alg {
	case ChecksumCRC32:
		return "X-Amz-Checksum-Crc32"
	case ChecksumCRC32C:
		return "X-Amz-Checksum-Crc32c"
	case ChecksumCRC64NVME:
		return "X-Amz-Checksum-Crc64nvme"
	case ChecksumSHA1:
		return "X-Amz-Checksum-Sha1"
	case ChecksumSHA256:
		return "X-Amz-Checksum-Sha256"
	}
	return http.CanonicalHeaderKey(alg.Header())
}

// prePass is the hashing pass over a body before it is sent: which sums
// it makes (the payload's SHA-256, a checksum, an MD5), and their text.
type prePass struct {
	sha    bool
	alg    ChecksumAlgorithm // ChecksumNone: no checksum
	md5    bool
	shaSum string // hex
	algSum string // base64
	md5Sum string // base64
}

// run reads the body once, from its io.ReaderAt, through the hashes, with
// a pooled buffer and pooled hashes, and sets the sums, which share one
// string.
func (pp *prePass) run(body *replay) error {
	var hs [3]hash.Hash // SHA-256, checksum, MD5
	if pp.sha {
		hs[0] = getHash(ChecksumSHA256)
	}
	if pp.alg != ChecksumNone {
		hs[1] = getHash(pp.alg)
	}
	if pp.md5 {
		hs[2] = getHash(contentMD5)
	}
	algs := [len(hs)]ChecksumAlgorithm{ChecksumSHA256, pp.alg, contentMD5}
	defer func() {
		for i, h := range hs {
			if h != nil {
				putHash(algs[i], h)
			}
		}
	}()
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	buf := *bp
	var n int64
	for n < body.size {
		chunk := buf[:min(int64(len(buf)), body.size-n)]
		k, err := body.at.ReadAt(chunk, body.off+n)
		for _, h := range hs {
			if h != nil {
				h.Write(chunk[:k])
			}
		}
		n += int64(k)
		if err == io.EOF || err == nil && k == 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("s3client: reading body: %w", err)
		}
	}
	if n != body.size {
		return fmt.Errorf("%w: body has %d bytes, want %d", ErrInvalidInput, n, body.size)
	}
	// The sums go through the pooled buffer (no allocation) into one
	// string.
	var text [2*sha256.Size + 2*base64Len64]byte
	t := text[:0]
	var ends [3]int
	for i, h := range hs {
		if h != nil {
			sum := h.Sum(buf[:0])
			if i == 0 {
				t = hex.AppendEncode(t, sum)
			} else {
				t = base64.StdEncoding.AppendEncode(t, sum)
			}
		}
		ends[i] = len(t)
	}
	s := string(t)
	pp.shaSum, pp.algSum, pp.md5Sum = s[:ends[0]], s[ends[0]:ends[1]], s[ends[1]:ends[2]]
	return nil
}

// base64Len64 is the base64 length of the longest sum a pre-pass makes
// besides the payload's SHA-256 (a checksum's, at most 32 bytes, or an MD5).
const base64Len64 = (sha256.Size + 2) / 3 * 4

// contentMD5 names the MD5 of Content-MD5 among the pooled hashes; it is
// never sent as a checksum algorithm.
const contentMD5 ChecksumAlgorithm = "MD5"

// hashPools recycle the hashes of the pre-pass by algorithm, so that a
// request allocates none. The map is only read after init.
var hashPools = func() map[ChecksumAlgorithm]*sync.Pool {
	m := make(map[ChecksumAlgorithm]*sync.Pool)
	for _, a := range [...]ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256} {
		m[a] = &sync.Pool{New: func() any { return a.NewHash() }}
	}
	m[contentMD5] = &sync.Pool{New: func() any { return md5.New() }}
	return m
}()

func getHash(a ChecksumAlgorithm) hash.Hash { return hashPools[a].Get().(hash.Hash) }

// putHash resets h and returns it to its pool.
func putHash(a ChecksumAlgorithm, h hash.Hash) {
	h.Reset()
	hashPools[a].Put(h)
}

// copyBufPool holds the buffers of the hashing pass, which would otherwise
// allocate 64 KiB per request.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// onlyReader hides every method of a reader but Read, making it a stream.
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
	if IsDirectoryBucket(r.bucket) {
		if err := expressIntegrity(r); err != nil {
			return fail(err)
		}
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
	body := replayable(r.body, r.size)

	region := c.bucketRegion(r.bucket)
	redirected, skewFixed, compatRetried, renewed := false, false, false, false
	attempts := 0
	var lastSent int64
	for {
		attempts++
		resp, p, err := c.attempt(ctx, r, &body, region)
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
		canReplay := body.ok

		// Region redirect: re-sign for the bucket's region, once. A region
		// that checkRegion refuses is never remembered: it would fail every
		// later request of the bucket before it is sent.
		if newRegion := redirectRegion(e); newRegion != "" && newRegion != region && !redirected && r.bucket != "" {
			if !c.followable(r, newRegion) {
				e.Err = errors.Join(e.Err, errors.New("s3client: the bucket region the answer names is not a valid region; not followed"))
			} else {
				c.regions.Store(r.bucket, newRegion)
				c.learned.Store(true)
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
		// An S3 Express session the server no longer honours (expired by
		// its clock, or revoked): drop it and send again, once, with a new
		// one. A HEAD's 403 has no body to name the cause: it gets the
		// same one renewal.
		if r.session && !renewed && e.StatusCode == http.StatusForbidden &&
			(e.Code == "ExpiredToken" || e.Code == "InvalidToken" || r.method == http.MethodHead) {
			c.dropSessions(r.bucket)
			renewed = true
			if canReplay {
				attempts--
				continue
			}
		}
		// A store that does not speak aws-chunked or the checksum headers.
		if !compatRetried && c.custom && p != nil && (p.stream != nil || p.nh > 0) && compatFailure(e) {
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
func (c *Client) attempt(ctx context.Context, r *request, body *replay, region string) (*http.Response, *payload, error) {
	ep, err := c.resolve(r, region)
	if err != nil {
		return nil, nil, err
	}
	u := ep.url // the attempt's own
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
		r.session = true
	}
	p, err := c.preparePayload(r, body, signed)
	if err != nil {
		return nil, nil, inputError(r.op, r.bucket, r.key, err)
	}

	// Keys are canonical already: the map is filled without Header.Set.
	h := make(http.Header, len(r.header)+8)
	for k, v := range r.header {
		h[k] = v
	}
	h["User-Agent"] = c.userAgentValue
	for i := 0; i < p.nh; i++ {
		h[p.hnames[i]] = p.hvals[i : i+1 : i+1]
	}
	if sessionToken != "" {
		h[s3SessionTokenHeader] = []string{sessionToken}
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

	logging := c.cfg.Logger != nil
	var start time.Time
	if logging {
		start = time.Now()
	}
	resp, err := c.roundTrip(hreq)
	if err != nil {
		c.log(ctx, slog.LevelDebug, "s3kit: request failed", slog.String("op", r.op), slog.String("error", err.Error()))
		return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	if logging {
		c.log(ctx, slog.LevelDebug, "s3kit: request", slog.String("op", r.op), slog.String("method", r.method),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if r.stream {
			return resp, p, nil
		}
		// The answer is read here, inside the attempt, so that a body cut
		// on the way is retried like any broken connection rather than
		// surfacing as a decoding error after do has returned. These
		// bodies are XML documents or empty.
		answer, err := readAnswer(resp, r.method)
		if err != nil {
			return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, StatusCode: resp.StatusCode, Err: err}
		}
		if r.errorIn200 || r.result != "" {
			// For some operations the status line goes out before the work
			// is done, and the body says whether it succeeded.
			switch root := rootElement(answer); {
			case r.errorIn200 && root == "Error":
				return nil, p, newResponseError(r.op, r.bucket, r.key, resp, answer)
			case r.result != "" && root != r.result:
				return nil, p, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, StatusCode: resp.StatusCode,
					RequestID: resp.Header.Get("X-Amz-Request-Id"), HostID: resp.Header.Get("X-Amz-Id-2"),
					Err: fmt.Errorf("%w: want <%s>", ErrUnexpectedResponse, r.result)}
			}
		}
		resp.Body = http.NoBody
		if len(answer) > 0 {
			resp.Body = io.NopCloser(bytes.NewReader(answer))
		}
		return resp, p, nil
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	e := newResponseError(r.op, r.bucket, r.key, resp, answer)
	e.date = resp.Header.Get("Date")
	return nil, p, e
}

// readAnswer reads and closes the body of a successful answer, of at most
// maxResponseBody bytes. An empty answer (most PUTs and DELETEs: net/http
// gives them http.NoBody; and HEADs, whose Content-Length is the
// object's) costs nothing, and one of known length is read into a buffer of
// that length.
func readAnswer(resp *http.Response, method string) ([]byte, error) {
	defer resp.Body.Close()
	switch n := resp.ContentLength; {
	case method == http.MethodHead || resp.Body == http.NoBody:
		return nil, nil
	case n > 0 && n <= maxResponseBody:
		body := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err == nil && len(body) > maxResponseBody {
		err = fmt.Errorf("%w: body over %d bytes", ErrResponseTooLarge, maxResponseBody)
	}
	return body, err
}

// roundTrip sends one request. Client.Do adds, around its transport's
// RoundTrip, a cookie jar, a timeout, redirects (which this client never
// follows) and a copy of the request's headers kept for them: with no jar
// and no timeout, the request goes to the transport directly, and its
// errors are wrapped as Client.Do wraps them.
func (c *Client) roundTrip(req *http.Request) (*http.Response, error) {
	if c.transport == nil {
		return c.httpClient.Do(req)
	}
	resp, err := c.transport.RoundTrip(req)
	if err == nil && resp == nil {
		err = fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", c.transport)
	}
	if err == nil && resp.Body == nil {
		if resp.ContentLength > 0 && req.Method != http.MethodHead {
			err = fmt.Errorf("http: RoundTripper implementation (%T) returned a *Response with content length %d but a nil Body", c.transport, resp.ContentLength)
		}
		resp.Body = http.NoBody
	}
	if err != nil {
		if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		op := req.Method
		if op == "" {
			op = http.MethodGet
		}
		return nil, &url.Error{Op: op[:1] + strings.ToLower(op[1:]), URL: req.URL.String(), Err: err}
	}
	return resp, nil
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
	if body == http.NoBody {
		return
	}
	io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}

// itoa is strconv.FormatInt for int64 sizes.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
