package transfer

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

func TestUploadDirectory(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	// One file fails on the server; the others go up.
	sh.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/bad") {
			writeError(w, http.StatusForbidden, "AccessDenied")
			return true
		}
		return false
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"a.txt":       []byte("a"),
		"b/c.txt":     []byte("cc"),
		"b/d/e.bin":   randBytes(testChunk+1, 40), // in parts
		"skip.tmp":    []byte("filtered out"),
		"b/bad":       []byte("refused by the server"),
		"b/empty.txt": nil,
	}
	for name, data := range files {
		writeFile(t, dir, name, data)
	}
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	m := newManager(t, newTestClient(t, sh.URL(), nil), smallConfig())
	var sum progressSum
	res, err := m.UploadDirectory(context.Background(), dir, testBucket, "p/",
		Filter(func(name string) bool { return !strings.HasSuffix(name, ".tmp") }), sum.callback())
	var de *DirectoryError
	if !errors.As(err, &de) || de.Failed != 1 || de.Total != 5 {
		t.Fatalf("err = %v, want a *DirectoryError with 1 of 5 failed", err)
	}
	var keys []string
	for _, f := range res.Files {
		keys = append(keys, f.Key)
		if (f.Key == "p/b/bad") != (f.Err != nil) {
			t.Errorf("%s: err %v", f.Key, f.Err)
		}
		if f.Err == nil && f.Result.Size != int64(len(files[strings.TrimPrefix(f.Key, "p/")])) {
			t.Errorf("%s: size %d", f.Key, f.Result.Size)
		}
	}
	slices.Sort(keys)
	if want := []string{"p/a.txt", "p/b/bad", "p/b/c.txt", "p/b/d/e.bin", "p/b/empty.txt"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for _, k := range []string{"a.txt", "b/c.txt", "b/d/e.bin", "b/empty.txt"} {
		if got := e.objectData(t, "p/"+k); string(got) != string(files[k]) {
			t.Errorf("%s: %d bytes stored", k, len(got))
		}
	}
	wantBytes := int64(1 + 2 + testChunk + 1)
	if res.Failed != 1 || res.Bytes != wantBytes || sum.total.Load() < wantBytes || sum.bad.Load() {
		t.Errorf("failed %d, bytes %d, progress %d (want 1, %d)", res.Failed, res.Bytes, sum.total.Load(), wantBytes)
	}
	if !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("error does not say why: %v", err)
	}
}

func TestDownloadDirectory(t *testing.T) {
	e := newEnv(t)
	objects := map[string][]byte{
		"d/a.txt":          []byte("a"),
		"d/x/y.bin":        randBytes(testChunk+2, 41),
		"d/folder/":        nil, // a folder marker
		"d/../escape":      []byte("must not leave the directory"),
		"d/x/../../escape": []byte("nor this way"),
		"d//etc/abs":       []byte("nor absolutely"),
		"d/skip.tmp":       []byte("filtered"),
		"other/z":          []byte("another prefix"),
	}
	for k, v := range objects {
		e.srv.PutObject(t, testBucket, k, v, nil)
	}
	for _, threads := range []bool{true, false} {
		cfg := smallConfig()
		if !threads {
			cfg = noThreads(cfg)
		}
		m := newManager(t, e.client, cfg)
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		res, err := m.DownloadDirectory(context.Background(), testBucket, "d/", dir,
			Filter(func(name string) bool { return !strings.HasSuffix(name, ".tmp") }))
		var de *DirectoryError
		if !errors.As(err, &de) || de.Failed != 3 {
			t.Fatalf("threads=%v: err = %v, want 3 refused keys", threads, err)
		}
		if !errors.Is(err, ErrUnsafeKey) {
			t.Errorf("error does not wrap ErrUnsafeKey: %v", err)
		}
		for _, f := range res.Files {
			unsafe := strings.Contains(f.Key, "..") || strings.Contains(f.Key, "//")
			if unsafe != errors.Is(f.Err, ErrUnsafeKey) {
				t.Errorf("%s: err %v", f.Key, f.Err)
			}
		}
		for k, want := range map[string]string{"a.txt": "a", "x/y.bin": string(objects["d/x/y.bin"])} {
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(k)))
			if err != nil || string(got) != want {
				t.Errorf("%s: %d bytes, %v", k, len(got), err)
			}
		}
		// Nothing outside the directory, no folder marker file, no
		// filtered file, no temporary file.
		var found []string
		filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(parent, p)
				found = append(found, filepath.ToSlash(rel))
			}
			return nil
		})
		slices.Sort(found)
		if want := []string{"out/a.txt", "out/x/y.bin"}; !slices.Equal(found, want) {
			t.Errorf("threads=%v: files %v, want %v", threads, found, want)
		}
	}
}

// DownloadFileIn writes within a held directory: the directories on the
// way are created, a name that leaves the directory or goes through a
// symbolic link is refused before any request, and nothing lands outside.
func TestDownloadFileIn(t *testing.T) {
	e := newEnv(t)
	data := randBytes(2*testRange+5, 61)
	e.srv.PutObject(t, testBucket, "obj", data, nil)
	api := newCounting(e.client)
	m := smallRanges(newManager(t, api, smallConfig()))
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	ctx := context.Background()

	res, err := m.DownloadFileIn(ctx, testBucket, "obj", root, "a/b/f.bin")
	if err != nil || res.Size != int64(len(data)) {
		t.Fatalf("DownloadFileIn = %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a", "b", "f.bin")); !bytes.Equal(got, data) {
		t.Errorf("the file holds %d bytes, want the object's %d", len(got), len(data))
	}
	before := api.count("HeadObject") + api.count("GetObject")
	for _, rel := range []string{"../escape", "/abs", "a/../../escape", "link/f", "", "a/b/../../../x"} {
		_, err := m.DownloadFileIn(ctx, testBucket, "obj", root, rel)
		if !errors.Is(err, ErrUnsafeKey) {
			t.Errorf("%q: error %v, want ErrUnsafeKey", rel, err)
		}
	}
	if n := api.count("HeadObject") + api.count("GetObject") - before; n != 0 {
		t.Errorf("%d requests sent for refused names", n)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside the directory: %v", entries)
	}
	if _, err := m.DownloadFileIn(ctx, testBucket, "obj", nil, "f"); !errors.Is(err, s3client.ErrInvalidInput) {
		t.Errorf("nil root: %v", err)
	}
}
