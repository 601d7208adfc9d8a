package transfer

// Downloads against a hostile server and a hostile local user: object
// sizes no S3 object has, per-range state a HEAD answer cannot inflate,
// listings of keys outside the prefix, and directories or temporary
// files swapped for symbolic links while a download runs.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// hostileS3 is a fake S3 on loopback. HEAD answers carry headLines when
// set, written as raw header lines on the hijacked connection so that
// values net/http would not send get through; otherwise HEAD and GET
// serve objects. A listing returns listKeys. Requests are counted by
// method.
type hostileS3 struct {
	ts        *httptest.Server
	headLines string // "Name: value\r\n" lines
	objects   map[string][]byte
	listKeys  []string
	// onGet, if set, runs before a GET of an object is answered; an error
	// is sent as a 403.
	onGet func(key string, r *http.Request) error

	heads, gets, lists atomic.Int64
}

const hostileETag = `"0123456789abcdef0123456789abcdef"`

func newHostileS3(t *testing.T) *hostileS3 {
	t.Helper()
	h := &hostileS3{objects: map[string][]byte{}}
	h.ts = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.ts.Close)
	return h
}

// manager returns a Manager for the server whose client makes one
// attempt per request, with ranges of testRange bytes.
func (h *hostileS3) manager(t *testing.T, cfg Config) *Manager {
	t.Helper()
	client := newTestClient(t, h.ts.URL, nil, func(c *s3client.Config) { c.MaxAttempts = 1 })
	return smallRanges(newManager(t, client, cfg))
}

func (h *hostileS3) serve(w http.ResponseWriter, r *http.Request) {
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodHead:
		h.heads.Add(1)
		if h.headLines != "" {
			h.rawHead(w)
			return
		}
		data, ok := h.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("ETag", hostileETag)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	case r.Method == http.MethodGet && r.URL.Query().Has("list-type"):
		h.lists.Add(1)
		var res struct {
			XMLName  xml.Name `xml:"ListBucketResult"`
			Contents []struct {
				Key  string `xml:"Key"`
				Size int    `xml:"Size"`
			} `xml:"Contents"`
		}
		for _, k := range h.listKeys {
			res.Contents = append(res.Contents, struct {
				Key  string `xml:"Key"`
				Size int    `xml:"Size"`
			}{k, len(h.objects[k])})
		}
		w.Header().Set("Content-Type", "application/xml")
		xml.NewEncoder(w).Encode(&res)
	case r.Method == http.MethodGet:
		h.gets.Add(1)
		if h.onGet != nil {
			if err := h.onGet(key, r); err != nil {
				writeError(w, http.StatusForbidden, "AccessDenied")
				return
			}
		}
		data, ok := h.objects[key]
		if !ok {
			writeError(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		first, last := 0, len(data)-1
		if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
			a, b, _ := strings.Cut(spec, "-")
			first, _ = strconv.Atoi(a)
			last, _ = strconv.Atoi(b)
			last = min(last, len(data)-1)
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(data)))
		}
		w.Header().Set("ETag", hostileETag)
		w.Header().Set("Content-Length", strconv.Itoa(last-first+1))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data[first : last+1])
	default:
		writeError(w, http.StatusNotImplemented, "NotImplemented")
	}
}

