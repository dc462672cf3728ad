package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// A failed project lookup used to end, whatever the cause, in "Cannot find
// the project ID … Set project_id to skip the lookup", pointing at region.
// Only a region IAM does not know deserves that; the rest are classified
// like every other call.
func TestProjectLookupErrorsAreClassified(t *testing.T) {
	emu, srv := emulator.NewServer(emulator.DefaultConfig())
	defer srv.Close()
	creds := emu.Config().Credentials
	for _, tc := range []struct {
		name   string
		cfg    client.Config
		region string
		// summary and fragments of the one error; attr is its path, or
		// empty for none.
		summary   string
		attr      string
		fragments []string
	}{
		{
			name:    "a wrong secret key",
			cfg:     client.Config{AccessKey: creds.AccessKey, SecretKey: "wrong-secret-key-0000000000000000000000"},
			summary: "Credentials rejected",
			fragments: []string{"IAM rejected the credentials trying to look up the project ID of region " + emulator.DefaultRegion +
				" in region " + emulator.DefaultRegion + ": 401 APIGW.0301"},
		},
		{
			name:    "IAM refuses connections",
			cfg:     client.Config{AccessKey: creds.AccessKey, SecretKey: creds.SecretKey, Endpoints: map[string]string{"iam": "http://127.0.0.1:1"}},
			summary: "Cannot reach IAM",
			fragments: []string{"connection refused",
				"IAM is at http://127.0.0.1:1 for this region. Check cloud (a typo there sends every request astray), endpoints.iam if set,"},
		},
		{
			name:      "a region IAM does not know",
			cfg:       client.Config{AccessKey: creds.AccessKey, SecretKey: creds.SecretKey},
			region:    "xx-nowhere-1",
			summary:   "Cannot find the project ID of region xx-nowhere-1",
			attr:      "region",
			fragments: []string{`IAM found no project named "xx-nowhere-1" in this account.`, "project_id, on the provider or on this data source, skips the lookup."},
		},
		{
			name:      "a wrong password",
			cfg:       client.Config{UserName: creds.UserName, Password: "wrong", DomainName: creds.DomainName},
			summary:   "Credentials rejected",
			fragments: []string{"IAM rejected the credentials trying to obtain an IAM token for region " + emulator.DefaultRegion},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Region = emulator.DefaultRegion
			if cfg.Endpoints == nil {
				cfg.Endpoints = map[string]string{}
			}
			for _, k := range client.EndpointKeys {
				if cfg.Endpoints[k] == "" {
					cfg.Endpoints[k] = srv.URL
				}
			}
			zero := 0
			cfg.MaxRetries = &zero
			c, err := client.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			region := types.StringNull()
			if tc.region != "" {
				region = types.StringValue(tc.region)
			}
			var diags diag.Diagnostics
			if _, ok := resolveScope(context.Background(), c, region, types.StringNull(), time.Minute, &diags); ok {
				t.Fatal("the lookup succeeded")
			}
			errs := diags.Errors()
			if len(errs) != 1 || errs[0].Summary() != tc.summary {
				t.Fatalf("diagnostics %v; want one error %q", diags, tc.summary)
			}
			dp, hasPath := errs[0].(diag.DiagnosticWithPath)
			switch {
			case tc.attr == "" && hasPath:
				t.Fatalf("the error points at %s; want no attribute", dp.Path())
			case tc.attr != "" && (!hasPath || !dp.Path().Equal(path.Root(tc.attr))):
				t.Fatalf("the error does not point at %s", tc.attr)
			}
			detail := flat(errs[0].Detail())
			for _, f := range tc.fragments {
				if !strings.Contains(detail, f) {
					t.Errorf("the detail lacks %q:\n%s", f, detail)
				}
			}
			if tc.attr == "" && strings.Contains(detail, "set project_id") {
				t.Errorf("the detail advises project_id, which would not help:\n%s", detail)
			}
		})
	}
}
