//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package transfer

// A directory of DownloadDirectory's tree swapped for a symbolic link
// between its check and the creation of the file in it, made
// deterministic without a hook in the code: the resume journal, read in
// that interval, is a FIFO, so the download waits in it until the test,
// having swapped the directory, closes the FIFO's other end.

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestDownloadDirectorySwapBeforeCreate(t *testing.T) {
	for _, threads := range []bool{true, false} {
		t.Run(fmt.Sprintf("threads=%v", threads), func(t *testing.T) {
			h := newHostileS3(t)
			const key = "d/sub/f.bin"
			data := randBytes(2*testRange+3, 72)
			h.objects[key] = data
			h.listKeys = []string{key}
			dir, outside := t.TempDir(), t.TempDir()
			cfg := smallConfig()
			cfg.Resume, cfg.StateDir = true, t.TempDir()
			if !threads {
				cfg = noThreads(cfg)
			}
			m := h.manager(t, cfg)
			journal, err := m.journalPath("download", testBucket, key, "", filepath.Join(dir, "sub", "f.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(journal, 0o600); err != nil {
				t.Fatal(err)
			}
			type outcome struct {
				res *DirectoryResult
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				res, err := m.DownloadDirectory(context.Background(), testBucket, "d/", dir)
				done <- outcome{res, err}
			}()
			// Opening the FIFO for writing waits until the download opens
			// it to read its journal: it has checked (and created) dir/sub
			// and not yet created its temporary file.
			opened := make(chan *os.File, 1)
			go func() {
				w, _ := os.OpenFile(journal, os.O_WRONLY, 0)
				opened <- w
			}()
			var out outcome
			select {
			case w := <-opened:
				if err := os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "moved")); err != nil {
					t.Error(err)
				}
				if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
					t.Error(err)
				}
				w.Close() // an empty journal: ignored
				out = <-done
			case out = <-done:
				// Release the writer still waiting for a reader.
				r, _ := os.OpenFile(journal, os.O_RDONLY|syscall.O_NONBLOCK, 0)
				(<-opened).Close()
				r.Close()
				t.Fatalf("the download never read its journal: %v", out.err)
			}
			if out.err != nil {
				t.Fatalf("DownloadDirectory: %v", out.err)
			}
			var outsideFiles []string
			filepath.WalkDir(outside, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					outsideFiles = append(outsideFiles, p)
				}
				return nil
			})
			if len(outsideFiles) != 0 {
				t.Errorf("files written outside the directory: %v", outsideFiles)
			}
			// The file was written through the directory's open handle:
			// it is where the directory went.
			if got, err := os.ReadFile(filepath.Join(dir, "moved", "f.bin")); err != nil || !bytes.Equal(got, data) {
				t.Errorf("the moved directory holds %d bytes, %v", len(got), err)
			}
			if tmp := tempFiles(t, filepath.Join(dir, "moved")); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			if f := out.res.Files[0]; f.Path != filepath.Join(dir, "sub", "f.bin") {
				t.Errorf("path %q", f.Path)
			}
		})
	}
}
