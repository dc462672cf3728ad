package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// A module passes wait_for_completion = var.wait; false without task_id
// must read the list as if the argument were left out. It used to be
// rejected because the argument needed task_id whatever its value.
func TestAccBackgroundTasks_waitFalseWithoutTaskID(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, fmt.Sprintf("instance_id = %q\n  wait_for_completion = false", seedInstance)),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(1)),
				check(tasksAddr, taskAttr(0, "id"), knownvalue.StringExact(seedTask)),
			},
		}},
	})
}

// These are refused when Terraform plans, before any request: the
// emulator must see none.
func TestAccBackgroundTasks_planTimeErrors(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	ds := "hwtasks_rocketmq_background_tasks"
	cases := []struct {
		args, summary, line, detail string
	}{
		{
			args:    fmt.Sprintf("instance_id = %q\n  wait_for_completion = true", seedInstance),
			summary: "wait_for_completion needs task_id", line: "wait_for_completion = true",
			detail: wrapped("wait_for_completion = true waits for one task to finish, so it needs task_id. " +
				"Set task_id to the task to wait for, or set wait_for_completion to false to read the list as it is."),
		},
		{
			// With a status filter that excludes the task, tasks was [] while
			// task_count was 1, and self.tasks[0] broke.
			args:    fmt.Sprintf("instance_id = %q\n  task_id = %q\n  status = \"FAILED\"", seedInstance, seedTask),
			summary: "Invalid Attribute Combination", line: `status = "FAILED"`,
			detail: wrapped(`Attribute "task_id" cannot be specified when "status" is specified`),
		},
		{
			args:    fmt.Sprintf("instance_id = %q\n  task_id = %q\n  name = \"restart\"", seedInstance, seedTask),
			summary: "Invalid Attribute Combination", line: `name = "restart"`,
			detail: wrapped(`Attribute "task_id" cannot be specified when "name" is specified`),
		},
		{
			args:    fmt.Sprintf("instance_id = %q\n  task_id = \"..\"", seedInstance),
			summary: "Invalid task_id", line: `task_id = ".."`,
			detail: wrapped(`task_id is not an ID of the API: it is a dot segment, which would change the request's path. ` +
				`Copy the ID from the console or from the resource that holds it. Got "..".`),
		},
		{
			args:    `instance_id = "inst 1"`,
			summary: "Invalid instance_id", line: `instance_id = "inst 1"`,
			detail: wrapped(`instance_id is not an ID of the API: it holds whitespace.`) + `.*`,
		},
		{
			args:    fmt.Sprintf("instance_id = %q\n  task_id = %q\n  wait_for_completion = true\n  poll_interval = \"10\"", seedInstance, seedTask),
			summary: "Invalid poll_interval", line: `poll_interval = "10"`,
			detail: wrapped(`"10" has no unit. Did you mean "10s"? A duration needs its unit, such as "10s", "500ms" or "1m".`),
		},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, tc := range cases {
		steps[i] = resource.TestStep{
			Config:      tasksConfig(cloud, tc.args),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(planError(ds, tc.summary, tc.line, tc.detail)),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
	})
	if n := cloud.Count(emulator.RouteTaskList) + cloud.Count(emulator.RouteTaskGet); n != 0 {
		t.Errorf("%d task requests were sent for configurations that plan-time validation rejects", n)
	}
}
