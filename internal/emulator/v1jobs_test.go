package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// v1Path is the job path of a v1 job service for the default project,
// with its prefix.
func v1Path(svc V1JobService, id string) string {
	return ServicePrefix(string(svc)) + "/v1/" + DefaultProjectID + "/jobs/" + id
}

// v1Entities are entities of each service's own shape, as the API
// references' examples show them.
var v1Entities = map[V1JobService]string{
	V1JobServiceECS: `{"sub_jobs_total":1,"sub_jobs":[{"status":"SUCCESS","entities":{"server_id":"bae51750-0089-41a1-9b18-5c777978ff6d"},"job_id":"2c9eb2c5544cbf6101544f0635672b60","job_type":"createSingleServer","begin_time":"2016-04-25T20:04:47.591Z","end_time":"2016-04-25T20:08:21.328Z","error_code":null,"fail_reason":null}]}`,
	V1JobServiceEVS: `{"volume_type":"SAS","size":40,"volume_id":"bdf1bb37-f20f-4266-9a04-f43e0a127376","name":"volume-test"}`,
	V1JobServiceIMS: `{"process_percent":0.5,"sub_jobs_list":["9a175ac79d2a54ad019d4c37b9772673"],"sub_jobs_result":[{"status":"RUNNING","entities":{"image_id":"6d0c5c0e-5505-4ba8-ab65-7e78efe77130","image_name":"name"},"job_id":"9a175ac79d2a54ad019d4c37b9772673","job_type":"imsImportImageJob","begin_time":"2026-04-02T03:23:33.620Z","end_time":"","error_code":null,"fail_reason":null}]}`,
}

// v1JobsEmulator holds, in each v1 job service, a job that succeeded
// ("done"), one that failed ("failed") and one that runs ("running").
func v1JobsEmulator(t *testing.T) *Emulator {
	t.Helper()
	e := newTestEmulator(t)
	begin := time.Date(2016, 4, 25, 20, 4, 34, 604_000_000, time.UTC)
	for _, svc := range V1JobServices() {
		e.AddV1Job(svc, DefaultProjectID, V1Job{
			ID: "done", Type: "create", Status: "SUCCESS", BeginTime: begin, EndTime: begin.Add(4 * time.Minute),
			Entities: json.RawMessage(v1Entities[svc]),
		})
		e.AddV1Job(svc, DefaultProjectID, V1Job{
			// Another zone: the API sends UTC.
			ID: "failed", Type: "delete", Status: "FAIL",
			BeginTime: time.Date(2024, 6, 11, 10, 15, 8, 223_000_000, time.FixedZone("CST", 8*3600)),
			EndTime:   time.Date(2024, 6, 11, 2, 17, 40, 918_000_000, time.UTC),
			ErrorCode: "Ecs.0204", FailReason: "Quota exceeded.",
		})
		e.AddV1Job(svc, DefaultProjectID, V1Job{ID: "running", Type: "resize", Status: "RUNNING", BeginTime: begin})
	}
	return e
}

// TestV1JobWire: each service's body, exactly, as API-jobs.md § v1 jobs
// describes it.
func TestV1JobWire(t *testing.T) {
	e := v1JobsEmulator(t)
	for _, svc := range V1JobServices() {
		cases := []struct {
			id, want string
		}{
			{"done", `{"status":"SUCCESS","entities":` + v1Entities[svc] + `,"job_id":"done","job_type":"create",` +
				`"begin_time":"2016-04-25T20:04:34.604Z","end_time":"2016-04-25T20:08:34.604Z","error_code":null,"fail_reason":null}`},
			{"failed", `{"status":"FAIL","entities":{},"job_id":"failed","job_type":"delete",` +
				`"begin_time":"2024-06-11T02:15:08.223Z","end_time":"2024-06-11T02:17:40.918Z","error_code":"Ecs.0204","fail_reason":"Quota exceeded."}`},
			{"running", `{"status":"RUNNING","entities":{},"job_id":"running","job_type":"resize",` +
				`"begin_time":"2016-04-25T20:04:34.604Z","end_time":"","error_code":null,"fail_reason":null}`},
		}
		for _, tc := range cases {
			t.Run(string(svc)+" "+tc.id, func(t *testing.T) {
				wantBody(t, get(t, e, v1Path(svc, tc.id)), http.StatusOK, tc.want)
			})
		}
	}
	spec, _ := v1SpecOf(V1JobServiceECS)
	if n := e.Count(spec.route); n != 3 {
		t.Fatalf("Count(ecs.job) = %d, want 3", n)
	}
}

