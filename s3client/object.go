package s3client

// Object operations: PutObject, GetObject, HeadObject, DeleteObject,
// DeleteObjects, CopyObject and object tagging.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// uploadChecksum returns the checksum algorithm an upload to bucket
// carries: the one asked for, else CRC32C where the policy says "when
// supported" (by default on AWS endpoints; custom endpoints get none
// unless asked, so stores that predate the 2025 checksum headers keep
// working). A directory bucket (S3 Express One Zone) gets CRC32, its
// default, unless the policy says "when required": it takes no Content-MD5,
// and the SDKs send CRC32 there.
func (c *Client) uploadChecksum(bucket string, asked ChecksumAlgorithm) ChecksumAlgorithm {
	if asked != ChecksumNone {
		return asked
	}
	switch {
	case c.cfg.ChecksumPolicy == ChecksumWhenRequired:
		return ChecksumNone
	case IsDirectoryBucket(bucket):
		return ChecksumCRC32
	case c.cfg.ChecksumPolicy == ChecksumWhenSupported:
		return ChecksumCRC32C
	case c.custom:
		return ChecksumNone
	}
	return ChecksumCRC32C
}

// HasObjectLock reports whether the properties set Object Lock (a
// retention mode or date, or a legal hold), for which S3 requires every
// upload request with a body to carry an integrity check.
func (p *ObjectProperties) HasObjectLock() bool {
	return p.ObjectLockMode != "" || !p.ObjectLockRetainUntilDate.IsZero() || p.ObjectLockLegalHoldStatus != ""
}

// PutObjectInput is the input of PutObject.
type PutObjectInput struct {
	Bucket string
	Key    string
	// Body is the object's content; nil means empty. A body that is an
	// io.ReaderAt or io.Seeker (a file, bytes.Reader, strings.Reader,
	// io.SectionReader) is read afresh for each retry; any other reader is
	// sent once, without retries.
	Body io.Reader
	// ContentLength is the size of Body. When 0 it is taken from Body (a
	// Len method or Seek); a plain reader of unknown length is an error.
	ContentLength int64
	ObjectProperties
	SSECustomer
	Common
	// ChecksumAlgorithm computes and sends that checksum of Body; see
	// Config.ChecksumPolicy for the default. A precomputed value may be
	// given in the matching Checksum* field instead (base64, as S3 wants).
	ChecksumAlgorithm ChecksumAlgorithm
	ChecksumCRC32     string
	ChecksumCRC32C    string
	ChecksumCRC64NVME string
	ChecksumSHA1      string
	ChecksumSHA256    string
	ContentMD5        string // base64 MD5 of Body, checked by S3
	// IfNoneMatch "*" writes only if the key does not exist; IfMatch writes
	// only over the object with that ETag (conditional writes).
	IfNoneMatch string
	IfMatch     string
	// Progress, if set, is called with the number of body bytes sent, and
	// with a negative amount when a retry takes back a failed attempt's.
	Progress func(bytes int64)
}

// PutObjectOutput is the result of PutObject.
type PutObjectOutput struct {
	ETag                 string
	VersionID            string
	Checksums            Checksums
	ServerSideEncryption string
	Size                 int64
}

func (in *PutObjectInput) precomputed() (ChecksumAlgorithm, string) {
	for _, a := range allChecksums {
		var v string
		switch a {
		case ChecksumCRC32:
			v = in.ChecksumCRC32
		case ChecksumCRC32C:
			v = in.ChecksumCRC32C
		case ChecksumCRC64NVME:
			v = in.ChecksumCRC64NVME
		case ChecksumSHA1:
			v = in.ChecksumSHA1
		case ChecksumSHA256:
			v = in.ChecksumSHA256
		}
		if v != "" {
			return a, v
		}
	}
	return ChecksumNone, ""
}

