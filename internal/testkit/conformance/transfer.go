package conformance

// The transfer manager end to end: files and streams up, files and memory
// down, copies that keep or replace metadata, directory round trips, and
// transfers resumed after a failure, each checked byte for byte. Parts
// are the smallest the engine allows (minPart: S3's 5 MiB) and objects at
// most three of them, so that the multipart paths run without making the
// suite slow.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func init() {
	register("TransferUploadFile", testTransferUploadFile)
	register("TransferUploadStream", testTransferUploadStream)
	register("TransferDownloadFile", testTransferDownloadFile)
	register("TransferDownloadMemory", testTransferDownloadMemory)
	register("TransferCopy", testTransferCopy)
	register("TransferDirectory", testTransferDirectory)
	register("TransferResume", testTransferResume)
}

// transferClient is the client the transfer cases give the Manager: the
// target's client, with the part uploads and ranged reads counted, and a
// fault when a case sets one.
type transferClient struct {
	*s3client.Client

	mu    sync.Mutex
	parts []int // part numbers of the UploadPart calls made
	gets  int   // GetObject calls

	// beforePart, if set, runs before UploadPart; an error fails the part
	// without a request.
	beforePart func(num int) error
	// cutGet, if set, says after how many bytes the body of a GetObject
	// breaks off (negative: it does not).
	cutGet func(in *s3client.GetObjectInput) int64
}

func (c *transferClient) UploadPart(ctx context.Context, in *s3client.UploadPartInput) (*s3client.UploadPartOutput, error) {
	c.mu.Lock()
	c.parts = append(c.parts, in.PartNumber)
	before := c.beforePart
	c.mu.Unlock()
	if before != nil {
		if err := before(in.PartNumber); err != nil {
			return nil, err
		}
	}
	return c.Client.UploadPart(ctx, in)
}

func (c *transferClient) GetObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.GetObjectOutput, error) {
	c.mu.Lock()
	c.gets++
	cut := c.cutGet
	c.mu.Unlock()
	out, err := c.Client.GetObject(ctx, in)
	if err != nil || cut == nil {
		return out, err
	}
	if n := cut(in); n >= 0 {
		out.Body = &brokenBody{ReadCloser: out.Body, left: n}
	}
	return out, nil
}

// reset forgets the counts and the faults.
func (c *transferClient) reset() (parts []int, gets int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	parts, gets = c.parts, c.gets
	c.parts, c.gets, c.beforePart, c.cutGet = nil, 0, nil, nil
	return parts, gets
}

