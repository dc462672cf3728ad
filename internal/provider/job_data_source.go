package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// dbJobService is one database service whose task center the job shape
// reads: they share GET /v3/{project_id}/jobs?id= and differ in small ways,
// which this describes.
type dbJobService struct {
	// typeName is the data source's name without the provider prefix.
	typeName string
	// product is the service's name in messages and docs.
	product string
	api     client.JobAPI
	// statuses are the documented statuses; waiting those that keep a wait
	// going. Completed and Failed end it everywhere.
	statuses, waiting []string
	// notFoundCodes are the error codes that mean the job is not there,
	// whatever their HTTP status (a 404 always does).
	notFoundCodes []string
	// progressField is the API's name for the progress: process or
	// progress.
	progressField string
	// entities says the API has entities.
	entities bool
	// permission names the access a 403 most likely lacks.
	permission string
	// exampleJob is a job name for the docs; console where the console
	// shows jobs.
	exampleJob, console string
}

// terminalJobStatuses are the statuses after which a job never changes, in
// every database service.
var terminalJobStatuses = []string{"Completed", "Failed"}

var _ stateReader = (*dbJobDataSource)(nil)

// dbJobDataSource reads one job of a database service's task center; one
// type serves every dbJobService.
type dbJobDataSource struct {
	dataSourceBase
	svc dbJobService
}

func newDBJobDataSource(s dbJobService) func() datasource.DataSource {
	return func() datasource.DataSource { return &dbJobDataSource{svc: s} }
}

func (d *dbJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.svc.typeName
}

// jobInstanceAttrTypes is the type of instance, for the schema and the
// state.
func jobInstanceAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{"id": types.StringType, "name": types.StringType}
}

func (d *dbJobDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := d.svc
	attrs := jobArguments(d.kind(), fmt.Sprintf("The job ID, as the API that started the job returned it (`job_id`), or as %s shows it.", s.console))
	maps.Copy(attrs, map[string]schema.Attribute{
		"name": computedAttribute(types.StringType, fmt.Sprintf("The job name, such as `%s`.", s.exampleJob)),
		"status": computedAttribute(types.StringType, "The status: "+codeList(s.statuses, "or")+
			". Any other status the API may add ends a wait, with a warning."),
		"created": computedAttribute(types.StringType, "When the job was created, in RFC 3339 with the API's offset: the API's `2018-08-06T10:41:14+0800` becomes "+
			"`2018-08-06T10:41:14+08:00`, and a zero offset becomes `Z`. Null when the API gives none; a value that is not a time is kept as it is, with a warning."),
		"ended": computedAttribute(types.StringType, "When the job ended, normalized like `created`. Null until `status` is `Completed` or `Failed`, "+
			"even when the API sends a time earlier."),
		"process": computedAttribute(types.StringType, fmt.Sprintf("The progress as the API gives it (its `%s`), such as `60%%`; empty once the job is no longer running.", s.progressField)),
		"progress": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "The progress as a number from 0 to 100, parsed from `process` (`60%` gives 60; a fraction is rounded down). " +
				"Null when `process` is empty, or, with a warning, when it is not a percentage.",
		},
		"instance": schema.SingleNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The instance the job works on.",
			Attributes: map[string]schema.Attribute{
				"id":   computedAttribute(jobInstanceAttrTypes()["id"], "The instance ID."),
				"name": computedAttribute(jobInstanceAttrTypes()["name"], "The instance name."),
			},
		},
		"entities": schema.DynamicAttribute{
			Computed: true,
			MarkdownDescription: "The job's `entities`, whose shape depends on the job, as a value of the same structure, as `jsondecode()` would give it: " +
				"objects have their keys as attributes, arrays are tuples, and JSON `null` is null. " +
				"`entities.instance.datastore.type` works directly; use `try()` for keys that only some jobs have. Null when the API gives no `entities`" +
				map[bool]string{true: ".", false: fmt.Sprintf(", which %s never does today.", s.product)}[s.entities],
		},
		"entities_json": schema.StringAttribute{
			Computed:            true,
			CustomType:          jsontypes.NormalizedType{},
			MarkdownDescription: "The same `entities` as compact JSON, with numbers exactly as the API sent them. Null when the API gives no `entities`.",
		},
		"fail_reason": computedAttribute(types.StringType, "Why the job failed"+map[bool]string{true: ", in the language of `language`", false: ""}[s.api.Language]+
			". Empty when the API gives none, as for jobs that did not fail, so that `error_message = self.fail_reason` is always a valid postcondition message."),
	})
	if s.api.Language {
		attrs["language"] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The language of `fail_reason` and of the API's error messages: `en-us` or `zh-cn`, sent as the `X-Language` header. " +
				"The API's default is `en-us`.",
			Validators: []validator.String{stringvalidator.OneOf("en-us", "zh-cn")},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads a job of the %s task center, such as `%s`, and can wait for it to finish. "+
			"A job that ends `Failed` is not an error of the data source: guard on `status` with a postcondition.", s.product, s.exampleJob),
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeouts.Block(ctx)},
	}
}

