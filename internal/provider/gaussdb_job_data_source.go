package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/text/unicode/norm"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// gaussDBService is the product name that diagnostics use.
const gaussDBService = "GaussDB(for MySQL)"

// terminalJobStatuses are the statuses after which a job never changes, and
// waitingJobStatuses those that keep a wait going. The API documents no
// others.
var (
	terminalJobStatuses = []string{"Completed", "Failed"}
	waitingJobStatuses  = []string{"Pending", "Running"}
)

const defaultJobReadTimeout = 30 * time.Minute

var _ datasource.DataSourceWithConfigure = (*gaussDBJobDataSource)(nil)

// NewGaussDBJobDataSource returns hwtasks_gaussdb_job, a job of the
// GaussDB(for MySQL) task center, optionally waited for.
func NewGaussDBJobDataSource() datasource.DataSource {
	return &gaussDBJobDataSource{}
}

// gaussDBJobDataSource reads one job of the GaussDB(for MySQL) task center.
type gaussDBJobDataSource struct {
	client *client.Client
}

type gaussDBJobModel struct {
	ID                types.String         `tfsdk:"id"`
	Region            types.String         `tfsdk:"region"`
	ProjectID         types.String         `tfsdk:"project_id"`
	Language          types.String         `tfsdk:"language"`
	WaitForCompletion types.Bool           `tfsdk:"wait_for_completion"`
	PollInterval      types.String         `tfsdk:"poll_interval"`
	Timeouts          timeouts.Value       `tfsdk:"timeouts"`
	Name              types.String         `tfsdk:"name"`
	Status            types.String         `tfsdk:"status"`
	Created           types.String         `tfsdk:"created"`
	Ended             types.String         `tfsdk:"ended"`
	Process           types.String         `tfsdk:"process"`
	Progress          types.Int64          `tfsdk:"progress"`
	Instance          *gaussDBJobInstance  `tfsdk:"instance"`
	Entities          types.Dynamic        `tfsdk:"entities"`
	EntitiesJSON      jsontypes.Normalized `tfsdk:"entities_json"`
	FailReason        types.String         `tfsdk:"fail_reason"`
}

type gaussDBJobInstance struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

func (d *gaussDBJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gaussdb_job"
}

