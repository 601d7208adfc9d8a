//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package main

// Terminal detection elsewhere (Windows consoles, Plan 9...): a character
// device that is not the null device. It errs on the side of a bar
// nobody sees, never of garbage in a file.

import "os"

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return false
	}
	return true
}

// terminalWidth returns 0: the width comes from $COLUMNS or the default.
func terminalWidth(*os.File) int { return 0 }
