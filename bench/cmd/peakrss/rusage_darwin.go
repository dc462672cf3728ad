package main

import (
	"os"
	"syscall"
)

// peakKiB is the child's maximum resident set size; macOS reports it in bytes.
func peakKiB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return ru.Maxrss / 1024, true
}

// sysProcAttr is the default: macOS has no parent-death signal.
func sysProcAttr() *syscall.SysProcAttr { return nil }
