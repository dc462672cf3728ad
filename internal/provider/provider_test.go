package provider

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// clearProviderEnv unsets every variable the provider reads, so that the
// developer's own HW_* settings never leak into a test.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, vars := range envVars {
		for _, v := range vars {
			t.Setenv(v, "")
		}
	}
	for _, v := range otherEnvVars {
		t.Setenv(v, "")
	}
}

// newProviderWithBlock returns a new provider and a provider block for it that
// holds attrs; every attribute not in attrs is null.
func newProviderWithBlock(t *testing.T, attrs map[string]tftypes.Value) (provider.Provider, tfsdk.Config) {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("provider schema is not an object")
	}
	return p, tfsdk.Config{Schema: sresp.Schema, Raw: nullExcept(typ, attrs)}
}

// configure runs the provider's Configure on a provider block holding
// attrs; every attribute not in attrs is null.
func configure(t *testing.T, attrs map[string]tftypes.Value) (diag.Diagnostics, any) {
	t.Helper()
	p, config := newProviderWithBlock(t, attrs)
	var resp provider.ConfigureResponse
	p.Configure(context.Background(), provider.ConfigureRequest{Config: config}, &resp)
	return resp.Diagnostics, resp.DataSourceData
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func endpointsValue(m map[string]string) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for k, v := range m {
		vals[k] = str(v)
	}
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, vals)
}

// onlyErrorAt asserts exactly one error diagnostic, at want, whose detail
// holds every fragment.
func onlyErrorAt(t *testing.T, diags diag.Diagnostics, want path.Path, fragments ...string) {
	t.Helper()
	errs := diags.Errors()
	if len(errs) != 1 {
		t.Fatalf("want one error, got %d: %v", len(errs), errs)
	}
	d, ok := errs[0].(diag.DiagnosticWithPath)
	if !ok {
		t.Fatalf("error %q is not attribute-scoped", errs[0].Summary())
	}
	if !d.Path().Equal(want) {
		t.Fatalf("error at %s, want %s: %s", d.Path(), want, d.Detail())
	}
	for _, f := range fragments {
		if !strings.Contains(d.Summary()+" "+d.Detail(), f) {
			t.Errorf("error %q / %q lacks %q", d.Summary(), d.Detail(), f)
		}
	}
}

func TestConfigureEnvironmentPrecedence(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		attrs map[string]tftypes.Value
		check func(t *testing.T, m map[string]string)
	}{
		{
			name: "HW_ wins over OS_",
			env:  map[string]string{"HW_REGION_NAME": "eu-de", "OS_REGION_NAME": "eu-nl", "HW_ACCESS_KEY": "hw-ak", "OS_ACCESS_KEY": "os-ak", "HW_SECRET_KEY": "hw-sk", "OS_SECRET_KEY": "os-sk"},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "region", "eu-de", "access_key", "hw-ak", "secret_key", "hw-sk")
			},
		},
		{
			name: "OS_ is used when HW_ is unset",
			env:  map[string]string{"OS_REGION_NAME": "eu-nl", "OS_AUTH_TOKEN": "tok", "OS_TENANT_ID": "tenant"},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "region", "eu-nl", "token", "tok", "project_id", "tenant")
			},
		},
		{
			name:  "OS_PROJECT_ID wins over OS_TENANT_ID",
			env:   map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "OS_PROJECT_ID": "p1", "OS_TENANT_ID": "p2"},
			check: func(t *testing.T, m map[string]string) { expect(t, m, "project_id", "p1") },
		},
		{
			name:  "the provider block wins over the environment, and its credentials whole",
			env:   map[string]string{"HW_REGION_NAME": "eu-de", "HW_PROJECT_ID": "env-project", "HW_USER_NAME": "env-user", "HW_USER_PASSWORD": "env-pass", "HW_DOMAIN_NAME": "env-domain", "HW_CLOUD": "otc.t-systems.com"},
			attrs: map[string]tftypes.Value{"region": str("ap-southeast-1"), "project_id": str("cfg-project"), "user_name": str("cfg-user"), "password": str("cfg-pass"), "cloud": str("myhuaweicloud.eu")},
			check: func(t *testing.T, m map[string]string) {
				// The block holds credentials, so none comes from the
				// environment: not even HW_DOMAIN_NAME.
				expect(t, m, "region", "ap-southeast-1", "project_id", "cfg-project", "user_name", "cfg-user", "password", "cfg-pass", "domain_name", "", "cloud", "myhuaweicloud.eu")
			},
		},
		{
			name:  "a stale HW_AUTH_TOKEN does not beat keys in the block",
			env:   map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "stale", "HW_SECURITY_TOKEN": "stale-st"},
			attrs: map[string]tftypes.Value{"access_key": str("cfg-ak"), "secret_key": str("cfg-sk")},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "access_key", "cfg-ak", "secret_key", "cfg-sk", "token", "", "security_token", "")
			},
		},
		{
			name: "user name, password and domain fall back to OS_",
			env:  map[string]string{"HW_REGION_NAME": "r", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_DOMAIN_NAME": "d", "HW_SECURITY_TOKEN": "st", "HW_CACERT_FILE": "", "OS_CACERT": "/ca.pem"},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "user_name", "u", "password", "p", "domain_name", "d", "security_token", "st", "cacert_file", "/ca.pem")
			},
		},
		{
			name: "max_retries and insecure from the environment",
			env:  map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "HW_MAX_RETRIES": "0", "HW_INSECURE": "true"},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "max_retries", "0", "insecure", "true")
			},
		},
		{
			name: "max_requests_per_second from the environment",
			env:  map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "HW_MAX_REQUESTS_PER_SECOND": "2.5"},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "max_requests_per_second", "2.5")
			},
		},
		{
			name:  "max_requests_per_second in the block wins over the environment",
			env:   map[string]string{"HW_REGION_NAME": "r", "HW_AUTH_TOKEN": "t", "HW_MAX_REQUESTS_PER_SECOND": "2.5"},
			attrs: map[string]tftypes.Value{"max_requests_per_second": tftypes.NewValue(tftypes.Number, big.NewFloat(0))},
			check: func(t *testing.T, m map[string]string) {
				expect(t, m, "max_requests_per_second", "0")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			m := modelFromAttrs(t, tc.attrs)
			cfg, _, diags := configFromModel(context.Background(), m, "test")
			if diags.HasError() {
				t.Fatal(diags)
			}
			got := map[string]string{
				"region": cfg.Region, "project_id": cfg.ProjectID, "access_key": cfg.AccessKey, "secret_key": cfg.SecretKey,
				"security_token": cfg.SecurityToken, "token": cfg.Token, "user_name": cfg.UserName, "password": cfg.Password,
				"domain_name": cfg.DomainName, "cloud": cfg.Cloud, "cacert_file": cfg.CACertFile,
			}
			if cfg.MaxRetries != nil {
				got["max_retries"] = strconv.Itoa(*cfg.MaxRetries)
			}
			if cfg.Insecure {
				got["insecure"] = "true"
			}
			got["max_requests_per_second"] = strconv.FormatFloat(cfg.MaxRequestsPerSecond, 'g', -1, 64)
			tc.check(t, got)
		})
	}
}