// rawHead answers a HEAD with exactly headLines.
func (h *hostileS3) rawHead(w http.ResponseWriter) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nETag: %s\r\n%sConnection: close\r\n\r\n", hostileETag, h.headLines)
	buf.Flush()
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// A HEAD answer's size no S3 object can have fails every download before
// its first GET, with ErrObjectSize, and DownloadFile leaves the target
// as it was, with no temporary file or journal: 2^62 bytes with a CRC32
// was a fatal allocation, 2^63-1 a negative count of ranges (an empty
// file, or a panic with a CRC), -1 a size taken as none.
func TestHostileHeadSize(t *testing.T) {
	const crc = "x-amz-checksum-crc32: AAAAAA==\r\n"
	for _, tc := range []struct {
		name  string
		lines string
		typed bool // else net/http refuses the answer first
	}{
		{"2^62 with CRC32", "Content-Length: 4611686018427387904\r\n" + crc, true},
		{"2^50 with CRC32", "Content-Length: 1125899906842624\r\n" + crc, true},
		{"2^63-1", "Content-Length: 9223372036854775807\r\n", true},
		{"2^63-1 with CRC32", "Content-Length: 9223372036854775807\r\n" + crc, true},
		{"5 TiB and a byte", "Content-Length: 5497558138881\r\n" + crc, true},
		{"no Content-Length", crc, true},
		{"negative", "Content-Length: -5\r\n" + crc, false},
		{"beyond int64", "Content-Length: 9223372036854775808\r\n" + crc, false},
	} {
		for _, mode := range []struct {
			name   string
			resume bool
			cfg    func(Config) Config
		}{
			{"threads", false, func(c Config) Config { return c }},
			{"serial", false, noThreads},
			{"resume", true, func(c Config) Config { return c }},
		} {
			t.Run(tc.name+"/"+mode.name, func(t *testing.T) {
				h := newHostileS3(t)
				h.headLines = tc.lines
				cfg := mode.cfg(smallConfig())
				cfg.Resume, cfg.StateDir = mode.resume, t.TempDir()
				m := h.manager(t, cfg)
				dir := t.TempDir()
				const old = "precious bytes, not to be replaced"
				target := writeFile(t, dir, "target", []byte(old))
				ctx := context.Background()
				var buf bytes.Buffer
				at := make([]byte, 16)
				calls := []struct {
					name string
					call func() (*Result, error)
				}{
					{"DownloadFile", func() (*Result, error) { return m.DownloadFile(ctx, testBucket, "obj", target) }},
					{"Download", func() (*Result, error) { return m.Download(ctx, testBucket, "obj", onlyWriter{&buf}) }},
					{"DownloadAt", func() (*Result, error) { return m.DownloadAt(ctx, testBucket, "obj", &sliceWriterAt{b: at}) }},
				}
				for _, c := range calls {
					res, err := c.call()
					var te *Error
					if res != nil || !errors.As(err, &te) {
						t.Errorf("%s = %+v, %v; want a *transfer.Error", c.name, res, err)
					}
					if tc.typed && !errors.Is(err, ErrObjectSize) {
						t.Errorf("%s: %v, want ErrObjectSize", c.name, err)
					}
				}
				if n := h.gets.Load(); n != 0 {
					t.Errorf("%d GET requests", n)
				}
				if h.heads.Load() != int64(len(calls)) {
					t.Errorf("%d HEAD requests, want %d", h.heads.Load(), len(calls))
				}
				if got, err := os.ReadFile(target); err != nil || string(got) != old {
					t.Errorf("target now %q, %v", got, err)
				}
				if names := entries(t, dir); !slices.Equal(names, []string{"target"}) {
					t.Errorf("directory holds %v, want only the target", names)
				}
				if js := journals(t, cfg.StateDir); len(js) != 0 {
					t.Errorf("journals left: %v", js)
				}
				if buf.Len() != 0 || !bytes.Equal(at, make([]byte, 16)) {
					t.Errorf("bytes written: %d to the writer, %x at offsets", buf.Len(), at)
				}
			})
		}
	}
}

// sliceWriterAt is an io.WriterAt over a fixed slice.
type sliceWriterAt struct {
	mu sync.Mutex
	b  []byte
}

func (w *sliceWriterAt) WriteAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if off < 0 || off > int64(len(w.b)) || int64(len(p)) > int64(len(w.b))-off {
		return 0, errors.New("write beyond the slice")
	}
	return copy(w.b[off:], p), nil
}

