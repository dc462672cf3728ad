package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// hostileEcho is what a careless gateway sends back of a credential: the
// value raw and URL-encoded, between bars, and a terminal escape code.
func hostileEcho(secret string) string {
	return "| " + secret + " | " + url.QueryEscape(secret) + " |\x1b[2J"
}

// wantNoSecretShown fails when msg holds a secret in any form, or a
// control character.
func wantNoSecretShown(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(msg, s) || strings.Contains(decodeOnce(msg), s) {
			t.Errorf("message holds the secret %q: %s", s, msg)
		}
	}
	if strings.ContainsAny(msg, "\x1b\x07\r\n\u202e") {
		t.Errorf("message holds a control character: %q", msg)
	}
}

// TestRequestIDIsMaskedOnEveryErrorPath: a server that echoes a
// credential in X-Request-Id (or X-IAM-Trace-Id) must not get it printed,
// on any error path, whichever file builds the error.
func TestRequestIDIsMaskedOnEveryErrorPath(t *testing.T) {
	type setup struct {
		name    string
		mutate  func(*Config)
		secret  string // the credential the server echoes
		header  string
		handler func(w http.ResponseWriter, r *http.Request)
		call    func(c *Client) error
	}
	emptyTasks := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"task_count":"0","tasks":[]}`)
	}
	cases := []setup{
		{"an API error, echoing the security token", func(c *Config) { c.SecurityToken = testSTS }, testSTS, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"error_code":"DMS.00404022","error_msg":"This DMS instance does not exist."}`)
			},
			func(c *Client) error { _, err := listOnce(c); return err }},
		{"an API error, echoing the access key", nil, testAK, "X-IAM-Trace-Id",
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
			func(c *Client) error { _, err := listOnce(c); return err }},
		{"a decode error of a task page", func(c *Config) { c.Token = tokenLike }, tokenLike, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"task_count":"1","tasks":[{"id":`)
			},
			func(c *Client) error { _, err := listOnce(c); return err }},
		{"a decode error of a job", func(c *Config) { c.Token = tokenLike }, tokenLike, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `not json`) },
			func(c *Client) error {
				_, err := c.GetJob(context.Background(), GaussDBJobs, testRegion, testProject, "j", "")
				return err
			}},
		{"a job missing from its answer", func(c *Config) { c.Token = tokenLike }, tokenLike, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"jobs":[]}`) },
			func(c *Client) error {
				_, err := c.GetJob(context.Background(), GaussDBJobs, testRegion, testProject, "j", "")
				return err
			}},
		{"a task missing from its answer", func(c *Config) { c.Token = tokenLike }, tokenLike, "X-Request-Id", emptyTasks,
			func(c *Client) error {
				_, err := c.GetTask(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "t")
				return err
			}},
		{"a project lookup that finds no project", nil, testSK, "X-IAM-Trace-Id",
			func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"projects":[]}`) },
			func(c *Client) error { _, err := c.ProjectID(context.Background(), "eu-west-101"); return err }},
		{"a token request answered without a token", passwordConfig, testPass, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"token":{"expires_at":"2099-01-01T00:00:00Z"}}`)
			},
			func(c *Client) error { _, err := listOnce(c); return err }},
		{"a token request refused", passwordConfig, testPass, "X-Request-Id",
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"error":{"code":401,"message":"The username or password is wrong."}}`)
			},
			func(c *Client) error { _, err := c.ProjectID(context.Background(), testRegion); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set(tc.header, hostileEcho(tc.secret))
				tc.handler(w, r)
			}))
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) {
				cfg.MaxRetries = new(int)
				if tc.mutate != nil {
					tc.mutate(cfg)
				}
			})
			err := tc.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			wantNoSecretShown(t, err.Error(), testAK, testSK, testSTS, testPass, tokenLike)
			if !strings.Contains(err.Error(), `| *** | *** |\x1b[2J`) {
				t.Errorf("message %q does not give the request id, masked and cleaned", err.Error())
			}
		})
	}
}

func TestRequestIDIsCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", strings.Repeat("r", 4000))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	_, err := listOnce(newTestClient(t, srv, nil))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RequestID != strings.Repeat("r", maxRequestIDRunes)+"… (3872 more characters)" {
		t.Fatalf("got %v", err)
	}
}

// TestServerTextInErrorsIsCleanedAndMasked: an API error's code and
// message, and the excerpts of bodies that are not what was expected, hold
// no terminal escape and no secret in any encoding.
func TestServerTextInErrorsIsCleanedAndMasked(t *testing.T) {
	const fakeApply = "\x1b[2J\x1b[H\x1b[32mApply complete!\x07 Resources: 0 added\r\n\u202eevil"
	fakeApplyJSON := strings.Trim(jsonString(fakeApply), `"`)
	encoded := strings.NewReplacer("+", "&#43;", "/", "&#x2F;", "=", "&equals;").Replace(tokenLike)
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"an API error", `{"error_code":"DMS.0\u001b[31m","error_msg":"` + fakeApplyJSON + ` token MIIsecretTOKEN\u002Babc\u002Fdef\u003D\u003D"}`, http.StatusBadRequest,
			`400 DMS.0\x1b[31m \x1b[2J\x1b[H\x1b[32mApply complete!\x07 Resources: 0 added\r\n\u202eevil token ***`},
		// The excerpt is quoted as a Go string, so its escapes show with
		// a second backslash.
		{"an HTML page", "<html><body>" + fakeApply + " " + encoded + "</body></html>", http.StatusBadGateway,
			`502 Bad Gateway, with a body that is not an API error: ` +
				strconv.Quote(`\x1b[2J\x1b[H\x1b[32mApply complete!\x07 Resources: 0 added \u202eevil ***`)},
		{"a body that does not decode", "\x1b]0;title\x07{" + encoded, http.StatusOK,
			`could not be decoded (invalid character '\x1b' looking for beginning of value): \x1b]0;title\x07{***`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) { cfg.Token = tokenLike; cfg.MaxRetries = new(int) })
			_, err := c.GetJob(context.Background(), GaussDBJobs, testRegion, testProject, "j", "")
			if err == nil {
				t.Fatal("no error")
			}
			wantNoSecretShown(t, err.Error(), tokenLike)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q\ndoes not say %q", err.Error(), tc.want)
			}
		})
	}
}

