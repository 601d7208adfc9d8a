package multipart

// Uploader tests against the in-memory fake (fake_test.go).

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

// ps is the part size of most tests: S3's 5 MiB, or 1 MiB under the race
// detector (race_test.go).
const ps = testPartSize

// sourceKinds are the ways a body reaches Upload.
var sourceKinds = []struct {
	name   string
	stream bool // read into buffers
	body   func(data []byte) (io.Reader, int64)
}{
	{"ReaderAt", false, func(d []byte) (io.Reader, int64) { return bytes.NewReader(d), 0 }},
	{"ReaderAt after Seek", false, func(d []byte) (io.Reader, int64) {
		r := bytes.NewReader(append([]byte("header to skip"), d...))
		r.Seek(14, io.SeekStart)
		return r, 0
	}},
	{"SectionReader with Size", false, func(d []byte) (io.Reader, int64) {
		return io.NewSectionReader(bytes.NewReader(d), 0, int64(len(d))), int64(len(d))
	}},
	{"stream", true, func(d []byte) (io.Reader, int64) { return onlyReader{bytes.NewReader(d)}, 0 }},
	{"stream with Size", true, func(d []byte) (io.Reader, int64) { return onlyReader{bytes.NewReader(d)}, int64(len(d)) }},
	{"stream of one-byte reads", true, func(d []byte) (io.Reader, int64) {
		return onlyReader{iotest.OneByteReader(bytes.NewReader(d))}, -1
	}},
}

func TestUploadSizes(t *testing.T) {
	sizes := []struct {
		name  string
		size  int64
		parts int // 0: PutObject
	}{
		{"empty", 0, 0},
		{"one byte", 1, 0},
		{"part size - 1", ps - 1, 0},
		{"part size", ps, 0},
		{"part size + 1", ps + 1, 2},
		{"two parts and a bit", 2*ps + 3, 3},
	}
	for _, kind := range sourceKinds {
		for _, sz := range sizes {
			if kind.name == "stream of one-byte reads" && sz.name != "one byte" && sz.name != "part size + 1" {
				continue // slow, and nothing new
			}
			t.Run(kind.name+"/"+sz.name, func(t *testing.T) {
				checkGoroutines(t)
				f := newFake()
				data := patternBytes(sz.size)
				body, size := kind.body(data)
				var progress atomic.Int64
				u := &Uploader{Client: f, PartSize: ps, Progress: func(n int64) { progress.Add(n) }}
				out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size,
					ObjectProperties: s3client.ObjectProperties{ContentType: "text/x-test"}})
				if err != nil {
					t.Fatalf("Upload: %v", err)
				}
				o := f.object("bkt", "k")
				if o == nil || !bytes.Equal(o.data, data) {
					t.Fatalf("stored object differs from the source")
				}
				if o.props.ContentType != "text/x-test" {
					t.Errorf("ContentType = %q", o.props.ContentType)
				}
				if out.Size != sz.size || out.Parts != sz.parts || out.ETag != o.etag {
					t.Errorf("output = %+v, want size %d, %d parts, ETag %s", out, sz.size, sz.parts, o.etag)
				}
				if sz.parts == 0 {
					if f.callCount("PutObject") != 1 || f.callCount("CreateMultipartUpload") != 0 || out.UploadID != "" {
						t.Errorf("not one PutObject: %v", f.calls)
					}
				} else {
					if f.callCount("PutObject") != 0 || f.callCount("UploadPart") != sz.parts || out.UploadID == "" {
						t.Errorf("calls = %v", f.calls)
					}
					if c := f.completed[0]; c.MpuObjectSize != sz.size {
						t.Errorf("MpuObjectSize = %d", c.MpuObjectSize)
					}
				}
				if got := progress.Load(); got != sz.size {
					t.Errorf("progress total = %d, want %d", got, sz.size)
				}
				if open := f.openUploads(); len(open) != 0 {
					t.Errorf("uploads left open: %v", open)
				}
			})
		}
	}
}

