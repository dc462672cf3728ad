package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// These tests give the task reader a server that lies: about how many tasks
// there are, with pages that never end, pages far over their limit, and
// tasks that cannot be told apart. Each asserts the exact requests made,
// the typed error, and, where it is cheap, that memory stays bounded by
// what was received and by the limits the provider sets.

// hugePageTasks is the page of the outside test: 30 MiB of 517,511 tasks,
// though the page's limit was 100.
const hugePageTasks = 517_511

// hostileServer answers every task-list request with page(start, limit),
// counting the requests. Past maxRequests it answers 400, so that a reader
// that would never stop ends anyway and its test fails instead of hanging.
type hostileServer struct {
	requests    atomic.Int64
	maxRequests int64
	page        func(w http.ResponseWriter, start, limit int)
}

func (s *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.requests.Add(1) > s.maxRequests {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "TEST.400", "error_msg": "the test server's request budget is spent"})
		return
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	s.page(w, max(start, 1), limit)
}

func newHostile(t *testing.T, page func(w http.ResponseWriter, start, limit int), mutate func(*Config)) (*hostileServer, *Client) {
	t.Helper()
	hs := &hostileServer{maxRequests: 1000, page: page}
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	return hs, newTestClient(t, srv, mutate)
}

// writePage streams a page of n tasks, numbered from first, with the given
// task_count (raw JSON), without holding the body in memory.
func writePage(w http.ResponseWriter, count string, first, n int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-hostile")
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, `{"task_count":%s,"tasks":[`, count)
	// 60 bytes a task, so that 517,511 of them make 30 MiB; written
	// without fmt, so that the server allocates next to nothing.
	task := []byte(`{"id":"task-0000000000","name":"restart","status":"SUCCESS"}`)
	const digits = len(`{"id":"task-`)
	for i := range n {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		for d, v := digits+9, first+i; d >= digits; d, v = d-1, v/10 {
			task[d] = byte('0' + v%10)
		}
		_, _ = bw.Write(task)
	}
	_, _ = bw.WriteString("]}")
	_ = bw.Flush()
}

// fullPages serves a full page wherever it is asked, for ever.
func fullPages(count string) func(http.ResponseWriter, int, int) {
	return func(w http.ResponseWriter, start, limit int) { writePage(w, count, start, limit) }
}

// allocBound is a bound on what a read may allocate: under the race
// detector, which allocates more, twice as much.
func allocBound(n uint64) uint64 {
	if raceEnabled {
		return 2 * n
	}
	return n
}

// allocated runs f and returns the bytes it allocated, the test server's
// included.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func allQuery() TaskQuery {
	return TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}
}

// TestListAllTasksHugeTaskCount: task_count sized a map before any task
// arrived, so a count of 2×10⁹ on a page of three tasks took the plugin to
// 8 GB. Now it costs what three tasks cost; on a full first page it is a
// *TooManyTasksError after that one request.
func TestListAllTasksHugeTaskCount(t *testing.T) {
	for _, count := range []string{`"20000000"`, `"2000000000"`, `1000000000000`} {
		for _, tasks := range []int{3, TaskPageSize} {
			t.Run(fmt.Sprintf("%s on %d tasks", count, tasks), func(t *testing.T) {
				hs, c := newHostile(t, func(w http.ResponseWriter, start, _ int) { writePage(w, count, start, tasks) }, nil)
				var list *TaskList
				var err error
				alloc := allocated(func() { list, err = c.ListAllTasks(context.Background(), allQuery(), DefaultPageConcurrency) })
				reported, _ := strconv.Atoi(strings.Trim(count, `"`))
				if tasks < TaskPageSize {
					// A short first page is the whole list.
					if err != nil || len(list.Tasks) != tasks || list.Reported != reported || list.Requests != 1 {
						t.Fatalf("got %+v, %v; want %d tasks in 1 request", list, err, tasks)
					}
				} else {
					wantTooMany(reported, 0, DefaultMaxTasks)(t, err)
				}
				if n := hs.requests.Load(); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
				t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
				if alloc > allocBound(16<<20) {
					t.Errorf("allocated %d MiB to read %d tasks", alloc>>20, tasks)
				}
			})
		}
	}
}

