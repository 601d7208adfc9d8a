package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Payload hash values and algorithm names defined by SigV4 for S3.
const (
	// Algorithm is the SigV4 algorithm identifier.
	Algorithm = "AWS4-HMAC-SHA256"
	// UnsignedPayload is the payload hash of a request whose body is not
	// covered by the signature (TLS protects it; a checksum can check it).
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// StreamingPayload marks an aws-chunked body with a signature per chunk.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer is StreamingPayload with a signed trailer (a checksum).
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer marks an aws-chunked body whose chunks
	// are not signed, followed by an unsigned checksum trailer.
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	// MaxPresignExpiry is the longest validity S3 accepts for a presigned URL.
	MaxPresignExpiry = 7 * 24 * time.Hour

	timeFormat = "20060102T150405Z"
	terminator = "aws4_request"
)

// Errors returned for bad input. They are wrapped with detail (never with a
// secret or a token); match them with errors.Is.
var (
	// ErrMissingCredentials: the access key ID or the secret is empty.
	ErrMissingCredentials = errors.New("sigv4: missing access key ID or secret access key")
	// ErrMissingRegion: the region is empty.
	ErrMissingRegion = errors.New("sigv4: missing region")
	// ErrMissingPayloadHash: the payload hash is empty.
	ErrMissingPayloadHash = errors.New("sigv4: missing payload hash")
	// ErrExpiry: a presign expiry outside [1s, MaxPresignExpiry].
	ErrExpiry = errors.New("sigv4: presign expiry must be between 1 second and 7 days")
	// ErrInvalidHeaderValue: a header value (or the host) contains CR or LF.
	ErrInvalidHeaderValue = errors.New("sigv4: header value contains a line break")
	// ErrInvalidHeaderName: a header name is not an RFC 9110 token.
	ErrInvalidHeaderName = errors.New("sigv4: invalid header name")
	// ErrInvalidPath: no request or URL, or a malformed escape in an opaque URL.
	ErrInvalidPath = errors.New("sigv4: invalid path")
	// ErrInvalidQuery: a malformed %XX escape in the raw query.
	ErrInvalidQuery = errors.New("sigv4: invalid query")
	// ErrInvalidStreamingOpt: StreamingOptions, length or body that
	// SignStreaming cannot use.
	ErrInvalidStreamingOpt = errors.New("sigv4: invalid streaming options")
)

// Signer signs requests with SigV4. The zero value is ready to use and signs
// for the service "s3". A Signer is safe for concurrent use; share one so that
// its cache of derived signing keys is shared too.
type Signer struct {
	// Service is the signing name of the service; "" means "s3". For "s3",
	// Sign also sets the X-Amz-Content-Sha256 header that S3 requires.
	Service string

	keys keyCache
}

func (s *Signer) service() string {
	if s.Service == "" {
		return "s3"
	}
	return s.Service
}

// FormatTime returns t in the X-Amz-Date form, for example 20130524T000000Z.
func FormatTime(t time.Time) string {
	var b [32]byte
	return string(appendTimestamp(b[:0], t.UTC()))
}

// appendDate appends t (already UTC) as 20060102. Every signature formats
// the time four times, and time.AppendFormat's general layout parser is a
// noticeable share of the cost.
func appendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, "20060102")
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		byte('0'+m/10), byte('0'+m%10), byte('0'+d/10), byte('0'+d%10))
}

// appendTimestamp appends t (already UTC) as 20060102T150405Z.
func appendTimestamp(dst []byte, t time.Time) []byte {
	dst = appendDate(dst, t)
	h, m, s := t.Clock()
	return append(dst, 'T', byte('0'+h/10), byte('0'+h%10), byte('0'+m/10), byte('0'+m%10),
		byte('0'+s/10), byte('0'+s%10), 'Z')
}

// CredentialScope returns the scope of a signature, for example
// 20130524/us-east-1/s3/aws4_request.
func CredentialScope(t time.Time, region, service string) string {
	return string(appendScope(nil, t.UTC(), region, service))
}

