// Package provider implements the hwtasks Terraform provider: its
// configuration and its data sources. It converts between Terraform values
// and the API types of internal/client, which does all the HTTP.
package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

var (
	_ provider.Provider                   = (*hwtasksProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*hwtasksProvider)(nil)
)

// New returns a constructor of the provider, as providerserver wants it.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &hwtasksProvider{version: version} }
}

type hwtasksProvider struct {
	version string

	// mu guards data, what Configure handed to the data sources; the
	// protocol server's own reads (server.go) take it from here.
	mu   sync.Mutex
	data *providerData
}

// configured returns what Configure made, or nil before it ran.
func (p *hwtasksProvider) configured() *providerData {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.data
}

type providerModel struct {
	Region        types.String  `tfsdk:"region"`
	ProjectID     types.String  `tfsdk:"project_id"`
	AccessKey     types.String  `tfsdk:"access_key"`
	SecretKey     types.String  `tfsdk:"secret_key"`
	SecurityToken types.String  `tfsdk:"security_token"`
	Token         types.String  `tfsdk:"token"`
	UserName      types.String  `tfsdk:"user_name"`
	Password      types.String  `tfsdk:"password"`
	DomainName    types.String  `tfsdk:"domain_name"`
	Cloud         types.String  `tfsdk:"cloud"`
	Endpoints     types.Map     `tfsdk:"endpoints"`
	Insecure      types.Bool    `tfsdk:"insecure"`
	CACertFile    types.String  `tfsdk:"cacert_file"`
	MaxRetries    types.Int64   `tfsdk:"max_retries"`
	MaxRPS        types.Float64 `tfsdk:"max_requests_per_second"`
	MaxTasks      types.Int64   `tfsdk:"max_tasks"`

	SharedConfigFile types.String `tfsdk:"shared_config_file"`
	Profile          types.String `tfsdk:"profile"`
	AssumeRole       types.Object `tfsdk:"assume_role"`
}

// providerData is what Configure hands to every data source.
type providerData struct {
	client *client.Client
}

func (p *hwtasksProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "hwtasks"
	resp.Version = p.version
}

// envVars lists, per argument, the environment variables it falls back to,
// first one set wins. It drives Configure and the schema's descriptions.
var envVars = map[string][]string{
	"region":                  {"HW_REGION_NAME", "OS_REGION_NAME"},
	"project_id":              {"HW_PROJECT_ID", "OS_PROJECT_ID", "OS_TENANT_ID"},
	"access_key":              {"HW_ACCESS_KEY", "OS_ACCESS_KEY"},
	"secret_key":              {"HW_SECRET_KEY", "OS_SECRET_KEY"},
	"security_token":          {"HW_SECURITY_TOKEN", "OS_SECURITY_TOKEN"},
	"token":                   {"HW_AUTH_TOKEN", "OS_AUTH_TOKEN"},
	"user_name":               {"HW_USER_NAME", "OS_USERNAME"},
	"password":                {"HW_USER_PASSWORD", "OS_PASSWORD"},
	"domain_name":             {"HW_DOMAIN_NAME", "OS_DOMAIN_NAME"},
	"cloud":                   {"HW_CLOUD"},
	"insecure":                {"HW_INSECURE"},
	"cacert_file":             {"HW_CACERT_FILE", "OS_CACERT"},
	"max_retries":             {"HW_MAX_RETRIES"},
	"max_requests_per_second": {"HW_MAX_REQUESTS_PER_SECOND"},
	"max_tasks":               {"HW_MAX_TASKS"},
	"shared_config_file":      {"HW_SHARED_CONFIG_FILE"},
	"profile":                 {"HW_PROFILE"},
	"assume_role.agency_name": {"HW_ASSUME_ROLE_AGENCY_NAME"},
	"assume_role.domain_name": {"HW_ASSUME_ROLE_DOMAIN_NAME"},
	"assume_role.domain_id":   {"HW_ASSUME_ROLE_DOMAIN_ID"},
	"assume_role.duration":    {"HW_ASSUME_ROLE_DURATION"},
}

// otherEnvVars are read without an argument of their own.
var otherEnvVars = []string{"HW_METADATA_ENDPOINT"}

func envNote(attr string) string {
	vars := envVars[attr]
	if len(vars) == 0 {
		return ""
	}
	return " Falls back to the environment variable `" + strings.Join(vars, "`, then `") + "`."
}