// readAtOnly is a source whose Read must never be called: parts of an
// io.ReaderAt are read in place.
type readAtOnly struct {
	t *testing.T
	*bytes.Reader
}

func (r readAtOnly) Read([]byte) (int, error) {
	r.t.Error("the source's Read was called: parts were not read in place")
	return 0, errors.New("Read")
}

func TestUploadReaderAtIsReadInPlace(t *testing.T) {
	f := newFake()
	data := patternBytes(3*ps + 7)
	var bodies sync.Map
	u := &Uploader{Client: &bodySpy{fakeS3: f, seen: &bodies}, PartSize: ps}
	if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: readAtOnly{t, bytes.NewReader(data)}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.object("bkt", "k").data, data) {
		t.Fatal("content differs")
	}
	n := 0
	bodies.Range(func(k, v any) bool {
		n++
		if _, ok := v.(*partReader); !ok {
			t.Errorf("part %v body is %T, want a *partReader view of the source", k, v)
		}
		return true
	})
	if n != 4 {
		t.Errorf("%d parts seen", n)
	}
}

// bodySpy records each part's body.
type bodySpy struct {
	*fakeS3
	seen *sync.Map
}

func (b *bodySpy) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	b.seen.Store(in.PartNumber, in.Body)
	return b.fakeS3.UploadPart(ctx, in)
}

func TestUploadRetriedPart(t *testing.T) {
	for _, kind := range sourceKinds[:5] {
		t.Run(kind.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			f.fault = func(op string, part, attempt int) error {
				if op == "UploadPart" && part == 2 && attempt <= 2 {
					return errInternal(op)
				}
				return nil
			}
			data := patternBytes(3*ps + 100)
			body, size := kind.body(data)
			var mu sync.Mutex
			var total, negative int64
			u := &Uploader{Client: f, PartSize: ps, Progress: func(n int64) {
				mu.Lock()
				defer mu.Unlock()
				total += n
				if n < 0 {
					negative += n
				}
			}}
			if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size}); err != nil {
				t.Fatalf("Upload: %v", err)
			}
			if !bytes.Equal(f.object("bkt", "k").data, data) {
				t.Fatal("content differs after the retried part")
			}
			if total != int64(len(data)) {
				t.Errorf("progress total = %d, want %d", total, len(data))
			}
			// Two failed attempts, each halfway through a 5 MiB part.
			if negative != -2*ps/2 {
				t.Errorf("bytes taken back = %d, want %d", negative, -2*ps/2)
			}
		})
	}
}

func TestUploadFailingPart(t *testing.T) {
	for _, kind := range sourceKinds[:5] {
		t.Run(kind.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			f.fault = func(op string, part, attempt int) error {
				if op == "UploadPart" && part == 3 {
					return errInternal(op)
				}
				return nil
			}
			body, size := kind.body(patternBytes(5*ps + 1))
			u := &Uploader{Client: f, PartSize: ps, Concurrency: 2}
			_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size})
			var ue *UploadError
			if !errors.As(err, &ue) {
				t.Fatalf("error = %v, want an *UploadError", err)
			}
			if ue.PartNumber != 3 || ue.UploadID == "" || !ue.Aborted || ue.Op != "Upload" || ue.Bucket != "bkt" || ue.Key != "k" {
				t.Errorf("UploadError = %+v", ue)
			}
			if code := s3client.ErrorCode(err); code != "InternalError" {
				t.Errorf("error code = %q", code)
			}
			for _, want := range []string{"multipart: Upload bkt/k", ue.UploadID, "part 3", "InternalError"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if len(f.aborts) != 1 || f.aborts[0] != ue.UploadID || f.abortCtxErr[0] != nil {
				t.Errorf("aborts = %v (ctx errors %v)", f.aborts, f.abortCtxErr)
			}
			if f.callCount("CompleteMultipartUpload") != 0 {
				t.Error("a failed upload was completed")
			}
			if len(f.openUploads()) != 0 || f.object("bkt", "k") != nil {
				t.Error("the failed upload left an upload or an object")
			}
		})
	}
}

