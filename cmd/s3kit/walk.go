package main

// This file holds the walks both sides of a recursive command take, as
// sorted streams: walkLocal yields the files under a directory in the
// order S3 lists keys (UTF-8 byte order of the slash-separated relative
// path), and walkS3 the objects under a prefix, checked to come in that
// order; sync merges the two, cp and mv consume one. Neither holds more
// than one directory's entries or one page of keys at a time.

import (
	"context"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

// entry is one file or object of a walk.
type entry struct {
	rel   string // slash-separated, relative to the walked directory or prefix
	path  string // the local file, for a local walk
	key   string // the object's key, for an S3 walk
	size  int64
	mtime time.Time
}

// walkLocal yields every regular file under dir, with its path relative
// to dir, in byte order of those paths. filepath.WalkDir's order is not
// S3's: it visits a directory's files and subdirectories by name, so that
// "a/b" comes before "a-b", whereas '-' sorts before '/'. Here a
// directory sorts as its name followed by "/", which makes the order that
// of the full paths. Symbolic links are followed when follow is set
// (links to directories too, a directory already on the way down
// excepted, so that a loop ends) and skipped otherwise; anything but
// regular files and directories is skipped. warn hears what was skipped
// for a reason the user may want to know. An error reading a directory
// ends the walk with it.
func walkLocal(dir string, follow bool, warn func(string)) iter.Seq2[entry, error] {
	return func(yield func(entry, error) bool) {
		fi, err := os.Stat(dir)
		if err != nil {
			yield(entry{}, err)
			return
		}
		w := &localWalk{follow: follow, warn: warn, yield: yield}
		w.dir(dir, "", []os.FileInfo{fi})
	}
}

type localWalk struct {
	follow bool
	warn   func(string)
	yield  func(entry, error) bool
	done   bool
}

// dir walks one directory: p is its path, rel its path relative to the
// root ("" or ending in "/"), parents the directories on the way down.
func (w *localWalk) dir(p, rel string, parents []os.FileInfo) {
	des, err := os.ReadDir(p)
	if err != nil {
		w.yield(entry{}, err)
		w.done = true
		return
	}
	type item struct {
		name, sortKey string
		fi            os.FileInfo
	}
	items := make([]item, 0, len(des))
	for _, d := range des {
		full := filepath.Join(p, d.Name())
		var fi os.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			if !w.follow {
				continue
			}
			if fi, err = os.Stat(full); err != nil {
				w.warnf("skipping %s: a symbolic link that leads nowhere (%v)", full, err)
				continue
			}
		} else if fi, err = d.Info(); err != nil {
			continue // removed since the directory was read
		}
		switch {
		case fi.IsDir():
			items = append(items, item{d.Name(), d.Name() + "/", fi})
		case fi.Mode().IsRegular():
			items = append(items, item{d.Name(), d.Name(), fi})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, it := range items {
		if w.done {
			return
		}
		full := filepath.Join(p, it.name)
		if !it.fi.IsDir() {
			w.done = !w.yield(entry{rel: rel + it.name, path: full, size: it.fi.Size(), mtime: it.fi.ModTime()}, nil)
			continue
		}
		if slices.ContainsFunc(parents, func(fi os.FileInfo) bool { return os.SameFile(fi, it.fi) }) {
			w.warnf("skipping %s: a symbolic link to a directory above it", full)
			continue
		}
		w.dir(full, rel+it.name+"/", append(parents, it.fi))
	}
}

func (w *localWalk) warnf(format string, args ...any) {
	if w.warn != nil {
		w.warn(fmt.Sprintf(format, args...))
	}
}

// walkS3 yields every object under prefix, its rel the key less the
// prefix, as ListObjectsV2 pages them (pageSize keys a page, 0 for S3's
// 1000; payer is --request-payer). Keys must come in strictly increasing
// byte order, as S3 lists them: a server that breaks the order ends the
// walk with an error, since sync would otherwise take an object for
// missing. Keys not under the prefix are refused the same way. skipMarkers
// leaves out the keys that end in "/" (folder markers, which no file
// matches).
//
// A directory bucket (S3 Express One Zone, "NAME--ZONE--x-s3") lists its
// keys in no particular order. Unless sorted is asked (sync merges two
// sorted walks), its keys are yielded as they come; with sorted, the
// listing is gathered, at most maxUnsortedListing keys (a larger one is an
// error, not a sync that takes objects for missing), and sorted first.
func walkS3(ctx context.Context, client *s3client.Client, bucket, prefix string, pageSize int, payer string, skipMarkers, sorted bool) iter.Seq2[entry, error] {
	if !s3client.IsDirectoryBucket(bucket) {
		return listS3(ctx, client, bucket, prefix, pageSize, payer, skipMarkers, true)
	}
	if !sorted {
		return listS3(ctx, client, bucket, prefix, pageSize, payer, skipMarkers, false)
	}
	return func(yield func(entry, error) bool) {
		var all []entry
		for e, err := range listS3(ctx, client, bucket, prefix, pageSize, payer, skipMarkers, false) {
			if err == nil && len(all) == maxUnsortedListing {
				err = fmt.Errorf("the listing of the directory bucket s3://%s/%s holds more than %d keys, which sync sorts in memory: sync a narrower prefix", bucket, prefix, maxUnsortedListing)
			}
			if err != nil {
				yield(entry{}, err)
				return
			}
			all = append(all, e)
		}
		slices.SortFunc(all, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		for i, e := range all {
			if i > 0 && e.key == all[i-1].key {
				yield(entry{}, fmt.Errorf("the listing of s3://%s/%s gives the key %q twice: refusing to go on", bucket, prefix, e.key))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// maxUnsortedListing bounds the keys of a directory bucket's listing that
// sync holds to sort them.
var maxUnsortedListing = 1_000_000 // a variable only for the test of the bound

// listS3 is walkS3's listing; ordered checks that keys rise.
func listS3(ctx context.Context, client *s3client.Client, bucket, prefix string, pageSize int, payer string, skipMarkers, ordered bool) iter.Seq2[entry, error] {
	return func(yield func(entry, error) bool) {
		last, first := "", true
		for obj, err := range client.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, Common: s3client.Common{RequestPayer: payer}}) {
			if err != nil {
				yield(entry{}, err)
				return
			}
			rel, ok := strings.CutPrefix(obj.Key, prefix)
			if !ok || (ordered && !first && obj.Key <= last) {
				yield(entry{}, fmt.Errorf("the listing of s3://%s/%s is not in key order or not under the prefix (at %q): refusing to go on", bucket, prefix, obj.Key))
				return
			}
			first, last = false, obj.Key
			if rel == "" || (skipMarkers && strings.HasSuffix(rel, "/")) {
				continue
			}
			size := obj.Size
			if size < 0 || size > maxObjectSize {
				yield(entry{}, fmt.Errorf("the listing of s3://%s/%s gives %q a size of %d bytes, outside S3's limits", bucket, prefix, obj.Key, size))
				return
			}
			if !yield(entry{rel: rel, key: obj.Key, size: size, mtime: obj.LastModified}, nil) {
				return
			}
		}
	}
}

// maxObjectSize is S3's largest object, 5 TiB.
const maxObjectSize = 5 << 40