// TestListAllTasksEndlessFullPages: a server whose pages are always full.
// The reader asks only for the pages task_count predicts, stops when the
// last of them is full past the count, and never follows a count past
// max_tasks: the requests are counted exactly.
func TestListAllTasksEndlessFullPages(t *testing.T) {
	const smallMax = 1000
	lowMax := func(cfg *Config) { cfg.MaxTasks = smallMax }
	// growing says there is always one more page than the one asked for.
	growing := func(w http.ResponseWriter, start, limit int) {
		writePage(w, strconv.Itoa(start-1+limit+TaskPageSize), start, limit)
	}
	cases := []struct {
		name         string
		page         func(http.ResponseWriter, int, int)
		cfg          func(*Config)
		concurrency  int
		wantRequests int64
		wantTasks    int
		wantErr      func(*testing.T, error)
	}{
		{"task_count 10^12", fullPages("1000000000000"), nil, DefaultPageConcurrency, 1, 0, wantTooMany(1_000_000_000_000, 0, DefaultMaxTasks)},
		{"task_count 10^12, sequential", fullPages("1000000000000"), nil, 1, 1, 0, wantTooMany(1_000_000_000_000, 0, DefaultMaxTasks)},
		{"task_count 150", fullPages(`"150"`), nil, DefaultPageConcurrency, 2, 0, wantInconsistent(150, 2, 50)},
		{"task_count 150, sequential", fullPages(`"150"`), nil, 1, 2, 0, wantInconsistent(150, 2, 50)},
		{"task_count 0", fullPages(`"0"`), nil, DefaultPageConcurrency, 1, 0, wantInconsistent(0, 1, 0)},
		{"task_count missing", fullPages(`null`), nil, DefaultPageConcurrency, 1, 0, wantInconsistent(0, 1, 0)},
		{"task_count 50,000, the default max_tasks", fullPages(`"50000"`), nil, DefaultPageConcurrency, 500, 50_000, nil},
		{"task_count 49,950", fullPages(`"49950"`), nil, DefaultPageConcurrency, 500, 0, wantInconsistent(49_950, 500, 50)},
		{"task_count max_tasks", fullPages(`"1000"`), lowMax, DefaultPageConcurrency, 10, 1000, nil},
		{"task_count max_tasks + 1", fullPages(`"1001"`), lowMax, DefaultPageConcurrency, 1, 0, wantTooMany(1001, 0, smallMax)},
		{"task_count 950 under max_tasks", fullPages(`"950"`), lowMax, DefaultPageConcurrency, 10, 0, wantInconsistent(950, 10, 50)},
		// Every page reports a count one page beyond itself. The pages
		// disagree, so the concurrent read (2 pages) is done again (2), then
		// sequentially, following each page's count until it passes
		// max_tasks on page 10.
		{"task_count always one page ahead", growing, lowMax, DefaultPageConcurrency, 2 + 2 + 10, 0, wantTooMany(1100, 0, smallMax)},
		{"task_count always one page ahead, sequential", growing, lowMax, 1, 10, 0, wantTooMany(1100, 0, smallMax)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hs, c := newHostile(t, tc.page, tc.cfg)
			var list *TaskList
			var err error
			alloc := allocated(func() { list, err = c.ListAllTasks(context.Background(), allQuery(), tc.concurrency) })
			n := hs.requests.Load()
			if n != tc.wantRequests {
				t.Errorf("%d requests, want %d", n, tc.wantRequests)
			}
			t.Logf("%d requests, allocated %.1f MiB", n, float64(alloc)/(1<<20))
			if tc.wantErr != nil {
				if list != nil {
					t.Errorf("got %d tasks with the error", len(list.Tasks))
				}
				tc.wantErr(t, err)
				var inconsistent *InconsistentPagesError
				if errors.As(err, &inconsistent) && int64(inconsistent.Requests) != n {
					t.Errorf("the error says %d requests, the server saw %d", inconsistent.Requests, n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Tasks) != tc.wantTasks || int64(list.Requests) != n {
				t.Fatalf("%d tasks in %d requests, want %d in %d", len(list.Tasks), list.Requests, tc.wantTasks, n)
			}
		})
	}
}

// TestTaskPageOverLimit: a page holding more tasks than its limit is a
// *DecodeError as soon as the task after the limit begins. The 30 MiB page
// of 517,511 tasks is refused in one request; what it allocates is the
// body, which the request path reads whole (twice, see send), and not the
// tasks.
func TestTaskPageOverLimit(t *testing.T) {
	huge := func(w http.ResponseWriter, start, _ int) {
		writePage(w, strconv.Itoa(hugePageTasks), start, hugePageTasks)
	}
	n := func(tasks int) func(w http.ResponseWriter, start, _ int) {
		return func(w http.ResponseWriter, start, _ int) { writePage(w, strconv.Itoa(tasks), start, tasks) }
	}
	listAll := func(c *Client) error {
		list, err := c.ListAllTasks(context.Background(), allQuery(), DefaultPageConcurrency)
		if list != nil {
			t.Errorf("got %d tasks with the error %v", len(list.Tasks), err)
		}
		return err
	}
	listPage := func(start, limit int) func(c *Client) error {
		return func(c *Client) error {
			q := allQuery()
			q.Start, q.Limit = start, limit
			page, err := c.ListTasks(context.Background(), q)
			if page != nil {
				t.Errorf("got %d tasks with the error %v", len(page.Tasks), err)
			}
			return err
		}
	}
	getTask := func(c *Client) error {
		task, err := c.GetTask(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "task-0000000001")
		if task != nil {
			t.Errorf("got task %s with the error %v", task.ID, err)
		}
		return err
	}
	cases := []struct {
		name     string
		page     func(http.ResponseWriter, int, int)
		read     func(*Client) error
		limit    int
		maxAlloc uint64
	}{
		{"30 MiB page of every task", huge, listAll, TaskPageSize, 200 << 20},
		{"30 MiB page with a limit of 7", huge, listPage(1, 7), 7, 200 << 20},
		{"30 MiB page for one task", huge, getTask, TaskPageSize, 200 << 20},
		{"101 tasks for a page of 100", n(101), listAll, TaskPageSize, 4 << 20},
		{"8 tasks for a limit of 7", n(8), listPage(1, 7), 7, 4 << 20},
		{"101 tasks with no limit asked", n(101), listPage(0, 0), TaskPageSize, 4 << 20},
		{"101 tasks for one task", n(101), getTask, TaskPageSize, 4 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hs, c := newHostile(t, tc.page, nil)
			var err error
			alloc := allocated(func() { err = tc.read(c) })
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrPageOverLimit) {
				t.Fatalf("error %T %v, want a *DecodeError of ErrPageOverLimit", err, err)
			}
			wantParts(t, err, fmt.Sprintf("the page holds more tasks than its limit of %d", tc.limit), "request id req-hostile", `{"task_count":`)
			if len(err.Error()) > 2000 {
				t.Errorf("a message of %d bytes", len(err.Error()))
			}
			if n := hs.requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
			if alloc > allocBound(tc.maxAlloc) {
				t.Errorf("allocated %d MiB, want under %d MiB", alloc>>20, tc.maxAlloc>>20)
			}
		})
	}
	// At the limit is fine.
	for _, tasks := range []int{7, TaskPageSize} {
		hs, c := newHostile(t, n(tasks), nil)
		q := allQuery()
		q.Limit = tasks % TaskPageSize // 0 for 100: no limit asked, 100 allowed
		page, err := c.ListTasks(context.Background(), q)
		if err != nil || len(page.Tasks) != tasks || hs.requests.Load() != 1 {
			t.Errorf("a page of %d tasks with limit %d: %v", tasks, q.Limit, err)
		}
	}
}

