package main

// Tests of the commands, through the built binary: usage and exit codes,
// ls, mb, rb, rm, presign and presign-post. cp is in cp_test.go; serve,
// demo and the progress bar in serve_test.go.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/presignpost"
)

func TestUsageAndExitCodes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tc := range []struct {
		args     []string
		code     int
		stdout   string // a substring of stdout
		stderr   string // a substring of stderr
		anyLines bool   // the usage text may take many lines
	}{
		{args: nil, code: exitUsage, stderr: "usage: s3kit <command>", anyLines: true},
		{args: []string{"help"}, code: exitOK, stdout: "presign-post", anyLines: true},
		{args: []string{"--help"}, code: exitOK, stdout: "Exit codes: 0 success, 1 an operation failed, 2 bad usage", anyLines: true},
		{args: []string{"help", "cp"}, code: exitOK, stdout: "--multipart-chunksize size", anyLines: true},
		{args: []string{"cp", "--help"}, code: exitOK, stdout: "--recursive", anyLines: true},
		{args: []string{"rm", "-h"}, code: exitOK, stdout: "--dryrun", anyLines: true},
		{args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{args: []string{"version"}, code: exitOK, stdout: "s3kit 0."},
		{args: []string{"bogus"}, code: exitUsage, stderr: `s3kit: unknown command "bogus"`},
		{args: []string{"ls", "--bogus"}, code: exitUsage, stderr: "unknown option --bogus"},
		{args: []string{"ls", "--region"}, code: exitUsage, stderr: "option needs a value: --region"},
		{args: []string{"cp", "a"}, code: exitUsage, stderr: "cp takes 2 argument(s), got 1"},
		{args: []string{"cp", "a", "b"}, code: exitUsage, stderr: `one of "a" and "b" must be an S3 URI`},
		{args: []string{"cp", "-", "-"}, code: exitUsage, stderr: "must be an S3 URI"},
		{args: []string{"cp", "-", "s3://bkt/k", "--recursive"}, code: exitUsage, stderr: "cannot read stdin"},
		{args: []string{"cp", "s3://", "x"}, code: exitUsage, stderr: `"s3://" names no bucket`},
		{args: []string{"cp", "a", "s3://bkt/", "--exclude", "*.log"}, code: exitUsage, stderr: "add --recursive"},
		{args: []string{"cp", "a", "s3://bkt/", "--multipart-chunksize", "1MB"}, code: exitUsage, stderr: "outside S3's part sizes"},
		{args: []string{"cp", "a", "s3://bkt/", "--multipart-threshold", "lots"}, code: exitUsage, stderr: `invalid value "lots" for option --multipart-threshold`},
		{args: []string{"cp", "a", "s3://bkt/", "--metadata-directive", "REPLACE"}, code: exitUsage, stderr: "applies to S3 to S3 copies"},
		{args: []string{"cp", "a", "s3://bkt/", "--exclude", "[ab"}, code: exitUsage, stderr: "unterminated ["},
		{args: []string{"ls", "s3://a", "s3://bkt"}, code: exitUsage, stderr: "at most 1 argument(s)"},
		{args: []string{"ls", "/tmp"}, code: exitUsage, stderr: "is not an S3 URI"},
		{args: []string{"ls", "--recursive"}, code: exitUsage, stderr: "name a bucket"},
		{args: []string{"ls", "--addressing-style", "sideways"}, code: exitUsage, stderr: "want auto, virtual or path"},
		{args: []string{"ls", "--endpoint-url", "not a url"}, code: exitUsage, stderr: "--endpoint-url"},
		{args: []string{"ls", "--endpoint-url", "ftp://example.com"}, code: exitUsage, stderr: "want an absolute http:// or https:// URL"},
		{args: []string{"mb", "s3://bkt/key"}, code: exitUsage, stderr: "a bucket URI has no key"},
		{args: []string{"mb", "s3://Not_A_Bucket"}, code: exitUsage, stderr: "invalid bucket name"},
		{args: []string{"rm", "s3://bkt"}, code: exitUsage, stderr: "add --recursive"},
		{args: []string{"presign", "s3://bkt/k", "--method", "PATCH"}, code: exitUsage, stderr: "want GET, PUT, HEAD or DELETE"},
		{args: []string{"presign", "s3://bkt/k", "--expires-in", "0"}, code: exitUsage, stderr: "outside 1 second to 7 days"},
		{args: []string{"presign", "s3://bkt/k", "--expires-in", "8d"}, code: exitUsage, stderr: "neither seconds nor a duration"},
		{args: []string{"presign", "s3://bkt/k", "--expires-in", "200h"}, code: exitUsage, stderr: "from 1 second to 7 days"},
		{args: []string{"presign", "s3://bkt"}, code: exitUsage, stderr: "names no object"},
		{args: []string{"presign-post", "s3://bkt/k", "--condition", "{"}, code: exitUsage, stderr: "is not a condition"},
		{args: []string{"presign-post", "s3://bkt/k", "--field", "policy=x"}, code: exitUsage, stderr: "reserved field"},
		{args: []string{"presign-post", "s3://bkt/k", "--content-length-range", "10,1"}, code: exitUsage, stderr: "min <= max"},
		{args: []string{"serve", "extra"}, code: exitUsage, stderr: "at most 0 argument(s)"},
		{args: []string{"demo", "--quiet", "--force-progress"}, code: exitUsage, stderr: "contradict"},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			r := c.run(nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("want exit %d, stdout with %q, stderr with %q; got:\n%s", tc.code, tc.stdout, tc.stderr, r)
			}
			if tc.code == exitUsage && !tc.anyLines {
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "usage: s3kit ")) {
					t.Errorf("want one error line and at most a usage line, got:\n%s", r.stderr)
				}
			}
			if tc.code == exitUsage && r.stdout != "" {
				t.Errorf("a usage error printed on stdout:\n%s", r)
			}
		})
	}
}

