package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// v1JobService is one service of GET /v1/{project_id}/jobs/{job_id}: ECS,
// EVS and IMS answer with the same body, and differ in their entities.
type v1JobService struct {
	typeName, product string
	api               client.V1JobAPI
	// exampleJob is a job type for the docs; permission names the access
	// a 403 most likely lacks.
	exampleJob, permission string
	// started names what starts such jobs, for the docs.
	started string
}

// The v1 job statuses, the same in all three services.
var (
	v1JobStatuses = []string{"INIT", "RUNNING", "SUCCESS", "FAIL"}
	v1JobWaiting  = []string{"INIT", "RUNNING"}
	v1JobTerminal = []string{"SUCCESS", "FAIL"}
)

var _ stateReader = (*v1JobDataSource)(nil)

// v1JobDataSource reads one v1 job; one type serves every v1JobService.
type v1JobDataSource struct {
	dataSourceBase
	svc v1JobService
}

func newV1JobDataSource(s v1JobService) func() datasource.DataSource {
	return func() datasource.DataSource { return &v1JobDataSource{svc: s} }
}

func (d *v1JobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.svc.typeName
}

// v1SubJobFields are the attributes of a sub-job, defined once for the
// schema and the state.
var v1SubJobFields = stringFields{
	{"id", "The sub-job's ID (`job_id`)."},
	{"job_type", "Its type."},
	{"status", "Its status: `INIT`, `RUNNING`, `SUCCESS` or `FAIL`."},
	{"begin_time", "When it began, in RFC 3339."},
	{"end_time", "When it ended, in RFC 3339; null until it has ended."},
	{"error_code", "Its error code when it failed; null otherwise."},
	{"fail_reason", "Why it failed; null otherwise."},
	{"entities_json", "Its `entities` as compact JSON (the server or volume it made); null when it has none."},
}

func (d *v1JobDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := d.svc
	subAttrs := v1SubJobFields.attributes()
	progressDesc := "The progress from 0 to 100. " + s.product + " reports none, so it is always null."
	if s.api.Progress {
		progressDesc = "The progress from 0 to 100, from `entities.process_percent`; null when the API gives none. " +
			"A `process_percent` of at most 1 is taken as a fraction (0.6 is 60), a larger one as a percentage."
	}
	attrs := jobArguments(d.kind(), fmt.Sprintf("The job ID, as the API that started the job returned it (`job_id`): %s.", s.started))
	maps.Copy(attrs, map[string]schema.Attribute{
		"job_type": computedAttribute(types.StringType, fmt.Sprintf("The job type, such as `%s`.", s.exampleJob)),
		"status":   computedAttribute(types.StringType, "The status: `INIT`, `RUNNING`, `SUCCESS` or `FAIL`. Any other status the API may add ends a wait, with a warning."),
		"begin_time": computedAttribute(types.StringType, "When the job began, in RFC 3339 (the API's `2016-04-25T20:04:34.604Z`). "+
			"Null when the API gives none; a value that is not a time is kept as it is, with a warning."),
		"end_time":    computedAttribute(types.StringType, "When the job ended, in RFC 3339. Null until `status` is `SUCCESS` or `FAIL`."),
		"error_code":  computedAttribute(types.StringType, "The job's error code when it failed; null when the API gives none, as on success."),
		"fail_reason": computedAttribute(types.StringType, "Why the job failed; null when the API gives none, as on success. A failed sub-job has its own in `sub_jobs`."),
		"progress":    schema.Int64Attribute{Computed: true, MarkdownDescription: progressDesc},
		"entities": schema.DynamicAttribute{
			Computed: true,
			MarkdownDescription: "The job's `entities` as a value of the same structure, as `jsondecode()` would give it: " +
				"`entities.server_id` and the like work directly; use `try()` for keys that only some jobs have. Null when the API gives none.",
		},
		"entities_json": schema.StringAttribute{
			Computed:            true,
			CustomType:          jsontypes.NormalizedType{},
			MarkdownDescription: "The same `entities` as compact JSON. Null when the API gives none.",
		},
		"sub_jobs": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: fmt.Sprintf("The sub-jobs, from `entities.%s`, in the API's order; empty when there are none.", s.api.SubJobsKey),
			NestedObject:        schema.NestedAttributeObject{Attributes: subAttrs},
		},
		"sub_jobs_total": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "How many sub-jobs the job has: `entities.sub_jobs_total` where the API gives it (ECS), else the length of `sub_jobs`.",
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads an %s job (`GET /v1/{project_id}/jobs/{job_id}`), such as `%s`, with its sub-jobs, and can wait for it to finish. "+
			"A job that ends `FAIL` is not an error of the data source: guard on `status` with a postcondition.", s.product, s.exampleJob),
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeouts.Block(ctx)},
	}
}

func (d *v1JobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readInto(ctx, d, req, resp)
}

func (d *v1JobDataSource) readState(ctx context.Context, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics) {
	a, diags := readJobArgs(ctx, config, false)
	if diags.HasError() {
		return nil, diags
	}
	state, rd := readJobState(ctx, &d.dataSourceBase, d.kind(), a, config, typ)
	diags.Append(rd...)
	return state, diags
}

