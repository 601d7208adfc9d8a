package reliability

// Bad input at every public entry point, across packages: each is answered
// by a typed error, without a panic and without a request (a counting
// server stands behind every client and would see it).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

// countingServer answers every request with a 500 and counts them.
type countingServer struct {
	*httptest.Server
	n    atomic.Int64
	last atomic.Value // string: the last request line
}

func newCountingServer(t testing.TB) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		s.last.Store(r.Method + " " + r.URL.String())
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<Error><Code>InternalError</Code><Message>a request reached the server</Message></Error>")
	}))
	t.Cleanup(s.Close)
	return s
}

// typedError reports whether err is one of s3kit's error types or wraps
// one of its sentinels (or a context's error): something a caller can
// match, rather than a bare string.
func typedError(err error) bool {
	if err == nil {
		return false
	}
	var (
		ce  *s3client.Error
		ue  *multipart.UploadError
		pse *multipart.PartSizeError
		te  *transfer.Error
		pce *presignpost.ConditionError
		pke *presignpost.CheckError
	)
	if errors.As(err, &ce) || errors.As(err, &ue) || errors.As(err, &pse) || errors.As(err, &te) ||
		errors.As(err, &pce) || errors.As(err, &pke) {
		return true
	}
	for _, s := range []error{
		s3client.ErrInvalidInput, s3client.ErrInvalidConfig,
		multipart.ErrTooManyParts, multipart.ErrSourceSize, multipart.ErrNotResumable,
		transfer.ErrInvalidConfig, transfer.ErrWrongOption, transfer.ErrUnsafeKey,
		presignpost.ErrMissingBucket, presignpost.ErrMissingKey, presignpost.ErrInvalidURL, presignpost.ErrInvalidValue,
		presignpost.ErrInvalidField, presignpost.ErrReservedField, presignpost.ErrInvalidRange, presignpost.ErrMalformedPolicy,
		presignpost.ErrSignature, presignpost.ErrUnknownOperator, presignpost.ErrConflict, presignpost.ErrDuplicateField,
		sigv4.ErrExpiry, sigv4.ErrMissingCredentials, sigv4.ErrMissingRegion, sigv4.ErrMissingPayloadHash,
		sigv4.ErrInvalidPath, sigv4.ErrInvalidQuery, sigv4.ErrInvalidHeaderName, sigv4.ErrInvalidHeaderValue,
		sigv4.ErrInvalidStreamingOpt, sigv4.ErrShortBody,
		context.Canceled, context.DeadlineExceeded,
	} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// badEnv is a client, an engine and a manager, all in front of a counting
// server, and a directory of small files to upload.
type badEnv struct {
	srv *countingServer
	c   *s3client.Client
	up  *multipart.Uploader
	cp  *multipart.Copier
	m   *transfer.Manager
	dir string
}

func newBadEnv(t *testing.T) *badEnv {
	srv := newCountingServer(t)
	c := newClient(t, s3client.Config{Endpoint: srv.URL, AddressingStyle: s3client.AddressingPath, MaxAttempts: 1, AllowSSECOverHTTP: true})
	m, err := transfer.New(c, transfer.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "small"), []byte("small file"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &badEnv{srv: srv, c: c, up: &multipart.Uploader{Client: c}, cp: &multipart.Copier{Client: c}, m: m, dir: dir}
}

// objectOps are the entry points that name one object, by bucket and key.
func (b *badEnv) objectOps() map[string]func(ctx context.Context, bucket, key string) error {
	c, ctxBody := b.c, strings.NewReader
	return map[string]func(ctx context.Context, bucket, key string) error{
		"PutObject": func(ctx context.Context, bk, k string) error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: bk, Key: k, Body: ctxBody("x")})
			return err
		},
		"GetObject": func(ctx context.Context, bk, k string) error {
			out, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: bk, Key: k})
			if err == nil {
				out.Body.Close()
			}
			return err
		},
		"HeadObject": func(ctx context.Context, bk, k string) error {
			_, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: bk, Key: k})
			return err
		},
		"DeleteObject": func(ctx context.Context, bk, k string) error {
			_, err := c.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: bk, Key: k})
			return err
		},
		"CopyObject": func(ctx context.Context, bk, k string) error {
			_, err := c.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: bk, Key: k, CopySource: s3client.CopySource{Bucket: "src", Key: "s"}})
			return err
		},
		"CopyObject source": func(ctx context.Context, bk, k string) error {
			_, err := c.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: "dst", Key: "d", CopySource: s3client.CopySource{Bucket: bk, Key: k}})
			return err
		},
		"GetObjectTagging": func(ctx context.Context, bk, k string) error {
			_, err := c.GetObjectTagging(ctx, &s3client.GetObjectTaggingInput{Bucket: bk, Key: k})
			return err
		},
		"PutObjectTagging": func(ctx context.Context, bk, k string) error {
			_, err := c.PutObjectTagging(ctx, &s3client.PutObjectTaggingInput{Bucket: bk, Key: k, TagSet: []s3client.Tag{{Key: "a", Value: "b"}}})
			return err
		},
		"CreateMultipartUpload": func(ctx context.Context, bk, k string) error {
			_, err := c.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: bk, Key: k})
			return err
		},
		"UploadPart": func(ctx context.Context, bk, k string) error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: bk, Key: k, UploadID: "u", PartNumber: 1, Body: ctxBody("x")})
			return err
		},
		"UploadPartCopy": func(ctx context.Context, bk, k string) error {
			_, err := c.UploadPartCopy(ctx, &s3client.UploadPartCopyInput{Bucket: bk, Key: k, UploadID: "u", PartNumber: 1, CopySource: s3client.CopySource{Bucket: "src", Key: "s"}})
			return err
		},
		"CompleteMultipartUpload": func(ctx context.Context, bk, k string) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: bk, Key: k, UploadID: "u", Parts: []s3client.CompletedPart{{PartNumber: 1, ETag: `"e"`}}})
			return err
		},
		"AbortMultipartUpload": func(ctx context.Context, bk, k string) error {
			return c.AbortMultipartUpload(ctx, &s3client.AbortMultipartUploadInput{Bucket: bk, Key: k, UploadID: "u"})
		},
		"ListParts": func(ctx context.Context, bk, k string) error {
			_, err := c.ListParts(ctx, &s3client.ListPartsInput{Bucket: bk, Key: k, UploadID: "u"})
			return err
		},
		"AllParts": func(ctx context.Context, bk, k string) error {
			for _, err := range c.AllParts(ctx, &s3client.ListPartsInput{Bucket: bk, Key: k, UploadID: "u"}) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"PresignGetObject": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: bk, Key: k}, 0)
			return err
		},
		"PresignHeadObject": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignHeadObject(ctx, &s3client.GetObjectInput{Bucket: bk, Key: k}, 0)
			return err
		},
		"PresignPutObject": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignPutObject(ctx, &s3client.PutObjectInput{Bucket: bk, Key: k}, 0)
			return err
		},
		"PresignDeleteObject": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignDeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: bk, Key: k}, 0)
			return err
		},
		"PresignCreateMultipartUpload": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignCreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: bk, Key: k}, 0)
			return err
		},
		"PresignUploadPart": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignUploadPart(ctx, &s3client.UploadPartInput{Bucket: bk, Key: k, UploadID: "u", PartNumber: 1}, 0)
			return err
		},
		"PresignCompleteMultipartUpload": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignCompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: bk, Key: k, UploadID: "u"}, 0)
			return err
		},
		"PresignAbortMultipartUpload": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignAbortMultipartUpload(ctx, &s3client.AbortMultipartUploadInput{Bucket: bk, Key: k, UploadID: "u"}, 0)
			return err
		},
		"PresignPost": func(ctx context.Context, bk, k string) error {
			_, err := c.PresignPost(ctx, &presignpost.Policy{Bucket: bk, Key: k})
			return err
		},
		"multipart.Upload": func(ctx context.Context, bk, k string) error {
			_, err := b.up.Upload(ctx, &multipart.UploadInput{Bucket: bk, Key: k, Body: ctxBody("x")})
			return err
		},
		"multipart.Resume": func(ctx context.Context, bk, k string) error {
			_, err := b.up.Resume(ctx, "u", &multipart.UploadInput{Bucket: bk, Key: k, Body: ctxBody("x")})
			return err
		},
		"multipart.Copy": func(ctx context.Context, bk, k string) error {
			_, err := b.cp.Copy(ctx, &multipart.CopyInput{Bucket: bk, Key: k, Source: s3client.CopySource{Bucket: "src", Key: "s"}})
			return err
		},
		"multipart.Copy source": func(ctx context.Context, bk, k string) error {
			_, err := b.cp.Copy(ctx, &multipart.CopyInput{Bucket: "dst", Key: "d", Source: s3client.CopySource{Bucket: bk, Key: k}})
			return err
		},
		"transfer.UploadFile": func(ctx context.Context, bk, k string) error {
			_, err := b.m.UploadFile(ctx, filepath.Join(b.dir, "small"), bk, k)
			return err
		},
		"transfer.Upload": func(ctx context.Context, bk, k string) error {
			_, err := b.m.Upload(ctx, ctxBody("x"), bk, k)
			return err
		},
		"transfer.NewWriter": func(ctx context.Context, bk, k string) error {
			w, err := b.m.NewWriter(ctx, bk, k)
			if err != nil {
				return err
			}
			w.Write([]byte("x"))
			return w.Close()
		},
		"transfer.DownloadFile": func(ctx context.Context, bk, k string) error {
			_, err := b.m.DownloadFile(ctx, bk, k, filepath.Join(b.dir, "target"))
			return err
		},
		"transfer.Download": func(ctx context.Context, bk, k string) error {
			_, err := b.m.Download(ctx, bk, k, io.Discard)
			return err
		},
		"transfer.DownloadAt": func(ctx context.Context, bk, k string) error {
			_, err := b.m.DownloadAt(ctx, bk, k, make(writerAt, 10))
			return err
		},
		"transfer.Copy": func(ctx context.Context, bk, k string) error {
			_, err := b.m.Copy(ctx, transfer.CopySource{Bucket: "src", Key: "s"}, bk, k)
			return err
		},
		"transfer.Copy source": func(ctx context.Context, bk, k string) error {
			_, err := b.m.Copy(ctx, transfer.CopySource{Bucket: bk, Key: k}, "dst", "d")
			return err
		},
		"transfer.Delete": func(ctx context.Context, bk, k string) error {
			_, err := b.m.Delete(ctx, bk, k)
			return err
		},
	}
}

