//go:build !windows

package main

// This file holds the portable watch of serve's parent: on Unix an orphan
// is handed to another process (init or a subreaper), so a parent process
// ID that changes means the parent has exited. Linux uses it only when
// prctl fails (serve_parent_linux.go).

import (
	"context"
	"os"
	"time"
)

// parentPollInterval is how often the parent process ID is read.
const parentPollInterval = 500 * time.Millisecond

// pollParent calls stop once the parent process ID is no longer ppid. The
// returned function ends the watch.
func pollParent(ppid int, stop context.CancelFunc) func() {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(parentPollInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if os.Getppid() != ppid {
					stop()
					return
				}
			}
		}
	}()
	return func() { close(done) }
}
