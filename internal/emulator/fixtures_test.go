package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureDCSInstance is the DCS instance of the default fixtures.
const fixtureDCSInstance = "5b8f2a91-7c3e-4d6a-9f1b-2e4c6a8d0b13"

// fixtureServiceJobs are the jobs of the default fixtures on the services
// other than GaussDB(for MySQL).
var fixtureServiceJobs = []struct {
	svc        JobService
	id, status string
}{
	{JobServiceRDS, "dff1d289-4d03-4942-8b9f-463ea07c000d", "Completed"},
	{JobServiceRDS, "4e7a9c1d-2b3f-4a5e-8d6c-0f1e2d3c4b5a", "Failed"},
	{JobServiceOpenGauss, "04efe8e2-9255-44ae-a98b-d87cae411890", "Completed"},
	{JobServiceOpenGauss, "a2c4e6f8-1b3d-4f5a-9c7e-8d6b4a2c0e1f", "Failed"},
	{JobServiceDDS, "c010abd0-48cf-4fa8-8cbc-090f093eaa2f", "Completed"},
	{JobServiceDDS, "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9", "Failed"},
	{JobServiceGeminiDB, "3f5a7c9e-0b2d-4e6f-8a1c-3e5f7a9c1b2d", "Completed"},
	{JobServiceGeminiDB, "6b8d0f2a-4c6e-4a8b-9d1f-5a7c9e1b3d5f", "Failed"},
}

