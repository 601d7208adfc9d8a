package s3client

// Listing: ListObjectsV2 and ListObjectVersions, one page per call, and
// iterators over every page. Keys are always requested url-encoded (so that
// keys holding characters XML 1.0 cannot carry survive) and handed to the
// caller decoded. Multipart upload listings are in multipart.go.

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Owner is the owner of a bucket, object or version.
type Owner struct {
	ID          string
	DisplayName string
}

// ListObjectsV2Input is the input of ListObjectsV2 and AllObjects.
type ListObjectsV2Input struct {
	Bucket string
	Prefix string
	// Delimiter groups keys that share a prefix up to it into
	// CommonPrefixes ("/" lists a directory).
	Delimiter         string
	StartAfter        string // list keys after this one
	ContinuationToken string // NextContinuationToken of the previous page
	MaxKeys           int    // keys per page, at most 1000; 0 means S3's default (1000)
	FetchOwner        bool
	Common
}

// Object is an object in a listing.
type Object struct {
	Key          string
	LastModified time.Time
	ETag         string
	Size         int64
	StorageClass string
	Owner        *Owner // only with FetchOwner
	// ChecksumAlgorithm lists the algorithms of the checksums S3 holds.
	ChecksumAlgorithm []ChecksumAlgorithm
	ChecksumType      string
}

// ListObjectsV2Output is one page of ListObjectsV2.
type ListObjectsV2Output struct {
	Contents       []Object
	CommonPrefixes []string
	IsTruncated    bool
	// NextContinuationToken continues the listing when IsTruncated.
	NextContinuationToken string
	KeyCount              int
	Prefix, Delimiter     string
	StartAfter            string
	MaxKeys               int
}

func checksumAlgorithms(names []string) []ChecksumAlgorithm {
	if len(names) == 0 {
		return nil
	}
	var out []ChecksumAlgorithm
	for _, n := range names {
		if a := algorithmFromServer(n); a != ChecksumNone {
			out = append(out, a)
		}
	}
	return out
}

func (x *xmlObject) object(d *urlDecoder) Object {
	return Object{Key: d.decode(x.Key), LastModified: x.LastModified.Time, ETag: x.ETag, Size: x.Size,
		StorageClass: x.StorageClass, Owner: x.Owner.owner(),
		ChecksumAlgorithm: checksumAlgorithms(x.ChecksumAlgorithm), ChecksumType: x.ChecksumType}
}

// ListObjectsV2 lists one page of a bucket's objects in key order.
func (c *Client) ListObjectsV2(ctx context.Context, in *ListObjectsV2Input) (*ListObjectsV2Output, error) {
	const op = "ListObjectsV2"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	if in.MaxKeys < 0 {
		return nil, inputError(op, in.Bucket, "", errors.New("s3client: negative MaxKeys"))
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	q := url.Values{"list-type": {"2"}, "encoding-type": {"url"}}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "start-after", in.StartAfter)
	setQuery(q, "continuation-token", in.ContinuationToken)
	if in.MaxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(in.MaxKeys))
	}
	if in.FetchOwner {
		q.Set("fetch-owner", "true")
	}
	resp, err := c.do(ctx, &request{op: op, method: http.MethodGet, bucket: in.Bucket, header: h, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlListObjectsV2Result
	if err := decodeXML(op, in.Bucket, "", resp, &x); err != nil {
		return nil, err
	}
	out, err := x.output()
	if err != nil {
		return nil, &Error{Op: op, Bucket: in.Bucket, StatusCode: resp.StatusCode, Err: err}
	}
	return out, nil
}

// output converts a page, decoding url-encoded names.
func (x *xmlListObjectsV2Result) output() (*ListObjectsV2Output, error) {
	d := urlDecoder{on: strings.EqualFold(x.EncodingType, "url")}
	out := &ListObjectsV2Output{
		CommonPrefixes:        d.prefixes(x.CommonPrefixes),
		IsTruncated:           x.IsTruncated,
		NextContinuationToken: x.NextContinuationToken,
		KeyCount:              x.KeyCount,
		Prefix:                d.decode(x.Prefix),
		Delimiter:             d.decode(x.Delimiter),
		StartAfter:            d.decode(x.StartAfter),
		MaxKeys:               x.MaxKeys,
	}
	if len(x.Contents) > 0 {
		out.Contents = make([]Object, len(x.Contents))
		for i := range x.Contents {
			out.Contents[i] = x.Contents[i].object(&d)
		}
	}
	return out, d.err
}

// errNoProgress is the error of a truncated page that gives no way on; an
// iterator that followed it would loop for ever.
var errNoProgress = errors.New("s3client: truncated listing page without a continuation marker")

// AllObjects iterates over every object ListObjectsV2 would list, across
// pages, fetching each page as the loop reaches it (from
// in.ContinuationToken or in.StartAfter). Common prefixes are not yielded;
// use ListObjectsV2 for a directory-style listing. An error is yielded
// once, last. Breaking out of the loop stops it: no request is left
// running and no goroutine is started.
func (c *Client) AllObjects(ctx context.Context, in *ListObjectsV2Input) iter.Seq2[Object, error] {
	return paginate(in, "ListObjectsV2", func(p *ListObjectsV2Input) ([]Object, bool, error) {
		out, err := c.ListObjectsV2(ctx, p)
		if err != nil {
			return nil, false, err
		}
		if !out.IsTruncated {
			return out.Contents, false, nil
		}
		if out.NextContinuationToken == "" || out.NextContinuationToken == p.ContinuationToken {
			return out.Contents, false, noProgress("ListObjectsV2", p.Bucket, "")
		}
		p.ContinuationToken = out.NextContinuationToken
		return out.Contents, true, nil
	})
}

// ListObjectVersionsInput is the input of ListObjectVersions and
// AllObjectVersions.
type ListObjectVersionsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// KeyMarker and VersionIDMarker start the listing after that version
	// (NextKeyMarker and NextVersionIDMarker of the previous page).
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int // versions per page, at most 1000; 0 means S3's default
	Common
}

