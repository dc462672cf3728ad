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
	domainID  string // sent as X-Domain-Id when set, for IAM's global calls
	// baseKeys signs with the base keys even when an agency is assumed: the
	// calls that obtain the agency's keys.
	baseKeys bool
}

// response is a successful answer, its body already read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// RequestError is a request that got no usable HTTP answer: the network
// failed, the body could not be read, or no attempt was answered within the
// attempt timeout (Err is then an *AttemptTimeoutError), on every attempt.
type RequestError struct {
	Method   string
	URL      string
	Attempts int
	Err      error

	// errText is Err's text made fit to show: the errors of net/http may
	// quote what the server sent, such as a malformed status line.
	errText string
}

// errTextOf is the text of err fit to show: errText when the client set it
// (masked, cleaned and cut), else err's own text cleaned and cut.
func errTextOf(errText string, err error) string {
	if errText != "" || err == nil {
		return errText
	}
	return CleanCut(err.Error(), MaxMessageRunes)
}

func (e *RequestError) Error() string {
	text := errTextOf(e.errText, e.Err)
	msg := fmt.Sprintf("%s %s: %s", e.Method, e.URL, text)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }

// NoAnswerError is a request still waiting for an answer when the caller's
// own context ended: its deadline passed (Err is context.DeadlineExceeded)
// or it was cancelled (context.Canceled). It names the endpoint that did
// not answer, so that the advice can be about that endpoint rather than
// about the caller's timeout.
type NoAnswerError struct {
	Method string
	// URL is the request's URL, secrets masked (it holds none).
	URL string
	// Attempts is how many attempts were started.
	Attempts int
	// Err is the context's error.
	Err error
}

// Error reads as "GET https://dms.example/v2/…: no answer before the
// deadline (after 2 attempts)".
func (e *NoAnswerError) Error() string {
	what := "no answer before the deadline"
	if errors.Is(e.Err, context.Canceled) {
		what = "no answer before the request was cancelled"
	}
	msg := fmt.Sprintf("%s %s: %s", e.Method, e.URL, what)
	switch {
	case e.Attempts == 1:
		msg += " (after 1 attempt)"
	case e.Attempts > 1:
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// Unwrap returns the context's error, so that errors.Is(err,
// context.DeadlineExceeded) holds.
func (e *NoAnswerError) Unwrap() error { return e.Err }

// DecodeError is a success status whose body is not the JSON expected.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	RequestID    string
	Err          error
	Excerpt      string

	// errText is Err's text made fit to show: a decoder's error may quote
	// the body.
	errText string
}

func (e *DecodeError) Error() string {
	text := errTextOf(e.errText, e.Err)
	msg := fmt.Sprintf("%s %s: %d response could not be decoded (%s)", e.Method, e.Path, e.StatusCode, text)
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
	keys     Keys
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
		var keys Keys
		switch {
		case r.noAuth:
		case c.auth == AuthPassword:
			t, err := c.passwordToken(ctx, r.region, r.projectID)
			if err != nil {
				return nil, err
			}
			token = t.value
		case c.signs():
			var err error
			if r.baseKeys || c.cfg.AssumeRole == nil {
				keys, err = c.baseKeys(ctx)
			} else {
				keys, err = c.signingKeys(ctx)
			}
			if err != nil {
				return nil, err
			}
		}
		resp, err := c.send(ctx, r, token, keys)
		if !renewed && IsUnauthorized(err) {
			// A token or temporary keys may end early (revoked, or renewed
			// by the service): get new ones, once.
			switch {
			case token != "":
				tflog.SubsystemDebug(ctx, logSubsystem, "IAM token rejected with 401; renewing it once", map[string]any{"region": r.region})
				c.dropToken(token)
				renewed = true
				continue
			case keys.temporary():
				tflog.SubsystemDebug(ctx, logSubsystem, "temporary keys rejected with 401; renewing them once", map[string]any{"region": r.region})
				c.dropKeys(keys)
				renewed = true
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if out != nil {
			if err := json.Unmarshal(resp.body, out); err != nil {
				return nil, &DecodeError{
					Method: r.method, Path: pathOf(r.path), StatusCode: resp.status,
					RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body),
					errText: c.ServerText(err.Error(), MaxMessageRunes),
				}
			}
		}
		return resp, nil
	}
}

// send makes one request, with retries, and returns its body.
func (c *Client) send(ctx context.Context, r request, passwordToken string, keys Keys) (*response, error) {
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
	st := &attemptState{body: body, keys: keys}
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
	if r.domainID != "" {
		req.Header.Set("X-Domain-Id", r.domainID)
	}
	if !r.noAuth {
		switch c.auth {
		case AuthToken:
			req.Header.Set("X-Auth-Token", c.cfg.Token)
		case AuthPassword:
			req.Header.Set("X-Auth-Token", passwordToken)
		case AuthAKSK, AuthMetadata:
			// Set before signing, so signed, as the official SDK does.
			if keys.SecurityToken != "" {
				req.Header.Set("X-Security-Token", keys.SecurityToken)
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
			return nil, &NoAnswerError{Method: r.method, URL: c.ServerText(u.String(), maxURLRunes), Attempts: st.attempts, Err: ctxErr}
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, c.requestError(r.method, u, st.attempts, err)
	}
	defer hresp.Body.Close()
	// The one place every answer passes: from here on, every requestID of
	// this response, on any error path of any file, is masked and cleaned.
	sanitizeRequestIDs(hresp.Header, c.secrets.mask)
	var data []byte
	if b, ok := hresp.Body.(*readBodyCloser); ok {
		data = b.data // the transport read it already: no second copy
	} else if data, err = io.ReadAll(hresp.Body); err != nil {
		return nil, c.requestError(r.method, u, st.attempts, err)
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "response body", map[string]any{
		"method": r.method, "url": u.String(), "status": hresp.StatusCode,
		"headers": redactHeaders(hresp.Header, c.secrets), "body": lazyBody{data, c.secrets},
	})
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		// A gateway may quote the request back, credentials included.
		apiErr := decodeAPIError(hresp.StatusCode, hresp.Header, data, c.secrets.mask)
		apiErr.Method, apiErr.Path, apiErr.Attempts = r.method, u.EscapedPath(), st.attempts
		return nil, apiErr
	}
	return &response{status: hresp.StatusCode, header: hresp.Header, body: data}, nil
}

// maxURLRunes bounds a URL in an error. Ours are short: a base URL, IDs and
// a few query parameters.
const maxURLRunes = 1024

// requestError builds a *RequestError fit to show: its URL and the text of
// err masked, cleaned and cut.
func (c *Client) requestError(method string, u *url.URL, attempts int, err error) *RequestError {
	return &RequestError{Method: method, URL: c.ServerText(u.String(), maxURLRunes), Attempts: attempts, Err: err,
		errText: c.ServerText(err.Error(), MaxMessageRunes)}
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
		// An empty, "." or ".." segment would make another path of the
		// signed one for any proxy that normalises paths. The provider
		// refuses such IDs at plan time; this is the last line.
		if seg == "" || seg == "." || seg == ".." {
			return nil, &InvalidPathSegmentError{Segment: seg, Path: pathOf(r.path)}
		}
		escaped[i] = url.PathEscape(seg)
	}
	u.Path = base.Path + "/" + strings.Join(r.path, "/")
	u.RawPath = base.EscapedPath() + "/" + strings.Join(escaped, "/")
	u.RawQuery = signer.CanonicalQuery(r.query)
	return &u, nil
}

// InvalidPathSegmentError is a request whose path would hold an empty,
// "." or ".." segment, such as an ID given as "..". It is never sent.
type InvalidPathSegmentError struct {
	Segment string
	// Path is the request's path, for messages.
	Path string
}

func (e *InvalidPathSegmentError) Error() string {
	return fmt.Sprintf("refusing to send %s: the segment %q is not an ID, and a proxy could turn the path into another", e.Path, e.Segment)
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
		if err := signer.Sign(req, st.body, st.keys.AccessKey, st.keys.SecretKey, t.c.now()); err != nil {
			return nil, err
		}
	}
	fields := map[string]any{"method": req.Method, "url": req.URL.String(), "attempt": st.attempts}
	if waited > 0 {
		fields["rate_limit_wait_ms"] = waited.Milliseconds()
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "request headers", map[string]any{"attempt": st.attempts, "headers": redactHeaders(req.Header, t.c.secrets)})

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
			resp.Body = &readBodyCloser{Reader: bytes.NewReader(body), data: body}
			resp.ContentLength = int64(len(body))
		}
	}
	if err != nil && ctx.Err() == nil && attemptCtx.Err() != nil {
		err = &AttemptTimeoutError{Limit: t.c.attemptTimeout}
	}
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = t.c.secrets.mask(err.Error())
		tflog.SubsystemDebug(ctx, logSubsystem, "request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	tflog.SubsystemDebug(ctx, logSubsystem, "request done", fields)
	return resp, nil
}

