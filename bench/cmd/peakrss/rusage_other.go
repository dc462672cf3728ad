//go:build !linux && !darwin

package main

import (
	"os"
	"syscall"
)

// peakKiB reports nothing where the unit of Maxrss is not known.
func peakKiB(*os.ProcessState) (int64, bool) { return 0, false }

// sysProcAttr is the default.
func sysProcAttr() *syscall.SysProcAttr { return nil }
