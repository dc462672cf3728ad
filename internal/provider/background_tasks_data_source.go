package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/text/unicode/norm"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// dmsEngine is one of the DMS engines that share the background-task API.
type dmsEngine struct {
	// typeName is the data source's name without the provider prefix.
	typeName string
	// title is the engine's name as the console shows it.
	title string
}

// taskStatuses are the documented statuses of a background task, and
// terminalTaskStatuses those after which a task never changes.
var (
	taskStatuses         = []string{"CREATED", "EXECUTING", "SUCCESS", "FAILED", "DELETED", "CANCELLED"}
	terminalTaskStatuses = []string{"SUCCESS", "FAILED", "DELETED", "CANCELLED"}
)

const defaultTasksReadTimeout = 20 * time.Minute

var (
	_ datasource.DataSourceWithConfigure      = (*backgroundTasksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*backgroundTasksDataSource)(nil)
)

// backgroundTasksDataSource reads the background tasks of a DMS instance;
// one type serves RocketMQ, Kafka and RabbitMQ.
type backgroundTasksDataSource struct {
	engine dmsEngine
	client *client.Client
	// concurrency is how many pages are read at once.
	concurrency int
}

func newBackgroundTasksDataSource(e dmsEngine) func() datasource.DataSource {
	return func() datasource.DataSource {
		return &backgroundTasksDataSource{engine: e, concurrency: client.DefaultPageConcurrency}
	}
}

type backgroundTasksModel struct {
	ID                types.String   `tfsdk:"id"`
	InstanceID        types.String   `tfsdk:"instance_id"`
	Region            types.String   `tfsdk:"region"`
	ProjectID         types.String   `tfsdk:"project_id"`
	TaskID            types.String   `tfsdk:"task_id"`
	BeginTime         types.String   `tfsdk:"begin_time"`
	EndTime           types.String   `tfsdk:"end_time"`
	Start             types.Int64    `tfsdk:"start"`
	Limit             types.Int64    `tfsdk:"limit"`
	Name              types.String   `tfsdk:"name"`
	Status            types.String   `tfsdk:"status"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	PollInterval      types.String   `tfsdk:"poll_interval"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	// TaskCount and Tasks are only read from the configuration, where they
	// are always null; Read writes them into the state as Terraform values
	// (see tasksValue).
	TaskCount types.Int64 `tfsdk:"task_count"`
	Tasks     types.List  `tfsdk:"tasks"`
}

// taskObjectType is the Terraform type of one element of tasks; it must
// match the schema's nested attributes (TestTasksValue checks it).
var (
	stringMapType  = tftypes.Map{ElementType: tftypes.String}
	taskObjectType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "name": tftypes.String, "user_name": tftypes.String, "user_id": tftypes.String,
		"status": tftypes.String, "created_at": tftypes.String, "updated_at": tftypes.String,
		"params": tftypes.String, "params_map": stringMapType,
	}}
	taskListType = tftypes.List{ElementType: taskObjectType}
)

func (d *backgroundTasksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.engine.typeName
}

