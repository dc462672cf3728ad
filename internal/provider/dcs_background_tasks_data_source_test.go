package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

const dcsAddr = "data.hwtasks_dcs_background_tasks.test"

// addManyDCSTasks gives DCS instance dcs-many n tasks named dcs-00001 …,
// as addManyTasks does for DMS: every fifth FAILED, every third an EXTEND
// with capacities, the others BindEip.
func addManyDCSTasks(c *testCloud, n int) {
	tasks := make([]emulator.DCSTask, n)
	for i := range tasks {
		num := i + 1
		status, name := "SUCCESS", "BindEip"
		details := fmt.Sprintf(`{"public_ip_address":"100.93.2.%d","enable_public_ip":true}`, num%250)
		if num%5 == 0 {
			status = "FAILED"
		}
		if num%3 == 0 {
			name, details = "EXTEND", `{"old_capacity":"2","new_capacity":"4","old_replica_num":1,"new_replica_num":2}`
		}
		created := manyTasksBase.Add(time.Duration(i) * time.Minute)
		tasks[i] = emulator.DCSTask{
			ID: fmt.Sprintf("dcs-%05d", num), Name: name, UserName: "ops", UserID: "u1", Status: status,
			Params: `{"k":"v"}`, CreatedAt: created, UpdatedAt: created.Add(5 * time.Second),
			Details: json.RawMessage(details), EnableShow: num%2 == 0,
		}
	}
	c.AddDCSTasks(emulator.DefaultProjectID, "dcs-many", tasks...)
}

func dcsConfig(c *testCloud, args string, providerExtra ...string) string {
	return c.providerConfig(authAKSK, append(providerExtra, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID))...) + fmt.Sprintf(`
data "hwtasks_dcs_background_tasks" "test" {
  %s
}
`, args)
}

// nullDetails is details with only the given fields set.
func detailsExact(set map[string]knownvalue.Check) knownvalue.Check {
	all := map[string]knownvalue.Check{}
	for name := range dcsDetailsAttrTypes() {
		all[name] = knownvalue.Null()
	}
	for k, v := range set {
		all[k] = v
	}
	return knownvalue.ObjectExact(all)
}

func TestAccDCSBackgroundTasks_allPages(t *testing.T) {
	c := newTestCloud(t)
	addManyDCSTasks(c, 257)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dcsConfig(c, `instance_id = "dcs-many"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(dcsAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(257)),
				check(dcsAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(257)),
				check(dcsAddr, taskAttr(0, "id"), knownvalue.StringExact("dcs-00257")),
				check(dcsAddr, taskAttr(100, "id"), knownvalue.StringExact("dcs-00157")),
				check(dcsAddr, taskAttr(200, "id"), knownvalue.StringExact("dcs-00057")),
				check(dcsAddr, taskAttr(256, "id"), knownvalue.StringExact("dcs-00001")),
				// dcs-00255: an EXTEND, FAILED, its details typed.
				check(dcsAddr, taskAttr(2, "name"), knownvalue.StringExact("EXTEND")),
				check(dcsAddr, taskAttr(2, "status"), knownvalue.StringExact("FAILED")),
				check(dcsAddr, taskAttr(2, "details"), detailsExact(map[string]knownvalue.Check{
					"old_capacity": knownvalue.StringExact("2"), "new_capacity": knownvalue.StringExact("4"),
					"old_replica_num": knownvalue.Int64Exact(1), "new_replica_num": knownvalue.Int64Exact(2),
				})),
				check(dcsAddr, taskAttr(2, "details_json"), knownvalue.StringExact(`{"old_capacity":"2","new_capacity":"4","old_replica_num":1,"new_replica_num":2}`)),
				check(dcsAddr, taskAttr(2, "enable_show"), knownvalue.Bool(false)),
				// dcs-00256: a BindEip.
				check(dcsAddr, taskAttr(1, "details"), detailsExact(map[string]knownvalue.Check{
					"public_ip_address": knownvalue.StringExact("100.93.2.6"), "enable_public_ip": knownvalue.Bool(true),
				})),
				check(dcsAddr, taskAttr(1, "enable_show"), knownvalue.Bool(true)),
				check(dcsAddr, taskAttr(1, "params_map"), knownvalue.MapExact(map[string]knownvalue.Check{"k": knownvalue.StringExact("v")})),
			},
			// The plan of the apply: 257 tasks are three pages of 100.
			Check: func(*terraform.State) error {
				return countsAre(c, map[emulator.Route]int{emulator.RouteDCSTaskList: 3})
			},
		}},
	})
}

func TestAccDCSBackgroundTasks_filtersAndWindow(t *testing.T) {
	c := newTestCloud(t)
	addManyDCSTasks(c, 257)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// EXTENDs that FAILED: the numbers divisible by 15.
				Config: dcsConfig(c, `instance_id = "dcs-many"
  name        = "EXTEND"
  status      = "FAILED"`),
				ConfigStateChecks: []statecheck.StateCheck{
					check(dcsAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(257)),
					check(dcsAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(17)),
					check(dcsAddr, taskAttr(0, "id"), knownvalue.StringExact("dcs-00255")),
					check(dcsAddr, taskAttr(16, "id"), knownvalue.StringExact("dcs-00015")),
				},
			},
			{
				// Tasks 11 to 20 (created at minutes 10 to 19).
				Config: dcsConfig(c, `instance_id = "dcs-many"
  begin_time  = "2026-03-01T00:10:00Z"
  end_time    = "20260301001900"`),
				ConfigStateChecks: []statecheck.StateCheck{
					check(dcsAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(10)),
					check(dcsAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(10)),
					check(dcsAddr, taskAttr(0, "id"), knownvalue.StringExact("dcs-00020")),
					check(dcsAddr, taskAttr(9, "id"), knownvalue.StringExact("dcs-00011")),
				},
			},
			{
				// One page: the second of 100, as offset 100.
				Config: dcsConfig(c, `instance_id = "dcs-many"
  start       = 101
  limit       = 100`),
				ConfigStateChecks: []statecheck.StateCheck{
					check(dcsAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(100)),
					check(dcsAddr, taskAttr(0, "id"), knownvalue.StringExact("dcs-00157")),
				},
			},
		},
	})
}

func TestAccDCSBackgroundTasks_waitOnOneTask(t *testing.T) {
	c := newTestCloud(t)
	addManyDCSTasks(c, 150)
	// The task waited for is on the second page, behind 120 newer ones.
	c.AddDCSTasks(emulator.DefaultProjectID, "dcs-many", emulator.DCSTask{
		ID: "dcs-resize", Name: "EXTEND", Status: "WAITING", CreatedAt: manyTasksBase.Add(29*time.Minute + 30*time.Second),
		Details: json.RawMessage(`{"old_capacity":"8","new_capacity":"16"}`),
	})
	c.ScriptDCSTask("dcs-many", "dcs-resize", "WAITING", "EXECUTING", "SUCCESS")
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dcsConfig(c, `instance_id         = "dcs-many"
  task_id             = "dcs-resize"
  wait_for_completion = true
  poll_interval       = "100ms"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(dcsAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(1)),
				check(dcsAddr, taskAttr(0, "status"), knownvalue.StringExact("SUCCESS")),
				check(dcsAddr, taskAttr(0, "details"), detailsExact(map[string]knownvalue.Check{
					"old_capacity": knownvalue.StringExact("8"), "new_capacity": knownvalue.StringExact("16"),
				})),
			},
			// The plan of the apply polled three times; each poll read the
			// first page and the second, where the task is.
			Check: func(*terraform.State) error {
				return countsAre(c, map[emulator.Route]int{emulator.RouteDCSTaskList: 6})
			},
		}},
	})
}