func (p *hwtasksProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := func(desc string, sensitive bool, attr string, validators ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			Sensitive:           sensitive,
			MarkdownDescription: desc + envNote(attr),
			Validators:          validators,
		}
	}
	notBlank := stringvalidator.LengthAtLeast(1)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the asynchronous tasks of Huawei Cloud and of Huawei-stack clouds such as Open Telekom Cloud. " +
			"Credentials come whole from the first of these sources that holds any: the provider block, the environment, " +
			"the shared config file (when `shared_config_file` or `profile` is set), ECS metadata. " +
			"Within that source, `token` wins over `access_key` and `secret_key` (with `security_token` for temporary keys), " +
			"and those over `user_name`, `password` and `domain_name`. `assume_role` applies on top. " +
			"The [Authentication guide](guides/authentication.md) explains each method.",
		Attributes: map[string]schema.Attribute{
			"region":         str("The region to read from, such as `ap-southeast-1` or `eu-de`. Required, here or in the environment; a data source may override it.", false, "region", notBlank),
			"project_id":     str("The project ID of `region`. When absent it is looked up through IAM, once per region.", false, "project_id", plausibleID{}),
			"access_key":     str("The access key (AK) of AK/SK authentication. Give it with `secret_key`.", true, "access_key", notBlank),
			"secret_key":     str("The secret key (SK) of AK/SK authentication. Give it with `access_key`.", true, "secret_key", notBlank),
			"security_token": str("The security token of temporary AK/SK credentials.", true, "security_token", notBlank),
			"token":          str("An IAM token, sent as `X-Auth-Token`. It wins over AK/SK and password credentials.", true, "token", notBlank),
			"user_name":      str("The IAM user name of password authentication. Give it with `password` and `domain_name`.", false, "user_name", notBlank),
			"password":       str("The IAM user's password.", true, "password", notBlank),
			"domain_name":    str("The account (domain) name of the IAM user.", false, "domain_name", notBlank),
			"cloud": str("The endpoint domain: `myhuaweicloud.com` (the default) for Huawei Cloud, `otc.t-systems.com` for Open Telekom Cloud. "+
				"The region `eu-west-101` uses `myhuaweicloud.eu` by itself. "+
				"Another domain, for a private Huawei-stack cloud, needs every key of `endpoints` set.", false, "cloud", notBlank),
			"endpoints": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Base URLs that replace the public endpoints, for private clouds, proxies or the local emulator. " +
					"Keys: " + codeList(client.EndpointKeys, "and") + " (`gaussdb` is GaussDB(for MySQL), `opengauss` GaussDB(for openGauss), `geminidb` GeminiDB). Each value is a URL with its scheme (`http` allowed), such as `https://dms.example.com`; API paths are appended to it.",
				Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.OneOf(client.EndpointKeys...))},
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip TLS certificate verification. Off by default; use it only against test endpoints." + envNote("insecure"),
			},
			"cacert_file": str("A PEM bundle of CA certificates to trust in addition to the system's.", false, "cacert_file", notBlank),
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a throttled (429), failed (500, 502, 503, 504) or interrupted request is retried, " +
					"with exponential backoff from 0.5 s to 30 s that honours `Retry-After`. Default 5; 0 disables retries." + envNote("max_retries"),
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"max_requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "The most requests per second this provider configuration sends, counting retries, " +
					"IAM calls and every data source together: requests wait their turn instead of being sent at once. " +
					"Default 0, no limit. IAM and the API gateways throttle per account (IAM at about 10 requests a second), " +
					"so when reads fail with `APIGW.0308` (HTTP 429) set it to `5`, or lower if other tools share the account. " +
					"At 5, a plan with 50 data sources spends about 10 s on requests." + envNote("max_requests_per_second"),
				Validators: []validator.Float64{atLeastZero{}},
			},
			"shared_config_file": str("The KooCLI (`hcloud`) shared config file to take credentials from, by default `~/.hcloud/config.json`. "+
				"The file is read only when this or `profile` is set, and its keys are used only when neither the provider block nor the environment holds credentials.", false, "shared_config_file", notBlank),
			"profile": str("The profile of the shared config file to use, by default the file's `current` one. "+
				"An `AKSK` profile gives `accessKeyId`, `secretAccessKey` and `securityToken`; an `SSO` profile the keys of `ssoAuth.stsToken`. "+
				"The profile's `region` and `projectId` apply when the block and the environment set none; its `agencyName` and `agencyDomainName` assume that agency when `assume_role` is not set.", false, "profile", notBlank),
			"max_tasks": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The most tasks one read of a task list keeps, from %d (one page) to %s. Default %s, far more than the API keeps for any real instance. "+
					"A list whose `task_count` is larger is an error that suggests a time window (`begin_time`, `end_time`) or one page (`start`, `limit`), "+
					"so that a wrong or hostile answer cannot make the provider read without end. "+
					"Each task takes about a kilobyte of memory in the provider and in Terraform's state.", client.TaskPageSize, thousands(maxMaxTasks), thousands(client.DefaultMaxTasks)) + envNote("max_tasks"),
				Validators: []validator.Int64{int64validator.Between(client.TaskPageSize, maxMaxTasks)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume an IAM agency: the base credentials (AK/SK from wherever they came, or ECS metadata) obtain the agency's temporary keys, " +
					"which sign every request and are renewed before they expire. Needs AK/SK base credentials: over a token or a password it is an error. " +
					"Without this block, `HW_ASSUME_ROLE_AGENCY_NAME` alone turns it on.",
				Attributes: map[string]schema.Attribute{
					"agency_name": str("The name of the agency, in the account that delegates. Required, here or in the environment.", false, "assume_role.agency_name", notBlank),
					"domain_name": str("The name of the account (domain) that created the agency. Give this or `domain_id`.", false, "assume_role.domain_name",
						notBlank, stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("domain_id"))),
					"domain_id": str("The ID of the account (domain) that created the agency. Give this or `domain_name`.", false, "assume_role.domain_id", notBlank),
					"duration": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "How long each set of the agency's keys lives, in seconds, from 900 to 86400. Default: IAM's, 900. " +
							"Keys are renewed before they expire whatever their life, so a longer one only saves calls to IAM." + envNote("assume_role.duration"),
						Validators: []validator.Int64{int64validator.Between(int64(client.MinAssumeDuration.Seconds()), int64(client.MaxAssumeDuration.Seconds()))},
					},
				},
			},
		},
	}
}