func (d *backgroundTasksDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	e := d.engine.title
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads the background tasks of a DMS for %s instance: who did what to the instance, and when, "+
			"such as binding a public IP or restarting it. Reads every task (or one page, or one task), optionally filtered, "+
			"and can wait for a task to finish. "+
			"To read every task, the provider reads the first page of %d tasks, then the pages that `task_count` announces, %d at a time, "+
			"up to the provider's `max_tasks` (%s by default).", e, client.TaskPageSize, client.DefaultPageConcurrency, thousands(client.DefaultMaxTasks)),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`{project_id}/{instance_id}`, followed by `/{task_id}` when `task_id` is set.",
			},
			"instance_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: fmt.Sprintf("The ID of the %s instance, as the %s console shows it on the instance's page.", e, e),
				Validators:          []validator.String{plausibleID{}},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The region of the instance. Defaults to the provider's region.",
				Validators:          []validator.String{notBlank},
			},
			"project_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The project of the instance. Defaults to the provider's `project_id` for its region, or is looked up for `region`.",
				Validators:          []validator.String{plausibleID{}},
			},
			"task_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Read only this task, instead of the list. `tasks` then holds this one task and `task_count` is 1. " +
					"It cannot be combined with the list's arguments: `begin_time`, `end_time`, `start`, `limit`, `name` and `status`.",
				Validators: []validator.String{plausibleID{}},
			},
			"begin_time": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only tasks created at or after this time. `YYYYMMDDHHmmss` in UTC, as the API takes it, " +
					"or RFC 3339, so that `timeadd(plantimestamp(), \"-24h\")` works as it is.",
				Validators: []validator.String{windowTime{}, stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"end_time": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only tasks created at or before this time, in the same formats as `begin_time`. Must not be before `begin_time`.",
				Validators:          []validator.String{windowTime{}, stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"start": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Return exactly one page, starting at this 1-based position (the second page of 100 is `start = 101`). " +
					"When neither `start` nor `limit` is set, every page is read.",
				Validators: []validator.Int64{int64validator.AtLeast(1), int64validator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"limit": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Return exactly one page of at most this many tasks, from 1 to 100 (the API's default is 10 when only `start` is set).",
				Validators:          []validator.Int64{int64validator.Between(1, client.TaskPageSize), int64validator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only tasks with this name, such as `bindInstancePublicIp` or `restart`. Applied after reading; `task_count` is not affected. Not with `task_id`.",
				Validators:          []validator.String{notBlank, stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only tasks with this status: one of `CREATED`, `EXECUTING`, `SUCCESS`, `FAILED`, `DELETED`, `CANCELLED`. Applied after reading; `task_count` is not affected. Not with `task_id`.",
				Validators:          []validator.String{stringvalidator.OneOf(taskStatuses...), stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
			},
			"wait_for_completion": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "With `task_id`: poll until the task reaches `SUCCESS`, `FAILED`, `DELETED` or `CANCELLED`. " +
					"`true` needs `task_id`; `false` (the default) is accepted without it, so that a module can pass `wait_for_completion = var.wait`. " +
					"A task that ends `FAILED` is not an error of the data source; check `tasks[0].status` with a postcondition.",
			},
			"poll_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How often to poll while waiting, as a duration such as `\"10s\"`. Default `5s`, minimum `100ms`.",
				Validators:          []validator.String{goDuration{min: minPollInterval}},
			},
			"task_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The total the API reports for the query (the instance, and the time window if any), before the `name` and `status` filters; " +
					"1 with `task_id`. The API sends it as a string; it is a number here.",
			},
			"tasks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The tasks, newest first, as the API orders them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The task ID."},
					"name":       schema.StringAttribute{Computed: true, MarkdownDescription: "The task name, such as `bindInstancePublicIp`."},
					"user_name":  schema.StringAttribute{Computed: true, MarkdownDescription: "The user who started the task."},
					"user_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "The ID of that user."},
					"status":     schema.StringAttribute{Computed: true, MarkdownDescription: "The status: `CREATED`, `EXECUTING`, `SUCCESS`, `FAILED`, `DELETED` or `CANCELLED`."},
					"created_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the task started, in RFC 3339 as the API gives it."},
					"updated_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the task last changed (its end, once finished), in RFC 3339 as the API gives it."},
					"params":     schema.StringAttribute{Computed: true, MarkdownDescription: "The task parameters as the API gives them: usually a JSON string, to read with `jsondecode()`."},
					"params_map": schema.MapAttribute{
						Computed:    true,
						ElementType: types.StringType,
						MarkdownDescription: "The top-level keys of `params` when it is a JSON object: strings as they are, numbers and booleans in their JSON text, " +
							"nested values as compact JSON, and JSON null as null. Null when `params` is empty or not a JSON object.",
					},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *backgroundTasksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req, &resp.Diagnostics)
}

// ValidateConfig checks what single-attribute validators cannot: that
// waiting has a task to wait for, and that the window does not end before
// it begins. It runs at plan time, before any request.
func (d *backgroundTasksDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var wait types.Bool
	var taskID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("wait_for_completion"), &wait)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("task_id"), &taskID)...)
	// Only true needs a task: false, as a module passes it through from a
	// variable, means the same as leaving the argument out.
	if !wait.IsUnknown() && wait.ValueBool() && taskID.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("wait_for_completion"), "wait_for_completion needs task_id",
			"wait_for_completion = true waits for one task to finish, so it needs task_id. "+
				"Set task_id to the task to wait for, or set wait_for_completion to false to read the list as it is.")
	}

	var begin, end types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("begin_time"), &begin)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("end_time"), &end)...)
	if begin.IsNull() || begin.IsUnknown() || end.IsNull() || end.IsUnknown() {
		return
	}
	b, errB := parseWindowTime(begin.ValueString())
	e, errE := parseWindowTime(end.ValueString())
	if errB != nil || errE != nil {
		return // the attribute validators report these
	}
	if b.After(e) {
		resp.Diagnostics.AddAttributeError(path.Root("begin_time"), "begin_time is after end_time",
			fmt.Sprintf("The window begins at %s but ends earlier, at %s (both in UTC). Swap them, or move begin_time back.",
				b.Format(time.RFC3339), e.Format(time.RFC3339)))
	}
}

