package multipart

// End-to-end tests: the engine driving a real *s3client.Client against the
// in-process gofakes3 server (internal/testkit/s3test), directly or through a
// proxy (httptest) that injects failures and implements UploadPartCopy,
// which gofakes3 lacks.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// newS3 starts a gofakes3 server with bucket "bucket", optionally behind a
// proxy whose hook may answer a request itself (returning true), and
// returns the server and a client for it (through the proxy, if any).
func newS3(t *testing.T, hook func(w http.ResponseWriter, r *http.Request, srv *s3test.Server) bool) (*s3test.Server, *s3client.Client) {
	t.Helper()
	srv := s3test.New(t)
	srv.CreateBucket(t, "bucket")
	endpoint, hc := srv.URL, srv.HTTPClient()
	if hook != nil {
		target, _ := url.Parse(srv.URL)
		rp := httputil.NewSingleHostReverseProxy(target)
		rp.ErrorLog = log.New(io.Discard, "", 0) // canceled requests are expected
		p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !hook(w, r, srv) {
				rp.ServeHTTP(w, r)
			}
		}))
		t.Cleanup(p.Close)
		endpoint, hc = p.URL, p.Client()
	}
	c, err := s3client.New(s3client.Config{
		Region:          "us-east-1",
		Endpoint:        endpoint,
		AddressingStyle: s3client.AddressingPath,
		Credentials:     sigv4.NewStaticProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient:      hc,
		RetryBaseDelay:  time.Millisecond,
		RetryMaxDelay:   5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// openUploadsOn lists the uploads left on the server.
func openUploadsOn(t *testing.T, c *s3client.Client) []string {
	t.Helper()
	var ids []string
	for u, err := range c.AllMultipartUploads(context.Background(), &s3client.ListMultipartUploadsInput{Bucket: "bucket"}) {
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		ids = append(ids, u.UploadID)
	}
	return ids
}

func writeFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestEndToEndUpload(t *testing.T) {
	srv, c := newS3(t, nil)
	tests := []struct {
		name  string
		size  int64
		pipe  bool
		alg   s3client.ChecksumAlgorithm
		parts int
	}{
		{"file", 2*ps + 3, false, "", 3},
		{"file with CRC32C", 2*ps + 3, false, s3client.ChecksumCRC32C, 3},
		{"pipe", 2*ps + 3, true, "", 3},
		{"pipe with SHA256", ps + 1, true, s3client.ChecksumSHA256, 2},
		{"small file", 1000, false, "", 0},
		{"small pipe", 1000, true, "", 0},
		{"empty pipe", 0, true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := patternBytes(tt.size)
			var body io.Reader
			if tt.pipe {
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(writeAll(pw, data)) }()
				body = pr
			} else {
				body = writeFile(t, data)
			}
			key := strings.ReplaceAll(tt.name, " ", "-")
			u := &Uploader{Client: c, PartSize: ps, ChecksumAlgorithm: tt.alg}
			out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: key, Body: body,
				ObjectProperties: s3client.ObjectProperties{ContentType: "application/x-test", Metadata: map[string]string{"color": "blue"}}})
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			got, meta := srv.GetObject(t, "bucket", key)
			if !bytes.Equal(got, data) {
				t.Fatalf("stored %d bytes differ from the %d sent", len(got), len(data))
			}
			if meta["Content-Type"] != "application/x-test" || meta["X-Amz-Meta-Color"] != "blue" {
				t.Errorf("metadata = %v", meta)
			}
			if out.Parts != tt.parts || (out.UploadID == "") != (tt.parts == 0) || out.ETag == "" {
				t.Errorf("output = %+v", out)
			}
		})
	}
	if open := openUploadsOn(t, c); len(open) != 0 {
		t.Errorf("uploads left open: %v", open)
	}
}

