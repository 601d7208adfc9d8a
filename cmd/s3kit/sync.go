package main

// This file holds "s3kit sync": local to S3, S3 to local and S3 to S3,
// with the AWS CLI's rules. Both sides are walked as sorted streams
// (walk.go) and merged, so that a tree of a million files is never held
// in memory: a path only the source has is copied; one both have is
// copied when the sizes differ or the source is newer (--size-only:
// sizes alone; --exact-timestamps, from S3: any difference in time); one
// only the destination has is deleted with --delete. The copies run
// MaxConcurrency at a time through the one transfer manager, and one
// summary line ends the output.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func runSync(ctx context.Context, inv *invocation) error {
	o := inv.opts
	src, dst := inv.args[0], inv.args[1]
	su, srcS3, du, dstS3, err := inv.transferArgs()
	if err != nil {
		return err
	}
	switch {
	case o.exactTimestamps && !(srcS3 && !dstS3):
		return usagef("--exact-timestamps applies from S3 to a local directory, where the files carry the objects' times")
	case o.sizeOnly && o.exactTimestamps:
		return usagef("--size-only and --exact-timestamps contradict each other")
	}
	s := &syncer{}
	if srcS3 {
		s.srcPrefix = recursivePrefix(su.key)
	}
	if dstS3 {
		s.dstPrefix = recursivePrefix(du.key)
	}
	if srcS3 && dstS3 {
		if err := checkOverlap(su.bucket, s.srcPrefix, du.bucket, s.dstPrefix); err != nil {
			return err
		}
	}
	if !srcS3 {
		if fi, err := os.Stat(src); err != nil {
			return during("sync "+src, err)
		} else if !fi.IsDir() {
			return usagef("%s is not a directory: sync compares directories and prefixes", src)
		}
	}
	if !dstS3 {
		if fi, err := os.Stat(dst); err == nil && !fi.IsDir() {
			return usagef("%s is not a directory: sync compares directories and prefixes", dst)
		}
	}
	if s.copier, err = inv.newCopier(ctx); err != nil {
		return err
	}
	s.src, s.dst = su, du
	s.srcDir, s.dstDir = src, dst
	s.op = opName(srcS3, dstS3)
	return s.run(ctx)
}

// syncer is one run of sync.
type syncer struct {
	*copier
	op                   string // upload, download or copy
	src, dst             s3URI  // the S3 ends (bucket empty for a local one)
	srcDir, dstDir       string // the local ends
	srcPrefix, dstPrefix string
	root                 *os.Root // dstDir, for a download
	progress             transfer.Listener
	pool                 *pool
	t                    tally
	deletes              []s3client.ObjectIdentifier // S3 deletions waiting for a full batch
}

func (s *syncer) srcIsS3() bool { return s.src.bucket != "" }
func (s *syncer) dstIsS3() bool { return s.dst.bucket != "" }

// walk returns the sorted stream of one side.
func (s *syncer) walk(ctx context.Context, u s3URI, prefix, dir string) iter.Seq2[entry, error] {
	if u.bucket != "" {
		// Folder markers match no file: between S3 and a directory they
		// are neither copied nor deleted.
		return s.sortedObjects(ctx, u.bucket, prefix, !(s.srcIsS3() && s.dstIsS3()))
	}
	return s.localFiles(dir)
}

func (s *syncer) run(ctx context.Context) error {
	o := s.inv.opts
	var dst iter.Seq2[entry, error]
	if !s.dstIsS3() {
		if _, err := os.Stat(s.dstDir); errors.Is(err, fs.ErrNotExist) {
			// Nothing there yet: everything is new.
			dst = func(func(entry, error) bool) {}
			if !o.dryrun {
				if err := os.MkdirAll(s.dstDir, 0o777); err != nil {
					return during("sync to "+s.dstDir, err)
				}
			}
		}
		if !o.dryrun {
			root, err := os.OpenRoot(s.dstDir)
			if err != nil {
				return during("sync to "+s.dstDir, err)
			}
			defer root.Close()
			s.root = root
		}
	}
	if dst == nil {
		dst = s.walk(ctx, s.dst, s.dstPrefix, s.dstDir)
	}
	src := s.walk(ctx, s.src, s.srcPrefix, s.srcDir)
	if !o.dryrun {
		s.progress = s.startBar("", true, -1)
	}
	s.pool = s.newPool()
	err := s.merge(ctx, src, dst)
	if err == nil {
		err = s.flushDeletes(ctx)
	}
	s.pool.wait()
	s.stopBar()
	s.printSummary()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return during("sync", context.Cause(ctx))
	}
	if s.t.failed > 0 {
		fmt.Fprintf(s.inv.stderr, "s3kit: sync: %d of %d file(s) failed\n", s.t.failed, s.t.failed+s.t.done+s.t.deleted)
		return errReported
	}
	return nil
}

