package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pageServer serves n tasks, newest first, as the DMS list API does.
// reported overrides task_count; onRequest may change the data between
// requests (new tasks arriving), and repeat makes every page the same full
// page, as a broken server might.
type pageServer struct {
	mu        sync.Mutex
	ids       []string
	reported  func(real int) int
	onRequest func(s *pageServer, n int)
	repeat    bool
	// emptyPage, when above 0, is a page (of the limit asked) served empty.
	emptyPage int
	requests  atomic.Int32
	inFlight  atomic.Int32
	maxFlight atomic.Int32
}

func newPageServer(n int) *pageServer {
	s := &pageServer{}
	for i := n; i >= 1; i-- {
		s.ids = append(s.ids, fmt.Sprintf("task-%05d", i))
	}
	return s
}

func (s *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.requests.Add(1))
	cur := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxFlight.Load()
		if cur <= m || s.maxFlight.CompareAndSwap(m, cur) {
			break
		}
	}
	s.mu.Lock()
	if s.onRequest != nil {
		s.onRequest(s, n)
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if s.repeat {
		start = 1
	}
	tasks := []map[string]string{}
	for i := start - 1; i < len(s.ids) && i < start-1+limit; i++ {
		if s.emptyPage > 0 && limit > 0 && (start-1)/limit+1 == s.emptyPage {
			break
		}
		tasks = append(tasks, map[string]string{"id": s.ids[i]})
	}
	count := len(s.ids)
	if s.reported != nil {
		count = s.reported(count)
	}
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"task_count": strconv.Itoa(count), "tasks": tasks})
}

func TestListAllTasks(t *testing.T) {
	cases := []struct {
		name         string
		server       func() *pageServer
		concurrency  int
		wantTasks    int
		wantRequests int
		wantReported int
		// wantErr, when set, checks the error of a read that must fail;
		// wantRequests then counts the requests made before it.
		wantErr func(*testing.T, error)
	}{
		{"empty", func() *pageServer { return newPageServer(0) }, 4, 0, 1, 0, nil},
		{"one short page", func() *pageServer { return newPageServer(57) }, 4, 57, 1, 57, nil},
		{"exactly one full page", func() *pageServer { return newPageServer(100) }, 4, 100, 1, 100, nil},
		{"257 tasks in three pages", func() *pageServer { return newPageServer(257) }, 4, 257, 3, 257, nil},
		{"10,000 tasks in 100 requests", func() *pageServer { return newPageServer(10_000) }, 4, 10_000, 100, 10_000, nil},
		{"sequential reads the same", func() *pageServer { return newPageServer(257) }, 1, 257, 3, 257, nil},
		// Page 3 is short of the count, so page 4 is read to check that
		// the list ends there.
		{"task_count larger than the tasks", func() *pageServer {
			s := newPageServer(250)
			s.reported = func(real int) int { return real + 500 }
			return s
		}, 1, 250, 4, 750, nil},
		// Page 2 is the last page task_count 107 predicts, and it comes
		// back full: the list may go on, and nothing says how far.
		{"task_count smaller than the tasks", func() *pageServer {
			s := newPageServer(257)
			s.reported = func(real int) int { return real - 150 }
			return s
		}, 4, 0, 2, 0, wantInconsistent(107, 2, 7)},
		{"task_count smaller than the tasks, sequential", func() *pageServer {
			s := newPageServer(257)
			s.reported = func(real int) int { return real - 150 }
			return s
		}, 1, 0, 2, 0, wantInconsistent(107, 2, 7)},
		// The count says there is nothing, the full first page that there
		// may be more than it: the first page is already past the count.
		{"task_count zero with tasks", func() *pageServer {
			s := newPageServer(150)
			s.reported = func(int) int { return 0 }
			return s
		}, 4, 0, 1, 0, wantInconsistent(0, 1, 0)},
		{"a server repeating one full page", func() *pageServer {
			s := newPageServer(300)
			s.repeat = true
			s.reported = func(int) int { return 50 }
			return s
		}, 4, 0, 1, 0, wantInconsistent(50, 1, 50)},
		// The count fits, so three pages are read; they repeat one another
		// and the read is done again, then sequentially, where page 2
		// repeats 100 tasks while the count did not grow: 200 tasks would
		// be missing, so the read stops (3 + 3 + 2 requests).
		{"a server repeating one full page, count a whole number of pages", func() *pageServer {
			s := newPageServer(300)
			s.repeat = true
			return s
		}, 4, 0, 8, 0, wantRepeats(300, 2, 0, 100)},
		// Page 2 is empty though the count says 500: the sequential read
		// checks page 3, which holds tasks. (Concurrent reads see the same
		// when a page after the empty one was in flight, and read again;
		// how many were depends on timing, so TestReadPagesPastTheEnd
		// checks that part.)
		{"an empty page in the middle", func() *pageServer {
			s := newPageServer(500)
			s.emptyPage = 2
			return s
		}, 1, 0, 3, 0, wantPastEnd(500, 2, 0)},
		{"task_count over max_tasks on a full first page", func() *pageServer {
			s := newPageServer(300)
			s.reported = func(int) int { return 2_000_000_000 }
			return s
		}, 4, 0, 1, 0, wantTooMany(2_000_000_000, 0, DefaultMaxTasks)},
		// A short first page is the whole list, whatever its count says.
		{"task_count over max_tasks on a short first page", func() *pageServer {
			s := newPageServer(3)
			s.reported = func(int) int { return 2_000_000_000 }
			return s
		}, 4, 3, 1, 2_000_000_000, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.server()
			srv := httptest.NewServer(ps)
			defer srv.Close()
			list, err := newTestClient(t, srv, nil).ListAllTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, tc.concurrency)
			if tc.wantErr != nil {
				if list != nil {
					t.Errorf("got %d tasks with the error %v", len(list.Tasks), err)
				}
				tc.wantErr(t, err)
				if n := int(ps.requests.Load()); n != tc.wantRequests {
					t.Errorf("the server saw %d requests, want %d", n, tc.wantRequests)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Tasks) != tc.wantTasks || list.Requests != tc.wantRequests || int(ps.requests.Load()) != tc.wantRequests || list.Reported != tc.wantReported {
				t.Fatalf("got %d tasks, %d requests (server saw %d), reported %d; want %d, %d, %d",
					len(list.Tasks), list.Requests, ps.requests.Load(), list.Reported, tc.wantTasks, tc.wantRequests, tc.wantReported)
			}
			for i, task := range list.Tasks {
				if want := ps.ids[i]; task.ID != want {
					t.Fatalf("task %d is %s, want %s: the API's order must be kept", i, task.ID, want)
				}
			}
			if tc.concurrency == 1 && ps.maxFlight.Load() > 1 {
				t.Fatalf("%d requests in flight with concurrency 1", ps.maxFlight.Load())
			}
			if ps.maxFlight.Load() > int32(max(tc.concurrency, 1)) {
				t.Fatalf("%d requests in flight, more than %d", ps.maxFlight.Load(), tc.concurrency)
			}
		})
	}
}