// header returns the request headers of a PutObject (all but the body's
// checksum, which do computes); PresignPutObject signs the same ones.
func (in *PutObjectInput) header() (http.Header, error) {
	h := make(http.Header, 8)
	if err := in.ObjectProperties.apply(h); err != nil {
		return nil, err
	}
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	setIf(h, "If-None-Match", in.IfNoneMatch)
	setIf(h, "If-Match", in.IfMatch)
	setIf(h, "Content-Md5", in.ContentMD5)
	if alg, v := in.precomputed(); alg != ChecksumNone {
		h.Set(alg.Header(), v)
	}
	return h, nil
}

// PutObject uploads an object in one request (up to 5 GiB; the multipart
// and transfer packages handle larger ones).
func (c *Client) PutObject(ctx context.Context, in *PutObjectInput) (*PutObjectOutput, error) {
	if in == nil {
		return nil, nilInput("PutObject")
	}
	const op = "PutObject"
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	size := in.ContentLength
	if size < 0 {
		return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("negative ContentLength %d", size))
	}
	if size == 0 && in.Body != nil {
		n, ok := bodySize(in.Body)
		if !ok {
			return nil, inputError(op, in.Bucket, in.Key, errors.New("the body's length is unknown: set ContentLength or use multipart/transfer for streams"))
		}
		size = n
	}
	h, err := in.header()
	if err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	r := &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h, body: in.Body, size: size, progress: in.Progress}
	if in.Body == nil {
		r.body, r.size = strings.NewReader(""), 0
	}
	if alg, _ := in.precomputed(); alg == ChecksumNone {
		r.checksum = c.uploadChecksum(in.Bucket, in.ChecksumAlgorithm)
		// S3 refuses an object with Object Lock settings that carries no
		// integrity check (a checksum or Content-MD5).
		r.md5 = r.checksum == ChecksumNone && in.ContentMD5 == "" && in.ObjectProperties.HasObjectLock()
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &PutObjectOutput{
		ETag:                 resp.Header.Get("ETag"),
		VersionID:            resp.Header.Get("X-Amz-Version-Id"),
		Checksums:            checksumsFromHeader(resp.Header),
		ServerSideEncryption: resp.Header.Get("X-Amz-Server-Side-Encryption"),
		Size:                 size,
	}, nil
}

// GetObjectInput is the input of GetObject and HeadObject.
type GetObjectInput struct {
	Bucket     string
	Key        string
	VersionID  string
	Range      string // "bytes=0-9", "bytes=-100"...
	PartNumber int    // read one part of a multipart object
	Conditions
	SSECustomer
	Common
	// Response overrides: the headers S3 answers with for this request.
	ResponseCacheControl       string
	ResponseContentDisposition string
	ResponseContentEncoding    string
	ResponseContentLanguage    string
	ResponseContentType        string
	ResponseExpires            string
	// ChecksumMode asks S3 for the object's checksum and has GetObject
	// verify the body against it as it is read (full reads of objects with
	// a full-object checksum; ranges and composite checksums cannot be).
	ChecksumMode bool
}

// check validates what request would send.
func (in *GetObjectInput) check(op string) error {
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return err
	}
	if in.Range != "" {
		if err := checkRange(in.Range, false); err != nil {
			return inputError(op, in.Bucket, in.Key, err)
		}
	}
	if in.PartNumber < 0 || in.PartNumber > MaxPartNumber {
		return inputError(op, in.Bucket, in.Key, fmt.Errorf("part number %d out of 1..%d", in.PartNumber, MaxPartNumber))
	}
	if in.PartNumber > 0 && in.Range != "" {
		return inputError(op, in.Bucket, in.Key, errors.New("Range and PartNumber cannot be used together"))
	}
	return nil
}

