package transfer

// Config.DurableDownloads: DownloadFile's file is on stable storage before
// it is renamed into place, and the rename after it. A flush of the whole
// file at the end would stall the call for as long as the disk needs to
// write it (0.6 s of a 1.3 s download of 1 GiB, in issue 16), so the
// flush runs beside the transfer instead: every finished range is handed
// to the kernel's write-back at once (startWriteback), and, where
// syncWhileWriting says so, a goroutine flushes the file again whenever
// ranges have finished since its last flush, so that the disk's own cache
// is emptied as the data arrives too. The flush at the end then has only
// the last ranges left. The per-platform parts live in sync_linux.go and
// sync_other.go.

import (
	"os"
	"runtime"
	"sync"
)

// flusher writes back one download's file while its ranges arrive. Its
// methods may be called from any goroutine.
type flusher struct {
	f    *os.File
	kick chan struct{} // a range finished since the last flush
	done chan struct{} // closed when the goroutine has returned

	once sync.Once
	mu   sync.Mutex
	err  error // the first failed flush of the goroutine
}

func newFlusher(f *os.File) *flusher {
	fl := &flusher{f: f}
	if syncWhileWriting {
		fl.kick, fl.done = make(chan struct{}, 1), make(chan struct{})
		go fl.run()
	}
	return fl
}

// run flushes the file each time a range has finished since the last
// flush, until stop. A failed flush is kept for sync: on Linux an fsync
// reports a write-back error once, so a later one on the same file could
// succeed without the data.
func (fl *flusher) run() {
	defer close(fl.done)
	for range fl.kick {
		if err := syncData(fl.f); err != nil {
			fl.mu.Lock()
			if fl.err == nil {
				fl.err = err
			}
			fl.mu.Unlock()
		}
	}
}

// finished starts the write-back of the n bytes at off, which are all
// written, and wakes the goroutine.
func (fl *flusher) finished(off, n int64) {
	startWriteback(fl.f, off, n)
	if fl.kick != nil {
		select {
		case fl.kick <- struct{}{}:
		default: // a flush is already due
		}
	}
}

// stop ends the goroutine and waits for it.
func (fl *flusher) stop() {
	fl.once.Do(func() {
		if fl.kick != nil {
			close(fl.kick)
			<-fl.done
		}
	})
}

// sync stops the goroutine and returns once the whole file is on stable
// storage, or the first error of any of its flushes.
func (fl *flusher) sync() error {
	fl.stop()
	if fl.err != nil {
		return fl.err
	}
	return syncData(fl.f)
}

// syncDir flushes the entries of dir, where a file was just renamed, so
// that the new name survives a power loss. Windows cannot open a
// directory to sync it: there the rename is as durable as the file
// system makes it.
func syncDir(dir *os.Root) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := dir.Open(".")
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
