package emulator

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureV1Jobs are the v1 jobs of the default fixtures, each with the
// statuses of its sub-jobs.
var fixtureV1Jobs = []struct {
	svc                     V1JobService
	id, jobType, status     string
	subStatuses             []string
	errorCode, subErrorCode string // of the job, and of its failed sub-job
}{
	{V1JobServiceECS, "2c9eb2c5544cbf6101544f0602af2b4f", "createServer", "SUCCESS", []string{"SUCCESS"}, "", ""},
	{V1JobServiceECS, "ff8080828ab1c9d4018ab2f0e5a1003c", "createServer", "FAIL", []string{"SUCCESS", "FAIL"}, "Ecs.0204", "Ecs.0204"},
	{V1JobServiceEVS, "21917a8d52a19b040152a9f2f1eb003e", "batchCreateVolume", "SUCCESS", []string{"SUCCESS", "SUCCESS"}, "", ""},
	{V1JobServiceEVS, "4010a32d53552791015366c1e8a40017", "batchCreateVolume", "FAIL", []string{"SUCCESS", "FAIL"}, "EVS.2024", "EVS.2024"},
	{V1JobServiceEVS, "4010a32d535527910153552b492c0002", "createVolume", "RUNNING", nil, "", ""},
	{V1JobServiceIMS, "9a175ac79d2a54ad019d4c35cf71260b", "imsImportOvaImageJob", "SUCCESS", []string{"SUCCESS", "SUCCESS"}, "", ""},
	{V1JobServiceIMS, "9a175ac79d2a54ad019d5e1a4c7b2d90", "imsImportOvaImageJob", "FAIL", []string{"SUCCESS", "FAIL"}, "IMG.0057", "IMG.0057"},
}

// fixture CCE jobs.
const (
	fixtureCCECluster  = "354331b2c-229a-11e8-9c75-0255ac100ceb"
	fixtureCCENodePool = "7b3c8e52-5a1d-11ef-9f0a-0255ac10003e"
)