// TestV1JobPrefixes: each prefix reaches its own service's jobs and route,
// a job of one service is unknown to the others, and the path without a
// prefix is no route at all.
func TestV1JobPrefixes(t *testing.T) {
	e := newTestEmulator(t)
	for _, svc := range V1JobServices() {
		e.AddV1Job(svc, DefaultProjectID, V1Job{ID: "job-of-" + string(svc), Status: "SUCCESS"})
	}
	notFound := map[V1JobService]string{
		V1JobServiceECS: `{"error":{"code":"Common.0011","message":"Invalid job ID"}}`,
		V1JobServiceEVS: `{"error":{"code":"Common.0011","message":"query job fail."}}`,
		V1JobServiceIMS: `{"error":{"code":"Common.0011","message":"query job fail."}}`,
	}
	for _, svc := range V1JobServices() {
		for _, other := range V1JobServices() {
			t.Run(string(svc)+" asked for the job of "+string(other), func(t *testing.T) {
				e.ResetCounts()
				rec := get(t, e, v1Path(svc, "job-of-"+string(other)))
				spec, _ := v1SpecOf(svc)
				if n := e.Count(spec.route); n != 1 || len(e.Counts()) != 1 {
					t.Fatalf("counts %v, want one on %s", e.Counts(), spec.route)
				}
				if svc != other {
					wantBody(t, rec, http.StatusBadRequest, notFound[svc])
					return
				}
				wantBody(t, rec, http.StatusOK, `{"status":"SUCCESS","entities":{},"job_id":"job-of-`+string(svc)+
					`","job_type":"","begin_time":"","end_time":"","error_code":null,"fail_reason":null}`)
			})
		}
	}
	t.Run("paths that no route has", func(t *testing.T) {
		e.ResetCounts()
		for _, target := range []string{
			"/v1/" + DefaultProjectID + "/jobs/job-of-ecs", // no prefix
			"/ecs/v1/" + DefaultProjectID + "/jobs",
			"/ecs/v1/" + DefaultProjectID + "/jobs/job-of-ecs/x",
			"/ecs/v3/" + DefaultProjectID + "/jobs/job-of-ecs",
			"/evs/v2/" + DefaultProjectID + "/jobs/job-of-evs",
			"/ECS/v1/" + DefaultProjectID + "/jobs/job-of-ecs",
			"/ims/api/v3/projects/" + DefaultProjectID + "/jobs/job-of-ims",
		} {
			wantBody(t, get(t, e, target), http.StatusNotFound,
				`{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment."}`)
		}
		if len(e.Counts()) != 0 {
			t.Fatalf("counts %v: unknown paths reach no route", e.Counts())
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodDelete, v1Path(V1JobServiceEVS, "job-of-evs"), nil)
		signAt(t, r, testNow)
		rec := serve(e, r)
		wantError(t, rec, http.StatusMethodNotAllowed, "APIGW.0101")
		if rec.Header().Get("Allow") != http.MethodGet {
			t.Fatalf("Allow %q", rec.Header().Get("Allow"))
		}
	})
}