// wantInconsistent checks an *InconsistentPagesError about a full page
// whose task_count leaves room for expected tasks; its Requests must be the
// requests the server saw, which the caller checks.
func wantInconsistent(reported, page, expected int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *InconsistentPagesError
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v, want an *InconsistentPagesError", err, err)
		}
		if e.Reported != reported || e.Page != page || e.Held != TaskPageSize || e.Expected != expected {
			t.Errorf("got task_count %d, page %d holding %d, room for %d; want %d, %d, %d, %d", e.Reported, e.Page, e.Held, e.Expected, reported, page, TaskPageSize, expected)
		}
		wantParts(t, err, fmt.Sprintf("page %d", page), fmt.Sprintf("task_count %d leaves room for %d", reported, expected),
			"where the list ends is unknown", fmt.Sprintf("after %s", plural(e.Requests, "request")), "start and limit", "begin_time and end_time")
	}
}

// wantRepeats checks an *InconsistentPagesError of pages that repeat
// more tasks than the count's growth explains.
func wantRepeats(reported, page, grown, repeated int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *InconsistentPagesError
		if !errors.As(err, &e) || e.Kind != InconsistentRepeats {
			t.Fatalf("error %T %v, want an *InconsistentPagesError of repeats", err, err)
		}
		if e.Reported != reported || e.Page != page || e.Expected != grown || e.Repeated != repeated {
			t.Errorf("got task_count %d, page %d, growth %d, repeats %d; want %d, %d, %d, %d", e.Reported, e.Page, e.Expected, e.Repeated, reported, page, grown, repeated)
		}
		wantParts(t, err, fmt.Sprintf("page %d", page), fmt.Sprintf("brought the repeats of earlier pages to %d tasks", repeated),
			fmt.Sprintf("task_count grew by only %d since the first page (to %d)", grown, reported), "tasks may be missing")
	}
}

// wantPastEnd checks an *InconsistentPagesError of a short page followed
// by one that holds tasks.
func wantPastEnd(reported, page, held int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *InconsistentPagesError
		if !errors.As(err, &e) || e.Kind != InconsistentPastEnd {
			t.Fatalf("error %T %v, want an *InconsistentPagesError of a page past the end", err, err)
		}
		if e.Reported != reported || e.Page != page || e.Held != held {
			t.Errorf("got task_count %d, page %d holding %d; want %d, %d, %d", e.Reported, e.Page, e.Held, reported, page, held)
		}
		wantParts(t, err, fmt.Sprintf("page %d", page), fmt.Sprintf("but page %d after it holds tasks", page+1), "tasks may be missing")
	}
}