// TestTaskPageWithoutIDs: a task with no id, an empty one or a null one,
// and a null task, is a *DecodeError of ErrTaskWithoutID, on the first page
// or a later one, in one request per page read.
func TestTaskPageWithoutIDs(t *testing.T) {
	bad := map[string]string{
		"no id":    `{"name":"restart"}`,
		"empty id": `{"id":"","name":"restart"}`,
		"null id":  `{"id":null,"name":"restart"}`,
		"null":     `null`,
	}
	for name, task := range bad {
		// badAt serves 150 good tasks, but the task at position badAt is
		// the bad one.
		serve := func(badAt int) func(http.ResponseWriter, int, int) {
			return func(w http.ResponseWriter, start, limit int) {
				limit = max(limit, 10)
				var b strings.Builder
				for i := start; i < start+limit && i <= 150; i++ {
					if b.Len() > 0 {
						b.WriteByte(',')
					}
					if i == badAt {
						b.WriteString(task)
					} else {
						fmt.Fprintf(&b, `{"id":"task-%d"}`, i)
					}
				}
				w.Header().Set("X-Request-Id", "req-hostile")
				fmt.Fprintf(w, `{"task_count":"150","tasks":[%s]}`, b.String())
			}
		}
		reads := []struct {
			name         string
			badAt        int
			read         func(*Client) error
			wantRequests int64
			wantPosition int
		}{
			{"ListTasks", 3, func(c *Client) error { _, err := c.ListTasks(context.Background(), allQuery()); return err }, 1, 3},
			{"ListAllTasks, page 1", 3, func(c *Client) error {
				_, err := c.ListAllTasks(context.Background(), allQuery(), DefaultPageConcurrency)
				return err
			}, 1, 3},
			{"ListAllTasks, page 2", 120, func(c *Client) error {
				_, err := c.ListAllTasks(context.Background(), allQuery(), DefaultPageConcurrency)
				return err
			}, 2, 20},
			{"GetTask", 1, func(c *Client) error {
				_, err := c.GetTask(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "task-1")
				return err
			}, 1, 1},
		}
		for _, r := range reads {
			t.Run(name+", "+r.name, func(t *testing.T) {
				hs, c := newHostile(t, serve(r.badAt), nil)
				err := r.read(c)
				var de *DecodeError
				if !errors.As(err, &de) || !errors.Is(err, ErrTaskWithoutID) {
					t.Fatalf("error %T %v, want a *DecodeError of ErrTaskWithoutID", err, err)
				}
				wantParts(t, err, fmt.Sprintf("a task has no id: task %d of the page", r.wantPosition), "request id req-hostile")
				if n := hs.requests.Load(); n != r.wantRequests {
					t.Errorf("%d requests, want %d", n, r.wantRequests)
				}
			})
		}
	}
}

