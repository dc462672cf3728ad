package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// callContext describes a failed read in the user's terms, so that every
// error says what failed, where, and what to try.
type callContext struct {
	// Action completes "Cannot …": "read the background tasks of RocketMQ instance x".
	Action string
	// Service is the product name, such as "DMS" or "GaussDB(for MySQL)".
	Service string
	// EndpointKey is the provider's endpoints key of the service.
	EndpointKey string
	// Permission names the access a 403 most likely lacks.
	Permission string
	Region     string
	ProjectID  string
	// Timeout is the read timeout in force.
	Timeout time.Duration
	// NotFound maps a 404 to the attribute at fault, a summary and a hint.
	// It returns false when the 404 is not about a user's argument.
	NotFound func(e *client.APIError) (attr path.Path, summary, hint string, ok bool)
	// NotFoundCodes are error codes that mean "not found" whatever their
	// status, such as 400 DBS.200543; NotFound then handles them.
	NotFoundCodes []string
	// Reach, when set, replaces the advice given when the service cannot
	// be reached.
	Reach string
}

func (cc callContext) where() string {
	if cc.ProjectID == "" {
		return "region " + cc.Region
	}
	return fmt.Sprintf("project %s (region %s)", cc.ProjectID, cc.Region)
}

// reach is the advice for a service that cannot be reached.
func (cc callContext) reach() string {
	if cc.Reach != "" {
		return cc.Reach
	}
	return fmt.Sprintf("Check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and, if set, endpoints.%s.", cc.EndpointKey)
}

// addCallError appends one diagnostic for err, specific to its kind.
func addCallError(diags *diag.Diagnostics, err error, cc callContext) {
	var (
		apiErr       *client.APIError
		reqErr       *client.RequestError
		noAnswer     *client.NoAnswerError
		attemptTO    *client.AttemptTimeoutError
		decodeErr    *client.DecodeError
		tooLarge     *client.ResponseTooLargeError
		tooMany      *client.TooManyTasksError
		inconsistent *client.InconsistentPagesError
		credErr      *client.CredentialsError
		metaErr      *client.MetadataError
	)
	switch {
	case errors.As(err, &noAnswer) && errors.Is(err, context.DeadlineExceeded):
		// The read's time ran out while a request waited: the endpoint is
		// what failed, not the timeout.
		diags.AddError("No answer from "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %s did not answer before the read timeout of %s ran out (%s).\n\n"+
				"The endpoint may be wrong, or unreachable from this machine. %s "+
				"Raise timeouts.read only if this API is known to answer slowly.",
				cc.Action, cc.where(), endpointOf(noAnswer.URL), cc.Timeout, noAnswer, cc.reach()))
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError("Timed out",
			fmt.Sprintf("Could not %s within the read timeout of %s: %v\n\nRaise timeouts.read on the data source if the API is slow.", cc.Action, cc.Timeout, err))
	case errors.Is(err, context.Canceled):
		diags.AddError("Cancelled", fmt.Sprintf("Stopped before being able to %s: %v", cc.Action, err))
	case errors.Is(err, client.ErrTooManySubJobs):
		diags.AddAttributeError(path.Root("id"), "Job with too many sub-jobs",
			fmt.Sprintf("Could not %s in %s: the job lists more than %d sub-jobs, far more than any real job has, so the provider does not keep them (%v). "+
				"Check that id names the job you mean, and endpoints.%s if set.", cc.Action, cc.where(), client.MaxSubJobs, err, cc.EndpointKey))
	case errors.As(err, &credErr) || errors.As(err, &metaErr):
		// Temporary keys that expired during the read could not be
		// renewed: the service was not even asked.
		diags.AddError("Cannot renew the temporary keys",
			fmt.Sprintf("Could not %s in %s: the temporary keys expired and new ones could not be had: %v\n\n"+
				"Check the agency (assume_role) or, on ECS, the instance's agency and metadata service.", cc.Action, cc.where(), err))
	case errors.As(err, &apiErr):
		addAPIError(diags, apiErr, cc)
	case errors.As(err, &tooMany):
		diags.AddError("Too many tasks",
			fmt.Sprintf("Could not %s in %s: %v", cc.Action, cc.where(), err))
	case errors.As(err, &inconsistent):
		diags.AddError("Inconsistent answer from "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %v", cc.Action, cc.where(), err))
	case errors.As(err, &tooLarge):
		diags.AddError("Answer too large",
			fmt.Sprintf("Could not %s in %s: %v. Narrow the query (begin_time and end_time, or start and limit).", cc.Action, cc.where(), err))
	case errors.As(err, &decodeErr):
		diags.AddError("Unreadable answer from "+cc.Service,
			fmt.Sprintf("Could not %s in %s: the API answered with a body that is not what its documentation describes.\n\n%v\n\nIf a proxy sits in front of the API, check endpoints.%s.", cc.Action, cc.where(), err, cc.EndpointKey))
	case errors.As(err, &reqErr) && errors.As(err, &attemptTO):
		diags.AddError("No answer from "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %s did not answer any of %d attempts within %s each: %v\n\n%s",
				cc.Action, cc.where(), endpointOf(reqErr.URL), reqErr.Attempts, attemptTO.Limit, err, cc.reach()))
	case errors.As(err, &reqErr):
		diags.AddError("Cannot reach "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %v\n\n%s", cc.Action, cc.where(), err, cc.reach()))
	default:
		diags.AddError("Cannot "+cc.Action, fmt.Sprintf("Could not %s in %s: %v", cc.Action, cc.where(), err))
	}
}