func (in *GetObjectInput) request(op, method string) *request {
	h := make(http.Header, 4)
	setIf(h, "Range", in.Range)
	in.Conditions.apply(h)
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	if in.ChecksumMode {
		h.Set("X-Amz-Checksum-Mode", "ENABLED")
	}
	q := url.Values{}
	setQuery(q, "versionId", in.VersionID)
	if in.PartNumber > 0 {
		q.Set("partNumber", strconv.Itoa(in.PartNumber))
	}
	setQuery(q, "response-cache-control", in.ResponseCacheControl)
	setQuery(q, "response-content-disposition", in.ResponseContentDisposition)
	setQuery(q, "response-content-encoding", in.ResponseContentEncoding)
	setQuery(q, "response-content-language", in.ResponseContentLanguage)
	setQuery(q, "response-content-type", in.ResponseContentType)
	setQuery(q, "response-expires", in.ResponseExpires)
	return &request{common: &in.Common, op: op, method: method, bucket: in.Bucket, key: in.Key, header: h, query: q}
}

func setQuery(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

// GetObjectOutput is the result of GetObject. The caller must close Body.
type GetObjectOutput struct {
	ObjectMeta
	// Body streams the object's content. When ChecksumMode was set and the
	// object has a full-object checksum, reading it to the end returns an
	// error wrapping ErrChecksumMismatch if the bytes differ.
	Body io.ReadCloser
}

// ErrChecksumMismatch is wrapped when downloaded bytes do not match the
// checksum S3 holds for them.
var ErrChecksumMismatch = errors.New("s3client: checksum mismatch")

// GetObject reads an object. The body streams: nothing is buffered.
func (c *Client) GetObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error) {
	if in == nil {
		return nil, nilInput("GetObject")
	}
	const op = "GetObject"
	if err := in.check(op); err != nil {
		return nil, err
	}
	r := in.request(op, http.MethodGet)
	r.stream = true
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &GetObjectOutput{ObjectMeta: metaFromHeader(resp), Body: resp.Body}
	if in.ChecksumMode && resp.StatusCode == http.StatusOK {
		if v := newVerifier(resp.Body, &out.Checksums, out.ContentLength); v != nil {
			out.Body = v
		}
	}
	return out, nil
}

// HeadObject reads an object's metadata. A missing object is an *Error
// with Code "NotFound" (HEAD answers have no body), matching ErrNotFound.
func (c *Client) HeadObject(ctx context.Context, in *GetObjectInput) (*ObjectMeta, error) {
	if in == nil {
		return nil, nilInput("HeadObject")
	}
	const op = "HeadObject"
	if err := in.check(op); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, in.request(op, http.MethodHead))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	m := metaFromHeader(resp)
	return &m, nil
}

// verifier checks a body against a full-object checksum at EOF.
type verifier struct {
	io.ReadCloser
	h    hash.Hash
	want string
	alg  ChecksumAlgorithm
	n    int64
	size int64
}

func newVerifier(body io.ReadCloser, cs *Checksums, size int64) *verifier {
	a, v, ok := cs.FullObject()
	if !ok {
		return nil
	}
	return &verifier{ReadCloser: body, h: a.NewHash(), want: v, alg: a, size: size}
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.ReadCloser.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF && (v.size < 0 || v.n == v.size) {
		if got := encodeSum(v.h); got != v.want {
			return n, fmt.Errorf("%w: %s is %s, S3 has %s", ErrChecksumMismatch, v.alg, got, v.want)
		}
	}
	return n, err
}

// DeleteObjectInput is the input of DeleteObject.
type DeleteObjectInput struct {
	Bucket    string
	Key       string
	VersionID string
	MFA       string // "serial-number code", for MFA-delete buckets
	// BypassGovernanceRetention deletes a version under GOVERNANCE lock.
	BypassGovernanceRetention bool
	IfMatch                   string
	Common
}

// DeleteObjectOutput is the result of DeleteObject.
type DeleteObjectOutput struct {
	DeleteMarker bool
	VersionID    string
}

