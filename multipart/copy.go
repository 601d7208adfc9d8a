package multipart

// The Copier: one CopyObject for small objects, concurrent UploadPartCopy
// ranges for large ones, with the source's metadata and tags carried over
// so that a copy is a copy either way.

import (
	"context"
	"errors"
	"fmt"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/s3client"
)

// Copier copies objects inside S3. Its zero value, with Client set, uses
// the defaults; set the fields before the first call and do not change them
// while calls run. A Copier is safe for concurrent use.
type Copier struct {
	// Client sends the requests; usually an *s3client.Client.
	Client CopyAPI
	// Threshold is the size above which an object is copied in parts; 0
	// means DefaultCopyThreshold (64 MiB). Objects over MaxCopyObjectSize
	// (5 GiB, CopyObject's limit) are always copied in parts.
	Threshold int64
	// PartSize is the size of each copied range but the last; 0 means
	// DefaultCopyPartSize (64 MiB). It grows to fit MaxParts parts.
	PartSize int64
	// Concurrency is how many ranges are copied at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// LeavePartsOnError keeps a failed copy's upload instead of aborting it.
	LeavePartsOnError bool
	// SourceClient, if set, reads the source (HeadObject, and
	// GetObjectTagging for a multipart copy): a client of the source
	// bucket's region, when it differs from the destination's. The copy
	// requests go to Client, naming the source.
	SourceClient SourceAPI
	// Progress, if set, is told the bytes copied as S3 finishes them: each
	// part's size, or the whole size after one CopyObject. Calls are
	// serialized with Events'.
	Progress func(bytes int64)
	// Events, if set, are told of the copy's steps as they happen.
	Events Events
}

// SourceAPI is what a Copier reads its source with; *s3client.Client
// implements it.
type SourceAPI interface {
	HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error)
	GetObjectTagging(context.Context, *s3client.GetObjectTaggingInput) (*s3client.GetObjectTaggingOutput, error)
}

// CopyInput names the source and the destination of a copy.
type CopyInput struct {
	// Bucket and Key name the destination.
	Bucket, Key string
	// Source names the object to copy, and optionally its version.
	Source s3client.CopySource
	// CopySourceConditions are checked against the source by every
	// CopyObject or UploadPartCopy request. Without a CopySourceIfMatch or
	// a Source.VersionID, a multipart copy adds a CopySourceIfMatch with the
	// ETag HeadObject returned, so that a source overwritten during the copy
	// fails it rather than mixing two versions.
	s3client.CopySourceConditions
	// CopySourceSSECustomer is the key the source is encrypted with.
	CopySourceSSECustomer s3client.SSECustomer
	// ObjectProperties apply to the copy. As with CopyObject, the metadata
	// and content headers (Metadata, ContentType, CacheControl,
	// ContentDisposition, ContentEncoding, ContentLanguage, Expires) are
	// used only with MetadataDirective "REPLACE", and Tagging only with
	// TaggingDirective "REPLACE"; otherwise the source's are copied.
	s3client.ObjectProperties
	// SSECustomer is the key to encrypt the copy with.
	s3client.SSECustomer
	s3client.Common
	MetadataDirective string // "COPY" (the default) or "REPLACE"
	TaggingDirective  string // "COPY" (the default) or "REPLACE"
	// ChecksumAlgorithm has S3 compute that checksum for the copy.
	ChecksumAlgorithm s3client.ChecksumAlgorithm
	// ChecksumType is a multipart copy's checksum type, "FULL_OBJECT" or
	// "COMPOSITE"; empty leaves S3's default.
	ChecksumType string
}

// CopyOutput describes the copy.
type CopyOutput struct {
	// UploadID is the multipart upload's ID; "" for a CopyObject.
	UploadID            string
	ETag                string
	VersionID           string // of the copy
	CopySourceVersionID string // of the source that was read
	Checksums           s3client.Checksums
	Size                int64
	Parts               int // 0 for a CopyObject
}

