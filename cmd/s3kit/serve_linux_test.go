package main

// Tests of serve that read /proc: it listens on one port only, and it
// exits when its parent is killed.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listeningSockets returns how many TCP sockets in the LISTEN state the
// process pid holds.
func listeningSockets(t *testing.T, pid int) int {
	t.Helper()
	listening := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) > 9 && fs[3] == "0A" { // TCP_LISTEN
				listening["socket:["+fs[9]+"]"] = true
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && listening[target] {
			n++
		}
	}
	return n
}

// TestServeOneListener: serve listens on the address it prints and on
// no other port.
func TestServeOneListener(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binPath, "serve", "--addr", "127.0.0.1:0", "--quiet")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=halt_on_error=1 atexit_sleep_ms=0"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	line := make([]byte, 64)
	n, _ := out.Read(line) // the endpoint, once listening
	if !strings.HasPrefix(string(line[:n]), "http://127.0.0.1:") {
		t.Fatalf("serve --quiet printed %q", line[:n])
	}
	if got := listeningSockets(t, cmd.Process.Pid); got != 1 {
		t.Errorf("serve holds %d listening sockets, want 1", got)
	}
}

// TestServeExitsWithParent: "go run ./cmd/s3kit serve &" leaves the go
// command as serve's parent; when it is killed, serve must stop too.
func TestServeExitsWithParent(t *testing.T) {
	t.Parallel()
	// A shell stands for the go command: it starts serve and waits.
	sh := exec.Command("/bin/sh", "-c", `"$0" serve --addr 127.0.0.1:0 --quiet & echo $!; wait`, binPath)
	sh.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=halt_on_error=1 atexit_sleep_ms=0"}
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 256)
	for !bytes.Contains(got, []byte("http://")) {
		n, err := out.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("serve printed %q: %v", got, err)
		}
	}
	pid, err := strconv.Atoi(strings.Fields(string(got))[0])
	if err != nil {
		t.Fatalf("no process ID in %q", got)
	}
	sh.Process.Kill()
	sh.Wait()
	// Patience for a loaded machine, not a speed check.
	deadline := time.Now().Add(time.Minute)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("serve still runs a minute after its parent was killed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie, exited but not yet reaped by
// its new parent, does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}
