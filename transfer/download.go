package transfer

// Downloads: Download into an io.Writer (at offsets when it is a file
// that can seek, else in order through the reorder queue of reorder.go),
// DownloadAt into an io.WriterAt, and DownloadFile, which writes a
// temporary file beside the target and renames it into place.
//
// Every download first learns the object's size, ETag and checksum with
// HeadObject, then reads ranges of MultipartChunkSize bytes, each with
// If-Match on that ETag: an object replaced midway fails the download with
// ErrObjectChanged instead of mixing two versions. A range whose body
// breaks off is asked for again from the byte it reached. The size is the
// server's word: nothing is sized by it before it is checked against S3's
// largest object, and the state kept per range grows with the ranges
// fetched, not with the size.

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/s3client"
)

// maxObjectSize is the largest object S3 stores, 5 TiB.
const maxObjectSize int64 = 5 << 40

// Download writes the object bucket/key to w, in order (boto3's
// download_fileobj), and returns its size, ETag and version. DownloadArgs
// and progress options apply.
//
// Ranges of MultipartChunkSize are fetched on MaxConcurrency workers. If
// w is also an io.WriterAt and an io.Seeker that can seek (an *os.File
// opened on a regular file, without O_APPEND), each range is written at
// its offset from w's current position, and w is left after the object as a sequential write
// would leave it. Otherwise the ranges pass through a reorder queue of at
// most MaxIOQueue chunks of IOChunkSize bytes and are written in order:
// to a pipe, a terminal, a hash, a bytes.Buffer. On error, w may hold part
// of the object.
func (m *Manager) Download(ctx context.Context, bucket, key string, w io.Writer, opts ...DownloadOption) (*Result, error) {
	if w == nil {
		return nil, newError("Download", bucket, key, "", fmt.Errorf("%w: nil writer", s3client.ErrInvalidInput))
	}
	return m.download(ctx, "Download", bucket, key, w, nil, opts)
}

// DownloadAt writes the object bucket/key to w, each range at its offset
// (from 0) as it arrives, MaxConcurrency ranges at once: the download for
// destinations that are not streams, such as a preallocated buffer or a
// region of a larger file (io.NewOffsetWriter). DownloadArgs and progress
// options apply.
func (m *Manager) DownloadAt(ctx context.Context, bucket, key string, w io.WriterAt, opts ...DownloadOption) (*Result, error) {
	if w == nil {
		return nil, newError("DownloadAt", bucket, key, "", fmt.Errorf("%w: nil writer", s3client.ErrInvalidInput))
	}
	return m.download(ctx, "DownloadAt", bucket, key, nil, w, opts)
}

func (m *Manager) download(ctx context.Context, op, bucket, key string, w io.Writer, wa io.WriterAt, opts []DownloadOption) (*Result, error) {
	o := options(opts, DownloadOption.downloadOption)
	rep := newReporter(o, nil, "Download", bucket, key, "")
	d, err := m.newDownload(o.download, rep, bucket, key)
	if err == nil {
		err = d.head(ctx)
	}
	var res *Result
	if err == nil {
		if wa != nil {
			d.wa = wa
			if ra, ok := wa.(io.ReaderAt); ok {
				d.ra = ra
			}
		} else {
			d.setWriter(w)
		}
		res, err = d.run(ctx)
		if err == nil && d.seeker != nil {
			_, err = d.seeker.Seek(d.base+d.size, io.SeekStart)
		}
	}
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return res, nil
}

