package main

// In-process tests of the pieces: option values, filters, argument
// parsing, error formatting, the progress bar's frames on a fake clock,
// and the demo's step runner.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", "a/b/c.txt", true}, // "*" crosses "/", as in the AWS CLI
		{"*.txt", "a/b/c.txt", true},
		{"*.txt", "a/b/c.txt.gz", false},
		{"a/*", "a/b/c", true},
		{"a/*", "b/a/c", false},
		{"?.go", "x.go", true},
		{"?.go", "xy.go", false},
		{"?", "é", true}, // one character, not one byte
		{"[abc].txt", "b.txt", true},
		{"[abc].txt", "d.txt", false},
		{"[!abc].txt", "d.txt", true},
		{"[^abc].txt", "a.txt", false},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[]]", "]", true},
		{"*a*b*c*", "xxaxxbxxcxx", true},
		{"*a*b*c*", "xxaxxcxxbxx", false},
		{"*" + strings.Repeat("a*", 20), strings.Repeat("a", 19) + "b", false}, // no exponential backtracking
		{"exact", "exact", true},
		{"exact", "exact2", false},
		{"", "", true},
		{"", "x", false},
	} {
		if got := fnmatch(tc.pattern, tc.name); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestFilters(t *testing.T) {
	var l filterList
	ex, in := &excludeValue{&l}, &includeValue{&l}
	for _, step := range []struct {
		v   interface{ Set(string) error }
		pat string
	}{{ex, "*"}, {in, "*.jpg"}, {ex, "thumbs/*"}} {
		if err := step.v.Set(step.pat); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]bool{"a.jpg": true, "b.png": false, "thumbs/a.jpg": false, "2024/x.jpg": true} {
		if got := l.included(name); got != want {
			t.Errorf("included(%q) = %v, want %v (the last matching filter wins)", name, got, want)
		}
	}
	if (filterList{}).included("anything") != true {
		t.Error("without filters everything is included")
	}
	if err := ex.Set("[abc"); err == nil {
		t.Error("an unterminated class was accepted")
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1048576", 1 << 20, true}, {"8MB", 8 << 20, true}, {"8mb", 8 << 20, true},
		{"8MiB", 8 << 20, true}, {"64KB", 64 << 10, true}, {"1.5GB", 3 << 29, true}, {"2TB", 2 << 40, true},
		{"10MB/s", 10 << 20, true}, {" 5 MB ", 5 << 20, true}, {"5K", 5 << 10, true}, {"7B", 7, true},
		{"", 0, false}, {"MB", 0, false}, {"-1", 0, false}, {"1XB", 0, false}, {"1e3", 0, false}, {"99999999999TB", 0, false},
	} {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestExpiresValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3600", time.Hour, true}, {"1", time.Second, true}, {"604800", 7 * 24 * time.Hour, true}, {"15m", 15 * time.Minute, true},
		{"0", 0, false}, {"604801", 0, false}, {"-5", 0, false}, {"soon", 0, false}, {"-1h", 0, false},
	} {
		var e expiresValue
		err := e.Set(tc.in)
		if (err == nil) != tc.ok || (tc.ok && time.Duration(e) != tc.want) {
			t.Errorf("Set(%q) = %s, %v; want %s, ok %v", tc.in, time.Duration(e), err, tc.want, tc.ok)
		}
	}
}

func TestMetadataValue(t *testing.T) {
	var m metadataValue
	for _, v := range []string{"a=1,b=x=y", `{"c":"3"}`, "a=2"} {
		if err := m.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if fmt.Sprint(map[string]string(m)) != "map[a:2 b:x=y c:3]" {
		t.Errorf("metadata %v", m)
	}
	for _, bad := range []string{"novalue", "=v", `{"n":1}`, `{`} {
		if err := m.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

func TestParseCondition(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want presignpost.Condition
	}{
		{`{"acl":"public-read"}`, presignpost.Eq("acl", "public-read")},
		{`["eq","$acl","private"]`, presignpost.Eq("$acl", "private")},
		{`["starts-with", "$key", "uploads/"]`, presignpost.StartsWith("$key", "uploads/")},
		{`["content-length-range", 10, 100]`, presignpost.ContentLengthRange(10, 100)},
	} {
		got, err := parseCondition(tc.in)
		if err != nil || got.String() != tc.want.String() {
			t.Errorf("parseCondition(%s) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`{}`, `{"a":"1","b":"2"}`, `["eq","$a"]`, `["range",1,2]`, `["content-length-range",1.5,2]`, `["eq",1,"x"]`, `nope`} {
		if _, err := parseCondition(bad); err == nil {
			t.Errorf("parseCondition(%s) accepted", bad)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  string
		rec  bool
	}{
		{[]string{"a", "b"}, "a b", false},
		{[]string{"--recursive", "a", "b"}, "a b", true},
		{[]string{"a", "--recursive", "b"}, "a b", true},
		{[]string{"a", "b", "--recursive"}, "a b", true},
		{[]string{"-", "s3://b/k"}, "- s3://b/k", false},
		{[]string{"a", "--", "--recursive"}, "a --recursive", false},
		{[]string{"--", "-x", "b"}, "-x b", false},
	} {
		o := &options{}
		fs := newFlagSet(lookupCommand("cp"), o)
		pos, err := parseInterspersed(fs, tc.args)
		if err != nil || strings.Join(pos, " ") != tc.pos || o.recursive != tc.rec {
			t.Errorf("%q: positionals %q, recursive %v, %v; want %q, %v", tc.args, pos, o.recursive, err, tc.pos, tc.rec)
		}
	}
	for _, tc := range []struct{ in, out string }{
		{"--quiet cp a b", "cp --quiet a b"},
		{"--region eu-west-1 ls", "ls --region eu-west-1"},
		{"--region=x ls s3://b --recursive", "ls --region=x s3://b --recursive"},
		{"cp a b", "cp a b"},
	} {
		got, err := hoistOptions(strings.Fields(tc.in))
		if err != nil || strings.Join(got, " ") != tc.out {
			t.Errorf("hoistOptions(%q) = %q, %v; want %q", tc.in, got, err, tc.out)
		}
	}
	for _, bad := range []string{"--quiet", "--nope ls", "--quiet -- cp"} {
		if _, err := hoistOptions(strings.Fields(bad)); err == nil {
			t.Errorf("hoistOptions(%q) accepted", bad)
		}
	}
}

func TestFormatError(t *testing.T) {
	refused := &s3client.Error{Op: "ListBuckets", Attempts: 3, Err: &url.Error{Op: "Get", URL: "http://127.0.0.1:1/",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{
			&s3client.Error{Op: "GetObject", Bucket: "b", Key: "k", StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "4442587FB7D0A2F9"},
			"NoSuchKey: The specified key does not exist. (GetObject b/k, HTTP 404, request ID 4442587FB7D0A2F9)",
		},
		{
			during("download s3://b/k to k", &transfer.Error{Op: "DownloadFile", Bucket: "b", Key: "k", Path: "k",
				Err: &s3client.Error{Op: "HeadObject", Bucket: "b", Key: "k", StatusCode: 403, Code: "Forbidden", Attempts: 1}}),
			"download s3://b/k to k: Forbidden (HeadObject b/k, HTTP 403)",
		},
		{
			&s3client.Error{Op: "PutObject", Bucket: "b", Key: "k", StatusCode: 503, Code: "SlowDown", Message: "Please\nreduce\tyour rate", RequestID: "X", Attempts: 3},
			"SlowDown: Please reduce your rate (PutObject b/k, HTTP 503, request ID X, after 3 attempts)",
		},
		{
			&s3client.Error{Op: "ListObjectsV2", Bucket: "b", StatusCode: 500},
			"HTTP500 (ListObjectsV2 b, HTTP 500)",
		},
		{refused, "could not connect to the endpoint URL http://127.0.0.1:1: dial tcp: connection refused (ListBuckets, after 3 attempts)"},
		{
			&s3client.Error{Op: "PresignGetObject", Bucket: "b", Key: "k", Err: errors.New("s3client: presigning needs credentials")},
			"PresignGetObject b/k: s3client: presigning needs credentials",
		},
		{
			&s3client.Error{Op: "GetObject", Bucket: "b", Key: "k", Err: context.Canceled},
			"GetObject b/k: context canceled",
		},
		{during("upload a to s3://b/a", errors.New("open a: permission denied")), "upload a to s3://b/a: open a: permission denied"},
		{fmt.Errorf("wrapped: %w", errors.New("two\nlines")), "wrapped: two lines"},
	} {
		if got := formatError(tc.err); got != tc.want {
			t.Errorf("formatError:\n got %s\nwant %s", got, tc.want)
		}
	}
}

func TestReportExitCodes(t *testing.T) {
	c := lookupCommand("ls")
	for _, tc := range []struct {
		err  error
		code int
		out  string
	}{
		{nil, exitOK, ""},
		{usagef("bad %s", "thing"), exitUsage, "s3kit: ls: bad thing\nusage: s3kit ls [<S3Uri>] [options] (see 's3kit help ls')\n"},
		{&s3client.Error{Op: "CreateBucket", Bucket: "B", Err: fmt.Errorf("%w: uppercase", s3client.ErrInvalidBucketName)}, exitUsage, "s3kit: ls: CreateBucket B: s3client: invalid input: invalid bucket name: uppercase\nusage: "},
		{errReported, exitFailure, ""},
		{errors.New("boom"), exitFailure, "s3kit: ls: boom\n"},
	} {
		var stderr bytes.Buffer
		code := report(&env{stderr: &stderr}, c, tc.err)
		if code != tc.code || !strings.HasPrefix(stderr.String(), tc.out) || (tc.out == "" && stderr.Len() > 0) {
			t.Errorf("report(%v) = %d, %q; want %d, %q", tc.err, code, stderr.String(), tc.code, tc.out)
		}
	}
}

func TestParseS3URI(t *testing.T) {
	for _, tc := range []struct {
		in          string
		bucket, key string
		ok, err     bool
	}{
		{"s3://b", "b", "", true, false},
		{"s3://b/", "b", "", true, false},
		{"s3://b/a/b c", "b", "a/b c", true, false},
		{"s3://", "", "", true, true},
		{"s3:///k", "", "", true, true},
		{"./s3://x", "", "", false, false},
		{"-", "", "", false, false},
	} {
		u, ok, err := parseS3URI(tc.in)
		if ok != tc.ok || (err != nil) != tc.err || u.bucket != tc.bucket || u.key != tc.key {
			t.Errorf("parseS3URI(%q) = %+v, %v, %v", tc.in, u, ok, err)
		}
	}
	if got := objectKey(s3URI{bucket: "b", key: "dir/"}, "f.txt"); got != "dir/f.txt" {
		t.Errorf("objectKey under a prefix: %q", got)
	}
	if got := objectKey(s3URI{bucket: "b", key: "name"}, "f.txt"); got != "name" {
		t.Errorf("objectKey of a key: %q", got)
	}
	if got := recursivePrefix("logs"); got != "logs/" {
		t.Errorf("recursivePrefix: %q", got)
	}
}

func TestDisplayEndpoints(t *testing.T) {
	for _, tc := range []struct {
		addr           net.Addr
		endpoint, host string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}, "http://127.0.0.1:9000", "http://BUCKET.localhost:9000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9001}, "http://127.0.0.1:9001", "http://BUCKET.localhost:9001"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9002}, "http://127.0.0.1:9002", "http://BUCKET.localhost:9002"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9003}, "http://[::1]:9003", "http://BUCKET.localhost:9003"},
	} {
		e, v := displayEndpoints(tc.addr)
		if e != tc.endpoint || v != tc.host {
			t.Errorf("displayEndpoints(%v) = %s, %s", tc.addr, e, v)
		}
	}
}

func TestSizesAndTimes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "0.98 KiB", 1536: "1.50 KiB", 12 << 20: "12.0 MiB",
		123 << 30: "123 GiB", 1023 << 20: "1.00 GiB", 999 << 20: "999 MiB"} {
		if got := shortBytes(n); got != want {
			t.Errorf("shortBytes(%d) = %q, want %q", n, got, want)
		}
		if len(shortBytes(n)) > 8 {
			t.Errorf("shortBytes(%d) = %q is wider than 8", n, shortBytes(n))
		}
	}
	for n, want := range map[int64]string{0: "0 Bytes", 1: "1 Byte", 1023: "1023 Bytes", 1024: "1.0 KiB", 5 << 30: "5.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0:00", 4 * time.Second: "0:04", 61*time.Second + 400*time.Millisecond: "1:01", 2*time.Hour + 3*time.Minute + 4*time.Second: "2:03:04"} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%s) = %q, want %q", d, got, want)
		}
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressFrames(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newProgressBar(&out, 80, "photo.jpg", -1, false)
	p.now = clock.now
	feed := p.listener()

	feed(transfer.Event{Type: transfer.TransferStarted, Total: 32 << 20})
	clock.advance(50 * time.Millisecond)
	feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: 1 << 20}) // within the interval: not drawn
	clock.advance(2 * time.Second)
	feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: 11 << 20})
	clock.advance(time.Second)
	feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: -2 << 20}) // a retry takes bytes back
	clock.advance(time.Second)
	feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: 22 << 20})
	feed(transfer.Event{Type: transfer.TransferCompleted})
	p.finish()
	p.finish()

	want := []string{
		"photo.jpg    0% [>                 ]      0 B/32.0 MiB          --             ",
		"photo.jpg   37% [======>           ] 12.0 MiB/32.0 MiB  5.85 MiB/s  ETA 0:03   ",
		"photo.jpg   31% [=====>            ] 10.0 MiB/32.0 MiB  3.28 MiB/s  ETA 0:07   ",
		// Every byte sent, the last request running: drawn at once.
		"photo.jpg  100% [==================] 32.0 MiB/32.0 MiB  7.90 MiB/s  completing ",
		"photo.jpg  100% [==================] 32.0 MiB/32.0 MiB  7.90 MiB/s             ",
	}
	got := frames(t, out.String())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("frames:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range got {
		if len(f) > 79 {
			t.Errorf("frame of %d columns, more than 79 (80 less the last): %q", len(f), f)
		}
	}

	// Narrow: the bar goes, then the label shortens from the left.
	for _, tc := range []struct {
		width int
		label string
		want  string
	}{
		{60, "photo.jpg", "photo.jpg   37% 12.0 MiB/32.0 MiB  5.85 MiB/s  ETA 0:03   "},
		{60, "a/very/long/path/to/some/photo.jpg", "...oto.jpg   37% 12.0 MiB/32.0 MiB  5.85 MiB/s  ETA 0:03   "},
		{80, "a/very/long/path/to/some/photo.jpg", "...some/photo.jpg   37% [===>      ] 12.0 MiB/32.0 MiB  5.85 MiB/s  ETA 0:03   "},
		{100, "a/very/long/path/to/some/photo.jpg", "a/very/long/path/to/some/photo.jpg   37% [====>        ] 12.0 MiB/32.0 MiB  5.85 MiB/s  ETA 0:03   "},
	} {
		p := newProgressBar(io.Discard, tc.width, tc.label, 32<<20, false)
		p.start = clock.t.Add(-2*time.Second - 50*time.Millisecond)
		p.done = 12 << 20
		if got := p.frameLocked(clock.t); got != tc.want || len(got) > tc.width-1 {
			t.Errorf("width %d, label %q:\n got %q\nwant %q", tc.width, tc.label, got, tc.want)
		}
	}

	// A stream and a directory.
	p = newProgressBar(io.Discard, 80, "-", -1, false)
	p.start, p.done = clock.t.Add(-time.Second), 3<<20
	if got := p.frameLocked(clock.t); got != "-  3.00 MiB  3.00 MiB/s" {
		t.Errorf("stream frame %q", got)
	}
	p = newProgressBar(io.Discard, 80, "", 10<<20, true)
	p.start, p.done, p.files, p.failed = clock.t.Add(-time.Second), 5<<20, 3, 1
	if got := p.frameLocked(clock.t); got != "3 file(s), 1 failed   50% 5.00 MiB/10.0 MiB  5.00 MiB/s  ETA 0:01   " {
		t.Errorf("directory frame %q", got)
	}

	// A bar that never drew writes nothing, even when finished.
	var quiet bytes.Buffer
	newProgressBar(&quiet, 80, "x", -1, false).finish()
	if quiet.Len() != 0 {
		t.Errorf("an unused bar wrote %q", quiet.String())
	}
}

