//go:build linux && !arm

package transfer

// Flushing a download to stable storage on Linux (Config.DurableDownloads,
// see sync.go): sync_file_range hands each finished range to the kernel's
// write-back at once, and fdatasync flushes the file, while the ranges
// arrive and at the end.

import (
	"os"
	"syscall"
)

// syncWhileWriting: fdatasync may run while other goroutines write the
// file (it does not hold the file's lock while it waits for the disk).
const syncWhileWriting = true

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start the write-back of
// the range's dirty pages, without waiting for it.
const syncFileRangeWrite = 2

// startWriteback starts writing bytes off to off+n-1 of f to its disk and
// returns without waiting. It is a hint: a file system that refuses it
// (or a file that is no regular file) is flushed by syncData alone.
func startWriteback(f *os.File, off, n int64) {
	c, err := f.SyscallConn()
	if err != nil {
		return
	}
	c.Control(func(fd uintptr) {
		syscall.SyncFileRange(int(fd), off, n, syncFileRangeWrite)
	})
}

// syncData waits until f's data, and what is needed to read it back (its
// size), is on stable storage: fdatasync, which skips the timestamps that
// fsync would write too.
func syncData(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := c.Control(func(fd uintptr) {
		for {
			serr = syscall.Fdatasync(int(fd))
			if serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
