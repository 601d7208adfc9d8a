package main

// Tests of the built binary against a server that lies (httptest on
// loopback): keys, bucket names and messages holding control characters
// reach the terminal escaped, HEAD answers with sizes no object can have
// leave the target file as it was, and listings whose continuation
// tokens lead nowhere end in an error after a few requests.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

// hostileS3 is a small S3 with one bucket's worth of objects (any bucket
// name is that bucket), answering ListBuckets, ListObjectsV2 (url-encoded
// keys, prefix and delimiter), HEAD, ranged GET, CopyObject, DeleteObject
// and DeleteObjects. Each hook, when set, replaces one of its answers.
type hostileS3 struct {
	buckets []string          // ListBuckets' names
	objects map[string][]byte // key -> body

	// list, when set, answers ListObjectsV2 given the request's
	// continuation token.
	list func(w http.ResponseWriter, token string)
	// head, when set, answers HEAD.
	head func(w http.ResponseWriter)
	// deleteErrors are added to every DeleteObjects answer.
	deleteErrors []hostileDeleteError
	// deleteMessage, when set, refuses DeleteObject with 403 and this
	// message.
	deleteMessage string

	lists atomic.Int64 // ListObjectsV2 requests
	gets  atomic.Int64 // GET requests of objects
}

type hostileDeleteError struct{ key, code, message string }

// newHostileCLI returns a cli whose endpoint is srv, on a loopback
// httptest server stopped at the end of the test.
func newHostileCLI(t *testing.T, srv *hostileS3) *cli {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c := newCLI(t)
	c.setenv("AWS_ENDPOINT_URL", hs.URL)
	return c
}

func (s *hostileS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case bucket == "" && r.Method == http.MethodGet:
		s.listBuckets(w)
	case key == "" && r.Method == http.MethodGet && q.Get("list-type") == "2":
		s.lists.Add(1)
		if s.list != nil {
			s.list(w, q.Get("continuation-token"))
			return
		}
		s.listObjects(w, q.Get("prefix"), q.Get("delimiter"))
	case key == "" && r.Method == http.MethodPost && q.Has("delete"):
		s.deleteObjects(w, r)
	case r.Method == http.MethodHead:
		if s.head != nil {
			s.head(w)
			return
		}
		body, ok := s.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("ETag", `"etag"`)
		w.Header().Set("Last-Modified", "Tue, 02 Jan 2024 03:04:05 GMT")
	case r.Method == http.MethodGet:
		s.gets.Add(1)
		s.get(w, r, key)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		w.Write([]byte(`<CopyObjectResult><ETag>"etag"</ETag><LastModified>2024-01-02T03:04:05.000Z</LastModified></CopyObjectResult>`))
	case r.Method == http.MethodDelete && s.deleteMessage != "":
		s3Error(w, http.StatusForbidden, "AccessDenied", s.deleteMessage)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented", r.Method+" "+r.URL.String())
	}
}

// s3Error writes an S3 error answer; message is escaped as XML text.
func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message><RequestId>req</RequestId></Error>", code, xmlText(message))
}

// xmlText escapes s as XML character data (newlines and carriage returns
// as character references, which the parser gives back as they were).
func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (s *hostileS3) listBuckets(w http.ResponseWriter) {
	var b strings.Builder
	b.WriteString("<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets>")
	for _, name := range s.buckets {
		fmt.Fprintf(&b, "<Bucket><Name>%s</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket>", xmlText(name))
	}
	b.WriteString("</Buckets></ListAllMyBucketsResult>")
	w.Write([]byte(b.String()))
}

