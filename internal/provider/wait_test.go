package provider

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	t.Run("done on the third read", func(t *testing.T) {
		v, err := poll(context.Background(), time.Millisecond, func(_ context.Context, n int, _ time.Duration) (int, bool, error) {
			return n, n == 3, nil
		})
		if err != nil || v != 3 {
			t.Fatalf("got %d, %v", v, err)
		}
	})
	t.Run("deadline after reads keeps the last one", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := poll(ctx, 10*time.Millisecond, func(_ context.Context, n int, _ time.Duration) (int, bool, error) {
			return n * 10, false, nil
		})
		var wt *waitTimeout[int]
		if !errors.As(err, &wt) || wt.Reads < 1 || wt.Last != wt.Reads*10 || wt.LastSeen.IsZero() || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %#v (%v)", wt, err)
		}
	})
	t.Run("cancel is not a timeout", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		_, err := poll(ctx, time.Hour, func(context.Context, int, time.Duration) (int, bool, error) { return 1, false, nil })
		var wt *waitTimeout[int]
		if !errors.Is(err, context.Canceled) || errors.As(err, &wt) || time.Since(start) > 5*time.Second {
			t.Fatalf("got %v after %s", err, time.Since(start))
		}
	})
	t.Run("deadline before any read succeeded stays the read's error", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		<-ctx.Done()
		readErr := errors.New("read failed: " + context.DeadlineExceeded.Error())
		_, err := poll(ctx, time.Millisecond, func(context.Context, int, time.Duration) (int, bool, error) { return 0, false, readErr })
		var wt *waitTimeout[int]
		if !errors.Is(err, readErr) || errors.As(err, &wt) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a read error ends the wait", func(t *testing.T) {
		readErr := errors.New("404")
		_, err := poll(context.Background(), time.Millisecond, func(_ context.Context, n int, _ time.Duration) (int, bool, error) {
			if n == 2 {
				return 0, false, readErr
			}
			return n, false, nil
		})
		if !errors.Is(err, readErr) {
			t.Fatalf("got %v", err)
		}
	})
}
