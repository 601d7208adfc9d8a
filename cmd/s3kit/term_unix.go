//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

// Terminal detection on Linux, macOS and the BSDs: the ioctl that reads a
// terminal's settings (getTermios, next door per system) succeeds only on
// a terminal (unlike a character-device check, which /dev/null passes).

import (
	"os"
	"syscall"
	"unsafe"
)

func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), getTermios, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

// terminalWidth returns the terminal's width in columns, or 0.
func terminalWidth(f *os.File) int {
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.Col)
}