// DownloadFile downloads bucket/key to filename (boto3's download_file).
// DownloadArgs and progress options apply. It writes a temporary
// file in the same directory and renames it to filename only when the
// whole object has arrived (and matched its checksum): filename is either
// left as it was or replaced by the complete new file, never a partial
// one. The temporary file is removed on failure and cancellation, unless
// Config.Resume keeps it for the next call. The new file's permissions
// are 0666 less the umask, as os.Create's. A filename that is a directory,
// or in a directory that does not exist, fails before any request.
//
// A crash of the program midway (a kill, a panic elsewhere) leaves
// filename as it was too, and the temporary file beside it: named
// ".NAME.s3kit-RANDOM.part", for the next call with Config.Resume to carry
// on in, or for a clean-up to find. When DownloadFile returns, the file is
// complete but not necessarily on the disk yet, as with boto3 and the AWS
// SDKs; Config.DurableDownloads makes it wait until file and name are on
// stable storage.
//
// The directory is opened once, as an os.Root: the temporary file is
// created in it (with O_EXCL, under a random name), reopened by a resumed
// download only if it is still a regular file and not a symbolic link,
// and renamed within it. A directory renamed or replaced by a link
// meanwhile does not carry the file elsewhere.
func (m *Manager) DownloadFile(ctx context.Context, bucket, key, filename string, opts ...DownloadOption) (*Result, error) {
	const op = "DownloadFile"
	o := options(opts, DownloadOption.downloadOption)
	rep := newReporter(o, nil, "Download", bucket, key, filename)
	res, err := m.downloadFile(ctx, o.download, rep, bucket, key, filename)
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, filename, err)
	}
	return res, nil
}

// DownloadFileIn downloads bucket/key to the file rel names inside root, a
// directory the caller holds open, as DownloadFile does (through a
// temporary file renamed into place, resumable, verified). rel is
// slash-separated and local: a name with "..", an absolute one or one
// with a volume name is refused with ErrUnsafeKey before any request.
// The directories on the way are opened one at a time within root and
// created when missing; one that is a symbolic link, or is swapped for one
// meanwhile, is refused with ErrUnsafeKey, so that nothing renamed on the
// way carries the file out of root. It is DownloadDirectory's way of
// writing each file, for callers that choose the files themselves (the
// s3kit command's sync and mv).
func (m *Manager) DownloadFileIn(ctx context.Context, bucket, key string, root *os.Root, rel string, opts ...DownloadOption) (*Result, error) {
	const op = "DownloadFile"
	if root == nil {
		return nil, newError(op, bucket, key, rel, fmt.Errorf("%w: nil directory", s3client.ErrInvalidInput))
	}
	o := options(opts, DownloadOption.downloadOption)
	target, err := safeJoin(root.Name(), rel)
	if err != nil {
		return nil, newError(op, bucket, key, rel, err)
	}
	parent, name, err := openParent(root, rel)
	if err != nil {
		return nil, newError(op, bucket, key, target, err)
	}
	defer parent.Close()
	rep := newReporter(o, nil, "Download", bucket, key, target)
	res, err := m.downloadInto(ctx, o.download, rep, bucket, key, parent, name, target)
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, target, err)
	}
	return res, nil
}

// downloadFile opens the directory of filename and downloads into it.
func (m *Manager) downloadFile(ctx context.Context, args *DownloadArgs, rep *reporter, bucket, key, filename string) (*Result, error) {
	if filename == "" {
		return nil, fmt.Errorf("%w: empty file name", s3client.ErrInvalidInput)
	}
	dir, name := filepath.Split(filename)
	if name == "" {
		return nil, fmt.Errorf("transfer: %s names a directory", filename)
	}
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return m.downloadInto(ctx, args, rep, bucket, key, root, name, filename)
}

