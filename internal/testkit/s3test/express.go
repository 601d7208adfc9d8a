// This file holds ExpressServer, an S3 Express One Zone server for tests:
// CreateSession issues session credentials to a request signed with the
// caller's long-term credentials, and every other request on a directory
// bucket must be signed (SigV4, service s3express) with the secret of a live
// session of that bucket and carry the session's token in
// x-amz-s3session-token. Objects are stored by the Server's handler, so
// that everything it does (aws-chunked, checksums, UploadPartCopy) is there
// too. It also holds Clock, a clock tests advance by hand.

package s3test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/s3kit/s3kit/sigv4"
)

// DefaultSessionTTL is how long S3 Express session credentials last.
const DefaultSessionTTL = 5 * time.Minute

// expressTokenHeader carries a directory bucket's session token (and, as a
// query parameter, a presigned URL's).
const expressTokenHeader = "X-Amz-S3session-Token"

// expressService is the signing name of S3 Express One Zone.
const expressService = "s3express"

// Clock is a clock a test moves by hand, safe for concurrent use: the
// clock of an ExpressServer (its session expiry, and gofakes3's), which
// the client under test shares through its own Now setting. It is a
// gofakes3.TimeSource.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a Clock set to t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(t.UnixNano())
	return c
}

// Now returns the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Since returns the time elapsed on the clock since t.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// ExpressConfig configures an ExpressServer.
type ExpressConfig struct {
	// Credentials are the caller's long-term credentials: CreateSession
	// and the control-plane requests (CreateBucket, DeleteBucket,
	// ListDirectoryBuckets) must be signed with them.
	Credentials sigv4.Credentials
	// Clock is the server's clock; nil means the system's. gofakes3 uses
	// it too, for Last-Modified and its check of x-amz-date.
	Clock *Clock
	// SessionTTL is how long the session credentials CreateSession issues
	// last; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// Options configure the handler that stores objects (NewHandler's).
	// WithCredentials is refused: the ExpressServer checks signatures
	// itself. A WithRequestRecorder sees each request as it arrived.
	Options []Option
}

// ExpressStats counts the requests an ExpressServer answered or refused.
type ExpressStats struct {
	Sessions int // CreateSession requests answered with credentials
	Control  int // control-plane requests (long-term credentials) let through
	Data     int // data-plane requests whose session signature was verified
	Rejected int // requests refused for their signature, token or session
}

// ExpressServer is an httptest S3 Express One Zone server on 127.0.0.1. Every
// bucket it holds is a directory bucket. It serves the zonal host
// (BUCKET.s3express-ZONE.REGION.amazonaws.com, reached through HTTPClient),
// the control host (s3express-control.REGION.amazonaws.com) and path style
// on its own address (URL). Refusals are S3's: InvalidAccessKeyId,
// InvalidToken, ExpiredToken, AccessDenied, SignatureDoesNotMatch (403);
// a Content-MD5 header, which directory buckets do not take, is
// InvalidRequest (400). RenameObject is served here; the rest goes to the
// Server's handler.
type ExpressServer struct {
	// URL is the server's address, "http://127.0.0.1:port": the Endpoint of
	// a client that sends path style.
	URL string

	srv     *httptest.Server
	inner   http.Handler
	backend gofakes3.Backend
	creds   sigv4.Credentials
	clock   func() time.Time
	ttl     time.Duration
	record  func(*http.Request)

	mu         sync.Mutex
	sessions   map[string]*expressSession // by access key ID
	renames    map[string]string          // RenameObject client token → what it renamed
	stats      ExpressStats
	rejections []string
	serial     int
}

// expressSession is a set of session credentials the server issued.
type expressSession struct {
	bucket, secret, token string
	expires               time.Time
	readOnly              bool
}

