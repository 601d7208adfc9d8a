package transfer

// Transfers without worker goroutines (Config.UseThreads false, boto3's
// use_threads=False): every request is made on the caller's goroutine,
// one after the other. The multipart engine always runs its parts on a
// group of goroutines, so the few steps of a multipart upload and copy are
// driven here directly with the client's operations, under the engine's
// rules: parts of MultipartChunkSize grown to fit 10,000, SSE-C on every
// part and the completion, abort on a context that survives cancellation,
// and an *multipart.UploadError naming the upload and the part.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// layout returns the part size and count of an object of size bytes:
// partSize, or the smallest multiple of 1 MiB that fits the object in
// MaxParts parts (the engine's rule, so that either can resume the
// other's upload).
func layout(size, partSize int64) (int64, int, error) {
	if size > multipart.MaxObjectSize {
		return 0, 0, fmt.Errorf("%w: %d bytes", multipart.ErrTooManyParts, size)
	}
	ps := partSize
	if need := (size + multipart.MaxParts - 1) / multipart.MaxParts; need > ps {
		const align = 1 << 20
		ps = min((need+align-1)/align*align, multipart.MaxPartSize)
	}
	n := (size + ps - 1) / ps
	return ps, int(max(n, 1)), nil
}

// serialUpload is a multipart upload driven on the caller's goroutine.
type serialUpload struct {
	m      *Manager
	api    *hooked
	args   *UploadArgs
	rep    *reporter
	bucket string
	key    string
	alg    s3client.ChecksumAlgorithm
	leave  bool // keep the parts on failure (resume)

	id      string
	parts   []s3client.CompletedPart
	total   int64
	resumed int
}

func (m *Manager) newSerialUpload(h *hooked, args *UploadArgs, rep *reporter, bucket, key string, leave bool) *serialUpload {
	alg := args.checksumAlgorithm()
	if alg == "" {
		alg = h.DefaultChecksumAlgorithm()
	}
	return &serialUpload{m: m, api: h, args: args, rep: rep, bucket: bucket, key: key, alg: alg, leave: leave}
}

func (s *serialUpload) create(ctx context.Context) error {
	out, err := s.api.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{
		Bucket: s.bucket, Key: s.key, ObjectProperties: s.args.properties(), SSECustomer: s.args.sse(),
		Common: s.args.common(), ChecksumAlgorithm: s.alg,
	})
	if err != nil {
		return err
	}
	if out.UploadID == "" {
		return errors.New("transfer: CreateMultipartUpload returned no upload ID")
	}
	s.id = out.UploadID
	if out.ChecksumAlgorithm != "" {
		s.alg = out.ChecksumAlgorithm // every part must carry the upload's algorithm
	}
	return nil
}

// send uploads part num; body is re-read for retries (an io.ReaderAt and
// io.Seeker).
func (s *serialUpload) send(ctx context.Context, num int, body io.Reader, size int64) error {
	out, err := s.api.UploadPart(ctx, &s3client.UploadPartInput{
		Bucket: s.bucket, Key: s.key, UploadID: s.id, PartNumber: num,
		Body: body, ContentLength: size, SSECustomer: s.args.sse(), Common: s.args.common(),
		ChecksumAlgorithm: s.alg, Progress: s.m.meter(ctx, s.rep),
	})
	if err != nil {
		return err
	}
	if out.ETag == "" {
		return errors.New("transfer: UploadPart returned no ETag")
	}
	s.record(s3client.CompletedPart{PartNumber: num, ETag: out.ETag, Checksums: out.Checksums}, size)
	return nil
}

func (s *serialUpload) record(p s3client.CompletedPart, size int64) {
	s.parts = append(s.parts, p)
	s.total += size
}

