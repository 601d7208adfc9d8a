package reliability

// Each fault alone, aimed at one operation, with the exact outcome it must
// have: retried to success where a retry is safe, a typed error where it is
// not, and nothing left behind either way.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// once aims one decision at the first request of op.
func once(op string, f faultproxy.Fault, at int64) faultproxy.Schedule {
	return faultproxy.ForOps(faultproxy.Sequence(faultproxy.Decision{Fault: f, At: at}), op)
}

// retriedFaults are the faults a request with a rewindable body survives.
var retriedFaults = []faultproxy.Fault{faultproxy.Reset, faultproxy.CutRequest, faultproxy.CutResponse,
	faultproxy.InternalError, faultproxy.SlowDown, faultproxy.Delay}

func TestFaultPutObjectRetried(t *testing.T) {
	for _, f := range retriedFaults {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpPutObject, f, 1000)})
			b := data(100_000, 11)
			if _, err := e.client.PutObject(context.Background(), &s3client.PutObjectInput{Bucket: e.bucket, Key: "k", Body: bytes.NewReader(b)}); err != nil {
				t.Fatalf("PutObject after one %v: %v", f, err)
			}
			if got, _, _ := e.object("k"); got != sum(b) {
				t.Error("object differs")
			}
			if n := e.proxy.Stats().Faults[f]; n != 1 {
				t.Errorf("%d faults injected", n)
			}
			if r := e.logs.retries.Load(); r != 1 {
				t.Errorf("%d retries logged, want 1", r)
			}
		})
	}
}

// TestFaultStreamNotRetried: a stream cannot be sent twice; a transient
// failure says so and the object is not written.
func TestFaultStreamNotRetried(t *testing.T) {
	for _, f := range []faultproxy.Fault{faultproxy.Reset, faultproxy.CutRequest, faultproxy.InternalError, faultproxy.SlowDown} {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpPutObject, f, 5000)})
			b := data(100_000, 12)
			_, err := e.client.PutObject(context.Background(), &s3client.PutObjectInput{Bucket: e.bucket, Key: "k",
				Body: stream{bytes.NewReader(b)}, ContentLength: int64(len(b))})
			var ce *s3client.Error
			if !errors.As(err, &ce) || !errors.Is(err, s3client.ErrBodyNotRewindable) || ce.Attempts != 1 {
				t.Fatalf("err = %v, want an *s3client.Error wrapping ErrBodyNotRewindable after 1 attempt", err)
			}
			if _, _, ok := e.object("k"); ok {
				t.Error("the object was written")
			}
			if e.proxy.Stats().Requests != 1 {
				t.Errorf("%d requests, want 1", e.proxy.Stats().Requests)
			}
		})
	}
}

// TestFaultGetObjectBodyCut: a body cut after the headers is an error from
// Read, never a short read that looks complete.
func TestFaultGetObjectBodyCut(t *testing.T) {
	e := newEnv(t, options{schedule: once(faultproxy.OpGetObject, faultproxy.CutResponse, 1000)})
	b := data(50_000, 13)
	e.srv.PutObject(t, e.bucket, "k", b, nil)
	out, err := e.client.GetObject(context.Background(), &s3client.GetObjectInput{Bucket: e.bucket, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err == nil {
		t.Fatalf("read %d of %d bytes without an error", len(got), len(b))
	}
	if len(got) != 1000 || !bytes.Equal(got, b[:1000]) {
		t.Errorf("read %d bytes before the cut, want the first 1000", len(got))
	}
}

func TestFaultGetObjectRetried(t *testing.T) {
	for _, f := range []faultproxy.Fault{faultproxy.Reset, faultproxy.InternalError, faultproxy.SlowDown, faultproxy.Delay} {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpGetObject, f, 0)})
			b := data(50_000, 14)
			e.srv.PutObject(t, e.bucket, "k", b, nil)
			out, err := e.client.GetObject(context.Background(), &s3client.GetObjectInput{Bucket: e.bucket, Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			if err := readAll(out, int64(len(b)), sum(b)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestFaultUploaderRetried: every fault on any request of a multipart
// upload is survived.
func TestFaultUploaderRetried(t *testing.T) {
	ops := []string{faultproxy.OpCreateMultipartUpload, faultproxy.OpUploadPart, faultproxy.OpCompleteMultipartUpload}
	for _, op := range ops {
		for _, f := range []faultproxy.Fault{faultproxy.Reset, faultproxy.CutRequest, faultproxy.InternalError, faultproxy.SlowDown, faultproxy.ErrorIn200} {
			if f == faultproxy.ErrorIn200 && op != faultproxy.OpCompleteMultipartUpload {
				continue
			}
			t.Run(op+"/"+f.String(), func(t *testing.T) {
				e := newEnv(t, options{schedule: once(op, f, 3000)})
				before := goroutines()
				b := data(5*unit+1000, 15)
				u := &multipart.Uploader{Client: e.client, PartSize: partSize, Concurrency: 2}
				out, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: e.bucket, Key: "k", Body: bytes.NewReader(b)})
				if err != nil {
					t.Fatalf("Upload after one %v on %s: %v", f, op, err)
				}
				if out.Parts != 2 {
					t.Errorf("%d parts", out.Parts)
				}
				if got, _, _ := e.object("k"); got != sum(b) {
					t.Error("object differs")
				}
				if e.proxy.Stats().Faults[f] != 1 {
					t.Errorf("fault not injected: %v", e.proxy.Stats())
				}
				e.checkNoUploads(t)
				e.checkNoLeaks(t, before)
			})
		}
	}
}

// TestFaultCreateAnswerLost: the server creates the upload but its answer
// is lost; the client retries and the server creates a second one. The
// upload succeeds, and the first upload must not be left behind, costing
// storage forever (S3 has no idempotency token for CreateMultipartUpload;
// see the report).
func TestFaultCreateAnswerLost(t *testing.T) {
	for _, f := range []faultproxy.Fault{faultproxy.CutResponse, faultproxy.Delay} {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpCreateMultipartUpload, f, 10)})
			b := data(6*unit, 16)
			u := &multipart.Uploader{Client: e.client, PartSize: partSize}
			_, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: e.bucket, Key: "k", Body: bytes.NewReader(b)})
			if err != nil {
				t.Logf("Upload: %v", err)
			}
			e.checkNoUploads(t)
		})
	}
}

