package s3client

// The door: Do sends any S3 request, typed by s3kit or not, through the
// client's pipeline, and PresignRequest presigns the same description. The
// extra query parameters and headers a typed input may carry (Common's
// ExtraQuery and ExtraHeader) are checked and added here too.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request describes any S3 request, for Do and PresignRequest: the
// operations s3kit does not type (see docs/operations.md) and those it does
// with parameters it does not model.
type Request struct {
	// Operation names the request in errors and logs ("PutBucketInventoryConfiguration");
	// empty means "Do".
	Operation string
	Method    string // GET, HEAD, PUT, POST or DELETE
	Bucket    string // empty for a request to the service (ListBuckets)
	Key       string // empty for a bucket request
	// Query holds the query parameters, sub-resources with an empty value
	// ("inventory": {""}). The presigning parameters (X-Amz-Signature...)
	// are refused.
	Query url.Values
	// Header holds the headers to send. The ones the client sets itself
	// (Authorization, Host, Content-Length, Content-MD5, X-Amz-Date,
	// X-Amz-Content-Sha256, X-Amz-Checksum-*...) are refused: ask for them
	// with ContentMD5 and ChecksumAlgorithm.
	Header http.Header
	// Body is the request body; nil means none. As for PutObject, a body
	// that is an io.ReaderAt or io.Seeker is read afresh for each retry;
	// any other reader is sent once.
	Body io.Reader
	// ContentLength is the size of Body; 0 takes it from Body (a Len or
	// Seek method).
	ContentLength int64
	// ChecksumAlgorithm sends that checksum of Body; ContentMD5 sends its
	// Content-MD5, which the configuration PUTs of S3 require when no
	// checksum is sent.
	ChecksumAlgorithm ChecksumAlgorithm
	ContentMD5        bool
	// Stream hands the body of a successful answer over unread (an object's
	// content). Otherwise it is read, up to 32 MiB, before Do returns, so
	// that an answer cut on the way is retried like any broken connection.
	Stream bool
}

// Response is the answer to a request sent through Do: any 2xx status.
// Answers of other statuses are an *Error, as for every operation.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the answer's body; the caller must close it.
	Body io.ReadCloser

	op, bucket, key string
}

// DecodeXML decodes the answer's XML document into v (with encoding/xml's
// rules) and closes the body. The document is read within the bounds of
// every answer the client decodes: 64 MiB, 32 elements deep, 10,000 entries
// in a list. A malformed document is an *Error.
func (r *Response) DecodeXML(v any) error {
	return decodeXML(r.op, r.bucket, r.key, &http.Response{StatusCode: r.StatusCode, Header: r.Header, Body: r.Body}, v)
}

// Do sends any S3 request through the client's pipeline, as the typed
// operations are: endpoint and addressing style, signing, payload hashing
// and checksums, retries, region redirects, clock-skew correction and typed
// errors. The input is checked before anything is sent; an error wrapping
// ErrInvalidInput names what is wrong.
func (c *Client) Do(ctx context.Context, in *Request) (*Response, error) {
	r, err := in.request()
	if err != nil {
		return nil, err
	}
	if in.Body != nil {
		body, size, err := sizedBody(r.op, in.Bucket, in.Key, in.Body, in.ContentLength)
		if err != nil {
			return nil, err
		}
		r.body, r.size = body, size
	} else if in.ContentLength != 0 {
		return nil, inputError(r.op, in.Bucket, in.Key, fmt.Errorf("s3client: nil Body with ContentLength %d", in.ContentLength))
	}
	r.checksum, r.md5, r.stream = in.ChecksumAlgorithm, in.ContentMD5, in.Stream
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body, op: r.op, bucket: in.Bucket, key: in.Key}, nil
}

// PresignRequest presigns the request in, as Presign does: Body,
// ContentLength, ChecksumAlgorithm, ContentMD5 and Stream are not part of a
// presigned URL and are ignored; the headers given are signed and returned
// for the holder to send. expires is 1 s to 7 days; 0 means
// DefaultPresignExpiry.
func (c *Client) PresignRequest(ctx context.Context, in *Request, expires time.Duration) (*PresignedRequest, error) {
	r, err := in.request()
	if err != nil {
		return nil, err
	}
	return c.presign(ctx, r, expires)
}