// TestV1JobErrors: the errors of each v1 job service, exactly.
func TestV1JobErrors(t *testing.T) {
	e := v1JobsEmulator(t)
	const other = "ffffffffffffffffffffffffffffffff"
	domainToken := e.IssueDomainToken()
	otherToken := e.IssueToken(other)
	for _, svc := range V1JobServices() {
		spec, _ := v1SpecOf(svc)
		notFound := `{"error":{"code":"Common.0011","message":"` + spec.notFound + `"}}`
		mismatch := `{"error":{"code":"Common.0013","message":"The project ID in the URL does not match the project of the credentials."}}`
		cases := []struct {
			name   string
			req    *http.Request
			status int
			want   string
		}{
			{"unknown job", signedGet(t, v1Path(svc, "nope")), http.StatusBadRequest, notFound},
			{"a job ID of another case", signedGet(t, v1Path(svc, "DONE")), http.StatusBadRequest, notFound},
			{"project not the account's", signedGet(t, strings.Replace(v1Path(svc, "done"), DefaultProjectID, other, 1)), http.StatusBadRequest, notFound},
			{"X-Project-Id of another project", signedGet(t, v1Path(svc, "done"), "X-Project-Id", other), http.StatusForbidden, mismatch},
			{"token of another project", withToken(http.MethodGet, v1Path(svc, "done"), "", otherToken), http.StatusForbidden, mismatch},
			{"domain-scoped token", withToken(http.MethodGet, v1Path(svc, "done"), "", domainToken), http.StatusForbidden,
				`{"error":{"code":"Common.0013","message":"` + domainScopedMessage + `"}}`},
		}
		for _, tc := range cases {
			t.Run(string(svc)+" "+tc.name, func(t *testing.T) {
				wantBody(t, serve(e, tc.req), tc.status, tc.want)
			})
		}
	}
	t.Run("no credentials", func(t *testing.T) {
		wantError(t, serve(e, httptest.NewRequest(http.MethodGet, v1Path(V1JobServiceIMS, "done"), nil)), http.StatusUnauthorized, "APIGW.0301")
	})
}

