package main

// This file holds "s3kit mv": a copy as cp makes it, then the deletion of
// the source, object by object, only once its copy succeeded; a source
// whose copy failed stays where it was. With --recursive, the files or
// objects are moved as the walk finds them, MaxConcurrency at a time.

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func runMv(ctx context.Context, inv *invocation) error {
	o := inv.opts
	src, dst := inv.args[0], inv.args[1]
	su, srcS3, du, dstS3, err := inv.transferArgs()
	if err != nil {
		return err
	}
	if len(o.filters) > 0 && !o.recursive {
		return usagef("--exclude and --include select among many files: add --recursive")
	}
	c, err := inv.newCopier(ctx)
	if err != nil {
		return err
	}
	if o.recursive {
		return c.movePrefix(ctx, src, su, srcS3, dst, du, dstS3)
	}
	var from, to loc
	switch {
	case srcS3:
		if su.key == "" || strings.HasSuffix(su.key, "/") {
			return usagef("%s names a prefix: add --recursive to move what it holds", su)
		}
		from = loc{obj: su}
		if dstS3 {
			to = loc{obj: s3URI{bucket: du.bucket, key: objectKey(du, path.Base(su.key))}}
			if to.obj == su {
				return usagef("%s cannot be moved onto itself", su)
			}
		} else {
			to = loc{path: localFileFor(dst, path.Base(su.key))}
		}
	default:
		fi, err := os.Stat(src)
		if err != nil {
			return during("move "+src, err)
		}
		if fi.IsDir() {
			return usagef("%s is a directory: add --recursive to move what it holds", src)
		}
		from = loc{path: src}
		to = loc{obj: s3URI{bucket: du.bucket, key: objectKey(du, filepath.Base(src))}}
	}
	if o.dryrun {
		c.result("(dryrun) move: %s to %s\n", from, to)
		return nil
	}
	what := "move " + from.String() + " to " + to.String()
	if !to.isS3() {
		if dir := filepath.Dir(to.path); dir != "." {
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return during(what, err)
			}
		}
	}
	label := filepath.Base(from.path)
	if from.isS3() {
		label = path.Base(from.obj.key)
	}
	err = c.transferOne(ctx, from, to, time.Time{}, c.startBar(label, false, -1))
	c.stopBar()
	if err != nil {
		return during(what, err)
	}
	if err := c.deleteSource(ctx, from); err != nil {
		return during(what, errors.Join(errors.New("copied, but the source is still there"), err))
	}
	c.result("move: %s to %s\n", from, to)
	return nil
}

// localFileFor returns the file a download named name writes at dst: dst
// itself, or name inside it when dst is a directory or ends in a
// separator, as cp and the AWS CLI read a local destination.
func localFileFor(dst, name string) string {
	if fi, err := os.Stat(dst); (err == nil && fi.IsDir()) || strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, string(filepath.Separator)) {
		return filepath.Join(dst, name)
	}
	return dst
}

// movePrefix moves every file under a directory, or every object under a
// prefix, that passes the filters.
func (c *copier) movePrefix(ctx context.Context, src string, su s3URI, srcS3 bool, dst string, du s3URI, dstS3 bool) error {
	switch {
	case !srcS3:
		fi, err := os.Stat(src)
		if err != nil {
			return during("move "+src, err)
		}
		if !fi.IsDir() {
			return usagef("%s is not a directory: --recursive moves a directory", src)
		}
		prefix := dirPrefix(du)
		return c.each(ctx, "upload", "move "+src, c.localFiles(src), func(e entry) (from, to loc, err error) {
			return loc{path: e.path}, loc{obj: s3URI{bucket: du.bucket, key: prefix + e.rel}}, nil
		}, true)
	case dstS3:
		prefix, dprefix := recursivePrefix(su.key), dirPrefix(du)
		if err := checkOverlap(su.bucket, prefix, du.bucket, dprefix); err != nil {
			return err
		}
		return c.each(ctx, "copy", "move "+su.String(), c.objects(ctx, su.bucket, prefix, false), func(e entry) (from, to loc, err error) {
			return loc{obj: s3URI{bucket: su.bucket, key: e.key}}, loc{obj: s3URI{bucket: du.bucket, key: dprefix + e.rel}}, nil
		}, true)
	}
	prefix := recursivePrefix(su.key)
	var root *os.Root
	if !c.inv.opts.dryrun {
		if err := os.MkdirAll(dst, 0o777); err != nil {
			return during("move "+su.String()+" to "+dst, err)
		}
		r, err := os.OpenRoot(dst)
		if err != nil {
			return during("move "+su.String()+" to "+dst, err)
		}
		defer r.Close()
		root = r
	}
	return c.each(ctx, "download", "move "+su.String(), c.objects(ctx, su.bucket, prefix, true), func(e entry) (from, to loc, err error) {
		from = loc{obj: s3URI{bucket: su.bucket, key: e.key}}
		to = loc{path: filepath.Join(dst, filepath.FromSlash(e.rel))}
		if root != nil {
			p, err := localTarget(root, dst, e.rel)
			if err != nil {
				return from, to, err
			}
			to.path, to.root, to.rel = p, root, e.rel
		}
		return from, to, nil
	}, true)
}
