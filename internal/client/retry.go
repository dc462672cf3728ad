package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// checkRetry decides whether an attempt is worth repeating: throttling,
// gateway errors and transient network failures are; anything that would
// fail the same way again (4xx, TLS trust, a body too large) is not.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		return retryableError(err), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

func retryableError(err error) bool {
	var (
		tooLarge    *ResponseTooLargeError
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		certInvalid x509.CertificateInvalidError
		tlsRecord   tls.RecordHeaderError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &tooLarge), errors.As(err, &unknownAuth), errors.As(err, &hostname),
		errors.As(err, &certInvalid), errors.As(err, &tlsRecord):
		return false
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	}
	// net/http reports a connection the server closed before answering with
	// plain strings rather than typed errors.
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "server closed idle connection")
}

// backoff waits as the server asks with Retry-After, up to max, and
// otherwise exponentially from min with jitter, capped at max.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	d := minWait << min(attempt, 20) // the shift cap keeps the duration from overflowing
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	// Equal jitter: at least half the step, so waits keep growing, plus a
	// random half, so clients throttled together do not retry together.
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads Retry-After as delay-seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
