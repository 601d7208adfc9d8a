package main

// Tests of cp through the built binary: round trips byte for byte in
// every direction, stdin and stdout, --recursive both ways and within S3,
// what an upload writes, and the failures.

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

// Small parts, so that a 12 MiB file goes in three parts and downloads in
// three ranges; copies stay below the threshold, since gofakes3 has no
// UploadPartCopy.
var smallParts = []string{"--multipart-threshold", "5MB", "--multipart-chunksize", "5MB"}

func TestCpRoundTrips(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.srv.CreateBucket(t, "bkt2")
	for i, size := range []int{0, 1, 64<<10 + 3, 12<<20 + 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := testData(size, byte(i))
			name := fmt.Sprintf("f%d.bin", size)
			c.write(name, data)

			// File to S3, under a prefix: the file's name is appended.
			r := c.ok(append([]string{"cp", name, "s3://bkt/up/"}, smallParts...)...)
			if want := fmt.Sprintf("upload: %s to s3://bkt/up/%s\n", name, name); r.stdout != want {
				t.Errorf("upload printed %q, want %q", r.stdout, want)
			}
			if got, _ := c.srv.GetObject(t, "bkt", "up/"+name); !bytes.Equal(got, data) {
				t.Fatalf("the object differs from the file (%d bytes, want %d)", len(got), len(data))
			}
			// S3 to a file in a new directory.
			r = c.ok(append([]string{"cp", "s3://bkt/up/" + name, "down/"}, smallParts...)...)
			target := filepath.Join("down", name)
			if want := fmt.Sprintf("download: s3://bkt/up/%s to %s\n", name, target); r.stdout != want {
				t.Errorf("download printed %q, want %q", r.stdout, want)
			}
			if got := c.read(target); !bytes.Equal(got, data) {
				t.Fatalf("the downloaded file differs (%d bytes, want %d)", len(got), len(data))
			}
			// Stdin to S3, S3 to stdout.
			r = c.run(data, append([]string{"cp", "-", "s3://bkt/stream/" + name}, smallParts...)...)
			if r.code != 0 || r.stdout != "upload: - to s3://bkt/stream/"+name+"\n" {
				t.Fatalf("upload from stdin:\n%s", r)
			}
			r = c.ok(append([]string{"cp", "s3://bkt/stream/" + name, "-"}, smallParts...)...)
			if !bytes.Equal([]byte(r.stdout), data) {
				t.Fatalf("stdout holds %d bytes that differ from the %d sent", len(r.stdout), len(data))
			}
			// S3 to S3, into another bucket, under the same name.
			r = c.ok("cp", "s3://bkt/up/"+name, "s3://bkt2/", "--multipart-threshold", "64MB")
			if want := fmt.Sprintf("copy: s3://bkt/up/%s to s3://bkt2/%s\n", name, name); r.stdout != want {
				t.Errorf("copy printed %q, want %q", r.stdout, want)
			}
			if got, _ := c.srv.GetObject(t, "bkt2", name); !bytes.Equal(got, data) {
				t.Fatalf("the copy differs")
			}
		})
	}
}