// bucketOps are the entry points that name a bucket only.
func (b *badEnv) bucketOps() map[string]func(ctx context.Context, bucket string) error {
	c := b.c
	return map[string]func(ctx context.Context, bucket string) error{
		"CreateBucket": func(ctx context.Context, bk string) error {
			_, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: bk})
			return err
		},
		"DeleteBucket": func(ctx context.Context, bk string) error {
			return c.DeleteBucket(ctx, &s3client.DeleteBucketInput{Bucket: bk})
		},
		"HeadBucket": func(ctx context.Context, bk string) error {
			_, err := c.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: bk})
			return err
		},
		"GetBucketLocation": func(ctx context.Context, bk string) error {
			_, err := c.GetBucketLocation(ctx, &s3client.GetBucketLocationInput{Bucket: bk})
			return err
		},
		"ListObjectsV2": func(ctx context.Context, bk string) error {
			_, err := c.ListObjectsV2(ctx, &s3client.ListObjectsV2Input{Bucket: bk})
			return err
		},
		"AllObjects": func(ctx context.Context, bk string) error {
			for _, err := range c.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: bk}) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"ListObjectVersions": func(ctx context.Context, bk string) error {
			_, err := c.ListObjectVersions(ctx, &s3client.ListObjectVersionsInput{Bucket: bk})
			return err
		},
		"AllObjectVersions": func(ctx context.Context, bk string) error {
			for _, err := range c.AllObjectVersions(ctx, &s3client.ListObjectVersionsInput{Bucket: bk}) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"ListMultipartUploads": func(ctx context.Context, bk string) error {
			_, err := c.ListMultipartUploads(ctx, &s3client.ListMultipartUploadsInput{Bucket: bk})
			return err
		},
		"AllMultipartUploads": func(ctx context.Context, bk string) error {
			for _, err := range c.AllMultipartUploads(ctx, &s3client.ListMultipartUploadsInput{Bucket: bk}) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"DeleteObjects": func(ctx context.Context, bk string) error {
			_, err := c.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: bk, Objects: []s3client.ObjectIdentifier{{Key: "k"}}})
			return err
		},
		"transfer.UploadDirectory": func(ctx context.Context, bk string) error {
			_, err := b.m.UploadDirectory(ctx, b.dir, bk, "p/")
			return err
		},
		"transfer.DownloadDirectory": func(ctx context.Context, bk string) error {
			_, err := b.m.DownloadDirectory(ctx, bk, "p/", filepath.Join(b.dir, "down"))
			return err
		},
	}
}

