package multipart_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// newClient starts an in-process S3 server with a bucket and returns a
// client for it, and the server, which the caller closes.
func newClient(bucket string) (*s3client.Client, *s3test.Server) {
	srv, err := s3test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Backend().CreateBucket(bucket); err != nil {
		log.Fatal(err)
	}
	client, err := s3client.New(s3client.Config{
		Region:          "us-east-1",
		Endpoint:        srv.URL,
		AddressingStyle: s3client.AddressingPath,
		Credentials:     sigv4.NewStaticProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:      srv.HTTPClient(),
	})
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Upload a stream of unknown length, such as a pipe or an HTTP body: it is
// read into at most Concurrency+1 buffers of PartSize, and a stream shorter
// than one part would be sent with one PutObject.
func ExampleUploader_Upload() {
	client, srv := newClient("backups")
	defer srv.Close()

	u := &multipart.Uploader{Client: client, PartSize: multipart.MinPartSize, Concurrency: 4}
	out, err := u.Upload(context.Background(), &multipart.UploadInput{
		Bucket:           "backups",
		Key:              "db.dump",
		Body:             io.LimitReader(zeros{}, 12<<20),
		ObjectProperties: s3client.ObjectProperties{ContentType: "application/octet-stream"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Parts, "parts,", out.Size, "bytes")
	// Output: 3 parts, 12582912 bytes
}

// Upload a file: its parts are read in place with ReadAt, concurrently, and
// a part that is retried is read again from the file; nothing is buffered.
func ExampleUploader_Upload_file() {
	client, srv := newClient("videos")
	defer srv.Close()

	f, err := os.CreateTemp("", "multipart-example-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(bytes.Repeat([]byte("s3kit"), 3<<20)); err != nil {
		log.Fatal(err)
	}
	// The upload starts at the file's position, like a read would.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		log.Fatal(err)
	}

	u := &multipart.Uploader{Client: client, PartSize: multipart.MinPartSize, ChecksumAlgorithm: s3client.ChecksumCRC32C}
	out, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: "videos", Key: "clip.bin", Body: f})
	if err != nil {
		var ue *multipart.UploadError
		if errors.As(err, &ue) {
			log.Fatalf("upload %s failed at part %d (aborted: %v): %v", ue.UploadID, ue.PartNumber, ue.Aborted, ue.Err)
		}
		log.Fatal(err)
	}
	fmt.Println(out.Parts, "parts,", out.Size, "bytes")
	// Output: 3 parts, 15728640 bytes
}

// Resume an upload a crashed process left behind: the parts already there
// are kept if they match the file, the others are sent, and the upload is
// completed.
func ExampleUploader_Resume() {
	client, srv := newClient("archive")
	defer srv.Close()
	ctx := context.Background()
	data := bytes.Repeat([]byte{42}, 11<<20)

	// The earlier process: it created the upload and sent part 1.
	created, err := client.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: "archive", Key: "big"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "archive", Key: "big",
		UploadID: created.UploadID, PartNumber: 1, Body: bytes.NewReader(data[:5<<20])}); err != nil {
		log.Fatal(err)
	}

	u := &multipart.Uploader{Client: client, PartSize: multipart.MinPartSize, LeavePartsOnError: true}
	out, err := u.Resume(ctx, created.UploadID, &multipart.UploadInput{Bucket: "archive", Key: "big", Body: bytes.NewReader(data)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("kept %d of %d parts\n", out.Reused, out.Parts)
	// Output: kept 1 of 3 parts
}

// Copy an object; one above the Threshold (or over 5 GiB) would be copied
// with concurrent UploadPartCopy requests and keep its metadata and tags.
func ExampleCopier_Copy() {
	client, srv := newClient("reports")
	defer srv.Close()
	ctx := context.Background()
	if _, err := client.PutObject(ctx, &s3client.PutObjectInput{Bucket: "reports", Key: "2024.csv",
		Body: bytes.NewReader([]byte("a,b\n1,2\n")), ObjectProperties: s3client.ObjectProperties{ContentType: "text/csv"}}); err != nil {
		log.Fatal(err)
	}

	c := &multipart.Copier{Client: client}
	out, err := c.Copy(ctx, &multipart.CopyInput{
		Bucket: "reports", Key: "archive/2024.csv",
		Source: s3client.CopySource{Bucket: "reports", Key: "2024.csv"},
	})
	if err != nil {
		log.Fatal(err)
	}
	head, err := client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "reports", Key: "archive/2024.csv"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Size, "bytes,", head.ContentType)
	// Output: 8 bytes, text/csv
}

// Download an object in ranges of PartSize, Concurrency at a time: Head
// learns its size, ETag and checksum, and WriteAt writes each range at its
// offset (WriteTo writes in order, to a pipe or a hash). Every range is
// pinned to the ETag, so an object replaced midway fails with
// ErrObjectChanged instead of mixing two versions.
func ExampleDownloader() {
	client, srv := newClient("media")
	defer srv.Close()
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	if _, err := client.PutObject(ctx, &s3client.PutObjectInput{Bucket: "media", Key: "clip.bin",
		Body: bytes.NewReader(data), ChecksumAlgorithm: s3client.ChecksumCRC32C}); err != nil {
		log.Fatal(err)
	}

	f, err := os.CreateTemp("", "clip-*.bin")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()

	dl := &multipart.Downloader{Client: client, PartSize: 5 << 20, Concurrency: 4}
	d, err := dl.Head(ctx, &multipart.DownloadInput{Bucket: "media", Key: "clip.bin"})
	if err != nil {
		log.Fatal(err)
	}
	if err := d.WriteAt(ctx, f, 0, f); err != nil { // verified against the CRC32C
		log.Fatal(err)
	}
	got, _ := os.ReadFile(f.Name())
	fmt.Println(d.Size, "bytes in", d.Parts, "ranges; same:", bytes.Equal(got, data))
	// Output: 16777216 bytes in 4 ranges; same: true
}