// brokenBody is a response body that breaks off after left bytes, as a
// dropped connection does.
type brokenBody struct {
	io.ReadCloser
	left int64
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// manager returns a Manager with minPart() parts and threshold over a counting
// client of the target; mod adjusts its Config.
func (e *env) manager(t *testing.T, mod func(*transfer.Config)) (*transfer.Manager, *transferClient) {
	t.Helper()
	tc := &transferClient{Client: e.client(nil)}
	cfg := transfer.Config{MultipartThreshold: int64(minPart()), MultipartChunkSize: int64(minPart()), MaxConcurrency: 3, StateDir: t.TempDir()}
	if mod != nil {
		mod(&cfg)
	}
	m, err := transfer.New(tc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, tc
}

func serial(c *transfer.Config) {
	c.NoThreads = true
}

// threadModes are the two ways a Manager runs a transfer: on workers, and
// on the caller's goroutine alone (NoThreads).
var threadModes = []struct {
	name string
	mod  func(*transfer.Config)
}{
	{"threads", nil},
	{"serial", serial},
}

func writeTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// onlyEntries fails unless dir holds exactly the names want (no temporary
// file left beside them).
func onlyEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

// noUploadsUnder fails t if a multipart upload of a key under prefix is
// in progress. gofakes3 answers NoSuchUpload for a bucket that never had
// an upload, which means none is left.
func (e *env) noUploadsUnder(t *testing.T, c *s3client.Client, prefix string) {
	t.Helper()
	for u, err := range c.AllMultipartUploads(e.ctx, &s3client.ListMultipartUploadsInput{Bucket: e.bucket, Prefix: prefix}) {
		if s3client.ErrorCode(err) == "NoSuchUpload" {
			return
		}
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		t.Errorf("multipart upload %s of %q left behind", u.UploadID, u.Key)
	}
}

func (e *env) headOf(t *testing.T, c *s3client.Client, key string) *s3client.ObjectMeta {
	t.Helper()
	head, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
	if err != nil {
		t.Fatalf("HeadObject %q: %v", key, err)
	}
	return head
}

func testTransferUploadFile(e *env) {
	for _, mode := range threadModes {
		for _, size := range []struct {
			name  string
			n     int
			parts int
		}{
			{"single", minPart()/4 + 123, 0},
			{"multipart", 2*minPart() + 12345, 3},
		} {
			if mode.mod != nil && size.parts == 0 {
				continue // one PutObject, with or without threads
			}
			e.t.Run(mode.name+"/"+size.name, func(t *testing.T) {
				m, tc := e.manager(t, mode.mod)
				body := pattern(size.n)
				src := writeTestFile(t, t.TempDir(), "src", body)
				key := "transfer/upload-file/" + mode.name + "/" + size.name + " ü"
				args := transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{ContentType: "application/x-transfer", CacheControl: "max-age=17",
					Metadata: map[string]string{"origin": "upload-file", "mode": mode.name}}}
				res, err := m.UploadFile(e.ctx, src, e.bucket, key, args)
				if err != nil {
					t.Fatalf("UploadFile: %v", err)
				}
				if res.Parts != size.parts || (size.parts > 0) != (res.UploadID != "") || res.Size != int64(size.n) {
					t.Errorf("result: %d parts, upload %q, %d bytes; want %d parts, %d bytes", res.Parts, res.UploadID, res.Size, size.parts, size.n)
				}
				if parts, _ := tc.reset(); len(parts) != size.parts {
					t.Errorf("%d UploadPart calls, want %d", len(parts), size.parts)
				}
				if got := getBytes(t, tc.Client, e.bucket, key); !bytes.Equal(got, body) {
					t.Fatalf("object differs (%d bytes, want %d)", len(got), len(body))
				}
				head := e.headOf(t, tc.Client, key)
				if head.ContentType != args.ContentType || head.Metadata["origin"] != "upload-file" || head.Metadata["mode"] != mode.name ||
					(e.tg.Caps.StoresCacheControl && head.CacheControl != args.CacheControl) {
					t.Errorf("extra args lost: %q %q %v", head.ContentType, head.CacheControl, head.Metadata)
				}
				if head.ETag != res.ETag && !(size.parts > 0 && !e.tg.Caps.MultipartETags) {
					t.Errorf("ETag %s, the upload reported %s", head.ETag, res.ETag)
				}
				e.noUploadsUnder(t, tc.Client, key)
			})
		}
	}
}

func testTransferUploadStream(e *env) {
	for _, size := range []struct {
		name  string
		n     int
		parts int
	}{
		{"within a part", 100_000, 0},
		{"multipart", 2*minPart() + 999, 3},
	} {
		e.t.Run(size.name, func(t *testing.T) {
			m, tc := e.manager(t, nil)
			body := pattern(size.n)
			pr, pw := io.Pipe()
			go func() {
				for off := 0; off < len(body); off += 70_000 {
					if _, err := pw.Write(body[off:min(off+70_000, len(body))]); err != nil {
						return
					}
				}
				pw.Close()
			}()
			key := "transfer/stream/" + size.name
			res, err := m.Upload(e.ctx, pr, e.bucket, key, transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{ContentType: "text/x-stream", Metadata: map[string]string{"origin": "stream"}}})
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			if res.Parts != size.parts || res.Size != int64(size.n) {
				t.Errorf("result: %d parts, %d bytes; want %d, %d", res.Parts, res.Size, size.parts, size.n)
			}
			if got := getBytes(t, tc.Client, e.bucket, key); !bytes.Equal(got, body) {
				t.Fatalf("object differs (%d bytes, want %d)", len(got), len(body))
			}
			if head := e.headOf(t, tc.Client, key); head.ContentType != "text/x-stream" || head.Metadata["origin"] != "stream" {
				t.Errorf("extra args lost: %q %v", head.ContentType, head.Metadata)
			}
			e.noUploadsUnder(t, tc.Client, key)
		})
	}
	e.t.Run("NewWriter", func(t *testing.T) {
		m, tc := e.manager(t, nil)
		body := pattern(minPart() + minPart()/2)
		key := "transfer/stream/writer"
		w, err := m.NewWriter(e.ctx, e.bucket, key)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(body); off += 1 << 20 {
			if _, err := w.Write(body[off:min(off+1<<20, len(body))]); err != nil {
				t.Fatalf("Write: %v", err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if res := w.Result(); res == nil || res.Parts != 2 {
			t.Errorf("result %+v, want 2 parts", res)
		}
		if got := getBytes(t, tc.Client, e.bucket, key); !bytes.Equal(got, body) {
			t.Fatalf("object differs (%d bytes, want %d)", len(got), len(body))
		}
	})
}

func testTransferDownloadFile(e *env) {
	c := e.client(nil)
	body := pattern(2*minPart() + 777)
	key := "transfer/download/object"
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
		e.t.Fatal(err)
	}
	for _, mode := range threadModes {
		e.t.Run(mode.name, func(t *testing.T) {
			m, tc := e.manager(t, mode.mod)
			dir := t.TempDir()
			target := writeTestFile(t, dir, "target", []byte("the old content"))
			res, err := m.DownloadFile(e.ctx, e.bucket, key, target)
			if err != nil {
				t.Fatalf("DownloadFile: %v", err)
			}
			if _, gets := tc.reset(); res.Parts != 3 || gets != 3 || res.Size != int64(len(body)) {
				t.Errorf("%d ranges in %d GETs, %d bytes; want 3 ranges, %d bytes", res.Parts, gets, res.Size, len(body))
			}
			if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, body) {
				t.Fatalf("file differs (%d bytes, want %d): %v", len(got), len(body), err)
			}
			onlyEntries(t, dir, "target")
		})
	}
	e.t.Run("missing key", func(t *testing.T) {
		m, tc := e.manager(t, nil)
		dir := t.TempDir()
		target := writeTestFile(t, dir, "target", []byte("kept"))
		if _, err := m.DownloadFile(e.ctx, e.bucket, "transfer/download/missing", target); !s3client.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
		if _, gets := tc.reset(); gets != 0 {
			t.Errorf("%d GETs of a missing object", gets)
		}
		if got, _ := os.ReadFile(target); string(got) != "kept" {
			t.Errorf("target changed to %q", got)
		}
		onlyEntries(t, dir, "target")
	})
}

// memWriterAt is a preallocated buffer written at offsets.
type memWriterAt []byte

func (m memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m)) {
		return 0, fmt.Errorf("write of %d bytes at %d outside %d", len(p), off, len(m))
	}
	return copy(m[off:], p), nil
}

