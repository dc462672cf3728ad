package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// JobInstance is the instance a GaussDB(for MySQL) job works on.
type JobInstance struct{ ID, Name string }

// Job is a job of the GaussDB(for MySQL) task center.
type Job struct {
	// Created and Ended go on the wire exactly as given, for the API's own
	// format, "2018-08-06T10:41:14+0800", with no colon in the offset.
	ID, Name, Status, Created, Ended, Process string
	Instance                                  JobInstance
	// Entities is a free-form JSON object; nil is sent as {}.
	Entities json.RawMessage
	// FailReason is sent as fail_reason, in English.
	FailReason string
	// FailReasonZH is sent instead when the request has X-Language: zh-cn,
	// unless it is empty.
	FailReasonZH string
}

// JobStep is what one read of a scripted job shows.
type JobStep struct{ Status, Process string }

// AddJob adds a job to projectID, replacing one with the same ID there.
// Entities that are not valid JSON are replaced by {}, so that a typo in a
// test shows as missing entities rather than as a 500.
func (e *Emulator) AddJob(projectID string, job Job) {
	job.Entities = cleanEntities(job.Entities)
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.jobs[projectID]
	if p == nil {
		p = map[string]Job{}
		e.jobs[projectID] = p
	}
	p[job.ID] = job
}

func cleanEntities(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !json.Valid(raw) {
		return json.RawMessage(`{}`)
	}
	// A copy, so that the caller may reuse its buffer.
	return append(json.RawMessage(nil), raw...)
}

// ScriptJob makes each read of the job show the next of steps, its status
// and process; the last one sticks. It applies to the job of that ID in any
// project and replaces an earlier script; with no steps it removes it.
// A step's Process is sent as given, so a script decides whether a
// finished job still shows progress (the real API sends "").
//
// ended follows the script, as on the real API: "" while a step shows a
// status other than Completed or Failed, and once a step shows one of
// those, the job's own Ended if it has one, or else the emulator's clock
// (Config.Now) at the first read that showed the job ended, in the API's
// format, "2026-01-02T03:04:05+0000". Later reads show that same time.
func (e *Emulator) ScriptJob(jobID string, steps ...JobStep) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(steps) == 0 {
		delete(e.jobScripts, jobID)
		return
	}
	e.jobScripts[jobID] = &jobScript{script: script[JobStep]{steps: append([]JobStep(nil), steps...)}}
}

// jobScript is a job's script and the time it first showed the job ended.
type jobScript struct {
	script[JobStep]
	ended string // "" until a read showed a terminal status
}

// jobTimeFormat is the layout of the job API's created and ended.
const jobTimeFormat = "2006-01-02T15:04:05-0700"

// jobEnded reports whether a job in status has ended: the task center's
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

// jobJSON keeps every field that seed 004 shows, ended and process
// included even when empty; fail_reason, absent from the seed's completed
// job, is sent only when there is one.
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

// Error codes of the GaussDB API. DBS.200001 (parameter error) and
// DBS.200010 (the tenant does not match) are real codes of the DBS family.
// DBS.200543 "The job does not exist." is what the API reference lists,
// with HTTP 400, for an unknown job.
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

func writeDBSError(w http.ResponseWriter, r *http.Request, status int, code, en, zh string) {
	msg := en
	if chinese(r) {
		msg = zh
	}
	writeJSON(w, status, errorBody{code, msg})
}

// handleJob answers GET /v3/{project_id}/jobs?id=.
func (e *Emulator) handleJob(w http.ResponseWriter, c *call) {
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		if c.who.domainScoped {
			writeDBSError(w, c.r, http.StatusForbidden, dbsProjectMismatch, domainScopedMessage,
				"该令牌为全局级(domain)令牌;此接口需要URL中项目的项目级令牌。")
			return
		}
		writeDBSError(w, c.r, http.StatusForbidden, dbsProjectMismatch,
			"The project ID in the URL does not match the project of the credentials.",
			"URL中的项目ID与认证信息所属的项目不匹配。")
		return
	case http.StatusBadRequest:
		writeDBSError(w, c.r, http.StatusBadRequest, dbsBadParameter,
			"Parameter error: invalid project ID.",
			"参数错误:项目ID无效。")
		return
	}
	id := c.r.URL.Query().Get("id")
	if id == "" {
		writeDBSError(w, c.r, http.StatusBadRequest, dbsBadParameter,
			"Parameter error: the query parameter id is required.",
			"参数错误:缺少查询参数id。")
		return
	}
	e.mu.Lock()
	job, ok := e.jobs[c.m.project][id]
	if ok {
		if s := e.jobScripts[id]; s != nil {
			e.advanceJobLocked(s, &job)
		}
	}
	e.mu.Unlock()
	if !ok {
		writeDBSError(w, c.r, http.StatusBadRequest, dbsJobNotFound,
			"The job does not exist.",
			"任务不存在。")
		return
	}
	reason := job.FailReason
	if chinese(c.r) && job.FailReasonZH != "" {
		reason = job.FailReasonZH
	}
	out := map[string]jobJSON{"job": {
		ID: job.ID, Name: job.Name, Status: job.Status, Created: job.Created, Ended: job.Ended, Process: job.Process,
		Instance: idName{job.Instance.ID, job.Instance.Name},
		Entities: cleanEntities(job.Entities), FailReason: reason,
	}}
	if c.entitiesDepth <= 0 {
		writeJSON(w, http.StatusOK, out)
		return
	}
	// Deep entities are spliced in after encoding: encoding/json refuses
	// to encode a value nested more than 10,000 levels.
	j := out["job"]
	j.Entities = json.RawMessage(`{}`)
	b, err := json.Marshal(map[string]jobJSON{"job": j})
	if err != nil {
		writeJSON(w, http.StatusOK, out) // Not reached: the job encoded above.
		return
	}
	b = bytes.Replace(b, []byte(`"entities":{}`), append([]byte(`"entities":`), nestedObjects(c.entitiesDepth)...), 1)
	writeRawJSON(w, http.StatusOK, b)
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
