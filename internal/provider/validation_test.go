package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// validateProvider runs the provider's ValidateConfig on a block holding
// attrs; every other attribute is null.
func validateProvider(t *testing.T, attrs map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	p, config := newProviderWithBlock(t, attrs)
	pv, ok := p.(provider.ProviderWithValidateConfig)
	if !ok {
		t.Fatal("the provider has no ValidateConfig")
	}
	var resp provider.ValidateConfigResponse
	pv.ValidateConfig(context.Background(), provider.ValidateConfigRequest{Config: config}, &resp)
	return resp.Diagnostics
}

// errorPaths lists the paths of the error diagnostics, in order.
func errorPaths(diags diag.Diagnostics) []string {
	var out []string
	for _, d := range diags.Errors() {
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			out = append(out, dp.Path().String())
		} else {
			out = append(out, "(no path)")
		}
	}
	return out
}

// Every bad endpoint is reported in one plan, each against its own key;
// the client used to stop at the first.
func TestEveryBadEndpointIsReportedAtOnce(t *testing.T) {
	bad := endpointsValue(map[string]string{"dms": "dms.example.com", "gaussdb": "ftp://gaussdb.example.com", "iam": "https://iam.example.com"})
	want := `endpoints["dms"] endpoints["gaussdb"]`
	if got := strings.Join(errorPaths(validateProvider(t, map[string]tftypes.Value{"endpoints": bad})), " "); got != want {
		t.Errorf("ValidateConfig: errors at %q, want %q", got, want)
	}
	clearProviderEnv(t)
	t.Setenv("HW_REGION_NAME", "eu-de")
	t.Setenv("HW_AUTH_TOKEN", "t")
	diags, data := configure(t, map[string]tftypes.Value{"endpoints": bad})
	if got := strings.Join(errorPaths(diags), " "); got != want || data != nil {
		t.Errorf("Configure: errors at %q, want %q", got, want)
	}
}

func TestUnknownCloudIsAPlanTimeError(t *testing.T) {
	every := map[string]string{}
	for _, k := range client.EndpointKeys {
		every[k] = "https://" + k + ".example"
	}
	all := endpointsValue(every)
	some := endpointsValue(map[string]string{"iam": "https://i.example"})
	for _, tc := range []struct {
		name  string
		attrs map[string]tftypes.Value
		want  string // the error's detail must hold it; "" means no error
	}{
		{"a typo", map[string]tftypes.Value{"cloud": str("myhuaweicloud.con")},
			`cloud = "myhuaweicloud.con" is not a cloud the provider knows, which are: myhuaweicloud.com, myhuaweicloud.eu, otc.t-systems.com. ` +
				"Check it for a typo. For a private Huawei-stack cloud, set every key of endpoints instead; these are missing: cce, dcs, dds, dms, ecs, evs, gaussdb, geminidb, iam, ims, opengauss, rds."},
		{"some endpoints", map[string]tftypes.Value{"cloud": str("cloud.example"), "endpoints": some}, "these are missing: cce, dcs, dds, dms, ecs, evs, gaussdb, geminidb, ims, opengauss, rds."},
		{"a private cloud with every endpoint", map[string]tftypes.Value{"cloud": str("cloud.example"), "endpoints": all}, ""},
		{"Open Telekom Cloud", map[string]tftypes.Value{"cloud": str("otc.t-systems.com")}, ""},
		{"the EU domain", map[string]tftypes.Value{"cloud": str("myhuaweicloud.eu")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := validateProvider(t, tc.attrs)
			if tc.want == "" {
				if diags.HasError() {
					t.Fatal(diags)
				}
				return
			}
			onlyErrorAt(t, diags, path.Root("cloud"), "Unknown cloud", tc.want)
		})
	}
	// From the environment, checked when the provider is configured.
	clearProviderEnv(t)
	t.Setenv("HW_REGION_NAME", "eu-de")
	t.Setenv("HW_AUTH_TOKEN", "t")
	t.Setenv("HW_CLOUD", "otc.t-system.com")
	diags, _ := configure(t, nil)
	onlyErrorAt(t, diags, path.Root("cloud"), `cloud = "otc.t-system.com" (from HW_CLOUD) is not a cloud the provider knows`)
}