func (d *dbJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readInto(ctx, d, req, resp)
}

func (d *dbJobDataSource) readState(ctx context.Context, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics) {
	a, diags := readJobArgs(ctx, config, d.svc.api.Language)
	if diags.HasError() {
		return nil, diags
	}
	state, rd := readJobState(ctx, &d.dataSourceBase, d.kind(), a, config, typ)
	diags.Append(rd...)
	return state, diags
}

// kind is how the shared job flow reads and writes a database job.
func (d *dbJobDataSource) kind() *jobKind[*client.Job] {
	s := d.svc
	return &jobKind[*client.Job]{
		product: s.product, endpoint: s.api.Service, permission: s.permission,
		statuses: s.statuses, waiting: s.waiting, terminal: terminalJobStatuses, success: "Completed",
		notFoundCodes: s.notFoundCodes,
		get: func(ctx context.Context, c *client.Client, env readEnv, a jobArgs) (*client.Job, error) {
			return c.GetJob(ctx, s.api, env.Region, env.ProjectID, a.ID.ValueString(), a.Language.ValueString())
		},
		status: func(j *client.Job) string { return j.Status },
		logFields: func(j *client.Job) map[string]any {
			var progress any // null in the log when there is none
			if p, err := parseJobProgress(j.Process); err == nil && p != nil {
				progress = *p
			}
			return map[string]any{"name": j.Name, "process": j.Process, "progress": progress}
		},
		lastSeen: func(c *client.Client, j *client.Job) (string, string) {
			last := sanitizeJob(c, j)
			return fmt.Sprintf("Job %s (%s) on instance %s", last.ID, last.Name, instanceLabel(last.Instance)),
				last.Status + ", " + describeProgress(last.Process)
		},
		values: func(ctx context.Context, c *client.Client, j *client.Job) (map[string]attr.Value, diag.Diagnostics) {
			return jobValues(ctx, c, *j)
		},
		size: func(j *client.Job) int { return len(j.Entities) },
	}
}

// sanitizeJob returns a copy of job whose strings are fit for a
// diagnostic: secrets masked, control characters neutralised, and cut.
func sanitizeJob(c *client.Client, job *client.Job) *client.Job {
	out := *job
	for _, f := range []*string{&out.ID, &out.Name, &out.Status, &out.Created, &out.Ended, &out.Process,
		&out.Instance.ID, &out.Instance.Name, &out.FailReason} {
		*f = serverText(c, *f)
	}
	out.Entities = nil
	return &out
}

