package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// request describes one API call.
type request struct {
	service   string
	region    string
	method    string
	path      []string // unescaped segments; each is escaped on its own
	query     url.Values
	body      any    // encoded as JSON when non-nil
	projectID string // sent as X-Project-Id when set
	language  string // sent as X-Language when set
	noAuth    bool   // only for obtaining a token
}

// response is a successful answer, its body already read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// RequestError is a request that got no usable HTTP answer: the network
// failed, or the body could not be read, on every attempt.
type RequestError struct {
	Method   string
	URL      string
	Attempts int
	Err      error
}

func (e *RequestError) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }

// DecodeError is a success status whose body is not the JSON expected.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	RequestID    string
	Err          error
	Excerpt      string
}

func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("%s %s: %d response could not be decoded (%v)", e.Method, e.Path, e.StatusCode, e.Err)
	if e.Excerpt != "" {
		msg += ": " + e.Excerpt
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ResponseTooLargeError is a body over MaxResponseBytes. It is not retried.
type ResponseTooLargeError struct{ Limit int64 }

func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("response body is larger than %d MiB; refusing to read it", e.Limit>>20)
}

// attemptKey carries an attemptState from do to the transport.
type attemptKey struct{}

// attemptState is what the transport needs to sign and log each attempt of
// one request. Attempts of one request run one after another, never at once.
type attemptState struct {
	body     []byte
	sign     bool
	attempts int
}

// do is the one request path: every call to the cloud goes through it. It
// authenticates, sets the common headers, retries, logs with secrets
// redacted, decodes failures into *APIError and, on success, the body into
// out (when non-nil). A password token rejected with 401 is renewed once.
func (c *Client) do(ctx context.Context, r request, out any) (*response, error) {
	ctx = c.logContext(ctx)
	renewed := false
	for {
		var token string
		if !r.noAuth && c.auth == AuthPassword {
			t, err := c.passwordToken(ctx, r.region, r.projectID)
			if err != nil {
				return nil, err
			}
			token = t.value
		}
		resp, err := c.send(ctx, r, token)
		if token != "" && !renewed && IsUnauthorized(err) {
			tflog.SubsystemDebug(ctx, logSubsystem, "IAM token rejected with 401; renewing it once", map[string]any{"region": r.region})
			c.dropToken(token)
			renewed = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if out != nil {
			if err := json.Unmarshal(resp.body, out); err != nil {
				return nil, &DecodeError{
					Method: r.method, Path: pathOf(r.path), StatusCode: resp.status,
					RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body),
				}
			}
		}
		return resp, nil
	}
}

// send makes one request, with retries, and returns its body.
func (c *Client) send(ctx context.Context, r request, passwordToken string) (*response, error) {
	u, err := c.requestURL(r)
	if err != nil {
		return nil, err
	}
	var body []byte
	if r.body != nil {
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("encoding the request body: %w", err)
		}
	}
	st := &attemptState{body: body}
	ctx = context.WithValue(ctx, attemptKey{}, st)

	var reqBody any
	if body != nil {
		reqBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, u.String(), reqBody)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=utf8")
	}
	if r.projectID != "" {
		req.Header.Set("X-Project-Id", r.projectID)
	}
	if r.language != "" {
		req.Header.Set("X-Language", r.language)
	}
	if !r.noAuth {
		switch c.auth {
		case AuthToken:
			req.Header.Set("X-Auth-Token", c.cfg.Token)
		case AuthPassword:
			req.Header.Set("X-Auth-Token", passwordToken)
		case AuthAKSK:
			if c.cfg.SecurityToken != "" {
				req.Header.Set("X-Security-Token", c.cfg.SecurityToken)
			}
			st.sign = true
		}
	}
	if body != nil {
		tflog.SubsystemTrace(ctx, logSubsystem, "request body", map[string]any{"method": r.method, "url": u.String(), "body": lazyBody{body, c.secrets}})
	}

	hresp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, u.String(), ctxErr)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &RequestError{Method: r.method, URL: u.String(), Attempts: st.attempts, Err: err}
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(hresp.Body) // already in memory: the transport read it
	if err != nil {
		return nil, &RequestError{Method: r.method, URL: u.String(), Attempts: st.attempts, Err: err}
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "response body", map[string]any{
		"method": r.method, "url": u.String(), "status": hresp.StatusCode,
		"headers": redactHeaders(hresp.Header), "body": lazyBody{data, c.secrets},
	})
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		// A gateway may quote the request back, credentials included.
		apiErr := decodeAPIError(hresp.StatusCode, hresp.Header, data, c.secrets.mask)
		apiErr.Method, apiErr.Path, apiErr.Attempts = r.method, u.EscapedPath(), st.attempts
		return nil, apiErr
	}
	return &response{status: hresp.StatusCode, header: hresp.Header, body: data}, nil
}

