package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// DCSTask is a background task of a DCS (Distributed Cache Service)
// instance. It has the fields of a DMS Task and two more; it is a type of
// its own so that a DMS task cannot carry DCS's fields by mistake.
type DCSTask struct {
	ID, Name, UserName, UserID, Params, Status string
	// CreatedAt and UpdatedAt go on the wire as RFC 3339 UTC with
	// milliseconds, "2020-06-17T07:38:42.503Z"; a zero time as "".
	CreatedAt, UpdatedAt time.Time
	// Details is the details object, sent as given: on the real API it
	// holds only the keys that fit the task, such as old_capacity and
	// new_capacity for EXTEND (API-jobs.md lists them, with their types).
	// nil, or anything but valid JSON, is sent as {}.
	Details json.RawMessage
	// EnableShow is enable_show: the task has detailed progress that the
	// console can expand.
	EnableShow bool
}

func (t DCSTask) listKey() (time.Time, string) { return t.CreatedAt, t.ID }

// AddDCSInstance creates an empty DCS instance in projectID, if it does not
// exist. DCS instances are apart from DMS instances: an ID added here is
// unknown to DMS, and the other way round.
func (e *Emulator) AddDCSInstance(projectID, instanceID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dcs.instance(projectID, instanceID)
}

// AddDCSTasks adds tasks to a DCS instance, creating the instance if
// needed. A task replaces an earlier one with the same ID.
func (e *Emulator) AddDCSTasks(projectID, instanceID string, tasks ...DCSTask) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dcs.add(projectID, instanceID, tasks)
}

// ScriptDCSTask makes each list read that shows a DCS task show the next
// of statuses; the last one sticks. It applies to the task of that ID in
// the DCS instance of that ID, whatever the project, and replaces an
// earlier script. With no statuses it removes the script, and reads show
// the task's own Status again.
func (e *Emulator) ScriptDCSTask(instanceID, taskID string, statuses ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dcs.script(instanceID, taskID, statuses)
}

// dcsTaskJSON is a task in DCS's list, its keys in the order of the API
// reference.
type dcsTaskJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Details    json.RawMessage `json:"details"`
	UserName   string          `json:"user_name"`
	UserID     string          `json:"user_id"`
	Params     string          `json:"params"`
	Status     string          `json:"status"`
	CreatedAt  string          `json:"created_at"`
	UpdatedAt  string          `json:"updated_at"`
	EnableShow bool            `json:"enable_show"`
}

// dcsTaskListJSON is DCS's list. task_count is a string, as the official
// SDK decodes it; the documented example's number would fail there.
type dcsTaskListJSON struct {
	TaskCount string        `json:"task_count"`
	Tasks     []dcsTaskJSON `json:"tasks"`
}

// readDCSTaskLocked renders a task as one read shows it, advancing its
// script.
func (e *Emulator) readDCSTaskLocked(instanceID string, t DCSTask) dcsTaskJSON {
	return dcsTaskJSON{
		ID: t.ID, Name: t.Name, Details: cleanEntities(t.Details), UserName: t.UserName, UserID: t.UserID,
		Params: t.Params, Status: e.dcs.status(instanceID, t.ID, t.Status),
		CreatedAt: formatDMSTime(t.CreatedAt), UpdatedAt: formatDMSTime(t.UpdatedAt), EnableShow: t.EnableShow,
	}
}

// dcsErrorBody is DCS's error shape, whose error_ext_msg is null in every
// documented example.
type dcsErrorBody struct {
	Code    string  `json:"error_code"`
	Message string  `json:"error_msg"`
	ExtMsg  *string `json:"error_ext_msg"`
}

func writeDCSError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, dcsErrorBody{Code: code, Message: msg})
}

// Error codes of the DCS API. DCS.4062, DCS.4002 and DCS.3022 are the
// documented ones. The 403 for credentials of another project and the 500
// are the emulator's picks, in the same numbering, since the documents
// give none.
const (
	dcsBadParameter     = "DCS.4062"
	dcsInvalidProject   = "DCS.4002"
	dcsProjectMismatch  = "DCS.4003"
	dcsInstanceNotFound = "DCS.3022"
	dcsServerError      = "DCS.5000"
)

// dcsBadParameterMessage is DCS.4062's message, "Invalid {0} parameter in
// the request.", for a parameter.
func dcsBadParameterMessage(name string) string {
	return "Invalid " + name + " parameter in the request."
}

// Limits of DCS's limit parameter. No default or maximum is documented:
// 10 is the page the official provider asks for and the default of DCS's
// other lists, and 1000 bounds a page without refusing any sensible one.
const (
	dcsDefaultLimit = 10
	dcsMaxLimit     = 1000
)

// parseDCSListQuery validates offset, limit, start_time (or begin_time)
// and end_time, and returns the name of the first bad one. Other
// parameters are ignored, and an empty value counts as absent, as for DMS.
//
// offset is a 0-based item offset. begin_time is accepted as an alias of
// start_time: the API reference's example request and the official
// provider send begin_time, the SDK and the parameter table start_time,
// and which one the service honours is unconfirmed. When both are given,
// start_time wins, being the documented parameter; both are validated.
func parseDCSListQuery(q url.Values) (listQuery, string) {
	lq := listQuery{start: 1, limit: dcsDefaultLimit}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return lq, "offset"
		}
		// No instance holds 2^40 tasks; the bound keeps start+limit from
		// overflowing.
		lq.start = min(n, 1<<40) + 1
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > dcsMaxLimit {
			return lq, "limit"
		}
		lq.limit = n
	}
	for _, p := range []struct {
		name string
		t    *time.Time
		set  *bool
	}{
		{"begin_time", &lq.begin, &lq.hasBegin},
		{"start_time", &lq.begin, &lq.hasBegin}, // after begin_time, so that it wins
		{"end_time", &lq.end, &lq.hasEnd},
	} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, ok := parseDMSQueryTime(v)
		if !ok {
			return lq, p.name
		}
		*p.t, *p.set = t, true
	}
	return lq, ""
}

// handleDCSTaskList answers GET /v2/{project_id}/instances/{instance_id}/tasks
// of DCS, under /dcs. The order, the time filter and task_count are as on
// DMS's list (see handleTaskList); only offset pages.
func (e *Emulator) handleDCSTaskList(w http.ResponseWriter, c *call) {
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		msg := "The project ID in the URL does not match the project of the credentials."
		if c.who.domainScoped {
			msg = domainScopedMessage
		}
		writeDCSError(w, http.StatusForbidden, dcsProjectMismatch, msg)
		return
	case http.StatusBadRequest:
		writeDCSError(w, http.StatusBadRequest, dcsInvalidProject, "Invalid project ID.")
		return
	}
	lq, bad := parseDCSListQuery(c.r.URL.Query())
	if bad != "" {
		writeDCSError(w, http.StatusBadRequest, dcsBadParameter, dcsBadParameterMessage(bad))
		return
	}
	e.mu.Lock()
	inst, ok := e.dcs.instances[c.m.project][c.m.instance]
	if !ok {
		e.mu.Unlock()
		writeDCSError(w, http.StatusNotFound, dcsInstanceNotFound, "This DCS instance does not exist.")
		return
	}
	page, total := e.dcs.page(c.m.project, c.m.instance, inst, lq)
	out := make([]dcsTaskJSON, 0, len(page))
	for _, t := range page {
		out = append(out, e.readDCSTaskLocked(c.m.instance, t))
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, dcsTaskListJSON{TaskCount: c.taskCount(total), Tasks: out})
}