// TestOptionsAnywhere: options may come before, between or after the
// arguments, as with the AWS CLI, and "--" ends them.
func TestOptionsAnywhere(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.write("-dash.txt", []byte("dash"))
	c.ok("--quiet", "cp", "--no-progress", "--", "-dash.txt", "s3://bkt/a")
	c.ok("cp", "s3://bkt/a", "--quiet", "s3://bkt/b")
	c.fails(exitUsage, []string{"unknown option --dash.txt"}, "cp", "-dash.txt", "s3://bkt/c")
	r := c.ok("ls", "s3://bkt", "--summarize")
	if !strings.Contains(r.stdout, "Total Objects: 2") {
		t.Fatalf("want 2 objects:\n%s", r)
	}
}

func TestMbLsRb(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if r := c.ok("mb", "s3://alpha"); r.stdout != "make_bucket: alpha\n" {
		t.Fatalf("mb printed %q", r.stdout)
	}
	c.ok("mb", "s3://beta", "--region", "eu-west-1")
	if r := c.ok("mb", "s3://gamma", "--quiet"); r.stdout != "" {
		t.Fatalf("mb --quiet printed %q", r.stdout)
	}
	// The error line names the S3 code, operation, status and request ID.
	c.fails(exitFailure, []string{"s3kit: mb: make_bucket alpha: BucketAlreadyExists", "CreateBucket alpha", "HTTP 409", "request ID "}, "mb", "s3://alpha")

	r := c.ok("ls")
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("bucket line %q: want date, time and name", line)
		}
		if _, err := time.Parse(lsTimeFormat, f[0]+" "+f[1]); err != nil {
			t.Errorf("bucket line %q: %v", line, err)
		}
		names = append(names, f[2])
	}
	if strings.Join(names, ",") != "alpha,beta,gamma" {
		t.Fatalf("ls listed %v", names)
	}

	c.srv.PutObject(t, "alpha", "dir/file.txt", []byte("x"), nil)
	c.fails(exitFailure, []string{"remove_bucket alpha: BucketNotEmpty", "DeleteBucket alpha", "HTTP 409"}, "rb", "s3://alpha")
	r = c.ok("rb", "s3://alpha", "--force")
	if r.stdout != "delete: s3://alpha/dir/file.txt\nremove_bucket: alpha\n" {
		t.Fatalf("rb --force printed %q", r.stdout)
	}
	c.ok("rb", "s3://beta")
	c.fails(exitFailure, []string{"NoSuchBucket", "DeleteBucket beta", "HTTP 404"}, "rb", "s3://beta")
	if r := c.ok("ls"); !strings.HasSuffix(r.stdout, " gamma\n") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("after rb, ls printed %q", r.stdout)
	}
}

