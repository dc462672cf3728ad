package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// faultServer starts an emulator on a real connection, with three tasks
// and the default fixtures.
func faultServer(t *testing.T) (*Emulator, *httptest.Server) {
	t.Helper()
	e, srv := NewServer(Config{})
	t.Cleanup(srv.Close)
	if err := e.LoadDefaultFixtures(); err != nil {
		t.Fatal(err)
	}
	addNumberedTasks(e, 3)
	return e, srv
}

// fetch sends a GET signed now and returns the response, its body read in
// full (and the read error, for faults that break the body).
func fetch(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := defaultCredentials
	if err := signer.Sign(req, nil, c.AccessKey, c.SecretKey, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func fetchStatus(t *testing.T, srv *httptest.Server, path string) int {
	t.Helper()
	resp, _, err := fetch(t, srv, path)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestFaultThrottle(t *testing.T) {
	cases := []struct{ name, retryAfter, want string }{
		{"default Retry-After", "", "1"},
		{"seconds", "7", "7"},
		{"HTTP date", "Fri, 02 Jan 2026 03:05:00 GMT", "Fri, 02 Jan 2026 03:05:00 GMT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, srv := faultServer(t)
			e.InjectFault(RouteTaskList, Fault{Kind: FaultThrottle, Times: 1, RetryAfter: tc.retryAfter})
			resp, body, err := fetch(t, srv, tasksPath)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != tc.want {
				t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			var b errorBody
			if err := json.Unmarshal(body, &b); err != nil || b.Code != "APIGW.0308" {
				t.Fatalf("body %s (%v)", body, err)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Fatal("no X-Request-Id on a fault")
			}
		})
	}
}

func TestFaultQueue(t *testing.T) {
	cases := []struct {
		name   string
		faults []Fault
		want   []int
	}{
		{"in injection order", []Fault{{Kind: FaultThrottle, Times: 1}, {Kind: FaultServerError, Times: 1}}, []int{429, 503, 200, 200}},
		{"Times counts responses", []Fault{{Kind: FaultThrottle, Times: 2}, {Kind: FaultHTML, Times: 1}}, []int{429, 429, 502, 200}},
		{"Times 0 is forever", []Fault{{Kind: FaultServerError, Status: 500}, {Kind: FaultThrottle, Times: 1}}, []int{500, 500, 500, 500, 500}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, srv := faultServer(t)
			for _, f := range tc.faults {
				e.InjectFault(RouteTaskList, f)
			}
			// Other routes are not affected.
			if s := fetchStatus(t, srv, jobsPath+"?id="+seedJobID); s != http.StatusOK {
				t.Fatalf("another route got %d", s)
			}
			for i, want := range tc.want {
				if got := fetchStatus(t, srv, tasksPath); got != want {
					t.Fatalf("response %d: status %d, want %d", i+1, got, want)
				}
			}
			e.ClearFaults(RouteTaskList)
			if s := fetchStatus(t, srv, tasksPath); s != http.StatusOK {
				t.Fatalf("status %d after ClearFaults", s)
			}
			if n := e.Count(RouteTaskList); n != len(tc.want)+1 {
				t.Fatalf("count %d, want %d: faults count as requests", n, len(tc.want)+1)
			}
		})
	}
}

func TestFaultsActAfterAuthentication(t *testing.T) {
	e := newTestEmulator(t)
	e.InjectFault(RouteProjects, Fault{Kind: FaultThrottle, Times: 1})
	rec := serve(e, httptest.NewRequest(http.MethodGet, "/v3/projects", nil))
	wantError(t, rec, http.StatusUnauthorized, "APIGW.0301")
	wantStatus(t, get(t, e, "/v3/projects"), http.StatusTooManyRequests)
	wantStatus(t, get(t, e, "/v3/projects"), http.StatusOK)
}

func TestFaultServerError(t *testing.T) {
	cases := []struct {
		name   string
		route  Route
		path   string
		status int
		want   int
		code   string
	}{
		{"default", RouteTaskList, tasksPath, 0, 503, "APIGW.0203"},
		{"bad gateway", RouteTaskList, tasksPath, 502, 502, "APIGW.0203"},
		{"gateway timeout", RouteJob, jobsPath + "?id=" + seedJobID, 504, 504, "APIGW.0204"},
		{"DMS 500", RouteTaskGet, tasksPath + "/task-001", 500, 500, "DMS.00500000"},
		{"GaussDB 500", RouteJob, jobsPath + "?id=" + seedJobID, 500, 500, "DBS.108000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			if err := e.LoadDefaultFixtures(); err != nil {
				t.Fatal(err)
			}
			addNumberedTasks(e, 1)
			e.InjectFault(tc.route, Fault{Kind: FaultServerError, Status: tc.status, Times: 1})
			wantError(t, get(t, e, tc.path), tc.want, tc.code)
			wantStatus(t, get(t, e, tc.path), http.StatusOK)
		})
	}
	t.Run("IAM 500", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteProjects, Fault{Kind: FaultServerError, Status: 500})
		rec := get(t, e, "/v3/projects")
		wantStatus(t, rec, 500)
		if b := decode[iamErrorBody](t, rec.Body); b.Error.Code != 500 {
			t.Fatalf("IAM error body %+v", b)
		}
	})
}