// TestNetworkErrorTextIsMasked: net/http quotes a malformed answer in its
// error; a credential in it is masked there too.
func TestNetworkErrorTextIsMasked(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				// No space: the whole line is quoted as a malformed response.
				_, _ = io.WriteString(conn, tokenLike+url.QueryEscape(tokenLike)+"\r\n\r\n")
			}()
		}
	}()
	c, err := New(Config{Region: testRegion, Token: tokenLike, MaxRetries: new(int),
		Endpoints: map[string]string{"dms": "http://" + l.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = listOnce(c)
	var re *RequestError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "malformed HTTP response") {
		t.Fatalf("got %T %v", err, err)
	}
	wantNoSecretShown(t, err.Error(), tokenLike)
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// stalled is a server that never answers, until the request goes away.
func stalled(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestNoAnswerNamesTheEndpoint: when the caller's deadline passes, or the
// caller cancels, while a request still waits for its answer, the error
// says which endpoint did not answer, and how often it was tried; it still
// is the context's error to errors.Is.
func TestNoAnswerNamesTheEndpoint(t *testing.T) {
	srv := stalled(t)
	wantURL := srv.URL + "/v2/" + testProject + "/instances/i/tasks"
	cases := []struct {
		name           string
		attemptTimeout time.Duration
		cancel         bool
		wantErr        error
		wantText       string
	}{
		{"deadline during the only attempt", time.Minute, false, context.DeadlineExceeded, "no answer before the deadline (after 1 attempt)"},
		{"deadline after attempts timed out", 100 * time.Millisecond, false, context.DeadlineExceeded, "no answer before the deadline (after "},
		{"cancelled", time.Minute, true, context.Canceled, "no answer before the request was cancelled (after 1 attempt)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, srv, func(cfg *Config) {
				cfg.AttemptTimeout = tc.attemptTimeout
				cfg.RetryWaitMax = time.Millisecond
			})
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			if tc.cancel {
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			start := time.Now()
			_, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"})
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Fatalf("returned after %v", elapsed)
			}
			var na *NoAnswerError
			if !errors.As(err, &na) || !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %T %v, want a *NoAnswerError of %v", err, err, tc.wantErr)
			}
			if na.Method != http.MethodGet || na.URL != wantURL || na.Attempts < 1 {
				t.Fatalf("got %+v", na)
			}
			if want := "GET " + wantURL + ": " + tc.wantText; !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("message %q\ndoes not start %q", err.Error(), want)
			}
			if tc.attemptTimeout < time.Second && na.Attempts < 2 {
				t.Fatalf("%d attempts; with 100 ms per attempt, want several", na.Attempts)
			}
		})
	}
}

