package main

// This file holds "s3kit cp": uploads, downloads and copies through the
// transfer manager, one file, a stream ("-") or, with --recursive, a
// directory or prefix, with a progress bar on a terminal and one result
// line per object, as the AWS CLI prints them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func runCp(ctx context.Context, inv *invocation) error {
	o := inv.opts
	src, dst := inv.args[0], inv.args[1]
	su, srcS3, du, dstS3, err := inv.transferArgs()
	if err != nil {
		return err
	}
	switch {
	case o.recursive && (src == "-" || dst == "-"):
		return usagef("--recursive copies directories: it cannot read stdin or write stdout")
	case len(o.filters) > 0 && !o.recursive:
		return usagef("--exclude and --include select among many files: add --recursive")
	case o.expectedSize >= 0 && src != "-":
		return usagef("--expected-size is the size of a stream from stdin (-)")
	}
	c, err := inv.newCopier(ctx)
	if err != nil {
		return err
	}
	switch {
	case srcS3 && dstS3 && o.recursive:
		return c.copyPrefix(ctx, su, du)
	case srcS3 && dstS3:
		return c.copyObject(ctx, su, du)
	case dstS3 && o.recursive:
		return c.uploadDir(ctx, src, du)
	case dstS3:
		return c.upload(ctx, src, du)
	case o.recursive:
		return c.downloadPrefix(ctx, su, dst)
	default:
		return c.download(ctx, su, dst)
	}
}

// transferArgs parses the source and destination of cp, mv and sync: a
// local path (or "-") or an S3 URI each, one of them S3 at least.
func (inv *invocation) transferArgs() (su s3URI, srcS3 bool, du s3URI, dstS3 bool, err error) {
	src, dst := inv.args[0], inv.args[1]
	if su, srcS3, err = parseS3URI(src); err != nil {
		return
	}
	if du, dstS3, err = parseS3URI(dst); err != nil {
		return
	}
	switch {
	case !srcS3 && !dstS3:
		err = usagef("one of %q and %q must be an S3 URI (s3://bucket/key)", src, dst)
	case inv.opts.metadataDirective != "" && !(srcS3 && dstS3):
		err = usagef("--metadata-directive applies to S3 to S3 copies")
	case inv.cmd.name != "cp" && (src == "-" || dst == "-"):
		err = usagef("%s works on files and objects: it cannot read stdin or write stdout (cp can)", inv.cmd.name)
	case inv.cmd.name != "cp" && inv.opts.expectedSize >= 0:
		err = usagef("--expected-size is the size of a stream from stdin, which only cp reads")
	}
	return
}

// newCopier returns the copier of a cp, mv or sync: its client and
// transfer manager.
func (inv *invocation) newCopier(ctx context.Context) (*copier, error) {
	client, err := inv.newClient(ctx)
	if err != nil {
		return nil, err
	}
	mgr, err := inv.newManager(client)
	if err != nil {
		return nil, err
	}
	return &copier{inv: inv, mgr: mgr, client: client}, nil
}

// newManager returns the transfer manager with the command line's
// settings; a setting the manager refuses is a usage error.
func (inv *invocation) newManager(client *s3client.Client) (*transfer.Manager, error) {
	o := inv.opts
	var cfg transfer.Config
	if o.threshold >= 0 {
		// 0 would mean "the default" to the manager; on the command line
		// it means "always in parts".
		cfg.MultipartThreshold = max(int64(o.threshold), 1)
	}
	if o.chunkSize >= 0 {
		cfg.MultipartChunkSize = int64(o.chunkSize)
		if cfg.MultipartChunkSize == 0 {
			return nil, usagef("--multipart-chunksize must be positive")
		}
	}
	if o.expectedSize > 0 {
		// A stream's part size cannot change once it is being sent: choose
		// the one the engine would for the announced size, which fits it
		// in S3's 10,000 parts, as the AWS CLI does with --expected-size.
		ps, err := multipart.PartSizeFor(int64(o.expectedSize), cfg.MultipartChunkSize)
		if err != nil {
			return nil, usagef("--expected-size %d: %v", o.expectedSize, err)
		}
		cfg.MultipartChunkSize = ps
	}
	cfg.MaxConcurrency = o.maxConcurrency
	if o.maxBandwidth > 0 {
		cfg.MaxBandwidth = int64(o.maxBandwidth)
	}
	m, err := transfer.New(client, cfg)
	if errors.Is(err, transfer.ErrInvalidConfig) {
		return nil, usagef("%v", err)
	}
	return m, err
}