// endpointOf reduces a request URL to the endpoint it went to,
// "https://dms.ap-southeast-1.myhuaweicloud.com", for messages.
func endpointOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

func addAPIError(diags *diag.Diagnostics, e *client.APIError, cc callContext) {
	summary := e.Summary()
	switch {
	case (e.StatusCode == http.StatusNotFound || slices.Contains(cc.NotFoundCodes, e.Code)) && cc.NotFound != nil:
		if attr, title, hint, ok := cc.NotFound(e); ok {
			diags.AddAttributeError(attr, title, fmt.Sprintf("%s in %s: %s. %s", title, cc.where(), summary, hint))
			return
		}
		diags.AddError("Not found", fmt.Sprintf("Could not %s in %s: %s. Check the region and project_id.", cc.Action, cc.where(), summary))
	case e.StatusCode == http.StatusUnauthorized:
		diags.AddError("Credentials rejected",
			fmt.Sprintf("%s rejected the credentials trying to %s in %s: %s.\n\nCheck the access key and secret key (or that the token has not expired), "+
				"and that this machine's clock is right: signed requests are only valid for 15 minutes.", cc.Service, cc.Action, cc.where(), summary))
	case e.StatusCode == http.StatusForbidden:
		diags.AddError("Access denied",
			fmt.Sprintf("Not allowed to %s in %s: %s.\n\nThe credentials most likely lack %s in this project. Ask an administrator to grant it, or check that project_id belongs to these credentials.",
				cc.Action, cc.where(), summary, cc.Permission))
	case client.IsThrottled(e):
		diags.AddError("Throttled by "+cc.Service,
			fmt.Sprintf("Could not %s in %s: the API kept throttling the requests: %s.\n\nSet max_requests_per_second on the provider (5 suits most accounts) so that requests are spaced out, or raise max_retries.", cc.Action, cc.where(), summary))
	case e.StatusCode >= 500 && e.NotAPIError:
		diags.AddError(cc.Service+" failed",
			fmt.Sprintf("Could not %s in %s: %s.\n\nThe body was not an API error, so a gateway or a proxy in front of %s most likely answered. "+
				"This is usually temporary; try again later. If it persists, check any proxy between this machine and the API (HTTPS_PROXY), and endpoints.%s if set.",
				cc.Action, cc.where(), summary, cc.Service, cc.EndpointKey))
	case e.StatusCode >= 500:
		diags.AddError(cc.Service+" failed",
			fmt.Sprintf("Could not %s in %s: the service answered with an error: %s.\n\nThis is usually temporary; try again later. If it persists, give the request id to Huawei Cloud support.", cc.Action, cc.where(), summary))
	case e.StatusCode == http.StatusBadRequest && e.Code == "DMS.00400002":
		diags.AddAttributeError(path.Root("project_id"), "Invalid project ID",
			fmt.Sprintf("Could not %s in %s: %s. Check project_id, or leave it out to have it looked up for the region.", cc.Action, cc.where(), summary))
	case e.StatusCode == http.StatusBadRequest:
		diags.AddError("Request rejected by "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %s. Check the data source's arguments.", cc.Action, cc.where(), summary))
	default:
		diags.AddError("Unexpected answer from "+cc.Service,
			fmt.Sprintf("Could not %s in %s: %s.", cc.Action, cc.where(), summary))
	}
}

// quoted is server text for a diagnostic where its edges matter, between
// quotes: cleaned and cut as client.CleanCut does.
func quoted(s string) string { return `"` + client.CleanCut(s, 100) + `"` }

// maxServerTextRunes bounds one piece of server text in a diagnostic, such
// as a task's name or a job's status.
const maxServerTextRunes = 200

// serverText makes a string the API sent fit for a diagnostic: the
// client's secrets masked, control characters neutralised, and cut.
func serverText(c *client.Client, s string) string { return c.ServerText(s, maxServerTextRunes) }

// quotedServer is server text between quotes, masked, cleaned and cut as
// quoted cuts: c may be nil, which only cleans.
func quotedServer(c *client.Client, s string) string { return `"` + c.ServerText(s, 100) + `"` }