// NewExpress starts an ExpressServer for a test and stops it in t.Cleanup.
func NewExpress(t testing.TB, cfg ExpressConfig) *ExpressServer {
	t.Helper()
	var c config
	for _, opt := range cfg.Options {
		opt(&c)
	}
	if c.creds != nil {
		t.Fatal("s3test: ExpressConfig.Options must not hold WithCredentials: the ExpressServer checks signatures itself")
	}
	if !cfg.Credentials.HasKeys() {
		t.Fatal("s3test: ExpressConfig.Credentials has no keys")
	}
	opts := append([]Option(nil), cfg.Options...)
	now := time.Now
	if cfg.Clock != nil {
		opts = append(opts, WithTimeSource(cfg.Clock))
		now = cfg.Clock.Now
	}
	// The recorder is moved outside, to see requests before the zonal
	// host is rewritten to path style.
	opts = append(opts, func(c *config) { c.recorder = nil })
	inner, backend, err := newHandler(opts)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	s := &ExpressServer{inner: inner, backend: backend, creds: cfg.Credentials, clock: now, ttl: cfg.SessionTTL,
		record: c.recorder, sessions: map[string]*expressSession{}, renames: map[string]string{}}
	if s.ttl <= 0 {
		s.ttl = DefaultSessionTTL
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// CreateBucket creates a directory bucket through the backend.
func (s *ExpressServer) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if err := gofakes3.ValidateBucketName(name); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
	if err := s.backend.CreateBucket(name); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
}

// Backend returns the storage behind the server.
func (s *ExpressServer) Backend() gofakes3.Backend { return s.backend }

// Stats returns the counts so far.
func (s *ExpressServer) Stats() ExpressStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Rejections returns why each refused request was refused, in order.
func (s *ExpressServer) Rejections() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejections...)
}

