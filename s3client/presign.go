package s3client

// Presigned URLs: a request signed in its query string, for a holder
// without credentials (a browser, curl, another service), as boto3's
// generate_presigned_url. The URL follows the client's endpoint and
// addressing style; on AWS it names the regional host
// (bucket.s3.<region>.amazonaws.com), because the global host answers new
// buckets and newer regions with a redirect that browsers and CORS cannot
// follow with a signature.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// DefaultPresignExpiry is the validity of a presigned URL when none is
// given, as in boto3.
const DefaultPresignExpiry = time.Hour

// ErrExpiryBeyondCredentials is wrapped when a presigned URL would outlive
// the temporary credentials that sign it: S3 would reject it early, without
// a word to whoever holds it.
var ErrExpiryBeyondCredentials = errors.New("s3client: presign expiry is beyond the credentials' expiry")

// PresignedRequest is a presigned URL and what its holder must send with it.
type PresignedRequest struct {
	Method string
	URL    string
	// Header holds the headers that were signed besides Host: the holder
	// must send each exactly (for example Content-Type or SSE-C headers of
	// a presigned PUT), or S3 rejects the signature.
	Header  http.Header
	Expires time.Time
}

// Presign signs any S3 request in its query string: method, bucket, key
// (either may be empty), extra query parameters and headers to sign.
// expires is 1 s to 7 days; 0 means DefaultPresignExpiry.
func (c *Client) Presign(ctx context.Context, method, bucket, key string, query url.Values, header http.Header, expires time.Duration) (*PresignedRequest, error) {
	const op = "Presign"
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete:
	default:
		return nil, inputError(op, bucket, key, fmt.Errorf("method %q: want GET, HEAD, PUT, POST or DELETE", method))
	}
	if bucket != "" {
		if err := checkBucket(op, bucket); err != nil {
			return nil, err
		}
	}
	if key != "" {
		if err := checkObject(op, bucket, key); err != nil {
			return nil, err
		}
	}
	h := make(http.Header, len(header))
	for k, v := range header {
		h[http.CanonicalHeaderKey(k)] = v
	}
	return c.presign(ctx, &request{op: op, method: method, bucket: bucket, key: key, query: query, header: h}, expires)
}

func (c *Client) presign(ctx context.Context, r *request, expires time.Duration) (*PresignedRequest, error) {
	if err := r.addCommon(); err != nil {
		return nil, err
	}
	if expires == 0 {
		expires = DefaultPresignExpiry
	}
	if expires < time.Second || expires > sigv4.MaxPresignExpiry {
		return nil, inputError(r.op, r.bucket, r.key, fmt.Errorf("%w: got %v", sigv4.ErrExpiry, expires))
	}
	creds, ok, err := c.credentials(ctx)
	if err != nil {
		return nil, &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	if !ok {
		return nil, inputError(r.op, r.bucket, r.key, errors.New("s3client: presigning needs credentials"))
	}
	now := c.now()
	if !creds.Expires.IsZero() && now.Add(expires).After(creds.Expires) {
		return nil, inputError(r.op, r.bucket, r.key, fmt.Errorf("%w: the URL would be valid until %s, the credentials until %s",
			ErrExpiryBeyondCredentials, now.Add(expires).UTC().Format(time.RFC3339), creds.Expires.UTC().Format(time.RFC3339)))
	}
	if err := c.checkSSEC(r); err != nil {
		return nil, err
	}
	ep, err := c.resolve(r, c.bucketRegion(r.bucket))
	if err != nil {
		return nil, err
	}
	u := ep.url
	u.RawQuery = encodeQuery(r.query)
	hreq := &http.Request{Method: r.method, URL: u, Host: u.Host, Header: r.header}
	signed, hdr, used, err := c.presignEndpoint(ctx, r, hreq, ep, creds, expires, now)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, inputError(r.op, r.bucket, r.key, err)
	}
	if used.Expires != creds.Expires && now.Add(expires).After(used.Expires) {
		return nil, inputError(r.op, r.bucket, r.key, fmt.Errorf("%w: the URL would be valid until %s, the directory bucket's session credentials until %s",
			ErrExpiryBeyondCredentials, now.Add(expires).UTC().Format(time.RFC3339), used.Expires.UTC().Format(time.RFC3339)))
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	return &PresignedRequest{Method: r.method, URL: signed, Header: hdr, Expires: now.Add(expires)}, nil
}

// PresignGetObject presigns a GetObject: response-* overrides, the version
// and the part number go in the query; Range, conditions and SSE-C headers
// are signed and must be sent.
func (c *Client) PresignGetObject(ctx context.Context, in *GetObjectInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignGetObject")
	}
	if err := in.check("PresignGetObject"); err != nil {
		return nil, err
	}
	r := in.request("PresignGetObject", http.MethodGet)
	r.header.Del("X-Amz-Checksum-Mode") // the holder verifies nothing
	return c.presign(ctx, r, expires)
}

