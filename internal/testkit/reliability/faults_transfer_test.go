package reliability

// The transfer manager under injected faults: UploadFile, Upload from a
// ReaderAt and from a stream, NewWriter, DownloadFile, Download into a
// plain writer and DownloadAt, sizes from 0 to 64 MiB (21 MiB under -race), at fault rates of
// 5 % and 20 %. A success is byte-identical; a failure is a *transfer.Error
// and leaves no multipart upload, no partial object, no partial or
// temporary file, and the target file as it was.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// transferEnv is an env with a Manager on the faulty client and the
// directories its files live in.
type transferEnv struct {
	*env
	m        *transfer.Manager
	stateDir string // the Manager's StateDir: resume journals, none without Resume
	upDir    string // files to upload
	downDir  string // download targets, and nothing else
	mu       sync.Mutex
	targets  map[string]string // download target → content it must hold after the job
	uploads  map[string]bool   // files the test wrote to upDir
}

func newTransferEnv(t *testing.T, o options) *transferEnv {
	e := newEnv(t, o)
	state := t.TempDir()
	m, err := transfer.New(e.client, transfer.Config{
		MultipartThreshold: partSize,
		MultipartChunkSize: partSize,
		MaxConcurrency:     4,
		MemoryBudget:       64 << 20,
		StateDir:           state,
		NoThreads:          o.noThreads,
	})
	if err != nil {
		t.Fatalf("transfer.New: %v", err)
	}
	return &transferEnv{env: e, m: m, stateDir: state, upDir: t.TempDir(), downDir: t.TempDir(),
		targets: map[string]string{}, uploads: map[string]bool{}}
}

// expect records what a download target must hold once every job is done
// ("" for: must not exist).
func (te *transferEnv) expect(path, content string) {
	te.mu.Lock()
	te.targets[filepath.Base(path)] = content
	te.mu.Unlock()
}

