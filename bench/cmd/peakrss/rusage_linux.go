package main

import (
	"os"
	"syscall"
)

// peakKiB is the child's maximum resident set size; Linux reports it in KiB.
func peakKiB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return ru.Maxrss, true
}

// sysProcAttr kills the child if the wrapper dies first, for instance when
// Terraform kills a provider that did not stop in time: no provider outlives
// the benchmark.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
