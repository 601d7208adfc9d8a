package multipart

// Tests of how an upload ends when the answer to its completion or its
// abort is lost, and of the input errors every entry point refuses
// before it sends anything.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// lostAnswers is the fake behind a client whose request reached the server
// but whose answer was lost, so that the client's retry finds the upload
// gone (NoSuchUpload) — or, with aborted, whose upload someone else
// aborted before the one attempt was sent.
type lostAnswers struct {
	*fakeS3
	completeLost bool // the first Complete works, its answer is lost
	abortLost    bool // the first Abort works, its answer is lost
	aborted      bool // the upload is aborted just before Complete
	// between, if set, runs after the lost Complete and before its retry.
	between func()
	headErr error // fails HeadObject
}

// retried marks err as the answer to a second attempt, as the client does.
func retried(err error) error {
	var se *s3client.Error
	if errors.As(err, &se) {
		se.Attempts = 2
	}
	return err
}

func (l *lostAnswers) CompleteMultipartUpload(ctx context.Context, in *s3client.CompleteMultipartUploadInput) (*s3client.CompleteMultipartUploadOutput, error) {
	switch {
	case l.aborted:
		l.fakeS3.mu.Lock()
		delete(l.fakeS3.uploads, in.UploadID) // by someone else: not in f.aborts
		l.fakeS3.mu.Unlock()
		_, err := l.fakeS3.CompleteMultipartUpload(ctx, in)
		var se *s3client.Error
		if errors.As(err, &se) {
			se.Attempts = 1
		}
		return nil, err
	case l.completeLost:
		if _, err := l.fakeS3.CompleteMultipartUpload(ctx, in); err != nil {
			return nil, err
		}
		if l.between != nil {
			l.between()
		}
		_, err := l.fakeS3.CompleteMultipartUpload(ctx, in)
		return nil, retried(err)
	}
	return l.fakeS3.CompleteMultipartUpload(ctx, in)
}

func (l *lostAnswers) AbortMultipartUpload(ctx context.Context, in *s3client.AbortMultipartUploadInput) error {
	if l.abortLost {
		if err := l.fakeS3.AbortMultipartUpload(ctx, in); err != nil {
			return err
		}
		return retried(l.fakeS3.AbortMultipartUpload(ctx, in))
	}
	return l.fakeS3.AbortMultipartUpload(ctx, in)
}

func (l *lostAnswers) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	if l.headErr != nil {
		l.fakeS3.count("HeadObject")
		return nil, l.headErr
	}
	return l.fakeS3.HeadObject(ctx, in)
}

// noHead hides HeadObject: an UploadAPI and nothing more.
type noHead struct{ UploadAPI }

func TestAbortAnswerLost(t *testing.T) {
	for _, leave := range []bool{false, true} {
		f := newFake()
		f.fault = func(op string, part, _ int) error {
			if part == 2 {
				return s3err(op, http.StatusBadRequest, "InvalidArgument")
			}
			return nil
		}
		api := &lostAnswers{fakeS3: f, abortLost: true}
		u := &Uploader{Client: api, PartSize: ps, LeavePartsOnError: leave}
		_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(3 * ps))})
		var ue *UploadError
		if !errors.As(err, &ue) || s3client.ErrorCode(err) != "InvalidArgument" || ue.UploadID == "" || ue.PartNumber != 2 {
			t.Fatalf("leave %v: error = %v, want the part's failure", leave, err)
		}
		if leave {
			if ue.Aborted || len(f.aborts) != 0 || len(f.openUploads()) != 1 {
				t.Errorf("LeavePartsOnError: Aborted %v, aborts %v, open %v; want the upload kept", ue.Aborted, f.aborts, f.openUploads())
			}
			continue
		}
		if !ue.Aborted || strings.Contains(err.Error(), "abort failed") || s3client.IsNotFound(err) {
			t.Errorf("Aborted = %v, error %q: the retried abort's NoSuchUpload must read as aborted", ue.Aborted, err)
		}
		if len(f.openUploads()) != 0 {
			t.Errorf("open uploads %v", f.openUploads())
		}
	}
}

