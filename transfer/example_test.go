package transfer_test

// Every snippet of boto3's S3 guide on the transfer manager, in Go, run
// against the in-process S3 server. The guide's
//
//	s3 = boto3.client('s3')
//
// is exampleClient here; in a program it is
//
//	cfg, err := s3client.LoadConfig(ctx, nil) // region, credentials...
//	client, err := s3client.New(cfg)

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

// example is the scaffolding of one example: a server holding the guide's
// buckets, a client of it, and a directory holding tmp.txt.
type example struct {
	srv *s3test.Server
	dir string
}

func newExample() *example {
	srv, err := s3test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range []string{"bucket-name", "mybucket", "otherbucket", "bucket"} {
		if err := srv.Backend().CreateBucket(b); err != nil {
			log.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tmp.txt"), []byte("Hello, S3!\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	return &example{srv: srv, dir: dir}
}

func (e *example) close() {
	e.srv.Close()
	os.RemoveAll(e.dir)
}

// client returns a client of the example server for a region.
func (e *example) client(region string) *s3client.Client {
	c, err := s3client.New(s3client.Config{
		Region:          region,
		Endpoint:        e.srv.URL,
		AddressingStyle: s3client.AddressingPath,
		Credentials:     sigv4.NewStaticProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:      e.srv.HTTPClient(),
	})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func (e *example) path(name string) string { return filepath.Join(e.dir, name) }

// put stores an object for an example to read.
func (e *example) put(bucket, key, data string, meta map[string]string) {
	if _, err := e.srv.Backend().PutObject(bucket, key, meta, strings.NewReader(data), int64(len(data)), nil); err != nil {
		log.Fatal(err)
	}
}

func (e *example) get(bucket, key string) (string, map[string]string) {
	obj, err := e.srv.Backend().GetObject(bucket, key, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Contents.Close()
	b, _ := io.ReadAll(obj.Contents)
	return string(b), obj.Metadata
}

// s3.upload_file("tmp.txt", "bucket-name", "key-name")
func ExampleManager_UploadFile() {
	e := newExample()
	defer e.close()
	ctx := context.Background()

	s3, err := transfer.New(e.client("us-west-2"), transfer.Config{})
	if err != nil {
		log.Fatal(err)
	}
	// Upload tmp.txt to bucket-name at key-name.
	res, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name")
	if err != nil {
		log.Fatal(err)
	}
	data, _ := e.get("bucket-name", "key-name")
	fmt.Printf("%d bytes: %q\n", res.Size, data)
	// Output: 11 bytes: "Hello, S3!\n"
}

// with open("tmp.txt", "rb") as f:
//
//	s3.upload_fileobj(f, "bucket-name", "key-name")
func ExampleManager_Upload() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	f, err := os.Open(e.path("tmp.txt"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	// Upload a file-like object to bucket-name at key-name. Any io.Reader
	// will do; a file is read in place, a stream as it comes.
	if _, err := s3.Upload(ctx, f, "bucket-name", "key-name"); err != nil {
		log.Fatal(err)
	}
	data, _ := e.get("bucket-name", "key-name")
	fmt.Printf("%q\n", data)
	// Output: "Hello, S3!\n"
}

// ExtraArgs={"Metadata": {"mykey": "myvalue"}}
func ExampleManager_UploadFile_metadata() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	_, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name", transfer.UploadArgs{
		ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"mykey": "myvalue"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, meta := e.get("bucket-name", "key-name")
	fmt.Println(meta["X-Amz-Meta-Mykey"])
	// Output: myvalue
}

// ExtraArgs={'ACL': 'public-read'}
func ExampleManager_UploadFile_acl() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	_, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name", transfer.UploadArgs{
		ObjectProperties: s3client.ObjectProperties{ACL: "public-read"},
	})
	fmt.Println(err)
	// Output: <nil>
}

// ExtraArgs={'GrantRead': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
// 'GrantFullControl': 'id="79a59df9..."'}
func ExampleManager_UploadFile_grants() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	_, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name", transfer.UploadArgs{
		ObjectProperties: s3client.ObjectProperties{
			GrantRead:        `uri="http://acs.amazonaws.com/groups/global/AllUsers"`,
			GrantFullControl: `id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`,
		},
	})
	fmt.Println(err)
	// Output: <nil>
}

// progressPercentage is the guide's ProgressPercentage: a callback that
// knows the file's size. Calls are serialized by the manager; the lock
// is for readers on other goroutines.
type progressPercentage struct {
	filename string
	size     float64
	mu       sync.Mutex
	seen     int64
	last     string
}

func newProgressPercentage(filename string) *progressPercentage {
	fi, err := os.Stat(filename)
	if err != nil {
		log.Fatal(err)
	}
	return &progressPercentage{filename: filepath.Base(filename), size: float64(fi.Size())}
}

func (p *progressPercentage) call(bytesAmount int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen += bytesAmount
	p.last = fmt.Sprintf("%s  %d / %.0f  (%.2f%%)", p.filename, p.seen, p.size, float64(p.seen)/p.size*100)
	// A terminal would get: fmt.Fprintf(os.Stdout, "\r%s", p.last)
}

