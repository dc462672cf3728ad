package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/text/unicode/norm"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// taskService is one service whose background tasks the task-list shape
// reads: the three DMS engines, which share one API, and DCS.
type taskService struct {
	// typeName is the data source's name without the provider prefix.
	typeName string
	// title is the engine's or product's name as the console shows it.
	title string
	// product is the service in messages: "DMS" or "DCS".
	product string
	api     client.TaskAPI
	// statuses are the documented statuses, terminal those after which a
	// task never changes, waiting those that keep a wait going: any other
	// ends it too, with a warning.
	statuses, terminal, waiting []string
	// instanceNotFound are the error codes of an unknown instance.
	instanceNotFound []string
	// permission names the access a 403 most likely lacks.
	permission string
	// exampleTask is a task name for the docs.
	exampleTask string
	// details says the tasks carry details and enable_show (DCS).
	details bool
	// keepsTasks says, for the docs, how long the API keeps tasks.
	keepsTasks string
}

// The DMS engines share the API, its statuses and its errors.
var (
	dmsStatuses         = []string{"CREATED", "EXECUTING", "SUCCESS", "FAILED", "DELETED", "CANCELLED"}
	dmsTerminalStatuses = []string{"SUCCESS", "FAILED", "DELETED", "CANCELLED"}
)

func dmsEngine(typeName, title string) taskService {
	return taskService{
		typeName: typeName, title: title, product: "DMS", api: client.DMSTasks,
		statuses: dmsStatuses, terminal: dmsTerminalStatuses, waiting: []string{"CREATED", "EXECUTING"},
		instanceNotFound: []string{"DMS.00404022"},
		permission:       "DMS read access (the DMS ReadOnlyAccess policy, or dms:instance:get and dms:instance:list)",
		exampleTask:      "bindInstancePublicIp", keepsTasks: "the API keeps tasks of the last months only",
	}
}

const defaultTasksReadTimeout = 20 * time.Minute

var (
	_ stateReader                             = (*backgroundTasksDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*backgroundTasksDataSource)(nil)
)

// backgroundTasksDataSource reads the background tasks of an instance;
// one type serves every taskService.
type backgroundTasksDataSource struct {
	dataSourceBase
	svc taskService
	// concurrency is how many pages are read at once.
	concurrency int
}

func newBackgroundTasksDataSource(s taskService) func() datasource.DataSource {
	return func() datasource.DataSource {
		return &backgroundTasksDataSource{svc: s, concurrency: client.DefaultPageConcurrency}
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
	// are always null; readState writes them into the state.
	TaskCount types.Int64 `tfsdk:"task_count"`
	Tasks     types.List  `tfsdk:"tasks"`
}

// codeList writes values as a Markdown list of code: "`A`, `B` or `C`".
func codeList(values []string, last string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + last + " " + q[len(q)-1]
}

func (d *backgroundTasksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.svc.typeName
}

func (d *backgroundTasksDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := d.svc
	e := s.title
	product := s.product + " for " + e
	if s.product == e {
		product = e
	}
	oneTask := "A task is read by its own URL."
	if !s.api.HasGet {
		oneTask = fmt.Sprintf("%s has no way to read one task by ID, so `task_id` finds the task in the list, newest first, reading only the pages it takes; waiting reads them again at each poll.", e)
	}
	pageParam := "`start` goes to the API as it is"
	if s.api.Offset {
		pageParam = "`start` goes to the API as the 0-based `offset`, `start - 1`"
	}
	attrs := scopeAttributes("instance")
	maps.Copy(attrs, map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`{project_id}/{instance_id}`, followed by `/{task_id}` when `task_id` is set.",
		},
		"instance_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: fmt.Sprintf("The ID of the %s instance, as the %s console shows it on the instance's page.", e, e),
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
			MarkdownDescription: "Return exactly one page, starting at this 1-based position (the second page of 100 is `start = 101`); " + pageParam + ". " +
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
			MarkdownDescription: fmt.Sprintf("Keep only tasks with this name, such as `%s`. Applied after reading; `task_count` is not affected. Not with `task_id`.", s.exampleTask),
			Validators:          []validator.String{notBlank, stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
		},
		"status": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Keep only tasks with this status: one of " + codeList(s.statuses, "or") + ". Applied after reading; `task_count` is not affected. Not with `task_id`.",
			Validators:          []validator.String{stringvalidator.OneOf(s.statuses...), stringvalidator.ConflictsWith(path.MatchRoot("task_id"))},
		},
		"wait_for_completion": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "With `task_id`: poll until the task reaches " + codeList(s.terminal, "or") + ". " +
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
			NestedObject:        schema.NestedAttributeObject{Attributes: taskAttributes(s)},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Reads the background tasks of a %s instance: who did what to the instance, and when, "+
			"such as a resize or binding a public IP. Reads every task (or one page, or one task), optionally filtered, "+
			"and can wait for a task to finish. "+
			"To read every task, the provider reads the first page of %d tasks, then the pages that `task_count` announces, %d at a time, "+
			"up to the provider's `max_tasks` (%s by default). %s", product, client.TaskPageSize, client.DefaultPageConcurrency, thousands(client.DefaultMaxTasks), oneTask),
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
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
	readInto(ctx, d, req, resp)
}