// copier runs the transfers of one cp.
type copier struct {
	inv    *invocation
	mgr    *transfer.Manager
	client *s3client.Client
	// mu serializes the result lines of concurrent transfers with the
	// progress bar's frames.
	mu  sync.Mutex
	bar *progressBar
}

// showProgress reports whether cp draws a progress bar: on a terminal, or
// anywhere with --force-progress; never with --quiet or --no-progress.
func (inv *invocation) showProgress() bool {
	o := inv.opts
	if o.quiet || o.noProgress {
		return false
	}
	return o.forceProgress || (inv.stderrFile != nil && isTerminal(inv.stderrFile))
}

// progressWidth is the width of the bar's line: $COLUMNS, the terminal's,
// or 80.
func (inv *invocation) progressWidth() int {
	if n, err := strconv.Atoi(inv.getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if inv.stderrFile != nil {
		if n := terminalWidth(inv.stderrFile); n > 0 {
			return n
		}
	}
	return 80
}

// startBar starts the progress bar, if there is to be one, and returns
// the transfer option that feeds it (nil without a bar, which is no
// option). A single transfer tells the bar its
// size as it starts; for many files, total is their size when the
// command knows it, else -1.
func (c *copier) startBar(label string, multi bool, total int64) transfer.Listener {
	if !c.inv.showProgress() {
		return nil
	}
	c.bar = newProgressBar(c.inv.stderr, c.inv.progressWidth(), printable(label), total, multi)
	return c.bar.listener()
}

// stopBar erases the bar's line, so that result lines and errors start
// at the beginning of a clean line.
func (c *copier) stopBar() {
	if c.bar != nil {
		c.bar.finish()
	}
}

// result prints one result line ("upload: a to s3://b/a") above the
// progress bar, if one is drawn. The arguments, keys and paths, are
// printed escaped by printable.
func (c *copier) result(format string, args ...any) {
	if c.inv.opts.quiet {
		return
	}
	args = printableArgs(args)
	c.above(func() { fmt.Fprintf(c.inv.stdout, format, args...) })
}

// failure prints one failed transfer on stderr, on one line.
func (c *copier) failure(what string, err error) {
	c.above(func() { fmt.Fprintf(c.inv.stderr, "%s failed: %s\n", printable(what), formatError(err)) })
}

// above runs print with the bar out of the way; c.mu keeps the lines of
// concurrent transfers whole.
func (c *copier) above(print func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != nil {
		c.bar.above(print)
		return
	}
	print()
}

// properties returns what an upload or a copy writes, from the options.
func (c *copier) properties() s3client.ObjectProperties {
	o := c.inv.opts
	return s3client.ObjectProperties{
		ContentType: o.contentType, ACL: o.acl, CacheControl: o.cacheControl,
		ContentDisposition: o.contentDisp, ContentEncoding: o.contentEncoding, ContentLanguage: o.contentLanguage,
		Expires: o.expires.Time, StorageClass: o.storageClass, Metadata: o.metadata,
		ServerSideEncryption: o.sse, SSEKMSKeyID: o.sseKMSKeyID,
		GrantFullControl: o.grants.fullControl, GrantRead: o.grants.read, GrantReadACP: o.grants.readACP, GrantWriteACP: o.grants.writeACP,
	}
}

// sseC returns the SSE-C key of the options (--sse-c, --sse-c-key).
func (c *copier) sseC() s3client.SSECustomer {
	o := c.inv.opts
	return s3client.SSECustomer{SSECustomerAlgorithm: o.sseC, SSECustomerKey: o.sseCKey.key}
}

// uploadArgs returns what an upload writes, from the options: the
// Content-Type given, or guessed from the file name as the AWS CLI does.
func (c *copier) uploadArgs(filename string) transfer.UploadArgs {
	o := c.inv.opts
	a := transfer.UploadArgs{
		ObjectProperties:  c.properties(),
		SSECustomer:       c.sseC(),
		Common:            s3client.Common{RequestPayer: o.requestPayer},
		ChecksumAlgorithm: s3client.ChecksumAlgorithm(o.checksumAlgorithm),
	}
	if a.ContentType == "" && filename != "" {
		a.ContentType = mime.TypeByExtension(filepath.Ext(filename))
	}
	return a
}

// downloadArgs returns what a download sends besides the key: the SSE-C
// key the object was written with, and --request-payer.
func (c *copier) downloadArgs() transfer.DownloadArgs {
	return transfer.DownloadArgs{SSECustomer: c.sseC(), Common: s3client.Common{RequestPayer: c.inv.opts.requestPayer}}
}

// copyArgs returns what a copy within S3 writes. An SSE-C key applies to
// both ends: the source is read with it and the copy written with it.
func (c *copier) copyArgs() transfer.CopyArgs {
	o := c.inv.opts
	a := transfer.CopyArgs{
		ObjectProperties:               c.properties(),
		SSECustomer:                    c.sseC(),
		Common:                         s3client.Common{RequestPayer: o.requestPayer},
		CopySourceSSECustomerAlgorithm: o.sseC,
		CopySourceSSECustomerKey:       o.sseCKey.key,
		ChecksumAlgorithm:              s3client.ChecksumAlgorithm(o.checksumAlgorithm),
		MetadataDirective:              o.metadataDirective,
	}
	// New metadata or content headers would be ignored under COPY; as the
	// AWS CLI does, giving them means replacing.
	if a.MetadataDirective == "" && (o.metadata != nil || o.contentType != "" || o.cacheControl != "" ||
		o.contentDisp != "" || o.contentEncoding != "" || o.contentLanguage != "" || !o.expires.IsZero()) {
		a.MetadataDirective = "REPLACE"
	}
	return a
}

// objectKey returns the key a file or object named name goes to under
// dst: dst's key, or name appended when dst is a bucket or ends in "/".
func objectKey(dst s3URI, name string) string {
	if dst.key == "" || strings.HasSuffix(dst.key, "/") {
		return dst.key + name
	}
	return dst.key
}

func (c *copier) upload(ctx context.Context, src string, dst s3URI) error {
	if src == "-" {
		if dst.key == "" || strings.HasSuffix(dst.key, "/") {
			return usagef("a stream from stdin needs a key: %s names a prefix", dst)
		}
		if c.inv.opts.dryrun {
			c.result("(dryrun) upload: - to %s\n", dst)
			return nil
		}
		what := "upload - to " + dst.String()
		_, err := c.mgr.Upload(ctx, c.inv.stdin, dst.bucket, dst.key, c.startBar("-", false, -1), c.uploadArgs(""))
		c.stopBar()
		if err != nil {
			return during(what, err)
		}
		c.result("upload: - to %s\n", dst)
		return nil
	}
	key := objectKey(dst, filepath.Base(src))
	target := s3URI{bucket: dst.bucket, key: key}
	what := "upload " + src + " to " + target.String()
	fi, err := os.Stat(src)
	if err != nil {
		return during(what, err)
	}
	if fi.IsDir() {
		return usagef("%s is a directory: add --recursive to upload what it holds", src)
	}
	if c.inv.opts.dryrun {
		c.result("(dryrun) upload: %s to %s\n", src, target)
		return nil
	}
	err = c.transferOne(ctx, loc{path: src}, loc{obj: target}, time.Time{}, c.startBar(filepath.Base(src), false, -1))
	c.stopBar()
	if err != nil {
		return during(what, err)
	}
	c.result("upload: %s to %s\n", src, target)
	return nil
}

func (c *copier) download(ctx context.Context, src s3URI, dst string) error {
	if src.key == "" || strings.HasSuffix(src.key, "/") {
		return usagef("%s names a prefix: add --recursive to download what it holds", src)
	}
	if dst == "-" {
		if c.inv.opts.dryrun {
			return nil // stdout is for the object's bytes
		}
		// Only Write: a regular file behind stdout may be open for
		// appending, where the parallel WriteAt path would fail; the
		// manager still fetches ranges in parallel and writes them in
		// order.
		out := struct{ io.Writer }{c.inv.stdout}
		args := c.downloadArgs()
		_, err := c.mgr.Download(ctx, src.bucket, src.key, out, c.startBar(path.Base(src.key), false, -1), args)
		c.stopBar()
		return during("download "+src.String()+" to -", explainDownload(ctx, c.client, src.bucket, src.key, args, err))
	}
	target := localFileFor(dst, path.Base(src.key))
	if c.inv.opts.dryrun {
		c.result("(dryrun) download: %s to %s\n", src, target)
		return nil
	}
	if dir := filepath.Dir(target); dir != "." {
		// As the AWS CLI, create the directories the target names.
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return during("download "+src.String()+" to "+target, err)
		}
	}
	err := c.transferOne(ctx, loc{obj: src}, loc{path: target}, time.Time{}, c.startBar(path.Base(src.key), false, -1))
	c.stopBar()
	if err != nil {
		return during("download "+src.String()+" to "+target, err)
	}
	c.result("download: %s to %s\n", src, target)
	return nil
}