func TestUploadCancel(t *testing.T) {
	for _, kind := range sourceKinds[:5] {
		t.Run(kind.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			started := make(chan struct{}, 100)
			f.hold = func(ctx context.Context, op string, part int) error {
				started <- struct{}{}
				<-ctx.Done() // a slow part: it ends only when canceled
				return context.Cause(ctx)
			}
			body, size := kind.body(patternBytes(8 * ps))
			ctx, cancel := context.WithCancel(context.Background())
			u := &Uploader{Client: f, PartSize: ps, Concurrency: 3}
			go func() {
				for range 3 {
					<-started
				}
				cancel()
			}()
			_, err := u.Upload(ctx, &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			var ue *UploadError
			if !errors.As(err, &ue) || ue.UploadID == "" || !ue.Aborted {
				t.Errorf("UploadError = %+v", ue)
			}
			if got := f.callCount("UploadPart"); got != 3 {
				t.Errorf("%d parts started, want 3 (no scheduling after the cancel)", got)
			}
			if len(f.aborts) != 1 || f.abortCtxErr[0] != nil {
				t.Errorf("abort not sent on a live context: %v", f.abortCtxErr)
			}
		})
	}
}

func TestUploadCanceledBeforeStart(t *testing.T) {
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Uploader{Client: f}).Upload(ctx, &UploadInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")})
	if !errors.Is(err, context.Canceled) || len(f.calls) != 0 {
		t.Errorf("error %v, calls %v", err, f.calls)
	}
}

func TestUploadConcurrency(t *testing.T) {
	tests := []struct {
		name          string
		concurrency   int
		budget        int64
		stream        bool
		wantInflight  int32
		wantNotExceed bool
	}{
		{"file, 3 at once", 3, 0, false, 3, false},
		{"file, default", 0, 0, false, DefaultConcurrency, false},
		{"file ignores the budget", 4, ps, false, 4, false},
		{"stream, 3 at once", 3, 0, true, 3, false},
		// A budget of two parts: one being read and one sent, or two sent.
		{"stream within a budget of 2 parts", 10, 2 * ps, true, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			f.lazy = true
			// The first parts wait until as many as the test expects are in
			// flight at once (or, should the engine never get there, until a
			// minute has passed, and the count below says so); every part
			// after that passes at once. An engine that sent more at once
			// shows a higher peak.
			full := make(chan struct{})
			var fullOnce sync.Once
			f.hold = func(ctx context.Context, op string, part int) error {
				if f.inflight.Load() >= tt.wantInflight {
					fullOnce.Do(func() { close(full) })
				}
				select {
				case <-full:
				case <-time.After(time.Minute):
				case <-ctx.Done():
				}
				return nil
			}
			size := int64(24 * ps)
			var body io.Reader
			if tt.stream {
				body = &phantom{n: size}
			} else {
				body = io.NewSectionReader(pattern(size), 0, size)
			}
			u := &Uploader{Client: f, PartSize: ps, Concurrency: tt.concurrency, MemoryBudget: tt.budget}
			out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if out.Parts != 24 || out.Size != size {
				t.Errorf("output %+v", out)
			}
			if got := f.maxInflight.Load(); got != tt.wantInflight {
				t.Errorf("peak parts in flight = %d, want %d", got, tt.wantInflight)
			}
		})
	}
}

