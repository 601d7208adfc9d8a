package transfer

// Byte-identical round trips through every way in and out, at the sizes
// where the manager changes its mind (0, 1, threshold−1, threshold,
// threshold+1, several parts), with and without worker goroutines, and
// one 100 MiB file.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// memWriterAt is an in-memory io.WriterAt.
type memWriterAt struct {
	mu  sync.Mutex
	buf []byte
}

func (m *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := int(off) + len(p); end > len(m.buf) {
		m.buf = append(m.buf, make([]byte, end-len(m.buf))...)
	}
	copy(m.buf[off:], p)
	return len(p), nil
}

func (m *memWriterAt) bytes() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf
}

// onlyReader hides every method of a reader but Read, making it a stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// onlyWriter hides every method of a writer but Write.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	// A threshold below the part size keeps its edges cheap; the last
	// size takes three parts.
	const th = testChunk / 5
	sizes := []int{0, 1, th - 1, th, th + 1, 2*testChunk + 7}
	uploads := []struct {
		name string
		up   func(ctx context.Context, m *Manager, data []byte, key string) (*Result, error)
	}{
		{"UploadFile", func(ctx context.Context, m *Manager, data []byte, key string) (*Result, error) {
			return m.UploadFile(ctx, writeFile(t, dir, key, data), testBucket, key)
		}},
		{"Upload/ReaderAt", func(ctx context.Context, m *Manager, data []byte, key string) (*Result, error) {
			r := bytes.NewReader(data)
			res, err := m.Upload(ctx, r, testBucket, key)
			if err == nil && r.Len() != 0 {
				return nil, fmt.Errorf("reader left with %d bytes unread", r.Len())
			}
			return res, err
		}},
		{"Upload/stream", func(ctx context.Context, m *Manager, data []byte, key string) (*Result, error) {
			return m.Upload(ctx, onlyReader{bytes.NewReader(data)}, testBucket, key)
		}},
		{"NewWriter", func(ctx context.Context, m *Manager, data []byte, key string) (*Result, error) {
			w, err := m.NewWriter(ctx, testBucket, key)
			if err != nil {
				return nil, err
			}
			// Uneven writes, as an encoder makes them.
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 100_003)
				if _, err := w.Write(rest[:n]); err != nil {
					return nil, err
				}
				rest = rest[n:]
			}
			if err := w.Close(); err != nil {
				return nil, err
			}
			return w.Result(), nil
		}},
	}
	downloads := []struct {
		name string
		down func(ctx context.Context, m *Manager, key string) ([]byte, error)
	}{
		{"DownloadFile", func(ctx context.Context, m *Manager, key string) ([]byte, error) {
			p := filepath.Join(dir, "down", key)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if _, err := m.DownloadFile(ctx, testBucket, key, p); err != nil {
				return nil, err
			}
			return os.ReadFile(p)
		}},
		{"Download/WriterAt", func(ctx context.Context, m *Manager, key string) ([]byte, error) {
			var w memWriterAt
			_, err := m.DownloadAt(ctx, testBucket, key, &w)
			return w.bytes(), err
		}},
		{"Download/Writer", func(ctx context.Context, m *Manager, key string) ([]byte, error) {
			var b bytes.Buffer
			_, err := m.Download(ctx, testBucket, key, onlyWriter{&b})
			return b.Bytes(), err
		}},
	}
	for _, threads := range []bool{true, false} {
		cfg := smallConfig()
		cfg.MultipartThreshold = th
		if !threads {
			cfg = noThreads(cfg)
		}
		// A tiny reorder queue, to make the ordered download wait on it.
		cfg.MaxIOQueue, cfg.IOChunkSize = 3, 64<<10
		api := newCounting(e.client)
		m := newManager(t, api, cfg)
		for si, size := range sizes {
			data := randBytes(size, uint64(size))
			for ui, u := range uploads {
				// Without threads there are two paths (a file, a pushed
				// stream): skip the repeats to stay fast.
				if !threads && u.name != "UploadFile" && u.name != "NewWriter" {
					continue
				}
				key := fmt.Sprintf("rt/%v/%d/%s", threads, size, u.name)
				t.Run(fmt.Sprintf("threads=%v/%s/%d", threads, u.name, size), func(t *testing.T) {
					before := api.count("CreateMultipartUpload")
					res, err := u.up(context.Background(), m, data, key)
					if err != nil {
						t.Fatalf("upload: %v", err)
					}
					if res.Size != int64(size) {
						t.Errorf("Result.Size = %d, want %d", res.Size, size)
					}
					if got := e.objectData(t, key); !bytes.Equal(got, data) {
						t.Fatalf("stored %d bytes, want %d (equal prefix: %v)", len(got), len(data), bytes.HasPrefix(data, got))
					}
					// Sizes at or above the threshold go to the engine,
					// which sends a single part as one PutObject; streams
					// decide after their first part.
					multi := api.count("CreateMultipartUpload") > before
					wantMulti := size > testChunk
					if multi != wantMulti {
						t.Errorf("multipart = %v, want %v", multi, wantMulti)
					}
					if multi && res.UploadID == "" {
						t.Errorf("multipart upload without an UploadID in the result")
					}
					// Every download kind, rotating through sizes so
					// that each meets every edge once per mode.
					d := downloads[(si+ui)%len(downloads)]
					got, err := d.down(context.Background(), m, key)
					if err != nil {
						t.Fatalf("%s: %v", d.name, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%s: got %d bytes, want %d", d.name, len(got), len(data))
					}
				})
			}
		}
	}
}

// TestRoundTripLarge moves 100 MiB in 8 MiB parts (20 and 1.6 under the
// race detector: see race_test.go), through the default threshold,
// concurrency and queue.
func TestRoundTripLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	data := randBytes(20*testChunk, 100)
	src := writeFile(t, dir, "big", data)
	m := newManager(t, e.client, Config{MultipartChunkSize: 8 * testChunk / 5})
	var sum progressSum
	res, err := m.UploadFile(context.Background(), src, testBucket, "big", sum.callback())
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts != 13 || sum.total.Load() != int64(len(data)) || sum.bad.Load() {
		t.Errorf("parts %d (want 13), progress %d (want %d), overlapping calls %v", res.Parts, sum.total.Load(), len(data), sum.bad.Load())
	}
	dst := filepath.Join(dir, "big.out")
	var down progressSum
	res, err = m.DownloadFile(context.Background(), testBucket, "big", dst, down.callback())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || res.Size != int64(len(data)) || down.total.Load() != int64(len(data)) {
		t.Errorf("download: equal %v, size %d, progress %d", bytes.Equal(got, data), res.Size, down.total.Load())
	}
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
