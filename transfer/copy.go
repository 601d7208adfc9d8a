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
func (m *Manager) Copy(ctx context.Context, src CopySource, bucket, key string, opts ...CopyOption) (*Result, error) {
	const op = "Copy"
	o := options(opts, CopyOption.copyOption)
	rep := newReporter(o, nil, op, bucket, key, "")
	a := o.copy
	c := &multipart.Copier{
		Client:       m.api,
		Threshold:    m.cfg.MultipartThreshold,
		PartSize:     m.cfg.MultipartChunkSize,
		Concurrency:  m.workers(),
		SourceClient: o.source,
		Events:       multipart.Events{Sized: rep.start, PartDone: rep.part},
	}
	if rep.active() {
		c.Progress = rep.add
	}
	out, err := c.Copy(ctx, &multipart.CopyInput{
		Bucket: bucket, Key: key, Source: src,
		CopySourceConditions:  a.CopySourceConditions,
		CopySourceSSECustomer: a.sourceSSE(),
		ObjectProperties:      a.ObjectProperties,
		SSECustomer:           a.SSECustomer,
		Common:                a.Common,
		MetadataDirective:     a.MetadataDirective,
		TaggingDirective:      a.TaggingDirective,
		ChecksumAlgorithm:     a.ChecksumAlgorithm,
		ChecksumType:          a.ChecksumType,
	})
	if errors.Is(err, s3client.ErrPreconditionFailed) && a.CopySourceIfMatch == "" {
		// The If-Match the copy added itself failed: the source changed.
		err = fmt.Errorf("%w: %w", ErrObjectChanged, err)
	}
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return &Result{Bucket: bucket, Key: key, ETag: out.ETag, VersionID: out.VersionID, Size: out.Size,
		Checksums: out.Checksums, UploadID: out.UploadID, Parts: out.Parts}, nil
}

// Delete deletes bucket/key, or the version DeleteArgs names (boto3's
// delete). Deleting a key that does not exist succeeds, as in S3.
func (m *Manager) Delete(ctx context.Context, bucket, key string, opts ...DeleteOption) (*Result, error) {
	const op = "Delete"
	o := options(opts, DeleteOption.deleteOption)
	a := o.delete
	out, err := m.api.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: key, VersionID: a.VersionID,
		MFA: a.MFA, Common: a.Common})
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return &Result{Bucket: bucket, Key: key, VersionID: out.VersionID, DeleteMarker: out.DeleteMarker}, nil
}