func appendScope(dst []byte, t time.Time, region, service string) []byte {
	dst = appendDate(dst, t)
	dst = append(dst, '/')
	dst = append(dst, region...)
	dst = append(dst, '/')
	dst = append(dst, service...)
	return append(dst, "/"+terminator...)
}

// bufPool holds scratch buffers for canonical requests and strings to sign,
// so that signing allocates only what it returns.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledBuf keeps a request with huge headers from pinning a huge buffer.
const maxPooledBuf = 64 << 10

func putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		bufPool.Put(bp)
	}
}

// scratch holds the query pairs and header names of one canonicalization;
// scratchPool recycles them.
type scratch struct {
	pairs []queryPair
	names []string
	// The signed header list in the canonical request buffer, reused
	// in the Authorization header.
	signedStart, signedEnd int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{pairs: make([]queryPair, 0, 8), names: make([]string, 0, 16)} }}

// checkRequest rejects a request that cannot be canonicalized.
func checkRequest(req *http.Request) error {
	if req == nil || req.URL == nil {
		return fmt.Errorf("%w: request has no URL", ErrInvalidPath)
	}
	return nil
}

func checkInput(creds Credentials, region, payloadHash string) error {
	if !creds.HasKeys() {
		return ErrMissingCredentials
	}
	if region == "" {
		return ErrMissingRegion
	}
	if payloadHash == "" {
		return ErrMissingPayloadHash
	}
	return nil
}

// Sign signs req in place for the given payload hash (the hex SHA-256 of the
// body, or one of UnsignedPayload and the streaming markers) and time. It sets
// X-Amz-Date, X-Amz-Content-Sha256 (for S3), X-Amz-Security-Token when the
// credentials have a token, and Authorization. Every header present is signed
// except those that proxies and net/http rewrite (see ignoredHeader).
//
// Sign rewrites req.URL.RawPath and RawQuery to their canonical encoding when
// they differ from it, so that what is sent is what was signed. Signing a
// request again (a retry) replaces the previous signature. Bad input (see the
// Err variables) returns an error, and req must then not be sent: it may
// have been partly updated.
func (s *Signer) Sign(req *http.Request, creds Credentials, region, payloadHash string, t time.Time) error {
	_, err := s.sign(req, creds, region, payloadHash, t)
	return err
}

// sign is Sign, returning the hex signature (the seed of a streaming body).
func (s *Signer) sign(req *http.Request, creds Credentials, region, payloadHash string, t time.Time) (string, error) {
	if err := checkRequest(req); err != nil {
		return "", err
	}
	if err := checkInput(creds, region, payloadHash); err != nil {
		return "", err
	}
	t = t.UTC()
	service := s.service()
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	h := req.Header
	delete(h, "Authorization")
	// The values share one backing array (as net/textproto does), capped
	// so that an append by the caller cannot overwrite a neighbour.
	vals := make([]string, 4)
	var date [32]byte
	vals[0] = string(appendTimestamp(date[:0], t))
	h["X-Amz-Date"] = vals[0:1:1]
	if service == "s3" {
		vals[1] = payloadHash
		h["X-Amz-Content-Sha256"] = vals[1:2:2]
	}
	if creds.SessionToken != "" {
		vals[2] = creds.SessionToken
		h["X-Amz-Security-Token"] = vals[2:3:3]
	} else {
		delete(h, "X-Amz-Security-Token")
	}

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)

	buf, err := appendCanonicalRequest((*bp)[:0], req, payloadHash, sc, modeSign)
	if err != nil {
		return "", err
	}
	crHash := sha256.Sum256(buf)

	// The string to sign goes after the canonical request in the same buffer.
	start := len(buf)
	buf = appendStringToSign(buf, t, region, service, crHash[:])
	var sig [sha256.Size]byte
	s.keys.entry(creds.SecretAccessKey, t, region, service).sum(&sig, buf[start:])

	// Authorization value, built once, after the string to sign; grow the
	// buffer first so the pooled buffer keeps the capacity for next time.
	need := len(Algorithm+" Credential=/,SignedHeaders=,Signature=") + len(creds.AccessKeyID) +
		len("20060102///"+terminator) + len(region) + len(service) + 2*sha256.Size +
		sc.signedEnd - sc.signedStart
	buf = slices.Grow(buf, need)
	a := buf[len(buf):]
	a = append(a, Algorithm+" Credential="...)
	a = append(a, creds.AccessKeyID...)
	a = append(a, '/')
	a = appendScope(a, t, region, service)
	a = append(a, ",SignedHeaders="...)
	a = append(a, buf[sc.signedStart:sc.signedEnd]...)
	a = append(a, ",Signature="...)
	a = hex.AppendEncode(a, sig[:])
	vals[3] = string(a)
	h["Authorization"] = vals[3:4:4]
	*bp = buf[:0]
	return vals[3][len(vals[3])-64:], nil
}

