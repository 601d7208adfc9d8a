// Command client-aws runs the benchmark with aws-sdk-go-v2: its S3 client
// for small objects, and its two transfer managers, feature/s3/manager
// (aws-manager) and feature/s3/transfermanager (aws-tm), for files and
// streams. The S3 client is built as a program would build it for a custom
// endpoint (path style), with the SDK's defaults otherwise: its HTTP
// client, retryer, and checksum policy (a checksum on every upload that
// supports one).
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/bench/internal/harness"
)

func main() {
	harness.Main(map[string]harness.Factory{
		"aws-manager": func(cfg harness.Config) (harness.Client, error) { return &mgr{s3c: newS3(cfg), cfg: cfg}, nil },
		"aws-tm":      func(cfg harness.Config) (harness.Client, error) { return newTM(cfg), nil },
	})
}

func newS3(cfg harness.Config) *s3.Client {
	return s3.New(s3.Options{
		Region:       harness.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(harness.AccessKeyID, harness.SecretAccessKey, ""),
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: true,
	})
}

// mgr is feature/s3/manager's Uploader and Downloader, and the plain S3
// client for single requests.
type mgr struct {
	s3c *s3.Client
	cfg harness.Config
}

func (c *mgr) uploader() *manager.Uploader {
	return manager.NewUploader(c.s3c, func(u *manager.Uploader) {
		if c.cfg.Concurrency > 0 {
			u.Concurrency = c.cfg.Concurrency
		}
		if c.cfg.PartSize > 0 {
			u.PartSize = c.cfg.PartSize
		}
	})
}

func (c *mgr) Upload(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.uploader().Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: f})
	return err
}

func (c *mgr) UploadStream(ctx context.Context, bucket, key string, r io.Reader) error {
	_, err := c.uploader().Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: r})
	return err
}

func (c *mgr) Download(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	d := manager.NewDownloader(c.s3c, func(d *manager.Downloader) {
		if c.cfg.Concurrency > 0 {
			d.Concurrency = c.cfg.Concurrency
		}
		if c.cfg.PartSize > 0 {
			d.PartSize = c.cfg.PartSize
		}
	})
	_, err = d.Download(ctx, f, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	return errors.Join(err, f.Close())
}

// DownloadTo uses the Downloader the way its documentation allows for a
// writer that is not an io.WriterAt: one range at a time (Concurrency 1),
// through a WriterAt that writes in order.
func (c *mgr) DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error {
	d := manager.NewDownloader(c.s3c, func(d *manager.Downloader) {
		d.Concurrency = 1
		if c.cfg.PartSize > 0 {
			d.PartSize = c.cfg.PartSize
		}
	})
	_, err := d.Download(ctx, &sequentialWriterAt{w: w}, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	return err
}

// sequentialWriterAt is an io.WriterAt for writes that come in order.
type sequentialWriterAt struct {
	w   io.Writer
	off int64
}

func (s *sequentialWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if off != s.off {
		return 0, fmt.Errorf("write at %d, expected %d: not in order", off, s.off)
	}
	n, err := s.w.Write(p)
	s.off += int64(n)
	return n, err
}

func (c *mgr) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := c.s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
	return err
}

func (c *mgr) Get(ctx context.Context, bucket, key string, buf []byte) (int, error) {
	out, err := c.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	return harness.ReadFull(out.Body, buf)
}

// tm is feature/s3/transfermanager, the SDK's newer transfer manager.
type tm struct {
	c *transfermanager.Client
}

func newTM(cfg harness.Config) *tm {
	return &tm{transfermanager.New(newS3(cfg), func(o *transfermanager.Options) {
		if cfg.Concurrency > 0 {
			o.Concurrency = cfg.Concurrency
		}
		if cfg.PartSize > 0 {
			o.PartSizeBytes = cfg.PartSize
		}
	})}
}

func (c *tm) Upload(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.c.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: &bucket, Key: &key, Body: f})
	return err
}

func (c *tm) UploadStream(ctx context.Context, bucket, key string, r io.Reader) error {
	_, err := c.c.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: &bucket, Key: &key, Body: r})
	return err
}

func (c *tm) Download(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = c.c.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: &bucket, Key: &key, WriterAt: f})
	return errors.Join(err, f.Close())
}

// DownloadTo reads GetObject, which fetches ranges in parallel behind an
// io.Reader, into w.
func (c *tm) DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error {
	out, err := c.c.GetObject(ctx, &transfermanager.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, out.Body)
	return err
}

func (c *tm) Put(context.Context, string, string, []byte) error { return errors.ErrUnsupported }
func (c *tm) Get(context.Context, string, string, []byte) (int, error) {
	return 0, errors.ErrUnsupported
}
