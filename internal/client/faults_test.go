package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// These tests drive the client through the emulator's fault injection: each
// case must end in the right data or in a clear, typed error within the read
// timeout, with no panic, no hang and nothing silently missing.

const (
	faultInstance = "inst-faults"
	faultTasks    = 257 // three pages: 100, 100 and 57
	faultJob      = "job-faults"
	// readTimeout plays the data source's read timeout for the cases that
	// must finish; none comes near it.
	readTimeout = 10 * time.Second
	// slowTimeout is the read timeout of the cases that wait for it: long
	// enough for their requests to reach the emulator on a loaded machine.
	slowTimeout = 3 * time.Second
)

var faultBase = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// numberedTasks returns tasks task-00001 … task-n, task i created i minutes
// after faultBase, and their IDs in the API's order, newest first.
func numberedTasks(n int) ([]emulator.Task, []string) {
	tasks := make([]emulator.Task, n)
	ids := make([]string, n)
	for i := range tasks {
		at := faultBase.Add(time.Duration(i) * time.Minute)
		tasks[i] = emulator.Task{ID: fmt.Sprintf("task-%05d", i+1), Name: "restart", Status: "SUCCESS", CreatedAt: at, UpdatedAt: at}
		ids[n-1-i] = tasks[i].ID
	}
	return tasks, ids
}

// faultEmulator starts an emulator holding faultTasks tasks of faultInstance
// and one completed job. handler, when not nil, wraps the emulator, so that
// a test can act between requests.
func faultEmulator(t *testing.T, n int, handler func(emu *emulator.Emulator) http.Handler) (*emulator.Emulator, *httptest.Server, []string) {
	t.Helper()
	emu := emulator.New(emulator.DefaultConfig())
	tasks, ids := numberedTasks(n)
	emu.AddTasks(emulator.DefaultProjectID, faultInstance, tasks...)
	emu.AddJob(emulator.DefaultProjectID, emulator.Job{
		ID: faultJob, Name: "CreateGaussDBforMySQLInstance", Status: "Completed",
		Created: "2018-08-06T10:41:14+0800", Ended: "2018-08-06T16:41:14+0000",
		Instance: emulator.JobInstance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "mysql"},
	})
	var h http.Handler = emu
	if handler != nil {
		h = handler(emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return emu, srv, ids
}

// faultClient is a client of the emulator with AK/SK and short backoff.
func faultClient(t *testing.T, emu *emulator.Emulator, srv *httptest.Server, mutate func(*Config)) *Client {
	t.Helper()
	creds := emu.Config().Credentials
	cfg := Config{
		Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID,
		AccessKey: creds.AccessKey, SecretKey: creds.SecretKey,
		Endpoints:    map[string]string{"iam": srv.URL, "dms": srv.URL, "gaussdb": srv.URL},
		Version:      "test",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond,
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

func faultQuery() TaskQuery {
	return TaskQuery{Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID, InstanceID: faultInstance}
}

// A read is one call of the client, reduced to the IDs it returned.
type read func(ctx context.Context, c *Client) ([]string, error)

func listAll(concurrency int) read {
	return func(ctx context.Context, c *Client) ([]string, error) {
		list, err := c.ListAllTasks(ctx, faultQuery(), concurrency)
		if err != nil {
			if list != nil {
				return nil, fmt.Errorf("ListAllTasks returned %d tasks with its error %w", len(list.Tasks), err)
			}
			return nil, err
		}
		return taskIDs(list.Tasks), nil
	}
}

func getTask(id string) read {
	return func(ctx context.Context, c *Client) ([]string, error) {
		task, err := c.GetTask(ctx, TaskQuery{Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID, InstanceID: faultInstance}, id)
		if err != nil {
			return nil, err
		}
		return []string{task.ID}, nil
	}
}

func getJob(ctx context.Context, c *Client) ([]string, error) {
	job, err := c.GetJob(ctx, GaussDBJobs, emulator.DefaultRegion, emulator.DefaultProjectID, faultJob, "")
	if err != nil {
		return nil, err
	}
	return []string{job.ID}, nil
}

// lookUpProjectThenList is what the provider does without project_id.
func lookUpProjectThenList(ctx context.Context, c *Client) ([]string, error) {
	id, err := c.ProjectID(ctx, emulator.DefaultRegion)
	if err != nil {
		return nil, err
	}
	if id != emulator.DefaultProjectID {
		return nil, fmt.Errorf("project %q, want %q", id, emulator.DefaultProjectID)
	}
	return listAll(DefaultPageConcurrency)(ctx, c)
}

func taskIDs(tasks []Task) []string {
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	return ids
}

type routeFault struct {
	route emulator.Route
	fault emulator.Fault
}

// noop is a fault that changes nothing, to let a response through before
// the faults queued after it: a task_count skewed by zero.
var noop = emulator.Fault{Kind: emulator.FaultTaskCountSkew, Times: 1}

func retries(n int) func(*Config) { return func(cfg *Config) { cfg.MaxRetries = &n } }

func combine(mutators ...func(*Config)) func(*Config) {
	return func(cfg *Config) {
		for _, m := range mutators {
			m(cfg)
		}
	}
}

// retryAfterCap lets the 1 s Retry-After of a throttle cost capWait.
func retryAfterCap(capWait time.Duration) func(*Config) {
	return func(cfg *Config) { cfg.RetryWaitMax = capWait }
}

// wantAPIError checks a typed API error, its attempts, and that its message
// holds every one of parts.
func wantAPIError(status int, code string, attempts int, parts ...string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *APIError
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v, want an *APIError", err, err)
		}
		if e.StatusCode != status || e.Code != code || e.Attempts != attempts {
			t.Fatalf("got status %d, code %q, %d attempts; want %d, %q, %d: %v", e.StatusCode, e.Code, e.Attempts, status, code, attempts, err)
		}
		if e.RequestID == "" {
			t.Errorf("no request id in %v", err)
		}
		wantParts(t, err, parts...)
	}
}

func wantParts(t *testing.T, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("message %q does not say %q", err.Error(), p)
		}
	}
}