// TestScriptV1Job: a job moves through its script, status, entities and
// errors as each step says; end_time is "" until a step shows the job
// ended, then the job's own or the clock's at that first read.
func TestScriptV1Job(t *testing.T) {
	type read struct{ status, entities, end, code, reason string }
	subs := func(a, b string) json.RawMessage {
		return json.RawMessage(`{"sub_jobs_total":2,"sub_jobs":[{"status":"` + a + `"},{"status":"` + b + `"}]}`)
	}
	const (
		t0 = "2026-01-02T03:04:05.000Z" // testNow, as the APIs write it
		t3 = "2026-01-02T03:07:05.000Z" // three reads, a minute apart, later
	)
	cases := []struct {
		name  string
		job   V1Job
		steps []V1JobStep
		want  []read
	}{
		{"sub-jobs move along, the end is the clock's",
			V1Job{ID: "j", Status: "INIT", Entities: json.RawMessage(`{"sub_jobs_total":2}`)},
			[]V1JobStep{
				{Status: "INIT"},
				{Status: "RUNNING", Entities: subs("RUNNING", "INIT")},
				{Status: "RUNNING"}, // keeps the entities of the read before
				{Status: "SUCCESS", Entities: subs("SUCCESS", "SUCCESS")},
			},
			[]read{
				{"INIT", `{"sub_jobs_total":2}`, "", "", ""},
				{"RUNNING", string(subs("RUNNING", "INIT")), "", "", ""},
				{"RUNNING", string(subs("RUNNING", "INIT")), "", "", ""},
				{"SUCCESS", string(subs("SUCCESS", "SUCCESS")), t3, "", ""},
				{"SUCCESS", string(subs("SUCCESS", "SUCCESS")), t3, "", ""}, // the last step sticks, and so does the end
			}},
		{"a failure with the job's own end, hidden while it runs",
			V1Job{ID: "j", Status: "RUNNING", EndTime: time.Date(2025, 5, 6, 7, 8, 9, 10_000_000, time.UTC), ErrorCode: "Ecs.0000", FailReason: "later"},
			[]V1JobStep{
				{Status: "RUNNING", Entities: json.RawMessage(`not JSON`)},
				{Status: "FAIL", ErrorCode: "Ecs.0204", FailReason: "Quota exceeded."},
			},
			[]read{
				{"RUNNING", `{}`, "", "", ""},
				{"FAIL", `{}`, "2025-05-06T07:08:09.010Z", "Ecs.0204", "Quota exceeded."},
				{"FAIL", `{}`, "2025-05-06T07:08:09.010Z", "Ecs.0204", "Quota exceeded."},
			}},
		{"ended at the first read",
			V1Job{ID: "j", Status: "RUNNING"},
			[]V1JobStep{{Status: "SUCCESS"}, {Status: "RUNNING"}, {Status: "FAIL"}},
			[]read{{"SUCCESS", `{}`, t0, "", ""}, {"RUNNING", `{}`, "", "", ""}, {"FAIL", `{}`, t0, "", ""}}},
	}
	for _, svc := range V1JobServices() {
		for _, tc := range cases {
			t.Run(string(svc)+" "+tc.name, func(t *testing.T) {
				clk := newClock(testNow)
				e := New(Config{Now: clk.Now})
				for _, s := range V1JobServices() {
					e.AddV1Job(s, DefaultProjectID, tc.job)
				}
				e.ScriptV1Job(svc, "j", tc.steps...)
				for i, w := range tc.want {
					rec := get(t, e, v1Path(svc, "j"))
					wantStatus(t, rec, http.StatusOK)
					var b struct {
						Status     string          `json:"status"`
						Entities   json.RawMessage `json:"entities"`
						EndTime    string          `json:"end_time"`
						ErrorCode  *string         `json:"error_code"`
						FailReason *string         `json:"fail_reason"`
					}
					if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
						t.Fatal(err)
					}
					got := read{b.Status, string(b.Entities), b.EndTime, "", ""}
					if b.ErrorCode != nil {
						got.code = *b.ErrorCode
					}
					if b.FailReason != nil {
						got.reason = *b.FailReason
					}
					if got != w {
						t.Fatalf("read %d: %+v, want %+v", i+1, got, w)
					}
					clk.Add(time.Minute)
				}
				// The job of the same ID on another service has no script.
				for _, other := range V1JobServices() {
					if other == svc {
						continue
					}
					if b := decode[v1JobJSON](t, get(t, e, v1Path(other, "j")).Body); b.Status != tc.job.Status {
						t.Fatalf("the %s job shows %q, want its own %q", other, b.Status, tc.job.Status)
					}
				}
				e.ScriptV1Job(svc, "j")
				if b := decode[v1JobJSON](t, get(t, e, v1Path(svc, "j")).Body); b.Status != tc.job.Status {
					t.Fatalf("status %q after removing the script, want %q", b.Status, tc.job.Status)
				}
			})
		}
	}
	t.Run("a script applies in every project", func(t *testing.T) {
		e := New(Config{
			Now:      func() time.Time { return testNow },
			Projects: map[string]string{DefaultRegion: DefaultProjectID, "eu-west-101": "1f2e3d4c5b6a47988796a5b4c3d2e1f0"},
		})
		e.AddV1Job(V1JobServiceEVS, "1f2e3d4c5b6a47988796a5b4c3d2e1f0", V1Job{ID: "j", Status: "INIT"})
		e.ScriptV1Job(V1JobServiceEVS, "j", V1JobStep{Status: "RUNNING"})
		b := decode[v1JobJSON](t, get(t, e, "/evs/v1/1f2e3d4c5b6a47988796a5b4c3d2e1f0/jobs/j").Body)
		if b.Status != "RUNNING" {
			t.Fatalf("status %q", b.Status)
		}
	})
}

