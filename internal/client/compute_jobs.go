package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// MaxSubJobs bounds the sub-jobs one job may list. A batch creation of
// servers, the largest real case, makes at most a few hundred; a job that
// lists more is refused rather than held whole in memory and in the state.
const MaxSubJobs = 10_000

// ErrTooManySubJobs is a job listing more than MaxSubJobs sub-jobs. It
// comes wrapped in a *DecodeError.
var ErrTooManySubJobs = fmt.Errorf("the job lists more than %d sub-jobs", MaxSubJobs)

// V1JobAPI is one service's GET /v1/{project_id}/jobs/{job_id}: ECS, EVS
// and IMS answer with the same body, and list their sub-jobs under
// different keys of entities.
type V1JobAPI struct {
	// Service is the endpoint key.
	Service string
	// SubJobsKey is where entities lists the sub-jobs: sub_jobs (ECS, EVS)
	// or sub_jobs_result (IMS).
	SubJobsKey string
	// Progress says entities has process_percent (IMS).
	Progress bool
}

// The v1 job APIs.
var (
	ECSJobs = V1JobAPI{Service: ServiceECS, SubJobsKey: "sub_jobs"}
	EVSJobs = V1JobAPI{Service: ServiceEVS, SubJobsKey: "sub_jobs"}
	IMSJobs = V1JobAPI{Service: ServiceIMS, SubJobsKey: "sub_jobs_result", Progress: true}
)

// V1Job is a v1 job, and its sub-jobs.
type V1Job struct {
	// The job's own fields, which a sub-job has too.
	V1SubJob

	// SubJobs are the sub-jobs from entities; SubJobsTotal is entities'
	// sub_jobs_total when it has one (ECS), else len(SubJobs).
	SubJobs      []V1SubJob `json:"-"`
	SubJobsTotal int        `json:"-"`
	// ProcessPercent is IMS's entities.process_percent, nil elsewhere.
	ProcessPercent *float64 `json:"-"`
}

// V1SubJob is one sub-job of a v1 job: the fields of the body that a job
// and its sub-jobs share.
type V1SubJob struct {
	ID        string `json:"job_id"`
	Type      string `json:"job_type"`
	Status    string `json:"status"`
	BeginTime string `json:"begin_time"`
	EndTime   string `json:"end_time"`
	// ErrorCode and FailReason are nil when the API sends null, as on
	// success.
	ErrorCode  *string         `json:"error_code"`
	FailReason *string         `json:"fail_reason"`
	Entities   json.RawMessage `json:"entities"`
}

// GetV1Job reads a job: GET /v1/{project_id}/jobs/{job_id} of api's
// service. Its sub-jobs come decoded from entities; entities that do not
// hold the service's shape leave them empty rather than fail the read,
// since they are there to be shown, and the job itself is whole.
func (c *Client) GetV1Job(ctx context.Context, api V1JobAPI, region, projectID, jobID string) (*V1Job, error) {
	path := []string{"v1", projectID, "jobs", jobID}
	var job V1Job
	resp, err := c.do(ctx, request{service: api.Service, region: region, method: http.MethodGet, path: path, projectID: projectID}, &job)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return &DecodeError{Method: http.MethodGet, Path: pathOf(path), StatusCode: resp.status,
			RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body)}
	}
	if job.ID == "" && job.Status == "" {
		// ECS answers some errors of the query itself with a 200 and
		// code and message ("its HTTP status codes may not be accurate").
		if code, msg := parseErrorBody(resp.body); code != "" {
			return nil, &APIError{StatusCode: resp.status, Code: c.ServerText(code, 64), Message: c.ServerText(msg, MaxMessageRunes),
				RequestID: requestID(resp.header), Method: http.MethodGet, Path: pathOf(path)}
		}
		return nil, fail(errors.New("the body has neither job_id nor status"))
	}
	if err := job.decodeEntities(api); err != nil {
		return nil, fail(err)
	}
	return &job, nil
}

func (j *V1Job) decodeEntities(api V1JobAPI) error {
	raw := bytes.TrimSpace(j.Entities)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	// Entities that are no object of JSON (the whole body was valid, so
	// this cannot happen) give no sub-jobs.
	var ent map[string]json.RawMessage
	_ = json.Unmarshal(raw, &ent)
	if list := bytes.TrimSpace(ent[api.SubJobsKey]); len(list) > 0 && list[0] == '[' {
		// A list that is not one of sub-jobs leaves them out; only one
		// that is too long fails the read.
		subs, err := decodeSubJobs(list)
		if errors.Is(err, ErrTooManySubJobs) {
			return err
		}
		j.SubJobs = subs
	}
	j.SubJobsTotal = len(j.SubJobs)
	var total int
	if t, ok := ent["sub_jobs_total"]; ok && json.Unmarshal(t, &total) == nil && total >= 0 {
		j.SubJobsTotal = total
	}
	// A pointer, so that null stays null rather than 0%.
	var pct *float64
	if p, ok := ent["process_percent"]; ok && api.Progress && json.Unmarshal(p, &pct) == nil {
		j.ProcessPercent = pct
	}
	return nil
}

