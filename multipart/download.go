package multipart

// The Downloader: an object read as concurrent byte ranges, each pinned
// to the ETag HeadObject saw (If-Match), written at its offset to an
// io.WriterAt or, through the reorder queue of reorder.go, in order to a
// plain io.Writer; a range whose body breaks off is asked for again from
// the byte it reached; the result is verified against the object's
// checksum (verify.go). Package transfer puts files, temporary files,
// resume journals and progress on top of it.
//
// The size is the server's word: nothing is sized by it before it is
// checked against S3's largest object, and the state kept per range grows
// with the ranges fetched, not with the size.

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/internal/wait"
	"github.com/s3kit/s3kit/s3client"
)

// DownloadAPI is what the Downloader needs from an S3 client.
// *s3client.Client implements it; tests may provide their own.
type DownloadAPI interface {
	HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error)
	GetObject(context.Context, *s3client.GetObjectInput) (*s3client.GetObjectOutput, error)
	// GetObjectAttributes lists the parts of a multipart object, to verify
	// a download against its composite checksum.
	GetObjectAttributes(context.Context, *s3client.GetObjectAttributesInput) (*s3client.GetObjectAttributesOutput, error)
}

// Budget is memory shared by calls: Acquire takes up to n bytes (blocking
// until they are free, or ctx ends) and says how many it took; Release
// gives them back. Package transfer's Manager has one for all its
// transfers.
type Budget interface {
	Acquire(ctx context.Context, n int64) (int64, error)
	Release(n int64)
}

// The Downloader's defaults and S3's largest object.
const (
	DefaultDownloadAttempts = 5         // Downloader.Attempts
	DefaultReadSize         = 256 << 10 // Downloader.ReadSize
	DefaultQueueSize        = 100       // Downloader.QueueSize
	// MaxDownloadSize is the largest object S3 stores, 5 TiB: a HeadObject
	// that says more is refused (ErrObjectSize) before anything is sized
	// by it.
	MaxDownloadSize int64 = 5 << 40
)

// Errors of a download (wrapped; match them with errors.Is).
var (
	// ErrObjectChanged is returned when the object was replaced while it
	// was being downloaded (its ETag no longer matched) or copied: the
	// transfer stops rather than mix two versions.
	ErrObjectChanged = errors.New("multipart: the object changed during the transfer")
	// ErrShortBody is returned when a range kept breaking off before its
	// end for Attempts requests.
	ErrShortBody = errors.New("multipart: download body ended early")
	// ErrObjectSize is returned when HeadObject gives an object size no S3
	// object can have: none, negative, or more than 5 TiB. The download
	// fails before its first GET and before it writes anything.
	ErrObjectSize = errors.New("multipart: object size outside S3's limits (0 to 5 TiB)")
)

// Downloader downloads objects as concurrent byte ranges. Its zero value,
// with Client set, uses the defaults; set the fields before the first call
// and do not change them while calls run. A Downloader is safe for
// concurrent use.
type Downloader struct {
	// Client sends the requests; usually an *s3client.Client.
	Client DownloadAPI
	// PartSize is the size of each range but the last; 0 means
	// DefaultPartSize (8 MiB).
	PartSize int64
	// Concurrency is how many ranges are fetched at once; 0 means
	// DefaultConcurrency. With 1, the ranges are fetched one after the
	// other on the caller's goroutine and written in order.
	Concurrency int
	// Attempts is how many requests a range gets when its body breaks off,
	// each continuing from the byte the last one reached; 0 means
	// DefaultDownloadAttempts. (The client retries failed requests on its
	// own, separately.)
	Attempts int
	// ReadSize is the size of each read of a body; 0 means
	// DefaultReadSize.
	ReadSize int64
	// QueueSize bounds what an in-order download holds while it waits for
	// its turn to be written: QueueSize × ReadSize bytes, or the object if
	// smaller; 0 means DefaultQueueSize. A writer slower than the ranges
	// arrive gets what arrived meanwhile in one write, up to a quarter of
	// that.
	QueueSize int
	// Limiter, if set, paces the bytes received.
	Limiter Limiter
	// Progress, if set, is told the bytes written as they are, and those
	// of ranges Skip says are there. Calls are serialized with Events'.
	Progress func(bytes int64)
	// Memory, if set, is the budget the buffers are drawn from: ReadSize
	// per worker, or the queue of an in-order download.
	Memory Budget
	// Events, if set, are told the object's size (Sized) and each range
	// written or skipped (PartDone, numbered from 1).
	Events Events
}