// listObjects answers one page holding every key under prefix, grouped
// at delimiter, url-encoded as the client asks.
func (s *hostileS3) listObjects(w http.ResponseWriter, prefix, delim string) {
	var keys []string
	for k := range s.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("<ListBucketResult><Name>bkt</Name><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>")
	seen := map[string]bool{}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			p := prefix + rest[:i+len(delim)]
			if !seen[p] {
				seen[p] = true
				fmt.Fprintf(&b, "<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>", url.QueryEscape(p))
			}
			continue
		}
		fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"etag"</ETag><Size>%d</Size></Contents>`,
			url.QueryEscape(k), len(s.objects[k]))
	}
	b.WriteString("</ListBucketResult>")
	w.Write([]byte(b.String()))
}

// get serves an object, or the range of it asked for.
func (s *hostileS3) get(w http.ResponseWriter, r *http.Request, key string) {
	body, ok := s.objects[key]
	if !ok {
		s3Error(w, http.StatusForbidden, "AccessDenied", "no")
		return
	}
	w.Header().Set("ETag", `"etag"`)
	var first, last int
	if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &first, &last); err != nil {
		w.Write(body)
		return
	}
	last = min(last, len(body)-1)
	if first > last {
		s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "range")
		return
	}
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(body)))
	w.Header().Set("Content-Length", strconv.Itoa(last-first+1))
	w.WriteHeader(http.StatusPartialContent)
	w.Write(body[first : last+1])
}

func (s *hostileS3) deleteObjects(w http.ResponseWriter, r *http.Request) {
	// The body was drained by ServeHTTP; the answer names every listed
	// key as deleted, then the errors.
	var b strings.Builder
	b.WriteString("<DeleteResult>")
	var keys []string
	for k := range s.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "<Deleted><Key>%s</Key></Deleted>", xmlText(k))
	}
	for _, e := range s.deleteErrors {
		fmt.Fprintf(&b, "<Error><Key>%s</Key><Code>%s</Code><Message>%s</Message></Error>", xmlText(e.key), xmlText(e.code), xmlText(e.message))
	}
	b.WriteString("</DeleteResult>")
	w.Write([]byte(b.String()))
}

// checkPrintable fails the test if out holds anything a terminal would
// act on: a control character other than the newline ending each line,
// a C1 control, a line or paragraph separator, a bidirectional
// formatting character, or bytes that are not UTF-8.
func checkPrintable(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		bad := r == utf8.RuneError && n == 1 ||
			r < 0x20 && r != '\n' ||
			r >= 0x7f && r <= 0x9f ||
			r == 0x061c || r == 0x200e || r == 0x200f || r == 0x2028 || r == 0x2029 ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
		if bad {
			t.Errorf("%s holds the raw byte(s) %q at %d:\n%q", what, out[i:i+n], i, out)
			return
		}
		i += n
	}
}

// checkLines fails the test unless every line of out matches line: no
// key forged a line of its own.
func checkLines(t *testing.T, what, out string, line *regexp.Regexp) {
	t.Helper()
	if out == "" {
		return
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("%s does not end with a newline:\n%q", what, out)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("%s: line %q does not match %s", what, l, line)
		}
	}
}

// hostileKeys are keys a server may list, and how the command shows them.
var hostileKeys = []struct{ raw, shown string }{
	{"forged to /etc/passwd\ndownload: s3://evil/x", `forged to /etc/passwd\ndownload: s3://evil/x`},
	{"forged\n2024-01-02 03:04:05          0 fake.txt", `forged\n2024-01-02 03:04:05          0 fake.txt`},
	{"cr\rdelete: s3://bkt/everything", `cr\rdelete: s3://bkt/everything`},
	{"esc\x1b[2J\x1b]0;title\x07", `esc\x1b[2J\x1b]0;title\a`},
	{"dir\x1b[31m/inner.txt", `dir\x1b[31m/inner.txt`},
	{"bidi\u202etxt.exe", `bidi\u202etxt.exe`},
	{"c1\u009b31m\u0085", `c1\u009b31m\u0085`},
	{"del\x7f", `del\x7f`},
	{"tab\there", `tab\there`},
	{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
	{"sep\u2028line", `sep\u2028line`},
	{"isolate\u2066x\u2069", `isolate\u2066x\u2069`},
	{"nul\x00byte", `nul\x00byte`},
	{"plain é.txt", "plain é.txt"},
}

func hostileObjects() map[string][]byte {
	objs := map[string][]byte{}
	for i, k := range hostileKeys {
		objs[k.raw] = []byte(fmt.Sprintf("object %d", i))
	}
	return objs
}