// maxMaxTasks bounds max_tasks, so that no setting lets one read take
// gigabytes.
const maxMaxTasks = 1_000_000

// stringSetting returns the configured value, else the first environment
// variable set, else "".
func stringSetting(v types.String, attr string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	for _, name := range envVars[attr] {
		if s := os.Getenv(name); s != "" {
			return s
		}
	}
	return ""
}

// envSource names the environment variable a value came from, for messages.
func envSource(attr string) string {
	for _, name := range envVars[attr] {
		if os.Getenv(name) != "" {
			return name
		}
	}
	return ""
}

func (p *hwtasksProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg, ch, diags := configFromModel(ctx, m, p.version)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	c, err := client.New(cfg)
	if err != nil {
		var ce *client.ConfigError
		if errors.As(err, &ce) {
			resp.Diagnostics.Append(configErrorDiagnostic(ce, ch))
			return
		}
		resp.Diagnostics.AddError("Cannot configure the hwtasks provider", err.Error())
		return
	}
	// Metadata and agencies are asked now, so that a machine without
	// credentials, or an agency that cannot be assumed, says so once, with
	// every source tried, rather than in every data source.
	if cfg.Metadata || cfg.AssumeRole != nil {
		if _, err := c.Keys(ctx); err != nil {
			resp.Diagnostics.Append(keysErrorDiagnostic(ctx, err, cfg, ch))
			return
		}
	}
	resp.Diagnostics.Append(cleartextWarning(cfg, c.Auth())...)
	tflog.Debug(ctx, "configured the hwtasks provider", map[string]any{
		"region": cfg.Region, "auth": c.Auth().String(), "cloud": cfg.Cloud, "project_id_set": cfg.ProjectID != "",
	})
	data := &providerData{client: c}
	resp.DataSourceData = data
	resp.ResourceData = data
	p.mu.Lock()
	p.data = data
	p.mu.Unlock()
}

// ValidateConfig checks, at plan time and before any request, what the
// configuration alone can show to be wrong: every bad endpoint URL at once,
// and a cloud the provider does not know. Values from the environment are
// checked again in Configure.
func (p *hwtasksProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Endpoints.IsUnknown() {
		return
	}
	endpoints := map[string]string{}
	for k, v := range m.Endpoints.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			endpoints[k] = s.ValueString()
		}
	}
	resp.Diagnostics.Append(checkEndpoints(endpoints)...)
	if !m.Cloud.IsNull() && !m.Cloud.IsUnknown() {
		// An unknown endpoint may well be set; only complain when known.
		for _, v := range m.Endpoints.Elements() {
			if v.IsUnknown() {
				return
			}
		}
		resp.Diagnostics.Append(checkCloud(m.Cloud.ValueString(), "", endpoints)...)
	}
}