// TestEveryAttemptTimedOut: a server that never answers within the
// attempt timeout ends in a *RequestError that wraps *AttemptTimeoutError
// and names the endpoint; the caller's deadline did not pass.
func TestEveryAttemptTimedOut(t *testing.T) {
	srv := stalled(t)
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.AttemptTimeout = 50 * time.Millisecond
		two := 2
		cfg.MaxRetries = &two
	})
	_, err := listOnce(c)
	var (
		re     *RequestError
		at     *AttemptTimeoutError
		netErr net.Error
	)
	if !errors.As(err, &re) || !errors.As(err, &at) || at.Limit != 50*time.Millisecond {
		t.Fatalf("got %T %v, want a *RequestError wrapping an *AttemptTimeoutError", err, err)
	}
	if !errors.As(err, &netErr) || !netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v: want a net.Error that times out, not the caller's deadline", err)
	}
	want := "GET " + srv.URL + "/v2/" + testProject + "/instances/i/tasks: no complete answer within 50ms (after 3 attempts)"
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err.Error(), want)
	}
}

// TestDefaultAttemptTimeout: a server that never answers holds a read for
// at most 6 attempts of 30 s at the defaults, not 6 of 2 minutes.
func TestDefaultAttemptTimeout(t *testing.T) {
	c, err := New(Config{Region: testRegion, Token: tokenLike})
	if err != nil {
		t.Fatal(err)
	}
	if c.attemptTimeout != 30*time.Second {
		t.Fatalf("attempt timeout %v, want 30s", c.attemptTimeout)
	}
}

// TestTraceLogMasksEncodedSecrets: the Trace log of an answer that echoes
// the token URL-encoded in a Location header and \u-escaped in its body
// holds the token in no form.
func TestTraceLogMasksEncodedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://idp.example/cb?token="+url.QueryEscape(tokenLike))
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error_code":"X","error_msg":"token MIIsecretTOKEN\u002Babc\u002Fdef\u003D\u003D"}`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	t.Setenv("TF_LOG_PROVIDER_HWTASKS_CLIENT", "TRACE")
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Token = tokenLike })
	if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}); err == nil {
		t.Fatal("no error")
	}
	log := buf.String()
	if !strings.Contains(log, "Location: https://idp.example/cb?token=***") {
		t.Fatalf("the log lacks the masked Location header:\n%s", log)
	}
	for _, form := range []string{tokenLike, url.QueryEscape(tokenLike), `MIIsecretTOKEN\\u002B`, "MIIsecretTOKEN"} {
		if strings.Contains(log, form) {
			t.Errorf("the log holds the token as %q:\n%s", form, log)
		}
	}
}
