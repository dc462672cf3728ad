package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

func TestFaultTaskCountRaw(t *testing.T) {
	cases := []struct {
		name, path, count, want string
	}{
		{"two billion on a list", tasksPath + "?limit=2", "2000000000", "2000000000"},
		{"10^12 on a list", tasksPath, "1000000000000", "1000000000000"},
		{"default", tasksPath, "", "2000000000"},
		{"not a number goes out as is", tasksPath, "many", "many"},
		{"negative", tasksPath, "-1", "-1"},
		{"on get", tasksPath + "/task-001", "2000000000", "2000000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			addNumberedTasks(e, 3)
			route := RouteTaskList
			if strings.Contains(tc.path, "task-001") {
				route = RouteTaskGet
			}
			normal := decode[taskList](t, get(t, e, tc.path).Body)
			e.InjectFault(route, Fault{Kind: FaultTaskCountRaw, TaskCount: tc.count, Times: 1})
			rec := get(t, e, tc.path)
			wantStatus(t, rec, http.StatusOK)
			l := decode[taskList](t, rec.Body)
			if l.TaskCount != tc.want {
				t.Fatalf("task_count %q, want %q", l.TaskCount, tc.want)
			}
			if got, want := taskIDs(l), taskIDs(normal); !slices.Equal(got, want) {
				t.Fatalf("tasks %v, want the normal %v", got, want)
			}
			if l := decode[taskList](t, get(t, e, tc.path).Body); l.TaskCount != normal.TaskCount {
				t.Fatalf("task_count %q after the fault, want %q", l.TaskCount, normal.TaskCount)
			}
		})
	}
	t.Run("no effect on a job", func(t *testing.T) {
		e := fixtureEmulator(t)
		e.InjectFault(RouteJob, Fault{Kind: FaultTaskCountRaw, Times: 1})
		if b := get(t, e, jobsPath+"?id="+seedJobID).Body.String(); strings.Contains(b, "task_count") {
			t.Fatalf("body %s", b)
		}
	})
}

// endlessID is the ID FaultEndlessPages gives the task at position p.
func endlessID(p int64) string { return fmt.Sprintf("e0d1e55%025x", p) }

func TestFaultEndlessPages(t *testing.T) {
	e := newTestEmulator(t)
	addNumberedTasks(e, 3)
	e.InjectFault(RouteTaskList, Fault{Kind: FaultEndlessPages, TaskCount: "150"})
	seen := map[string]bool{}
	var last time.Time
	cases := []struct {
		name         string
		start, limit int
	}{
		{"first page", 1, 100},
		{"second page", 101, 100},
		{"past the count", 201, 100},
		{"far past the count", 1_000_000_001, 100},
		{"short limit", 2_000_000_001, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, fmt.Sprintf("%s?start=%d&limit=%d", tasksPath, tc.start, tc.limit))
			wantStatus(t, rec, http.StatusOK)
			l := decode[taskList](t, rec.Body)
			if l.TaskCount != "150" || len(l.Tasks) != tc.limit {
				t.Fatalf("task_count %q and %d tasks, want \"150\" and %d", l.TaskCount, len(l.Tasks), tc.limit)
			}
			for i, task := range l.Tasks {
				if want := endlessID(int64(tc.start + i)); task.ID != want {
					t.Fatalf("task %d: ID %q, want %q", i, task.ID, want)
				}
				if seen[task.ID] {
					t.Fatalf("ID %s repeats", task.ID)
				}
				seen[task.ID] = true
				at, err := time.Parse(dmsTimeFormat, task.CreatedAt)
				if err != nil {
					t.Fatalf("created_at %q: %v", task.CreatedAt, err)
				}
				if !last.IsZero() && !at.Before(last) {
					t.Fatalf("task %s created %v, not before the previous %v", task.ID, at, last)
				}
				last = at
			}
		})
	}
	t.Run("default task_count", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultEndlessPages, Times: 1})
		// No instance at all: the fault does not look.
		l := decode[taskList](t, get(t, e, tasksPath+"?limit=3").Body)
		if l.TaskCount != "1000000000000" || len(l.Tasks) != 3 {
			t.Fatalf("task_count %q, %d tasks", l.TaskCount, len(l.Tasks))
		}
	})
	t.Run("a bad query still gets its 400", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultEndlessPages, Times: 1})
		wantError(t, get(t, e, tasksPath+"?limit=101"), http.StatusBadRequest, dmsBadParameter)
	})
}

