package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// Job is a job of a database service's task center, in one shape for all
// of them: GaussDB(for MySQL), RDS, GaussDB(for openGauss), DDS and
// GeminiDB answer with small differences that GetJob smooths out.
type Job struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Created and Ended are as the API wrote them (GeminiDB's start_time
	// and end_time).
	Created string `json:"created"`
	Ended   string `json:"ended"`
	// Process is the progress as the API wrote it, "60%": process in
	// GaussDB(for MySQL) and RDS, progress in the others.
	Process  string          `json:"process"`
	Instance JobInstance     `json:"instance"`
	Entities json.RawMessage `json:"entities"`
	// FailReason is "" when the API sends none, or null.
	FailReason string `json:"fail_reason"`
}

// JobInstance is the instance a job works on.
type JobInstance struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// JobAPI is one database service's GET /v3/{project_id}/jobs?id=.
type JobAPI struct {
	// Service is the endpoint key.
	Service string
	// List says the answer lists jobs ({"jobs":[…]}, GeminiDB) instead of
	// holding one ({"job":{…}}).
	List bool
	// Language says the API takes X-Language.
	Language bool
}

// The database job APIs.
var (
	GaussDBJobs   = JobAPI{Service: ServiceGaussDB, Language: true}
	RDSJobs       = JobAPI{Service: ServiceRDS, Language: true}
	OpenGaussJobs = JobAPI{Service: ServiceOpenGauss}
	DDSJobs       = JobAPI{Service: ServiceDDS}
	GeminiDBJobs  = JobAPI{Service: ServiceGeminiDB, List: true}
)

// wireJob is a job as any of the services writes it.
type wireJob struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Created    string          `json:"created"`
	Ended      string          `json:"ended"`
	StartTime  string          `json:"start_time"`
	EndTime    string          `json:"end_time"`
	Process    string          `json:"process"`
	Progress   string          `json:"progress"`
	Instance   JobInstance     `json:"instance"`
	Entities   json.RawMessage `json:"entities"`
	FailReason *string         `json:"fail_reason"`
}

func (w *wireJob) job() *Job {
	j := &Job{
		ID: w.ID, Name: w.Name, Status: w.Status,
		Created: orDefault(w.Created, w.StartTime), Ended: orDefault(w.Ended, w.EndTime),
		Process: orDefault(w.Process, w.Progress), Instance: w.Instance, Entities: w.Entities,
	}
	if w.FailReason != nil {
		j.FailReason = *w.FailReason
	}
	return j
}

// GetJob reads a job: GET /v3/{project_id}/jobs?id={id} of api's service.
// language, when set and the API takes it, goes out as X-Language (en-us
// or zh-cn) and selects the language of fail_reason and of error messages.
// GeminiDB's empty list is a 404 *APIError, as it means the job is not
// there; so is a list whose jobs are all another one.
func (c *Client) GetJob(ctx context.Context, api JobAPI, region, projectID, jobID, language string) (*Job, error) {
	var out struct {
		Job  *wireJob  `json:"job"`
		Jobs []wireJob `json:"jobs"`
	}
	if !api.Language {
		language = ""
	}
	path := []string{"v3", projectID, "jobs"}
	resp, err := c.do(ctx, request{
		service: api.Service, region: region, method: http.MethodGet, path: path,
		query: url.Values{"id": {jobID}}, projectID: projectID, language: language,
	}, &out)
	if err != nil {
		return nil, err
	}
	if api.List {
		// The list is filtered by id: a job of another ID is a server
		// that ignored the filter, and not the job asked for.
		for i := range out.Jobs {
			if out.Jobs[i].ID == jobID {
				return out.Jobs[i].job(), nil
			}
		}
		if out.Jobs == nil && out.Job == nil {
			return nil, c.noJobError(resp, path, errNoJobs)
		}
		return nil, &APIError{
			StatusCode: http.StatusNotFound, Message: "the API listed no job with this ID",
			RequestID: requestID(resp.header), Method: http.MethodGet, Path: pathOf(path),
		}
	}
	if out.Job == nil {
		return nil, c.noJobError(resp, path, errNoJob)
	}
	return out.Job.job(), nil
}

func (c *Client) noJobError(resp *response, path []string, err error) error {
	return &DecodeError{
		Method: http.MethodGet, Path: pathOf(path), StatusCode: resp.status,
		RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body),
	}
}

var (
	errNoJob  = errors.New(`the body has no "job" object`)
	errNoJobs = errors.New(`the body has no "jobs" array`)
)
