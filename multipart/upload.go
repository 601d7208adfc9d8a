package multipart

// The Uploader: its configuration, the two kinds of source (an io.ReaderAt
// of known size, read in place; a stream, read into pooled buffers) and the
// part workers. Resume is in resume.go; completion and abort, shared with
// the Copier, in session.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/internal/wait"
	"github.com/s3kit/s3kit/s3client"
)

// Uploader uploads objects in parts. Its zero value, with Client set, uses
// the defaults; set the fields before the first call and do not change them
// while calls run. An Uploader is safe for concurrent use; each call has its
// own workers and its own memory budget.
type Uploader struct {
	// Client sends the requests; usually an *s3client.Client.
	Client UploadAPI
	// PartSize is the size of each part but the last; 0 means
	// DefaultPartSize (8 MiB). It must be between MinPartSize and
	// MaxPartSize (a *PartSizeError otherwise). A known size that would need
	// more than MaxParts parts gets larger parts; a stream of unknown length
	// doubles it every 1,000 parts (see MaxStreamSize).
	PartSize int64
	// Concurrency is how many parts are sent at once; 0 means
	// DefaultConcurrency (10).
	Concurrency int
	// LeavePartsOnError keeps a failed upload's parts instead of aborting
	// it, so that Resume can finish it later. The UploadError names the
	// upload.
	LeavePartsOnError bool
	// ChecksumAlgorithm is the checksum the upload is created with (or the
	// PutObject of a small one carries); empty means the client's choice
	// (*s3client.Client's Config.ChecksumPolicy). The parts carry the
	// algorithm CreateMultipartUpload answers with.
	ChecksumAlgorithm s3client.ChecksumAlgorithm
	// Progress, if set, is told how many bytes went on the wire, as they
	// go, and a negative amount when a failed attempt's bytes are taken
	// back before a retry (or when the part fails). Calls are serialized;
	// Progress must not block for long, since it holds up a part.
	Progress func(bytes int64)
	// Limiter, if set, paces the bytes sent, as they are read for the wire.
	Limiter Limiter
	// MemoryBudget bounds the bytes a stream's parts hold in memory; 0
	// means DefaultMemoryBudget (256 MiB). Larger parts run fewer at once,
	// and a stream's part size stops growing at the budget. One part is
	// always allowed, so a PartSize above the budget raises it to one part.
	// Sources with ReadAt are not buffered and do not use it.
	MemoryBudget int64
	// Events, if set, are told of the upload's steps as they happen.
	Events Events
}

// Events are told what happens to an upload or a copy as it happens, for
// callers that keep a journal of it or report progress part by part. Each
// may be nil. Calls are serialized (with Progress's too).
type Events struct {
	// Sized is told the object's size once it is known, before the first
	// byte moves: a Copy's from HeadObject, an Upload's from its source (-1
	// for a stream of unknown length).
	Sized func(size int64)
	// Created is told the upload ID as soon as CreateMultipartUpload
	// returns it, before any part is sent (package transfer writes its
	// resume journal then). An error ends the call with it, and the upload
	// is aborted, even under LeavePartsOnError, since nothing recorded it.
	Created func(uploadID string) error
	// PartDone is told each part that is in place: sent, copied, or kept
	// by Resume.
	PartDone func(number int, size int64)
}

// UploadInput names the object and its source.
type UploadInput struct {
	Bucket string
	Key    string
	// Body is the object's content; nil means empty. If it is an
	// io.ReaderAt of known size (an *os.File, *bytes.Reader,
	// *strings.Reader or *io.SectionReader), each part is read in place
	// with ReadAt, starting from the body's current Seek position (which
	// is not moved), and a retried part is read again; nothing is copied
	// into memory. Any other reader is read once, in order, into pooled
	// buffers. A Read that blocks is not interrupted by the context: close
	// the reader to stop it. Upload never closes Body, and reads nothing
	// from it after returning.
	Body io.Reader
	// Size is Body's length. 0 means: find it with Seek; without a Seek
	// method, or when Seek fails (a pipe), Body is a stream of unknown
	// length. A negative Size says the length is unknown. When known, the
	// upload fails with ErrSourceSize if Body holds fewer or more bytes.
	Size int64
	// Properties of the new object (content type, metadata, ACL, storage
	// class, tags, encryption...), sent with CreateMultipartUpload or, for
	// a small object, PutObject.
	s3client.ObjectProperties
	// SSECustomer is the SSE-C key; every part is sent with it.
	s3client.SSECustomer
	s3client.Common
	// IfNoneMatch "*" commits the object only if the key does not exist;
	// IfMatch only over the object with that ETag. They are checked when
	// the upload completes (or on the PutObject of a small object).
	IfNoneMatch string
	IfMatch     string
	// ChecksumType is the multipart upload's checksum type, "FULL_OBJECT"
	// or "COMPOSITE" (x-amz-checksum-type); empty leaves S3's default for
	// the algorithm, or FULL_OBJECT when Checksum holds a value.
	ChecksumType string
	// Checksum is the caller's checksum of the whole object, at most one
	// value, for S3 to check: sent with the PutObject of a small object, or
	// with CompleteMultipartUpload as a FULL_OBJECT checksum (the upload is
	// then created with its algorithm, which the parts carry too).
	Checksum s3client.Checksums
}

