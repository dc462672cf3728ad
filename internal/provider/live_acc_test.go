package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// liveInstance returns the RocketMQ instance a live test reads, or skips
// the test: live tests run only under make testacc-live, with real
// credentials (HW_ACCESS_KEY, HW_SECRET_KEY, HW_REGION_NAME) and
// HW_LIVE_ROCKETMQ_INSTANCE_ID set. They only read.
func liveInstance(t *testing.T) string {
	t.Helper()
	if os.Getenv("HW_ACCESS_KEY") == "" || os.Getenv("HW_LIVE") == "" {
		t.Skip("live test: run make testacc-live with HW_ACCESS_KEY, HW_SECRET_KEY and HW_REGION_NAME set")
	}
	id := os.Getenv("HW_LIVE_ROCKETMQ_INSTANCE_ID")
	if id == "" {
		t.Skip("live test: set HW_LIVE_ROCKETMQ_INSTANCE_ID to a RocketMQ instance of the account")
	}
	return id
}

// TestAccLive_rocketmqBackgroundTasks reads a real instance's tasks through
// the public endpoints: signing, project lookup and paging against the
// real API.
func TestAccLive_rocketmqBackgroundTasks(t *testing.T) {
	instance := liveInstance(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "hwtasks" {}

data "hwtasks_rocketmq_background_tasks" "live" {
  instance_id = %q
}`, instance),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.hwtasks_rocketmq_background_tasks.live", tfjsonpath.New("id"),
					knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}/`+regexp.QuoteMeta(instance)+`$`))),
				statecheck.ExpectKnownValue("data.hwtasks_rocketmq_background_tasks.live", tfjsonpath.New("task_count"), knownvalue.NotNull()),
			},
		}},
	})
}
