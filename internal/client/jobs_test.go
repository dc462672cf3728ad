package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestGetJobShapes(t *testing.T) {
	cases := []struct {
		name string
		api  JobAPI
		body string
		want Job
	}{
		{"GaussDB(for MySQL): process, entities", GaussDBJobs,
			`{"job":{"id":"j","name":"CreateGaussDBforMySQLInstance","status":"Running","created":"2026-03-01T10:00:00+0800","ended":"","process":"60%","instance":{"id":"i","name":"n"},"entities":{"a":1},"fail_reason":"x"}}`,
			Job{ID: "j", Name: "CreateGaussDBforMySQLInstance", Status: "Running", Created: "2026-03-01T10:00:00+0800", Process: "60%", Instance: JobInstance{"i", "n"}, Entities: []byte(`{"a":1}`), FailReason: "x"}},
		{"openGauss: progress, fail_reason null", OpenGaussJobs,
			`{"job":{"id":"j","name":"CreateInstance","status":"Completed","created":"2026-03-01T10:00:00+0800","ended":"2026-03-01T10:05:00+0800","progress":"","instance":{"id":"i","name":"n"},"fail_reason":null}}`,
			Job{ID: "j", Name: "CreateInstance", Status: "Completed", Created: "2026-03-01T10:00:00+0800", Ended: "2026-03-01T10:05:00+0800", Instance: JobInstance{"i", "n"}}},
		{"GeminiDB: a list, start_time and end_time", GeminiDBJobs,
			`{"jobs":[{"id":"j","name":"CreateInstance","status":"Running","start_time":"2026-03-01T10:00:00+0000","end_time":"","progress":"30%","instance":{"id":"i","name":"n"},"fail_reason":""}],"total_count":1}`,
			Job{ID: "j", Name: "CreateInstance", Status: "Running", Created: "2026-03-01T10:00:00+0000", Process: "30%", Instance: JobInstance{"i", "n"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var gotQuery url.Values
			var gotLang string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotQuery, gotLang = r.URL.Query(), r.Header.Get("X-Language")
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) { cfg.Endpoints = map[string]string{tc.api.Service: srv.URL} })
			job, err := c.GetJob(context.Background(), tc.api, testRegion, testProject, "j", "zh-cn")
			if err != nil {
				t.Fatal(err)
			}
			if job.ID != tc.want.ID || job.Name != tc.want.Name || job.Status != tc.want.Status || job.Created != tc.want.Created ||
				job.Ended != tc.want.Ended || job.Process != tc.want.Process || job.Instance != tc.want.Instance ||
				string(job.Entities) != string(tc.want.Entities) || job.FailReason != tc.want.FailReason {
				t.Fatalf("job %+v\nwant %+v", *job, tc.want)
			}
			if gotQuery.Get("id") != "j" {
				t.Errorf("query %v", gotQuery)
			}
			if want := map[bool]string{true: "zh-cn", false: ""}[tc.api.Language]; gotLang != want {
				t.Errorf("X-Language %q, want %q", gotLang, want)
			}
		})
	}
}

func TestGetJobListWithoutTheJob(t *testing.T) {
	for name, body := range map[string]string{
		"empty list":              `{"jobs":[],"total_count":0}`,
		"another job (no filter)": `{"jobs":[{"id":"other","status":"Completed"}],"total_count":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) { cfg.Endpoints = map[string]string{ServiceGeminiDB: srv.URL} })
			_, err := c.GetJob(context.Background(), GeminiDBJobs, testRegion, testProject, "j", "")
			if !IsNotFound(err) {
				t.Fatalf("error %v, want a 404", err)
			}
		})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"total_count":0}`)) }))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Endpoints = map[string]string{ServiceGeminiDB: srv.URL} })
	var de *DecodeError
	if _, err := c.GetJob(context.Background(), GeminiDBJobs, testRegion, testProject, "j", ""); !errors.As(err, &de) || !strings.Contains(err.Error(), `no "jobs" array`) {
		t.Fatalf("error %v, want a DecodeError", err)
	}
}

