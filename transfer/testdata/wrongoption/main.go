// Command wrongoption must not compile: each call gives a transfer method
// an option of another kind. TestWrongOptionDoesNotCompile builds it and
// checks that the compiler names every one.
package main

import (
	"context"
	"io"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func main() {
	ctx := context.Background()
	m, _ := transfer.New(&s3client.Client{}, transfer.Config{})
	m.UploadFile(ctx, "f", "b", "k", transfer.CopyArgs{})
	m.Upload(ctx, nil, "b", "k", transfer.DownloadArgs{})
	m.Delete(ctx, "b", "k", transfer.UploadArgs{})
	m.Copy(ctx, transfer.CopySource{Bucket: "b", Key: "s"}, "b", "k", transfer.Filter(nil))
	m.Download(ctx, "b", "k", io.Discard, transfer.SourceClient(nil))
	m.Delete(ctx, "b", "k", transfer.Callback(nil))
}
