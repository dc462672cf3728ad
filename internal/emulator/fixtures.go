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
	V1Jobs []struct {
		Service   V1JobService `json:"service"`
		ProjectID string       `json:"project_id"`
		v1FixtureStep
		JobID     string          `json:"job_id"`
		JobType   string          `json:"job_type"`
		BeginTime string          `json:"begin_time"`
		EndTime   string          `json:"end_time"`
		Steps     []v1FixtureStep `json:"steps"`
	} `json:"v1_jobs"`
	CCEJobs []struct {
		ProjectID string `json:"project_id"`
		cceFixtureJob
	} `json:"cce_jobs"`
}

// v1FixtureStep is what a v1 job and each step of its script have in the
// fixture format: the fields a read may change.
type v1FixtureStep struct {
	Status     string          `json:"status"`
	Entities   json.RawMessage `json:"entities"`
	ErrorCode  *string         `json:"error_code"`
	FailReason *string         `json:"fail_reason"`
}

// step returns s as a script's step.
func (s v1FixtureStep) step() V1JobStep {
	var code, reason string
	if s.ErrorCode != nil {
		code = *s.ErrorCode
	}
	if s.FailReason != nil {
		reason = *s.FailReason
	}
	return V1JobStep{Status: s.Status, Entities: s.Entities, ErrorCode: code, FailReason: reason}
}

// check checks the status and entities of s.
func (s v1FixtureStep) check(spec v1ServiceSpec) error {
	if !slices.Contains(v1Statuses, s.Status) {
		return fmt.Errorf("status %q is not one of %s", s.Status, strings.Join(v1Statuses, ", "))
	}
	if err := checkV1Entities(spec.svc, s.Entities); err != nil {
		return fmt.Errorf("entities: %w", err)
	}
	return nil
}

// cceFixtureJob is a CCE job in the fixture format: the API's wire
// format, sub-jobs included, and the optional steps of its script.
type cceFixtureJob struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   cceJobMetadata `json:"metadata"`
	Spec       struct {
		Type         string            `json:"type"`
		ClusterUID   string            `json:"clusterUID"`
		ResourceID   string            `json:"resourceID"`
		ResourceName string            `json:"resourceName"`
		ExtendParam  map[string]string `json:"extendParam"`
		SubJobs      []cceFixtureJob   `json:"subJobs"`
	} `json:"spec"`
	Status cceJobStatus   `json:"status"`
	Steps  []cceJobStatus `json:"steps"`
}

// cceJobPhases are the phases of a CCE job, as the API reference lists
// them.
var cceJobPhases = []string{"Initializing", "Running", "Success", "Failed"}

// cceScriptAdd is the script of a CCE job or sub-job of a fixture.
type cceScriptAdd struct {
	id    string
	steps []CCEJobStep
}

// job checks f and returns it as a CCEJob, with the scripts of it and of
// its sub-jobs appended to scripts.
func (f cceFixtureJob) job(where string, scripts *[]cceScriptAdd) (CCEJob, error) {
	switch {
	case f.Kind != "" && f.Kind != "Job":
		return CCEJob{}, fmt.Errorf("%s: kind %q is not Job", where, f.Kind)
	case f.APIVersion != "" && f.APIVersion != "v3":
		return CCEJob{}, fmt.Errorf("%s: apiVersion %q is not v3", where, f.APIVersion)
	case f.Metadata.UID == "":
		return CCEJob{}, errors.New(where + ": metadata.uid is required")
	case !slices.Contains(cceJobPhases, f.Status.Phase):
		return CCEJob{}, fmt.Errorf("%s: status.phase %q is not one of %s", where, f.Status.Phase, strings.Join(cceJobPhases, ", "))
	}
	created, err := parseCCETime(f.Metadata.CreationTimestamp)
	if err != nil {
		return CCEJob{}, fmt.Errorf("%s: metadata.creationTimestamp: %w", where, err)
	}
	updated, err := parseCCETime(f.Metadata.UpdateTimestamp)
	if err != nil {
		return CCEJob{}, fmt.Errorf("%s: metadata.updateTimestamp: %w", where, err)
	}
	job := CCEJob{
		ID: f.Metadata.UID, Type: f.Spec.Type, ClusterID: f.Spec.ClusterUID, ResourceID: f.Spec.ResourceID,
		ResourceName: f.Spec.ResourceName, Phase: f.Status.Phase, Reason: f.Status.Reason,
		Created: created, Updated: updated, ExtendParam: f.Spec.ExtendParam,
	}
	if len(f.Steps) > 0 {
		add := cceScriptAdd{id: job.ID}
		for i, st := range f.Steps {
			if !slices.Contains(cceJobPhases, st.Phase) {
				return CCEJob{}, fmt.Errorf("%s: steps[%d]: phase %q is not one of %s", where, i, st.Phase, strings.Join(cceJobPhases, ", "))
			}
			add.steps = append(add.steps, CCEJobStep(st))
		}
		*scripts = append(*scripts, add)
	}
	for i, sub := range f.Spec.SubJobs {
		sj, err := sub.job(fmt.Sprintf("%s.spec.subJobs[%d]", where, i), scripts)
		if err != nil {
			return CCEJob{}, err
		}
		job.SubJobs = append(job.SubJobs, sj)
	}
	return job, nil
}

