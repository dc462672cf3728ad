package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// TestAccFaults_slowerThanReadTimeout serves the task list slower than the
// data source's read timeout: the read must end in the "No answer"
// diagnostic, naming the endpoint, soon after those 2 s, not after the 2-minute attempt timeout
// or the emulator's 10-minute delay.
func TestAccFaults_slowerThanReadTimeout(t *testing.T) {
	t.Parallel()
	cloud := newTestCloud(t)
	cloud.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultLatency, Latency: 10 * time.Minute})
	start := time.Now()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, fmt.Sprintf(`instance_id = %q
  timeouts {
    read = "2s"
  }`, seedInstance)),
			// The endpoint is what failed, so the message names it, and
			// only then mentions the timeout.
			ExpectError: regexp.MustCompile(`(?s)Error: No answer from DMS.*` + wrapped(`Could not read the background tasks of RocketMQ instance `+seedInstance+
				` in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): `+cloud.URL+` did not answer before the read timeout of 2s ran out (GET `+cloud.URL+
				`/v2/`+emulator.DefaultProjectID+`/instances/`+seedInstance+`/tasks?limit=100&start=1: no answer before the deadline (after 1 attempt)). `+
				`The endpoint may be wrong, or unreachable from this machine. Check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and, if set, endpoints.dms. `+
				`Raise timeouts.read only if this API is known to answer slowly.`)),
		}},
	})
	// Terraform's own start-up takes a few seconds, more on a loaded
	// machine; a hang would take minutes.
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("the step took %v; a 2 s read timeout must end the read promptly", elapsed)
	}
	// One request, which the read timeout ended: its attempt had not timed
	// out yet, so nothing was retried.
	requireCounts(t, cloud, map[emulator.Route]int{emulator.RouteTaskList: 1})
}