func (in *DeleteObjectInput) request(op string) *request {
	h := make(http.Header, 2)
	setIf(h, "X-Amz-Mfa", in.MFA)
	setIf(h, "If-Match", in.IfMatch)
	if in.BypassGovernanceRetention {
		h.Set("X-Amz-Bypass-Governance-Retention", "true")
	}
	in.Common.apply(h)
	q := url.Values{}
	setQuery(q, "versionId", in.VersionID)
	return &request{common: &in.Common, op: op, method: http.MethodDelete, bucket: in.Bucket, key: in.Key, header: h, query: q}
}

// DeleteObject deletes an object (or one version of it). Deleting a key
// that does not exist succeeds, as in S3.
func (c *Client) DeleteObject(ctx context.Context, in *DeleteObjectInput) (*DeleteObjectOutput, error) {
	if in == nil {
		return nil, nilInput("DeleteObject")
	}
	const op = "DeleteObject"
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, in.request(op))
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &DeleteObjectOutput{DeleteMarker: resp.Header.Get("X-Amz-Delete-Marker") == "true", VersionID: resp.Header.Get("X-Amz-Version-Id")}, nil
}

// MaxDeleteObjects is how many keys one DeleteObjects request may name;
// DeleteObjects splits longer inputs into several requests.
const MaxDeleteObjects = 1000

// ObjectIdentifier names an object, or one version of it, to delete.
type ObjectIdentifier struct {
	Key       string
	VersionID string
}

// DeleteObjectsInput is the input of DeleteObjects.
type DeleteObjectsInput struct {
	Bucket  string
	Objects []ObjectIdentifier
	// Quiet asks S3 to report only the keys it failed to delete.
	Quiet bool
	MFA   string // "serial-number code", for MFA-delete buckets
	// BypassGovernanceRetention deletes versions under GOVERNANCE lock.
	BypassGovernanceRetention bool
	// ChecksumAlgorithm is the checksum of the request body S3 requires;
	// empty means Config.ChecksumPolicy's choice, and Content-MD5 where
	// that is none.
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// DeletedObject is a key (or version) DeleteObjects deleted.
type DeletedObject struct {
	Key       string
	VersionID string
	// DeleteMarker says a delete marker was involved: created (in a
	// versioned bucket, when no version was named) or deleted.
	DeleteMarker          bool
	DeleteMarkerVersionID string
}

// DeleteError is a key DeleteObjects failed to delete.
type DeleteError struct {
	Key       string
	VersionID string
	Code      string // e.g. "AccessDenied"
	Message   string
}

// DeleteObjectsOutput is the result of DeleteObjects, merged over its
// requests.
type DeleteObjectsOutput struct {
	Deleted []DeletedObject // empty in quiet mode
	Errors  []DeleteError
}

// DeleteObjects deletes many objects, MaxDeleteObjects per request, in
// order. Keys S3 refuses to delete are reported in Errors, not as the
// error; the error is for a request that failed as a whole, and then the
// output holds what the earlier requests did. Deleting a key that does not
// exist succeeds, as in S3.
func (c *Client) DeleteObjects(ctx context.Context, in *DeleteObjectsInput) (*DeleteObjectsOutput, error) {
	const op = "DeleteObjects"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	for _, o := range in.Objects {
		if err := ValidateKey(o.Key); err != nil {
			return nil, inputError(op, in.Bucket, o.Key, err)
		}
		if !validXMLText(o.Key) {
			return nil, inputError(op, in.Bucket, o.Key, errors.New("s3client: the key holds characters an XML 1.0 request cannot carry; use DeleteObject"))
		}
	}
	alg := in.ChecksumAlgorithm
	if alg != ChecksumNone {
		n, err := alg.normalize()
		if err != nil {
			return nil, inputError(op, in.Bucket, "", err)
		}
		alg = n
	}
	alg = c.uploadChecksum(in.Bucket, alg)
	h := make(http.Header, 4)
	setIf(h, "X-Amz-Mfa", in.MFA)
	if in.BypassGovernanceRetention {
		h.Set("X-Amz-Bypass-Governance-Retention", "true")
	}
	in.Common.apply(h)

	out := &DeleteObjectsOutput{}
	for start := 0; start < len(in.Objects); start += MaxDeleteObjects {
		batch := in.Objects[start:min(start+MaxDeleteObjects, len(in.Objects))]
		doc := xmlDelete{Quiet: in.Quiet, Objects: make([]xmlDeleteObject, len(batch))}
		for i, o := range batch {
			doc.Objects[i] = xmlDeleteObject{Key: o.Key, VersionID: o.VersionID}
		}
		body, err := marshalXML(&doc)
		if err != nil {
			return out, inputError(op, in.Bucket, "", err)
		}
		// S3 requires an integrity check of the list: a checksum, or
		// Content-MD5 where the policy sends none.
		resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPost, bucket: in.Bucket, header: h.Clone(),
			query: url.Values{"delete": {""}}, body: bytes.NewReader(body), size: int64(len(body)),
			checksum: alg, md5: alg == ChecksumNone})
		if err != nil {
			return out, err
		}
		var x xmlDeleteResult
		if err := decodeXML(op, in.Bucket, "", resp, &x); err != nil {
			return out, err
		}
		for _, d := range x.Deleted {
			out.Deleted = append(out.Deleted, DeletedObject{Key: d.Key, VersionID: d.VersionID,
				DeleteMarker: d.DeleteMarker, DeleteMarkerVersionID: d.DeleteMarkerVersionID})
		}
		for _, e := range x.Errors {
			out.Errors = append(out.Errors, DeleteError{Key: e.Key, VersionID: e.VersionID, Code: e.Code, Message: e.Message})
		}
	}
	return out, nil
}