func (s *serialUpload) complete(ctx context.Context) (*Result, error) {
	out, err := s.api.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{
		Bucket: s.bucket, Key: s.key, UploadID: s.id, Parts: s.parts,
		SSECustomer: s.args.sse(), Common: s.args.common(),
		IfNoneMatch: s.args.IfNoneMatch, IfMatch: s.args.IfMatch, MpuObjectSize: s.total,
	})
	if err != nil {
		return nil, s.fail(ctx, 0, err)
	}
	return &Result{Bucket: s.bucket, Key: s.key, ETag: out.ETag, VersionID: out.VersionID, Size: s.total,
		Checksums: out.Checksums, UploadID: s.id, Parts: len(s.parts), Resumed: s.resumed}, nil
}

// fail aborts the upload (unless its parts are kept) and returns the
// engine's kind of error.
func (s *serialUpload) fail(ctx context.Context, part int, err error) error {
	e := &multipart.UploadError{Op: "Upload", Bucket: s.bucket, Key: s.key, UploadID: s.id, PartNumber: part, Err: err}
	if s.id == "" || s.leave {
		return e
	}
	if aerr := abortUpload(ctx, s.api, s.bucket, s.key, s.id, s.args.common()); aerr != nil {
		e.Err = joinAbort(err, aerr)
	} else {
		e.Aborted = true
	}
	return e
}

// fromReaderAt uploads size bytes of ra from base in parts, continuing
// upload resumeID if it is set.
func (s *serialUpload) fromReaderAt(ctx context.Context, ra io.ReaderAt, base, size int64, resumeID string) (*Result, error) {
	ps, n, err := layout(size, s.m.cfg.MultipartChunkSize)
	if err != nil {
		return nil, s.fail(ctx, 0, err)
	}
	if n == 1 && resumeID == "" {
		// One part is one PutObject, as the engine sends it.
		return s.m.putObject(ctx, s.args, s.rep, s.bucket, s.key, io.NewSectionReader(ra, base, size), size)
	}
	var kept map[int]s3client.Part
	if resumeID != "" {
		s.id = resumeID
		kept, err = s.listParts(ctx)
		if err != nil {
			// The upload stays as it was, for a later attempt.
			return nil, &multipart.UploadError{Op: "Resume", Bucket: s.bucket, Key: s.key, UploadID: s.id, Err: err}
		}
	} else if err := s.create(ctx); err != nil {
		return nil, s.fail(ctx, 0, err)
	}
	for i := range n {
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, 0, context.Cause(ctx))
		}
		off := int64(i) * ps
		size := min(ps, size-off)
		body := io.NewSectionReader(ra, base+off, size)
		if p, ok := kept[i+1]; ok && p.Size == size && p.ETag != "" {
			same, err := sameChecksum(&p.Checksums, body)
			if err != nil {
				return nil, s.fail(ctx, i+1, err)
			}
			if same {
				s.record(s3client.CompletedPart{PartNumber: i + 1, ETag: p.ETag, Checksums: p.Checksums}, size)
				s.resumed++
				s.rep.add(size)
				s.rep.part(i+1, size)
				continue
			}
		}
		if err := s.send(ctx, i+1, body, size); err != nil {
			return nil, s.fail(ctx, i+1, err)
		}
	}
	return s.complete(ctx)
}

// listParts returns the parts of the upload by number, and takes the
// upload's checksum algorithm from them.
func (s *serialUpload) listParts(ctx context.Context) (map[int]s3client.Part, error) {
	parts := make(map[int]s3client.Part)
	in := &s3client.ListPartsInput{Bucket: s.bucket, Key: s.key, UploadID: s.id, SSECustomer: s.args.sse(), Common: s.args.common()}
	for {
		out, err := s.api.ListParts(ctx, in)
		if err != nil {
			return nil, err
		}
		if out.ChecksumAlgorithm != "" {
			s.alg = out.ChecksumAlgorithm
		}
		for _, p := range out.Parts {
			parts[p.PartNumber] = p
		}
		if !out.IsTruncated {
			return parts, nil
		}
		if out.NextPartNumberMarker <= in.PartNumberMarker {
			return nil, errors.New("transfer: ListParts is truncated but does not advance")
		}
		in.PartNumberMarker = out.NextPartNumberMarker
	}
}

