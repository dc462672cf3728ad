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
		wantLookups   int // GET /v3/projects
		wantTokenReqs int // POST /v3/auth/tokens
	}{
		{auth: authAKSK, givenProject: true},
		{auth: authAKSK, givenProject: false, wantLookups: 1},
		{auth: authTemporaryAKSK, givenProject: false, wantLookups: 1},
		{auth: authToken, givenProject: true},
		{auth: authToken, givenProject: false, wantLookups: 1},
		// The password token names its project: no lookup is needed.
		{auth: authPassword, givenProject: false, wantTokenReqs: 1},
		{auth: authPassword, givenProject: true, wantTokenReqs: 1},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/project_given=%v", tc.auth, tc.givenProject), func(t *testing.T) {
			cloud := newTestCloud(t)
			var extra []string
			if tc.givenProject {
				extra = append(extra, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID))
			}
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
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
					// Only the plan has read the data source yet (the apply
					// applies the saved plan): one read of the task, after at
					// most one IAM request.
					Check: func(*terraform.State) error {
						return countsAre(cloud, map[emulator.Route]int{
							emulator.RouteProjects: tc.wantLookups,
							emulator.RouteTokens:   tc.wantTokenReqs,
							emulator.RouteTaskGet:  1,
						})
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
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
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
