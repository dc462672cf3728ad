package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// jobPath is the job path of svc for the default project, with its prefix.
func jobPath(svc JobService) string {
	return ServicePrefix(string(svc)) + "/v3/" + DefaultProjectID + "/jobs"
}

// wantBody checks the status and that the body is want, byte for byte
// once want is compacted.
func wantBody(t testing.TB, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	wantStatus(t, rec, status)
	var w bytes.Buffer
	if err := json.Compact(&w, []byte(want)); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	if got := rec.Body.String(); got != w.String() {
		t.Fatalf("body:\n got %s\nwant %s", got, w.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
		t.Fatalf("Content-Type %q", ct)
	}
}

// serviceJobsEmulator holds, in every job service, a completed job
// ("done"), a failed one ("failed") and a running one ("running").
func serviceJobsEmulator(t *testing.T) *Emulator {
	t.Helper()
	e := newTestEmulator(t)
	for _, svc := range JobServices() {
		e.AddServiceJob(svc, DefaultProjectID, Job{
			ID: "done", Name: "CreateInstance", Status: "Completed",
			Created: "2026-03-01T10:00:00+0800", Ended: "2026-03-01T10:20:00+0800",
			Instance: JobInstance{"i1", "db-1"}, Entities: json.RawMessage(`{"resource_ids":["i1.vm"]}`),
		})
		e.AddServiceJob(svc, DefaultProjectID, Job{
			ID: "failed", Name: "RestartInstance", Status: "Failed",
			Created: "2026-03-02T10:00:00+0800", Ended: "2026-03-02T10:01:00+0800",
			Instance: JobInstance{"i1", "db-1"}, FailReason: "Disk full.", FailReasonZH: "磁盘已满。",
		})
		e.AddServiceJob(svc, DefaultProjectID, Job{
			ID: "running", Name: "ResizeFlavor", Status: "Running", Process: "60%",
			Created: "2026-03-03T10:00:00+0800", Instance: JobInstance{"i1", "db-1"},
			// A reason given for later shows only once the job shows Failed.
			FailReason: "not yet",
		})
	}
	return e
}

// TestJobServicesWire: each service's body, exactly, as API-jobs.md § DB
// jobs by ID describes it.
func TestJobServicesWire(t *testing.T) {
	e := serviceJobsEmulator(t)
	const (
		inst   = `"instance":{"id":"i1","name":"db-1"}`
		doneT  = `"created":"2026-03-01T10:00:00+0800","ended":"2026-03-01T10:20:00+0800"`
		failT  = `"created":"2026-03-02T10:00:00+0800","ended":"2026-03-02T10:01:00+0800"`
		runT   = `"created":"2026-03-03T10:00:00+0800"`
		nowDDS = "2026-01-02T03:04:05+0000" // testNow, as DDS sends ended early
	)
	cases := []struct {
		name string
		svc  JobService
		id   string
		want string
	}{
		{"GaussDB completed", JobServiceGaussDB, "done",
			`{"job":{"id":"done","name":"CreateInstance","status":"Completed",` + doneT + `,"process":"",` + inst + `,"entities":{"resource_ids":["i1.vm"]}}}`},
		{"GaussDB failed", JobServiceGaussDB, "failed",
			`{"job":{"id":"failed","name":"RestartInstance","status":"Failed",` + failT + `,"process":"",` + inst + `,"entities":{},"fail_reason":"Disk full."}}`},
		{"GaussDB running", JobServiceGaussDB, "running",
			`{"job":{"id":"running","name":"ResizeFlavor","status":"Running",` + runT + `,"ended":"","process":"60%",` + inst + `,"entities":{}}}`},
		{"RDS completed", JobServiceRDS, "done",
			`{"job":{"id":"done","name":"CreateInstance","status":"Completed",` + doneT + `,"process":"",` + inst + `,"entities":{"resource_ids":["i1.vm"]}}}`},
		{"RDS failed, no entities", JobServiceRDS, "failed",
			`{"job":{"id":"failed","name":"RestartInstance","status":"Failed",` + failT + `,"process":"",` + inst + `,"fail_reason":"Disk full."}}`},
		{"RDS running", JobServiceRDS, "running",
			`{"job":{"id":"running","name":"ResizeFlavor","status":"Running",` + runT + `,"ended":"","process":"60%",` + inst + `}}`},
		{"openGauss completed: fail_reason null", JobServiceOpenGauss, "done",
			`{"job":{"id":"done","name":"CreateInstance","status":"Completed",` + doneT + `,"progress":"",` + inst + `,"fail_reason":null}}`},
		{"openGauss failed", JobServiceOpenGauss, "failed",
			`{"job":{"id":"failed","name":"RestartInstance","status":"Failed",` + failT + `,"progress":"",` + inst + `,"fail_reason":"Disk full."}}`},
		{"openGauss running", JobServiceOpenGauss, "running",
			`{"job":{"id":"running","name":"ResizeFlavor","status":"Running",` + runT + `,"ended":"","progress":"60%",` + inst + `,"fail_reason":null}}`},
		{"DDS completed", JobServiceDDS, "done",
			`{"job":{"id":"done","name":"CreateInstance","status":"Completed",` + doneT + `,"progress":"",` + inst + `,"fail_reason":null}}`},
		{"DDS failed", JobServiceDDS, "failed",
			`{"job":{"id":"failed","name":"RestartInstance","status":"Failed",` + failT + `,"progress":"",` + inst + `,"fail_reason":"Disk full."}}`},
		{"DDS running already carries ended", JobServiceDDS, "running",
			`{"job":{"id":"running","name":"ResizeFlavor","status":"Running",` + runT + `,"ended":"` + nowDDS + `","progress":"60%",` + inst + `,"fail_reason":null}}`},
		{"GeminiDB completed", JobServiceGeminiDB, "done",
			`{"jobs":[{"id":"done","name":"CreateInstance","status":"Completed","start_time":"2026-03-01T10:00:00+0800","end_time":"2026-03-01T10:20:00+0800","progress":"",` + inst + `,"fail_reason":""}],"total_count":1}`},
		{"GeminiDB failed", JobServiceGeminiDB, "failed",
			`{"jobs":[{"id":"failed","name":"RestartInstance","status":"Failed","start_time":"2026-03-02T10:00:00+0800","end_time":"2026-03-02T10:01:00+0800","progress":"",` + inst + `,"fail_reason":"Disk full."}],"total_count":1}`},
		{"GeminiDB running", JobServiceGeminiDB, "running",
			`{"jobs":[{"id":"running","name":"ResizeFlavor","status":"Running","start_time":"2026-03-03T10:00:00+0800","end_time":"","progress":"60%",` + inst + `,"fail_reason":""}],"total_count":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantBody(t, get(t, e, jobPath(tc.svc)+"?id="+tc.id), http.StatusOK, tc.want)
		})
	}
}

// TestJobServicePrefixes: each prefix reaches its own service's jobs and
// route, a job ID of one service is unknown to the others, and the
// unprefixed path stays GaussDB(for MySQL)'s.
func TestJobServicePrefixes(t *testing.T) {
	e := newTestEmulator(t)
	for _, svc := range JobServices() {
		e.AddServiceJob(svc, DefaultProjectID, Job{ID: "job-of-" + string(svc), Status: "Completed"})
	}
	for _, svc := range JobServices() {
		for _, other := range JobServices() {
			t.Run(string(svc)+" asked for the job of "+string(other), func(t *testing.T) {
				e.ResetCounts()
				rec := get(t, e, jobPath(svc)+"?id=job-of-"+string(other))
				spec, _ := jobSpecOf(svc)
				if n := e.Count(spec.route); n != 1 || len(e.Counts()) != 1 {
					t.Fatalf("counts %v, want one on %s", e.Counts(), spec.route)
				}
				switch {
				case svc == other && svc == JobServiceGeminiDB:
					if l := decode[geminiDBJobListJSON](t, rec.Body); l.TotalCount != 1 || l.Jobs[0].ID != "job-of-geminidb" {
						t.Fatalf("list %+v", l)
					}
				case svc == other:
					wantStatus(t, rec, http.StatusOK)
					if b := decode[map[string]map[string]any](t, rec.Body); b["job"]["id"] != "job-of-"+string(svc) {
						t.Fatalf("body %v", b)
					}
				case svc == JobServiceGeminiDB:
					wantBody(t, rec, http.StatusOK, `{"jobs":[],"total_count":0}`)
				default:
					wantBody(t, rec, http.StatusBadRequest, `{"error_code":"DBS.200543","error_msg":"The job does not exist."}`)
				}
			})
		}
	}
	if got := jobPath(JobServiceGaussDB); got != "/v3/"+DefaultProjectID+"/jobs" {
		t.Fatalf("GaussDB(for MySQL) is at %s, want the root", got)
	}
	t.Run("paths under a prefix that no route has", func(t *testing.T) {
		e.ResetCounts()
		for _, target := range []string{
			"/rds", "/rds/", "/rds/v3/" + DefaultProjectID + "/jobs/x", "/rds/v3/projects",
			"/dds/v2/" + DefaultProjectID + "/instances/i/tasks", "/opengauss/rds/v3/" + DefaultProjectID + "/jobs",
			"/gaussdb/v3/" + DefaultProjectID + "/jobs", "/RDS/v3/" + DefaultProjectID + "/jobs",
		} {
			wantBody(t, get(t, e, target+"?id=job-of-rds"), http.StatusNotFound,
				`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`)
		}
		if len(e.Counts()) != 0 {
			t.Fatalf("counts %v: unknown paths reach no route", e.Counts())
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodDelete, jobPath(JobServiceDDS)+"?id=job-of-dds", nil)
		signAt(t, r, testNow)
		rec := serve(e, r)
		wantError(t, rec, http.StatusMethodNotAllowed, "APIGW.0101")
		if rec.Header().Get("Allow") != http.MethodGet {
			t.Fatalf("Allow %q", rec.Header().Get("Allow"))
		}
	})
}

// TestPrefixedPathIsSigned: the signature covers the path as sent, the
// prefix included, as a client whose endpoint is BASE_URL/rds signs it.
func TestPrefixedPathIsSigned(t *testing.T) {
	e, srv := NewServer(Config{})
	defer srv.Close()
	e.AddServiceJob(JobServiceRDS, DefaultProjectID, Job{ID: "j", Status: "Completed"})
	c := defaultCredentials
	do := func(t *testing.T, signedPath, sentPath string) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(http.MethodGet, srv.URL+signedPath+"?id=j", nil)
		if err := signer.Sign(r, nil, c.AccessKey, c.SecretKey, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.URL.Path = sentPath
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	prefixed := "/rds/v3/" + DefaultProjectID + "/jobs"
	if resp := do(t, prefixed, prefixed); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed with the prefix: status %d", resp.StatusCode)
	}
	// Signed without the prefix, sent with it: the path that was signed is
	// not the one that arrived.
	r := httptest.NewRequest(http.MethodGet, "/v3/"+DefaultProjectID+"/jobs?id=j", nil)
	if err := signer.Sign(r, nil, c.AccessKey, c.SecretKey, time.Now()); err != nil {
		t.Fatal(err)
	}
	r.URL.Path = prefixed
	wantAPIGW401(t, serve(e, r), "signature mismatch")
	if resp := do(t, "/v3/"+DefaultProjectID+"/jobs", prefixed); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed without the prefix: status %d, want 401", resp.StatusCode)
	}
	if n := e.Count(RouteRDSJob); n != 3 {
		t.Fatalf("Count(rds.job) = %d, want 3: a 401 counts too", n)
	}
}

// TestJobServiceLanguage: X-Language: zh-cn selects Chinese on RDS and
// GaussDB(for MySQL) only; the others ignore the header.
func TestJobServiceLanguage(t *testing.T) {
	e := serviceJobsEmulator(t)
	cases := []struct {
		svc        JobService
		reason     string // fail_reason of the failed job with zh-cn
		notFoundZH string // message of an unknown job with zh-cn
	}{
		{JobServiceGaussDB, "磁盘已满。", "任务不存在。"},
		{JobServiceRDS, "磁盘已满。", "任务不存在。"},
		{JobServiceOpenGauss, "Disk full.", "The job does not exist."},
		{JobServiceDDS, "Disk full.", "The job does not exist."},
		{JobServiceGeminiDB, "Disk full.", ""},
	}
	for _, tc := range cases {
		t.Run(string(tc.svc), func(t *testing.T) {
			rec := get(t, e, jobPath(tc.svc)+"?id=failed", "X-Language", "zh-cn")
			wantStatus(t, rec, http.StatusOK)
			var reason any
			if tc.svc == JobServiceGeminiDB {
				reason = decode[geminiDBJobListJSON](t, rec.Body).Jobs[0].FailReason
			} else {
				reason = decode[map[string]map[string]any](t, rec.Body)["job"]["fail_reason"]
			}
			if reason != tc.reason {
				t.Fatalf("fail_reason %q, want %q", reason, tc.reason)
			}
			if tc.notFoundZH == "" {
				return
			}
			b := wantError(t, get(t, e, jobPath(tc.svc)+"?id=nope", "X-Language", "zh-cn"), http.StatusBadRequest, dbsJobNotFound)
			if b.Message != tc.notFoundZH {
				t.Fatalf("message %q, want %q", b.Message, tc.notFoundZH)
			}
		})
	}
}

// TestJobServiceErrors: the errors of every job service, exactly.
func TestJobServiceErrors(t *testing.T) {
	e := serviceJobsEmulator(t)
	const other = "ffffffffffffffffffffffffffffffff"
	domainToken := e.IssueDomainToken()
	notFound := `{"error_code":"DBS.200543","error_msg":"The job does not exist."}`
	noID := `{"error_code":"DBS.200001","error_msg":"Parameter error: the query parameter id is required."}`
	badProject := `{"error_code":"DBS.200001","error_msg":"Parameter error: invalid project ID."}`
	mismatch := `{"error_code":"DBS.200010","error_msg":"The project ID in the URL does not match the project of the credentials."}`
	domainScoped := `{"error_code":"DBS.200010","error_msg":"` + domainScopedMessage + `"}`
	for _, svc := range JobServices() {
		other := strings.Replace(jobPath(svc), DefaultProjectID, other, 1)
		cases := []struct {
			name   string
			req    *http.Request
			status int
			want   string
		}{
			{"unknown job", signedGet(t, jobPath(svc)+"?id=nope"), http.StatusBadRequest, notFound},
			{"no id", signedGet(t, jobPath(svc)), http.StatusBadRequest, noID},
			{"empty id", signedGet(t, jobPath(svc)+"?id="), http.StatusBadRequest, noID},
			{"project not the account's", signedGet(t, other+"?id=done"), http.StatusBadRequest, badProject},
			{"X-Project-Id of another project", signedGet(t, jobPath(svc)+"?id=done", "X-Project-Id", other), http.StatusForbidden, mismatch},
			{"domain-scoped token", withToken(http.MethodGet, jobPath(svc)+"?id=done", "", domainToken), http.StatusForbidden, domainScoped},
		}
		for _, tc := range cases {
			t.Run(string(svc)+" "+tc.name, func(t *testing.T) {
				status, want := tc.status, tc.want
				if svc == JobServiceGeminiDB {
					// A list: an unknown or absent ID is no error.
					switch tc.name {
					case "unknown job":
						status, want = http.StatusOK, `{"jobs":[],"total_count":0}`
					case "no id", "empty id":
						l := decode[geminiDBJobListJSON](t, serve(e, tc.req).Body)
						if l.TotalCount != 3 || len(l.Jobs) != 3 {
							t.Fatalf("list without id: %+v, want all three jobs", l)
						}
						return
					}
				}
				wantBody(t, serve(e, tc.req), status, want)
			})
		}
	}
}

// TestScriptServiceJob: each service's job moves through its script,
// with progress under the service's name, and ended as the service sends
// it; a script of one service leaves the same ID in another alone.
func TestScriptServiceJob(t *testing.T) {
	type read struct{ status, progress, ended string }
	const (
		t0 = "2026-01-02T03:04:05+0000" // testNow, as the APIs write it
		t1 = "2026-01-02T03:05:05+0000"
		t2 = "2026-01-02T03:06:05+0000"
	)
	steps := []JobStep{{"Running", "30%"}, {"Running", "70%"}, {"Completed", ""}}
	cases := []struct {
		svc  JobService
		want []read
	}{
		{JobServiceRDS, []read{{"Running", "30%", ""}, {"Running", "70%", ""}, {"Completed", "", t2}, {"Completed", "", t2}}},
		{JobServiceOpenGauss, []read{{"Running", "30%", ""}, {"Running", "70%", ""}, {"Completed", "", t2}, {"Completed", "", t2}}},
		// DDS sends ended while the job runs: the time of each read.
		{JobServiceDDS, []read{{"Running", "30%", t0}, {"Running", "70%", t1}, {"Completed", "", t2}, {"Completed", "", t2}}},
		{JobServiceGeminiDB, []read{{"Running", "30%", ""}, {"Running", "70%", ""}, {"Completed", "", t2}, {"Completed", "", t2}}},
	}
	for _, tc := range cases {
		t.Run(string(tc.svc), func(t *testing.T) {
			clk := newClock(testNow)
			e := New(Config{Now: clk.Now})
			for _, svc := range JobServices() {
				e.AddServiceJob(svc, DefaultProjectID, Job{ID: "j", Status: "Pending", Created: "2026-01-02T11:00:00+0800"})
			}
			e.ScriptServiceJob(tc.svc, "j", steps...)
			for i, w := range tc.want {
				rec := get(t, e, jobPath(tc.svc)+"?id=j")
				wantStatus(t, rec, http.StatusOK)
				var got read
				if tc.svc == JobServiceGeminiDB {
					j := decode[geminiDBJobListJSON](t, rec.Body).Jobs[0]
					got = read{j.Status, j.Progress, j.EndTime}
				} else {
					j := decode[map[string]struct{ Status, Process, Progress, Ended string }](t, rec.Body)["job"]
					progress := j.Progress
					if tc.svc == JobServiceRDS {
						progress = j.Process
					}
					got = read{j.Status, progress, j.Ended}
				}
				if got != w {
					t.Fatalf("read %d: %+v, want %+v", i+1, got, w)
				}
				clk.Add(time.Minute)
			}
			// The GaussDB(for MySQL) job of the same ID has no script.
			if b := decode[map[string]jobJSON](t, get(t, e, jobsPath+"?id=j").Body); b["job"].Status != "Pending" {
				t.Fatalf("GaussDB job: status %q, want its own", b["job"].Status)
			}
			e.ScriptServiceJob(tc.svc, "j")
			if tc.svc != JobServiceGeminiDB {
				if b := decode[map[string]map[string]any](t, get(t, e, jobPath(tc.svc)+"?id=j").Body); b["job"]["status"] != "Pending" {
					t.Fatalf("status %v after removing the script", b["job"]["status"])
				}
			}
		})
	}
}

// TestFailReasonOnlyWhenFailed: a scripted job shows its reason once a
// step shows it Failed, not before.
func TestFailReasonOnlyWhenFailed(t *testing.T) {
	e := newTestEmulator(t)
	for _, svc := range JobServices() {
		e.AddServiceJob(svc, DefaultProjectID, Job{ID: "j", Status: "Running", FailReason: "Quota exceeded."})
		e.ScriptServiceJob(svc, "j", JobStep{"Running", "50%"}, JobStep{"Failed", ""})
	}
	for _, svc := range JobServices() {
		t.Run(string(svc), func(t *testing.T) {
			reason := func() any {
				rec := get(t, e, jobPath(svc)+"?id=j")
				wantStatus(t, rec, http.StatusOK)
				if svc == JobServiceGeminiDB {
					return decode[geminiDBJobListJSON](t, rec.Body).Jobs[0].FailReason
				}
				r, ok := decode[map[string]map[string]any](t, rec.Body)["job"]["fail_reason"]
				if !ok {
					return "absent"
				}
				return r
			}
			var none any = "absent" // GaussDB(for MySQL) and RDS leave it out.
			switch svc {
			case JobServiceOpenGauss, JobServiceDDS:
				none = nil
			case JobServiceGeminiDB:
				none = ""
			}
			if got := reason(); got != none {
				t.Fatalf("running: fail_reason %#v, want %#v", got, none)
			}
			if got := reason(); got != "Quota exceeded." {
				t.Fatalf("failed: fail_reason %#v", got)
			}
		})
	}
}

func TestGeminiDBJobList(t *testing.T) {
	e := newTestEmulator(t)
	add := func(id, name, status, created string) {
		e.AddServiceJob(JobServiceGeminiDB, DefaultProjectID, Job{ID: id, Name: name, Status: status, Created: created})
	}
	add("j1", "CreateInstance", "Completed", "2026-03-01T10:00:00+0000")
	add("j2", "ResizeInstance", "Failed", "2026-03-02T10:00:00+0000")
	add("j3", "CreateInstance", "Running", "2026-03-03T10:00:00+0800") // 02:00 UTC, before j4
	add("j4", "RestartInstance", "Completed", "2026-03-03T10:00:00+0000")
	add("j0", "RestartInstance", "Completed", "2026-03-03T10:00:00+0000") // same time as j4
	add("bad-time", "RestartInstance", "Completed", "yesterday")
	// j1 shows Running on every read, whatever its own status.
	e.ScriptServiceJob(JobServiceGeminiDB, "j1", JobStep{"Running", "10%"})
	cases := []struct {
		query string
		ids   []string
		total int
	}{
		{"", []string{"j4", "j0", "j3", "j2", "j1", "bad-time"}, 6},
		{"id=j2", []string{"j2"}, 1},
		{"id=j2&status=Completed", []string{}, 0},
		{"name=CreateInstance", []string{"j3", "j1"}, 2},
		{"status=Running", []string{"j3", "j1"}, 2}, // j1's script shows Running
		{"start_time=2026-03-02T10:00:00Z", []string{"j4", "j0", "j3", "j2"}, 4},
		{"start_time=2026-03-02T18:00:00%2B0800&end_time=2026-03-03T10:00:00%2B0800", []string{"j3", "j2"}, 2},
		{"end_time=2026-03-01T10:00:00%2B0000", []string{"j1"}, 1},
		{"limit=10&offset=2", []string{"j3", "j2", "j1", "bad-time"}, 6},
		{"offset=6", []string{}, 6},
		{"offset=9223372036854775807", []string{}, 6},
		{"offset=&limit=", []string{"j4", "j0", "j3", "j2", "j1", "bad-time"}, 6},
		{"unknown=1", []string{"j4", "j0", "j3", "j2", "j1", "bad-time"}, 6},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			rec := get(t, e, jobPath(JobServiceGeminiDB)+"?"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			l := decode[geminiDBJobListJSON](t, rec.Body)
			ids := []string{}
			for _, j := range l.Jobs {
				ids = append(ids, j.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.ids, ",") || l.TotalCount != tc.total {
				t.Fatalf("jobs %v, total_count %d; want %v, %d", ids, l.TotalCount, tc.ids, tc.total)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		for i := range 60 {
			add("x"+string(rune('A'+i/26))+string(rune('a'+i%26)), "Backup", "Completed", "2020-01-01T00:00:00+0000")
		}
		for _, tc := range []struct{ query, want string }{{"", "50"}, {"limit=10", "10"}, {"limit=20", "20"}, {"limit=50", "50"}} {
			l := decode[geminiDBJobListJSON](t, get(t, e, jobPath(JobServiceGeminiDB)+"?"+tc.query).Body)
			if got := len(l.Jobs); strconv.Itoa(got) != tc.want || l.TotalCount != 66 {
				t.Fatalf("%q: %d jobs of %d, want %s of 66", tc.query, got, l.TotalCount, tc.want)
			}
		}
	})
	bad := []struct{ query, msg string }{
		{"limit=30", `Parameter error: limit must be 10, 20 or 50, got "30".`},
		{"limit=ten", `Parameter error: limit must be 10, 20 or 50, got "ten".`},
		{"offset=-1", `Parameter error: offset must be an integer of 0 or more, got "-1".`},
		{"start_time=20260301100000", `Parameter error: start_time must be a time such as 2026-03-01T10:00:00+0800, got "20260301100000".`},
		{"end_time=2026-03-01T10:00:00%2B08:00", `Parameter error: end_time must be a time such as 2026-03-01T10:00:00+0800, got "2026-03-01T10:00:00+08:00".`},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.query, func(t *testing.T) {
			b := wantError(t, get(t, e, jobPath(JobServiceGeminiDB)+"?"+tc.query, "X-Language", "zh-cn"), http.StatusBadRequest, dbsBadParameter)
			if b.Message != tc.msg {
				t.Fatalf("message %q, want %q", b.Message, tc.msg)
			}
		})
	}
	t.Run("a filtered-out job does not advance", func(t *testing.T) {
		e := newTestEmulator(t)
		e.AddServiceJob(JobServiceGeminiDB, DefaultProjectID, Job{ID: "s", Status: "Running"})
		e.ScriptServiceJob(JobServiceGeminiDB, "s", JobStep{"Running", "1%"}, JobStep{"Completed", ""})
		_ = get(t, e, jobPath(JobServiceGeminiDB)+"?status=Failed")
		_ = get(t, e, jobPath(JobServiceGeminiDB)+"?offset=1")
		if l := decode[geminiDBJobListJSON](t, get(t, e, jobPath(JobServiceGeminiDB)).Body); l.Jobs[0].Progress != "1%" {
			t.Fatalf("first read showing the job: %+v, want its first step", l.Jobs[0])
		}
	})
}

func TestAddServiceJobEntities(t *testing.T) {
	cases := []struct {
		svc      JobService
		entities json.RawMessage
		want     string // the raw entities, or "absent"
	}{
		{JobServiceGaussDB, nil, `{}`},
		{JobServiceGaussDB, json.RawMessage(`{"k":`), `{}`},
		{JobServiceRDS, nil, "absent"},
		{JobServiceRDS, json.RawMessage(`{"k":`), "absent"},
		{JobServiceRDS, json.RawMessage(` {"volume":{"type":"ULTRAHIGH","original_size":"40","target_size":"100"}} `), `{"volume":{"type":"ULTRAHIGH","original_size":"40","target_size":"100"}}`},
		{JobServiceOpenGauss, json.RawMessage(`{"k":1}`), "absent"},
		{JobServiceDDS, json.RawMessage(`{"k":1}`), "absent"},
	}
	for _, tc := range cases {
		t.Run(string(tc.svc)+" "+string(tc.entities), func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddServiceJob(tc.svc, DefaultProjectID, Job{ID: "j", Status: "Completed", Entities: tc.entities})
			got, ok := decode[map[string]map[string]json.RawMessage](t, get(t, e, jobPath(tc.svc)+"?id=j").Body)["job"]["entities"]
			if !ok {
				got = json.RawMessage("absent")
			}
			if string(got) != tc.want {
				t.Fatalf("entities %s, want %s", got, tc.want)
			}
		})
	}
}

func TestJobServicePanics(t *testing.T) {
	e := newTestEmulator(t)
	for name, f := range map[string]func(){
		"AddServiceJob":    func() { e.AddServiceJob("mysql", DefaultProjectID, Job{ID: "j"}) },
		"ScriptServiceJob": func() { e.ScriptServiceJob("RDS", "j", JobStep{"Running", ""}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "no job service") {
					t.Fatalf("recovered %q, want a panic", msg)
				}
			}()
			f()
		})
	}
	if got := JobServiceGeminiDB.Product(); got != "GeminiDB" {
		t.Fatalf("Product() = %q", got)
	}
}

// TestJobServiceFaults: the faults machinery on the job routes, each
// service answering in its own error body.
func TestJobServiceFaults(t *testing.T) {
	inject := func(t *testing.T, e *Emulator, spec string) {
		t.Helper()
		route, f, err := ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.InjectFault(route, f)
	}
	serverErrors := []struct {
		svc  JobService
		want string
	}{
		{JobServiceGaussDB, `{"error_code":"DBS.108000","error_msg":"Server error."}`},
		{JobServiceRDS, `{"error_code":"DBS.108000","error_msg":"Server failure."}`},
		{JobServiceOpenGauss, `{"error_code":"DBS.108000","error_msg":"Server failure."}`},
		{JobServiceDDS, `{"error_code":"DBS.280005","error_msg":"Server failure."}`},
		{JobServiceGeminiDB, `{"error_code":"DBS.200998","error_msg":"Server failure."}`},
	}
	for _, tc := range serverErrors {
		t.Run("500 on "+string(tc.svc), func(t *testing.T) {
			e := serviceJobsEmulator(t)
			spec, _ := jobSpecOf(tc.svc)
			inject(t, e, "route="+string(spec.route)+",kind=server-error,status=500,times=1")
			inject(t, e, "route="+string(spec.route)+",kind=server-error,times=1")
			inject(t, e, "route="+string(spec.route)+",kind=throttle,times=1")
			wantBody(t, get(t, e, jobPath(tc.svc)+"?id=done"), http.StatusInternalServerError, tc.want)
			wantError(t, get(t, e, jobPath(tc.svc)+"?id=done"), http.StatusServiceUnavailable, "APIGW.0203")
			wantError(t, get(t, e, jobPath(tc.svc)+"?id=done"), http.StatusTooManyRequests, "APIGW.0308")
			wantStatus(t, get(t, e, jobPath(tc.svc)+"?id=done"), http.StatusOK)
			if n := e.Count(spec.route); n != 4 || len(e.Counts()) != 1 {
				t.Fatalf("counts %v, want 4 on %s only", e.Counts(), spec.route)
			}
		})
	}
	t.Run("500 on RDS in Chinese", func(t *testing.T) {
		e := serviceJobsEmulator(t)
		inject(t, e, "route=rds.job,kind=server-error,status=500,times=1")
		wantBody(t, get(t, e, jobPath(JobServiceRDS)+"?id=done", "X-Language", "zh-cn"), http.StatusInternalServerError,
			`{"error_code":"DBS.108000","error_msg":"服务器错误。"}`)
	})
	t.Run("deep entities on an RDS job without entities", func(t *testing.T) {
		e := serviceJobsEmulator(t)
		inject(t, e, "route=rds.job,kind=deep-entities,depth=3,times=1")
		wantBody(t, get(t, e, jobPath(JobServiceRDS)+"?id=failed"), http.StatusOK,
			`{"job":{"id":"failed","name":"RestartInstance","status":"Failed","created":"2026-03-02T10:00:00+0800","ended":"2026-03-02T10:01:00+0800","process":"",`+
				`"instance":{"id":"i1","name":"db-1"},"entities":{"a":{"a":{}}},"fail_reason":"Disk full."}}`)
		if b := get(t, e, jobPath(JobServiceRDS)+"?id=failed").Body.String(); strings.Contains(b, "entities") {
			t.Fatalf("the fault outlived its times: %s", b)
		}
	})
	t.Run("deep entities on RDS, past encoding/json's limit", func(t *testing.T) {
		e := serviceJobsEmulator(t)
		e.InjectFault(RouteRDSJob, Fault{Kind: FaultDeepEntities, Depth: 20_000, Times: 1})
		body := get(t, e, jobPath(JobServiceRDS)+"?id=done").Body.String()
		if !strings.Contains(body, `"entities":`+strings.Repeat(`{"a":`, 19_999)+"{}") {
			t.Fatalf("entities not 20,000 levels deep: %.200s", body)
		}
	})
	for _, svc := range JobServices() {
		spec, _ := jobSpecOf(svc)
		t.Run("huge body on "+string(svc), func(t *testing.T) {
			e := serviceJobsEmulator(t)
			e.InjectFault(spec.route, Fault{Kind: FaultHugeBody, Size: 64 << 10, Times: 1})
			rec := get(t, e, jobPath(svc)+"?id=done")
			wantStatus(t, rec, http.StatusOK)
			if rec.Body.Len() <= 64<<10 || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%d bytes, valid JSON %v", rec.Body.Len(), json.Valid(rec.Body.Bytes()))
			}
			if svc == JobServiceGeminiDB {
				l := decode[geminiDBJobListJSON](t, rec.Body)
				if l.TotalCount != len(l.Jobs) || l.TotalCount < 100 {
					t.Fatalf("total_count %d for %d jobs", l.TotalCount, len(l.Jobs))
				}
			} else if _, ok := decode[map[string]map[string]any](t, rec.Body)["job"]; !ok {
				t.Fatal("no job")
			}
		})
		t.Run("echo secrets and terminal escapes on "+string(svc), func(t *testing.T) {
			e := serviceJobsEmulator(t)
			e.InjectFault(spec.route, Fault{Kind: FaultEchoSecrets, Times: 1})
			e.InjectFault(spec.route, Fault{Kind: FaultTerminalEscapes, Times: 1})
			b := wantError(t, get(t, e, jobPath(svc)+"?id=done"), http.StatusBadRequest, dbsBadParameter)
			if !strings.Contains(b.Message, defaultCredentials.AccessKey) {
				t.Fatalf("message %q does not echo the access key", b.Message)
			}
			if b := wantError(t, get(t, e, jobPath(svc)+"?id=done"), http.StatusBadRequest, dbsBadParameter); b.Message != terminalEscapesMessage {
				t.Fatalf("message %q", b.Message)
			}
		})
		t.Run("truncated JSON on "+string(svc), func(t *testing.T) {
			e := serviceJobsEmulator(t)
			full := get(t, e, jobPath(svc)+"?id=done").Body.String()
			e.InjectFault(spec.route, Fault{Kind: FaultTruncatedJSON, Times: 1})
			cut := get(t, e, jobPath(svc)+"?id=done").Body.String()
			if cut == "" || len(cut) >= len(full) || !strings.HasPrefix(full, cut) || json.Valid([]byte(cut)) {
				t.Fatalf("%q is not a cut of %q", cut, full)
			}
		})
	}
}