// DownloadInput names the object to download.
type DownloadInput struct {
	Bucket, Key string
	// VersionID pins a version; without it every range is pinned to the
	// ETag HeadObject saw.
	VersionID string
	s3client.SSECustomer
	s3client.Common
	// NoVerify skips the checksum verification (boto3's ChecksumMode
	// DISABLED): HeadObject then asks for no checksum, and nothing is read
	// back.
	NoVerify bool
}

// Download is one object being downloaded, as HeadObject described it.
// Write it with WriteAt or WriteTo, once.
type Download struct {
	Size      int64
	ETag      string
	VersionID string
	Checksums s3client.Checksums // those HeadObject returned
	// Parts is the number of ranges.
	Parts int
	// Skip, if set before the download is written, reports the ranges
	// (from 0) already in the destination, from an earlier attempt: they
	// are not fetched, and verified by reading them back.
	Skip func(i int) bool

	client DownloadAPI
	in     DownloadInput
	st     downloadSettings
	dl     *Downloader

	// The destination: wa at base+offset, else w in order.
	wa     io.WriterAt
	base   int64
	seeker io.Seeker // moved past the object at the end
	w      io.Writer
	ra     io.ReaderAt // the written bytes, to verify a digest

	resumed atomic.Int64
	evMu    sync.Mutex // serializes Progress and Events

	partSize int64
	want     want
	hasWant  bool
	crc      *crcJoin  // the ranges' CRCs, when want is a CRC
	inOrderH hash.Hash // the digest of bytes written in order
}

// downloadSettings are a Downloader's fields with the defaults filled in.
type downloadSettings struct {
	concurrency int
	attempts    int
	readSize    int64
	queue       int
}

// Head learns the object's size, ETag, version and checksum, and returns
// the Download that writes it. A size no object can have fails here with
// ErrObjectSize, before anything is written.
func (dl *Downloader) Head(ctx context.Context, in *DownloadInput) (*Download, error) {
	if dl.Client == nil {
		return nil, invalidInput("multipart: Downloader.Client is nil")
	}
	if in == nil {
		return nil, errNilInput
	}
	ps := dl.PartSize
	if ps == 0 {
		ps = DefaultPartSize
	}
	if ps < 0 {
		return nil, invalidInput("multipart: negative PartSize %d", ps)
	}
	st := downloadSettings{concurrency: dl.Concurrency, attempts: dl.Attempts, readSize: dl.ReadSize, queue: dl.QueueSize}
	if st.concurrency <= 0 {
		st.concurrency = DefaultConcurrency
	}
	if st.attempts <= 0 {
		st.attempts = DefaultDownloadAttempts
	}
	if st.readSize <= 0 {
		st.readSize = DefaultReadSize
	}
	st.readSize = min(st.readSize, ps)
	if st.queue <= 0 {
		st.queue = DefaultQueueSize
	}
	meta, err := dl.Client.HeadObject(ctx, &s3client.GetObjectInput{
		Bucket: in.Bucket, Key: in.Key, VersionID: in.VersionID,
		SSECustomer: in.SSECustomer, Common: in.Common, ChecksumMode: !in.NoVerify,
	})
	if err != nil {
		return nil, err
	}
	// The size decides how many ranges are fetched and where they are
	// written: a size no object has (a negative one, or 2^63-1, which
	// overflowed the count of ranges) ends the download here.
	if meta.ContentLength < 0 || meta.ContentLength > MaxDownloadSize {
		return nil, fmt.Errorf("%w: HeadObject gave %d bytes", ErrObjectSize, meta.ContentLength)
	}
	n, err := rangeCount(meta.ContentLength, ps)
	if err != nil {
		return nil, err
	}
	d := &Download{Size: meta.ContentLength, ETag: meta.ETag, VersionID: meta.VersionID, Checksums: meta.Checksums,
		Parts: n, client: dl.Client, in: *in, st: st, dl: dl, partSize: ps}
	if !in.NoVerify {
		d.want, d.hasWant = fullObjectChecksum(&meta.Checksums)
	}
	if fn := dl.Events.Sized; fn != nil {
		fn(d.Size)
	}
	return d, nil
}