func appendStringToSign(dst []byte, t time.Time, region, service string, crHash []byte) []byte {
	dst = append(dst, Algorithm+"\n"...)
	dst = appendTimestamp(dst, t)
	dst = append(dst, '\n')
	dst = appendScope(dst, t, region, service)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, crHash)
}

func appendSignedHeaders(dst []byte, names []string) []byte {
	for i, n := range names {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = appendLower(dst, n)
	}
	return dst
}

// canonMode says how appendCanonicalRequest treats the request's URL.
type canonMode int

const (
	// modeSign rewrites req.URL's RawPath and RawQuery to the canonical
	// encoding when they differ from it, so that the wire is what is signed.
	modeSign canonMode = iota
	// modeDebug leaves req alone and skips X-Amz-Signature in the query.
	modeDebug
	// modePresign leaves req alone, skips the caller's presign parameters,
	// and adds the encoded pairs already in sc.pairs.
	modePresign
)

// appendCanonicalRequest appends the canonical request of req to dst. The
// sorted names of the signed headers are left in sc.names (original case;
// "Host" is always among them).
func appendCanonicalRequest(dst []byte, req *http.Request, payloadHash string, sc *scratch, mode canonMode) ([]byte, error) {
	rewrite := mode == modeSign
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')

	// Canonical URI: the decoded path, encoded once, never normalized.
	p := req.URL.Path
	if req.URL.Opaque != "" {
		// An opaque URL ("//host/path" form) carries an already escaped path.
		op := req.URL.Opaque
		if strings.HasPrefix(op, "//") {
			if i := strings.IndexByte(op[2:], '/'); i >= 0 {
				op = op[2+i:]
			} else {
				op = "/"
			}
		}
		dp, err := pathUnescape(op)
		if err != nil {
			return nil, err
		}
		p = dp
	}
	if p == "" {
		p = "/"
	}
	uriStart := len(dst)
	dst = AppendURIEncode(dst, p, true)
	// net/http sends RawPath when it is a valid encoding of Path, and the
	// canonical encoding always is; an empty Path is sent as "/" anyway.
	if rewrite && req.URL.Opaque == "" && req.URL.Path != "" {
		if enc := dst[uriStart:]; req.URL.RawPath != string(enc) && !(req.URL.RawPath == "" && req.URL.Path == string(enc)) {
			req.URL.RawPath = string(enc)
		}
	}
	dst = append(dst, '\n')

	// Canonical query.
	var pairs []queryPair
	var err error
	switch mode {
	case modeSign:
		pairs, err = canonicalQuery(req.URL.RawQuery, sc.pairs[:0], nil)
	case modeDebug:
		pairs, err = canonicalQuery(req.URL.RawQuery, sc.pairs[:0], isSignatureParam)
	case modePresign:
		pairs, err = canonicalQuery(req.URL.RawQuery, sc.pairs, isPresignParam)
	}
	if err != nil {
		return nil, err
	}
	sc.pairs = pairs
	qStart := len(dst)
	dst = appendQuery(dst, pairs)
	if rewrite && req.URL.RawQuery != string(dst[qStart:]) {
		req.URL.RawQuery = string(dst[qStart:])
	}
	dst = append(dst, '\n')

	// Canonical headers.
	names := append(sc.names[:0], "Host")
	for name := range req.Header {
		if !ignoredHeader(name) {
			if !validHeaderName(name) {
				return nil, fmt.Errorf("%w: %q", ErrInvalidHeaderName, name)
			}
			names = append(names, name)
		}
	}
	sortFold(names)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	out := names[:0]
	for i := 0; i < len(names); i++ {
		name := names[i]
		dst = appendLower(dst, name)
		dst = append(dst, ':')
		if name == "Host" {
			var ok bool
			if dst, ok = appendHeaderValue(dst, host); !ok {
				return nil, fmt.Errorf("%w: Host", ErrInvalidHeaderValue)
			}
		} else {
			var err error
			if dst, err = appendHeaderValues(dst, name, req.Header[name]); err != nil {
				return nil, err
			}
			// Keys that differ only in case (set without canonicalization)
			// are one header: join their values.
			for i+1 < len(names) && strings.EqualFold(names[i+1], name) {
				i++
				dst = append(dst, ',')
				if dst, err = appendHeaderValues(dst, names[i], req.Header[names[i]]); err != nil {
					return nil, err
				}
			}
		}
		dst = append(dst, '\n')
		out = append(out, name)
	}
	sc.names = out
	dst = append(dst, '\n')
	sc.signedStart = len(dst)
	dst = appendSignedHeaders(dst, out)
	sc.signedEnd = len(dst)
	dst = append(dst, '\n')
	return append(dst, payloadHash...), nil
}

