package sigv4

// The signing core that SigV4 (Signer) and SigV4a (SignerV4a) share: a
// signature of either algorithm, which signs a request's headers, presigns a
// URL, or seeds an aws-chunked body (chunked.go). The algorithms differ only
// in their name, in the credential scope (SigV4a's has no region: it signs
// for a region set) and in the signature (an HMAC or an ECDSA signature).

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// keyer is a signer of either algorithm, as the core uses it.
type keyer interface {
	isV4a() bool
	// signature returns the signature at t for region (SigV4a: the region
	// set), with its key, for input the core has checked.
	signature(creds Credentials, region string, t time.Time) (signature, error)
}

// serviceName is a signer's Service, where "" means "s3".
func serviceName(service string) string {
	if service == "" {
		return "s3"
	}
	return service
}

// signature is one signature: its algorithm, what it signs for and the key
// it signs with.
type signature struct {
	v4a     bool
	t       time.Time // UTC
	date    string    // t in the X-Amz-Date form
	region  string    // SigV4: the region; SigV4a: the region set
	service string
	mac     *keyEntry         // SigV4: the derived key's HMAC states
	ec      *ecdsa.PrivateKey // SigV4a
}

func (g *signature) algorithm() string {
	if g.v4a {
		return AlgorithmV4a
	}
	return Algorithm
}

// appendScope appends the credential scope, DATE/REGION/SERVICE/aws4_request,
// without the region for SigV4a.
func (g *signature) appendScope(dst []byte) []byte {
	dst = appendDate(dst, g.t)
	dst = append(dst, '/')
	if !g.v4a {
		dst = append(dst, g.region...)
		dst = append(dst, '/')
	}
	dst = append(dst, g.service...)
	return append(dst, "/"+terminator...)
}

func (g *signature) appendStringToSign(dst []byte, crHash []byte) []byte {
	dst = append(dst, g.algorithm()...)
	dst = append(dst, '\n')
	dst = appendTimestamp(dst, g.t)
	dst = append(dst, '\n')
	dst = g.appendScope(dst)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, crHash)
}

// maxSigLen is the longest hex signature: an HMAC-SHA256, or the DER
// encoding of an ECDSA P-256 signature.
func (g *signature) maxSigLen() int {
	if g.v4a {
		return 2 * maxDERSignature
	}
	return 2 * sha256.Size
}

// appendSig appends the hex signature of a string to sign.
func (g *signature) appendSig(dst, stringToSign []byte) ([]byte, error) {
	if g.v4a {
		return signV4a(dst, g.ec, stringToSign)
	}
	var sig [sha256.Size]byte
	g.mac.sum(&sig, stringToSign)
	return hex.AppendEncode(dst, sig[:]), nil
}

// chunkAlgorithm names the string to sign of an aws-chunked chunk, or of
// its trailer.
func (g *signature) chunkAlgorithm(trailer bool) string {
	switch {
	case g.v4a && trailer:
		return AlgorithmV4a + "-TRAILER"
	case g.v4a:
		return AlgorithmV4a + "-PAYLOAD"
	case trailer:
		return Algorithm + "-TRAILER"
	}
	return Algorithm + "-PAYLOAD"
}

// checkInput rejects credentials, a region (SigV4a: a region set) or a
// payload hash that cannot be signed.
func checkInput(creds Credentials, region, payloadHash string, v4a bool) error {
	if !creds.HasKeys() {
		return ErrMissingCredentials
	}
	if v4a {
		if err := checkRegionSet(region); err != nil {
			return err
		}
	} else if region == "" {
		return ErrMissingRegion
	}
	if payloadHash == "" {
		return ErrMissingPayloadHash
	}
	return nil
}

// sign is Sign, for either algorithm, returning the hex signature (the seed
// of a streaming body).
func sign(k keyer, req *http.Request, creds Credentials, region, payloadHash string, t time.Time) (string, error) {
	if err := checkRequest(req); err != nil {
		return "", err
	}
	if err := checkInput(creds, region, payloadHash, k.isV4a()); err != nil {
		return "", err
	}
	g, err := k.signature(creds, region, t)
	if err != nil {
		return "", err
	}
	return g.signHeaders(req, creds, payloadHash)
}

