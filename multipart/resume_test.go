package multipart

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// leaveHalfDone uploads data with part failPart always failing and
// LeavePartsOnError, one part at a time, and returns the upload ID.
func leaveHalfDone(t *testing.T, f *fakeS3, data []byte, alg s3client.ChecksumAlgorithm, failPart int) string {
	t.Helper()
	f.fault = func(op string, part, _ int) error {
		if op == "UploadPart" && part == failPart {
			return s3err(op, http.StatusBadRequest, "InvalidArgument")
		}
		return nil
	}
	u := &Uploader{Client: f, PartSize: ps, Concurrency: 1, LeavePartsOnError: true, ChecksumAlgorithm: alg}
	_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	var ue *UploadError
	if !errors.As(err, &ue) || ue.UploadID == "" || ue.Aborted {
		t.Fatalf("first attempt: %v", err)
	}
	f.fault = nil
	return ue.UploadID
}

func TestResume(t *testing.T) {
	for _, alg := range []s3client.ChecksumAlgorithm{"", s3client.ChecksumCRC32C} {
		t.Run("checksum "+string(alg), func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			data := patternBytes(5*ps + 1234)
			id := leaveHalfDone(t, f, data, alg, 3)
			sentBefore := f.callCount("UploadPart")

			var progress atomic.Int64
			u := &Uploader{Client: f, PartSize: ps, Progress: func(n int64) { progress.Add(n) }}
			out, err := u.Resume(context.Background(), id, &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
			if err != nil {
				t.Fatalf("Resume: %v", err)
			}
			if !bytes.Equal(f.object("bkt", "k").data, data) {
				t.Fatal("resumed object differs from the source")
			}
			if out.UploadID != id || out.Reused != 2 || out.Parts != 6 || out.Size != int64(len(data)) {
				t.Errorf("output = %+v, want parts 1 and 2 reused of 6", out)
			}
			if sent := f.callCount("UploadPart") - sentBefore; sent != 4 {
				t.Errorf("%d parts uploaded on resume, want 4", sent)
			}
			if progress.Load() != int64(len(data)) {
				t.Errorf("progress = %d, want %d (kept parts count)", progress.Load(), len(data))
			}
		})
	}
}

func TestResumeChangedPart(t *testing.T) {
	f := newFake()
	data := patternBytes(3*ps + 10)
	id := leaveHalfDone(t, f, data, s3client.ChecksumSHA256, 3)
	changed := bytes.Clone(data)
	changed[ps+100] ^= 0xff // inside part 2: its checksum no longer matches
	out, err := (&Uploader{Client: f, PartSize: ps}).Resume(context.Background(), id, &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(changed)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Reused != 1 || !bytes.Equal(f.object("bkt", "k").data, changed) {
		t.Errorf("Reused = %d; the changed part must be sent again", out.Reused)
	}
}

func TestResumeLayoutFromListedParts(t *testing.T) {
	f := newFake()
	data := patternBytes(4*6*mib + 5)
	// The first attempt used 6 MiB parts.
	first := &Uploader{Client: f, PartSize: 6 * mib, Concurrency: 1, LeavePartsOnError: true}
	f.fault = func(op string, part, _ int) error {
		if part == 3 {
			return s3err(op, 400, "InvalidArgument")
		}
		return nil
	}
	_, err := first.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	var ue *UploadError
	if !errors.As(err, &ue) {
		t.Fatal(err)
	}
	f.fault = nil
	f.listPage = 1 // and ListParts pages are followed
	out, err := (&Uploader{Client: f, PartSize: ps}).Resume(context.Background(), ue.UploadID, &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Reused != 2 || out.Parts != 5 || !bytes.Equal(f.object("bkt", "k").data, data) {
		t.Errorf("output %+v: the 6 MiB layout of the listed parts was not kept", out)
	}
	if f.callCount("ListParts") != 2 {
		t.Errorf("ListParts called %d times with one part per page", f.callCount("ListParts"))
	}
}

func TestResumeLayout(t *testing.T) {
	size := 10*mib + 1
	tests := []struct {
		name   string
		listed map[int]int64 // part number → size
		want   int64
	}{
		{"nothing listed", nil, ps},
		{"config layout", map[int]int64{1: ps, 2: ps}, ps},
		{"other layout", map[int]int64{1: 6 * mib, 2: 4*mib + 1}, 6 * mib},
		{"only a last part listed", map[int]int64{3: 1}, ps},
		{"listed size too small for S3", map[int]int64{1: mib}, ps},
	}
	for _, tt := range tests {
		listed := map[int]s3client.Part{}
		for n, s := range tt.listed {
			listed[n] = s3client.Part{PartNumber: n, Size: s, ETag: "x"}
		}
		got, _, err := resumeLayout(size, ps, listed)
		if err != nil || got != tt.want {
			t.Errorf("%s: part size %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}

func TestResumeErrors(t *testing.T) {
	f := newFake()
	u := &Uploader{Client: f, PartSize: ps}
	data := patternBytes(2*ps + 1)
	id := leaveHalfDone(t, f, data, "", 2)

	_, err := u.Resume(context.Background(), id, &UploadInput{Bucket: "bkt", Key: "k", Body: onlyReader{bytes.NewReader(data)}})
	if !errors.Is(err, ErrNotResumable) {
		t.Errorf("stream: %v, want ErrNotResumable", err)
	}
	_, err = u.Resume(context.Background(), "", &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	if err == nil {
		t.Error("empty upload ID accepted")
	}
	_, err = u.Resume(context.Background(), "no-such-upload", &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	var ue *UploadError
	if !s3client.IsNotFound(err) || !errors.As(err, &ue) || ue.UploadID != "no-such-upload" {
		t.Errorf("unknown upload: %v", err)
	}
	if len(f.aborts) != 0 || len(f.openUploads()) != 1 {
		t.Errorf("failed resumes touched the upload: aborts %v", f.aborts)
	}

	// A failure after listing aborts, as for Upload.
	f.fault = func(op string, part, _ int) error {
		if part == 3 {
			return s3err(op, 400, "InvalidArgument")
		}
		return nil
	}
	_, err = u.Resume(context.Background(), id, &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data)})
	if !errors.As(err, &ue) || ue.Op != "Resume" || ue.PartNumber != 3 || !ue.Aborted {
		t.Errorf("failing part on resume: %v", err)
	}
}