// AttemptTimeoutError is one attempt that got no complete answer within
// the attempt timeout. A *RequestError wraps it when the last attempt timed
// out. It is a net.Error that times out, so the attempt is retried; it is
// not a context.DeadlineExceeded, which means the caller's own deadline
// passed (see NoAnswerError).
type AttemptTimeoutError struct {
	// Limit is the attempt timeout.
	Limit time.Duration
}

func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s", e.Limit)
}

// Timeout is true: the attempt timed out.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// Temporary is true: another attempt may be answered.
func (e *AttemptTimeoutError) Temporary() bool { return true }

// readBodyCloser is a body already read whole, so that send can take the
// bytes instead of copying them again: a page may be many MiB.
type readBodyCloser struct {
	*bytes.Reader
	data []byte
}

func (*readBodyCloser) Close() error { return nil }

// maxPresizedBody bounds the buffer that readBody sizes from
// Content-Length; past it the buffer grows with what arrives.
const maxPresizedBody = 1 << 20

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > MaxResponseBytes {
		return nil, &ResponseTooLargeError{Limit: MaxResponseBytes}
	}
	// A buffer of the announced size, when there is one, instead of
	// io.ReadAll's doubling, which allocates about twice a large body; but
	// no more than a real page needs up front, so that a server announcing
	// 32 MiB and sending nothing cannot have them allocated.
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, maxPresizedBody)) + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseBytes+1)); err != nil {
		return nil, fmt.Errorf("reading the response body: %w", err)
	}
	if buf.Len() > MaxResponseBytes {
		return nil, &ResponseTooLargeError{Limit: MaxResponseBytes}
	}
	return buf.Bytes(), nil
}
