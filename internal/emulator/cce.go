package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// CCEErrorSpelling is how CCE spells the keys of its error bodies. The API
// reference documents {"errorCode":…,"errorMessage":…}; the official SDK's
// CCE error handler reads error_code and error_msg first and the
// documented keys second, so either can come back.
type CCEErrorSpelling string

const (
	// CCEErrorsCamelCase is the documented spelling, the default:
	// {"errorCode":"CCE.01404001","errorMessage":"Resource not found."}.
	CCEErrorsCamelCase CCEErrorSpelling = "camelCase"
	// CCEErrorsSnakeCase is the other spelling the SDK reads:
	// {"error_code":"CCE.01404001","error_msg":"Resource not found."}.
	CCEErrorsSnakeCase CCEErrorSpelling = "snake_case"
)

// CCEErrorSpellings returns every CCEErrorSpelling, the default first.
func CCEErrorSpellings() []CCEErrorSpelling {
	return []CCEErrorSpelling{CCEErrorsCamelCase, CCEErrorsSnakeCase}
}

// CCEJob is a job of CCE (Cloud Container Engine), as GET
// /api/v3/projects/{project_id}/jobs/{job_id} shows it. Its sub-jobs are
// jobs of the same shape.
type CCEJob struct {
	// ID is metadata.uid, Type spec.type (such as CreateCluster or
	// CreateNodePool), ClusterID spec.clusterUID, and ResourceID and
	// ResourceName spec.resourceID and spec.resourceName. Phase is
	// status.phase (Initializing, Running, Success or Failed on the real
	// API, but sent as given) and Reason status.reason.
	ID, Type, ClusterID, ResourceID, ResourceName, Phase, Reason string
	// Created and Updated are metadata.creationTimestamp and
	// updateTimestamp, sent in UTC in Go's time.String form, "2020-02-02
	// 08:12:40.672772389 +0000 UTC", as the real API sends them; the zero
	// time is sent as "".
	Created, Updated time.Time
	// ExtendParam is spec.extendParam, such as {"serverID": …}.
	ExtendParam map[string]string
	// SubJobs are spec.subJobs. A sub-job can be scripted by its ID, as a
	// job can (see ScriptCCEJob), but is read only through its job.
	SubJobs []CCEJob
}

// CCEJobStep is what one read of a scripted CCE job shows: its phase and
// its reason, sent as given.
type CCEJobStep struct{ Phase, Reason string }

// AddCCEJob adds a CCE job to projectID, replacing one with the same ID
// there. The job is copied, sub-jobs and extendParam included, so that
// the caller may reuse its values.
func (e *Emulator) AddCCEJob(projectID string, job CCEJob) {
	job = cloneCCEJob(job)
	e.mu.Lock()
	defer e.mu.Unlock()
	jobs := e.cceJobs[projectID]
	if jobs == nil {
		jobs = map[string]CCEJob{}
		e.cceJobs[projectID] = jobs
	}
	jobs[job.ID] = job
}

// ScriptCCEJob makes each read that shows the CCE job or sub-job of jobID
// show the next of steps, its phase and reason; the last one sticks. A
// read of a job advances its own script and those of its sub-jobs, so
// that a script can move sub-jobs along with their job. It applies to the
// job of that ID in any project and replaces an earlier script; with no
// steps it removes it, and reads show the job as added again.
func (e *Emulator) ScriptCCEJob(jobID string, steps ...CCEJobStep) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(steps) == 0 {
		delete(e.cceScripts, jobID)
		return
	}
	e.cceScripts[jobID] = &script[CCEJobStep]{steps: slices.Clone(steps)}
}

// cloneCCEJob copies job deeply.
func cloneCCEJob(job CCEJob) CCEJob {
	job.ExtendParam = maps.Clone(job.ExtendParam)
	if job.SubJobs != nil {
		subs := make([]CCEJob, len(job.SubJobs))
		for i, s := range job.SubJobs {
			subs[i] = cloneCCEJob(s)
		}
		job.SubJobs = subs
	}
	return job
}

// readCCEJobLocked returns a job as one read shows it, advancing the
// scripts of the job and of its sub-jobs, in document order. The stored
// job is left as added. e.mu must be held.
func (e *Emulator) readCCEJobLocked(job CCEJob) CCEJob {
	if s := e.cceScripts[job.ID]; s != nil {
		step := s.advance()
		job.Phase, job.Reason = step.Phase, step.Reason
	}
	if job.SubJobs != nil {
		subs := make([]CCEJob, len(job.SubJobs))
		for i, sub := range job.SubJobs {
			subs[i] = e.readCCEJobLocked(sub)
		}
		job.SubJobs = subs
	}
	return job
}

// cceTimeFormat is the layout of Go's time.String without the monotonic
// clock reading, which is what the CCE API sends.
const cceTimeFormat = "2006-01-02 15:04:05.999999999 -0700 MST"

func formatCCETime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(cceTimeFormat)
}

// cceJobJSON is a CCE job, its keys in the order of the API reference's
// example.
//
// The example shows every key on the job itself, and leaves resourceID,
// resourceName and extendParam out of the sub-jobs that have none, as a
// Go server leaves out empty fields tagged omitempty; the emulator leaves
// them out of any job that has none, and subJobs too. The example's
// sub-jobs have no status.reason either, while the job sends "reason": "";
// the emulator always sends it, one shape for every job.
type cceJobJSON struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   cceJobMetadata `json:"metadata"`
	Spec       cceJobSpec     `json:"spec"`
	Status     cceJobStatus   `json:"status"`
}

type cceJobMetadata struct {
	UID               string `json:"uid"`
	CreationTimestamp string `json:"creationTimestamp"`
	UpdateTimestamp   string `json:"updateTimestamp"`
}

