package main

// The progress bar on a real terminal: cp runs with its stderr on a
// pseudo-terminal (opened with the standard library's syscall package),
// without --force-progress, so that its own terminal detection and width
// come into play; and the exit codes of a command a signal stops there.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

// openPTY returns the two ends of a new pseudo-terminal, cols columns wide.
func openPTY(t *testing.T, cols uint16) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), req, uintptr(arg)); errno != 0 {
			master.Close()
			t.Fatalf("ioctl %#x on the pseudo-terminal: %v", req, errno)
		}
	}
	var unlock int32
	ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	var n uint32
	ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	ws := struct{ Row, Col, X, Y uint16 }{Row: 24, Col: cols}
	ioctl(syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Fatalf("opening /dev/pts/%d: %v", n, err)
	}
	return master, slave
}

// runOnTerminal runs the binary with its stderr on a pseudo-terminal and
// returns what it drew there, and its stdout.
func (c *cli) runOnTerminal(cols uint16, args ...string) (term, stdout string) {
	c.t.Helper()
	master, slave := openPTY(c.t, cols)
	defer master.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := readAll(ctx, master)
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	var sb strings.Builder
	cmd.Stdout, cmd.Stderr = &sb, slave
	err := cmd.Run()
	// With the last descriptor of the slave closed, reads of the master
	// end (EIO) once what was written has been read.
	slave.Close()
	if err != nil {
		c.t.Fatalf("s3kit %v: %v\nterminal: %q", args, err, <-out)
	}
	return <-out, sb.String()
}

func TestProgressBarOnTerminal(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.write("tty.bin", testData(4<<20, 10))
	term, stdout := c.runOnTerminal(70, "cp", "tty.bin", "s3://bkt/tty.bin", "--max-bandwidth", "8MB", "--multipart-threshold", "5MB")
	if stdout != "upload: tty.bin to s3://bkt/tty.bin\n" {
		t.Errorf("stdout: %q", stdout)
	}
	// The terminal's own width (70) bounds the frames.
	fs := frames(t, term)
	checkFrames(t, fs, "tty.bin", 70, true)
	// Once every byte is sent, while CompleteMultipartUpload runs, the
	// bar says so, before its last frame.
	if len(fs) < 2 || !strings.Contains(fs[len(fs)-2], "100% [") || !strings.Contains(fs[len(fs)-2], "completing") {
		t.Errorf("no \"completing\" frame before the last: %q", fs)
	}

	term, _ = c.runOnTerminal(70, "cp", "tty.bin", "s3://bkt/tty.bin", "--quiet")
	if term != "" {
		t.Errorf("--quiet drew on the terminal: %q", term)
	}
}

// TestSignalExitCodes: a command stopped by Ctrl-C (SIGINT) or SIGTERM
// cleans up as it always did (the multipart upload is aborted) and exits
// with the shell's code for the signal: 130 or 143. The signal is sent
// once the bar shows the upload under way.
func TestSignalExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			aborts := 0
			c := newCLI(t, s3test.WithRequestRecorder(func(r *http.Request) {
				if r.Method == http.MethodDelete && r.URL.Query().Has("uploadId") {
					mu.Lock()
					aborts++
					mu.Unlock()
				}
			}))
			c.srv.CreateBucket(t, "bkt")
			c.write("big.bin", testData(40<<20, 11))
			master, slave := openPTY(t, 80)
			defer master.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, binPath, "cp", "big.bin", "s3://bkt/big.bin", "--max-bandwidth", "4MB",
				"--multipart-threshold", "5MB", "--multipart-chunksize", "5MB")
			cmd.Dir, cmd.Env = c.dir, c.env
			var stdout strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, slave
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slave.Close()
			// Read the terminal until a frame shows bytes sent.
			var term strings.Builder
			buf := make([]byte, 4096)
			for !regexp.MustCompile(`[1-9]\d*% \[`).MatchString(term.String()) {
				n, err := master.Read(buf)
				if err != nil {
					t.Fatalf("the terminal ended before the upload started: %v\n%q", err, term.String())
				}
				term.Write(buf[:n])
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, master)
			err := cmd.Wait()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tc.code {
				t.Fatalf("exit: %v, want code %d; stdout %q", err, tc.code, stdout.String())
			}
			mu.Lock()
			defer mu.Unlock()
			if aborts != 1 {
				t.Errorf("%d AbortMultipartUpload request(s), want 1", aborts)
			}
			if keys := c.keys("bkt"); len(keys) != 0 {
				t.Errorf("the interrupted upload left %v", keys)
			}
		})
	}
}
