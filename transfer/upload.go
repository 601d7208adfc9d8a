package transfer

// Uploads: UploadFile and Upload. A source of known size (a file, or a
// reader that can seek and ReadAt) is read in place: one PutObject below
// MultipartThreshold, the multipart engine from it, with resume if asked.
// A stream is read through the engine's buffer pool, which draws its
// memory from the Manager's budget.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// UploadFile uploads the file filename to bucket/key (boto3's upload_file).
// A file smaller than MultipartThreshold goes in one PutObject; a larger
// one in parts of MultipartChunkSize, read in place with ReadAt, on
// MaxConcurrency workers. UploadArgs and progress options apply.
//
// With Config.Resume, a multipart upload is recorded in a journal as soon
// as it is created and its parts are kept when the upload fails or is
// cancelled; a later UploadFile of the same file (same size and
// modification time) to the same key continues it, uploading only the
// missing parts. Without Resume a failed upload is aborted.
func (m *Manager) UploadFile(ctx context.Context, filename, bucket, key string, opts ...UploadOption) (*Result, error) {
	const op = "UploadFile"
	o := options(opts, UploadOption.uploadOption)
	rep := newReporter(o, nil, "Upload", bucket, key, filename)
	res, err := m.uploadFile(ctx, o.upload, rep, filename, bucket, key)
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, filename, err)
	}
	return res, nil
}

func (m *Manager) uploadFile(ctx context.Context, args *UploadArgs, rep *reporter, filename, bucket, key string) (*Result, error) {
	f, err := os.Open(filename)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		// A named pipe or a device: its size says nothing.
		return m.uploadStream(ctx, args, rep, f, bucket, key)
	}
	var j *uploadJournal
	if m.cfg.Resume {
		abs, err := filepath.Abs(filename)
		if err != nil {
			return nil, err
		}
		j = &uploadJournal{Version: journalVersion, Path: abs, Bucket: bucket, Key: key,
			Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), PartSize: m.cfg.MultipartChunkSize}
	}
	return m.uploadAt(ctx, args, rep, f, 0, fi.Size(), bucket, key, j)
}

// Upload uploads what r holds to bucket/key (boto3's upload_fileobj).
//
// If r is an io.ReaderAt and an io.Seeker (an *os.File, *bytes.Reader,
// *strings.Reader, *io.SectionReader), its size is known: the bytes from
// its current position to its end are uploaded as UploadFile uploads a
// file, read in place, and r is left at its end. Any other reader is a
// stream of unknown length: it is read once, in order, into buffers of
// MultipartChunkSize drawn from the Manager's memory budget, and sent as
// one PutObject if it ends within the first part, else in parts while it
// is being read. A Read that blocks is not interrupted by ctx: close the
// reader to stop it. A nil r is an error wrapping s3client.ErrInvalidInput
// (upload an empty object from an empty reader, such as
// strings.NewReader("")).
func (m *Manager) Upload(ctx context.Context, r io.Reader, bucket, key string, opts ...UploadOption) (*Result, error) {
	const op = "Upload"
	o := options(opts, UploadOption.uploadOption)
	if r == nil {
		// An empty object is written from an empty reader, never from a
		// forgotten one.
		return nil, newError(op, bucket, key, "", fmt.Errorf("%w: nil reader", s3client.ErrInvalidInput))
	}
	rep := newReporter(o, nil, op, bucket, key, "")
	var res *Result
	var err error
	if ra, base, size, ok := sizedSource(r); ok {
		res, err = m.uploadAt(ctx, o.upload, rep, ra, base, size, bucket, key, nil)
		if err == nil {
			_, err = r.(io.Seeker).Seek(base+size, io.SeekStart)
		}
	} else {
		res, err = m.uploadStream(ctx, o.upload, rep, r, bucket, key)
	}
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return res, nil
}

// sizedSource reports whether r can be read in place: an io.ReaderAt
// whose position and size Seek tells.
func sizedSource(r io.Reader) (io.ReaderAt, int64, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	s, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return nil, 0, 0, false
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, 0, false
	}
	end, err := s.Seek(0, io.SeekEnd)
	if _, err2 := s.Seek(cur, io.SeekStart); err != nil || err2 != nil || end < cur {
		return nil, 0, 0, false
	}
	return ra, cur, end - cur, true
}

// multipartFrom reports whether size bytes go in parts.
func (m *Manager) multipartFrom(size int64) bool {
	return size >= m.cfg.MultipartThreshold || size > maxPutObjectSize
}

// uploadAt uploads size bytes of ra from base. j, when not nil, is the
// resume journal of a file.
func (m *Manager) uploadAt(ctx context.Context, args *UploadArgs, rep *reporter, ra io.ReaderAt, base, size int64, bucket, key string, j *uploadJournal) (*Result, error) {
	if _, _, err := args.fullObject(); err != nil {
		return nil, err
	}
	rep.start(size)
	if !m.multipartFrom(size) {
		return m.putObject(ctx, args, rep, bucket, key, io.NewSectionReader(ra, base, size), size)
	}
	u := m.uploader(args, rep, 0)
	var jpath, resumeID string
	if j != nil {
		var err error
		if jpath, resumeID, err = m.openUploadJournal(ctx, j, args); err != nil {
			return nil, err
		}
		// The journal is written as soon as the upload exists, so that a
		// crash right after leaves a resumable trace; the parts are kept
		// when the upload fails.
		u.LeavePartsOnError = true
		u.Events.Created = func(id string) error {
			j.UploadID = id
			return writeJournal(jpath, j)
		}
	}
	body := io.NewSectionReader(ra, base, size)
	res, err := m.engineUpload(ctx, u, args, bucket, key, body, size, resumeID)
	if resumeID != "" && isNoSuchUpload(err) {
		// The upload was completed, aborted or expired since: start over.
		removeJournal(jpath)
		res, err = m.engineUpload(ctx, u, args, bucket, key, body, size, "")
	}
	if err == nil && jpath != "" {
		removeJournal(jpath)
	}
	return res, err
}

