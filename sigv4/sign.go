package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
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

// Errors returned for bad input. They are wrapped with detail; match them
// with errors.Is.
var (
	ErrMissingCredentials  = errors.New("sigv4: missing access key ID or secret access key")
	ErrMissingRegion       = errors.New("sigv4: missing region")
	ErrMissingPayloadHash  = errors.New("sigv4: missing payload hash")
	ErrExpiry              = errors.New("sigv4: presign expiry must be between 1 second and 7 days")
	ErrInvalidHeaderValue  = errors.New("sigv4: header value contains a line break")
	ErrInvalidQuery        = errors.New("sigv4: invalid query")
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
func FormatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// CredentialScope returns the scope of a signature, for example
// 20130524/us-east-1/s3/aws4_request.
func CredentialScope(t time.Time, region, service string) string {
	return string(appendScope(nil, t.UTC(), region, service))
}

func appendScope(dst []byte, t time.Time, region, service string) []byte {
	dst = t.AppendFormat(dst, "20060102")
	dst = append(dst, '/')
	dst = append(dst, region...)
	dst = append(dst, '/')
	dst = append(dst, service...)
	return append(dst, "/"+terminator...)
}

// bufPool holds scratch buffers for canonical requests and strings to sign,
// so that signing allocates only what it returns.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// pairPool holds scratch slices of query pairs and header names.
type scratch struct {
	pairs []queryPair
	names []string
}

var scratchPool = sync.Pool{New: func() any { return &scratch{pairs: make([]queryPair, 0, 8), names: make([]string, 0, 16)} }}

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
// request again (a retry) replaces the previous signature.
func (s *Signer) Sign(req *http.Request, creds Credentials, region, payloadHash string, t time.Time) error {
	_, err := s.sign(req, creds, region, payloadHash, t)
	return err
}

// sign is Sign, returning the hex signature (the seed of a streaming body).
func (s *Signer) sign(req *http.Request, creds Credentials, region, payloadHash string, t time.Time) (string, error) {
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
	h["X-Amz-Date"] = []string{t.Format(timeFormat)}
	if service == "s3" {
		h["X-Amz-Content-Sha256"] = []string{payloadHash}
	}
	if creds.SessionToken != "" {
		h["X-Amz-Security-Token"] = []string{creds.SessionToken}
	} else {
		delete(h, "X-Amz-Security-Token")
	}

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)

	buf, err := s.appendCanonicalRequest((*bp)[:0], req, payloadHash, sc, "", true)
	if err != nil {
		return "", err
	}
	crHash := sha256.Sum256(buf)
	signedHeaders := sc.names // set by appendCanonicalRequest

	// The string to sign goes after the canonical request in the same buffer.
	start := len(buf)
	buf = appendStringToSign(buf, t, region, service, crHash[:])
	sig := s.keys.sign(creds.SecretAccessKey, t, region, service, buf[start:])

	// Authorization value, built once.
	a := buf[len(buf):]
	a = append(a, Algorithm+" Credential="...)
	a = append(a, creds.AccessKeyID...)
	a = append(a, '/')
	a = appendScope(a, t, region, service)
	a = append(a, ",SignedHeaders="...)
	a = appendSignedHeaders(a, signedHeaders)
	a = append(a, ",Signature="...)
	a = hex.AppendEncode(a, sig[:])
	auth := string(a)
	h["Authorization"] = []string{auth}
	*bp = buf[:0]
	return auth[len(auth)-64:], nil
}

func appendStringToSign(dst []byte, t time.Time, region, service string, crHash []byte) []byte {
	dst = append(dst, Algorithm+"\n"...)
	dst = t.AppendFormat(dst, timeFormat)
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

// appendCanonicalRequest appends the canonical request of req to dst. The
// sorted names of the signed headers are left in sc.names (original case;
// "Host" is always among them). When rewrite is true, req.URL's RawPath and
// RawQuery are set to the canonical encoding if they differ from it.
func (s *Signer) appendCanonicalRequest(dst []byte, req *http.Request, payloadHash string, sc *scratch, skipQuery string, rewrite bool) ([]byte, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')

	// Canonical URI: the decoded path, encoded once, never normalized.
	p := req.URL.Path
	if p == "" && req.URL.Opaque == "" {
		p = "/"
	} else if req.URL.Opaque != "" {
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
	uriStart := len(dst)
	dst = AppendURIEncode(dst, p, true)
	if rewrite && req.URL.Opaque == "" {
		if enc := dst[uriStart:]; req.URL.RawPath != string(enc) && !(req.URL.RawPath == "" && req.URL.Path == string(enc)) {
			req.URL.RawPath = string(enc)
		}
	}
	dst = append(dst, '\n')

	// Canonical query.
	pairs, err := canonicalQuery(req.URL.RawQuery, sc.pairs[:0], skipQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidQuery, err)
	}
	sc.pairs = pairs
	qStart := len(dst)
	dst = appendQuery(dst, pairs)
	if rewrite && skipQuery == "" && req.URL.RawQuery != string(dst[qStart:]) {
		req.URL.RawQuery = string(dst[qStart:])
	}
	dst = append(dst, '\n')

	// Canonical headers.
	names := append(sc.names[:0], "Host")
	for name := range req.Header {
		if !ignoredHeader(name) {
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
			dst = appendHeaderValue(dst, host)
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
	dst = appendSignedHeaders(dst, out)
	dst = append(dst, '\n')
	return append(dst, payloadHash...), nil
}

func appendHeaderValues(dst []byte, name string, values []string) ([]byte, error) {
	for j, v := range values {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%w: %s", ErrInvalidHeaderValue, name)
		}
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendHeaderValue(dst, v)
	}
	return dst, nil
}

// appendHeaderValue appends v trimmed, with inner runs of spaces and tabs
// collapsed to one space.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// lessFold compares ASCII strings as if lowercased.
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
	return len(a) < len(b)
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
// req.Host, never from the header map.
func ignoredHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "host",
		"connection", "keep-alive", "proxy-authorization", "proxy-connection",
		"te", "trailer", "transfer-encoding", "upgrade":
		return true
	}
	return false
}

func pathUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", fmt.Errorf("sigv4: malformed percent-encoding in path %q", s)
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
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	b, err := s.appendCanonicalRequest(nil, req, payloadHash, sc, "X-Amz-Signature", false)
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
// signed header but Host. payloadHash is UnsignedPayload for S3 URLs. req is
// not modified.
func (s *Signer) Presign(req *http.Request, creds Credentials, region, payloadHash string, expires time.Duration, t time.Time) (string, http.Header, error) {
	if err := checkInput(creds, region, payloadHash); err != nil {
		return "", nil, err
	}
	if expires < time.Second || expires > MaxPresignExpiry {
		return "", nil, fmt.Errorf("%w: got %v", ErrExpiry, expires)
	}
	t = t.UTC()
	service := s.service()

	// Work on a shallow copy whose query carries the auth parameters.
	r := *req
	u := *req.URL
	r.URL = &u
	var headers http.Header
	for name, v := range req.Header {
		if !ignoredHeader(name) {
			if headers == nil {
				headers = make(http.Header, len(req.Header))
			}
			headers[name] = v
		}
	}
	r.Header = headers

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	// Signed header names first: they go in the query.
	names := append(sc.names[:0], "Host")
	for name := range headers {
		names = append(names, name)
	}
	sortFold(names)
	var sh []byte
	for i, n := range names {
		if i > 0 && strings.EqualFold(n, names[i-1]) {
			continue
		}
		if len(sh) > 0 {
			sh = append(sh, ';')
		}
		sh = appendLower(sh, n)
	}
	sc.names = names

	q := make([]byte, 0, 256+len(creds.SessionToken))
	for _, p := range strings.Split(u.RawQuery, "&") {
		// Drop auth parameters of an earlier presign.
		if p != "" && !strings.HasPrefix(p, "X-Amz-Algorithm=") && !strings.HasPrefix(p, "X-Amz-Credential=") &&
			!strings.HasPrefix(p, "X-Amz-Date=") && !strings.HasPrefix(p, "X-Amz-Expires=") &&
			!strings.HasPrefix(p, "X-Amz-SignedHeaders=") && !strings.HasPrefix(p, "X-Amz-Security-Token=") &&
			!strings.HasPrefix(p, "X-Amz-Signature=") {
			q = append(q, p...)
			q = append(q, '&')
		}
	}
	q = append(q, "X-Amz-Algorithm="+Algorithm+"&X-Amz-Credential="...)
	q = AppendURIEncode(q, creds.AccessKeyID, false)
	q = append(q, "%2F"...)
	q = AppendURIEncode(q, CredentialScope(t, region, service), false)
	q = append(q, "&X-Amz-Date="...)
	q = t.AppendFormat(q, timeFormat)
	q = append(q, "&X-Amz-Expires="...)
	q = strconv.AppendInt(q, int64(expires/time.Second), 10)
	if creds.SessionToken != "" {
		q = append(q, "&X-Amz-Security-Token="...)
		q = AppendURIEncode(q, creds.SessionToken, false)
	}
	q = append(q, "&X-Amz-SignedHeaders="...)
	q = AppendURIEncode(q, string(sh), false)
	u.RawQuery = string(q)

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf, err := s.appendCanonicalRequest((*bp)[:0], &r, payloadHash, sc, "", true)
	if err != nil {
		return "", nil, err
	}
	crHash := sha256.Sum256(buf)
	start := len(buf)
	buf = appendStringToSign(buf, t, region, service, crHash[:])
	sig := s.keys.sign(creds.SecretAccessKey, t, region, service, buf[start:])
	*bp = buf[:0]

	out := make([]byte, 0, len(u.Scheme)+len(u.Host)+len(u.RawQuery)+len(u.EscapedPath())+100)
	out = append(out, u.Scheme...)
	out = append(out, "://"...)
	host := req.Host
	if host == "" {
		host = u.Host
	}
	out = append(out, host...)
	out = append(out, u.EscapedPath()...)
	out = append(out, '?')
	out = append(out, u.RawQuery...)
	out = append(out, "&X-Amz-Signature="...)
	out = hex.AppendEncode(out, sig[:])
	return string(out), headers, nil
}
