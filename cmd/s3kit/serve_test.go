package main

// Tests of serve and demo, and of the progress bar as cp draws it with
// --force-progress (pty_linux_test.go checks it on a real terminal).

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startServe runs "s3kit serve" and returns its endpoint and a function
// that interrupts it and returns the rest of its output and exit code.
func startServe(t *testing.T, args ...string) (endpoint string, stop func() (string, int)) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"serve"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=halt_on_error=1 atexit_sleep_ms=0"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	stopped := false
	stop = func() (string, int) {
		if stopped {
			return "", 0
		}
		stopped = true
		cmd.Process.Signal(os.Interrupt)
		var rest []string
		for l := range lines {
			rest = append(rest, l)
		}
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return strings.Join(rest, "\n"), code
	}
	t.Cleanup(func() { stop() })
	re := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)$`)
	timeout := time.After(2 * time.Minute) // patience for a hang, not a speed check
	var banner []string
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended early:\n%s", strings.Join(banner, "\n"))
			}
			banner = append(banner, l)
			if m := re.FindStringSubmatch(l); m != nil {
				endpoint = m[1]
			}
			if strings.HasPrefix(l, "Ctrl-C stops the server") {
				if endpoint == "" {
					t.Fatalf("no endpoint in the banner:\n%s", strings.Join(banner, "\n"))
				}
				return endpoint, stop
			}
		case <-timeout:
			t.Fatalf("serve printed no banner in 30s:\n%s", strings.Join(banner, "\n"))
		}
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	endpoint, stop := startServe(t, "--addr", "127.0.0.1:0", "--dir", data)
	c := newCLI(t)
	c.setenv("AWS_ENDPOINT_URL", endpoint)
	c.ok("mb", "s3://served")
	content := testData(6<<20+1, 4)
	c.write("f.bin", content)
	c.ok("cp", "f.bin", "s3://served/dir/f.bin", "--multipart-threshold", "5MB", "--multipart-chunksize", "5MB")
	// Virtual-hosted style through the server: served.localhost:port.
	port := endpoint[strings.LastIndex(endpoint, ":")+1:]
	vhost := []string{"--addressing-style", "virtual", "--endpoint-url", "http://localhost:" + port}
	r := c.ok(append([]string{"cp", "s3://served/dir/f.bin", "back.bin"}, vhost...)...)
	if string(c.read("back.bin")) != string(content) {
		t.Fatalf("the round trip through serve changed the bytes:\n%s", r)
	}
	r = c.ok(append([]string{"ls", "s3://served", "--recursive"}, vhost...)...)
	if !strings.HasSuffix(r.stdout, " 6291457 dir/f.bin\n") {
		t.Fatalf("ls through serve:\n%s", r)
	}
	// The address is taken: a second server cannot listen on it.
	c.fails(exitFailure, []string{"s3kit: serve: listen tcp 127.0.0.1:" + port, "address already in use"}, "serve", "--addr", "127.0.0.1:"+port)

	// Stopped by Ctrl-C: cleanly, with the shell's code for SIGINT.
	out, code := stop()
	if code != 130 || !strings.Contains(out, "s3kit serve: stopped") {
		t.Fatalf("interrupted serve: exit %d, output:\n%s", code, out)
	}
	// The data outlives the server.
	endpoint, stop = startServe(t, "--addr", "127.0.0.1:0", "--dir", data)
	c.setenv("AWS_ENDPOINT_URL", endpoint)
	if r := c.ok("cp", "s3://served/dir/f.bin", "-"); r.stdout != string(content) {
		t.Fatalf("after a restart the object holds %d bytes", len(r.stdout))
	}
	stop()
}

func TestDemo(t *testing.T) {
	if raceEnabled {
		// The demo moves a 20 MiB file a dozen times through a binary built
		// with -race, which checks every byte copied: a minute and a half
		// of a 2-core machine for what takes seven seconds without it.
		// The engine's and the manager's concurrency are checked under
		// -race by their own packages' tests.
		t.Skip("run without -race by make test's norace step: the race detector makes the demo's 20 MiB transfers 15 times slower")
	}
	t.Parallel()
	c := newCLI(t)
	// The demo must not depend on the user's configuration: give it a
	// broken one.
	c.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	c.setenv("AWS_PROFILE", "missing")
	r := c.run(nil, "demo")
	if r.code != 0 || strings.Contains(r.stdout, "FAILED") {
		t.Fatalf("demo failed:\n%s", r)
	}
	steps := demoSteps()
	for i, s := range steps {
		if want := "[" + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(steps)) + "] " + s.title + "\n"; !strings.Contains(r.stdout, want) {
			t.Errorf("the demo did not print step %q", want)
		}
	}
	// Each step ends "ok", or names what the server cannot check.
	ok, unchecked := strings.Count(r.stdout, "      ok\n"), strings.Count(r.stdout, "      not checked by this server: ")
	if ok+unchecked != len(steps) || unchecked != 2 {
		t.Errorf("want %d ok or not-checked lines, 2 of them not checked:\n%s", len(steps), r.stdout)
	}
	for _, want := range []string{"the ACL read back", "SourceClient across regions", "MetadataDirective REPLACE"} {
		if !regexp.MustCompile(`      not checked by this server: [^\n]*` + want).MatchString(r.stdout) {
			t.Errorf("no not-checked line names %q", want)
		}
	}
	if !regexp.MustCompile(`\ndemo: all 12 steps passed in [0-9hm.]+s\n$`).MatchString(r.stdout) {
		t.Errorf("no summary line at the end:\n%s", r.stdout)
	}
	for _, want := range []string{
		"virtual-hosted: PUT http://bucket-name.localhost:",
		"metadata read back: mykey=myvalue",
		"x-amz-acl: public-read sent",
		"MaxConcurrency 2 : 5 ranges, at most ",
		"one request at a time (peak 1)",
		"http.Get: 200 OK",
		"1000 bytes: 400 Bad Request EntityTooLarge",
		"presignpost.Verify (signature) and presignpost.Check (conditions)",
		"in 3 UploadPartCopy parts",
		"X-Amz-Expires=3600: 403 Forbidden SignatureDoesNotMatch",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr (not a terminal, so no progress bar): %q", r.stderr)
	}
	// --quiet: the summary alone.
	r = c.run(nil, "demo", "--quiet")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 || !strings.HasPrefix(r.stdout, "\ndemo: all 12 steps passed") {
		t.Errorf("demo --quiet:\n%s", r)
	}
}

// frames splits what a progress bar wrote into its frames, checking the
// framing: every frame starts with "\r" and ends with the erase-line
// sequence, and the bar ends erased.
func frames(t *testing.T, out string) []string {
	t.Helper()
	if !strings.HasSuffix(out, "\r"+eraseLine) {
		t.Fatalf("the bar does not end erased: %q", tail(out, 200))
	}
	var fs []string
	for _, part := range strings.Split(strings.TrimSuffix(out, "\r"+eraseLine), "\r")[1:] {
		f, ok := strings.CutSuffix(part, eraseLine)
		if !ok {
			t.Fatalf("frame %q does not end with the erase-line sequence", part)
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 {
		t.Fatalf("no frames in %q", out)
	}
	return fs
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

var pctRE = regexp.MustCompile(`\s(\d+)% `)

// checkFrames checks the frames of one transfer of known size: at most
// width-1 columns, percentages that never go back, from 0% to 100%, a
// rate, and a time left while the transfer runs; a bar when bar is set
// (there is room for one from about 70 columns).
func checkFrames(t *testing.T, fs []string, label string, width int, bar bool) {
	t.Helper()
	last := -1
	sawETA := false
	for _, f := range fs {
		if len(f) > width-1 {
			t.Errorf("frame of %d columns, wider than %d: %q", len(f), width-1, f)
		}
		if !strings.HasPrefix(f, label) {
			t.Errorf("frame %q does not start with %q", f, label)
		}
		m := pctRE.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("frame %q has no percentage", f)
		}
		if strings.Contains(f, "[") != bar {
			t.Errorf("frame %q: want a bar %v", f, bar)
		}
		pct, _ := strconv.Atoi(m[1])
		if pct < last {
			t.Errorf("the percentage went back from %d to %d", last, pct)
		}
		last = pct
		if strings.Contains(f, "ETA 0:") {
			sawETA = true
		}
	}
	if !strings.Contains(fs[0], " 0% ") || (bar && !strings.Contains(fs[0], " 0% [>")) {
		t.Errorf("the first frame is not at 0%%: %q", fs[0])
	}
	if l := fs[len(fs)-1]; !strings.Contains(l, "100% ") || (bar && !strings.Contains(l, "100% [====")) || !strings.Contains(l, "/s") {
		t.Errorf("the last frame is not a full bar with a rate: %q", l)
	}
	if len(fs) < 3 {
		t.Errorf("only %d frames for a transfer of about half a second: %q", len(fs), fs)
	}
	if !sawETA {
		t.Errorf("no frame shows the time left: %q", fs)
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	const size = 4 << 20
	c.write("slow.bin", testData(size, 5))
	// 8 MiB/s: half a second, five frames or so.
	slow := []string{"--max-bandwidth", "8MB/s", "--force-progress"}

	r := c.ok(append([]string{"cp", "slow.bin", "s3://bkt/slow.bin"}, slow...)...)
	if r.stdout != "upload: slow.bin to s3://bkt/slow.bin\n" {
		t.Errorf("stdout: %q", r.stdout)
	}
	checkFrames(t, frames(t, r.stderr), "slow.bin", 80, true)

	c.setenv("COLUMNS", "60")
	r = c.ok(append([]string{"cp", "s3://bkt/slow.bin", "back.bin"}, slow...)...)
	checkFrames(t, frames(t, r.stderr), "slow.bin", 60, false)
	c.unsetenv("COLUMNS")

	// A stream of unknown size: bytes and rate, no percentage.
	r = c.run(testData(size, 6), append([]string{"cp", "-", "s3://bkt/stream"}, slow...)...)
	fs := frames(t, r.stderr)
	for _, f := range fs {
		if !strings.HasPrefix(f, "-  ") || strings.Contains(f, "%") {
			t.Errorf("stream frame %q", f)
		}
	}
	if l := fs[len(fs)-1]; !strings.Contains(l, "4.00 MiB") {
		t.Errorf("last stream frame %q does not count 4 MiB", l)
	}

	// Many files: a count of files done.
	c.write("dir/a", testData(1<<20, 7))
	c.write("dir/b", testData(1<<20, 8))
	r = c.ok(append([]string{"cp", "dir", "s3://bkt/dir", "--recursive"}, slow...)...)
	fs = frames(t, r.stderr)
	if l := fs[len(fs)-1]; !strings.HasPrefix(l, "2 file(s)") || !strings.Contains(l, "100% [") {
		t.Errorf("last frame of a directory upload: %q", l)
	}

	// stderr is a pipe here: without --force-progress nothing is drawn,
	// and --quiet prints nothing at all.
	r = c.ok("cp", "slow.bin", "s3://bkt/again")
	if r.stderr != "" {
		t.Errorf("a bar on a pipe: %q", r.stderr)
	}
	r = c.ok("cp", "slow.bin", "s3://bkt/again", "--quiet")
	if r.stderr != "" || r.stdout != "" {
		t.Errorf("--quiet printed %q and %q", r.stdout, r.stderr)
	}
	r = c.ok("cp", "slow.bin", "s3://bkt/again", "--force-progress", "--no-progress")
	if r.stderr != "" {
		t.Errorf("--no-progress drew %q", r.stderr)
	}
}

// readAll reads r until it fails, for a pty whose reads end with EIO.
func readAll(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string, 1)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for ctx.Err() == nil {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		ch <- b.String()
	}()
	return ch
}