// TestFaultCompleteAnswerLost: the server completes the upload but the
// answer is lost; the retry finds no upload (NoSuchUpload). The object is
// whole and nothing remains, so the outcome must say so: success, or at
// least an error that does not claim the upload remains.
func TestFaultCompleteAnswerLost(t *testing.T) {
	for _, f := range []faultproxy.Fault{faultproxy.CutResponse, faultproxy.Delay} {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpCompleteMultipartUpload, f, 10)})
			b := data(6*unit, 17)
			u := &multipart.Uploader{Client: e.client, PartSize: partSize}
			_, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: e.bucket, Key: "k", Body: bytes.NewReader(b)})
			if got, _, _ := e.object("k"); got != sum(b) {
				t.Fatalf("object differs (err %v)", err)
			}
			e.checkNoUploads(t)
			if err == nil {
				return
			}
			var ue *multipart.UploadError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %T %v", err, err)
			}
			if !ue.Aborted && len(e.uploads()) == 0 {
				t.Errorf("the error says the upload remains (Aborted false) but none does: %v", err)
			}
		})
	}
}

// failingReader returns n bytes of r, then err.
type failingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

// TestFaultAbortAnswerLost: an upload fails (its source breaks), and the
// abort's answer is lost after the server aborted; the retried abort finds
// no upload. Nothing remains, and the error must say the parts are gone.
func TestFaultAbortAnswerLost(t *testing.T) {
	for _, f := range []faultproxy.Fault{faultproxy.None, faultproxy.Reset, faultproxy.CutResponse, faultproxy.Delay} {
		t.Run(f.String(), func(t *testing.T) {
			e := newEnv(t, options{schedule: once(faultproxy.OpAbortMultipartUpload, f, 0)})
			srcErr := errors.New("disk on fire")
			body := &failingReader{r: bytes.NewReader(data(20*unit, 18)), n: 12 * unit, err: srcErr}
			u := &multipart.Uploader{Client: e.client, PartSize: partSize}
			_, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: e.bucket, Key: "k", Body: body, Size: -1})
			var ue *multipart.UploadError
			if !errors.As(err, &ue) || !errors.Is(err, srcErr) || ue.UploadID == "" {
				t.Fatalf("err = %v, want an UploadError naming the upload and wrapping the source's error", err)
			}
			e.checkNoUploads(t)
			if _, _, ok := e.object("k"); ok {
				t.Error("an object was written")
			}
			if !ue.Aborted {
				t.Errorf("Aborted is false though no upload remains: %v", err)
			}
		})
	}
}

// TestFaultErrorIn200BodyCut: CopyObject answers 200 and S3 writes its
// result (or an <Error>) later; a connection cut while that document is read
// is a transport failure like any other, and a copy is safe to retry.
func TestFaultErrorIn200BodyCut(t *testing.T) {
	e := newEnv(t, options{schedule: once(faultproxy.OpCopyObject, faultproxy.CutResponse, 10)})
	b := data(10_000, 19)
	e.srv.PutObject(t, e.bucket, "src", b, nil)
	_, err := e.client.CopyObject(context.Background(), &s3client.CopyObjectInput{Bucket: e.bucket, Key: "dst",
		CopySource: s3client.CopySource{Bucket: e.bucket, Key: "src"}})
	if err != nil {
		t.Errorf("CopyObject after its 200 body was cut: %v (not retried)", err)
	}
	if got, _, _ := e.object("dst"); got != sum(b) {
		t.Error("copy differs")
	}
}

