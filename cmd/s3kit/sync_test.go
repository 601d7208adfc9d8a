package main

// Tests of sync and mv through the built binary, against the in-process
// server: each direction of sync, its size and time rules, --delete,
// --exclude, --dryrun (which sends no write), the key order of names
// with characters below "/", and mv's copy-then-delete.

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

// writeCounter counts the requests that change something on the server:
// everything but GET and HEAD.
type writeCounter struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeCounter) record(r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return
	}
	w.mu.Lock()
	w.writes = append(w.writes, r.Method+" "+r.URL.Path)
	w.mu.Unlock()
}

// take returns the writes recorded since the last call.
func (w *writeCounter) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.writes
	w.writes = nil
	return out
}

// serverClock is the server's clock, which the test advances: a
// gofakes3.TimeSource safe for the server's goroutines (gofakes3's
// FixedTimeSource is not).
type serverClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *serverClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *serverClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func (c *serverClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var _ gofakes3.TimeSource = (*serverClock)(nil)

// newSyncCLI returns a CLI whose server's clock is clock (so that tests
// set the objects' times) and whose writes are counted.
func newSyncCLI(t *testing.T) (*cli, *serverClock, *writeCounter) {
	clock := &serverClock{t: time.Now().Truncate(time.Second)}
	var wc writeCounter
	c := newCLI(t, s3test.WithTimeSource(clock), s3test.WithRequestRecorder(wc.record))
	return c, clock, &wc
}

// lines returns the lines of out, sorted (files run in parallel).
func lines(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	l := strings.Split(out, "\n")
	sort.Strings(l)
	return l
}

// setMtime sets a file's modification time.
func (c *cli) setMtime(rel string, t time.Time) {
	c.t.Helper()
	if err := os.Chtimes(filepath.Join(c.dir, filepath.FromSlash(rel)), t, t); err != nil {
		c.t.Fatal(err)
	}
}

func wantLines(t *testing.T, what string, r result, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := lines(r.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s printed:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSyncUpload(t *testing.T) {
	t.Parallel()
	c, clock, wc := newSyncCLI(t)
	now := clock.Now()
	c.srv.CreateBucket(t, "bkt")
	// "a-b" sorts before "a/x" in S3's order, though a directory walk
	// visits a/ first: the merge must not take either for missing.
	for name, data := range map[string]string{"a-b": "1", "a/x": "22", "a.txt": "q", "sub/y": "333", "skip.log": "log"} {
		c.write("src/"+name, []byte(data))
		c.setMtime("src/"+name, now.Add(-time.Hour))
	}
	up := func(rel string) string {
		return "upload: " + filepath.Join("src", filepath.FromSlash(rel)) + " to s3://bkt/p/" + rel
	}
	wc.take()
	r := c.ok("sync", "src", "s3://bkt/p", "--exclude", "*.log", "--dryrun")
	wantLines(t, "--dryrun", r, strings.Replace(up("a-b"), "upload", "(dryrun) upload", 1), strings.Replace(up("a.txt"), "upload", "(dryrun) upload", 1),
		strings.Replace(up("a/x"), "upload", "(dryrun) upload", 1), strings.Replace(up("sub/y"), "upload", "(dryrun) upload", 1),
		"(dryrun) sync: 4 file(s) to upload (7 Bytes), 0 to delete, 0 up to date")
	if w := wc.take(); len(w) != 0 {
		t.Fatalf("--dryrun sent %d write(s): %v", len(w), w)
	}

	r = c.ok("sync", "src", "s3://bkt/p", "--exclude", "*.log")
	wantLines(t, "the first sync", r, up("a-b"), up("a.txt"), up("a/x"), up("sub/y"), "sync: 4 file(s) uploaded (7 Bytes), 0 deleted, 0 up to date")
	if got := strings.Join(c.keys("bkt"), " "); got != "p/a-b p/a.txt p/a/x p/sub/y" {
		t.Fatalf("keys: %s", got)
	}
	wc.take()

	// Nothing changed: nothing is sent.
	r = c.ok("sync", "src", "s3://bkt/p", "--exclude", "*.log")
	wantLines(t, "a second sync", r, "sync: 0 file(s) uploaded (0 Bytes), 0 deleted, 4 up to date")
	if w := wc.take(); len(w) != 0 {
		t.Fatalf("an up to date sync sent %v", w)
	}

	// The rules, file by file: a new size is copied; the same size is
	// copied when the file is newer than the object (--size-only: not),
	// and not when it is older.
	for _, tc := range []struct {
		name     string
		data     string
		mtime    time.Duration // from the server's clock
		sizeOnly bool
		copied   bool
	}{
		{"size differs, file older", "4444", -time.Hour, false, true},
		{"same size, file newer", "5555", time.Hour, false, true},
		{"same size, file newer, --size-only", "6666", 2 * time.Hour, true, false},
		{"same size, file older", "7777", -time.Hour, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.write("src/sub/y", []byte(tc.data))
			c.setMtime("src/sub/y", now.Add(tc.mtime))
			args := []string{"sync", "src", "s3://bkt/p", "--exclude", "*.log"}
			if tc.sizeOnly {
				args = append(args, "--size-only")
			}
			r := c.ok(args...)
			w := wc.take()
			if tc.copied != (len(w) == 1) || tc.copied != strings.Contains(r.stdout, up("sub/y")) {
				t.Errorf("copied: want %v; sent %v\n%s", tc.copied, w, r)
			}
		})
	}

	// --delete removes what the directory lacks, but not what the filters
	// exclude.
	c.srv.PutObject(t, "bkt", "p/keep.log", []byte("x"), nil)
	if err := os.Remove(filepath.Join(c.dir, "src", "a", "x")); err != nil {
		t.Fatal(err)
	}
	r = c.ok("sync", "src", "s3://bkt/p", "--exclude", "*.log", "--delete", "--dryrun")
	wantLines(t, "--delete --dryrun", r, "(dryrun) delete: s3://bkt/p/a/x", "(dryrun) sync: 0 file(s) to upload (0 Bytes), 1 to delete, 3 up to date")
	if w := wc.take(); len(w) != 0 {
		t.Fatalf("--delete --dryrun sent %v", w)
	}
	r = c.ok("sync", "src", "s3://bkt/p", "--exclude", "*.log", "--delete")
	wantLines(t, "--delete", r, "delete: s3://bkt/p/a/x", "sync: 0 file(s) uploaded (0 Bytes), 1 deleted, 3 up to date")
	if got := strings.Join(c.keys("bkt"), " "); got != "p/a-b p/a.txt p/keep.log p/sub/y" {
		t.Fatalf("keys after --delete: %s", got)
	}
	if r := c.ok("sync", "src", "s3://bkt/p", "--quiet"); r.stdout != "" {
		t.Errorf("--quiet printed %q", r.stdout)
	}
}

func TestSyncDownload(t *testing.T) {
	t.Parallel()
	c, clock, wc := newSyncCLI(t)
	c.srv.CreateBucket(t, "bkt")
	for _, k := range []string{"p/a-b", "p/a/x", "p/sub/y", "p/dir/"} {
		c.srv.PutObject(t, "bkt", k, []byte("data of "+k), nil)
	}
	c.srv.PutObject(t, "bkt", "other/z", []byte("z"), nil)
	down := func(rel string) string {
		return "download: s3://bkt/p/" + rel + " to " + filepath.Join("out", filepath.FromSlash(rel))
	}
	r := c.ok("sync", "s3://bkt/p/", "out", "--dryrun")
	if _, err := os.Stat(filepath.Join(c.dir, "out")); err == nil {
		t.Error("--dryrun created the directory")
	}
	if n := len(lines(r.stdout)); n != 4 {
		t.Errorf("--dryrun printed %d lines:\n%s", n, r)
	}
	r = c.ok("sync", "s3://bkt/p/", "out")
	wantLines(t, "the first sync", r, down("a-b"), down("a/x"), down("sub/y"), "sync: 3 file(s) downloaded (41 Bytes), 0 deleted, 0 up to date")
	for _, rel := range []string{"a-b", "a/x", "sub/y"} {
		if got := string(c.read("out/" + rel)); got != "data of p/"+rel {
			t.Errorf("out/%s holds %q", rel, got)
		}
		// The file carries the object's time, so that the next sync
		// finds it up to date.
		fi, err := os.Stat(filepath.Join(c.dir, "out", filepath.FromSlash(rel)))
		if err != nil || !fi.ModTime().Equal(clock.Now()) {
			t.Errorf("out/%s: time %v, want the object's %v (%v)", rel, fi.ModTime(), clock.Now(), err)
		}
	}
	r = c.ok("sync", "s3://bkt/p/", "out")
	wantLines(t, "a second sync", r, "sync: 0 file(s) downloaded (0 Bytes), 0 deleted, 3 up to date")

	for _, tc := range []struct {
		name   string
		mtime  time.Duration // of the file, from the object's time
		exact  bool
		copied bool
	}{
		{"object newer", -time.Hour, false, true},
		{"file newer", time.Hour, false, false},
		{"file newer, --exact-timestamps", time.Hour, true, true},
		{"same time, --exact-timestamps", 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.setMtime("out/a-b", clock.Now().Add(tc.mtime))
			args := []string{"sync", "s3://bkt/p/", "out"}
			if tc.exact {
				args = append(args, "--exact-timestamps")
			}
			r := c.ok(args...)
			if got := strings.Contains(r.stdout, down("a-b")); got != tc.copied {
				t.Errorf("copied %v, want %v:\n%s", got, tc.copied, r)
			}
		})
	}

	// --delete removes the files the prefix lacks, but not the excluded.
	c.write("out/extra.txt", []byte("extra"))
	c.write("out/keep.tmp", []byte("keep"))
	r = c.ok("sync", "s3://bkt/p", "out", "--delete", "--exclude", "*.tmp")
	wantLines(t, "--delete", r, "delete: "+filepath.Join("out", "extra.txt"), "sync: 0 file(s) downloaded (0 Bytes), 1 deleted, 3 up to date")
	for rel, want := range map[string]bool{"extra.txt": false, "keep.tmp": true, "a-b": true} {
		if _, err := os.Stat(filepath.Join(c.dir, "out", rel)); (err == nil) != want {
			t.Errorf("out/%s exists: %v, want %v", rel, err == nil, want)
		}
	}
	if w := wc.take(); len(w) != 0 {
		t.Errorf("a download sent writes to the server: %v", w)
	}
	c.fails(exitUsage, []string{"--exact-timestamps applies from S3"}, "sync", "out", "s3://bkt/p", "--exact-timestamps")
}

func TestSyncS3ToS3(t *testing.T) {
	t.Parallel()
	c, clock, wc := newSyncCLI(t)
	c.srv.CreateBucket(t, "src")
	c.srv.CreateBucket(t, "dst")
	for i := range 25 {
		c.srv.PutObject(t, "src", fmt.Sprintf("d/%02d", i), []byte(fmt.Sprint(i)), nil)
	}
	c.srv.PutObject(t, "dst", "d/gone", []byte("gone"), nil)
	c.srv.PutObject(t, "dst", "d/00", []byte("0"), nil) // same size, same time
	wc.take()
	r := c.ok("sync", "s3://src/d", "s3://dst/d", "--delete", "--dryrun", "--page-size", "7")
	if n := len(lines(r.stdout)); n != 26 || !strings.Contains(r.stdout, "(dryrun) delete: s3://dst/d/gone\n") {
		t.Errorf("--dryrun printed %d lines:\n%s", n, r)
	}
	if w := wc.take(); len(w) != 0 {
		t.Fatalf("--dryrun sent %v", w)
	}
	r = c.ok("sync", "s3://src/d", "s3://dst/d", "--delete", "--page-size", "7")
	if !strings.HasSuffix(r.stdout, "sync: 24 file(s) copied (39 Bytes), 1 deleted, 1 up to date\n") ||
		!strings.Contains(r.stdout, "copy: s3://src/d/24 to s3://dst/d/24\n") || !strings.Contains(r.stdout, "delete: s3://dst/d/gone\n") {
		t.Errorf("sync printed:\n%s", r)
	}
	if got := len(c.keys("dst")); got != 25 {
		t.Errorf("dst holds %d keys", got)
	}
	// A newer source of the same size is copied; an older one is not.
	clock.Advance(2 * time.Second)
	c.srv.PutObject(t, "src", "d/05", []byte("X"), nil)
	r = c.ok("sync", "s3://src/d/", "s3://dst/d/")
	wantLines(t, "newer source", r, "copy: s3://src/d/05 to s3://dst/d/05", "sync: 1 file(s) copied (1 Byte), 0 deleted, 24 up to date")
	clock.Advance(2 * time.Second)
	c.srv.PutObject(t, "dst", "d/06", []byte("Y"), nil)
	r = c.ok("sync", "s3://src/d/", "s3://dst/d/")
	wantLines(t, "older source", r, "sync: 0 file(s) copied (0 Bytes), 0 deleted, 25 up to date")
	c.fails(exitUsage, []string{"overlap"}, "sync", "s3://src/d", "s3://src/d/sub")
}

func TestMv(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.srv.CreateBucket(t, "bkt2")
	c.write("one.txt", []byte("one"))

	r := c.ok("mv", "one.txt", "s3://bkt/m/")
	if r.stdout != "move: one.txt to s3://bkt/m/one.txt\n" {
		t.Errorf("mv printed %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "one.txt")); err == nil {
		t.Error("the moved file is still there")
	}
	r = c.ok("mv", "s3://bkt/m/one.txt", "s3://bkt2/one.txt")
	if r.stdout != "move: s3://bkt/m/one.txt to s3://bkt2/one.txt\n" || len(c.keys("bkt")) != 0 {
		t.Errorf("mv within S3:\n%s\nleft %v", r, c.keys("bkt"))
	}
	r = c.ok("mv", "s3://bkt2/one.txt", "back/")
	if got := string(c.read("back/one.txt")); got != "one" || len(c.keys("bkt2")) != 0 {
		t.Errorf("mv down: %q, left %v\n%s", got, c.keys("bkt2"), r)
	}
	c.fails(exitUsage, []string{"cannot be moved onto itself"}, "mv", "s3://bkt/k", "s3://bkt/k")

	// A failed copy keeps its source: the bucket does not exist.
	c.write("stay.txt", []byte("stay"))
	c.fails(exitFailure, []string{"move stay.txt to s3://nobucket/stay.txt", "NoSuchBucket"}, "mv", "stay.txt", "s3://nobucket/")
	if _, err := os.Stat(filepath.Join(c.dir, "stay.txt")); err != nil {
		t.Errorf("the source of a failed move is gone: %v", err)
	}

	// --recursive, in each direction, with the filters; dry run first.
	for _, name := range []string{"a", "b/c", "b/d.tmp"} {
		c.write("tree/"+name, []byte(name))
	}
	r = c.ok("mv", "tree", "s3://bkt/t", "--recursive", "--exclude", "*.tmp", "--dryrun")
	if len(lines(r.stdout)) != 2 || len(c.keys("bkt")) != 0 {
		t.Fatalf("--dryrun:\n%s", r)
	}
	r = c.ok("mv", "tree", "s3://bkt/t", "--recursive", "--exclude", "*.tmp")
	wantLines(t, "mv up", r, "move: "+filepath.Join("tree", "a")+" to s3://bkt/t/a", "move: "+filepath.Join("tree", "b", "c")+" to s3://bkt/t/b/c")
	if _, err := os.Stat(filepath.Join(c.dir, "tree", "b", "d.tmp")); err != nil {
		t.Errorf("an excluded file was moved: %v", err)
	}
	r = c.ok("mv", "s3://bkt/t", "s3://bkt2/u/", "--recursive")
	wantLines(t, "mv across", r, "move: s3://bkt/t/a to s3://bkt2/u/a", "move: s3://bkt/t/b/c to s3://bkt2/u/b/c")
	if len(c.keys("bkt")) != 0 || strings.Join(c.keys("bkt2"), " ") != "u/a u/b/c" {
		t.Fatalf("after mv across: %v %v", c.keys("bkt"), c.keys("bkt2"))
	}
	// A key that would leave the directory fails, and stays.
	c.srv.PutObject(t, "bkt2", "u/../evil", []byte("evil"), nil)
	r = c.run(nil, "mv", "s3://bkt2/u/", "down", "--recursive")
	if r.code != exitFailure || !strings.Contains(r.stderr, "download s3://bkt2/u/../evil to") && !strings.Contains(r.stderr, "move s3://bkt2/u/../evil to") {
		t.Fatalf("mv down with a hostile key:\n%s", r)
	}
	wantLines(t, "mv down", r, "move: s3://bkt2/u/a to "+filepath.Join("down", "a"), "move: s3://bkt2/u/b/c to "+filepath.Join("down", "b", "c"))
	if got := strings.Join(c.keys("bkt2"), " "); got != "u/../evil" {
		t.Errorf("left %s", got)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "evil")); err == nil {
		t.Error("a key with .. was written outside the directory")
	}
}

// TestWalkLocalOrder: the local walk yields paths in S3's key order (byte
// order of the slash-separated path, where "a-b" and "a.txt" come before
// "a/x"), follows links to files and directories, and stops at a link
// to a directory above it, with a warning.
func TestWalkLocalOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a-b", "a/x", "a/y/z", "a.txt", "a0", "b", "\x01ctl"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"a/up": "..", "c": "b", "d": "a/y"} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		follow bool
		want   string
	}{
		{true, "\x01ctl a-b a.txt a/x a/y/z a0 b c d/z"},
		{false, "\x01ctl a-b a.txt a/x a/y/z a0 b"},
	} {
		var got, warnings []string
		for e, err := range walkLocal(dir, tc.follow, func(w string) { warnings = append(warnings, w) }) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e.rel)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("follow %v: walked %q, want %q", tc.follow, strings.Join(got, " "), tc.want)
		}
		if !sort.StringsAreSorted(got) {
			t.Errorf("follow %v: not in byte order: %q", tc.follow, got)
		}
		if tc.follow && (len(warnings) != 1 || !strings.Contains(warnings[0], "a symbolic link to a directory above it")) {
			t.Errorf("warnings %q", warnings)
		}
	}
}