// isNoSuchUpload reports whether a resumed upload failed because S3 no
// longer has it (before any of its parts were sent).
func isNoSuchUpload(err error) bool {
	if err == nil {
		return false
	}
	var ue *multipart.UploadError
	if errors.As(err, &ue) && ue.PartNumber != 0 {
		return false
	}
	return s3client.ErrorCode(err) == "NoSuchUpload"
}

// openUploadJournal returns the journal path and, if it records an
// unfinished upload of the same file, that upload's ID. A journal of an
// older version of the file has its upload aborted.
func (m *Manager) openUploadJournal(ctx context.Context, j *uploadJournal, args *UploadArgs) (string, string, error) {
	path, err := m.journalPath("upload", j.Path, j.Bucket, j.Key)
	if err != nil {
		return "", "", err
	}
	var old uploadJournal
	found, err := readJournal(path, &old)
	if err != nil {
		return "", "", err
	}
	if !found {
		return path, "", nil
	}
	if j.matches(&old) {
		j.UploadID = old.UploadID
		return path, old.UploadID, nil
	}
	// The file changed: the parts sent are of other bytes.
	if old.UploadID != "" && old.Bucket == j.Bucket && old.Key == j.Key {
		multipart.Abort(ctx, m.api, &s3client.AbortMultipartUploadInput{Bucket: old.Bucket, Key: old.Key,
			UploadID: old.UploadID, Common: args.Common})
	}
	removeJournal(path)
	return path, "", nil
}

// putObject sends an object in one request.
func (m *Manager) putObject(ctx context.Context, args *UploadArgs, rep *reporter, bucket, key string, body io.Reader, size int64) (*Result, error) {
	in := args.putInput(bucket, key)
	in.ContentLength = size
	if size > 0 {
		in.Body = body
	}
	in.Progress = m.meter(ctx, rep)
	out, err := m.api.PutObject(ctx, in)
	if err != nil {
		return nil, err
	}
	return &Result{Bucket: bucket, Key: key, ETag: out.ETag, VersionID: out.VersionID, Size: size, Checksums: out.Checksums}, nil
}

// uploader returns the multipart engine's Uploader for one upload: the
// Manager's part size, workers and bandwidth cap, the call's checksum
// algorithm, its progress and parts reported to rep, and budget bytes of
// memory for a stream (0 for a source read in place).
func (m *Manager) uploader(args *UploadArgs, rep *reporter, budget int64) *multipart.Uploader {
	u := &multipart.Uploader{
		Client:            m.api,
		PartSize:          m.cfg.MultipartChunkSize,
		Concurrency:       m.workers(),
		ChecksumAlgorithm: args.ChecksumAlgorithm,
		MemoryBudget:      budget,
		Events:            multipart.Events{PartDone: rep.part},
	}
	if rep.active() {
		u.Progress = rep.add
	}
	u.Limiter = m.limiter
	return u
}

// engineUpload sends body through the multipart engine. size is its length
// (-1 for a stream); with resumeID the engine resumes that upload.
func (m *Manager) engineUpload(ctx context.Context, u *multipart.Uploader, args *UploadArgs, bucket, key string, body io.Reader, size int64, resumeID string) (*Result, error) {
	in := &multipart.UploadInput{
		Bucket: bucket, Key: key, Body: body, Size: size,
		ObjectProperties: args.ObjectProperties, SSECustomer: args.SSECustomer, Common: args.Common,
		IfNoneMatch: args.IfNoneMatch, IfMatch: args.IfMatch,
		ChecksumType: args.ChecksumType, Checksum: args.checksums(),
	}
	var out *multipart.UploadOutput
	var err error
	if resumeID != "" {
		out, err = u.Resume(ctx, resumeID, in)
	} else {
		out, err = u.Upload(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Bucket: bucket, Key: key, ETag: out.ETag, VersionID: out.VersionID, Size: out.Size,
		Checksums: out.Checksums, UploadID: out.UploadID, Parts: out.Parts, Resumed: out.Reused}, nil
}

// streamBudget is the memory a stream upload asks of the budget: a part
// for each worker.
func (m *Manager) streamBudget() int64 {
	return min(m.cfg.MemoryBudget, m.cfg.MultipartChunkSize*int64(m.workers()))
}

// uploadStream uploads a reader of unknown length.
func (m *Manager) uploadStream(ctx context.Context, args *UploadArgs, rep *reporter, r io.Reader, bucket, key string) (*Result, error) {
	if _, _, err := args.fullObject(); err != nil {
		return nil, err
	}
	rep.start(-1)
	grant, err := m.memory.Acquire(ctx, m.streamBudget())
	if err != nil {
		return nil, err
	}
	defer m.memory.Release(grant)
	return m.engineUpload(ctx, m.uploader(args, rep, grant), args, bucket, key, r, -1, "")
}