func wantDecodeError(parts ...string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *DecodeError
		if !errors.As(err, &e) || e.StatusCode != http.StatusOK {
			t.Fatalf("error %T %v, want a *DecodeError of a 200", err, err)
		}
		wantParts(t, err, append([]string{"200 response could not be decoded", "request id"}, parts...)...)
	}
}

// wantOverLimit checks the *DecodeError of a page holding more tasks than
// its limit.
func wantOverLimit(limit int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		wantDecodeError(fmt.Sprintf("the page holds more tasks than its limit of %d", limit), `{"task_count":"`)(t, err)
		if !errors.Is(err, ErrPageOverLimit) {
			t.Errorf("errors.Is(%v, ErrPageOverLimit) is false", err)
		}
	}
}

func wantRequestError(attempts int, parts ...string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *RequestError
		if !errors.As(err, &e) || e.Attempts != attempts {
			t.Fatalf("error %T %v, want a *RequestError after %d attempts", err, err, attempts)
		}
		wantParts(t, err, parts...)
	}
}

func wantTooLarge(t *testing.T, err error) {
	t.Helper()
	var e *ResponseTooLargeError
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want a *ResponseTooLargeError", err, err)
	}
	wantParts(t, err, "larger than 32 MiB")
}

func wantDeadline(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %T %v, want the read timeout (context.DeadlineExceeded)", err, err)
	}
}

