package transfer

// Directory transfers, beyond boto3: UploadDirectory and DownloadDirectory
// move a tree of files, MaxConcurrency files at a time, report each file's
// outcome, and never let a key write outside the target directory: its
// name is checked, and then every directory on the way to the file is
// opened relative to its parent (os.Root), so that one replaced by a link
// between the check and the write cannot carry the file elsewhere.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/s3kit/s3kit/internal/group"
	"github.com/s3kit/s3kit/s3client"
)

// FileResult is the outcome of one file of a directory transfer.
type FileResult struct {
	Path   string  // the local file; empty for a key DownloadDirectory refused
	Key    string  // the object
	Result *Result // nil on failure
	Err    error   // nil on success
}

// DirectoryResult is the outcome of a directory transfer: every file it
// tried, in the order of the walk (upload) or the listing (download).
type DirectoryResult struct {
	Files  []FileResult
	Bytes  int64 // transferred by the files that succeeded
	Failed int   // files whose Err is set
}

// DirectoryError is the error of a directory transfer in which some files
// failed; the others were transferred. It unwraps to each file's error.
type DirectoryError struct {
	Op     string // "UploadDirectory" or "DownloadDirectory"
	Failed int
	Total  int
	Errs   []error
}

// Error says how many files failed and why the first did.
func (e *DirectoryError) Error() string {
	return fmt.Sprintf("transfer: %s: %d of %d files failed; first: %v", e.Op, e.Failed, e.Total, e.Errs[0])
}

// Unwrap returns the files' errors.
func (e *DirectoryError) Unwrap() []error { return e.Errs }

// UploadDirectory uploads every regular file under dir to bucket, each at
// prefix followed by its slash-separated path relative to dir
// ("photos/2024/a.jpg" for dir/2024/a.jpg with prefix "photos/"; prefix is
// used as given, so end it with "/" for a folder). Symbolic links and
// other non-regular files are skipped. A Filter chooses files by relative
// path; UploadArgs and progress options apply to every file (the
// Callback and Listener hear all of them, serialized).
//
// Files are uploaded MaxConcurrency at a time (one at a time without
// threads). A file that fails does not stop the others: the result lists
// each file with its outcome, and the error is a *DirectoryError. A
// failure to walk dir, or the end of ctx, stops the transfer.
func (m *Manager) UploadDirectory(ctx context.Context, dir, bucket, prefix string, opts ...UploadDirectoryOption) (*DirectoryResult, error) {
	const op = "UploadDirectory"
	o := options(opts, UploadDirectoryOption.uploadDirectoryOption)
	var jobs []FileResult
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if o.filter != nil && !o.filter(rel) {
			return nil
		}
		jobs = append(jobs, FileResult{Path: p, Key: prefix + rel})
		return nil
	})
	if err != nil {
		return nil, newError(op, bucket, prefix, dir, err)
	}
	mu := new(sync.Mutex)
	return m.runFiles(ctx, op, jobs, func(ctx context.Context, f *FileResult) (*Result, error) {
		rep := newReporter(o, mu, "Upload", bucket, f.Key, f.Path)
		res, err := m.uploadFile(ctx, o.upload, rep, f.Path, bucket, f.Key)
		rep.finish(err)
		if err != nil {
			return nil, newError("UploadFile", bucket, f.Key, f.Path, err)
		}
		return res, nil
	})
}