// TestHostileKeysEscaped: keys, bucket names, error codes and messages
// from the server reach stdout and stderr with their control characters
// escaped, in every command that prints them, and no key forges a line.
func TestHostileKeysEscaped(t *testing.T) {
	t.Parallel()
	srv := &hostileS3{
		buckets: []string{"ok-bucket", "evil\n2024-01-02 03:04:05 forged-bucket", "cr\rbucket", "del\x7f\u0085\u202e"},
		objects: hostileObjects(),
		deleteErrors: []hostileDeleteError{
			{key: "refused\nkey\u202e", code: "Access\u009bDenied", message: "no\r\nway\u0085out"},
		},
		deleteMessage: "go away\u009b2J\u202e",
	}
	c := newHostileCLI(t, srv)
	const date = `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`
	for _, tc := range []struct {
		name   string
		args   []string
		code   int            // -1: any (some keys cannot be files)
		line   *regexp.Regexp // every stdout line
		lines  int            // how many stdout lines, when not 0
		shown  []string       // in stdout, escaped
		stderr []string       // in stderr, escaped
	}{
		{name: "ls buckets", args: []string{"ls"}, line: regexp.MustCompile(`^` + date + ` \S`), lines: len(srv.buckets),
			shown: []string{`evil\n2024-01-02 03:04:05 forged-bucket`, `cr\rbucket`, `del\x7f\u0085\u202e`}},
		// 11 keys and 3 prefixes: "forged to /", "cr\rdelete: s3:/", "dir\x1b[31m/".
		{name: "ls", args: []string{"ls", "s3://bkt/"}, line: regexp.MustCompile(`^(` + date + ` +\d+ | +PRE )\S`), lines: 14,
			shown: []string{`PRE forged to /`, `PRE dir\x1b[31m/`, ` esc\x1b[2J\x1b]0;title\a`, ` forged\n2024-01-02 03:04:05          0 fake.txt`}},
		{name: "ls recursive", args: []string{"ls", "s3://bkt", "--recursive"}, line: regexp.MustCompile(`^` + date + ` +\d+ \S`), lines: len(hostileKeys)},
		{name: "cp recursive download", args: []string{"cp", "s3://bkt/", "out", "--recursive"}, code: -1,
			line: regexp.MustCompile(`^download: s3://bkt/\S.* to out/\S`)},
		{name: "cp recursive download dryrun", args: []string{"cp", "s3://bkt/", "out", "--recursive", "--dryrun"},
			line: regexp.MustCompile(`^\(dryrun\) download: s3://bkt/\S.* to out/\S`), lines: len(hostileKeys)},
		{name: "cp recursive copy", args: []string{"cp", "s3://bkt/", "s3://bkt2/", "--recursive"}, code: -1,
			line: regexp.MustCompile(`^copy: s3://bkt/\S.* to s3://bkt2/\S`)},
		{name: "cp recursive copy dryrun", args: []string{"cp", "s3://bkt/", "s3://bkt2/", "--recursive", "--dryrun"},
			line: regexp.MustCompile(`^\(dryrun\) copy: s3://bkt/\S.* to s3://bkt2/\S`), lines: len(hostileKeys)},
		{name: "rm recursive dryrun", args: []string{"rm", "s3://bkt/", "--recursive", "--dryrun"},
			line: regexp.MustCompile(`^\(dryrun\) delete: s3://bkt/\S`), lines: len(hostileKeys)},
		// Keys that cannot travel in the DeleteObjects request are left
		// out; the server's answer names every key all the same.
		{name: "rm recursive", args: []string{"rm", "s3://bkt/", "--recursive", "--exclude", "esc*", "--exclude", "dir*", "--exclude", "nul*", "--exclude", "bad*"},
			code: exitFailure, line: regexp.MustCompile(`^delete: s3://bkt/\S`), lines: len(hostileKeys),
			// U+0085 is a line break to oneLine, which joins the message's lines.
			stderr: []string{`delete failed: s3://bkt/refused\nkey\u202e: Access\u009bDenied: no way out` + "\n"}},
		{name: "rm error message", args: []string{"rm", "s3://bkt/k"}, code: exitFailure,
			stderr: []string{`s3kit: rm: delete s3://bkt/k: AccessDenied: go away\u009b2J\u202e (DeleteObject bkt/k, HTTP 403`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(nil, tc.args...)
			if tc.code >= 0 && r.code != tc.code {
				t.Fatalf("want exit %d:\n%s", tc.code, r)
			}
			if r.code != exitOK && r.code != exitFailure {
				t.Fatalf("want exit 0 or 1:\n%s", r)
			}
			checkPrintable(t, "stdout", r.stdout)
			checkPrintable(t, "stderr", r.stderr)
			if tc.line != nil {
				checkLines(t, "stdout", r.stdout, tc.line)
			}
			if n := strings.Count(r.stdout, "\n"); tc.lines != 0 && n != tc.lines {
				t.Errorf("stdout has %d lines, want %d:\n%s", n, tc.lines, r.stdout)
			}
			for _, s := range tc.shown {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
		})
	}

	// Each key shows once, escaped, at the end of its line, in the
	// recursive listing; a recursive download names each key on its
	// result line, or on its failure line.
	r := c.ok("ls", "s3://bkt", "--recursive")
	var suffixes []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		f := strings.SplitN(l, " ", 3)
		suffixes = append(suffixes, strings.TrimLeft(f[2], " "))
	}
	var want []string
	for _, k := range hostileKeys {
		want = append(want, fmt.Sprintf("%d %s", len(srv.objects[k.raw]), k.shown))
	}
	sort.Strings(suffixes)
	sort.Strings(want)
	if strings.Join(suffixes, "\n") != strings.Join(want, "\n") {
		t.Errorf("ls --recursive showed\n%s\nwant\n%s", strings.Join(suffixes, "\n"), strings.Join(want, "\n"))
	}
	r = c.run(nil, "cp", "s3://bkt/", "out2", "--recursive")
	for _, k := range hostileKeys {
		if strings.Contains(k.raw, "\x00") || !utf8.ValidString(k.raw) {
			// No file can have the name, or no request the key.
			if want := "download s3://bkt/" + k.shown + " to "; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks the failure of %q:\n%s", want, r)
			}
			continue
		}
		if want := "download: s3://bkt/" + k.shown + " to "; !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r)
		}
	}
}