func TestUploadStreamGrowsParts(t *testing.T) {
	checkGoroutines(t)
	f := newFake()
	f.lazy = true
	size := 1000*ps + 3*ps + 1
	u := &Uploader{Client: f, PartSize: ps, Concurrency: 16}
	out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: &phantom{n: size}})
	if err != nil {
		t.Fatal(err)
	}
	sizes := f.object("bkt", "k").partSizes
	if out.Parts != 1002 || len(sizes) != 1002 || out.Size != size {
		t.Fatalf("%d parts, %d bytes", out.Parts, out.Size)
	}
	if sizes[0] != ps || sizes[999] != ps || sizes[1000] != 2*ps || sizes[1001] != ps+1 {
		t.Errorf("part sizes around the growth: %d %d %d %d", sizes[0], sizes[999], sizes[1000], sizes[1001])
	}
}

func TestUploadTooManyParts(t *testing.T) {
	checkGoroutines(t)
	f := newFake()
	f.lazy = true
	// A budget of one part stops growth: 10,000 parts of 5 MiB at most.
	u := &Uploader{Client: f, PartSize: ps, MemoryBudget: ps, Concurrency: 16}
	_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: &phantom{n: MaxParts*ps + 1}})
	var ue *UploadError
	if !errors.Is(err, ErrTooManyParts) || !errors.As(err, &ue) || !ue.Aborted {
		t.Fatalf("error = %v, want ErrTooManyParts and an abort", err)
	}
	if got := f.callCount("UploadPart"); got != MaxParts {
		t.Errorf("%d parts sent", got)
	}
	// Exactly 10,000 parts fit, from a stream and from a file.
	for _, body := range []io.Reader{&phantom{n: MaxParts * ps}, io.NewSectionReader(pattern(MaxParts*ps), 0, MaxParts*ps)} {
		f := newFake()
		f.lazy = true
		u := &Uploader{Client: f, PartSize: ps, MemoryBudget: ps, Concurrency: 16}
		out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body})
		if err != nil || out.Parts != MaxParts {
			t.Errorf("%T: exactly 10000 parts: %v, %+v", body, err, out)
		}
	}
	// A known size that needs larger parts gets them.
	f = newFake()
	f.lazy = true
	u = &Uploader{Client: f, PartSize: ps, Concurrency: 16}
	out, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: io.NewSectionReader(pattern(MaxParts*ps+1), 0, MaxParts*ps+1)})
	// 10,000 parts of ps + 1 byte: the part grows to the next whole MiB
	// (6 MiB and 8,334 parts at 5 MiB).
	grown := ps + mib
	if err != nil || int64(out.Parts) != ceilDiv(MaxParts*ps+1, grown) || f.object("bkt", "k").partSizes[0] != grown {
		t.Errorf("grown upload: %v, %+v", err, out)
	}
}

func TestUploadSourceSize(t *testing.T) {
	data := patternBytes(12 * mib)
	tests := []struct {
		name     string
		body     io.Reader
		size     int64
		created  bool
		wantPart bool
	}{
		{"ReaderAt shorter than Size", bytes.NewReader(data), 16 * mib, true, true},
		{"stream shorter than Size", onlyReader{bytes.NewReader(data)}, 16 * mib, true, false},
		{"stream longer than Size", onlyReader{bytes.NewReader(data)}, 11 * mib, true, false},
		{"one-part stream longer than Size", onlyReader{bytes.NewReader(data[:ps*4/5])}, ps * 3 / 5, false, false},
		{"nil body with a Size", nil, 10, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			u := &Uploader{Client: f, PartSize: ps}
			_, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: tt.body, Size: tt.size})
			var ue *UploadError
			if !errors.Is(err, ErrSourceSize) || !errors.As(err, &ue) {
				t.Fatalf("error = %v, want ErrSourceSize", err)
			}
			if (ue.UploadID != "") != tt.created || (ue.PartNumber != 0) != tt.wantPart {
				t.Errorf("UploadError = %+v", ue)
			}
			if tt.created && !ue.Aborted {
				t.Error("not aborted")
			}
			if f.object("bkt", "k") != nil || len(f.openUploads()) != 0 {
				t.Error("an object or an upload was left")
			}
		})
	}
}

