package s3client

// Listing: ListObjectsV2 and ListObjectVersions, one page per call, and
// iterators over every page; the Pager, whose rule ends every listing (these,
// the multipart listings in multipart.go and ListBuckets in bucket.go). Keys
// are always requested url-encoded (so that keys holding characters XML 1.0
// cannot carry survive) and handed to the caller decoded.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// listRequest checks what the key listings share (the bucket, a MaxKeys not
// negative) and returns the GET of a page: q with encoding-type=url and
// max-keys, and common's headers.
func listRequest(op, bucket string, maxKeys int, common *Common, q url.Values) (*request, error) {
	if err := checkBucket(op, bucket); err != nil {
		return nil, err
	}
	if maxKeys < 0 {
		return nil, inputError(op, bucket, "", errors.New("s3client: negative MaxKeys"))
	}
	h := make(http.Header, 2)
	common.apply(h)
	q.Set("encoding-type", "url")
	if maxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(maxKeys))
	}
	return &request{common: common, op: op, method: http.MethodGet, bucket: bucket, header: h, query: q}, nil
}

// ListObjectsV2 lists one page of a bucket's objects in key order.
func (c *Client) ListObjectsV2(ctx context.Context, in *ListObjectsV2Input) (*ListObjectsV2Output, error) {
	const op = "ListObjectsV2"
	if in == nil {
		return nil, nilInput(op)
	}
	q := url.Values{"list-type": {"2"}}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "start-after", in.StartAfter)
	setQuery(q, "continuation-token", in.ContinuationToken)
	if in.FetchOwner {
		q.Set("fetch-owner", "true")
	}
	r, err := listRequest(op, in.Bucket, in.MaxKeys, &in.Common, q)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, r)
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

// AllObjects iterates over every object ListObjectsV2 would list, across
// pages, fetching each page as the loop reaches it (from
// in.ContinuationToken or in.StartAfter). Common prefixes are not yielded;
// use ListObjectsV2 for a directory-style listing. An error is yielded
// once, last; a server that would not let the listing end gives one
// wrapping ErrPagination (see Pager, whose rule every All* iterator
// follows). Breaking out of the loop stops it: no request is left running
// and no goroutine is started.
func (c *Client) AllObjects(ctx context.Context, in *ListObjectsV2Input) iter.Seq2[Object, error] {
	return paginate(in, "ListObjectsV2", func(pg *Pager, p *ListObjectsV2Input) ([]Object, bool, error) {
		out, err := c.ListObjectsV2(ctx, p)
		if err != nil {
			return nil, false, err
		}
		more, err := pg.NextObjects(p, out)
		return out.Contents, more, err
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
	q := url.Values{"versions": {""}}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "key-marker", in.KeyMarker)
	setQuery(q, "version-id-marker", in.VersionIDMarker)
	r, err := listRequest(op, in.Bucket, in.MaxKeys, &in.Common, q)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, r)
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
	return paginate(in, "ListObjectVersions", func(pg *Pager, p *ListObjectVersionsInput) ([]ObjectVersion, bool, error) {
		out, err := c.ListObjectVersions(ctx, p)
		if err != nil {
			return nil, false, err
		}
		more, err := pg.NextObjectVersions(p, out)
		return out.Versions, more, err
	})
}