// TestTaskPageNullTasks: tasks null or missing while task_count is above 0
// is a *DecodeError of ErrNullTasks; with a count of 0 (or none) it is an
// empty page.
func TestTaskPageNullTasks(t *testing.T) {
	cases := []struct {
		body    string
		wantErr bool
	}{
		{`{"task_count":"5","tasks":null}`, true},
		{`{"task_count":"5"}`, true},
		{`{"tasks":null,"task_count":5}`, true},
		{`{"task_count":"0","tasks":null}`, false},
		{`{"task_count":"0"}`, false},
		{`{}`, false},
		{`null`, false},
		{`{"task_count":"0","tasks":[]}`, false},
		{`{"task_count":"5","tasks":[]}`, false}, // a page past the end
	}
	for _, tc := range cases {
		for _, read := range []string{"ListTasks", "ListAllTasks", "GetTask"} {
			t.Run(tc.body+" "+read, func(t *testing.T) {
				hs, c := newHostile(t, func(w http.ResponseWriter, _, _ int) {
					w.Header().Set("X-Request-Id", "req-hostile")
					_, _ = w.Write([]byte(tc.body))
				}, nil)
				var err error
				var got int
				switch read {
				case "ListTasks":
					var p *TaskPage
					if p, err = c.ListTasks(context.Background(), allQuery()); err == nil {
						got = len(p.Tasks)
					}
				case "ListAllTasks":
					var l *TaskList
					if l, err = c.ListAllTasks(context.Background(), allQuery(), DefaultPageConcurrency); err == nil {
						got = len(l.Tasks)
					}
				case "GetTask":
					_, err = c.GetTask(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "t")
				}
				if n := hs.requests.Load(); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
				switch {
				case tc.wantErr:
					var de *DecodeError
					if !errors.As(err, &de) || !errors.Is(err, ErrNullTasks) {
						t.Fatalf("error %T %v, want a *DecodeError of ErrNullTasks", err, err)
					}
					wantParts(t, err, "no tasks array (null or missing) though its task_count is above 0 (task_count 5)")
				case read == "GetTask":
					if !IsNotFound(err) {
						t.Fatalf("got %v, want the 404 of a task not in the list", err)
					}
				case err != nil || got != 0:
					t.Fatalf("got %d tasks, %v; want an empty page", got, err)
				}
			})
		}
	}
}

