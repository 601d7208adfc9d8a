package sigv4

// SigV4 (AWS4-HMAC-SHA256): Signer, the time formats, and the canonical
// request, which SigV4a signs too. The signing core of both algorithms is
// in core.go.

import (
	"errors"
	"fmt"
	"net/http"
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

	keys  keyCache
	dates dateCache
}

func (s *Signer) service() string { return serviceName(s.Service) }

func (s *Signer) isV4a() bool { return false }

// signature returns a SigV4 signature at t for region, with the signing key
// derived for the day, region and service (cached).
func (s *Signer) signature(creds Credentials, region string, t time.Time) (signature, error) {
	t = t.UTC()
	service := s.service()
	return signature{t: t, date: s.dates.format(t), region: region, service: service,
		mac: s.keys.entry(creds.SecretAccessKey, t, region, service)}, nil
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
	g := signature{t: t.UTC(), region: region, service: service}
	return string(g.appendScope(nil))
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
	_, err := sign(s, req, creds, region, payloadHash, t)
	return err
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
	return canonicalRequest(req, payloadHash)
}

// StringToSign returns the string to sign for a canonical request, at time t,
// in region, for the signer's service.
func (s *Signer) StringToSign(canonicalRequest string, t time.Time, region string) string {
	return stringToSign(false, canonicalRequest, t, region, s.service())
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
	return presign(s, req, creds, region, payloadHash, expires, t)
}