func testTransferDownloadMemory(e *env) {
	c := e.client(nil)
	body := pattern(minPart() + 4321)
	key := "transfer/download/memory"
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
		e.t.Fatal(err)
	}
	e.t.Run("Download", func(t *testing.T) {
		m, _ := e.manager(t, nil)
		// A plain writer: the ranges, fetched at once, pass through the
		// reorder queue and are written in order.
		var buf bytes.Buffer
		res, err := m.Download(e.ctx, e.bucket, key, &buf)
		if err != nil {
			t.Fatalf("Download: %v", err)
		}
		if res.Parts != 2 || !bytes.Equal(buf.Bytes(), body) {
			t.Fatalf("%d ranges, %d bytes; want 2 ranges and the object's %d bytes", res.Parts, buf.Len(), len(body))
		}
	})
	e.t.Run("DownloadAt", func(t *testing.T) {
		m, _ := e.manager(t, nil)
		buf := make(memWriterAt, len(body))
		if _, err := m.DownloadAt(e.ctx, e.bucket, key, buf); err != nil {
			t.Fatalf("DownloadAt: %v", err)
		}
		if !bytes.Equal(buf, body) {
			t.Fatal("buffer differs")
		}
	})
}

func testTransferCopy(e *env) {
	c := e.client(nil)
	origin := s3client.ObjectProperties{ContentType: "image/x-origin", ContentLanguage: "fr", Metadata: map[string]string{"origin": "copy-source"}}
	for _, size := range []struct {
		name  string
		n     int
		parts int
	}{
		{"single", 100_000, 0},
		{"multipart", minPart() + 777, 2},
	} {
		src := "transfer/copy/src-" + size.name
		body := pattern(size.n)
		if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: src, Body: bytes.NewReader(body), ObjectProperties: origin}); err != nil {
			e.t.Fatal(err)
		}
		for _, mode := range threadModes {
			for _, replace := range []bool{false, true} {
				directive := "COPY"
				if replace {
					directive = "REPLACE"
				}
				e.t.Run(size.name+"/"+mode.name+"/"+directive, func(t *testing.T) {
					if size.parts > 0 && !e.tg.Caps.UploadPartCopy {
						t.Skipf("%s: server lacks UploadPartCopy", e.tg.Name)
					}
					m, tc := e.manager(t, mode.mod)
					dst := "transfer/copy/dst-" + size.name + "-" + mode.name + "-" + directive
					var opts []transfer.CopyOption
					if replace {
						opts = append(opts, transfer.CopyArgs{MetadataDirective: "REPLACE", ObjectProperties: s3client.ObjectProperties{ContentType: "text/x-replaced",
							Metadata: map[string]string{"replaced": "yes"}}})
					}
					res, err := m.Copy(e.ctx, transfer.CopySource{Bucket: e.bucket, Key: src}, e.bucket, dst, opts...)
					if err != nil {
						t.Fatalf("Copy: %v", err)
					}
					if res.Parts != size.parts || res.Size != int64(size.n) {
						t.Errorf("copied %d bytes in %d parts, want %d in %d", res.Size, res.Parts, size.n, size.parts)
					}
					if got := getBytes(t, tc.Client, e.bucket, dst); !bytes.Equal(got, body) {
						t.Fatalf("copy differs (%d bytes, want %d)", len(got), len(body))
					}
					head := e.headOf(t, tc.Client, dst)
					if replace {
						if head.ContentType != "text/x-replaced" || head.Metadata["replaced"] != "yes" || (head.Metadata["origin"] != "" && e.tg.Caps.ReplacesMetadata) {
							t.Errorf("REPLACE: %q %v, want only the new metadata", head.ContentType, head.Metadata)
						}
					} else if head.ContentType != origin.ContentType || head.Metadata["origin"] != "copy-source" ||
						(e.tg.Caps.StoresCacheControl && head.ContentLanguage != origin.ContentLanguage) {
						t.Errorf("COPY lost the metadata: %q %q %v", head.ContentType, head.ContentLanguage, head.Metadata)
					}
					e.noUploadsUnder(t, tc.Client, dst)
				})
			}
		}
	}
}

