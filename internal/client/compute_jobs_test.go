package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func serve(t *testing.T, status int, body string, service string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return newTestClient(t, srv, func(cfg *Config) {
		cfg.Endpoints = map[string]string{service: srv.URL}
		cfg.MaxRetries = new(int)
	})
}

func TestGetV1Job(t *testing.T) {
	ecs := `{"status":"FAIL","job_id":"j1","job_type":"createServer","begin_time":"2016-04-25T20:04:34.604Z","end_time":"2016-04-25T20:08:41.593Z",
"error_code":"Ecs.0005","fail_reason":"quota","entities":{"server_id":"s","sub_jobs_total":2,"sub_jobs":[
 {"status":"SUCCESS","job_id":"s1","job_type":"createSingleServer","begin_time":"2016-04-25T20:04:34.604Z","end_time":"2016-04-25T20:08:00.000Z","error_code":null,"fail_reason":null,"entities":{"server_id":"a"}},
 {"status":"FAIL","job_id":"s2","job_type":"createSingleServer","error_code":"Ecs.0005","fail_reason":"no capacity","entities":{}}, 7]}}`
	c := serve(t, 200, ecs, ServiceECS)
	j, err := c.GetV1Job(context.Background(), ECSJobs, testRegion, testProject, "j1")
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "j1" || j.Status != "FAIL" || *j.ErrorCode != "Ecs.0005" || *j.FailReason != "quota" || j.SubJobsTotal != 2 || len(j.SubJobs) != 2 ||
		j.SubJobs[1].ID != "s2" || *j.SubJobs[1].FailReason != "no capacity" || j.SubJobs[0].ErrorCode != nil || j.ProcessPercent != nil {
		t.Fatalf("job %+v", j)
	}

	ims := `{"status":"RUNNING","job_id":"j2","job_type":"createImageByInstance","begin_time":"2016-04-25T20:04:34.604Z","end_time":"","error_code":null,"fail_reason":null,
"entities":{"image_id":"i","process_percent":0.4,"sub_jobs_result":[{"status":"RUNNING","job_id":"r1","job_type":"x"}],"sub_jobs":[{"job_id":"not this key"}]}}`
	c = serve(t, 200, ims, ServiceIMS)
	j, err = c.GetV1Job(context.Background(), IMSJobs, testRegion, testProject, "j2")
	if err != nil {
		t.Fatal(err)
	}
	if j.ErrorCode != nil || j.FailReason != nil || j.ProcessPercent == nil || *j.ProcessPercent != 0.4 || len(j.SubJobs) != 1 || j.SubJobs[0].ID != "r1" || j.SubJobsTotal != 1 {
		t.Fatalf("job %+v", j)
	}

	c = serve(t, 400, `{"error":{"code":"Common.0011","message":"Invalid job ID"}}`, ServiceEVS)
	_, err = c.GetV1Job(context.Background(), EVSJobs, testRegion, testProject, "nope")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Common.0011" || apiErr.StatusCode != 400 {
		t.Fatalf("error %v", err)
	}
}

func TestV1JobTooManySubJobs(t *testing.T) {
	body := `{"status":"RUNNING","job_id":"j","entities":{"sub_jobs":[` + strings.TrimSuffix(strings.Repeat(`{"job_id":"x"},`, MaxSubJobs+1), ",") + `]}}`
	c := serve(t, 200, body, ServiceECS)
	_, err := c.GetV1Job(context.Background(), ECSJobs, testRegion, testProject, "j")
	if !errors.Is(err, ErrTooManySubJobs) {
		t.Fatalf("error %v, want ErrTooManySubJobs", err)
	}
}