func (c *copier) copyObject(ctx context.Context, src, dst s3URI) error {
	if src.key == "" || strings.HasSuffix(src.key, "/") {
		return usagef("%s names a prefix: add --recursive to copy what it holds", src)
	}
	target := s3URI{bucket: dst.bucket, key: objectKey(dst, path.Base(src.key))}
	if c.inv.opts.dryrun {
		c.result("(dryrun) copy: %s to %s\n", src, target)
		return nil
	}
	err := c.transferOne(ctx, loc{obj: src}, loc{obj: target}, time.Time{}, c.startBar(path.Base(src.key), false, -1))
	c.stopBar()
	if err != nil {
		return during("copy "+src.String()+" to "+target.String(), err)
	}
	c.result("copy: %s to %s\n", src, target)
	return nil
}

// dirPrefix returns the key prefix a recursive copy writes under: the
// destination as a folder.
func dirPrefix(dst s3URI) string { return recursivePrefix(dst.key) }

// localFiles walks dir as the options say (--follow-symlinks), warning
// on stderr of the links it skips.
func (c *copier) localFiles(dir string) iter.Seq2[entry, error] {
	return walkLocal(dir, c.inv.opts.followSymlinks, func(msg string) {
		c.above(func() { fmt.Fprintf(c.inv.stderr, "warning: %s\n", printable(msg)) })
	})
}