func TestUploadReadError(t *testing.T) {
	checkGoroutines(t)
	f := newFake()
	boom := errors.New("pipe broke")
	body := io.MultiReader(bytes.NewReader(patternBytes(2*ps+10)), iotest.ErrReader(boom))
	_, err := (&Uploader{Client: f, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body})
	var ue *UploadError
	if !errors.Is(err, boom) || !errors.As(err, &ue) || ue.PartNumber != 0 || !ue.Aborted {
		t.Fatalf("error = %v", err)
	}
	// The same in the first part: nothing was created.
	f = newFake()
	_, err = (&Uploader{Client: f, PartSize: ps}).Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k",
		Body: io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))})
	if !errors.Is(err, boom) || len(f.calls) != 0 {
		t.Fatalf("first-part read error = %v, calls %v", err, f.calls)
	}
}

func TestUploadFailuresAroundParts(t *testing.T) {
	preconditionFailed := func(err error) bool { return errors.Is(err, s3client.ErrPreconditionFailed) }
	tests := []struct {
		name        string
		setup       func(f *fakeS3, u *Uploader, in *UploadInput)
		check       func(error) bool
		wantID      bool
		wantAborted bool
		wantAborts  int
	}{
		{"create fails", func(f *fakeS3, u *Uploader, in *UploadInput) {
			f.fault = func(op string, _, _ int) error {
				if op == "CreateMultipartUpload" {
					return s3err(op, 403, "AccessDenied")
				}
				return nil
			}
		}, func(err error) bool { return errors.Is(err, s3client.ErrForbidden) }, false, false, 0},
		{"complete refused by IfNoneMatch", func(f *fakeS3, u *Uploader, in *UploadInput) {
			f.putObject("bkt", "k", &fakeObject{data: []byte("already here")})
			in.IfNoneMatch = "*"
		}, preconditionFailed, true, true, 1},
		{"abort fails too", func(f *fakeS3, u *Uploader, in *UploadInput) {
			f.fault = func(op string, part, _ int) error {
				if part == 2 {
					return s3err(op, 400, "InvalidArgument")
				}
				return nil
			}
			f.abortErr = s3err("AbortMultipartUpload", 403, "AccessDenied")
		}, func(err error) bool {
			return s3client.ErrorCode(err) == "InvalidArgument" && errors.Is(err, s3client.ErrForbidden) && strings.Contains(err.Error(), "abort failed")
		}, true, false, 1},
		{"LeavePartsOnError", func(f *fakeS3, u *Uploader, in *UploadInput) {
			f.fault = func(op string, part, _ int) error {
				if part == 2 {
					return s3err(op, 400, "InvalidArgument")
				}
				return nil
			}
			u.LeavePartsOnError = true
		}, func(err error) bool { return s3client.ErrorCode(err) == "InvalidArgument" }, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			f := newFake()
			u := &Uploader{Client: f, PartSize: ps}
			in := &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(2*ps + 1))}
			tt.setup(f, u, in)
			_, err := u.Upload(context.Background(), in)
			var ue *UploadError
			if !errors.As(err, &ue) || !tt.check(err) {
				t.Fatalf("error = %v", err)
			}
			if (ue.UploadID != "") != tt.wantID || ue.Aborted != tt.wantAborted || len(f.aborts) != tt.wantAborts {
				t.Errorf("UploadError %+v, aborts %v", ue, f.aborts)
			}
			if u.LeavePartsOnError && len(f.openUploads()) != 1 {
				t.Errorf("open uploads = %v, want the failed one kept", f.openUploads())
			}
		})
	}
}