func TestCompleteAnswerLost(t *testing.T) {
	data := patternBytes(2*ps + 1)
	tests := []struct {
		name    string
		api     func(f *fakeS3) UploadAPI
		leave   bool
		wantErr string // "" for success
		heads   int
	}{
		{name: "confirmed by HeadObject", api: func(f *fakeS3) UploadAPI {
			return &lostAnswers{fakeS3: f, completeLost: true}
		}, heads: 1},
		{name: "confirmed, LeavePartsOnError", api: func(f *fakeS3) UploadAPI {
			return &lostAnswers{fakeS3: f, completeLost: true}
		}, leave: true, heads: 1},
		{name: "another writer's object of another size", api: func(f *fakeS3) UploadAPI {
			l := &lostAnswers{fakeS3: f, completeLost: true}
			l.between = func() {
				f.putObject("bkt", "k", &fakeObject{data: data[1:], size: int64(len(data) - 1), etag: `"abc-3"`})
			}
			return l
		}, wantErr: "does not confirm", heads: 1},
		{name: "another writer's single-part object", api: func(f *fakeS3) UploadAPI {
			l := &lostAnswers{fakeS3: f, completeLost: true}
			l.between = func() { f.putObject("bkt", "k", &fakeObject{data: data, size: int64(len(data))}) }
			return l
		}, wantErr: "does not confirm", heads: 1},
		{name: "HeadObject fails", api: func(f *fakeS3) UploadAPI {
			return &lostAnswers{fakeS3: f, completeLost: true, headErr: s3err("HeadObject", http.StatusForbidden, "Forbidden")}
		}, wantErr: "could not confirm", heads: 1},
		{name: "client without HeadObject", api: func(f *fakeS3) UploadAPI {
			return noHead{&lostAnswers{fakeS3: f, completeLost: true}}
		}, wantErr: "NoSuchUpload"},
		{name: "aborted elsewhere before the one attempt", api: func(f *fakeS3) UploadAPI {
			return &lostAnswers{fakeS3: f, aborted: true}
		}, wantErr: "NoSuchUpload"},
		{name: "aborted elsewhere, LeavePartsOnError", api: func(f *fakeS3) UploadAPI {
			return &lostAnswers{fakeS3: f, aborted: true}
		}, leave: true, wantErr: "NoSuchUpload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			u := &Uploader{Client: tt.api(f), PartSize: ps, LeavePartsOnError: tt.leave}
			in := &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data),
				SSECustomer: s3client.SSECustomer{SSECustomerKey: bytes.Repeat([]byte{7}, 32)}}
			out, err := u.Upload(context.Background(), in)
			if n := f.callCount("HeadObject"); n != tt.heads {
				t.Errorf("%d HeadObject requests, want %d", n, tt.heads)
			}
			if len(f.aborts) != 0 {
				t.Errorf("aborts %v sent for an upload known to be gone", f.aborts)
			}
			if len(f.openUploads()) != 0 {
				t.Errorf("open uploads %v", f.openUploads())
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Upload: %v, want the completion confirmed", err)
				}
				o := f.object("bkt", "k")
				if !bytes.Equal(o.data, data) || out.ETag != o.etag || out.VersionID != o.versionID ||
					out.Size != int64(len(data)) || out.Parts != 3 || out.UploadID == "" {
					t.Errorf("output %+v; object ETag %s version %s", out, o.etag, o.versionID)
				}
				return
			}
			var ue *UploadError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) || s3client.ErrorCode(err) != "NoSuchUpload" {
				t.Fatalf("error = %v, want an UploadError with %q", err, tt.wantErr)
			}
			if !ue.Aborted || ue.UploadID == "" {
				t.Errorf("UploadError %+v: the upload is gone, Aborted must say so", ue)
			}
		})
	}
}

// headSpy records the HeadObject inputs of a lostAnswers client.
type headSpy struct {
	*lostAnswers
	heads []s3client.GetObjectInput
}

func (h *headSpy) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	h.heads = append(h.heads, *in)
	return h.lostAnswers.HeadObject(ctx, in)
}

func TestCompleteAnswerLostHeadInput(t *testing.T) {
	f := newFake()
	spy := &headSpy{lostAnswers: &lostAnswers{fakeS3: f, completeLost: true}}
	key := bytes.Repeat([]byte{9}, 32)
	in := &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(ps + 1)),
		SSECustomer: s3client.SSECustomer{SSECustomerKey: key},
		Common:      s3client.Common{ExpectedBucketOwner: "111122223333"}}
	if _, err := (&Uploader{Client: spy, PartSize: ps}).Upload(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if len(spy.heads) != 1 {
		t.Fatalf("%d HeadObject requests", len(spy.heads))
	}
	h := spy.heads[0]
	if h.Bucket != "bkt" || h.Key != "k" || !bytes.Equal(h.SSECustomerKey, key) || h.ExpectedBucketOwner != "111122223333" {
		t.Errorf("HeadObject input %+v: want the destination with its SSE-C key and common parameters", h)
	}
}

func TestCopyCompleteAnswerLost(t *testing.T) {
	f := newFake()
	data := seedSource(f, 3*ps)
	api := &lostAnswers{fakeS3: f, completeLost: true}
	out, err := (&Copier{Client: api, Threshold: ps, PartSize: ps}).Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
		Source: s3client.CopySource{Bucket: "src", Key: "data.csv"}})
	if err != nil {
		t.Fatalf("Copy: %v, want the completion confirmed", err)
	}
	o := f.object("dst", "copy")
	if !bytes.Equal(o.data, data) || out.ETag != o.etag || out.Parts != 3 || out.Size != 3*ps {
		t.Errorf("output %+v", out)
	}
	if len(f.openUploads()) != 0 || len(f.aborts) != 0 {
		t.Errorf("open uploads %v, aborts %v", f.openUploads(), f.aborts)
	}
}