// jobValues converts a job of the API to the data source's computed
// attributes but region and project_id. Values it has to keep as they are,
// or leave null, come with warnings.
func jobValues(ctx context.Context, c *client.Client, job client.Job) (map[string]attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	// fail_reason is empty rather than null when there is none: Terraform
	// evaluates a postcondition's error_message even when the condition
	// holds, and rejects a null one, so the documented guard would fail on
	// every completed job.
	instance, d := types.ObjectValue(jobInstanceAttrTypes(), map[string]attr.Value{
		"id": types.StringValue(job.Instance.ID), "name": types.StringValue(job.Instance.Name),
	})
	diags.Append(d...)
	v := map[string]attr.Value{
		"name": types.StringValue(job.Name), "status": types.StringValue(job.Status),
		"process": types.StringValue(job.Process), "progress": types.Int64Null(),
		"fail_reason": types.StringValue(job.FailReason), "instance": instance,
	}
	p, err := parseJobProgress(job.Process)
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("progress"), "Unreadable job progress",
			fmt.Sprintf("Job %s reports its progress (process) as %s: %v. progress is left null; process has the text as it is.",
				serverText(c, job.ID), quotedServer(c, job.Process), err))
	case p != nil:
		v["progress"] = types.Int64Value(*p)
	}
	v["created"] = jobTimeValue(c, "created", job.ID, job.Created, &diags)
	// DDS sends ended while a job still runs: a job has ended only once
	// its status says so.
	v["ended"] = types.StringNull()
	if slices.Contains(terminalJobStatuses, job.Status) {
		v["ended"] = jobTimeValue(c, "ended", job.ID, job.Ended, &diags)
	}
	ent, entJSON, ed := entitiesToDynamic(ctx, c, job.Entities)
	diags.Append(ed...)
	v["entities"], v["entities_json"] = ent, entJSON
	return v, diags
}

func instanceLabel(i client.JobInstance) string {
	switch {
	case i.ID == "" && i.Name == "":
		return "(none given)"
	case i.Name == "":
		return i.ID
	}
	return fmt.Sprintf("%s (%s)", i.Name, i.ID)
}

// describeProgress renders process for a message: "progress 60% (process
// "60%")" or "with no progress reported".
func describeProgress(process string) string {
	if p, err := parseJobProgress(process); err == nil && p != nil {
		return fmt.Sprintf("progress %d%% (process %q)", *p, process)
	}
	if strings.TrimSpace(process) == "" {
		return "with no progress reported"
	}
	return fmt.Sprintf("process %q", process)
}

// jobTimeValue is created or ended for the state: null when empty,
// normalized when it is a time, and as it is, with a warning, otherwise.
func jobTimeValue(c *client.Client, attr, jobID, s string, diags *diag.Diagnostics) types.String {
	if strings.TrimSpace(s) == "" {
		return types.StringNull()
	}
	t, ok := normalizeJobTime(s)
	if !ok {
		diags.AddAttributeWarning(path.Root(attr), "Unreadable job time",
			fmt.Sprintf("Job %s has %s = %s, which is not a time in the API's format (such as 2018-08-06T10:41:14+0800) nor RFC 3339. "+
				"It is kept as it is, so Terraform's time functions such as timecmp() will reject it.", serverText(c, jobID), attr, quotedServer(c, s)))
	}
	return types.StringValue(t)
}

// jobTimeLayouts are the API's documented format, whose offset has no colon
// ("+0800"), and RFC 3339. Both accept "Z", and fractional seconds.
var jobTimeLayouts = []string{"2006-01-02T15:04:05Z0700", time.RFC3339}

// normalizeJobTime turns a time of the API into RFC 3339, keeping its
// offset (a zero offset is written Z): "2018-08-06T10:41:14+0800" becomes
// "2018-08-06T10:41:14+08:00". It returns s and false when s is not such a
// time.
func normalizeJobTime(s string) (string, bool) {
	in := strings.TrimSpace(s)
	for _, layout := range jobTimeLayouts {
		t, err := time.Parse(layout, in)
		if err != nil {
			continue
		}
		// Go accepts offsets up to 24:60, which RFC 3339 does not.
		if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
			return s, false
		}
		return t.Format(time.RFC3339Nano), true
	}
	return s, false
}

// progressPattern is a percentage as process shows it, without its %.
var progressPattern = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?$`)

// parseJobProgress reads process: "60%", "60" or " 60 % " give 60, a
// fraction is rounded down (so that 99.5% does not read as done), and an
// empty process gives nil. Anything else, or a number above 100, is an
// error.
func parseJobProgress(process string) (*int64, error) {
	s := strings.TrimSpace(process)
	if s == "" {
		return nil, nil
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	m := progressPattern.FindStringSubmatch(s)
	if m == nil {
		return nil, errors.New("expected a percentage such as 60%")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > 100 {
		return nil, errors.New("expected a percentage from 0 to 100")
	}
	return &n, nil
}
