package emulator

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
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
	DCSInstances []struct {
		ProjectID string `json:"project_id"`
		ID        string `json:"id"`
		Tasks     []struct {
			taskJSON
			Details    json.RawMessage `json:"details"`
			EnableShow bool            `json:"enable_show"`
			Statuses   []string        `json:"statuses"`
		} `json:"tasks"`
	} `json:"dcs_instances"`
	Jobs []struct {
		Service      JobService      `json:"service"`
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

// LoadFixtures adds the projects, DMS and DCS instances, tasks and jobs of
// a fixture document to the emulator's data. Unknown fields are errors, to catch
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
	type dcsTaskAdd struct {
		project, instance string
		task              DCSTask
		statuses          []string
	}
	type jobAdd struct {
		svc     JobService
		project string
		job     Job
		steps   []JobStep
	}
	var instances, dcsInstances [][2]string
	var tasks []taskAdd
	var dcsTasks []dcsTaskAdd
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
	for i, in := range doc.DCSInstances {
		if in.ID == "" {
			return fmt.Errorf("fixtures: dcs_instances[%d]: id is required", i)
		}
		project := cmp.Or(in.ProjectID, primary)
		dcsInstances = append(dcsInstances, [2]string{project, in.ID})
		for j, t := range in.Tasks {
			where := fmt.Sprintf("fixtures: dcs_instances[%d].tasks[%d]", i, j)
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
			if err := checkDCSDetails(t.Details); err != nil {
				return fmt.Errorf("%s: details: %w", where, err)
			}
			dcsTasks = append(dcsTasks, dcsTaskAdd{project, in.ID, DCSTask{
				ID: t.ID, Name: t.Name, UserName: t.UserName, UserID: t.UserID, Params: t.Params, Status: t.Status,
				CreatedAt: created, UpdatedAt: updated, Details: t.Details, EnableShow: t.EnableShow,
			}, t.Statuses})
		}
	}
	for i, j := range doc.Jobs {
		if j.ID == "" {
			return fmt.Errorf("fixtures: jobs[%d]: id is required", i)
		}
		svc := cmp.Or(j.Service, JobServiceGaussDB)
		spec, ok := jobSpecOf(svc)
		if !ok {
			names := make([]string, 0, len(jobServices))
			for _, s := range JobServices() {
				names = append(names, string(s))
			}
			return fmt.Errorf("fixtures: jobs[%d]: service %q is not one of %s", i, j.Service, strings.Join(names, ", "))
		}
		// A field the service never sends is an error, so that a fixture
		// cannot promise what no read will show.
		switch entities := bytes.TrimSpace(j.Entities); {
		case len(entities) == 0:
		case spec.shape != shapeGaussDB && spec.shape != shapeRDS:
			return fmt.Errorf("fixtures: jobs[%d]: entities: %s jobs have none", i, spec.product)
		case !bytes.HasPrefix(entities, []byte("{")):
			return fmt.Errorf("fixtures: jobs[%d]: entities must be a JSON object", i)
		}
		if j.FailReasonZH != "" && !spec.language {
			return fmt.Errorf("fixtures: jobs[%d]: fail_reason_zh: %s ignores X-Language", i, spec.product)
		}
		project := j.ProjectID
		if project == "" {
			project = primary
		}
		ja := jobAdd{svc: svc, project: project, job: Job{
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
	for _, in := range dcsInstances {
		e.dcs.instance(in[0], in[1])
	}
	e.mu.Unlock()
	for _, t := range tasks {
		e.AddTasks(t.project, t.instance, t.task)
		if len(t.statuses) > 0 {
			e.ScriptTask(t.instance, t.task.ID, t.statuses...)
		}
	}
	for _, t := range dcsTasks {
		e.AddDCSTasks(t.project, t.instance, t.task)
		if len(t.statuses) > 0 {
			e.ScriptDCSTask(t.instance, t.task.ID, t.statuses...)
		}
	}
	for _, j := range jobs {
		e.AddServiceJob(j.svc, j.project, j.job)
		if len(j.steps) > 0 {
			e.ScriptServiceJob(j.svc, j.job.ID, j.steps...)
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

// dcsDetailKinds are the keys of a DCS task's details and the JSON kind of
// each, as the official SDK types them (model_details_body.go).
var dcsDetailKinds = func() map[string]string {
	kinds := map[string]string{}
	for kind, keys := range map[string][]string{
		"string": {
			"old_capacity", "new_capacity", "public_ip_id", "public_ip_address", "old_cache_mode", "new_cache_mode",
			"old_resource_spec_code", "new_resource_spec_code", "old_cache_type", "new_cache_type", "replica_ip",
			"replica_az", "group_name", "account_name", "source_ip", "target_ip", "node_name",
		},
		"int32":    {"old_replica_num", "new_replica_num", "old_port", "new_port", "updated_config_length"},
		"bool":     {"enable_public_ip", "enable_ssl", "is_only_adjust_charging"},
		"[]string": {"rename_commands"},
	} {
		for _, k := range keys {
			kinds[k] = kind
		}
	}
	return kinds
}()

// kindNames describe the kinds of dcsDetailKinds in messages.
var kindNames = map[string]string{
	"string": "a string", "int32": "an int32 number", "bool": "true or false", "[]string": "a list of strings",
}

// checkDCSDetails checks that a fixture's details are an object of the
// SDK's keys, each of its type, so that a fixture shows what the real API
// can send; absent details are fine. Null is no value of any key: the
// real API leaves out the keys that do not fit the task.
func checkDCSDetails(raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return errors.New("must be a JSON object")
	}
	keys := slices.Sorted(maps.Keys(fields))
	for _, k := range keys {
		v := fields[k]
		kind, ok := dcsDetailKinds[k]
		if !ok {
			return fmt.Errorf("%s is not a key of DCS task details", strconv.Quote(k))
		}
		if !isJSONKind(v, kind) {
			return fmt.Errorf("%s must be %s, got %s", strconv.Quote(k), kindNames[kind], v)
		}
	}
	return nil
}

// isJSONKind reports whether v, valid JSON, is a value of kind: string,
// int32, bool or []string.
func isJSONKind(v json.RawMessage, kind string) bool {
	switch kind {
	case "string":
		var s string
		return bytes.HasPrefix(v, []byte(`"`)) && json.Unmarshal(v, &s) == nil
	case "int32":
		var n int32
		return string(v) != "null" && json.Unmarshal(v, &n) == nil
	case "bool":
		return string(v) == "true" || string(v) == "false"
	case "[]string":
		var items []json.RawMessage
		if !bytes.HasPrefix(v, []byte("[")) || json.Unmarshal(v, &items) != nil {
			return false
		}
		for _, item := range items {
			if !isJSONKind(item, "string") {
				return false
			}
		}
		return true
	}
	return false
}
