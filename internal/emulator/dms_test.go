package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// addNumberedTasks adds n tasks created one minute apart, task-001 the
// oldest, and returns their IDs newest first.
func addNumberedTasks(e *Emulator, n int) []string {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("task-%03d", i+1)
		e.AddTasks(DefaultProjectID, testInstance, Task{
			ID: id, Name: "restartInstance", Status: "SUCCESS",
			CreatedAt: base.Add(time.Duration(i) * time.Minute), UpdatedAt: base.Add(time.Duration(i)*time.Minute + time.Second),
		})
		ids[n-1-i] = id
	}
	return ids
}

func TestTaskListPagination(t *testing.T) {
	e := newTestEmulator(t)
	newestFirst := addNumberedTasks(e, 257)
	cases := []struct {
		name   string
		query  string
		wantAt int // index in newestFirst of the first task returned
		want   int // tasks returned
	}{
		{"first page", "start=1&limit=100", 0, 100},
		{"second page", "start=101&limit=100", 100, 100},
		{"last page", "start=201&limit=100", 200, 57},
		{"past the end", "start=301&limit=100", 0, 0},
		{"just past the end", "start=258&limit=100", 0, 0},
		{"last task alone", "start=257&limit=100", 256, 1},
		{"default limit is 10", "start=1", 0, 10},
		{"absent start is 1", "limit=3", 0, 3},
		{"start 0 is 1", "start=0&limit=3", 0, 3},
		{"empty start is absent", "start=&limit=3", 0, 3},
		{"no parameters", "", 0, 10},
		{"unaligned start", "start=5&limit=7", 4, 7},
		{"limit 1", "start=2&limit=1", 1, 1},
		{"unknown parameters are ignored", "marker=abc&start=1&limit=2", 0, 2},
		{"offset is 0-based", "offset=100&limit=100", 100, 100},
		{"offset 0 is the first page", "offset=0&limit=3", 0, 3},
		{"unaligned offset", "offset=4&limit=7", 4, 7},
		{"last task alone by offset", "offset=256&limit=100", 256, 1},
		{"offset past the end", "offset=257&limit=100", 0, 0},
		{"empty offset is absent", "offset=&limit=3", 0, 3},
		{"start wins over offset", "offset=50&start=1&limit=2", 0, 2},
		{"start wins over a later offset", "start=11&offset=0&limit=2", 10, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, tasksPath+"?"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			l := decode[taskList](t, rec.Body)
			if l.TaskCount != "257" {
				t.Errorf("task_count %q, want \"257\"", l.TaskCount)
			}
			got := taskIDs(l)
			want := []string{}
			if tc.want > 0 {
				want = newestFirst[tc.wantAt : tc.wantAt+tc.want]
			}
			if !slices.Equal(got, want) {
				t.Fatalf("tasks %v, want %v", got, want)
			}
		})
	}
}

func TestTaskListPagesCoverAllNewestFirst(t *testing.T) {
	e := newTestEmulator(t)
	newestFirst := addNumberedTasks(e, 257)
	var all []string
	for start := 1; ; start += 100 {
		l := decode[taskList](t, get(t, e, tasksPath+"?limit=100&start="+strconv.Itoa(start)).Body)
		if len(l.Tasks) == 0 {
			break
		}
		all = append(all, taskIDs(l)...)
	}
	if !slices.Equal(all, newestFirst) {
		t.Fatalf("pages do not list every task once, newest first:\n got %v\nwant %v", all, newestFirst)
	}
	if n := e.Count(RouteTaskList); n != 4 {
		t.Fatalf("%d list requests counted, want 4", n)
	}
}