// UploadOutput describes the object an upload created.
type UploadOutput struct {
	// UploadID is the multipart upload's ID; "" when the object was small
	// enough for one PutObject.
	UploadID  string
	Location  string
	ETag      string
	VersionID string
	Checksums s3client.Checksums
	Size      int64 // bytes uploaded
	Parts     int   // parts in the object; 0 for one PutObject
	// Reused is the number of parts Resume kept from the earlier attempt.
	Reused int
}

// settings are an Uploader's fields with the defaults filled in.
type settings struct {
	partSize    int64
	concurrency int
	budget      int64
}

// errNilInput is returned for a nil input pointer.
var errNilInput = invalidInput("multipart: nil input")

func (u *Uploader) settings() (settings, error) {
	s := settings{partSize: u.PartSize, concurrency: u.Concurrency, budget: u.MemoryBudget}
	if u.Client == nil {
		return s, invalidInput("multipart: Uploader.Client is nil")
	}
	if s.partSize == 0 {
		s.partSize = DefaultPartSize
	}
	if err := checkPartSize(s.partSize); err != nil {
		return s, err
	}
	if s.concurrency <= 0 {
		s.concurrency = DefaultConcurrency
	}
	if s.budget <= 0 {
		s.budget = DefaultMemoryBudget
	}
	return s, nil
}

// MaxStreamSize returns the length of the longest stream of unknown length
// the Uploader can send in MaxParts parts under its PartSize and
// MemoryBudget: about 1.5 TiB with the defaults, 8 TiB with a 5 GiB
// budget. A stream with a known Size is sent in parts sized to fit, up to
// MaxObjectSize. It returns 0 for an invalid PartSize.
func (u *Uploader) MaxStreamSize() int64 {
	ps := u.PartSize
	if ps == 0 {
		ps = DefaultPartSize
	}
	if checkPartSize(ps) != nil {
		return 0
	}
	budget := u.MemoryBudget
	if budget <= 0 {
		budget = DefaultMemoryBudget
	}
	return maxStreamSize(ps, streamLimit(ps, budget))
}

// Upload uploads in.Body as the object in.Bucket/in.Key: with one PutObject
// when it is at most one part long, otherwise as a multipart upload whose
// parts are sent concurrently. On failure or cancellation it stops sending
// parts, waits for those in flight, aborts the upload (unless
// LeavePartsOnError), and returns an *UploadError naming the upload and the
// failing part. No goroutine it started outlives it. Input errors (an
// invalid bucket name or key, a nil input or Client) match
// s3client.ErrInvalidInput and are found before Body is read.
//
// When the answer to CompleteMultipartUpload is lost, the client's retry
// finds no upload (NoSuchUpload): the first attempt may have completed it.
// If the client also has HeadObject (*s3client.Client does), Upload then
// checks that the key holds an object of the source's size whose ETag has
// the multipart form of as many parts ("...-N"), and if so returns success,
// with the ETag and VersionID the HEAD found, and no Location or
// Checksums. Otherwise it returns an *UploadError with Aborted set: the
// upload is gone. The check cannot tell the object from one of the same
// size and part count that another writer completed at the same key in
// the meantime.
func (u *Uploader) Upload(ctx context.Context, in *UploadInput) (*UploadOutput, error) {
	st, err := u.settings()
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, errNilInput
	}
	up, err := u.newUpload("Upload", in, st)
	if err == nil {
		err = checkObject(in.Bucket, in.Key)
	}
	if err != nil {
		return nil, up.fail(ctx, err) // before a stream is read for nothing
	}
	if err := ctx.Err(); err != nil {
		return nil, up.fail(ctx, context.Cause(ctx))
	}
	src, err := sourceOf(in.Body, in.Size)
	if err != nil {
		return nil, up.fail(ctx, err)
	}
	up.sized(src.size)
	if src.ra != nil {
		return up.fromReaderAt(ctx, src)
	}
	return up.fromStream(ctx, src.r, src.size)
}

