// Command peakrss stands in for the provider binary so that bench/run.sh can
// measure the provider's peak memory while Terraform drives it as usual.
//
// Built as terraform-provider-hwtasks into the folder that dev_overrides
// names, it runs the real provider, $HWTASKS_BENCH_PROVIDER, as its child:
// same arguments, environment, stdin, stdout (where the go-plugin handshake
// line goes) and stderr. It forwards SIGINT and SIGTERM, exits with the
// child's status, and appends one line to $HWTASKS_BENCH_RSS_FILE:
//
//	<peak RSS of the child in KiB> <child's wall time in ms> <child's CPU time in ms>
//
// Both the peak (the maximum resident set size) and the CPU time (user plus
// system) are the child's own, from the rusage that wait4 returns for it, so
// the wrapper's own memory and CPU are never part of them.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

// Environment variables the wrapper reads.
const (
	envProvider = "HWTASKS_BENCH_PROVIDER"
	envRSSFile  = "HWTASKS_BENCH_RSS_FILE"
)

func main() {
	// The parent-death signal of Linux follows the thread that started the
	// child, so keep that thread for the wrapper's whole life.
	runtime.LockOSThread()
	os.Exit(run())
}

func run() int {
	provider := os.Getenv(envProvider)
	if provider == "" {
		fmt.Fprintf(os.Stderr, "peakrss: %s must name the real provider binary\n", envProvider)
		return 1
	}
	cmd := exec.Command(provider, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = sysProcAttr()

	// Notify before Start, so that no signal is lost in between.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	elapsed := time.Since(began)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		return 1
	}

	if path := os.Getenv(envRSSFile); path != "" {
		kib, ok := peakKiB(cmd.ProcessState)
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if !ok {
			fmt.Fprintln(os.Stderr, "peakrss: this system reports no peak RSS")
		} else if err := appendLine(path, fmt.Sprintf("%d %d %d\n", kib, elapsed.Milliseconds(), cpu.Milliseconds())); err != nil {
			fmt.Fprintln(os.Stderr, "peakrss:", err)
		}
	}

	if code := cmd.ProcessState.ExitCode(); code >= 0 {
		return code
	}
	// Killed by a signal: report it the way a shell would.
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return 1
}

// appendLine appends one line with a single write, so that the lines of
// providers that end at the same time never interleave.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