// paginate runs a listing to its end as an iterator. page fetches the page
// its input names and hands it to the listing's Pager method, which moves
// the input's markers past it and reports whether another page follows;
// the items of a page are yielded before its error. Each range over the
// iterator starts again from in, with a Pager of its own, and breaking out
// of the loop stops it: no goroutine, nothing fetched ahead.
func paginate[In, T any](in *In, op string, page func(*Pager, *In) (items []T, more bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if in == nil {
			yield(zero, nilInput(op))
			return
		}
		p := *in
		var pg Pager
		for {
			items, more, err := page(&pg, &p)
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

// maxPageToken bounds a continuation token or marker (a marker pair
// together): S3's tokens are a few hundred bytes, and a key marker is a key
// of at most 1024 bytes. A longer one is refused as hostile, as a request
// carrying it would be.
const maxPageToken = 8 << 10

// Pager keeps a listing from going on for ever. It is the one paging rule
// of the All* iterators, for callers that page by hand (to see
// CommonPrefixes, or through an interface of their own): after each page,
// call the Pager method of the listing with the page's input and output. It
// reports whether another page follows and, if so, moves the input's
// continuation token or markers past the page, ready for the next request.
// It returns an *Error wrapping ErrPagination when the listing would not
// end: a page that is truncated but gives no token or marker, one longer
// than 8 KiB, or one the listing has already used (a server that repeats a
// token, or cycles through a few; the token the listing started from
// counts). Part number markers must rise, up to MaxPartNumber.
//
// A Pager serves one listing, from its first page; the zero value is ready
// to use. It keeps a 16-byte digest of each token it has seen, not the
// token. It is not safe for concurrent use.
type Pager struct {
	seen map[[16]byte]struct{}
}

// NextObjects checks a page of ListObjectsV2 and sets in.ContinuationToken
// for the next one.
func (p *Pager) NextObjects(in *ListObjectsV2Input, out *ListObjectsV2Output) (bool, error) {
	const op = "ListObjectsV2"
	more, err := p.next(op, in.Bucket, "", out.IsTruncated, in.ContinuationToken, "", out.NextContinuationToken, "")
	if more {
		in.ContinuationToken = out.NextContinuationToken
	}
	return more, err
}

// NextObjectVersions checks a page of ListObjectVersions and sets
// in.KeyMarker and in.VersionIDMarker for the next one.
func (p *Pager) NextObjectVersions(in *ListObjectVersionsInput, out *ListObjectVersionsOutput) (bool, error) {
	const op = "ListObjectVersions"
	more, err := p.next(op, in.Bucket, "", out.IsTruncated, in.KeyMarker, in.VersionIDMarker, out.NextKeyMarker, out.NextVersionIDMarker)
	if more {
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
	return more, err
}

// NextMultipartUploads checks a page of ListMultipartUploads and sets
// in.KeyMarker and in.UploadIDMarker for the next one.
func (p *Pager) NextMultipartUploads(in *ListMultipartUploadsInput, out *ListMultipartUploadsOutput) (bool, error) {
	const op = "ListMultipartUploads"
	more, err := p.next(op, in.Bucket, "", out.IsTruncated, in.KeyMarker, in.UploadIDMarker, out.NextKeyMarker, out.NextUploadIDMarker)
	if more {
		in.KeyMarker, in.UploadIDMarker = out.NextKeyMarker, out.NextUploadIDMarker
	}
	return more, err
}

// NextParts checks a page of ListParts and sets in.PartNumberMarker for the
// next one. Part numbers are ordered, so the marker must rise (and stay a
// part number), which ends a listing within MaxPartNumber pages.
func (p *Pager) NextParts(in *ListPartsInput, out *ListPartsOutput) (bool, error) {
	if !out.IsTruncated {
		return false, nil
	}
	if next := out.NextPartNumberMarker; next <= in.PartNumberMarker || next > MaxPartNumber {
		return false, paginationError("ListParts", in.Bucket, in.Key,
			fmt.Sprintf("a truncated page whose NextPartNumberMarker %d is not above %d and at most %d", next, in.PartNumberMarker, MaxPartNumber))
	}
	in.PartNumberMarker = out.NextPartNumberMarker
	return true, nil
}

// NextBuckets checks a page of ListBuckets and sets in.ContinuationToken
// for the next one. ListBuckets says it has more by its token alone.
func (p *Pager) NextBuckets(in *ListBucketsInput, out *ListBucketsOutput) (bool, error) {
	more, err := p.next("ListBuckets", "", "", out.ContinuationToken != "", in.ContinuationToken, "", out.ContinuationToken, "")
	if more {
		in.ContinuationToken = out.ContinuationToken
	}
	return more, err
}

// next applies the rule to a page asked for with the markers (cur, curSub)
// that answered (next, nextSub); the second of each pair is empty for
// listings with one token.
func (p *Pager) next(op, bucket, key string, truncated bool, cur, curSub, next, nextSub string) (bool, error) {
	if !truncated {
		return false, nil
	}
	switch {
	case next == "":
		return false, paginationError(op, bucket, key, "a truncated page without a continuation token or marker")
	case len(next)+len(nextSub) > maxPageToken:
		return false, paginationError(op, bucket, key, fmt.Sprintf("a continuation token or marker of %d bytes (at most %d)", len(next)+len(nextSub), maxPageToken))
	}
	if p.seen == nil {
		p.seen = make(map[[16]byte]struct{})
		if cur != "" {
			p.seen[markerDigest(cur, curSub)] = struct{}{}
		}
	}
	d := markerDigest(next, nextSub)
	if _, ok := p.seen[d]; ok {
		return false, paginationError(op, bucket, key, "a continuation token or marker the listing has already used")
	}
	p.seen[d] = struct{}{}
	return true, nil
}

// markerDigest identifies a marker pair: the first is length-prefixed, so
// that no two pairs share their bytes.
func markerDigest(a, b string) [16]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(a)))
	h.Write(n[:])
	io.WriteString(h, a)
	io.WriteString(h, b)
	var d [16]byte
	copy(d[:], h.Sum(nil))
	return d
}

// paginationError is the error of a listing that would not end.
func paginationError(op, bucket, key, why string) error {
	return &Error{Op: op, Bucket: bucket, Key: key, StatusCode: http.StatusOK, Err: fmt.Errorf("%w: %s", ErrPagination, why)}
}
