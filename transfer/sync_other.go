//go:build !linux || arm

package transfer

// Flushing a download to stable storage where there is no
// sync_file_range (Config.DurableDownloads, see sync.go), or where package
// syscall does not offer it (32-bit ARM Linux, whose call takes its
// arguments in another order): the flush at the end does it all.

import "os"

// syncWhileWriting: no flushes during the transfer; on macOS each one is
// a full flush of the drive's cache (F_FULLFSYNC), for every file on it.
const syncWhileWriting = false

// startWriteback does nothing here: syncData flushes the whole file.
func startWriteback(*os.File, int64, int64) {}

// syncData waits until f's data is on stable storage (on macOS, os.File's
// Sync asks the drive to flush its cache too: F_FULLFSYNC).
func syncData(f *os.File) error { return f.Sync() }