// signHeaders signs req in place and returns the hex signature.
func (g *signature) signHeaders(req *http.Request, creds Credentials, payloadHash string) (string, error) {
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	h := req.Header
	delete(h, "Authorization")
	// The values share one backing array (as net/textproto does), capped
	// so that an append by the caller cannot overwrite a neighbour.
	vals := make([]string, 5)
	vals[0] = g.date
	h["X-Amz-Date"] = vals[0:1:1]
	if g.v4a {
		vals[1] = g.region
		h[RegionSetHeader] = vals[1:2:2]
	}
	if g.service == "s3" {
		vals[2] = payloadHash
		h["X-Amz-Content-Sha256"] = vals[2:3:3]
	}
	if creds.SessionToken != "" {
		vals[3] = creds.SessionToken
		h["X-Amz-Security-Token"] = vals[3:4:4]
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
	buf = g.appendStringToSign(buf, crHash[:])
	sts := buf[start:]

	// The Authorization value, built once, after the string to sign; grow
	// the buffer first so the pooled buffer keeps the capacity for next
	// time. SigV4a's is written as the AWS SDKs write it, with ", "
	// between the parts.
	sep := ","
	if g.v4a {
		sep = ", "
	}
	need := len(g.algorithm()) + len(" Credential=/SignedHeaders=Signature=") + 2*len(sep) + len(creds.AccessKeyID) +
		len("20060102///"+terminator) + len(g.region) + len(g.service) + g.maxSigLen() +
		sc.signedEnd - sc.signedStart
	buf = slices.Grow(buf, need)
	a := buf[len(buf):]
	a = append(a, g.algorithm()...)
	a = append(a, " Credential="...)
	a = append(a, creds.AccessKeyID...)
	a = append(a, '/')
	a = g.appendScope(a)
	a = append(a, sep...)
	a = append(a, "SignedHeaders="...)
	a = append(a, buf[sc.signedStart:sc.signedEnd]...)
	a = append(a, sep...)
	a = append(a, "Signature="...)
	sigStart := len(a)
	if a, err = g.appendSig(a, sts); err != nil {
		return "", err
	}
	vals[4] = string(a)
	h["Authorization"] = vals[4:5:5]
	*bp = buf[:0]
	return vals[4][sigStart:], nil
}

// canonicalRequest is CanonicalRequest, which does not depend on the
// algorithm.
func canonicalRequest(req *http.Request, payloadHash string) (string, error) {
	if err := checkRequest(req); err != nil {
		return "", err
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	b, err := appendCanonicalRequest(nil, req, payloadHash, sc, modeDebug)
	return string(b), err
}

// stringToSign is StringToSign for either algorithm.
func stringToSign(v4a bool, canonicalRequest string, t time.Time, region, service string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	g := signature{v4a: v4a, t: t.UTC(), region: region, service: service}
	return string(g.appendStringToSign(nil, h[:]))
}

// presign is Presign for either algorithm.
func presign(k keyer, req *http.Request, creds Credentials, region, payloadHash string, expires time.Duration, t time.Time) (string, http.Header, error) {
	if err := checkRequest(req); err != nil {
		return "", nil, err
	}
	if err := checkInput(creds, region, payloadHash, k.isV4a()); err != nil {
		return "", nil, err
	}
	if expires < time.Second || expires > MaxPresignExpiry {
		return "", nil, fmt.Errorf("%w: got %v", ErrExpiry, expires)
	}
	g, err := k.signature(creds, region, t)
	if err != nil {
		return "", nil, err
	}
	return g.presign(req, creds, payloadHash, expires)
}

// presign returns the presigned URL of req and the headers to send with it.
func (g *signature) presign(req *http.Request, creds Credentials, payloadHash string, expires time.Duration) (string, http.Header, error) {
	var headers http.Header
	for name, v := range req.Header {
		if ignoredHeader(name) || presignDropsHeader(name, g.v4a) {
			continue
		}
		if headers == nil {
			headers = make(http.Header, len(req.Header))
		}
		headers[name] = v
	}
	if g.service == "s3" && payloadHash != UnsignedPayload {
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

	// The auth parameters, encoded, in one string that the pairs slice:
	// algorithm, credential, date, expires, region set (SigV4a), signed
	// headers, token.
	var ends [6]int
	buf = append(buf, g.algorithm()...)
	ends[0] = len(buf)
	buf = AppendURIEncode(buf, creds.AccessKeyID, false)
	buf = append(buf, "%2F"...)
	buf = appendDate(buf, g.t)
	buf = append(buf, "%2F"...)
	if !g.v4a {
		buf = AppendURIEncode(buf, g.region, false)
		buf = append(buf, "%2F"...)
	}
	buf = AppendURIEncode(buf, g.service, false)
	buf = append(buf, "%2F"+terminator...)
	ends[1] = len(buf)
	buf = append(buf, g.date...)
	ends[2] = len(buf)
	buf = strconv.AppendInt(buf, int64(expires/time.Second), 10)
	ends[3] = len(buf)
	if g.v4a {
		buf = AppendURIEncode(buf, g.region, false)
	}
	ends[4] = len(buf)
	for i, n := range names {
		if i > 0 {
			if strings.EqualFold(n, names[i-1]) {
				continue
			}
			buf = append(buf, "%3B"...)
		}
		buf = appendLower(buf, n)
	}
	ends[5] = len(buf)
	buf = AppendURIEncode(buf, creds.SessionToken, false)
	params := string(buf)
	sc.pairs = append(sc.pairs[:0],
		queryPair{"X-Amz-Algorithm", params[:ends[0]]},
		queryPair{"X-Amz-Credential", params[ends[0]:ends[1]]},
		queryPair{"X-Amz-Date", params[ends[1]:ends[2]]},
		queryPair{"X-Amz-Expires", params[ends[2]:ends[3]]},
	)
	if g.v4a {
		sc.pairs = append(sc.pairs, queryPair{RegionSetHeader, params[ends[3]:ends[4]]})
	}
	sc.pairs = append(sc.pairs, queryPair{"X-Amz-SignedHeaders", params[ends[4]:ends[5]]})
	if creds.SessionToken != "" {
		sc.pairs = append(sc.pairs, queryPair{"X-Amz-Security-Token", params[ends[5]:]})
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
	buf = g.appendStringToSign(buf, crHash[:])
	sts := buf[crEnd:]

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	buf = slices.Grow(buf, len(req.URL.Scheme)+len("://")+len(host)+len(canonURI)+len(canonQuery)+len("?&X-Amz-Signature=")+g.maxSigLen())
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
	if out, err = g.appendSig(out, sts); err != nil {
		return "", nil, err
	}
	u := string(out)
	*bp = buf[:0]
	return u, headers, nil
}

// presignDropsHeader reports whether a header belongs to header signing and
// is carried by the query of a presigned URL instead.
func presignDropsHeader(name string, v4a bool) bool {
	return len(name) == 10 && equalFoldLower(name, "x-amz-date") ||
		len(name) == 20 && (equalFoldLower(name, "x-amz-security-token") || equalFoldLower(name, "x-amz-content-sha256")) ||
		v4a && len(name) == len(RegionSetHeader) && equalFoldLower(name, "x-amz-region-set")
}

// signStreaming is SignStreaming for either algorithm.
func signStreaming(k keyer, req *http.Request, body io.Reader, decodedLength int64, creds Credentials, region string, opts StreamingOptions, t time.Time) error {
	v4a := k.isV4a()
	var encoded int64
	var err error
	if v4a {
		encoded, err = StreamingLengthV4a(decodedLength, opts)
	} else {
		encoded, err = StreamingLength(decodedLength, opts)
	}
	if err != nil {
		return err
	}
	if err := checkStreaming(req, body); err != nil {
		return err
	}
	if err := checkInput(creds, region, opts.Payload, v4a); err != nil {
		return err
	}
	// The key is found (or derived) before req is changed.
	g, err := k.signature(creds, region, t)
	if err != nil {
		return err
	}
	setStreamingHeaders(req, decodedLength, encoded, opts)
	seed, err := g.signHeaders(req, creds, opts.Payload)
	if err != nil {
		return err
	}
	if cr := setStreamingBody(req, body, decodedLength, opts); cr != nil && opts.signed() {
		cr.g = g
		cr.prefix = g.appendScope(append([]byte(g.date), '\n'))
		cr.prevSig = []byte(seed)
	}
	return nil
}

// dateCache keeps the last time formatted for X-Amz-Date, so that the
// signatures made in one second share one string.
type dateCache struct {
	last atomic.Pointer[formattedDate]
}

type formattedDate struct {
	unix int64
	date string
}

// format returns t (UTC) in the X-Amz-Date form.
func (c *dateCache) format(t time.Time) string {
	sec := t.Unix()
	if d := c.last.Load(); d != nil && d.unix == sec {
		return d.date
	}
	d := &formattedDate{unix: sec, date: string(appendTimestamp(make([]byte, 0, len(timeFormat)), t))}
	c.last.Store(d)
	return d.date
}
