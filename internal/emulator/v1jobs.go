package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// V1JobService names a service whose job API is GET
// /v1/{project_id}/jobs/{job_id}: ECS, EVS and IMS, the same path and
// body on three hosts in the real cloud. The values are the provider's
// endpoint keys and the emulator's prefixes (ServicePrefix).
type V1JobService string

const (
	// V1JobServiceECS is ECS (Elastic Cloud Server), served under /ecs.
	V1JobServiceECS V1JobService = "ecs"
	// V1JobServiceEVS is EVS (Elastic Volume Service), served under /evs.
	V1JobServiceEVS V1JobService = "evs"
	// V1JobServiceIMS is IMS (Image Management Service), served under
	// /ims.
	V1JobServiceIMS V1JobService = "ims"
)

// V1JobServices returns every V1JobService: ECS, EVS, then IMS.
func V1JobServices() []V1JobService {
	out := make([]V1JobService, len(v1Services))
	for i, s := range v1Services {
		out[i] = s.svc
	}
	return out
}

// Product returns the service's product name, "ECS", "EVS" or "IMS", for
// messages and banners; "" for an unknown service.
func (s V1JobService) Product() string {
	spec, _ := v1SpecOf(s)
	return spec.product
}

// v1ServiceSpec holds what differs between the v1 job services.
type v1ServiceSpec struct {
	svc     V1JobService
	route   Route
	product string
	// notFound is the message of Common.0011, the answer to an unknown job.
	notFound string
}

// v1Services is the table of v1 job services, as API-jobs.md § v1 jobs
// describes them.
//
// An unknown job gets 400 Common.0011, with ECS's documented "Invalid job
// ID" and EVS's "query job fail.". IMS documents no answer for an unknown
// job (it lists IMG.0023 "An exception occurred during job query", for
// failures of the query itself); the three serve one job API, same path
// and same body, so IMS gets Common.0011 too, with EVS's wording, the
// closer to IMG.0023's.
var v1Services = []v1ServiceSpec{
	{V1JobServiceECS, RouteECSJob, "ECS", "Invalid job ID"},
	{V1JobServiceEVS, RouteEVSJob, "EVS", "query job fail."},
	{V1JobServiceIMS, RouteIMSJob, "IMS", "query job fail."},
}

// v1SpecOf returns the row of svc.
func v1SpecOf(svc V1JobService) (v1ServiceSpec, bool) {
	i := slices.IndexFunc(v1Services, func(s v1ServiceSpec) bool { return s.svc == svc })
	if i < 0 {
		return v1ServiceSpec{}, false
	}
	return v1Services[i], true
}

// v1SpecFor returns the v1 job service of route, if route is one.
func v1SpecFor(route Route) (v1ServiceSpec, bool) {
	i := slices.IndexFunc(v1Services, func(s v1ServiceSpec) bool { return s.route == route })
	if i < 0 {
		return v1ServiceSpec{}, false
	}
	return v1Services[i], true
}

// isV1JobRoute reports whether route is the job API of ECS, EVS or IMS.
func isV1JobRoute(route Route) bool {
	_, ok := v1SpecFor(route)
	return ok
}

// mustV1Spec is v1SpecOf for the Go API, which panics on an unknown
// service so that a typo cannot silently add a job nobody can read.
func mustV1Spec(svc V1JobService) v1ServiceSpec {
	spec, ok := v1SpecOf(svc)
	if !ok {
		panic("emulator: no v1 job service " + strconv.Quote(string(svc)))
	}
	return spec
}

// V1Job is a job of ECS, EVS or IMS, as GET /v1/{project_id}/jobs/{job_id}
// shows it. The three services share the body but for entities, which a
// test gives as raw JSON.
type V1Job struct {
	// ID is job_id, Type job_type (such as createServer, batchCreateVolume
	// or imsImportOvaImageJob) and Status status: INIT, RUNNING, SUCCESS
	// or FAIL on the real APIs, but sent as given.
	ID, Type, Status string
	// BeginTime is begin_time, sent in UTC with milliseconds,
	// "2016-04-25T20:04:34.604Z"; the zero time is sent as "".
	BeginTime time.Time
	// EndTime is end_time, in the same form; the zero time is sent as "",
	// as the real APIs send it while a job runs. A scripted job shows ""
	// while a step shows it neither SUCCESS nor FAIL, and then EndTime,
	// or if it is zero the emulator's clock (Config.Now) at the first read
	// that showed the job ended (see ScriptV1Job).
	EndTime time.Time
	// ErrorCode and FailReason are error_code and fail_reason, sent as
	// given; "" is sent as null, as the real APIs send them for a job that
	// did not fail.
	ErrorCode, FailReason string
	// Entities is the entities object, sent as given, so that a test
	// decides what the job holds: server_id, sub_jobs_total and sub_jobs
	// on ECS; the volume fields, or sub_jobs instead, on EVS; image_id,
	// process_percent, sub_jobs_list and sub_jobs_result on IMS
	// (API-jobs.md lists them, with their types). nil, or anything but
	// valid JSON, is sent as {}.
	Entities json.RawMessage
}