// sameChecksum reports whether body has the checksum S3 holds for a part
// (true when it holds none: the size alone then decides).
func sameChecksum(c *s3client.Checksums, body io.Reader) (bool, error) {
	for _, w := range [...]want{
		{s3client.ChecksumCRC32, c.CRC32}, {s3client.ChecksumCRC32C, c.CRC32C},
		{s3client.ChecksumCRC64NVME, c.CRC64NVME}, {s3client.ChecksumSHA1, c.SHA1}, {s3client.ChecksumSHA256, c.SHA256},
	} {
		if w.value == "" {
			continue
		}
		h := w.newHash()
		if _, err := io.Copy(h, body); err != nil {
			return false, err
		}
		return base64.StdEncoding.EncodeToString(h.Sum(nil)) == w.value, nil
	}
	return true, nil
}

// serialWriter uploads bytes pushed into it, one part at a time, on the
// caller's goroutine: a full part is sent when the next byte arrives, so
// that a stream of at most one part becomes one PutObject.
type serialWriter struct {
	s     *serialUpload
	buf   []byte
	n     int
	parts int
	err   error // sticky: the upload failed
	done  bool
}

// newSerialWriter returns a serialWriter; its one part buffer is what
// streamBudget grants without threads.
func (m *Manager) newSerialWriter(h *hooked, args *UploadArgs, rep *reporter, bucket, key string) *serialWriter {
	return &serialWriter{s: m.newSerialUpload(h, args, rep, bucket, key, false), buf: make([]byte, m.cfg.MultipartChunkSize)}
}

func (w *serialWriter) write(ctx context.Context, p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.done {
		return 0, errors.New("transfer: write after Close")
	}
	written := 0
	for len(p) > 0 {
		if w.n == len(w.buf) {
			if err := w.flush(ctx); err != nil {
				return written, err
			}
		}
		k := copy(w.buf[w.n:], p)
		w.n += k
		written += k
		p = p[k:]
	}
	return written, nil
}

// flush sends the buffer as the next part.
func (w *serialWriter) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return w.fail(ctx, 0, context.Cause(ctx))
	}
	if w.s.id == "" {
		if err := w.s.create(ctx); err != nil {
			return w.fail(ctx, 0, err)
		}
	}
	w.parts++
	if w.parts > multipart.MaxParts {
		return w.fail(ctx, 0, fmt.Errorf("%w: the stream is longer than %d bytes; set a larger MultipartChunkSize", multipart.ErrTooManyParts, w.s.total))
	}
	if err := w.s.send(ctx, w.parts, bytes.NewReader(w.buf[:w.n]), int64(w.n)); err != nil {
		return w.fail(ctx, w.parts, err)
	}
	w.n = 0
	return nil
}

// fail ends the upload with err (aborting it), once.
func (w *serialWriter) fail(ctx context.Context, part int, err error) error {
	if w.err == nil {
		w.err = w.s.fail(ctx, part, err)
	}
	return w.err
}

// close sends what remains and completes the upload.
func (w *serialWriter) close(ctx context.Context) (*Result, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.done {
		return nil, errors.New("transfer: Close called twice")
	}
	w.done = true
	if err := ctx.Err(); err != nil {
		return nil, w.fail(ctx, 0, context.Cause(ctx))
	}
	if w.s.id == "" {
		res, err := w.s.m.putObject(ctx, w.s.args, w.s.rep, w.s.bucket, w.s.key, bytes.NewReader(w.buf[:w.n]), int64(w.n))
		if err != nil {
			w.err = err
		}
		return res, err
	}
	if w.n > 0 {
		if err := w.flush(ctx); err != nil {
			return nil, err
		}
	}
	res, err := w.s.complete(ctx)
	if err != nil {
		w.err = err
	}
	return res, err
}

// abandon aborts an unfinished upload (the context ended).
func (w *serialWriter) abandon(ctx context.Context) {
	if w.err == nil && !w.done {
		w.fail(ctx, 0, context.Cause(ctx))
	}
}