// requestURL joins the service's base URL, the escaped path segments and
// the query. The query goes on the wire exactly as the signer canonicalises
// it (sorted, %20 for spaces), as the official SDK sends it.
func (c *Client) requestURL(r request) (*url.URL, error) {
	base, err := c.BaseURL(r.service, r.region)
	if err != nil {
		return nil, err
	}
	u := *base
	escaped := make([]string, len(r.path))
	for i, seg := range r.path {
		escaped[i] = url.PathEscape(seg)
	}
	u.Path = base.Path + "/" + strings.Join(r.path, "/")
	u.RawPath = base.EscapedPath() + "/" + strings.Join(escaped, "/")
	u.RawQuery = signer.CanonicalQuery(r.query)
	return &u, nil
}

// pathOf renders path segments for messages.
func pathOf(segs []string) string {
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	return "/" + strings.Join(escaped, "/")
}

// attemptTransport signs and logs every attempt, and reads the body while
// still inside the retry loop, so that a connection dropped mid-body is
// retried like any other network failure.
type attemptTransport struct {
	base http.RoundTripper
	c    *Client
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st, _ := ctx.Value(attemptKey{}).(*attemptState)
	if st == nil {
		return nil, errors.New("request did not come through Client.do; this is always a bug in the provider, please report it")
	}
	st.attempts++
	// Wait for the rate limit before signing, so that the signature's
	// X-Sdk-Date is the time the request really leaves.
	var waited time.Duration
	if t.c.limiter != nil {
		start := time.Now()
		if err := t.c.limiter.Wait(ctx); err != nil {
			// Wait fails early when the deadline would pass while waiting.
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("waiting for max_requests_per_second: %w", context.DeadlineExceeded)
		}
		waited = time.Since(start)
	}
	if st.sign {
		// A RoundTripper must not change the caller's request; each attempt
		// is signed afresh so X-Sdk-Date stays within the gateway's window.
		req = req.Clone(ctx)
		if err := signer.Sign(req, st.body, t.c.cfg.AccessKey, t.c.cfg.SecretKey, t.c.now()); err != nil {
			return nil, err
		}
	}
	fields := map[string]any{"method": req.Method, "url": req.URL.String(), "attempt": st.attempts}
	if waited > 0 {
		fields["rate_limit_wait_ms"] = waited.Milliseconds()
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "request headers", map[string]any{"attempt": st.attempts, "headers": redactHeaders(req.Header)})

	// The attempt's own deadline starts after the rate limit's wait, so a
	// long queue behind max_requests_per_second never reads as a stalled
	// connection.
	attemptCtx, cancel := context.WithTimeout(ctx, t.c.attemptTimeout)
	defer cancel()
	req = req.WithContext(attemptCtx)

	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		var body []byte
		body, err = readBody(resp)
		if err == nil {
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
		}
	}
	if err != nil && ctx.Err() == nil && attemptCtx.Err() != nil {
		err = &attemptTimeoutError{limit: t.c.attemptTimeout}
	}
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = err.Error()
		tflog.SubsystemDebug(ctx, logSubsystem, "request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	tflog.SubsystemDebug(ctx, logSubsystem, "request done", fields)
	return resp, nil
}

// attemptTimeoutError is one attempt that got no complete answer in time.
// It is a net.Error that times out, so the attempt is retried; it is not a
// context.DeadlineExceeded, which means the caller's own deadline passed.
type attemptTimeoutError struct{ limit time.Duration }

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s", e.limit)
}
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > MaxResponseBytes {
		return nil, &ResponseTooLargeError{Limit: MaxResponseBytes}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	if len(body) > MaxResponseBytes {
		return nil, &ResponseTooLargeError{Limit: MaxResponseBytes}
	}
	return body, nil
}
