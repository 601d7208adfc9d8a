package transfer

// renameIn with os.Root.Rename (Go 1.25), which renames relative to the
// directory the Root holds open, so that no path swapped in between can
// redirect it.

import "os"

// renameIn renames oldname to newname, both file names in dir.
func renameIn(dir *os.Root, oldname, newname string) error {
	return dir.Rename(oldname, newname)
}