func writeAll(w io.Writer, data []byte) error {
	for len(data) > 0 { // in uneven pieces, as a pipe delivers them
		n := min(len(data), 100_003)
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// isPart reports whether r is UploadPart (or UploadPartCopy) of part n.
func isPart(r *http.Request, n int) bool {
	q := r.URL.Query()
	return r.Method == http.MethodPut && q.Get("uploadId") != "" && q.Get("partNumber") == fmt.Sprint(n)
}

func failWith(w http.ResponseWriter, r *http.Request, status int, code string) {
	// The whole body is read before answering: a server that answers
	// early races the client's body writer, whose late reads s3client
	// still counts as progress after taking the attempt back (reported).
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>injected</Message></Error>", code)
}

func TestEndToEndRetriedPart(t *testing.T) {
	var mu sync.Mutex
	attempts := 0
	_, c := newS3(t, func(w http.ResponseWriter, r *http.Request, _ *s3test.Server) bool {
		if !isPart(r, 2) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if attempts++; attempts <= 2 {
			failWith(w, r, http.StatusInternalServerError, "InternalError")
			return true
		}
		return false
	})
	data := patternBytes(3*ps + 5)
	var pmu sync.Mutex
	var total, negative int64
	u := &Uploader{Client: c, PartSize: ps, Progress: func(n int64) {
		pmu.Lock()
		defer pmu.Unlock()
		total += n
		if n < 0 {
			negative += n
		}
	}}
	if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: "k", Body: writeFile(t, data)}); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	out, err := c.GetObject(context.Background(), &s3client.GetObjectInput{Bucket: "bucket", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("content differs after the retried part")
	}
	if attempts != 3 || total != int64(len(data)) || negative >= 0 {
		t.Errorf("part 2 attempts %d, progress total %d (want %d), taken back %d", attempts, total, len(data), negative)
	}
}

func TestEndToEndFailureAborts(t *testing.T) {
	for _, pipe := range []bool{false, true} {
		t.Run(fmt.Sprint("pipe=", pipe), func(t *testing.T) {
			_, c := newS3(t, func(w http.ResponseWriter, r *http.Request, _ *s3test.Server) bool {
				if isPart(r, 2) {
					failWith(w, r, http.StatusForbidden, "AccessDenied")
					return true
				}
				return false
			})
			data := patternBytes(3 * ps)
			var body io.Reader = writeFile(t, data)
			if pipe {
				body = onlyReader{bytes.NewReader(data)}
			}
			_, err := (&Uploader{Client: c, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: "k", Body: body})
			var ue *UploadError
			if !errors.As(err, &ue) || ue.PartNumber != 2 || !ue.Aborted || !errors.Is(err, s3client.ErrForbidden) {
				t.Fatalf("error = %v", err)
			}
			if open := openUploadsOn(t, c); len(open) != 0 {
				t.Errorf("uploads left open: %v", open)
			}
		})
	}
}

func TestEndToEndCancelAborts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, c := newS3(t, func(w http.ResponseWriter, r *http.Request, _ *s3test.Server) bool {
		if isPart(r, 3) {
			cancel()                    // the caller gives up while part 3 is on its way
			io.Copy(io.Discard, r.Body) // until the client hangs up
			return true
		}
		return false
	})
	_, err := (&Uploader{Client: c, PartSize: ps, Concurrency: 1}).Upload(ctx, &UploadInput{Bucket: "bucket", Key: "k",
		Body: writeFile(t, patternBytes(4*ps))})
	var ue *UploadError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ue) || !ue.Aborted {
		t.Fatalf("error = %v", err)
	}
	if open := openUploadsOn(t, c); len(open) != 0 {
		t.Errorf("uploads left open after the cancellation: %v", open)
	}
}