// downloadInto downloads bucket/key to the file name (one path element)
// of dir, through a temporary file beside it. filename is the target as
// the caller knows it: for errors and to identify the resume journal.
func (m *Manager) downloadInto(ctx context.Context, args *DownloadArgs, rep *reporter, bucket, key string, dir *os.Root, name, filename string) (res *Result, err error) {
	d, err := m.newDownload(args, rep, bucket, key)
	if err != nil {
		return nil, err
	}
	// A target that can never be written fails before the first request:
	// the rename would refuse a directory only after the whole object had
	// been read. (Lstat, as rename replaces a symbolic link rather than
	// follow it.)
	if fi, err := dir.Lstat(name); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("transfer: %s is a directory", filename)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var f *os.File
	var temp string // the temporary file, in dir
	var r *resumeFile
	if m.cfg.Resume {
		r, err = m.openResumeFile(d, dir, name, filename)
		if err == nil {
			f, temp = r.f, r.temp
		}
	} else {
		f, temp, err = createTemp(dir, name)
	}
	if err != nil {
		return nil, err
	}
	var j *downloadJournal
	defer func() {
		if err == nil {
			return
		}
		f.Close()
		switch {
		case j != nil:
			// Keep the temporary file and say which ranges it holds.
			if jerr := j.save(); jerr != nil {
				dir.Remove(temp)
				removeJournal(j.path)
			}
		case r != nil && r.reused:
			// Failed before the object was known: the journal on disk
			// still describes the temporary file.
		default:
			dir.Remove(temp)
		}
	}()
	if err = d.head(ctx); err != nil {
		return nil, err
	}
	if r != nil {
		if j, err = r.journal(d); err != nil {
			return nil, err
		}
		d.journal = j
	}
	d.wa, d.ra = f, f
	if m.cfg.DurableDownloads {
		d.flush = newFlusher(f)
		defer d.flush.stop()
	}
	res, err = d.run(ctx)
	if err != nil {
		return nil, err
	}
	// The rename comes after the last write: a crash of the program
	// leaves the old file or the whole new one under the name. Durable
	// downloads also wait for the data to reach the disk before the
	// rename, so that after a power loss the name never points at a file
	// whose data did not; most of it was written back while the ranges
	// arrived (see sync.go).
	if d.flush != nil {
		if err = d.flush.sync(); err != nil {
			return nil, err
		}
	}
	if err = f.Close(); err != nil {
		return nil, err
	}
	if err = renameIn(dir, temp, name); err != nil {
		return nil, err
	}
	if j != nil {
		removeJournal(j.path)
	}
	if d.flush != nil {
		if err := syncDir(dir); err != nil {
			// Too late to keep the old file: say that the new one is in
			// place but its name may not survive a power loss.
			return nil, fmt.Errorf("transfer: %s is in place, but syncing its directory failed: %w", filename, err)
		}
	}
	return res, nil
}

// tempPrefix and tempSuffix frame the random part of the name of the
// temporary file of a download to name.
func tempPrefix(name string) string { return "." + name + ".s3kit-" }

const tempSuffix = ".part"