type cceJobSpec struct {
	Type         string            `json:"type"`
	ClusterUID   string            `json:"clusterUID"`
	ResourceID   string            `json:"resourceID,omitempty"`
	ResourceName string            `json:"resourceName,omitempty"`
	ExtendParam  map[string]string `json:"extendParam,omitempty"`
	SubJobs      []cceJobJSON      `json:"subJobs,omitempty"`
}

type cceJobStatus struct {
	Phase  string `json:"phase"`
	Reason string `json:"reason"`
}

// renderCCEJob returns the body of a CCE job, sub-jobs included.
func renderCCEJob(job CCEJob) cceJobJSON {
	out := cceJobJSON{
		Kind: "Job", APIVersion: "v3",
		Metadata: cceJobMetadata{UID: job.ID, CreationTimestamp: formatCCETime(job.Created), UpdateTimestamp: formatCCETime(job.Updated)},
		Spec: cceJobSpec{
			Type: job.Type, ClusterUID: job.ClusterID, ResourceID: job.ResourceID, ResourceName: job.ResourceName,
			ExtendParam: job.ExtendParam,
		},
		Status: cceJobStatus{Phase: job.Phase, Reason: job.Reason},
	}
	for _, sub := range job.SubJobs {
		out.Spec.SubJobs = append(out.Spec.SubJobs, renderCCEJob(sub))
	}
	return out
}

// cceCamelErrorBody is CCE's documented error shape.
type cceCamelErrorBody struct {
	Code    string `json:"errorCode"`
	Message string `json:"errorMessage"`
}

// writeCCEError answers an error of CCE in the spelling asked for; the
// snake_case one is errorBody's.
func writeCCEError(w http.ResponseWriter, spelling CCEErrorSpelling, status int, code, msg string) {
	if spelling == CCEErrorsSnakeCase {
		writeJSON(w, status, errorBody{code, msg})
		return
	}
	writeJSON(w, status, cceCamelErrorBody{code, msg})
}

// Error codes of the CCE API, from its error code table: CCE.01400001
// "Invalid request.", CCE.01403001 (insufficient permissions),
// CCE.01404001 "Resource not found." and CCE.01500001. That the job API
// answers a missing job with 404 CCE.01404001 is unconfirmed, as are the
// messages of the 403, which the emulator words as for the other
// services, and of the 500.
const (
	cceBadRequest         = "CCE.01400001"
	cceForbidden          = "CCE.01403001"
	cceNotFound           = "CCE.01404001"
	cceServerError        = "CCE.01500001"
	cceBadRequestMessage  = "Invalid request."
	cceNotFoundMessage    = "Resource not found."
	cceServerErrorMessage = "Internal server error."
)

// handleCCEJob answers GET /api/v3/projects/{project_id}/jobs/{job_id} of
// CCE, under /cce. Only jobs are read by ID: a sub-job's ID is not found,
// as the real API's is unconfirmed.
func (e *Emulator) handleCCEJob(w http.ResponseWriter, c *call) {
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		msg := "The project ID in the URL does not match the project of the credentials."
		if c.who.domainScoped {
			msg = domainScopedMessage
		}
		writeCCEError(w, c.cceErrors, http.StatusForbidden, cceForbidden, msg)
		return
	case http.StatusBadRequest:
		writeCCEError(w, c.cceErrors, http.StatusBadRequest, cceBadRequest, cceBadRequestMessage)
		return
	}
	e.mu.Lock()
	job, ok := e.cceJobs[c.m.project][c.m.job]
	if ok {
		job = e.readCCEJobLocked(job)
	}
	e.mu.Unlock()
	if !ok {
		writeCCEError(w, c.cceErrors, http.StatusNotFound, cceNotFound, cceNotFoundMessage)
		return
	}
	if c.entitiesDepth <= 0 {
		writeJSON(w, http.StatusOK, renderCCEJob(job))
		return
	}
	// CCE jobs have no entities; what nests is sub-jobs. The job goes out
	// with one placeholder sub-job, whose encoding is then replaced by the
	// nested ones: encoding/json refuses values nested 10,000 levels deep.
	placeholder := CCEJob{ID: "\x00deep\x00", Type: "Deep", Phase: "Running"}
	job.SubJobs = []CCEJob{placeholder}
	b, err1 := json.Marshal(renderCCEJob(job))
	p, err2 := json.Marshal(renderCCEJob(placeholder))
	if err1 != nil || err2 != nil {
		writeJSON(w, http.StatusOK, renderCCEJob(job)) // Not reached: nothing here is raw JSON.
		return
	}
	writeRawJSON(w, http.StatusOK, bytes.Replace(b, p, nestedCCEJobs(c.entitiesDepth), 1))
}

// nestedCCEJobs returns a sub-job whose only sub-job has one of its own,
// depth jobs deep.
func nestedCCEJobs(depth int) []byte {
	const (
		opening = `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"deep","creationTimestamp":"","updateTimestamp":""},"spec":{"type":"Deep","clusterUID":"","subJobs":[`
		closing = `]},"status":{"phase":"Running","reason":""}}`
		leaf    = `{"kind":"Job","apiVersion":"v3","metadata":{"uid":"deep","creationTimestamp":"","updateTimestamp":""},"spec":{"type":"Deep","clusterUID":""},"status":{"phase":"Running","reason":""}}`
	)
	b := make([]byte, 0, (depth-1)*(len(opening)+len(closing))+len(leaf))
	for range depth - 1 {
		b = append(b, opening...)
	}
	b = append(b, leaf...)
	for range depth - 1 {
		b = append(b, closing...)
	}
	return b
}
