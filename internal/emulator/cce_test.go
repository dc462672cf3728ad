package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// ccePath is the CCE job path for the default project, with its prefix.
func ccePath(id string) string {
	return ServicePrefix("cce") + "/api/v3/projects/" + DefaultProjectID + "/jobs/" + id
}

// cceTime parses a time as the CCE API writes it.
func cceTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(cceTimeFormat, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// documentedCCEJob is the API reference's example job.
func documentedCCEJob(t *testing.T) CCEJob {
	return CCEJob{
		ID: "354331b2c-229a-11e8-9c75-0255ac100ceb", Type: "CreateCluster", ClusterID: "4d1ecb2c-229a-11e8-9c75-0255ac100ceb",
		ResourceID: "6f4dcb2c-229a-11e8-9c75-0255ac100ceb", ResourceName: "cluster-name", Phase: "Running",
		Created:     cceTime(t, "2020-02-02 08:12:40.672772389 +0000 UTC"),
		Updated:     cceTime(t, "2020-02-02 08:21:50.478108569 +0000 UTC"),
		ExtendParam: map[string]string{"serverID": "bc467e3a-2338-11e8-825b-0255ac100c13"},
		SubJobs: []CCEJob{
			{
				ID: "fd474fab-9606-11e8-baa9-0255ac10215d", Type: "InstallMaster", ClusterID: "fcc72de0-9606-11e8-baa8-0255ac10215d",
				ResourceID: "fd3b4ac0-9606-11e8-baa8-0255ac10215d", Phase: "Success",
				Created:     cceTime(t, "2020-02-02 03:52:34.615819618 +0000 UTC"),
				Updated:     cceTime(t, "2020-02-02 04:05:29.196243031 +0000 UTC"),
				ExtendParam: map[string]string{"serverID": "fd3b4ac0-9606-11e8-baa8-0255ac10215d"},
			},
			{
				ID: "fd474f82-9606-11e8-baa8-0255ac10215d", Type: "CreatePSMCert", ClusterID: "fcc72de0-9606-11e8-baa8-0255ac10215d", Phase: "Success",
				Created: cceTime(t, "2020-02-02 03:52:33.859150791 +0000 UTC"),
				Updated: cceTime(t, "2020-02-02 03:52:34.615655429 +0000 UTC"),
			},
		},
	}
}

// documentedCCEBody is documentedCCEJob's body: the API reference's
// example, but for status.reason, which the emulator sends on every job.
const documentedCCEBody = `{"kind":"Job","apiVersion":"v3",` +
	`"metadata":{"uid":"354331b2c-229a-11e8-9c75-0255ac100ceb","creationTimestamp":"2020-02-02 08:12:40.672772389 +0000 UTC","updateTimestamp":"2020-02-02 08:21:50.478108569 +0000 UTC"},` +
	`"spec":{"type":"CreateCluster","clusterUID":"4d1ecb2c-229a-11e8-9c75-0255ac100ceb","resourceID":"6f4dcb2c-229a-11e8-9c75-0255ac100ceb","resourceName":"cluster-name",` +
	`"extendParam":{"serverID":"bc467e3a-2338-11e8-825b-0255ac100c13"},"subJobs":[` +
	`{"kind":"Job","apiVersion":"v3","metadata":{"uid":"fd474fab-9606-11e8-baa9-0255ac10215d","creationTimestamp":"2020-02-02 03:52:34.615819618 +0000 UTC","updateTimestamp":"2020-02-02 04:05:29.196243031 +0000 UTC"},` +
	`"spec":{"type":"InstallMaster","clusterUID":"fcc72de0-9606-11e8-baa8-0255ac10215d","resourceID":"fd3b4ac0-9606-11e8-baa8-0255ac10215d","extendParam":{"serverID":"fd3b4ac0-9606-11e8-baa8-0255ac10215d"}},` +
	`"status":{"phase":"Success","reason":""}},` +
	`{"kind":"Job","apiVersion":"v3","metadata":{"uid":"fd474f82-9606-11e8-baa8-0255ac10215d","creationTimestamp":"2020-02-02 03:52:33.859150791 +0000 UTC","updateTimestamp":"2020-02-02 03:52:34.615655429 +0000 UTC"},` +
	`"spec":{"type":"CreatePSMCert","clusterUID":"fcc72de0-9606-11e8-baa8-0255ac10215d"},"status":{"phase":"Success","reason":""}}]},` +
	`"status":{"phase":"Running","reason":""}}`

func TestCCEJobWire(t *testing.T) {
	e := newTestEmulator(t)
	e.AddCCEJob(DefaultProjectID, documentedCCEJob(t))
	e.AddCCEJob(DefaultProjectID, CCEJob{
		ID: "failed", Type: "CreateNodePool", ClusterID: "c", ResourceName: "pool", Phase: "Failed", Reason: "Quota exceeded.",
		// Another zone, and no fraction: Go's time.String drops it.
		Created: time.Date(2024, 8, 14, 14, 31, 5, 0, time.FixedZone("CST", 8*3600)),
	})
	e.AddCCEJob(DefaultProjectID, CCEJob{ID: "bare", ExtendParam: map[string]string{}, SubJobs: []CCEJob{}})
	cases := []struct{ name, id, want string }{
		{"the documented example", "354331b2c-229a-11e8-9c75-0255ac100ceb", documentedCCEBody},
		{"failed, in UTC", "failed", `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"failed","creationTimestamp":"2024-08-14 06:31:05 +0000 UTC","updateTimestamp":""},` +
			`"spec":{"type":"CreateNodePool","clusterUID":"c","resourceName":"pool"},"status":{"phase":"Failed","reason":"Quota exceeded."}}`},
		{"empty fields", "bare", `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"bare","creationTimestamp":"","updateTimestamp":""},` +
			`"spec":{"type":"","clusterUID":""},"status":{"phase":"","reason":""}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantBody(t, get(t, e, ccePath(tc.id)), http.StatusOK, tc.want)
		})
	}
	if n := e.Count(RouteCCEJob); n != 3 || len(e.Counts()) != 1 {
		t.Fatalf("counts %v, want 3 on cce.job", e.Counts())
	}
}

// TestCCEJobErrors: the errors of CCE, exactly, in either spelling.
func TestCCEJobErrors(t *testing.T) {
	const other = "ffffffffffffffffffffffffffffffff"
	mismatch := "The project ID in the URL does not match the project of the credentials."
	cases := []struct {
		name   string
		req    func(e *Emulator) *http.Request
		status int
		code   string
		msg    string
	}{
		{"unknown job", func(*Emulator) *http.Request { return signedGet(t, ccePath("nope")) }, http.StatusNotFound, "CCE.01404001", "Resource not found."},
		{"a sub-job's ID", func(*Emulator) *http.Request { return signedGet(t, ccePath("sub")) }, http.StatusNotFound, "CCE.01404001", "Resource not found."},
		{"a v1 job's ID", func(*Emulator) *http.Request { return signedGet(t, ccePath("ecs-job")) }, http.StatusNotFound, "CCE.01404001", "Resource not found."},
		{"project not the account's", func(*Emulator) *http.Request {
			return signedGet(t, strings.Replace(ccePath("j"), DefaultProjectID, other, 1))
		}, http.StatusBadRequest, "CCE.01400001", "Invalid request."},
		{"X-Project-Id of another project", func(*Emulator) *http.Request { return signedGet(t, ccePath("j"), "X-Project-Id", other) },
			http.StatusForbidden, "CCE.01403001", mismatch},
		{"token of another project", func(e *Emulator) *http.Request {
			return withToken(http.MethodGet, ccePath("j"), "", e.IssueToken(other))
		}, http.StatusForbidden, "CCE.01403001", mismatch},
		{"domain-scoped token", func(e *Emulator) *http.Request {
			return withToken(http.MethodGet, ccePath("j"), "", e.IssueDomainToken())
		},
			http.StatusForbidden, "CCE.01403001", domainScopedMessage},
	}
	spellings := []struct {
		spelling CCEErrorSpelling
		body     func(code, msg string) string
	}{
		{"", func(code, msg string) string { return `{"errorCode":"` + code + `","errorMessage":"` + msg + `"}` }},
		{CCEErrorsCamelCase, func(code, msg string) string { return `{"errorCode":"` + code + `","errorMessage":"` + msg + `"}` }},
		{CCEErrorsSnakeCase, func(code, msg string) string { return `{"error_code":"` + code + `","error_msg":"` + msg + `"}` }},
	}
	for _, sp := range spellings {
		e := New(Config{Now: func() time.Time { return testNow }, CCEErrorSpelling: sp.spelling})
		e.AddCCEJob(DefaultProjectID, CCEJob{ID: "j", Phase: "Running", SubJobs: []CCEJob{{ID: "sub", Phase: "Running"}}})
		e.AddV1Job(V1JobServiceECS, DefaultProjectID, V1Job{ID: "ecs-job", Status: "SUCCESS"})
		if got := e.Config().CCEErrorSpelling; got != sp.spelling && (sp.spelling != "" || got != CCEErrorsCamelCase) {
			t.Fatalf("Config().CCEErrorSpelling = %q for %q", got, sp.spelling)
		}
		for _, tc := range cases {
			t.Run(string(sp.spelling)+" "+tc.name, func(t *testing.T) {
				wantBody(t, serve(e, tc.req(e)), tc.status, sp.body(tc.code, tc.msg))
			})
		}
	}
	t.Run("no prefix", func(t *testing.T) {
		e := newTestEmulator(t)
		e.AddCCEJob(DefaultProjectID, CCEJob{ID: "j"})
		for _, target := range []string{
			"/api/v3/projects/" + DefaultProjectID + "/jobs/j",
			"/ecs/api/v3/projects/" + DefaultProjectID + "/jobs/j",
			"/cce/api/v3/projects/" + DefaultProjectID + "/jobs",
			"/cce/v1/" + DefaultProjectID + "/jobs/j",
		} {
			wantError(t, get(t, e, target), http.StatusNotFound, "APIGW.0101")
		}
		if len(e.Counts()) != 0 {
			t.Fatalf("counts %v", e.Counts())
		}
	})
	t.Run("an unknown spelling panics", func(t *testing.T) {
		defer func() {
			if msg, _ := recover().(string); !strings.Contains(msg, `Config.CCEErrorSpelling "camelcase" is not camelCase or snake_case`) {
				t.Fatalf("recovered %q", msg)
			}
		}()
		New(Config{CCEErrorSpelling: "camelcase"})
	})
}

// TestScriptCCEJob: a job and its sub-jobs move through their scripts,
// each read of the job advancing them all.
func TestScriptCCEJob(t *testing.T) {
	e := newTestEmulator(t)
	e.AddCCEJob(DefaultProjectID, CCEJob{ID: "j", Type: "CreateCluster", Phase: "Initializing", SubJobs: []CCEJob{
		{ID: "a", Phase: "Initializing"},
		{ID: "b", Phase: "Initializing", SubJobs: []CCEJob{{ID: "b1", Phase: "Initializing"}}},
	}})
	e.ScriptCCEJob("j", CCEJobStep{"Initializing", ""}, CCEJobStep{"Running", ""}, CCEJobStep{"Failed", "b1 failed."})
	e.ScriptCCEJob("a", CCEJobStep{"Running", ""}, CCEJobStep{"Success", ""})
	e.ScriptCCEJob("b1", CCEJobStep{"Running", ""}, CCEJobStep{"Running", ""}, CCEJobStep{"Failed", "Quota exceeded."})
	type read struct{ j, a, b, b1 string }
	phases := func() read {
		t.Helper()
		rec := get(t, e, ccePath("j"))
		wantStatus(t, rec, http.StatusOK)
		j := decode[cceJobJSON](t, rec.Body)
		b := j.Spec.SubJobs[1]
		return read{
			j.Status.Phase + "/" + j.Status.Reason, j.Spec.SubJobs[0].Status.Phase,
			b.Status.Phase, b.Spec.SubJobs[0].Status.Phase + "/" + b.Spec.SubJobs[0].Status.Reason,
		}
	}
	for i, want := range []read{
		{"Initializing/", "Running", "Initializing", "Running/"},
		{"Running/", "Success", "Initializing", "Running/"},
		{"Failed/b1 failed.", "Success", "Initializing", "Failed/Quota exceeded."},
		{"Failed/b1 failed.", "Success", "Initializing", "Failed/Quota exceeded."},
	} {
		if got := phases(); got != want {
			t.Fatalf("read %d: %+v, want %+v", i+1, got, want)
		}
	}
	// Only jobs are read by ID; a sub-job's script advances with its job.
	wantStatus(t, get(t, e, ccePath("a")), http.StatusNotFound)
	e.ScriptCCEJob("j")
	e.ScriptCCEJob("b1")
	if got := phases(); got != (read{"Initializing/", "Success", "Initializing", "Initializing/"}) {
		t.Fatalf("after removing scripts: %+v", got)
	}
}

// TestAddCCEJobCopies: the caller's job may change after AddCCEJob.
func TestAddCCEJobCopies(t *testing.T) {
	e := newTestEmulator(t)
	job := documentedCCEJob(t)
	e.AddCCEJob(DefaultProjectID, job)
	job.ExtendParam["serverID"] = "changed"
	job.SubJobs[0].ExtendParam["serverID"] = "changed"
	job.SubJobs[1].Phase = "Failed"
	wantBody(t, get(t, e, ccePath(job.ID)), http.StatusOK, documentedCCEBody)
}

// TestCCEJobFaults: the faults machinery on cce.job, in CCE's error
// shapes.
func TestCCEJobFaults(t *testing.T) {
	newEmulator := func(t *testing.T, spelling CCEErrorSpelling) *Emulator {
		e := New(Config{Now: func() time.Time { return testNow }, CCEErrorSpelling: spelling})
		e.AddCCEJob(DefaultProjectID, documentedCCEJob(t))
		return e
	}
	id := documentedCCEJob(t).ID
	for _, tc := range []struct {
		spelling CCEErrorSpelling
		want500  string
	}{
		{CCEErrorsCamelCase, `{"errorCode":"CCE.01500001","errorMessage":"Internal server error."}`},
		{CCEErrorsSnakeCase, `{"error_code":"CCE.01500001","error_msg":"Internal server error."}`},
	} {
		t.Run("errors and counts, "+string(tc.spelling), func(t *testing.T) {
			e := newEmulator(t, tc.spelling)
			for _, spec := range []string{
				"route=cce.job,kind=server-error,status=500,times=1",
				"route=cce.job,kind=server-error,status=502,times=1",
				"route=cce.job,kind=throttle,times=1",
			} {
				route, f, err := ParseFault(spec)
				if err != nil {
					t.Fatal(err)
				}
				e.InjectFault(route, f)
			}
			wantBody(t, get(t, e, ccePath(id)), http.StatusInternalServerError, tc.want500)
			wantError(t, get(t, e, ccePath(id)), http.StatusBadGateway, "APIGW.0203")
			wantError(t, get(t, e, ccePath(id)), http.StatusTooManyRequests, "APIGW.0308")
			wantBody(t, get(t, e, ccePath(id)), http.StatusOK, documentedCCEBody)
			if n := e.Count(RouteCCEJob); n != 4 || len(e.Counts()) != 1 {
				t.Fatalf("counts %v", e.Counts())
			}
		})
		t.Run("echo secrets and terminal escapes, "+string(tc.spelling), func(t *testing.T) {
			e := newEmulator(t, tc.spelling)
			e.InjectFault(RouteCCEJob, Fault{Kind: FaultEchoSecrets, Times: 1})
			e.InjectFault(RouteCCEJob, Fault{Kind: FaultTerminalEscapes, Status: http.StatusForbidden, Times: 1})
			for i, status := range []int{http.StatusBadRequest, http.StatusForbidden} {
				rec := get(t, e, ccePath(id))
				wantStatus(t, rec, status)
				var b map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
					t.Fatal(err)
				}
				code, msg := b["errorCode"], b["errorMessage"]
				if tc.spelling == CCEErrorsSnakeCase {
					code, msg = b["error_code"], b["error_msg"]
				}
				if len(b) != 2 || code != "CCE.01400001" || i == 0 && !strings.Contains(msg, defaultCredentials.AccessKey) || i == 1 && msg != terminalEscapesMessage {
					t.Fatalf("response %d: %s", i+1, rec.Body.String())
				}
			}
		})
	}
	t.Run("deep sub-jobs", func(t *testing.T) {
		e := newEmulator(t, "")
		e.InjectFault(RouteCCEJob, Fault{Kind: FaultDeepEntities, Depth: 2, Times: 1})
		deep := `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"deep","creationTimestamp":"","updateTimestamp":""},"spec":{"type":"Deep","clusterUID":"","subJobs":[` +
			`{"kind":"Job","apiVersion":"v3","metadata":{"uid":"deep","creationTimestamp":"","updateTimestamp":""},"spec":{"type":"Deep","clusterUID":""},"status":{"phase":"Running","reason":""}}` +
			`]},"status":{"phase":"Running","reason":""}}`
		wantBody(t, get(t, e, ccePath(id)), http.StatusOK, `{"kind":"Job","apiVersion":"v3",`+
			`"metadata":{"uid":"354331b2c-229a-11e8-9c75-0255ac100ceb","creationTimestamp":"2020-02-02 08:12:40.672772389 +0000 UTC","updateTimestamp":"2020-02-02 08:21:50.478108569 +0000 UTC"},`+
			`"spec":{"type":"CreateCluster","clusterUID":"4d1ecb2c-229a-11e8-9c75-0255ac100ceb","resourceID":"6f4dcb2c-229a-11e8-9c75-0255ac100ceb","resourceName":"cluster-name",`+
			`"extendParam":{"serverID":"bc467e3a-2338-11e8-825b-0255ac100c13"},"subJobs":[`+deep+`]},"status":{"phase":"Running","reason":""}}`)
		wantBody(t, get(t, e, ccePath(id)), http.StatusOK, documentedCCEBody)

		// Each sub-job nests three JSON levels (job, spec, subJobs), so
		// 3,000 stay within encoding/json's 10,000, and the default of
		// 5,000 goes past it.
		for _, depth := range []int{3_000, 0, 20_000} {
			e.InjectFault(RouteCCEJob, Fault{Kind: FaultDeepEntities, Depth: depth, Times: 1})
			body := get(t, e, ccePath(id)).Body.String()
			want := cmp.Or(depth, DefaultEntitiesDepth)
			if n := strings.Count(body, `"uid":"deep"`); n != want {
				t.Fatalf("depth %d: %d nested sub-jobs, want %d", depth, n, want)
			}
			if json.Valid([]byte(body)) != (depth == 3_000) {
				t.Fatalf("depth %d: valid JSON %v", depth, json.Valid([]byte(body)))
			}
		}
	})
	t.Run("huge body", func(t *testing.T) {
		e := newEmulator(t, "")
		e.InjectFault(RouteCCEJob, Fault{Kind: FaultHugeBody, Size: 64 << 10, Times: 1})
		rec := get(t, e, ccePath(id))
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.Len() <= 64<<10 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%d bytes, valid JSON %v", rec.Body.Len(), json.Valid(rec.Body.Bytes()))
		}
		if j := decode[cceJobJSON](t, rec.Body); j.Metadata.UID != id || len(j.Spec.SubJobs) < 100 {
			t.Fatalf("job %q with %d sub-jobs", j.Metadata.UID, len(j.Spec.SubJobs))
		}
	})
	t.Run("truncated JSON", func(t *testing.T) {
		e := newEmulator(t, "")
		e.InjectFault(RouteCCEJob, Fault{Kind: FaultTruncatedJSON, Times: 1})
		cut := get(t, e, ccePath(id)).Body.String()
		if cut == "" || len(cut) >= len(documentedCCEBody) || !strings.HasPrefix(documentedCCEBody, cut) {
			t.Fatalf("%q is not a cut of the body", cut)
		}
	})
	t.Run("faults act after authentication", func(t *testing.T) {
		e := newEmulator(t, "")
		e.InjectFault(RouteCCEJob, Fault{Kind: FaultServerError, Status: 500, Times: 1})
		wantError(t, serve(e, httptest.NewRequest(http.MethodGet, ccePath(id), nil)), http.StatusUnauthorized, "APIGW.0301")
		wantStatus(t, get(t, e, ccePath(id)), http.StatusInternalServerError)
	})
}
