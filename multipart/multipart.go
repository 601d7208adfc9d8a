// Package multipart is s3kit's transfer engine, the one that moves large
// objects in parts: it uploads an object as concurrent parts, from a
// file-like io.ReaderAt without copying its bytes or from a stream of
// unknown length within a memory budget; it resumes an upload that an
// earlier process left unfinished; it copies large objects with
// concurrent UploadPartCopy ranges, keeping their metadata; and it
// downloads objects as concurrent byte ranges pinned to their ETag, to an
// io.WriterAt or in order to an io.Writer, verified against their
// checksum. With a concurrency of one, everything runs on the caller's
// goroutine.
//
// The engine never builds an HTTP request: it calls the operations of an
// s3client.Client (through the small interfaces UploadAPI, CopyAPI and
// DownloadAPI, which tests can fake), and tells its caller what happens
// through Progress and Events. Package transfer, the manager users meet,
// puts files, directories, resume journals and shared bandwidth on top of
// it.
//
// Every upload follows the same rules: parts run on a bounded group of
// goroutines; the first failure cancels the others; all of them are joined
// before CompleteMultipartUpload or AbortMultipartUpload is sent; an
// abandoned upload is aborted on a context that survives the caller's
// cancellation, and aborted again while ListParts still finds it (a part
// on its way when the upload failed can outlive one abort); and the error
// names the upload ID and the failing part. No goroutine outlives a call.
package multipart

// This file holds the interfaces the engine consumes, the S3 limits and the
// error types; upload.go the Uploader (and its Events), resume.go its
// Resume, copy.go the Copier, session.go what they share (recording parts,
// completing, aborting), sizing.go the part-size arithmetic, source.go the
// part readers and the buffer pool; download.go the Downloader, reorder.go
// its in-order queue, verify.go its checksum checks. The worker group is
// s3kit's internal/group, shared with package transfer.

import (
	"context"
	"errors"
	"fmt"

	"github.com/s3kit/s3kit/s3client"
)

// UploadAPI is what the Uploader needs from an S3 client. *s3client.Client
// implements it; tests may provide their own. A client that also has
// CopyAPI's HeadObject method lets the Uploader confirm a completion whose
// answer was lost (see Uploader.Upload).
type UploadAPI interface {
	PutObject(context.Context, *s3client.PutObjectInput) (*s3client.PutObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3client.UploadPartInput) (*s3client.UploadPartOutput, error)
	CompleteMultipartUpload(context.Context, *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3client.AbortMultipartUploadInput) error
	// ListParts lists a page of an upload's parts; Resume uses it.
	ListParts(context.Context, *s3client.ListPartsInput) (*s3client.ListPartsOutput, error)
}

// headAPI is the HeadObject method an UploadAPI may also have, as
// *s3client.Client does: with it, a completion whose answer was lost can be
// confirmed (see Uploader.Upload). CopyAPI always has it.
type headAPI interface {
	HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error)
}

// CopyAPI is what the Copier needs from an S3 client. *s3client.Client
// implements it; tests may provide their own.
type CopyAPI interface {
	HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error)
	GetObjectTagging(context.Context, *s3client.GetObjectTaggingInput) (*s3client.GetObjectTaggingOutput, error)
	CopyObject(context.Context, *s3client.CopyObjectInput) (*s3client.CopyObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error)
	UploadPartCopy(context.Context, *s3client.UploadPartCopyInput) (*s3client.UploadPartCopyOutput, error)
	CompleteMultipartUpload(context.Context, *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3client.AbortMultipartUploadInput) error
}

// Limiter paces the bytes an upload sends; package transfer implements it
// with a token bucket shared by all its transfers. WaitN blocks until n more
// bytes may be sent, or returns ctx's error. It is called from several
// goroutines at once, with n the size of one read of a part's body (tens of
// KiB; it may exceed a token bucket's burst, which must then be waited for
// in installments).
type Limiter interface {
	WaitN(ctx context.Context, n int) error
}