func TestFaults(t *testing.T) {
	_, allIDs := numberedTasks(faultTasks)
	const someTask = "task-00042"
	cases := []struct {
		name   string
		faults []routeFault
		cfg    func(*Config)
		read   read
		// timeout is the read timeout; readTimeout when zero.
		timeout time.Duration
		// wantIDs is the data a read that succeeds returns, in order.
		wantIDs []string
		// wantErr checks the error of a read that fails.
		wantErr func(*testing.T, error)
		// wantCounts is every request the emulator saw, per route.
		wantCounts map[emulator.Route]int
		// minElapsed is the least time the read may take: the backoff the
		// server asked for.
		minElapsed time.Duration
	}{
		// Throttling. Retry-After: 1 is capped by RetryWaitMax at 200 ms, so
		// five throttles cost at least a second; ignoring Retry-After, the
		// 1 ms exponential backoff would cost under 70 ms.
		{
			name:   "a storm of 429s shorter than max_retries",
			faults: []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultThrottle, Times: 5, RetryAfter: "1"}}},
			cfg:    combine(retries(5), retryAfterCap(200*time.Millisecond)),
			read:   listAll(DefaultPageConcurrency), wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 5 + 3}, minElapsed: 5 * 200 * time.Millisecond,
		},
		{
			name:   "a storm of 429s longer than max_retries",
			faults: []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultThrottle, Times: 5, RetryAfter: "1"}}},
			cfg:    combine(retries(3), retryAfterCap(200*time.Millisecond)),
			read:   listAll(DefaultPageConcurrency),
			wantErr: func(t *testing.T, err error) {
				wantAPIError(429, "APIGW.0308", 4, "429 APIGW.0308", "throttling threshold", "after 4 attempts")(t, err)
				if !IsThrottled(err) {
					t.Errorf("IsThrottled(%v) is false", err)
				}
			},
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 4}, minElapsed: 3 * 200 * time.Millisecond,
		},
		{
			name: "429s spread over the pages of a concurrent read",
			faults: []routeFault{
				{emulator.RouteTaskList, noop},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultThrottle, Times: 4, RetryAfter: "1"}},
			},
			cfg:  combine(retries(4), retryAfterCap(100*time.Millisecond)),
			read: listAll(DefaultPageConcurrency), wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 3 + 4},
		},
		{
			name:   "Retry-After under the cap is waited in full",
			faults: []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultThrottle, Times: 1, RetryAfter: "1"}}},
			cfg:    retryAfterCap(2 * time.Second),
			read:   getJob, wantIDs: []string{faultJob},
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 2}, minElapsed: time.Second,
		},
		{
			name:   "IAM throttles the project lookup",
			faults: []routeFault{{emulator.RouteProjects, emulator.Fault{Kind: emulator.FaultThrottle, Times: 2, RetryAfter: "1"}}},
			cfg:    combine(func(cfg *Config) { cfg.ProjectID = "" }, retryAfterCap(100*time.Millisecond)),
			read:   lookUpProjectThenList, wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteProjects: 3, emulator.RouteTaskList: 3},
		},

		// Server errors.
		{
			name: "a 5xx burst shorter than max_retries",
			faults: []routeFault{
				{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 503}},
				{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 502}},
				{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 504}},
				{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 500}},
			},
			cfg:  retries(5),
			read: getTask(someTask), wantIDs: []string{someTask},
			wantCounts: map[emulator.Route]int{emulator.RouteTaskGet: 5},
		},
		{
			name: "a 5xx burst longer than max_retries names the last status",
			faults: []routeFault{
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 503}},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 502}},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 504}},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 500}},
			},
			cfg:        retries(2),
			read:       listAll(DefaultPageConcurrency),
			wantErr:    wantAPIError(504, "APIGW.0204", 3, ": 504 APIGW.0204 Backend timeout.", "after 3 attempts"),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 3},
		},
		{
			name: "5xx on a later page fails the whole read",
			faults: []routeFault{
				{emulator.RouteTaskList, noop},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Status: 500}},
			},
			cfg:        retries(2),
			read:       listAll(1),
			wantErr:    wantAPIError(500, "DMS.00500000", 3, "/instances/"+faultInstance+"/tasks: 500 DMS.00500000 Internal service error.", "after 3 attempts"),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1 + 3},
		},
		{
			name:   "GaussDB 500 on every attempt",
			faults: []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultServerError, Status: 500}}},
			cfg:    retries(1),
			read:   getJob, wantErr: wantAPIError(500, "DBS.108000", 2, "500 DBS.108000 Server error.", "after 2 attempts"),
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 2},
		},
		{
			name:   "IAM 503 before the password token",
			faults: []routeFault{{emulator.RouteTokens, emulator.Fault{Kind: emulator.FaultServerError, Times: 2, Status: 503}}},
			cfg: func(cfg *Config) {
				creds := emulator.DefaultConfig().Credentials
				cfg.AccessKey, cfg.SecretKey = "", ""
				cfg.UserName, cfg.Password, cfg.DomainName = creds.UserName, creds.Password, creds.DomainName
			},
			read: listAll(DefaultPageConcurrency), wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteTokens: 3, emulator.RouteTaskList: 3},
		},

		// Broken bodies.
		{
			name:   "connection closed mid-body once",
			faults: []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultCloseMidBody, Times: 1}}},
			read:   listAll(DefaultPageConcurrency), wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1 + 3},
		},
		{
			name:       "connection closed mid-body on every attempt",
			faults:     []routeFault{{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultCloseMidBody}}},
			cfg:        retries(2),
			read:       getTask(someTask),
			wantErr:    wantRequestError(3, "/tasks/"+someTask, "reading the response body: unexpected EOF", "after 3 attempts"),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskGet: 3},
		},
		{
			name:       "truncated JSON on a list page",
			faults:     []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultTruncatedJSON, Times: 1}}},
			read:       listAll(DefaultPageConcurrency),
			wantErr:    wantDecodeError("unexpected end of JSON input", `{"task_count":"257","tasks":[{"id":"task-00257"`),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1},
		},
		{
			name:       "truncated JSON of a job",
			faults:     []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultTruncatedJSON, Times: 1}}},
			read:       getJob,
			wantErr:    wantDecodeError("unexpected end of JSON input", faultJob),
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 1},
		},
		{
			name:   "an HTML 502 once",
			faults: []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultHTML, Times: 1}}},
			read:   listAll(DefaultPageConcurrency), wantIDs: allIDs,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1 + 3},
		},
		{
			name:   "an HTML 502 on every attempt",
			faults: []routeFault{{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultHTML}}},
			cfg:    retries(2),
			read:   getTask(someTask),
			wantErr: func(t *testing.T, err error) {
				// No JSON error code: the message says so and quotes the
				// page's text, its tags stripped, so the user sees a proxy
				// answered.
				wantAPIError(502, "", 3, `: 502 Bad Gateway, with a body that is not an API error: "502 Bad Gateway 502 Bad Gateway nginx"`, "after 3 attempts")(t, err)
				if strings.ContainsAny(err.Error(), "<>") {
					t.Errorf("message %q holds raw HTML", err.Error())
				}
			},
			wantCounts: map[emulator.Route]int{emulator.RouteTaskGet: 3},
		},
		{
			name:       "an HTML page with status 200",
			faults:     []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultHTML, Status: 200}}},
			read:       getJob,
			wantErr:    wantDecodeError("invalid character '<' looking for beginning of value", "200 OK 200 OK nginx"),
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 1},
		},
		{
			name:       "a task list over 32 MiB",
			faults:     []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultHugeBody}}},
			read:       listAll(DefaultPageConcurrency),
			wantErr:    wantTooLarge,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1},
		},
		{
			name:       "a task that is not there",
			read:       getTask("task-99999"),
			wantErr:    wantAPIError(404, "DMS.00404026", 1, "This background task does not exist."),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskGet: 1},
		},
		// Under the body limit, but 30 MiB of tasks for a page of 100: the
		// decoder refuses it at task 101, and the read is not retried.
		{
			name:       "a task list page of 30 MiB",
			faults:     []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultHugeBody, Size: 30 << 20}}},
			read:       listAll(DefaultPageConcurrency),
			wantErr:    wantOverLimit(TaskPageSize),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1},
		},
		{
			name:       "30 MiB of tasks for one task",
			faults:     []routeFault{{emulator.RouteTaskGet, emulator.Fault{Kind: emulator.FaultHugeBody, Size: 30 << 20}}},
			read:       getTask(someTask),
			wantErr:    wantOverLimit(TaskPageSize),
			wantCounts: map[emulator.Route]int{emulator.RouteTaskGet: 1},
		},
		{
			name:       "a job over 32 MiB",
			faults:     []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultHugeBody}}},
			read:       getJob,
			wantErr:    wantTooLarge,
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 1},
		},

		// Slowness.
		{
			name:       "a server slower than the read timeout",
			faults:     []routeFault{{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultLatency, Latency: time.Minute}}},
			read:       listAll(DefaultPageConcurrency),
			timeout:    slowTimeout,
			wantErr:    wantDeadline,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 1},
		},
		{
			name: "pages after the first slower than the read timeout",
			faults: []routeFault{
				{emulator.RouteTaskList, noop},
				{emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultLatency, Latency: time.Minute}},
			},
			read:       listAll(DefaultPageConcurrency),
			timeout:    slowTimeout,
			wantErr:    wantDeadline,
			wantCounts: map[emulator.Route]int{emulator.RouteTaskList: 3},
		},
		{
			name:   "one attempt slower than the attempt timeout is retried",
			faults: []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultLatency, Latency: time.Minute, Times: 1}}},
			cfg:    func(cfg *Config) { cfg.AttemptTimeout = time.Second },
			read:   getJob, wantIDs: []string{faultJob},
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 2}, minElapsed: time.Second,
		},
		{
			name:   "every attempt slower than the attempt timeout",
			faults: []routeFault{{emulator.RouteJob, emulator.Fault{Kind: emulator.FaultLatency, Latency: time.Minute}}},
			cfg:    combine(retries(2), func(cfg *Config) { cfg.AttemptTimeout = time.Second }),
			read:   getJob, wantErr: wantRequestError(3, "/jobs?id="+faultJob, "no complete answer within 1s", "after 3 attempts"),
			wantCounts: map[emulator.Route]int{emulator.RouteJob: 3}, minElapsed: 3 * time.Second,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, srv, _ := faultEmulator(t, faultTasks, nil)
			for _, f := range tc.faults {
				emu.InjectFault(f.route, f.fault)
			}
			c := faultClient(t, emu, srv, tc.cfg)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = readTimeout
			}
			out := runRead(t, c, tc.read, timeout)
			ids, err, elapsed := out.ids, out.err, out.elapsed
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("got %v, want data", err)
				}
				wantSameIDs(t, ids, tc.wantIDs)
			} else {
				if err == nil {
					t.Fatalf("got %d IDs and no error", len(ids))
				}
				if ids != nil {
					t.Errorf("got %d IDs with the error %v: a failed read must return no partial data", len(ids), err)
				}
				tc.wantErr(t, err)
			}
			if got := emu.Counts(); !maps.Equal(got, tc.wantCounts) {
				t.Errorf("the emulator counted %v, want %v", got, tc.wantCounts)
			}
			if elapsed < tc.minElapsed {
				t.Errorf("returned after %v, before the %v of backoff the server asked for", elapsed, tc.minElapsed)
			}
			// Only the slowness cases may meet the timeout; the others must
			// end on their own, far before it.
			if tc.timeout == 0 && elapsed >= timeout {
				t.Errorf("returned after %v, at the read timeout", elapsed)
			}
		})
	}
}

