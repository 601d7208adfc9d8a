package s3client

// S3 Express One Zone: directory bucket names (NAME--ZONE--x-s3, and
// access points NAME--ZONE--xa-s3), their zonal and control endpoints, and
// the session credentials CreateSession issues per bucket, cached and
// shared by concurrent requests.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// IsDirectoryBucket reports whether a bucket name is an S3 Express One
// Zone directory bucket's ("NAME--ZONE--x-s3") or a directory bucket
// access point's ("--xa-s3").
func IsDirectoryBucket(b string) bool {
	return strings.HasSuffix(b, "--x-s3") || strings.HasSuffix(b, "--xa-s3")
}

// expressZoneLengths are the zone ID lengths the rules accept: usw2-az1,
// usw2-az12, and the Local Zone IDs of 13, 14 and 20 characters.
var expressZoneLengths = [...]int{8, 9, 13, 14, 20}

// expressZone returns the zone ID of a directory bucket name: the
// characters between the last two "--", of one of expressZoneLengths.
func expressZone(b string) (string, bool) {
	suffix := len("--x-s3")
	if strings.HasSuffix(b, "--xa-s3") {
		suffix = len("--xa-s3")
	}
	end := len(b) - suffix
	for _, n := range expressZoneLengths {
		if end-n-2 < 0 {
			break
		}
		if b[end-n-2:end-n] == "--" {
			return b[end-n : end], true
		}
	}
	return "", false
}

// express resolves a directory bucket: the custom Endpoint; the control
// endpoint for bucket operations (s3express-control[-fips][.dualstack].
// REGION.SUFFIX/BUCKET); or the zonal endpoint
// (BUCKET.s3express[-fips]-ZONE[.dualstack].REGION.SUFFIX), signed with the
// bucket's session credentials unless session auth is disabled.
func (r *endpointResolver) express(t *target, region string, part *partition, accelerate bool) (*endpoint, error) {
	if accelerate {
		return nil, endpointErr("S3Express does not support S3 Accelerate.")
	}
	b := t.bucket
	ep := &endpoint{auth: authS3Express, signingName: "s3express", signingRegion: signingRegion(region)}
	if r.noExpressSession || t.noExpressSession || t.expressControl {
		ep.auth = authSigV4
	}
	if r.custom {
		ep.url = &url.URL{Scheme: r.scheme, Host: r.host}
		switch {
		case r.hostIsIP:
			setPath(ep.url, r.prefix, b, t.key)
		case virtualHostable(b, false):
			ep.url.Host = b + "." + r.host
			setPath(ep.url, r.prefix, "", t.key)
		default:
			return nil, fmt.Errorf("%w: S3Express bucket name is not a valid virtual hostable name.", ErrInvalidBucketName)
		}
		return ep, nil
	}
	if t.expressControl {
		return r.expressControl(b, region, part)
	}
	if !virtualHostable(b, false) {
		return nil, fmt.Errorf("%w: S3Express bucket name is not a valid virtual hostable name.", ErrInvalidBucketName)
	}
	zone, ok := expressZone(b)
	if !ok {
		return nil, fmt.Errorf("%w: Unrecognized S3Express bucket name format.", ErrInvalidBucketName)
	}
	if r.dualStack && !part.dualStack {
		return nil, endpointErr("DualStack is enabled but this partition does not support DualStack")
	}
	name := "s3express"
	if r.fips {
		name += "-fips"
	}
	ep.url = &url.URL{Scheme: "https", Host: b + "." + serviceHost(name+"-"+zone, false, r.dualStack, signingRegion(region), part)}
	setPath(ep.url, "", "", t.key)
	return ep, nil
}

// expressControl is the regional control endpoint of directory buckets,
// with the bucket in the path.
func (r *endpointResolver) expressControl(b, region string, part *partition) (*endpoint, error) {
	ep := &endpoint{signingName: "s3express", signingRegion: signingRegion(region)}
	if r.custom {
		ep.url = &url.URL{Scheme: r.scheme, Host: r.host}
		setPath(ep.url, r.prefix, b, "")
		return ep, nil
	}
	if r.dualStack && !part.dualStack {
		return nil, endpointErr("DualStack is enabled but this partition does not support DualStack")
	}
	ep.url = &url.URL{Scheme: "https", Host: serviceHost("s3express-control", r.fips, r.dualStack, signingRegion(region), part)}
	setPath(ep.url, "", b, "")
	return ep, nil
}