func TestUploadChecksum(t *testing.T) {
	for _, alg := range []s3client.ChecksumAlgorithm{s3client.ChecksumCRC32C, "sha256", s3client.ChecksumCRC64NVME} {
		for _, kind := range sourceKinds[:5] {
			if alg != s3client.ChecksumCRC32C && kind.name != "ReaderAt" && kind.name != "stream" {
				continue // one algorithm over every source, the others over one of each kind
			}
			t.Run(string(alg)+"/"+kind.name, func(t *testing.T) {
				f := newFake()
				data := patternBytes(2*ps + 5)
				body, size := kind.body(data)
				u := &Uploader{Client: f, PartSize: ps, ChecksumAlgorithm: alg}
				if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size}); err != nil {
					t.Fatal(err) // the fake refuses parts without the upload's checksum
				}
				if got := f.created[0].ChecksumAlgorithm; got != alg {
					t.Errorf("created with %q", got)
				}
				for _, p := range f.completed[0].Parts {
					if _, v := partChecksum(&p.Checksums); v == "" {
						t.Errorf("part %d completed without its checksum", p.PartNumber)
					}
				}
			})
		}
	}
}

// defaultingFake is a client that chooses a checksum for an upload created
// without one, as s3client's does on AWS: it says so in
// CreateMultipartUpload's answer, and the parts must follow.
type defaultingFake struct{ *fakeS3 }

func (d defaultingFake) CreateMultipartUpload(ctx context.Context, in *s3client.CreateMultipartUploadInput) (*s3client.CreateMultipartUploadOutput, error) {
	c := *in
	if c.ChecksumAlgorithm == "" {
		c.ChecksumAlgorithm = s3client.ChecksumCRC32
	}
	out, err := d.fakeS3.CreateMultipartUpload(ctx, &c)
	if err == nil && out.ChecksumAlgorithm == "" {
		out.ChecksumAlgorithm = c.ChecksumAlgorithm
	}
	return out, err
}

func TestUploadPartsCarryTheCreatedAlgorithm(t *testing.T) {
	f := newFake()
	u := &Uploader{Client: defaultingFake{f}, PartSize: ps}
	if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(ps + 1))}); err != nil {
		t.Fatal(err)
	}
	if got := f.created[0].ChecksumAlgorithm; got != s3client.ChecksumCRC32 {
		t.Errorf("created with %q, want the client's choice", got)
	}
	// The fake refuses a part whose algorithm is not the upload's: the
	// upload succeeding says the parts followed the answer.
	if c := f.completed[0]; len(c.Parts) != 2 || c.Parts[0].Checksums.CRC32 == "" {
		t.Errorf("completed with %+v, want two parts with CRC32 checksums", c.Parts)
	}
}

// countingLimiter records what it is asked to wait for.
type countingLimiter struct {
	total, calls atomic.Int64
	maxN         atomic.Int64
}

func (l *countingLimiter) WaitN(ctx context.Context, n int) error {
	l.total.Add(int64(n))
	l.calls.Add(1)
	for {
		m := l.maxN.Load()
		if int64(n) <= m || l.maxN.CompareAndSwap(m, int64(n)) {
			return ctx.Err()
		}
	}
}

func TestUploadLimiterAndProgress(t *testing.T) {
	for _, kind := range sourceKinds[:5] {
		t.Run(kind.name, func(t *testing.T) {
			f := newFake()
			f.fault = func(op string, part, attempt int) error {
				if part == 1 && attempt == 1 {
					return errInternal(op)
				}
				return nil
			}
			data := patternBytes(3*ps + 9)
			body, size := kind.body(data)
			lim := &countingLimiter{}
			// Progress is serialized: an unsynchronized counter is safe
			// (the race detector would say otherwise).
			var sum, calls int64
			u := &Uploader{Client: f, PartSize: ps, Concurrency: 4, Limiter: lim, Progress: func(n int64) { sum += n; calls++ }}
			if _, err := u.Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k", Body: body, Size: size}); err != nil {
				t.Fatal(err)
			}
			if sum != int64(len(data)) {
				t.Errorf("progress total %d, want %d", sum, len(data))
			}
			// The limiter paid for every byte sent, the retried half part too.
			if want := int64(len(data)) + ps/2; lim.total.Load() != want {
				t.Errorf("limiter charged %d bytes, want %d", lim.total.Load(), want)
			}
			if lim.maxN.Load() > 32<<10 || lim.calls.Load() < 100 {
				t.Errorf("limiter: %d calls, largest %d: not per read", lim.calls.Load(), lim.maxN.Load())
			}
		})
	}
}

