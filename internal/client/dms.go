package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Task is one DMS background task, as the API returns it.
type Task struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserName  string `json:"user_name"`
	UserID    string `json:"user_id"`
	Params    string `json:"params"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

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
		return fmt.Errorf("task_count %s is not a non-negative integer", string(b))
	}
	*n = FlexInt(v)
	return nil
}

// TaskQuery selects background tasks of one instance.
type TaskQuery struct {
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

func (q TaskQuery) values() url.Values {
	v := url.Values{}
	if q.Start > 0 {
		v.Set("start", strconv.Itoa(q.Start))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.BeginTime != "" {
		v.Set("begin_time", q.BeginTime)
	}
	if q.EndTime != "" {
		v.Set("end_time", q.EndTime)
	}
	return v
}

// ListTasks reads one page: GET /v2/{project_id}/instances/{instance_id}/tasks.
func (c *Client) ListTasks(ctx context.Context, q TaskQuery) (*TaskPage, error) {
	var page TaskPage
	_, err := c.do(ctx, request{
		service: ServiceDMS, region: q.Region, method: http.MethodGet,
		path:  []string{"v2", q.ProjectID, "instances", q.InstanceID, "tasks"},
		query: q.values(), projectID: q.ProjectID,
	}, &page)
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// GetTask reads one task: GET /v2/{project_id}/instances/{instance_id}/tasks/{task_id}.
// The API answers with a one-task list; an empty list is reported as a 404.
func (c *Client) GetTask(ctx context.Context, region, projectID, instanceID, taskID string) (*Task, error) {
	var page TaskPage
	path := []string{"v2", projectID, "instances", instanceID, "tasks", taskID}
	resp, err := c.do(ctx, request{
		service: ServiceDMS, region: region, method: http.MethodGet, path: path, projectID: projectID,
	}, &page)
	if err != nil {
		return nil, err
	}
	for i := range page.Tasks {
		if page.Tasks[i].ID == taskID {
			return &page.Tasks[i], nil
		}
	}
	// Seen as a 200 with no such task: treat it as the 404 it means.
	return nil, &APIError{
		StatusCode: http.StatusNotFound, Message: "the API returned no task with this ID",
		RequestID: requestID(resp.header), Method: http.MethodGet, Path: pathOf(path),
	}
}