// Resumed is the number of ranges Skip said were already there.
func (d *Download) Resumed() int { return int(d.resumed.Load()) }

// WriteAt writes the object to w, each range at base plus its offset, as
// it arrives, Concurrency ranges at once. ra, if not nil, reads back what
// was written (the same file), to verify a digest that cannot be computed
// as the ranges arrive out of order, and ranges Skip kept.
func (d *Download) WriteAt(ctx context.Context, w io.WriterAt, base int64, ra io.ReaderAt) error {
	d.wa, d.base, d.ra = w, base, ra
	return d.run(ctx)
}

// WriteTo writes the object to w in order. If w is also an io.WriterAt
// and an io.Seeker that can seek (an *os.File opened on a regular file,
// without O_APPEND), each range is written at its offset from w's current
// position, and w is left after the object as a sequential write would
// leave it. Otherwise the ranges pass through a reorder queue of at most
// QueueSize × ReadSize bytes and are written in order: to a pipe,
// a terminal, a hash, a bytes.Buffer. On error, w may hold part of the
// object.
func (d *Download) WriteTo(ctx context.Context, w io.Writer) error {
	d.setWriter(w)
	if err := d.run(ctx); err != nil {
		return err
	}
	if d.seeker != nil {
		_, err := d.seeker.Seek(d.base+d.Size, io.SeekStart)
		return err
	}
	return nil
}

// rangeCount returns how many ranges of chunk bytes hold size bytes
// (0 ≤ size ≤ MaxDownloadSize), or an error if that many do not fit an
// int, as on a 32-bit platform with tiny ranges.
func rangeCount(size, chunk int64) (int, error) {
	if chunk <= 0 {
		return 0, fmt.Errorf("multipart: range size %d", chunk)
	}
	n := size / chunk
	if size%chunk != 0 {
		n++
	}
	if int64(int(n)) != n {
		return 0, fmt.Errorf("%w: %d bytes need %d ranges of %d, too many for this platform", ErrObjectSize, size, n, chunk)
	}
	return int(n), nil
}

// setWriter chooses how the bytes reach w: at offsets when it can seek,
// else in order.
func (d *Download) setWriter(w io.Writer) {
	d.w = w
	wa, ok := w.(io.WriterAt)
	s, ok2 := w.(io.Seeker)
	if !ok || !ok2 {
		return
	}
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return // a pipe or a terminal: write in order
	}
	d.base, d.seeker, d.wa = pos, s, wa
	if ra, ok := w.(io.ReaderAt); ok {
		d.ra = ra
	}
}

// acquire takes n bytes of the Downloader's Memory, if it has one.
func (d *Download) acquire(ctx context.Context, n int64) (int64, error) {
	if d.dl.Memory == nil {
		return n, nil
	}
	return d.dl.Memory.Acquire(ctx, n)
}

func (d *Download) release(n int64) {
	if d.dl.Memory != nil {
		d.dl.Memory.Release(n)
	}
}

// progress tells Progress of n bytes.
func (d *Download) progress(n int64) {
	if fn := d.dl.Progress; fn != nil && n != 0 {
		d.evMu.Lock()
		defer d.evMu.Unlock()
		fn(n)
	}
}

// partDone tells Events.PartDone of a range in place.
func (d *Download) partDone(num int, size int64) {
	if fn := d.dl.Events.PartDone; fn != nil {
		d.evMu.Lock()
		defer d.evMu.Unlock()
		fn(num, size)
	}
}

