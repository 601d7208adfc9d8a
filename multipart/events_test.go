package multipart

// The Events an Uploader and a Copier tell, the caller's whole-object
// checksum, and a Copier's SourceClient.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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

// listFailing answers ListParts with err while fails says so, and aborts
// only from the abort numbered goneAt on (0: the first).
type listFailing struct {
	*fakeS3
	fails  func(call int) error
	calls  atomic.Int32
	aborts atomic.Int32
	goneAt int32
}

func (l *listFailing) ListParts(ctx context.Context, in *s3client.ListPartsInput) (*s3client.ListPartsOutput, error) {
	if err := l.fails(int(l.calls.Add(1))); err != nil {
		l.fakeS3.count("ListParts")
		return nil, err
	}
	return l.fakeS3.ListParts(ctx, in)
}

func (l *listFailing) AbortMultipartUpload(ctx context.Context, in *s3client.AbortMultipartUploadInput) error {
	if l.aborts.Add(1) < l.goneAt {
		return nil // answered, but the upload stays
	}
	return l.fakeS3.AbortMultipartUpload(ctx, in)
}

// The listing that confirms an abort is tried again when it fails for a
// transient reason, and only NoSuchUpload (or a refusal to list at all)
// ends it: an error that says nothing of the upload does not make it gone.
func TestAbortConfirmationListFails(t *testing.T) {
	transient := errInternal("ListParts")
	denied := s3err("ListParts", http.StatusForbidden, "AccessDenied")
	for _, tc := range []struct {
		name      string
		fails     func(call int) error
		goneAt    int32
		aborted   bool
		wantErr   string
		lists     int
		aborts    int32
		remaining int
	}{
		// The first listing fails; the second finds the upload still
		// there, and the engine aborts it again.
		{name: "transient, then listed", fails: func(c int) error {
			if c == 1 {
				return transient
			}
			return nil
		}, goneAt: 2, aborted: true, lists: 3, aborts: 2},
		// A role allowed to abort but not to list: the abort's success
		// stands.
		{name: "denied", fails: func(int) error { return denied }, goneAt: 2, aborted: true, lists: 1, aborts: 1, remaining: 1},
		// Every listing fails: the outcome says the abort is unconfirmed.
		{name: "always transient", fails: func(int) error { return transient }, goneAt: 2,
			wantErr: "could not confirm the abort", lists: abortRounds, aborts: 1, remaining: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.fault = func(op string, part, attempt int) error {
				if op == "UploadPart" && part == 2 {
					return errors.New("part 2 refused")
				}
				return nil
			}
			l := &listFailing{fakeS3: f, fails: tc.fails, goneAt: tc.goneAt}
			_, err := (&Uploader{Client: l, PartSize: ps, Concurrency: 1}).Upload(context.Background(),
				&UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(2*ps + 1))})
			var ue *UploadError
			if !errors.As(err, &ue) || ue.Aborted != tc.aborted || (tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error = %v (aborted %v), want aborted %v and %q", err, ue != nil && ue.Aborted, tc.aborted, tc.wantErr)
			}
			if tc.wantErr != "" && !errors.Is(err, transient) {
				t.Errorf("error = %v, does not wrap the listing's", err)
			}
			if n, lists := l.aborts.Load(), f.callCount("ListParts"); n != tc.aborts || lists != tc.lists || len(f.openUploads()) != tc.remaining {
				t.Errorf("%d aborts, %d ListParts, open uploads %v; want %d, %d, %d", n, lists, f.openUploads(), tc.aborts, tc.lists, tc.remaining)
			}
		})
	}
}