func TestUploadConfigErrors(t *testing.T) {
	realMinPartSize(t)
	f := newFake()
	for _, size := range []int64{1, MinPartSize - 1, MaxPartSize + 1, -5} {
		_, err := (&Uploader{Client: f, PartSize: size}).Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k"})
		var pse *PartSizeError
		if !errors.As(err, &pse) || pse.PartSize != size {
			t.Errorf("PartSize %d: error = %v", size, err)
		}
	}
	if _, err := (&Uploader{}).Upload(context.Background(), &UploadInput{Bucket: "bkt", Key: "k"}); err == nil {
		t.Error("an Uploader without a Client uploaded")
	}
	if _, err := (&Uploader{Client: f}).Upload(context.Background(), nil); err == nil {
		t.Error("nil input accepted")
	}
	if _, err := (&Uploader{Client: f}).Resume(context.Background(), "id", nil); err == nil {
		t.Error("nil input accepted by Resume")
	}
	if _, err := (&Copier{Client: f}).Copy(context.Background(), nil); err == nil {
		t.Error("nil input accepted by Copy")
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}

func TestUploadPropertiesReachRequests(t *testing.T) {
	f := newFake()
	in := &UploadInput{
		Bucket: "bkt", Key: "k", Body: bytes.NewReader(patternBytes(ps + 1)),
		ObjectProperties: s3client.ObjectProperties{ContentType: "image/png", Metadata: map[string]string{"a": "1"}, StorageClass: "STANDARD_IA"},
		SSECustomer:      s3client.SSECustomer{SSECustomerKey: bytes.Repeat([]byte{7}, 32)},
		Common:           s3client.Common{ExpectedBucketOwner: "111122223333"},
	}
	var parts sync.Map
	u := &Uploader{Client: &inputSpy{fakeS3: f, parts: &parts}, PartSize: ps}
	if _, err := u.Upload(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	c := f.created[0]
	if c.ContentType != "image/png" || c.Metadata["a"] != "1" || c.StorageClass != "STANDARD_IA" ||
		len(c.SSECustomerKey) != 32 || c.ExpectedBucketOwner != "111122223333" {
		t.Errorf("CreateMultipartUpload input = %+v", c)
	}
	parts.Range(func(k, v any) bool {
		p := v.(s3client.UploadPartInput)
		if len(p.SSECustomerKey) != 32 || p.ExpectedBucketOwner != "111122223333" {
			t.Errorf("part %v lacks the SSE-C key or the common parameters", k)
		}
		return true
	})
	if done := f.completed[0]; len(done.SSECustomerKey) != 32 || done.ExpectedBucketOwner != "111122223333" {
		t.Error("CompleteMultipartUpload lacks the SSE-C key or the common parameters")
	}
}

type inputSpy struct {
	*fakeS3
	parts *sync.Map
}

func (s *inputSpy) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	s.parts.Store(in.PartNumber, *in)
	return s.fakeS3.UploadPart(ctx, in)
}

func TestUploadErrorFormat(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		e    *UploadError
		want string
	}{
		{&UploadError{Op: "Upload", Bucket: "bkt", Key: "k", Err: cause}, "multipart: Upload bkt/k: cause"},
		{&UploadError{Op: "Upload", Bucket: "bkt", Key: "k", UploadID: "id", PartNumber: 7, Aborted: true, Err: cause},
			"multipart: Upload bkt/k (upload ID id) part 7 [aborted]: cause"},
		{&UploadError{Op: "Copy", Bucket: "bkt", Key: "k", UploadID: "id", Err: cause}, "multipart: Copy bkt/k (upload ID id): cause"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.e, cause) {
			t.Error("Unwrap lost the cause")
		}
	}
}
