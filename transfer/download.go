package transfer

// Downloads: Download into an io.Writer, DownloadAt into an io.WriterAt,
// and DownloadFile (and DownloadFileIn), which write a temporary file
// beside the target and rename it into place. The ranges are the
// multipart engine's Downloader (HeadObject, then ranges of
// MultipartChunkSize pinned to the ETag, resumed from the byte a broken
// body reached, verified against the object's checksum); this file adds
// the files, the resume journal and the flush to stable storage.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// Download writes the object bucket/key to w, in order (boto3's
// download_fileobj), and returns its size, ETag and version. DownloadArgs
// and progress options apply.
//
// Ranges of MultipartChunkSize are fetched on MaxConcurrency workers. If
// w is also an io.WriterAt and an io.Seeker that can seek (an *os.File
// opened on a regular file, without O_APPEND), each range is written at
// its offset from w's current position, and w is left after the object
// as a sequential write would leave it. Otherwise the ranges pass
// through a reorder queue of at most MaxIOQueue × IOChunkSize bytes and
// are written in order: to a pipe, a terminal, a hash, a bytes.Buffer. On
// error, w may hold part of the object.
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
	res, err := m.downloadTo(ctx, o.download, rep, bucket, key, w, wa)
	rep.finish(err)
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	return res, nil
}

func (m *Manager) downloadTo(ctx context.Context, args *DownloadArgs, rep *reporter, bucket, key string, w io.Writer, wa io.WriterAt) (*Result, error) {
	dl, in, err := m.downloader(args, rep, bucket, key)
	if err != nil {
		return nil, err
	}
	d, err := dl.Head(ctx, in)
	if err != nil {
		return nil, err
	}
	if wa != nil {
		ra, _ := wa.(io.ReaderAt)
		err = d.WriteAt(ctx, wa, 0, ra)
	} else {
		err = d.WriteTo(ctx, w)
	}
	if err != nil {
		return nil, err
	}
	return downloadResult(bucket, key, d), nil
}

// downloader returns the multipart engine's Downloader for one download,
// and its input: the Manager's range size, workers, attempts, buffers,
// bandwidth cap and memory budget, progress and ranges reported to rep.
func (m *Manager) downloader(args *DownloadArgs, rep *reporter, bucket, key string) (*multipart.Downloader, *multipart.DownloadInput, error) {
	verify, err := args.verify()
	if err != nil {
		return nil, nil, err
	}
	dl := &multipart.Downloader{
		Client:      m.api,
		PartSize:    m.cfg.MultipartChunkSize,
		Concurrency: m.workers(),
		Attempts:    m.cfg.NumDownloadAttempts,
		ReadSize:    m.cfg.IOChunkSize,
		QueueSize:   m.cfg.MaxIOQueue,
		Memory:      m.memory,
		Events:      multipart.Events{Sized: rep.start, PartDone: rep.part},
	}
	if rep.active() {
		dl.Progress = rep.add
	}
	dl.Limiter = m.limiter
	in := &multipart.DownloadInput{Bucket: bucket, Key: key, VersionID: args.VersionID,
		SSECustomer: args.SSECustomer, Common: args.Common, NoVerify: !verify}
	return dl, in, nil
}

func downloadResult(bucket, key string, d *multipart.Download) *Result {
	return &Result{Bucket: bucket, Key: key, ETag: d.ETag, VersionID: d.VersionID, Size: d.Size,
		Checksums: d.Checksums, Parts: d.Parts, Resumed: d.Resumed()}
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
	dl, in, err := m.downloader(args, rep, bucket, key)
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
		r, err = m.openResumeFile(bucket, key, args.VersionID, dir, name, filename)
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
	var flush *flusher
	if m.cfg.DurableDownloads {
		flush = newFlusher(f)
		defer flush.stop()
	}
	// Each range in place is journaled (resume), and its write-back to the
	// disk started while later ones arrive (durable downloads).
	chunk := m.cfg.MultipartChunkSize
	dl.Events.PartDone = func(num int, size int64) {
		if flush != nil {
			flush.finished(int64(num-1)*chunk, size)
		}
		if j != nil {
			j.markDone(num - 1)
		}
		rep.part(num, size)
	}
	d, err := dl.Head(ctx, in)
	if err != nil {
		return nil, err
	}
	if r != nil {
		if j, err = r.journal(d, bucket, key, args.VersionID, chunk); err != nil {
			return nil, err
		}
		d.Skip = j.isDone
	}
	if err = d.WriteAt(ctx, f, 0, f); err != nil {
		return nil, err
	}
	res = downloadResult(bucket, key, d)
	// The rename comes after the last write: a crash of the program
	// leaves the old file or the whole new one under the name. Durable
	// downloads also wait for the data to reach the disk before the
	// rename, so that after a power loss the name never points at a file
	// whose data did not; most of it was written back while the ranges
	// arrived (see sync.go).
	if flush != nil {
		if err = flush.sync(); err != nil {
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
	if flush != nil {
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
func (m *Manager) openResumeFile(bucket, key, versionID string, dir *os.Root, name, filename string) (*resumeFile, error) {
	abs, err := filepath.Abs(filename)
	if err != nil {
		return nil, err
	}
	path, err := m.journalPath("download", bucket, key, versionID, abs)
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

// journal returns the journal of the download d (of bucket/key, in
// ranges of chunk bytes), which has learnt the object: the earlier one, with the ranges it holds, if it was of the
// same object, else a new one, saved, whose temporary file is emptied.
func (r *resumeFile) journal(d *multipart.Download, bucket, key, versionID string, chunk int64) (*downloadJournal, error) {
	j := &downloadJournal{Version: journalVersion, Bucket: bucket, Key: key, VersionID: versionID,
		Target: r.abs, ETag: d.ETag, Size: d.Size, ChunkSize: chunk, Temp: filepath.Join(filepath.Dir(r.abs), r.temp), path: r.path}
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
