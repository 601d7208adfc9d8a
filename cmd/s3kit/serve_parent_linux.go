package main

// This file makes "s3kit serve" exit with its parent on Linux: the kernel
// sends SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG), which main
// turns into a clean stop, so that "go run ./cmd/s3kit serve &" leaves no
// server behind when the go command is killed.

import (
	"context"
	"os"
	"syscall"
)

// exitWithParent arranges for stop to be called, through SIGTERM, when the
// parent process exits. The returned function ends the watch.
func exitWithParent(stop context.CancelFunc) func() {
	ppid := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0); errno != 0 {
		return pollParent(ppid, stop)
	}
	// The parent may have gone before the request took effect: the
	// process was then handed to another one.
	if os.Getppid() != ppid {
		stop()
	}
	return func() {}
}