func TestAddV1JobEntities(t *testing.T) {
	cases := []struct {
		name     string
		entities json.RawMessage
		want     string
	}{
		{"none", nil, `{}`},
		{"not JSON", json.RawMessage(`{"server_id":`), `{}`},
		{"empty", json.RawMessage(`  `), `{}`},
		{"compacted", json.RawMessage(" {\n \"server_id\" : \"s\" } "), `{"server_id":"s"}`},
		// Sent as given, even what the real API would not send, so that a
		// test decides.
		{"a list", json.RawMessage(`[1,2]`), `[1,2]`},
		{"a lying total", json.RawMessage(`{"sub_jobs_total":2000000000,"sub_jobs":[]}`), `{"sub_jobs_total":2000000000,"sub_jobs":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddV1Job(V1JobServiceECS, DefaultProjectID, V1Job{ID: "j", Status: "SUCCESS", Entities: tc.entities})
			if got := decode[v1JobJSON](t, get(t, e, v1Path(V1JobServiceECS, "j")).Body).Entities; string(got) != tc.want {
				t.Fatalf("entities %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("the caller's bytes are not kept", func(t *testing.T) {
		e := newTestEmulator(t)
		raw := json.RawMessage(`{"nic_id":"n"}`)
		e.AddV1Job(V1JobServiceECS, DefaultProjectID, V1Job{ID: "j", Status: "SUCCESS", Entities: raw})
		copy(raw, `{"nic_id":"X"}`)
		if got := decode[v1JobJSON](t, get(t, e, v1Path(V1JobServiceECS, "j")).Body).Entities; string(got) != `{"nic_id":"n"}` {
			t.Fatalf("entities %s", got)
		}
	})
}

func TestV1JobPanics(t *testing.T) {
	e := newTestEmulator(t)
	for name, f := range map[string]func(){
		"AddV1Job":    func() { e.AddV1Job("bms", DefaultProjectID, V1Job{ID: "j"}) },
		"ScriptV1Job": func() { e.ScriptV1Job("ECS", "j", V1JobStep{Status: "RUNNING"}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "no v1 job service") {
					t.Fatalf("recovered %q, want a panic", msg)
				}
			}()
			f()
		})
	}
	for svc, want := range map[V1JobService]string{V1JobServiceECS: "ECS", V1JobServiceEVS: "EVS", V1JobServiceIMS: "IMS", "bms": ""} {
		if got := svc.Product(); got != want {
			t.Fatalf("%s.Product() = %q, want %q", svc, got, want)
		}
	}
}

// TestV1JobFaults: the faults machinery on the v1 job routes, each
// answering in the v1 error shape.
func TestV1JobFaults(t *testing.T) {
	inject := func(t *testing.T, e *Emulator, spec string) {
		t.Helper()
		route, f, err := ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.InjectFault(route, f)
	}
	for _, svc := range V1JobServices() {
		spec, _ := v1SpecOf(svc)
		route := string(spec.route)
		t.Run("errors and counts on "+route, func(t *testing.T) {
			e := v1JobsEmulator(t)
			inject(t, e, "route="+route+",kind=server-error,status=500,times=1")
			inject(t, e, "route="+route+",kind=server-error,times=1")
			inject(t, e, "route="+route+",kind=throttle,times=1")
			inject(t, e, "route="+route+",kind=html,status=504,times=1")
			wantBody(t, get(t, e, v1Path(svc, "done")), http.StatusInternalServerError, `{"error":{"code":"Common.0001","message":"Internal error."}}`)
			wantError(t, get(t, e, v1Path(svc, "done")), http.StatusServiceUnavailable, "APIGW.0203")
			wantError(t, get(t, e, v1Path(svc, "done")), http.StatusTooManyRequests, "APIGW.0308")
			if rec := get(t, e, v1Path(svc, "done")); rec.Code != http.StatusGatewayTimeout || rec.Header().Get("Content-Type") != "text/html" {
				t.Fatalf("html: %d %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			wantStatus(t, get(t, e, v1Path(svc, "done")), http.StatusOK)
			if n := e.Count(spec.route); n != 5 || len(e.Counts()) != 1 {
				t.Fatalf("counts %v, want 5 on %s only", e.Counts(), route)
			}
		})
		t.Run("deep entities on "+route, func(t *testing.T) {
			e := v1JobsEmulator(t)
			inject(t, e, "route="+route+",kind=deep-entities,depth=3,times=1")
			wantBody(t, get(t, e, v1Path(svc, "failed")), http.StatusOK,
				`{"status":"FAIL","entities":{"a":{"a":{}}},"job_id":"failed","job_type":"delete",`+
					`"begin_time":"2024-06-11T02:15:08.223Z","end_time":"2024-06-11T02:17:40.918Z","error_code":"Ecs.0204","fail_reason":"Quota exceeded."}`)
			if b := get(t, e, v1Path(svc, "failed")).Body.String(); strings.Contains(b, `"a"`) {
				t.Fatalf("the fault outlived its times: %s", b)
			}
			e.InjectFault(spec.route, Fault{Kind: FaultDeepEntities, Depth: 20_000, Times: 1})
			if b := get(t, e, v1Path(svc, "done")).Body.String(); !strings.Contains(b, `"entities":`+strings.Repeat(`{"a":`, 19_999)+"{}") {
				t.Fatalf("entities not 20,000 levels deep: %.200s", b)
			}
		})
		t.Run("huge body on "+route, func(t *testing.T) {
			e := v1JobsEmulator(t)
			e.InjectFault(spec.route, Fault{Kind: FaultHugeBody, Size: 64 << 10, Times: 1})
			rec := get(t, e, v1Path(svc, "done"))
			wantStatus(t, rec, http.StatusOK)
			if rec.Body.Len() <= 64<<10 || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%d bytes, valid JSON %v", rec.Body.Len(), json.Valid(rec.Body.Bytes()))
			}
			var b struct {
				JobID    string `json:"job_id"`
				Entities struct {
					Total  *int              `json:"sub_jobs_total"`
					Subs   []json.RawMessage `json:"sub_jobs"`
					Result []json.RawMessage `json:"sub_jobs_result"`
				} `json:"entities"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			n := len(b.Entities.Subs) + len(b.Entities.Result)
			if b.JobID != "done" || n < 100 || (svc == V1JobServiceECS) != (b.Entities.Total != nil) ||
				b.Entities.Total != nil && *b.Entities.Total != n || (svc == V1JobServiceIMS) != (b.Entities.Result != nil) {
				t.Fatalf("job %q with %d sub-jobs, sub_jobs_total %v", b.JobID, n, b.Entities.Total)
			}
		})
		t.Run("echo secrets and terminal escapes on "+route, func(t *testing.T) {
			e := v1JobsEmulator(t)
			e.InjectFault(spec.route, Fault{Kind: FaultEchoSecrets, Times: 1})
			e.InjectFault(spec.route, Fault{Kind: FaultTerminalEscapes, Times: 1})
			rec := get(t, e, v1Path(svc, "done"))
			wantStatus(t, rec, http.StatusBadRequest)
			b := decode[v1ErrorBody](t, rec.Body)
			if b.Error.Code != "Common.0011" || !strings.Contains(b.Error.Message, defaultCredentials.AccessKey) {
				t.Fatalf("error %+v does not echo the access key", b)
			}
			rec = get(t, e, v1Path(svc, "done"))
			wantStatus(t, rec, http.StatusBadRequest)
			if b := decode[v1ErrorBody](t, rec.Body); b.Error.Code != "Common.0011" || b.Error.Message != terminalEscapesMessage {
				t.Fatalf("error %+v", b)
			}
		})
		t.Run("truncated JSON on "+route, func(t *testing.T) {
			e := v1JobsEmulator(t)
			full := get(t, e, v1Path(svc, "done")).Body.String()
			e.InjectFault(spec.route, Fault{Kind: FaultTruncatedJSON, Times: 1})
			cut := get(t, e, v1Path(svc, "done")).Body.String()
			if cut == "" || len(cut) >= len(full) || !strings.HasPrefix(full, cut) || json.Valid([]byte(cut)) {
				t.Fatalf("%q is not a cut of %q", cut, full)
			}
		})
	}
	t.Run("a fault on one service leaves the others alone", func(t *testing.T) {
		e := v1JobsEmulator(t)
		e.InjectFault(RouteECSJob, Fault{Kind: FaultServerError, Status: 500})
		wantStatus(t, get(t, e, v1Path(V1JobServiceEVS, "done")), http.StatusOK)
		wantStatus(t, get(t, e, v1Path(V1JobServiceIMS, "done")), http.StatusOK)
		wantStatus(t, get(t, e, v1Path(V1JobServiceECS, "done")), http.StatusInternalServerError)
	})
}