// expectRefused runs call and checks that it returned a typed error,
// did not panic and sent nothing.
func (b *badEnv) expectRefused(t *testing.T, name string, call func() error, also ...error) {
	t.Helper()
	before := b.srv.n.Load()
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
				t.Errorf("%s: panicked: %v", name, r)
			}
		}()
		return call()
	}()
	switch {
	case err == nil:
		t.Errorf("%s: accepted", name)
	case !typedError(err):
		t.Errorf("%s: untyped error %T: %v", name, err, err)
	}
	for _, want := range also {
		if err != nil && !errors.Is(err, want) {
			t.Errorf("%s: %v does not match %v", name, err, want)
		}
	}
	if n := b.srv.n.Load() - before; n != 0 {
		t.Errorf("%s: %d requests sent (last: %v)", name, n, b.srv.last.Load())
	}
}

var (
	// badBuckets are refused by every operation before anything is sent.
	// Names that only break the rules of new buckets (uppercase, "_", two
	// letters...) are not among them: older buckets have such names, and
	// the endpoint rules send them path style (see newBucketNames).
	badBuckets = []string{"", "b\x00", "b\n", "b\x7f", strings.Repeat("b", 1025), "a\xffb"}
	// newBucketNames are refused by CreateBucket only: the rules of new
	// general purpose buckets.
	newBucketNames = []string{"ab", strings.Repeat("b", 64), "Upper", "under_score", "-lead", "trail-", "a..b",
		"192.168.1.1", "xn--punycode", "a/b", "bü"}
	badKeys = map[string]string{
		"empty":             "",
		"1025 bytes":        strings.Repeat("k", 1025),
		"invalid UTF-8":     "a\xffb",
		"truncated UTF-8":   "key\xc3",
		"UTF-16 surrogate":  "a\xed\xa0\x80b",
		"overlong encoding": "a\xc0\xafb",
	}
)