// PresignHeadObject presigns a HeadObject.
func (c *Client) PresignHeadObject(ctx context.Context, in *GetObjectInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignHeadObject")
	}
	if err := in.check("PresignHeadObject"); err != nil {
		return nil, err
	}
	r := in.request("PresignHeadObject", http.MethodHead)
	r.header.Del("X-Amz-Checksum-Mode")
	return c.presign(ctx, r, expires)
}

// PresignPutObject presigns a PutObject. Body and ContentLength are
// ignored; Content-Type, metadata, ACL, SSE and checksum values given are
// signed and returned in Header, for the holder to send.
func (c *Client) PresignPutObject(ctx context.Context, in *PutObjectInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignPutObject")
	}
	const op = "PresignPutObject"
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	h, err := in.header()
	if err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	return c.presign(ctx, &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h}, expires)
}

// PresignDeleteObject presigns a DeleteObject.
func (c *Client) PresignDeleteObject(ctx context.Context, in *DeleteObjectInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignDeleteObject")
	}
	const op = "PresignDeleteObject"
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	return c.presign(ctx, in.request(op), expires)
}

// PresignCreateMultipartUpload presigns the start of a multipart upload;
// the holder POSTs to the URL with the returned headers.
func (c *Client) PresignCreateMultipartUpload(ctx context.Context, in *CreateMultipartUploadInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignCreateMultipartUpload")
	}
	const op = "PresignCreateMultipartUpload"
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	r, err := in.request(op)
	if err != nil {
		return nil, err
	}
	return c.presign(ctx, r, expires)
}

// PresignUploadPart presigns the upload of one part: the holder PUTs the
// part's bytes to the URL. Body, ContentLength, ChecksumAlgorithm and
// Progress are ignored; a ContentMD5 given is signed and must be sent.
func (c *Client) PresignUploadPart(ctx context.Context, in *UploadPartInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignUploadPart")
	}
	const op = "PresignUploadPart"
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	if err := checkPartNumber(op, in.Bucket, in.Key, in.PartNumber); err != nil {
		return nil, err
	}
	return c.presign(ctx, in.request(op), expires)
}

// PresignCompleteMultipartUpload presigns the completion of an upload: the
// holder POSTs the CompleteMultipartUpload XML (parts and ETags) to the
// URL. Parts are not part of the signature and may be empty here.
func (c *Client) PresignCompleteMultipartUpload(ctx context.Context, in *CompleteMultipartUploadInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignCompleteMultipartUpload")
	}
	const op = "PresignCompleteMultipartUpload"
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	return c.presign(ctx, in.request(op), expires)
}