func TestGetCCEJob(t *testing.T) {
	body := `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"c1","creationTimestamp":"2020-02-02 08:12:40.672772389 +0000 UTC","updateTimestamp":"2020-02-02 08:20:40 +0800 CST"},
"spec":{"type":"CreateCluster","clusterUID":"cl","resourceID":"r","resourceName":"prod","extendParam":{"a":"b"},"subJobs":[
 {"metadata":{"uid":"s1"},"spec":{"type":"CreateMaster","resourceName":"m","subJobs":[{"metadata":{"uid":"deep"}}]},"status":{"phase":"Success"}},
 {"metadata":{"uid":"s2"},"spec":{"type":"InstallAddons"},"status":{"phase":"Failed","reason":"timeout"}}]},
"status":{"phase":"Failed","reason":"sub-job failed"}}`
	c := serve(t, 200, body, ServiceCCE)
	j, err := c.GetCCEJob(context.Background(), testRegion, testProject, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := CCEJob{ID: "c1", Type: "CreateCluster", ClusterID: "cl", ResourceID: "r", ResourceName: "prod", Phase: "Failed", Reason: "sub-job failed",
		Created: "2020-02-02 08:12:40.672772389 +0000 UTC", Updated: "2020-02-02 08:20:40 +0800 CST",
		SubJobs: []CCESubJob{{ID: "s1", Type: "CreateMaster", Phase: "Success", ResourceName: "m"}, {ID: "s2", Type: "InstallAddons", Phase: "Failed", Reason: "timeout"}}}
	if j.ID != want.ID || j.Reason != want.Reason || j.Created != want.Created || len(j.SubJobs) != 2 || j.SubJobs[0] != want.SubJobs[0] || j.SubJobs[1] != want.SubJobs[1] {
		t.Fatalf("job %+v\nwant %+v", j, want)
	}
	for name, body := range map[string]string{
		"documented camelCase": `{"errorCode":"CCE.01404001","errorMessage":"Resource not found."}`,
		"SDK snake_case":       `{"error_code":"CCE.01404001","error_msg":"Resource not found."}`,
	} {
		c := serve(t, 404, body, ServiceCCE)
		_, err := c.GetCCEJob(context.Background(), testRegion, testProject, "nope")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "CCE.01404001" || apiErr.Message != "Resource not found." {
			t.Fatalf("%s: error %v", name, err)
		}
	}
}

func TestParseCCETime(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2020-02-02 08:12:40.672772389 +0000 UTC", "2020-02-02T08:12:40.672772389Z"},
		{"2020-02-02 08:12:40 +0800 CST", "2020-02-02T08:12:40+08:00"},
		{"2020-02-02 08:12:40.5 +0000 UTC m=+0.000000001", "2020-02-02T08:12:40.5Z"},
		{"2020-02-02 08:12:40 -0330 -0330", "2020-02-02T08:12:40-03:30"},
		{"2020-02-02T08:12:40Z", "2020-02-02T08:12:40Z"},
		{" 2020-02-02 08:12:40 +0000 ", "2020-02-02T08:12:40Z"},
	}
	for _, tc := range cases {
		got, err := ParseCCETime(tc.in)
		if err != nil || got.Format(time.RFC3339Nano) != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.in, got.Format(time.RFC3339Nano), err, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2020-02-02", "2020-02-30 08:12:40 +0000 UTC", "2020-02-02 08:12:40 UTC",
		"2020-02-02 08:12:40 +2400 UTC", "2020-02-02 08:12:40 -2460 X", "2020-02-02T08:12:40+24:00"} {
		if _, err := ParseCCETime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Review findings: an IMS process_percent of null is no progress, not 0%;
// ECS's 200 with an error body is that error; sub-jobs that are not
// objects are skipped in both shapes.
func TestComputeJobsOddAnswers(t *testing.T) {
	c := serve(t, 200, `{"status":"RUNNING","job_id":"j","entities":{"process_percent":null,"sub_jobs_result":[null,{"job_id":"r1"},5]}}`, ServiceIMS)
	j, err := c.GetV1Job(context.Background(), IMSJobs, testRegion, testProject, "j")
	if err != nil || j.ProcessPercent != nil || len(j.SubJobs) != 1 || j.SubJobs[0].ID != "r1" {
		t.Fatalf("job %+v, %v; want no progress and one sub-job", j, err)
	}
	c = serve(t, 200, `{"code":"Common.0011","message":"Invalid job ID"}`, ServiceECS)
	_, err = c.GetV1Job(context.Background(), ECSJobs, testRegion, testProject, "j")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Common.0011" || apiErr.Message != "Invalid job ID" || apiErr.StatusCode != 200 {
		t.Fatalf("error %v, want the body's Common.0011", err)
	}
	c = serve(t, 200, `{"metadata":{"uid":"c"},"spec":{"subJobs":[1,null,{"metadata":{"uid":"s"}}]},"status":{"phase":"Running"}}`, ServiceCCE)
	cj, err := c.GetCCEJob(context.Background(), testRegion, testProject, "c")
	if err != nil || len(cj.SubJobs) != 1 || cj.SubJobs[0].ID != "s" {
		t.Fatalf("job %+v, %v; want one sub-job", cj, err)
	}
}
