package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Task is a DMS background task. RocketMQ, Kafka and RabbitMQ share the API.
type Task struct {
	ID, Name, UserName, UserID, Params, Status string
	// CreatedAt and UpdatedAt go on the wire as RFC 3339 UTC with
	// milliseconds, "2020-06-23T03:00:03.471Z"; a zero time as "".
	CreatedAt, UpdatedAt time.Time
}

// dmsTimeFormat is the layout of created_at and updated_at.
const dmsTimeFormat = "2006-01-02T15:04:05.000Z"

// dmsQueryTimeFormat is the layout of begin_time and end_time, in UTC.
const dmsQueryTimeFormat = "20060102150405"

// AddInstance creates an empty instance in projectID, if it does not exist.
// The project should be one of the account's (Config.Projects), or requests
// for it get 400 DMS.00400002.
func (e *Emulator) AddInstance(projectID, instanceID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dms.instance(projectID, instanceID)
}

// AddTasks adds tasks to an instance, creating the instance if needed. A
// task replaces an earlier one with the same ID.
func (e *Emulator) AddTasks(projectID, instanceID string, tasks ...Task) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dms.add(projectID, instanceID, tasks)
}

// ScriptTask makes each read of a task, in a list or on its own, show the
// next of statuses; the last one sticks. It applies to the task of that ID
// in the instance of that ID, whatever the project, and replaces an earlier
// script. With no statuses it removes the script, and reads show the task's
// own Status again.
func (e *Emulator) ScriptTask(instanceID, taskID string, statuses ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dms.script(instanceID, taskID, statuses)
}

type taskJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserName  string `json:"user_name"`
	UserID    string `json:"user_id"`
	Params    string `json:"params"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type taskListJSON struct {
	TaskCount string     `json:"task_count"` // a string on the real API
	Tasks     []taskJSON `json:"tasks"`
}

func formatDMSTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dmsTimeFormat)
}

// readTaskLocked renders a task as one read shows it, advancing its script.
func (e *Emulator) readTaskLocked(instanceID string, t Task) taskJSON {
	t.Status = e.dms.status(instanceID, t.ID, t.Status)
	return taskJSON{
		ID: t.ID, Name: t.Name, UserName: t.UserName, UserID: t.UserID, Params: t.Params, Status: t.Status,
		CreatedAt: formatDMSTime(t.CreatedAt), UpdatedAt: formatDMSTime(t.UpdatedAt),
	}
}

func writeDMSError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{code, msg})
}

// Error codes of the DMS API. DMS.00400002, DMS.00404022 and DMS.00404026
// are the real ones; the codes for a bad query parameter and for a project
// the credentials do not reach are the emulator's picks, in the same
// numbering scheme, since the documents give none.
const (
	dmsBadParameter     = "DMS.00400001"
	dmsInvalidProject   = "DMS.00400002"
	dmsProjectMismatch  = "DMS.00403001"
	dmsInstanceNotFound = "DMS.00404022"
	dmsTaskNotFound     = "DMS.00404026"
)

// dmsScope answers the call with an error and returns false when the path's
// project is not one the credentials may use.
func (e *Emulator) dmsScope(w http.ResponseWriter, c *call) bool {
	switch e.scopeStatus(c) {
	case http.StatusForbidden:
		msg := "The project ID in the URL does not match the project of the credentials."
		if c.who.domainScoped {
			msg = domainScopedMessage
		}
		writeDMSError(w, http.StatusForbidden, dmsProjectMismatch, msg)
		return false
	case http.StatusBadRequest:
		writeDMSError(w, http.StatusBadRequest, dmsInvalidProject, "Invalid project ID.")
		return false
	}
	return true
}

// domainScopedMessage is what a project-scoped service answers a
// domain-scoped token.
const domainScopedMessage = "The token is scoped to a domain; this API needs a token scoped to the project in the URL."

// listQuery is the validated query of a task list.
type listQuery struct {
	start, limit int
	// begin and end hold the time filter's bounds when hasBegin and hasEnd
	// say they were given. The flags, not a zero time.Time, mark an absent
	// bound: 00010101000000 is a valid bound, and the zero time itself.
	begin, end       time.Time
	hasBegin, hasEnd bool
}

// parseListQuery validates start, limit, begin_time and end_time; other
// parameters are ignored, as real services ignore unknown ones. A parameter
// given an empty value counts as absent, as Java web frameworks bind it.
//
// start is 1-based. start=0 is accepted and means 1: the API reference
// gives its range as "≥ 0", and the first page is the only sensible reading
// of 0.
//
// offset is 0-based, as the official SDK sends it in place of start:
// offset=n is start=n+1. Both are validated when given; when both are,
// start wins, since it is the parameter the API reference documents, and
// the SDK, the only sender of offset, never sends start with it.
func parseListQuery(q url.Values) (listQuery, string) {
	lq := listQuery{start: 1, limit: 10}
	position := func(name string) (int, string) {
		v := q.Get(name)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, "Invalid parameter " + name + ": it must be an integer of 0 or more, got " + strconv.Quote(v) + "."
		}
		// No instance holds 2^40 tasks; the bound keeps start+limit from
		// overflowing.
		return min(n, 1<<40), ""
	}
	if q.Get("offset") != "" {
		n, msg := position("offset")
		if msg != "" {
			return lq, msg
		}
		lq.start = n + 1
	}
	if q.Get("start") != "" {
		n, msg := position("start")
		if msg != "" {
			return lq, msg
		}
		lq.start = max(n, 1)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return lq, "Invalid parameter limit: it must be an integer from 1 to 100, got " + strconv.Quote(v) + "."
		}
		lq.limit = n
	}
	for _, p := range []struct {
		name string
		t    *time.Time
		set  *bool
	}{{"begin_time", &lq.begin, &lq.hasBegin}, {"end_time", &lq.end, &lq.hasEnd}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, ok := parseDMSQueryTime(v)
		if !ok {
			return lq, "Invalid parameter " + p.name + ": it must be a UTC time in the format YYYYMMDDHHmmss, got " + strconv.Quote(v) + "."
		}
		*p.t, *p.set = t, true
	}
	return lq, ""
}

// parseDMSQueryTime accepts exactly 14 digits that make a real calendar
// time; time.Parse alone would take a one-digit hour.
func parseDMSQueryTime(v string) (time.Time, bool) {
	if len(v) != len(dmsQueryTimeFormat) {
		return time.Time{}, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return time.Time{}, false
		}
	}
	t, err := time.ParseInLocation(dmsQueryTimeFormat, v, time.UTC)
	return t, err == nil
}

// handleTaskList answers GET /v2/{project_id}/instances/{instance_id}/tasks.
//
// The order is newest created_at first, then task ID descending, so that
// equal times still page deterministically. The time filter is inclusive
// at the bounds' one-second resolution: a task created at 03:00:03.471 is
// within end_time=...030003. A begin_time after end_time matches nothing
// rather than being an error. task_count counts every task the time filter
// matches, not only those on the page.
func (e *Emulator) handleTaskList(w http.ResponseWriter, c *call) {
	if !e.dmsScope(w, c) {
		return
	}
	lq, msg := parseListQuery(c.r.URL.Query())
	if msg != "" {
		writeDMSError(w, http.StatusBadRequest, dmsBadParameter, msg)
		return
	}
	e.mu.Lock()
	inst, ok := e.dms.instances[c.m.project][c.m.instance]
	if !ok {
		e.mu.Unlock()
		writeDMSError(w, http.StatusNotFound, dmsInstanceNotFound, "This DMS instance does not exist.")
		return
	}
	page, total := e.dms.page(c.m.project, c.m.instance, inst, lq)
	out := make([]taskJSON, 0, len(page))
	for _, t := range page {
		out = append(out, e.readTaskLocked(c.m.instance, t))
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, taskListJSON{TaskCount: c.taskCount(total), Tasks: out})
}

// taskCount is the task_count to send for a real count of n: replaced
// when FaultTaskCountRaw applies, skewed when FaultTaskCountSkew does.
func (c *call) taskCount(n int) string {
	switch {
	case c.rawCount != "":
		return c.rawCount
	case c.skew:
		return strconv.Itoa(max(0, n+c.delta))
	}
	return strconv.Itoa(n)
}

// handleTaskGet answers GET /v2/{project_id}/instances/{instance_id}/tasks/{task_id}
// with the list's body shape holding one task.
func (e *Emulator) handleTaskGet(w http.ResponseWriter, c *call) {
	if !e.dmsScope(w, c) {
		return
	}
	e.mu.Lock()
	inst, ok := e.dms.instances[c.m.project][c.m.instance]
	if !ok {
		e.mu.Unlock()
		writeDMSError(w, http.StatusNotFound, dmsInstanceNotFound, "This DMS instance does not exist.")
		return
	}
	t, ok := inst[c.m.task]
	if !ok {
		e.mu.Unlock()
		writeDMSError(w, http.StatusNotFound, dmsTaskNotFound, "This background task does not exist.")
		return
	}
	tj := e.readTaskLocked(c.m.instance, t)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, taskListJSON{TaskCount: c.taskCount(1), Tasks: []taskJSON{tj}})
}
