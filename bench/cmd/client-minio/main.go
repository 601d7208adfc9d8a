// Command client-minio runs the benchmark with minio-go v7: FPutObject and
// FGetObject for files, PutObject with an unknown size for streams,
// PutObject and GetObject for small objects. The client is built with
// minio-go's defaults (its transport, its part sizing and four threads
// when not told otherwise) for path-style requests to the sink.
//
// Variant "concurrent-stream" sets PutObjectOptions.ConcurrentStreamParts,
// minio-go's option to send a stream's parts in parallel.
package main

import (
	"bytes"
	"context"
	"io"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/s3kit/s3kit/bench/internal/harness"
)

func main() {
	harness.Main(map[string]harness.Factory{"minio": newMinio})
}

type client struct {
	mc  *minio.Client
	cfg harness.Config
}

func newMinio(cfg harness.Config) (harness.Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	mc, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(harness.AccessKeyID, harness.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       harness.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, err
	}
	return &client{mc: mc, cfg: cfg}, nil
}

func (c *client) putOptions() minio.PutObjectOptions {
	var o minio.PutObjectOptions
	if c.cfg.Concurrency > 0 {
		o.NumThreads = uint(c.cfg.Concurrency)
	}
	if c.cfg.PartSize > 0 {
		o.PartSize = uint64(c.cfg.PartSize)
	}
	o.ConcurrentStreamParts = c.cfg.Variant == "concurrent-stream"
	return o
}

func (c *client) Upload(ctx context.Context, bucket, key, path string, size int64) error {
	_, err := c.mc.FPutObject(ctx, bucket, key, path, c.putOptions())
	return err
}

func (c *client) UploadStream(ctx context.Context, bucket, key string, r io.Reader) error {
	_, err := c.mc.PutObject(ctx, bucket, key, r, -1, c.putOptions())
	return err
}

// Download uses FGetObject, which reads the object in one GET: minio-go
// has no parallel download.
func (c *client) Download(ctx context.Context, bucket, key, path string, size int64) error {
	return c.mc.FGetObject(ctx, bucket, key, path, minio.GetObjectOptions{})
}

// DownloadTo copies GetObject's one GET to w.
func (c *client) DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error {
	obj, err := c.mc.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	_, err = io.Copy(w, obj)
	return err
}

func (c *client) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := c.mc.PutObject(ctx, bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
	return err
}

func (c *client) Get(ctx context.Context, bucket, key string, buf []byte) (int, error) {
	obj, err := c.mc.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer obj.Close()
	return harness.ReadFull(obj, buf)
}