func (d *backgroundTasksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m backgroundTasksModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, diags := d.read(ctx, m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The state is the configuration with the computed attributes filled
	// in, built as Terraform values: State.Set's conversion of the model
	// took 13 of the provider's 30 ms for 257 tasks (BenchmarkReadDataSource257).
	tasks, folded, foldedCount, err := tasksValue(ctx, res.tasks)
	if err != nil {
		addCallError(&resp.Diagnostics, err, res.cc)
		return
	}
	resp.Diagnostics.Append(d.foldedWarning(folded, foldedCount)...)
	res.attrs["tasks"] = tasks
	state, err := withAttributes(req.Config.Raw, res.attrs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot build the data source's state",
			fmt.Sprintf("%v. This is always a bug in the provider; please report it.", err))
		return
	}
	resp.State.Raw = state
}

// tasksRead is what a read found: the computed attributes but tasks, as
// Terraform values, and the tasks to put into the state.
type tasksRead struct {
	attrs map[string]tftypes.Value
	tasks []client.Task
	// cc describes the read, for diagnostics of what follows it.
	cc callContext
}

// read does the work of Read that does not depend on how the state is
// written: it reads the task, the page or every page that m asks for.
func (d *backgroundTasksDataSource) read(ctx context.Context, m backgroundTasksModel) (tasksRead, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.client == nil {
		notConfigured(&diags)
		return tasksRead{}, diags
	}
	timeout, interval := readLimits(ctx, m.Timeouts, defaultTasksReadTimeout, m.PollInterval, &diags)
	if diags.HasError() {
		return tasksRead{}, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	sc, ok := resolveScope(ctx, d.client, m.Region, m.ProjectID, timeout, &diags)
	if !ok {
		return tasksRead{}, diags
	}
	instanceID := m.InstanceID.ValueString()
	cc := d.callContext(sc, instanceID, m.TaskID.ValueString(), timeout)

	var page client.TaskPage
	switch {
	case !m.TaskID.IsNull():
		task, err := d.readTask(ctx, sc, instanceID, m.TaskID.ValueString(), m.WaitForCompletion.ValueBool(), interval)
		var waited *waitTimeout[*client.Task]
		switch {
		case errors.As(err, &waited):
			diags.AddAttributeError(path.Root("task_id"), "Timed out waiting for the task",
				fmt.Sprintf("Task %s (%s) of %s instance %s did not finish within %s. Its last status was %s, seen at %s (updated_at %s).\n\n"+
					"Raise timeouts.read, or leave out wait_for_completion to read the task as it is.",
					m.TaskID.ValueString(), serverText(d.client, waited.Last.Name), d.engine.title, instanceID, timeout, serverText(d.client, waited.Last.Status),
					waited.LastSeen.UTC().Format(time.RFC3339), serverText(d.client, waited.Last.UpdatedAt)))
			return tasksRead{}, diags
		case err != nil:
			addCallError(&diags, err, cc)
			return tasksRead{}, diags
		}
		page = client.TaskPage{TaskCount: 1, Tasks: []client.Task{*task}}
	default:
		q := client.TaskQuery{Region: sc.Region, ProjectID: sc.ProjectID, InstanceID: instanceID}
		// Validation has already accepted both; here they only change form.
		if !m.BeginTime.IsNull() {
			t, _ := parseWindowTime(m.BeginTime.ValueString())
			q.BeginTime = t.Format(windowLayout)
		}
		if !m.EndTime.IsNull() {
			t, _ := parseWindowTime(m.EndTime.ValueString())
			q.EndTime = t.Format(windowLayout)
		}
		if !m.Start.IsNull() || !m.Limit.IsNull() {
			q.Start, q.Limit = int(m.Start.ValueInt64()), int(m.Limit.ValueInt64())
			p, err := d.client.ListTasks(ctx, q)
			if err != nil {
				addCallError(&diags, err, cc)
				return tasksRead{}, diags
			}
			page = *p
		} else {
			list, err := d.client.ListAllTasks(ctx, q, d.concurrency)
			if err != nil {
				addCallError(&diags, err, cc)
				return tasksRead{}, diags
			}
			page = client.TaskPage{TaskCount: client.FlexInt(list.Reported), Tasks: list.Tasks}
		}
	}

	id := sc.ProjectID + "/" + instanceID
	if !m.TaskID.IsNull() {
		id += "/" + m.TaskID.ValueString()
	}
	return tasksRead{
		attrs: map[string]tftypes.Value{
			"id":         tftypes.NewValue(tftypes.String, id),
			"region":     tftypes.NewValue(tftypes.String, sc.Region),
			"project_id": tftypes.NewValue(tftypes.String, sc.ProjectID),
			"task_count": tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(int64(page.TaskCount))),
		},
		tasks: filterTasks(page.Tasks, m.Name.ValueString(), m.Status.ValueString()),
		cc:    cc,
	}, diags
}

