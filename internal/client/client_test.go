package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

const (
	testRegion  = "ap-southeast-1"
	testProject = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	testAK      = "TESTAKVISIBLEINLOGS01"
	testSK      = "testSecretKeyMustNeverBeLogged0123456789"
	testSTS     = "testSecurityTokenMustNeverBeLogged+/=="
	testToken   = "testIAMTokenMustNeverBeLoggedMIIExampleToken"
	testPass    = "testPasswordMustNeverBeLogged!"
)

// newTestClient returns a client whose every endpoint is srv, with short
// backoff so retry tests run in milliseconds.
func newTestClient(t *testing.T, srv *httptest.Server, mutate func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Region:       testRegion,
		AccessKey:    testAK,
		SecretKey:    testSK,
		Endpoints:    map[string]string{"iam": srv.URL, "dms": srv.URL, "gaussdb": srv.URL + "/"},
		Version:      "test",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 20 * time.Millisecond,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verifySignature recomputes the SDK-HMAC-SHA256 signature of a received
// request and reports why it does not match, or "".
func verifySignature(r *http.Request, body []byte, sk string) string {
	auth, err := signer.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err.Error()
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return err.Error()
	}
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	cr := signer.CanonicalRequest(r.Method, r.URL.Path, query, h, auth.SignedHeaders, signer.PayloadHash(h, body))
	want := signer.Signature(sk, signer.StringToSign(r.Header.Get(signer.HeaderDate), cr))
	if want != auth.Signature {
		return "signature mismatch for canonical request " + cr
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-123")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func projectsBody(n int) map[string]any {
	ps := make([]map[string]string, n)
	for i := range ps {
		ps[i] = map[string]string{"id": fmt.Sprintf("%s%d", testProject[:31], i), "name": testRegion}
	}
	return map[string]any{"projects": ps}
}

func TestProjectLookup(t *testing.T) {
	cases := []struct {
		name     string
		projects int
		wantErr  string
	}{
		{"none", 0, `IAM found no project named "ap-southeast-1"`},
		{"one", 1, ""},
		{"two", 2, `IAM found 2 projects named "ap-southeast-1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v3/projects" || r.URL.Query().Get("name") != testRegion {
					t.Errorf("unexpected request %s", r.URL)
				}
				if r.Header.Get("X-Project-Id") != "" {
					t.Error("project lookup must not send X-Project-Id")
				}
				if why := verifySignature(r, nil, testSK); why != "" {
					t.Error(why)
				}
				writeJSON(w, 200, projectsBody(tc.projects))
			}))
			defer srv.Close()
			id, err := newTestClient(t, srv, nil).ProjectID(context.Background(), testRegion)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "req-123") {
					t.Fatalf("error %v, want it to contain %q and the request id", err, tc.wantErr)
				}
				return
			}
			if err != nil || id != testProject[:31]+"0" {
				t.Fatalf("got %q, %v", id, err)
			}
		})
	}
}

func TestProjectLookupConcurrentCallersShareOneRequest(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release // hold the first lookup until every caller is waiting
		writeJSON(w, 200, projectsBody(1))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)

	const callers = 20
	var wg sync.WaitGroup
	ids := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = c.ProjectID(context.Background(), testRegion)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || ids[i] == "" {
			t.Fatalf("caller %d: %q, %v", i, ids[i], errs[i])
		}
	}
	// Later callers hit the cache.
	if _, err := c.ProjectID(context.Background(), testRegion); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d project lookups, want 1", n)
	}
}

func TestConfiguredProjectIDIsUsedForItsRegionOnly(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, map[string]any{"projects": []map[string]string{{"id": "other", "name": r.URL.Query().Get("name")}}})
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.ProjectID = testProject })
	if id, _ := c.ProjectID(context.Background(), testRegion); id != testProject {
		t.Fatalf("provider region: got %q", id)
	}
	if calls.Load() != 0 {
		t.Fatal("looked up a configured project ID")
	}
	if id, _ := c.ProjectID(context.Background(), "eu-west-101"); id != "other" {
		t.Fatalf("other region: got %q", id)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d lookups for another region, want 1", calls.Load())
	}
}

// tokenServer is an IAM and DMS stand-in for the password flow.
type tokenServer struct {
	mu          sync.Mutex
	issued      []string
	valid       map[string]bool
	tokenCalls  int
	scopes      []string
	expiresIn   time.Duration
	wrongPasswd bool
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		s.tokenCalls++
		var body tokenRequest
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "message": err.Error()}})
			return
		}
		u := body.Auth.Identity.Password.User
		if s.wrongPasswd || u.Name != "alice" || u.Password != testPass || u.Domain.Name != "acme" {
			writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=utf8" {
			writeJSON(w, 400, map[string]any{"error_code": "IAM.0001", "error_msg": "bad content type " + ct})
			return
		}
		s.scopes = append(s.scopes, body.Auth.Scope.Project.ID+"|"+body.Auth.Scope.Project.Name)
		tok := fmt.Sprintf("%s-%d", testToken, len(s.issued))
		s.issued = append(s.issued, tok)
		s.valid[tok] = true
		w.Header().Set("X-Subject-Token", tok)
		writeJSON(w, 201, map[string]any{"token": map[string]any{
			"expires_at": time.Now().Add(s.expiresIn).UTC().Format("2006-01-02T15:04:05.000000Z"),
			"project":    map[string]string{"id": testProject, "name": testRegion},
		}})
	default:
		if !s.valid[r.Header.Get("X-Auth-Token")] {
			writeJSON(w, 401, map[string]any{"error_code": "APIGW.0301", "error_msg": "Incorrect token"})
			return
		}
		writeJSON(w, 200, map[string]any{"task_count": "0", "tasks": []any{}})
	}
}

func passwordConfig(cfg *Config) {
	cfg.AccessKey, cfg.SecretKey = "", ""
	cfg.UserName, cfg.Password, cfg.DomainName = "alice", testPass, "acme"
}

func TestPasswordTokenFlow(t *testing.T) {
	ts := &tokenServer{valid: map[string]bool{}, expiresIn: 24 * time.Hour}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c := newTestClient(t, srv, passwordConfig)
	ctx := context.Background()

	// The project comes with the token: no separate lookup.
	id, err := c.ProjectID(ctx, testRegion)
	if err != nil || id != testProject {
		t.Fatalf("project %q, %v", id, err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: id, InstanceID: "i"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ts.mu.Lock()
	if ts.tokenCalls != 1 || ts.scopes[0] != "|"+testRegion {
		t.Fatalf("token calls %d, scopes %v; want one call scoped by region name", ts.tokenCalls, ts.scopes)
	}
	// The server forgets the token: the next call gets 401, renews once, succeeds.
	ts.valid = map[string]bool{}
	ts.mu.Unlock()
	if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: id, InstanceID: "i"}); err != nil {
		t.Fatalf("after renewal: %v", err)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tokenCalls != 2 || ts.scopes[1] != testProject+"|" {
		t.Fatalf("token calls %d, scopes %v; want a second call scoped by project ID", ts.tokenCalls, ts.scopes)
	}
}

func TestPasswordTokenRenewedOnlyOnceOn401(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/auth/tokens" {
			w.Header().Set("X-Subject-Token", testToken)
			writeJSON(w, 201, map[string]any{"token": map[string]any{"expires_at": time.Now().Add(time.Hour).Format(time.RFC3339), "project": map[string]string{"id": testProject}}})
			return
		}
		writeJSON(w, 401, map[string]any{"error_code": "APIGW.0301", "error_msg": "Incorrect token"})
	}))
	defer srv.Close()
	c := newTestClient(t, srv, passwordConfig)
	_, err := c.ListTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"})
	if !IsUnauthorized(err) {
		t.Fatalf("want a 401 after one renewal, got %v", err)
	}
}

func TestPasswordTokenRenewedBeforeExpiry(t *testing.T) {
	ts := &tokenServer{valid: map[string]bool{}, expiresIn: 5 * time.Minute} // inside the renewal margin
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c := newTestClient(t, srv, passwordConfig)
	for range 2 {
		if _, err := c.ListTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}); err != nil {
			t.Fatal(err)
		}
	}
	if ts.tokenCalls != 2 {
		t.Fatalf("%d token calls, want 2: a token about to expire must be replaced", ts.tokenCalls)
	}
}

func TestWrongPasswordIsAClearError(t *testing.T) {
	ts := &tokenServer{valid: map[string]bool{}, wrongPasswd: true}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	_, err := newTestClient(t, srv, passwordConfig).ProjectID(context.Background(), testRegion)
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), `user "alice" in domain "acme"`) ||
		!strings.Contains(err.Error(), "401 401 The username or password is wrong.") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), testPass) {
		t.Fatal("the error holds the password")
	}
	if ts.tokenCalls != 1 {
		t.Fatalf("%d token calls, want 1: a rejected password must not be retried", ts.tokenCalls)
	}
}

// scripted answers with the given statuses in turn, then 200.
func scripted(t *testing.T, statuses []int, header http.Header, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if n < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			writeJSON(w, statuses[n], map[string]string{"error_code": "APIGW.0308", "error_msg": fmt.Sprintf("attempt %d failed", n+1)})
			return
		}
		writeJSON(w, 200, map[string]any{"task_count": "1", "tasks": []map[string]string{{"id": "t1"}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func listOnce(c *Client) (*TaskPage, error) {
	return c.ListTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"})
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name       string
		statuses   []int
		retryAfter string
		maxRetries int
		wantCalls  int32
		wantErr    string
	}{
		{"429 with Retry-After then success", []int{429}, "1", 5, 2, ""},
		{"503 three times then success", []int{503, 503, 503}, "", 5, 4, ""},
		{"each retryable status", []int{500, 502, 503, 504, 429}, "", 5, 6, ""},
		{"gives up after max_retries with the last error", []int{503, 502, 504, 503}, "", 2, 3, "504 APIGW.0308 attempt 3 failed (request id req-123) after 3 attempts"},
		{"max_retries 0 disables retries", []int{503}, "", 0, 1, "503 APIGW.0308 attempt 1 failed"},
		{"400 is not retried", []int{400}, "", 5, 1, "400 APIGW.0308 attempt 1 failed"},
		{"404 is not retried", []int{404}, "", 5, 1, "404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			srv := scripted(t, tc.statuses, h, &calls)
			c := newTestClient(t, srv, func(cfg *Config) { cfg.MaxRetries = &tc.maxRetries })
			page, err := listOnce(c)
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("%d calls, want %d", got, tc.wantCalls)
			}
			if tc.wantErr == "" {
				if err != nil || len(page.Tasks) != 1 {
					t.Fatalf("got %v, %v", page, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestRetryAfterIsHonouredUpToTheCap(t *testing.T) {
	var calls atomic.Int32
	srv := scripted(t, []int{429}, http.Header{"Retry-After": {"1"}}, &calls)
	c := newTestClient(t, srv, func(cfg *Config) { cfg.RetryWaitMax = 2 * time.Second })
	start := time.Now()
	if _, err := listOnce(c); err != nil {
		t.Fatal(err)
	}
	// The server asked for one second and the cap allows it: the client
	// must not come back sooner (it may come back later on a slow machine).
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, before the 1 s Retry-After", waited)
	}
}

func TestCancellationDuringBackoffReturnsPromptly(t *testing.T) {
	var calls atomic.Int32
	srv := scripted(t, []int{429, 429, 429}, http.Header{"Retry-After": {"30"}}, &calls)
	c := newTestClient(t, srv, func(cfg *Config) { cfg.RetryWaitMax = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for calls.Load() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // now inside the 30 s backoff
		cancel()
	}()
	start := time.Now()
	_, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"})
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("returned after %v; a cancelled backoff must end at once", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestNetworkFailuresAreRetried(t *testing.T) {
	t.Run("connection closed mid-body", func(t *testing.T) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				_, _ = io.WriteString(w, `{"task_count":"1","tas`)
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				_ = conn.Close()
				return
			}
			writeJSON(w, 200, map[string]any{"task_count": "1", "tasks": []map[string]string{{"id": "t1"}}})
		}))
		defer srv.Close()
		page, err := listOnce(newTestClient(t, srv, nil))
		if err != nil || len(page.Tasks) != 1 || calls.Load() != 2 {
			t.Fatalf("got %v, %v after %d calls", page, err, calls.Load())
		}
	})
	t.Run("connection refused, with the last error", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		two := 2
		c, err := New(Config{Region: testRegion, AccessKey: testAK, SecretKey: testSK, MaxRetries: &two,
			Endpoints:    map[string]string{"dms": "http://" + addr},
			RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = listOnce(c)
		var re *RequestError
		if !errors.As(err, &re) || re.Attempts != 3 || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestResponseTooLargeIsRefusedWithoutRetry(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 33 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := listOnce(newTestClient(t, srv, nil))
	var tooLarge *ResponseTooLargeError
	if !errors.As(err, &tooLarge) || !strings.Contains(err.Error(), "larger than 32 MiB") {
		t.Fatalf("got %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls; a body too large must not be retried", calls.Load())
	}
}

func TestAPIErrorShapes(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantCode    string
		wantMessage string
	}{
		{"error_code and error_msg", 404, "application/json", `{"error_code":"DMS.00404022","error_msg":"This DMS instance does not exist."}`, "DMS.00404022", "This DMS instance does not exist."},
		{"code and message", 400, "application/json", `{"code":"DBS.280234","message":"Invalid instance name."}`, "DBS.280234", "Invalid instance name."},
		{"nested error with number code", 401, "application/json", `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`, "401", "The username or password is wrong."},
		{"nested error with string code", 403, "application/json", `{"error":{"code":"IAM.0002","message":"Forbidden"}}`, "IAM.0002", "Forbidden"},
		{"html page", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", "", "502 Bad Gateway 502 Bad Gateway nginx"},
		{"plain text", 404, "text/plain", "404 page not found\n", "", "404 page not found"},
		{"empty body", 404, "", "", "", ""},
		{"json of another shape", 404, "application/json", `{"foo":"bar"}`, "", `{"foo":"bar"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.Header().Set("X-Request-Id", "req-9")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, err := listOnce(newTestClient(t, srv, nil))
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %T %v", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.wantCode || apiErr.Message != tc.wantMessage || apiErr.RequestID != "req-9" {
				t.Fatalf("got %+v", apiErr)
			}
			if !strings.HasPrefix(err.Error(), "GET /v2/"+testProject+"/instances/i/tasks: ") {
				t.Fatalf("message %q does not name the call", err.Error())
			}
			// Only a body with text that is no error shape is "not an API
			// error"; the message then says so and quotes it.
			notAPI := tc.wantCode == "" && tc.wantMessage != ""
			if apiErr.NotAPIError != notAPI {
				t.Fatalf("NotAPIError is %t, want %t", apiErr.NotAPIError, notAPI)
			}
			if said := strings.Contains(err.Error(), "with a body that is not an API error: "+strconv.Quote(tc.wantMessage)); said != notAPI {
				t.Fatalf("message %q: says the body is not an API error: %t, want %t", err.Error(), said, notAPI)
			}
		})
	}
}

// TestAPIErrorCutsAndMasks checks that a long message is cut and says so,
// and that secrets are masked before any cut, so that none is left half
// visible at the end of a message or an excerpt.
func TestAPIErrorCutsAndMasks(t *testing.T) {
	long := strings.Repeat("é", MaxMessageRunes-10) + testSK + strings.Repeat("x", 1000)
	htmlPage := "<html><body><p>" + strings.Repeat("a", 190) + testSK + "</p></body></html>"
	cases := []struct {
		name, body string
		want       []string
	}{
		{"a long error_msg with a secret across the cut", `{"error_code":"DMS.00500000","error_msg":"` + long + `"}`,
			[]string{"500 DMS.00500000 " + strings.Repeat("é", MaxMessageRunes-10) + "***" + strings.Repeat("x", 7) + "… (993 more characters)"}},
		{"an HTML page with a secret across the excerpt's end", htmlPage,
			[]string{"500 Internal Server Error, with a body that is not an API error: \"" + strings.Repeat("a", 190) + "***\""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, err := listOnce(newTestClient(t, srv, func(c *Config) { zero := 0; c.MaxRetries = &zero }))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q\ndoes not say %q", err.Error(), w)
				}
			}
			if prefix := testSK[:8]; strings.Contains(err.Error(), prefix) {
				t.Errorf("message %q holds the start of the secret key", err.Error())
			}
		})
	}
}

func TestAPIErrorMessageAndPredicates(t *testing.T) {
	err := error(&APIError{StatusCode: 404, Code: "DMS.00404022", Message: "This DMS instance does not exist.", RequestID: "abc", Method: "GET", Path: "/v2/p/instances/i/tasks"})
	if want := "GET /v2/p/instances/i/tasks: 404 DMS.00404022 This DMS instance does not exist. (request id abc)"; err.Error() != want {
		t.Fatalf("got %q\nwant %q", err.Error(), want)
	}
	wrapped := fmt.Errorf("reading: %w", err)
	if !IsNotFound(wrapped) || IsThrottled(wrapped) || IsUnauthorized(wrapped) || IsForbidden(wrapped) {
		t.Fatal("predicates disagree with a wrapped 404")
	}
	if !IsThrottled(&APIError{StatusCode: 429}) || !IsThrottled(&APIError{StatusCode: 400, Code: "APIGW.0308"}) {
		t.Fatal("throttling not recognised")
	}
	if !IsUnauthorized(&APIError{StatusCode: 401}) || !IsForbidden(&APIError{StatusCode: 403}) {
		t.Fatal("401/403 not recognised")
	}
	if IsNotFound(errors.New("404")) {
		t.Fatal("a plain error is not an API 404")
	}
}

func TestExcerptIsShort(t *testing.T) {
	long := "<html><body>" + strings.Repeat("é", 500) + "</body></html>"
	got := Excerpt([]byte(long), 200)
	if n := len([]rune(got)); n != 200 || !strings.HasSuffix(got, "…") {
		t.Fatalf("excerpt of %d runes: %q", n, got)
	}
	if got := Excerpt([]byte{0xff, 'a'}, 200); got != "\uFFFDa" {
		t.Fatalf("invalid UTF-8: %q", got)
	}
}

func TestDecodeErrorOnGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		_, _ = io.WriteString(w, `{"task_count":"3","tasks":[{"id":"a"`)
	}))
	defer srv.Close()
	_, err := listOnce(newTestClient(t, srv, nil))
	var de *DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "could not be decoded") || !strings.Contains(err.Error(), "req-7") {
		t.Fatalf("got %v", err)
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	var gotURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotURL = r.Header.Clone(), r.URL.String()
		if why := verifySignature(r, nil, testSK); why != "" {
			t.Error(why)
		}
		writeJSON(w, 200, map[string]any{"job": map[string]any{"id": "j 1"}})
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.SecurityToken = testSTS })
	job, err := c.GetJob(context.Background(), GaussDBJobs, testRegion, testProject, "j 1", "zh-cn")
	if err != nil || job.ID != "j 1" {
		t.Fatalf("got %v, %v", job, err)
	}
	for k, want := range map[string]string{
		"User-Agent":       "terraform-provider-hwtasks/test",
		"X-Project-Id":     testProject,
		"X-Language":       "zh-cn",
		"X-Security-Token": testSTS,
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
	auth := got.Get("Authorization")
	if !strings.Contains(auth, "SignedHeaders=user-agent;x-language;x-project-id;x-sdk-date;x-security-token,") {
		t.Errorf("Authorization %q does not sign the expected headers", auth)
	}
	// The trailing slash of the gaussdb override is ignored, and the query
	// goes out in the SDK's form, %20 for a space.
	if gotURL != "/v3/"+testProject+"/jobs?id=j%201" {
		t.Errorf("URL %q", gotURL)
	}
}

func TestTokenAuthSendsXAuthToken(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeJSON(w, 200, map[string]any{"task_count": 0, "tasks": []any{}})
	}))
	defer srv.Close()
	// The token wins over AK/SK and password given at the same time.
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Token = testToken; cfg.UserName, cfg.Password, cfg.DomainName = "u", "p", "d" })
	if c.Auth() != AuthToken {
		t.Fatalf("auth %v", c.Auth())
	}
	if _, err := listOnce(c); err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Auth-Token") != testToken || got.Get("Authorization") != "" {
		t.Fatalf("headers %v", got)
	}
}

func TestChooseAuth(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		want    AuthMethod
		wantErr string
	}{
		{"token wins", Config{Token: "t", AccessKey: "a", SecretKey: "s"}, AuthToken, ""},
		{"aksk over password", Config{AccessKey: "a", SecretKey: "s", UserName: "u", Password: "p", DomainName: "d"}, AuthAKSK, ""},
		{"password", Config{UserName: "u", Password: "p", DomainName: "d"}, AuthPassword, ""},
		{"ak without sk", Config{AccessKey: "a"}, 0, "secret_key is missing"},
		{"sk without ak", Config{SecretKey: "s"}, 0, "access_key is missing"},
		{"password without domain", Config{UserName: "u", Password: "p"}, 0, "domain_name is missing"},
		{"nothing", Config{}, 0, "No credentials were found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseAuth(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	cases := []struct {
		cloud, region, service, want string
	}{
		{"", "ap-southeast-1", ServiceIAM, "https://iam.ap-southeast-1.myhuaweicloud.com"},
		{"", "ap-southeast-1", ServiceDMS, "https://dms.ap-southeast-1.myhuaweicloud.com"},
		{"", "cn-north-4", ServiceGaussDB, "https://gaussdb.cn-north-4.myhuaweicloud.com"},
		{"", "ap-southeast-1", ServiceGaussDB, "https://gaussdbformysql.ap-southeast-1.myhuaweicloud.com"},
		{"", "af-south-1", ServiceGaussDB, "https://gaussdb-mysql.af-south-1.myhuaweicloud.com"},
		{"", "eu-west-101", ServiceDMS, "https://dms.eu-west-101.myhuaweicloud.eu"},
		{"otc.t-systems.com", "eu-de", ServiceIAM, "https://iam.eu-de.otc.t-systems.com"},
		{"otc.t-systems.com", "eu-nl", ServiceDMS, "https://dms.eu-nl.otc.t-systems.com"},
		{"otc.t-systems.com", "eu-de", ServiceGaussDB, "https://gaussdb-mysql.eu-de.otc.t-systems.com"},
	}
	for _, tc := range cases {
		t.Run(tc.cloud+"/"+tc.region+"/"+tc.service, func(t *testing.T) {
			c, err := New(Config{Region: tc.region, Cloud: tc.cloud, Token: "t"})
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.BaseURL(tc.service, tc.region)
			if err != nil || u.String() != tc.want {
				t.Fatalf("got %v, %v; want %s", u, err, tc.want)
			}
		})
	}
	c, err := New(Config{Region: "eu-de", Token: "t", Endpoints: map[string]string{"dms": "http://127.0.0.1:8080/proxy/dms/"}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := c.requestURL(request{service: ServiceDMS, region: "eu-de", path: []string{"v2", "p", "instances", "a/b", "tasks"}})
	if u.String() != "http://127.0.0.1:8080/proxy/dms/v2/p/instances/a%2Fb/tasks" {
		t.Fatalf("override with a path prefix: %s", u)
	}
}

func TestParseEndpoint(t *testing.T) {
	good := []string{"https://dms.example.com", "http://127.0.0.1:1234/", "https://proxy.example.com/dms/"}
	for _, s := range good {
		if _, err := ParseEndpoint(s); err != nil {
			t.Errorf("%q rejected: %v", s, err)
		}
	}
	bad := []string{"", "dms.example.com", "ftp://x", "https://", "https://x?y=1", "https://x#f", "https://u:p@x", "http://[::1"}
	for _, s := range bad {
		if _, err := ParseEndpoint(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestNewRejectsBadEndpointsAndCA(t *testing.T) {
	if _, err := New(Config{Region: "r", Token: "t", Endpoints: map[string]string{"vpc": "https://x"}}); err == nil || !strings.Contains(err.Error(), `endpoints has no key "vpc"`) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := New(Config{Region: "r", Token: "t", Endpoints: map[string]string{"dms": "x"}}); err == nil {
		t.Fatal("malformed URL accepted")
	}
	if _, err := New(Config{Region: "r", Token: "t", CACertFile: "/nonexistent.pem"}); err == nil {
		t.Fatal("missing CA file accepted")
	}
	if _, err := New(Config{Token: "t"}); err == nil {
		t.Fatal("missing region accepted")
	}
}

func TestFlexInt(t *testing.T) {
	cases := map[string]int{`"12"`: 12, `12`: 12, `"0"`: 0, `null`: 0, `""`: 0}
	for in, want := range cases {
		var n FlexInt
		if err := json.Unmarshal([]byte(in), &n); err != nil || int(n) != want {
			t.Errorf("%s: got %d, %v", in, n, err)
		}
	}
	for _, in := range []string{`"x"`, `-1`, `1.5`, `"1e3"`, `{}`} {
		var n FlexInt
		if err := json.Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("%s accepted as %d", in, n)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt := range 10 {
		step := min(500*time.Millisecond<<attempt, 30*time.Second)
		for range 50 {
			d := backoff(500*time.Millisecond, 30*time.Second, attempt, nil)
			if d < step/2 || d > step {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, step/2, step)
			}
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"7"}}}
	if d := backoff(500*time.Millisecond, 30*time.Second, 0, resp); d != 7*time.Second {
		t.Fatalf("Retry-After 7: %v", d)
	}
	resp.Header.Set("Retry-After", "120")
	if d := backoff(500*time.Millisecond, 30*time.Second, 0, resp); d != 30*time.Second {
		t.Fatalf("Retry-After beyond the cap: %v", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
		{now.Add(-10 * time.Second).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestLogsHoldNoSecret runs every credential kind through requests that
// succeed, fail and retry, with the whole log captured at Trace, and
// checks that no credential appears anywhere in it.
func TestLogsHoldNoSecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/auth/tokens" {
			w.Header().Set("X-Subject-Token", testToken)
			writeJSON(w, 201, map[string]any{"token": map[string]any{"expires_at": time.Now().Add(time.Hour).Format(time.RFC3339), "project": map[string]string{"id": testProject}}})
			return
		}
		if r.URL.Query().Get("start") == "1" {
			// A careless gateway quoting the request's credentials back.
			writeJSON(w, 503, map[string]any{"error_code": "X", "error_msg": "echo " + r.Header.Get("X-Security-Token") +
				" " + r.Header.Get("X-Auth-Token") + " " + r.Header.Get("Authorization")})
			return
		}
		writeJSON(w, 200, map[string]any{"task_count": "1", "tasks": []map[string]string{{
			"id": "t", "params": `{"password":"` + testPass + `","nested":{"secret_key":"` + testSK + `","auth_token":"` + testToken + `"}}`,
		}}})
	}))
	defer srv.Close()

	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	t.Setenv("TF_LOG_PROVIDER_HWTASKS_CLIENT", "TRACE")
	one := 1
	for _, mutate := range []func(*Config){
		func(cfg *Config) { cfg.SecurityToken = testSTS },
		func(cfg *Config) { cfg.Token = testToken },
		passwordConfig,
	} {
		c := newTestClient(t, srv, func(cfg *Config) { mutate(cfg); cfg.MaxRetries = &one })
		if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}); err != nil {
			t.Fatal(err)
		}
		_, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i", Start: 1})
		if err == nil {
			t.Fatal("want the 503 to fail")
		}
		// The token the password obtained is masked too, though it was
		// never configured.
		for _, s := range []string{testAK, testSK, testSTS, testPass, testToken} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error message holds a secret: %v", err)
			}
		}
	}
	log := buf.String()
	// The bodies are there, redacted: the params' password is masked
	// inside the JSON string that holds it.
	if !strings.Contains(log, `"attempt":2`) || !strings.Contains(log, `"status":503`) ||
		!strings.Contains(log, `\\\"password\\\":\\\"REDACTED\\\"`) || !strings.Contains(log, `\"task_count\":\"1\"`) {
		t.Fatalf("the log lacks what it should hold:\n%s", log)
	}
	for name, s := range map[string]string{"AK": testAK, "SK": testSK, "security token": testSTS, "token": testToken, "password": testPass} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

// TestLazyBodyMasksBeforeTheCut: a secret across the 4 KiB cut of a
// logged body must not keep its first characters.
func TestLazyBodyMasksBeforeTheCut(t *testing.T) {
	var secrets secretSet
	secrets.add(testSK)
	body := strings.Repeat("a", maxLoggedBody-10) + testSK + strings.Repeat("b", 100)
	got := lazyBody{[]byte(body), &secrets}.String()
	if strings.Contains(got, testSK[:8]) || !strings.Contains(got, strings.Repeat("a", 100)+"***") {
		t.Fatalf("logged body ends %q", got[len(got)-60:])
	}
}

func TestRedactBody(t *testing.T) {
	in := `{"auth":{"identity":{"password":{"user":{"name":"u","password":"p1"}}}},"Secret_Key":"s","securityToken":"st","list":[{"x_auth_token":"t"}],"params":"{\"db_password\":\"p2\",\"ok\":1}","keep":"v"}`
	out := RedactBody([]byte(in))
	for _, s := range []string{`"p1"`, `"s"`, `"st"`, `"t"`, `p2`} {
		if strings.Contains(out, s) {
			t.Errorf("%s survived redaction: %s", s, out)
		}
	}
	if !strings.Contains(out, `"keep":"v"`) || !strings.Contains(out, `\"ok\":1`) || !strings.Contains(out, `"name":"u"`) {
		t.Errorf("redaction removed too much: %s", out)
	}
	big := RedactBody(bytes.Repeat([]byte("x"), 10000))
	if len(big) > maxLoggedBody+20 {
		t.Errorf("body not truncated: %d bytes", len(big))
	}
}
