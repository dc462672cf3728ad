package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JobService names a database service whose task center answers GET
// /v3/{project_id}/jobs?id=: the same path and query on five services, on
// five hosts in the real cloud. The values are the provider's endpoint
// keys, and, for the services served under a prefix, the prefix
// (ServicePrefix).
type JobService string

const (
	// JobServiceGaussDB is GaussDB(for MySQL), served at the root of the
	// base URL; AddJob and ScriptJob act on it.
	JobServiceGaussDB JobService = "gaussdb"
	// JobServiceRDS is RDS, served under /rds.
	JobServiceRDS JobService = "rds"
	// JobServiceOpenGauss is GaussDB(for openGauss), served under
	// /opengauss.
	JobServiceOpenGauss JobService = "opengauss"
	// JobServiceDDS is DDS (Document Database Service), served under /dds.
	JobServiceDDS JobService = "dds"
	// JobServiceGeminiDB is GeminiDB (GaussDB NoSQL), served under
	// /geminidb. Its API lists jobs rather than showing one.
	JobServiceGeminiDB JobService = "geminidb"
)

// JobServices returns every JobService, GaussDB(for MySQL) first.
func JobServices() []JobService {
	out := make([]JobService, len(jobServices))
	for i, s := range jobServices {
		out[i] = s.svc
	}
	return out
}

// Product returns the service's product name, such as "GaussDB(for
// openGauss)", for messages and banners; "" for an unknown service.
func (s JobService) Product() string {
	spec, _ := jobSpecOf(s)
	return spec.product
}

// jobShape is the body a job service answers with.
type jobShape int

const (
	// shapeGaussDB is {"job":{…}} with process and free-form entities,
	// sent as {} when there are none.
	shapeGaussDB jobShape = iota
	// shapeRDS is {"job":{…}} with process and typed entities, left out
	// when there are none.
	shapeRDS
	// shapeOpenGauss is {"job":{…}} with progress, no entities, and a
	// fail_reason that is null unless the job failed.
	shapeOpenGauss
	// shapeGeminiDB is {"jobs":[{…}],"total_count":N}, with start_time,
	// end_time and progress, and a fail_reason of "" unless the job failed.
	shapeGeminiDB
)

// jobServiceSpec holds what differs between the job services.
type jobServiceSpec struct {
	svc     JobService
	route   Route
	product string
	shape   jobShape
	// language says the service honours X-Language: zh-cn, for fail_reason
	// and its error messages.
	language bool
	// earlyEnded says ended is never empty: DDS sends it while a job runs.
	earlyEnded bool
	// serverError and serverErrorMessage are the body of a 500.
	serverError, serverErrorMessage string
}

// jobServices is the table of job services, as API-jobs.md § DB jobs by ID
// describes them. The 500 codes are the documented ones; their messages,
// but RDS's and openGauss's "Server failure.", are unconfirmed.
var jobServices = []jobServiceSpec{
	{JobServiceGaussDB, RouteJob, "GaussDB(for MySQL)", shapeGaussDB, true, false, "DBS.108000", "Server error."},
	{JobServiceRDS, RouteRDSJob, "RDS", shapeRDS, true, false, "DBS.108000", "Server failure."},
	{JobServiceOpenGauss, RouteOpenGaussJob, "GaussDB(for openGauss)", shapeOpenGauss, false, false, "DBS.108000", "Server failure."},
	{JobServiceDDS, RouteDDSJob, "DDS", shapeOpenGauss, false, true, "DBS.280005", "Server failure."},
	{JobServiceGeminiDB, RouteGeminiDBJob, "GeminiDB", shapeGeminiDB, false, false, "DBS.200998", "Server failure."},
}

// jobSpecOf returns the row of svc.
func jobSpecOf(svc JobService) (jobServiceSpec, bool) {
	i := slices.IndexFunc(jobServices, func(s jobServiceSpec) bool { return s.svc == svc })
	if i < 0 {
		return jobServiceSpec{}, false
	}
	return jobServices[i], true
}