func TestDefaultFixtures(t *testing.T) {
	e := fixtureEmulator(t)
	cases := []struct {
		name, target string
		want         []string // task IDs, for DMS
	}{
		{"seed 000 instance", "/v2/" + DefaultProjectID + "/instances/6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01/tasks", []string{"ff80808272dcc90f0172df1e490f41b0"}},
		{"seed 003 instance", "/v2/" + DefaultProjectID + "/instances/c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90/tasks", []string{"8abfa7b272adc5b40172b73130065ae7"}},
		{"completed job", jobsPath + "?id=" + seedJobID, nil},
		{"failed job", jobsPath + "?id=" + failedJobID, nil},
		{"DCS instance", "/dcs/v2/" + DefaultProjectID + "/instances/" + fixtureDCSInstance + "/tasks", []string{
			"ff80808172b3ae910172c1004a6e0063", "ff80808172b3ae910172c0d94e1b0057", "ff80808172b3ae910172c0a3c2d40042",
			"ff80808172b3ae910172c05b1e7f0031", "ff80808172b3ae910172c04a5d3d0024",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, tc.target)
			wantStatus(t, rec, http.StatusOK)
			if tc.want != nil {
				if got := taskIDs(decode[taskList](t, rec.Body)); !slices.Equal(got, tc.want) {
					t.Fatalf("tasks %v, want %v", got, tc.want)
				}
			}
		})
	}
	t.Run("jobs of every service", func(t *testing.T) {
		for _, j := range fixtureServiceJobs {
			rec := get(t, e, jobPath(j.svc)+"?id="+j.id)
			wantStatus(t, rec, http.StatusOK)
			var status, reason any
			if j.svc == JobServiceGeminiDB {
				l := decode[geminiDBJobListJSON](t, rec.Body)
				status, reason = l.Jobs[0].Status, l.Jobs[0].FailReason
			} else {
				job := decode[map[string]map[string]any](t, rec.Body)["job"]
				status, reason = job["status"], job["fail_reason"]
			}
			if status != j.status || (j.status == "Failed") != (reason != nil && reason != "") {
				t.Fatalf("%s job %s: status %v, fail_reason %v; want %s", j.svc, j.id, status, reason, j.status)
			}
			// A job is its service's only.
			for _, other := range JobServices() {
				if other != j.svc && other != JobServiceGeminiDB {
					wantError(t, get(t, e, jobPath(other)+"?id="+j.id), http.StatusBadRequest, dbsJobNotFound)
				}
			}
		}
	})
	t.Run("RDS examples", func(t *testing.T) {
		wantBody(t, get(t, e, jobPath(JobServiceRDS)+"?id=dff1d289-4d03-4942-8b9f-463ea07c000d"), http.StatusOK,
			`{"job":{"id":"dff1d289-4d03-4942-8b9f-463ea07c000d","name":"CreateMysqlInstance","status":"Completed","created":"2018-08-06T10:41:14+0800","ended":"2018-08-06T16:41:14+0000","process":"",`+
				`"instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin01","name":"DO-NOT-TOUCH-mgr2-mysql-single"},`+
				`"entities":{"instance":{"endpoint":"192.168.1.203:3306","type":"Single","datastore":{"type":"mysql","version":"5.7"}},"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin01.vm","a48e43ff268f4c0e879652d65e63d0fbin01.volume"]}}}`)
		b := decode[map[string]rdsJobJSON](t, get(t, e, jobPath(JobServiceRDS)+"?id=4e7a9c1d-2b3f-4a5e-8d6c-0f1e2d3c4b5a", "X-Language", "zh-cn").Body)["job"]
		if b.FailReason != "可用区存储资源不足,请稍后重试或选择其他可用区。" || string(b.Entities) != `{"volume":{"type":"ULTRAHIGH","original_size":"40","target_size":"100"}}` {
			t.Fatalf("failed RDS job in Chinese: %+v", b)
		}
	})
	t.Run("openGauss completed example", func(t *testing.T) {
		wantBody(t, get(t, e, jobPath(JobServiceOpenGauss)+"?id=04efe8e2-9255-44ae-a98b-d87cae411890"), http.StatusOK,
			`{"job":{"id":"04efe8e2-9255-44ae-a98b-d87cae411890","name":"CreateGaussDBV5Instance","status":"Completed","created":"2021-07-12T08:13:18+0800","ended":"2021-07-12T08:47:52+0800","progress":"",`+
				`"instance":{"id":"d5e4c3b2a1f04e8d9c7b6a5f4e3d2c1bin14","name":"gauss-opengauss-prod"},"fail_reason":null}}`)
	})
	t.Run("DCS tasks", func(t *testing.T) {
		l := decode[dcsList](t, get(t, e, "/dcs/v2/"+DefaultProjectID+"/instances/"+fixtureDCSInstance+"/tasks").Body)
		want := map[string]struct{ name, status, details string }{
			"ff80808172b3ae910172c04a5d3d0024": {"EXTEND", "SUCCESS", `{"old_capacity":"2","new_capacity":"4"}`},
			"ff80808172b3ae910172c05b1e7f0031": {"BindEip", "SUCCESS", `{"public_ip_id":"1aea7aed-e7d8-40ea-b3de-6f3ee9d5db9f","public_ip_address":"100.93.2.18","enable_public_ip":true}`},
			"ff80808172b3ae910172c0a3c2d40042": {"modify", "SUCCESS", `{}`},
			"ff80808172b3ae910172c0d94e1b0057": {"UpdatePort", "FAILED", `{"old_port":6379,"new_port":6380}`},
			"ff80808172b3ae910172c1004a6e0063": {"AddReplica", "WAITING", `{"old_replica_num":2,"new_replica_num":3,"replica_az":"ap-southeast-1b"}`},
		}
		for _, tk := range l.Tasks {
			w := want[tk.ID]
			if tk.Name != w.name || tk.Status != w.status || string(tk.Details) != w.details {
				t.Errorf("task %s: %s %s %s, want %+v", tk.ID, tk.Name, tk.Status, tk.Details, w)
			}
		}
		if l.TaskCount != "5" {
			t.Fatalf("task_count %q", l.TaskCount)
		}
	})
	// The embedded copy is the file on disk.
	onDisk, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(onDisk) != string(DefaultFixtures()) {
		t.Fatal("DefaultFixtures differs from testdata/fixtures.json")
	}
	f := New(Config{})
	if err := f.LoadFixturesFile("testdata/fixtures.json"); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFixtures(t *testing.T) {
	const doc = `{
	  "projects": {"eu-west-101": "1f2e3d4c5b6a47988796a5b4c3d2e1f0"},
	  "instances": [
	    {"id": "i1", "tasks": [
	      {"id": "t1", "status": "CREATED", "created_at": "2024-05-01T10:00:00+02:00", "statuses": ["EXECUTING", "SUCCESS"]},
	      {"id": "t2", "status": "SUCCESS", "created_at": "2024-05-01T07:00:00Z", "updated_at": "2024-05-01T07:00:01.5Z"}
	    ]},
	    {"project_id": "1f2e3d4c5b6a47988796a5b4c3d2e1f0", "id": "i2"}
	  ],
	  "jobs": [
	    {"id": "j1", "status": "Pending", "entities": {"x": [1]}, "steps": [{"status": "Running", "process": "50%"}, {"status": "Completed", "process": ""}]},
	    {"project_id": "1f2e3d4c5b6a47988796a5b4c3d2e1f0", "id": "j2", "status": "Completed"}
	  ]
	}`
	e := newTestEmulator(t)
	if err := e.LoadFixtures(strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	if e.Config().Projects["eu-west-101"] != "1f2e3d4c5b6a47988796a5b4c3d2e1f0" {
		t.Fatalf("projects %v", e.Config().Projects)
	}
	l := decode[taskList](t, get(t, e, "/v2/"+DefaultProjectID+"/instances/i1/tasks").Body)
	if got := taskIDs(l); !slices.Equal(got, []string{"t1", "t2"}) || l.Tasks[0].Status != "EXECUTING" ||
		l.Tasks[0].CreatedAt != "2024-05-01T08:00:00.000Z" || l.Tasks[1].UpdatedAt != "2024-05-01T07:00:01.500Z" || l.Tasks[0].UpdatedAt != "" {
		t.Fatalf("tasks %+v", l)
	}
	wantStatus(t, get(t, e, "/v2/1f2e3d4c5b6a47988796a5b4c3d2e1f0/instances/i2/tasks"), http.StatusOK)
	b := decode[struct {
		Job jobJSON `json:"job"`
	}](t, get(t, e, jobsPath+"?id=j1").Body)
	if b.Job.Status != "Running" || b.Job.Process != "50%" || string(b.Job.Entities) != `{"x":[1]}` {
		t.Fatalf("job %+v", b.Job)
	}
	wantStatus(t, get(t, e, "/v3/1f2e3d4c5b6a47988796a5b4c3d2e1f0/jobs?id=j2"), http.StatusOK)
	wantError(t, get(t, e, jobsPath+"?id=j2"), http.StatusBadRequest, dbsJobNotFound)
}

// TestLoadFixturesServices: jobs of every service, by "service", and DCS
// instances, by "dcs_instances", with their scripts.
func TestLoadFixturesServices(t *testing.T) {
	const doc = `{
	  "dcs_instances": [
	    {"id": "d1", "tasks": [
	      {"id": "t1", "name": "EXTEND", "status": "CREATED", "created_at": "2024-05-01T10:00:00+02:00",
	       "details": {"old_capacity": "2", "new_capacity": "4", "is_only_adjust_charging": false, "rename_commands": ["flushall"], "new_port": 6380},
	       "enable_show": true, "statuses": ["EXECUTING", "SUCCESS"]},
	      {"id": "t2", "name": "modify", "status": "SUCCESS", "created_at": "2024-05-01T07:00:00Z"}
	    ]},
	    {"project_id": "1f2e3d4c5b6a47988796a5b4c3d2e1f0", "id": "d2"}
	  ],
	  "jobs": [
	    {"service": "rds", "id": "j", "status": "Running", "process": "30%", "fail_reason_zh": "失败", "entities": {"public_ip": "1.2.3.4"},
	     "steps": [{"status": "Running", "process": "30%"}, {"status": "Running", "process": "70%"}, {"status": "Completed", "process": ""}]},
	    {"service": "dds", "id": "j", "status": "Completed", "created": "2026-03-01T10:00:00+0000", "ended": "2026-03-01T10:05:00+0000"},
	    {"service": "geminidb", "id": "j", "status": "Failed", "created": "2026-03-01T10:00:00+0000", "fail_reason": "x"},
	    {"service": "gaussdb", "id": "j", "status": "Pending"},
	    {"id": "k", "status": "Completed"}
	  ]
	}`
	e := New(Config{
		Now:      func() time.Time { return testNow },
		Projects: map[string]string{DefaultRegion: DefaultProjectID, "eu-west-101": "1f2e3d4c5b6a47988796a5b4c3d2e1f0"},
	})
	if err := e.LoadFixtures(strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	d1 := "/dcs/v2/" + DefaultProjectID + "/instances/d1/tasks"
	wantBody(t, get(t, e, d1), http.StatusOK, `{"task_count":"2","tasks":[`+
		`{"id":"t1","name":"EXTEND","details":{"old_capacity":"2","new_capacity":"4","is_only_adjust_charging":false,"rename_commands":["flushall"],"new_port":6380},"user_name":"","user_id":"","params":"","status":"EXECUTING","created_at":"2024-05-01T08:00:00.000Z","updated_at":"","enable_show":true},`+
		`{"id":"t2","name":"modify","details":{},"user_name":"","user_id":"","params":"","status":"SUCCESS","created_at":"2024-05-01T07:00:00.000Z","updated_at":"","enable_show":false}]}`)
	if l := decode[dcsList](t, get(t, e, d1).Body); l.Tasks[0].Status != "SUCCESS" {
		t.Fatalf("second read: %+v", l.Tasks[0])
	}
	wantBody(t, get(t, e, "/dcs/v2/1f2e3d4c5b6a47988796a5b4c3d2e1f0/instances/d2/tasks"), http.StatusOK, `{"task_count":"0","tasks":[]}`)
	// d1 is DCS's only.
	wantError(t, get(t, e, "/v2/"+DefaultProjectID+"/instances/d1/tasks"), http.StatusNotFound, dmsInstanceNotFound)

	for i, want := range []string{"30%", "70%", ""} {
		j := decode[map[string]rdsJobJSON](t, get(t, e, jobPath(JobServiceRDS)+"?id=j").Body)["job"]
		if j.Process != want || string(j.Entities) != `{"public_ip":"1.2.3.4"}` {
			t.Fatalf("RDS read %d: %+v, want process %q", i+1, j, want)
		}
	}
	wantBody(t, get(t, e, jobPath(JobServiceDDS)+"?id=j"), http.StatusOK,
		`{"job":{"id":"j","name":"","status":"Completed","created":"2026-03-01T10:00:00+0000","ended":"2026-03-01T10:05:00+0000","progress":"","instance":{"id":"","name":""},"fail_reason":null}}`)
	wantBody(t, get(t, e, jobPath(JobServiceGeminiDB)+"?id=j"), http.StatusOK,
		`{"jobs":[{"id":"j","name":"","status":"Failed","start_time":"2026-03-01T10:00:00+0000","end_time":"","progress":"","instance":{"id":"","name":""},"fail_reason":"x"}],"total_count":1}`)
	if b := decode[map[string]jobJSON](t, get(t, e, jobsPath+"?id=j").Body); b["job"].Status != "Pending" {
		t.Fatalf("GaussDB job %+v", b["job"])
	}
	wantStatus(t, get(t, e, jobsPath+"?id=k"), http.StatusOK) // no service is GaussDB(for MySQL)
	wantError(t, get(t, e, jobPath(JobServiceOpenGauss)+"?id=j"), http.StatusBadRequest, dbsJobNotFound)
}

func TestLoadFixturesPrimaryProject(t *testing.T) {
	// Without DefaultRegion, fixtures without project_id go to the first
	// region by name.
	e := New(Config{Projects: map[string]string{"tr-west-1": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "af-south-1": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})
	if err := e.LoadFixtures(strings.NewReader(`{"instances":[{"id":"i"}]}`)); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	_, ok := e.dms.instances["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]["i"]
	e.mu.Unlock()
	if !ok {
		t.Fatal("instance not in af-south-1's project")
	}
}

func TestLoadFixturesErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"not JSON", `{`, "unexpected EOF"},
		{"unknown field", `{"instance": []}`, "unknown field"},
		{"unknown task field", `{"instances":[{"id":"i","tasks":[{"id":"t","state":"x"}]}]}`, "unknown field"},
		{"instance without id", `{"instances":[{"tasks":[]}]}`, "instances[0]: id is required"},
		{"task without id", `{"instances":[{"id":"i","tasks":[{"name":"n"}]}]}`, "tasks[0]: id is required"},
		{"bad created_at", `{"instances":[{"id":"i","tasks":[{"id":"t","created_at":"20240101"}]}]}`, "created_at"},
		{"bad updated_at", `{"instances":[{"id":"i","tasks":[{"id":"t","updated_at":"yesterday"}]}]}`, "updated_at"},
		{"job without id", `{"jobs":[{"name":"n"}]}`, "jobs[0]: id is required"},
		{"entities not an object", `{"jobs":[{"id":"j","entities":[1]}]}`, "entities must be a JSON object"},
		{"empty project", `{"projects":{"eu-west-101":""}}`, "non-empty"},
		{"unknown service", `{"jobs":[{"id":"j","service":"mysql"}]}`, `jobs[0]: service "mysql" is not one of gaussdb, rds, opengauss, dds, geminidb`},
		{"service in capitals", `{"jobs":[{"id":"j","service":"RDS"}]}`, `service "RDS" is not one of`},
		{"entities on DDS", `{"jobs":[{"id":"j","service":"dds","entities":{"a":1}}]}`, "jobs[0]: entities: DDS jobs have none"},
		{"entities on GeminiDB", `{"jobs":[{"id":"j","service":"geminidb","entities":{}}]}`, "jobs[0]: entities: GeminiDB jobs have none"},
		{"entities not an object on RDS", `{"jobs":[{"id":"j","service":"rds","entities":"x"}]}`, "entities must be a JSON object"},
		{"Chinese reason on openGauss", `{"jobs":[{"id":"j","service":"opengauss","fail_reason_zh":"失败"}]}`, "jobs[0]: fail_reason_zh: GaussDB(for openGauss) ignores X-Language"},
		{"start_time on a job", `{"jobs":[{"id":"j","service":"geminidb","start_time":"x"}]}`, "unknown field"},
		{"DCS instance without id", `{"dcs_instances":[{"tasks":[]}]}`, "dcs_instances[0]: id is required"},
		{"DCS task without id", `{"dcs_instances":[{"id":"i","tasks":[{"name":"n"}]}]}`, "dcs_instances[0].tasks[0]: id is required"},
		{"DCS task with an unknown field", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","enableShow":true}]}]}`, "unknown field"},
		{"DCS bad created_at", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","created_at":"20200617"}]}]}`, "dcs_instances[0].tasks[0]: created_at"},
		{"DCS bad updated_at", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","updated_at":"later"}]}]}`, "dcs_instances[0].tasks[0]: updated_at"},
		{"DCS details not an object", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":[1]}]}]}`, "details: must be a JSON object"},
		{"DCS details null", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":null}]}]}`, "details: must be a JSON object"},
		{"DCS details unknown key", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"old_capcity":"2"}}]}]}`, `details: "old_capcity" is not a key of DCS task details`},
		{"DCS details capacity as a number", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"old_capacity":2}}]}]}`, `details: "old_capacity" must be a string, got 2`},
		{"DCS details null value", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"public_ip_id":null}}]}]}`, `"public_ip_id" must be a string, got null`},
		{"DCS details port as a string", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"new_port":"6380"}}]}]}`, `"new_port" must be an int32 number, got "6380"`},
		{"DCS details fractional port", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"new_port":6380.5}}]}]}`, `"new_port" must be an int32 number`},
		{"DCS details port past int32", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"updated_config_length":2147483648}}]}]}`, `"updated_config_length" must be an int32 number`},
		{"DCS details bool as a string", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"enable_ssl":"true"}}]}]}`, `"enable_ssl" must be true or false, got "true"`},
		{"DCS details commands not strings", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"rename_commands":["a",null]}}]}]}`, `"rename_commands" must be a list of strings`},
		{"DCS details commands not a list", `{"dcs_instances":[{"id":"i","tasks":[{"id":"t","details":{"rename_commands":"a"}}]}]}`, `"rename_commands" must be a list of strings`},
		{"two documents", `{} {}`, "more than one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			// A valid part before the error must not be loaded either.
			doc := strings.ReplaceAll(tc.doc, `{"id":"i"`, `{"id":"i","project_id":"`+DefaultProjectID+`"`)
			err := e.LoadFixtures(strings.NewReader(doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			e.mu.Lock()
			n := len(e.dms.instances) + len(e.dcs.instances) + len(e.jobs)
			e.mu.Unlock()
			if n != 0 {
				t.Fatal("a rejected document changed the data")
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		err := New(Config{}).LoadFixturesFile(filepath.Join(t.TempDir(), "nope.json"))
		if !os.IsNotExist(err) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("file error names the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(path, []byte(`{"x":1}`), 0o600); err != nil {
			t.Fatal(err)
		}
		err := New(Config{}).LoadFixturesFile(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("error %v", err)
		}
	})
}
