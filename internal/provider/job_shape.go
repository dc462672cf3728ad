package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// The job data sources (database jobs, v1 jobs, CCE jobs) read one job by
// ID and can wait for it to end. jobKind is what one API shape of job
// brings to that shared flow; readJobState is the flow.

// jobKind describes how the jobs of one API are read, waited for and
// written into the state. J is the client's type of job.
type jobKind[J any] struct {
	// product is the service's name in messages ("RDS", "ECS").
	product    string
	endpoint   string
	permission string
	// statuses are the documented statuses; waiting those that keep a
	// wait going, terminal those that end it. Any other ends it too, with
	// a warning.
	statuses, waiting, terminal []string
	// success is the status of a job that worked, for messages.
	success string
	// notFoundCodes are error codes meaning the job is not there,
	// whatever their HTTP status; a 404 always is.
	notFoundCodes []string
	// get reads the job once.
	get func(ctx context.Context, c *client.Client, env readEnv, a jobArgs) (J, error)
	// status is the job's status; logFields what a poll logs besides.
	status    func(j J) string
	logFields func(j J) map[string]any
	// lastSeen describes a job a wait gave up on, for its diagnostic:
	// who it is ("Job x (ResizeFlavor) on instance y") and where it stood
	// ("Running, progress 60%"), its strings made fit to show with c.
	lastSeen func(c *client.Client, j J) (who, where string)
	// values are the computed attributes, but region and project_id.
	values func(ctx context.Context, c *client.Client, j J) (map[string]attr.Value, diag.Diagnostics)
	// size is the bytes a job's state is expected to take, beyond a few
	// hundred.
	size func(j J) int
}

// jobArgs are the arguments every job data source has, and language,
// null where the API takes none.
type jobArgs struct {
	ID, Region, ProjectID, Language, PollInterval types.String
	WaitForCompletion                             types.Bool
	Timeouts                                      timeouts.Value
}

const defaultJobReadTimeout = 30 * time.Minute

func readJobArgs(ctx context.Context, config tfsdk.Config, withLanguage bool) (jobArgs, diag.Diagnostics) {
	a := jobArgs{Language: types.StringNull()}
	var diags diag.Diagnostics
	targets := map[string]any{
		"id": &a.ID, "region": &a.Region, "project_id": &a.ProjectID, "poll_interval": &a.PollInterval,
		"wait_for_completion": &a.WaitForCompletion, "timeouts": &a.Timeouts,
	}
	if withLanguage {
		targets["language"] = &a.Language
	}
	for name, target := range targets {
		diags.Append(config.GetAttribute(ctx, path.Root(name), target)...)
	}
	return a, diags
}

// jobArguments are the schema of the arguments every job data source has;
// idDesc describes id.
func jobArguments[J any](k *jobKind[J], idDesc string) map[string]schema.Attribute {
	keep := "`" + strings.Join(k.waiting, "` and `") + "` keep polling"
	attrs := scopeAttributes("job")
	maps.Copy(attrs, map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: idDesc,
			Validators:          []validator.String{plausibleID{}},
		},
		"wait_for_completion": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Poll until `status` is " + codeList(k.terminal, "or") + "; " + keep + ". " +
				"A job that fails is not an error of the data source; check `status` with a postcondition.",
		},
		"poll_interval": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "How often to poll while waiting, as a duration such as `\"10s\"`. Default `5s`, minimum `100ms`. Only used with `wait_for_completion`.",
			Validators:          []validator.String{goDuration{min: minPollInterval}},
		},
	})
	return attrs
}