// PresignAbortMultipartUpload presigns the abort of an upload (a DELETE).
func (c *Client) PresignAbortMultipartUpload(ctx context.Context, in *AbortMultipartUploadInput, expires time.Duration) (*PresignedRequest, error) {
	if in == nil {
		return nil, nilInput("PresignAbortMultipartUpload")
	}
	const op = "PresignAbortMultipartUpload"
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	return c.presign(ctx, in.request(op), expires)
}

// PresignPost signs a browser POST upload policy (see package presignpost)
// for the client's endpoint and addressing style, with the client's
// credentials and the bucket's region. The form posts to the bucket URL.
func (c *Client) PresignPost(ctx context.Context, p *presignpost.Policy) (*presignpost.Signed, error) {
	const op = "PresignPost"
	if p == nil {
		return nil, inputError(op, "", "", errors.New("s3client: nil policy"))
	}
	if err := checkBucket(op, p.Bucket); err != nil {
		return nil, err
	}
	creds, ok, err := c.credentials(ctx)
	if err != nil {
		return nil, &Error{Op: op, Bucket: p.Bucket, Err: err}
	}
	if !ok {
		return nil, inputError(op, p.Bucket, "", errors.New("s3client: presigning needs credentials"))
	}
	ep, err := c.resolve(&request{op: op, bucket: p.Bucket}, c.bucketRegion(p.Bucket))
	if err != nil {
		return nil, err
	}
	if ep.auth != authSigV4 || ep.signingName != "s3" {
		return nil, inputError(op, p.Bucket, "", fmt.Errorf("%w: %w: a presigned POST cannot be signed for %s with %v (Multi-Region Access Points, Outposts, Object Lambda and directory buckets)",
			ErrInvalidEndpoint, presignpost.ErrUnsupportedBucket, ep.signingName, ep.auth))
	}
	s, err := p.Sign(creds, ep.signingRegion, ep.url.String(), c.now())
	if err != nil {
		return nil, inputError(op, p.Bucket, "", err)
	}
	return s, nil
}

// presignSecrets are the query parameters and headers of a presigned
// request whose values are bearer secrets: whoever holds one can use the
// URL (the signature, the session token) or read the object (an SSE-C
// key).
var presignSecrets = [...]string{
	"X-Amz-Signature",
	"X-Amz-Security-Token",
	"X-Amz-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
	"Authorization",
}

func isPresignSecret(name string) bool {
	for _, s := range presignSecrets {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// String describes the request with its bearer secrets hidden: the URL's
// signature and session token, and the values of SSE-C key headers or
// parameters. Use the URL field itself to hand the URL out.
//
// The formatting methods have value receivers, so that a PresignedRequest
// prints redacted by value, by pointer and inside another struct.
func (p PresignedRequest) String() string {
	var b strings.Builder
	b.WriteString("s3client.PresignedRequest{")
	b.WriteString(p.Method)
	b.WriteByte(' ')
	b.WriteString(redactedURL(p.URL))
	b.WriteString(" Header:")
	names := make([]string, 0, len(p.Header))
	for k := range p.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := strings.Join(p.Header[k], ",")
		if isPresignSecret(k) {
			v = "<redacted>"
		}
		b.WriteString(" " + k + ": " + v + ";")
	}
	b.WriteString(" Expires: " + p.Expires.UTC().Format(time.RFC3339) + "}")
	return b.String()
}

// redactedURL returns u with the values of secret query parameters
// replaced, a password in it hidden and the fragment dropped.
func redactedURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "<unparsable URL>"
	}
	q := pu.Query() // parameters that do not parse are left out
	for name := range q {
		if isPresignSecret(name) {
			q[name] = []string{"REDACTED"}
		}
	}
	pu.RawQuery, pu.Fragment, pu.RawFragment = q.Encode(), "", ""
	return pu.Redacted()
}

// GoString is used by %#v; it says what String says.
func (p PresignedRequest) GoString() string { return p.String() }

// Format makes every verb print String (%q quotes it).
func (p PresignedRequest) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", p.String())
		return
	}
	io.WriteString(f, p.String())
}