func TestFaultOversizedPage(t *testing.T) {
	t.Run("more tasks than the limit", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultOversizedPage, Tasks: 1000, Times: 1})
		resp, body, err := fetch(t, srv, tasksPath+"?limit=10")
		if err != nil {
			t.Fatal(err)
		}
		var l taskList
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("body is not a task list: %v", err)
		}
		ids := map[string]bool{}
		for _, task := range l.Tasks {
			ids[task.ID] = true
		}
		if len(l.Tasks) != 1000 || len(ids) != 1000 || l.TaskCount != "1000" {
			t.Fatalf("%d tasks, %d IDs, task_count %q; want 1000 unique tasks", len(l.Tasks), len(ids), l.TaskCount)
		}
		if resp.ContentLength != -1 {
			t.Fatalf("Content-Length %d, want a chunked body", resp.ContentLength)
		}
		if s := fetchStatus(t, srv, tasksPath); s != http.StatusOK {
			t.Fatalf("next response %d", s)
		}
	})
	t.Run("task_count given", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultOversizedPage, Tasks: 5, TaskCount: "3", Times: 1})
		l := decode[taskList](t, get(t, e, tasksPath+"?limit=1").Body)
		if len(l.Tasks) != 5 || l.TaskCount != "3" {
			t.Fatalf("%d tasks, task_count %q", len(l.Tasks), l.TaskCount)
		}
	})
	t.Run("the default is about 30 MiB", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultOversizedPage, Times: 1})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tasksPath+"?limit=100", nil)
		c := defaultCredentials
		_ = signer.Sign(req, nil, c.AccessKey, c.SecretKey, time.Now())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		// Count the tasks as they stream by, without holding the body.
		n, tasks, err := countTasks(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if tasks != DefaultOversizedPageTasks || n < 29<<20 || n > 31<<20 {
			t.Fatalf("%d tasks in %d bytes, want %d tasks in about 30 MiB", tasks, n, DefaultOversizedPageTasks)
		}
	})
	t.Run("a client that stops reading", func(t *testing.T) {
		e, srv := faultServer(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultOversizedPage, Tasks: 50_000_000, Times: 1})
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
	t.Run("no effect on get", func(t *testing.T) {
		e := newTestEmulator(t)
		addNumberedTasks(e, 3)
		e.InjectFault(RouteTaskGet, Fault{Kind: FaultOversizedPage, Times: 1})
		if l := decode[taskList](t, get(t, e, tasksPath+"/task-001").Body); len(l.Tasks) != 1 {
			t.Fatalf("%d tasks", len(l.Tasks))
		}
	})
}

// countTasks reads a streamed task list, returning its size and how many
// "id" keys it holds.
func countTasks(r io.Reader) (int64, int, error) {
	key := []byte(`{"id":`)
	var n int64
	tasks := 0
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		m, err := r.Read(buf)
		n += int64(m)
		chunk := append(carry, buf[:m]...)
		tasks += bytes.Count(chunk, key)
		// Carry the last len(key)-1 bytes, for a key cut in two: too short
		// to hold a whole key, they never count one twice.
		carry = append([]byte(nil), chunk[max(0, len(chunk)-len(key)+1):]...)
		if err == io.EOF {
			return n, tasks, nil
		}
		if err != nil {
			return n, tasks, err
		}
	}
}

