package main

// The progress bar on a real terminal: cp runs with its stderr on a
// pseudo-terminal (opened with the standard library's syscall package),
// without --force-progress, so that its own terminal detection and width
// come into play.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
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
	term, stdout := c.runOnTerminal(70, "cp", "tty.bin", "s3://bkt/tty.bin", "--max-bandwidth", "8MB")
	if stdout != "upload: tty.bin to s3://bkt/tty.bin\n" {
		t.Errorf("stdout: %q", stdout)
	}
	// The terminal's own width (70) bounds the frames.
	checkFrames(t, frames(t, term), "tty.bin", 70, true)

	term, _ = c.runOnTerminal(70, "cp", "tty.bin", "s3://bkt/tty.bin", "--quiet")
	if term != "" {
		t.Errorf("--quiet drew on the terminal: %q", term)
	}
}