// V1JobStep is what one read of a scripted v1 job shows.
type V1JobStep struct {
	// Status is the status the read shows.
	Status string
	// Entities replaces the entities the read shows, such as sub_jobs
	// moving along; nil (or anything but valid JSON) keeps what the read
	// before showed, the job's own Entities at first.
	Entities json.RawMessage
	// ErrorCode and FailReason are the read's error_code and fail_reason,
	// as in V1Job: "" is sent as null.
	ErrorCode, FailReason string
}

// AddV1Job adds a job of svc to projectID, replacing one with the same ID
// there. Jobs of different services are apart, as on different hosts: a
// job of ECS is not found on EVS. It panics on an unknown service.
func (e *Emulator) AddV1Job(svc V1JobService, projectID string, job V1Job) {
	mustV1Spec(svc)
	job.Entities = optionalEntities(job.Entities)
	e.mu.Lock()
	defer e.mu.Unlock()
	byProject := e.v1Jobs[svc]
	if byProject == nil {
		byProject = map[string]map[string]V1Job{}
		e.v1Jobs[svc] = byProject
	}
	jobs := byProject[projectID]
	if jobs == nil {
		jobs = map[string]V1Job{}
		byProject[projectID] = jobs
	}
	jobs[job.ID] = job
}

// ScriptV1Job makes each read of a job of svc show the next of steps; the
// last one sticks. It applies to the job of that ID in any project and
// replaces an earlier script; with no steps it removes it, and reads show
// the job as added again.
//
// end_time follows the script, as on the real APIs: "" while a step shows
// a status other than SUCCESS or FAIL, and once a step shows one of those,
// the job's own EndTime, or if it is zero the emulator's clock
// (Config.Now) at the first read that showed the job ended. Later reads
// show that same time.
//
// It panics on an unknown service.
func (e *Emulator) ScriptV1Job(svc V1JobService, jobID string, steps ...V1JobStep) {
	mustV1Spec(svc)
	e.mu.Lock()
	defer e.mu.Unlock()
	k := v1JobKey{svc, jobID}
	if len(steps) == 0 {
		delete(e.v1Scripts, k)
		return
	}
	s := &v1JobScript{script: script[V1JobStep]{steps: make([]V1JobStep, len(steps))}}
	for i, st := range steps {
		st.Entities = optionalEntities(st.Entities)
		s.steps[i] = st
	}
	e.v1Scripts[k] = s
}

// v1JobKey locates a v1 job's script: its service and ID.
type v1JobKey struct {
	svc V1JobService
	id  string
}

// v1JobScript is a v1 job's script, what its last read showed of
// entities, and the time it first showed the job ended.
type v1JobScript struct {
	script[V1JobStep]
	entities json.RawMessage // nil until a step gave some
	ended    time.Time       // zero until a read showed a terminal status
}

// v1JobEnded reports whether a v1 job in status has ended: the two final
// statuses, as the official provider waits on anything else.
func v1JobEnded(status string) bool { return status == "SUCCESS" || status == "FAIL" }

// readV1JobLocked returns a job as one read shows it, advancing its
// script. e.mu must be held.
func (e *Emulator) readV1JobLocked(svc V1JobService, job V1Job) V1Job {
	s := e.v1Scripts[v1JobKey{svc, job.ID}]
	if s == nil {
		return job
	}
	step := s.advance()
	job.Status, job.ErrorCode, job.FailReason = step.Status, step.ErrorCode, step.FailReason
	if step.Entities != nil {
		s.entities = step.Entities
	}
	if s.entities != nil {
		job.Entities = s.entities
	}
	if !v1JobEnded(step.Status) {
		job.EndTime = time.Time{}
		return job
	}
	if s.ended.IsZero() {
		s.ended = job.EndTime
		if s.ended.IsZero() {
			s.ended = e.cfg.Now()
		}
	}
	job.EndTime = s.ended
	return job
}