func testTransferDirectory(e *env) {
	files := map[string][]byte{
		"a.txt":            []byte("the first file\n"),
		"empty":            {},
		"unicode ü-日本.txt": pattern(3000),
		"sub/b.bin":        pattern(100_000),
		"sub/deep/c.bin":   pattern(minPart() + 10), // sent in parts, fetched in ranges
	}
	for _, mode := range threadModes {
		e.t.Run(mode.name, func(t *testing.T) {
			m, tc := e.manager(t, mode.mod)
			src := t.TempDir()
			for name, data := range files {
				writeTestFile(t, src, name, data)
			}
			prefix := "transfer/dir-" + mode.name + "/"
			up, err := m.UploadDirectory(e.ctx, src, e.bucket, prefix, transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"origin": "dir"}}})
			if err != nil {
				t.Fatalf("UploadDirectory: %v", err)
			}
			if len(up.Files) != len(files) || up.Failed != 0 {
				t.Fatalf("uploaded %d files, %d failed; want %d, 0", len(up.Files), up.Failed, len(files))
			}
			for name, data := range files {
				if got := getBytes(t, tc.Client, e.bucket, prefix+name); !bytes.Equal(got, data) {
					t.Errorf("object %q differs", prefix+name)
				}
			}
			if head := e.headOf(t, tc.Client, prefix+"sub/deep/c.bin"); head.Metadata["origin"] != "dir" {
				t.Errorf("extra args lost: %v", head.Metadata)
			}
			dst := t.TempDir()
			down, err := m.DownloadDirectory(e.ctx, e.bucket, prefix, dst)
			if err != nil {
				t.Fatalf("DownloadDirectory: %v", err)
			}
			if len(down.Files) != len(files) || down.Failed != 0 || down.Bytes != up.Bytes {
				t.Fatalf("downloaded %d files (%d bytes), %d failed; want %d (%d bytes), 0", len(down.Files), down.Bytes, down.Failed, len(files), up.Bytes)
			}
			seen := 0
			err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dst, p)
				want, ok := files[filepath.ToSlash(rel)]
				if !ok {
					t.Errorf("unexpected file %q (a temporary file left?)", rel)
					return nil
				}
				seen++
				if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, want) {
					t.Errorf("file %q differs: %v", rel, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != len(files) {
				t.Errorf("%d files downloaded, want %d", seen, len(files))
			}
		})
	}
}