// merge walks both sides together, in key order, and acts on each
// path: copy what only the source has or what changed, delete what only
// the destination has (with --delete). A listing that fails ends the
// merge with its error, before any later path is judged.
func (s *syncer) merge(ctx context.Context, src, dst iter.Seq2[entry, error]) error {
	nextSrc, stopSrc := iter.Pull2(s.filtered(src))
	defer stopSrc()
	nextDst, stopDst := iter.Pull2(s.filtered(dst))
	defer stopDst()
	se, serr, sok := nextSrc()
	de, derr, dok := nextDst()
	for (sok || dok) && ctx.Err() == nil {
		if sok && serr != nil {
			return during("sync: listing "+s.side(s.src, s.srcPrefix, s.srcDir), serr)
		}
		if dok && derr != nil {
			return during("sync: listing "+s.side(s.dst, s.dstPrefix, s.dstDir), derr)
		}
		switch {
		case sok && (!dok || se.rel < de.rel):
			s.copyEntry(ctx, se)
			se, serr, sok = nextSrc()
		case !sok || de.rel < se.rel:
			if err := s.deleteEntry(ctx, de); err != nil {
				return err
			}
			de, derr, dok = nextDst()
		default:
			if s.changed(se, de) {
				s.copyEntry(ctx, se)
			} else {
				s.t.add(func(t *tally) { t.same++ })
			}
			se, serr, sok = nextSrc()
			de, derr, dok = nextDst()
		}
	}
	return nil
}