// TestCpWrites: what an upload or copy writes besides the bytes.
func TestCpWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reqs []*http.Request
	c := newCLI(t, s3test.WithRequestRecorder(func(r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r)
		mu.Unlock()
	}))
	last := func(method, key string) *http.Request {
		mu.Lock()
		defer mu.Unlock()
		for i := len(reqs) - 1; i >= 0; i-- {
			if reqs[i].Method == method && strings.HasSuffix(reqs[i].URL.Path, "/"+key) {
				return reqs[i]
			}
		}
		t.Fatalf("no %s of %s", method, key)
		return nil
	}
	c.srv.CreateBucket(t, "bkt")
	c.write("page.html", []byte("<p>hi</p>"))
	c.write("data.unknownext", []byte("?"))

	c.ok("cp", "page.html", "s3://bkt/page.html")
	if _, meta := c.srv.GetObject(t, "bkt", "page.html"); !strings.HasPrefix(meta["Content-Type"], "text/html") {
		t.Errorf("guessed Content-Type %q, want text/html", meta["Content-Type"])
	}
	c.ok("cp", "page.html", "s3://bkt/plain", "--content-type", "text/plain", "--metadata", "color=blue,size=L",
		"--metadata", `{"owner":"ann"}`, "--acl", "public-read", "--cache-control", "max-age=60", "--storage-class", "STANDARD_IA")
	put := last("PUT", "plain")
	for h, want := range map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Color": "blue", "X-Amz-Meta-Size": "L",
		"X-Amz-Meta-Owner": "ann", "X-Amz-Acl": "public-read", "Cache-Control": "max-age=60", "X-Amz-Storage-Class": "STANDARD_IA"} {
		if got := put.Header.Get(h); got != want {
			t.Errorf("PUT %s: %q, want %q", h, got, want)
		}
	}
	c.ok("cp", "data.unknownext", "s3://bkt/data")
	if ct := last("PUT", "data").Header.Get("Content-Type"); ct != "" {
		t.Errorf("an unknown extension sent Content-Type %q", ct)
	}
	// New metadata on a copy means replacing the source's.
	c.ok("cp", "s3://bkt/plain", "s3://bkt/copied", "--metadata", "color=red")
	cp := last("PUT", "copied")
	if cp.Header.Get("X-Amz-Metadata-Directive") != "REPLACE" || cp.Header.Get("X-Amz-Meta-Color") != "red" || cp.Header.Get("X-Amz-Copy-Source") == "" {
		t.Errorf("copy with --metadata sent %v", cp.Header)
	}
	c.ok("cp", "s3://bkt/plain", "s3://bkt/copied2", "--metadata-directive", "COPY")
	if d := last("PUT", "copied2").Header.Get("X-Amz-Metadata-Directive"); d != "COPY" {
		t.Errorf("--metadata-directive COPY sent %q", d)
	}
}

