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
// data source's read timeout: the read must end in the "Timed out"
// diagnostic soon after those 2 s, not after the 2-minute attempt timeout
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
			ExpectError: regexp.MustCompile(`(?s)Error: Timed out.*` + seedInstance + `.*within\s+the\s+read\s+timeout\s+of\s+2s.*context\s+deadline\s+exceeded.*Raise\s+timeouts\.read`),
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
