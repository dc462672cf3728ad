package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// fuzzServer answers every request with the body the fuzzer chose.
func fuzzServer(f *testing.F, service string) (*Client, *atomic.Value) {
	var body atomic.Value
	body.Store([]byte(nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := body.Load().([]byte)
		_, _ = w.Write(b)
	}))
	f.Cleanup(srv.Close)
	zero := 0
	c, err := New(Config{Region: testRegion, AccessKey: testAK, SecretKey: testSK, MaxRetries: &zero,
		Endpoints: map[string]string{service: srv.URL}})
	if err != nil {
		f.Fatal(err)
	}
	return c, &body
}

// FuzzV1JobDecoder feeds any body to GetV1Job: it never panics, keeps at
// most MaxSubJobs sub-jobs, and a job it accepts has an ID or a status.
func FuzzV1JobDecoder(f *testing.F) {
	for _, s := range []string{
		`{"status":"SUCCESS","job_id":"j","entities":{"sub_jobs_total":1,"sub_jobs":[{"job_id":"s","status":"FAIL","fail_reason":"x"}]}}`,
		`{"status":"RUNNING","job_id":"j","entities":{"process_percent":0.5,"sub_jobs_result":[null,1,"x",{}]}}`,
		`{"job_id":"j","entities":[]}`, `{"job_id":"j","entities":{"sub_jobs":{}}}`, `{"job_id":"j","error_code":5}`, `null`, ``, `[]`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	ecs, ecsBody := fuzzServer(f, ServiceECS)
	ims, imsBody := fuzzServer(f, ServiceIMS)
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		c, b, api := ecs, ecsBody, ECSJobs
		if which%2 == 1 {
			c, b, api = ims, imsBody, IMSJobs
		}
		b.Store(body)
		j, err := c.GetV1Job(context.Background(), api, testRegion, testProject, "j")
		if err != nil {
			return
		}
		if j.ID == "" && j.Status == "" {
			t.Fatalf("%q: accepted a job with neither job_id nor status", body)
		}
		if len(j.SubJobs) > MaxSubJobs || j.SubJobsTotal < 0 {
			t.Fatalf("%q: %d sub-jobs, total %d", body, len(j.SubJobs), j.SubJobsTotal)
		}
	})
}

// FuzzCCEJobDecoder feeds any body to GetCCEJob.
func FuzzCCEJobDecoder(f *testing.F) {
	for _, s := range []string{
		`{"metadata":{"uid":"c"},"spec":{"subJobs":[{"metadata":{"uid":"s"},"status":{"phase":"Failed"},"spec":{"subJobs":[{"spec":{"subJobs":[]}}]}}]},"status":{"phase":"Running"}}`,
		`{"metadata":{"uid":"c"},"spec":{"subJobs":null}}`, `{"metadata":{"uid":"c"},"spec":{"subJobs":[1]}}`, `{"status":{"phase":5}}`, `{}`, ``,
	} {
		f.Add([]byte(s))
	}
	c, body := fuzzServer(f, ServiceCCE)
	f.Fuzz(func(t *testing.T, b []byte) {
		body.Store(b)
		j, err := c.GetCCEJob(context.Background(), testRegion, testProject, "c")
		if err != nil {
			return
		}
		if (j.ID == "" && j.Phase == "") || len(j.SubJobs) > MaxSubJobs {
			t.Fatalf("%q: accepted %+v", b, j)
		}
	})
}

// FuzzParseCCETime: what it accepts is a time that prints back in Go's
// time.String() form and reads again as the same instant.
func FuzzParseCCETime(f *testing.F) {
	for _, s := range []string{"2020-02-02 08:12:40.672772389 +0000 UTC", "2020-02-02 08:12:40 +0800 CST m=+1.5", "2020-02-02T08:12:40Z",
		"2020-02-02 08:12:40 +2400 X", "0000-01-01 00:00:00 +0000 UTC", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCCETime(s)
		if err != nil {
			return
		}
		if _, off := got.Zone(); off <= -24*3600 || off >= 24*3600 {
			t.Fatalf("%q gave %v, whose offset RFC 3339 cannot write", s, got)
		}
		again, err := ParseCCETime(got.String())
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q gave %v, whose String() %q reads back as %v, %v", s, got, got.String(), again, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, got.Format(time.RFC3339Nano)); err != nil && got.Year() >= 0 && got.Year() <= 9999 {
			t.Fatalf("%q gave %v, which is not RFC 3339: %v", s, got, err)
		}
	})
}
