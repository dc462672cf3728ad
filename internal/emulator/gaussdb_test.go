package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"
)

const (
	seedJobID   = "31b8ae23-c687-4d80-b7b4-42a66c9bb886"
	failedJobID = "9f3a6c2e-1b4d-4e8f-a7c5-3d2e1f0b9a87"
	jobsPath    = "/v3/" + DefaultProjectID + "/jobs"
)

func fixtureEmulator(t *testing.T) *Emulator {
	t.Helper()
	e := newTestEmulator(t)
	if err := e.LoadDefaultFixtures(); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestJobSeed(t *testing.T) {
	e := fixtureEmulator(t)
	// Seed 004's example response.
	const seed = `{ "job" : { "id" : "31b8ae23-c687-4d80-b7b4-42a66c9bb886", "name" : "CreateGaussDBforMySQLInstance", "status" : "Completed", "created" : "2018-08-06T10:41:14+0800", "ended" : "2018-08-06T16:41:14+0000", "process" : "", "instance" : { "id" : "a48e43ff268f4c0e879652d65e63d0fbin07", "name" : "DO-NOT-TOUCH-mgr2-mysql-single" }, "entities" : { "instance" : { "endpoint" : "192.168.1.203:3306", "type" : "Cluster", "datastore" : { "type" : "gaussdb-mysql", "version" : "8.0" } }, "resource_ids" : [ "a48e43ff268f4c0e879652d65e63d0fbin07.vm", "a48e43ff268f4c0e879652d65e63d0fbin07.volume" ] } } }`
	rec := get(t, e, jobsPath+"?id="+seedJobID)
	wantStatus(t, rec, http.StatusOK)
	var got, want any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(seed), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("job:\n got %s\nwant %s", rec.Body.String(), seed)
	}
}

func TestJobFailReasonLanguage(t *testing.T) {
	e := fixtureEmulator(t)
	e.AddJob(DefaultProjectID, Job{ID: "english-only", Status: "Failed", FailReason: "Only English."})
	cases := []struct {
		name, job, language, want string
	}{
		{"default is English", failedJobID, "", "The instance is being backed up. Try again later."},
		{"en-us", failedJobID, "en-us", "The instance is being backed up. Try again later."},
		{"zh-cn", failedJobID, "zh-cn", "实例正在备份中,请稍后重试。"},
		{"ZH-CN", failedJobID, "ZH-CN", "实例正在备份中,请稍后重试。"},
		{"another language", failedJobID, "de-de", "The instance is being backed up. Try again later."},
		{"zh-cn without a Chinese reason", "english-only", "zh-cn", "Only English."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.language != "" {
				h = []string{"X-Language", tc.language}
			}
			rec := get(t, e, jobsPath+"?id="+tc.job, h...)
			wantStatus(t, rec, http.StatusOK)
			b := decode[struct {
				Job map[string]any `json:"job"`
			}](t, rec.Body)
			if b.Job["fail_reason"] != tc.want {
				t.Fatalf("fail_reason %q, want %q", b.Job["fail_reason"], tc.want)
			}
		})
	}
	t.Run("no fail_reason on a completed job", func(t *testing.T) {
		b := decode[struct {
			Job map[string]any `json:"job"`
		}](t, get(t, e, jobsPath+"?id="+seedJobID).Body)
		if _, ok := b.Job["fail_reason"]; ok {
			t.Fatalf("fail_reason sent: %v", b.Job)
		}
	})
}

func TestJobErrors(t *testing.T) {
	e := fixtureEmulator(t)
	const other = "ffffffffffffffffffffffffffffffff"
	cases := []struct {
		name, target string
		headers      []string
		status       int
		code, msg    string
	}{
		{"unknown job", jobsPath + "?id=nope", nil, http.StatusBadRequest, dbsJobNotFound, "The job does not exist."},
		{"unknown job in Chinese", jobsPath + "?id=nope", []string{"X-Language", "zh-cn"}, http.StatusBadRequest, dbsJobNotFound, "任务不存在。"},
		{"missing id", jobsPath, nil, http.StatusBadRequest, dbsBadParameter, "Parameter error: the query parameter id is required."},
		{"empty id in Chinese", jobsPath + "?id=", []string{"X-Language", "zh-cn"}, http.StatusBadRequest, dbsBadParameter, "参数错误:缺少查询参数id。"},
		{"job of another project", "/v3/" + other + "/jobs?id=" + seedJobID, nil, http.StatusBadRequest, dbsBadParameter, "Parameter error: invalid project ID."},
		{"X-Project-Id of another project", jobsPath + "?id=" + seedJobID, []string{"X-Project-Id", other}, http.StatusForbidden, dbsProjectMismatch, "The project ID in the URL does not match the project of the credentials."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := wantError(t, get(t, e, tc.target, tc.headers...), tc.status, tc.code)
			if b.Message != tc.msg {
				t.Fatalf("message %q, want %q", b.Message, tc.msg)
			}
		})
	}
}

