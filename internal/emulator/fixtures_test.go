package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

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
		{"two documents", `{} {}`, "more than one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			// A valid part before the error must not be loaded either.
			doc := strings.Replace(tc.doc, `{"id":"i"`, `{"id":"i","project_id":"`+DefaultProjectID+`"`, 1)
			err := e.LoadFixtures(strings.NewReader(doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			e.mu.Lock()
			n := len(e.dms.instances) + len(e.jobs)
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