func TestCpRecursive(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.srv.CreateBucket(t, "bkt2")
	tree := map[string][]byte{
		"a.txt":            []byte("a"),
		"b.html":           []byte("<b>"),
		"sub/c.bin":        testData(100<<10, 3),
		"sub/deep/d.log":   []byte("log"),
		"skip.tmp":         []byte("tmp"),
		"sub/deep/e f.txt": []byte("space"),
	}
	for name, data := range tree {
		c.write("tree/"+name, data)
	}
	sorted := func(s string) []string {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		sort.Strings(lines)
		return lines
	}

	// Dry run first: nothing is sent.
	r := c.ok("cp", "tree", "s3://bkt/pre", "--recursive", "--exclude", "*.tmp", "--dryrun")
	if len(sorted(r.stdout)) != 5 || !strings.Contains(r.stdout, "(dryrun) upload: ") || len(c.keys("bkt")) != 0 {
		t.Fatalf("dry run:\n%s\nkeys %v", r, c.keys("bkt"))
	}
	// "s3://bkt/pre" is the folder pre/.
	r = c.ok("cp", "tree", "s3://bkt/pre", "--recursive", "--exclude", "*.tmp")
	want := []string{
		"upload: " + filepath.Join("tree", "a.txt") + " to s3://bkt/pre/a.txt",
		"upload: " + filepath.Join("tree", "b.html") + " to s3://bkt/pre/b.html",
		"upload: " + filepath.Join("tree", "sub", "c.bin") + " to s3://bkt/pre/sub/c.bin",
		"upload: " + filepath.Join("tree", "sub", "deep", "d.log") + " to s3://bkt/pre/sub/deep/d.log",
		"upload: " + filepath.Join("tree", "sub", "deep", "e f.txt") + " to s3://bkt/pre/sub/deep/e f.txt",
	}
	if got := sorted(r.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("upload printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for name, data := range tree {
		if name == "skip.tmp" {
			continue
		}
		if got, _ := c.srv.GetObject(t, "bkt", "pre/"+name); !bytes.Equal(got, data) {
			t.Errorf("pre/%s differs", name)
		}
	}
	if keys := c.keys("bkt"); len(keys) != 5 {
		t.Fatalf("uploaded %v", keys)
	}

	// Back down, leaving out the logs but for one directory.
	r = c.ok("cp", "s3://bkt/pre/", "out", "--recursive", "--exclude", "*.log", "--exclude", "sub/deep/*", "--include", "sub/deep/e*")
	if n := len(sorted(r.stdout)); n != 4 {
		t.Fatalf("download printed %d lines:\n%s", n, r)
	}
	for name, data := range tree {
		p := filepath.Join(c.dir, "out", filepath.FromSlash(name))
		got, err := os.ReadFile(p)
		switch {
		case name == "skip.tmp" || name == "sub/deep/d.log":
			if err == nil {
				t.Errorf("%s was downloaded despite the filters", name)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case !bytes.Equal(got, data):
			t.Errorf("%s differs after the round trip", name)
		}
	}

	// Within S3.
	r = c.ok("cp", "s3://bkt/pre", "s3://bkt2/copy/", "--recursive", "--exclude", "sub/*")
	if got := sorted(r.stdout); strings.Join(got, "\n") != "copy: s3://bkt/pre/a.txt to s3://bkt2/copy/a.txt\ncopy: s3://bkt/pre/b.html to s3://bkt2/copy/b.html" {
		t.Fatalf("copy printed:\n%s", r.stdout)
	}
	if got := strings.Join(c.keys("bkt2"), " "); got != "copy/a.txt copy/b.html" {
		t.Fatalf("copied %s", got)
	}
}

// TestCpRecursivePartialFailure: files that fail are reported one line
// each, the others are transferred, and the exit code is 1.
func TestCpRecursivePartialFailure(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.srv.PutObject(t, "bkt", "p/good.txt", []byte("good"), nil)
	c.srv.PutObject(t, "bkt", "p/blocked.txt", []byte("blocked"), nil)
	c.srv.PutObject(t, "bkt", "p/../escape.txt", []byte("evil"), nil)
	// A directory where a file should go.
	if err := os.MkdirAll(filepath.Join(c.dir, "out", "blocked.txt", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := c.run(nil, "cp", "s3://bkt/p/", "out", "--recursive")
	if r.code != exitFailure {
		t.Fatalf("want exit 1:\n%s", r)
	}
	if r.stdout != "download: s3://bkt/p/good.txt to "+filepath.Join("out", "good.txt")+"\n" {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	sort.Strings(lines)
	if len(lines) != 3 ||
		!strings.HasPrefix(lines[0], "download s3://bkt/p/../escape.txt to ") || !strings.Contains(lines[0], "escape the target directory") ||
		!strings.HasPrefix(lines[1], "download s3://bkt/p/blocked.txt to "+filepath.Join("out", "blocked.txt")+" failed: ") ||
		lines[2] != "s3kit: cp: 2 of 3 download(s) failed" {
		t.Errorf("stderr:\n%s", strings.Join(lines, "\n"))
	}
	if _, err := os.Stat(filepath.Join(c.dir, "escape.txt")); err == nil {
		t.Error("a key with .. was written outside the target directory")
	}
}

func TestCpStdinStdout(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	data := testData(11<<20, 9)
	r := c.run(data, "cp", "-", "s3://bkt/big", "--multipart-chunksize", "5MB", "--expected-size", "11MB", "--quiet")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("stream upload:\n%s", r)
	}
	r = c.ok("cp", "s3://bkt/big", "-", "--multipart-chunksize", "5MB", "--max-concurrency", "3")
	if !bytes.Equal([]byte(r.stdout), data) {
		t.Fatalf("stdout: %d bytes that differ from the %d uploaded", len(r.stdout), len(data))
	}
	if r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}
	// An empty stream is an empty object.
	if r := c.run([]byte{}, "cp", "-", "s3://bkt/empty"); r.code != 0 {
		t.Fatalf("empty stream:\n%s", r)
	}
	if got, _ := c.srv.GetObject(t, "bkt", "empty"); len(got) != 0 {
		t.Fatalf("empty object holds %d bytes", len(got))
	}
	c.fails(exitUsage, []string{"a stream from stdin needs a key"}, "cp", "-", "s3://bkt/dir/")
	c.fails(exitUsage, []string{"--expected-size is the size of a stream"}, "cp", "f", "s3://bkt/k", "--expected-size", "1GB")
}

func TestCpErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.write("here.txt", []byte("here"))
	c.write("dir/x", []byte("x"))
	c.srv.PutObject(t, "bkt", "obj", []byte("obj"), nil)

	c.fails(exitFailure, []string{"s3kit: cp: upload missing.txt to s3://bkt/missing.txt: stat missing.txt: no such file or directory"},
		"cp", "missing.txt", "s3://bkt/")
	c.fails(exitFailure, []string{"s3kit: cp: download s3://bkt/nokey to nokey: NotFound", "HeadObject bkt/nokey", "HTTP 404", "request ID "},
		"cp", "s3://bkt/nokey", ".")
	if _, err := os.Stat(filepath.Join(c.dir, "nokey")); err == nil {
		t.Error("a failed download left a file")
	}
	c.fails(exitFailure, []string{"upload here.txt to s3://nobucket/here.txt: NoSuchBucket", "HTTP 404", "request ID "},
		"cp", "here.txt", "s3://nobucket/")
	c.fails(exitFailure, []string{"NoSuchBucket", "ListObjectsV2 nobucket"}, "cp", "s3://nobucket/p/", "out", "--recursive")
	// --dryrun sends nothing, in every direction.
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"cp", "here.txt", "s3://bkt/d/"}, "(dryrun) upload: here.txt to s3://bkt/d/here.txt\n"},
		{[]string{"cp", "s3://bkt/obj", "sub/"}, "(dryrun) download: s3://bkt/obj to " + filepath.Join("sub", "obj") + "\n"},
		{[]string{"cp", "s3://bkt/obj", "s3://bkt/obj2"}, "(dryrun) copy: s3://bkt/obj to s3://bkt/obj2\n"},
	} {
		if r := c.ok(append(tc.args, "--dryrun")...); r.stdout != tc.out {
			t.Errorf("%v --dryrun printed %q, want %q", tc.args, r.stdout, tc.out)
		}
	}
	if keys := strings.Join(c.keys("bkt"), " "); keys != "obj" {
		t.Errorf("--dryrun changed the bucket: %s", keys)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "sub")); err == nil {
		t.Error("--dryrun created a directory")
	}
	c.fails(exitUsage, []string{"dir is a directory: add --recursive"}, "cp", "dir", "s3://bkt/")
	c.fails(exitUsage, []string{"s3://bkt/dir/ names a prefix: add --recursive"}, "cp", "s3://bkt/dir/", ".")
	c.fails(exitUsage, []string{"here.txt is not a directory"}, "cp", "here.txt", "s3://bkt/", "--recursive")

	// An endpoint nobody listens on: one line naming it, exit 1, no file.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	r := c.fails(exitFailure, []string{"s3kit: cp: download s3://bkt/obj to obj: could not connect to the endpoint URL " + dead, "connection refused", "after 2 attempts"},
		"cp", "s3://bkt/obj", ".", "--endpoint-url", dead)
	if _, err := os.Stat(filepath.Join(c.dir, "obj")); err == nil {
		t.Error("a failed download left a file")
	}
	if strings.Contains(r.stderr, "wJalr") {
		t.Error("the secret key is in the error")
	}
	c.fails(exitFailure, []string{"could not connect to the endpoint URL " + dead, "ListBuckets"}, "ls", "--endpoint-url", dead)
	c.fails(exitUsage, []string{`--endpoint-url "127.0.0.1:9000"`}, "ls", "--endpoint-url", "127.0.0.1:9000")
}