// CopyObjectInput is the input of CopyObject.
type CopyObjectInput struct {
	Bucket, Key string
	CopySource  CopySource
	CopySourceConditions
	// CopySourceSSECustomer is the key the source is encrypted with.
	CopySourceSSECustomer SSECustomer
	// ObjectProperties apply to the copy; S3 takes the metadata and content
	// headers from them only with MetadataDirective "REPLACE", and the tags
	// only with TaggingDirective "REPLACE".
	ObjectProperties
	SSECustomer
	Common
	MetadataDirective string // COPY (S3's default) or REPLACE
	TaggingDirective  string // COPY (S3's default) or REPLACE
	// ChecksumAlgorithm has S3 compute that checksum for the copy.
	ChecksumAlgorithm ChecksumAlgorithm
}

// CopyObjectOutput is the result of CopyObject.
type CopyObjectOutput struct {
	ETag                string
	VersionID           string // of the copy
	CopySourceVersionID string // of the source that was read
	LastModified        time.Time
	Checksums           Checksums
}

// CopyObject copies an object (up to 5 GiB) inside S3; the multipart
// package copies larger ones with UploadPartCopy. S3 may fail after
// answering 200; such answers are errors (and retried when their code is
// transient).
func (c *Client) CopyObject(ctx context.Context, in *CopyObjectInput) (*CopyObjectOutput, error) {
	const op = "CopyObject"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	if err := in.CopySource.check(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	for _, d := range [...]struct{ name, v string }{{"MetadataDirective", in.MetadataDirective}, {"TaggingDirective", in.TaggingDirective}} {
		if d.v != "" && d.v != "COPY" && d.v != "REPLACE" {
			return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("s3client: %s %q is neither COPY nor REPLACE", d.name, d.v))
		}
	}
	h := make(http.Header, 8)
	h.Set("X-Amz-Copy-Source", in.CopySource.header())
	in.CopySourceConditions.apply(h)
	in.CopySourceSSECustomer.apply(h, "X-Amz-Copy-Source-")
	if err := in.ObjectProperties.apply(h); err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	in.SSECustomer.apply(h, "X-Amz-")
	in.Common.apply(h)
	setIf(h, "X-Amz-Metadata-Directive", in.MetadataDirective)
	setIf(h, "X-Amz-Tagging-Directive", in.TaggingDirective)
	if in.ChecksumAlgorithm != ChecksumNone {
		alg, err := in.ChecksumAlgorithm.normalize()
		if err != nil {
			return nil, inputError(op, in.Bucket, in.Key, err)
		}
		h.Set("X-Amz-Checksum-Algorithm", string(alg))
	}
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h, errorIn200: true})
	if err != nil {
		return nil, err
	}
	var x xmlCopyResult
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	out := &CopyObjectOutput{ETag: x.ETag, LastModified: x.LastModified.Time,
		VersionID:           resp.Header.Get("X-Amz-Version-Id"),
		CopySourceVersionID: resp.Header.Get("X-Amz-Copy-Source-Version-Id"),
		Checksums:           checksumsFromHeader(resp.Header)}
	out.Checksums.merge(x.xmlChecksums)
	return out, nil
}