func TestTaskListOrderTies(t *testing.T) {
	e := newTestEmulator(t)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	e.AddTasks(DefaultProjectID, testInstance,
		Task{ID: "b", CreatedAt: at}, Task{ID: "c", CreatedAt: at}, Task{ID: "a", CreatedAt: at},
		Task{ID: "z-old", CreatedAt: at.Add(-time.Millisecond)}, Task{ID: "0-new", CreatedAt: at.Add(time.Millisecond)})
	for range 3 { // The same answer every time, map order notwithstanding.
		got := taskIDs(decode[taskList](t, get(t, e, tasksPath).Body))
		if want := []string{"0-new", "c", "b", "a", "z-old"}; !slices.Equal(got, want) {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestTaskListBadParameters(t *testing.T) {
	e := newTestEmulator(t)
	addNumberedTasks(e, 3)
	cases := []struct{ name, query string }{
		{"limit 0", "limit=0"},
		{"limit 101", "limit=101"},
		{"negative limit", "limit=-1"},
		{"limit not a number", "limit=ten"},
		{"negative start", "start=-1"},
		{"start not a number", "start=1.5"},
		{"begin_time with dashes", "begin_time=2024-01-01"},
		{"begin_time month 13", "begin_time=20241301000000"},
		{"begin_time February 30", "begin_time=20240230000000"},
		{"end_time hour 24", "end_time=20240101240000"},
		{"end_time second 60", "end_time=20240101235960"},
		{"end_time too short", "end_time=2024010100000"},
		{"end_time too long", "end_time=202401010000000"},
		{"end_time RFC 3339", "end_time=2024-01-01T00:00:00Z"},
		{"begin_time with a sign", "begin_time=+2024010100000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := wantError(t, get(t, e, tasksPath+"?"+tc.query), http.StatusBadRequest, dmsBadParameter)
			if b.Message == "" {
				t.Fatal("no message")
			}
		})
	}
}

// TestTaskListOffsetValidation: offset, which the official SDK sends, is
// held to start's rules, even next to a valid start.
func TestTaskListOffsetValidation(t *testing.T) {
	e := newTestEmulator(t)
	addNumberedTasks(e, 3)
	cases := []struct{ name, query, msg string }{
		{"negative offset", "offset=-1", `Invalid parameter offset: it must be an integer of 0 or more, got "-1".`},
		{"offset not a number", "offset=ten", `Invalid parameter offset: it must be an integer of 0 or more, got "ten".`},
		{"fractional offset", "offset=1.5&limit=2", `Invalid parameter offset: it must be an integer of 0 or more, got "1.5".`},
		{"bad offset next to a good start", "offset=x&start=1", `Invalid parameter offset: it must be an integer of 0 or more, got "x".`},
		{"bad start next to a good offset", "offset=1&start=-2", `Invalid parameter start: it must be an integer of 0 or more, got "-2".`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := wantError(t, get(t, e, tasksPath+"?"+tc.query), http.StatusBadRequest, dmsBadParameter)
			if b.Message != tc.msg {
				t.Fatalf("message %q, want %q", b.Message, tc.msg)
			}
		})
	}
	t.Run("a huge offset is past the end", func(t *testing.T) {
		rec := get(t, e, tasksPath+"?offset=9223372036854775807&limit=100")
		wantStatus(t, rec, http.StatusOK)
		if l := decode[taskList](t, rec.Body); l.TaskCount != "3" || len(l.Tasks) != 0 {
			t.Fatalf("task_count %q and %d tasks, want \"3\" and none", l.TaskCount, len(l.Tasks))
		}
	})
}

func TestTaskListTimeFilter(t *testing.T) {
	e := newTestEmulator(t)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	e.AddTasks(DefaultProjectID, testInstance,
		Task{ID: "t1", CreatedAt: at("2024-02-28T23:59:59.999Z")},
		Task{ID: "t2", CreatedAt: at("2024-02-29T00:00:00.000Z")},
		Task{ID: "t3", CreatedAt: at("2024-02-29T12:30:15.471Z")},
		Task{ID: "t4", CreatedAt: at("2024-03-01T00:00:00.000Z")},
		// The filter is on UTC, whatever zone a task was added in.
		Task{ID: "t5", CreatedAt: at("2024-03-01T08:00:01+08:00")},
	)
	cases := []struct {
		name, query string
		want        []string
	}{
		{"no filter", "", []string{"t5", "t4", "t3", "t2", "t1"}},
		{"begin bound is inclusive", "begin_time=20240229000000", []string{"t5", "t4", "t3", "t2"}},
		{"end bound is inclusive", "end_time=20240301000000", []string{"t4", "t3", "t2", "t1"}},
		{"both bounds", "begin_time=20240229000000&end_time=20240301000000", []string{"t4", "t3", "t2"}},
		{"end within the task's second", "begin_time=20240229123015&end_time=20240229123015", []string{"t3"}},
		{"leap day exists", "begin_time=20240229000000&end_time=20240229235959", []string{"t3", "t2"}},
		{"UTC conversion", "begin_time=20240301000001", []string{"t5"}},
		{"begin after end", "begin_time=20240301000000&end_time=20240229000000", []string{}},
		{"empty values are absent", "begin_time=&end_time=", []string{"t5", "t4", "t3", "t2", "t1"}},
		// 00010101000000 is the zero time.Time: a bound, not "no bound".
		{"end_time at the zero time matches nothing", "end_time=00010101000000", []string{}},
		{"begin_time at the zero time matches everything", "begin_time=00010101000000", []string{"t5", "t4", "t3", "t2", "t1"}},
		{"a window at the zero time matches nothing", "begin_time=00010101000000&end_time=00010101000000", []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, tasksPath+"?"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			l := decode[taskList](t, rec.Body)
			if got := taskIDs(l); !slices.Equal(got, tc.want) {
				t.Fatalf("tasks %v, want %v", got, tc.want)
			}
			if l.TaskCount != strconv.Itoa(len(tc.want)) {
				t.Fatalf("task_count %q, want %d", l.TaskCount, len(tc.want))
			}
		})
	}
	t.Run("count is of the filter, not the page", func(t *testing.T) {
		l := decode[taskList](t, get(t, e, tasksPath+"?begin_time=20240229000000&limit=1&start=2").Body)
		if l.TaskCount != "4" || !slices.Equal(taskIDs(l), []string{"t4"}) {
			t.Fatalf("got task_count %q and %v", l.TaskCount, taskIDs(l))
		}
	})
}

