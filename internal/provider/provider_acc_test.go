package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// TestAccProvider_credentials proves each way of giving credentials end to
// end: Terraform configures the provider, which authenticates to the
// emulator (whose verifier holds signatures to the SDK's vectors), looks the
// project up or takes it as given, and reads a task.
func TestAccProvider_credentials(t *testing.T) {
	cases := []struct {
		auth          authKind
		givenProject  bool
		wantLookups   bool // GET /v3/projects
		wantTokenReqs bool // POST /v3/auth/tokens
	}{
		{auth: authAKSK, givenProject: true},
		{auth: authAKSK, givenProject: false, wantLookups: true},
		{auth: authTemporaryAKSK, givenProject: false, wantLookups: true},
		{auth: authToken, givenProject: true},
		{auth: authToken, givenProject: false, wantLookups: true},
		// The password token names its project: no lookup is needed.
		{auth: authPassword, givenProject: false, wantTokenReqs: true},
		{auth: authPassword, givenProject: true, wantTokenReqs: true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/project_given=%v", tc.auth, tc.givenProject), func(t *testing.T) {
			cloud := newTestCloud(t)
			var extra []string
			if tc.givenProject {
				extra = append(extra, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: cloud.providerConfig(tc.auth, extra...) + fmt.Sprintf(`
data "hwtasks_rocketmq_background_tasks" "test" {
  instance_id = %q
  task_id     = %q
}`, seedInstance, seedTask),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.hwtasks_rocketmq_background_tasks.test", tfjsonpath.New("project_id"), knownvalue.StringExact(emulator.DefaultProjectID)),
						statecheck.ExpectKnownValue("data.hwtasks_rocketmq_background_tasks.test", tfjsonpath.New("id"),
							knownvalue.StringExact(emulator.DefaultProjectID+"/"+seedInstance+"/"+seedTask)),
						statecheck.ExpectKnownValue("data.hwtasks_rocketmq_background_tasks.test", tfjsonpath.New("tasks").AtSliceIndex(0).AtMapKey("user_name"), knownvalue.StringExact("dms_test")),
					},
					Check: func(*terraform.State) error {
						t.Logf("requests: %s", cloud.counts())
						lookups, tokens := cloud.Count(emulator.RouteProjects), cloud.Count(emulator.RouteTokens)
						if (lookups > 0) != tc.wantLookups {
							return fmt.Errorf("%d project lookups; want some: %v", lookups, tc.wantLookups)
						}
						if (tokens > 0) != tc.wantTokenReqs {
							return fmt.Errorf("%d token requests; want some: %v", tokens, tc.wantTokenReqs)
						}
						if cloud.Count(emulator.RouteTaskGet) == 0 {
							return fmt.Errorf("the task was never read")
						}
						return nil
					},
				}},
			})
		})
	}
}

// TestAccProvider_wrongSecretKey shows that the emulator really checks
// signatures: a wrong secret key gets a clear diagnostic, not data.
func TestAccProvider_wrongSecretKey(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.Creds.SecretKey = "not-the-secret-key-the-emulator-knows"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: cloud.providerConfig(authAKSK, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID)) + fmt.Sprintf(`
data "hwtasks_rocketmq_background_tasks" "test" {
  instance_id = %q
}`, seedInstance),
			ExpectError: regexp.MustCompile(`(?s)Credentials rejected.*APIGW\.0301.*clock`),
		}},
	})
}