// DownloadDirectory downloads every object under prefix in bucket into
// dir, each at its key less the prefix, with "/" as the path separator
// (photos/2024/a.jpg with prefix "photos/" becomes dir/2024/a.jpg).
// Directories are created as needed; keys ending in "/" (folder markers)
// are skipped. A key that would land outside dir — with a ".." element,
// an absolute path, a volume name — or that goes through a symbolic link
// in dir, and a key the listing returns that is not under prefix, are
// refused with ErrUnsafeKey, in their FileResult, whose Path is then
// empty. A Filter chooses objects by their key less the prefix;
// DownloadArgs (but VersionID) and progress options apply to every file.
// Each file is written as DownloadFile writes it, in its directory opened
// from dir one element at a time: a directory of the tree swapped for a
// symbolic link during the transfer is refused, or written through its
// open handle, never followed out of dir.
//
// Files are downloaded MaxConcurrency at a time; failures are reported as
// in UploadDirectory.
func (m *Manager) DownloadDirectory(ctx context.Context, bucket, prefix, dir string, opts ...DownloadDirectoryOption) (*DirectoryResult, error) {
	const op = "DownloadDirectory"
	o := options(opts, DownloadDirectoryOption.downloadDirectoryOption)
	if o.download.VersionID != "" {
		return nil, newError(op, bucket, prefix, dir, fmt.Errorf("%w: a VersionID names one object, not a directory", ErrWrongOption))
	}
	var jobs []FileResult
	in := &s3client.ListObjectsV2Input{Bucket: bucket, Prefix: prefix, Common: o.download.Common}
	var pager s3client.Pager // ends a listing whose server repeats its tokens
	for {
		out, err := m.api.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, newError(op, bucket, prefix, dir, err)
		}
		for _, obj := range out.Contents {
			rel, ok := strings.CutPrefix(obj.Key, prefix)
			if !ok {
				// A server's mistake or a lie: refused, and reported.
				jobs = append(jobs, FileResult{Key: obj.Key})
				continue
			}
			if rel == "" || strings.HasSuffix(rel, "/") {
				continue
			}
			if o.filter != nil && !o.filter(rel) {
				continue
			}
			jobs = append(jobs, FileResult{Key: obj.Key})
		}
		more, err := pager.NextObjects(in, out)
		if err != nil {
			return nil, newError(op, bucket, prefix, dir, err)
		}
		if !more {
			break
		}
	}
	var root *os.Root
	if len(jobs) > 0 {
		var err error
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return nil, newError(op, bucket, prefix, dir, err)
		}
		if root, err = os.OpenRoot(dir); err != nil {
			return nil, newError(op, bucket, prefix, dir, err)
		}
		defer root.Close()
	}
	mu := new(sync.Mutex)
	return m.runFiles(ctx, op, jobs, func(ctx context.Context, f *FileResult) (*Result, error) {
		// A refused key's error names no file: the name it maps to is
		// outside dir, or leads there.
		rel, ok := strings.CutPrefix(f.Key, prefix)
		if !ok {
			return nil, newError("DownloadFile", bucket, f.Key, "", fmt.Errorf("%w: %q is not under the prefix %q", ErrUnsafeKey, f.Key, prefix))
		}
		target, err := safeJoin(dir, rel)
		if err != nil {
			return nil, newError("DownloadFile", bucket, f.Key, "", err)
		}
		parent, name, err := openParent(root, rel)
		if errors.Is(err, ErrUnsafeKey) {
			return nil, newError("DownloadFile", bucket, f.Key, "", err)
		}
		f.Path = target
		if err != nil {
			return nil, newError("DownloadFile", bucket, f.Key, target, err)
		}
		defer parent.Close()
		rep := newReporter(o, mu, "Download", bucket, f.Key, target)
		res, err := m.downloadInto(ctx, o.download, rep, bucket, f.Key, parent, name, target)
		rep.finish(err)
		if err != nil {
			return nil, newError("DownloadFile", bucket, f.Key, target, err)
		}
		return res, nil
	})
}

