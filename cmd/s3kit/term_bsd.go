//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package main

import "syscall"

// getTermios is the ioctl that reads a terminal's settings on macOS and the
// BSDs (term_unix.go).
const getTermios = syscall.TIOCGETA
