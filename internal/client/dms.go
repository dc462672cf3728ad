package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Task is one background task, as the DMS and DCS APIs return it.
type Task struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserName  string `json:"user_name"`
	UserID    string `json:"user_id"`
	Params    string `json:"params"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	// Details and EnableShow are DCS's: the task's typed details (only
	// the keys that fit the task), and whether it has detailed progress.
	// DMS sends neither.
	Details    json.RawMessage `json:"details,omitempty"`
	EnableShow *bool           `json:"enable_show,omitempty"`
}

// TaskAPI is one service's background-task API: DMS and DCS serve the same
// path and body with different paging and window parameters.
type TaskAPI struct {
	// Service is the endpoint key.
	Service string
	// Offset pages with a 0-based item offset (DCS) rather than the
	// 1-based start that DMS documents.
	Offset bool
	// BeginParam and EndParam name the time window's query parameters;
	// AlsoBeginParam, when set, carries the start a second time.
	BeginParam, EndParam, AlsoBeginParam string
	// HasGet says the API has a GET of one task (DMS); without it (DCS), a
	// task is found in the list.
	HasGet bool
}

// The task APIs.
var (
	DMSTasks = TaskAPI{Service: ServiceDMS, BeginParam: "begin_time", EndParam: "end_time", HasGet: true}
	// DCSTasks sends the window's start both as start_time, as the SDK
	// (generated from the API's definition) does, and as begin_time, as the
	// documented example request writes it: which one the service honours
	// is unconfirmed (API-jobs.md), both carry the same time, and an
	// ignored one would silently widen the window.
	DCSTasks = TaskAPI{Service: ServiceDCS, Offset: true, BeginParam: "start_time", AlsoBeginParam: "begin_time", EndParam: "end_time"}
)

// TaskPage is one answer of the background-task API.
type TaskPage struct {
	// TaskCount is the total the API reports for the query, not the length
	// of Tasks.
	TaskCount FlexInt `json:"task_count"`
	Tasks     []Task  `json:"tasks"`
}

// FlexInt decodes a count that the API documents as a JSON string ("12")
// but that may also come as a number.
type FlexInt int

// UnmarshalJSON accepts "12", 12 and null (as 0).
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		// The value is quoted only when it is short and looks like a
		// number: any other server text could be anything, even a secret
		// echoed back, and the DecodeError's excerpt shows it masked.
		if len(b) <= 24 && strings.Trim(string(b), "0123456789+-.eE\" ") == "" {
			return fmt.Errorf("task_count %s is not a non-negative integer", string(b))
		}
		return errors.New("task_count is not a non-negative integer")
	}
	*n = FlexInt(v)
	return nil
}

// TaskQuery selects background tasks of one instance.
type TaskQuery struct {
	// API is the service's task API; the zero value is DMSTasks.
	API        TaskAPI
	Region     string
	ProjectID  string
	InstanceID string
	// Start is the 1-based position of the first task; 0 leaves it out.
	Start int
	// Limit is the page size, 1 to 100; 0 leaves it out.
	Limit int
	// BeginTime and EndTime are YYYYMMDDHHmmss in UTC; empty leaves them out.
	BeginTime, EndTime string
}

// api returns q.API, DMSTasks for the zero value.
func (q TaskQuery) api() TaskAPI {
	if q.API.Service == "" {
		return DMSTasks
	}
	return q.API
}

func (q TaskQuery) values() url.Values {
	api := q.api()
	v := url.Values{}
	switch {
	case q.Start > 0 && api.Offset:
		v.Set("offset", strconv.Itoa(q.Start-1))
	case q.Start > 0:
		v.Set("start", strconv.Itoa(q.Start))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.BeginTime != "" {
		v.Set(api.BeginParam, q.BeginTime)
		if api.AlsoBeginParam != "" {
			v.Set(api.AlsoBeginParam, q.BeginTime)
		}
	}
	if q.EndTime != "" {
		v.Set(api.EndParam, q.EndTime)
	}
	return v
}

// pageLimit is the most tasks a page of q may hold: the limit it asks for.
// A query without one gets the API's default of 10 tasks, but that default
// is not written down anywhere a gateway must keep to; the documented
// maximum of a page is 100, so a page is allowed up to that, and never
// more, whatever limit a caller asks for.
func (q TaskQuery) pageLimit() int {
	if q.Limit > 0 {
		return min(q.Limit, TaskPageSize)
	}
	return TaskPageSize
}

// The ways a task page that is valid JSON can still be unusable. They come
// wrapped in a *DecodeError; test for them with errors.Is.
var (
	// ErrPageOverLimit is a page holding more tasks than the limit it was
	// asked for. Its message, as wrapped, names the limit.
	ErrPageOverLimit = errors.New("the page holds more tasks than its limit")
	// ErrTaskWithoutID is a task with no id, or an empty one: nothing could
	// tell it from another, or read it again.
	ErrTaskWithoutID = errors.New("a task has no id")
	// ErrNullTasks is a page whose tasks are null or missing while its
	// task_count says there are some.
	ErrNullTasks = errors.New("the page has no tasks array (null or missing) though its task_count is above 0")
)

// errTasksTwice is a body holding its tasks under two keys ("tasks" and,
// say, "Tasks", which json.Unmarshal takes for the same field).
var errTasksTwice = errors.New("the body holds tasks twice")

// errTruncated is what json.Unmarshal says of a body that ends too soon;
// the decoder says io.ErrUnexpectedEOF, which reads worse in a diagnostic.
var errTruncated = errors.New("unexpected end of JSON input")

// ctxCheckEvery is how many tasks are decoded between two checks of the
// context. Decoding a task takes a few microseconds, so a check every few
// hundred costs nothing and still ends a cancelled decode within a
// millisecond. A page within its limit of 100 is checked once, before its
// first task; the checks matter for a caller that allows larger pages.
const ctxCheckEvery = 256

// ListTasks reads one page: GET /v2/{project_id}/instances/{instance_id}/tasks.
// A page holding more tasks than q asks for, a task without an id, or no
// tasks array while task_count is above 0 is a *DecodeError (ErrPageOverLimit,
// ErrTaskWithoutID, ErrNullTasks).
func (c *Client) ListTasks(ctx context.Context, q TaskQuery) (*TaskPage, error) {
	page, _, err := c.readTaskPage(ctx, q.listRequest(), q.pageLimit())
	return page, err
}

// listRequest is the request of the list that q selects.
func (q TaskQuery) listRequest() request {
	return request{
		service: q.api().Service, region: q.Region, method: http.MethodGet,
		path:  []string{"v2", q.ProjectID, "instances", q.InstanceID, "tasks"},
		query: q.values(), projectID: q.ProjectID,
	}
}

// readTaskPage sends r and decodes its answer as a page of at most limit
// tasks.
func (c *Client) readTaskPage(ctx context.Context, r request, limit int) (*TaskPage, *response, error) {
	resp, err := c.do(ctx, r, nil)
	if err != nil {
		return nil, nil, err
	}
	page, err := c.decodeTaskPage(ctx, r, resp, limit)
	return page, resp, err
}

// GetTask reads one task of q's instance (q's paging and window are not
// used). With a GET of one task (DMS: GET
// /v2/{project_id}/instances/{instance_id}/tasks/{task_id}), the API
// answers with a one-task list, decoded as a page of at most TaskPageSize
// tasks. Without one (DCS), the list is read, newest first, a page at a
// time, until the task is found, the list ends, or MaxTasks tasks were
// read. A task that is not there is a 404 *APIError.
func (c *Client) GetTask(ctx context.Context, q TaskQuery, taskID string) (*Task, error) {
	if !q.api().HasGet {
		return c.findTask(ctx, q, taskID)
	}
	path := []string{"v2", q.ProjectID, "instances", q.InstanceID, "tasks", taskID}
	r := request{service: q.api().Service, region: q.Region, method: http.MethodGet, path: path, projectID: q.ProjectID}
	page, resp, err := c.readTaskPage(ctx, r, TaskPageSize)
	if err != nil {
		return nil, err
	}
	if t := taskIn(page, taskID); t != nil {
		return t, nil
	}
	// Seen as a 200 with no such task: treat it as the 404 it means.
	return nil, noTask(resp, path)
}

func taskIn(page *TaskPage, taskID string) *Task {
	for i := range page.Tasks {
		if page.Tasks[i].ID == taskID {
			return &page.Tasks[i]
		}
	}
	return nil
}

func noTask(resp *response, path []string) *APIError {
	return &APIError{
		StatusCode: http.StatusNotFound, Message: "the API returned no task with this ID",
		RequestID: requestID(resp.header), Method: http.MethodGet, Path: pathOf(path),
	}
}

// findTask looks for a task in the list, page by page from the newest: a
// task being waited for is usually on the first page. The pages read are
// bounded by MaxTasks, never by what the server counts.
func (c *Client) findTask(ctx context.Context, q TaskQuery, taskID string) (*Task, error) {
	q.BeginTime, q.EndTime = "", ""
	for p := 1; p <= pagesFor(c.MaxTasks()); p++ {
		q.Start, q.Limit = (p-1)*TaskPageSize+1, TaskPageSize
		r := q.listRequest()
		page, resp, err := c.readTaskPage(ctx, r, TaskPageSize)
		if err != nil {
			return nil, err
		}
		if t := taskIn(page, taskID); t != nil {
			return t, nil
		}
		// Only a short page ends the list: task_count may be missing or
		// low, and the official provider pages on until a page is short.
		if len(page.Tasks) < TaskPageSize {
			return nil, noTask(resp, r.path)
		}
	}
	return nil, &TooManyTasksError{InstanceID: q.InstanceID, Max: c.MaxTasks(), Searching: taskID}
}

// decodeTaskPage decodes the body of resp as a page of at most limit tasks.
// A cancelled ctx ends it with ctx's error; any other failure is a
// *DecodeError.
func (c *Client) decodeTaskPage(ctx context.Context, r request, resp *response, limit int) (*TaskPage, error) {
	page, err := decodeTaskPage(ctx, resp.body, limit)
	if err == nil {
		return page, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return nil, fmt.Errorf("%s %s: decoding the tasks: %w", r.method, pathOf(r.path), ctxErr)
	}
	return nil, &DecodeError{
		Method: r.method, Path: pathOf(r.path), StatusCode: resp.status,
		RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body),
	}
}

// decodeTaskPage decodes a task-list body, one task at a time, so that a
// page holding more than limit tasks is refused as soon as task limit+1
// begins, with neither it nor the rest of the body decoded. It accepts what
// json.Unmarshal into a TaskPage accepts (keys match case-insensitively),
// except for ErrPageOverLimit, ErrTaskWithoutID, ErrNullTasks, and a body
// holding its tasks twice, which would leave it unclear which to believe.
func decodeTaskPage(ctx context.Context, body []byte, limit int) (*TaskPage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	page := &TaskPage{}
	switch tok {
	case nil: // a null body is an empty page, as json.Unmarshal has it
		return page, endOfBody(dec)
	case json.Delim('{'):
	default:
		return nil, fmt.Errorf("the body is a JSON %s, not an object", jsonKind(tok))
	}
	sawTasks, nullTasks := false, true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key, _ := tok.(string) // the decoder only gives strings for keys
		switch {
		case strings.EqualFold(key, "task_count"):
			if err := dec.Decode(&page.TaskCount); err != nil {
				return nil, jsonErr(err)
			}
		case strings.EqualFold(key, "tasks"):
			if sawTasks {
				return nil, errTasksTwice
			}
			sawTasks = true
			if page.Tasks, nullTasks, err = decodeTasks(ctx, dec, limit); err != nil {
				return nil, err
			}
		default:
			if err := dec.Decode(&skipValue{}); err != nil {
				return nil, jsonErr(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, jsonErr(err)
	}
	if err := endOfBody(dec); err != nil {
		return nil, err
	}
	if nullTasks && page.TaskCount > 0 {
		return nil, fmt.Errorf("%w (task_count %d)", ErrNullTasks, page.TaskCount)
	}
	return page, nil
}

// decodeTasks decodes the value of "tasks": null, or an array of at most
// limit tasks, each with an id.
func decodeTasks(ctx context.Context, dec *json.Decoder, limit int) (tasks []Task, null bool, err error) {
	tok, err := dec.Token()
	switch {
	case err != nil:
		return nil, false, jsonErr(err)
	case tok == nil:
		return nil, true, nil
	case tok != json.Delim('['):
		return nil, false, fmt.Errorf("tasks is a JSON %s, not an array", jsonKind(tok))
	}
	// Not nil, so that [] and null stay apart, as json.Unmarshal keeps
	// them; it grows with the tasks decoded, never with a count.
	tasks = []Task{}
	for n := 0; dec.More(); n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		if n == limit {
			return nil, false, fmt.Errorf("%w of %d", ErrPageOverLimit, limit)
		}
		var t Task
		if err := dec.Decode(&t); err != nil {
			return nil, false, jsonErr(err)
		}
		if t.ID == "" {
			// Only the position: the task's own fields are server text.
			return nil, false, fmt.Errorf("%w: task %d of the page", ErrTaskWithoutID, n+1)
		}
		tasks = append(tasks, t)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, false, jsonErr(err)
	}
	return tasks, false, nil
}

// skipValue decodes any JSON value into nothing, as json.Unmarshal treats
// a key it does not know.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// endOfBody fails unless only white space follows the top-level value, as
// json.Unmarshal requires.
func endOfBody(dec *json.Decoder) error {
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return jsonErr(err)
	}
	return fmt.Errorf("invalid JSON: a %s after the top-level value", jsonKind(tok))
}

// jsonErr words a decoder's error as json.Unmarshal would.
func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated
	}
	return err
}

// jsonKind names the kind of a JSON token for a message.
func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' || v == ']' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