// countingCtx is a context whose Err starts to report context.Canceled
// after its first call: cancelled by the user once decoding has begun.
type countingCtx struct {
	context.Context
	calls atomic.Int32
}

func (c *countingCtx) Err() error {
	if c.calls.Add(1) > 1 {
		return context.Canceled
	}
	return nil
}

// TestDecodeTaskPageHonoursCancel: decoding checks the context every
// ctxCheckEvery tasks, so a read cancelled while a page of half a million
// tasks is decoded (possible only where the limit allows it) stops at the
// next check, with context.Canceled and nothing decoded past it.
func TestDecodeTaskPageHonoursCancel(t *testing.T) {
	rec := httptest.NewRecorder()
	writePage(rec, strconv.Itoa(hugePageTasks), 1, hugePageTasks)
	body := rec.Body.Bytes()

	ctx := &countingCtx{Context: context.Background()}
	page, err := decodeTaskPage(ctx, body, hugePageTasks)
	if page != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, %v; want context.Canceled", page, err)
	}
	if n := ctx.calls.Load(); n != 2 {
		t.Errorf("the context was checked %d times, want 2: at the first task and %d tasks later", n, ctxCheckEvery)
	}

	// Through the client, the cancellation is no decode error.
	c := &Client{secrets: &secretSet{}}
	ctx = &countingCtx{Context: context.Background()}
	r := request{method: http.MethodGet, path: []string{"v2", "p", "instances", "i", "tasks"}}
	_, err = c.decodeTaskPage(ctx, r, &response{status: 200, header: http.Header{}, body: body}, hugePageTasks)
	var de *DecodeError
	if !errors.Is(err, context.Canceled) || errors.As(err, &de) {
		t.Fatalf("got %T %v, want context.Canceled and no *DecodeError", err, err)
	}

	// Not cancelled, a page decodes whole, checked on the way.
	rec = httptest.NewRecorder()
	writePage(rec, "1000", 1, 1000)
	ctx = &countingCtx{Context: context.Background()}
	ctx.calls.Store(-10) // never cancelled here
	page, err = decodeTaskPage(ctx, rec.Body.Bytes(), 1000)
	if err != nil || len(page.Tasks) != 1000 || page.Tasks[999].ID != "task-0000001000" {
		t.Fatalf("got %v", err)
	}
	if n := ctx.calls.Load() + 10; n != 4 {
		t.Errorf("the context was checked %d times for 1000 tasks, want 4", n)
	}
}

// TestMaxTasksConfig: max_tasks is 0 for the default, or at least a page.
func TestMaxTasksConfig(t *testing.T) {
	for _, n := range []int{-1, 1, TaskPageSize - 1} {
		_, err := New(Config{Region: "r", Token: "t", MaxTasks: n})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "max_tasks" || !strings.Contains(err.Error(), "at least 100") {
			t.Errorf("MaxTasks %d: got %v, want a *ConfigError on max_tasks", n, err)
		}
	}
	for n, want := range map[int]int{0: DefaultMaxTasks, TaskPageSize: TaskPageSize, 123_456: 123_456} {
		c, err := New(Config{Region: "r", Token: "t", MaxTasks: n})
		if err != nil || c.MaxTasks() != want {
			t.Errorf("MaxTasks %d: got %v, want MaxTasks() %d", n, err, want)
		}
	}
}