// run downloads the ranges not yet done and verifies the result.
func (d *Download) run(ctx context.Context) error {
	if d.base < 0 || d.Size > math.MaxInt64-d.base {
		return fmt.Errorf("multipart: %d bytes do not fit after offset %d", d.Size, d.base)
	}
	if d.hasWant && d.want.combinable() {
		d.crc = newCRCJoin(d.want)
	}
	// One worker (no threads, or one range) fetches the ranges in order
	// and writes them as they come, on the caller's goroutine.
	oneWorker := min(d.st.concurrency, d.Parts) <= 1
	inOrder := d.wa == nil || oneWorker
	if d.hasWant && !d.want.combinable() && inOrder && d.Skip == nil {
		d.inOrderH = d.want.newHash()
	}
	var err error
	switch {
	case d.Size == 0:
	case oneWorker:
		err = d.serial(ctx)
	case d.wa != nil:
		err = d.parallelAt(ctx)
	default:
		err = d.parallelOrdered(ctx)
	}
	if err != nil {
		return err
	}
	return d.check(ctx)
}

// check verifies the object's checksum, when it has one we can compute:
// a whole-object one, or a composite one of a multipart object whose
// parts S3 lists and whose bytes can be read back (checkParts).
func (d *Download) check(ctx context.Context) error {
	if !d.hasWant {
		if !d.in.NoVerify && d.ra != nil && d.Size > 0 {
			return d.checkParts(ctx)
		}
		return nil
	}
	if d.Size == 0 {
		return d.want.checkHash(d.want.newHash())
	}
	if d.resumed.Load() == 0 {
		if d.crc != nil {
			if v, ok := d.crc.sum(d.Parts); ok {
				return d.want.check(d.want.encodeCRC(v))
			}
		}
		if d.inOrderH != nil {
			return d.want.checkHash(d.inOrderH)
		}
	}
	// Ranges from an earlier run, or a digest of parallel writes: read
	// the bytes back, when the destination allows it.
	if d.ra != nil {
		return d.want.checkReader(d.ra, d.base, d.Size)
	}
	return nil
}

// bounds returns the byte range of range i.
func (d *Download) bounds(i int) (int64, int64) {
	start := int64(i) * d.partSize
	return start, min(start+d.partSize, d.Size)
}

// skip reports whether range i is already in the destination (resume).
func (d *Download) skip(i int) bool {
	if d.Skip == nil || !d.Skip(i) {
		return false
	}
	start, end := d.bounds(i)
	d.resumed.Add(1)
	if d.crc != nil {
		d.crc.stop() // the range's bytes are not read: check reads the file back
	}
	d.progress(end - start)
	d.partDone(i+1, end-start)
	return true
}

// finished records a range that is now in the destination, and starts
// its write-back to the disk when the download is to be durable.
func (d *Download) finished(i int) {
	start, end := d.bounds(i)
	d.partDone(i+1, end-start)
}

// sink is where a range's bytes go: buffer lends room for n bytes at off,
// read fills some of it from a body, commit hands back that room holding p
// (possibly shorter, or empty).
type sink interface {
	buffer(ctx context.Context, off, n int64) ([]byte, error)
	read(body io.Reader, buf []byte) (int, error)
	commit(off int64, p []byte) error
}

// serial fetches the ranges one after the other on the caller's
// goroutine, writing them in order: the download's one-worker form.
func (d *Download) serial(ctx context.Context) error {
	grant, err := d.acquire(ctx, d.st.readSize)
	if err != nil {
		return err
	}
	defer d.release(grant)
	s := &directSink{d: d, buf: make([]byte, d.st.readSize)}
	for i := 0; i < d.Parts; i++ {
		if d.skip(i) {
			continue
		}
		if err := d.fetch(ctx, i, s); err != nil {
			return err
		}
	}
	return nil
}

// parallelAt fetches ranges on MaxConcurrency workers, each writing at
// the range's offset.
func (d *Download) parallelAt(ctx context.Context) error {
	workers := min(d.st.concurrency, d.Parts)
	grant, err := d.acquire(ctx, int64(workers)*d.st.readSize)
	if err != nil {
		return err
	}
	defer d.release(grant)
	return d.workers(ctx, workers, func() sink {
		return &directSink{d: d, buf: make([]byte, d.st.readSize)}
	}, nil)
}

