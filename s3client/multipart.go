package s3client

// Multipart upload primitives: create, upload a part (from bytes or by
// copy), complete, abort, and list parts and uploads. The multipart package
// drives them (part sizing, workers, resume); this file only speaks the
// protocol. Copy sources are shared with CopyObject (object.go).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// MaxPartNumber is the highest part number S3 accepts.
const MaxPartNumber = 10000

// CreateMultipartUploadInput is the input of CreateMultipartUpload.
type CreateMultipartUploadInput struct {
	Bucket, Key string
	ObjectProperties
	SSECustomer
	Common
	// ChecksumAlgorithm is sent as x-amz-checksum-algorithm; every part must
	// then carry a checksum of that algorithm (UploadPartInput's). Empty
	// means the client's choice for uploads (Config.ChecksumPolicy: CRC32C
	// on AWS endpoints, none on custom ones), as for PutObject; the output
	// says which algorithm the upload has.
	ChecksumAlgorithm ChecksumAlgorithm
	// ChecksumType is "FULL_OBJECT" or "COMPOSITE" (x-amz-checksum-type);
	// empty leaves S3's default for the algorithm.
	ChecksumType string
}

// CreateMultipartUploadOutput is the result of CreateMultipartUpload.
type CreateMultipartUploadOutput struct {
	Bucket, Key, UploadID string
	// ChecksumAlgorithm is the algorithm every part must carry: the one S3
	// answered (x-amz-checksum-algorithm), or, from a store that names
	// none, the one the request asked for (empty if none). UploadPart sends
	// only the algorithm it is given.
	ChecksumAlgorithm ChecksumAlgorithm
	// ChecksumType is what S3 answered (x-amz-checksum-type), if anything.
	ChecksumType string
}

// request builds the CreateMultipartUpload request (also presigned as is).
func (in *CreateMultipartUploadInput) request(op string) (*request, error) {
	h := make(http.Header, 8)
	if err := in.ObjectProperties.apply(h); err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	if in.ChecksumAlgorithm != ChecksumNone {
		alg, err := in.ChecksumAlgorithm.normalize()
		if err != nil {
			return nil, inputError(op, in.Bucket, in.Key, err)
		}
		h.Set("X-Amz-Checksum-Algorithm", string(alg))
	}
	setIf(h, "X-Amz-Checksum-Type", in.ChecksumType)
	return &request{common: &in.Common, op: op, method: http.MethodPost, bucket: in.Bucket, key: in.Key,
		header: h, query: url.Values{"uploads": {""}}}, nil
}

// CreateMultipartUpload starts a multipart upload and returns its upload ID.
// An upload that is neither completed nor aborted keeps its parts (and
// their cost) until a lifecycle rule removes them.
func (c *Client) CreateMultipartUpload(ctx context.Context, in *CreateMultipartUploadInput) (*CreateMultipartUploadOutput, error) {
	const op = "CreateMultipartUpload"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	r, err := in.request(op)
	if err != nil {
		return nil, err
	}
	asked := ChecksumAlgorithm(r.header.Get("X-Amz-Checksum-Algorithm"))
	if asked == ChecksumNone {
		if asked = c.uploadChecksum(in.Bucket, ChecksumNone); asked != ChecksumNone {
			r.header.Set("X-Amz-Checksum-Algorithm", string(asked))
		}
	}
	start := c.now()
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var x xmlInitiateMultipartUploadResult
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	if x.UploadID == "" {
		return nil, &Error{Op: op, Bucket: in.Bucket, Key: in.Key, StatusCode: resp.StatusCode,
			RequestID: resp.Header.Get("X-Amz-Request-Id"), Err: errors.New("s3client: response has no UploadId")}
	}
	out := &CreateMultipartUploadOutput{Bucket: x.Bucket, Key: x.Key, UploadID: x.UploadID,
		ChecksumAlgorithm: algorithmFromServer(resp.Header.Get("X-Amz-Checksum-Algorithm")),
		ChecksumType:      resp.Header.Get("X-Amz-Checksum-Type")}
	if out.ChecksumAlgorithm == ChecksumNone {
		out.ChecksumAlgorithm = asked
	}
	if out.Bucket == "" {
		out.Bucket = in.Bucket
	}
	if out.Key == "" {
		out.Key = in.Key
	}
	if r.attempts > 1 {
		c.abortOrphans(ctx, in, out.UploadID, start)
	}
	return out, nil
}