// filtered leaves out the paths the filters exclude, on either side: an
// excluded file is neither copied nor deleted.
func (s *syncer) filtered(walk iter.Seq2[entry, error]) iter.Seq2[entry, error] {
	return func(yield func(entry, error) bool) {
		for e, err := range walk {
			if err == nil && !s.inv.opts.filters.included(e.rel) {
				continue
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

// side names one side of the sync for an error.
func (s *syncer) side(u s3URI, prefix, dir string) string {
	if u.bucket != "" {
		return s3URI{bucket: u.bucket, key: prefix}.String()
	}
	return dir
}

// changed reports whether a path both sides have is to be copied: the
// sizes differ, or the source is newer (to the second: S3 keeps no
// finer time); with --size-only, the sizes alone decide; with
// --exact-timestamps, a download also replaces a file whose time differs
// from the object's either way.
func (s *syncer) changed(src, dst entry) bool {
	o := s.inv.opts
	if src.size != dst.size {
		return true
	}
	if o.sizeOnly {
		return false
	}
	st, dt := src.mtime.Truncate(time.Second), dst.mtime.Truncate(time.Second)
	if o.exactTimestamps {
		return !st.Equal(dt)
	}
	return st.After(dt)
}

// copyEntry copies one source path to the destination, in the pool.
func (s *syncer) copyEntry(ctx context.Context, e entry) {
	from := loc{path: e.path}
	if s.srcIsS3() {
		from = loc{obj: s3URI{bucket: s.src.bucket, key: e.key}}
	}
	var to loc
	if s.dstIsS3() {
		to = loc{obj: s3URI{bucket: s.dst.bucket, key: s.dstPrefix + e.rel}}
	} else {
		to = loc{path: filepath.Join(s.dstDir, filepath.FromSlash(e.rel))}
	}
	if s.inv.opts.dryrun {
		s.result("(dryrun) %s: %s to %s\n", s.op, from, to)
		s.t.add(func(t *tally) { t.done++; t.bytes += e.size })
		return
	}
	fail := func(err error) {
		s.t.add(func(t *tally) { t.failed++ })
		s.failure(s.op+" "+from.String()+" to "+to.String(), err)
	}
	if !s.dstIsS3() {
		p, err := localTarget(s.root, s.dstDir, e.rel)
		if err != nil {
			fail(err)
			return
		}
		to.path, to.root, to.rel = p, s.root, e.rel
	}
	s.pool.run(ctx, func() {
		// The objects' times go to the files, so that the next sync
		// finds them up to date.
		if err := s.transferOne(ctx, from, to, e.mtime, s.progress); err != nil {
			fail(err)
			return
		}
		s.t.add(func(t *tally) { t.done++; t.bytes += e.size })
		s.result("%s: %s to %s\n", s.op, from, to)
	})
}

// deleteEntry deletes, with --delete, a destination path the source
// lacks: a file at once, an object in the next DeleteObjects batch of
// 1000 keys.
func (s *syncer) deleteEntry(ctx context.Context, e entry) error {
	o := s.inv.opts
	if !o.delete {
		return nil
	}
	if !s.dstIsS3() {
		if o.dryrun {
			s.result("(dryrun) delete: %s\n", e.path)
		} else if err := os.Remove(e.path); err != nil {
			s.t.add(func(t *tally) { t.failed++ })
			s.failure("delete "+e.path, err)
			return nil
		} else {
			s.result("delete: %s\n", e.path)
		}
		s.t.add(func(t *tally) { t.deleted++ })
		return nil
	}
	s.deletes = append(s.deletes, s3client.ObjectIdentifier{Key: e.key})
	if len(s.deletes) == s3client.MaxDeleteObjects {
		return s.flushDeletes(ctx)
	}
	return nil
}

// flushDeletes deletes the objects waiting, in one DeleteObjects request
// run in the pool, and prints each key deleted or refused. A request that
// fails altogether counts its keys as failures.
func (s *syncer) flushDeletes(ctx context.Context) error {
	batch := s.deletes
	s.deletes = nil
	if len(batch) == 0 {
		return nil
	}
	bucket := s.dst.bucket
	if s.inv.opts.dryrun {
		for _, d := range batch {
			s.result("(dryrun) delete: s3://%s/%s\n", bucket, d.Key)
		}
		s.t.add(func(t *tally) { t.deleted += len(batch) })
		return nil
	}
	s.pool.run(ctx, func() {
		out, err := s.client.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: bucket, Objects: batch, Common: s.inv.payer()})
		if err != nil {
			s.t.add(func(t *tally) { t.failed += len(batch) })
			s.failure(fmt.Sprintf("delete of %d object(s) in s3://%s/", len(batch), bucket), err)
			return
		}
		for _, d := range out.Deleted {
			s.result("delete: s3://%s/%s\n", bucket, d.Key)
		}
		for _, e := range out.Errors {
			s.above(func() {
				fmt.Fprintf(s.inv.stderr, "delete s3://%s/%s failed: %s\n", printable(bucket), printable(e.Key), printable(oneLine(e.Code+": "+e.Message)))
			})
		}
		s.t.add(func(t *tally) { t.deleted += len(out.Deleted); t.failed += len(out.Errors) })
	})
	return nil
}

// printSummary prints the one line that ends a sync, unless --quiet:
// what was copied (or would be, with --dryrun), deleted and left alone.
func (s *syncer) printSummary() {
	if s.inv.opts.quiet {
		return
	}
	t := &s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	prefix, verb, deleted := "", s.op+"ed", "deleted"
	if s.op == "copy" {
		verb = "copied"
	}
	if s.inv.opts.dryrun {
		prefix, verb, deleted = "(dryrun) ", "to "+s.op, "to delete"
	}
	line := fmt.Sprintf("%ssync: %d file(s) %s (%s), %d %s, %d up to date", prefix, t.done, verb, humanBytes(t.bytes), t.deleted, deleted, t.same)
	if t.failed > 0 {
		line += fmt.Sprintf(", %d failed", t.failed)
	}
	s.above(func() { fmt.Fprintln(s.inv.stdout, line) })
}
