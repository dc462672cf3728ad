package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	dcsInstance = "7e2d4f6a-8b0c-4e1a-9d3f-5a7b9c1e3f50"
	dcsPath     = "/dcs/v2/" + DefaultProjectID + "/instances/" + dcsInstance + "/tasks"
)

// dcsList is DCS's list as a client reads it.
type dcsList struct {
	TaskCount string        `json:"task_count"`
	Tasks     []dcsTaskJSON `json:"tasks"`
}

func dcsIDs(l dcsList) []string {
	ids := []string{}
	for _, t := range l.Tasks {
		ids = append(ids, t.ID)
	}
	return ids
}

// addNumberedDCSTasks adds n DCS tasks created one minute apart,
// dcs-task-001 the oldest, and returns their IDs newest first.
func addNumberedDCSTasks(e *Emulator, n int) []string {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("dcs-task-%03d", i+1)
		e.AddDCSTasks(DefaultProjectID, dcsInstance, DCSTask{
			ID: id, Name: "modify", Status: "SUCCESS",
			CreatedAt: base.Add(time.Duration(i) * time.Minute), UpdatedAt: base.Add(time.Duration(i)*time.Minute + time.Second),
		})
		ids[n-1-i] = id
	}
	return ids
}

func TestDCSTaskListWire(t *testing.T) {
	e := newTestEmulator(t)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	e.AddDCSTasks(DefaultProjectID, dcsInstance,
		DCSTask{
			ID: "ff80808172b3ae910172c04a5d3d0024", Name: "EXTEND", UserName: "dcs_test", UserID: "6d6c1ad1ef5f4e4e9c3f2b8e0f1c7a25",
			Params: `{"new_capacity":4}`, Status: "SUCCESS",
			CreatedAt: at("2020-06-17T07:38:42.503Z"), UpdatedAt: at("2020-06-17T15:39:01.2+08:00"),
			Details: json.RawMessage(` {"old_capacity": "2", "new_capacity": "4"} `), EnableShow: true,
		},
		DCSTask{ID: "ff80808172b3ae910172c04a5d3d0025", Name: "modify", Status: "EXECUTING", CreatedAt: at("2020-06-18T00:00:00Z")},
		DCSTask{ID: "ff80808172b3ae910172c04a5d3d0026", Name: "UpdatePort", Status: "FAILED", CreatedAt: at("2020-06-16T00:00:00Z"),
			Details: json.RawMessage(`{"old_port":`)},
	)
	wantBody(t, get(t, e, dcsPath), http.StatusOK, `{"task_count":"3","tasks":[`+
		`{"id":"ff80808172b3ae910172c04a5d3d0025","name":"modify","details":{},"user_name":"","user_id":"","params":"","status":"EXECUTING","created_at":"2020-06-18T00:00:00.000Z","updated_at":"","enable_show":false},`+
		`{"id":"ff80808172b3ae910172c04a5d3d0024","name":"EXTEND","details":{"old_capacity":"2","new_capacity":"4"},"user_name":"dcs_test","user_id":"6d6c1ad1ef5f4e4e9c3f2b8e0f1c7a25","params":"{\"new_capacity\":4}","status":"SUCCESS","created_at":"2020-06-17T07:38:42.503Z","updated_at":"2020-06-17T07:39:01.200Z","enable_show":true},`+
		`{"id":"ff80808172b3ae910172c04a5d3d0026","name":"UpdatePort","details":{},"user_name":"","user_id":"","params":"","status":"FAILED","created_at":"2020-06-16T00:00:00.000Z","updated_at":"","enable_show":false}]}`)
	if e.Count(RouteDCSTaskList) != 1 || len(e.Counts()) != 1 {
		t.Fatalf("counts %v", e.Counts())
	}
}