// v1JobJSON is a v1 job, its keys in the order of the ECS and EVS API
// references' examples (IMS's put status after end_time; the order means
// nothing to JSON).
type v1JobJSON struct {
	Status     string          `json:"status"`
	Entities   json.RawMessage `json:"entities"`
	JobID      string          `json:"job_id"`
	JobType    string          `json:"job_type"`
	BeginTime  string          `json:"begin_time"`
	EndTime    string          `json:"end_time"`
	ErrorCode  *string         `json:"error_code"`
	FailReason *string         `json:"fail_reason"`
}

// nullable returns nil for "", to send it as null, and &s otherwise.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// renderV1Job returns the body of a v1 job. Entities go out as {} when the
// job has none: every documented example has entities.
func renderV1Job(job V1Job) v1JobJSON {
	entities := job.Entities
	if entities == nil {
		entities = json.RawMessage(`{}`)
	}
	return v1JobJSON{
		Status: job.Status, Entities: entities, JobID: job.ID, JobType: job.Type,
		BeginTime: formatDMSTime(job.BeginTime), EndTime: formatDMSTime(job.EndTime),
		ErrorCode: nullable(job.ErrorCode), FailReason: nullable(job.FailReason),
	}
}

// v1ErrorBody is the error shape of the v1 job APIs,
// {"error":{"code":…,"message":…}}: the one the ECS API reference
// documents for its API errors, and the one the EVS job API reference
// shows next to its examples. Whether the job APIs answer every error in
// it is unconfirmed.
type v1ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeV1Error(w http.ResponseWriter, status int, code, msg string) {
	var b v1ErrorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

// Error codes of the v1 job APIs. Common.0011 (an unknown or invalid job
// ID, HTTP 400) and Common.0001 (HTTP 500) are the documented ones.
// Common.0013 is what ECS answers, as users report it, when the
// credentials' project or region does not match the request's; its HTTP
// status is unconfirmed, and the emulator sends 403, as for the other
// services' credentials that do not reach the path's project. The 500's
// message is the emulator's pick.
const (
	v1JobNotFound        = "Common.0011"
	v1ProjectMismatch    = "Common.0013"
	v1ServerError        = "Common.0001"
	v1ServerErrorMessage = "Internal error."
)

// handleV1Job answers GET /v1/{project_id}/jobs/{job_id} of ECS, EVS and
// IMS, under their prefixes.
//
// A path project that is not the account's gets the unknown job's answer,
// 400 Common.0011: EVS documents "query job fail." for a wrong project ID
// too, as the job is looked up by project and ID and not found.
func (e *Emulator) handleV1Job(w http.ResponseWriter, c *call) {
	spec, _ := v1SpecFor(c.m.route)
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		msg := "The project ID in the URL does not match the project of the credentials."
		if c.who.domainScoped {
			msg = domainScopedMessage
		}
		writeV1Error(w, http.StatusForbidden, v1ProjectMismatch, msg)
		return
	case http.StatusBadRequest:
		writeV1Error(w, http.StatusBadRequest, v1JobNotFound, spec.notFound)
		return
	}
	e.mu.Lock()
	job, ok := e.v1Jobs[spec.svc][c.m.project][c.m.job]
	if ok {
		job = e.readV1JobLocked(spec.svc, job)
	}
	e.mu.Unlock()
	if !ok {
		writeV1Error(w, http.StatusBadRequest, v1JobNotFound, spec.notFound)
		return
	}
	if c.entitiesDepth <= 0 {
		writeJSON(w, http.StatusOK, renderV1Job(job))
		return
	}
	// As on the database jobs, deep entities are spliced in after encoding;
	// entities come second, after status, so the first match is theirs.
	job.Entities = json.RawMessage(`{}`)
	b, err := json.Marshal(renderV1Job(job))
	if err != nil {
		writeJSON(w, http.StatusOK, renderV1Job(job)) // Not reached: the body has no raw JSON but {}.
		return
	}
	b = bytes.Replace(b, []byte(`"entities":{}`), append([]byte(`"entities":`), nestedObjects(c.entitiesDepth)...), 1)
	writeRawJSON(w, http.StatusOK, b)
}
