package transfer

// Copy (boto3's copy) and Delete. A copy moves no bytes through the
// client: one CopyObject up to MultipartThreshold, the engine's Copier
// (UploadPartCopy ranges of MultipartChunkSize) above it, with the source's
// metadata and tags kept unless the caller replaces them.

import (
	"context"
	"errors"
	"fmt"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// CopySource names the object a copy reads: boto3's copy_source dict.
type CopySource = s3client.CopySource

// Copy copies the object src to bucket/key inside S3. CopyArgs, progress
// options and SourceClient apply. An object up to MultipartThreshold is
// copied with one CopyObject, a larger one in parts of MultipartChunkSize
// copied concurrently (UploadPartCopy); either way the copy keeps the
// source's metadata, content headers and tags unless CopyArgs has
// MetadataDirective or TaggingDirective "REPLACE". A multipart copy checks
// that the source keeps the ETag it had when the copy began (or reads
// src.VersionID), so an object replaced midway fails the copy.
//
// The Callback hears of each copied part as S3 finishes it, so its steps
// are much coarser than an upload's.
func (m *Manager) Copy(ctx context.Context, src CopySource, bucket, key string, opts ...Option) (*Result, error) {
	const op = "Copy"
	o, err := parseOptions(op, takesCopy|takesProgress|takesSource, opts)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	rep := newReporter(o, nil, op, bucket, key, "")
	h := &hooked{API: m.api, rep: rep, source: o.source, copying: true, checksumType: o.copy.ChecksumType}
	a := o.copy
	in := &multipart.CopyInput{
		Bucket: bucket, Key: key, Source: src,
		CopySourceConditions:  a.conditions(),
		CopySourceSSECustomer: a.sourceSSE(),
		ObjectProperties:      a.properties(),
		SSECustomer:           a.sse(),
		Common:                a.common(),
		MetadataDirective:     a.MetadataDirective,
		TaggingDirective:      a.TaggingDirective,
		ChecksumAlgorithm:     a.ChecksumAlgorithm,
	}
	var res *Result
	if m.threads {
		c := &multipart.Copier{Client: h, Threshold: m.cfg.MultipartThreshold, PartSize: m.cfg.MultipartChunkSize,
			Concurrency: m.cfg.MaxConcurrency}
		var out *multipart.CopyOutput
		if out, err = c.Copy(ctx, in); err == nil {
			res = &Result{Bucket: bucket, Key: key, ETag: out.ETag, VersionID: out.VersionID, Size: out.Size,
				Checksums: out.Checksums, UploadID: out.UploadID, Parts: out.Parts}
		}
	} else {
		res, err = m.serialCopy(ctx, h, in)
	}
	if errors.Is(err, s3client.ErrPreconditionFailed) && a.CopySourceIfMatch == "" {
		// The If-Match the copy added itself failed: the source changed.
		err = fmt.Errorf("%w: %w", ErrObjectChanged, err)
	}
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return res, nil
}

// serialCopy is Copier.Copy on the caller's goroutine.
func (m *Manager) serialCopy(ctx context.Context, h *hooked, in *multipart.CopyInput) (*Result, error) {
	for _, d := range [...]string{in.MetadataDirective, in.TaggingDirective} {
		if d != "" && d != "COPY" && d != "REPLACE" {
			return nil, fmt.Errorf("transfer: Copy: directive %q is neither COPY nor REPLACE", d)
		}
	}
	srcCommon := s3client.Common{RequestPayer: in.RequestPayer} // ExpectedBucketOwner names the destination's owner
	head, err := h.HeadObject(ctx, &s3client.GetObjectInput{Bucket: in.Source.Bucket, Key: in.Source.Key,
		VersionID: in.Source.VersionID, SSECustomer: in.CopySourceSSECustomer, Common: srcCommon})
	if err != nil {
		return nil, err
	}
	size := head.ContentLength
	if size <= min(m.cfg.MultipartThreshold, multipart.MaxCopyObjectSize) {
		out, err := h.CopyObject(ctx, &s3client.CopyObjectInput{
			Bucket: in.Bucket, Key: in.Key, CopySource: in.Source,
			CopySourceConditions: in.CopySourceConditions, CopySourceSSECustomer: in.CopySourceSSECustomer,
			ObjectProperties: in.ObjectProperties, SSECustomer: in.SSECustomer, Common: in.Common,
			MetadataDirective: in.MetadataDirective, TaggingDirective: in.TaggingDirective,
			ChecksumAlgorithm: in.ChecksumAlgorithm,
		})
		if err != nil {
			return nil, err
		}
		return &Result{Bucket: in.Bucket, Key: in.Key, ETag: out.ETag, VersionID: out.VersionID, Size: size, Checksums: out.Checksums}, nil
	}

	props := in.ObjectProperties
	if in.MetadataDirective != "REPLACE" {
		props.CopyFrom(head)
	}
	if in.TaggingDirective != "REPLACE" {
		props.Tagging = ""
		if head.TagCount > 0 {
			tags, err := h.GetObjectTagging(ctx, &s3client.GetObjectTaggingInput{Bucket: in.Source.Bucket,
				Key: in.Source.Key, VersionID: in.Source.VersionID, Common: srcCommon})
			if err != nil {
				return nil, err
			}
			props.Tagging = s3client.EncodeTagging(tags.TagSet)
		}
	}
	ps, n, err := layout(size, m.cfg.MultipartChunkSize)
	if err != nil {
		return nil, err
	}
	s := &serialUpload{m: m, api: h, rep: h.rep, bucket: in.Bucket, key: in.Key,
		args: &UploadArgs{SSECustomerAlgorithm: in.SSECustomerAlgorithm, SSECustomerKey: in.SSECustomerKey,
			SSECustomerKeyMD5: in.SSECustomerKeyMD5, RequestPayer: in.RequestPayer, ExpectedBucketOwner: in.ExpectedBucketOwner}}
	out, err := h.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: in.Bucket, Key: in.Key,
		ObjectProperties: props, SSECustomer: in.SSECustomer, Common: in.Common, ChecksumAlgorithm: in.ChecksumAlgorithm})
	if err != nil {
		return nil, s.fail(ctx, 0, err)
	}
	s.id = out.UploadID
	conds := in.CopySourceConditions
	if conds.CopySourceIfMatch == "" && in.Source.VersionID == "" {
		conds.CopySourceIfMatch = head.ETag
	}
	for i := range n {
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, 0, context.Cause(ctx))
		}
		off := int64(i) * ps
		length := min(ps, size-off)
		pout, err := h.UploadPartCopy(ctx, &s3client.UploadPartCopyInput{
			Bucket: in.Bucket, Key: in.Key, UploadID: s.id, PartNumber: i + 1, CopySource: in.Source,
			CopySourceRange:      fmt.Sprintf("bytes=%d-%d", off, off+length-1),
			CopySourceConditions: conds, CopySourceSSECustomer: in.CopySourceSSECustomer,
			SSECustomer: in.SSECustomer, Common: in.Common,
		})
		if err != nil {
			return nil, s.fail(ctx, i+1, err)
		}
		s.record(s3client.CompletedPart{PartNumber: i + 1, ETag: pout.ETag, Checksums: pout.Checksums}, length)
	}
	res, err := s.complete(ctx)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Delete deletes bucket/key, or the version DeleteArgs names (boto3's
// delete). Deleting a key that does not exist succeeds, as in S3.
func (m *Manager) Delete(ctx context.Context, bucket, key string, opts ...Option) (*Result, error) {
	const op = "Delete"
	o, err := parseOptions(op, takesDelete, opts)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	a := o.delete
	out, err := m.api.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: key, VersionID: a.VersionID,
		MFA: a.MFA, Common: s3client.Common{ExpectedBucketOwner: a.ExpectedBucketOwner, RequestPayer: a.RequestPayer}})
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return &Result{Bucket: bucket, Key: key, VersionID: out.VersionID, DeleteMarker: out.DeleteMarker}, nil
}