// TestDCSTaskListOffsetPaging: pages by offset, as the SDK and the
// official provider page, list every task once, newest first.
func TestDCSTaskListOffsetPaging(t *testing.T) {
	e := newTestEmulator(t)
	newestFirst := addNumberedDCSTasks(e, 257)
	cases := []struct {
		name   string
		query  string
		wantAt int
		want   int
	}{
		{"first page", "offset=0&limit=100", 0, 100},
		{"second page", "offset=100&limit=100", 100, 100},
		{"last page", "offset=200&limit=100", 200, 57},
		{"past the end", "offset=257&limit=100", 0, 0},
		{"far past the end", "offset=9223372036854775807&limit=100", 0, 0},
		{"last task alone", "offset=256&limit=100", 256, 1},
		{"default limit is 10", "", 0, 10},
		{"absent offset is 0", "limit=3", 0, 3},
		{"empty values are absent", "offset=&limit=", 0, 10},
		{"unaligned", "offset=5&limit=7", 5, 7},
		{"limit 1000", "limit=1000", 0, 257},
		{"start is not DCS's: ignored", "start=101&limit=2", 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, dcsPath+"?"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			l := decode[dcsList](t, rec.Body)
			want := []string{}
			if tc.want > 0 {
				want = newestFirst[tc.wantAt : tc.wantAt+tc.want]
			}
			if l.TaskCount != "257" || !slices.Equal(dcsIDs(l), want) {
				t.Fatalf("task_count %q, tasks %v; want \"257\", %v", l.TaskCount, dcsIDs(l), want)
			}
		})
	}
	for _, limit := range []int{10, 100} {
		t.Run("every page of "+strconv.Itoa(limit), func(t *testing.T) {
			e.ResetCounts()
			var all []string
			pages := 0
			for offset := 0; ; {
				l := decode[dcsList](t, get(t, e, dcsPath+"?offset="+strconv.Itoa(offset)+"&limit="+strconv.Itoa(limit)).Body)
				if len(l.Tasks) == 0 {
					break
				}
				end := min(offset+limit, 257)
				if got := dcsIDs(l); !slices.Equal(got, newestFirst[offset:end]) {
					t.Fatalf("page at offset %d: %v, want %v", offset, got, newestFirst[offset:end])
				}
				all = append(all, dcsIDs(l)...)
				offset += len(l.Tasks) // as the official provider pages
				pages++
			}
			if !slices.Equal(all, newestFirst) {
				t.Fatal("the pages do not list every task once, newest first")
			}
			if n := e.Count(RouteDCSTaskList); n != pages+1 || pages != (257+limit-1)/limit {
				t.Fatalf("%d pages, %d requests counted", pages, n)
			}
		})
	}
}

func TestDCSTaskListTimeWindow(t *testing.T) {
	e := newTestEmulator(t)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	e.AddDCSTasks(DefaultProjectID, dcsInstance,
		DCSTask{ID: "t1", CreatedAt: at("2020-06-09T15:59:59.999Z")},
		DCSTask{ID: "t2", CreatedAt: at("2020-06-09T16:00:00.000Z")},
		DCSTask{ID: "t3", CreatedAt: at("2020-06-10T08:30:15.471Z")},
		DCSTask{ID: "t4", CreatedAt: at("2020-06-11T00:00:00+08:00")}, // 2020-06-10T16:00:00Z
	)
	cases := []struct {
		name, query string
		want        []string
	}{
		{"none", "", []string{"t4", "t3", "t2", "t1"}},
		{"start_time is inclusive", "start_time=20200609160000", []string{"t4", "t3", "t2"}},
		{"begin_time, the documented example's name", "begin_time=20200609160000", []string{"t4", "t3", "t2"}},
		{"end_time is inclusive", "end_time=20200610160000", []string{"t4", "t3", "t2", "t1"}},
		{"a window", "start_time=20200609160000&end_time=20200610083015", []string{"t3", "t2"}},
		{"begin_time window", "begin_time=20200610083015&end_time=20200610083015", []string{"t3"}},
		{"start_time wins over begin_time", "begin_time=20200601000000&start_time=20200610160000", []string{"t4"}},
		{"start_time wins, whatever the order", "start_time=20200610160000&begin_time=20200601000000", []string{"t4"}},
		{"start after end", "start_time=20200611000000&end_time=20200601000000", []string{}},
		{"a window and a page", "start_time=20200609160000&offset=1&limit=1", []string{"t3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, dcsPath+"?"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			l := decode[dcsList](t, rec.Body)
			if !slices.Equal(dcsIDs(l), tc.want) {
				t.Fatalf("tasks %v, want %v", dcsIDs(l), tc.want)
			}
			if tc.name == "a window and a page" {
				if l.TaskCount != "3" {
					t.Fatalf("task_count %q, want the window's 3", l.TaskCount)
				}
			} else if l.TaskCount != strconv.Itoa(len(tc.want)) {
				t.Fatalf("task_count %q", l.TaskCount)
			}
		})
	}
}