func TestMultipartETag(t *testing.T) {
	tests := []struct {
		etag string
		n    int
		want bool
	}{
		{`"3858f62230ac3c915f300c664312c11f-3"`, 3, true},
		{`3858f62230ac3c915f300c664312c11f-3`, 3, true},
		{`"3858f62230ac3c915f300c664312c11f-3"`, 4, false},
		{`"3858f62230ac3c915f300c664312c11f-13"`, 3, false},
		{`"3858f62230ac3c915f300c664312c11f"`, 1, false}, // a single PutObject
		{`"-3"`, 3, false},
		{`""`, 0, false},
		{``, 1, false},
		{`"mpu-7-2"`, 2, true},
	}
	for _, tt := range tests {
		if got := multipartETag(tt.etag, tt.n); got != tt.want {
			t.Errorf("multipartETag(%s, %d) = %v, want %v", tt.etag, tt.n, got, tt.want)
		}
	}
}

// countingReader counts the bytes read from it.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

func TestInvalidInput(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	src := s3client.CopySource{Bucket: "src", Key: "data.csv"}
	body := &countingReader{}
	long := strings.Repeat("k", 1025)
	tests := []struct {
		name string
		call func() error
	}{
		{"Upload nil input", func() error { _, err := (&Uploader{Client: f}).Upload(ctx, nil); return err }},
		{"Upload nil Client", func() error {
			_, err := (&Uploader{}).Upload(ctx, &UploadInput{Bucket: "bkt", Key: "k"})
			return err
		}},
		{"Upload bucket name with a control character", func() error {
			_, err := (&Uploader{Client: f}).Upload(ctx, &UploadInput{Bucket: "b\x00", Key: "k", Body: body, Size: -1})
			return err
		}},
		{"Upload empty key", func() error {
			_, err := (&Uploader{Client: f}).Upload(ctx, &UploadInput{Bucket: "bkt", Body: body, Size: -1})
			return err
		}},
		{"Upload key of 1025 bytes", func() error {
			_, err := (&Uploader{Client: f}).Upload(ctx, &UploadInput{Bucket: "bkt", Key: long, Body: body, Size: -1})
			return err
		}},
		{"Upload key not UTF-8", func() error {
			_, err := (&Uploader{Client: f}).Upload(ctx, &UploadInput{Bucket: "bkt", Key: "a\xffb", Body: body, Size: -1})
			return err
		}},
		{"Resume nil input", func() error { _, err := (&Uploader{Client: f}).Resume(ctx, "id", nil); return err }},
		{"Resume nil Client", func() error {
			_, err := (&Uploader{}).Resume(ctx, "id", &UploadInput{Bucket: "bkt", Key: "k"})
			return err
		}},
		{"Resume empty upload ID", func() error {
			_, err := (&Uploader{Client: f}).Resume(ctx, "", &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(nil)})
			return err
		}},
		{"Resume bucket name not UTF-8", func() error {
			_, err := (&Uploader{Client: f}).Resume(ctx, "id", &UploadInput{Bucket: "a\xffb", Key: "k", Body: bytes.NewReader(nil)})
			return err
		}},
		{"Copy nil input", func() error { _, err := (&Copier{Client: f}).Copy(ctx, nil); return err }},
		{"Copy nil Client", func() error {
			_, err := (&Copier{}).Copy(ctx, &CopyInput{Bucket: "dst", Key: "k", Source: src})
			return err
		}},
		{"Copy bad metadata directive", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "dst", Key: "k", Source: src, MetadataDirective: "MERGE"})
			return err
		}},
		{"Copy bad tagging directive", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "dst", Key: "k", Source: src, TaggingDirective: "copy"})
			return err
		}},
		{"Copy destination bucket name with a line break", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "b\n", Key: "k", Source: src})
			return err
		}},
		{"Copy empty destination bucket", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Key: "k", Source: src})
			return err
		}},
		{"Copy empty destination key", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "dst", Source: src})
			return err
		}},
		{"Copy destination key of 1025 bytes", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "dst", Key: long, Source: src})
			return err
		}},
		{"Copy destination key not UTF-8", func() error {
			_, err := (&Copier{Client: f}).Copy(ctx, &CopyInput{Bucket: "dst", Key: "key\xc3", Source: src})
			return err
		}},
	}
	seedSource(f, ps)
	for _, tt := range tests {
		err := tt.call()
		if !errors.Is(err, s3client.ErrInvalidInput) {
			t.Errorf("%s: error %v does not match s3client.ErrInvalidInput", tt.name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "multipart: ") {
			t.Errorf("%s: error %q lacks the package prefix", tt.name, err)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
	if body.n != 0 {
		t.Errorf("%d bytes read from the source of a refused upload", body.n)
	}
}