func TestLs(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "photos")
	c.srv.PutObject(t, "photos", "2024/a.jpg", make([]byte, 1536), nil)
	c.srv.PutObject(t, "photos", "2024/b.jpg", make([]byte, 10), nil)
	c.srv.PutObject(t, "photos", "2024/raw/c.cr2", make([]byte, 3<<20), nil)
	c.srv.PutObject(t, "photos", "2025/d.jpg", make([]byte, 1), nil)
	c.srv.PutObject(t, "photos", "index.html", make([]byte, 100), nil)

	cols := func(out string) [][]string {
		var rows [][]string
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			rows = append(rows, strings.Fields(line))
		}
		return rows
	}
	for _, tc := range []struct {
		args []string
		want []string // the last column of each line
	}{
		{[]string{"ls", "s3://photos"}, []string{"2024/", "2025/", "index.html"}},
		{[]string{"ls", "s3://photos/"}, []string{"2024/", "2025/", "index.html"}},
		{[]string{"ls", "s3://photos/2024/"}, []string{"raw/", "a.jpg", "b.jpg"}}, // prefixes first, as the AWS CLI
		{[]string{"ls", "s3://photos/2024"}, []string{"2024/"}},
		{[]string{"ls", "s3://photos/2024/r"}, []string{"raw/"}},
		{[]string{"ls", "s3://photos", "--recursive"}, []string{"2024/a.jpg", "2024/b.jpg", "2024/raw/c.cr2", "2025/d.jpg", "index.html"}},
		{[]string{"ls", "s3://photos/2024/", "--recursive"}, []string{"2024/a.jpg", "2024/b.jpg", "2024/raw/c.cr2"}},
	} {
		r := c.ok(tc.args...)
		var got []string
		for _, row := range cols(r.stdout) {
			got = append(got, row[len(row)-1])
			if strings.HasSuffix(row[len(row)-1], "/") {
				if len(row) != 2 || row[0] != "PRE" {
					t.Errorf("%v: prefix line %v", tc.args, row)
				}
			} else if len(row) != 4 {
				t.Errorf("%v: object line %v: want date, time, size, key", tc.args, row)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%v listed %v, want %v", tc.args, got, tc.want)
		}
	}
	r := c.ok("ls", "s3://photos/2024/", "--recursive", "--human-readable", "--summarize")
	for _, want := range []string{" 1.5 KiB 2024/a.jpg\n", " 10 Bytes 2024/b.jpg\n", " 3.0 MiB 2024/raw/c.cr2\n", "\nTotal Objects: 3\n   Total Size: 3.0 MiB\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ls -h lacks %q:\n%s", want, r.stdout)
		}
	}
	r = c.ok("ls", "s3://photos", "--recursive", "--summarize")
	if !strings.Contains(r.stdout, fmt.Sprintf("   Total Size: %d\n", 1536+10+3<<20+1+100)) {
		t.Errorf("summary in bytes:\n%s", r.stdout)
	}
	c.fails(exitFailure, []string{"s3kit: ls: NoSuchBucket", "ListObjectsV2 nope", "HTTP 404", "request ID "}, "ls", "s3://nope")
	if r := c.ok("ls", "s3://photos/none/"); r.stdout != "" {
		t.Errorf("an empty prefix printed %q", r.stdout)
	}
}