func appendHeaderValues(dst []byte, name string, values []string) ([]byte, error) {
	for j, v := range values {
		if j > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendHeaderValue(dst, v); !ok {
			return nil, fmt.Errorf("%w: %s", ErrInvalidHeaderValue, name)
		}
	}
	return dst, nil
}

// appendHeaderValue appends v trimmed, with inner runs of spaces and tabs
// collapsed to one space. It reports false if v contains a CR or LF, which
// would let a value forge lines of the canonical request (and which net/http
// refuses to send anyway).
func appendHeaderValue(dst []byte, v string) ([]byte, bool) {
	i, j := 0, len(v)
	for i < j && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	for j > i && (v[j-1] == ' ' || v[j-1] == '\t') {
		j--
	}
	run := i // start of the current run of non-blank bytes
	for k := i; k < j; k++ {
		switch v[k] {
		case '\r', '\n':
			return dst, false
		case ' ', '\t':
			if run < k {
				dst = append(dst, v[run:k]...)
				dst = append(dst, ' ')
			}
			run = k + 1
		}
	}
	return append(dst, v[run:j]...), true
}

func appendLower(dst []byte, s string) []byte {
	n := len(dst)
	dst = append(dst, s...)
	for i := n; i < len(dst); i++ {
		if c := dst[i]; 'A' <= c && c <= 'Z' {
			dst[i] = c + 'a' - 'A'
		}
	}
	return dst
}