// cleartextWarning warns, once per provider configuration, when
// credentials would cross the network readable by anyone on the path: to
// an http:// endpoint, or over TLS that is not verified. Both stay allowed,
// for proxies and the local emulator.
func cleartextWarning(cfg client.Config, auth client.AuthMethod) diag.Diagnostics {
	var diags diag.Diagnostics
	what := map[client.AuthMethod]string{
		client.AuthToken:    "the IAM token",
		client.AuthAKSK:     "the AK/SK signature, the access key",
		client.AuthPassword: "the password and the IAM tokens it obtains",
	}[auth]
	if cfg.SecurityToken != "" {
		what += " and the security token"
	}
	var plain []string
	for _, k := range sortedKeys(cfg.Endpoints) {
		if u, err := client.ParseEndpoint(cfg.Endpoints[k]); err == nil && u.Scheme == "http" {
			plain = append(plain, fmt.Sprintf("endpoints.%s = %s", k, u.Redacted()))
		}
	}
	if len(plain) > 0 {
		diags.AddAttributeWarning(path.Root("endpoints"), "Credentials sent without TLS",
			fmt.Sprintf("These endpoints use http://, so credentials (%s) cross the network in clear text, readable by anyone on the way: %s. "+
				"Use https:// unless the endpoint is on this machine or behind a proxy you trust.", what, strings.Join(plain, ", ")))
	}
	if cfg.Insecure {
		diags.AddAttributeWarning(path.Root("insecure"), "TLS certificates are not verified",
			fmt.Sprintf("With insecure = true, any server on the way can pose as the API and read %s. "+
				"Trust the server's CA with cacert_file instead, and keep insecure for short tests.", what))
	}
	return diags
}

// configFromModel merges the provider block with the environment into a
// client.Config, and reports every problem against its attribute.
func configFromModel(ctx context.Context, m providerModel, version string) (client.Config, credentialsChoice, diag.Diagnostics) {
	var diags diag.Diagnostics
	unknown := map[string]bool{
		"region": m.Region.IsUnknown(), "project_id": m.ProjectID.IsUnknown(), "access_key": m.AccessKey.IsUnknown(),
		"secret_key": m.SecretKey.IsUnknown(), "security_token": m.SecurityToken.IsUnknown(), "token": m.Token.IsUnknown(),
		"user_name": m.UserName.IsUnknown(), "password": m.Password.IsUnknown(), "domain_name": m.DomainName.IsUnknown(),
		"cloud": m.Cloud.IsUnknown(), "endpoints": m.Endpoints.IsUnknown(), "insecure": m.Insecure.IsUnknown(),
		"cacert_file": m.CACertFile.IsUnknown(), "max_retries": m.MaxRetries.IsUnknown(),
		"max_requests_per_second": m.MaxRPS.IsUnknown(), "max_tasks": m.MaxTasks.IsUnknown(),
		"shared_config_file": m.SharedConfigFile.IsUnknown(), "profile": m.Profile.IsUnknown(), "assume_role": m.AssumeRole.IsUnknown(),
	}
	for _, attr := range sortedKeys(unknown) {
		if unknown[attr] {
			diags.AddAttributeError(path.Root(attr), "Unknown value for "+attr,
				"The provider cannot be configured while "+attr+" is unknown: its value is only known after apply. "+
					"Give it a value known at plan time"+envHint(attr)+", or apply the resources it depends on first (terraform apply -target=…).")
		}
	}
	if diags.HasError() {
		return client.Config{}, credentialsChoice{}, diags
	}

	cfg := client.Config{
		Region:     stringSetting(m.Region, "region"),
		ProjectID:  stringSetting(m.ProjectID, "project_id"),
		Cloud:      stringSetting(m.Cloud, "cloud"),
		CACertFile: stringSetting(m.CACertFile, "cacert_file"),
		Version:    version,
	}
	ch, credDiags := resolveCredentials(ctx, m, &cfg)
	diags.Append(credDiags...)
	if !m.Endpoints.IsNull() {
		cfg.Endpoints = map[string]string{}
		diags.Append(m.Endpoints.ElementsAs(ctx, &cfg.Endpoints, false)...)
	}
	diags.Append(checkEndpoints(cfg.Endpoints)...)
	cloudEnv := ""
	if m.Cloud.IsNull() {
		cloudEnv = envSource("cloud")
	}
	diags.Append(checkCloud(cfg.Cloud, cloudEnv, cfg.Endpoints)...)

	if m.Insecure.IsNull() {
		if s := os.Getenv("HW_INSECURE"); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				diags.AddAttributeError(path.Root("insecure"), "Invalid HW_INSECURE",
					fmt.Sprintf("HW_INSECURE must be true or false, got %q.", s))
			}
			cfg.Insecure = b
		}
	} else {
		cfg.Insecure = m.Insecure.ValueBool()
	}

	if n, ok := intSetting(m.MaxRetries, "max_retries", 0, 100, &diags); ok {
		cfg.MaxRetries = &n
	}
	if n, ok := intSetting(m.MaxTasks, "max_tasks", client.TaskPageSize, maxMaxTasks, &diags); ok {
		cfg.MaxTasks = n
	}

	if m.MaxRPS.IsNull() {
		if s := os.Getenv("HW_MAX_REQUESTS_PER_SECOND"); s != "" {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
				diags.AddAttributeError(path.Root("max_requests_per_second"), "Invalid HW_MAX_REQUESTS_PER_SECOND",
					fmt.Sprintf("HW_MAX_REQUESTS_PER_SECOND must be 0 (no limit) or a positive number such as 5, got %q.", s))
			} else {
				cfg.MaxRequestsPerSecond = n
			}
		}
	} else {
		cfg.MaxRequestsPerSecond = m.MaxRPS.ValueFloat64()
	}

	if strings.TrimSpace(cfg.Region) == "" {
		diags.AddAttributeError(path.Root("region"), "Missing region",
			"The provider needs a region: set region in the provider block, or the environment variable HW_REGION_NAME (or OS_REGION_NAME), or a region in the profile of the shared config file.")
	}
	return cfg, ch, diags
}