// TestProgressCompleting: the bytes that end a single transfer are drawn
// at once, as "completing", even within the interval, so that the bar
// does not sit short of 100% while the last request runs; a directory's
// bar never says it.
func TestProgressCompleting(t *testing.T) {
	for _, tc := range []struct {
		multi bool
		want  []string
	}{
		{false, []string{
			"big.bin  100% [====================] 10.0 MiB/10.0 MiB          --  completing ",
			"big.bin  100% [====================] 10.0 MiB/10.0 MiB          --             ",
		}},
		{true, []string{
			"0 file(s)  100% [==================] 10.0 MiB/10.0 MiB          --             ",
		}},
	} {
		var out bytes.Buffer
		clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		p := newProgressBar(&out, 80, "big.bin", -1, tc.multi)
		p.now = clock.now
		feed := p.listener()
		feed(transfer.Event{Type: transfer.TransferStarted, Total: 10 << 20})
		out.Reset()
		// Both within the interval of the first frame: only the end is
		// drawn, before the transfer completes.
		feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: 5 << 20})
		feed(transfer.Event{Type: transfer.BytesTransferred, Bytes: 5 << 20})
		p.finish()
		got := frames(t, out.String())
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("multi %v: frames:\n%s\nwant:\n%s", tc.multi, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestProgressAbove: result lines printed while the bar is drawn erase it
// and draw it again below, so that the two never share a line.
func TestProgressAbove(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Now()}
	p := newProgressBar(&out, 80, "f", 100, true)
	p.now = clock.now
	p.add(50)
	p.above(func() { out.WriteString("upload: f to s3://b/f\n") })
	s := out.String()
	i := strings.Index(s, "upload: f")
	if i < 0 || !strings.HasSuffix(s[:i], "\r"+eraseLine) || !strings.HasPrefix(s[i+len("upload: f to s3://b/f\n"):], "\r0 file(s)   50% [") {
		t.Errorf("output %q", s)
	}
}

func TestRunStepsReportsFailures(t *testing.T) {
	var stdout bytes.Buffer
	inv := &invocation{env: &env{stdout: &stdout, stderr: &stdout, getenv: func(string) string { return "" }}, opts: &options{}}
	front, err := newDemoFront(http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	defer front.close()
	d := &demo{inv: inv, front: front}
	passed, failed := d.runSteps(context.Background(), []demoStep{
		{"works", func(ctx context.Context, d *demo) error { d.say("fine"); return nil }},
		{"fails", func(ctx context.Context, d *demo) error { return check(1 == 2, "one is %d", 1) }},
		{"panics", func(ctx context.Context, d *demo) error { var m map[string]int; m["x"]++; return nil }},
		{"works too", func(ctx context.Context, d *demo) error { return nil }},
	})
	if passed != 2 || strings.Join(failed, ",") != "2,3" {
		t.Errorf("passed %d, failed %v", passed, failed)
	}
	for _, want := range []string{"[1/4] works\n      fine\n      ok\n", "[2/4] fails\n      FAILED: check failed: one is 1\n",
		"[3/4] panics\n      FAILED: panic: assignment to entry in nil map\n", "[4/4] works too\n      ok\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}