// abortOrphans aborts the uploads an earlier attempt of this
// CreateMultipartUpload may have started: when an answer is lost (a
// timeout, a cut connection) S3 may have created an upload all the same,
// and as CreateMultipartUpload has no idempotency token, the retry creates
// a second one. The first would be invisible to the caller and billed until
// a lifecycle rule removes it. Uploads of the same key initiated since the
// call began (less a second of clock rounding) are taken to be those; an
// upload another client started for the same key in that second would be
// aborted too, a race its own CompleteMultipartUpload would lose anyway.
// Failures are logged, not returned: the upload this call created is good.
func (c *Client) abortOrphans(ctx context.Context, in *CreateMultipartUploadInput, keep string, since time.Time) {
	since = since.Add(-time.Second)
	for u, err := range c.AllMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: in.Bucket, Prefix: in.Key, Common: in.Common}) {
		if err != nil {
			c.log(ctx, slog.LevelDebug, "s3kit: listing uploads an earlier attempt may have left", slog.String("error", err.Error()))
			return
		}
		if u.Key != in.Key || u.UploadID == keep || u.Initiated.Before(since) {
			continue
		}
		err := c.AbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadID: u.UploadID, Common: in.Common})
		c.log(ctx, slog.LevelDebug, "s3kit: aborted an upload an earlier attempt left", slog.String("upload", u.UploadID), slog.Any("error", err))
	}
}

// UploadPartInput is the input of UploadPart.
type UploadPartInput struct {
	Bucket, Key, UploadID string
	PartNumber            int // 1 to MaxPartNumber
	// Body is the part's content. An io.ReaderAt that is also an io.Seeker
	// (an *io.SectionReader over a file, a *bytes.Reader) is read afresh for
	// each retry; any other reader is sent once, without retries.
	Body io.Reader
	// ContentLength is the size of Body; when 0 it is taken from Body (a Len
	// or Seek method). A nil Body with a length is an error.
	ContentLength int64
	SSECustomer
	Common
	// ChecksumAlgorithm computes that checksum of Body and sends it, in a
	// header or an aws-chunked trailer. It must match the upload's.
	ChecksumAlgorithm ChecksumAlgorithm
	ContentMD5        string // base64 MD5 of Body, checked by S3
	// ObjectLock says the upload was created with Object Lock settings:
	// S3 then requires an integrity check on every part, so a part with
	// no ChecksumAlgorithm and no ContentMD5 gets a Content-MD5 the client
	// computes.
	ObjectLock bool
	// Progress, if set, is called with the number of body bytes sent, and
	// with a negative amount when a retry takes back a failed attempt's.
	Progress func(bytes int64)
}

// UploadPartOutput is the result of UploadPart.
type UploadPartOutput struct {
	ETag      string
	Checksums Checksums // the part's checksum as S3 computed it (for CompletedPart)
}

// nilInput is the error of an operation called with a nil input.
func nilInput(op string) error {
	return inputError(op, "", "", errors.New("s3client: nil input"))
}

// checkUpload validates what every request on an upload names.
func checkUpload(op, bucket, key, uploadID string) error {
	if err := checkObject(op, bucket, key); err != nil {
		return err
	}
	if uploadID == "" {
		return inputError(op, bucket, key, errors.New("s3client: empty UploadID"))
	}
	return nil
}

func checkPartNumber(op, bucket, key string, n int) error {
	if n < 1 || n > MaxPartNumber {
		return inputError(op, bucket, key, fmt.Errorf("s3client: part number %d outside 1..%d", n, MaxPartNumber))
	}
	return nil
}

// sizedBody resolves a body and its declared length before any request.
func sizedBody(op, bucket, key string, body io.Reader, length int64) (io.Reader, int64, error) {
	switch {
	case length < 0:
		return nil, 0, inputError(op, bucket, key, fmt.Errorf("s3client: negative ContentLength %d", length))
	case body == nil && length > 0:
		return nil, 0, inputError(op, bucket, key, fmt.Errorf("s3client: nil Body with ContentLength %d", length))
	case body == nil:
		return strings.NewReader(""), 0, nil
	case length == 0:
		n, ok := bodySize(body)
		if !ok {
			return nil, 0, inputError(op, bucket, key, errors.New("s3client: the body's length is unknown: set ContentLength"))
		}
		return body, n, nil
	}
	return body, length, nil
}