// The size check is in the download itself, not only in the client's
// parsing: an API (a wrapper, a fake) may hand over any ContentLength.
func TestHeadSizeFromAPI(t *testing.T) {
	for _, size := range []int64{-1, -5, -1 << 62, multipart.MaxDownloadSize + 1, 1 << 62, 1<<63 - 1} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) {
			h := newHostileS3(t)
			client := newTestClient(t, h.ts.URL, nil, func(c *s3client.Config) { c.MaxAttempts = 1 })
			api := &fixedHead{API: client, meta: s3client.ObjectMeta{ContentLength: size, ETag: hostileETag,
				Checksums: s3client.Checksums{CRC32: "AAAAAA=="}}}
			m := newManager(t, api, smallConfig())
			dir := t.TempDir()
			target := writeFile(t, dir, "target", []byte("old"))
			_, err := m.DownloadFile(context.Background(), testBucket, "obj", target)
			if !errors.Is(err, ErrObjectSize) {
				t.Errorf("err = %v, want ErrObjectSize", err)
			}
			if got, _ := os.ReadFile(target); string(got) != "old" || h.gets.Load() != 0 {
				t.Errorf("target %q, %d GETs", got, h.gets.Load())
			}
			if names := entries(t, dir); !slices.Equal(names, []string{"target"}) {
				t.Errorf("directory holds %v", names)
			}
		})
	}
}

// fixedHead answers HeadObject with meta.
type fixedHead struct {
	API
	meta s3client.ObjectMeta
}

func (f *fixedHead) HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	m := f.meta
	return &m, nil
}

// The largest object S3 allows, with a CRC32 and tiny ranges, is 1.3
// billion ranges: the per-range state may not be sized by that count
// (two slices of it were 21 GB). The GETs are refused; what the download
// allocated on the way is bounded far below what a slice per range takes.
func TestHostileHeadMaxSizeAllocatesLittle(t *testing.T) {
	for _, threads := range []bool{true, false} {
		t.Run(fmt.Sprintf("threads=%v", threads), func(t *testing.T) {
			h := newHostileS3(t)
			h.headLines = "Content-Length: " + strconv.FormatInt(multipart.MaxDownloadSize, 10) + "\r\nx-amz-checksum-crc32: AAAAAA==\r\n"
			h.onGet = func(string, *http.Request) error { return errors.New("refused") }
			cfg := smallConfig()
			if !threads {
				cfg = noThreads(cfg)
			}
			m := h.manager(t, cfg)
			m.cfg.MultipartChunkSize, m.cfg.IOChunkSize = 4<<10, 4<<10
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := m.DownloadAt(context.Background(), testBucket, "obj", &sliceWriterAt{b: make([]byte, 16)})
			runtime.ReadMemStats(&after)
			if !s3client.IsForbidden(err) {
				t.Errorf("err = %v, want the GET's 403", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 512<<20 {
				t.Errorf("the download allocated %d MiB", n>>20)
			}
			if h.gets.Load() == 0 {
				t.Error("no GET was tried")
			}
		})
	}
}

// A listing that returns keys outside the prefix gets them refused and
// reported, never written elsewhere in the directory; the refused keys,
// and those whose name leaves the directory, report no path at all.
func TestDownloadDirectoryOutsidePrefix(t *testing.T) {
	for _, threads := range []bool{true, false} {
		t.Run(fmt.Sprintf("threads=%v", threads), func(t *testing.T) {
			h := newHostileS3(t)
			h.objects = map[string][]byte{
				"d/a.txt":             []byte("inside"),
				"d/sub/b.txt":         []byte("inside too"),
				"notprefix/elsewhere": []byte("outside the prefix"),
				"de/x":                []byte("a longer name, not under d/"),
				"d":                   []byte("the prefix without its slash"),
				"d/../escape":         []byte("under the prefix, out of the directory"),
				"../up":               []byte("neither"),
			}
			h.listKeys = []string{"d/a.txt", "notprefix/elsewhere", "de/x", "d", "d/../escape", "d/sub/b.txt", "../up"}
			cfg := smallConfig()
			if !threads {
				cfg = noThreads(cfg)
			}
			m := h.manager(t, cfg)
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			res, err := m.DownloadDirectory(context.Background(), testBucket, "d/", dir)
			var de *DirectoryError
			if !errors.As(err, &de) || de.Failed != 5 || de.Total != 7 {
				t.Fatalf("err = %v, want 5 of 7 refused", err)
			}
			for _, f := range res.Files {
				ok := f.Key == "d/a.txt" || f.Key == "d/sub/b.txt"
				if ok != (f.Err == nil) || (!ok && !errors.Is(f.Err, ErrUnsafeKey)) {
					t.Errorf("%s: err %v", f.Key, f.Err)
				}
				var te *Error
				if !ok && (f.Path != "" || !errors.As(f.Err, &te) || te.Path != "") {
					t.Errorf("%s: refused, yet reports the path %q (error path %q)", f.Key, f.Path, te.Path)
				}
				if ok && f.Path != filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(f.Key, "d/"))) {
					t.Errorf("%s: path %q", f.Key, f.Path)
				}
			}
			var found []string
			filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(parent, p)
					found = append(found, filepath.ToSlash(rel))
				}
				return nil
			})
			slices.Sort(found)
			if want := []string{"out/a.txt", "out/sub/b.txt"}; !slices.Equal(found, want) {
				t.Errorf("files %v, want %v", found, want)
			}
			if n := h.gets.Load(); n != 2 {
				t.Errorf("%d GETs, want 2 (the keys under the prefix)", n)
			}
		})
	}
}