func (d *v1JobDataSource) kind() *jobKind[*client.V1Job] {
	s := d.svc
	return &jobKind[*client.V1Job]{
		product: s.product, endpoint: s.api.Service, permission: s.permission,
		statuses: v1JobStatuses, waiting: v1JobWaiting, terminal: v1JobTerminal, success: "SUCCESS",
		// Common.0011 is the answer to an unknown or invalid job ID (and,
		// on EVS, to a wrong project).
		notFoundCodes: []string{"Common.0011"},
		get: func(ctx context.Context, c *client.Client, env readEnv, a jobArgs) (*client.V1Job, error) {
			return c.GetV1Job(ctx, s.api, env.Region, env.ProjectID, a.ID.ValueString())
		},
		status: func(j *client.V1Job) string { return j.Status },
		logFields: func(j *client.V1Job) map[string]any {
			return map[string]any{"job_type": j.Type, "sub_jobs": len(j.SubJobs)}
		},
		lastSeen: func(c *client.Client, j *client.V1Job) (string, string) {
			where := serverText(c, j.Status) + subJobsEnded(j.SubJobs, func(s client.V1SubJob) string { return s.Status }, v1JobTerminal)
			return fmt.Sprintf("Job %s (%s)", serverText(c, j.ID), serverText(c, j.Type)), where
		},
		values: v1JobValues,
		size:   func(j *client.V1Job) int { return 2 * len(j.Entities) },
	}
}

// v1JobValues converts a v1 job to the computed attributes.
func v1JobValues(ctx context.Context, c *client.Client, j *client.V1Job) (map[string]attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	ended := slices.Contains(v1JobTerminal, j.Status)
	v := map[string]attr.Value{
		"job_type": types.StringValue(j.Type), "status": types.StringValue(j.Status),
		"begin_time":     jobTimeValue(c, "begin_time", j.ID, j.BeginTime, &diags),
		"end_time":       endedValue(c, "end_time", j.ID, j.EndTime, ended, &diags),
		"error_code":     types.StringPointerValue(j.ErrorCode),
		"fail_reason":    types.StringPointerValue(j.FailReason),
		"progress":       imsProgress(c, j.ID, j.ProcessPercent, &diags),
		"sub_jobs_total": types.Int64Value(int64(j.SubJobsTotal)),
	}
	ent, entJSON, ed := entitiesToDynamic(ctx, c, j.Entities)
	diags.Append(ed...)
	v["entities"], v["entities_json"] = ent, entJSON

	objType := types.ObjectType{AttrTypes: v1SubJobFields.attrTypes()}
	subs := make([]attr.Value, 0, len(j.SubJobs))
	for i, sj := range j.SubJobs {
		if i%256 == 255 && ctx.Err() != nil {
			diags.AddError("Cancelled", "Stopped converting the job's sub-jobs: "+ctx.Err().Error())
			return v, diags
		}
		var ignored diag.Diagnostics // a sub-job's odd time is kept as it is, without a warning each
		// Only the JSON text: a sub-job's entities are not converted.
		entJSON := compactJSON(sj.Entities)
		o, od := types.ObjectValue(objType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(sj.ID), "job_type": types.StringValue(sj.Type), "status": types.StringValue(sj.Status),
			"begin_time":    jobTimeValue(c, "sub_jobs", sj.ID, sj.BeginTime, &ignored),
			"end_time":      endedValue(c, "sub_jobs", sj.ID, sj.EndTime, slices.Contains(v1JobTerminal, sj.Status), &ignored),
			"error_code":    types.StringPointerValue(sj.ErrorCode),
			"fail_reason":   types.StringPointerValue(sj.FailReason),
			"entities_json": types.StringPointerValue(entJSON),
		})
		diags.Append(od...)
		subs = append(subs, o)
	}
	list, ld := types.ListValue(objType, subs)
	diags.Append(ld...)
	v["sub_jobs"] = list
	return v, diags
}

// compactJSON is raw as compact JSON, or nil when it is missing, null or
// not JSON.
func compactJSON(raw json.RawMessage) *string {
	raw = bytes.TrimSpace(raw)
	var b bytes.Buffer
	if len(raw) == 0 || string(raw) == "null" || json.Compact(&b, raw) != nil {
		return nil
	}
	s := b.String()
	return &s
}

// imsProgress is IMS's process_percent as a whole percentage. Whether the
// API writes 0.6 or 60 for 60% is not documented: a value of at most 1 is
// read as a fraction, a larger one as a percentage, so both read right but
// for 1, which reads as done. Anything outside 0 to 100 is left null, with
// a warning.
func imsProgress(c *client.Client, jobID string, p *float64, diags *diag.Diagnostics) types.Int64 {
	if p == nil {
		return types.Int64Null()
	}
	v := *p
	if v >= 0 && v <= 1 {
		v *= 100
	}
	if math.IsNaN(v) || v < 0 || v > 100 {
		diags.AddAttributeWarning(path.Root("progress"), "Unreadable job progress",
			fmt.Sprintf("Job %s reports process_percent = %v, which is not a percentage. progress is left null.", serverText(c, jobID), *p))
		return types.Int64Null()
	}
	return types.Int64Value(int64(math.Floor(v)))
}