// outcome is what a read ended with, and when.
type outcome struct {
	ids     []string
	err     error
	elapsed time.Duration
}

// runRead runs r under a read timeout and fails the test if it panics or
// does not return within that timeout and 10 s of grace (a hang, not a
// slow machine).
func runRead(t *testing.T, c *Client, r read, timeout time.Duration) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type result struct {
		outcome
		panic any
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		var res result
		defer func() {
			res.panic = recover()
			done <- res
		}()
		res.ids, res.err = r(ctx, c)
	}()
	grace := timeout + 10*time.Second
	select {
	case res := <-done:
		res.elapsed = time.Since(start)
		if res.panic != nil {
			t.Fatalf("the read panicked: %v", res.panic)
		}
		return res.outcome
	case <-time.After(grace):
		t.Fatalf("the read hangs: no answer %v after its %v timeout", grace-timeout, timeout)
	}
	return outcome{}
}

// wantSameIDs fails unless got is want, and then names the duplicates, the
// missing IDs and the unexpected ones.
func wantSameIDs(t *testing.T, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	seen := map[string]int{}
	var dups []string
	for _, id := range got {
		if seen[id]++; seen[id] == 2 {
			dups = append(dups, id)
		}
	}
	wanted := map[string]bool{}
	var missing, unexpected []string
	for _, id := range want {
		wanted[id] = true
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id := range seen {
		if !wanted[id] {
			unexpected = append(unexpected, id)
		}
	}
	slices.Sort(unexpected)
	t.Errorf("got %d tasks, want %d: duplicates %v, missing %v, unexpected %v (when all are empty, the order is wrong)",
		len(got), len(want), dups, missing, unexpected)
}

// syncBuffer is a log sink for loggers writing from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// countWarning is the client's warning when task_count and the tasks
// returned disagree.
const countWarning = "task_count disagrees with the tasks returned; using the tasks returned"

// countWarnings returns the task_count and tasks_returned of each such
// warning in the log.
func countWarnings(t *testing.T, log *syncBuffer) [][2]int {
	t.Helper()
	log.mu.Lock()
	entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(log.buf.Bytes()))
	log.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]int
	for _, e := range entries {
		if e["@message"] != countWarning {
			continue
		}
		if e["@level"] != "warn" {
			t.Errorf("the task_count warning is logged at %v", e["@level"])
		}
		reported, _ := e["task_count"].(float64)
		returned, _ := e["tasks_returned"].(float64)
		out = append(out, [2]int{int(reported), int(returned)})
	}
	return out
}