// createTemp creates an empty temporary file beside name in dir, with the
// permissions os.Create would give name, and returns it and its name.
// O_EXCL never follows a symbolic link: a link planted under the name
// fails the creation instead of redirecting it.
func createTemp(dir *os.Root, name string) (*os.File, string, error) {
	for range 10 {
		temp := tempPrefix(name) + randomSuffix() + tempSuffix
		f, err := dir.OpenFile(temp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, temp, err
	}
	return nil, "", fmt.Errorf("transfer: no free temporary file name beside %s", name)
}

// reopenTemp opens for writing the temporary file temp of an earlier
// download to name in dir, if it is still one: a regular file, not a
// symbolic link, under a name createTemp could have given. Lstat and open
// are two steps, so the file opened must also be the one Lstat saw: a
// name swapped for a link in between is caught by os.SameFile, and the
// file is closed unwritten. (dir keeps any link followed by the open
// inside the directory.)
func reopenTemp(dir *os.Root, temp, name string) *os.File {
	rnd, ok := strings.CutPrefix(temp, tempPrefix(name))
	if !ok || !strings.HasSuffix(rnd, tempSuffix) {
		return nil
	}
	before, err := dir.Lstat(temp)
	if err != nil || !before.Mode().IsRegular() {
		return nil
	}
	f, err := dir.OpenFile(temp, os.O_RDWR, 0)
	if err != nil {
		return nil
	}
	if after, err := f.Stat(); err != nil || !os.SameFile(before, after) {
		f.Close()
		return nil
	}
	return f
}

// resumeFile is the temporary file of a DownloadFile with Resume, opened
// before the object is known: the one an earlier, interrupted download of
// the same object to the same file left (reused), or a new one.
type resumeFile struct {
	f      *os.File
	temp   string // f's name in the target's directory
	abs    string // the target
	path   string // the journal
	old    downloadJournal
	reused bool
}

// openResumeFile opens the temporary file in dir that the journal of an
// earlier download of the same object to filename (name in dir) names, or
// creates a new one. Whether the object is still the one that file holds
// is for journal to say, once HeadObject has told.
func (m *Manager) openResumeFile(d *download, dir *os.Root, name, filename string) (*resumeFile, error) {
	abs, err := filepath.Abs(filename)
	if err != nil {
		return nil, err
	}
	path, err := m.journalPath("download", d.bucket, d.key, d.args.VersionID, abs)
	if err != nil {
		return nil, err
	}
	r := &resumeFile{abs: abs, path: path}
	found, err := readJournal(path, &r.old)
	if err != nil {
		return nil, err
	}
	if found && r.old.Temp != "" && filepath.Dir(r.old.Temp) == filepath.Dir(abs) {
		temp := filepath.Base(r.old.Temp)
		if f := reopenTemp(dir, temp, name); f != nil {
			r.f, r.temp, r.reused = f, temp, true
			return r, nil
		}
	}
	if r.f, r.temp, err = createTemp(dir, name); err != nil {
		return nil, err
	}
	return r, nil
}

// journal returns the journal of the download d, which has learnt the
// object: the earlier one, with the ranges it holds, if it was of the
// same object, else a new one, saved, whose temporary file is emptied.
func (r *resumeFile) journal(d *download) (*downloadJournal, error) {
	j := &downloadJournal{Version: journalVersion, Bucket: d.bucket, Key: d.key, VersionID: d.args.VersionID,
		Target: r.abs, ETag: d.etag, Size: d.size, ChunkSize: d.chunk, Temp: filepath.Join(filepath.Dir(r.abs), r.temp), path: r.path}
	if r.reused && j.sameObject(&r.old) {
		j.Done = r.old.Done
		return j, nil
	}
	if r.reused {
		// The object changed, or the journal is of another layout: the
		// bytes in the file are of no use.
		if err := r.f.Truncate(0); err != nil {
			r.reused = false // the caller removes the file
			removeJournal(r.path)
			return nil, err
		}
	}
	if err := j.save(); err != nil {
		r.reused = false
		removeJournal(r.path)
		return nil, err
	}
	return j, nil
}

// download is the state of one download.
type download struct {
	m      *Manager
	args   *DownloadArgs
	rep    *reporter
	bucket string
	key    string
	verify bool

	// From HeadObject.
	size      int64
	etag      string
	versionID string
	checksums s3client.Checksums

	chunk int64 // range size
	n     int   // number of ranges

	// The destination: wa at base+offset, else w in order.
	wa     io.WriterAt
	base   int64
	seeker io.Seeker // moved past the object at the end
	w      io.Writer
	ra     io.ReaderAt // the written bytes, to verify a SHA digest

	journal *downloadJournal // DownloadFile with Resume
	resumed atomic.Int64
	flush   *flusher // DownloadFile with DurableDownloads

	want     want
	hasWant  bool
	crc      *crcJoin  // the ranges' CRCs, when want is a CRC
	inOrderH hash.Hash // the digest of bytes written in order
}

func (m *Manager) newDownload(args *DownloadArgs, rep *reporter, bucket, key string) (*download, error) {
	verify, err := args.verify()
	if err != nil {
		return nil, err
	}
	return &download{m: m, args: args, rep: rep, bucket: bucket, key: key, verify: verify, chunk: m.cfg.MultipartChunkSize}, nil
}

// head learns the object's size, ETag, version and checksum.
func (d *download) head(ctx context.Context) error {
	meta, err := d.m.api.HeadObject(ctx, &s3client.GetObjectInput{
		Bucket: d.bucket, Key: d.key, VersionID: d.args.VersionID,
		SSECustomer: d.args.sse(), Common: d.args.common(), ChecksumMode: d.verify,
	})
	if err != nil {
		return err
	}
	// The size decides how many ranges are fetched and where they are
	// written: a size no object has (a negative one, or 2^63-1, which
	// overflowed the count of ranges) ends the download here.
	if meta.ContentLength < 0 || meta.ContentLength > maxObjectSize {
		return fmt.Errorf("%w: HeadObject gave %d bytes", ErrObjectSize, meta.ContentLength)
	}
	n, err := rangeCount(meta.ContentLength, d.chunk)
	if err != nil {
		return err
	}
	d.size, d.etag, d.versionID, d.checksums = meta.ContentLength, meta.ETag, meta.VersionID, meta.Checksums
	d.n = n
	if d.verify {
		d.want, d.hasWant = fullObjectChecksum(&meta.Checksums)
	}
	d.rep.start(d.size)
	return nil
}

// rangeCount returns how many ranges of chunk bytes hold size bytes
// (0 ≤ size ≤ maxObjectSize), or an error if that many do not fit an int,
// as on a 32-bit platform with tiny ranges.
func rangeCount(size, chunk int64) (int, error) {
	if chunk <= 0 {
		return 0, fmt.Errorf("transfer: range size %d", chunk)
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
func (d *download) setWriter(w io.Writer) {
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

// run downloads the ranges not yet done and verifies the result.
func (d *download) run(ctx context.Context) (*Result, error) {
	if d.base < 0 || d.size > math.MaxInt64-d.base {
		return nil, fmt.Errorf("transfer: %d bytes do not fit after offset %d", d.size, d.base)
	}
	if d.hasWant && d.want.combinable() {
		d.crc = newCRCJoin(d.want)
	}
	// One worker (no threads, or one range) fetches the ranges in order
	// and writes them as they come, on the caller's goroutine.
	oneWorker := min(d.m.workers(), d.n) <= 1
	inOrder := d.wa == nil || oneWorker
	if d.hasWant && !d.want.combinable() && inOrder && d.journal == nil {
		d.inOrderH = d.want.newHash()
	}
	var err error
	switch {
	case d.size == 0:
	case oneWorker:
		err = d.serial(ctx)
	case d.wa != nil:
		err = d.parallelAt(ctx)
	default:
		err = d.parallelOrdered(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Result{Bucket: d.bucket, Key: d.key, ETag: d.etag, VersionID: d.versionID, Size: d.size,
		Checksums: d.checksums, Parts: d.n, Resumed: int(d.resumed.Load())}, nil
}

// check verifies the object's checksum, when it has one we can compute.
func (d *download) check() error {
	if !d.hasWant {
		return nil
	}
	if d.size == 0 {
		return d.want.checkHash(d.want.newHash())
	}
	if d.resumed.Load() == 0 {
		if d.crc != nil {
			if v, ok := d.crc.sum(d.n); ok {
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
		return d.want.checkReader(d.ra, d.base, d.size)
	}
	return nil
}

// bounds returns the byte range of range i.
func (d *download) bounds(i int) (int64, int64) {
	start := int64(i) * d.chunk
	return start, min(start+d.chunk, d.size)
}

// skip reports whether range i is already in the destination (resume).
func (d *download) skip(i int) bool {
	if d.journal == nil || !d.journal.isDone(i) {
		return false
	}
	start, end := d.bounds(i)
	d.resumed.Add(1)
	if d.crc != nil {
		d.crc.stop() // the range's bytes are not read: check reads the file back
	}
	d.rep.add(end - start)
	d.rep.part(i+1, end-start)
	return true
}

// finished records a range that is now in the destination, and starts
// its write-back to the disk when the download is to be durable.
func (d *download) finished(i int) {
	start, end := d.bounds(i)
	if d.flush != nil {
		d.flush.finished(d.base+start, end-start)
	}
	if d.journal != nil {
		d.journal.markDone(i)
	}
	d.rep.part(i+1, end-start)
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
func (d *download) serial(ctx context.Context) error {
	grant, err := d.m.memory.Acquire(ctx, d.m.cfg.IOChunkSize)
	if err != nil {
		return err
	}
	defer d.m.memory.Release(grant)
	s := &directSink{d: d, buf: make([]byte, d.m.cfg.IOChunkSize)}
	for i := 0; i < d.n; i++ {
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
func (d *download) parallelAt(ctx context.Context) error {
	workers := min(d.m.workers(), d.n)
	grant, err := d.m.memory.Acquire(ctx, int64(workers)*d.m.cfg.IOChunkSize)
	if err != nil {
		return err
	}
	defer d.m.memory.Release(grant)
	return d.workers(ctx, workers, func() sink {
		return &directSink{d: d, buf: make([]byte, d.m.cfg.IOChunkSize)}
	}, nil)
}

// parallelOrdered fetches ranges on MaxConcurrency workers into the
// reorder queue, and writes the queue to d.w in order on the caller's
// goroutine.
func (d *download) parallelOrdered(ctx context.Context) error {
	ioc := d.m.cfg.IOChunkSize
	grant, err := d.m.memory.Acquire(ctx, int64(d.m.cfg.MaxIOQueue)*ioc)
	if err != nil {
		return err
	}
	defer d.m.memory.Release(grant)
	q := newReorder(ioc, int(grant/ioc), 0)
	s := &queueSink{q: q}
	return d.workers(ctx, min(d.m.workers(), d.n), func() sink { return s },
		func(gctx context.Context) error { return q.drain(gctx, d.w, d.size, d.inOrderH) })
}

// workers runs n workers taking ranges in ascending order (the reorder
// queue relies on it), and, if drain is set, drain on the caller's
// goroutine meanwhile. Every worker is joined before it returns.
func (d *download) workers(ctx context.Context, n int, newSink func() sink, drain func(context.Context) error) error {
	g, gctx := group.WithContext(ctx, n)
	var next atomic.Int64
	for range n {
		s := newSink()
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= d.n || gctx.Err() != nil {
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
func (d *download) fetch(ctx context.Context, i int, s sink) error {
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
		if attempt >= d.m.cfg.NumDownloadAttempts {
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
func (d *download) get(ctx context.Context, off *int64, end int64, s sink, h hash.Hash) error {
	// A version never changes: its ID pins it better than an ETag.
	pin := d.etag
	if d.args.VersionID != "" {
		pin = ""
	}
	out, err := d.m.api.GetObject(ctx, &s3client.GetObjectInput{
		Bucket: d.bucket, Key: d.key, VersionID: d.args.VersionID,
		Range:       "bytes=" + strconv.FormatInt(*off, 10) + "-" + strconv.FormatInt(end-1, 10),
		Conditions:  s3client.Conditions{IfMatch: pin},
		SSECustomer: d.args.sse(), Common: d.args.common(),
	})
	if err != nil {
		if errors.Is(err, s3client.ErrPreconditionFailed) {
			return fmt.Errorf("%w (ETag %s no longer matches): %w", ErrObjectChanged, d.etag, err)
		}
		return err
	}
	defer out.Body.Close()
	// A server that ignores If-Match still names the version it sends.
	if out.ETag != "" && pin != "" && out.ETag != pin {
		return fmt.Errorf("%w: ETag %s became %s", ErrObjectChanged, d.etag, out.ETag)
	}
	if first, ok := rangeStart(out.ContentRange); ok && first != *off {
		return fmt.Errorf("transfer: asked for bytes from %d, got %q", *off, out.ContentRange)
	} else if !ok && *off != 0 {
		// A whole body from the start serves a range from 0, not others.
		return fmt.Errorf("transfer: asked for bytes from %d, the server sent the whole object", *off)
	}
	chunk := d.m.cfg.IOChunkSize
	for *off < end {
		n := min(chunk, end-*off)
		buf, err := s.buffer(ctx, *off, n)
		if err != nil {
			return err
		}
		k, rerr := s.read(out.Body, buf)
		if k > 0 {
			d.m.pace(ctx, int64(k))
			if h != nil {
				h.Write(buf[:k])
			}
		}
		if err := s.commit(*off, buf[:k]); err != nil {
			return err
		}
		if k > 0 {
			*off += int64(k)
			d.rep.add(int64(k))
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
// for an io.WriterAt, else in order (the serial download). A write holds
// what reads of at most half a buffer (IOChunkSize) gave until half of it
// was filled, or the body ended. Writes of one read each would cost a
// system call per read, and over TLS a read returns one record, 16 KiB.
// Full buffers would start every write at a multiple of IOChunkSize from
// the range's start, which Linux (ext4, 6.x) answers with large page-cache
// folios: on the virtual machine of issue 16's measurements those took up
// to ten times as long to fill as the smaller folios of writes that start
// where the first read of the body happened to end, as reads of half a
// buffer keep them.
type directSink struct {
	d   *download
	buf []byte
}

func (s *directSink) buffer(_ context.Context, _, n int64) ([]byte, error) { return s.buf[:n], nil }

func (s *directSink) read(body io.Reader, buf []byte) (int, error) {
	half := max(len(s.buf)/2, 1)
	want := min(half, len(buf))
	n := 0
	for n < want {
		k, err := body.Read(buf[n:min(n+half, len(buf))])
		n += k
		if err != nil {
			if err == io.EOF && n > 0 {
				err = nil // the caller reads again, for the EOF alone
			}
			return n, err
		}
	}
	return n, nil
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