// wantTooMany checks a *TooManyTasksError.
func wantTooMany(reported, received, maxTasks int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *TooManyTasksError
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v, want a *TooManyTasksError", err, err)
		}
		if e.Reported != reported || e.Received != received || e.Max != maxTasks {
			t.Errorf("got reported %d, received %d, max %d; want %d, %d, %d", e.Reported, e.Received, e.Max, reported, received, maxTasks)
		}
		wantParts(t, err, fmt.Sprintf("max_tasks = %d", maxTasks), "begin_time and end_time", "start and limit", "raise max_tasks")
	}
}

// TestListAllTasksWhilePagesShift adds new tasks at the head of the list
// while the pages are read, so every later page repeats tasks of the one
// before and the oldest tasks move past the predicted last page.
func TestListAllTasksWhilePagesShift(t *testing.T) {
	ps := newPageServer(300)
	ps.onRequest = func(s *pageServer, n int) {
		if n > 1 {
			s.ids = append([]string{fmt.Sprintf("new-%d", n)}, s.ids...)
		}
	}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	list, err := newTestClient(t, srv, nil).ListAllTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, task := range list.Tasks {
		if seen[task.ID] {
			t.Fatalf("duplicate task %s", task.ID)
		}
		seen[task.ID] = true
	}
	for i := 1; i <= 300; i++ {
		if id := fmt.Sprintf("task-%05d", i); !seen[id] {
			t.Fatalf("task %s is missing", id)
		}
	}
}

// TestListAllTasksStopsOnError fails page 3 while the server holds pages
// 2, 4 and 5 open: the reader must call them off and take no further page,
// whatever the timing.
func TestListAllTasksStopsOnError(t *testing.T) {
	ps := newPageServer(1000)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.URL.Query().Get("start") {
		case "1", "101":
			ps.ServeHTTP(w, r)
		case "201":
			writeJSON(w, 404, map[string]string{"error_code": "DMS.00404022", "error_msg": "This DMS instance does not exist."})
		default:
			select {
			case <-r.Context().Done(): // called off by the client
			case <-time.After(10 * time.Second):
				t.Error("a page after the failed one was not called off")
			}
		}
	}))
	defer srv.Close()
	_, err := newTestClient(t, srv, nil).ListAllTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, 4)
	if !IsNotFound(err) {
		t.Fatalf("got %v", err)
	}
	// Pages 2, 4 and 5 may be called off before they are even sent, so how
	// many of them arrive depends on scheduling. Page 2 is the only one
	// answered: if it is answered before the 404, its worker goes on to
	// page 6, which the 404 then calls off. No later page is ever taken.
	if n := calls.Load(); n < 2 || n > 6 {
		t.Fatalf("%d requests; want the first page, page 3, and at most the rest of the four in flight and page 6", n)
	}
}

// An error on a page past a short one is not an error of the read: the
// short page has said where the list ends (a server may answer a start
// past the end with a 400). readPages lets the pages before a failed one
// finish to know that, and reports a page past a short one that held
// tasks, which sends the read round again.
func TestReadPagesPastTheEnd(t *testing.T) {
	for _, tc := range []struct {
		name     string
		page3    func(w http.ResponseWriter, r *http.Request, ps *pageServer)
		want     int // tasks in pages 2 and 3 together
		pastEnd  bool
		wantsErr bool
	}{
		{"a 400 after the short page", func(w http.ResponseWriter, _ *http.Request, _ *pageServer) {
			writeJSON(w, 400, map[string]string{"error_code": "DMS.00400001", "error_msg": "start is out of range"})
		}, 50, false, false},
		{"tasks after the short page", func(w http.ResponseWriter, r *http.Request, ps *pageServer) {
			ps.ServeHTTP(w, r)
		}, 50, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := newPageServer(400)
			third := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Query().Get("start") {
				case "101":
					// Page 2 answers short, and only once page 3 has been
					// answered, so that both are always in flight.
					<-third
					writeJSON(w, 200, map[string]any{"task_count": "400", "tasks": tasksOfIDs(ps.ids[100:150])})
				case "201":
					tc.page3(w, r, ps)
					close(third)
				default:
					t.Errorf("page with start %s requested", r.URL.Query().Get("start"))
				}
			}))
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) { cfg.MaxRetries = new(int) })
			pages, requested, pastEnd, err := c.readPages(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, 2, 3, 2)
			if (err != nil) != tc.wantsErr || requested != 2 || pastEnd != tc.pastEnd {
				t.Fatalf("err %v, %d requested, past the end %v; want error %v, 2, %v", err, requested, pastEnd, tc.wantsErr, tc.pastEnd)
			}
			got := 0
			for _, p := range pages {
				got += len(p.Tasks)
			}
			if len(pages) != 1 || got != tc.want {
				t.Fatalf("%d pages of %d tasks, want page 2 only, %d tasks", len(pages), got, tc.want)
			}
		})
	}
}

// tasksOfIDs makes the tasks of a page body from their IDs.
func tasksOfIDs(ids []string) []map[string]string {
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = map[string]string{"id": id}
	}
	return out
}