// ObjectVersion is a version of an object, or a delete marker.
type ObjectVersion struct {
	Key       string
	VersionID string // "null" for a version written while versioning was off
	IsLatest  bool
	// IsDeleteMarker says the entry is a delete marker: it has no ETag,
	// Size or StorageClass.
	IsDeleteMarker    bool
	LastModified      time.Time
	ETag              string
	Size              int64
	StorageClass      string
	Owner             *Owner
	ChecksumAlgorithm []ChecksumAlgorithm
	ChecksumType      string
}

// ListObjectVersionsOutput is one page of ListObjectVersions.
type ListObjectVersionsOutput struct {
	// Versions holds versions and delete markers together, in S3's order:
	// by key, then newest first.
	Versions                           []ObjectVersion
	CommonPrefixes                     []string
	IsTruncated                        bool
	NextKeyMarker, NextVersionIDMarker string
}

// ListObjectVersions lists one page of the versions and delete markers of
// a bucket's objects.
func (c *Client) ListObjectVersions(ctx context.Context, in *ListObjectVersionsInput) (*ListObjectVersionsOutput, error) {
	const op = "ListObjectVersions"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	if in.MaxKeys < 0 {
		return nil, inputError(op, in.Bucket, "", errors.New("s3client: negative MaxKeys"))
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	q := url.Values{"versions": {""}, "encoding-type": {"url"}}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "key-marker", in.KeyMarker)
	setQuery(q, "version-id-marker", in.VersionIDMarker)
	if in.MaxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(in.MaxKeys))
	}
	resp, err := c.do(ctx, &request{op: op, method: http.MethodGet, bucket: in.Bucket, header: h, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlListVersionsResult
	if err := decodeXML(op, in.Bucket, "", resp, &x); err != nil {
		return nil, err
	}
	out, err := x.output()
	if err != nil {
		return nil, &Error{Op: op, Bucket: in.Bucket, StatusCode: resp.StatusCode, Err: err}
	}
	return out, nil
}

// output converts a page, decoding url-encoded names.
func (x *xmlListVersionsResult) output() (*ListObjectVersionsOutput, error) {
	d := urlDecoder{on: strings.EqualFold(x.EncodingType, "url")}
	out := &ListObjectVersionsOutput{
		CommonPrefixes:      d.prefixes(x.CommonPrefixes),
		IsTruncated:         x.IsTruncated,
		NextKeyMarker:       d.decode(x.NextKeyMarker),
		NextVersionIDMarker: x.NextVersionIDMarker,
	}
	for i := range x.Entries {
		e := &x.Entries[i]
		var marker bool
		switch e.XMLName.Local {
		case "Version":
		case "DeleteMarker":
			marker = true
		default:
			continue // an element this client does not know
		}
		o := e.object(&d)
		out.Versions = append(out.Versions, ObjectVersion{Key: o.Key, VersionID: e.VersionID, IsLatest: e.IsLatest,
			IsDeleteMarker: marker, LastModified: o.LastModified, ETag: o.ETag, Size: o.Size, StorageClass: o.StorageClass,
			Owner: o.Owner, ChecksumAlgorithm: o.ChecksumAlgorithm, ChecksumType: o.ChecksumType})
	}
	return out, d.err
}

// AllObjectVersions iterates over every version and delete marker
// ListObjectVersions would list, across pages, fetching each page as the
// loop reaches it. An error is yielded once, last; breaking out of the loop
// stops it.
func (c *Client) AllObjectVersions(ctx context.Context, in *ListObjectVersionsInput) iter.Seq2[ObjectVersion, error] {
	return paginate(in, "ListObjectVersions", func(p *ListObjectVersionsInput) ([]ObjectVersion, bool, error) {
		out, err := c.ListObjectVersions(ctx, p)
		if err != nil {
			return nil, false, err
		}
		if !out.IsTruncated {
			return out.Versions, false, nil
		}
		if out.NextKeyMarker == "" || (out.NextKeyMarker == p.KeyMarker && out.NextVersionIDMarker == p.VersionIDMarker) {
			return out.Versions, false, noProgress("ListObjectVersions", p.Bucket, "")
		}
		p.KeyMarker, p.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
		return out.Versions, true, nil
	})
}

// paginate runs a listing to its end as an iterator. page fetches the page
// its input names, moves the input's markers past it, and reports whether
// another page follows; the items of a page are yielded before its error.
// Each range over the iterator starts again from in, and breaking out of the
// loop stops it: no goroutine, nothing fetched ahead.
func paginate[In, T any](in *In, op string, page func(*In) (items []T, more bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if in == nil {
			yield(zero, nilInput(op))
			return
		}
		p := *in
		for {
			items, more, err := page(&p)
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if err != nil {
				yield(zero, err)
				return
			}
			if !more {
				return
			}
		}
	}
}

// noProgress is the error of a truncated page whose markers do not move,
// which would otherwise loop forever.
func noProgress(op, bucket, key string) error {
	return &Error{Op: op, Bucket: bucket, Key: key, StatusCode: http.StatusOK, Err: errNoProgress}
}