func TestTaskWireFormat(t *testing.T) {
	e := newTestEmulator(t)
	if err := e.LoadDefaultFixtures(); err != nil {
		t.Fatal(err)
	}
	// Seed 000's example response, byte for byte once compacted.
	const seed = `{ "task_count" : "1", "tasks" : [ { "id" : "ff80808272dcc90f0172df1e490f41b0", "name" : "bindInstancePublicIp", "user_name" : "dms_test", "user_id" : "xxxxxxxx93ff484a828144c6xxxxxxxx", "params" : "{\"public_ip_id\":\"06a13350-4305-4338-9f0e-6b322bb1413d\",\"public_ip_address\":\"xx.xx.xx.xx\",\"enable_public_ip\":true}", "status" : "SUCCESS", "created_at" : "2020-06-23T03:00:03.471Z", "updated_at" : "2020-06-23T03:00:08.130Z" } ] }`
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(seed)); err != nil {
		t.Fatal(err)
	}
	base := "/v2/" + DefaultProjectID + "/instances/6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01/tasks"
	for _, target := range []string{base, base + "/ff80808272dcc90f0172df1e490f41b0"} {
		rec := get(t, e, target)
		wantStatus(t, rec, http.StatusOK)
		if got := rec.Body.String(); got != want.String() {
			t.Fatalf("GET %s:\n got %s\nwant %s", target, got, want.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
			t.Fatalf("Content-Type %q", ct)
		}
	}
}

