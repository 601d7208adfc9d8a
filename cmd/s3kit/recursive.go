package main

// This file holds what the recursive commands (cp --recursive, mv and
// sync) share: the pool that runs their files within the transfer
// manager's limits, the tally of what they did, one transfer between two
// locations, and the checks that keep a download inside its directory.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// pool runs functions MaxConcurrency at a time (one at a time when the
// manager runs without threads), so that the files of a recursive command
// share the manager's limits as its own directory transfers do.
type pool struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func (c *copier) newPool() *pool {
	return &pool{sem: make(chan struct{}, max(c.mgr.Config().MaxConcurrency, 1))}
}

// run waits for a free slot and runs f in it; it reports false, without
// running f, when ctx has ended.
func (p *pool) run(ctx context.Context, f func()) bool {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if ctx.Err() != nil {
		<-p.sem
		return false
	}
	p.wg.Add(1)
	go func() {
		defer func() { <-p.sem; p.wg.Done() }()
		f()
	}()
	return true
}

// wait waits for every function run has started.
func (p *pool) wait() { p.wg.Wait() }

// loc is one end of a transfer: a local file or an object.
type loc struct {
	path string // the local file, when obj.bucket is empty
	obj  s3URI
	// root and rel, when root is set, are the local file as the directory
	// a sync or mv downloads into holds it: rel, slash-separated, under
	// root (path is then root's name joined with rel).
	root *os.Root
	rel  string
}

func (l loc) isS3() bool { return l.obj.bucket != "" }

func (l loc) String() string {
	if l.isS3() {
		return l.obj.String()
	}
	return l.path
}

// opName returns the AWS CLI's name for a transfer from one kind of
// location to another: upload, download or copy.
func opName(fromS3, toS3 bool) string {
	switch {
	case fromS3 && toS3:
		return "copy"
	case toS3:
		return "upload"
	}
	return "download"
}

// transferOne copies from to to through the manager, with the command's
// upload, download or copy arguments and the progress options. A
// download's file gets mtime as its modification time, as the AWS CLI
// sets it, unless mtime is zero.
func (c *copier) transferOne(ctx context.Context, from, to loc, mtime time.Time, progress transfer.Listener) error {
	var err error
	switch {
	case from.isS3() && to.isS3():
		_, err = c.mgr.Copy(ctx, transfer.CopySource{Bucket: from.obj.bucket, Key: from.obj.key}, to.obj.bucket, to.obj.key, c.copyArgs(), progress)
	case to.isS3():
		_, err = c.mgr.UploadFile(ctx, from.path, to.obj.bucket, to.obj.key, c.uploadArgs(from.path), progress)
	default:
		args := c.downloadArgs()
		if to.root != nil {
			// Within the held directory: a directory on the way swapped
			// for a link after localTarget's checks cannot carry the file
			// out of it.
			_, err = c.mgr.DownloadFileIn(ctx, from.obj.bucket, from.obj.key, to.root, to.rel, args, progress)
		} else {
			_, err = c.mgr.DownloadFile(ctx, from.obj.bucket, from.obj.key, to.path, args, progress)
		}
		if err != nil {
			return explainDownload(ctx, c.client, from.obj.bucket, from.obj.key, args, err)
		}
		switch {
		case mtime.IsZero():
		case to.root != nil:
			err = to.root.Chtimes(filepath.FromSlash(to.rel), mtime, mtime)
		default:
			err = os.Chtimes(to.path, mtime, mtime)
		}
	}
	return err
}

// deleteSource deletes the source of a move once it has been copied.
func (c *copier) deleteSource(ctx context.Context, from loc) error {
	if !from.isS3() {
		return os.Remove(from.path)
	}
	_, err := c.client.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: from.obj.bucket, Key: from.obj.key, Common: c.inv.payer()})
	return err
}

// tally counts the outcomes of a recursive command's files; its methods
// are safe for concurrent use.
type tally struct {
	mu      sync.Mutex
	done    int   // transferred
	bytes   int64 // transferred by those
	deleted int
	same    int // left alone: up to date
	failed  int
}

func (t *tally) add(f func(t *tally)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(t)
}

// localTarget returns the file under dir (open as root) that the
// slash-separated name rel, a key less its prefix, downloads to, and
// creates its directories. As DownloadDirectory, it refuses with
// transfer.ErrUnsafeKey a name that would land outside dir (a ".."
// element, an absolute path, a volume name) or that goes through a
// symbolic link in dir, and one not in its clean form; root creates the directories without following
// a link out of dir.
func localTarget(root *os.Root, dir, rel string) (string, error) {
	local := filepath.FromSlash(rel)
	elems := strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == filepath.Separator })
	// A name that is not in its clean form ("a//b", "./a") would land on
	// the file of another key, and sync would take one for the other.
	if !filepath.IsLocal(local) || path.Clean(rel) != rel {
		return "", fmt.Errorf("%w: %q", transfer.ErrUnsafeKey, rel)
	}
	cur := ""
	for _, el := range elems {
		if el == ".." {
			return "", fmt.Errorf("%w: %q", transfer.ErrUnsafeKey, rel)
		}
		cur = filepath.Join(cur, el)
		fi, err := root.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%w: %q goes through the symbolic link %s", transfer.ErrUnsafeKey, rel, filepath.Join(dir, cur))
		}
	}
	if parent := filepath.Dir(local); parent != "." {
		if err := root.MkdirAll(parent, 0o777); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, local), nil
}

// checkOverlap refuses a recursive copy, move or sync within S3 whose
// destination prefix and source prefix hold each other in the same
// bucket: the objects it writes would come up in the listing it is
// reading, and be copied again.
func checkOverlap(srcBucket, srcPrefix, dstBucket, dstPrefix string) error {
	if srcBucket == dstBucket && (strings.HasPrefix(dstPrefix, srcPrefix) || strings.HasPrefix(srcPrefix, dstPrefix)) {
		return usagef("s3://%s/%s and s3://%s/%s overlap: the objects written would be listed again", srcBucket, srcPrefix, dstBucket, dstPrefix)
	}
	return nil
}