func TestAccDCSBackgroundTasks_serverErrorThenSuccess(t *testing.T) {
	c := newTestCloud(t)
	addManyDCSTasks(c, 3)
	c.InjectFault(emulator.RouteDCSTaskList, emulator.Fault{Kind: emulator.FaultServerError, Status: 500, Times: 1})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:            dcsConfig(c, `instance_id = "dcs-many"`, "max_retries = 1"),
			ConfigStateChecks: []statecheck.StateCheck{check(dcsAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(3))},
			Check: func(*terraform.State) error {
				return countsAre(c, map[emulator.Route]int{emulator.RouteDCSTaskList: 2})
			},
		}},
	})
}

func TestAccDCSBackgroundTasks_notFound(t *testing.T) {
	c := newTestCloud(t)
	addManyDCSTasks(c, 3)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: dcsConfig(c, `instance_id = "no-such-instance"`),
				ExpectError: regexp.MustCompile(`(?s)Error: DCS instance no-such-instance was not found.*` +
					wrapped(`in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): 404 DCS.3022`) + `.*` + wrapped(`Check instance_id and region.`)),
			},
			{
				Config: dcsConfig(c, `instance_id = "dcs-many"
  task_id     = "no-such-task"`),
				ExpectError: regexp.MustCompile(`(?s)Error: Background task no-such-task of DCS instance dcs-many was not found.*` +
					wrapped(`Check task_id; the API keeps recent tasks only.`)),
			},
		},
	})
}

// A status the docs do not list ends a wait, with a warning, instead of
// polling until the read times out.
func TestAccDCSBackgroundTasks_unknownStatusEndsTheWait(t *testing.T) {
	c := newTestCloud(t)
	c.AddDCSTasks(emulator.DefaultProjectID, "dcs-odd", emulator.DCSTask{ID: "t-odd", Name: "EXTEND", Status: "WAITING", CreatedAt: manyTasksBase,
		Details: json.RawMessage(`{"rename_commands":["nullify","keys"],"old_port":"6379","new_port":1.5}`)})
	c.ScriptDCSTask("dcs-odd", "t-odd", "WAITING", "CANCELED")
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dcsConfig(c, `instance_id         = "dcs-odd"
  task_id             = "t-odd"
  wait_for_completion = true
  poll_interval       = "100ms"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(dcsAddr, taskAttr(0, "status"), knownvalue.StringExact("CANCELED")),
				// A list holding the word null is still a list; a quoted
				// number is an int, a fraction is not.
				check(dcsAddr, taskAttr(0, "details"), detailsExact(map[string]knownvalue.Check{
					"rename_commands": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("nullify"), knownvalue.StringExact("keys")}),
					"old_port":        knownvalue.Int64Exact(6379),
				})),
			},
			Check: func(*terraform.State) error {
				return countsAre(c, map[emulator.Route]int{emulator.RouteDCSTaskList: 2})
			},
		}},
	})
}