func (d *gaussDBJobDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a job of the GaussDB(for MySQL) task center, such as the creation, resizing or restart of an instance, " +
			"and can wait for it to finish. A job that ends `Failed` is not an error of the data source: guard on `status` with a postcondition.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The job ID, as the API that started the job returned it (`job_id`), or as the task center of the GaussDB console shows it.",
				Validators:          []validator.String{plausibleID{}},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The region of the job. Defaults to the provider's region.",
				Validators:          []validator.String{notBlank},
			},
			"project_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The project of the job. Defaults to the provider's `project_id` for its region, or is looked up for `region`.",
				Validators:          []validator.String{plausibleID{}},
			},
			"language": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The language of `fail_reason` and of the API's error messages: `en-us` or `zh-cn`, sent as the `X-Language` header. " +
					"The API's default is `en-us`.",
				Validators: []validator.String{stringvalidator.OneOf("en-us", "zh-cn")},
			},
			"wait_for_completion": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Poll until `status` is `Completed` or `Failed`; `Pending` and `Running` keep polling. " +
					"A job that ends `Failed` is not an error of the data source; check `status` with a postcondition.",
			},
			"poll_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How often to poll while waiting, as a duration such as `\"10s\"`. Default `5s`, minimum `100ms`. Only used with `wait_for_completion`.",
				Validators:          []validator.String{goDuration{min: minPollInterval}},
			},
			"name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The job name, such as `CreateGaussDBforMySQLInstance`.",
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The status: `Pending`, `Running`, `Completed` or `Failed`.",
			},
			"created": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "When the job was created, in RFC 3339 with the API's offset: the API's `2018-08-06T10:41:14+0800` becomes " +
					"`2018-08-06T10:41:14+08:00`, and a zero offset becomes `Z`. Null when the API gives none; a value that is not a time is kept as it is, with a warning.",
			},
			"ended": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the job ended, normalized like `created`. Null while the job runs.",
			},
			"process": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The progress as the API gives it, such as `60%`; empty once the job is no longer running.",
			},
			"progress": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The progress as a number from 0 to 100, parsed from `process` (`60%` gives 60; a fraction is rounded down). " +
					"Null when `process` is empty, or, with a warning, when it is not a percentage.",
			},
			"instance": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The instance the job works on.",
				Attributes: map[string]schema.Attribute{
					"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The instance ID."},
					"name": schema.StringAttribute{Computed: true, MarkdownDescription: "The instance name."},
				},
			},
			"entities": schema.DynamicAttribute{
				Computed: true,
				MarkdownDescription: "The job's `entities`, whose shape depends on the job, as a value of the same structure, as `jsondecode()` would give it: " +
					"objects have their keys as attributes, arrays are tuples, and JSON `null` is null. " +
					"`entities.instance.datastore.type` works directly; use `try()` for keys that only some jobs have. Null when the API gives no `entities`.",
			},
			"entities_json": schema.StringAttribute{
				Computed:            true,
				CustomType:          jsontypes.NormalizedType{},
				MarkdownDescription: "The same `entities` as compact JSON, with numbers exactly as the API sent them. Null when the API gives no `entities`.",
			},
			"fail_reason": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Why the job failed, in the language of `language`. Empty when the API gives none, as for jobs that did not fail, " +
					"so that `error_message = self.fail_reason` is always a valid postcondition message.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *gaussDBJobDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req, &resp.Diagnostics)
}

