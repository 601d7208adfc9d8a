package s3client

// The one shape of the configuration operations: a document PUT to a
// bucket's (or an object's) ?name sub-resource, read back with a GET and
// removed with a DELETE. Each typed operation (bucket_config.go,
// lifecycle.go, acl.go, objectlock.go...) checks its input and calls these.

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
)

// BucketInput names a bucket, for the operations that read or delete one of
// its configurations.
type BucketInput struct {
	Bucket string
	Common
}

// ObjectVersionInput names an object, or one version of it, for the
// operations that read or delete one of its configurations.
type ObjectVersionInput struct {
	Bucket, Key string
	VersionID   string
	Common
}

// subresource is one configuration of a bucket or object: where it lives
// and what its document is called.
type subresource struct {
	op   string // operation name, for errors
	name string // the query parameter naming it ("versioning")
	root string // the root element of its document; empty for none (JSON)
}

// request checks the bucket (and key, if any) and returns a request of
// method to the sub-resource, carrying common's headers.
func (s subresource) request(method, bucket, key, versionID string, common *Common) (*request, error) {
	if key != "" {
		if err := checkObject(s.op, bucket, key); err != nil {
			return nil, err
		}
	} else if err := checkBucket(s.op, bucket); err != nil {
		return nil, err
	}
	h := make(http.Header, 4)
	common.apply(h)
	q := url.Values{s.name: {""}}
	setQuery(q, "versionId", versionID)
	return &request{op: s.op, method: method, bucket: bucket, key: key, header: h, query: q, common: common}, nil
}

// encodeDoc encodes doc as a request body whose root element is s.root in
// S3's namespace.
func (s subresource) encodeDoc(doc any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).EncodeElement(doc, xml.StartElement{Name: xml.Name{Space: s3Namespace, Local: s.root}}); err != nil {
		return nil, fmt.Errorf("s3client: encoding request: %w", err)
	}
	return b.Bytes(), nil
}

// withBody sets body as r's body, with the integrity check S3 requires of
// configuration documents: the checksum alg (or Config.ChecksumPolicy's),
// and Content-MD5 where that is none.
func (c *Client) withBody(r *request, body []byte, alg ChecksumAlgorithm) error {
	if alg != ChecksumNone {
		n, err := alg.normalize()
		if err != nil {
			return inputError(r.op, r.bucket, r.key, err)
		}
		alg = n
	}
	alg = c.uploadChecksum(r.bucket, alg)
	r.body, r.size, r.checksum, r.md5 = bytes.NewReader(body), int64(len(body)), alg, alg == ChecksumNone
	return nil
}

// put encodes doc, sends it with r and returns the answer's headers.
func (c *Client) put(ctx context.Context, s subresource, r *request, doc any, alg ChecksumAlgorithm) (http.Header, error) {
	body, err := s.encodeDoc(doc)
	if err != nil {
		return nil, inputError(s.op, r.bucket, r.key, err)
	}
	if err := c.withBody(r, body, alg); err != nil {
		return nil, err
	}
	return c.send(ctx, r)
}

// send sends r and discards the answer's body.
func (c *Client) send(ctx context.Context, r *request) (http.Header, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return resp.Header, nil
}

// getDoc sends r and decodes the answer, whose root element must be
// s.root, into a new T.
func getDoc[T any](ctx context.Context, c *Client, s subresource, r *request) (*T, http.Header, error) {
	r.result = s.root
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	v := new(T)
	if err := decodeXML(s.op, r.bucket, r.key, resp, v); err != nil {
		return nil, nil, err
	}
	return v, resp.Header, nil
}

// getBucketDoc reads a bucket configuration.
func getBucketDoc[T any](ctx context.Context, c *Client, s subresource, in *BucketInput) (*T, error) {
	if in == nil {
		return nil, nilInput(s.op)
	}
	r, err := s.request(http.MethodGet, in.Bucket, "", "", &in.Common)
	if err != nil {
		return nil, err
	}
	v, _, err := getDoc[T](ctx, c, s, r)
	return v, err
}

// deleteBucketDoc removes a bucket configuration.
func (c *Client) deleteBucketDoc(ctx context.Context, s subresource, in *BucketInput) error {
	if in == nil {
		return nilInput(s.op)
	}
	r, err := s.request(http.MethodDelete, in.Bucket, "", "", &in.Common)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, r)
	return err
}

// docPut is a configuration document to write, and where.
type docPut struct {
	bucket, key, versionID string
	common                 *Common
	doc                    any
	alg                    ChecksumAlgorithm
	check                  func() error      // validates the input first, if set
	header                 func(http.Header) // adds the operation's headers, if set
}

// putDoc writes a configuration document and returns the answer's headers.
func (c *Client) putDoc(ctx context.Context, s subresource, p docPut) (http.Header, error) {
	if p.check != nil {
		if err := p.check(); err != nil {
			return nil, inputError(s.op, p.bucket, p.key, err)
		}
	}
	r, err := s.request(http.MethodPut, p.bucket, p.key, p.versionID, p.common)
	if err != nil {
		return nil, err
	}
	if p.header != nil {
		p.header(r.header)
	}
	return c.put(ctx, s, r, p.doc, p.alg)
}

// putObjectDoc writes an object configuration.
func (c *Client) putObjectDoc(ctx context.Context, s subresource, p docPut) (http.Header, error) {
	if err := checkObject(s.op, p.bucket, p.key); err != nil {
		return nil, err
	}
	return c.putDoc(ctx, s, p)
}

// putBucketDoc writes a bucket configuration.
func (c *Client) putBucketDoc(ctx context.Context, s subresource, bucket string, common *Common, doc any, alg ChecksumAlgorithm, check func() error, header func(http.Header)) error {
	_, err := c.putDoc(ctx, s, docPut{bucket: bucket, common: common, doc: doc, alg: alg, check: check, header: header})
	return err
}

// getObjectDoc reads an object configuration.
func getObjectDoc[T any](ctx context.Context, c *Client, s subresource, in *ObjectVersionInput) (*T, http.Header, error) {
	if in == nil {
		return nil, nil, nilInput(s.op)
	}
	if err := checkObject(s.op, in.Bucket, in.Key); err != nil {
		return nil, nil, err
	}
	r, err := s.request(http.MethodGet, in.Bucket, in.Key, in.VersionID, &in.Common)
	if err != nil {
		return nil, nil, err
	}
	return getDoc[T](ctx, c, s, r)
}