// readJobState is the Read of every job data source: it reads the job,
// waits for it when asked, and writes the state.
func readJobState[J any](ctx context.Context, d *dataSourceBase, k *jobKind[J], a jobArgs, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	ctx, cancel, env, ok := d.beginRead(ctx, readTimeouts{a.Timeouts, defaultJobReadTimeout, a.PollInterval}, a.Region, a.ProjectID, &diags)
	if !ok {
		return nil, diags
	}
	defer cancel()
	jobID := a.ID.ValueString()
	wait := a.WaitForCompletion.ValueBool()
	job, err := poll(ctx, env.interval, func(ctx context.Context, n int, elapsed time.Duration) (J, bool, error) {
		job, err := k.get(ctx, d.client, env, a)
		if err != nil || !wait {
			return job, err == nil, err
		}
		status := k.status(job)
		done := !slices.Contains(k.waiting, status)
		fields := map[string]any{"job_id": jobID, "status": status, "polls": n, "elapsed": elapsed.Round(time.Millisecond).String(), "done": done}
		maps.Copy(fields, k.logFields(job))
		tflog.Info(ctx, "polled "+k.product+" job", fields)
		if done && !slices.Contains(k.terminal, status) {
			// An unknown status might be terminal (a new "Cancelled", say);
			// waiting on it could only end in a timeout.
			diags.AddAttributeWarning(path.Root("status"), "Unknown job status",
				fmt.Sprintf("Job %s has the status %q, which is none of %s. Stopped waiting after %s; "+
					"a postcondition on status == %q still catches it.", jobID, serverText(d.client, status),
					strings.Join(k.statuses, ", "), elapsed.Round(time.Millisecond), k.success))
		}
		return job, done, nil
	})
	var waited *waitTimeout[J]
	switch {
	case errors.As(err, &waited):
		who, where := k.lastSeen(d.client, waited.Last)
		addWaitTimeout(&diags, path.Root("id"), k.product+" job",
			fmt.Sprintf("%s did not finish within the read timeout of %s: waited %s over %d reads. Its last status was %s, seen at %s.",
				who, env.timeout, waited.Waited.Round(time.Millisecond), waited.Reads, where, waited.LastSeen.UTC().Format(time.RFC3339)))
		return nil, diags
	case err != nil:
		addCallError(&diags, err, k.callContext(env, jobID))
		return nil, diags
	}
	values, vd := k.values(ctx, d.client, job)
	diags.Append(vd...)
	set := map[string]tftypes.Value{
		"region": tftypes.NewValue(tftypes.String, env.Region), "project_id": tftypes.NewValue(tftypes.String, env.ProjectID),
	}
	for name, v := range values {
		set[name] = tfValue(ctx, v)
	}
	state, err := encodeState(typ, config.Raw, set, nil, k.size(job))
	if err != nil {
		diags.AddError("Cannot build the data source's state", fmt.Sprintf("%v. This is always a bug in the provider; please report it.", err))
		return nil, diags
	}
	return state, diags
}

func (k *jobKind[J]) callContext(env readEnv, jobID string) callContext {
	return callContext{
		Action: "read " + k.product + " job " + jobID, Service: k.product, EndpointKey: k.endpoint,
		Permission: k.permission, Region: env.Region, ProjectID: env.ProjectID, Timeout: env.timeout,
		NotFoundCodes: k.notFoundCodes,
		NotFound: func(*client.APIError) (path.Path, string, string, bool) {
			// The job routes have no other path parameter than the
			// project, whose errors are 400 and 403: a 404 is about the
			// job.
			return path.Root("id"), fmt.Sprintf("%s job %s was not found", k.product, jobID),
				"Check id, and that region and project_id are those of the job; jobs are kept for a limited time only (about a month).", true
		},
	}
}

// endedValue is a job's end time for the state: null until the job has
// ended, whatever the API sends before.
func endedValue(c *client.Client, attr, jobID, s string, ended bool, diags *diag.Diagnostics) types.String {
	if !ended {
		return types.StringNull()
	}
	return jobTimeValue(c, attr, jobID, s, diags)
}

// stringFields are the attributes of an object whose every attribute is a
// string, such as a sub-job: defined once, they give both the schema and
// the type of the values.
type stringFields []struct{ name, desc string }

func (f stringFields) attrTypes() map[string]attr.Type {
	m := make(map[string]attr.Type, len(f))
	for _, x := range f {
		m[x.name] = types.StringType
	}
	return m
}

func (f stringFields) attributes() map[string]schema.Attribute {
	m := make(map[string]schema.Attribute, len(f))
	for _, x := range f {
		m[x.name] = computedAttribute(types.StringType, x.desc)
	}
	return m
}

// subJobsEnded says, for a wait's diagnostic, how many of a job's sub-jobs
// had ended: ", 3 of 5 sub-jobs ended", or "" when it has none.
func subJobsEnded[S any](subs []S, status func(S) string, terminal []string) string {
	if len(subs) == 0 {
		return ""
	}
	done := 0
	for _, s := range subs {
		if slices.Contains(terminal, status(s)) {
			done++
		}
	}
	return fmt.Sprintf(", %d of %d sub-jobs ended", done, len(subs))
}