func TestTaskGetAndErrors(t *testing.T) {
	e := newTestEmulator(t)
	e.AddTasks(DefaultProjectID, testInstance, Task{ID: "t1", Status: "EXECUTING", CreatedAt: testNow})
	e.AddInstance(DefaultProjectID, "empty-instance")
	const other = "ffffffffffffffffffffffffffffffff"
	cases := []struct {
		name, target string
		headers      []string
		status       int
		code         string
	}{
		{"task", tasksPath + "/t1", nil, http.StatusOK, ""},
		{"empty instance lists nothing", "/v2/" + DefaultProjectID + "/instances/empty-instance/tasks", nil, http.StatusOK, ""},
		{"unknown task", tasksPath + "/t2", nil, http.StatusNotFound, dmsTaskNotFound},
		{"unknown instance, list", "/v2/" + DefaultProjectID + "/instances/nope/tasks", nil, http.StatusNotFound, dmsInstanceNotFound},
		{"unknown instance, get", "/v2/" + DefaultProjectID + "/instances/nope/tasks/t1", nil, http.StatusNotFound, dmsInstanceNotFound},
		{"project not the account's", "/v2/" + other + "/instances/" + testInstance + "/tasks", nil, http.StatusBadRequest, dmsInvalidProject},
		{"X-Project-Id of another project", tasksPath, []string{"X-Project-Id", other}, http.StatusForbidden, dmsProjectMismatch},
		{"X-Project-Id of this project", tasksPath, []string{"X-Project-Id", DefaultProjectID}, http.StatusOK, ""},
		{"wrong method", tasksPath, nil, http.StatusMethodNotAllowed, "APIGW.0101"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := signedGet(t, tc.target, tc.headers...)
			if tc.status == http.StatusMethodNotAllowed {
				r.Method = http.MethodDelete
				signAt(t, r, testNow)
			}
			rec := serve(e, r)
			if tc.code != "" {
				wantError(t, rec, tc.status, tc.code)
				return
			}
			wantStatus(t, rec, tc.status)
		})
	}
	l := decode[taskList](t, get(t, e, tasksPath+"/t1").Body)
	if l.TaskCount != "1" || len(l.Tasks) != 1 || l.Tasks[0].Status != "EXECUTING" || l.Tasks[0].CreatedAt != "2026-01-02T03:04:05.000Z" {
		t.Fatalf("get body: %+v", l)
	}
}

func TestScriptTask(t *testing.T) {
	e := newTestEmulator(t)
	e.AddTasks(DefaultProjectID, testInstance, Task{ID: "t1", Status: "CREATED", CreatedAt: testNow}, Task{ID: "t2", Status: "SUCCESS"})
	e.ScriptTask(testInstance, "t1", "CREATED", "EXECUTING", "SUCCESS")
	read := func(target string) string {
		l := decode[taskList](t, get(t, e, target).Body)
		for _, tk := range l.Tasks {
			if tk.ID == "t1" {
				return tk.Status
			}
		}
		t.Fatalf("t1 not in %s", target)
		return ""
	}
	steps := []struct{ target, want string }{
		{tasksPath + "/t1", "CREATED"},
		{tasksPath, "EXECUTING"}, // a list read advances the task too
		{tasksPath + "/t1", "SUCCESS"},
		{tasksPath, "SUCCESS"}, // the last status sticks
		{tasksPath + "/t1", "SUCCESS"},
	}
	for i, s := range steps {
		if got := read(s.target); got != s.want {
			t.Fatalf("read %d (%s): status %q, want %q", i+1, s.target, got, s.want)
		}
	}
	// A page that does not show the task does not advance it.
	e.ScriptTask(testInstance, "t1", "A", "B")
	_ = get(t, e, tasksPath+"?start=2")
	if got := read(tasksPath + "/t1"); got != "A" {
		t.Fatalf("status %q after a page without the task, want A", got)
	}
	e.ScriptTask(testInstance, "t1")
	if got := read(tasksPath + "/t1"); got != "CREATED" {
		t.Fatalf("status %q after removing the script, want the task's own", got)
	}
}
