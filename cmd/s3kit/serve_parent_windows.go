package main

// This file is the Windows side of serve's parent watch: Windows does not
// re-parent orphans, so there is no cheap standard-library way to see the
// parent go; the server runs until it is stopped.

import "context"

// exitWithParent does nothing on Windows.
func exitWithParent(context.CancelFunc) func() { return func() {} }
