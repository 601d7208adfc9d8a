package main

// This file holds "s3kit ls": buckets, or the common prefixes and the
// objects under a prefix, in the AWS CLI's columns and order.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/s3kit/s3kit/s3client"
)

// lsTimeFormat is the AWS CLI's date column, in local time.
const lsTimeFormat = "2006-01-02 15:04:05"

func runLs(ctx context.Context, inv *invocation) error {
	var target s3URI
	if len(inv.args) == 1 {
		u, err := needS3URI(inv.args[0])
		if err != nil {
			return err
		}
		target = u
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	if target.bucket == "" {
		if inv.opts.recursive {
			return usagef("--recursive lists objects: name a bucket (s3://bucket)")
		}
		return lsBuckets(ctx, inv, client)
	}
	return lsObjects(ctx, inv, client, target)
}

func lsBuckets(ctx context.Context, inv *invocation, client *s3client.Client) error {
	out, err := client.ListBuckets(ctx, &s3client.ListBucketsInput{})
	if err != nil {
		return err
	}
	// S3 lists buckets by name; some compatible stores (gofakes3) in no
	// particular order.
	slices.SortFunc(out.Buckets, func(a, b s3client.Bucket) int { return strings.Compare(a.Name, b.Name) })
	for _, b := range out.Buckets {
		fmt.Fprintf(inv.stdout, "%s %s\n", b.CreationDate.Local().Format(lsTimeFormat), printable(b.Name))
	}
	return nil
}

func lsObjects(ctx context.Context, inv *invocation, client *s3client.Client, target s3URI) error {
	o := inv.opts
	in := &s3client.ListObjectsV2Input{Bucket: target.bucket, Prefix: target.key, MaxKeys: o.pageSize,
		Common: s3client.Common{RequestPayer: o.requestPayer}}
	// Without --recursive, keys show relative to the "directory" of the
	// prefix, as the AWS CLI shows them; with it, whole.
	dir := ""
	if !o.recursive {
		in.Delimiter = "/"
		if i := strings.LastIndex(target.key, "/"); i >= 0 {
			dir = target.key[:i+1]
		}
	}
	var count, total int64
	var pager s3client.Pager // ends a listing whose server repeats its tokens
	for {
		page, err := client.ListObjectsV2(ctx, in)
		if err != nil {
			return err
		}
		// As the AWS CLI prints a page: its common prefixes first, then
		// its objects.
		for _, p := range page.CommonPrefixes {
			fmt.Fprintf(inv.stdout, "%30s %s\n", "PRE", printable(strings.TrimPrefix(p, dir)))
		}
		for _, obj := range page.Contents {
			count++
			total += obj.Size
			fmt.Fprintf(inv.stdout, "%s %10s %s\n", obj.LastModified.Local().Format(lsTimeFormat),
				formatSize(obj.Size, o.humanReadable), printable(strings.TrimPrefix(obj.Key, dir)))
		}
		more, err := pager.NextObjects(in, page)
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if o.summarize {
		fmt.Fprintf(inv.stdout, "\nTotal Objects: %d\n   Total Size: %s\n", count, formatSize(total, o.humanReadable))
	}
	return nil
}

// formatSize prints a byte count as the AWS CLI does: plain, or with
// --human-readable in binary units with one decimal ("1.5 MiB").
func formatSize(n int64, human bool) string {
	if !human {
		return fmt.Sprint(n)
	}
	return humanBytes(n)
}

// humanBytes returns n in binary units: "512 Bytes", "1.5 KiB", "2.0 GiB".
func humanBytes(n int64) string {
	if n < 1024 {
		if n == 1 {
			return "1 Byte"
		}
		return fmt.Sprintf("%d Bytes", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n) / 1024
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