func TestDCSQueryAndFindTask(t *testing.T) {
	var requests atomic.Int32
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		queries = append(queries, r.URL.RawQuery)
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		switch q.Get("offset") {
		case "0":
			_, _ = w.Write([]byte(`{"task_count":"150","tasks":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, 99), ",") + `,{"id":"y"}]}`))
		case "100":
			_, _ = w.Write([]byte(`{"task_count":"150","tasks":[{"id":"wanted","status":"WAITING","details":{"old_capacity":"2"},"enable_show":true}]}`))
		default:
			_, _ = w.Write([]byte(`{"task_count":"150","tasks":[]}`))
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Endpoints = map[string]string{ServiceDCS: srv.URL} })
	q := TaskQuery{API: DCSTasks, Region: testRegion, ProjectID: testProject, InstanceID: "i", BeginTime: "20260101000000"}
	task, err := c.GetTask(context.Background(), q, "wanted")
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != "WAITING" || string(task.Details) != `{"old_capacity":"2"}` || task.EnableShow == nil || !*task.EnableShow {
		t.Fatalf("task %+v", task)
	}
	// The window is not applied to a search by ID; the pages go by offset.
	if want := []string{"limit=100&offset=0", "limit=100&offset=100"}; strings.Join(queries, " ") != strings.Join(want, " ") {
		t.Fatalf("queries %q, want %q", queries, want)
	}
	if _, err := c.GetTask(context.Background(), q, "missing"); !IsNotFound(err) {
		t.Fatalf("missing task: %v, want a 404", err)
	}

	queries = nil
	q.Start, q.Limit, q.EndTime = 11, 10, "20260102000000"
	if _, err := c.ListTasks(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if want := "begin_time=20260101000000&end_time=20260102000000&limit=10&offset=10&start_time=20260101000000"; queries[0] != want {
		t.Fatalf("query %q, want %q", queries[0], want)
	}
}

func TestFindTaskIsBoundedByMaxTasks(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		// Endless full pages of other tasks, with a count that never ends.
		_, _ = w.Write([]byte(`{"task_count":"2000000000","tasks":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, 100), ",") + `]}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.Endpoints = map[string]string{ServiceDCS: srv.URL}
		cfg.MaxTasks = 300
	})
	_, err := c.GetTask(context.Background(), TaskQuery{API: DCSTasks, Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "t")
	var tooMany *TooManyTasksError
	if !errors.As(err, &tooMany) || !strings.Contains(err.Error(), "task t is not among the newest 300 background tasks") {
		t.Fatalf("error %v", err)
	}
	if n := requests.Load(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestNewServiceEndpoints(t *testing.T) {
	cases := []struct {
		service, cloud, region, want string
	}{
		{ServiceRDS, "", "ap-southeast-1", "https://rds.ap-southeast-1.myhuaweicloud.com"},
		{ServiceOpenGauss, "", "ap-southeast-1", "https://gaussdb-opengauss.ap-southeast-1.myhuaweicloud.com"},
		{ServiceOpenGauss, "", "tr-west-1", "https://gaussdb.tr-west-1.myhuaweicloud.com"},
		{ServiceOpenGauss, CloudOTC, "eu-de", "https://gaussdb.eu-de.otc.t-systems.com"},
		{ServiceDDS, CloudOTC, "eu-de", "https://dds.eu-de.otc.t-systems.com"},
		{ServiceGeminiDB, "", "ap-southeast-1", "https://gaussdb-nosql.ap-southeast-1.myhuaweicloud.com"},
		{ServiceGeminiDB, "", "eu-west-101", "https://gaussdb-nosql.eu-west-101.myhuaweicloud.eu"},
		{ServiceDCS, "", "cn-north-4", "https://dcs.cn-north-4.myhuaweicloud.com"},
	}
	for _, tc := range cases {
		c, err := New(Config{Region: tc.region, Token: "t", Cloud: tc.cloud})
		if err != nil {
			t.Fatal(err)
		}
		u, err := c.BaseURL(tc.service, tc.region)
		if err != nil || u.String() != tc.want {
			t.Errorf("%s in %s/%s: %v %v, want %s", tc.service, tc.cloud, tc.region, u, err, tc.want)
		}
	}
}

// A task past the first page is found although task_count is missing:
// only a short page ends the search.
func TestFindTaskWithoutTaskCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids := []string{}
		switch r.URL.Query().Get("offset") {
		case "0":
			for i := range 100 {
				ids = append(ids, fmt.Sprintf(`{"id":"t%d"}`, i))
			}
		case "100":
			for i := 100; i < 150; i++ {
				ids = append(ids, fmt.Sprintf(`{"id":"t%d"}`, i))
			}
		}
		_, _ = w.Write([]byte(`{"tasks":[` + strings.Join(ids, ",") + `]}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Endpoints = map[string]string{ServiceDCS: srv.URL} })
	task, err := c.GetTask(context.Background(), TaskQuery{API: DCSTasks, Region: testRegion, ProjectID: testProject, InstanceID: "i"}, "t120")
	if err != nil || task.ID != "t120" {
		t.Fatalf("task %v, %v; want t120", task, err)
	}
}