// TestLsPages: listings longer than a page (1000 keys) are followed to
// the end.
func TestLsPages(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "many")
	for i := range 1203 {
		c.srv.PutObject(t, "many", fmt.Sprintf("k/%05d", i), nil, nil)
	}
	r := c.ok("ls", "s3://many", "--recursive")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1203 || !strings.HasSuffix(lines[0], " k/00000") || !strings.HasSuffix(lines[1202], " k/01202") {
		t.Fatalf("listed %d lines, from %q to %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

func TestRm(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var deletes []int // keys named in each DeleteObjects request
	c := newCLI(t, s3test.WithRequestRecorder(func(r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Query().Has("delete") {
			mu.Lock()
			deletes = append(deletes, 0)
			mu.Unlock()
		}
	}))
	c.srv.CreateBucket(t, "bkt")
	for i := range 2345 {
		c.srv.PutObject(t, "bkt", fmt.Sprintf("logs/%04d.log", i), nil, nil)
	}
	for _, k := range []string{"logs/keep.txt", "logs/sub/x.txt", "logs-old/y.log", "top.txt"} {
		c.srv.PutObject(t, "bkt", k, nil, nil)
	}

	// One key.
	if r := c.ok("rm", "s3://bkt/top.txt"); r.stdout != "delete: s3://bkt/top.txt\n" {
		t.Fatalf("rm printed %q", r.stdout)
	}
	// Dry run: prints, deletes nothing.
	r := c.ok("rm", "s3://bkt/logs", "--recursive", "--dryrun", "--exclude", "*", "--include", "sub/*")
	if r.stdout != "(dryrun) delete: s3://bkt/logs/sub/x.txt\n" {
		t.Fatalf("dry run printed %q", r.stdout)
	}
	// "logs" is the folder logs/, not logs-old/; the filters keep *.txt.
	r = c.ok("rm", "s3://bkt/logs", "--recursive", "--exclude", "*.txt")
	if n := strings.Count(r.stdout, "\n"); n != 2345 {
		t.Fatalf("rm --recursive printed %d lines, want 2345", n)
	}
	if !strings.Contains(r.stdout, "delete: s3://bkt/logs/0000.log\n") || !strings.Contains(r.stdout, "delete: s3://bkt/logs/2344.log\n") {
		t.Fatalf("rm --recursive output lacks the first or last key")
	}
	got := strings.Join(c.keys("bkt"), " ")
	if got != "logs-old/y.log logs/keep.txt logs/sub/x.txt" {
		t.Fatalf("left %s", got)
	}
	mu.Lock()
	if len(deletes) != 3 {
		t.Errorf("2345 keys took %d DeleteObjects requests, want 3 (1000 a request)", len(deletes))
	}
	mu.Unlock()
	if r := c.ok("rm", "s3://bkt", "--recursive", "--quiet"); r.stdout != "" {
		t.Fatalf("--quiet printed %q", r.stdout)
	}
	if keys := c.keys("bkt"); len(keys) != 0 {
		t.Fatalf("rm of the whole bucket left %v", keys)
	}
	c.fails(exitFailure, []string{"NoSuchBucket", "HTTP 404"}, "rm", "s3://nope/k")
	c.fails(exitFailure, []string{"NoSuchBucket", "ListObjectsV2 nope"}, "rm", "s3://nope/", "--recursive")
}

func TestPresign(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.srv.PutObject(t, "bkt", "dir/hello world.txt", []byte("hello"), nil)

	r := c.ok("presign", "s3://bkt/dir/hello world.txt", "--expires-in", "600")
	u := strings.TrimSpace(r.stdout)
	q := mustParseURL(t, u).Query()
	if q.Get("X-Amz-Expires") != "600" || q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" ||
		!strings.HasPrefix(q.Get("X-Amz-Credential"), "AKIAIOSFODNN7EXAMPLE/") || len(q.Get("X-Amz-Signature")) != 64 {
		t.Fatalf("presigned URL %s lacks the signing parameters", u)
	}
	if got := httpDo(t, http.MethodGet, u, nil); got != "200 hello" {
		t.Fatalf("GET presigned URL: %s", got)
	}
	// A Go duration works too.
	r = c.ok("presign", "s3://bkt/dir/hello world.txt", "--expires", "15m")
	if q := mustParseURL(t, strings.TrimSpace(r.stdout)).Query(); q.Get("X-Amz-Expires") != "900" {
		t.Fatalf("--expires 15m gave X-Amz-Expires %s", q.Get("X-Amz-Expires"))
	}
	// The default is an hour, as in boto3 and the AWS CLI.
	r = c.ok("presign", "s3://bkt/dir/hello world.txt")
	if q := mustParseURL(t, strings.TrimSpace(r.stdout)).Query(); q.Get("X-Amz-Expires") != "3600" {
		t.Fatalf("default X-Amz-Expires %s", q.Get("X-Amz-Expires"))
	}

	r = c.ok("presign", "s3://bkt/put.txt", "--method", "put")
	if got := httpDo(t, http.MethodPut, strings.TrimSpace(r.stdout), []byte("put by URL")); !strings.HasPrefix(got, "200") {
		t.Fatalf("PUT presigned URL: %s", got)
	}
	if data, _ := c.srv.GetObject(t, "bkt", "put.txt"); string(data) != "put by URL" {
		t.Fatalf("object after presigned PUT: %q", data)
	}
	r = c.ok("presign", "s3://bkt/put.txt", "--method", "HEAD")
	if got := httpDo(t, http.MethodHead, strings.TrimSpace(r.stdout), nil); got != "200 " {
		t.Fatalf("HEAD presigned URL: %s", got)
	}
	r = c.ok("presign", "s3://bkt/put.txt", "--method", "DELETE")
	if got := httpDo(t, http.MethodDelete, strings.TrimSpace(r.stdout), nil); !strings.HasPrefix(got, "204") {
		t.Fatalf("DELETE presigned URL: %s", got)
	}
	if keys := c.keys("bkt"); len(keys) != 1 {
		t.Fatalf("after the presigned DELETE: %v", keys)
	}
	// Virtual-hosted style puts the bucket in the host.
	r = c.ok("presign", "s3://bkt/x", "--addressing-style", "virtual", "--endpoint-url", c.srv.VirtualHostEndpoint())
	if h := mustParseURL(t, strings.TrimSpace(r.stdout)).Host; !strings.HasPrefix(h, "bkt.localhost:") {
		t.Fatalf("virtual-hosted URL host %s", h)
	}
	// Presigning needs credentials.
	c.unsetenv("AWS_ACCESS_KEY_ID")
	c.unsetenv("AWS_SECRET_ACCESS_KEY")
	c.fails(exitFailure, []string{"presign GET s3://bkt/x", "credentials"}, "presign", "s3://bkt/x")
}

func TestPresignPost(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	r := c.ok("presign-post", "s3://bkt/uploads/${filename}", "--field", "acl=public-read", "--field", "success_action_status=201",
		"--condition", `["starts-with", "$Content-Type", "text/"]`, "--condition", `{"x-amz-meta-tag": "t1"}`,
		"--content-length-range", "1,1KB", "--expires-in", "300")
	var form struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &form); err != nil {
		t.Fatalf("presign-post output is not JSON: %v\n%s", err, r.stdout)
	}
	if form.URL != c.srv.URL+"/bkt" {
		t.Errorf("url %q, want %q", form.URL, c.srv.URL+"/bkt")
	}
	for _, name := range []string{"key", "acl", "success_action_status", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} {
		if form.Fields[name] == "" {
			t.Errorf("fields lack %s: %v", name, form.Fields)
		}
	}
	doc, err := base64.StdEncoding.DecodeString(form.Fields["policy"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`["content-length-range",1,1024]`, `["starts-with","$Content-Type","text/"]`, `{"x-amz-meta-tag":"t1"}`, `{"acl":"public-read"}`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("policy lacks %s:\n%s", want, doc)
		}
	}
	// The policy means what the options said: presignpost.Check accepts a
	// form within it and names the condition a too large file breaks.
	fields := map[string]string{"content-type": "text/plain", "x-amz-meta-tag": "t1"}
	for k, v := range form.Fields {
		fields[k] = v
	}
	check := func(size int64) error {
		return presignpost.Check(form.Fields["policy"], presignpost.Form{Bucket: "bkt", Fields: fields, Filename: "a.txt", FileSize: size}, time.Now())
	}
	if err := check(100); err != nil {
		t.Errorf("a form within the policy: %v", err)
	}
	if err := check(2000); err == nil || !strings.Contains(err.Error(), "content-length-range") {
		t.Errorf("a too large file: %v", err)
	}
	// Posting the form stores the object (gofakes3 does not check policies;
	// it does not substitute ${filename} either).
	var body bytes.Buffer
	signed := presignpost.Signed{URL: form.URL, Fields: fields}
	ct, err := signed.MultipartBody(&body, "a.txt", strings.NewReader("posted"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(form.URL, ct, &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST: %s", resp.Status)
	}
	if data, _ := c.srv.GetObject(t, "bkt", "uploads/${filename}"); string(data) != "posted" {
		t.Fatalf("posted object holds %q", data)
	}

	r = c.ok("presign-post", "s3://bkt/k", "--html")
	for _, want := range []string{"<form", `action="` + c.srv.URL + `/bkt"`, `enctype="multipart/form-data"`, `name="policy"`, `type="file"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--html lacks %s:\n%s", want, r.stdout)
		}
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return u
}

// httpDo sends a plain request, as anyone holding a presigned URL would,
// and returns "status body".
func httpDo(t *testing.T, method, u string, body []byte) string {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}