// objects lists the objects under prefix, --page-size keys a request.
func (c *copier) objects(ctx context.Context, bucket, prefix string, skipMarkers bool) iter.Seq2[entry, error] {
	return walkS3(ctx, c.client, bucket, prefix, c.inv.opts.pageSize, c.inv.opts.requestPayer, skipMarkers, false)
}

// sortedObjects is objects in key order, also from a directory bucket
// (sync merges sorted walks).
func (c *copier) sortedObjects(ctx context.Context, bucket, prefix string, skipMarkers bool) iter.Seq2[entry, error] {
	return walkS3(ctx, c.client, bucket, prefix, c.inv.opts.pageSize, c.inv.opts.requestPayer, skipMarkers, true)
}

// uploadDir uploads every file under dir that passes the filters, as the
// walk finds them, MaxConcurrency at a time. It walks the directory
// itself, rather than calling UploadDirectory, to give each file the
// Content-Type its name suggests (UploadDirectory applies one UploadArgs
// to every file), to follow symbolic links (--follow-symlinks, the
// default) and to start before the walk ends.
func (c *copier) uploadDir(ctx context.Context, dir string, dst s3URI) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return during("upload "+dir, err)
	}
	if !fi.IsDir() {
		return usagef("%s is not a directory: --recursive uploads a directory", dir)
	}
	prefix := dirPrefix(dst)
	return c.each(ctx, "upload", "upload "+dir, c.localFiles(dir), func(e entry) (from, to loc, err error) {
		return loc{path: e.path}, loc{obj: s3URI{bucket: dst.bucket, key: prefix + e.rel}}, nil
	}, false)
}

// copyPrefix copies every object under src to the same relative keys
// under dst, as the listing goes, MaxConcurrency objects at a time.
func (c *copier) copyPrefix(ctx context.Context, src, dst s3URI) error {
	prefix, dprefix := recursivePrefix(src.key), dirPrefix(dst)
	if err := checkOverlap(src.bucket, prefix, dst.bucket, dprefix); err != nil {
		return err
	}
	return c.each(ctx, "copy", "copy "+src.String(), c.objects(ctx, src.bucket, prefix, false), func(e entry) (from, to loc, err error) {
		return loc{obj: s3URI{bucket: src.bucket, key: e.key}}, loc{obj: s3URI{bucket: dst.bucket, key: dprefix + e.rel}}, nil
	}, false)
}

