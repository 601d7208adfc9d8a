package multipart

// The Events an Uploader and a Copier tell, the caller's whole-object
// checksum, and a Copier's SourceClient.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// eventLog records events; the engine serializes them, so its own mutex
// only satisfies the race detector's view of the test's reads.
type eventLog struct {
	mu      sync.Mutex
	sizes   []int64
	created []string
	parts   []string // "number:size"
	bytes   int64
}

func (l *eventLog) events(createErr error) Events {
	return Events{
		Sized: func(n int64) { l.mu.Lock(); l.sizes = append(l.sizes, n); l.mu.Unlock() },
		Created: func(id string) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.created = append(l.created, id)
			return createErr
		},
		PartDone: func(n int, size int64) {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.parts = append(l.parts, fmt.Sprintf("%d:%d", n, size))
		},
	}
}

func TestUploadEvents(t *testing.T) {
	f := newFake()
	var l eventLog
	u := &Uploader{Client: f, PartSize: ps, Events: l.events(nil)}
	out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(2*ps + 5))})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(l.parts)
	want := []string{fmt.Sprint("1:", ps), fmt.Sprint("2:", ps), "3:5"}
	if !slices.Equal(l.sizes, []int64{2*ps + 5}) || !slices.Equal(l.created, []string{out.UploadID}) || !slices.Equal(l.parts, want) {
		t.Errorf("events: sized %v, created %v, parts %v; want [%d], [%s], %v", l.sizes, l.created, l.parts, 2*ps+5, out.UploadID, want)
	}
}

// A Created that fails (the caller could not record the upload) ends the
// upload before any part, aborted even under LeavePartsOnError: nobody
// else knows its ID.
func TestUploadCreatedErrorAborts(t *testing.T) {
	f := newFake()
	var l eventLog
	journal := errors.New("journal: disk full")
	u := &Uploader{Client: f, PartSize: ps, LeavePartsOnError: true, Events: l.events(journal)}
	_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(ps + 1))})
	var ue *UploadError
	if !errors.Is(err, journal) || !errors.As(err, &ue) || !ue.Aborted || ue.UploadID == "" {
		t.Fatalf("error = %v, want the journal's error, the upload named and aborted", err)
	}
	if f.callCount("UploadPart") != 0 || len(f.openUploads()) != 0 {
		t.Errorf("%d parts sent, open uploads %v", f.callCount("UploadPart"), f.openUploads())
	}
}

// The caller's whole-object checksum: on the PutObject of a small object,
// and on the completion of a multipart one, which is created FULL_OBJECT
// with its algorithm.
func TestUploadWholeObjectChecksum(t *testing.T) {
	sum := s3client.Checksums{CRC32: "AAAAAA=="}
	t.Run("multipart", func(t *testing.T) {
		f := newFake()
		u := &Uploader{Client: f, PartSize: ps}
		_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(ps + 1)), Checksum: sum})
		if err != nil { // the fake does not check the value: what is sent is the point
			t.Fatal(err)
		}
		if len(f.created) != 1 || f.created[0].ChecksumAlgorithm != s3client.ChecksumCRC32 || f.created[0].ChecksumType != "FULL_OBJECT" {
			t.Fatalf("created with %+v", f.created)
		}
		if len(f.completed) != 1 || f.completed[0].Checksums.CRC32 != sum.CRC32 || f.completed[0].Checksums.Type != "FULL_OBJECT" {
			t.Errorf("completed with %+v", f.completed)
		}
	})
	t.Run("conflicts", func(t *testing.T) {
		f := newFake()
		for _, tc := range []struct {
			u  Uploader
			in UploadInput
		}{
			{Uploader{Client: f, ChecksumAlgorithm: s3client.ChecksumSHA256}, UploadInput{Checksum: sum}},
			{Uploader{Client: f}, UploadInput{Checksum: s3client.Checksums{CRC32: "a", SHA1: "b"}}},
		} {
			tc.in.Bucket, tc.in.Key, tc.in.Body = "bkt", "k", bytes.NewReader(nil)
			if _, err := tc.u.Upload(context.Background(), &tc.in); !errors.Is(err, s3client.ErrInvalidInput) {
				t.Errorf("%+v: error %v, want ErrInvalidInput", tc.in.Checksum, err)
			}
		}
		if len(f.calls) != 0 {
			t.Errorf("requests sent: %v", f.calls)
		}
	})
}

