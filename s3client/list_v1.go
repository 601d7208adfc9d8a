package s3client

// ListObjects, the first version of the bucket listing, which older stores
// have alone: one page per call, its iterator, and its Pager rule. Keys go
// url-encoded both ways, as in list.go.

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// ListObjectsInput is the input of ListObjects and AllObjectsV1.
type ListObjectsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// Marker starts the listing after this key (NextMarker of the previous
	// page, or its last key).
	Marker  string
	MaxKeys int // keys per page, at most 1000; 0 means S3's default (1000)
	Common
}

// ListObjectsOutput is one page of ListObjects.
type ListObjectsOutput struct {
	Contents       []Object
	CommonPrefixes []string
	IsTruncated    bool
	// NextMarker is sent by S3 only with a Delimiter; Pager.NextObjectsV1
	// takes the page's last key or prefix otherwise.
	NextMarker        string
	Marker            string
	Prefix, Delimiter string
	MaxKeys           int
}

type xmlListObjectsResult struct {
	Prefix         string      `xml:"Prefix"`
	Marker         string      `xml:"Marker"`
	NextMarker     string      `xml:"NextMarker"`
	Delimiter      string      `xml:"Delimiter"`
	EncodingType   string      `xml:"EncodingType"`
	MaxKeys        int         `xml:"MaxKeys"`
	IsTruncated    bool        `xml:"IsTruncated"`
	Contents       []xmlObject `xml:"Contents"`
	CommonPrefixes []xmlPrefix `xml:"CommonPrefixes"`
}

// ListObjects lists one page of a bucket's objects in key order, with the
// first version of the listing (ListObjectsV2 is the newer).
func (c *Client) ListObjects(ctx context.Context, in *ListObjectsInput) (*ListObjectsOutput, error) {
	const op = "ListObjects"
	if in == nil {
		return nil, nilInput(op)
	}
	q := url.Values{}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "marker", in.Marker)
	r, err := listRequest(op, in.Bucket, in.MaxKeys, &in.Common, q)
	if err != nil {
		return nil, err
	}
	x, _, err := getDoc[xmlListObjectsResult](ctx, c, subresource{op: op, root: "ListBucketResult"}, r)
	if err != nil {
		return nil, err
	}
	d := urlDecoder{on: strings.EqualFold(x.EncodingType, "url")}
	out := &ListObjectsOutput{CommonPrefixes: d.prefixes(x.CommonPrefixes), IsTruncated: x.IsTruncated,
		NextMarker: d.decode(x.NextMarker), Marker: d.decode(x.Marker), Prefix: d.decode(x.Prefix),
		Delimiter: d.decode(x.Delimiter), MaxKeys: x.MaxKeys}
	if len(x.Contents) > 0 {
		out.Contents = make([]Object, len(x.Contents))
		for i := range x.Contents {
			out.Contents[i] = x.Contents[i].object(&d)
		}
	}
	if d.err != nil {
		return nil, &Error{Op: op, Bucket: in.Bucket, StatusCode: http.StatusOK, Err: d.err}
	}
	return out, nil
}

// AllObjectsV1 iterates over every object ListObjects would list, across
// pages, as AllObjects does with ListObjectsV2 (and with the same Pager
// rule): for stores that have only the first version of the listing.
func (c *Client) AllObjectsV1(ctx context.Context, in *ListObjectsInput) iter.Seq2[Object, error] {
	return paginate(in, "ListObjects", func(pg *Pager, p *ListObjectsInput) ([]Object, bool, error) {
		out, err := c.ListObjects(ctx, p)
		if err != nil {
			return nil, false, err
		}
		more, err := pg.NextObjectsV1(p, out)
		return out.Contents, more, err
	})
}

// NextObjectsV1 checks a page of ListObjects and sets in.Marker for the
// next one: NextMarker, or (S3 sends it only with a delimiter) the greater
// of the page's last key and last common prefix.
func (p *Pager) NextObjectsV1(in *ListObjectsInput, out *ListObjectsOutput) (bool, error) {
	next := out.NextMarker
	if next == "" {
		if n := len(out.Contents); n > 0 {
			next = out.Contents[n-1].Key
		}
		if n := len(out.CommonPrefixes); n > 0 && out.CommonPrefixes[n-1] > next {
			next = out.CommonPrefixes[n-1]
		}
	}
	more, err := p.next("ListObjects", in.Bucket, "", out.IsTruncated, in.Marker, "", next, "")
	if more {
		in.Marker = next
	}
	return more, err
}