func TestBadBucketNames(t *testing.T) {
	b := newBadEnv(t)
	ctx := context.Background()
	for name, op := range b.objectOps() {
		for _, bucket := range badBuckets {
			b.expectRefused(t, fmt.Sprintf("%s(bucket %q)", name, bucket), func() error { return op(ctx, bucket, "k") })
		}
	}
	for name, op := range b.bucketOps() {
		for _, bucket := range badBuckets {
			b.expectRefused(t, fmt.Sprintf("%s(bucket %q)", name, bucket), func() error { return op(ctx, bucket) })
		}
	}
	create := b.bucketOps()["CreateBucket"]
	for _, bucket := range newBucketNames {
		b.expectRefused(t, fmt.Sprintf("CreateBucket(bucket %q)", bucket), func() error { return create(ctx, bucket) }, s3client.ErrInvalidBucketName)
	}
}

func TestBadKeys(t *testing.T) {
	b := newBadEnv(t)
	ctx := context.Background()
	for name, op := range b.objectOps() {
		for what, key := range badKeys {
			b.expectRefused(t, fmt.Sprintf("%s(key %s)", name, what), func() error { return op(ctx, "bkt", key) })
		}
	}
}

// TestCanceledContext: a context that has ended stops every entry point
// before it sends anything, with an error that matches the context's.
func TestCanceledContext(t *testing.T) {
	b := newBadEnv(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, op := range b.objectOps() {
		if strings.HasPrefix(name, "Presign") {
			continue // presigning sends nothing and needs no live context
		}
		b.expectRefused(t, name+"(canceled)", func() error { return op(canceled, "bkt", "k") }, context.Canceled)
		b.expectRefused(t, name+"(past deadline)", func() error { return op(expired, "bkt", "k") }, context.DeadlineExceeded)
	}
	for name, op := range b.bucketOps() {
		b.expectRefused(t, name+"(canceled)", func() error { return op(canceled, "bkt") }, context.Canceled)
	}
}

// TestBadInputTable holds the cases that are not a bucket or a key.
func TestBadInputTable(t *testing.T) {
	b := newBadEnv(t)
	ctx := context.Background()
	c := b.c
	body := func() io.Reader { return strings.NewReader("x") }
	dirTarget := t.TempDir()
	hugeSource := io.NewSectionReader(zeros{}, 0, multipart.MaxObjectSize+1)
	tooManyParts := make([]s3client.CompletedPart, multipart.MaxParts+1)
	for i := range tooManyParts {
		tooManyParts[i] = s3client.CompletedPart{PartNumber: i + 1, ETag: `"e"`}
	}
	pol := func(mod func(*presignpost.Policy)) func() error {
		return func() error {
			p := &presignpost.Policy{Bucket: "bkt", Key: "k"}
			mod(p)
			_, err := c.PresignPost(ctx, p)
			return err
		}
	}
	creds := sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	req := func() *http.Request { r, _ := http.NewRequest("GET", "https://bkt.s3.amazonaws.com/k", nil); return r }
	var signer sigv4.Signer

	tests := []struct {
		name string
		call func() error
		want []error
	}{
		// Sizes and offsets.
		{"PutObject negative ContentLength", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(), ContentLength: -1})
			return err
		}, nil},
		{"UploadPart negative ContentLength", func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: body(), ContentLength: -1})
			return err
		}, nil},
		{"GetObject range with first > last", func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", Range: "bytes=10-5"})
			return err
		}, nil},
		{"GetObject range with a negative first byte", func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", Range: "bytes=-5-10"})
			return err
		}, nil},
		{"GetObject range not in bytes", func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", Range: "items=0-1"})
			return err
		}, nil},
		{"GetObject range with a line break", func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", Range: "bytes=0-1\r\nX-Evil: 1"})
			return err
		}, nil},
		{"GetObject negative part number", func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", PartNumber: -1})
			return err
		}, nil},
		{"UploadPartCopy range with first > last", func() error {
			_, err := c.UploadPartCopy(ctx, &s3client.UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1,
				CopySource: s3client.CopySource{Bucket: "src", Key: "s"}, CopySourceRange: "bytes=9-1"})
			return err
		}, nil},
		{"ListObjectsV2 negative MaxKeys", func() error {
			_, err := c.ListObjectsV2(ctx, &s3client.ListObjectsV2Input{Bucket: "bkt", MaxKeys: -1})
			return err
		}, nil},
		{"multipart body shorter than Size", func() error {
			_, err := b.up.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body(), Size: 10})
			return err
		}, []error{multipart.ErrSourceSize}},
		{"multipart nil body with a Size", func() error {
			_, err := b.up.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Size: 10})
			return err
		}, []error{multipart.ErrSourceSize}},

		// Part sizes and counts.
		{"Uploader part size below 5 MiB", func() error {
			u := &multipart.Uploader{Client: c, PartSize: partSize - 1}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"Uploader part size above 5 GiB", func() error {
			u := &multipart.Uploader{Client: c, PartSize: multipart.MaxPartSize + 1}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"Uploader negative part size", func() error {
			u := &multipart.Uploader{Client: c, PartSize: -1}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"Uploader more than 10,000 parts", func() error {
			u := &multipart.Uploader{Client: c, PartSize: multipart.MaxPartSize}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: hugeSource, Size: multipart.MaxObjectSize + 1})
			return err
		}, []error{multipart.ErrTooManyParts}},
		{"Copier part size below 5 MiB", func() error {
			cp := &multipart.Copier{Client: c, PartSize: 1 << 20}
			_, err := cp.Copy(ctx, &multipart.CopyInput{Bucket: "bkt", Key: "k", Source: s3client.CopySource{Bucket: "src", Key: "s"}})
			return err
		}, nil},
		{"UploadPart number 0", func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", Body: body()})
			return err
		}, nil},
		{"UploadPart number 10,001", func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 10001, Body: body()})
			return err
		}, nil},
		{"CompleteMultipartUpload 10,001 parts", func() error {
			_, err := c.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u", Parts: tooManyParts})
			return err
		}, nil},
		{"transfer chunk size below 5 MiB", func() error {
			_, err := transfer.New(c, transfer.Config{MultipartChunkSize: 1 << 20})
			return err
		}, []error{transfer.ErrInvalidConfig}},
		{"transfer chunk size above 5 GiB", func() error {
			_, err := transfer.New(c, transfer.Config{MultipartChunkSize: 5<<30 + 1})
			return err
		}, []error{transfer.ErrInvalidConfig}},
		{"transfer negative threshold", func() error {
			_, err := transfer.New(c, transfer.Config{MultipartThreshold: -1})
			return err
		}, []error{transfer.ErrInvalidConfig}},
		{"transfer negative concurrency", func() error {
			_, err := transfer.New(c, transfer.Config{MaxConcurrency: -1})
			return err
		}, []error{transfer.ErrInvalidConfig}},
		{"transfer memory budget below one chunk", func() error {
			_, err := transfer.New(c, transfer.Config{MemoryBudget: 1 << 20})
			return err
		}, []error{transfer.ErrInvalidConfig}},
		{"transfer nil client", func() error {
			_, err := transfer.New(nil, transfer.Config{})
			return err
		}, nil},

		// Expiry.
		{"Presign expiry over 7 days", func() error {
			_, err := c.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k"}, 7*24*time.Hour+time.Second)
			return err
		}, nil},
		{"Presign negative expiry", func() error {
			_, err := c.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k"}, -time.Second)
			return err
		}, nil},
		{"Presign expiry under a second", func() error {
			_, err := c.PresignPutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k"}, time.Millisecond)
			return err
		}, nil},
		{"generic Presign over 7 days", func() error {
			_, err := c.Presign(ctx, "GET", "bkt", "k", nil, nil, 8*24*time.Hour)
			return err
		}, nil},
		{"generic Presign bad method", func() error {
			_, err := c.Presign(ctx, "GET /x", "bkt", "k", nil, nil, time.Hour)
			return err
		}, nil},
		{"generic Presign header with a line break", func() error {
			_, err := c.Presign(ctx, "GET", "bkt", "k", nil, http.Header{"X-Amz-Meta-A": {"v\r\nEvil: 1"}}, time.Hour)
			return err
		}, nil},
		{"PresignPost expiry over 7 days", pol(func(p *presignpost.Policy) { p.Expires = 8 * 24 * time.Hour }), []error{sigv4.ErrExpiry}},
		{"PresignPost negative expiry", pol(func(p *presignpost.Policy) { p.Expires = -time.Minute }), []error{sigv4.ErrExpiry}},
		{"PresignPost bad content-length-range", pol(func(p *presignpost.Policy) {
			p.Conditions = []presignpost.Condition{presignpost.ContentLengthRange(10, 5)}
		}), []error{presignpost.ErrInvalidRange}},
		{"PresignPost negative content-length-range", pol(func(p *presignpost.Policy) {
			p.Conditions = []presignpost.Condition{presignpost.ContentLengthRange(-1, 5)}
		}), []error{presignpost.ErrInvalidRange}},
		{"PresignPost field with a control character", pol(func(p *presignpost.Policy) { p.Fields = map[string]string{"x-amz-meta-a\n": "v"} }), nil},
		{"PresignPost field value not UTF-8", pol(func(p *presignpost.Policy) { p.Fields = map[string]string{"x-amz-meta-a": "\xff"} }), nil},
		{"sigv4 Presign expiry 0", func() error {
			_, _, err := signer.Presign(req(), creds, "us-east-1", sigv4.UnsignedPayload, 0, time.Now())
			return err
		}, []error{sigv4.ErrExpiry}},
		{"sigv4 Presign expiry over 7 days", func() error {
			_, _, err := signer.Presign(req(), creds, "us-east-1", sigv4.UnsignedPayload, 7*24*time.Hour+time.Second, time.Now())
			return err
		}, []error{sigv4.ErrExpiry}},
		{"sigv4 Sign nil request", func() error {
			return signer.Sign(nil, creds, "us-east-1", sigv4.UnsignedPayload, time.Now())
		}, nil},
		{"sigv4 Sign without a secret", func() error {
			return signer.Sign(req(), sigv4.Credentials{AccessKeyID: "a"}, "us-east-1", sigv4.UnsignedPayload, time.Now())
		}, []error{sigv4.ErrMissingCredentials}},
		{"sigv4 Sign without a region", func() error {
			return signer.Sign(req(), creds, "", sigv4.UnsignedPayload, time.Now())
		}, []error{sigv4.ErrMissingRegion}},
		{"sigv4 SignStreaming negative length", func() error {
			return signer.SignStreaming(req(), strings.NewReader(""), -1, creds, "us-east-1",
				sigv4.StreamingOptions{Payload: sigv4.StreamingPayload}, time.Now())
		}, nil},
		{"sigv4 StreamingLength negative", func() error {
			_, err := sigv4.StreamingLength(-1, sigv4.StreamingOptions{Payload: sigv4.StreamingPayload})
			return err
		}, nil},
		{"sigv4 SignPOSTPolicy without credentials", func() error {
			_, err := signer.SignPOSTPolicy("e30=", sigv4.Credentials{}, "us-east-1", time.Now())
			return err
		}, []error{sigv4.ErrMissingCredentials}},
		{"presignpost Sign without a bucket", func() error {
			_, err := (&presignpost.Policy{Key: "k"}).Sign(creds, "us-east-1", "", time.Now())
			return err
		}, []error{presignpost.ErrMissingBucket}},
		{"presignpost Sign with a relative URL", func() error {
			_, err := (&presignpost.Policy{Bucket: "bkt", Key: "k"}).Sign(creds, "us-east-1", "/bkt", time.Now())
			return err
		}, []error{presignpost.ErrInvalidURL}},
		{"presignpost Check of garbage", func() error {
			return presignpost.Check("not base64!", presignpost.Form{Fields: map[string]string{"key": "k"}}, time.Now())
		}, []error{presignpost.ErrMalformedPolicy}},
		{"presignpost Check of JSON that is not a policy", func() error {
			return presignpost.Check("WzEsMiwzXQ==", presignpost.Form{Fields: map[string]string{"key": "k"}}, time.Now())
		}, []error{presignpost.ErrMalformedPolicy}},
		{"presignpost Verify of an empty form", func() error {
			return presignpost.Verify(map[string]string{}, creds, "us-east-1")
		}, []error{presignpost.ErrSignature}},
		{"presignpost Verify of a nil form", func() error {
			return presignpost.Verify(nil, creds, "us-east-1")
		}, []error{presignpost.ErrSignature}},

		// Nil inputs, readers and writers.
		{"PutObject nil input", func() error { _, err := c.PutObject(ctx, nil); return err }, nil},
		{"GetObject nil input", func() error { _, err := c.GetObject(ctx, nil); return err }, nil},
		{"HeadObject nil input", func() error { _, err := c.HeadObject(ctx, nil); return err }, nil},
		{"DeleteObject nil input", func() error { _, err := c.DeleteObject(ctx, nil); return err }, nil},
		{"PresignGetObject nil input", func() error { _, err := c.PresignGetObject(ctx, nil, 0); return err }, nil},
		{"PresignPutObject nil input", func() error { _, err := c.PresignPutObject(ctx, nil, 0); return err }, nil},
		{"PresignUploadPart nil input", func() error { _, err := c.PresignUploadPart(ctx, nil, 0); return err }, nil},
		{"PresignPost nil policy", func() error { _, err := c.PresignPost(ctx, nil); return err }, nil},
		{"UploadPart nil body with a length", func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, ContentLength: 5})
			return err
		}, nil},
		{"multipart Upload nil input", func() error { _, err := b.up.Upload(ctx, nil); return err }, nil},
		{"multipart Resume nil input", func() error { _, err := b.up.Resume(ctx, "u", nil); return err }, nil},
		{"multipart Resume empty upload ID", func() error {
			_, err := b.up.Resume(ctx, "", &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"multipart Resume of a stream", func() error {
			_, err := b.up.Resume(ctx, "u", &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: stream{body()}})
			return err
		}, []error{multipart.ErrNotResumable}},
		{"multipart Copy nil input", func() error { _, err := b.cp.Copy(ctx, nil); return err }, nil},
		{"multipart Uploader nil client", func() error {
			_, err := (&multipart.Uploader{}).Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"transfer Upload nil reader", func() error { _, err := b.m.Upload(ctx, nil, "bkt", "k"); return err }, nil},
		{"transfer Download nil writer", func() error { _, err := b.m.Download(ctx, "bkt", "k", nil); return err }, nil},
		{"transfer DownloadAt nil writer", func() error { _, err := b.m.DownloadAt(ctx, "bkt", "k", nil); return err }, nil},
		{"transfer UploadFile missing file", func() error {
			_, err := b.m.UploadFile(ctx, filepath.Join(b.dir, "missing"), "bkt", "k")
			return err
		}, []error{os.ErrNotExist}},
		{"transfer UploadFile of a directory", func() error {
			_, err := b.m.UploadFile(ctx, b.dir, "bkt", "k")
			return err
		}, nil},
		{"transfer UploadFile empty name", func() error { _, err := b.m.UploadFile(ctx, "", "bkt", "k"); return err }, nil},
		{"transfer DownloadFile empty name", func() error { _, err := b.m.DownloadFile(ctx, "bkt", "k", ""); return err }, nil},
		{"transfer DownloadFile target is a directory", func() error {
			_, err := b.m.DownloadFile(ctx, "bkt", "k", dirTarget)
			return err
		}, nil},
		{"transfer DownloadFile into a missing directory", func() error {
			_, err := b.m.DownloadFile(ctx, "bkt", "k", filepath.Join(b.dir, "no", "such", "dir", "f"))
			return err
		}, nil},
		{"transfer UploadDirectory of a missing directory", func() error {
			_, err := b.m.UploadDirectory(ctx, filepath.Join(b.dir, "missing"), "bkt", "p/")
			return err
		}, nil},
		// An option of another kind does not compile (transfer's
		// TestWrongOptionDoesNotCompile); a value that does not apply is
		// refused before any request.
		{"transfer DownloadDirectory with a VersionID", func() error {
			_, err := b.m.DownloadDirectory(ctx, "bkt", "p/", filepath.Join(b.dir, "versioned"), transfer.DownloadArgs{VersionID: "v1"})
			return err
		}, []error{transfer.ErrWrongOption}},

		// Checksums.
		{"PutObject unknown checksum", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(), ChecksumAlgorithm: "MD4"})
			return err
		}, []error{s3client.ErrUnknownChecksum}},
		{"UploadPart unknown checksum", func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: body(), ChecksumAlgorithm: "crc8"})
			return err
		}, nil},
		{"CreateMultipartUpload unknown checksum", func() error {
			_, err := c.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ChecksumAlgorithm: "XXH3"})
			return err
		}, nil},
		{"Uploader unknown checksum", func() error {
			u := &multipart.Uploader{Client: c, ChecksumAlgorithm: "MD4"}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: body()})
			return err
		}, nil},
		{"transfer unknown checksum", func() error {
			_, err := b.m.Upload(ctx, body(), "bkt", "k", transfer.UploadArgs{ChecksumAlgorithm: "MD4"})
			return err
		}, nil},
		{"DeleteObjects unknown checksum", func() error {
			_, err := c.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: "bkt", Objects: []s3client.ObjectIdentifier{{Key: "k"}}, ChecksumAlgorithm: "md5"})
			return err
		}, nil},

		// Keys that XML cannot carry, in the operations whose body names keys.
		{"DeleteObjects key with a control character", func() error {
			_, err := c.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: "bkt", Objects: []s3client.ObjectIdentifier{{Key: "a\x01b"}}})
			return err
		}, nil},
		{"DeleteObjects key not UTF-8", func() error {
			_, err := c.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: "bkt", Objects: []s3client.ObjectIdentifier{{Key: "a\xffb"}}})
			return err
		}, nil},

		// Headers that would split the request.
		{"PutObject metadata value with a line break", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(),
				ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"a": "v\r\nX-Evil: 1"}}})
			return err
		}, nil},
		{"PutObject content type with a line break", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(),
				ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain\nX-Evil: 1"}})
			return err
		}, nil},
		{"transfer metadata name with a space", func() error {
			_, err := b.m.Upload(ctx, body(), "bkt", "k", transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"a b": "v"}}})
			return err
		}, nil},
		{"SSE-C key of the wrong length", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(),
				SSECustomer: s3client.SSECustomer{SSECustomerKey: s3client.SSECKey("short")}})
			return err
		}, nil},
		{"SSE-C unknown algorithm", func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: body(),
				SSECustomer: s3client.SSECustomer{SSECustomerAlgorithm: "ROT13", SSECustomerKey: ssecKey}})
			return err
		}, nil},
	}
	for _, tt := range tests {
		b.expectRefused(t, tt.name, tt.call, tt.want...)
	}

	// A signing parameter given as a query parameter is replaced by the
	// real one, never signed as given.
	pr, err := c.Presign(ctx, "GET", "bkt", "k", url.Values{"X-Amz-Signature": {"forged"}, "X-Amz-Credential": {"forged"}}, nil, time.Hour)
	if err != nil {
		t.Fatalf("Presign with signing parameters in the query: %v", err)
	}
	u, _ := url.Parse(pr.URL)
	q := u.Query()
	if len(q["X-Amz-Signature"]) != 1 || q.Get("X-Amz-Signature") == "forged" || len(q["X-Amz-Credential"]) != 1 || strings.Contains(pr.URL, "forged") {
		t.Errorf("presigned URL carries the caller's signing parameters: %s", pr.URL)
	}
}