// lessFold compares ASCII strings as if lowercased. Names equal but for case
// (keys set without canonicalization) are one header whose values S3 joins
// in the order net/http writes them, which is byte order of the keys.
func lessFold(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return ca < cb
		}
	}
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// sortFold sorts header names case-insensitively (insertion sort: a request
// has few headers, and sort.Slice would allocate).
func sortFold(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && lessFold(a[j], a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// ignoredHeader reports whether a header is left out of the signature:
// Authorization is the signature itself; User-Agent, X-Amzn-Trace-Id and
// Expect are rewritten or added by proxies, load balancers and net/http; the
// hop-by-hop headers do not reach the server as sent. Host is signed from
// req.Host, never from the header map. It is called for every header of every
// request, so it compares without lowercasing (which would allocate for
// canonical names such as "User-Agent").
func ignoredHeader(name string) bool {
	switch len(name) {
	case 2:
		return equalFoldLower(name, "te")
	case 4:
		return equalFoldLower(name, "host")
	case 6:
		return equalFoldLower(name, "expect")
	case 7:
		return equalFoldLower(name, "trailer") || equalFoldLower(name, "upgrade")
	case 10:
		return equalFoldLower(name, "user-agent") || equalFoldLower(name, "connection") || equalFoldLower(name, "keep-alive")
	case 13:
		return equalFoldLower(name, "authorization")
	case 15:
		return equalFoldLower(name, "x-amzn-trace-id")
	case 16:
		return equalFoldLower(name, "proxy-connection")
	case 17:
		return equalFoldLower(name, "transfer-encoding")
	case 19:
		return equalFoldLower(name, "proxy-authorization")
	}
	return false
}

// equalFoldLower reports whether s equals lower, a lowercase ASCII string of
// the same length, ignoring the case of s.
func equalFoldLower(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// validHeaderName reports whether name is an RFC 9110 token, so that it
// cannot break the line structure of the canonical request.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !tokenChar[name[i]] {
			return false
		}
	}
	return true
}

// tokenChar marks the bytes allowed in an RFC 9110 token.
var tokenChar = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
	}
	return t
}()

func pathUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", fmt.Errorf("%w: malformed percent-encoding in %q", ErrInvalidPath, s)
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// CanonicalRequest returns the canonical request that signing req with
// payloadHash covers, for debugging a SignatureDoesNotMatch: compare it with
// the CanonicalRequest element of the server's error. A presigned URL's
// X-Amz-Signature is left out. req is not modified.
func (s *Signer) CanonicalRequest(req *http.Request, payloadHash string) (string, error) {
	if err := checkRequest(req); err != nil {
		return "", err
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	b, err := appendCanonicalRequest(nil, req, payloadHash, sc, modeDebug)
	return string(b), err
}

// StringToSign returns the string to sign for a canonical request, at time t,
// in region, for the signer's service.
func (s *Signer) StringToSign(canonicalRequest string, t time.Time, region string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	return string(appendStringToSign(nil, t.UTC(), region, s.service(), h[:]))
}

// Presign returns a URL for req that carries its signature in the query
// (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// -Security-Token and -Signature), valid for expires (1 s to 7 days) from t,
// and the headers that whoever uses the URL must send exactly as given: every
// signed header but Host. payloadHash is UnsignedPayload for most S3 URLs;
// with any other value S3 reads the payload hash from X-Amz-Content-Sha256,
// so that header is among those returned. Auth parameters of an earlier
// presign in req's query, and the X-Amz-Date and X-Amz-Security-Token headers
// of an earlier header signing, are replaced. req is not modified.
func (s *Signer) Presign(req *http.Request, creds Credentials, region, payloadHash string, expires time.Duration, t time.Time) (string, http.Header, error) {
	if err := checkRequest(req); err != nil {
		return "", nil, err
	}
	if err := checkInput(creds, region, payloadHash); err != nil {
		return "", nil, err
	}
	if expires < time.Second || expires > MaxPresignExpiry {
		return "", nil, fmt.Errorf("%w: got %v", ErrExpiry, expires)
	}
	t = t.UTC()
	service := s.service()

	var headers http.Header
	for name, v := range req.Header {
		if ignoredHeader(name) || presignDropsHeader(name) {
			continue
		}
		if headers == nil {
			headers = make(http.Header, len(req.Header))
		}
		headers[name] = v
	}
	if service == "s3" && payloadHash != UnsignedPayload {
		if headers == nil {
			headers = make(http.Header, 1)
		}
		headers["X-Amz-Content-Sha256"] = []string{payloadHash}
	}
	// Work on a shallow copy, with the headers to send.
	r := *req
	r.Header = headers

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	buf := (*bp)[:0]

	// Signed header names first: they go in the query.
	names := append(sc.names[:0], "Host")
	for name := range headers {
		if !validHeaderName(name) {
			return "", nil, fmt.Errorf("%w: %q", ErrInvalidHeaderName, name)
		}
		names = append(names, name)
	}
	sortFold(names)
	sc.names = names

	// The auth parameters, encoded, in one string that the pairs slice.
	buf = append(buf, Algorithm...)
	algoEnd := len(buf)
	buf = AppendURIEncode(buf, creds.AccessKeyID, false)
	buf = append(buf, "%2F"...)
	buf = appendDate(buf, t)
	buf = append(buf, "%2F"...)
	buf = AppendURIEncode(buf, region, false)
	buf = append(buf, "%2F"...)
	buf = AppendURIEncode(buf, service, false)
	buf = append(buf, "%2F"+terminator...)
	credEnd := len(buf)
	buf = appendTimestamp(buf, t)
	dateEnd := len(buf)
	buf = strconv.AppendInt(buf, int64(expires/time.Second), 10)
	expEnd := len(buf)
	for i, n := range names {
		if i > 0 {
			if strings.EqualFold(n, names[i-1]) {
				continue
			}
			buf = append(buf, "%3B"...)
		}
		buf = appendLower(buf, n)
	}
	shEnd := len(buf)
	buf = AppendURIEncode(buf, creds.SessionToken, false)
	params := string(buf)
	sc.pairs = append(sc.pairs[:0],
		queryPair{"X-Amz-Algorithm", params[:algoEnd]},
		queryPair{"X-Amz-Credential", params[algoEnd:credEnd]},
		queryPair{"X-Amz-Date", params[credEnd:dateEnd]},
		queryPair{"X-Amz-Expires", params[dateEnd:expEnd]},
		queryPair{"X-Amz-SignedHeaders", params[expEnd:shEnd]},
	)
	if creds.SessionToken != "" {
		sc.pairs = append(sc.pairs, queryPair{"X-Amz-Security-Token", params[shEnd:]})
	}

	buf, err := appendCanonicalRequest(buf[:0], &r, payloadHash, sc, modePresign)
	if err != nil {
		return "", nil, err
	}
	// The URL's path and query are the canonical ones: lines 2 and 3.
	_, rest, _ := bytes.Cut(buf, []byte{'\n'})
	canonURI, rest, _ := bytes.Cut(rest, []byte{'\n'})
	canonQuery, _, _ := bytes.Cut(rest, []byte{'\n'})
	crEnd := len(buf)

	crHash := sha256.Sum256(buf)
	buf = appendStringToSign(buf, t, region, service, crHash[:])
	var sig [sha256.Size]byte
	s.keys.entry(creds.SecretAccessKey, t, region, service).sum(&sig, buf[crEnd:])

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	buf = slices.Grow(buf, len(req.URL.Scheme)+len("://")+len(host)+len(canonURI)+len(canonQuery)+len("?&X-Amz-Signature=")+2*sha256.Size)
	out := buf[len(buf):]
	if req.URL.Scheme != "" {
		out = append(out, req.URL.Scheme...)
		out = append(out, ':')
	}
	if host != "" {
		out = append(out, "//"...)
		out = append(out, host...)
	}
	out = append(out, canonURI...)
	out = append(out, '?')
	out = append(out, canonQuery...)
	out = append(out, "&X-Amz-Signature="...)
	out = hex.AppendEncode(out, sig[:])
	u := string(out)
	*bp = buf[:0]
	return u, headers, nil
}

// presignDropsHeader reports whether a header belongs to header signing and
// is carried by the query of a presigned URL instead.
func presignDropsHeader(name string) bool {
	return len(name) == 10 && equalFoldLower(name, "x-amz-date") ||
		len(name) == 20 && (equalFoldLower(name, "x-amz-security-token") || equalFoldLower(name, "x-amz-content-sha256"))
}
