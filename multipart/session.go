package multipart

// A multipart upload in progress, as the Uploader and the Copier share it:
// its finished parts, and how it ends — completed with the parts in order,
// or aborted on a context that survives the caller's cancellation.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/internal/wait"
	"github.com/s3kit/s3kit/s3client"
)

// The abort's own budget, apart from the caller's context: it is sent up
// to abortRounds times (each with the client's own retries) while its
// failure is transient, within abortTimeout in all.
const (
	abortTimeout = 2 * time.Minute
	abortRounds  = 4
)

// abortPause is the pause before the n-th round of an abort (n ≥ 2): long
// enough for a network or a server to recover from what failed every
// attempt of the round before.
func abortPause(n int) time.Duration { return 250 * time.Millisecond << (n - 2) }

// finisher is what ending an upload takes.
type finisher interface {
	CompleteMultipartUpload(context.Context, *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3client.AbortMultipartUploadInput) error
}

// session is one multipart upload: who it is, the parts finished so far
// (written by the workers, indexed by part number, so no sorting is
// needed), and how it ends.
type session struct {
	api         finisher
	op          string
	bucket, key string
	id          string // "" until created
	sse         s3client.SSECustomer
	common      s3client.Common
	leave       bool    // LeavePartsOnError
	events      *Events // never nil

	evMu sync.Mutex // serializes the events and Progress

	mu    sync.Mutex
	parts []s3client.CompletedPart // by part number − 1
	sizes []int64
}

// record stores a finished part in its place.
func (s *session) record(p s3client.CompletedPart, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.parts) < p.PartNumber {
		s.parts = append(s.parts, s3client.CompletedPart{})
		s.sizes = append(s.sizes, 0)
	}
	s.parts[p.PartNumber-1] = p
	s.sizes[p.PartNumber-1] = size
}

// sized tells Events.Sized the object's size.
func (s *session) sized(size int64) {
	if fn := s.events.Sized; fn != nil {
		s.evMu.Lock()
		defer s.evMu.Unlock()
		fn(size)
	}
}

// created records the new upload's ID and tells Events.Created. Its error
// fails the upload, which is aborted even under LeavePartsOnError: the
// caller could not record the ID, so no one could finish it.
func (s *session) created(ctx context.Context, id string) error {
	s.id = id
	if fn := s.events.Created; fn != nil {
		s.evMu.Lock()
		err := fn(id)
		s.evMu.Unlock()
		if err != nil {
			s.leave = false
			return s.fail(ctx, err)
		}
	}
	return nil
}

// copied tells a Copier's Progress of n bytes copied.
func (s *session) copied(progress func(int64), n int64) {
	if progress != nil && n != 0 {
		s.evMu.Lock()
		defer s.evMu.Unlock()
		progress(n)
	}
}

// partDone tells Events.PartDone of a part in place.
func (s *session) partDone(num int, size int64) {
	if fn := s.events.PartDone; fn != nil {
		s.evMu.Lock()
		defer s.evMu.Unlock()
		fn(num, size)
	}
}