// TestFaultResponseDocumentCut: an answer whose XML document is cut while
// it is decoded is a transport failure; the operations that read one
// (listings, CreateMultipartUpload...) retry it as they retry a reset.
func TestFaultResponseDocumentCut(t *testing.T) {
	tests := []struct {
		op   string
		call func(e *env) error
	}{
		{faultproxy.OpListObjects, func(e *env) error {
			out, err := e.client.ListObjectsV2(context.Background(), &s3client.ListObjectsV2Input{Bucket: e.bucket})
			if err == nil && len(out.Contents) != 3 {
				return fmt.Errorf("listed %d objects, want 3", len(out.Contents))
			}
			return err
		}},
		{faultproxy.OpListMultipartUploads, func(e *env) error {
			_, err := e.client.ListMultipartUploads(context.Background(), &s3client.ListMultipartUploadsInput{Bucket: e.bucket})
			return err
		}},
		{faultproxy.OpCreateMultipartUpload, func(e *env) error {
			out, err := e.client.CreateMultipartUpload(context.Background(), &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: "mp"})
			if err == nil {
				e.direct.AbortMultipartUpload(context.Background(), &s3client.AbortMultipartUploadInput{Bucket: e.bucket, Key: "mp", UploadID: out.UploadID})
			}
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			e := newEnv(t, options{schedule: once(tt.op, faultproxy.CutResponse, 20)})
			for i := range 3 {
				e.srv.PutObject(t, e.bucket, fmt.Sprint("obj", i), []byte("x"), nil)
			}
			// gofakes3 lists uploads only in a bucket that has had one.
			if cr, err := e.direct.CreateMultipartUpload(context.Background(), &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: "x"}); err != nil {
				t.Fatal(err)
			} else if err := e.direct.AbortMultipartUpload(context.Background(), &s3client.AbortMultipartUploadInput{Bucket: e.bucket, Key: "x", UploadID: cr.UploadID}); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(e); err != nil {
				t.Errorf("%s with its answer cut after 20 bytes: %v (not retried)", tt.op, err)
			}
			if e.proxy.Stats().Faults[faultproxy.CutResponse] != 1 {
				t.Errorf("fault not injected: %v", e.proxy.Stats())
			}
		})
	}
}

// TestFaultAbortRetried: when an upload fails, its abort is sent again,
// beyond the client's own attempts, until S3 confirms that the upload is
// gone; when every abort fails, the error names the upload that remains.
func TestFaultAbortRetried(t *testing.T) {
	resets := func(n int) faultproxy.Schedule {
		ds := make([]faultproxy.Decision, n)
		for i := range ds {
			ds[i] = faultproxy.Decision{Fault: faultproxy.Reset}
		}
		return faultproxy.ForOps(faultproxy.Sequence(ds...), faultproxy.OpAbortMultipartUpload)
	}
	tests := []struct {
		name     string
		schedule faultproxy.Schedule
		aborts   int64 // abort requests the proxy must see
		aborted  bool
	}{
		// Two attempts a round: the first two rounds fail whole, the third
		// fails once and then succeeds.
		{"five resets", resets(5), 6, true},
		// The server aborts, the first three answers are held past the
		// client's timeout (a whole round and one more): the abort that is
		// answered finds no upload, which is the confirmation.
		{"answers held", faultproxy.ForOps(faultproxy.Sequence(faultproxy.Decision{Fault: faultproxy.Delay},
			faultproxy.Decision{Fault: faultproxy.Delay}, faultproxy.Decision{Fault: faultproxy.Delay}), faultproxy.OpAbortMultipartUpload), 4, true},
		{"answers cut", faultproxy.ForOps(faultproxy.Random(1, 1, faultproxy.CutResponse), faultproxy.OpAbortMultipartUpload), 2, true},
		// Nothing ever reaches the server: four rounds of two attempts.
		{"never answered", faultproxy.ForOps(faultproxy.Random(1, 1, faultproxy.Reset), faultproxy.OpAbortMultipartUpload), 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{schedule: tt.schedule, maxAttempts: 2})
			srcErr := errors.New("disk on fire")
			body := &failingReader{r: bytes.NewReader(data(12*unit, 20)), n: 6 * unit, err: srcErr}
			u := &multipart.Uploader{Client: e.client, PartSize: partSize}
			_, err := u.Upload(context.Background(), &multipart.UploadInput{Bucket: e.bucket, Key: "k", Body: body, Size: -1})
			var ue *multipart.UploadError
			if !errors.As(err, &ue) || !errors.Is(err, srcErr) || ue.UploadID == "" {
				t.Fatalf("err = %v, want an UploadError naming the upload and wrapping the source's error", err)
			}
			var aborts int64
			for _, ev := range e.proxy.Events() {
				if ev.Op == faultproxy.OpAbortMultipartUpload {
					aborts++
				}
			}
			if aborts != tt.aborts {
				t.Errorf("%d abort requests, want %d", aborts, tt.aborts)
			}
			left := e.uploads()
			if ue.Aborted != tt.aborted {
				t.Errorf("Aborted = %v, want %v: %v", ue.Aborted, tt.aborted, err)
			}
			if tt.aborted {
				e.checkNoUploads(t)
				return
			}
			if len(left) != 1 || left[0].UploadID != ue.UploadID {
				t.Errorf("uploads left %v, want only %s", left, ue.UploadID)
			}
			if !strings.Contains(err.Error(), "upload ID "+ue.UploadID) {
				t.Errorf("the error does not name the upload that remains: %v", err)
			}
		})
	}
}