// safeJoin returns the file of dir a slash-separated relative name maps
// to, refusing names that leave dir lexically ("../x", "/x", "C:x") or
// through a symbolic link already in dir (the early check, by path;
// openParent holds each directory open against what changes later).
func safeJoin(dir, rel string) (string, error) {
	local := filepath.FromSlash(rel)
	unsafe := !filepath.IsLocal(local)
	// "a/../b" stays inside, but a key that climbs is refused outright:
	// it is either an attack or a mistake.
	for _, el := range strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == filepath.Separator }) {
		if el == ".." {
			unsafe = true
		}
	}
	if unsafe {
		return "", fmt.Errorf("%w: %q", ErrUnsafeKey, rel)
	}
	target := filepath.Join(dir, local)
	// Every directory between dir and the file must be a real directory
	// (or not exist yet): a link would carry the file elsewhere.
	cur := dir
	parts := strings.Split(filepath.Dir(local), string(filepath.Separator))
	for _, p := range parts {
		if p == "." || p == "" {
			continue
		}
		cur = filepath.Join(cur, p)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%w: %q goes through the symbolic link %s", ErrUnsafeKey, rel, cur)
		}
	}
	if fi, err := os.Lstat(target); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("%w: %q is the symbolic link %s", ErrUnsafeKey, rel, target)
	}
	return target, nil
}

// openParent opens, within root, the directory of the file a relative
// name that safeJoin accepted maps to, creating directories as needed,
// and returns it (for the caller to close) with the file's name in it.
// Each directory is opened relative to its parent: one that is a
// symbolic link is refused, and one swapped for a link between that
// check and the open is caught by comparing the two (os.SameFile); even
// then, os.Root keeps the open inside root. The file itself may not be a
// link either.
func openParent(root *os.Root, rel string) (*os.Root, string, error) {
	elems := strings.Split(filepath.Clean(filepath.FromSlash(rel)), string(filepath.Separator))
	name := elems[len(elems)-1]
	cur, err := root.OpenRoot(".")
	if err != nil {
		return nil, "", err
	}
	for _, el := range elems[:len(elems)-1] {
		next, err := openSubdir(cur, el, rel)
		cur.Close()
		if err != nil {
			return nil, "", err
		}
		cur = next
	}
	if fi, err := cur.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		cur.Close()
		return nil, "", fmt.Errorf("%w: %q is a symbolic link", ErrUnsafeKey, rel)
	}
	return cur, name, nil
}

// openSubdir opens the directory el of dir, creating it if need be.
func openSubdir(dir *os.Root, el, rel string) (*os.Root, error) {
	if err := dir.Mkdir(el, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	before, err := dir.Lstat(el)
	if err != nil {
		return nil, err
	}
	if before.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%w: %q goes through a symbolic link", ErrUnsafeKey, rel)
	}
	sub, err := dir.OpenRoot(el)
	if err != nil {
		return nil, err
	}
	if after, err := sub.Stat("."); err != nil || !os.SameFile(before, after) {
		sub.Close()
		return nil, fmt.Errorf("%w: %q: a directory on its way was replaced", ErrUnsafeKey, rel)
	}
	return sub, nil
}

// runFiles runs one transfer per job, MaxConcurrency at a time, and
// collects their outcomes. Only ctx's end stops it early.
func (m *Manager) runFiles(ctx context.Context, op string, jobs []FileResult, run func(context.Context, *FileResult) (*Result, error)) (*DirectoryResult, error) {
	res := &DirectoryResult{Files: jobs}
	one := func(i int) {
		f := &res.Files[i]
		if err := ctx.Err(); err != nil {
			f.Err = context.Cause(ctx)
			return
		}
		f.Result, f.Err = run(ctx, f)
	}
	// The files share the transfers' worker group rules (one worker
	// without threads: on this goroutine); a file's failure is its own and
	// stops no other, so the functions never fail the group.
	g, _ := group.WithContext(ctx, m.workers())
	for i := range res.Files {
		if !g.Go(func() error { one(i); return nil }) {
			res.Files[i].Err = context.Cause(ctx)
		}
	}
	g.Wait()
	var errs []error
	for _, f := range res.Files {
		if f.Err != nil {
			errs = append(errs, f.Err)
		} else {
			res.Bytes += f.Result.Size
		}
	}
	res.Failed = len(errs)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("transfer: %s: %w", op, context.Cause(ctx))
	}
	if len(errs) > 0 {
		return res, &DirectoryError{Op: op, Failed: len(errs), Total: len(res.Files), Errs: errs}
	}
	return res, nil
}