// readState reads the task, the page or every page that config asks for,
// and writes the tasks straight from the API's structs into the state: for
// a large list, building them as Terraform values first took most of the
// plugin's memory (BENCHMARKS.md).
func (d *backgroundTasksDataSource) readState(ctx context.Context, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics) {
	var m backgroundTasksModel
	diags := config.Get(ctx, &m)
	if diags.HasError() {
		return nil, diags
	}
	res, readDiags := d.read(ctx, m)
	diags.Append(readDiags...)
	if diags.HasError() {
		return nil, diags
	}
	w := &tasksWriter{fields: taskFields(d.svc)}
	// About 300 bytes a task, as the tasks of the seed documents encode.
	state, err := encodeState(typ, config.Raw, res.attrs, map[string]attrWriter{"tasks": w.writer(ctx, res.tasks)}, 300*len(res.tasks))
	switch {
	case err != nil && ctx.Err() != nil:
		addCallError(&diags, err, res.cc)
		return nil, diags
	case err != nil:
		diags.AddError("Cannot build the data source's state", fmt.Sprintf("%v. This is always a bug in the provider; please report it.", err))
		return nil, diags
	}
	diags.Append(d.foldedWarning(w.folded, w.foldedCount)...)
	return state, diags
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
	ctx, cancel, env, ok := d.beginRead(ctx, readTimeouts{m.Timeouts, defaultTasksReadTimeout, m.PollInterval}, m.Region, m.ProjectID, &diags)
	if !ok {
		return tasksRead{}, diags
	}
	defer cancel()
	sc, timeout, interval := env.scope, env.timeout, env.interval
	instanceID := m.InstanceID.ValueString()
	cc := d.callContext(sc, instanceID, m.TaskID.ValueString(), timeout)

	var page client.TaskPage
	switch {
	case !m.TaskID.IsNull():
		var warnings []string
		task, err := d.readTask(ctx, sc, instanceID, m.TaskID.ValueString(), m.WaitForCompletion.ValueBool(), interval, &warnings)
		for _, w := range warnings {
			diags.AddAttributeWarning(path.Root("tasks"), "Unknown task status", w)
		}
		var waited *waitTimeout[*client.Task]
		switch {
		case errors.As(err, &waited):
			addWaitTimeout(&diags, path.Root("task_id"), "task",
				fmt.Sprintf("Task %s (%s) of %s instance %s did not finish within %s. Its last status was %s, seen at %s (updated_at %s).",
					m.TaskID.ValueString(), serverText(d.client, waited.Last.Name), d.svc.title, instanceID, timeout, serverText(d.client, waited.Last.Status),
					waited.LastSeen.UTC().Format(time.RFC3339), serverText(d.client, waited.Last.UpdatedAt)))
			return tasksRead{}, diags
		case err != nil:
			addCallError(&diags, err, cc)
			return tasksRead{}, diags
		}
		page = client.TaskPage{TaskCount: 1, Tasks: []client.Task{*task}}
	default:
		q := client.TaskQuery{API: d.svc.api, Region: sc.Region, ProjectID: sc.ProjectID, InstanceID: instanceID}
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

// readTask reads one task, and with wait polls it until it is no longer
// waiting; warnings gets a note about a status the docs do not list.
// A wait that runs out of time returns a *waitTimeout[*client.Task].
func (d *backgroundTasksDataSource) readTask(ctx context.Context, sc scope, instanceID, taskID string, wait bool, interval time.Duration, warnings *[]string) (*client.Task, error) {
	return poll(ctx, interval, func(ctx context.Context, _ int, elapsed time.Duration) (*client.Task, bool, error) {
		t, err := d.client.GetTask(ctx, client.TaskQuery{API: d.svc.api, Region: sc.Region, ProjectID: sc.ProjectID, InstanceID: instanceID}, taskID)
		if err != nil || !wait {
			return t, err == nil, err
		}
		done := !slices.Contains(d.svc.waiting, t.Status)
		tflog.Info(ctx, "polled background task", map[string]any{
			"service": d.svc.title, "instance_id": instanceID, "task_id": taskID, "status": t.Status,
			"elapsed": elapsed.Round(time.Millisecond).String(), "done": done,
		})
		if done && !slices.Contains(d.svc.terminal, t.Status) {
			// A status the docs do not list may well be final (a
			// "CANCELED"); waiting on it could only end in a timeout.
			*warnings = append(*warnings, fmt.Sprintf("Task %s has the status %s, which is none of %s. Stopped waiting after %s; "+
				"a postcondition on tasks[0].status still catches it.", taskID, quotedServer(d.client, t.Status),
				strings.Join(d.svc.statuses, ", "), elapsed.Round(time.Millisecond)))
		}
		return t, done, nil
	})
}

func (d *backgroundTasksDataSource) callContext(sc scope, instanceID, taskID string, timeout time.Duration) callContext {
	s := d.svc
	e := s.title
	action := fmt.Sprintf("read the background tasks of %s instance %s", e, instanceID)
	if taskID != "" {
		action = fmt.Sprintf("read background task %s of %s instance %s", taskID, e, instanceID)
	}
	return callContext{
		Action: action, Service: s.product, EndpointKey: s.api.Service,
		Permission: s.permission,
		Region:     sc.Region, ProjectID: sc.ProjectID, Timeout: timeout,
		NotFound: func(apiErr *client.APIError) (path.Path, string, string, bool) {
			// The instance's own code means the instance; any other 404
			// on a task route (DMS.00404026 in practice, or no such task
			// in the list) means the task.
			if taskID != "" && !slices.Contains(s.instanceNotFound, apiErr.Code) {
				return path.Root("task_id"), fmt.Sprintf("Background task %s of %s instance %s was not found", taskID, e, instanceID),
					"Check task_id; " + s.keepsTasks + ".", true
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