// foldedWarning is the warning about the params whose keys paramsMap
// folded into one, or none.
func (d *backgroundTasksDataSource) foldedWarning(folded []string, count int) diag.Diagnostics {
	var diags diag.Diagnostics
	if count == 0 {
		return diags
	}
	ids := make([]string, len(folded))
	for i, id := range folded {
		ids[i] = serverText(d.client, id)
	}
	diags.AddAttributeWarning(path.Root("tasks"), "Task parameters with keys that only differ in Unicode normalization",
		fmt.Sprintf("In %d task(s), such as %s, params has keys that are the same once put in Unicode NFC, the form Terraform holds keys in. "+
			"params_map keeps the value of the last of them in byte order; params has them all, for jsondecode().",
			count, strings.Join(ids, ", ")))
	return diags
}

// readTask reads one task, and with wait polls it until it is terminal.
// A wait that runs out of time returns a *waitTimeout[*client.Task].
func (d *backgroundTasksDataSource) readTask(ctx context.Context, sc scope, instanceID, taskID string, wait bool, interval time.Duration) (*client.Task, error) {
	return poll(ctx, interval, func(ctx context.Context, _ int, elapsed time.Duration) (*client.Task, bool, error) {
		t, err := d.client.GetTask(ctx, sc.Region, sc.ProjectID, instanceID, taskID)
		if err != nil || !wait {
			return t, err == nil, err
		}
		done := slices.Contains(terminalTaskStatuses, t.Status)
		tflog.Info(ctx, "polled background task", map[string]any{
			"engine": d.engine.title, "instance_id": instanceID, "task_id": taskID, "status": t.Status,
			"elapsed": elapsed.Round(time.Millisecond).String(), "done": done,
		})
		return t, done, nil
	})
}

func (d *backgroundTasksDataSource) callContext(sc scope, instanceID, taskID string, timeout time.Duration) callContext {
	e := d.engine.title
	action := fmt.Sprintf("read the background tasks of %s instance %s", e, instanceID)
	if taskID != "" {
		action = fmt.Sprintf("read background task %s of %s instance %s", taskID, e, instanceID)
	}
	return callContext{
		Action: action, Service: "DMS", EndpointKey: client.ServiceDMS,
		Permission: "DMS read access (the DMS ReadOnlyAccess policy, or dms:instance:get and dms:instance:list)",
		Region:     sc.Region, ProjectID: sc.ProjectID, Timeout: timeout,
		NotFound: func(apiErr *client.APIError) (path.Path, string, string, bool) {
			// DMS.00404022 means the instance; any other 404 on a task
			// route (DMS.00404026 in practice) means the task.
			if taskID != "" && apiErr.Code != "DMS.00404022" {
				return path.Root("task_id"), fmt.Sprintf("Background task %s of %s instance %s was not found", taskID, e, instanceID),
					"Check task_id; the API keeps tasks of the last months only.", true
			}
			return path.Root("instance_id"), fmt.Sprintf("%s instance %s was not found", e, instanceID),
				"Check instance_id and region.", true
		},
	}
}