// request builds an UploadPart request without its body (also presigned).
func (in *UploadPartInput) request(op string) *request {
	h := make(http.Header, 4)
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	setIf(h, "Content-Md5", in.ContentMD5)
	return &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key,
		header: h, query: partQuery(in.UploadID, in.PartNumber)}
}

// UploadPart uploads one part of a multipart upload.
func (c *Client) UploadPart(ctx context.Context, in *UploadPartInput) (*UploadPartOutput, error) {
	const op = "UploadPart"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	if err := checkPartNumber(op, in.Bucket, in.Key, in.PartNumber); err != nil {
		return nil, err
	}
	body, size, err := sizedBody(op, in.Bucket, in.Key, in.Body, in.ContentLength)
	if err != nil {
		return nil, err
	}
	r := in.request(op)
	r.body, r.size, r.checksum, r.progress = body, size, in.ChecksumAlgorithm, in.Progress
	r.md5 = in.ObjectLock && r.checksum == ChecksumNone && in.ContentMD5 == ""
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &UploadPartOutput{ETag: resp.Header.Get("ETag"), Checksums: checksumsFromHeader(resp.Header)}, nil
}

func partQuery(uploadID string, part int) url.Values {
	return url.Values{"uploadId": {uploadID}, "partNumber": {strconv.Itoa(part)}}
}

// CopySource names the object a copy reads from.
type CopySource struct {
	Bucket, Key string
	VersionID   string // empty: the current version
}

// header returns the x-amz-copy-source value: the key URI-encoded with its
// slashes kept, as S3 decodes it (a "+" is "%2B", never a space).
func (s *CopySource) header() string {
	v := "/" + s.Bucket + "/" + sigv4.URIEncode(s.Key, true)
	if s.VersionID != "" {
		v += "?versionId=" + sigv4.URIEncode(s.VersionID, false)
	}
	return v
}

func (s *CopySource) check(op, bucket, key string) error {
	if err := checkBucketParam(s.Bucket); err != nil {
		return inputError(op, bucket, key, fmt.Errorf("copy source: %w", err))
	}
	if err := ValidateKey(s.Key); err != nil {
		return inputError(op, bucket, key, fmt.Errorf("copy source: %w", err))
	}
	return nil
}

// CopySourceConditions are the preconditions on a copy's source object.
type CopySourceConditions struct {
	CopySourceIfMatch           string
	CopySourceIfNoneMatch       string
	CopySourceIfModifiedSince   time.Time
	CopySourceIfUnmodifiedSince time.Time
}

func (c *CopySourceConditions) apply(h http.Header) {
	setIf(h, "X-Amz-Copy-Source-If-Match", c.CopySourceIfMatch)
	setIf(h, "X-Amz-Copy-Source-If-None-Match", c.CopySourceIfNoneMatch)
	if !c.CopySourceIfModifiedSince.IsZero() {
		h.Set("X-Amz-Copy-Source-If-Modified-Since", c.CopySourceIfModifiedSince.UTC().Format(http.TimeFormat))
	}
	if !c.CopySourceIfUnmodifiedSince.IsZero() {
		h.Set("X-Amz-Copy-Source-If-Unmodified-Since", c.CopySourceIfUnmodifiedSince.UTC().Format(http.TimeFormat))
	}
}

// UploadPartCopyInput is the input of UploadPartCopy.
type UploadPartCopyInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	CopySource            CopySource
	// CopySourceRange is the byte range of the source to copy,
	// "bytes=first-last" (both inclusive); empty copies the whole source.
	CopySourceRange string
	CopySourceConditions
	// CopySourceSSECustomer is the key the source is encrypted with (sent as
	// x-amz-copy-source-server-side-encryption-customer-*).
	CopySourceSSECustomer SSECustomer
	SSECustomer
	Common
}

// UploadPartCopyOutput is the result of UploadPartCopy.
type UploadPartCopyOutput struct {
	ETag         string
	LastModified time.Time
	Checksums    Checksums
}