// decodeSubJobs decodes an array of sub-jobs one at a time, and refuses
// the array as soon as it passes MaxSubJobs. An element that is not a
// sub-job object is skipped.
func decodeSubJobs(list []byte) ([]V1SubJob, error) {
	dec := json.NewDecoder(bytes.NewReader(list))
	if _, err := dec.Token(); err != nil { // [
		return nil, err
	}
	subs := []V1SubJob{}
	for n := 0; dec.More(); n++ {
		if n == MaxSubJobs {
			return nil, ErrTooManySubJobs
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		// Only objects are sub-jobs: null and other values are skipped.
		var s V1SubJob
		if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' || json.Unmarshal(raw, &s) != nil {
			continue
		}
		subs = append(subs, s)
	}
	return subs, nil
}

// CCEJob is a CCE job, with its first level of sub-jobs.
type CCEJob struct {
	ID           string
	Type         string
	ClusterID    string
	ResourceID   string
	ResourceName string
	Phase        string
	Reason       string
	// Created and Updated are as the API wrote them: Go's time.String().
	Created, Updated string
	SubJobs          []CCESubJob
}

// CCESubJob is a sub-job of a CCE job. Sub-jobs are full jobs of the same
// shape; only their first level is read, whatever depth the API nests.
type CCESubJob struct {
	ID, Type, Phase, Reason, ResourceName string
}

type cceJobWire struct {
	Metadata struct {
		UID               string `json:"uid"`
		CreationTimestamp string `json:"creationTimestamp"`
		UpdateTimestamp   string `json:"updateTimestamp"`
	} `json:"metadata"`
	Spec struct {
		Type         string          `json:"type"`
		ClusterUID   string          `json:"clusterUID"`
		ResourceID   string          `json:"resourceID"`
		ResourceName string          `json:"resourceName"`
		SubJobs      json.RawMessage `json:"subJobs"`
	} `json:"spec"`
	Status struct {
		Phase  string `json:"phase"`
		Reason string `json:"reason"`
	} `json:"status"`
}

// cceSubJobWire is a sub-job without its own sub-jobs, which are skipped.
type cceSubJobWire struct {
	Metadata struct {
		UID string `json:"uid"`
	} `json:"metadata"`
	Spec struct {
		Type         string `json:"type"`
		ResourceName string `json:"resourceName"`
	} `json:"spec"`
	Status struct {
		Phase  string `json:"phase"`
		Reason string `json:"reason"`
	} `json:"status"`
}

// GetCCEJob reads a job: GET /api/v3/projects/{project_id}/jobs/{job_id}.
func (c *Client) GetCCEJob(ctx context.Context, region, projectID, jobID string) (*CCEJob, error) {
	path := []string{"api", "v3", "projects", projectID, "jobs", jobID}
	var w cceJobWire
	resp, err := c.do(ctx, request{service: ServiceCCE, region: region, method: http.MethodGet, path: path, projectID: projectID}, &w)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return &DecodeError{Method: http.MethodGet, Path: pathOf(path), StatusCode: resp.status,
			RequestID: requestID(resp.header), Err: err, Excerpt: c.excerpt(resp.body)}
	}
	if w.Metadata.UID == "" && w.Status.Phase == "" {
		return nil, fail(errors.New("the body has neither metadata.uid nor status.phase"))
	}
	job := &CCEJob{
		ID: w.Metadata.UID, Type: w.Spec.Type, ClusterID: w.Spec.ClusterUID, ResourceID: w.Spec.ResourceID,
		ResourceName: w.Spec.ResourceName, Phase: w.Status.Phase, Reason: w.Status.Reason,
		Created: w.Metadata.CreationTimestamp, Updated: w.Metadata.UpdateTimestamp,
	}
	if list := bytes.TrimSpace(w.Spec.SubJobs); len(list) > 0 && list[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(list))
		_, _ = dec.Token() // [
		for n := 0; dec.More(); n++ {
			if n == MaxSubJobs {
				return nil, fail(ErrTooManySubJobs)
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fail(err)
			}
			// Only objects are sub-jobs, as for v1 jobs.
			var s cceSubJobWire
			if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' || json.Unmarshal(raw, &s) != nil {
				continue
			}
			job.SubJobs = append(job.SubJobs, CCESubJob{ID: s.Metadata.UID, Type: s.Spec.Type, Phase: s.Status.Phase,
				Reason: s.Status.Reason, ResourceName: s.Spec.ResourceName})
		}
	}
	return job, nil
}

// cceTimeLayout is Go's time.String() without its monotonic reading:
// "2020-02-02 08:12:40.672772389 +0000 UTC".
const cceTimeLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// ParseCCETime reads a CCE timestamp, which is Go's time.String() form
// ("2020-02-02 08:12:40.672772389 +0000 UTC", perhaps followed by a
// monotonic clock reading " m=+0.000000001"), and also takes RFC 3339. The
// zone abbreviation is not trusted: the numeric offset decides the instant.
func ParseCCETime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	// Go accepts offsets up to 24:59, which RFC 3339 does not.
	sane := func(t time.Time) bool {
		_, off := t.Zone()
		return off > -24*3600 && off < 24*3600
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil && sane(t) {
		return t, nil
	}
	fields := strings.Fields(s)
	if len(fields) == 4 {
		// Any abbreviation, as Go writes the zone's (UTC, CST, +08): the
		// offset before it is what counts.
		fields = fields[:3]
	}
	if len(fields) == 3 {
		if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700", strings.Join(fields, " ")); err == nil && sane(t) {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time in Go's time.String() form (%s) nor RFC 3339", CleanCut(s, 64), cceTimeLayout)
}