func TestFaultLatency(t *testing.T) {
	t.Run("delays then serves", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteProjects, Fault{Kind: FaultLatency, Latency: 50 * time.Millisecond, Times: 1})
		began := time.Now()
		wantStatus(t, get(t, e, "/v3/projects"), http.StatusOK)
		if d := time.Since(began); d < 50*time.Millisecond {
			t.Fatalf("served after %v, before the latency", d)
		}
	})
	t.Run("cancellation ends it early", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteProjects, Fault{Kind: FaultLatency, Latency: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		r := signedGet(t, "/v3/projects").WithContext(ctx)
		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- serve(e, r) }()
		time.Sleep(20 * time.Millisecond)
		cancel()
		select {
		case rec := <-done:
			if rec.Body.Len() != 0 {
				t.Fatalf("a cancelled request got a body: %s", rec.Body.String())
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the latency fault ignored the cancelled context")
		}
	})
	t.Run("client timeout over HTTP", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultLatency, Latency: time.Minute, Times: 1})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tasksPath, nil)
		c := defaultCredentials
		_ = signer.Sign(req, nil, c.AccessKey, c.SecretKey, time.Now())
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := srv.Client().Do(req.WithContext(ctx))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want a deadline", err)
		}
		// srv.Close in Cleanup waits for the handler: it must have ended.
	})
}

func TestFaultCloseMidBody(t *testing.T) {
	e, srv := faultServer(t)
	_, full, err := fetch(t, srv, tasksPath)
	if err != nil {
		t.Fatal(err)
	}
	e.InjectFault(RouteTaskList, Fault{Kind: FaultCloseMidBody, Times: 1})
	resp, body, err := fetch(t, srv, tasksPath)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if resp.ContentLength != int64(len(full)) {
		t.Fatalf("Content-Length %d, want the full body's %d", resp.ContentLength, len(full))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read error %v, want unexpected EOF", err)
	}
	if len(body) == 0 || len(body) >= len(full) || !strings.HasPrefix(string(full), string(body)) {
		t.Fatalf("got %d bytes of %d: %q", len(body), len(full), body)
	}
	if s := fetchStatus(t, srv, tasksPath); s != http.StatusOK {
		t.Fatalf("next response %d", s)
	}
}

func TestFaultCloseMidBodyWithoutHijacker(t *testing.T) {
	e := newTestEmulator(t)
	addNumberedTasks(e, 3)
	full := get(t, e, tasksPath).Body.String()
	e.InjectFault(RouteTaskList, Fault{Kind: FaultCloseMidBody, Times: 1})
	rec := get(t, e, tasksPath)
	if rec.Header().Get("Content-Length") != strconv.Itoa(len(full)) || rec.Body.Len() != len(full)/2 {
		t.Fatalf("Content-Length %s, %d bytes written, full body %d", rec.Header().Get("Content-Length"), rec.Body.Len(), len(full))
	}
}