// intSetting returns the configured whole number, else the one in the
// attribute's environment variable, and whether either was set. A bad
// environment value is reported against the attribute.
func intSetting(v types.Int64, attr string, minimum, maximum int, diags *diag.Diagnostics) (int, bool) {
	if !v.IsNull() {
		return int(v.ValueInt64()), true
	}
	name := envVars[attr][0]
	s := os.Getenv(name)
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < minimum || n > maximum {
		diags.AddAttributeError(configPath(attr), "Invalid "+name,
			fmt.Sprintf("%s must be a whole number from %d to %d, got %q.", name, minimum, maximum, s))
		return 0, false
	}
	return n, true
}

// checkEndpoints reports every endpoint URL that cannot be used, each
// against its own key, so that one plan shows them all.
func checkEndpoints(endpoints map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, k := range sortedKeys(endpoints) {
		if _, err := client.ParseEndpoint(endpoints[k]); err != nil {
			diags.AddAttributeError(path.Root("endpoints").AtMapKey(k), "Invalid endpoint URL",
				"endpoints."+k+": "+err.Error()+". Give a base URL such as https://"+k+".ap-southeast-1.myhuaweicloud.com.")
		}
	}
	return diags
}

// checkCloud rejects a cloud domain the provider does not know, unless
// every endpoint is set, in which case the domain is never used. envName
// names the environment variable the value came from, if any.
func checkCloud(cloud, envName string, endpoints map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	if cloud == "" || slices.Contains(client.KnownClouds, cloud) {
		return diags
	}
	var missing []string
	for _, k := range client.EndpointKeys {
		if endpoints[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return diags
	}
	from := ""
	if envName != "" {
		from = " (from " + envName + ")"
	}
	diags.AddAttributeError(path.Root("cloud"), "Unknown cloud",
		fmt.Sprintf("cloud = %q%s is not a cloud the provider knows, which are: %s. Check it for a typo. "+
			"For a private Huawei-stack cloud, set every key of endpoints instead; these are missing: %s.",
			cloud, from, strings.Join(client.KnownClouds, ", "), strings.Join(missing, ", ")))
	return diags
}

// configPath turns a client.ConfigError field such as "endpoints.dms" into
// the attribute path of the provider block.
func configPath(field string) path.Path {
	if k, ok := strings.CutPrefix(field, "endpoints."); ok {
		return path.Root("endpoints").AtMapKey(k)
	}
	if k, ok := strings.CutPrefix(field, "assume_role."); ok {
		return path.Root("assume_role").AtName(k)
	}
	return path.Root(field)
}

func envHint(attr string) string {
	if vars := envVars[attr]; len(vars) > 0 {
		return " (or set " + vars[0] + ")"
	}
	return ""
}

func (p *hwtasksProvider) DataSources(context.Context) []func() datasource.DataSource {
	return dataSources
}

func (p *hwtasksProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}

// thousands writes n with commas between groups of three digits, as the
// docs write numbers: 50000 is "50,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
