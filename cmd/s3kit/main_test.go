package main

// The command's tests drive the built binary, as a user would, against
// the in-process server (internal/testkit/s3test). TestMain builds it once per
// test binary, with -race when the tests run with -race, so that the
// command's own concurrency is checked too. In-process unit tests of the
// pieces (options, filters, the progress bar's frames, error formatting)
// are in unit_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

// binPath is the built s3kit, set by TestMain.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "s3kit-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "s3kit")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building s3kit:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool returns the go command of the toolchain running the tests.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if runtime.GOOS == "windows" {
		p += ".exe"
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// cli runs the binary against one server, in an environment of its own:
// nothing of the machine's AWS_* settings or files reaches it.
type cli struct {
	t   *testing.T
	srv *s3test.Server
	dir string   // a scratch directory, the commands' working directory
	env []string // the child's whole environment
}

func newCLI(t *testing.T, opts ...s3test.Option) *cli {
	t.Helper()
	srv := s3test.New(t, opts...)
	dir := t.TempDir()
	c := &cli{t: t, srv: srv, dir: dir}
	c.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-credentials"),
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=" + srv.URL,
		// Connection failures are retried with backoff; keep the tests
		// of unreachable endpoints short.
		"AWS_MAX_ATTEMPTS=2",
		// Without keys, the credentials chain would ask EC2 instance
		// metadata (169.254.169.254); tests stay on loopback.
		"AWS_EC2_METADATA_DISABLED=true",
	}
	if raceEnabled {
		// The race runtime sleeps a second at exit by default, for other
		// threads to report; the tests run the binary a hundred times.
		c.env = append(c.env, "GORACE=halt_on_error=1 atexit_sleep_ms=0")
	}
	return c
}

// setenv replaces (or adds) one variable of the child's environment.
func (c *cli) setenv(name, value string) {
	for i, kv := range c.env {
		if strings.HasPrefix(kv, name+"=") {
			c.env[i] = name + "=" + value
			return
		}
	}
	c.env = append(c.env, name+"="+value)
}

func (c *cli) unsetenv(name string) {
	for i, kv := range c.env {
		if strings.HasPrefix(kv, name+"=") {
			c.env = append(c.env[:i], c.env[i+1:]...)
			return
		}
	}
}

// result is what a run of the binary did.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r result) String() string {
	return fmt.Sprintf("s3kit %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs the binary with args and stdin, in c.dir.
func (c *cli) run(stdin []byte, args ...string) result {
	c.t.Helper()
	// A hang detector, not a speed check: the race-built binary on a
	// loaded 2-core machine has taken minutes for the demo.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("running s3kit %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "WARNING: DATA RACE") {
		c.t.Fatalf("data race in s3kit:\n%s", r)
	}
	return r
}

// ok runs the binary and fails the test unless it exits 0.
func (c *cli) ok(args ...string) result {
	c.t.Helper()
	r := c.run(nil, args...)
	if r.code != exitOK {
		c.t.Fatalf("want exit 0, got:\n%s", r)
	}
	return r
}

// fails runs the binary, wants the exit code code and exactly one line
// on stderr containing each of wants (a usage error adds the usage line).
func (c *cli) fails(code int, wants []string, args ...string) result {
	c.t.Helper()
	r := c.run(nil, args...)
	if r.code != code {
		c.t.Fatalf("want exit %d, got:\n%s", code, r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	wantLines := 1
	if code == exitUsage && strings.Contains(r.stderr, "\nusage: ") {
		wantLines = 2
	}
	if len(lines) != wantLines || !strings.HasPrefix(lines[0], "s3kit: ") {
		c.t.Errorf("want the error on one line starting with \"s3kit: \", got:\n%s", r)
	}
	for _, w := range wants {
		if !strings.Contains(lines[0], w) {
			c.t.Errorf("error line lacks %q:\n%s", w, r)
		}
	}
	return r
}

// write creates a file under c.dir with data and returns its path
// relative to c.dir (the commands run there).
func (c *cli) write(rel string, data []byte) string {
	c.t.Helper()
	p := filepath.Join(c.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		c.t.Fatal(err)
	}
	return rel
}

func (c *cli) read(rel string) []byte {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(rel)))
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// keys lists the keys of a bucket through the server's backend.
func (c *cli) keys(bucket string) []string {
	c.t.Helper()
	list, err := c.srv.Backend().ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		c.t.Fatalf("listing %s: %v", bucket, err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys
}

// testData returns n bytes that differ from those of other seeds.
func testData(n int, seed byte) []byte {
	return demoData(n, uint64(seed)+100)
}