// The directories of a download's tree are opened one at a time, each
// relative to its parent: a directory that is a symbolic link leading out
// is refused, and one swapped for such a link while its file downloads
// (between the temporary file's creation and the rename) does not carry
// the file out either.
func TestDownloadDirectorySymlinkSwap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		swap   bool // at the first GET; else the link is there before
		resume bool
		cfg    func(Config) Config
	}{
		{"link before", false, false, func(c Config) Config { return c }},
		{"swapped during the GET", true, false, func(c Config) Config { return c }},
		{"swapped during the GET/serial", true, false, noThreads},
		{"swapped during the GET/resume", true, true, func(c Config) Config { return c }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostileS3(t)
			data := randBytes(3*testRange+5, 70)
			h.objects = map[string][]byte{"d/sub/deep/f.bin": data}
			h.listKeys = []string{"d/sub/deep/f.bin"}
			dir := t.TempDir()
			outside := t.TempDir()
			if err := os.MkdirAll(filepath.Join(outside, "deep"), 0o755); err != nil {
				t.Fatal(err)
			}
			swap := func() error {
				// What a local user who can write dir does: move the
				// directory away and leave a link in its place.
				if err := os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "moved")); err != nil {
					return err
				}
				return os.Symlink(outside, filepath.Join(dir, "sub"))
			}
			if tc.swap {
				var once sync.Once
				var swapErr error
				h.onGet = func(string, *http.Request) error {
					once.Do(func() { swapErr = swap() })
					return swapErr
				}
			} else if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
				t.Fatal(err)
			}
			cfg := tc.cfg(smallConfig())
			cfg.Resume, cfg.StateDir = tc.resume, t.TempDir()
			m := h.manager(t, cfg)
			res, err := m.DownloadDirectory(context.Background(), testBucket, "d/", dir)
			if tc.swap && h.gets.Load() == 0 {
				t.Fatal("no GET: the swap never happened")
			}
			if !tc.swap && !errors.Is(err, ErrUnsafeKey) {
				t.Errorf("err = %v, want ErrUnsafeKey", err)
			}
			if len(res.Files) != 1 {
				t.Fatalf("%d files reported", len(res.Files))
			}
			f := res.Files[0]
			if f.Err != nil && f.Path != "" && !strings.HasPrefix(f.Path, dir+string(filepath.Separator)) {
				t.Errorf("reported path %q is outside %s", f.Path, dir)
			}
			// Nothing reached the outside directory.
			var outsideFiles []string
			filepath.WalkDir(outside, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					outsideFiles = append(outsideFiles, p)
				}
				return nil
			})
			if len(outsideFiles) != 0 {
				t.Errorf("files written outside the directory: %v", outsideFiles)
			}
			if tc.swap && err == nil {
				// The file went where its directory went, inside dir.
				got, rerr := os.ReadFile(filepath.Join(dir, "moved", "deep", "f.bin"))
				if rerr != nil || !bytes.Equal(got, data) {
					t.Errorf("the moved directory holds %d bytes, %v", len(got), rerr)
				}
			}
			if tc.swap && err == nil {
				if tmp := tempFiles(t, filepath.Join(dir, "moved", "deep")); len(tmp) != 0 {
					t.Errorf("temporary files left: %v", tmp)
				}
			}
		})
	}
}