// jobSpecFor returns the job service of route, if route is a job route.
func jobSpecFor(route Route) (jobServiceSpec, bool) {
	i := slices.IndexFunc(jobServices, func(s jobServiceSpec) bool { return s.route == route })
	if i < 0 {
		return jobServiceSpec{}, false
	}
	return jobServices[i], true
}

// isJobRoute reports whether route is one of a job service.
func isJobRoute(route Route) bool {
	_, ok := jobSpecFor(route)
	return ok
}

// mustJobSpec is jobSpecOf for the Go API, which panics on an unknown
// service so that a typo cannot silently add a job nobody can read.
func mustJobSpec(svc JobService) jobServiceSpec {
	spec, ok := jobSpecOf(svc)
	if !ok {
		panic("emulator: no job service " + strconv.Quote(string(svc)))
	}
	return spec
}

// JobInstance is the instance a job works on.
type JobInstance struct{ ID, Name string }

// Job is a job of a database service's task center. One type serves the
// five services; each sends the fields its API has, under its own names.
type Job struct {
	// Created and Ended go on the wire exactly as given, for the API's own
	// format, "2018-08-06T10:41:14+0800", with no colon in the offset.
	// GeminiDB sends them as start_time and end_time.
	ID, Name, Status, Created, Ended string
	// Process is the progress, such as "60%": process on GaussDB(for
	// MySQL) and RDS, progress on the others.
	Process  string
	Instance JobInstance
	// Entities is a JSON object. GaussDB(for MySQL) sends nil as {}; RDS
	// leaves the key out when it is nil; the other services have no
	// entities and ignore it.
	Entities json.RawMessage
	// FailReason is sent as fail_reason, in English, when a read shows the
	// job Failed; otherwise GaussDB(for MySQL) and RDS leave fail_reason
	// out, openGauss and DDS send null and GeminiDB "".
	FailReason string
	// FailReasonZH is sent instead when the request has X-Language: zh-cn
	// and the service honours it (GaussDB(for MySQL) and RDS), unless it
	// is empty.
	FailReasonZH string
}

// JobStep is what one read of a scripted job shows.
type JobStep struct{ Status, Process string }

// AddJob adds a GaussDB(for MySQL) job to projectID, as
// AddServiceJob(JobServiceGaussDB, projectID, job) does.
func (e *Emulator) AddJob(projectID string, job Job) {
	e.AddServiceJob(JobServiceGaussDB, projectID, job)
}