// source is an upload's body, classified.
type source struct {
	ra   io.ReaderAt // read in place, from base; nil for a stream
	base int64
	r    io.Reader // the stream, when ra is nil
	size int64     // -1: unknown
}

func sourceOf(body io.Reader, size int64) (source, error) {
	if body == nil {
		if size > 0 {
			return source{}, fmt.Errorf("%w: Size is %d but Body is nil", ErrSourceSize, size)
		}
		return source{ra: bytes.NewReader(nil)}, nil
	}
	if size < 0 {
		return source{r: body, size: -1}, nil
	}
	ra, isRA := body.(io.ReaderAt)
	var base int64
	if s, ok := body.(io.Seeker); ok {
		// Read from the current position, as a Read would. A Seek that
		// fails (a pipe, a socket) makes the body a stream.
		cur, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			isRA = false
		} else if base = cur; size == 0 {
			end, err := s.Seek(0, io.SeekEnd)
			if _, err2 := s.Seek(cur, io.SeekStart); err != nil || err2 != nil {
				return source{}, fmt.Errorf("multipart: finding the body's size: %w", errors.Join(err, err2))
			}
			size = end - cur
			if size < 0 {
				size = 0
			}
			if !isRA {
				return source{r: body, size: size}, nil
			}
		}
	} else if size == 0 {
		size = -1 // unknown: only a Seek could have told
	}
	if isRA && size >= 0 {
		return source{ra: ra, base: base, size: size}, nil
	}
	if size == 0 {
		size = -1
	}
	return source{r: body, size: size}, nil
}

// upload is the state of one Upload or Resume call.
type upload struct {
	session
	u   *Uploader
	in  *UploadInput
	st  settings
	alg s3client.ChecksumAlgorithm

	reused int // parts Resume kept; under session.mu

	checksumType string             // CreateMultipartUpload's
	full         s3client.Checksums // the caller's whole-object checksum
	// objectLock: the object has Object Lock settings, and S3 wants an
	// integrity check on every part (see s3client.UploadPartInput).
	objectLock bool
}

func (u *Uploader) newUpload(op string, in *UploadInput, st settings) (*upload, error) {
	up := &upload{
		session: session{api: u.Client, op: op, bucket: in.Bucket, key: in.Key,
			sse: in.SSECustomer, common: in.Common, leave: u.LeavePartsOnError, events: &u.Events},
		u: u, in: in, st: st, alg: u.ChecksumAlgorithm,
	}
	up.objectLock = in.ObjectProperties.HasObjectLock()
	// The caller's whole-object checksum decides the algorithm, and makes
	// a multipart upload's checksum a FULL_OBJECT one.
	up.checksumType = in.ChecksumType
	if alg, _, err := in.Checksum.One(); err != nil {
		return up, err
	} else if alg != "" {
		if up.alg != "" && !strings.EqualFold(string(up.alg), string(alg)) {
			return up, invalidInput("multipart: ChecksumAlgorithm %s does not match the %s value given", up.alg, alg)
		}
		up.alg = alg
		if up.checksumType == "" {
			up.checksumType = "FULL_OBJECT"
		}
		up.full = in.Checksum
		up.full.Type = up.checksumType
	}
	return up, nil
}

// fromReaderAt uploads a source read in place: each part is a fenced
// section of it.
func (up *upload) fromReaderAt(ctx context.Context, src source) (*UploadOutput, error) {
	ps, n, err := layout(src.size, up.st.partSize)
	if err != nil {
		return nil, up.fail(ctx, err)
	}
	if n == 1 {
		return up.putObject(ctx, newPartReader(src.ra, src.base, src.size))
	}
	if err := up.create(ctx); err != nil {
		return nil, err
	}
	up.parts, up.sizes = make([]s3client.CompletedPart, n), make([]int64, n)
	g, gctx := group.WithContext(ctx, up.st.concurrency)
	for i := 0; i < n && gctx.Err() == nil; i++ {
		off := int64(i) * ps
		num, body := i+1, newPartReader(src.ra, src.base+off, min(ps, src.size-off))
		g.Go(func() error { return up.send(gctx, num, body) })
	}
	if err := joinGroup(ctx, g); err != nil {
		return nil, up.fail(ctx, err)
	}
	return up.complete(ctx, n, src.size)
}