func testTransferResume(e *env) {
	errPart := errors.New("conformance: part refused")
	for _, how := range []string{"cancelled", "failed part"} {
		e.t.Run("upload/"+how, func(t *testing.T) {
			// One worker: part 1 is done when part 2, the last, fails.
			m, tc := e.manager(t, func(c *transfer.Config) { c.Resume, c.MaxConcurrency = true, 1 })
			stateDir := m.Config().StateDir
			body := pattern(minPart() + 1000)
			src := writeTestFile(t, t.TempDir(), "src", body)
			key := "transfer/resume/upload-" + strings.ReplaceAll(how, " ", "-")
			ctx, cancel := context.WithCancel(e.ctx)
			defer cancel()
			tc.beforePart = func(num int) error {
				if num < 2 {
					return nil
				}
				if how == "cancelled" {
					cancel()
					return nil // the request goes with a cancelled context
				}
				return errPart
			}
			_, err := m.UploadFile(ctx, src, e.bucket, key, transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"origin": "resume"}}})
			if how == "cancelled" && !errors.Is(err, context.Canceled) || how != "cancelled" && !errors.Is(err, errPart) {
				t.Fatalf("first run: %v", err)
			}
			tc.reset()
			if ents, _ := os.ReadDir(stateDir); len(ents) != 1 {
				t.Fatalf("%d journals after the failure, want 1", len(ents))
			}
			res, err := m.UploadFile(e.ctx, src, e.bucket, key, transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"origin": "resume"}}})
			if err != nil {
				t.Fatalf("resumed run: %v", err)
			}
			parts, _ := tc.reset()
			if res.Resumed != 1 || res.Parts != 2 || fmt.Sprint(parts) != "[2]" {
				t.Errorf("%d parts, %d resumed, parts %v sent; want 2, part 1 kept and [2] sent", res.Parts, res.Resumed, parts)
			}
			if got := getBytes(t, tc.Client, e.bucket, key); !bytes.Equal(got, body) {
				t.Fatalf("resumed object differs (%d bytes, want %d)", len(got), len(body))
			}
			if head := e.headOf(t, tc.Client, key); head.Metadata["origin"] != "resume" {
				t.Errorf("metadata lost: %v", head.Metadata)
			}
			if ents, _ := os.ReadDir(stateDir); len(ents) != 0 {
				t.Errorf("%d journals left after success", len(ents))
			}
			e.noUploadsUnder(t, tc.Client, key)
		})
	}
	e.t.Run("download", func(t *testing.T) {
		c := e.client(nil)
		body := pattern(2*minPart() + 555)
		key := "transfer/resume/download"
		if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		m, tc := e.manager(t, func(c *transfer.Config) { c.Resume, c.MaxConcurrency, c.NumDownloadAttempts = true, 1, 1 })
		second := fmt.Sprintf("bytes=%d-", minPart())
		tc.cutGet = func(in *s3client.GetObjectInput) int64 {
			if strings.HasPrefix(in.Range, second) {
				return 1000
			}
			return -1
		}
		dir := t.TempDir()
		target := filepath.Join(dir, "out")
		if _, err := m.DownloadFile(e.ctx, e.bucket, key, target); !errors.Is(err, transfer.ErrShortBody) {
			t.Fatalf("first run: %v, want ErrShortBody", err)
		}
		tc.reset()
		if ents, _ := os.ReadDir(dir); len(ents) != 1 || !strings.Contains(ents[0].Name(), ".s3kit-") {
			t.Fatalf("after the failure %s holds %v, want the temporary file alone", dir, ents)
		}
		res, err := m.DownloadFile(e.ctx, e.bucket, key, target)
		if err != nil {
			t.Fatalf("resumed run: %v", err)
		}
		if _, gets := tc.reset(); res.Resumed != 1 || gets != 2 {
			t.Errorf("resumed %d ranges in %d GETs, want 1 kept and 2 fetched", res.Resumed, gets)
		}
		if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("file differs (%d bytes, want %d): %v", len(got), len(body), err)
		}
		onlyEntries(t, dir, "out")
		if ents, _ := os.ReadDir(m.Config().StateDir); len(ents) != 0 {
			t.Errorf("%d journals left after success", len(ents))
		}
	})
}
