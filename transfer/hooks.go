package transfer

// hooked is the client a transfer hands to the multipart engine: the
// Manager's API with a few things added on the way through, so that the
// engine needs no knowledge of journals, listeners or source regions.

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

var (
	_ multipart.UploadAPI = (*hooked)(nil)
	_ multipart.CopyAPI   = (*hooked)(nil)
	_ API                 = (*s3client.Client)(nil)
	_ CopySourceAPI       = (*s3client.Client)(nil)
)

// hooked wraps the Manager's API for one transfer. It adds:
//   - the resume journal, written as soon as the multipart upload exists
//     (onCreate), so that a crash right after leaves a resumable trace;
//   - per-part events for the Listener, and the progress of copies, which
//     move no bytes through the client;
//   - SourceClient: a copy's reads of the source go to the source's client;
//   - the checksum arguments the engine does not carry: ChecksumType on
//     creation and the caller's whole-object checksum on completion.
type hooked struct {
	API
	rep      *reporter
	source   CopySourceAPI // HeadObject and GetObjectTagging of a copy; nil: API
	copying  bool          // report HeadObject's size and the copied parts
	onCreate func(uploadID string) error

	checksumType string
	fullObject   s3client.Checksums
}

// DefaultChecksumAlgorithm passes the client's choice on to the engine,
// which asks for it by this method.
func (h *hooked) DefaultChecksumAlgorithm() s3client.ChecksumAlgorithm {
	if d, ok := h.API.(interface {
		DefaultChecksumAlgorithm() s3client.ChecksumAlgorithm
	}); ok {
		return d.DefaultChecksumAlgorithm()
	}
	return s3client.ChecksumNone
}

func (h *hooked) CreateMultipartUpload(ctx context.Context, in *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error) {
	if h.checksumType != "" && in.ChecksumType == "" {
		c := *in
		c.ChecksumType = h.checksumType
		in = &c
	}
	out, err := h.API.CreateMultipartUpload(ctx, in)
	if err == nil && h.onCreate != nil && out.UploadID != "" {
		if jerr := h.onCreate(out.UploadID); jerr != nil {
			// Without its journal the upload could not be resumed: abort
			// it now rather than leave parts nobody will find (the engine
			// learns the upload ID only from a successful creation).
			return nil, joinAbort(jerr, abortUpload(ctx, h.API, in.Bucket, in.Key, out.UploadID, in.Common))
		}
	}
	return out, err
}

func (h *hooked) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	out, err := h.API.UploadPart(ctx, in)
	if err == nil {
		h.rep.part(in.PartNumber, in.ContentLength)
	}
	return out, err
}

func (h *hooked) CompleteMultipartUpload(ctx context.Context, in *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error) {
	if h.fullObject != (s3client.Checksums{}) && in.Checksums == (s3client.Checksums{}) {
		c := *in
		c.Checksums = h.fullObject
		in = &c
	}
	return h.API.CompleteMultipartUpload(ctx, in)
}

func (h *hooked) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	var meta *s3client.ObjectMeta
	var err error
	if h.source != nil {
		meta, err = h.source.HeadObject(ctx, in)
	} else {
		meta, err = h.API.HeadObject(ctx, in)
	}
	if err == nil && h.copying {
		h.rep.start(meta.ContentLength)
	}
	return meta, err
}

func (h *hooked) GetObjectTagging(ctx context.Context, in *s3client.GetObjectTaggingInput) (*s3client.GetObjectTaggingOutput, error) {
	if h.source != nil {
		return h.source.GetObjectTagging(ctx, in)
	}
	return h.API.GetObjectTagging(ctx, in)
}

func (h *hooked) CopyObject(ctx context.Context, in *s3client.CopyObjectInput) (*s3client.CopyObjectOutput, error) {
	out, err := h.API.CopyObject(ctx, in)
	if err == nil && h.copying {
		h.rep.add(max(h.rep.total.Load(), 0))
	}
	return out, err
}

func (h *hooked) UploadPartCopy(ctx context.Context, in *s3client.UploadPartCopyInput) (*s3client.UploadPartCopyOutput, error) {
	out, err := h.API.UploadPartCopy(ctx, in)
	if err == nil && h.copying {
		n := rangeLength(in.CopySourceRange)
		h.rep.add(n)
		h.rep.part(in.PartNumber, n)
	}
	return out, err
}

// abortUpload aborts a multipart upload as the engine does (multipart.Abort):
// on a context that survives the caller's cancellation, until S3 confirms
// it is gone or the abort's own budget is spent.
func abortUpload(ctx context.Context, api multipart.UploadAPI, bucket, key, id string, common s3client.Common) error {
	return multipart.Abort(ctx, api, &s3client.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadID: id, Common: common})
}

// joinAbort adds a failed abort to the error that caused it.
func joinAbort(err, abortErr error) error {
	if abortErr == nil {
		return err
	}
	return errors.Join(err, abortErr)
}

// rangeLength returns the length of "bytes=first-last", 0 if it is not
// one.
func rangeLength(r string) int64 {
	spec, ok := strings.CutPrefix(r, "bytes=")
	if !ok {
		return 0
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || last < first {
		return 0
	}
	return last - first + 1
}
