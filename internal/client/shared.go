package client

import (
	"context"
	"sync"
	"time"
)

// sharedCallTimeout bounds a call that several callers share, such as a
// project lookup or a password token request. The call runs detached from
// the caller that started it (another caller may still want its result),
// so without its own deadline it could outlive them all: with 6 attempts of
// 30 s and their backoff, a lookup against a server that never answers
// would go on for over three minutes. Two minutes leaves room for a few
// retries of the small IAM calls this covers.
const sharedCallTimeout = 2 * time.Minute

// flightGroup runs one call per key for all the callers that ask for it at
// the same time, like singleflight, but it also ends the call once every
// caller has stopped waiting, and never lets it run past its own timeout.
// The zero value is ready to use.
type flightGroup struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done    chan struct{}
	val     any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns the result of fn for key, starting fn unless a call for key is
// already running. fn gets a context that carries ctx's values but not its
// cancellation, and that ends after timeout, or as soon as no caller waits
// any longer. Each caller stops waiting when its own ctx ends, with ctx's
// error.
func (g *flightGroup) do(ctx context.Context, key string, timeout time.Duration, fn func(context.Context) (any, error)) (any, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*flightCall{}
	}
	call, ok := g.calls[key]
	if !ok {
		callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		call = &flightCall{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = call
		go func() {
			v, err := fn(callCtx)
			cancel()
			g.mu.Lock()
			call.val, call.err = v, err
			g.forget(key, call)
			g.mu.Unlock()
			close(call.done)
		}()
	}
	call.waiters++
	g.mu.Unlock()

	select {
	case <-call.done:
		return call.val, call.err
	case <-ctx.Done():
		g.mu.Lock()
		call.waiters--
		if call.waiters == 0 {
			// Nobody wants the result any more: stop the work, and let the
			// next caller start afresh instead of joining a cancelled call.
			call.cancel()
			g.forget(key, call)
		}
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}

// forget removes call from the group, unless key already names a newer
// call. g.mu must be held.
func (g *flightGroup) forget(key string, call *flightCall) {
	if g.calls[key] == call {
		delete(g.calls, key)
	}
}
