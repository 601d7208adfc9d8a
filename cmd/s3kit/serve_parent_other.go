//go:build !linux && !windows

package main

// This file makes "s3kit serve" exit with its parent on the Unix systems
// without prctl: it polls the parent process ID (serve_parent_poll.go).

import (
	"context"
	"os"
)

// exitWithParent calls stop when the parent process exits. The returned
// function ends the watch.
func exitWithParent(stop context.CancelFunc) func() {
	return pollParent(os.Getppid(), stop)
}