// With Resume, the temporary file an interrupted download left is reused
// only if it is still a regular file: one swapped for a symbolic link to
// another file (beside it, or elsewhere) is not followed, the victim
// keeps its bytes, and the download starts over in a new temporary file.
func TestResumeTempSwappedForLink(t *testing.T) {
	for _, tc := range []struct {
		name    string
		threads bool
		inside  bool // the victim is in the target's directory
	}{
		{"victim beside", true, true},
		{"victim elsewhere", true, false},
		{"victim beside/serial", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostileS3(t)
			data := randBytes(4*testRange, 71)
			h.objects["obj"] = data
			var fail atomic.Bool
			fail.Store(true)
			h.onGet = func(_ string, r *http.Request) error {
				if fail.Load() && strings.HasPrefix(r.Header.Get("Range"), fmt.Sprintf("bytes=%d-", 2*testRange)) {
					return errors.New("refused")
				}
				return nil
			}
			cfg := smallConfig()
			cfg.Resume, cfg.StateDir, cfg.MaxConcurrency = true, t.TempDir(), 1
			if !tc.threads {
				cfg = noThreads(cfg)
			}
			m := h.manager(t, cfg)
			dir := t.TempDir()
			target := filepath.Join(dir, "target")
			if _, err := m.DownloadFile(context.Background(), testBucket, "obj", target); !s3client.IsForbidden(err) {
				t.Fatalf("first attempt: %v", err)
			}
			tmp := tempFiles(t, dir)
			if len(tmp) != 1 || len(journals(t, cfg.StateDir)) != 1 {
				t.Fatalf("after the failure: temporary files %v, journals %v", tmp, journals(t, cfg.StateDir))
			}
			const precious = "the victim's bytes"
			victimDir := t.TempDir()
			if tc.inside {
				victimDir = dir
			}
			victim := writeFile(t, victimDir, "victim", []byte(precious))
			part := filepath.Join(dir, tmp[0])
			if err := os.Remove(part); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, part); err != nil {
				t.Fatal(err)
			}
			fail.Store(false)
			res, err := m.DownloadFile(context.Background(), testBucket, "obj", target)
			if err != nil {
				t.Fatal(err)
			}
			if res.Resumed != 0 {
				t.Errorf("%d ranges resumed from the link", res.Resumed)
			}
			if got, _ := os.ReadFile(victim); string(got) != precious {
				t.Errorf("the victim now holds %d bytes", len(got))
			}
			if got, _ := os.ReadFile(target); !bytes.Equal(got, data) {
				t.Error("target differs")
			}
			// Only the planted link remains of the temporary files; it is
			// not ours to remove.
			if left := tempFiles(t, dir); !slices.Equal(left, tmp) {
				t.Errorf("temporary files %v, want only the planted %v", left, tmp)
			}
			if fi, err := os.Lstat(part); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("the planted link: %v, %v", fi, err)
			}
			if js := journals(t, cfg.StateDir); len(js) != 0 {
				t.Errorf("journals left: %v", js)
			}
		})
	}
}

// A journal that names a file beside the target which createTemp could
// not have made (the target itself, another file) is not reused.
func TestResumeTempName(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	writeFile(t, dir, "other", []byte("x"))
	f, temp, err := createTemp(root, "target")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, tc := range []struct {
		temp string
		ok   bool
	}{
		{temp, true},
		{"other", false},
		{"target", false},
		{".other.s3kit-0123.part", false},
	} {
		g := reopenTemp(root, tc.temp, "target")
		if (g != nil) != tc.ok {
			t.Errorf("reopenTemp(%q) = %v, want reused %v", tc.temp, g != nil, tc.ok)
		}
		if g != nil {
			g.Close()
		}
	}
	if !strings.HasPrefix(temp, ".target.s3kit-") || !strings.HasSuffix(temp, ".part") {
		t.Errorf("temporary name %q", temp)
	}
}
