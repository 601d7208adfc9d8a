package multipart

// An in-memory S3 behind the UploadAPI and CopyAPI interfaces, with fault
// injection, for fast and deterministic engine tests. It models what the
// engine relies on from *s3client.Client: a body that is an io.ReaderAt and
// io.Seeker is re-read from its start for each of up to maxAttempts
// attempts (any other body gets one), Progress is told the bytes read and
// takes a failed attempt's bytes back, and S3's rules on parts (at least
// 5 MiB but the last, ascending order, matching ETags and checksums, the
// x-amz-mp-object-size check) are enforced.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/limits"
	"github.com/s3kit/s3kit/s3client"
)

// Compile-time checks: the real client is what the engine is written for.
var (
	_ UploadAPI = (*s3client.Client)(nil)
	_ CopyAPI   = (*s3client.Client)(nil)
	_ UploadAPI = (*fakeS3)(nil)
	_ CopyAPI   = (*fakeS3)(nil)
)

type fakeObject struct {
	data      []byte
	size      int64 // len(data), or the size of a lazy object
	etag      string
	versionID string
	props     s3client.ObjectProperties
	tags      []s3client.Tag
	partSizes []int64 // of a completed multipart upload
}

type fakePart struct {
	data      []byte
	size      int64
	etag      string
	checksums s3client.Checksums
}

type fakeUpload struct {
	bucket, key string
	props       s3client.ObjectProperties
	alg         s3client.ChecksumAlgorithm
	parts       map[int]*fakePart
}

// fakeS3 is the fake. Set its knobs before use.
type fakeS3 struct {
	// maxAttempts models the client's retries (default 3).
	maxAttempts int
	// lazy: part bodies are not read; only their length is recorded. For
	// tests of thousands of parts.
	lazy bool
	// discard: bodies are read but not kept (benchmarks).
	discard bool
	// fault, if set, is asked once per attempt of each request, halfway
	// through its body for uploads; a non-nil error fails the attempt.
	fault func(op string, part, attempt int) error
	// hold, if set, is called when a part request starts; it may block
	// (slow parts) and its error fails the request.
	hold func(ctx context.Context, op string, part int) error
	// listPage is ListParts' page size (default 1000).
	listPage int
	// abortErr, if set, fails AbortMultipartUpload.
	abortErr error

	inflight, maxInflight atomic.Int32

	mu      sync.Mutex
	objects map[string]*fakeObject
	uploads map[string]*fakeUpload
	nextID  int
	calls   map[string]int
	aborts  []string // upload IDs
	// abortCtxErr is the ctx.Err() seen by each abort: nil proves the
	// abort ran on a context that survived the caller's cancellation.
	abortCtxErr []error
	completed   []*s3client.CompleteMultipartUploadInput
	created     []*s3client.CreateMultipartUploadInput
	partCopies  []*s3client.UploadPartCopyInput
}

func newFake() *fakeS3 {
	return &fakeS3{objects: map[string]*fakeObject{}, uploads: map[string]*fakeUpload{}, calls: map[string]int{}}
}

func (f *fakeS3) count(op string) {
	f.mu.Lock()
	f.calls[op]++
	f.mu.Unlock()
}

// callCount returns how many times op was called.
func (f *fakeS3) callCount(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeS3) object(bucket, key string) *fakeObject {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[bucket+"/"+key]
}

func (f *fakeS3) putObject(bucket, key string, o *fakeObject) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	if o.versionID == "" {
		o.versionID = "v" + strconv.Itoa(f.nextID)
	}
	if o.etag == "" {
		sum := md5.Sum(o.data)
		o.etag = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	f.objects[bucket+"/"+key] = o
}

// openUploads returns the IDs of uploads neither completed nor aborted.
func (f *fakeS3) openUploads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.uploads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func s3err(op string, status int, code string) *s3client.Error {
	return &s3client.Error{Op: op, StatusCode: status, Code: code, Message: code}
}

// errInternal is a transient server error, retried by the client.
func errInternal(op string) error { return s3err(op, http.StatusInternalServerError, "InternalError") }

func retryable(err error) bool {
	var e *s3client.Error
	return errors.As(err, &e) && e.StatusCode >= 500
}

