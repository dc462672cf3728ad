package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// Job is a GaussDB(for MySQL) task-center job, as the API returns it.
type Job struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Created    string          `json:"created"`
	Ended      string          `json:"ended"`
	Process    string          `json:"process"`
	Instance   JobInstance     `json:"instance"`
	Entities   json.RawMessage `json:"entities"`
	FailReason string          `json:"fail_reason"`
}

// JobInstance is the instance a job works on.
type JobInstance struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GetJob reads a job: GET /v3/{project_id}/jobs?id={id}. language, when
// set, goes out as X-Language (en-us or zh-cn) and selects the language of
// fail_reason and of error messages.
func (c *Client) GetJob(ctx context.Context, region, projectID, jobID, language string) (*Job, error) {
	var out struct {
		Job *Job `json:"job"`
	}
	path := []string{"v3", projectID, "jobs"}
	resp, err := c.do(ctx, request{
		service: ServiceGaussDB, region: region, method: http.MethodGet, path: path,
		query: url.Values{"id": {jobID}}, projectID: projectID, language: language,
	}, &out)
	if err != nil {
		return nil, err
	}
	if out.Job == nil {
		return nil, &DecodeError{
			Method: http.MethodGet, Path: pathOf(path), StatusCode: resp.status,
			RequestID: requestID(resp.header), Err: errNoJob, Excerpt: c.excerpt(resp.body),
		}
	}
	return out.Job, nil
}

var errNoJob = errors.New(`the body has no "job" object`)