// shiftingPages wraps the emulator so that every list request after the
// first adds a new task at the head of the list before it is served, as a
// task created during the read does. delayed pages (by start) wait before
// that, so that a later page is served first.
func shiftingPages(delayed map[string]time.Duration) func(emu *emulator.Emulator) http.Handler {
	return func(emu *emulator.Emulator) http.Handler {
		var mu sync.Mutex
		added := 0
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := r.URL.Query().Get("start")
			if strings.HasSuffix(r.URL.Path, "/tasks") && start != "" && start != "1" {
				select {
				case <-time.After(delayed[start]):
				case <-r.Context().Done():
					return
				}
				mu.Lock()
				added++
				at := faultBase.Add(1000*time.Hour + time.Duration(added)*time.Minute)
				emu.AddTasks(emulator.DefaultProjectID, faultInstance, emulator.Task{
					ID: fmt.Sprintf("new-%03d", added), Name: "restart", Status: "CREATED", CreatedAt: at, UpdatedAt: at,
				})
				mu.Unlock()
			}
			emu.ServeHTTP(w, r)
		})
	}
}

// TestFaultsBadPages reads every task while task_count lies or the pages
// shift. Either the result is exactly the tasks there were, in order, and
// a disagreement with task_count is logged as a warning, never acted on by
// dropping tasks; or, where the pages leave the end of the list unknown or
// hold more than max_tasks, the read stops with a typed error after an
// exact number of requests, never reading past the count.
func TestFaultsBadPages(t *testing.T) {
	const anyCount = -1
	skew := func(delta int) *emulator.Fault {
		return &emulator.Fault{Kind: emulator.FaultTaskCountSkew, TaskCountDelta: delta}
	}
	maxTasks := func(n int) func(*Config) { return func(cfg *Config) { cfg.MaxTasks = n } }
	cases := []struct {
		name        string
		tasks       int
		skew        *emulator.Fault
		handler     func(emu *emulator.Emulator) http.Handler
		cfg         func(*Config)
		concurrency int
		// newAtHead allows the tasks created during the read, new-N …
		// new-001, before the ones there were: a read done again sees them.
		newAtHead bool
		// wantReported is the task_count of the first page read, anyCount
		// where it depends on when that page was read.
		wantReported int
		// The requests the reader makes; a concurrent read may take one
		// page past a short one, which it then ignores, and a read whose
		// pages disagree on task_count is done again.
		minRequests, maxRequests int
		// wantErr checks the error of a read that must fail.
		wantErr func(*testing.T, error)
	}{
		{name: "task_count right", tasks: faultTasks, concurrency: DefaultPageConcurrency, wantReported: 257, minRequests: 3, maxRequests: 3},
		// Page 3 is short of what 400 announces: page 4 is read to check
		// that the list ends there.
		{name: "task_count larger than the tasks, sequential", tasks: faultTasks, skew: skew(400 - faultTasks),
			concurrency: 1, wantReported: 400, minRequests: 4, maxRequests: 4},
		{name: "task_count larger than the tasks, concurrent", tasks: faultTasks, skew: skew(400 - faultTasks),
			concurrency: DefaultPageConcurrency, wantReported: 400, minRequests: 3, maxRequests: 4},
		// The pages disagree, so the read is done again, and then agree.
		{name: "task_count larger on the first page only", tasks: faultTasks,
			skew:        &emulator.Fault{Kind: emulator.FaultTaskCountSkew, TaskCountDelta: 400 - faultTasks, Times: 1},
			concurrency: DefaultPageConcurrency, wantReported: 257, minRequests: 3 + 3, maxRequests: 4 + 3},
		// Page 2 is the last that a count of 150 predicts, and it comes back
		// full: the list goes on, and nothing says how far.
		{name: "task_count smaller than the tasks", tasks: faultTasks, skew: skew(150 - faultTasks),
			concurrency: DefaultPageConcurrency, minRequests: 2, maxRequests: 2, wantErr: wantInconsistent(150, 2, 50)},
		{name: "task_count smaller than the tasks, sequential", tasks: faultTasks, skew: skew(150 - faultTasks),
			concurrency: 1, minRequests: 2, maxRequests: 2, wantErr: wantInconsistent(150, 2, 50)},
		{name: "task_count zero", tasks: faultTasks, skew: skew(-1000),
			concurrency: DefaultPageConcurrency, minRequests: 1, maxRequests: 1, wantErr: wantInconsistent(0, 1, 0)},
		{name: "task_count smaller, a full last page", tasks: 300, skew: skew(-50),
			concurrency: DefaultPageConcurrency, minRequests: 3, maxRequests: 3, wantErr: wantInconsistent(250, 3, 50)},
		// A short last page proves the end, even past the count.
		{name: "task_count smaller, a short last page", tasks: faultTasks, skew: skew(-7),
			concurrency: DefaultPageConcurrency, wantReported: 250, minRequests: 3, maxRequests: 3},
		{name: "task_count of two billion", tasks: faultTasks, skew: skew(2_000_000_000),
			concurrency: DefaultPageConcurrency, minRequests: 1, maxRequests: 1, wantErr: wantTooMany(2_000_000_257, 0, DefaultMaxTasks)},
		{name: "task_count over a lowered max_tasks", tasks: faultTasks, cfg: maxTasks(200),
			concurrency: DefaultPageConcurrency, minRequests: 1, maxRequests: 1, wantErr: wantTooMany(257, 0, 200)},
		{name: "task_count over a lowered max_tasks, sequential", tasks: faultTasks, cfg: maxTasks(200),
			concurrency: 1, minRequests: 1, maxRequests: 1, wantErr: wantTooMany(257, 0, 200)},
		{name: "max_tasks just enough", tasks: faultTasks, cfg: maxTasks(faultTasks),
			concurrency: DefaultPageConcurrency, wantReported: 257, minRequests: 3, maxRequests: 3},
		// The count fits max_tasks, but the short last page holds more than
		// it left room for.
		{name: "tasks over max_tasks, task_count under it", tasks: faultTasks, skew: skew(-7), cfg: maxTasks(250),
			concurrency: DefaultPageConcurrency, minRequests: 3, maxRequests: 3, wantErr: wantTooMany(250, 257, 250)},
		// A task created during the read shifts every later page by one:
		// pages repeat the tail of the one before, and the oldest tasks move
		// past the predicted last page.
		{name: "pages shift during a sequential read", tasks: 300, handler: shiftingPages(nil),
			concurrency: 1, wantReported: 300, minRequests: 4, maxRequests: 4},
		// Page 3 is served before page 2, and a task is created between
		// them: page 2 then starts one task later than page 3 assumed, so
		// the task between the two pages is on neither, unless the reader
		// notices and reads again.
		{name: "pages shift during a concurrent read served out of order", tasks: 300,
			handler:     shiftingPages(map[string]time.Duration{"101": 500 * time.Millisecond}),
			concurrency: DefaultPageConcurrency, newAtHead: true, wantReported: anyCount, minRequests: 4, maxRequests: 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, srv, wantIDs := faultEmulator(t, tc.tasks, tc.handler)
			if tc.skew != nil {
				emu.InjectFault(emulator.RouteTaskList, *tc.skew)
			}
			c := faultClient(t, emu, srv, tc.cfg)
			var log syncBuffer
			var list *TaskList
			out := runRead(t, c, func(ctx context.Context, c *Client) ([]string, error) {
				var err error
				list, err = c.ListAllTasks(tflogtest.RootLogger(ctx, &log), faultQuery(), tc.concurrency)
				if err != nil {
					return nil, err
				}
				return taskIDs(list.Tasks), nil
			}, readTimeout)
			n := emu.Count(emulator.RouteTaskList)
			if n < tc.minRequests || n > tc.maxRequests {
				t.Errorf("the emulator counted %d requests; want %d to %d", n, tc.minRequests, tc.maxRequests)
			}
			if tc.wantErr != nil {
				if out.err == nil || list != nil {
					t.Fatalf("got %d tasks and the error %v, want an error and no tasks", len(out.ids), out.err)
				}
				tc.wantErr(t, out.err)
				var inconsistent *InconsistentPagesError
				if errors.As(out.err, &inconsistent) && inconsistent.Requests != n {
					t.Errorf("the error counts %d requests, the emulator %d", inconsistent.Requests, n)
				}
				return
			}
			if out.err != nil {
				t.Fatalf("got %v after %v, want every task", out.err, out.elapsed)
			}
			ids := out.ids
			if tc.newAtHead {
				// new-N … new-001, newest first, then the tasks there were.
				n := 0
				for n < len(ids) && ids[n] == fmt.Sprintf("new-%03d", len(ids)-len(wantIDs)-n) {
					n++
				}
				if n != len(ids)-len(wantIDs) {
					n = 0
				}
				if n > 0 {
					t.Logf("%d tasks created during the read came back too", n)
				}
				ids = ids[n:]
			}
			wantSameIDs(t, ids, wantIDs)
			if tc.wantReported != anyCount && list.Reported != tc.wantReported {
				t.Errorf("reported %d, want the first page's task_count %d", list.Reported, tc.wantReported)
			}
			if n != list.Requests {
				t.Errorf("the emulator counted %d requests, the reader %d", n, list.Requests)
			}
			warnings := countWarnings(t, &log)
			switch returned := len(list.Tasks); {
			case returned == list.Reported && len(warnings) != 0:
				t.Errorf("warned %v, though task_count agrees", warnings)
			case returned != list.Reported && (len(warnings) != 1 || warnings[0] != [2]int{list.Reported, returned}):
				t.Errorf("warnings %v; want one saying task_count %d, %d tasks returned", warnings, list.Reported, returned)
			}
		})
	}
}
