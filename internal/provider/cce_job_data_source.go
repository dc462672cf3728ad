package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

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

// The CCE job phases: the official provider waits while a job is
// Initializing or Running.
var (
	cceJobPhases   = []string{"Initializing", "Running", "Success", "Failed"}
	cceJobWaiting  = []string{"Initializing", "Running"}
	cceJobTerminal = []string{"Success", "Failed"}
)

var _ stateReader = (*cceJobDataSource)(nil)

// NewCCEJobDataSource returns hwtasks_cce_job, a job of a CCE cluster or
// node pool.
func NewCCEJobDataSource() datasource.DataSource { return &cceJobDataSource{} }

type cceJobDataSource struct {
	dataSourceBase
}

func (d *cceJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cce_job"
}

// cceSubJobFields are the attributes of a sub-job, defined once for the
// schema and the state.
var cceSubJobFields = stringFields{
	{"id", "The sub-job's ID (`metadata.uid`)."},
	{"job_type", "Its type (`spec.type`), such as `CreateNode`."},
	{"status", "Its phase: `Initializing`, `Running`, `Success` or `Failed`."},
	{"reason", "Why it is in that phase, such as why it failed; empty when the API gives none."},
	{"resource_name", "The name of the resource it works on."},
}

func (d *cceJobDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	subAttrs := cceSubJobFields.attributes()
	timeDesc := " in RFC 3339, from the API's Go `time.String()` form (`2020-02-02 08:12:40.672772389 +0000 UTC` becomes `2020-02-02T08:12:40.672772389Z`). " +
		"Null when the API gives none; a value that is not a time is kept as it is, with a warning."
	attrs := jobArguments(cceKind(), "The job ID, as the CCE API that started the job returned it (`jobid` or `status.jobID`): creating or deleting a cluster, a node pool or nodes.")
	maps.Copy(attrs, map[string]schema.Attribute{
		"job_type":      computedAttribute(types.StringType, "The job type (`spec.type`), such as `CreateCluster` or `CreateNodePool`."),
		"status":        computedAttribute(types.StringType, "The phase (`status.phase`): `Initializing`, `Running`, `Success` or `Failed`. Any other phase the API may add ends a wait, with a warning."),
		"reason":        computedAttribute(types.StringType, "Why the job is in its phase (`status.reason`), such as why it failed; empty when the API gives none."),
		"cluster_id":    computedAttribute(types.StringType, "The cluster of the job (`spec.clusterUID`)."),
		"resource_id":   computedAttribute(types.StringType, "The resource the job works on (`spec.resourceID`)."),
		"resource_name": computedAttribute(types.StringType, "Its name (`spec.resourceName`)."),
		"created":       computedAttribute(types.StringType, "When the job was created (`metadata.creationTimestamp`),"+timeDesc),
		"updated":       computedAttribute(types.StringType, "When the job last changed (`metadata.updateTimestamp`),"+timeDesc),
		"sub_jobs": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The sub-jobs (`spec.subJobs`), first level only, in the API's order; empty when there are none.",
			NestedObject:        schema.NestedAttributeObject{Attributes: subAttrs},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a CCE job (`GET /api/v3/projects/{project_id}/jobs/{job_id}`), such as the creation of a cluster or a node pool, " +
			"with its sub-jobs, and can wait for it to finish. A job that ends `Failed` is not an error of the data source: guard on `status` with a postcondition.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeouts.Block(ctx)},
	}
}

func (d *cceJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readInto(ctx, d, req, resp)
}

func (d *cceJobDataSource) readState(ctx context.Context, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics) {
	a, diags := readJobArgs(ctx, config, false)
	if diags.HasError() {
		return nil, diags
	}
	state, rd := readJobState(ctx, &d.dataSourceBase, cceKind(), a, config, typ)
	diags.Append(rd...)
	return state, diags
}

func cceKind() *jobKind[*client.CCEJob] {
	return &jobKind[*client.CCEJob]{
		product: "CCE", endpoint: client.ServiceCCE,
		permission: "read access to CCE, such as the CCE ReadOnlyAccess system policy",
		statuses:   cceJobPhases, waiting: cceJobWaiting, terminal: cceJobTerminal, success: "Success",
		// CCE.01404001 "Resource not found." comes with a 404.
		get: func(ctx context.Context, c *client.Client, env readEnv, a jobArgs) (*client.CCEJob, error) {
			return c.GetCCEJob(ctx, env.Region, env.ProjectID, a.ID.ValueString())
		},
		status: func(j *client.CCEJob) string { return j.Phase },
		logFields: func(j *client.CCEJob) map[string]any {
			return map[string]any{"job_type": j.Type, "sub_jobs": len(j.SubJobs)}
		},
		lastSeen: func(c *client.Client, j *client.CCEJob) (string, string) {
			where := serverText(c, j.Phase) + subJobsEnded(j.SubJobs, func(s client.CCESubJob) string { return s.Phase }, cceJobTerminal)
			return fmt.Sprintf("Job %s (%s of %s)", serverText(c, j.ID), serverText(c, j.Type), serverText(c, j.ResourceName)), where
		},
		values: cceJobValues,
		size:   func(j *client.CCEJob) int { return 200 * len(j.SubJobs) },
	}
}

// cceJobValues converts a CCE job to the computed attributes.
func cceJobValues(ctx context.Context, c *client.Client, j *client.CCEJob) (map[string]attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	v := map[string]attr.Value{
		"job_type": types.StringValue(j.Type), "status": types.StringValue(j.Phase), "reason": types.StringValue(j.Reason),
		"cluster_id": types.StringValue(j.ClusterID), "resource_id": types.StringValue(j.ResourceID), "resource_name": types.StringValue(j.ResourceName),
		"created": cceTimeValue(c, "created", j.ID, j.Created, &diags),
		"updated": cceTimeValue(c, "updated", j.ID, j.Updated, &diags),
	}
	objType := types.ObjectType{AttrTypes: cceSubJobFields.attrTypes()}
	subs := make([]attr.Value, 0, len(j.SubJobs))
	for i, sj := range j.SubJobs {
		if i%256 == 255 && ctx.Err() != nil {
			diags.AddError("Cancelled", "Stopped converting the job's sub-jobs: "+ctx.Err().Error())
			return v, diags
		}
		o, od := types.ObjectValue(objType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(sj.ID), "job_type": types.StringValue(sj.Type), "status": types.StringValue(sj.Phase),
			"reason": types.StringValue(sj.Reason), "resource_name": types.StringValue(sj.ResourceName),
		})
		diags.Append(od...)
		subs = append(subs, o)
	}
	list, ld := types.ListValue(objType, subs)
	diags.Append(ld...)
	v["sub_jobs"] = list
	return v, diags
}

// cceTimeValue is created or updated for the state: null when empty, RFC
// 3339 when it is a time, and as it is, with a warning, otherwise.
func cceTimeValue(c *client.Client, attr, jobID, s string, diags *diag.Diagnostics) types.String {
	if strings.TrimSpace(s) == "" {
		return types.StringNull()
	}
	t, err := client.ParseCCETime(s)
	if err != nil {
		diags.AddAttributeWarning(path.Root(attr), "Unreadable job time",
			fmt.Sprintf("CCE job %s has %s = %s, which is not a time in Go's time.String() form (2020-02-02 08:12:40.672772389 +0000 UTC) nor RFC 3339. "+
				"It is kept as it is, so Terraform's time functions will reject it.", serverText(c, jobID), attr, quotedServer(c, s)))
		return types.StringValue(s)
	}
	return types.StringValue(t.Format(time.RFC3339Nano))
}