// AddServiceJob adds a job of svc to projectID, replacing one with the same
// ID there. Jobs of different services are apart: a job of RDS is not
// found on DDS. Entities that are not valid JSON count as none, so that a
// typo in a test shows as missing entities rather than as a 500. It
// panics on an unknown service.
func (e *Emulator) AddServiceJob(svc JobService, projectID string, job Job) {
	spec := mustJobSpec(svc)
	switch spec.shape {
	case shapeGaussDB:
		job.Entities = cleanEntities(job.Entities)
	case shapeRDS:
		job.Entities = optionalEntities(job.Entities)
	default:
		job.Entities = nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	byProject := e.jobs[svc]
	if byProject == nil {
		byProject = map[string]map[string]Job{}
		e.jobs[svc] = byProject
	}
	p := byProject[projectID]
	if p == nil {
		p = map[string]Job{}
		byProject[projectID] = p
	}
	p[job.ID] = job
}

// cleanEntities returns raw, or {} when it is empty or not valid JSON.
func cleanEntities(raw json.RawMessage) json.RawMessage {
	if raw = optionalEntities(raw); raw == nil {
		return json.RawMessage(`{}`)
	}
	return raw
}

// optionalEntities returns a copy of raw, so that the caller may reuse its
// buffer, or nil when it is empty or not valid JSON.
func optionalEntities(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !json.Valid(raw) {
		return nil
	}
	return append(json.RawMessage(nil), raw...)
}

// ScriptJob scripts a GaussDB(for MySQL) job, as
// ScriptServiceJob(JobServiceGaussDB, jobID, steps...) does.
func (e *Emulator) ScriptJob(jobID string, steps ...JobStep) {
	e.ScriptServiceJob(JobServiceGaussDB, jobID, steps...)
}

// ScriptServiceJob makes each read of a job of svc show the next of steps,
// its status and progress; the last one sticks. On GeminiDB, a list read
// advances the jobs it shows. It applies to the job of that ID in any
// project and replaces an earlier script; with no steps it removes it. A
// step's Process is sent as given, so a script decides whether a finished
// job still shows progress (the real APIs send "").
//
// ended follows the script, as on the real APIs: "" while a step shows a
// status other than Completed or Failed (but on DDS, see below), and once
// a step shows one of those, the job's own Ended if it has one, or else
// the emulator's clock (Config.Now) at the first read that showed the job
// ended, in the API's format, "2026-01-02T03:04:05+0000". Later reads
// show that same time. DDS never sends an empty ended: where the others
// send "", it sends the clock's time at that read, as the real DDS sends
// ended while a job still runs.
//
// It panics on an unknown service.
func (e *Emulator) ScriptServiceJob(svc JobService, jobID string, steps ...JobStep) {
	mustJobSpec(svc)
	e.mu.Lock()
	defer e.mu.Unlock()
	k := jobKey{svc, jobID}
	if len(steps) == 0 {
		delete(e.jobScripts, k)
		return
	}
	e.jobScripts[k] = &jobScript{script: script[JobStep]{steps: append([]JobStep(nil), steps...)}}
}

// jobKey locates a job's script: its service and ID.
type jobKey struct {
	svc JobService
	id  string
}

// jobScript is a job's script and the time it first showed the job ended.
type jobScript struct {
	script[JobStep]
	ended string // "" until a read showed a terminal status
}

// jobTimeFormat is the layout of the job APIs' times.
const jobTimeFormat = "2006-01-02T15:04:05-0700"

// jobEnded reports whether a job in status has ended: the task centers'
// two terminal statuses.
func jobEnded(status string) bool { return status == "Completed" || status == "Failed" }

// advanceJobLocked applies the script's next step to job, ended included.
// e.mu must be held.
func (e *Emulator) advanceJobLocked(s *jobScript, job *Job) {
	step := s.advance()
	job.Status, job.Process = step.Status, step.Process
	if !jobEnded(step.Status) {
		job.Ended = ""
		return
	}
	if s.ended == "" {
		s.ended = job.Ended
		if s.ended == "" {
			s.ended = e.cfg.Now().UTC().Format(jobTimeFormat)
		}
	}
	job.Ended = s.ended
}

// readJobLocked returns a job as one read shows it, advancing its script,
// with DDS's early ended filled in. e.mu must be held.
func (e *Emulator) readJobLocked(spec jobServiceSpec, job Job) Job {
	if s := e.jobScripts[jobKey{spec.svc, job.ID}]; s != nil {
		e.advanceJobLocked(s, &job)
	}
	if spec.earlyEnded && job.Ended == "" {
		// The real DDS fills ended before the job ends; which time it
		// sends then is unconfirmed, and the time of the read is the
		// likeliest.
		job.Ended = e.cfg.Now().UTC().Format(jobTimeFormat)
	}
	return job
}

// jobJSON is a GaussDB(for MySQL) job. It keeps every field that seed 004
// shows, ended and process included even when empty; fail_reason, absent
// from the seed's completed job, is sent only when there is one.
type jobJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Created    string          `json:"created"`
	Ended      string          `json:"ended"`
	Process    string          `json:"process"`
	Instance   idName          `json:"instance"`
	Entities   json.RawMessage `json:"entities"`
	FailReason string          `json:"fail_reason,omitempty"`
}

