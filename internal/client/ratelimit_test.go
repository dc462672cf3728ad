package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// arrivals is a test server that records when each request arrives and
// answers with a one-task page, after delay(n) for the n-th request.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) server(t *testing.T, delay func(n int) time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.times = append(a.times, time.Now())
		n := len(a.times)
		a.mu.Unlock()
		if delay != nil {
			select {
			case <-time.After(delay(n)):
			case <-r.Context().Done():
				return
			}
		}
		writeJSON(w, 200, map[string]any{"task_count": "1", "tasks": []map[string]string{{"id": "t1"}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (a *arrivals) sorted() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := slices.Clone(a.times)
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	return out
}

// listConcurrently starts n ListTasks at once, as Terraform reading n data
// sources does, and returns their errors.
func listConcurrently(ctx context.Context, c *Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"})
		})
	}
	wg.Wait()
	return errs
}

func TestMaxRequestsPerSecondSpacesRequests(t *testing.T) {
	const rps, n = 10, 21
	var a arrivals
	c := newTestClient(t, a.server(t, nil), func(cfg *Config) { cfg.MaxRequestsPerSecond = rps })
	start := time.Now()
	for i, err := range listConcurrently(context.Background(), c, n) {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	times := a.sorted()
	if len(times) != n {
		t.Fatalf("the server saw %d requests, want %d", len(times), n)
	}
	// Only lower bounds hold however busy the machine is: the limiter
	// releases the k-th request no earlier than k/rps after the first, and
	// a request arrives after its release. Windows of arrivals, as checked
	// before, bunch when the goroutines or the handler run late under load.
	// Without the limit all 21 arrive within a few milliseconds.
	for k, at := range times {
		if min := time.Duration(k) * time.Second / rps; at.Sub(start) < min-time.Millisecond {
			t.Errorf("request %d arrived %v after the start; at %d per second it cannot come before %v", k+1, at.Sub(start), rps, min)
		}
	}
}

func TestNoRateLimitByDefault(t *testing.T) {
	var a arrivals
	c := newTestClient(t, a.server(t, nil), nil)
	for _, err := range listConcurrently(context.Background(), c, 20) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if c.limiter != nil {
		t.Fatal("a client without MaxRequestsPerSecond has a limiter")
	}
	if len(a.sorted()) != 20 {
		t.Fatalf("the server saw %d requests, want 20", len(a.sorted()))
	}
}

func TestRateLimitWaitEndsAtTheCallersDeadline(t *testing.T) {
	var a arrivals
	c := newTestClient(t, a.server(t, nil), func(cfg *Config) { cfg.MaxRequestsPerSecond = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := listConcurrently(ctx, c, 4)
	// At one request a second, the first two fit in 1.5 s and the other two
	// can never be sent in time: they fail at once, as timeouts, instead of
	// waiting for a slot they cannot use.
	var ok, timedOut int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, context.DeadlineExceeded):
			timedOut++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 2 || timedOut != 2 {
		t.Errorf("%d succeeded and %d timed out, want 2 and 2", ok, timedOut)
	}
	if got := len(a.sorted()); got != 2 {
		t.Errorf("the server saw %d requests, want 2", got)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("returned after %v, long after the 1.5 s deadline", elapsed)
	}
}

func TestRateLimitWaitIsNotCountedAsAnAttempt(t *testing.T) {
	var a arrivals
	// At 2 per second the fourth request waits 1.5 s for its turn, five
	// times the attempt timeout; that wait must not time the attempt out
	// and cause a retry.
	c := newTestClient(t, a.server(t, nil), func(cfg *Config) {
		cfg.MaxRequestsPerSecond = 2
		cfg.AttemptTimeout = 300 * time.Millisecond
	})
	for _, err := range listConcurrently(context.Background(), c, 4) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(a.sorted()); got != 4 {
		t.Fatalf("the server saw %d requests, want 4 (no retries)", got)
	}
}

func TestStalledAttemptIsRetried(t *testing.T) {
	t.Run("then answered", func(t *testing.T) {
		var a arrivals
		c := newTestClient(t, a.server(t, func(n int) time.Duration {
			if n == 1 {
				return 10 * time.Second
			}
			return 0
		}), func(cfg *Config) { cfg.AttemptTimeout = 200 * time.Millisecond })
		page, err := listOnce(c)
		if err != nil || len(page.Tasks) != 1 {
			t.Fatalf("got %v, %v", page, err)
		}
		if got := len(a.sorted()); got != 2 {
			t.Fatalf("the server saw %d requests, want 2", got)
		}
	})
	t.Run("never answered", func(t *testing.T) {
		var a arrivals
		var calls atomic.Int32
		c := newTestClient(t, a.server(t, func(int) time.Duration { calls.Add(1); return 10 * time.Second }), func(cfg *Config) {
			cfg.AttemptTimeout = 100 * time.Millisecond
			two := 2
			cfg.MaxRetries = &two
		})
		_, err := listOnce(c)
		var re *RequestError
		if !errors.As(err, &re) || re.Attempts != 3 || !strings.Contains(err.Error(), "no complete answer within 100ms") {
			t.Fatalf("got %v", err)
		}
		// The caller's own deadline did not pass: this is not a timeout of
		// the read, and must not be reported as one.
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("an attempt timeout reads as the caller's deadline: %v", err)
		}
		if calls.Load() != 3 {
			t.Fatalf("%d attempts reached the server, want 3", calls.Load())
		}
	})
}
