package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const (
	defaultPollInterval = 5 * time.Second
	minPollInterval     = 100 * time.Millisecond
)

// readLimits returns how long a read may take (timeouts.read, or def) and
// how often it polls (poll_interval, or defaultPollInterval). poll_interval
// is a plain string, not timetypes.GoDuration: that type's own validation
// gives a generic message before goDuration can say what was meant.
func readLimits(ctx context.Context, t timeouts.Value, def time.Duration, pollInterval types.String, diags *diag.Diagnostics) (timeout, interval time.Duration) {
	timeout, d := t.Read(ctx, def)
	diags.Append(d...)
	interval = defaultPollInterval
	if !pollInterval.IsNull() && !pollInterval.IsUnknown() {
		var err error
		if interval, err = time.ParseDuration(pollInterval.ValueString()); err != nil {
			// goDuration has already rejected it at plan time.
			diags.AddAttributeError(path.Root("poll_interval"), "Invalid poll_interval", err.Error())
		}
	}
	return timeout, interval
}

// readTimeouts are a data source's timeouts block, its default read
// timeout and its poll_interval.
type readTimeouts struct {
	timeouts     timeouts.Value
	def          time.Duration
	pollInterval types.String
}

// waitTimeout is a wait that ran out of time after at least one read. It
// keeps what was read last, so that the message can say where things stood.
type waitTimeout[T any] struct {
	Last     T
	LastSeen time.Time
	Reads    int
	Waited   time.Duration
	Err      error
}

func (e *waitTimeout[T]) Error() string { return "timed out waiting: " + e.Err.Error() }
func (e *waitTimeout[T]) Unwrap() error { return e.Err }

// poll calls read until it reports done, waiting interval between calls,
// and returns the last value read. read gets the number of this read
// (from 1) and the time since the first. When ctx ends, poll returns at
// once: with a *waitTimeout[T] when ctx's deadline passed after at least
// one successful read, otherwise with the error as it is (a Ctrl-C stays a
// context.Canceled, never a timeout).
func poll[T any](ctx context.Context, interval time.Duration, read func(ctx context.Context, n int, elapsed time.Duration) (T, bool, error)) (T, error) {
	started := time.Now()
	var (
		zero, last T
		lastSeen   time.Time
		reads      int
	)
	for {
		v, done, err := read(ctx, reads+1, time.Since(started))
		if err == nil {
			reads++
			last, lastSeen = v, time.Now()
			if done {
				return v, nil
			}
			t := time.NewTimer(interval)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
				err = ctx.Err()
			}
		}
		if reads > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return zero, &waitTimeout[T]{Last: last, LastSeen: lastSeen, Reads: reads, Waited: time.Since(started), Err: err}
		}
		return zero, err
	}
}