// complete checks that parts 1..n are all there and hold total bytes, and
// completes the upload, with the caller's whole-object checksum if any.
// It is called only after every worker has been joined. A failed
// completion is aborted like a failed part.
func (s *session) complete(ctx context.Context, n int, total int64, ifNoneMatch, ifMatch string, full s3client.Checksums) (*s3client.CompleteMultipartUploadOutput, error) {
	s.mu.Lock()
	parts, sizes := s.parts, s.sizes
	s.mu.Unlock()
	if len(parts) != n {
		return nil, s.fail(ctx, fmt.Errorf("multipart: %d parts finished, %d expected", len(parts), n))
	}
	var sum int64
	for i, p := range parts {
		if p.PartNumber != i+1 || p.ETag == "" {
			return nil, s.fail(ctx, fmt.Errorf("multipart: part %d is missing", i+1))
		}
		sum += sizes[i]
	}
	if sum != total {
		return nil, s.fail(ctx, fmt.Errorf("%w: the parts hold %d bytes, the source %d", ErrSourceSize, sum, total))
	}
	out, err := s.api.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{
		Bucket:        s.bucket,
		Key:           s.key,
		UploadID:      s.id,
		Parts:         parts,
		SSECustomer:   s.sse,
		Common:        s.common,
		IfNoneMatch:   ifNoneMatch,
		IfMatch:       ifMatch,
		Checksums:     full,
		MpuObjectSize: total, // S3 checks the parts' sum against it
	})
	if err != nil {
		if s3client.ErrorCode(err) == "NoSuchUpload" {
			return s.completedEarlier(ctx, err, n, total)
		}
		return nil, s.fail(ctx, err)
	}
	return out, nil
}

// completedEarlier handles a CompleteMultipartUpload answered NoSuchUpload.
// The upload is gone either way. When the request was sent more than once,
// the first attempt may have completed it and lost its answer; that is
// confirmed with HeadObject: the key must hold total bytes and a multipart
// ETag of n parts ("...-n"). Then the completion succeeded, and its output
// is what the HEAD tells (no Location, no checksums). Otherwise, or when
// the request was sent once (it found the upload already gone: aborted by
// someone else), the *UploadError says the upload is gone.
//
// The check cannot tell this upload's object from one of the same size and
// part count that another writer completed at the same key in between.
func (s *session) completedEarlier(ctx context.Context, err error, n int, total int64) (*s3client.CompleteMultipartUploadOutput, error) {
	var se *s3client.Error
	once := errors.As(err, &se) && se.Attempts == 1
	h, canHead := s.api.(headAPI)
	if once || !canHead {
		return nil, s.gone(err)
	}
	m, herr := h.HeadObject(ctx, &s3client.GetObjectInput{Bucket: s.bucket, Key: s.key, SSECustomer: s.sse, Common: s.common})
	switch {
	case herr != nil:
		err = errors.Join(err, fmt.Errorf("multipart: the upload is gone; HeadObject could not confirm that an earlier attempt completed it: %w", herr))
	case m.ContentLength != total || !multipartETag(m.ETag, n):
		err = fmt.Errorf("%w; multipart: the upload is gone, and HeadObject does not confirm that an earlier attempt completed it: "+
			"%s/%s holds %d bytes with ETag %s, not %d bytes with the ETag of %d parts", err, s.bucket, s.key, m.ContentLength, m.ETag, total, n)
	default:
		return &s3client.CompleteMultipartUploadOutput{Bucket: s.bucket, Key: s.key, ETag: m.ETag, VersionID: m.VersionID}, nil
	}
	return nil, s.gone(err)
}

// multipartETag reports whether etag has the form S3 gives an object
// completed from n parts: a digest, "-", n (quoted or not).
func multipartETag(etag string, n int) bool {
	etag = strings.Trim(etag, `"`)
	i := strings.LastIndexByte(etag, '-')
	return i > 0 && etag[i+1:] == strconv.Itoa(n)
}

// gone turns err into an *UploadError for an upload that no longer exists:
// there is nothing to abort, nothing to resume.
func (s *session) gone(err error) error {
	e := newUploadError(s.op, s.bucket, s.key, s.id, err)
	e.Aborted = true
	return e
}

// fail turns err into an *UploadError, aborting the upload first (if one
// was created) unless failed uploads are kept.
func (s *session) fail(ctx context.Context, err error) error {
	e := newUploadError(s.op, s.bucket, s.key, s.id, err)
	if s.id == "" || s.leave {
		return e
	}
	in := &s3client.AbortMultipartUploadInput{Bucket: s.bucket, Key: s.key, UploadID: s.id, Common: s.common}
	aerr := Abort(ctx, s.api, in)
	if aerr == nil {
		aerr = s.confirmAborted(ctx, in)
	}
	if aerr != nil {
		e.Err = errors.Join(e.Err, aerr)
	} else {
		e.Aborted = true
	}
	return e
}