// HTTPClient returns a client that sends every request to the server,
// whatever host and scheme its URL names (the AWS zonal and control hosts),
// over plain HTTP, keeping the Host header the request was signed with.
func (s *ExpressServer) HTTPClient() *http.Client {
	target, _ := url.Parse(s.URL)
	base := s.srv.Client().Transport
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r2 := r.Clone(r.Context())
		r2.URL.Scheme, r2.URL.Host = target.Scheme, target.Host
		if r2.Host == "" {
			r2.Host = r.URL.Host
		}
		return base.RoundTrip(r2)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// expressRequest is what the server reads of a request before acting on it.
type expressRequest struct {
	bucket, key string
	zonal       bool // the bucket is in the host: rewrite to path style
	control     bool // a control-plane request
	session     bool // CreateSession
}

// classify finds the bucket and key of r and the kind of request it is.
func classify(r *http.Request) expressRequest {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var x expressRequest
	path := strings.TrimPrefix(r.URL.Path, "/")
	switch i := strings.Index(host, ".s3express-"); {
	case strings.HasPrefix(host, "s3express-control."):
		x.control = true
		x.bucket, x.key, _ = strings.Cut(path, "/")
		return x
	case i > 0:
		x.bucket, x.key, x.zonal = host[:i], path, true
	case virtualHostBucket(r.Host) != "":
		x.bucket, x.key = virtualHostBucket(r.Host), path
	default:
		x.bucket, x.key, _ = strings.Cut(path, "/")
	}
	q := r.URL.Query()
	switch {
	case x.key == "" && r.Method == http.MethodGet && q.Has("session"):
		x.session = true
	case x.bucket == "":
		x.control = true // ListDirectoryBuckets
	case !x.zonal && x.key == "" && r.URL.RawQuery == "" && (r.Method == http.MethodPut || r.Method == http.MethodDelete):
		x.control = true // CreateBucket, DeleteBucket
	}
	return x
}

func (s *ExpressServer) serve(w http.ResponseWriter, r *http.Request) {
	if s.record != nil {
		c := r.Clone(r.Context())
		c.Body, c.GetBody = http.NoBody, nil
		s.record(c)
	}
	x := classify(r)
	if r.Header.Get("Content-Md5") != "" {
		s.reject(w, r, requestError(http.StatusBadRequest, "InvalidRequest", "Content-MD5 is not supported for directory buckets"), "Content-MD5 sent")
		return
	}
	var cs *chunkSigner
	var e *authError
	switch {
	case x.session:
		if _, e = s.checkLongTerm(r); e == nil {
			s.createSession(w, r, x.bucket)
			return
		}
	case x.control:
		if cs, e = s.checkLongTerm(r); e == nil {
			s.count(func(st *ExpressStats) { st.Control++ })
			if x.bucket == "" && r.Method == http.MethodGet {
				s.listDirectoryBuckets(w, r)
				return
			}
			if r.Method == http.MethodPut && x.key == "" && r.URL.RawQuery == "" {
				if se := s.checkCreateBucket(r, x.bucket); se != nil {
					writeS3Error(w, r, se)
					return
				}
			}
		}
	default:
		if cs, e = s.checkSession(r, x.bucket); e == nil {
			s.count(func(st *ExpressStats) { st.Data++ })
		}
	}
	if e != nil {
		s.reject(w, r, nil, e.Code+": "+e.Message)
		e.write(w, r)
		return
	}
	if x.zonal {
		r = withBucketPath(r, x.bucket)
	}
	if r.Header.Get(expressTokenHeader) != "" {
		// Checked: not stored as the object's metadata.
		r = r.Clone(r.Context())
		r.Header.Del(expressTokenHeader)
	}
	if cs != nil {
		r = r.WithContext(context.WithValue(r.Context(), streamKey{}, cs))
	}
	if r.Method == http.MethodPut && x.key != "" && r.URL.Query().Has("renameObject") {
		if se := s.rename(r, x.bucket, x.key); se != nil {
			writeS3Error(w, r, se)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	s.inner.ServeHTTP(w, r)
}

// withBucketPath turns a request with the bucket in its host into the
// path-style request the Server's handler serves.
func withBucketPath(r *http.Request, bucket string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		r2.URL.RawPath = "/" + bucket + r.URL.RawPath
	}
	return r2
}

func (s *ExpressServer) count(f func(*ExpressStats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// reject counts a refusal and, with e, answers it.
func (s *ExpressServer) reject(w http.ResponseWriter, r *http.Request, e *s3Error, why string) {
	s.mu.Lock()
	s.stats.Rejected++
	s.rejections = append(s.rejections, r.Method+" "+r.Host+r.URL.RequestURI()+": "+why)
	s.mu.Unlock()
	if e != nil {
		writeS3Error(w, r, e)
	}
}

// expressAuth is a request's SigV4 authentication, from its Authorization
// header or its presigned query.
type expressAuth struct {
	scope                 scope
	stamp, signed, sig    string
	payload, sessionToken string
	securityToken         string
}

// parseAuth reads r's signature for the service s3express.
func (s *ExpressServer) parseAuth(r *http.Request) (*expressAuth, *authError) {
	a := &expressAuth{}
	var cred string
	q := r.URL.Query()
	if auth := r.Header.Get("Authorization"); auth != "" {
		alg, rest, _ := strings.Cut(auth, " ")
		if alg != sigv4.Algorithm {
			return nil, authFailure(http.StatusBadRequest, "InvalidArgument", "Unsupported Authorization Type")
		}
		fields := map[string]string{}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			fields[k] = v
		}
		cred, a.signed, a.sig = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
		a.stamp = r.Header.Get("X-Amz-Date")
		a.payload = r.Header.Get("X-Amz-Content-Sha256")
		a.sessionToken, a.securityToken = r.Header.Get(expressTokenHeader), r.Header.Get("X-Amz-Security-Token")
		if a.payload == "" {
			return nil, authFailure(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
		}
	} else if q.Has("X-Amz-Signature") {
		if q.Get("X-Amz-Algorithm") != sigv4.Algorithm {
			return nil, authFailure(http.StatusBadRequest, "AuthorizationQueryParametersError", `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
		}
		cred, a.signed, a.sig, a.stamp = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date")
		a.sessionToken, a.securityToken = q.Get(expressTokenHeader), q.Get("X-Amz-Security-Token")
		a.payload = r.Header.Get("X-Amz-Content-Sha256")
		if a.payload == "" {
			a.payload = sigv4.UnsignedPayload
		}
		t, err := time.Parse(amzTime, a.stamp)
		expires, err2 := strconv.Atoi(q.Get("X-Amz-Expires"))
		if err != nil || err2 != nil || expires < 1 || expires > maxExpiry {
			return nil, authFailure(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Date and X-Amz-Expires must be set and valid")
		}
		if s.clock().After(t.Add(time.Duration(expires) * time.Second)) {
			return nil, authFailure(http.StatusForbidden, "AccessDenied", "Request has expired")
		}
	} else {
		return nil, authFailure(http.StatusForbidden, "AccessDenied", "Access Denied: directory buckets take signed requests only")
	}
	p := strings.Split(cred, "/")
	if len(p) != 5 || p[0] == "" || p[2] == "" || p[3] != expressService || p[4] != "aws4_request" || a.signed == "" || a.sig == "" {
		return nil, authFailure(http.StatusBadRequest, "AuthorizationHeaderMalformed",
			`The authorization header is malformed; expecting Credential "<AKID>/YYYYMMDD/REGION/s3express/aws4_request", SignedHeaders and Signature.`)
	}
	a.scope = scope{accessKey: p[0], date: p[1], region: p[2]}
	t, err := time.Parse(amzTime, a.stamp)
	if err != nil || t.Format(amzDate) != a.scope.date {
		return nil, authFailure(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if r.Header.Get("Authorization") != "" {
		if d := s.clock().Sub(t); d > maxFutureSkew || d < -maxFutureSkew {
			return nil, authFailure(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
		}
	}
	return a, nil
}

// verify checks a's signature of r with secret. For a signed aws-chunked
// body it returns the chunkSigner that checks the chunks.
func (s *ExpressServer) verify(r *http.Request, a *expressAuth, secret string) (*chunkSigner, *authError) {
	names := strings.Split(a.signed, ";")
	hasHost := false
	for _, n := range names {
		hasHost = hasHost || n == "host"
	}
	if !hasHost {
		return nil, authFailure(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; SignedHeaders must include host.")
	}
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !slices.Contains(names, lower) {
			return nil, authFailure(http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed: "+lower)
		}
	}
	canonical, err := (&authChecker{}).canonicalRequest(r, names, a.payload)
	if err != nil {
		return nil, authFailure(http.StatusBadRequest, "InvalidRequest", "The request cannot be canonicalized: "+err.Error())
	}
	t, _ := time.Parse(amzTime, a.stamp)
	sts := (&sigv4.Signer{Service: expressService}).StringToSign(canonical, t, a.scope.region)
	key := expressKey(secret, a.scope)
	want := hmacHex(key[:], sts)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.sig)) != 1 {
		e := authFailure(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		e.AWSAccessKeyID, e.SignatureProvided = a.scope.accessKey, a.sig
		e.StringToSign, e.CanonicalRequest = sts, canonical
		return nil, e
	}
	switch a.payload {
	case sigv4.StreamingPayload, sigv4.StreamingPayloadTrailer:
		prefix := a.stamp + "\n" + a.scope.date + "/" + a.scope.region + "/" + expressService + "/aws4_request"
		return &chunkSigner{key: key, prefix: prefix, prev: want}, nil
	}
	return nil, nil
}

// expressKey derives the SigV4 signing key of sc's day and region for the
// service s3express.
func expressKey(secret string, sc scope) [32]byte {
	k := hmacSum([]byte("AWS4"+secret), sc.date)
	k = hmacSum(k, sc.region)
	k = hmacSum(k, expressService)
	var out [32]byte
	copy(out[:], hmacSum(k, "aws4_request"))
	return out
}

// checkLongTerm checks a request signed with the long-term credentials:
// CreateSession and the control plane.
func (s *ExpressServer) checkLongTerm(r *http.Request) (*chunkSigner, *authError) {
	a, e := s.parseAuth(r)
	if e != nil {
		return nil, e
	}
	if a.scope.accessKey != s.creds.AccessKeyID {
		e := authFailure(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		e.AWSAccessKeyID = a.scope.accessKey
		return nil, e
	}
	if a.sessionToken != "" || subtle.ConstantTimeCompare([]byte(a.securityToken), []byte(s.creds.SessionToken)) != 1 {
		return nil, authFailure(http.StatusForbidden, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	}
	return s.verify(r, a, s.creds.SecretAccessKey)
}

// checkSession checks a data-plane request: signed with the secret of a
// live session of bucket, with its token.
func (s *ExpressServer) checkSession(r *http.Request, bucket string) (*chunkSigner, *authError) {
	a, e := s.parseAuth(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	sess := s.sessions[a.scope.accessKey]
	s.mu.Unlock()
	switch {
	case sess == nil:
		e := authFailure(http.StatusForbidden, "InvalidAccessKeyId", "The access key is not one of a session this server issued.")
		e.AWSAccessKeyID = a.scope.accessKey
		return nil, e
	case a.securityToken != "" || subtle.ConstantTimeCompare([]byte(a.sessionToken), []byte(sess.token)) != 1:
		return nil, authFailure(http.StatusForbidden, "InvalidToken", "The session token is missing from x-amz-s3session-token or is not the session's.")
	case sess.bucket != bucket:
		return nil, authFailure(http.StatusForbidden, "AccessDenied", "The session is for another bucket.")
	case !s.clock().Before(sess.expires):
		return nil, authFailure(http.StatusForbidden, "ExpiredToken", "The provided token has expired.")
	case sess.readOnly && r.Method != http.MethodGet && r.Method != http.MethodHead:
		return nil, authFailure(http.StatusForbidden, "AccessDenied", "A ReadOnly session cannot write.")
	}
	return s.verify(r, a, sess.secret)
}

// createSession answers CreateSession with new session credentials.
func (s *ExpressServer) createSession(w http.ResponseWriter, r *http.Request, bucket string) {
	mode := r.Header.Get("X-Amz-Create-Session-Mode")
	if mode != "" && mode != "ReadWrite" && mode != "ReadOnly" {
		writeS3Error(w, r, requestError(http.StatusBadRequest, "InvalidArgument", "x-amz-create-session-mode must be ReadWrite or ReadOnly"))
		return
	}
	if ok, err := s.backend.BucketExists(bucket); err != nil || !ok {
		writeS3Error(w, r, requestError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"))
		return
	}
	now := s.clock()
	s.mu.Lock()
	for k, sess := range s.sessions {
		if !now.Before(sess.expires) {
			delete(s.sessions, k)
		}
	}
	s.serial++
	akid := "ASIAEXPRESS" + strconv.Itoa(s.serial)
	sess := &expressSession{bucket: bucket, secret: randomHex(20), token: randomHex(32), expires: now.Add(s.ttl).Truncate(time.Second),
		readOnly: mode == "ReadOnly"}
	s.sessions[akid] = sess
	s.stats.Sessions++
	s.mu.Unlock()
	type credentials struct {
		SessionToken    string
		SecretAccessKey string
		AccessKeyId     string
		Expiration      string
	}
	writeXML(w, r, http.StatusOK, struct {
		XMLName     xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CreateSessionResult"`
		Credentials credentials
	}{Credentials: credentials{SessionToken: sess.token, SecretAccessKey: sess.secret, AccessKeyId: akid,
		Expiration: sess.expires.UTC().Format(time.RFC3339)}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// listDirectoryBuckets answers ListDirectoryBuckets with every bucket, in
// one page, in name order (the backend keeps no order).
func (s *ExpressServer) listDirectoryBuckets(w http.ResponseWriter, r *http.Request) {
	buckets, err := s.backend.ListBuckets()
	if err != nil {
		writeS3Error(w, r, requestError(http.StatusInternalServerError, "InternalError", err.Error()))
		return
	}
	slices.SortFunc(buckets, func(a, b gofakes3.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	type bucket struct {
		Name         string
		CreationDate string
	}
	doc := struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyDirectoryBucketsResult"`
		Buckets []bucket `xml:"Buckets>Bucket"`
	}{}
	for _, b := range buckets {
		doc.Buckets = append(doc.Buckets, bucket{Name: b.Name, CreationDate: b.CreationDate.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	writeXML(w, r, http.StatusOK, doc)
}

// maxCreateBucketBody bounds the CreateBucketConfiguration read.
const maxCreateBucketBody = 64 << 10

// checkCreateBucket checks the configuration of a new directory bucket:
// an Availability Zone or Local Zone that is the one in the name, single
// zone redundancy, type Directory. The body is put back for gofakes3.
func (s *ExpressServer) checkCreateBucket(r *http.Request, bucket string) *s3Error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCreateBucketBody))
	if err != nil {
		return requestError(http.StatusBadRequest, "IncompleteBody", "reading the body: "+err.Error())
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	var cfg struct {
		Location struct{ Name, Type string }
		Bucket   struct{ DataRedundancy, Type string }
	}
	bad := func(msg string) *s3Error { return requestError(http.StatusBadRequest, "InvalidArgument", msg) }
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return bad("a directory bucket needs a CreateBucketConfiguration")
	}
	zone := ""
	if rest, ok := strings.CutSuffix(bucket, "--x-s3"); ok {
		if i := strings.LastIndex(rest, "--"); i >= 0 {
			zone = rest[i+2:]
		}
	}
	redundancy := map[string]string{"AvailabilityZone": "SingleAvailabilityZone", "LocalZone": "SingleLocalZone"}
	switch {
	case zone == "":
		return requestError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid: want BASE--ZONE--x-s3")
	case cfg.Location.Name != zone:
		return bad("Location.Name " + cfg.Location.Name + " is not the zone of the bucket name, " + zone)
	case redundancy[cfg.Location.Type] == "":
		return bad("Location.Type must be AvailabilityZone or LocalZone")
	case cfg.Bucket.DataRedundancy != redundancy[cfg.Location.Type]:
		return bad("Bucket.DataRedundancy must be " + redundancy[cfg.Location.Type] + " for Location.Type " + cfg.Location.Type)
	case cfg.Bucket.Type != "Directory":
		return bad("Bucket.Type must be Directory")
	}
	return nil
}

// rename serves RenameObject: the object x-amz-rename-source names, in the
// same bucket, moves to key, metadata and all, under the source and
// destination conditions. A client token names the rename: repeating it
// with the same source and key succeeds without doing anything (a retry),
// with others is IdempotencyParameterMismatch.
func (s *ExpressServer) rename(r *http.Request, bucket, key string) *s3Error {
	srcBucket, srcKey, version, e := parseCopySource(r.Header.Get("X-Amz-Rename-Source"))
	switch {
	case e != nil:
		return requestError(http.StatusBadRequest, "InvalidArgument", "x-amz-rename-source must be bucket/key")
	case version != "" || srcBucket != bucket:
		return requestError(http.StatusBadRequest, "InvalidRequest", "RenameObject renames within one bucket, with no version")
	case strings.HasSuffix(key, "/") || strings.HasSuffix(srcKey, "/"):
		return requestError(http.StatusBadRequest, "InvalidRequest", "RenameObject does not rename keys ending with /")
	}
	what := bucket + "\x00" + srcKey + "\x00" + key
	token := r.Header.Get("X-Amz-Client-Token")
	if token != "" {
		s.mu.Lock()
		prev, seen := s.renames[token]
		s.mu.Unlock()
		switch {
		case seen && prev == what:
			return nil
		case seen:
			return requestError(http.StatusBadRequest, "IdempotencyParameterMismatch", "The client token was used for another rename.")
		}
	}
	src, e := readSource(s.backend, bucket, srcKey, "", nil)
	if e != nil {
		return e
	}
	defer src.Contents.Close()
	srcHeader := http.Header{}
	for _, c := range [...]string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := r.Header.Get("X-Amz-Rename-Source-" + c); v != "" {
			srcHeader.Set("X-Amz-Copy-Source-"+c, v)
		}
	}
	modified, _ := time.Parse(http.TimeFormat, src.Metadata["Last-Modified"])
	if e := copyConditions(srcHeader, `"`+hex.EncodeToString(src.Hash)+`"`, modified); e != nil {
		return e
	}
	failed := requestError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	dst, err := s.backend.HeadObject(bucket, key)
	exists := err == nil
	if exists {
		dst.Contents.Close()
	}
	switch m := r.Header.Get("If-Match"); {
	case m != "" && (!exists || !etagListHas(m, `"`+hex.EncodeToString(dst.Hash)+`"`)):
		return failed
	case r.Header.Get("If-None-Match") == "*" && exists:
		return failed
	}
	if _, err := s.backend.PutObject(bucket, key, src.Metadata, src.Contents, src.Size, nil); err != nil {
		return requestError(http.StatusInternalServerError, "InternalError", "storing the renamed object: "+err.Error())
	}
	if _, err := s.backend.DeleteObject(bucket, srcKey); err != nil {
		return requestError(http.StatusInternalServerError, "InternalError", "removing the old name: "+err.Error())
	}
	if token != "" {
		s.mu.Lock()
		s.renames[token] = what
		s.mu.Unlock()
	}
	return nil
}