// rdsJobJSON is an RDS job: GaussDB(for MySQL)'s fields, but entities
// only when the job has some, as the SDK makes it optional and the API
// reference says which keys appear depends on the job.
type rdsJobJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Created    string          `json:"created"`
	Ended      string          `json:"ended"`
	Process    string          `json:"process"`
	Instance   idName          `json:"instance"`
	Entities   json.RawMessage `json:"entities,omitempty"`
	FailReason string          `json:"fail_reason,omitempty"`
}

// openGaussJobJSON is an openGauss or DDS job. fail_reason is null unless
// the job failed, as in the documented examples.
type openGaussJobJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Created    string  `json:"created"`
	Ended      string  `json:"ended"`
	Progress   string  `json:"progress"`
	Instance   idName  `json:"instance"`
	FailReason *string `json:"fail_reason"`
}

// geminiDBJobJSON is a job in GeminiDB's list; fail_reason is "" unless the
// job failed.
type geminiDBJobJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	StartTime  string `json:"start_time"`
	EndTime    string `json:"end_time"`
	Progress   string `json:"progress"`
	Instance   idName `json:"instance"`
	FailReason string `json:"fail_reason"`
}

// geminiDBJobListJSON is GeminiDB's answer.
type geminiDBJobListJSON struct {
	Jobs       []geminiDBJobJSON `json:"jobs"`
	TotalCount int               `json:"total_count"`
}

// failReason is what a read of job sends as its fail reason: none unless
// the read shows the job Failed, for a job that has not failed has no
// reason, whatever a test gave it for later.
func (spec jobServiceSpec) failReason(r *http.Request, job Job) string {
	if job.Status != "Failed" {
		return ""
	}
	if spec.language && chinese(r) && job.FailReasonZH != "" {
		return job.FailReasonZH
	}
	return job.FailReason
}

// render returns the body of a job of a {"job":{…}} service.
func (spec jobServiceSpec) render(r *http.Request, job Job) any {
	inst := idName{job.Instance.ID, job.Instance.Name}
	reason := spec.failReason(r, job)
	switch spec.shape {
	case shapeRDS:
		return map[string]rdsJobJSON{"job": {
			ID: job.ID, Name: job.Name, Status: job.Status, Created: job.Created, Ended: job.Ended, Process: job.Process,
			Instance: inst, Entities: job.Entities, FailReason: reason,
		}}
	case shapeOpenGauss:
		j := openGaussJobJSON{
			ID: job.ID, Name: job.Name, Status: job.Status, Created: job.Created, Ended: job.Ended, Progress: job.Process,
			Instance: inst,
		}
		if job.Status == "Failed" {
			j.FailReason = &reason
		}
		return map[string]openGaussJobJSON{"job": j}
	}
	return map[string]jobJSON{"job": {
		ID: job.ID, Name: job.Name, Status: job.Status, Created: job.Created, Ended: job.Ended, Process: job.Process,
		Instance: inst, Entities: cleanEntities(job.Entities), FailReason: reason,
	}}
}

// renderGeminiDB returns a job as GeminiDB's list shows it.
func (spec jobServiceSpec) renderGeminiDB(r *http.Request, job Job) geminiDBJobJSON {
	return geminiDBJobJSON{
		ID: job.ID, Name: job.Name, Status: job.Status, StartTime: job.Created, EndTime: job.Ended, Progress: job.Process,
		Instance: idName{job.Instance.ID, job.Instance.Name}, FailReason: spec.failReason(r, job),
	}
}

// Error codes of the job APIs. DBS.200001 (parameter error) and
// DBS.200010 (the tenant does not match) are real codes of the DBS family,
// which all five services share. DBS.200543 "The job does not exist." is
// what the API references of GaussDB(for MySQL), RDS and openGauss list,
// with HTTP 400, for an unknown job.
//
// RDS also lists 404 RDS.5041 with the same text; the emulator sends
// DBS.200543, the DBS family's code that the RDS v3 API's other errors
// share. DDS documents no code for an unknown job; it gets DBS.200543
// too, as the family's. GeminiDB answers an unknown ID with an empty list.
const (
	dbsBadParameter    = "DBS.200001"
	dbsProjectMismatch = "DBS.200010"
	dbsJobNotFound     = "DBS.200543"
)