// partLister is the ListParts an UploadAPI has.
type partLister interface {
	ListParts(context.Context, *s3client.ListPartsInput) (*s3client.ListPartsOutput, error)
}

// confirmAborted checks, after an abort, that the upload is gone. S3 does
// not stop a part upload already on its way when the upload is aborted
// (the parts a failure cancelled may still be arriving), and such a part
// can leave the upload and its storage behind; S3's documentation says to
// abort again until ListParts finds no upload. It does so, up to
// abortRounds times, on a context that survives ctx's cancellation.
//
// NoSuchUpload from ListParts confirms the abort. A listing that fails
// for a transient reason (s3client.IsRetryable, after the client's own
// retries) is tried again in the next round, and if every round fails so,
// the error says the abort could not be confirmed. Any other refusal (a
// role allowed to abort but not to list, a store without ListParts) leaves
// the abort's own success as all there is to go on; so does a client
// without ListParts (a Copier's).
func (s *session) confirmAborted(ctx context.Context, abort *s3client.AbortMultipartUploadInput) error {
	lp, ok := s.api.(partLister)
	if !ok {
		return nil
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	in := &s3client.ListPartsInput{Bucket: s.bucket, Key: s.key, UploadID: s.id, MaxParts: 1, SSECustomer: s.sse, Common: s.common}
	var err error
	for round := 1; round <= abortRounds; round++ {
		_, err = lp.ListParts(actx, in)
		if s3client.IsNotFound(err) || (err != nil && !s3client.IsRetryable(err)) {
			return nil
		}
		if wait.Sleep(actx, abortPause(round+1)) != nil {
			break
		}
		if err == nil { // still listed: abort again
			if aerr := Abort(actx, s.api, abort); aerr != nil {
				return aerr
			}
		}
	}
	if err != nil {
		return fmt.Errorf("multipart: could not confirm the abort of upload ID %s of %s/%s, which may remain: ListParts: %w", s.id, s.bucket, s.key, err)
	}
	return fmt.Errorf("multipart: upload ID %s of %s/%s is still listed after %d aborts", s.id, s.bucket, s.key, abortRounds+1)
}

// Abort aborts a multipart upload the way the engine does when an upload
// fails, until S3 confirms that it is gone: on a context that survives
// ctx's cancellation (which is often why an upload is abandoned), sent
// again while the failure is transient (s3client.IsRetryable), up to four
// times within two minutes in all, each time with the client's own retries.
// AbortMultipartUpload answered with success or NoSuchUpload (an earlier
// attempt whose answer was lost did the work) means the upload is gone,
// and Abort returns nil. Otherwise the error names the upload, which
// remains, so that the caller can report it or clean it up later.
func Abort(ctx context.Context, api interface {
	AbortMultipartUpload(context.Context, *s3client.AbortMultipartUploadInput) error
}, in *s3client.AbortMultipartUploadInput) error {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	for round := 1; ; round++ {
		err := api.AbortMultipartUpload(actx, in)
		if err == nil || s3client.IsNotFound(err) {
			return nil
		}
		if round == abortRounds || !s3client.IsRetryable(err) || wait.Sleep(actx, abortPause(round+1)) != nil {
			return fmt.Errorf("multipart: abort failed after %d tries, upload ID %s of %s/%s remains: %w",
				round, in.UploadID, in.Bucket, in.Key, err)
		}
	}
}

func newUploadError(op, bucket, key, id string, err error) *UploadError {
	e := &UploadError{Op: op, Bucket: bucket, Key: key, UploadID: id, Err: err}
	if pf, ok := err.(*partFailure); ok {
		e.PartNumber, e.Err = pf.part, pf.err
	}
	return e
}