// Callback=ProgressPercentage("tmp.txt")
func ExampleManager_UploadFile_progress() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	progress := newProgressPercentage(e.path("tmp.txt"))
	_, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name", transfer.Callback(progress.call))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(progress.last)
	// Output: tmp.txt  11 / 11  (100.00%)
}

// s3.download_file("bucket-name", "key-name", "tmp.txt")
func ExampleManager_DownloadFile() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", "downloaded\n", nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	// Download the object at bucket-name with key-name to tmp.txt. The
	// file is replaced only once the whole object has arrived.
	if _, err := s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt")); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(e.path("tmp.txt"))
	fmt.Printf("%q\n", b)
	// Output: "downloaded\n"
}

// with open("tmp.txt", "wb") as f:
//
//	s3.download_fileobj("bucket-name", "key-name", f)
func ExampleManager_Download() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", "downloaded\n", nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	f, err := os.Create(e.path("tmp.txt"))
	if err != nil {
		log.Fatal(err)
	}
	// Download into a writable file-like object: any io.Writer (a file
	// is written at offsets, in parallel).
	if _, err := s3.Download(ctx, "bucket-name", "key-name", f); err != nil {
		log.Fatal(err)
	}
	f.Close()
	b, _ := os.ReadFile(e.path("tmp.txt"))
	fmt.Printf("%q\n", b)

	// Or to standard output, in order.
	if _, err := s3.Download(ctx, "bucket-name", "key-name", os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// "downloaded\n"
	// downloaded
}

// ExtraArgs={"VersionId": "my-version-id"}
func ExampleManager_DownloadFile_versionID() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	if err := e.srv.Backend().(gofakes3.VersionedBackend).SetVersioningConfiguration("bucket-name",
		gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
		log.Fatal(err)
	}
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})
	first, err := s3.Upload(ctx, strings.NewReader("version one"), "bucket-name", "key-name")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s3.Upload(ctx, strings.NewReader("version two"), "bucket-name", "key-name"); err != nil {
		log.Fatal(err)
	}

	_, err = s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt"),
		transfer.DownloadArgs{VersionID: first.VersionID})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(e.path("tmp.txt"))
	fmt.Println(string(b))
	// Output: version one
}

// progressSoFar is the guide's download and copy ProgressPercentage,
// which does not know the size.
type progressSoFar struct {
	name string
	mu   sync.Mutex
	seen int64
}

func (p *progressSoFar) call(bytesAmount int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen += bytesAmount
	// A terminal would get:
	// fmt.Printf("\r%s --> %d bytes transferred", p.name, p.seen)
}

// Callback=ProgressPercentage("tmp.txt"), downloading
func ExampleManager_DownloadFile_progress() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", strings.Repeat("x", 12345), nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	progress := &progressSoFar{name: "tmp.txt"}
	_, err := s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt"), transfer.Callback(progress.call))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s --> %d bytes transferred\n", progress.name, progress.seen)
	// Output: tmp.txt --> 12345 bytes transferred
}

// copy_source = {'Bucket': 'mybucket', 'Key': 'mykey'}
// s3.copy(copy_source, 'otherbucket', 'otherkey')
func ExampleManager_Copy() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("mybucket", "mykey", "to be copied", nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	// Copy the object in mybucket at mykey to otherbucket at otherkey.
	copySource := transfer.CopySource{Bucket: "mybucket", Key: "mykey"}
	if _, err := s3.Copy(ctx, copySource, "otherbucket", "otherkey"); err != nil {
		log.Fatal(err)
	}
	data, _ := e.get("otherbucket", "otherkey")
	fmt.Println(data)
	// Output: to be copied
}

// s3 = boto3.client('s3', 'us-west-2')
// source_client = boto3.client('s3', 'eu-central-1')
// s3.copy(copy_source, 'otherbucket', 'otherkey', SourceClient=source_client)
func ExampleManager_Copy_sourceClient() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("mybucket", "mykey", "from eu-central-1", nil)

	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})
	sourceClient := e.client("eu-central-1")

	// Copy from mybucket (eu-central-1) to otherbucket (us-west-2).
	copySource := transfer.CopySource{Bucket: "mybucket", Key: "mykey"}
	_, err := s3.Copy(ctx, copySource, "otherbucket", "otherkey", transfer.SourceClient(sourceClient))
	if err != nil {
		log.Fatal(err)
	}
	data, _ := e.get("otherbucket", "otherkey")
	fmt.Println(data)
	// Output: from eu-central-1
}

