package main

import "syscall"

// getTermios is Linux's ioctl that reads a terminal's settings (term_unix.go).
const getTermios = syscall.TCGETS