// request checks the description and returns it as the pipeline's request.
func (in *Request) request() (*request, error) {
	if in == nil {
		return nil, nilInput("Do")
	}
	op := in.Operation
	if op == "" {
		op = "Do"
	}
	bad := func(err error) (*request, error) { return nil, inputError(op, in.Bucket, in.Key, err) }
	switch in.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete:
	default:
		return bad(fmt.Errorf("s3client: method %q: want GET, HEAD, PUT, POST or DELETE", in.Method))
	}
	switch {
	case in.Key != "" && in.Bucket == "":
		return bad(errors.New("s3client: a Key without a Bucket"))
	case in.Key != "":
		if err := checkObject(op, in.Bucket, in.Key); err != nil {
			return nil, err
		}
	case in.Bucket != "":
		if err := checkBucket(op, in.Bucket); err != nil {
			return nil, err
		}
	}
	r := &request{op: op, method: in.Method, bucket: in.Bucket, key: in.Key, query: url.Values{}, header: make(http.Header, len(in.Header))}
	if err := addExtra(r, in.Query, in.Header); err != nil {
		return nil, err
	}
	return r, nil
}

// reservedHeaders are the headers the signer or the client sets: a value
// given for one would be overwritten, or would break the signature.
var reservedHeaders = map[string]bool{
	"Authorization": true, "Host": true, "Content-Length": true, "Content-Md5": true,
	"Transfer-Encoding": true, "Expect": true, "Connection": true, "Te": true, "Trailer": true, "Upgrade": true,
	"User-Agent": true, "X-Amz-Date": true, "X-Amz-Content-Sha256": true, "X-Amz-Security-Token": true,
	"X-Amz-Decoded-Content-Length": true, "X-Amz-Trailer": true, "X-Amz-Sdk-Checksum-Algorithm": true,
}

// reservedQuery are the query parameters of a presigned URL.
var reservedQuery = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}

// addExtra adds query parameters and headers a caller supplied to r: none
// the client sets itself or the operation already sets, header names that
// are HTTP tokens and values without line breaks.
func addExtra(r *request, query url.Values, header http.Header) error {
	bad := func(err error) error { return inputError(r.op, r.bucket, r.key, err) }
	for name, vs := range query {
		if name == "" {
			return bad(errors.New("s3client: an empty query parameter name"))
		}
		for _, q := range reservedQuery {
			if strings.EqualFold(name, q) {
				return bad(fmt.Errorf("s3client: query parameter %s is the signer's", name))
			}
		}
		if _, ok := r.query[name]; ok {
			return bad(fmt.Errorf("s3client: query parameter %s is set by %s; use its field", name, r.op))
		}
		if r.query == nil {
			r.query = url.Values{}
		}
		r.query[name] = append([]string(nil), vs...)
	}
	for name, vs := range header {
		canon := http.CanonicalHeaderKey(name)
		switch {
		case !validHeaderName(name):
			return bad(fmt.Errorf("s3client: invalid header name %q", name))
		case reservedHeaders[canon] || strings.HasPrefix(canon, "X-Amz-Checksum-"):
			return bad(fmt.Errorf("s3client: header %s is set by the client", canon))
		}
		if _, ok := r.header[canon]; ok {
			return bad(fmt.Errorf("s3client: header %s is set by %s; use its field", canon, r.op))
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return bad(fmt.Errorf("s3client: header %s: value contains a line break or NUL", canon))
			}
		}
		if r.header == nil {
			r.header = http.Header{}
		}
		r.header[canon] = append([]string(nil), vs...)
	}
	return nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0:
		default:
			return false
		}
	}
	return true
}

// addCommon adds the extra query parameters and headers of the input's
// Common, once.
func (r *request) addCommon() error {
	if r.common == nil {
		return nil
	}
	cm := r.common
	r.common = nil
	return addExtra(r, cm.ExtraQuery, cm.ExtraHeader)
}