// checkFiles fails the test for a target that is not what its job left
// (whole new file on success, the old one or none on failure) and for any
// other file in the download directory: a temporary file left behind.
func (te *transferEnv) checkFiles(t testing.TB) {
	t.Helper()
	entries, err := os.ReadDir(te.downDir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, de := range entries {
		name := de.Name()
		want, ok := te.targets[name]
		if !ok {
			t.Errorf("file left in the download directory: %s", name)
			continue
		}
		seen[name] = true
		b, err := os.ReadFile(filepath.Join(te.downDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if sum(b) != want {
			t.Errorf("%s holds %d bytes that are neither the old file nor the object", name, len(b))
		}
	}
	for name, want := range te.targets {
		if want != "" && !seen[name] {
			t.Errorf("%s is missing", name)
		}
	}
	if left, _ := os.ReadDir(te.stateDir); len(left) > 0 {
		t.Errorf("%d files left in the state directory (Resume is off), first %s", len(left), left[0].Name())
	}
	if left, _ := os.ReadDir(te.upDir); len(left) != len(te.uploads) {
		t.Errorf("%d files in the upload directory, %d written by the test", len(left), len(te.uploads))
	}
}

func isTransferError(err error) bool {
	var te *transfer.Error
	return errors.As(err, &te) && te.Op != ""
}

// errUntyped marks a transfer error that is not a *transfer.Error.
var errUntyped = errors.New("reliability: the transfer's error is not a *transfer.Error")

// typed passes a *transfer.Error (or nil) through and flags anything else.
func typed(err error) error {
	if err == nil || isTransferError(err) {
		return err
	}
	return fmt.Errorf("%w: %T %w", errUntyped, err, err)
}

func uploadFileJob(te *transferEnv, key string, size int64) job {
	path := filepath.Join(te.upDir, strings.ReplaceAll(key, "/", "_"))
	b := data(size, 21)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		panic(err)
	}
	te.mu.Lock()
	te.uploads[path] = true
	te.mu.Unlock()
	want := sum(b)
	return job{name: fmt.Sprintf("UploadFile %s (%d bytes)", key, size), run: func(ctx context.Context, e *env) (string, string, error) {
		_, err := te.m.UploadFile(ctx, path, e.bucket, key)
		return key, want, typed(err)
	}}
}

func uploadJob(te *transferEnv, key string, size int64, streamed bool) job {
	return job{name: fmt.Sprintf("Upload %s (%d bytes, stream %v)", key, size, streamed), run: func(ctx context.Context, e *env) (string, string, error) {
		b := data(size, 22)
		var r io.Reader = bytes.NewReader(b)
		if streamed {
			r = stream{bytes.NewReader(b)}
		}
		_, err := te.m.Upload(ctx, r, e.bucket, key)
		return key, sum(b), typed(err)
	}}
}

func writerJob(te *transferEnv, key string, size int64) job {
	return job{name: fmt.Sprintf("NewWriter %s (%d bytes)", key, size), run: func(ctx context.Context, e *env) (string, string, error) {
		b := data(size, 23)
		w, err := te.m.NewWriter(ctx, e.bucket, key)
		if err != nil {
			return key, sum(b), typed(err)
		}
		for off := 0; off < len(b); off += 100_000 {
			if _, err := w.Write(b[off:min(off+100_000, len(b))]); err != nil {
				w.Close()
				return key, sum(b), typed(err)
			}
		}
		return key, sum(b), typed(w.Close())
	}}
}

// downloadFileJob downloads a seeded object over a target that holds old
// content (or none).
func downloadFileJob(te *transferEnv, key string, obj []byte, old []byte) job {
	target := filepath.Join(te.downDir, strings.ReplaceAll(key, "/", "_"))
	if old != nil {
		if err := os.WriteFile(target, old, 0o600); err != nil {
			panic(err)
		}
	}
	return job{name: fmt.Sprintf("DownloadFile %s (%d bytes)", key, len(obj)), run: func(ctx context.Context, e *env) (string, string, error) {
		_, err := te.m.DownloadFile(ctx, e.bucket, key, target)
		switch {
		case err == nil:
			te.expect(target, sum(obj))
		case old != nil:
			te.expect(target, sum(old))
		default:
			te.expect(target, "")
		}
		return "", "", typed(err)
	}}
}

// downloadJob downloads a seeded object into a plain writer (a hash) or a
// WriterAt (a buffer).
func downloadJob(te *transferEnv, key string, obj []byte, at bool) job {
	return job{name: fmt.Sprintf("Download %s (%d bytes, WriterAt %v)", key, len(obj), at), run: func(ctx context.Context, e *env) (string, string, error) {
		var got string
		var err error
		if at {
			buf := make(writerAt, len(obj))
			_, err = te.m.DownloadAt(ctx, e.bucket, key, buf)
			got = sum(buf)
		} else {
			h := sha256.New()
			_, err = te.m.Download(ctx, e.bucket, key, h)
			got = hex.EncodeToString(h.Sum(nil))
		}
		if err == nil && got != sum(obj) {
			return "", "", fmt.Errorf("reliability: silent corruption: downloaded bytes differ")
		}
		return "", "", typed(err)
	}}
}

// writerAt is a fixed buffer written at offsets.
type writerAt []byte

func (w writerAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(w)) {
		return 0, fmt.Errorf("write of %d bytes at %d beyond %d", len(p), off, len(w))
	}
	return copy(w[off:], p), nil
}

func TestTransferUnderFaults(t *testing.T) {
	for i, rate := range []float64{0.05, 0.20} {
		t.Run(fmt.Sprintf("rate=%.0f%%", rate*100), func(t *testing.T) {
			s := seed(t) + 100 + uint64(i)
			te := newTransferEnv(t, options{virtual: i == 1}) // path style, then virtual-host style
			before := goroutines()

			objs := map[string][]byte{}
			for _, size := range []int64{0, 1, unit + 7, 9 * unit, 17*unit + 5} {
				key := fmt.Sprintf("seed/%d", size)
				objs[key] = data(size, 29)
				te.srv.PutObject(t, te.bucket, key, objs[key], nil)
			}
			objs["seed/large"] = data(largeObject, 30)
			te.srv.PutObject(t, te.bucket, "seed/large", objs["seed/large"], nil)
			keys := make([]string, 0, len(objs))
			for k := range objs {
				keys = append(keys, k)
			}
			sort.Strings(keys)

			var jobs []job
			for _, size := range []int64{0, 1, unit, 5*unit + 1, 17 * unit} {
				jobs = append(jobs, uploadFileJob(te, fmt.Sprintf("file/%d", size), size))
			}
			jobs = append(jobs, uploadFileJob(te, "file/large", largeObject))
			for _, size := range []int64{0, 3 * unit, 12 * unit} {
				jobs = append(jobs, uploadJob(te, fmt.Sprintf("stream/%d", size), size, true))
			}
			jobs = append(jobs, uploadJob(te, "readerat/seven-units", 7*unit, false))
			jobs = append(jobs, writerJob(te, "writer/one-unit", unit), writerJob(te, "writer/eleven-units", 11*unit))
			for j, key := range keys {
				var old []byte
				if j%2 == 0 {
					old = []byte("the old content of " + key)
				}
				jobs = append(jobs, downloadFileJob(te, key, objs[key], old))
				if key != "seed/large" {
					jobs = append(jobs, downloadJob(te, key, objs[key], j%2 == 1))
				}
			}

			te.proxy.SetSchedule(faultproxy.Random(s, rate))
			var ta tally
			te.runJobs(t, &ta, jobs, 3)
			te.proxy.SetSchedule(nil)

			te.checkNoUploads(t)
			te.checkFiles(t)
			te.checkNoLeaks(t, before)
			ta.report(t, fmt.Sprintf("transfer manager, seed %d, rate %.0f%%", s, rate*100), te.env, 0)
		})
	}
}

// TestTransferFailureLeavesNothing: transfers that cannot succeed (every
// request of one kind fails) fail cleanly: a typed error, no upload, the
// target file untouched, no temporary file.
func TestTransferFailureLeavesNothing(t *testing.T) {
	// With threads, and without: the same engine with one worker, on the
	// caller's goroutine, must leave nothing behind either.
	for _, noThreads := range []bool{false, true} {
		t.Run(fmt.Sprintf("noThreads=%v", noThreads), func(t *testing.T) { transferFailureLeavesNothing(t, noThreads) })
	}
}

func transferFailureLeavesNothing(t *testing.T, noThreads bool) {
	always := func(op string, f faultproxy.Fault) faultproxy.Schedule {
		return faultproxy.ForOps(faultproxy.Random(1, 1, f), op)
	}
	t.Run("upload parts always fail", func(t *testing.T) {
		te := newTransferEnv(t, options{schedule: always(faultproxy.OpUploadPart, faultproxy.InternalError), maxAttempts: 2, noThreads: noThreads})
		before := goroutines()
		path := filepath.Join(te.upDir, "big")
		os.WriteFile(path, data(11*unit, 31), 0o600)
		_, err := te.m.UploadFile(context.Background(), path, te.bucket, "big")
		if !isTransferError(err) || s3client.ErrorCode(err) != "InternalError" {
			t.Fatalf("err = %v, want a *transfer.Error with InternalError", err)
		}
		te.checkNoUploads(t)
		if _, _, ok := te.object("big"); ok {
			t.Error("object written")
		}
		_, err = te.m.Upload(context.Background(), stream{bytes.NewReader(data(11*unit, 32))}, te.bucket, "big-stream")
		if !isTransferError(err) {
			t.Fatalf("stream: err = %v", err)
		}
		te.checkNoUploads(t)
		w, err := te.m.NewWriter(context.Background(), te.bucket, "big-writer")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data(11*unit, 33))
		if err := w.Close(); !isTransferError(err) {
			t.Fatalf("writer: err = %v", err)
		}
		te.checkNoUploads(t)
		te.checkNoLeaks(t, before)
	})
	t.Run("download ranges always cut", func(t *testing.T) {
		te := newTransferEnv(t, options{schedule: always(faultproxy.OpGetObject, faultproxy.CutResponse), maxAttempts: 2, noThreads: noThreads})
		before := goroutines()
		obj := data(11*unit, 34)
		te.srv.PutObject(t, te.bucket, "obj", obj, nil)
		target := filepath.Join(te.downDir, "obj")
		os.WriteFile(target, []byte("precious"), 0o600)
		te.expect(target, sum([]byte("precious")))
		_, err := te.m.DownloadFile(context.Background(), te.bucket, "obj", target)
		if !isTransferError(err) {
			t.Fatalf("err = %v, want a *transfer.Error", err)
		}
		te.expect(filepath.Join(te.downDir, "new"), "")
		if _, err := te.m.DownloadFile(context.Background(), te.bucket, "obj", filepath.Join(te.downDir, "new")); !isTransferError(err) {
			t.Fatalf("err = %v, want a *transfer.Error", err)
		}
		te.checkFiles(t)
		te.checkNoLeaks(t, before)
	})
}
