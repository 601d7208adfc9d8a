// This file checks SigV4 signatures for a server with credentials
// (WithCredentials): header-signed and presigned requests here, and the
// chunk and trailer signatures of signed aws-chunked bodies as they are
// decoded (chunkSigner, used by awschunked.go). Refusals are S3's:
// InvalidAccessKeyId, SignatureDoesNotMatch with the canonical request and
// the string to sign, AccessDenied for an expired URL or an anonymous
// request.

package s3test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

const (
	amzTime   = "20060102T150405Z"
	amzDate   = "20060102"
	maxExpiry = 7 * 24 * 60 * 60 // seconds: S3's longest presigned URL
	// maxFutureSkew is how far in the future a presigned URL's X-Amz-Date
	// may be: S3's clock-skew allowance.
	maxFutureSkew = 15 * time.Minute
)

// authError is an authentication refusal with the extra elements S3 puts
// in the error document.
type authError struct {
	XMLName               xml.Name `xml:"Error"`
	Code                  string
	Message               string
	AWSAccessKeyID        string `xml:"AWSAccessKeyId,omitempty"`
	StringToSign          string `xml:",omitempty"`
	SignatureProvided     string `xml:",omitempty"`
	StringToSignBytes     string `xml:",omitempty"`
	CanonicalRequest      string `xml:",omitempty"`
	CanonicalRequestBytes string `xml:",omitempty"`
	XAmzExpires           string `xml:"X-Amz-Expires,omitempty"`
	Expires               string `xml:",omitempty"`
	ServerTime            string `xml:",omitempty"`
	status                int
}

func authFailure(status int, code, msg string) *authError {
	return &authError{Code: code, Message: msg, status: status}
}

func (e *authError) write(w http.ResponseWriter, r *http.Request) { writeXML(w, r, e.status, e) }

// authChecker checks every request's signature against creds.
type authChecker struct {
	creds  sigv4.Credentials
	now    func() time.Time
	signer sigv4.Signer
}

// streamKey is the context key of a signed streaming upload's chunkSigner.
type streamKey struct{}

func checkSignatures(next http.Handler, creds sigv4.Credentials, now func() time.Time) http.Handler {
	a := &authChecker{creds: creds, now: now}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var cs *chunkSigner
		var e *authError
		switch {
		case r.Header.Get("Authorization") != "":
			cs, e = a.checkHeader(r)
		case q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature"):
			e = a.checkQuery(r, q)
		case isPostForm(r):
			// A browser upload is signed in its form, which the POST
			// checks verify (post.go).
		default:
			e = authFailure(http.StatusForbidden, "AccessDenied", "Access Denied")
		}
		if e != nil {
			e.write(w, r)
			return
		}
		if cs != nil {
			r = r.WithContext(context.WithValue(r.Context(), streamKey{}, cs))
		}
		next.ServeHTTP(w, r)
	})
}

// scope is a parsed credential: access key, date, region.
type scope struct {
	accessKey, date, region string
}

func (s scope) String() string { return s.date + "/" + s.region + "/s3/aws4_request" }

func parseCredential(v string) (scope, bool) {
	p := strings.Split(v, "/")
	if len(p) != 5 || p[0] == "" || len(p[1]) != len(amzDate) || p[2] == "" || p[3] != "s3" || p[4] != "aws4_request" {
		return scope{}, false
	}
	if _, err := time.Parse(amzDate, p[1]); err != nil {
		return scope{}, false
	}
	return scope{accessKey: p[0], date: p[1], region: p[2]}, true
}