// ExtraArgs={"Metadata": {"my-new-key": "my-new-value"}, "MetadataDirective": "REPLACE"}
func ExampleManager_Copy_replaceMetadata() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("mybucket", "mykey", "data", map[string]string{"X-Amz-Meta-Old-Key": "old-value"})
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	copySource := transfer.CopySource{Bucket: "mybucket", Key: "mykey"}
	_, err := s3.Copy(ctx, copySource, "bucket", "mykey", transfer.CopyArgs{
		ObjectProperties:  s3client.ObjectProperties{Metadata: map[string]string{"my-new-key": "my-new-value"}},
		MetadataDirective: "REPLACE",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, meta := e.get("bucket", "mykey")
	fmt.Println(meta["X-Amz-Meta-My-New-Key"])
	// Output: my-new-value
}

// s3.copy(copy_source, 'otherbucket', 'otherkey',
// Callback=ProgressPercentage("otherbucket/otherkey"))
func ExampleManager_Copy_progress() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("mybucket", "mykey", strings.Repeat("c", 4096), nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	// A copy happens inside S3: progress comes a part at a time.
	progress := &progressSoFar{name: "otherbucket/otherkey"}
	copySource := transfer.CopySource{Bucket: "mybucket", Key: "mykey"}
	_, err := s3.Copy(ctx, copySource, "otherbucket", "otherkey", transfer.Callback(progress.call))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s --> %d bytes transferred\n", progress.name, progress.seen)
	// Output: otherbucket/otherkey --> 4096 bytes transferred
}

// GB = 1024 ** 3
// config = TransferConfig(multipart_threshold=5 * GB)
// s3.upload_file("tmp.txt", "bucket-name", "key-name", Config=config)
func ExampleConfig_multipartThreshold() {
	e := newExample()
	defer e.close()
	ctx := context.Background()

	const GB = 1 << 30
	// Multipart uploads only for what one PutObject cannot take.
	s3, err := transfer.New(e.client("us-west-2"), transfer.Config{MultipartThreshold: 5 * GB})
	if err != nil {
		log.Fatal(err)
	}
	res, err := s3.UploadFile(ctx, e.path("tmp.txt"), "bucket-name", "key-name")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("parts:", res.Parts)
	// Output: parts: 0
}

// config = TransferConfig(max_concurrency=5)
// s3.download_file("bucket-name", "key-name", "tmp.txt", Config=config)
// config = TransferConfig(max_concurrency=20)
// s3.download_file("bucket-name", "key-name", "tmp.txt", Config=config)
func ExampleConfig_maxConcurrency() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", "concurrent", nil)
	client := e.client("us-west-2")

	// Decrease the max concurrency from 10 to 5 to potentially consume
	// less downstream bandwidth.
	s3, _ := transfer.New(client, transfer.Config{MaxConcurrency: 5})
	if _, err := s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt")); err != nil {
		log.Fatal(err)
	}
	// Increase it to 20 to potentially consume more.
	s3, _ = transfer.New(client, transfer.Config{MaxConcurrency: 20})
	if _, err := s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s3.Config().MaxConcurrency)
	// Output: 20
}

// config = TransferConfig(use_threads=False)
// s3.download_file("bucket-name", "key-name", "tmp.txt", Config=config)
func ExampleConfig_noThreads() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", "no threads", nil)

	// Everything on the caller's goroutine; MaxConcurrency is ignored.
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{NoThreads: true})
	if _, err := s3.DownloadFile(ctx, "bucket-name", "key-name", e.path("tmp.txt")); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(e.path("tmp.txt"))
	fmt.Println(string(b))
	// Output: no threads
}

// Beyond the guide: a writer for data produced by writing, here gzip.
func ExampleManager_NewWriter() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	w, err := s3.NewWriter(ctx, "bucket-name", "log.gz", transfer.UploadArgs{
		ObjectProperties: s3client.ObjectProperties{ContentEncoding: "gzip"},
	})
	if err != nil {
		log.Fatal(err)
	}
	zw := gzip.NewWriter(w)
	fmt.Fprintln(zw, "line one")
	fmt.Fprintln(zw, "line two")
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	// Only a nil error from Close proves the object was written.
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	data, _ := e.get("bucket-name", "log.gz")
	zr, _ := gzip.NewReader(strings.NewReader(data))
	io.Copy(os.Stdout, zr)
	// Output:
	// line one
	// line two
}

// Beyond the guide: a directory, in parallel, with a filter.
func ExampleManager_UploadDirectory() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	for _, name := range []string{"a.txt", "sub/b.txt", "sub/skip.tmp"} {
		p := e.path(filepath.Join("tree", name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(name), 0o644)
	}
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	res, err := s3.UploadDirectory(ctx, e.path("tree"), "bucket-name", "backup/",
		transfer.Filter(func(name string) bool { return !strings.HasSuffix(name, ".tmp") }))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Files {
		fmt.Println(f.Key, f.Err)
	}
	// Output:
	// backup/a.txt <nil>
	// backup/sub/b.txt <nil>
}

// Beyond the guide: delete, with the version and MFA arguments of
// s3transfer's delete.
func ExampleManager_Delete() {
	e := newExample()
	defer e.close()
	ctx := context.Background()
	e.put("bucket-name", "key-name", "x", nil)
	s3, _ := transfer.New(e.client("us-west-2"), transfer.Config{})

	if _, err := s3.Delete(ctx, "bucket-name", "key-name"); err != nil {
		log.Fatal(err)
	}
	_, err := s3.Download(ctx, "bucket-name", "key-name", &bytes.Buffer{})
	fmt.Println(s3client.IsNotFound(err))
	// Output: true
}