// filterTasks keeps the tasks with the given name and status ("" keeps all).
func filterTasks(tasks []client.Task, name, status string) []client.Task {
	if name == "" && status == "" {
		return tasks
	}
	out := make([]client.Task, 0, len(tasks))
	for _, t := range tasks {
		if (name == "" || t.Name == name) && (status == "" || t.Status == status) {
			out = append(out, t)
		}
	}
	return out
}

// tasksValue converts API tasks to the state's tasks list: never null, and
// empty when there are none. It checks ctx every few hundred tasks, so that
// Ctrl-C ends the conversion of a large list within a second, and returns
// the IDs of the tasks (at most maxFoldedReported) whose params had keys
// that are one key in Unicode NFC, and how many there were.
func tasksValue(ctx context.Context, tasks []client.Task) (list tftypes.Value, folded []string, foldedCount int, err error) {
	elems := make([]tftypes.Value, len(tasks))
	for i, t := range tasks {
		if i%512 == 511 {
			if err := ctx.Err(); err != nil {
				return tftypes.Value{}, nil, 0, err
			}
		}
		pm, fold := paramsMap(t.Params)
		if fold {
			if foldedCount++; len(folded) < maxFoldedReported {
				folded = append(folded, t.ID)
			}
		}
		elems[i] = tftypes.NewValue(taskObjectType, map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, t.ID), "name": tftypes.NewValue(tftypes.String, t.Name),
			"user_name": tftypes.NewValue(tftypes.String, t.UserName), "user_id": tftypes.NewValue(tftypes.String, t.UserID),
			"status": tftypes.NewValue(tftypes.String, t.Status), "created_at": tftypes.NewValue(tftypes.String, t.CreatedAt),
			"updated_at": tftypes.NewValue(tftypes.String, t.UpdatedAt), "params": tftypes.NewValue(tftypes.String, t.Params),
			"params_map": pm,
		})
	}
	return tftypes.NewValue(taskListType, elems), folded, foldedCount, nil
}

// maxFoldedReported bounds the task IDs one warning names.
const maxFoldedReported = 5

// paramsMap flattens the top-level keys of params into strings, or returns
// a null map when params is empty or not a JSON object; see paramsFields.
func paramsMap(params string) (value tftypes.Value, folded bool) {
	fields, folded, ok := paramsFields(params)
	if !ok {
		return tftypes.NewValue(stringMapType, nil), false
	}
	values := make(map[string]tftypes.Value, len(fields))
	for k, v := range fields {
		if v == nil {
			values[k] = tftypes.NewValue(tftypes.String, nil)
		} else {
			values[k] = tftypes.NewValue(tftypes.String, *v)
		}
	}
	return tftypes.NewValue(stringMapType, values), folded
}

// paramsFields is what params_map holds: the top-level keys of params, when
// it is a JSON object (ok), with strings as they are, numbers and booleans
// in their JSON text, nested values as compact JSON, and JSON null as nil.
// Keys are put in Unicode NFC, as Terraform holds attribute and map keys;
// when two keys are one key in NFC, the last in byte order wins, so that
// the result is the same on every run, and folded is true. Both ways of
// writing the state (paramsMap and encodeParamsMap) take it from here.
func paramsFields(params string) (fields map[string]*string, folded, ok bool) {
	var raws map[string]json.RawMessage
	if err := json.Unmarshal([]byte(params), &raws); err != nil || raws == nil {
		return nil, false, false
	}
	keys := make([]string, 0, len(raws))
	normal := true
	for k := range raws {
		keys = append(keys, k)
		normal = normal && norm.NFC.IsNormalString(k)
	}
	if !normal {
		// Only keys outside NFC can collide, and only then does the order
		// matter.
		slices.Sort(keys)
	}
	fields = make(map[string]*string, len(raws))
	for _, k := range keys {
		raw := bytes.TrimSpace(raws[k])
		name := k
		if !normal {
			name = norm.NFC.String(k)
			if _, dup := fields[name]; dup {
				folded = true
			}
		}
		var text string
		switch raw[0] {
		case '"':
			if err := json.Unmarshal(raw, &text); err != nil {
				return nil, false, false
			}
		case '{', '[':
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, false, false
			}
			text = b.String()
		case 'n':
			fields[name] = nil
			continue
		default: // numbers and booleans keep their JSON text
			text = string(raw)
		}
		fields[name] = &text
	}
	return fields, folded, true
}
