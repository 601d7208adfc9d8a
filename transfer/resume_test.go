package transfer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

func resumeConfig(t *testing.T, threads bool) Config {
	cfg := smallConfig()
	cfg.Resume = true
	cfg.StateDir = t.TempDir()
	if !threads {
		cfg = noThreads(cfg)
	}
	return cfg
}

func journals(t *testing.T, dir string) []string {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// An UploadFile that failed (or was cancelled, or crashed) leaves its
// parts and a journal; the next UploadFile of the same file continues the
// same multipart upload and sends only the missing parts.
func TestUploadResume(t *testing.T) {
	for _, tc := range []struct {
		name    string
		threads bool
		cancel  bool
	}{
		{"failed part", true, false},
		{"cancelled", true, true},
		{"serial", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			data := randBytes(3*testChunk+9, 50)
			src := writeFile(t, t.TempDir(), "src", data)
			cfg := resumeConfig(t, tc.threads)
			cfg.MaxConcurrency = 2

			first := newCounting(e.client)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first.failPart = func(num int) error {
				if num == 3 {
					if tc.cancel {
						cancel()
						return context.Canceled
					}
					return errors.New("injected failure")
				}
				return nil
			}
			_, err := newManager(t, first, cfg).UploadFile(ctx, src, testBucket, "big")
			var ue *multipart.UploadError
			if !errors.As(err, &ue) || ue.Aborted || ue.UploadID == "" {
				t.Fatalf("first attempt: %v, want an UploadError that kept the upload", err)
			}
			if first.count("AbortMultipartUpload") != 0 {
				t.Errorf("the failed upload was aborted")
			}
			if js := journals(t, cfg.StateDir); len(js) != 1 || !strings.HasPrefix(js[0], "upload-") {
				t.Fatalf("journals after failure: %v", js)
			}
			parts, err := e.client.ListParts(context.Background(), &s3client.ListPartsInput{Bucket: testBucket, Key: "big", UploadID: ue.UploadID})
			if err != nil {
				t.Fatal(err)
			}
			kept := len(parts.Parts)

			// A new manager (a new process) with the same state directory.
			second := newCounting(e.client)
			var sum progressSum
			res, err := newManager(t, second, cfg).UploadFile(context.Background(), src, testBucket, "big", sum.callback())
			if err != nil {
				t.Fatalf("resumed upload: %v", err)
			}
			// A part cancelled on the client may still land on the server
			// after the first attempt returned: at least the parts listed
			// then are kept, and only the others are sent.
			if res.UploadID != ue.UploadID || res.Resumed < kept || res.Resumed+second.count("UploadPart") != 4 || second.count("CreateMultipartUpload") != 0 {
				t.Errorf("upload %s (first %s), resumed %d, %d parts sent; want at least %d kept, the rest of 4 sent",
					res.UploadID, ue.UploadID, res.Resumed, second.count("UploadPart"), kept)
			}
			if kept == 0 || kept == 4 {
				t.Errorf("%d parts kept after the failure: the test resumes nothing or everything", kept)
			}
			if !bytes.Equal(e.objectData(t, "big"), data) {
				t.Error("object differs")
			}
			if sum.total.Load() != int64(len(data)) {
				t.Errorf("progress %d, want %d (kept parts count as done)", sum.total.Load(), len(data))
			}
			if js := journals(t, cfg.StateDir); len(js) != 0 {
				t.Errorf("journals left: %v", js)
			}
			if ups := listUploads(t, e.client); len(ups) != 0 {
				t.Errorf("uploads left: %v", ups)
			}
		})
	}
}

// A journal of an older version of the file, or of an upload S3 no longer
// has, starts a new upload (aborting the stale one).
func TestUploadResumeStale(t *testing.T) {
	e := newEnv(t)
	data := randBytes(2*testChunk+1, 51)
	for _, stale := range []string{"file changed", "upload gone"} {
		t.Run(stale, func(t *testing.T) {
			src := writeFile(t, t.TempDir(), "src", data)
			cfg := resumeConfig(t, true)
			api := newCounting(e.client)
			api.failPart = func(num int) error {
				if num == 2 {
					return errors.New("injected")
				}
				return nil
			}
			_, err := newManager(t, api, cfg).UploadFile(context.Background(), src, testBucket, "k")
			var ue *multipart.UploadError
			if !errors.As(err, &ue) {
				t.Fatal(err)
			}
			want := data
			switch stale {
			case "file changed":
				want = randBytes(2*testChunk+1, 52)
				os.WriteFile(src, want, 0o644)
				os.Chtimes(src, time.Now(), time.Now().Add(time.Hour))
			case "upload gone":
				e.client.AbortMultipartUpload(context.Background(), &s3client.AbortMultipartUploadInput{Bucket: testBucket, Key: "k", UploadID: ue.UploadID})
			}
			api2 := newCounting(e.client)
			res, err := newManager(t, api2, cfg).UploadFile(context.Background(), src, testBucket, "k")
			if err != nil {
				t.Fatal(err)
			}
			if res.UploadID == ue.UploadID || res.Resumed != 0 || api2.count("UploadPart") != 3 {
				t.Errorf("result %+v, %d parts sent: want a new upload of 3 parts", res, api2.count("UploadPart"))
			}
			if !bytes.Equal(e.objectData(t, "k"), want) {
				t.Error("object differs")
			}
			if ups := listUploads(t, e.client); len(ups) != 0 {
				t.Errorf("uploads left: %v", ups)
			}
		})
	}
}