// expressIntegrity applies the integrity rule of directory buckets to a
// request: they take no Content-MD5. An operation that needs an integrity
// check and has no checksum (DeleteObjects, the configuration PUTs, Do's
// ContentMD5 under a policy that sends none) sends CRC32 instead, as the
// SDKs do for directory buckets; a Content-MD5 the caller gave
// (PutObjectInput.ContentMD5, UploadPartInput.ContentMD5) is refused
// before anything is sent.
func expressIntegrity(r *request) error {
	if r.header.Get("Content-Md5") != "" {
		return inputError(r.op, r.bucket, r.key, errors.New("s3client: directory buckets do not take Content-MD5: give a checksum (ChecksumAlgorithm or a Checksum* value) instead"))
	}
	if r.md5 {
		r.md5 = false
		if r.checksum == ChecksumNone {
			r.checksum = ChecksumCRC32
		}
	}
	return nil
}

// expressRefresh is how long before their expiry session credentials are
// replaced (they last five minutes).
const expressRefresh = time.Minute

// maxExpressSessions bounds the cache of session credentials; past it,
// expired entries are dropped, then all of them.
const maxExpressSessions = 1024

// expressSessions caches the session credentials of directory buckets, per
// bucket and access key: one CreateSession at a time per bucket, whose
// answer every waiting request uses.
type expressSessions struct {
	mu sync.Mutex
	m  map[expressKey]*expressSession
}

type expressKey struct{ bucket, accessKeyID string }

type expressSession struct {
	done  chan struct{} // closed when creds or err is set
	creds sigv4.Credentials
	err   error
}

// sessionCredentials returns the bucket's session credentials, calling
// CreateSession when there are none or they expire within expressRefresh.
func (c *Client) sessionCredentials(ctx context.Context, bucket string, base sigv4.Credentials) (sigv4.Credentials, error) {
	key := expressKey{bucket, base.AccessKeyID}
	s := &c.express
	for {
		s.mu.Lock()
		e := s.m[key]
		if e != nil {
			select {
			case <-e.done:
				if e.err == nil && c.now().Add(expressRefresh).Before(e.creds.Expires) {
					s.mu.Unlock()
					return e.creds, nil
				}
				e = nil // failed or expiring: replace it
			default:
			}
		}
		if e != nil {
			s.mu.Unlock()
			select {
			case <-e.done:
				if e.err != nil {
					return sigv4.Credentials{}, e.err
				}
				continue
			case <-ctx.Done():
				return sigv4.Credentials{}, context.Cause(ctx)
			}
		}
		if s.m == nil {
			s.m = make(map[expressKey]*expressSession)
		}
		if len(s.m) >= maxExpressSessions {
			s.prune(c.now())
		}
		e = &expressSession{done: make(chan struct{})}
		s.m[key] = e
		s.mu.Unlock()

		out, err := c.CreateSession(ctx, &CreateSessionInput{Bucket: bucket})
		if err == nil {
			e.creds = out.Credentials
		} else {
			e.err = err
		}
		close(e.done)
		return e.creds, e.err
	}
}

// dropSessions forgets the finished sessions of bucket (for every access
// key), so that the next request creates a new one; one being created is
// left to finish.
func (c *Client) dropSessions(bucket string) {
	s := &c.express
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.m {
		if k.bucket != bucket {
			continue
		}
		select {
		case <-e.done:
			delete(s.m, k)
		default:
		}
	}
}

// prune drops expired or failed sessions, and all of them if none is.
// s.mu is held.
func (s *expressSessions) prune(now time.Time) {
	for k, e := range s.m {
		select {
		case <-e.done:
			if e.err != nil || !now.Before(e.creds.Expires) {
				delete(s.m, k)
			}
		default:
		}
	}
	if len(s.m) >= maxExpressSessions {
		clear(s.m)
	}
}

// CreateSessionInput is the input of CreateSession.
type CreateSessionInput struct {
	Bucket string
	// SessionMode is "ReadWrite" (the default) or "ReadOnly".
	SessionMode string
}