// UploadPartCopy makes a part of a multipart upload from a range of an
// existing object, copied inside S3.
func (c *Client) UploadPartCopy(ctx context.Context, in *UploadPartCopyInput) (*UploadPartCopyOutput, error) {
	const op = "UploadPartCopy"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	if err := checkPartNumber(op, in.Bucket, in.Key, in.PartNumber); err != nil {
		return nil, err
	}
	if err := in.CopySource.check(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	if in.CopySourceRange != "" {
		if err := checkRange(in.CopySourceRange, true); err != nil {
			return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("CopySourceRange: %w", err))
		}
	}
	h := make(http.Header, 8)
	h.Set("X-Amz-Copy-Source", in.CopySource.header())
	setIf(h, "X-Amz-Copy-Source-Range", in.CopySourceRange)
	in.CopySourceConditions.apply(h)
	in.CopySourceSSECustomer.apply(h, "X-Amz-Copy-Source-")
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key,
		header: h, query: partQuery(in.UploadID, in.PartNumber), errorIn200: true})
	if err != nil {
		return nil, err
	}
	var x xmlCopyResult
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	out := &UploadPartCopyOutput{ETag: x.ETag, LastModified: x.LastModified.Time, Checksums: checksumsFromHeader(resp.Header)}
	out.Checksums.merge(x.xmlChecksums)
	return out, nil
}

// CompletedPart is a part named in CompleteMultipartUpload: its number, the
// ETag UploadPart returned, and its checksum when the upload has an
// algorithm (UploadPartOutput.Checksums).
type CompletedPart struct {
	PartNumber int
	ETag       string
	Checksums  Checksums
}

// CompleteMultipartUploadInput is the input of CompleteMultipartUpload.
type CompleteMultipartUploadInput struct {
	Bucket, Key, UploadID string
	Parts                 []CompletedPart // in ascending PartNumber order
	SSECustomer
	Common
	// IfNoneMatch "*" completes only if the key does not exist; IfMatch only
	// over the object with that ETag (conditional writes).
	IfNoneMatch, IfMatch string
	// Checksums are the whole object's checksum values, optional; Type is
	// sent as x-amz-checksum-type.
	Checksums Checksums
	// MpuObjectSize, when positive, is sent as x-amz-mp-object-size for S3
	// to check the assembled size.
	MpuObjectSize int64
}

// CompleteMultipartUploadOutput is the result of CompleteMultipartUpload.
type CompleteMultipartUploadOutput struct {
	Location, Bucket, Key, ETag, VersionID string
	Checksums                              Checksums
}

// request builds a CompleteMultipartUpload request without its XML body
// (also presigned).
func (in *CompleteMultipartUploadInput) request(op string) *request {
	h := make(http.Header, 8)
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	setIf(h, "If-None-Match", in.IfNoneMatch)
	setIf(h, "If-Match", in.IfMatch)
	for _, a := range allChecksums {
		setIf(h, a.Header(), in.Checksums.Get(a))
	}
	setIf(h, "X-Amz-Checksum-Type", in.Checksums.Type)
	if in.MpuObjectSize > 0 {
		h.Set("X-Amz-Mp-Object-Size", itoa(in.MpuObjectSize))
	}
	return &request{common: &in.Common, op: op, method: http.MethodPost, bucket: in.Bucket, key: in.Key,
		header: h, query: url.Values{"uploadId": {in.UploadID}}, errorIn200: true, result: "CompleteMultipartUploadResult"}
}