// parallelOrdered fetches ranges on MaxConcurrency workers into the
// reorder queue, and writes the queue to d.w in order on the caller's
// goroutine.
func (d *Download) parallelOrdered(ctx context.Context) error {
	grant, err := d.acquire(ctx, queueBytes(d.st.queue, d.st.readSize, d.Size))
	if err != nil {
		return err
	}
	defer d.release(grant)
	q := newReorder(grant, 0)
	s := &queueSink{q: q}
	return d.workers(ctx, min(d.st.concurrency, d.Parts), func() sink { return s },
		func(gctx context.Context) error { return q.drain(gctx, d.w, d.Size, d.inOrderH) })
}

// queueBytes is the size of an in-order download's queue: queue chunks of
// readSize bytes, but no more than the object's size, and no more than one
// slice holds on this platform (a product that would overflow is the
// largest that does not).
func queueBytes(queue int, readSize, size int64) int64 {
	n := int64(math.MaxInt)
	if q := int64(queue); readSize <= n/q {
		n = q * readSize
	}
	return min(n, size)
}

// workers runs n workers taking ranges in ascending order (the reorder
// queue relies on it), and, if drain is set, drain on the caller's
// goroutine meanwhile. Every worker is joined before it returns.
func (d *Download) workers(ctx context.Context, n int, newSink func() sink, drain func(context.Context) error) error {
	g, gctx := group.WithContext(ctx, n)
	var next atomic.Int64
	for range n {
		s := newSink()
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= d.Parts || gctx.Err() != nil {
					return nil
				}
				if d.skip(i) {
					continue
				}
				if err := d.fetch(gctx, i, s); err != nil {
					return err
				}
			}
		})
	}
	if drain != nil {
		if err := drain(gctx); err != nil {
			g.Fail(err)
		}
	}
	err := g.Wait()
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return err
}

// errBody marks a failure while reading a body: the range is asked for
// again from the byte reached.
type errBody struct{ err error }

func (e *errBody) Error() string { return e.err.Error() }
func (e *errBody) Unwrap() error { return e.err }

// fetch downloads range i into s, resuming a broken body from the byte it
// reached, up to NumDownloadAttempts requests.
func (d *Download) fetch(ctx context.Context, i int, s sink) error {
	start, end := d.bounds(i)
	var h hash.Hash
	if d.crc != nil {
		h = d.want.newHash()
	}
	off := start
	for attempt := 1; ; attempt++ {
		err := d.get(ctx, &off, end, s, h)
		if err == nil {
			break
		}
		var be *errBody
		if !errors.As(err, &be) || ctx.Err() != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return err
		}
		if attempt >= d.st.attempts {
			return fmt.Errorf("%w: bytes %d-%d stopped at %d after %d attempts: %v", ErrShortBody, start, end-1, off, attempt, be.err)
		}
	}
	if h != nil {
		d.crc.add(i, sumOf(h), end-start)
	}
	d.finished(i)
	return nil
}

