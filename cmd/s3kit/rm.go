package main

// This file holds "s3kit rm", "s3kit mb" and "s3kit rb": deleting objects
// (in DeleteObjects batches with --recursive) and making and removing
// buckets.

import (
	"context"
	"fmt"
	"strings"

	"github.com/s3kit/s3kit/s3client"
)

func runRm(ctx context.Context, inv *invocation) error {
	target, err := needS3URI(inv.args[0])
	if err != nil {
		return err
	}
	if !inv.opts.recursive {
		if len(inv.opts.filters) > 0 {
			return usagef("--exclude and --include select among many objects: add --recursive")
		}
		if target.key == "" {
			return usagef("%s names a bucket: name a key, or add --recursive to delete every object", inv.args[0])
		}
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	if !inv.opts.recursive {
		if inv.opts.dryrun {
			inv.printf("(dryrun) delete: %s\n", target)
			return nil
		}
		if _, err := client.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: target.bucket, Key: target.key, Common: inv.payer()}); err != nil {
			return during("delete "+target.String(), err)
		}
		inv.printf("delete: %s\n", target)
		return nil
	}
	_, err = deletePrefix(ctx, inv, client, target)
	return err
}

// printf prints a result line on stdout unless --quiet, its arguments
// (keys, bucket names) escaped by printable.
func (inv *invocation) printf(format string, args ...any) {
	if !inv.opts.quiet {
		fmt.Fprintf(inv.stdout, format, printableArgs(args)...)
	}
}

// payer returns what --request-payer adds to a request.
func (inv *invocation) payer() s3client.Common {
	return s3client.Common{RequestPayer: inv.opts.requestPayer}
}

// recursivePrefix returns the prefix a recursive command lists. A prefix
// that does not end in "/" is taken as a directory, so that "rm
// s3://b/logs --recursive" deletes logs/... but not logs-old/...; the
// bucket alone lists everything.
func recursivePrefix(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key
	}
	return key + "/"
}

// deletePrefix deletes every object under target (a directory, see
// recursivePrefix) that passes the filters, listing a page and deleting it
// with DeleteObjects, up to 1000 keys a request, so that memory stays
// bounded however many objects there are. Every key deleted or refused is
// printed; refusals make the result errReported.
func deletePrefix(ctx context.Context, inv *invocation, client *s3client.Client, target s3URI) (deleted int, err error) {
	prefix := recursivePrefix(target.key)
	var batch []s3client.ObjectIdentifier
	failed := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if inv.opts.dryrun {
			for _, o := range batch {
				inv.printf("(dryrun) delete: s3://%s/%s\n", target.bucket, o.Key)
			}
			batch = batch[:0]
			return nil
		}
		out, err := client.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: target.bucket, Objects: batch, Common: inv.payer()})
		if out != nil {
			for _, d := range out.Deleted {
				deleted++
				inv.printf("delete: s3://%s/%s\n", target.bucket, d.Key)
			}
			for _, e := range out.Errors {
				failed++
				fmt.Fprintf(inv.stderr, "delete failed: s3://%s/%s: %s\n", printable(target.bucket), printable(e.Key), printable(oneLine(e.Code+": "+e.Message)))
			}
		}
		batch = batch[:0]
		return err
	}
	for obj, err := range client.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: target.bucket, Prefix: prefix, MaxKeys: inv.opts.pageSize, Common: inv.payer()}) {
		if err != nil {
			return deleted, err
		}
		if !inv.opts.filters.included(strings.TrimPrefix(obj.Key, prefix)) {
			continue
		}
		batch = append(batch, s3client.ObjectIdentifier{Key: obj.Key})
		if len(batch) == s3client.MaxDeleteObjects {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
	}
	if err := flush(); err != nil {
		return deleted, err
	}
	if failed > 0 {
		fmt.Fprintf(inv.stderr, "s3kit: %s: %d object(s) could not be deleted\n", inv.cmd.name, failed)
		return deleted, errReported
	}
	return deleted, nil
}

func runMb(ctx context.Context, inv *invocation) error {
	target, err := needS3URI(inv.args[0])
	if err != nil {
		return err
	}
	if target.key != "" {
		return usagef("%s: a bucket URI has no key (s3://bucket)", inv.args[0])
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	if _, err := client.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: target.bucket}); err != nil {
		return during("make_bucket "+target.bucket, err)
	}
	inv.printf("make_bucket: %s\n", target.bucket)
	return nil
}

func runRb(ctx context.Context, inv *invocation) error {
	target, err := needS3URI(inv.args[0])
	if err != nil {
		return err
	}
	if target.key != "" {
		return usagef("%s: a bucket URI has no key (s3://bucket)", inv.args[0])
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	if inv.opts.force {
		if _, err := deletePrefix(ctx, inv, client, s3URI{bucket: target.bucket}); err != nil {
			return err
		}
	}
	if err := client.DeleteBucket(ctx, &s3client.DeleteBucketInput{Bucket: target.bucket}); err != nil {
		return during("remove_bucket "+target.bucket, err)
	}
	inv.printf("remove_bucket: %s\n", target.bucket)
	return nil
}
