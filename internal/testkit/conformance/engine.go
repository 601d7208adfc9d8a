package conformance

// The multipart engine end to end: uploads from a file and from a pipe,
// abort on failure (nothing left behind), resume, and multipart copy that
// keeps the source's metadata.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

func init() {
	register("EngineUpload", testEngineUpload)
	register("EngineAbort", testEngineAbort)
	register("EngineResume", testEngineResume)
	register("EngineCopy", testEngineCopy)
}

func testEngineUpload(e *env) {
	c := e.client(nil)
	body := pattern(2*minPart() + 12345)
	up := &multipart.Uploader{Client: c, PartSize: int64(minPart()), Concurrency: 3}
	e.t.Run("file", func(t *testing.T) {
		out, err := up.Upload(e.ctx, &multipart.UploadInput{Bucket: e.bucket, Key: "engine/file", Body: bytes.NewReader(body), Size: int64(len(body)),
			ObjectProperties: s3client.ObjectProperties{ContentType: "application/octet-stream", Metadata: map[string]string{"k": "v"}}})
		if err != nil {
			t.Fatalf("Upload: %v", err)
		}
		if out.Parts != 3 {
			t.Errorf("%d parts, want 3", out.Parts)
		}
		if got := getBytes(t, c, e.bucket, "engine/file"); !bytes.Equal(got, body) {
			t.Fatalf("object differs")
		}
	})
	e.t.Run("pipe", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			for off := 0; off < len(body); off += 100000 {
				end := min(off+100000, len(body))
				if _, err := pw.Write(body[off:end]); err != nil {
					return
				}
			}
			pw.Close()
		}()
		if _, err := up.Upload(e.ctx, &multipart.UploadInput{Bucket: e.bucket, Key: "engine/pipe", Body: pr, Size: -1}); err != nil {
			t.Fatalf("Upload: %v", err)
		}
		if got := getBytes(t, c, e.bucket, "engine/pipe"); !bytes.Equal(got, body) {
			t.Fatalf("object differs")
		}
	})
}

// failingReader fails after n bytes.
type failingReader struct {
	r io.Reader
	n int
}

var errSource = errors.New("source broke")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errSource
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func testEngineAbort(e *env) {
	c := e.client(nil)
	body := pattern(3 * minPart())
	up := &multipart.Uploader{Client: c, PartSize: int64(minPart()), Concurrency: 2}
	_, err := up.Upload(e.ctx, &multipart.UploadInput{Bucket: e.bucket, Key: "engine/aborted", Body: &failingReader{r: bytes.NewReader(body), n: 2*minPart() + 10}, Size: -1})
	var ue *multipart.UploadError
	if !errors.As(err, &ue) || !errors.Is(err, errSource) || ue.UploadID == "" {
		e.t.Fatalf("err = %v, want an UploadError naming the upload and wrapping the source's error", err)
	}
	e.noUploadsUnder(e.t, c, "engine/aborted")
	if _, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: "engine/aborted"}); !s3client.IsNotFound(err) {
		e.t.Errorf("a failed upload left an object: %v", err)
	}
}

func testEngineResume(e *env) {
	c := e.client(nil)
	body := pattern(3*minPart() - 1000)
	key := "engine/resumed"
	// A first run that uploads two parts and dies.
	cr, err := c.CreateMultipartUpload(e.ctx, &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: key})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		part := body[i*minPart() : (i+1)*minPart()]
		if _, err := c.UploadPart(e.ctx, &s3client.UploadPartInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID, PartNumber: i + 1, Body: bytes.NewReader(part)}); err != nil {
			e.t.Fatal(err)
		}
	}
	up := &multipart.Uploader{Client: c, PartSize: int64(minPart()), Concurrency: 2}
	out, err := up.Resume(e.ctx, cr.UploadID, &multipart.UploadInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body), Size: int64(len(body))})
	if err != nil {
		e.t.Fatalf("Resume: %v", err)
	}
	if out.Reused != 2 {
		e.t.Errorf("reused %d parts, want 2", out.Reused)
	}
	if got := getBytes(e.t, c, e.bucket, key); !bytes.Equal(got, body) {
		e.t.Fatalf("resumed object differs")
	}
	e.noUploadsUnder(e.t, c, key)
}

func testEngineCopy(e *env) {
	e.need(e.tg.Caps.UploadPartCopy, "UploadPartCopy")
	c := e.client(nil)
	body := pattern(minPart() + 777)
	src := "engine/copy-src"
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: src, Body: bytes.NewReader(body),
		ObjectProperties: s3client.ObjectProperties{ContentType: "image/x-test", ContentLanguage: "fr", Metadata: map[string]string{"origin": "copy-test"}}}); err != nil {
		e.t.Fatal(err)
	}
	cp := &multipart.Copier{Client: c, Threshold: int64(minPart()), PartSize: int64(minPart()), Concurrency: 2}
	out, err := cp.Copy(context.Background(), &multipart.CopyInput{Bucket: e.bucket, Key: "engine/copy-dst", Source: s3client.CopySource{Bucket: e.bucket, Key: src}})
	if err != nil {
		e.t.Fatalf("Copy: %v", err)
	}
	if out.Parts != 2 {
		e.t.Errorf("copied in %d parts, want 2 (multipart)", out.Parts)
	}
	if got := getBytes(e.t, c, e.bucket, "engine/copy-dst"); !bytes.Equal(got, body) {
		e.t.Fatalf("copy differs")
	}
	head, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: "engine/copy-dst"})
	if err != nil {
		e.t.Fatal(err)
	}
	if head.ContentType != "image/x-test" || head.Metadata["origin"] != "copy-test" || (e.tg.Caps.StoresCacheControl && head.ContentLanguage != "fr") {
		e.t.Errorf("multipart copy lost metadata: %q %q %v", head.ContentType, head.ContentLanguage, head.Metadata)
	}
}