func expect(t *testing.T, got map[string]string, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		if got[kv[i]] != kv[i+1] {
			t.Errorf("%s = %q, want %q", kv[i], got[kv[i]], kv[i+1])
		}
	}
}

// modelFromAttrs decodes attrs through the real schema into the model.
func modelFromAttrs(t *testing.T, attrs map[string]tftypes.Value) providerModel {
	t.Helper()
	ctx := context.Background()
	var sresp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ, _ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	var m providerModel
	if diags := (tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}).Get(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	return m
}

func TestConfigureFailuresAreAttributeScoped(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "not-a-ca.pem")
	if err := os.WriteFile(caFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	badJSON := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(badJSON, []byte(`{"current":"a","profiles":[{"name":"a","secretAccessKey":"SKINBROKENFILE"`), 0o600); err != nil {
		t.Fatal(err)
	}
	noKeys := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(noKeys, []byte(`{"current":"a","profiles":[{"name":"a","mode":"AKSK","accessKeyId":"AKONLY"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		env       map[string]string
		attrs     map[string]tftypes.Value
		want      path.Path
		fragments []string
	}{
		{
			name:      "shared config file that is not JSON",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_SHARED_CONFIG_FILE": badJSON},
			want:      path.Root("shared_config_file"),
			fragments: []string{"Invalid shared config file", badJSON + " is not valid JSON", "(The setting came from HW_SHARED_CONFIG_FILE.)"},
		},
		{
			name:      "profile without a secret key",
			env:       map[string]string{"HW_REGION_NAME": "eu-de"},
			attrs:     map[string]tftypes.Value{"shared_config_file": str(noKeys), "profile": str("a")},
			want:      path.Root("profile"),
			fragments: []string{"Profile without keys", `Profile "a" of the shared config file ` + noKeys + " has no secretAccessKey"},
		},
		{
			name:      "agency name from the environment without a domain",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk", "HW_ASSUME_ROLE_AGENCY_NAME": "reader"},
			want:      path.Root("assume_role").AtName("domain_name"),
			fragments: []string{"Missing agency domain", "HW_ASSUME_ROLE_DOMAIN_NAME", "assume_role is on because HW_ASSUME_ROLE_AGENCY_NAME is set"},
		},
		{
			name:      "invalid HW_ASSUME_ROLE_DURATION",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_ACCESS_KEY": "ak", "HW_SECRET_KEY": "sk", "HW_ASSUME_ROLE_AGENCY_NAME": "reader", "HW_ASSUME_ROLE_DURATION": "100"},
			want:      path.Root("assume_role").AtName("duration"),
			fragments: []string{"HW_ASSUME_ROLE_DURATION must be a whole number from 900 to 86400", `"100"`},
		},
		{
			name:      "password in the block, domain only in the environment",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_DOMAIN_NAME": "env-domain"},
			attrs:     map[string]tftypes.Value{"user_name": str("u"), "password": str("p")},
			want:      path.Root("domain_name"),
			fragments: []string{"domain_name is missing", "The credentials come from the provider block (user_name, password)", "values of another source are not used"},
		},
		{
			name:      "access key without secret key",
			env:       map[string]string{"HW_REGION_NAME": "eu-de"},
			attrs:     map[string]tftypes.Value{"access_key": str("ak")},
			want:      path.Root("secret_key"),
			fragments: []string{"secret_key is missing"},
		},
		{
			name:      "secret key from the environment without an access key",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_SECRET_KEY": "sk"},
			want:      path.Root("access_key"),
			fragments: []string{"access_key is missing"},
		},
		{
			name:      "password without domain",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_USER_NAME": "u", "HW_USER_PASSWORD": "p"},
			want:      path.Root("domain_name"),
			fragments: []string{"domain_name is missing"},
		},
		{
			name:      "missing region",
			env:       map[string]string{"HW_AUTH_TOKEN": "t"},
			want:      path.Root("region"),
			fragments: []string{"HW_REGION_NAME"},
		},
		{
			name:      "malformed endpoint URL",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t"},
			attrs:     map[string]tftypes.Value{"endpoints": endpointsValue(map[string]string{"dms": "dms.example.com"})},
			want:      path.Root("endpoints").AtMapKey("dms"),
			fragments: []string{"Invalid endpoint URL", "https://"},
		},
		{
			name:      "unknown endpoint key",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t"},
			attrs:     map[string]tftypes.Value{"endpoints": endpointsValue(map[string]string{"vpc": "https://vpc.example.com"})},
			want:      path.Root("endpoints").AtMapKey("vpc"),
			fragments: []string{"Unknown endpoint key", "cce, dcs, dds, dms, ecs, evs, gaussdb, geminidb, iam, ims, opengauss, rds"},
		},
		{
			name:      "invalid HW_MAX_RETRIES",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t", "HW_MAX_RETRIES": "lots"},
			want:      path.Root("max_retries"),
			fragments: []string{`"lots"`},
		},
		{
			name:      "invalid HW_MAX_REQUESTS_PER_SECOND",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t", "HW_MAX_REQUESTS_PER_SECOND": "-1"},
			want:      path.Root("max_requests_per_second"),
			fragments: []string{`"-1"`, "such as 5"},
		},
		{
			name:      "invalid HW_INSECURE",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t", "HW_INSECURE": "maybe"},
			want:      path.Root("insecure"),
			fragments: []string{`"maybe"`},
		},
		{
			name:      "CA bundle without a certificate, from the environment",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t", "HW_CACERT_FILE": caFile},
			want:      path.Root("cacert_file"),
			fragments: []string{"holds no PEM certificate", "came from HW_CACERT_FILE"},
		},
		{
			name:      "unknown value",
			env:       map[string]string{"HW_REGION_NAME": "eu-de", "HW_AUTH_TOKEN": "t"},
			attrs:     map[string]tftypes.Value{"project_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
			want:      path.Root("project_id"),
			fragments: []string{"Unknown value for project_id", "HW_PROJECT_ID"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			diags, data := configure(t, tc.attrs)
			onlyErrorAt(t, diags, tc.want, tc.fragments...)
			if data != nil {
				t.Fatal("a failed Configure must not hand out a client")
			}
		})
	}
}

func TestConfigureSucceedsWithSecretsOutOfDiagnostics(t *testing.T) {
	clearProviderEnv(t)
	t.Setenv("HW_REGION_NAME", "ap-southeast-1")
	t.Setenv("HW_ACCESS_KEY", "AKFROMENV")
	t.Setenv("HW_SECRET_KEY", "SKFROMENVSECRET")
	diags, data := configure(t, map[string]tftypes.Value{"endpoints": endpointsValue(map[string]string{"dms": "http://127.0.0.1:1/"})})
	if diags.HasError() {
		t.Fatal(diags)
	}
	pd, ok := data.(*providerData)
	if !ok || pd.client == nil || pd.client.Region() != "ap-southeast-1" || pd.client.Auth().String() != "AK/SK" {
		t.Fatalf("provider data %#v", data)
	}
}