func TestFaultHTML(t *testing.T) {
	for _, status := range []int{0, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e, srv := faultServer(t)
			e.InjectFault(RouteJob, Fault{Kind: FaultHTML, Status: status, Times: 1})
			resp, body, err := fetch(t, srv, jobsPath+"?id="+seedJobID)
			if err != nil {
				t.Fatal(err)
			}
			want := status
			if want == 0 {
				want = http.StatusBadGateway
			}
			if resp.StatusCode != want || resp.Header.Get("Content-Type") != "text/html" || !strings.Contains(string(body), "<html>") {
				t.Fatalf("status %d, Content-Type %q, body %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

func TestFaultTruncatedJSON(t *testing.T) {
	for _, route := range []struct {
		route Route
		path  string
	}{{RouteTaskList, tasksPath}, {RouteJob, jobsPath + "?id=" + seedJobID}, {RouteProjects, "/v3/projects"}} {
		t.Run(string(route.route), func(t *testing.T) {
			e, srv := faultServer(t)
			_, full, _ := fetch(t, srv, route.path)
			e.InjectFault(route.route, Fault{Kind: FaultTruncatedJSON, Times: 1})
			resp, body, err := fetch(t, srv, route.path)
			if err != nil {
				t.Fatalf("the body itself must read cleanly: %v", err)
			}
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if resp.ContentLength != int64(len(body)) {
				t.Fatalf("Content-Length %d for %d bytes", resp.ContentLength, len(body))
			}
			if json.Valid(body) || !strings.HasPrefix(string(full), string(body)) || len(body) == 0 {
				t.Fatalf("body %q is not a cut of %q", body, full)
			}
		})
	}
}

func TestFaultTaskCountSkew(t *testing.T) {
	cases := []struct {
		name  string
		path  string
		delta int
		want  string
	}{
		{"more than real", tasksPath + "?limit=2", 5, "8"},
		{"fewer than real", tasksPath, -2, "1"},
		{"floored at zero", tasksPath, -1000, "0"},
		{"on get", tasksPath + "/task-001", 1, "2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			addNumberedTasks(e, 3)
			route := RouteTaskList
			if strings.Contains(tc.path, "task-001") {
				route = RouteTaskGet
			}
			e.InjectFault(route, Fault{Kind: FaultTaskCountSkew, TaskCountDelta: tc.delta, Times: 1})
			l := decode[taskList](t, get(t, e, tc.path).Body)
			if l.TaskCount != tc.want {
				t.Fatalf("task_count %q, want %q", l.TaskCount, tc.want)
			}
			if len(l.Tasks) == 0 {
				t.Fatal("tasks must still be served")
			}
			if l := decode[taskList](t, get(t, e, tc.path).Body); l.TaskCount == tc.want {
				t.Fatal("the skew outlived its Times")
			}
		})
	}
}

func TestFaultHugeBody(t *testing.T) {
	cases := []struct {
		name  string
		route Route
		path  string
		size  int64
	}{
		{"task list", RouteTaskList, tasksPath, 1 << 20},
		{"task get", RouteTaskGet, tasksPath + "/task-001", 100 << 10},
		{"job", RouteJob, jobsPath + "?id=" + seedJobID, 1 << 20},
		{"projects", RouteProjects, "/v3/projects", 64 << 10},
		{"tokens", RouteTokens, "/v3/auth/tokens", 64 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, srv := faultServer(t)
			e.InjectFault(tc.route, Fault{Kind: FaultHugeBody, Size: tc.size, Times: 1})
			var resp *http.Response
			var body []byte
			var err error
			if tc.route == RouteTokens {
				c := defaultCredentials
				resp, err = srv.Client().Post(srv.URL+tc.path, "application/json", strings.NewReader(
					tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`)))
				if err != nil {
					t.Fatal(err)
				}
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			} else {
				resp, body, err = fetch(t, srv, tc.path)
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || int64(len(body)) <= tc.size || !json.Valid(body) {
				t.Fatalf("status %d, %d bytes (want more than %d), valid JSON %v", resp.StatusCode, len(body), tc.size, json.Valid(body))
			}
			if resp.ContentLength != -1 {
				t.Fatalf("Content-Length %d, want a chunked body", resp.ContentLength)
			}
		})
	}
	t.Run("default size", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultHugeBody, Times: 1})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tasksPath, nil)
		c := defaultCredentials
		_ = signer.Sign(req, nil, c.AccessKey, c.SecretKey, time.Now())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n <= DefaultHugeBodySize {
			t.Fatalf("read %d bytes (%v), want more than %d", n, err, DefaultHugeBodySize)
		}
	})
	t.Run("a client that stops reading", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultHugeBody, Size: 1 << 30, Times: 1})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tasksPath, nil)
		c := defaultCredentials
		_ = signer.Sign(req, nil, c.AccessKey, c.SecretKey, time.Now())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.CopyN(io.Discard, resp.Body, 1<<20)
		resp.Body.Close()
		// srv.Close in Cleanup waits for the handler, which must notice.
	})
}

// TestFaultsOnCredentialRoutes: fault specs name the IAM credential and
// metadata routes, and the faults act there in each route's error shape.
func TestFaultsOnCredentialRoutes(t *testing.T) {
	const stPath = "/v3.0/OS-CREDENTIAL/securitytokens"
	agency := assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `","domain_name":"` + DefaultAgencyDomainName + `"`)
	inject := func(t *testing.T, e *Emulator, spec string) {
		t.Helper()
		route, f, err := ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.InjectFault(route, f)
	}
	securityTokens := func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
		return serve(e, permanentKeys.post(t, stPath, agency))
	}
	t.Run("latency on securitytokens", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.securitytokens,kind=latency,latency=50ms,times=1")
		began := time.Now()
		wantCredential(t, securityTokens(t, e), http.StatusCreated, testNow.Add(15*time.Minute))
		if d := time.Since(began); d < 50*time.Millisecond {
			t.Fatalf("served after %v, before the latency", d)
		}
		began = time.Now()
		wantStatus(t, securityTokens(t, e), http.StatusCreated)
		if d := time.Since(began); d > 40*time.Millisecond {
			t.Fatalf("the second call took %v: the fault outlived its times", d)
		}
	})
	t.Run("latency on metadata.securitykey", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=metadata.securitykey,kind=latency,latency=50ms,times=1")
		began := time.Now()
		wantStatus(t, getSecurityKey(e, ""), http.StatusOK)
		if d := time.Since(began); d < 50*time.Millisecond {
			t.Fatalf("served after %v, before the latency", d)
		}
	})
	t.Run("500 on securitytokens", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.securitytokens,kind=server-error,status=500,times=1")
		wantIAMError(t, securityTokens(t, e), 500, "An unexpected error prevented the server from fulfilling your request.")
		wantStatus(t, securityTokens(t, e), http.StatusCreated)
	})
	t.Run("503 on securitytokens", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.securitytokens,kind=server-error,times=1")
		wantError(t, securityTokens(t, e), http.StatusServiceUnavailable, "APIGW.0203")
	})
	t.Run("503 on metadata.securitykey", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=metadata.securitykey,kind=server-error,status=503,times=1")
		wantText(t, getSecurityKey(e, ""), http.StatusServiceUnavailable, "Service Unavailable\n")
		wantStatus(t, getSecurityKey(e, ""), http.StatusOK)
	})
	t.Run("500 on metadata.token", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=metadata.token,kind=server-error,status=500,times=1")
		wantText(t, putMetadataToken(e, "60"), http.StatusInternalServerError, "Internal Server Error\n")
		wantStatus(t, putMetadataToken(e, "60"), http.StatusOK)
	})
	t.Run("throttle on iam.domains", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.domains,kind=throttle,retry-after=3,times=1")
		rec := serve(e, permanentKeys.get(t, "/v3/auth/domains"))
		wantError(t, rec, http.StatusTooManyRequests, "APIGW.0308")
		if rec.Header().Get("Retry-After") != "3" {
			t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
	})
	t.Run("faults act after authentication on securitytokens", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.securitytokens,kind=server-error,status=500,times=1")
		wantAPIGW401(t, serve(e, httptest.NewRequest(http.MethodPost, stPath, strings.NewReader(agency))),
			"no credentials: send an SDK-HMAC-SHA256 Authorization header or X-Auth-Token")
		wantStatus(t, securityTokens(t, e), http.StatusInternalServerError)
		if n := e.Count(RouteSecurityTokens); n != 2 {
			t.Fatalf("Count(iam.securitytokens) = %d, want 2", n)
		}
	})
	t.Run("echo secrets on metadata.securitykey", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=metadata.securitykey,kind=echo-secrets,times=1")
		tok := putMetadataToken(e, "60").Body.String()
		rec := getSecurityKey(e, tok)
		wantStatus(t, rec, http.StatusBadRequest)
		want := "The request was refused; it carried: " + tok + " " + tok + " " + htmlEntities(tok) + "\n"
		wantText(t, rec, http.StatusBadRequest, want)
		if !strings.Contains(rec.Header().Get("X-Request-Id"), tok) {
			t.Fatalf("X-Request-Id %q", rec.Header().Get("X-Request-Id"))
		}
	})
	t.Run("echo secrets on securitytokens", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.securitytokens,kind=echo-secrets,times=1")
		tok := e.IssueToken(DefaultProjectID)
		rec := serve(e, httptest.NewRequest(http.MethodPost, stPath, strings.NewReader(`{"auth":{"identity":{"methods":["token"],"token":{"id":"`+tok+`"}}}}`)))
		wantStatus(t, rec, http.StatusBadRequest)
		if msg := decode[iamErrorBody](t, rec.Body).Error.Message; !strings.Contains(msg, tok) {
			t.Fatalf("the body's token is not echoed: %q", msg)
		}
	})
	t.Run("terminal escapes on iam.domains", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=iam.domains,kind=terminal-escapes,times=1")
		wantIAMError(t, serve(e, permanentKeys.get(t, "/v3/auth/domains")), http.StatusBadRequest, terminalEscapesMessage)
	})
	t.Run("terminal escapes on metadata.token", func(t *testing.T) {
		e := newTestEmulator(t)
		inject(t, e, "route=metadata.token,kind=terminal-escapes,status=401,times=1")
		wantText(t, putMetadataToken(e, "60"), http.StatusUnauthorized, terminalEscapesMessage+"\n")
	})
	hugeCases := []struct {
		name  string
		route Route
		call  func(t *testing.T, e *Emulator) *httptest.ResponseRecorder
		json  bool
	}{
		{"securitytokens", RouteSecurityTokens, securityTokens, true},
		{"metadata keys", RouteMetadataSecurityKey, func(t *testing.T, e *Emulator) *httptest.ResponseRecorder { return getSecurityKey(e, "") }, true},
		{"domains", RouteDomains, func(t *testing.T, e *Emulator) *httptest.ResponseRecorder {
			return serve(e, permanentKeys.get(t, "/v3/auth/domains"))
		}, true},
		{"metadata token", RouteMetadataToken, func(t *testing.T, e *Emulator) *httptest.ResponseRecorder { return putMetadataToken(e, "60") }, false},
	}
	for _, tc := range hugeCases {
		t.Run("huge body on "+tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.InjectFault(tc.route, Fault{Kind: FaultHugeBody, Size: 64 << 10, Times: 1})
			rec := tc.call(t, e)
			wantStatus(t, rec, http.StatusOK)
			body := rec.Body.Bytes()
			if len(body) <= 64<<10 || json.Valid(body) != tc.json {
				t.Fatalf("%d bytes, valid JSON %v", len(body), json.Valid(body))
			}
			if !tc.json && (strings.ContainsAny(string(body), " ,\n") || !strings.HasPrefix(string(body), "emulatormetadatatoken-")) {
				t.Fatalf("the huge session token is not one token: %.80q", body)
			}
		})
	}
}