// Tag is an object tag.
type Tag struct {
	Key, Value string
}

// GetObjectTaggingInput is the input of GetObjectTagging.
type GetObjectTaggingInput struct {
	Bucket, Key string
	VersionID   string
	Common
}

// GetObjectTaggingOutput is the result of GetObjectTagging.
type GetObjectTaggingOutput struct {
	TagSet    []Tag
	VersionID string
}

// GetObjectTagging returns an object's tags.
func (c *Client) GetObjectTagging(ctx context.Context, in *GetObjectTaggingInput) (*GetObjectTaggingOutput, error) {
	const op = "GetObjectTagging"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	q := url.Values{"tagging": {""}}
	setQuery(q, "versionId", in.VersionID)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodGet, bucket: in.Bucket, key: in.Key, header: h, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlTagSet
	if err := decodeXML(op, in.Bucket, in.Key, resp, &x); err != nil {
		return nil, err
	}
	out := &GetObjectTaggingOutput{VersionID: resp.Header.Get("X-Amz-Version-Id")}
	if len(x.TagSet) > 0 {
		out.TagSet = make([]Tag, len(x.TagSet))
		for i, t := range x.TagSet {
			out.TagSet[i] = Tag{Key: t.Key, Value: t.Value}
		}
	}
	return out, nil
}

// PutObjectTaggingInput is the input of PutObjectTagging.
type PutObjectTaggingInput struct {
	Bucket, Key string
	VersionID   string
	TagSet      []Tag // replaces every tag; empty removes them all
	// ChecksumAlgorithm is the checksum of the request body S3 requires;
	// empty means Config.ChecksumPolicy's choice, and Content-MD5 where
	// that is none.
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// PutObjectTaggingOutput is the result of PutObjectTagging.
type PutObjectTaggingOutput struct {
	VersionID string
}

// PutObjectTagging replaces an object's tags.
func (c *Client) PutObjectTagging(ctx context.Context, in *PutObjectTaggingInput) (*PutObjectTaggingOutput, error) {
	const op = "PutObjectTagging"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	if err := checkUserTags(in.TagSet, MaxObjectTags); err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	doc := xmlTagging{TagSet: make([]xmlTag, len(in.TagSet))}
	for i, t := range in.TagSet {
		doc.TagSet[i] = xmlTag{Key: t.Key, Value: t.Value}
	}
	body, err := marshalXML(&doc)
	if err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	alg := in.ChecksumAlgorithm
	if alg != ChecksumNone {
		if alg, err = alg.normalize(); err != nil {
			return nil, inputError(op, in.Bucket, in.Key, err)
		}
	}
	alg = c.uploadChecksum(in.Bucket, alg)
	h := make(http.Header, 2)
	in.Common.apply(h)
	q := url.Values{"tagging": {""}}
	setQuery(q, "versionId", in.VersionID)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h, query: q,
		body: bytes.NewReader(body), size: int64(len(body)), checksum: alg, md5: alg == ChecksumNone})
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &PutObjectTaggingOutput{VersionID: resp.Header.Get("X-Amz-Version-Id")}, nil
}