// A Copier reads the source with SourceClient, tells Progress and the
// Events, and creates the copy with the ChecksumType asked.
func TestCopySourceClientAndEvents(t *testing.T) {
	src, dst := newFake(), newFake()
	data := seedSource(src, 2*ps+3)
	// The destination's fake serves the copy requests from the same store.
	dst.objects = src.objects
	var l eventLog
	var copied int64
	c := &Copier{Client: dst, SourceClient: src, Threshold: ps, PartSize: ps, Events: l.events(nil),
		Progress: func(n int64) { copied += n }}
	out, err := c.Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy", ChecksumType: "COMPOSITE",
		ChecksumAlgorithm: s3client.ChecksumSHA256, Source: s3client.CopySource{Bucket: "src", Key: "data.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if src.callCount("HeadObject") != 1 || dst.callCount("HeadObject") != 0 {
		t.Errorf("HeadObject: %d to the source's client, %d to the destination's", src.callCount("HeadObject"), dst.callCount("HeadObject"))
	}
	if copied != int64(len(data)) || len(l.parts) != 3 || !slices.Equal(l.sizes, []int64{int64(len(data))}) || !slices.Equal(l.created, []string{out.UploadID}) {
		t.Errorf("progress %d, events %+v", copied, &l)
	}
	if dst.created[0].ChecksumType != "COMPOSITE" {
		t.Errorf("created with ChecksumType %q", dst.created[0].ChecksumType)
	}
}

// lockSpy records the ObjectLock flag of every part sent.
type lockSpy struct {
	*fakeS3
	mu    sync.Mutex
	flags []bool
}

func (s *lockSpy) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	s.mu.Lock()
	s.flags = append(s.flags, in.ObjectLock)
	s.mu.Unlock()
	return s.fakeS3.UploadPart(ctx, in)
}

// The parts of an upload with Object Lock settings ask the client for the
// integrity check S3 requires of each; other uploads' parts do not.
func TestUploadObjectLockParts(t *testing.T) {
	for _, lock := range []bool{true, false} {
		spy := &lockSpy{fakeS3: newFake()}
		in := &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(2*ps + 1))}
		if lock {
			in.ObjectLockLegalHoldStatus = "ON"
		}
		if _, err := (&Uploader{Client: spy, PartSize: ps}).Upload(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if len(spy.flags) != 3 || slices.Contains(spy.flags, !lock) {
			t.Errorf("lock %v: parts sent with ObjectLock %v", lock, spy.flags)
		}
	}
}

// lingering is a store where an upload outlives its first abort, as one
// does on S3 when a part upload already on its way arrives after it.
type lingering struct {
	*fakeS3
	aborts atomic.Int32
}

func (l *lingering) AbortMultipartUpload(ctx context.Context, in *s3client.AbortMultipartUploadInput) error {
	if l.aborts.Add(1) == 1 {
		return nil // answered, but the upload stays
	}
	return l.fakeS3.AbortMultipartUpload(ctx, in)
}

// After an abort the engine lists the upload's parts, and aborts again
// while the upload is still there: a failed upload leaves nothing behind.
func TestAbortConfirmed(t *testing.T) {
	f := newFake()
	f.fault = func(op string, part, attempt int) error {
		if op == "UploadPart" && part == 2 {
			return errors.New("part 2 refused")
		}
		return nil
	}
	l := &lingering{fakeS3: f}
	_, err := (&Uploader{Client: l, PartSize: ps, Concurrency: 1}).Upload(context.Background(),
		&UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(2*ps + 1))})
	var ue *UploadError
	if !errors.As(err, &ue) || !ue.Aborted {
		t.Fatalf("error = %v, want an aborted UploadError", err)
	}
	if n := l.aborts.Load(); n != 2 || f.callCount("ListParts") != 2 || len(f.openUploads()) != 0 {
		t.Errorf("%d aborts, %d ListParts, open uploads %v; want 2, 2, none", n, f.callCount("ListParts"), f.openUploads())
	}
}
