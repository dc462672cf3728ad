package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// dataSources lists every data source the provider serves.
var dataSources = []func() datasource.DataSource{
	NewRocketMQBackgroundTasksDataSource,
	NewKafkaBackgroundTasksDataSource,
	NewRabbitMQBackgroundTasksDataSource,
	NewGaussDBJobDataSource,
	NewRDSJobDataSource,
	NewOpenGaussJobDataSource,
	NewDDSJobDataSource,
	NewGeminiDBJobDataSource,
	NewDCSBackgroundTasksDataSource,
	NewECSJobDataSource,
	NewEVSJobDataSource,
	NewIMSJobDataSource,
	NewCCEJobDataSource,
}

// clientFrom takes the configured client from a data source's
// ConfigureRequest. It returns nil before the provider is configured
// (Terraform validates configurations that way), which is not an error.
func clientFrom(req datasource.ConfigureRequest, diags *diag.Diagnostics) *client.Client {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is always a bug in the provider; please report it.", req.ProviderData))
		return nil
	}
	return data.client
}

// notConfigured is the diagnostic of a Read that runs without a client.
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider not configured",
		"The hwtasks provider was not configured before this data source was read. This is always a bug in the provider; please report it.")
}

// scopeAttributes are the region and project_id arguments of a data
// source; what names the thing read, such as "instance" or "job".
func scopeAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"region": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "The region of the " + what + ". Defaults to the provider's region.",
			Validators:          []validator.String{notBlank},
		},
		"project_id": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "The project of the " + what + ". Defaults to the provider's `project_id` for its region, or is looked up for `region`.",
			Validators:          []validator.String{plausibleID{}},
		},
	}
}

// scope is where a data source reads: its region and that region's project.
type scope struct {
	Region    string
	ProjectID string
}

// resolveScope applies a data source's region and project_id overrides to
// the provider's, looking the project ID up when neither gives one.
// timeout is the read timeout in force, for messages.
func resolveScope(ctx context.Context, c *client.Client, region, projectID types.String, timeout time.Duration, diags *diag.Diagnostics) (scope, bool) {
	s := scope{Region: c.Region()}
	if !region.IsNull() && region.ValueString() != "" {
		s.Region = region.ValueString()
	}
	if !projectID.IsNull() && projectID.ValueString() != "" {
		s.ProjectID = projectID.ValueString()
		return s, true
	}
	id, err := c.ProjectID(ctx, s.Region)
	if err != nil {
		addLookupError(diags, c, err, s.Region, timeout)
		return s, false
	}
	s.ProjectID = id
	return s, true
}

// addLookupError reports a failed project lookup. A region IAM does not
// know points at region; everything else (credentials, an unreachable IAM,
// throttling) is classified like any other call, because "set project_id"
// would not help with those.
func addLookupError(diags *diag.Diagnostics, c *client.Client, err error, region string, timeout time.Duration) {
	var lookupErr *client.ProjectLookupError
	if errors.As(err, &lookupErr) {
		diags.AddAttributeError(path.Root("region"), "Cannot find the project ID of region "+region,
			lookupErr.Error()+". project_id, on the provider or on this data source, skips the lookup.")
		return
	}
	action := "look up the project ID of region " + region
	if c.Auth() == client.AuthPassword {
		action = "obtain an IAM token for region " + region
	}
	addCallError(diags, err, callContext{
		Action: action, Service: "IAM", EndpointKey: client.ServiceIAM,
		Permission: "permission to list the account's projects (iam:projects:list); setting project_id skips the lookup",
		Region:     region, Timeout: timeout,
		Reach: fmt.Sprintf("IAM is at %s for this region. Check cloud (a typo there sends every request astray), endpoints.iam if set, "+
			"the network and the proxy settings (HTTPS_PROXY, NO_PROXY).", iamURL(c, region)),
	})
}

// iamURL is IAM's base URL for region, for messages.
func iamURL(c *client.Client, region string) string {
	u, err := c.BaseURL(client.ServiceIAM, region)
	if err != nil {
		return "(no IAM endpoint: " + err.Error() + ")"
	}
	return u.String()
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