// zeros is an endless io.ReaderAt of zero bytes.
type zeros struct{}

func (zeros) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDownloadFileOntoDirectory: a target that is a directory is refused
// before the object is read, and nothing is left beside it.
func TestDownloadFileOntoDirectory(t *testing.T) {
	te := newTransferEnv(t, options{})
	obj := data(11*unit, 41)
	te.srv.PutObject(t, te.bucket, "obj", obj, nil)
	target := filepath.Join(te.downDir, "target")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "inside"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := te.m.DownloadFile(context.Background(), te.bucket, "obj", target)
	if !isTransferError(err) {
		t.Fatalf("err = %v, want a *transfer.Error", err)
	}
	if b, err := os.ReadFile(filepath.Join(target, "inside")); err != nil || string(b) != "keep" {
		t.Errorf("the directory's content changed: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(te.downDir)
	if len(entries) != 1 {
		t.Errorf("%d entries beside the target, want only the directory", len(entries))
	}
	if n := e2eGets(te.env); n > 0 {
		t.Errorf("the object was read (%d GET requests) before the target was found to be a directory", n)
	}
}

// e2eGets counts the GetObject requests that went through the proxy.
func e2eGets(e *env) int {
	n := 0
	for _, ev := range e.proxy.Events() {
		if ev.Op == "GetObject" {
			n++
		}
	}
	return n
}