// replayableBody is do.go's rule: what can be re-read for a retry.
func replayableBody(body io.Reader, size int64) func() io.Reader {
	switch b := body.(type) {
	case *bytes.Reader:
		off := b.Size() - int64(b.Len())
		return func() io.Reader { return io.NewSectionReader(b, off, size) }
	case interface {
		io.ReaderAt
		io.Seeker
	}:
		off, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil
		}
		return func() io.Reader { return io.NewSectionReader(b, off, size) }
	}
	return nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// readBody reads a request body as the client sends it: attempts,
// progress, faults halfway through, cancellation between reads.
func (f *fakeS3) readBody(ctx context.Context, op string, part int, body io.Reader, size int64, progress func(int64)) ([]byte, error) {
	if body == nil {
		body = bytes.NewReader(nil)
	}
	attempts := f.maxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	open := replayableBody(body, size)
	if open == nil {
		attempts = 1
		open = func() io.Reader { return body }
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	var lastErr error
	for attempt := 1; attempt <= attempts; attempt++ {
		if f.lazy {
			if f.fault != nil {
				if err := f.fault(op, part, attempt); err != nil {
					lastErr = err
					if retryable(err) {
						continue
					}
					return nil, err
				}
			}
			return nil, nil
		}
		r := open()
		var data []byte
		if !f.discard {
			data = make([]byte, 0, size)
		}
		var sent int64
		faulted := f.fault == nil
		var err error
		for {
			if !faulted && sent >= size/2 {
				faulted = true
				if err = f.fault(op, part, attempt); err != nil {
					break
				}
			}
			if ctx.Err() != nil {
				err = &s3client.Error{Op: op, Err: context.Cause(ctx)}
				break
			}
			n, rerr := r.Read(buf[:min(int64(len(buf)), max(size-sent, 1))])
			if n > 0 {
				sent += int64(n)
				if !f.discard {
					data = append(data, buf[:n]...)
				}
				if progress != nil {
					progress(int64(n))
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				err = &s3client.Error{Op: op, Err: rerr} // not retryable
				break
			}
			if sent > size {
				break
			}
		}
		if err == nil && sent != size {
			err = s3err(op, http.StatusBadRequest, "IncompleteBody")
		}
		if err == nil {
			return data, nil
		}
		if progress != nil && sent > 0 {
			progress(-sent)
		}
		lastErr = err
		if !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

func (f *fakeS3) enter(ctx context.Context, op string, part int) (func(), error) {
	n := f.inflight.Add(1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	done := func() { f.inflight.Add(-1) }
	if f.hold != nil {
		if err := f.hold(ctx, op, part); err != nil {
			done()
			return nil, &s3client.Error{Op: op, Err: err}
		}
	}
	return done, nil
}

func checksumOf(alg s3client.ChecksumAlgorithm, data []byte) string {
	h := s3client.ChecksumAlgorithm(strings.ToUpper(string(alg))).NewHash()
	if h == nil {
		return ""
	}
	h.Write(data)
	return encodeSum(h)
}

func setChecksum(c *s3client.Checksums, alg s3client.ChecksumAlgorithm, v string) {
	switch s3client.ChecksumAlgorithm(strings.ToUpper(string(alg))) {
	case s3client.ChecksumCRC32:
		c.CRC32 = v
	case s3client.ChecksumCRC32C:
		c.CRC32C = v
	case s3client.ChecksumCRC64NVME:
		c.CRC64NVME = v
	case s3client.ChecksumSHA1:
		c.SHA1 = v
	case s3client.ChecksumSHA256:
		c.SHA256 = v
	}
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3client.PutObjectInput) (*s3client.PutObjectOutput, error) {
	f.count("PutObject")
	data, err := f.readBody(ctx, "PutObject", 0, in.Body, in.ContentLength, in.Progress)
	if err != nil {
		return nil, err
	}
	if in.IfNoneMatch == "*" && f.object(in.Bucket, in.Key) != nil {
		return nil, s3err("PutObject", http.StatusPreconditionFailed, "PreconditionFailed")
	}
	o := &fakeObject{data: data, size: in.ContentLength, props: in.ObjectProperties}
	f.putObject(in.Bucket, in.Key, o)
	out := &s3client.PutObjectOutput{ETag: o.etag, VersionID: o.versionID, Size: in.ContentLength}
	setChecksum(&out.Checksums, in.ChecksumAlgorithm, checksumOf(in.ChecksumAlgorithm, data))
	return out, nil
}

func (f *fakeS3) CreateMultipartUpload(ctx context.Context, in *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error) {
	f.count("CreateMultipartUpload")
	if f.fault != nil {
		if err := f.fault("CreateMultipartUpload", 0, 1); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("upload-%d", f.nextID)
	alg := s3client.ChecksumAlgorithm(strings.ToUpper(string(in.ChecksumAlgorithm)))
	f.uploads[id] = &fakeUpload{bucket: in.Bucket, key: in.Key, props: in.ObjectProperties, alg: alg, parts: map[int]*fakePart{}}
	c := *in
	f.created = append(f.created, &c)
	return &s3client.CreateMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, UploadID: id, ChecksumAlgorithm: alg}, nil
}

func (f *fakeS3) upload(op, id, bucket, key string) (*fakeUpload, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.uploads[id]
	if u == nil || u.bucket != bucket || u.key != key {
		return nil, s3err(op, http.StatusNotFound, "NoSuchUpload")
	}
	return u, nil
}

func (f *fakeS3) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	f.count("UploadPart")
	done, err := f.enter(ctx, "UploadPart", in.PartNumber)
	if err != nil {
		return nil, err
	}
	defer done()
	u, err := f.upload("UploadPart", in.UploadID, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	if in.PartNumber < 1 || in.PartNumber > MaxParts {
		return nil, s3err("UploadPart", http.StatusBadRequest, "InvalidArgument")
	}
	if in.ContentLength > MaxPartSize {
		return nil, s3err("UploadPart", http.StatusBadRequest, "EntityTooLarge")
	}
	if u.alg != "" && !strings.EqualFold(string(in.ChecksumAlgorithm), string(u.alg)) {
		return nil, s3err("UploadPart", http.StatusBadRequest, "InvalidRequest") // checksum type mismatch
	}
	data, err := f.readBody(ctx, "UploadPart", in.PartNumber, in.Body, in.ContentLength, in.Progress)
	if err != nil {
		return nil, err
	}
	p := &fakePart{data: data, size: in.ContentLength}
	if f.lazy || f.discard {
		p.etag = fmt.Sprintf(`"etag-%d-%d"`, in.PartNumber, in.ContentLength)
	} else {
		sum := md5.Sum(data)
		p.etag = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	if u.alg != "" {
		setChecksum(&p.checksums, u.alg, checksumOf(u.alg, data))
	}
	f.mu.Lock()
	u.parts[in.PartNumber] = p
	f.mu.Unlock()
	return &s3client.UploadPartOutput{ETag: p.etag, Checksums: p.checksums}, nil
}

func (f *fakeS3) CompleteMultipartUpload(ctx context.Context, in *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error) {
	const op = "CompleteMultipartUpload"
	f.count(op)
	if f.fault != nil {
		if err := f.fault(op, 0, 1); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, &s3client.Error{Op: op, Err: err}
	}
	u, err := f.upload(op, in.UploadID, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in.Parts) == 0 {
		return nil, s3err(op, http.StatusBadRequest, "MalformedXML")
	}
	var data []byte
	var total int64
	var sizes []int64
	for i, cp := range in.Parts {
		if i > 0 && cp.PartNumber <= in.Parts[i-1].PartNumber {
			return nil, s3err(op, http.StatusBadRequest, "InvalidPartOrder")
		}
		p := u.parts[cp.PartNumber]
		if p == nil || p.etag != cp.ETag {
			return nil, s3err(op, http.StatusBadRequest, "InvalidPart")
		}
		if p.checksums != cp.Checksums {
			return nil, s3err(op, http.StatusBadRequest, "InvalidPart") // checksum missing or wrong
		}
		if i < len(in.Parts)-1 && p.size < limits.MinPartSize {
			return nil, s3err(op, http.StatusBadRequest, "EntityTooSmall")
		}
		total += p.size
		sizes = append(sizes, p.size)
		if !f.lazy && !f.discard {
			data = append(data, p.data...)
		}
	}
	if in.MpuObjectSize > 0 && in.MpuObjectSize != total {
		return nil, s3err(op, http.StatusBadRequest, "InvalidRequest")
	}
	key := in.Bucket + "/" + in.Key
	if in.IfNoneMatch == "*" && f.objects[key] != nil {
		return nil, s3err(op, http.StatusPreconditionFailed, "PreconditionFailed")
	}
	if in.IfMatch != "" && (f.objects[key] == nil || f.objects[key].etag != in.IfMatch) {
		return nil, s3err(op, http.StatusPreconditionFailed, "PreconditionFailed")
	}
	f.nextID++
	o := &fakeObject{data: data, size: total, props: u.props, etag: fmt.Sprintf(`"mpu-%d-%d"`, f.nextID, len(in.Parts)),
		versionID: "v" + strconv.Itoa(f.nextID), partSizes: sizes}
	f.objects[key] = o
	delete(f.uploads, in.UploadID)
	c := *in
	f.completed = append(f.completed, &c)
	return &s3client.CompleteMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, ETag: o.etag, VersionID: o.versionID, Location: "/" + key}, nil
}

func (f *fakeS3) AbortMultipartUpload(ctx context.Context, in *s3client.AbortMultipartUploadInput) error {
	f.count("AbortMultipartUpload")
	f.mu.Lock()
	f.aborts = append(f.aborts, in.UploadID)
	f.abortCtxErr = append(f.abortCtxErr, ctx.Err())
	f.mu.Unlock()
	if f.abortErr != nil {
		return f.abortErr
	}
	if err := ctx.Err(); err != nil {
		return &s3client.Error{Op: "AbortMultipartUpload", Err: err}
	}
	if _, err := f.upload("AbortMultipartUpload", in.UploadID, in.Bucket, in.Key); err != nil {
		return err
	}
	f.mu.Lock()
	delete(f.uploads, in.UploadID)
	f.mu.Unlock()
	return nil
}

func (f *fakeS3) ListParts(ctx context.Context, in *s3client.ListPartsInput) (*s3client.ListPartsOutput, error) {
	f.count("ListParts")
	u, err := f.upload("ListParts", in.UploadID, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	page := f.listPage
	if page <= 0 {
		page = 1000
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var nums []int
	for n := range u.parts {
		if n > in.PartNumberMarker {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	out := &s3client.ListPartsOutput{ChecksumAlgorithm: u.alg}
	for i, n := range nums {
		if i == page {
			out.IsTruncated = true
			break
		}
		p := u.parts[n]
		out.Parts = append(out.Parts, s3client.Part{PartNumber: n, ETag: p.etag, Size: p.size, Checksums: p.checksums})
		out.NextPartNumberMarker = n
	}
	return out, nil
}

func (f *fakeS3) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	f.count("HeadObject")
	o := f.object(in.Bucket, in.Key)
	if o == nil || (in.VersionID != "" && in.VersionID != o.versionID) {
		return nil, s3err("HeadObject", http.StatusNotFound, "NotFound")
	}
	m := &s3client.ObjectMeta{
		ContentLength:      o.size,
		ContentType:        o.props.ContentType,
		ContentEncoding:    o.props.ContentEncoding,
		ContentDisposition: o.props.ContentDisposition,
		ContentLanguage:    o.props.ContentLanguage,
		CacheControl:       o.props.CacheControl,
		ETag:               o.etag,
		VersionID:          o.versionID,
		Metadata:           o.props.Metadata,
		TagCount:           len(o.tags),
	}
	if !o.props.Expires.IsZero() {
		m.Expires = o.props.Expires.UTC().Format(http.TimeFormat)
	}
	return m, nil
}

func (f *fakeS3) GetObjectTagging(ctx context.Context, in *s3client.GetObjectTaggingInput) (*s3client.GetObjectTaggingOutput, error) {
	f.count("GetObjectTagging")
	o := f.object(in.Bucket, in.Key)
	if o == nil {
		return nil, s3err("GetObjectTagging", http.StatusNotFound, "NoSuchKey")
	}
	return &s3client.GetObjectTaggingOutput{TagSet: o.tags, VersionID: o.versionID}, nil
}

func (f *fakeS3) checkSource(op string, src s3client.CopySource, c *s3client.CopySourceConditions) (*fakeObject, error) {
	o := f.object(src.Bucket, src.Key)
	if o == nil || (src.VersionID != "" && src.VersionID != o.versionID) {
		return nil, s3err(op, http.StatusNotFound, "NoSuchKey")
	}
	if (c.CopySourceIfMatch != "" && c.CopySourceIfMatch != o.etag) || (c.CopySourceIfNoneMatch != "" && c.CopySourceIfNoneMatch == o.etag) {
		return nil, s3err(op, http.StatusPreconditionFailed, "PreconditionFailed")
	}
	return o, nil
}

func (f *fakeS3) CopyObject(ctx context.Context, in *s3client.CopyObjectInput) (*s3client.CopyObjectOutput, error) {
	f.count("CopyObject")
	o, err := f.checkSource("CopyObject", in.CopySource, &in.CopySourceConditions)
	if err != nil {
		return nil, err
	}
	if o.size > MaxCopyObjectSize {
		return nil, s3err("CopyObject", http.StatusBadRequest, "InvalidRequest")
	}
	props := in.ObjectProperties
	if in.MetadataDirective != "REPLACE" {
		props.CopyFrom(&s3client.ObjectMeta{Metadata: o.props.Metadata, ContentType: o.props.ContentType,
			CacheControl: o.props.CacheControl, ContentDisposition: o.props.ContentDisposition,
			ContentEncoding: o.props.ContentEncoding, ContentLanguage: o.props.ContentLanguage})
		props.Expires = o.props.Expires
	}
	n := &fakeObject{data: o.data, size: o.size, props: props, tags: o.tags}
	if in.TaggingDirective == "REPLACE" {
		n.tags = nil
	}
	f.putObject(in.Bucket, in.Key, n)
	return &s3client.CopyObjectOutput{ETag: n.etag, VersionID: n.versionID, CopySourceVersionID: o.versionID}, nil
}

func (f *fakeS3) UploadPartCopy(ctx context.Context, in *s3client.UploadPartCopyInput) (*s3client.UploadPartCopyOutput, error) {
	const op = "UploadPartCopy"
	f.count(op)
	done, err := f.enter(ctx, op, in.PartNumber)
	if err != nil {
		return nil, err
	}
	defer done()
	f.mu.Lock()
	c := *in
	f.partCopies = append(f.partCopies, &c)
	f.mu.Unlock()
	if f.fault != nil {
		if err := f.fault(op, in.PartNumber, 1); err != nil {
			return nil, err
		}
	}
	u, err := f.upload(op, in.UploadID, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	o, err := f.checkSource(op, in.CopySource, &in.CopySourceConditions)
	if err != nil {
		return nil, err
	}
	var first, last int64
	if _, err := fmt.Sscanf(in.CopySourceRange, "bytes=%d-%d", &first, &last); err != nil || first > last || last >= o.size {
		return nil, s3err(op, http.StatusBadRequest, "InvalidRange")
	}
	if last-first+1 > MaxPartSize {
		return nil, s3err(op, http.StatusBadRequest, "InvalidRequest")
	}
	p := &fakePart{size: last - first + 1, etag: fmt.Sprintf(`"copy-%d-%d"`, in.PartNumber, last-first+1)}
	if o.data != nil {
		p.data = o.data[first : last+1]
	}
	if u.alg != "" {
		setChecksum(&p.checksums, u.alg, checksumOf(u.alg, p.data))
	}
	f.mu.Lock()
	u.parts[in.PartNumber] = p
	f.mu.Unlock()
	return &s3client.UploadPartCopyOutput{ETag: p.etag, Checksums: p.checksums}, nil
}

// pattern is a deterministic io.ReaderAt of any size whose bytes repeat
// with a period that is not a multiple of any part size (1 MiB + 7), so a
// part out of place shows. It allocates nothing.
type pattern int64

const patternPeriod = 1<<20 + 7

var patternBlock = sync.OnceValue(func() []byte {
	b := make([]byte, patternPeriod)
	for i := range b {
		x := uint64(i) * 0x9E3779B97F4A7C15
		b[i] = byte(x>>56) ^ byte(i)
	}
	return b
})

func (p pattern) ReadAt(b []byte, off int64) (int, error) {
	if off >= int64(p) {
		return 0, io.EOF
	}
	n := len(b)
	if rest := int64(p) - off; int64(n) > rest {
		n = int(rest)
	}
	block := patternBlock()
	for i := 0; i < n; {
		i += copy(b[i:n], block[(off+int64(i))%patternPeriod:])
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// patternBytes returns the first n bytes of the pattern.
func patternBytes(n int64) []byte {
	b := make([]byte, n)
	pattern(n).ReadAt(b, 0)
	return b
}

// phantom is a stream of n bytes whose Read fills nothing: for tests of
// thousands of parts with a lazy fake, where the bytes never matter.
type phantom struct{ n int64 }

func (p *phantom) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(b)), p.n))
	p.n -= int64(k)
	return k, nil
}

// onlyReader hides every method but Read, making any body a stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(b []byte) (int, error) { return o.r.Read(b) }

// checkGoroutines fails the test if goroutines started during it are
// still running at its end (after a short settle).
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		var now int
		for i := 0; i < 200; i++ {
			if now = runtime.NumGoroutine(); now <= before {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines before, %d after:\n%s", before, now, buf)
	})
}