// CompleteMultipartUpload assembles the uploaded parts into the object.
// S3 may fail after answering 200; such answers are errors (and retried
// when their code is transient). A 200 whose document is neither
// <CompleteMultipartUploadResult> nor <Error> is retried too, then an error
// wrapping ErrUnexpectedResponse: it never counts as a completion.
func (c *Client) CompleteMultipartUpload(ctx context.Context, in *CompleteMultipartUploadInput) (*CompleteMultipartUploadOutput, error) {
	const op = "CompleteMultipartUpload"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	if len(in.Parts) == 0 {
		return nil, inputError(op, in.Bucket, in.Key, errors.New("s3client: no parts to complete"))
	}
	doc := xmlCompleteMultipartUpload{Parts: make([]xmlCompletePart, len(in.Parts))}
	for i, p := range in.Parts {
		if err := checkPartNumber(op, in.Bucket, in.Key, p.PartNumber); err != nil {
			return nil, err
		}
		if i > 0 && p.PartNumber <= in.Parts[i-1].PartNumber {
			return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("s3client: parts not in ascending order (%d after %d)", p.PartNumber, in.Parts[i-1].PartNumber))
		}
		doc.Parts[i] = xmlCompletePart{xmlChecksums: xmlChecksumsOf(p.Checksums), ETag: p.ETag, PartNumber: p.PartNumber}
	}
	if in.MpuObjectSize < 0 {
		return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("s3client: negative MpuObjectSize %d", in.MpuObjectSize))
	}
	body, err := marshalXML(&doc)
	if err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	r := in.request(op)
	r.body, r.size = bytes.NewReader(body), int64(len(body))
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var x xmlCompleteMultipartUploadResult
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	out := &CompleteMultipartUploadOutput{Location: x.Location, Bucket: x.Bucket, Key: x.Key, ETag: x.ETag,
		VersionID: resp.Header.Get("X-Amz-Version-Id"), Checksums: checksumsFromHeader(resp.Header)}
	out.Checksums.merge(x.xmlChecksums)
	return out, nil
}

// AbortMultipartUploadInput is the input of AbortMultipartUpload.
type AbortMultipartUploadInput struct {
	Bucket, Key, UploadID string
	Common
}

func (in *AbortMultipartUploadInput) request(op string) *request {
	h := make(http.Header, 2)
	in.Common.apply(h)
	return &request{common: &in.Common, op: op, method: http.MethodDelete, bucket: in.Bucket, key: in.Key,
		header: h, query: url.Values{"uploadId": {in.UploadID}}}
}

// AbortMultipartUpload abandons an upload and frees its parts. Aborting an
// upload that no longer exists is an error matching ErrNotFound
// (NoSuchUpload).
func (c *Client) AbortMultipartUpload(ctx context.Context, in *AbortMultipartUploadInput) error {
	const op = "AbortMultipartUpload"
	if in == nil {
		return nilInput(op)
	}
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return err
	}
	resp, err := c.do(ctx, in.request(op))
	if err != nil {
		return err
	}
	drain(resp.Body)
	return nil
}

// ListPartsInput is the input of ListParts and AllParts.
type ListPartsInput struct {
	Bucket, Key, UploadID string
	MaxParts              int // at most 1000 per page; 0 means S3's default (1000)
	PartNumberMarker      int // list parts after this number
	SSECustomer
	Common
}

// Part is an uploaded part of a multipart upload.
type Part struct {
	PartNumber   int
	ETag         string
	Size         int64
	LastModified time.Time
	Checksums    Checksums
}

// ListPartsOutput is one page of ListParts.
type ListPartsOutput struct {
	Parts                []Part
	IsTruncated          bool
	NextPartNumberMarker int
	ChecksumAlgorithm    ChecksumAlgorithm
	ChecksumType         string
}