func TestDefaultFixturesV1Jobs(t *testing.T) {
	e := fixtureEmulator(t)
	for _, j := range fixtureV1Jobs {
		t.Run(string(j.svc)+" "+j.id, func(t *testing.T) {
			rec := get(t, e, v1Path(j.svc, j.id))
			wantStatus(t, rec, http.StatusOK)
			var b struct {
				Status, JobType string
				ErrorCode       *string `json:"error_code"`
				FailReason      *string `json:"fail_reason"`
				Entities        struct {
					Total   *int     `json:"sub_jobs_total"`
					Percent *float64 `json:"process_percent"`
					Subs    []struct {
						Status     string
						ErrorCode  *string `json:"error_code"`
						FailReason *string `json:"fail_reason"`
					} `json:"sub_jobs"`
					Results []struct {
						Status     string
						ErrorCode  *string `json:"error_code"`
						FailReason *string `json:"fail_reason"`
					} `json:"sub_jobs_result"`
					List []string `json:"sub_jobs_list"`
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			b.JobType = decode[v1JobJSON](t, strings.NewReader(rec.Body.String())).JobType
			subs := b.Entities.Subs
			if j.svc == V1JobServiceIMS {
				subs = b.Entities.Results
				if len(b.Entities.List) != len(subs) {
					t.Fatalf("sub_jobs_list %v for %d results", b.Entities.List, len(subs))
				}
			}
			var statuses []string
			subCode := ""
			for _, s := range subs {
				statuses = append(statuses, s.Status)
				if s.Status == "FAIL" {
					if s.ErrorCode == nil || s.FailReason == nil || *s.FailReason == "" {
						t.Fatalf("failed sub-job without error_code and fail_reason: %s", rec.Body.String())
					}
					subCode = *s.ErrorCode
				} else if s.ErrorCode != nil || s.FailReason != nil {
					t.Fatalf("sub-job %s with an error: %s", s.Status, rec.Body.String())
				}
			}
			code := ""
			if b.ErrorCode != nil {
				code = *b.ErrorCode
			}
			if b.Status != j.status || b.JobType != j.jobType || !slices.Equal(statuses, j.subStatuses) || code != j.errorCode ||
				subCode != j.subErrorCode || (b.FailReason != nil) != (j.status == "FAIL") {
				t.Fatalf("body %s", rec.Body.String())
			}
			if j.svc == V1JobServiceECS && *b.Entities.Total != len(subs) {
				t.Fatalf("sub_jobs_total %d for %d sub-jobs", *b.Entities.Total, len(subs))
			}
			if j.svc == V1JobServiceIMS && b.Entities.Percent == nil {
				t.Fatal("no process_percent")
			}
			// A job is its service's only.
			for _, other := range V1JobServices() {
				if other != j.svc {
					spec, _ := v1SpecOf(other)
					wantBody(t, get(t, e, v1Path(other, j.id)), http.StatusBadRequest, `{"error":{"code":"Common.0011","message":"`+spec.notFound+`"}}`)
				}
			}
		})
	}
	t.Run("the ECS example", func(t *testing.T) {
		// The API reference's example response, byte for byte once compacted.
		wantBody(t, get(t, e, v1Path(V1JobServiceECS, "2c9eb2c5544cbf6101544f0602af2b4f")), http.StatusOK, `{
		    "status": "SUCCESS",
		    "entities": {
		        "sub_jobs_total": 1,
		        "sub_jobs": [
		            {
		                "status": "SUCCESS",
		                "entities": {
		                    "server_id": "bae51750-0089-41a1-9b18-5c777978ff6d"
		                },
		                "job_id": "2c9eb2c5544cbf6101544f0635672b60",
		                "job_type": "createSingleServer",
		                "begin_time": "2016-04-25T20:04:47.591Z",
		                "end_time": "2016-04-25T20:08:21.328Z",
		                "error_code": null,
		                "fail_reason": null
		            }
		        ]
		    },
		    "job_id": "2c9eb2c5544cbf6101544f0602af2b4f",
		    "job_type": "createServer",
		    "begin_time": "2016-04-25T20:04:34.604Z",
		    "end_time": "2016-04-25T20:08:41.593Z",
		    "error_code": null,
		    "fail_reason": null
		}`)
	})
	t.Run("the EVS volume job finishes", func(t *testing.T) {
		const id = "4010a32d535527910153552b492c0002"
		const entities = `{"volume_type":"SAS","size":40,"volume_id":"bdf1bb37-f20f-4266-9a04-f43e0a127376","name":"volume-test"}`
		e := fixtureEmulator(t)
		for _, want := range []struct{ status, end string }{{"RUNNING", ""}, {"SUCCESS", "2026-01-02T03:04:05.000Z"}, {"SUCCESS", "2026-01-02T03:04:05.000Z"}} {
			wantBody(t, get(t, e, v1Path(V1JobServiceEVS, id)), http.StatusOK, `{"status":"`+want.status+`","entities":`+entities+
				`,"job_id":"`+id+`","job_type":"createVolume","begin_time":"2016-03-08T07:40:13.219Z","end_time":"`+want.end+`","error_code":null,"fail_reason":null}`)
		}
	})
}

func TestDefaultFixturesCCEJobs(t *testing.T) {
	e := fixtureEmulator(t)
	t.Run("the documented cluster job, finished", func(t *testing.T) {
		wantBody(t, get(t, e, ccePath(fixtureCCECluster)), http.StatusOK,
			strings.Replace(documentedCCEBody, `"status":{"phase":"Running","reason":""}}`, `"status":{"phase":"Success","reason":""}}`, 1))
	})
	t.Run("the failed node pool", func(t *testing.T) {
		j := decode[cceJobJSON](t, get(t, e, ccePath(fixtureCCENodePool)).Body)
		if j.Spec.Type != "CreateNodePool" || j.Status.Phase != "Failed" || j.Status.Reason == "" || len(j.Spec.SubJobs) != 2 {
			t.Fatalf("job %+v", j)
		}
		if s := j.Spec.SubJobs; s[0].Status.Phase != "Success" || s[1].Status.Phase != "Failed" || s[1].Status.Reason == "" {
			t.Fatalf("sub-jobs %+v", s)
		}
	})
	// A job is its service's only.
	wantBody(t, get(t, e, v1Path(V1JobServiceECS, fixtureCCECluster)), http.StatusBadRequest, `{"error":{"code":"Common.0011","message":"Invalid job ID"}}`)
}

// TestLoadFixturesV1AndCCEJobs: v1_jobs and cce_jobs, with their scripts.
func TestLoadFixturesV1AndCCEJobs(t *testing.T) {
	const other = "1f2e3d4c5b6a47988796a5b4c3d2e1f0"
	const doc = `{
	  "v1_jobs": [
	    {"service": "ecs", "job_id": "e", "job_type": "createServer", "status": "INIT", "begin_time": "2026-01-02T11:00:00.5+08:00",
	     "entities": {"sub_jobs_total": 1},
	     "steps": [
	       {"status": "RUNNING", "entities": {"sub_jobs_total": 1, "sub_jobs": [{"status": "RUNNING", "job_id": "s", "end_time": "", "error_code": null}]}},
	       {"status": "FAIL", "error_code": "Ecs.0204", "fail_reason": "Quota exceeded."}
	     ]},
	    {"service": "evs", "project_id": "` + other + `", "job_id": "v", "status": "SUCCESS", "end_time": "2026-01-02T03:00:00Z", "error_code": null, "fail_reason": null,
	     "entities": {"volume_type": "SSD", "size": 10, "volume_id": "x", "name": "n"}},
	    {"service": "ims", "job_id": "i", "status": "FAIL", "error_code": "IMG.0057", "fail_reason": "Bad file.",
	     "entities": {"process_percent": 0.25, "results": [{"image_id": "x", "project_id": "p", "status": "saving"}], "sub_jobs_list": []}}
	  ],
	  "cce_jobs": [
	    {"metadata": {"uid": "c", "creationTimestamp": "2020-02-02 08:12:40.672772389 +0000 UTC"}, "spec": {"type": "CreateCluster", "subJobs": [
	       {"metadata": {"uid": "c-sub"}, "status": {"phase": "Initializing"}, "steps": [{"phase": "Running"}, {"phase": "Success"}]}
	     ]}, "status": {"phase": "Initializing"}, "steps": [{"phase": "Running"}, {"phase": "Failed", "reason": "Timed out."}]},
	    {"project_id": "` + other + `", "kind": "Job", "apiVersion": "v3", "metadata": {"uid": "d"}, "spec": {"extendParam": {"k": "v"}}, "status": {"phase": "Success"}}
	  ]
	}`
	e := New(Config{
		Now:      func() time.Time { return testNow },
		Projects: map[string]string{DefaultRegion: DefaultProjectID, "eu-west-101": other},
	})
	if err := e.LoadFixtures(strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	wantBody(t, get(t, e, v1Path(V1JobServiceECS, "e")), http.StatusOK,
		`{"status":"RUNNING","entities":{"sub_jobs_total":1,"sub_jobs":[{"status":"RUNNING","job_id":"s","end_time":"","error_code":null}]},"job_id":"e","job_type":"createServer",`+
			`"begin_time":"2026-01-02T03:00:00.500Z","end_time":"","error_code":null,"fail_reason":null}`)
	wantBody(t, get(t, e, v1Path(V1JobServiceECS, "e")), http.StatusOK,
		`{"status":"FAIL","entities":{"sub_jobs_total":1,"sub_jobs":[{"status":"RUNNING","job_id":"s","end_time":"","error_code":null}]},"job_id":"e","job_type":"createServer",`+
			`"begin_time":"2026-01-02T03:00:00.500Z","end_time":"2026-01-02T03:04:05.000Z","error_code":"Ecs.0204","fail_reason":"Quota exceeded."}`)
	wantBody(t, get(t, e, "/evs/v1/"+other+"/jobs/v"), http.StatusOK,
		`{"status":"SUCCESS","entities":{"volume_type":"SSD","size":10,"volume_id":"x","name":"n"},"job_id":"v","job_type":"","begin_time":"","end_time":"2026-01-02T03:00:00.000Z","error_code":null,"fail_reason":null}`)
	wantStatus(t, get(t, e, v1Path(V1JobServiceEVS, "v")), http.StatusBadRequest) // another project
	wantBody(t, get(t, e, v1Path(V1JobServiceIMS, "i")), http.StatusOK,
		`{"status":"FAIL","entities":{"process_percent":0.25,"results":[{"image_id":"x","project_id":"p","status":"saving"}],"sub_jobs_list":[]},"job_id":"i","job_type":"","begin_time":"","end_time":"","error_code":"IMG.0057","fail_reason":"Bad file."}`)

	for i, want := range []struct{ phase, reason, sub string }{{"Running", "", "Running"}, {"Failed", "Timed out.", "Success"}} {
		j := decode[cceJobJSON](t, get(t, e, ccePath("c")).Body)
		if j.Status.Phase != want.phase || j.Status.Reason != want.reason || j.Spec.SubJobs[0].Status.Phase != want.sub ||
			j.Metadata.CreationTimestamp != "2020-02-02 08:12:40.672772389 +0000 UTC" || j.Spec.Type != "CreateCluster" {
			t.Fatalf("read %d: %+v", i+1, j)
		}
	}
	wantBody(t, get(t, e, "/cce/api/v3/projects/"+other+"/jobs/c"), http.StatusNotFound, `{"errorCode":"CCE.01404001","errorMessage":"Resource not found."}`)
	wantBody(t, get(t, e, "/cce/api/v3/projects/"+other+"/jobs/d"), http.StatusOK,
		`{"kind":"Job","apiVersion":"v3","metadata":{"uid":"d","creationTimestamp":"","updateTimestamp":""},"spec":{"type":"","clusterUID":"","extendParam":{"k":"v"}},"status":{"phase":"Success","reason":""}}`)
}

func TestLoadFixturesJobErrors(t *testing.T) {
	v1 := func(job string) string { return `{"v1_jobs":[` + job + `]}` }
	ecs := func(entities string) string {
		return v1(`{"service":"ecs","job_id":"j","status":"SUCCESS","entities":` + entities + `}`)
	}
	cce := func(job string) string { return `{"cce_jobs":[` + job + `]}` }
	cases := []struct{ name, doc, want string }{
		{"v1 without a service", v1(`{"job_id":"j","status":"SUCCESS"}`), `fixtures: v1_jobs[0]: service "" is not one of ecs, evs, ims`},
		{"v1 of an unknown service", v1(`{"service":"bms","job_id":"j","status":"SUCCESS"}`), `service "bms" is not one of ecs, evs, ims`},
		{"v1 without job_id", v1(`{"service":"ecs","status":"SUCCESS"}`), "fixtures: v1_jobs[0]: job_id is required"},
		{"v1 with id for job_id", v1(`{"service":"ecs","id":"j","status":"SUCCESS"}`), "unknown field"},
		{"v1 status in lower case", v1(`{"service":"evs","job_id":"j","status":"success"}`), `v1_jobs[0]: status "success" is not one of INIT, RUNNING, SUCCESS, FAIL`},
		{"v1 without a status", v1(`{"service":"evs","job_id":"j"}`), `status "" is not one of`},
		{"v1 step status", v1(`{"service":"ims","job_id":"j","status":"INIT","steps":[{"status":"RUNNING"},{"status":"DONE"}]}`), `v1_jobs[0]: steps[1]: status "DONE" is not one of`},
		{"v1 step with a process", v1(`{"service":"ims","job_id":"j","status":"INIT","steps":[{"status":"RUNNING","process":"1%"}]}`), "unknown field"},
		{"v1 bad begin_time", v1(`{"service":"ecs","job_id":"j","status":"INIT","begin_time":"2016-04-25 20:04:34"}`), "v1_jobs[0]: begin_time"},
		{"v1 bad end_time", v1(`{"service":"ecs","job_id":"j","status":"INIT","end_time":"later"}`), "v1_jobs[0]: end_time"},
		{"v1 error_code a number", v1(`{"service":"ecs","job_id":"j","status":"FAIL","error_code":204}`), "cannot unmarshal number"},
		{"v1 entities not an object", ecs(`[]`), "v1_jobs[0]: entities: must be a JSON object, got []"},
		{"v1 entities null", ecs(`null`), "entities: must be a JSON object, got null"},
		{"ECS unknown key", ecs(`{"sever_id":"x"}`), `entities: "sever_id" is not a key here`},
		{"ECS total as a string", ecs(`{"sub_jobs_total":"1"}`), `entities: sub_jobs_total: must be an int32 number, got "1"`},
		{"ECS sub_jobs_result", ecs(`{"sub_jobs_result":[]}`), `"sub_jobs_result" is not a key here`},
		{"ECS sub-job status", ecs(`{"sub_jobs":[{"status":"SUCCESS"},{"status":"FAILED"}]}`), `entities: sub_jobs[1]: status: must be one of INIT, RUNNING, SUCCESS, FAIL, got "FAILED"`},
		{"ECS sub-job time", ecs(`{"sub_jobs":[{"begin_time":"04-Jun-2015 18:11:06:586"}]}`), `sub_jobs[0]: begin_time: must be a time such as`},
		{"ECS sub-job entities key", ecs(`{"sub_jobs":[{"entities":{"volume_id":"x"}}]}`), `sub_jobs[0]: entities: "volume_id" is not a key here`},
		{"ECS sub-job error a number", ecs(`{"sub_jobs":[{"error_code":1}]}`), `sub_jobs[0]: error_code: must be a string or null, got 1`},
		{"ECS sub_jobs not a list", ecs(`{"sub_jobs":{}}`), `sub_jobs: must be a list of objects`},
		{"EVS volume fields with sub_jobs", v1(`{"service":"evs","job_id":"j","status":"SUCCESS","entities":{"size":1,"volume_id":"x","sub_jobs":[]}}`),
			`entities: EVS sends sub_jobs instead of the volume fields, not with "size"`},
		{"EVS size fractional", v1(`{"service":"evs","job_id":"j","status":"SUCCESS","entities":{"size":1.5}}`), "size: must be an int32 number"},
		{"IMS sub_jobs", v1(`{"service":"ims","job_id":"j","status":"SUCCESS","entities":{"sub_jobs":[]}}`), `"sub_jobs" is not a key here`},
		{"IMS percent as a string", v1(`{"service":"ims","job_id":"j","status":"SUCCESS","entities":{"process_percent":"50%"}}`), `process_percent: must be a number, got "50%"`},
		{"IMS list of numbers", v1(`{"service":"ims","job_id":"j","status":"SUCCESS","entities":{"sub_jobs_list":[1]}}`), "sub_jobs_list: must be a list of strings"},
		{"step entities checked", v1(`{"service":"ecs","job_id":"j","status":"INIT","steps":[{"status":"RUNNING","entities":{"image_id":"x"}}]}`),
			`steps[0]: entities: "image_id" is not a key here`},
		{"CCE without uid", cce(`{"status":{"phase":"Running"}}`), "fixtures: cce_jobs[0]: metadata.uid is required"},
		{"CCE without phase", cce(`{"metadata":{"uid":"c"}}`), `cce_jobs[0]: status.phase "" is not one of Initializing, Running, Success, Failed`},
		{"CCE phase in capitals", cce(`{"metadata":{"uid":"c"},"status":{"phase":"SUCCESS"}}`), `status.phase "SUCCESS" is not one of`},
		{"CCE kind", cce(`{"kind":"Cluster","metadata":{"uid":"c"},"status":{"phase":"Running"}}`), `cce_jobs[0]: kind "Cluster" is not Job`},
		{"CCE apiVersion", cce(`{"apiVersion":"v2","metadata":{"uid":"c"},"status":{"phase":"Running"}}`), `cce_jobs[0]: apiVersion "v2" is not v3`},
		{"CCE RFC 3339 time", cce(`{"metadata":{"uid":"c","creationTimestamp":"2020-02-02T08:12:40Z"},"status":{"phase":"Running"}}`),
			`cce_jobs[0]: metadata.creationTimestamp: "2020-02-02T08:12:40Z" is not a time such as "2020-02-02 08:12:40.672772389 +0000 UTC"`},
		{"CCE bad update time", cce(`{"metadata":{"uid":"c","updateTimestamp":"now"},"status":{"phase":"Running"}}`), "cce_jobs[0]: metadata.updateTimestamp"},
		{"CCE step phase", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running"},"steps":[{"phase":"Done"}]}`), `cce_jobs[0]: steps[0]: phase "Done" is not one of`},
		{"CCE sub-job phase", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running"},"spec":{"subJobs":[{"metadata":{"uid":"s"},"status":{"phase":"Running"}},{"metadata":{"uid":"t"},"status":{"phase":"Ok"}}]}}`),
			`cce_jobs[0].spec.subJobs[1]: status.phase "Ok" is not one of`},
		{"CCE sub-job without uid", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running"},"spec":{"subJobs":[{"status":{"phase":"Running"}}]}}`),
			"cce_jobs[0].spec.subJobs[0]: metadata.uid is required"},
		{"CCE project_id on a sub-job", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running"},"spec":{"subJobs":[{"project_id":"p"}]}}`), "unknown field"},
		{"CCE extendParam not strings", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running"},"spec":{"extendParam":{"n":1}}}`), "cannot unmarshal number"},
		{"CCE unknown field", cce(`{"metadata":{"uid":"c"},"status":{"phase":"Running","message":"m"}}`), "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			// Valid jobs before the bad one must not be loaded either: a
			// database job, and a job of the same kind, which moves the bad
			// one to index 1.
			valid := `{"metadata":{"uid":"ok"},"status":{"phase":"Success"},"steps":[{"phase":"Running"}]},`
			if strings.HasPrefix(tc.doc, `{"v1_jobs"`) {
				valid = `{"service":"ecs","job_id":"ok","status":"SUCCESS","steps":[{"status":"RUNNING"}]},`
			}
			doc := `{"jobs":[{"id":"db"}],` + strings.Replace(tc.doc[1:], `_jobs":[`, `_jobs":[`+valid, 1)
			err := e.LoadFixtures(strings.NewReader(doc))
			want := strings.Replace(strings.Replace(tc.want, "v1_jobs[0]", "v1_jobs[1]", 1), "cce_jobs[0]", "cce_jobs[1]", 1)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want one with %q", err, want)
			}
			e.mu.Lock()
			n := len(e.jobs) + len(e.v1Jobs) + len(e.v1Scripts) + len(e.cceJobs) + len(e.cceScripts)
			e.mu.Unlock()
			if n != 0 {
				t.Fatal("a rejected document changed the data")
			}
		})
	}
}

// TestDocFixtureExample: the fixture document of the package
// documentation loads, so that the example a reader copies is valid.
func TestDocFixtureExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), "// # Fixture format\n")
	if !ok {
		t.Fatal("doc.go has no # Fixture format section")
	}
	var doc strings.Builder
	started := false
	for _, line := range strings.Split(after, "\n") {
		code, isCode := strings.CutPrefix(line, "//\t")
		if !isCode {
			if started {
				break
			}
			continue
		}
		started = true
		doc.WriteString(code + "\n")
	}
	e := newTestEmulator(t)
	if err := e.LoadFixtures(strings.NewReader(doc.String())); err != nil {
		t.Fatalf("%v in:\n%s", err, doc.String())
	}
	if len(e.Jobs()) != 3 || len(e.Instances()) != 2 {
		t.Fatalf("jobs %+v, instances %+v", e.Jobs(), e.Instances())
	}
}