// TestPrintable: the escapes, one case per kind of character.
func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain/key with spaces é ü 日本", "plain/key with spaces é ü 日本"},
		{`back\slash\n`, `back\slash\n`},
		{"a\nb\rc\td\ae\bf\vg\fh", `a\nb\rc\td\ae\bf\vg\fh`},
		{"\x00\x01\x1b\x1f\x7f", `\x00\x01\x1b\x1f\x7f`},
		{"\u0080\u0085\u009b\u009f\u00a0", `\u0080\u0085\u009b\u009f` + "\u00a0"},
		{"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", `\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069`},
		{"\u2028\u2029", `\u2028\u2029`},
		{"\u200d\u200b\ufeff", "\u200d\u200b\ufeff"}, // joiners and BOM move nothing
		{"bad\xff\xc3", `bad\xff\xc3`},
		{"\xe2\x80\xae", `\u202e`},
	} {
		got := printable(tc.in)
		if got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := printable(got); again != got {
			t.Errorf("printable(%q) = %q, not idempotent", got, again)
		}
	}
}

// unchangedDir returns a check that dir holds the same names and the file
// name the same bytes as when it was called.
func unchangedDir(t *testing.T, dir, name string) func() {
	t.Helper()
	names := func() string {
		var out []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && p != dir {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, rel)
			}
			return nil
		})
		return strings.Join(out, "\n")
	}
	before := names()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if after := names(); after != before {
			t.Errorf("the directory held\n%s\nand now holds\n%s", before, after)
		}
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s changed: %q, %v (was %q)", name, got, err, data)
		}
	}
}