func TestFaultTaskListShapes(t *testing.T) {
	cases := []struct {
		name      string
		fault     Fault
		path      string
		instance  bool // the instance has three tasks; otherwise none
		wantCount string
		wantTasks string // the raw "tasks" value, or "absent", or "no ids"
	}{
		{"tasks without id, list", Fault{Kind: FaultTasksWithoutID}, tasksPath, true, "3", "no ids"},
		{"tasks without id, get", Fault{Kind: FaultTasksWithoutID}, tasksPath + "/task-001", true, "1", "no ids"},
		{"null tasks", Fault{Kind: FaultNullTasks}, tasksPath, true, "3", "null"},
		{"null tasks, count given", Fault{Kind: FaultNullTasks, TaskCount: "150"}, tasksPath, true, "150", "null"},
		{"null tasks on an empty instance", Fault{Kind: FaultNullTasks}, tasksPath, false, "1", "null"},
		{"null tasks, get", Fault{Kind: FaultNullTasks}, tasksPath + "/task-001", true, "1", "null"},
		{"missing tasks", Fault{Kind: FaultMissingTasks}, tasksPath, true, "3", "absent"},
		{"missing tasks, count given", Fault{Kind: FaultMissingTasks, TaskCount: "2000000000"}, tasksPath, true, "2000000000", "absent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddInstance(DefaultProjectID, testInstance)
			if tc.instance {
				addNumberedTasks(e, 3)
			}
			route := RouteTaskList
			if strings.Contains(tc.path, "task-001") {
				route = RouteTaskGet
			}
			tc.fault.Times = 1
			e.InjectFault(route, tc.fault)
			rec := get(t, e, tc.path)
			wantStatus(t, rec, http.StatusOK)
			if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
				t.Fatalf("Content-Type %q", ct)
			}
			l := decode[map[string]json.RawMessage](t, rec.Body)
			if string(l["task_count"]) != strconv.Quote(tc.wantCount) {
				t.Fatalf("task_count %s, want %q", l["task_count"], tc.wantCount)
			}
			raw, ok := l["tasks"]
			switch tc.wantTasks {
			case "absent":
				if ok {
					t.Fatalf("tasks %s, want no tasks key", raw)
				}
			case "null":
				if string(raw) != "null" {
					t.Fatalf("tasks %s, want null", raw)
				}
			case "no ids":
				var tasks []map[string]any
				if err := json.Unmarshal(raw, &tasks); err != nil || len(tasks) == 0 {
					t.Fatalf("tasks %s (%v)", raw, err)
				}
				for _, task := range tasks {
					if _, has := task["id"]; has || task["name"] != "restartInstance" || task["status"] != "SUCCESS" {
						t.Fatalf("task %v: want every field but id", task)
					}
				}
			}
			if l := decode[taskList](t, get(t, e, tc.path).Body); l.Tasks == nil && tc.instance {
				t.Fatal("the fault outlived its Times")
			}
		})
	}
	t.Run("errors pass unchanged", func(t *testing.T) {
		e := newTestEmulator(t)
		e.InjectFault(RouteTaskList, Fault{Kind: FaultNullTasks, Times: 1})
		wantError(t, get(t, e, tasksPath), http.StatusNotFound, dmsInstanceNotFound)
	})
}

func TestFaultDeepEntities(t *testing.T) {
	cases := []struct {
		name  string
		depth int
		want  int
	}{
		{"default", 0, DefaultEntitiesDepth},
		{"shallow", 3, 3},
		{"deeper than encoding/json goes", 20_000, 20_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := fixtureEmulator(t)
			e.InjectFault(RouteJob, Fault{Kind: FaultDeepEntities, Depth: tc.depth, Times: 1})
			rec := get(t, e, jobsPath+"?id="+seedJobID)
			wantStatus(t, rec, http.StatusOK)
			body := rec.Body.String()
			prefix, entities, ok := strings.Cut(body, `"entities":`)
			if !ok || !strings.Contains(prefix, `"status":"Completed"`) || !strings.Contains(prefix, `"id":"`+seedJobID+`"`) {
				t.Fatalf("body %.300s", body)
			}
			want := strings.Repeat(`{"a":`, tc.want-1) + "{}" + strings.Repeat("}", tc.want-1) + "}}"
			if entities != want {
				t.Fatalf("entities are not %d levels deep: %.200s…", tc.want, entities)
			}
			if tc.want == DefaultEntitiesDepth && (len(body) < 29_000 || len(body) > 31_000) {
				t.Fatalf("%d bytes, want about 30 KB", len(body))
			}
			if tc.want <= 10_000 && !json.Valid(rec.Body.Bytes()) {
				t.Fatal("body is not valid JSON")
			}
			if b := get(t, e, jobsPath+"?id="+seedJobID).Body.String(); strings.Contains(b, `"a"`) {
				t.Fatal("the fault outlived its Times")
			}
		})
	}
}