func TestScriptJob(t *testing.T) {
	e := newTestEmulator(t)
	e.AddJob(DefaultProjectID, Job{
		ID: "j1", Name: "UpgradeGaussDBforMySQLInstance", Status: "Pending", Created: "2024-01-01T10:00:00+0800",
		Instance: JobInstance{"i1in07", "db"}, Entities: json.RawMessage(`{"a":1}`),
	})
	e.ScriptJob("j1", JobStep{"Running", "20%"}, JobStep{"Running", "60%"}, JobStep{"Completed", ""})
	want := []JobStep{{"Running", "20%"}, {"Running", "60%"}, {"Completed", ""}, {"Completed", ""}}
	for i, w := range want {
		rec := get(t, e, jobsPath+"?id=j1")
		wantStatus(t, rec, http.StatusOK)
		b := decode[struct {
			Job jobJSON `json:"job"`
		}](t, rec.Body)
		if b.Job.Status != w.Status || b.Job.Process != w.Process {
			t.Fatalf("read %d: status %q process %q, want %q %q", i+1, b.Job.Status, b.Job.Process, w.Status, w.Process)
		}
		if string(b.Job.Entities) != `{"a":1}` || b.Job.Instance.ID != "i1in07" || b.Job.Created != "2024-01-01T10:00:00+0800" {
			t.Fatalf("read %d: other fields changed: %+v", i+1, b.Job)
		}
	}
	e.ScriptJob("j1")
	b := decode[struct {
		Job jobJSON `json:"job"`
	}](t, get(t, e, jobsPath+"?id=j1").Body)
	if b.Job.Status != "Pending" {
		t.Fatalf("status %q after removing the script, want the job's own", b.Job.Status)
	}
}

func TestAddJobEntities(t *testing.T) {
	cases := []struct {
		name     string
		entities json.RawMessage
		want     string
	}{
		{"nil", nil, `{}`},
		{"object", json.RawMessage(` {"k": [1, 2]} `), `{"k":[1,2]}`},
		{"invalid", json.RawMessage(`{"k":`), `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddJob(DefaultProjectID, Job{ID: "j", Entities: tc.entities})
			b := decode[struct {
				Job jobJSON `json:"job"`
			}](t, get(t, e, jobsPath+"?id=j").Body)
			if string(b.Job.Entities) != tc.want {
				t.Fatalf("entities %s, want %s", b.Job.Entities, tc.want)
			}
		})
	}
}

func TestScriptJobEnded(t *testing.T) {
	type read struct{ status, ended string }
	const (
		t0 = "2026-01-02T03:04:05+0000" // testNow, as the job API writes it
		t1 = "2026-01-02T03:05:05+0000" // a minute later
	)
	cases := []struct {
		name  string
		ended string // the job's own Ended
		steps []JobStep
		want  []read
	}{
		{
			name:  "a job that completes gets ended at that read, and keeps it",
			steps: []JobStep{{"Running", "50%"}, {"Completed", ""}},
			want:  []read{{"Running", ""}, {"Completed", t1}, {"Completed", t1}},
		},
		{
			name:  "a job that fails gets ended too",
			steps: []JobStep{{"Pending", ""}, {"Failed", ""}},
			want:  []read{{"Pending", ""}, {"Failed", t1}, {"Failed", t1}},
		},
		{
			name:  "ended at the first read when the script starts ended",
			steps: []JobStep{{"Completed", ""}},
			want:  []read{{"Completed", t0}, {"Completed", t0}},
		},
		{
			name:  "the job's own ended is kept for the end, and hidden before",
			ended: "2018-08-06T16:41:14+0000",
			steps: []JobStep{{"Running", "10%"}, {"Completed", ""}},
			want:  []read{{"Running", ""}, {"Completed", "2018-08-06T16:41:14+0000"}, {"Completed", "2018-08-06T16:41:14+0000"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			e := New(Config{Now: func() time.Time { return now }})
			e.AddJob(DefaultProjectID, Job{ID: "j1", Status: "Pending", Ended: tc.ended, Created: "2026-01-02T11:00:00+0800"})
			e.ScriptJob("j1", tc.steps...)
			for i, w := range tc.want {
				b := decode[struct {
					Job jobJSON `json:"job"`
				}](t, get(t, e, jobsPath+"?id=j1").Body)
				if b.Job.Status != w.status || b.Job.Ended != w.ended {
					t.Fatalf("read %d: status %q ended %q, want %q %q", i+1, b.Job.Status, b.Job.Ended, w.status, w.ended)
				}
				now = now.Add(time.Minute)
			}
		})
	}
}