// chinese reports whether the request asks for Chinese messages. Anything
// but zh-cn, whatever its case, gets English, the documented default.
func chinese(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Language")), "zh-cn")
}

// writeError answers an error of a job service, in Chinese when the
// request asks for it and the service honours X-Language.
func (spec jobServiceSpec) writeError(w http.ResponseWriter, r *http.Request, status int, code, en, zh string) {
	msg := en
	if spec.language && chinese(r) {
		msg = zh
	}
	writeJSON(w, status, errorBody{code, msg})
}

// handleJob answers GET /v3/{project_id}/jobs?id= of any job service.
func (e *Emulator) handleJob(w http.ResponseWriter, c *call) {
	spec, _ := jobSpecFor(c.m.route)
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		if c.who.domainScoped {
			spec.writeError(w, c.r, http.StatusForbidden, dbsProjectMismatch, domainScopedMessage,
				"该令牌为全局级(domain)令牌;此接口需要URL中项目的项目级令牌。")
			return
		}
		spec.writeError(w, c.r, http.StatusForbidden, dbsProjectMismatch,
			"The project ID in the URL does not match the project of the credentials.",
			"URL中的项目ID与认证信息所属的项目不匹配。")
		return
	case http.StatusBadRequest:
		spec.writeError(w, c.r, http.StatusBadRequest, dbsBadParameter,
			"Parameter error: invalid project ID.",
			"参数错误:项目ID无效。")
		return
	}
	if spec.shape == shapeGeminiDB {
		e.listGeminiDBJobs(w, c, spec)
		return
	}
	id := c.r.URL.Query().Get("id")
	if id == "" {
		spec.writeError(w, c.r, http.StatusBadRequest, dbsBadParameter,
			"Parameter error: the query parameter id is required.",
			"参数错误:缺少查询参数id。")
		return
	}
	e.mu.Lock()
	job, ok := e.jobs[spec.svc][c.m.project][id]
	if ok {
		job = e.readJobLocked(spec, job)
	}
	e.mu.Unlock()
	if !ok {
		spec.writeError(w, c.r, http.StatusBadRequest, dbsJobNotFound,
			"The job does not exist.",
			"任务不存在。")
		return
	}
	out := spec.render(c.r, job)
	if c.entitiesDepth <= 0 || (spec.shape != shapeGaussDB && spec.shape != shapeRDS) {
		writeJSON(w, http.StatusOK, out)
		return
	}
	// Deep entities are spliced in after encoding: encoding/json refuses
	// to encode a value nested more than 10,000 levels. The job goes out
	// with entities even if it has none, as the fault is about them.
	job.Entities = json.RawMessage(`{}`)
	b, err := json.Marshal(spec.render(c.r, job))
	if err != nil {
		writeJSON(w, http.StatusOK, out) // Not reached: the job encoded above.
		return
	}
	b = bytes.Replace(b, []byte(`"entities":{}`), append([]byte(`"entities":`), nestedObjects(c.entitiesDepth)...), 1)
	writeRawJSON(w, http.StatusOK, b)
}

// geminiDBQuery is the validated query of GeminiDB's job list.
type geminiDBQuery struct {
	id, status, name string
	// begin and end bound the jobs' start_time when hasBegin and hasEnd
	// say they were given.
	begin, end       time.Time
	hasBegin, hasEnd bool
	offset, limit    int
}

// geminiDBQueryTimeFormat is the layout of GeminiDB's start_time and
// end_time query parameters, "yyyy-mm-ddThh:mm:ssZ", where Z is an offset
// such as +0800, or the letter Z for UTC.
const geminiDBQueryTimeFormat = "2006-01-02T15:04:05Z0700"