// parseCCETime reads a time in Go's time.String form, as the CCE API
// writes it; "" is the zero time.
func parseCCETime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(cceTimeFormat, s)
	if err != nil {
		return t, fmt.Errorf("%q is not a time such as \"2020-02-02 08:12:40.672772389 +0000 UTC\"", s)
	}
	return t, nil
}

// LoadFixtures adds the projects, DMS and DCS instances, tasks, and jobs
// of every service of a fixture document to the emulator's data. Unknown fields are errors, to catch
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
	type v1JobAdd struct {
		svc     V1JobService
		project string
		job     V1Job
		steps   []V1JobStep
	}
	type cceJobAdd struct {
		project string
		job     CCEJob
	}
	var instances, dcsInstances [][2]string
	var tasks []taskAdd
	var dcsTasks []dcsTaskAdd
	var jobs []jobAdd
	var v1Jobs []v1JobAdd
	var cceJobs []cceJobAdd
	var cceScripts []cceScriptAdd

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
			created, updated, err := fixtureTaskTimes(where, t.ID, t.CreatedAt, t.UpdatedAt)
			if err != nil {
				return err
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
			created, updated, err := fixtureTaskTimes(where, t.ID, t.CreatedAt, t.UpdatedAt)
			if err != nil {
				return err
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
	for i, j := range doc.V1Jobs {
		where := fmt.Sprintf("fixtures: v1_jobs[%d]", i)
		spec, ok := v1SpecOf(j.Service)
		if !ok {
			names := make([]string, 0, len(v1Services))
			for _, s := range V1JobServices() {
				names = append(names, string(s))
			}
			return fmt.Errorf("%s: service %q is not one of %s", where, j.Service, strings.Join(names, ", "))
		}
		if j.JobID == "" {
			return errors.New(where + ": job_id is required")
		}
		if err := j.check(spec); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		begin, err := parseFixtureTime(j.BeginTime)
		if err != nil {
			return fmt.Errorf("%s: begin_time: %w", where, err)
		}
		end, err := parseFixtureTime(j.EndTime)
		if err != nil {
			return fmt.Errorf("%s: end_time: %w", where, err)
		}
		own := j.step()
		ja := v1JobAdd{svc: j.Service, project: cmp.Or(j.ProjectID, primary), job: V1Job{
			ID: j.JobID, Type: j.JobType, Status: own.Status, BeginTime: begin, EndTime: end,
			ErrorCode: own.ErrorCode, FailReason: own.FailReason, Entities: own.Entities,
		}}
		for k, st := range j.Steps {
			if err := st.check(spec); err != nil {
				return fmt.Errorf("%s: steps[%d]: %w", where, k, err)
			}
			ja.steps = append(ja.steps, st.step())
		}
		v1Jobs = append(v1Jobs, ja)
	}
	for i, j := range doc.CCEJobs {
		job, err := j.job(fmt.Sprintf("fixtures: cce_jobs[%d]", i), &cceScripts)
		if err != nil {
			return err
		}
		cceJobs = append(cceJobs, cceJobAdd{cmp.Or(j.ProjectID, primary), job})
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
	for _, j := range v1Jobs {
		e.AddV1Job(j.svc, j.project, j.job)
		if len(j.steps) > 0 {
			e.ScriptV1Job(j.svc, j.job.ID, j.steps...)
		}
	}
	for _, j := range cceJobs {
		e.AddCCEJob(j.project, j.job)
	}
	for _, s := range cceScripts {
		e.ScriptCCEJob(s.id, s.steps...)
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

// fixtureTaskTimes checks a fixture task's id and reads its created_at and
// updated_at; where names the task in errors.
func fixtureTaskTimes(where, id, createdAt, updatedAt string) (created, updated time.Time, err error) {
	if id == "" {
		return created, updated, errors.New(where + ": id is required")
	}
	if created, err = parseFixtureTime(createdAt); err != nil {
		return created, updated, fmt.Errorf("%s: created_at: %w", where, err)
	}
	if updated, err = parseFixtureTime(updatedAt); err != nil {
		return created, updated, fmt.Errorf("%s: updated_at: %w", where, err)
	}
	return created, updated, nil
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

// jsonSchema describes a JSON value a fixture may hold, so that a fixture
// shows only what the real API can send: the v1 jobs' entities, which are
// sent as given.
type jsonSchema struct {
	kind jsonKind
	// fields are the keys of an object (kindObject) or of each object of a
	// list (kindObjects), and the schema of each; others are errors.
	fields map[string]jsonSchema
}

// jsonKind is a kind of JSON value of a jsonSchema.
type jsonKind int

const (
	kindString         jsonKind = iota + 1
	kindNullableString          // a string or null
	kindTime                    // "" or an RFC 3339 time
	kindV1Status                // one of v1Statuses
	kindInt32
	kindNumber  // any JSON number, a float64 in the SDKs
	kindStrings // a list of strings
	kindObject
	kindObjects // a list of objects
)

// checkJSON checks that raw, valid JSON, is a value of s, and names the
// first value that is not, by its path.
func checkJSON(raw json.RawMessage, s jsonSchema) error {
	raw = bytes.TrimSpace(raw)
	bad := func(want string) error { return fmt.Errorf("must be %s, got %s", want, raw) }
	switch s.kind {
	case kindString:
		if !isJSONKind(raw, "string") {
			return bad("a string")
		}
	case kindNullableString:
		if string(raw) != "null" && !isJSONKind(raw, "string") {
			return bad("a string or null")
		}
	case kindTime:
		var v string
		if !isJSONKind(raw, "string") || json.Unmarshal(raw, &v) != nil {
			return bad("a time such as \"2016-04-25T20:04:34.604Z\", or \"\"")
		}
		if _, err := parseFixtureTime(v); err != nil {
			return bad("a time such as \"2016-04-25T20:04:34.604Z\", or \"\"")
		}
	case kindV1Status:
		var v string
		if !isJSONKind(raw, "string") || json.Unmarshal(raw, &v) != nil || !slices.Contains(v1Statuses, v) {
			return bad("one of " + strings.Join(v1Statuses, ", "))
		}
	case kindInt32:
		if !isJSONKind(raw, "int32") {
			return bad("an int32 number")
		}
	case kindNumber:
		var f float64
		if string(raw) == "null" || bytes.HasPrefix(raw, []byte(`"`)) || json.Unmarshal(raw, &f) != nil {
			return bad("a number")
		}
	case kindStrings:
		if !isJSONKind(raw, "[]string") {
			return bad("a list of strings")
		}
	case kindObject:
		var fields map[string]json.RawMessage
		if !bytes.HasPrefix(raw, []byte("{")) || json.Unmarshal(raw, &fields) != nil {
			return bad("a JSON object")
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			fs, ok := s.fields[k]
			if !ok {
				return fmt.Errorf("%s is not a key here", strconv.Quote(k))
			}
			if err := checkJSON(fields[k], fs); err != nil {
				sep := ": "
				if strings.HasPrefix(err.Error(), "[") {
					sep = "" // sub_jobs[1]: …
				}
				return fmt.Errorf("%s%s%w", k, sep, err)
			}
		}
	case kindObjects:
		var items []json.RawMessage
		if !bytes.HasPrefix(raw, []byte("[")) || json.Unmarshal(raw, &items) != nil {
			return bad("a list of objects")
		}
		for i, item := range items {
			if err := checkJSON(item, jsonSchema{kind: kindObject, fields: s.fields}); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	}
	return nil
}

// The entities a fixture's v1 job may hold, per service, as the official
// SDK types them (services/{ecs,evs,ims}/v2/model/model_job_entities.go
// and the sub-job models). Key order and absent keys are free; unknown
// keys and values of the wrong type are errors.
var (
	ecsEntities = jsonSchema{kind: kindObject, fields: map[string]jsonSchema{
		"server_id":      {kind: kindString},
		"nic_id":         {kind: kindString},
		"sub_jobs_total": {kind: kindInt32},
		"sub_jobs": v1SubJobs(map[string]jsonSchema{
			"server_id":         {kind: kindString},
			"nic_id":            {kind: kindString},
			"errorcode_message": {kind: kindString},
		}),
	}}
	evsVolumeFields = map[string]jsonSchema{
		"volume_type": {kind: kindString},
		"size":        {kind: kindInt32},
		"volume_id":   {kind: kindString},
		"name":        {kind: kindString},
	}
	evsEntities = jsonSchema{kind: kindObject, fields: map[string]jsonSchema{
		"volume_type": {kind: kindString},
		"size":        {kind: kindInt32},
		"volume_id":   {kind: kindString},
		"name":        {kind: kindString},
		"sub_jobs":    v1SubJobs(evsVolumeFields),
	}}
	// imsEntities has subJobId too: the SDK model lacks it, but the IMS
	// API reference's examples send it.
	imsEntities = jsonSchema{kind: kindObject, fields: map[string]jsonSchema{
		"image_id":            {kind: kindString},
		"image_name":          {kind: kindString},
		"current_task":        {kind: kindString},
		"subJobId":            {kind: kindString},
		"process_percent":     {kind: kindNumber},
		"error_code":          {kind: kindString},
		"error":               {kind: kindString},
		"addition_error_code": {kind: kindString},
		"addition_error_msg":  {kind: kindString},
		"alarm_code":          {kind: kindString},
		"results": {kind: kindObjects, fields: map[string]jsonSchema{
			"image_id":   {kind: kindString},
			"project_id": {kind: kindString},
			"status":     {kind: kindString},
		}},
		"sub_jobs_list": {kind: kindStrings},
		"sub_jobs_result": v1SubJobs(map[string]jsonSchema{
			"image_id":   {kind: kindString},
			"image_name": {kind: kindString},
		}),
	}}
)

// v1SubJobs is a list of sub-jobs whose entities hold fields: ECS's
// sub_jobs, EVS's sub_jobs and IMS's sub_jobs_result have the fields of a
// job, with entities of their own. error_code and fail_reason are null
// for a sub-job that did not fail, as in every documented example.
func v1SubJobs(entities map[string]jsonSchema) jsonSchema {
	return jsonSchema{kind: kindObjects, fields: map[string]jsonSchema{
		"status":      {kind: kindV1Status},
		"job_id":      {kind: kindString},
		"job_type":    {kind: kindString},
		"begin_time":  {kind: kindTime},
		"end_time":    {kind: kindTime},
		"error_code":  {kind: kindNullableString},
		"fail_reason": {kind: kindNullableString},
		"entities":    {kind: kindObject, fields: entities},
	}}
}

// v1Statuses are the statuses of a v1 job, the enum of all three SDKs.
var v1Statuses = []string{"INIT", "RUNNING", "SUCCESS", "FAIL"}

// v1EntitySchemas are the entities schemas of the v1 job services.
var v1EntitySchemas = map[V1JobService]jsonSchema{
	V1JobServiceECS: ecsEntities,
	V1JobServiceEVS: evsEntities,
	V1JobServiceIMS: imsEntities,
}

// checkV1Entities checks a fixture's entities against the service's
// schema, and EVS's rule that a job holds either the volume fields or
// sub_jobs. Absent entities are fine.
func checkV1Entities(svc V1JobService, raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := checkJSON(raw, v1EntitySchemas[svc]); err != nil {
		return err
	}
	if svc != V1JobServiceEVS {
		return nil
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields) // checkJSON found an object.
	if _, ok := fields["sub_jobs"]; !ok {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(evsVolumeFields)) {
		if _, ok := fields[k]; ok {
			return errors.New("EVS sends sub_jobs instead of the volume fields, not with " + strconv.Quote(k))
		}
	}
	return nil
}