func TestDCSTaskListBadParameters(t *testing.T) {
	e := newTestEmulator(t)
	addNumberedDCSTasks(e, 3)
	cases := []struct{ query, name string }{
		{"offset=-1", "offset"},
		{"offset=ten", "offset"},
		{"offset=1.5", "offset"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"limit=-5", "limit"},
		{"limit=x&offset=x", "offset"},
		{"start_time=2020-06-09", "start_time"},
		{"start_time=20201301000000", "start_time"},
		{"begin_time=2020060916000", "begin_time"},
		{"begin_time=bad&start_time=20200609160000", "begin_time"},
		{"end_time=20200609240000", "end_time"},
		{"end_time=2020-06-09T16:00:00Z", "end_time"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			wantBody(t, get(t, e, dcsPath+"?"+tc.query), http.StatusBadRequest,
				`{"error_code":"DCS.4062","error_msg":"Invalid `+tc.name+` parameter in the request.","error_ext_msg":null}`)
		})
	}
}

func TestDCSErrors(t *testing.T) {
	e := newTestEmulator(t)
	e.AddDCSTasks(DefaultProjectID, dcsInstance, DCSTask{ID: "t1", Status: "SUCCESS"})
	e.AddTasks(DefaultProjectID, testInstance, Task{ID: "dms-task", Status: "SUCCESS"})
	e.AddDCSInstance(DefaultProjectID, "empty-dcs")
	const other = "ffffffffffffffffffffffffffffffff"
	notFound := `{"error_code":"DCS.3022","error_msg":"This DCS instance does not exist.","error_ext_msg":null}`
	cases := []struct {
		name   string
		req    *http.Request
		status int
		want   string
		route  Route // the route counted, if any
	}{
		{"unknown instance", signedGet(t, "/dcs/v2/"+DefaultProjectID+"/instances/nope/tasks"), http.StatusNotFound, notFound, RouteDCSTaskList},
		{"a DMS instance is not DCS's", signedGet(t, "/dcs/v2/"+DefaultProjectID+"/instances/"+testInstance+"/tasks"), http.StatusNotFound, notFound, RouteDCSTaskList},
		{"a DCS instance is not DMS's", signedGet(t, "/v2/"+DefaultProjectID+"/instances/"+dcsInstance+"/tasks"), http.StatusNotFound,
			`{"error_code":"DMS.00404022","error_msg":"This DMS instance does not exist."}`, RouteTaskList},
		{"empty instance", signedGet(t, "/dcs/v2/"+DefaultProjectID+"/instances/empty-dcs/tasks"), http.StatusOK, `{"task_count":"0","tasks":[]}`, RouteDCSTaskList},
		{"project not the account's", signedGet(t, "/dcs/v2/"+other+"/instances/"+dcsInstance+"/tasks"), http.StatusBadRequest,
			`{"error_code":"DCS.4002","error_msg":"Invalid project ID.","error_ext_msg":null}`, RouteDCSTaskList},
		{"X-Project-Id of another project", signedGet(t, dcsPath, "X-Project-Id", other), http.StatusForbidden,
			`{"error_code":"DCS.4003","error_msg":"The project ID in the URL does not match the project of the credentials.","error_ext_msg":null}`, RouteDCSTaskList},
		{"domain-scoped token", withToken(http.MethodGet, dcsPath, "", e.IssueDomainToken()), http.StatusForbidden,
			`{"error_code":"DCS.4003","error_msg":"` + domainScopedMessage + `","error_ext_msg":null}`, RouteDCSTaskList},
		{"no single-task GET on DCS", signedGet(t, dcsPath+"/t1"), http.StatusNotFound,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`, ""},
		{"nor a progress GET", signedGet(t, dcsPath+"/t1/progress"), http.StatusNotFound,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`, ""},
		{"trailing slash", signedGet(t, dcsPath+"/"), http.StatusNotFound,
			`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.ResetCounts()
			wantBody(t, serve(e, tc.req), tc.status, tc.want)
			want := map[Route]int{}
			if tc.route != "" {
				want[tc.route] = 1
			}
			if got := e.Counts(); len(got) != len(want) || got[tc.route] != want[tc.route] {
				t.Fatalf("counts %v, want %v", got, want)
			}
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		wantError(t, serve(e, httptest.NewRequest(http.MethodGet, dcsPath, nil)), http.StatusUnauthorized, "APIGW.0301")
	})
	t.Run("DELETE of a task is not emulated", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodDelete, dcsPath+"/t1", nil)
		signAt(t, r, testNow)
		wantError(t, serve(e, r), http.StatusNotFound, "APIGW.0101")
	})
	t.Run("POST on the list", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, dcsPath, nil)
		signAt(t, r, testNow)
		rec := serve(e, r)
		wantError(t, rec, http.StatusMethodNotAllowed, "APIGW.0101")
		if rec.Header().Get("Allow") != http.MethodGet {
			t.Fatalf("Allow %q", rec.Header().Get("Allow"))
		}
	})
}

func TestScriptDCSTask(t *testing.T) {
	e := newTestEmulator(t)
	e.AddDCSTasks(DefaultProjectID, dcsInstance,
		DCSTask{ID: "new", Name: "AddReplica", Status: "CREATED", CreatedAt: testNow},
		DCSTask{ID: "old", Name: "modify", Status: "SUCCESS", CreatedAt: testNow.Add(-time.Hour)})
	e.ScriptDCSTask(dcsInstance, "new", "CREATED", "WAITING", "EXECUTING", "SUCCESS")
	e.ScriptDCSTask("another-instance", "new", "FAILED") // another instance's task of that ID
	status := func(query string) string {
		for _, tk := range decode[dcsList](t, get(t, e, dcsPath+query).Body).Tasks {
			if tk.ID == "new" {
				return tk.Status
			}
		}
		return "not shown"
	}
	steps := []struct{ query, want string }{
		{"", "CREATED"},
		{"", "WAITING"},
		{"?offset=1", "not shown"}, // a page without the task does not advance it
		{"?limit=1", "EXECUTING"},
		{"", "SUCCESS"},
		{"", "SUCCESS"}, // the last status sticks
	}
	for i, s := range steps {
		if got := status(s.query); got != s.want {
			t.Fatalf("read %d (%q): status %q, want %q", i+1, s.query, got, s.want)
		}
	}
	// The same ID in DMS has no script.
	e.AddTasks(DefaultProjectID, dcsInstance, Task{ID: "new", Status: "CREATED"})
	if l := decode[taskList](t, get(t, e, "/v2/"+DefaultProjectID+"/instances/"+dcsInstance+"/tasks").Body); l.Tasks[0].Status != "CREATED" {
		t.Fatalf("the DMS task of that ID: %+v", l.Tasks[0])
	}
	e.ScriptDCSTask(dcsInstance, "new")
	if got := status(""); got != "CREATED" {
		t.Fatalf("status %q after removing the script, want the task's own", got)
	}
}

// TestDCSFaults: the faults of the DMS list act on DCS's, in DCS's shapes.
func TestDCSFaults(t *testing.T) {
	newE := func(t *testing.T, spec string) *Emulator {
		t.Helper()
		e := newTestEmulator(t)
		addNumberedDCSTasks(e, 3)
		route, f, err := ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.InjectFault(route, f)
		return e
	}
	t.Run("task-count-raw", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=task-count-raw,task-count=1000000000000,times=1")
		if l := decode[dcsList](t, get(t, e, dcsPath).Body); l.TaskCount != "1000000000000" || len(l.Tasks) != 3 {
			t.Fatalf("%+v", l)
		}
		if l := decode[dcsList](t, get(t, e, dcsPath).Body); l.TaskCount != "3" {
			t.Fatalf("after the fault: %+v", l)
		}
	})
	t.Run("task-count-skew", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=task-count-skew,delta=-2,times=1")
		if l := decode[dcsList](t, get(t, e, dcsPath).Body); l.TaskCount != "1" || len(l.Tasks) != 3 {
			t.Fatalf("%+v", l)
		}
	})
	t.Run("endless pages, by offset", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=endless-pages,task-count=150")
		for _, offset := range []int{0, 10, 1_000_000} {
			l := decode[dcsList](t, get(t, e, dcsPath+"?limit=10&offset="+strconv.Itoa(offset)).Body)
			if l.TaskCount != "150" || len(l.Tasks) != 10 {
				t.Fatalf("offset %d: task_count %q, %d tasks", offset, l.TaskCount, len(l.Tasks))
			}
			for i, tk := range l.Tasks {
				if want := endlessID(int64(offset + i + 1)); tk.ID != want || string(tk.Details) != "{}" || tk.Name != "restart" {
					t.Fatalf("task %d at offset %d: %+v, want ID %s", i, offset, tk, want)
				}
			}
		}
		wantError(t, get(t, e, dcsPath+"?limit=0"), http.StatusBadRequest, dcsBadParameter)
	})
	t.Run("oversized page", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=oversized-page,tasks=500,times=1")
		l := decode[dcsList](t, get(t, e, dcsPath+"?limit=10").Body)
		if len(l.Tasks) != 500 || l.TaskCount != "500" {
			t.Fatalf("%d tasks, task_count %q", len(l.Tasks), l.TaskCount)
		}
	})
	t.Run("tasks without id", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=tasks-without-id,times=1")
		body := get(t, e, dcsPath).Body.String()
		if strings.Contains(body, `"id"`) || !strings.Contains(body, `"details":{}`) || !strings.Contains(body, `"enable_show":false`) {
			t.Fatalf("body %s", body)
		}
	})
	t.Run("null tasks", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=null-tasks,times=1")
		wantBody(t, get(t, e, dcsPath), http.StatusOK, `{"task_count":"3","tasks":null}`)
	})
	t.Run("missing tasks", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=missing-tasks,task-count=9,times=1")
		wantBody(t, get(t, e, dcsPath), http.StatusOK, `{"task_count":"9"}`)
	})
	t.Run("huge body", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=huge-body,size=64KiB,times=1")
		rec := get(t, e, dcsPath)
		l := decode[dcsList](t, strings.NewReader(rec.Body.String()))
		if rec.Body.Len() <= 64<<10 || l.TaskCount != strconv.Itoa(len(l.Tasks)) || l.Tasks[0].Name != "EXTEND" {
			t.Fatalf("%d bytes, task_count %q for %d tasks", rec.Body.Len(), l.TaskCount, len(l.Tasks))
		}
	})
	t.Run("500", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=server-error,status=500,times=1")
		wantBody(t, get(t, e, dcsPath), http.StatusInternalServerError,
			`{"error_code":"DCS.5000","error_msg":"Internal service error.","error_ext_msg":null}`)
		wantStatus(t, get(t, e, dcsPath), http.StatusOK)
	})
	t.Run("503", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=server-error,times=1")
		wantError(t, get(t, e, dcsPath), http.StatusServiceUnavailable, "APIGW.0203")
	})
	t.Run("latency", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=latency,latency=50ms,times=1")
		began := time.Now()
		wantStatus(t, get(t, e, dcsPath), http.StatusOK)
		if d := time.Since(began); d < 50*time.Millisecond {
			t.Fatalf("served after %v", d)
		}
	})
	t.Run("echo secrets", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=echo-secrets,times=1")
		rec := get(t, e, dcsPath)
		b := decode[dcsErrorBody](t, rec.Body)
		if rec.Code != http.StatusBadRequest || b.Code != dcsBadParameter || !strings.Contains(b.Message, defaultCredentials.AccessKey) {
			t.Fatalf("status %d, body %+v", rec.Code, b)
		}
	})
	t.Run("the faults count", func(t *testing.T) {
		e := newE(t, "route=dcs.tasks.list,kind=throttle,times=2")
		for _, want := range []int{429, 429, 200} {
			wantStatus(t, get(t, e, dcsPath), want)
		}
		if n := e.Count(RouteDCSTaskList); n != 3 {
			t.Fatalf("count %d", n)
		}
	})
}
