package transfer

// The flusher of DurableDownloads (sync.go), on its own.

import (
	"os"
	"path/filepath"
	"testing"
)

// A flusher reports a failed flush, whether its goroutine or the final
// flush met it, and its goroutine ends on sync and on stop, called in any
// order and more than once.
func TestFlusher(t *testing.T) {
	for _, tc := range []struct {
		name    string
		closed  bool // the file is closed under the flusher: every flush fails
		stop    bool // stop before sync, as a failed download does
		wantErr bool
	}{
		{"flushed", false, false, false},
		{"stopped first", false, true, false},
		{"failed flush", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "f"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fl := newFlusher(f)
			for i := range int64(4) {
				if tc.closed && i == 2 {
					f.Close()
				}
				if _, err := f.WriteAt(make([]byte, 4096), i*4096); err != nil && !tc.closed {
					t.Fatal(err)
				}
				fl.finished(i*4096, 4096)
			}
			if tc.stop {
				fl.stop()
			}
			err = fl.sync()
			if (err != nil) != tc.wantErr {
				t.Errorf("sync: %v, want an error: %v", err, tc.wantErr)
			}
			fl.stop()
			checkNoWorkers(t)
		})
	}
}