// parseGeminiDBQuery validates the list's query loosely, and returns a
// message naming the first bad parameter. An empty value counts as absent.
//
// limit is 10, 20 or 50, the documented values, default 50; offset is 0
// or more. The documented default window, the last 30 days, is not
// applied, so that fixture jobs of any date stay readable by ID (whether
// the real API applies it next to id is unconfirmed); nor is the 30-day
// bound on the span.
func parseGeminiDBQuery(q url.Values) (geminiDBQuery, string) {
	gq := geminiDBQuery{id: q.Get("id"), status: q.Get("status"), name: q.Get("name"), limit: 50}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return gq, "Parameter error: offset must be an integer of 0 or more, got " + strconv.Quote(v) + "."
		}
		// No project holds 2^40 jobs; the bound keeps offset+limit from
		// overflowing.
		gq.offset = min(n, 1<<40)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n != 10 && n != 20 && n != 50 {
			return gq, "Parameter error: limit must be 10, 20 or 50, got " + strconv.Quote(v) + "."
		}
		gq.limit = n
	}
	for _, p := range []struct {
		name string
		t    *time.Time
		set  *bool
	}{{"start_time", &gq.begin, &gq.hasBegin}, {"end_time", &gq.end, &gq.hasEnd}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(geminiDBQueryTimeFormat, v)
		if err != nil {
			return gq, "Parameter error: " + p.name + " must be a time such as 2026-03-01T10:00:00+0800, got " + strconv.Quote(v) + "."
		}
		*p.t, *p.set = t, true
	}
	return gq, ""
}

// listGeminiDBJobs answers GeminiDB's job list: the project's jobs that
// match every filter given, newest start_time first (then ID, descending),
// from offset, at most limit of them. total_count counts every match. An
// unknown ID is no error: the list is empty.
//
// The status filter looks at the status a read would show; only the jobs
// on the page are read, and so advance their scripts. A job whose
// start_time cannot be parsed is outside every time window.
func (e *Emulator) listGeminiDBJobs(w http.ResponseWriter, c *call, spec jobServiceSpec) {
	gq, msg := parseGeminiDBQuery(c.r.URL.Query())
	if msg != "" {
		spec.writeError(w, c.r, http.StatusBadRequest, dbsBadParameter, msg, msg)
		return
	}
	e.mu.Lock()
	var matched []Job
	for _, job := range e.jobs[spec.svc][c.m.project] {
		status := job.Status
		if s := e.jobScripts[jobKey{spec.svc, job.ID}]; s != nil {
			status = s.peek().Status
		}
		started, err := time.Parse(jobTimeFormat, job.Created)
		switch {
		case gq.id != "" && job.ID != gq.id,
			gq.name != "" && job.Name != gq.name,
			gq.status != "" && status != gq.status,
			(gq.hasBegin || gq.hasEnd) && err != nil,
			gq.hasBegin && started.Before(gq.begin),
			gq.hasEnd && started.After(gq.end):
			continue
		}
		matched = append(matched, job)
	}
	slices.SortFunc(matched, func(a, b Job) int {
		ta, _ := time.Parse(jobTimeFormat, a.Created)
		tb, _ := time.Parse(jobTimeFormat, b.Created)
		return cmp.Or(tb.Compare(ta), strings.Compare(b.ID, a.ID))
	})
	out := geminiDBJobListJSON{Jobs: []geminiDBJobJSON{}, TotalCount: len(matched)}
	for i := gq.offset; i < len(matched) && i < gq.offset+gq.limit; i++ {
		out.Jobs = append(out.Jobs, spec.renderGeminiDB(c.r, e.readJobLocked(spec, matched[i])))
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// nestedObjects returns {"a":{"a":…{}…}}, depth objects deep.
func nestedObjects(depth int) []byte {
	b := make([]byte, 0, 6*depth)
	for range depth - 1 {
		b = append(b, `{"a":`...)
	}
	b = append(b, "{}"...)
	for range depth - 1 {
		b = append(b, '}')
	}
	return b
}