// A DownloadFile that failed keeps its temporary file and a journal of
// the ranges it holds; the next one fetches only the others, unless the
// object changed, when it starts over.
func TestDownloadResume(t *testing.T) {
	for _, tc := range []struct {
		name     string
		threads  bool
		changed  bool
		cancel   bool
		parallel bool
	}{
		{"broken body", true, false, false, false},
		{"cancelled", true, false, true, false},
		{"serial", false, false, false, false},
		{"object changed", true, true, false, false},
		{"parallel", true, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			data := randBytes(4*testRange, 53)
			e.srv.PutObject(t, testBucket, "obj", data, nil)
			sh := newShim(t, e.srv)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var broken atomic.Bool
			broken.Store(true)
			third := fmt.Sprintf("bytes=%d-", 2*testRange)
			sh.cut = func(r *http.Request) int64 {
				if broken.Load() && strings.HasPrefix(r.Header.Get("Range"), third) {
					if tc.cancel {
						cancel()
					}
					return 1000
				}
				return -1
			}
			cfg := resumeConfig(t, tc.threads)
			cfg.MaxConcurrency = 1 // ranges in order: two are done when the third breaks
			if tc.parallel {
				cfg.MaxConcurrency = 4 // which are done when the third breaks is up to chance
			}
			cfg.NumDownloadAttempts = 1
			dir := t.TempDir()
			target := filepath.Join(dir, "out")
			_, err := smallRanges(newManager(t, newTestClient(t, sh.URL(), nil), cfg)).DownloadFile(ctx, testBucket, "obj", target)
			if err == nil {
				t.Fatal("first attempt succeeded")
			}
			if tmp := tempFiles(t, dir); len(tmp) != 1 {
				t.Fatalf("temporary files after failure: %v", tmp)
			}
			if js := journals(t, cfg.StateDir); len(js) != 1 || !strings.HasPrefix(js[0], "download-") {
				t.Fatalf("journals after failure: %v", js)
			}
			if _, err := os.Stat(target); err == nil {
				t.Fatal("target exists after a failed download")
			}
			if tc.changed {
				data = randBytes(4*testRange, 54)
				e.srv.PutObject(t, testBucket, "obj", data, nil)
			}
			broken.Store(false)
			before := sh.count(isGet)
			res, err := smallRanges(newManager(t, newTestClient(t, sh.URL(), nil), cfg)).DownloadFile(context.Background(), testBucket, "obj", target)
			if err != nil {
				t.Fatalf("resumed download: %v", err)
			}
			gets, wantGets, wantResumed := sh.count(isGet)-before, 2, 2
			if tc.changed {
				wantGets, wantResumed = 4, 0
			}
			late := 0
			if tc.parallel {
				// Each range is fetched once, by one run or the other. A
				// request the first run had already written when it gave
				// up may still reach the server's counter after `before`
				// was read, so up to MaxConcurrency-1 of those are allowed.
				wantGets, wantResumed = 4-res.Resumed, res.Resumed
				late = cfg.MaxConcurrency - 1
			}
			if gets < wantGets || gets > wantGets+late || res.Resumed != wantResumed {
				t.Errorf("%d GETs, %d ranges resumed; want %d, %d", gets, res.Resumed, wantGets, wantResumed)
			}
			if got, _ := os.ReadFile(target); !bytes.Equal(got, data) {
				t.Error("file differs")
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			if js := journals(t, cfg.StateDir); len(js) != 0 {
				t.Errorf("journals left: %v", js)
			}
		})
	}
}

// A resumed download still verifies the object's checksum, by reading
// the finished file back.
func TestDownloadResumeChecksum(t *testing.T) {
	e := newEnv(t)
	data := randBytes(2*testRange, 55)
	h := s3client.ChecksumCRC32C.NewHash()
	h.Write(data)
	bad := h.Sum(nil)
	bad[0] ^= 1
	e.srv.PutObject(t, testBucket, "obj", data, map[string]string{"X-Amz-Checksum-Crc32c": encodeHash(fakeSum(bad))})
	sh := newShim(t, e.srv)
	var broken atomic.Bool
	broken.Store(true)
	sh.cut = func(r *http.Request) int64 {
		if broken.Load() && strings.HasPrefix(r.Header.Get("Range"), fmt.Sprintf("bytes=%d-", testRange)) {
			return 10
		}
		return -1
	}
	cfg := resumeConfig(t, true)
	cfg.MaxConcurrency, cfg.NumDownloadAttempts = 1, 1
	target := filepath.Join(t.TempDir(), "out")
	m := smallRanges(newManager(t, newTestClient(t, sh.URL(), nil), cfg))
	if _, err := m.DownloadFile(context.Background(), testBucket, "obj", target); !errors.Is(err, ErrShortBody) {
		t.Fatalf("first attempt: %v", err)
	}
	broken.Store(false)
	if _, err := m.DownloadFile(context.Background(), testBucket, "obj", target); !errors.Is(err, s3client.ErrChecksumMismatch) {
		t.Fatalf("resumed download with a wrong checksum: %v", err)
	}
}

type fakeSum []byte

func (f fakeSum) Sum([]byte) []byte { return f }

func encodeHash(h interface{ Sum([]byte) []byte }) string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
