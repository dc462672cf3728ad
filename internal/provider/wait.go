package provider

import (
	"context"
	"time"
)

const (
	defaultPollInterval = 5 * time.Second
	minPollInterval     = 100 * time.Millisecond
)

// pollUntil calls check until it reports done or fails, waiting interval
// between calls. It returns at once when ctx ends, with ctx's error.
func pollUntil(ctx context.Context, interval time.Duration, check func(context.Context) (bool, error)) error {
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