// S3's limits on multipart uploads, and the engine's defaults.
const (
	// MinPartSize is the smallest part S3 accepts, except for the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part S3 accepts.
	MaxPartSize = 5 << 30
	// MaxParts is the largest part number.
	MaxParts = 10000
	// MaxObjectSize is the most MaxParts parts of MaxPartSize hold.
	MaxObjectSize int64 = MaxParts * MaxPartSize
	// MaxCopyObjectSize is the largest object one CopyObject can copy.
	MaxCopyObjectSize = 5 << 30

	DefaultPartSize     = 8 << 20   // Uploader.PartSize
	DefaultConcurrency  = 10        // Uploader.Concurrency, Copier.Concurrency
	DefaultMemoryBudget = 256 << 20 // Uploader.MemoryBudget
	DefaultCopyPartSize = 64 << 20  // Copier.PartSize
	// DefaultCopyThreshold is Copier.Threshold: smaller objects are copied
	// with one CopyObject.
	DefaultCopyThreshold = 64 << 20
)

// Errors the engine returns (wrapped, match them with errors.Is).
var (
	// ErrTooManyParts is returned when a stream needs more than MaxParts
	// parts, or a known size more than MaxObjectSize.
	ErrTooManyParts = errors.New("multipart: the object needs more than 10000 parts")
	// ErrSourceSize is returned when a source holds fewer or more bytes
	// than its declared size, or than the parts sent add up to.
	ErrSourceSize = errors.New("multipart: source size does not match")
	// ErrNotResumable is returned by Resume for a source that is not an
	// io.ReaderAt of known size: kept parts must be checked against it.
	ErrNotResumable = errors.New("multipart: Resume needs an io.ReaderAt body of known size")
)

// PartSizeError reports a configured part size outside S3's limits
// (MinPartSize to MaxPartSize).
type PartSizeError struct {
	PartSize int64
}

// Error says which size was refused and what is allowed.
func (e *PartSizeError) Error() string {
	return fmt.Sprintf("multipart: part size %d is outside %d (5 MiB) to %d (5 GiB)", e.PartSize, int64(MinPartSize), int64(MaxPartSize))
}

// UploadError is the error of an upload or multipart copy that failed after
// its multipart upload was created (or, with a zero UploadID, before). It
// names the upload and the part whose failure stopped it; Err is that
// failure, joined with the error of the abort if the abort failed too.
type UploadError struct {
	Op         string // "Upload", "Resume" or "Copy"
	Bucket     string
	Key        string
	UploadID   string // "" when no multipart upload was created
	PartNumber int    // 0 when no single part failed (create, complete, cancellation, reading a stream)
	// Aborted reports that the upload is gone, its parts with it:
	// AbortMultipartUpload succeeded, or answered that the upload no longer
	// exists (NoSuchUpload: an earlier attempt whose answer was lost
	// aborted it), or CompleteMultipartUpload did (see Uploader.Upload).
	// When false and UploadID is set (LeavePartsOnError, or a failed
	// abort), the upload remains and Uploader.Resume can finish it.
	Aborted bool
	Err     error
}

// Error formats as "multipart: Upload bucket/key (upload ID x) part 3: cause".
func (e *UploadError) Error() string {
	s := "multipart: " + e.Op + " " + e.Bucket + "/" + e.Key
	if e.UploadID != "" {
		s += " (upload ID " + e.UploadID + ")"
	}
	if e.PartNumber > 0 {
		s += fmt.Sprintf(" part %d", e.PartNumber)
	}
	if e.Aborted {
		s += " [aborted]"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *UploadError) Unwrap() error { return e.Err }

// inputError is an input refused before any request is sent. It reads as
// its cause and matches s3client.ErrInvalidInput, as the client's own
// input errors do, so that one errors.Is covers both.
type inputError struct{ err error }

func (e *inputError) Error() string   { return e.err.Error() }
func (e *inputError) Unwrap() []error { return []error{s3client.ErrInvalidInput, e.err} }

// invalidInput returns an *inputError with the message fmt.Errorf makes.
func invalidInput(format string, args ...any) error {
	return &inputError{err: fmt.Errorf(format, args...)}
}

// checkObject checks a bucket name and key as the client checks them
// before any request, so that a call refuses them before it reads its
// source or sends anything. The errors match s3client.ErrInvalidInput.
func checkObject(bucket, key string) error {
	if err := s3client.ValidateBucket(bucket); err != nil {
		return err
	}
	return s3client.ValidateKey(key)
}

// partFailure carries the number of the part that failed from a worker to
// the UploadError.
type partFailure struct {
	part int
	err  error
}

func (p *partFailure) Error() string { return fmt.Sprintf("part %d: %v", p.part, p.err) }
func (p *partFailure) Unwrap() error { return p.err }