// fromStream uploads a reader read once, in order, into pooled buffers.
// declared is its length, or -1.
func (up *upload) fromStream(ctx context.Context, r io.Reader, declared int64) (*UploadOutput, error) {
	base := up.st.partSize
	limit := streamLimit(base, up.st.budget)
	partSize := func(n int) int64 { return streamPartSize(base, limit, n) }
	if declared >= 0 {
		ps, _, err := layout(declared, base)
		if err != nil {
			return nil, up.fail(ctx, err)
		}
		partSize = func(int) int64 { return ps }
	}
	pool := newBufPool(up.st.budget)

	// The first part is read whole before anything is created, so that a
	// stream of at most one part becomes one PutObject. A full first part
	// is followed by a one-byte look ahead for the same reason.
	first := partSize(1)
	if declared >= 0 {
		first = min(first, declared) // a small stream of known size gets a small buffer
	}
	buf, err := pool.get(ctx, first)
	if err != nil {
		return nil, up.fail(ctx, err)
	}
	k, rerr := io.ReadFull(r, buf)
	single := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
	if rerr == nil {
		var next [1]byte
		m, perr := io.ReadFull(r, next[:])
		switch {
		case m == 0 && perr == io.EOF:
			single = true
		case m == 0:
			rerr = perr
		case declared >= 0 && int64(k) == declared:
			return nil, up.fail(ctx, fmt.Errorf("%w: the source holds more than the %d bytes Size says", ErrSourceSize, declared))
		default:
			r = io.MultiReader(bytes.NewReader(next[:]), r)
		}
	}
	if rerr != nil && !single {
		return nil, up.fail(ctx, fmt.Errorf("multipart: reading the source: %w", rerr))
	}
	if single {
		if declared >= 0 && int64(k) != declared {
			return nil, up.fail(ctx, fmt.Errorf("%w: the source holds %d bytes, Size says %d", ErrSourceSize, k, declared))
		}
		return up.putObject(ctx, newPartReader(bytes.NewReader(buf[:k]), 0, int64(k)))
	}

	if err := up.create(ctx); err != nil {
		return nil, err
	}
	g, gctx := group.WithContext(ctx, up.st.concurrency)
	dispatch := func(num int, b []byte, k int) {
		body := newPartReader(bytes.NewReader(b[:k]), 0, int64(k))
		g.Go(func() error {
			defer pool.put(b) // after send has fenced body off
			return up.send(gctx, num, body)
		})
	}
	dispatch(1, buf, k)
	total, parts := int64(k), 1
	for num := 2; gctx.Err() == nil; num++ {
		b, err := pool.get(gctx, partSize(num))
		if err != nil {
			break // the group is failing; wait says why
		}
		k, rerr := io.ReadFull(r, b)
		if k == 0 && rerr == io.EOF {
			pool.put(b)
			break
		}
		var fail error
		switch {
		case rerr != nil && rerr != io.ErrUnexpectedEOF:
			fail = fmt.Errorf("multipart: reading the source: %w", rerr)
		case num > MaxParts:
			fail = fmt.Errorf("%w: the stream is longer than %d bytes; set a larger PartSize or MemoryBudget, or give its Size", ErrTooManyParts, total)
		case declared >= 0 && total+int64(k) > declared:
			fail = fmt.Errorf("%w: the source holds more than the %d bytes Size says", ErrSourceSize, declared)
		}
		if fail != nil {
			pool.put(b)
			g.Fail(fail)
			break
		}
		dispatch(num, b, k)
		total, parts = total+int64(k), num
		if rerr != nil {
			break // a short part is the last
		}
	}
	if err := joinGroup(ctx, g); err != nil {
		return nil, up.fail(ctx, err)
	}
	if declared >= 0 && total != declared {
		return nil, up.fail(ctx, fmt.Errorf("%w: the source holds %d bytes, Size says %d", ErrSourceSize, total, declared))
	}
	return up.complete(ctx, parts, total)
}

// joinGroup joins a group and returns its first error, or the cause of the
// caller's context if that ended while parts were being scheduled.
func joinGroup(ctx context.Context, g *group.Group) error {
	err := g.Wait()
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return err
}

