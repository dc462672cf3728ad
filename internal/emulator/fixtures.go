package emulator

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"time"
)

//go:embed testdata/fixtures.json
var defaultFixtures []byte

// DefaultFixtures returns the default fixture document, the one in
// testdata/fixtures.json: the examples of the API seeds.
func DefaultFixtures() []byte { return bytes.Clone(defaultFixtures) }

// LoadDefaultFixtures loads DefaultFixtures.
func (e *Emulator) LoadDefaultFixtures() error {
	return e.LoadFixtures(bytes.NewReader(defaultFixtures))
}

// fixtureDoc is the fixture format; the package documentation describes it.
type fixtureDoc struct {
	Projects  map[string]string `json:"projects"`
	Instances []struct {
		ProjectID string `json:"project_id"`
		ID        string `json:"id"`
		Tasks     []struct {
			taskJSON
			Statuses []string `json:"statuses"`
		} `json:"tasks"`
	} `json:"instances"`
	Jobs []struct {
		ProjectID    string          `json:"project_id"`
		ID           string          `json:"id"`
		Name         string          `json:"name"`
		Status       string          `json:"status"`
		Created      string          `json:"created"`
		Ended        string          `json:"ended"`
		Process      string          `json:"process"`
		Instance     idName          `json:"instance"`
		Entities     json.RawMessage `json:"entities"`
		FailReason   string          `json:"fail_reason"`
		FailReasonZH string          `json:"fail_reason_zh"`
		Steps        []struct {
			Status  string `json:"status"`
			Process string `json:"process"`
		} `json:"steps"`
	} `json:"jobs"`
}

// LoadFixtures adds the projects, instances, tasks and jobs of a fixture
// document to the emulator's data. Unknown fields are errors, to catch
// typos. The document is checked in full before anything is added, so a
// bad document changes nothing.
func (e *Emulator) LoadFixtures(r io.Reader) error {
	var doc fixtureDoc
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	if dec.More() {
		return errors.New("fixtures: more than one JSON value")
	}

	type taskAdd struct {
		project, instance string
		task              Task
		statuses          []string
	}
	type jobAdd struct {
		project string
		job     Job
		steps   []JobStep
	}
	var instances [][2]string
	var tasks []taskAdd
	var jobs []jobAdd

	e.mu.Lock()
	projects := maps.Clone(e.projects)
	e.mu.Unlock()
	for region, id := range doc.Projects {
		if region == "" || id == "" {
			return errors.New("fixtures: projects: a region and its project ID must both be non-empty")
		}
		projects[region] = id
	}
	primary := primaryProject(projects)

	for i, in := range doc.Instances {
		if in.ID == "" {
			return fmt.Errorf("fixtures: instances[%d]: id is required", i)
		}
		project := in.ProjectID
		if project == "" {
			project = primary
		}
		instances = append(instances, [2]string{project, in.ID})
		for j, t := range in.Tasks {
			where := fmt.Sprintf("fixtures: instances[%d].tasks[%d]", i, j)
			if t.ID == "" {
				return errors.New(where + ": id is required")
			}
			created, err := parseFixtureTime(t.CreatedAt)
			if err != nil {
				return fmt.Errorf("%s: created_at: %w", where, err)
			}
			updated, err := parseFixtureTime(t.UpdatedAt)
			if err != nil {
				return fmt.Errorf("%s: updated_at: %w", where, err)
			}
			tasks = append(tasks, taskAdd{project, in.ID, Task{
				ID: t.ID, Name: t.Name, UserName: t.UserName, UserID: t.UserID, Params: t.Params, Status: t.Status,
				CreatedAt: created, UpdatedAt: updated,
			}, t.Statuses})
		}
	}
	for i, j := range doc.Jobs {
		if j.ID == "" {
			return fmt.Errorf("fixtures: jobs[%d]: id is required", i)
		}
		if len(bytes.TrimSpace(j.Entities)) > 0 && !bytes.HasPrefix(bytes.TrimSpace(j.Entities), []byte("{")) {
			return fmt.Errorf("fixtures: jobs[%d]: entities must be a JSON object", i)
		}
		project := j.ProjectID
		if project == "" {
			project = primary
		}
		ja := jobAdd{project: project, job: Job{
			ID: j.ID, Name: j.Name, Status: j.Status, Created: j.Created, Ended: j.Ended, Process: j.Process,
			Instance: JobInstance{j.Instance.ID, j.Instance.Name}, Entities: j.Entities,
			FailReason: j.FailReason, FailReasonZH: j.FailReasonZH,
		}}
		for _, s := range j.Steps {
			ja.steps = append(ja.steps, JobStep{s.Status, s.Process})
		}
		jobs = append(jobs, ja)
	}

	e.mu.Lock()
	maps.Copy(e.projects, doc.Projects)
	for _, in := range instances {
		e.dms.instance(in[0], in[1])
	}
	e.mu.Unlock()
	for _, t := range tasks {
		e.AddTasks(t.project, t.instance, t.task)
		if len(t.statuses) > 0 {
			e.ScriptTask(t.instance, t.task.ID, t.statuses...)
		}
	}
	for _, j := range jobs {
		e.AddJob(j.project, j.job)
		if len(j.steps) > 0 {
			e.ScriptJob(j.job.ID, j.steps...)
		}
	}
	return nil
}

// LoadFixturesFile loads the fixture document in the file at path.
func (e *Emulator) LoadFixturesFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := e.LoadFixtures(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// parseFixtureTime reads an RFC 3339 time, with or without fractional
// seconds; "" is the zero time.
func parseFixtureTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