// ListParts lists one page of the parts uploaded so far, in part order.
func (c *Client) ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error) {
	const op = "ListParts"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkUpload(op, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	if in.MaxParts < 0 || in.PartNumberMarker < 0 {
		return nil, inputError(op, in.Bucket, in.Key, errors.New("s3client: negative MaxParts or PartNumberMarker"))
	}
	h := make(http.Header, 4)
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	q := url.Values{"uploadId": {in.UploadID}}
	if in.MaxParts > 0 {
		q.Set("max-parts", strconv.Itoa(in.MaxParts))
	}
	if in.PartNumberMarker > 0 {
		q.Set("part-number-marker", strconv.Itoa(in.PartNumberMarker))
	}
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodGet, bucket: in.Bucket, key: in.Key, header: h, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlListPartsResult
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	out := &ListPartsOutput{IsTruncated: x.IsTruncated, NextPartNumberMarker: x.NextPartNumberMarker,
		ChecksumAlgorithm: algorithmFromServer(x.ChecksumAlgorithm), ChecksumType: x.ChecksumType}
	if len(x.Parts) > 0 {
		out.Parts = make([]Part, len(x.Parts))
		for i, p := range x.Parts {
			out.Parts[i] = Part{PartNumber: p.PartNumber, ETag: p.ETag, Size: p.Size,
				LastModified: p.LastModified.Time, Checksums: p.xmlChecksums.checksums()}
		}
	}
	return out, nil
}

// AllParts iterates over every part of an upload, fetching pages as the
// loop goes; it starts after in.PartNumberMarker. An error is yielded once,
// last. Breaking out of the loop stops it: no request is left running.
func (c *Client) AllParts(ctx context.Context, in *ListPartsInput) iter.Seq2[Part, error] {
	return paginate(in, "ListParts", func(pg *Pager, p *ListPartsInput) ([]Part, bool, error) {
		out, err := c.ListParts(ctx, p)
		if err != nil {
			return nil, false, err
		}
		more, err := pg.NextParts(p, out)
		return out.Parts, more, err
	})
}

// ListMultipartUploadsInput is the input of ListMultipartUploads and
// AllMultipartUploads.
type ListMultipartUploadsInput struct {
	Bucket, Prefix, Delimiter string
	KeyMarker, UploadIDMarker string // list uploads after this key (and upload ID)
	MaxUploads                int    // at most 1000 per page; 0 means S3's default (1000)
	Common
}

// MultipartUpload is an upload in progress.
type MultipartUpload struct {
	Key, UploadID     string
	Initiated         time.Time
	StorageClass      string
	ChecksumAlgorithm ChecksumAlgorithm
}

// ListMultipartUploadsOutput is one page of ListMultipartUploads.
type ListMultipartUploadsOutput struct {
	Uploads                           []MultipartUpload
	CommonPrefixes                    []string
	IsTruncated                       bool
	NextKeyMarker, NextUploadIDMarker string
}

// ListMultipartUploads lists one page of the uploads in progress in a
// bucket, by key and then initiation time. Keys are requested url-encoded
// and returned decoded.
func (c *Client) ListMultipartUploads(ctx context.Context, in *ListMultipartUploadsInput) (*ListMultipartUploadsOutput, error) {
	const op = "ListMultipartUploads"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	if in.MaxUploads < 0 {
		return nil, inputError(op, in.Bucket, "", errors.New("s3client: negative MaxUploads"))
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	q := url.Values{"uploads": {""}, "encoding-type": {"url"}}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "delimiter", in.Delimiter)
	setQuery(q, "key-marker", in.KeyMarker)
	setQuery(q, "upload-id-marker", in.UploadIDMarker)
	if in.MaxUploads > 0 {
		q.Set("max-uploads", strconv.Itoa(in.MaxUploads))
	}
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodGet, bucket: in.Bucket, header: h, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlListMultipartUploadsResult
	if err := decodeXML(op, in.Bucket, "", resp, &x); err != nil {
		return nil, err
	}
	d := urlDecoder{on: strings.EqualFold(x.EncodingType, "url")}
	out := &ListMultipartUploadsOutput{IsTruncated: x.IsTruncated, NextKeyMarker: d.decode(x.NextKeyMarker),
		NextUploadIDMarker: x.NextUploadIDMarker, CommonPrefixes: d.prefixes(x.CommonPrefixes)}
	if len(x.Uploads) > 0 {
		out.Uploads = make([]MultipartUpload, len(x.Uploads))
		for i, u := range x.Uploads {
			out.Uploads[i] = MultipartUpload{Key: d.decode(u.Key), UploadID: u.UploadID, Initiated: u.Initiated.Time,
				StorageClass: u.StorageClass, ChecksumAlgorithm: algorithmFromServer(u.ChecksumAlgorithm)}
		}
	}
	if d.err != nil {
		return nil, &Error{Op: op, Bucket: in.Bucket, StatusCode: resp.StatusCode, Err: d.err}
	}
	return out, nil
}

// AllMultipartUploads iterates over every upload in progress that
// ListMultipartUploads would list, fetching pages as the loop goes. An
// error is yielded once, last; breaking out of the loop stops it.
func (c *Client) AllMultipartUploads(ctx context.Context, in *ListMultipartUploadsInput) iter.Seq2[MultipartUpload, error] {
	return paginate(in, "ListMultipartUploads", func(pg *Pager, p *ListMultipartUploadsInput) ([]MultipartUpload, bool, error) {
		out, err := c.ListMultipartUploads(ctx, p)
		if err != nil {
			return nil, false, err
		}
		more, err := pg.NextMultipartUploads(p, out)
		return out.Uploads, more, err
	})
}
