// Command s3kit is a small, fast S3 command line tool built on the s3kit
// library, with the AWS CLI's names for its commands and options:
//
//	s3kit cp SRC DST [--recursive]      copy files and objects (- is stdin/stdout)
//	s3kit mv SRC DST [--recursive]      move files and objects (copy, then delete)
//	s3kit sync SRC DST [--delete]       copy what is new or changed
//	s3kit ls [s3://BUCKET[/PREFIX]]     list buckets or objects
//	s3kit rm s3://BUCKET/KEY            delete objects (--recursive: in batches)
//	s3kit mb s3://BUCKET                make a bucket
//	s3kit rb s3://BUCKET [--force]      remove a bucket
//	s3kit presign s3://BUCKET/KEY       print a presigned URL
//	s3kit presign-post s3://BUCKET/KEY  print a presigned POST form (JSON or --html)
//	s3kit serve [--addr] [--dir] [--verify-signatures]  run an S3-compatible server for development
//	s3kit demo                          walk through the boto3 S3 guide, checked
//
// Credentials, region and endpoint come from the environment and the AWS
// shared files, as for the AWS CLI (s3client.LoadConfig); --endpoint-url,
// --region and --profile override them. The exit code is 0 on success, 1
// when an operation failed, 2 for a command line that makes no sense, and
// 130 (Ctrl-C) or 143 (SIGTERM) when a signal stopped the command, after
// its clean-up.
package main

// This file holds main; cli.go the command table and option parsing; the
// commands live in files of their names (cp.go, ls.go, rm.go, ...).

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	// The first interrupt cancels the context, so that transfers abort
	// their multipart uploads and remove their temporary files; a second
	// one kills the process as usual, since signal.Reset restores the
	// default. Once the clean-up is done, the exit code says which signal
	// ended the command, as a shell reports it: 128 + its number.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	var got atomic.Value // the signal received, if any
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		got.Store(sig)
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(fmt.Errorf("%w (%v)", context.Canceled, sig))
	}()
	code := run(ctx, os.Args[1:], &env{
		stdin:      os.Stdin,
		stdout:     os.Stdout,
		stderr:     os.Stderr,
		stderrFile: os.Stderr,
		getenv:     os.Getenv,
	})
	signal.Stop(sigs)
	if sig, ok := got.Load().(os.Signal); ok {
		code = signalExitCode(sig)
	}
	cancel(nil)
	os.Exit(code)
}
