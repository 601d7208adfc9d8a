package main

// This file holds "s3kit presign" (a presigned URL, as "aws s3 presign"
// prints it) and "s3kit presign-post" (a presigned POST form, as boto3's
// generate_presigned_post returns it: {"url": ..., "fields": {...}}).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
)

func runPresign(ctx context.Context, inv *invocation) error {
	target, err := needS3URI(inv.args[0])
	if err != nil {
		return err
	}
	if target.key == "" {
		return usagef("%s names no object: write s3://bucket/key", inv.args[0])
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	expires := time.Duration(inv.opts.expiresIn)
	var req *s3client.PresignedRequest
	switch inv.opts.method {
	case "GET":
		req, err = client.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: target.bucket, Key: target.key}, expires)
	case "HEAD":
		req, err = client.PresignHeadObject(ctx, &s3client.GetObjectInput{Bucket: target.bucket, Key: target.key}, expires)
	case "PUT":
		req, err = client.PresignPutObject(ctx, &s3client.PutObjectInput{Bucket: target.bucket, Key: target.key}, expires)
	case "DELETE":
		req, err = client.PresignDeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: target.bucket, Key: target.key}, expires)
	}
	if err != nil {
		return during("presign "+inv.opts.method+" "+target.String(), err)
	}
	fmt.Fprintln(inv.stdout, req.URL)
	return nil
}

// postFormJSON is what presign-post prints: boto3's generate_presigned_post
// answer, so that scripts written for it read this too.
type postFormJSON struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

func runPresignPost(ctx context.Context, inv *invocation) error {
	target, err := needS3URI(inv.args[0])
	if err != nil {
		return err
	}
	if target.key == "" {
		return usagef("%s names no key: write s3://bucket/key (the key may contain ${filename})", inv.args[0])
	}
	policy := presignpost.Policy{
		Bucket:     target.bucket,
		Key:        target.key,
		Conditions: append([]presignpost.Condition(nil), inv.opts.conditions...),
		Expires:    time.Duration(inv.opts.expiresIn),
	}
	if len(inv.opts.fields) > 0 {
		policy.Fields = map[string]string{}
		for _, f := range inv.opts.fields {
			policy.Fields[f.Name] = f.Value
		}
	}
	if inv.opts.contentRange != "" {
		lo, hi, ok := strings.Cut(inv.opts.contentRange, ",")
		min, err1 := parseSize(lo)
		max, err2 := parseSize(hi)
		if !ok || err1 != nil || err2 != nil || max < min {
			return usagef("--content-length-range %q: want min,max in bytes, min <= max", inv.opts.contentRange)
		}
		policy.Conditions = append(policy.Conditions, presignpost.ContentLengthRange(min, max))
	}
	client, err := inv.newClient(ctx)
	if err != nil {
		return err
	}
	signed, err := client.PresignPost(ctx, &policy)
	if err != nil {
		if badPolicy(err) {
			// The fields and conditions came from the command line.
			return usagef("%v", err)
		}
		return during("presign-post "+target.String(), err)
	}
	if inv.opts.html {
		return signed.HTML(inv.stdout)
	}
	b, err := json.MarshalIndent(postFormJSON{URL: signed.URL, Fields: signed.Fields}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(inv.stdout, "%s\n", b)
	return err
}

// badPolicy reports whether err is about the policy's fields or
// conditions, rather than about credentials or the endpoint.
func badPolicy(err error) bool {
	var ce *presignpost.ConditionError
	if errors.As(err, &ce) {
		return true
	}
	for _, e := range []error{presignpost.ErrReservedField, presignpost.ErrInvalidField, presignpost.ErrDuplicateField,
		presignpost.ErrConflict, presignpost.ErrInvalidRange, presignpost.ErrUnknownOperator, presignpost.ErrInvalidValue,
		presignpost.ErrMissingKey} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