// Credentials sent over http://, or over TLS that is not verified, used to
// go without a word.
func TestCleartextCredentialsAreWarnedOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		attrs map[string]tftypes.Value
		want  []string // summary: detail fragment, one per warning
	}{
		{"http endpoints with a token", map[string]string{"HW_AUTH_TOKEN": "t"},
			map[string]tftypes.Value{"endpoints": endpointsValue(map[string]string{"dms": "http://127.0.0.1:9000", "iam": "https://iam.example", "gaussdb": "http://proxy.internal/gaussdb"})},
			[]string{"Credentials sent without TLS: These endpoints use http://, so credentials (the IAM token) cross the network in clear text, readable by anyone on the way: " +
				"endpoints.dms = http://127.0.0.1:9000, endpoints.gaussdb = http://proxy.internal/gaussdb."}},
		{"insecure with temporary keys", map[string]string{"HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk", "HW_SECURITY_TOKEN": "st"},
			map[string]tftypes.Value{"insecure": tftypes.NewValue(tftypes.Bool, true)},
			[]string{"TLS certificates are not verified: With insecure = true, any server on the way can pose as the API and read the AK/SK signature, the access key and the security token."}},
		{"https only", map[string]string{"HW_AUTH_TOKEN": "t"},
			map[string]tftypes.Value{"endpoints": endpointsValue(map[string]string{"dms": "https://dms.example"})}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			t.Setenv("HW_REGION_NAME", "eu-de")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			diags, _ := configure(t, tc.attrs)
			if diags.HasError() {
				t.Fatal(diags)
			}
			warnings := diags.Warnings()
			if len(warnings) != len(tc.want) {
				t.Fatalf("%d warnings, want %d: %v", len(warnings), len(tc.want), warnings)
			}
			for i, w := range warnings {
				if got := w.Summary() + ": " + w.Detail(); !strings.HasPrefix(got, tc.want[i]) {
					t.Errorf("warning %d:\n got %q\nwant %q…", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestMaxTasksFromTheEnvironment(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv("HW_REGION_NAME", "eu-de")
	t.Setenv("HW_AUTH_TOKEN", "t")
	t.Setenv("HW_MAX_TASKS", "0")
	diags, _ := configure(t, nil)
	onlyErrorAt(t, diags, path.Root("max_tasks"), "Invalid HW_MAX_TASKS", `HW_MAX_TASKS must be a whole number from 100 to 1000000, got "0".`)
}

// stringDiags runs a string validator on value at attr.
func stringDiags(v validator.String, attr, value string) diag.Diagnostics {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(attr), ConfigValue: types.StringValue(value)}, &resp)
	return resp.Diagnostics
}

func TestPollIntervalSuggestsAUnit(t *testing.T) {
	for value, want := range map[string]string{
		"10":   `"10" has no unit. Did you mean "10s"?`,
		"2.5":  `"2.5" has no unit. Did you mean "2.5s"?`,
		"soon": `Expected a duration with its unit, such as "5s", "500ms" or "1m", got "soon".`,
		"10ms": "10ms is too short: the minimum is 100ms",
	} {
		diags := stringDiags(goDuration{min: minPollInterval}, "poll_interval", value)
		if len(diags) != 1 || !strings.HasPrefix(diags[0].Detail(), want) {
			t.Errorf("%q: %v, want one error starting %q", value, diags, want)
		}
	}
	if diags := stringDiags(goDuration{min: minPollInterval}, "poll_interval", "10s"); len(diags) != 0 {
		t.Errorf("10s: %v", diags)
	}
}

func TestMaxRequestsPerSecondMessagePrintsTheNumber(t *testing.T) {
	var resp validator.Float64Response
	atLeastZero{}.ValidateFloat64(context.Background(), validator.Float64Request{Path: path.Root("max_requests_per_second"), ConfigValue: types.Float64Value(-0.5)}, &resp)
	want := "max_requests_per_second must be 0 (no limit) or a positive number such as 5, got -0.5."
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Detail() != want {
		t.Fatalf("%v, want %q", resp.Diagnostics, want)
	}
}

// IDs that would change the request's path, or could only come back "not
// found", are refused at plan time: "." and ".." would go out as dot
// segments that a proxy normalises into another path.
func TestPlausibleID(t *testing.T) {
	for value, why := range map[string]string{
		".":                      "it is a dot segment",
		"..":                     "it is a dot segment",
		"a/b":                    "it holds a slash",
		"..%2f":                  "IDs only hold letters",
		" 31b8":                  "leading or trailing whitespace",
		"31b8 ae23":              "it holds whitespace",
		"31b8\x1b[2J":            "it holds a control character",
		"":                       "it is empty",
		"-leading-dash":          "IDs only hold letters",
		strings.Repeat("a", 129): "more than any ID",
	} {
		diags := stringDiags(plausibleID{}, "task_id", value)
		if len(diags) != 1 || !strings.Contains(diags[0].Detail(), why) {
			t.Errorf("%q: %v, want one error saying %q", value, diags, why)
		}
	}
	for _, ok := range []string{"31b8ae23-c687-4d80-b7b4-42a66c9bb886", "ff80808272dcc90f0172df1e490f41b0", "task-00001", "a.b_c"} {
		if diags := stringDiags(plausibleID{}, "task_id", ok); len(diags) != 0 {
			t.Errorf("%q: %v", ok, diags)
		}
	}
}
