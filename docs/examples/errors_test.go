package examples_test

// Errors and retries: one error type for every S3 answer, matched with
// errors.As and errors.Is, and the retry settings.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func Example_errors() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	_, err = s3.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "no-such-key"})
	var e *s3client.Error
	if errors.As(err, &e) {
		// e.RequestID and e.HostID are what AWS support asks for.
		fmt.Println(e.Op, e.StatusCode, e.Code)
	}
	fmt.Println(s3client.IsNotFound(err), s3client.ErrorCode(err))

	// The transfer manager's errors say which transfer failed, and wrap
	// the client's.
	mgr, err := transfer.New(s3, transfer.Config{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = mgr.DownloadFile(ctx, "bucket-name", "no-such-key", "tmp.txt")
	var te *transfer.Error
	if errors.As(err, &te) && errors.As(err, &e) {
		fmt.Println(te.Op, te.Key, "->", e.Op, e.StatusCode)
	}
	fmt.Println(errors.Is(err, s3client.ErrNotFound))
	// Output:
	// GetObject 404 NoSuchKey
	// true NoSuchKey
	// DownloadFile no-such-key -> HeadObject 404
	// true
}

// Retries: how many attempts, and the backoff between them (full jitter,
// doubling from the base delay up to the cap).
func Example_retries() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxAttempts = 4 // the first attempt included; 1 turns retries off
	cfg.RetryBaseDelay = 10 * time.Millisecond
	cfg.RetryMaxDelay = time.Second

	// An endpoint where nothing listens: the request is tried four times.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	cfg.Endpoint = "http://" + ln.Addr().String()
	ln.Close()
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	_, err = s3.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: "bucket-name"})
	var e *s3client.Error
	if errors.As(err, &e) {
		fmt.Println("status:", e.StatusCode, "attempts:", e.Attempts)
	}
	// Output: status: 0 attempts: 4
}