// each transfers, MaxConcurrency at a time, every entry of a walk that
// passes the filters, from and to where route says, printing a line for
// each; what names the walk in its error. With move, each source is
// deleted once its copy succeeded (and kept when it failed). With
// --dryrun it only prints.
func (c *copier) each(ctx context.Context, op, what string, walk iter.Seq2[entry, error], route func(entry) (from, to loc, err error), move bool) error {
	o := c.inv.opts
	var progress transfer.Listener
	if !o.dryrun {
		progress = c.startBar("", true, -1)
	}
	verb := op
	if move {
		verb = "move"
	}
	p := c.newPool()
	var t tally
	var walkErr error
	for e, err := range walk {
		if err != nil {
			walkErr = err
			break
		}
		if !o.filters.included(e.rel) {
			continue
		}
		from, to, err := route(e)
		what := verb + " " + from.String() + " to " + to.String()
		switch {
		case err != nil:
			t.add(func(t *tally) { t.failed++ })
			c.failure(what, err)
			continue
		case o.dryrun:
			c.result("(dryrun) %s: %s to %s\n", verb, from, to)
			continue
		}
		if !p.run(ctx, func() {
			err := c.transferOne(ctx, from, to, time.Time{}, progress)
			if err == nil && move {
				if err = c.deleteSource(ctx, from); err != nil {
					err = fmt.Errorf("copied, but the source is still there: %w", err)
				}
			}
			t.add(func(t *tally) {
				if err != nil {
					t.failed++
				} else {
					t.done++
				}
			})
			if err != nil {
				c.failure(what, err)
				return
			}
			c.result("%s: %s to %s\n", verb, from, to)
		}) {
			break
		}
	}
	p.wait()
	c.stopBar()
	if walkErr != nil {
		return during(what, walkErr)
	}
	return c.summary(ctx, verb, t.failed, t.failed+t.done)
}

// summary turns the outcome of a recursive transfer into the command's
// error: the end of ctx, or the count of files that failed (each already
// printed).
func (c *copier) summary(ctx context.Context, op string, failed, total int) error {
	if err := ctx.Err(); err != nil {
		return during(op, context.Cause(ctx))
	}
	if failed > 0 {
		fmt.Fprintf(c.inv.stderr, "s3kit: %s: %d of %d %s(s) failed\n", c.inv.cmd.name, failed, total, op)
		return errReported
	}
	return nil
}

// downloadPrefix downloads every object under src into dir with
// DownloadDirectory, printing each file as it completes (from the
// manager's events) and each failure at the end.
func (c *copier) downloadPrefix(ctx context.Context, src s3URI, dir string) error {
	prefix := recursivePrefix(src.key)
	filter := transfer.Filter(func(rel string) bool { return c.inv.opts.filters.included(rel) })
	if c.inv.opts.dryrun {
		for e, err := range c.objects(ctx, src.bucket, prefix, true) {
			if err != nil {
				return during("download "+src.String(), err)
			}
			if filter(e.rel) {
				c.result("(dryrun) download: s3://%s/%s to %s\n", src.bucket, e.key, filepath.Join(dir, filepath.FromSlash(e.rel)))
			}
		}
		return nil
	}
	// The result lines come from the events, so that they appear as files
	// finish rather than all at the end. A call takes one Listener: this
	// one feeds the bar too.
	feed := c.startBar("", true, -1)
	listen := transfer.Listener(func(e transfer.Event) {
		if feed != nil {
			feed(e)
		}
		if e.Type == transfer.TransferCompleted {
			c.result("download: s3://%s/%s to %s\n", e.Bucket, e.Key, e.Path)
		}
	})
	res, err := c.mgr.DownloadDirectory(ctx, src.bucket, prefix, dir, filter, listen, c.downloadArgs())
	c.stopBar()
	var de *transfer.DirectoryError
	if err != nil && !errors.As(err, &de) {
		return during("download "+src.String()+" to "+dir, err)
	}
	failed := 0
	for _, f := range res.Files {
		if f.Err != nil {
			failed++
			// A key refused before it named a file has no Path: the
			// directory is where it was going.
			to := f.Path
			if to == "" {
				to = dir
			}
			c.failure("download s3://"+src.bucket+"/"+f.Key+" to "+to, f.Err)
		}
	}
	return c.summary(ctx, "download", failed, len(res.Files))
}