func TestFaultEchoSecrets(t *testing.T) {
	c := defaultCredentials
	type request struct {
		name    string
		route   Route
		build   func(t *testing.T, e *Emulator) *http.Request
		secrets func(e *Emulator) []string
	}
	var token string
	requests := []request{
		{"AK/SK", RouteTaskList, func(t *testing.T, e *Emulator) *http.Request {
			return signedGet(t, tasksPath)
		}, func(*Emulator) []string { return []string{c.AccessKey} }},
		{"temporary AK/SK", RouteJob, func(t *testing.T, e *Emulator) *http.Request {
			r := httptest.NewRequest(http.MethodGet, jobsPath+"?id="+seedJobID, nil)
			r.Header.Set("X-Security-Token", c.SecurityToken)
			if err := signer.Sign(r, nil, c.TempAccessKey, c.TempSecretKey, testNow); err != nil {
				t.Fatal(err)
			}
			return r
		}, func(*Emulator) []string { return []string{c.SecurityToken, c.TempAccessKey} }},
		{"token", RouteProjects, func(t *testing.T, e *Emulator) *http.Request {
			token = e.IssueToken(DefaultProjectID)
			r := httptest.NewRequest(http.MethodGet, "/v3/projects?name="+DefaultRegion, nil)
			r.Header.Set("X-Auth-Token", token)
			return r
		}, func(*Emulator) []string { return []string{token} }},
		{"password", RouteTokens, func(t *testing.T, e *Emulator) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(
				tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`)))
		}, func(*Emulator) []string { return []string{c.Password} }},
	}
	for _, rq := range requests {
		for _, status := range []int{0, http.StatusForbidden} {
			t.Run(fmt.Sprintf("%s %d", rq.name, status), func(t *testing.T) {
				e := fixtureEmulator(t)
				e.InjectFault(rq.route, Fault{Kind: FaultEchoSecrets, Status: status, Times: 1})
				rec := serve(e, rq.build(t, e))
				want := status
				if want == 0 {
					want = http.StatusBadRequest
				}
				wantStatus(t, rec, want)
				var msg string
				if rq.route == RouteProjects || rq.route == RouteTokens {
					msg = decode[iamErrorBody](t, bytes.NewReader(rec.Body.Bytes())).Error.Message
				} else {
					b := decode[errorBody](t, bytes.NewReader(rec.Body.Bytes()))
					msg = b.Message
					if b.Code != dmsBadParameter && b.Code != dbsBadParameter {
						t.Fatalf("error_code %q", b.Code)
					}
				}
				reqID := rec.Header().Get("X-Request-Id")
				for _, s := range rq.secrets(e) {
					forms := map[string]string{"raw": s, "URL-encoded": url.QueryEscape(s), "HTML entities": htmlEntities(s)}
					for name, form := range forms {
						if !strings.Contains(reqID, form) {
							t.Errorf("X-Request-Id %q lacks the %s secret %q", reqID, name, form)
						}
						if !strings.Contains(msg, form) {
							t.Errorf("error message lacks the %s secret %q", name, form)
						}
					}
					if !strings.Contains(rec.Body.String(), uEscaped(s)) {
						t.Errorf("body %s lacks the \\u-escaped secret", rec.Body.String())
					}
				}
			})
		}
	}
	t.Run("encodings", func(t *testing.T) {
		const s = "MIIsecretTOKEN+abc/def=="
		if got, want := htmlEntities(s), "MIIsecretTOKEN&#43;abc&#47;def&#61;&#61;"; got != want {
			t.Fatalf("HTML entities %q, want %q", got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(`"`+uEscaped(s)+`"`), &back); err != nil || back != s || strings.Contains(uEscaped(s), "secret") {
			t.Fatalf("\\u-escaped %q decodes to %q (%v)", uEscaped(s), back, err)
		}
	})
}

func TestFaultTerminalEscapes(t *testing.T) {
	for _, route := range []struct {
		route Route
		path  string
	}{{RouteTaskList, tasksPath}, {RouteJob, jobsPath + "?id=" + seedJobID}, {RouteProjects, "/v3/projects"}} {
		t.Run(string(route.route), func(t *testing.T) {
			e := fixtureEmulator(t)
			e.InjectFault(route.route, Fault{Kind: FaultTerminalEscapes, Times: 1})
			rec := get(t, e, route.path)
			wantStatus(t, rec, http.StatusBadRequest)
			var msg string
			if route.route == RouteProjects {
				msg = decode[iamErrorBody](t, rec.Body).Error.Message
			} else {
				msg = decode[errorBody](t, rec.Body).Message
			}
			for _, want := range []string{"\x1b[2J", "\nApply complete!", "\a", "\u202e"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
}