// Copy copies in.Source to in.Bucket/in.Key. It reads the source's size
// (and metadata) with HeadObject; an object up to Threshold is copied with
// one CopyObject, a larger one with concurrent UploadPartCopy requests,
// whose upload is created with the source's metadata, content headers and
// tags unless the caller replaces them. An invalid destination bucket
// name or key is refused before anything is sent. Failures are handled as
// in Uploader.Upload: an *UploadError naming the upload and the part, the
// upload aborted unless LeavePartsOnError, and a completion whose answer
// was lost confirmed with HeadObject.
func (c *Copier) Copy(ctx context.Context, in *CopyInput) (*CopyOutput, error) {
	threshold, ps, conc := c.Threshold, c.PartSize, c.Concurrency
	if threshold <= 0 {
		threshold = DefaultCopyThreshold
	}
	threshold = min(threshold, MaxCopyObjectSize)
	if ps == 0 {
		ps = DefaultCopyPartSize
	}
	if err := checkPartSize(ps); err != nil {
		return nil, err
	}
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	if c.Client == nil {
		return nil, invalidInput("multipart: Copier.Client is nil")
	}
	if in == nil {
		return nil, errNilInput
	}
	for _, d := range [...]string{in.MetadataDirective, in.TaggingDirective} {
		if d != "" && d != "COPY" && d != "REPLACE" {
			return nil, invalidInput("multipart: Copy: directive %q is neither COPY nor REPLACE", d)
		}
	}
	s := &session{api: c.Client, op: "Copy", bucket: in.Bucket, key: in.Key,
		sse: in.SSECustomer, common: in.Common, leave: c.LeavePartsOnError, events: &c.Events}
	var src SourceAPI = c.Client
	if c.SourceClient != nil {
		src = c.SourceClient
	}
	// The destination is checked before the source is read: HeadObject
	// checks only the source's names, and a copy to nowhere should send
	// nothing.
	if err := checkObject(in.Bucket, in.Key); err != nil {
		return nil, s.fail(ctx, err)
	}

	// The source's own requests carry no ExpectedBucketOwner: that names
	// the owner of the destination bucket.
	srcCommon := s3client.Common{RequestPayer: in.RequestPayer}
	head, err := src.HeadObject(ctx, &s3client.GetObjectInput{
		Bucket: in.Source.Bucket, Key: in.Source.Key, VersionID: in.Source.VersionID,
		SSECustomer: in.CopySourceSSECustomer, Common: srcCommon,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	size := head.ContentLength
	if size < 0 || size > MaxObjectSize {
		return nil, s.fail(ctx, fmt.Errorf("multipart: HeadObject gave the source a size of %d bytes", size))
	}
	s.sized(size)
	if size <= threshold {
		return c.copyObject(ctx, s, in, size)
	}

	props := in.ObjectProperties
	if in.MetadataDirective != "REPLACE" {
		props.CopyFrom(head)
	}
	if in.TaggingDirective != "REPLACE" {
		props.Tagging = ""
		if head.TagCount > 0 {
			tags, err := src.GetObjectTagging(ctx, &s3client.GetObjectTaggingInput{
				Bucket: in.Source.Bucket, Key: in.Source.Key, VersionID: in.Source.VersionID, Common: srcCommon,
			})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			props.Tagging = s3client.EncodeTagging(tags.TagSet)
		}
	}
	ps, n, err := layout(size, ps)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out, err := c.Client.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{
		Bucket: in.Bucket, Key: in.Key, ObjectProperties: props, SSECustomer: in.SSECustomer,
		Common: in.Common, ChecksumAlgorithm: in.ChecksumAlgorithm, ChecksumType: in.ChecksumType,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if out.UploadID == "" {
		return nil, s.fail(ctx, errors.New("multipart: CreateMultipartUpload returned no upload ID"))
	}
	if err := s.created(ctx, out.UploadID); err != nil {
		return nil, err
	}

	conds := in.CopySourceConditions
	if conds.CopySourceIfMatch == "" && in.Source.VersionID == "" {
		conds.CopySourceIfMatch = head.ETag
	}
	s.parts, s.sizes = make([]s3client.CompletedPart, n), make([]int64, n)
	g, gctx := group.WithContext(ctx, conc)
	for i := 0; i < n && gctx.Err() == nil; i++ {
		off := int64(i) * ps
		num, length := i+1, min(ps, size-off)
		g.Go(func() error {
			pout, err := c.Client.UploadPartCopy(gctx, &s3client.UploadPartCopyInput{
				Bucket: in.Bucket, Key: in.Key, UploadID: s.id, PartNumber: num,
				CopySource:            in.Source,
				CopySourceRange:       fmt.Sprintf("bytes=%d-%d", off, off+length-1),
				CopySourceConditions:  conds,
				CopySourceSSECustomer: in.CopySourceSSECustomer,
				SSECustomer:           in.SSECustomer,
				Common:                in.Common,
			})
			if err != nil {
				return &partFailure{part: num, err: err}
			}
			if pout.ETag == "" {
				return &partFailure{part: num, err: errors.New("multipart: UploadPartCopy returned no ETag")}
			}
			s.record(s3client.CompletedPart{PartNumber: num, ETag: pout.ETag, Checksums: pout.Checksums}, length)
			s.copied(c.Progress, length)
			s.partDone(num, length)
			return nil
		})
	}
	if err := joinGroup(ctx, g); err != nil {
		return nil, s.fail(ctx, err)
	}
	cout, err := s.complete(ctx, n, size, "", "", s3client.Checksums{})
	if err != nil {
		return nil, err
	}
	return &CopyOutput{UploadID: s.id, ETag: cout.ETag, VersionID: cout.VersionID,
		CopySourceVersionID: head.VersionID, Checksums: cout.Checksums, Size: size, Parts: n}, nil
}

// copyObject copies a small object in one request; S3 carries the
// metadata and tags itself.
func (c *Copier) copyObject(ctx context.Context, s *session, in *CopyInput, size int64) (*CopyOutput, error) {
	out, err := c.Client.CopyObject(ctx, &s3client.CopyObjectInput{
		Bucket: in.Bucket, Key: in.Key,
		CopySource:            in.Source,
		CopySourceConditions:  in.CopySourceConditions,
		CopySourceSSECustomer: in.CopySourceSSECustomer,
		ObjectProperties:      in.ObjectProperties,
		SSECustomer:           in.SSECustomer,
		Common:                in.Common,
		MetadataDirective:     in.MetadataDirective,
		TaggingDirective:      in.TaggingDirective,
		ChecksumAlgorithm:     in.ChecksumAlgorithm,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	s.copied(c.Progress, size)
	return &CopyOutput{ETag: out.ETag, VersionID: out.VersionID, CopySourceVersionID: out.CopySourceVersionID,
		Checksums: out.Checksums, Size: size}, nil
}