// get requests bytes *off to end-1 and passes them to s, advancing *off
// as they arrive.
func (d *Download) get(ctx context.Context, off *int64, end int64, s sink, h hash.Hash) error {
	// A version never changes: its ID pins it better than an ETag.
	pin := d.ETag
	if d.in.VersionID != "" {
		pin = ""
	}
	out, err := d.client.GetObject(ctx, &s3client.GetObjectInput{
		Bucket: d.in.Bucket, Key: d.in.Key, VersionID: d.in.VersionID,
		Range:       "bytes=" + strconv.FormatInt(*off, 10) + "-" + strconv.FormatInt(end-1, 10),
		Conditions:  s3client.Conditions{IfMatch: pin},
		SSECustomer: d.in.SSECustomer, Common: d.in.Common,
	})
	if err != nil {
		if errors.Is(err, s3client.ErrPreconditionFailed) {
			return fmt.Errorf("%w (ETag %s no longer matches): %w", ErrObjectChanged, d.ETag, err)
		}
		return err
	}
	defer out.Body.Close()
	// A server that ignores If-Match still names the version it sends.
	if out.ETag != "" && pin != "" && out.ETag != pin {
		return fmt.Errorf("%w: ETag %s became %s", ErrObjectChanged, d.ETag, out.ETag)
	}
	if first, ok := rangeStart(out.ContentRange); ok && first != *off {
		return fmt.Errorf("multipart: asked for bytes from %d, got %q", *off, out.ContentRange)
	} else if !ok && *off != 0 {
		// A whole body from the start serves a range from 0, not others.
		return fmt.Errorf("multipart: asked for bytes from %d, the server sent the whole object", *off)
	}
	chunk := d.st.readSize
	for *off < end {
		n := min(chunk, end-*off)
		buf, err := s.buffer(ctx, *off, n)
		if err != nil {
			return err
		}
		k, rerr := s.read(out.Body, buf)
		if k > 0 {
			wait.Bytes(ctx, d.dl.Limiter, int64(k))
			if h != nil {
				h.Write(buf[:k])
			}
		}
		if err := s.commit(*off, buf[:k]); err != nil {
			return err
		}
		if k > 0 {
			*off += int64(k)
			d.progress(int64(k))
		}
		if rerr != nil && *off < end {
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				rerr = io.ErrUnexpectedEOF
			}
			return &errBody{rerr}
		}
	}
	return nil
}

// rangeStart returns the first byte of a Content-Range "bytes a-b/size".
func rangeStart(cr string) (int64, bool) {
	spec, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// directSink writes each read straight to the destination: at its offset
// for an io.WriterAt, else in order (the serial download). A read that gave
// more than a TLS record (16 KiB) is written at once, as it came; smaller
// ones, over TLS every one, are gathered until half the buffer
// (IOChunkSize) is filled, or the body ended, so that a write does not cost
// a system call per record. On the virtual machine of issue 16's
// measurements (Linux 6.x, ext4), writing to disk over http:
//   - one write per read, as the raw net/http baseline does: 2,100-2,400
//     MB/s, 0.6-0.7 s of CPU a GiB, as fast as the baseline;
//   - every write gathered to half a buffer: 0.8-0.9 × that;
//   - every write a full buffer: 0.3-0.4 × that. Full buffers start every
//     write at a multiple of IOChunkSize from the range's start, which Linux
//     answers with large page-cache folios, up to ten times as slow to fill.
type directSink struct {
	d   *Download
	buf []byte
}

func (s *directSink) buffer(_ context.Context, _, n int64) ([]byte, error) { return s.buf[:n], nil }

// smallRead is the most a read may give and still be gathered with the
// next: a TLS record's plaintext, 16 KiB.
const smallRead = 16 << 10

func (s *directSink) read(body io.Reader, buf []byte) (int, error) {
	gather := min(max(len(s.buf)/2, 1), len(buf))
	n := 0
	for {
		k, err := body.Read(buf[n:])
		n += k
		if err != nil {
			if err == io.EOF && n > 0 {
				err = nil // the caller reads again, for the EOF alone
			}
			return n, err
		}
		if n >= gather || k > smallRead {
			return n, nil
		}
	}
}

func (s *directSink) commit(off int64, p []byte) error {
	if len(p) == 0 {
		return nil
	}
	d := s.d
	if d.inOrderH != nil {
		d.inOrderH.Write(p) // the serial download writes in order
	}
	if d.wa != nil {
		_, err := d.wa.WriteAt(p, d.base+off)
		return err
	}
	_, err := d.w.Write(p)
	return err
}

// queueSink lends the reorder queue's buffers.
type queueSink struct{ q *reorder }

func (s *queueSink) buffer(ctx context.Context, off, n int64) ([]byte, error) {
	return s.q.admit(ctx, off, n)
}

// read fills the whole buffer: the queue holds a bounded number of them,
// and the writer writes each as one.
func (s *queueSink) read(body io.Reader, buf []byte) (int, error) {
	return io.ReadFull(body, buf)
}

func (s *queueSink) commit(off int64, p []byte) error {
	s.q.put(off, p)
	return nil
}