// checkHeader checks an Authorization header. For a signed streaming
// upload it returns the chunkSigner that checks the chunks.
func (a *authChecker) checkHeader(r *http.Request) (*chunkSigner, *authError) {
	auth := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != sigv4.Algorithm {
		return nil, authFailure(http.StatusBadRequest, "InvalidArgument", "Unsupported Authorization Type")
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		fields[k] = v
	}
	malformed := func(why string) *authError {
		return authFailure(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+why)
	}
	sc, ok := parseCredential(fields["Credential"])
	if !ok {
		return nil, malformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	signed, sig := fields["SignedHeaders"], fields["Signature"]
	if signed == "" || sig == "" {
		return nil, malformed("it needs Credential, SignedHeaders and Signature.")
	}
	if e := a.checkKey(sc.accessKey); e != nil {
		return nil, e
	}
	stamp := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzTime, stamp)
	if err != nil {
		if t, err = http.ParseTime(r.Header.Get("Date")); err != nil {
			return nil, authFailure(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
		}
		stamp = t.UTC().Format(amzTime)
	}
	if t.UTC().Format(amzDate) != sc.date {
		return nil, malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return nil, authFailure(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	if e := a.checkToken(r.Header.Get("X-Amz-Security-Token")); e != nil {
		return nil, e
	}
	seed, e := a.verify(r, sc, stamp, signed, payload, sig)
	if e != nil {
		return nil, e
	}
	switch payload {
	case sigv4.StreamingPayload, sigv4.StreamingPayloadTrailer:
		return &chunkSigner{key: signingKey(a.creds.SecretAccessKey, sc), prefix: stamp + "\n" + sc.String(), prev: seed}, nil
	}
	return nil, nil
}

// checkQuery checks a presigned URL.
func (a *authChecker) checkQuery(r *http.Request, q url.Values) *authError {
	bad := func(msg string) *authError {
		return authFailure(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
	}
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if len(q[name]) != 1 || q.Get(name) == "" {
			return bad("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if q.Get("X-Amz-Algorithm") != sigv4.Algorithm {
		return bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	sc, ok := parseCredential(q.Get("X-Amz-Credential"))
	if !ok {
		return bad(`Error parsing the X-Amz-Credential parameter; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	stamp := q.Get("X-Amz-Date")
	t, err := time.Parse(amzTime, stamp)
	if err != nil {
		return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if t.Format(amzDate) != sc.date {
		return bad("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	switch {
	case err != nil || expires < 0:
		return bad("X-Amz-Expires should be a number")
	case expires > maxExpiry:
		return bad("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if e := a.checkKey(sc.accessKey); e != nil {
		return e
	}
	now := a.now().UTC()
	if t.After(now.Add(maxFutureSkew)) {
		return authFailure(http.StatusForbidden, "AccessDenied", "Request is not valid yet")
	}
	if end := t.Add(time.Duration(expires) * time.Second); now.After(end) {
		e := authFailure(http.StatusForbidden, "AccessDenied", "Request has expired")
		e.XAmzExpires, e.Expires, e.ServerTime = strconv.Itoa(expires), end.Format(time.RFC3339), now.Format(time.RFC3339)
		return e
	}
	if e := a.checkToken(q.Get("X-Amz-Security-Token")); e != nil {
		return e
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = sigv4.UnsignedPayload
	}
	_, e := a.verify(r, sc, stamp, q.Get("X-Amz-SignedHeaders"), payload, q.Get("X-Amz-Signature"))
	return e
}

func (a *authChecker) checkKey(accessKey string) *authError {
	if accessKey != a.creds.AccessKeyID {
		e := authFailure(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		e.AWSAccessKeyID = accessKey
		return e
	}
	return nil
}

func (a *authChecker) checkToken(token string) *authError {
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.creds.SessionToken)) != 1 {
		return authFailure(http.StatusForbidden, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	}
	return nil
}

// verify computes the signature of r over the headers named in signed
// and compares it with sig. It returns the signature, the seed of a
// streaming body's chunk signatures.
func (a *authChecker) verify(r *http.Request, sc scope, stamp, signed, payload, sig string) (string, *authError) {
	names := strings.Split(signed, ";")
	hasHost := false
	for _, n := range names {
		hasHost = hasHost || n == "host"
	}
	if !hasHost {
		return "", authFailure(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; SignedHeaders must include host.")
	}
	canonical, err := a.canonicalRequest(r, names, payload)
	if err != nil {
		return "", authFailure(http.StatusBadRequest, "InvalidRequest", "The request cannot be canonicalized: "+err.Error())
	}
	t, _ := time.Parse(amzTime, stamp)
	sts := a.signer.StringToSign(canonical, t, sc.region)
	key := signingKey(a.creds.SecretAccessKey, sc)
	want := hmacHex(key[:], sts)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		e := authFailure(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		e.AWSAccessKeyID, e.SignatureProvided = sc.accessKey, sig
		e.StringToSign, e.StringToSignBytes = sts, spacedHex(sts)
		e.CanonicalRequest, e.CanonicalRequestBytes = canonical, spacedHex(canonical)
		return "", e
	}
	return want, nil
}

// canonicalRequest is r's canonical request over the headers names (lower
// case, in the order signed). The method, path and query come from
// sigv4.Signer.CanonicalRequest; the header lines are built here, since
// the signer leaves out headers a client may still have signed
// (User-Agent, Expect).
func (a *authChecker) canonicalRequest(r *http.Request, names []string, payload string) (string, error) {
	u := &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	base, err := a.signer.CanonicalRequest(&http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}, payload)
	if err != nil {
		return "", err
	}
	lines := strings.SplitN(base, "\n", 4)
	var b strings.Builder
	b.WriteString(lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n")
	for _, name := range names {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values(name)
			if len(values) == 0 && r.ContentLength >= 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		case "transfer-encoding":
			values = r.TransferEncoding
		default:
			values = r.Header.Values(name)
		}
		b.WriteString(name + ":")
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\n" + strings.Join(names, ";") + "\n" + payload)
	return b.String(), nil
}

// signingKey derives the SigV4 signing key of sc's day and region.
func signingKey(secret string, sc scope) [sha256.Size]byte {
	k := hmacSum([]byte("AWS4"+secret), sc.date)
	k = hmacSum(k, sc.region)
	k = hmacSum(k, "s3")
	var out [sha256.Size]byte
	copy(out[:], hmacSum(k, "aws4_request"))
	return out
}

func hmacSum(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func hmacHex(key []byte, msg string) string { return hex.EncodeToString(hmacSum(key, msg)) }

// spacedHex is S3's StringToSignBytes form: each byte in hex, spaced.
func spacedHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// emptySHA256 is the hash of the final chunk's (empty) data.
var emptySHA256 = sha256.Sum256(nil)

// chunkSigner checks the signature chain of a signed aws-chunked body:
// each chunk's signature signs its data and the previous signature (the
// request's for the first), and the trailer's signs the trailer lines.
type chunkSigner struct {
	key    [sha256.Size]byte
	prefix string // timestamp "\n" scope
	prev   string
}

// chunk checks the signature of a chunk whose data hashes to sum.
func (c *chunkSigner) chunk(sig string, sum []byte) bool {
	return c.next("AWS4-HMAC-SHA256-PAYLOAD\n"+c.prefix+"\n"+c.prev+"\n"+sigv4.EmptyPayloadHash+"\n"+hex.EncodeToString(sum), sig)
}

// trailer checks the trailer signature over the canonical trailer lines
// ("name:value\n" each, names in lower case).
func (c *chunkSigner) trailer(sig string, lines []byte) bool {
	sum := sha256.Sum256(lines)
	return c.next("AWS4-HMAC-SHA256-TRAILER\n"+c.prefix+"\n"+c.prev+"\n"+hex.EncodeToString(sum[:]), sig)
}

func (c *chunkSigner) next(sts, sig string) bool {
	want := hmacHex(c.key[:], sts)
	c.prev = want
	return subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1
}

// signatureMismatch is the answer to a chunk or trailer signature that
// does not match.
func signatureMismatch(what string) *s3Error {
	return requestError(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided ("+what+").")
}