func TestEndToEndResume(t *testing.T) {
	srv, c := newS3(t, nil)
	ctx := context.Background()
	data := patternBytes(3*ps + 11)
	// An earlier process created the upload and sent parts 1 and 3, then died.
	cr, err := c.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: "bucket", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1, 3} {
		if _, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bucket", Key: "k", UploadID: cr.UploadID, PartNumber: int(n),
			Body: bytes.NewReader(data[(n-1)*ps : n*ps])}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := (&Uploader{Client: c, PartSize: ps}).Resume(ctx, cr.UploadID, &UploadInput{Bucket: "bucket", Key: "k", Body: writeFile(t, data)})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if out.Reused != 2 || out.Parts != 4 {
		t.Errorf("output = %+v, want 2 of 4 parts reused", out)
	}
	if got, _ := srv.GetObject(t, "bucket", "k"); !bytes.Equal(got, data) {
		t.Fatal("resumed object differs")
	}
}

// copyPart implements UploadPartCopy in front of gofakes3: it reads the
// source range from the backend and uploads it as an ordinary part.
func copyPart(w http.ResponseWriter, r *http.Request, srv *s3test.Server) bool {
	src := r.Header.Get("X-Amz-Copy-Source")
	if src == "" || r.URL.Query().Get("partNumber") == "" {
		return false
	}
	path, _, _ := strings.Cut(src, "?")
	path, _ = url.PathUnescape(path)
	bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	obj, err := srv.Backend().GetObject(bucket, key, nil)
	if err != nil {
		failWith(w, r, http.StatusNotFound, "NoSuchKey")
		return true
	}
	all, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if m := r.Header.Get("X-Amz-Copy-Source-If-Match"); m != "" && m != fmt.Sprintf("%q", hexMD5(all)) {
		failWith(w, r, http.StatusPreconditionFailed, "PreconditionFailed")
		return true
	}
	var first, last int
	fmt.Sscanf(r.Header.Get("X-Amz-Copy-Source-Range"), "bytes=%d-%d", &first, &last)
	req, _ := http.NewRequest(http.MethodPut, srv.URL+r.URL.RequestURI(), bytes.NewReader(all[first:last+1]))
	resp, err := srv.HTTPClient().Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		failWith(w, r, http.StatusInternalServerError, "InternalError")
		return true
	}
	resp.Body.Close()
	xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"CopyPartResult"`
		ETag    string
	}{ETag: resp.Header.Get("ETag")})
	return true
}

func TestEndToEndCopy(t *testing.T) {
	srv, c := newS3(t, copyPart)
	data := patternBytes(2*ps + 99)
	srv.PutObject(t, "bucket", "src", data, map[string]string{
		"Content-Type": "text/plain", "Content-Disposition": "attachment", "Content-Encoding": "identity", "X-Amz-Meta-Owner": "ops",
	})
	tests := []struct {
		name      string
		threshold int64
		parts     int
	}{
		{"multipart", ps, 3},
		{"CopyObject", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "dst-" + tt.name
			out, err := (&Copier{Client: c, Threshold: tt.threshold, PartSize: ps}).Copy(context.Background(), &CopyInput{
				Bucket: "bucket", Key: key, Source: s3client.CopySource{Bucket: "bucket", Key: "src"}})
			if err != nil {
				t.Fatalf("Copy: %v", err)
			}
			if out.Parts != tt.parts {
				t.Errorf("output = %+v", out)
			}
			got, meta := srv.GetObject(t, "bucket", key)
			if !bytes.Equal(got, data) {
				t.Fatal("copy differs")
			}
			// gofakes3 keeps only these (not Cache-Control, Content-Language
			// or Expires, which the fake-based tests cover).
			for k, v := range map[string]string{"Content-Type": "text/plain", "Content-Disposition": "attachment", "Content-Encoding": "identity", "X-Amz-Meta-Owner": "ops"} {
				if meta[k] != v {
					t.Errorf("copy's %s = %q, want %q (all: %v)", k, meta[k], v, meta)
				}
			}
		})
	}
}

func hexMD5(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func TestEndToEndSourceEndsEarly(t *testing.T) {
	_, c := newS3(t, nil)
	data := patternBytes(2*ps + 10)
	_, err := (&Uploader{Client: c, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: "k",
		Body: writeFile(t, data), Size: 3 * ps})
	var ue *UploadError
	if !errors.Is(err, ErrSourceSize) || !errors.As(err, &ue) || ue.PartNumber != 3 || !ue.Aborted {
		t.Fatalf("error = %v, want ErrSourceSize in part 3", err)
	}
	if open := openUploadsOn(t, c); len(open) != 0 {
		t.Errorf("uploads left open: %v", open)
	}
}

// TestEndToEndAnswerLost: the server completes or aborts an upload, but
// its answer is lost (replaced by a 500) and the client's retry finds no
// upload. Nothing remains, and the outcome must say so.
func TestEndToEndAnswerLost(t *testing.T) {
	lose := func(match func(r *http.Request) bool) func(w http.ResponseWriter, r *http.Request, srv *s3test.Server) bool {
		var once sync.Once
		return func(w http.ResponseWriter, r *http.Request, srv *s3test.Server) bool {
			lost := false
			if match(r) {
				once.Do(func() { lost = true })
			}
			if !lost {
				return false
			}
			out := r.Clone(r.Context())
			out.RequestURI = ""
			out.URL.Scheme, out.URL.Host = "http", strings.TrimPrefix(srv.URL, "http://")
			resp, err := srv.HTTPClient().Do(out)
			if err != nil {
				t.Errorf("forwarding %s: %v", r.URL, err)
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			failWith(w, r, http.StatusInternalServerError, "InternalError")
			return true
		}
	}
	isComplete := func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Get("uploadId") != "" }
	isAbort := func(r *http.Request) bool {
		return r.Method == http.MethodDelete && r.URL.Query().Get("uploadId") != ""
	}

	t.Run("complete", func(t *testing.T) {
		srv, c := newS3(t, lose(isComplete))
		data := patternBytes(2*ps + 1)
		out, err := (&Uploader{Client: c, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: "k", Body: bytes.NewReader(data)})
		if got, _ := srv.GetObject(t, "bucket", "k"); !bytes.Equal(got, data) {
			t.Fatalf("object differs (err %v)", err)
		}
		if open := openUploadsOn(t, c); len(open) != 0 {
			t.Errorf("uploads left open: %v", open)
		}
		meta, herr := c.HeadObject(context.Background(), &s3client.GetObjectInput{Bucket: "bucket", Key: "k"})
		if herr != nil {
			t.Fatal(herr)
		}
		if multipartETag(meta.ETag, 3) {
			// A store that keeps S3's multipart ETag: the completion is confirmed.
			if err != nil || out.ETag != meta.ETag {
				t.Errorf("Upload: %v, %+v; want the completion confirmed", err, out)
			}
			return
		}
		// gofakes3 serves an MD5 ETag: the completion cannot be confirmed,
		// but the error must not claim the upload remains.
		var ue *UploadError
		if !errors.As(err, &ue) || !ue.Aborted || s3client.ErrorCode(err) != "NoSuchUpload" {
			t.Errorf("error = %v, want an UploadError saying the upload is gone", err)
		}
	})
	t.Run("abort", func(t *testing.T) {
		loseAbort := lose(isAbort)
		_, c := newS3(t, func(w http.ResponseWriter, r *http.Request, srv *s3test.Server) bool {
			if isPart(r, 2) {
				failWith(w, r, http.StatusForbidden, "AccessDenied")
				return true
			}
			return loseAbort(w, r, srv)
		})
		_, err := (&Uploader{Client: c, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bucket", Key: "k",
			Body: bytes.NewReader(patternBytes(3 * ps))})
		var ue *UploadError
		if !errors.As(err, &ue) || !errors.Is(err, s3client.ErrForbidden) || !ue.Aborted || strings.Contains(err.Error(), "abort failed") {
			t.Fatalf("error = %v, want the part's failure and the upload aborted", err)
		}
		if open := openUploadsOn(t, c); len(open) != 0 {
			t.Errorf("uploads left open: %v", open)
		}
	})
}