func (d *gaussDBJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m gaussDBJobModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	timeout, interval := readLimits(ctx, m.Timeouts, defaultJobReadTimeout, m.PollInterval, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	sc, ok := resolveScope(ctx, d.client, m.Region, m.ProjectID, timeout, &resp.Diagnostics)
	if !ok {
		return
	}
	w := jobWait{
		jobID: m.ID.ValueString(), language: m.Language.ValueString(),
		wait: m.WaitForCompletion.ValueBool(), interval: interval, timeout: timeout,
	}
	job, err := d.readJob(ctx, sc, w, &resp.Diagnostics)
	var waited *waitTimeout[*client.Job]
	switch {
	case errors.As(err, &waited):
		last := sanitizeJob(d.client, waited.Last)
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Timed out waiting for the GaussDB(for MySQL) job",
			fmt.Sprintf("Job %s (%s) on instance %s did not finish within the read timeout of %s: waited %s over %d reads. "+
				"Its last status was %s, %s, seen at %s.\n\n"+
				"Raise timeouts.read, or leave out wait_for_completion to read the job as it is.",
				w.jobID, last.Name, instanceLabel(last.Instance), w.timeout, waited.Waited.Round(time.Millisecond), waited.Reads,
				last.Status, describeProgress(last.Process), waited.LastSeen.UTC().Format(time.RFC3339)))
		return
	case err != nil:
		addCallError(&resp.Diagnostics, err, jobCallContext(sc, w.jobID, timeout))
		return
	}

	out, diags := modelFromJob(ctx, *job)
	resp.Diagnostics.Append(diags...)
	// The arguments stay as configured; region and project_id show what was used.
	out.ID, out.Language, out.WaitForCompletion, out.PollInterval, out.Timeouts = m.ID, m.Language, m.WaitForCompletion, m.PollInterval, m.Timeouts
	out.Region, out.ProjectID = types.StringValue(sc.Region), types.StringValue(sc.ProjectID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// jobWait is what readJob reads, and how it waits.
type jobWait struct {
	jobID, language string
	wait            bool
	interval        time.Duration
	// timeout is the read timeout, for messages; ctx enforces it.
	timeout time.Duration
}

// readJob reads a job, and with w.wait polls it until it is terminal. A
// wait that runs out of time returns a *waitTimeout[*client.Job]; a
// cancelled wait (Ctrl-C) returns at once with ctx's error. diags only
// receives the warning about a status it does not know.
func (d *gaussDBJobDataSource) readJob(ctx context.Context, sc scope, w jobWait, diags *diag.Diagnostics) (*client.Job, error) {
	return poll(ctx, w.interval, func(ctx context.Context, n int, elapsed time.Duration) (*client.Job, bool, error) {
		job, err := d.client.GetJob(ctx, sc.Region, sc.ProjectID, w.jobID, w.language)
		if err != nil || !w.wait {
			return job, err == nil, err
		}
		done := !slices.Contains(waitingJobStatuses, job.Status)
		var progress any // null in the log when there is none
		if p, err := parseJobProgress(job.Process); err == nil && p != nil {
			progress = *p
		}
		tflog.Info(ctx, "polled GaussDB(for MySQL) job", map[string]any{
			"job_id": w.jobID, "name": job.Name, "status": job.Status, "process": job.Process, "progress": progress,
			"polls": n, "elapsed": elapsed.Round(time.Millisecond).String(), "done": done,
		})
		if done && !slices.Contains(terminalJobStatuses, job.Status) {
			// An unknown status might be terminal (a new "Cancelled", say);
			// waiting on it could only end in a timeout.
			diags.AddAttributeWarning(path.Root("status"), "Unknown job status",
				fmt.Sprintf("Job %s has the status %q, which is none of Pending, Running, Completed and Failed. Stopped waiting after %s; "+
					"a postcondition on status == \"Completed\" still catches it.", w.jobID, serverText(d.client, job.Status), elapsed.Round(time.Millisecond)))
		}
		return job, done, nil
	})
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

func jobCallContext(sc scope, jobID string, timeout time.Duration) callContext {
	return callContext{
		Action: "read " + gaussDBService + " job " + jobID, Service: gaussDBService, EndpointKey: client.ServiceGaussDB,
		Permission: "read access to GaussDB(for MySQL), such as the GaussDB ReadOnlyAccess system policy",
		Region:     sc.Region, ProjectID: sc.ProjectID, Timeout: timeout,
		NotFound: func(*client.APIError) (path.Path, string, string, bool) {
			// The jobs route has no other path parameter than the project,
			// whose errors are 400 and 403: a 404 is about the job.
			return path.Root("id"), fmt.Sprintf("%s job %s was not found", gaussDBService, jobID),
				"Check id, region and project_id; the task center only keeps the jobs of the last month.", true
		},
	}
}

// modelFromJob converts a job of the API to the data source's computed
// attributes; the arguments are left zero for Read to fill. Values it has
// to keep as they are, or leave null, come with warnings.
func modelFromJob(ctx context.Context, job client.Job) (gaussDBJobModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	// fail_reason is empty rather than null when there is none: Terraform
	// evaluates a postcondition's error_message even when the condition
	// holds, and rejects a null one, so the documented guard would fail on
	// every completed job.
	m := gaussDBJobModel{
		Name:       types.StringValue(job.Name),
		Status:     types.StringValue(job.Status),
		Process:    types.StringValue(job.Process),
		Progress:   types.Int64Null(),
		FailReason: types.StringValue(job.FailReason),
		Instance:   &gaussDBJobInstance{ID: types.StringValue(job.Instance.ID), Name: types.StringValue(job.Instance.Name)},
	}
	p, err := parseJobProgress(job.Process)
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("progress"), "Unreadable job progress",
			fmt.Sprintf("Job %s reports its progress (process) as %s: %v. progress is left null; process has the text as it is.",
				client.CleanCut(job.ID, 100), quoted(job.Process), err))
	case p != nil:
		m.Progress = types.Int64Value(*p)
	}
	m.Created = jobTimeValue("created", job.ID, job.Created, &diags)
	m.Ended = jobTimeValue("ended", job.ID, job.Ended, &diags)
	ent, entJSON, d := entitiesToDynamic(ctx, job.Entities)
	diags.Append(d...)
	m.Entities, m.EntitiesJSON = ent, entJSON
	return m, diags
}

// jobTimeValue is created or ended for the state: null when empty,
// normalized when it is a time, and as it is, with a warning, otherwise.
func jobTimeValue(attr, jobID, s string, diags *diag.Diagnostics) types.String {
	if strings.TrimSpace(s) == "" {
		return types.StringNull()
	}
	t, ok := normalizeJobTime(s)
	if !ok {
		diags.AddAttributeWarning(path.Root(attr), "Unreadable job time",
			fmt.Sprintf("Job %s has %s = %q, which is not a time in the API's format (such as 2018-08-06T10:41:14+0800) nor RFC 3339. "+
				"It is kept as it is, so Terraform's time functions such as timecmp() will reject it.", client.CleanCut(jobID, 100), attr, quoted(s)))
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

// maxEntitiesExponent bounds the binary exponent of the numbers in entities
// (about 1e±4900). Terraform would send a number beyond as its full decimal
// text, which for 1e100000000 is a hundred million digits.
const maxEntitiesExponent = 1 << 14

// maxEntitiesDepth bounds how deeply entities may nest to be converted.
// Real entities nest three or four levels. Every level of a dynamic value
// carries the type of everything below it, so the memory the framework
// needs grows with the square of the depth: 5,000 levels, about 60 KB of
// JSON, took the plugin past 6 GB.
const maxEntitiesDepth = 64

// maxEntitiesWarnings bounds the warnings one job's entities can raise, so
// that a body of a million odd numbers gives a few lines, not a million.
const maxEntitiesWarnings = 5

// entitiesToDynamic converts the API's entities to the dynamic value of
// entities and the compact JSON of entities_json. Objects become objects,
// arrays tuples, numbers are parsed at the 512 bits of precision Terraform
// itself uses, and JSON null is a null of dynamic type, which is what
// jsondecode() gives. Missing or null entities are null. Invalid UTF-8 is
// replaced by U+FFFD before either is made, so that both agree, and agree
// with what Terraform stores. Entities nested deeper than maxEntitiesDepth
// keep entities_json and leave entities null, with a warning. The
// conversion stops with ctx's error when ctx ends.
func entitiesToDynamic(ctx context.Context, raw json.RawMessage) (types.Dynamic, jsontypes.Normalized, diag.Diagnostics) {
	var diags diag.Diagnostics
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), nil
	}
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	if !json.Valid(raw) {
		diags.AddAttributeWarning(path.Root("entities"), "Unreadable job entities",
			"The API sent entities that are not JSON: "+client.Excerpt(raw, 200)+". entities and entities_json are left null.")
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw) // cannot fail on valid JSON
	entitiesJSON := jsontypes.NewNormalizedValue(compact.String())
	if depth := jsonDepth(raw); depth > maxEntitiesDepth {
		diags.AddAttributeWarning(path.Root("entities"), "Job entities nested too deeply",
			fmt.Sprintf("The job's entities nest more than %d levels deep, where real ones nest a few. entities is left null; "+
				"entities_json has them as the API sent them, for jsondecode() if they are really wanted.", maxEntitiesDepth))
		return types.DynamicNull(), entitiesJSON, diags
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// json.Valid said yes; only a bug could get here.
		diags.AddAttributeError(path.Root("entities"), "Cannot decode job entities",
			fmt.Sprintf("Decoding valid JSON failed: %v. This is always a bug in the provider; please report it.", err))
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	conv := jsonConverter{ctx: ctx, diags: &diags}
	val := conv.value(v, "entities")
	if conv.err != nil {
		diags.AddError("Cancelled", "Stopped converting the job's entities: "+conv.err.Error())
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	if conv.warnings > maxEntitiesWarnings {
		diags.AddAttributeWarning(path.Root("entities"), "More warnings about job entities",
			fmt.Sprintf("%d more warnings like the ones above were left out.", conv.warnings-maxEntitiesWarnings))
	}
	return types.DynamicValue(val), entitiesJSON, diags
}

// jsonDepth returns how deeply the JSON text nests objects and arrays, or
// maxEntitiesDepth+1 as soon as it nests deeper than that. It scans the
// bytes once, skipping strings, and sizes nothing by the input.
func jsonDepth(raw []byte) int {
	const limit = maxEntitiesDepth
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, b := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > limit {
					return limit + 1
				}
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return deepest
}

// jsonConverter converts a value decoded with UseNumber into a Terraform
// value. It checks ctx every few thousand values, so that Ctrl-C ends even
// a conversion of a 32 MiB body within a second, and bounds its warnings.
type jsonConverter struct {
	ctx      context.Context
	diags    *diag.Diagnostics
	visited  int
	warnings int
	err      error
}

// warn adds a warning unless maxEntitiesWarnings were added already.
func (c *jsonConverter) warn(summary, detail string) {
	c.warnings++
	if c.warnings <= maxEntitiesWarnings {
		c.diags.AddAttributeWarning(path.Root("entities"), summary, detail)
	}
}

// value converts v; where is its position, such as
// entities.instance.resource_ids[1], for warnings.
func (c *jsonConverter) value(v any, where string) attr.Value {
	if c.err != nil {
		return types.DynamicNull()
	}
	if c.visited++; c.visited%4096 == 0 {
		if c.err = c.ctx.Err(); c.err != nil {
			return types.DynamicNull()
		}
	}
	switch v := v.(type) {
	case nil:
		return types.DynamicNull()
	case bool:
		return types.BoolValue(v)
	case string:
		return types.StringValue(v)
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 512, big.ToNearestEven)
		if err == nil && !f.IsInf() {
			if exp := f.MantExp(nil); exp >= -maxEntitiesExponent && exp <= maxEntitiesExponent {
				return types.NumberValue(f)
			}
		}
		c.warn("Number out of range in job entities",
			fmt.Sprintf("%s is %s, beyond what Terraform can hold as a number; it is kept as a string. entities_json has it as the API sent it.",
				client.CleanCut(where, 200), client.CleanCut(string(v), 40)))
		return types.StringValue(string(v))
	case []any:
		elems := make([]attr.Value, len(v))
		elemTypes := make([]attr.Type, len(v))
		for i, e := range v {
			elems[i] = c.value(e, fmt.Sprintf("%s[%d]", where, i))
			elemTypes[i] = elems[i].Type(c.ctx)
		}
		t, d := types.TupleValue(elemTypes, elems)
		c.diags.Append(d...)
		return t
	case map[string]any:
		attrs := make(map[string]attr.Value, len(v))
		attrTypes := make(map[string]attr.Type, len(v))
		// Terraform holds attribute names in Unicode NFC and cannot find
		// one that is not; keys equal once normalized are one attribute.
		for _, k := range sortedKeys(v) {
			name := norm.NFC.String(k)
			if _, dup := attrs[name]; dup {
				c.warn("Duplicate key in job entities",
					fmt.Sprintf("%s has keys that only differ in their Unicode normalization (%s); the last in byte order is kept. entities_json has them all.",
						client.CleanCut(where, 200), quoted(name)))
			}
			attrs[name] = c.value(v[k], where+"."+name)
			attrTypes[name] = attrs[name].Type(c.ctx)
		}
		o, d := types.ObjectValue(attrTypes, attrs)
		c.diags.Append(d...)
		return o
	}
	// encoding/json gives no other types.
	c.diags.AddAttributeError(path.Root("entities"), "Unexpected value in job entities",
		fmt.Sprintf("%s decoded as %T. This is always a bug in the provider; please report it.", client.CleanCut(where, 200), v))
	return types.DynamicNull()
}