// CreateSessionOutput holds a directory bucket's session credentials.
type CreateSessionOutput struct {
	Credentials sigv4.Credentials
}

type xmlCreateSessionResult struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
}

// CreateSession asks a directory bucket for session credentials (valid
// five minutes). The client calls it itself, and caches its answer, for
// every request on a directory bucket unless DisableS3ExpressSessionAuth
// is set.
func (c *Client) CreateSession(ctx context.Context, in *CreateSessionInput) (*CreateSessionOutput, error) {
	const op = "CreateSession"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	h := make(http.Header, 1)
	setIf(h, "X-Amz-Create-Session-Mode", in.SessionMode)
	resp, err := c.do(ctx, &request{op: op, method: http.MethodGet, bucket: in.Bucket, header: h,
		query: url.Values{"session": {""}}, result: "CreateSessionResult", noExpressSession: true})
	if err != nil {
		return nil, err
	}
	var doc xmlCreateSessionResult
	if err := decodeXML(op, in.Bucket, "", resp, &doc); err != nil {
		return nil, err
	}
	cr := doc.Credentials
	exp, err := time.Parse(time.RFC3339, cr.Expiration)
	if cr.AccessKeyID == "" || cr.SecretAccessKey == "" || cr.SessionToken == "" || err != nil {
		return nil, &Error{Op: op, Bucket: in.Bucket, StatusCode: resp.StatusCode,
			Err: fmt.Errorf("%w: incomplete session credentials", ErrUnexpectedResponse)}
	}
	return &CreateSessionOutput{Credentials: sigv4.Credentials{AccessKeyID: cr.AccessKeyID,
		SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken, Expires: exp}}, nil
}

// maxDirectoryBuckets is the most directory buckets S3 lists in a page.
const maxDirectoryBuckets = 1000

// ListDirectoryBucketsInput is the input of ListDirectoryBuckets.
type ListDirectoryBucketsInput struct {
	ContinuationToken   string
	MaxDirectoryBuckets int // 0: S3's default (1000)
}

// ListDirectoryBucketsOutput is one page of directory buckets.
type ListDirectoryBucketsOutput struct {
	Buckets           []Bucket
	ContinuationToken string // "" on the last page
}

// ListDirectoryBuckets lists the caller's directory buckets in the
// client's region, on the S3 Express control endpoint.
func (c *Client) ListDirectoryBuckets(ctx context.Context, in *ListDirectoryBucketsInput) (*ListDirectoryBucketsOutput, error) {
	const op = "ListDirectoryBuckets"
	if in == nil {
		in = &ListDirectoryBucketsInput{}
	}
	if in.MaxDirectoryBuckets < 0 || in.MaxDirectoryBuckets > maxDirectoryBuckets {
		return nil, inputError(op, "", "", fmt.Errorf("s3client: MaxDirectoryBuckets %d outside 0..%d", in.MaxDirectoryBuckets, maxDirectoryBuckets))
	}
	q := url.Values{"x-id": {op}}
	setQuery(q, "continuation-token", in.ContinuationToken)
	if in.MaxDirectoryBuckets > 0 {
		q.Set("max-directory-buckets", strconv.Itoa(in.MaxDirectoryBuckets))
	}
	resp, err := c.do(ctx, &request{op: op, method: http.MethodGet, query: q, expressControl: true})
	if err != nil {
		return nil, err
	}
	var x xmlListBucketsResult // ListAllMyDirectoryBucketsResult has the same elements
	if err := decodeXML(op, "", "", resp, &x); err != nil {
		return nil, err
	}
	if len(x.Buckets) > maxDirectoryBuckets {
		return nil, &Error{Op: op, StatusCode: resp.StatusCode, Err: fmt.Errorf("%w: %d buckets in one page", ErrUnexpectedResponse, len(x.Buckets))}
	}
	out := &ListDirectoryBucketsOutput{ContinuationToken: x.ContinuationToken}
	for _, b := range x.Buckets {
		out.Buckets = append(out.Buckets, Bucket{Name: b.Name, CreationDate: b.CreationDate.Time, BucketRegion: b.BucketRegion})
	}
	return out, nil
}