// TestHostileHeadSizes: a HEAD answer claiming a size no object can have
// (S3's largest is 5 TiB) fails the download with one error line, exit 1,
// no crash; the existing file is untouched and nothing is left beside it.
func TestHostileHeadSizes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		length string
		header map[string]string
	}{
		{"2^62 with a full-object CRC32", "4611686018427387904",
			map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA==", "X-Amz-Checksum-Type": "FULL_OBJECT"}},
		{"2^63-1", "9223372036854775807", nil},
		{"2^63-1 with a full-object CRC32", "9223372036854775807",
			map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA==", "X-Amz-Checksum-Type": "FULL_OBJECT"}},
		{"5 TiB + 1", strconv.FormatInt(5<<40+1, 10), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := &hostileS3{head: func(w http.ResponseWriter) {
				w.Header().Set("Content-Length", tc.length)
				w.Header().Set("ETag", `"etag"`)
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
			}}
			c := newHostileCLI(t, srv)
			c.write("obj", []byte("the file as it was\n"))
			check := unchangedDir(t, c.dir, "obj")
			r := c.run(nil, "cp", "s3://bkt/obj", "./obj", "--no-progress")
			if r.code != exitFailure {
				t.Errorf("want exit 1:\n%s", r)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "s3kit: cp: download s3://bkt/obj to ") {
				t.Errorf("want one error line naming the download:\n%s", r)
			}
			for _, crash := range []string{"panic:", "fatal error:", "goroutine "} {
				if strings.Contains(r.stderr, crash) {
					t.Errorf("s3kit crashed:\n%s", r)
				}
			}
			check()
		})
	}
}

// TestHostilePagination: listings whose continuation tokens lead nowhere
// (the same token again and again, two tokens in a cycle, a truncated page
// without a token) end ls, cp --recursive and rm --recursive with an error
// about the listing after a few requests. The server ends the listing
// itself after 50 pages, so that a command that keeps following fails the
// test rather than hangs.
func TestHostilePagination(t *testing.T) {
	t.Parallel()
	const stopAfter = 50
	for _, tc := range []struct {
		name string
		next func(token string) string // the next token, for a truncated page
	}{
		{"same token", func(string) string { return "T" }},
		{"two-token cycle", func(token string) string {
			if token == "A" {
				return "B"
			}
			return "A"
		}},
		{"truncated without token", func(string) string { return "" }},
	} {
		for _, args := range [][]string{
			{"ls", "s3://bkt/"},
			{"ls", "s3://bkt/", "--recursive"},
			{"cp", "s3://bkt/", "dir/", "--recursive"},
			{"rm", "s3://bkt/", "--recursive"},
		} {
			t.Run(tc.name+"/"+strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				srv := &hostileS3{}
				var mu sync.Mutex
				srv.list = func(w http.ResponseWriter, token string) {
					mu.Lock()
					defer mu.Unlock()
					if srv.lists.Load() > stopAfter {
						w.Write([]byte("<ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>"))
						return
					}
					fmt.Fprintf(w, "<ListBucketResult><Name>bkt</Name><IsTruncated>true</IsTruncated><KeyCount>0</KeyCount><NextContinuationToken>%s</NextContinuationToken></ListBucketResult>",
						tc.next(token))
				}
				c := newHostileCLI(t, srv)
				r := c.run(nil, args...)
				if n := srv.lists.Load(); n >= 10 {
					t.Errorf("%d ListObjectsV2 requests, want fewer than 10", n)
				}
				if r.code != exitFailure {
					t.Errorf("want exit 1:\n%s", r)
				}
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				if len(lines) != 1 || !strings.HasPrefix(lines[0], "s3kit: "+args[0]+": ") {
					t.Errorf("want one error line:\n%s", r)
				}
				if !regexp.MustCompile(`(?i)continuation|paginat|truncated|token|marker|cycle|loop|repeat`).MatchString(r.stderr) {
					t.Errorf("the error does not say what is wrong with the listing:\n%s", r)
				}
				if r.stdout != "" {
					t.Errorf("stdout: %q", r.stdout)
				}
			})
		}
	}
}