// progressFor returns the Progress function of one request: the Limiter
// is waited on, then the Uploader's Progress told, for each read. It is nil
// when there is nothing to do, so that the client counts nothing.
func (up *upload) progressFor(ctx context.Context) func(int64) {
	lim, fn := up.u.Limiter, up.u.Progress
	if lim == nil && fn == nil {
		return nil
	}
	return func(n int64) {
		wait.Bytes(ctx, lim, n)
		up.report(n)
	}
}

// report tells the Uploader's Progress about n bytes.
func (up *upload) report(n int64) {
	if fn := up.u.Progress; fn != nil && n != 0 {
		up.evMu.Lock()
		defer up.evMu.Unlock()
		fn(n)
	}
}

// putObject sends an object of at most one part with PutObject.
func (up *upload) putObject(ctx context.Context, body *partReader) (*UploadOutput, error) {
	in := up.in
	pin := &s3client.PutObjectInput{
		Bucket:            in.Bucket,
		Key:               in.Key,
		ContentLength:     body.Size(),
		ObjectProperties:  in.ObjectProperties,
		SSECustomer:       in.SSECustomer,
		Common:            in.Common,
		ChecksumAlgorithm: up.alg,
		ChecksumCRC32:     up.full.CRC32,
		ChecksumCRC32C:    up.full.CRC32C,
		ChecksumCRC64NVME: up.full.CRC64NVME,
		ChecksumSHA1:      up.full.SHA1,
		ChecksumSHA256:    up.full.SHA256,
		IfNoneMatch:       in.IfNoneMatch,
		IfMatch:           in.IfMatch,
		Progress:          up.progressFor(ctx),
	}
	if body.Size() > 0 {
		pin.Body = body
	}
	out, err := up.u.Client.PutObject(ctx, pin)
	body.close()
	if err != nil {
		return nil, up.fail(ctx, err)
	}
	return &UploadOutput{ETag: out.ETag, VersionID: out.VersionID, Checksums: out.Checksums, Size: body.Size()}, nil
}

// create starts the multipart upload.
func (up *upload) create(ctx context.Context) error {
	in := up.in
	out, err := up.u.Client.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{
		Bucket:            in.Bucket,
		Key:               in.Key,
		ObjectProperties:  in.ObjectProperties,
		SSECustomer:       in.SSECustomer,
		Common:            in.Common,
		ChecksumAlgorithm: up.alg,
		ChecksumType:      up.checksumType,
	})
	if err != nil {
		return up.fail(ctx, err)
	}
	if out.UploadID == "" {
		return up.fail(ctx, errors.New("multipart: CreateMultipartUpload returned no upload ID"))
	}
	if out.ChecksumAlgorithm != "" {
		// The parts must carry the algorithm the upload was created with,
		// including one the client chose by its policy.
		up.alg = out.ChecksumAlgorithm
	}
	return up.created(ctx, out.UploadID)
}

// send uploads one part and records it.
func (up *upload) send(ctx context.Context, num int, body *partReader) error {
	in := up.in
	out, err := up.u.Client.UploadPart(ctx, &s3client.UploadPartInput{
		Bucket:            in.Bucket,
		Key:               in.Key,
		UploadID:          up.id,
		PartNumber:        num,
		Body:              body,
		ContentLength:     body.Size(),
		SSECustomer:       in.SSECustomer,
		Common:            in.Common,
		ChecksumAlgorithm: up.alg,
		ObjectLock:        up.objectLock,
		Progress:          up.progressFor(ctx),
	})
	body.close()
	if err != nil {
		return &partFailure{part: num, err: err}
	}
	if out.ETag == "" {
		return &partFailure{part: num, err: errors.New("multipart: UploadPart returned no ETag")}
	}
	up.record(s3client.CompletedPart{PartNumber: num, ETag: out.ETag, Checksums: out.Checksums}, body.Size())
	up.partDone(num, body.Size())
	return nil
}

// complete completes the upload of n parts holding total bytes.
func (up *upload) complete(ctx context.Context, n int, total int64) (*UploadOutput, error) {
	out, err := up.session.complete(ctx, n, total, up.in.IfNoneMatch, up.in.IfMatch, up.full)
	if err != nil {
		return nil, err
	}
	up.mu.Lock()
	reused := up.reused
	up.mu.Unlock()
	return &UploadOutput{
		UploadID:  up.id,
		Location:  out.Location,
		ETag:      out.ETag,
		VersionID: out.VersionID,
		Checksums: out.Checksums,
		Size:      total,
		Parts:     n,
		Reused:    reused,
	}, nil
}
