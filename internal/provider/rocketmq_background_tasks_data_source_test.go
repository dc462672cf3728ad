package provider

import (
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

const tasksAddr = "data.hwtasks_rocketmq_background_tasks.test"

// manyTasksBase is when the first generated task starts; task i starts i
// minutes later, so the newest (highest i) comes first.
var manyTasksBase = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// manyInstance is the instance that addManyTasks fills.
const manyInstance = "inst-many"

// addManyTasks gives manyInstance n tasks named task-00001 … task-n, every
// fifth one FAILED and the rest SUCCESS, and every third one a restart.
func addManyTasks(c *testCloud, n int) {
	tasks := make([]emulator.Task, n)
	for i := range tasks {
		num := i + 1
		status, name := "SUCCESS", "bindInstancePublicIp"
		if num%5 == 0 {
			status = "FAILED"
		}
		if num%3 == 0 {
			name = "restart"
		}
		created := manyTasksBase.Add(time.Duration(i) * time.Minute)
		tasks[i] = emulator.Task{
			ID: fmt.Sprintf("task-%05d", num), Name: name, UserName: "ops", UserID: "u1", Status: status,
			Params:    fmt.Sprintf(`{"n":%d,"nested":{"a":[1,true,null]},"s":"x","b":false,"z":null}`, num),
			CreatedAt: created, UpdatedAt: created.Add(5 * time.Second),
		}
	}
	c.AddTasks(emulator.DefaultProjectID, manyInstance, tasks...)
}

func tasksConfig(c *testCloud, args string) string {
	return c.providerConfig(authAKSK, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID)) + fmt.Sprintf(`
data "hwtasks_rocketmq_background_tasks" "test" {
  %s
}
`, args)
}

func taskAttr(i int, attr string) tfjsonpath.Path {
	return tfjsonpath.New("tasks").AtSliceIndex(i).AtMapKey(attr)
}

func check(addr string, p tfjsonpath.Path, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, p, v)
}

func TestAccRocketMQBackgroundTasks_allPages(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 257)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(257)),
				check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(257)),
				check(tasksAddr, taskAttr(0, "id"), knownvalue.StringExact("task-00257")),
				check(tasksAddr, taskAttr(256, "id"), knownvalue.StringExact("task-00001")),
				check(tasksAddr, taskAttr(256, "created_at"), knownvalue.StringExact("2026-03-01T00:00:00.000Z")),
				check(tasksAddr, tfjsonpath.New("id"), knownvalue.StringExact(emulator.DefaultProjectID+"/inst-many")),
			},
			Check: func(*terraform.State) error {
				// Only the plan has read the data source yet (the apply
				// applies the saved plan): one read of 257 tasks is exactly
				// three pages of 100.
				return countsAre(cloud, map[emulator.Route]int{emulator.RouteTaskList: 3})
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_timeWindow(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 257)
	// Tasks 11 to 20 start at minutes 10 to 19, both bounds inclusive.
	for _, tc := range []struct{ name, begin, end string }{
		{"api format", "20260301001000", "20260301001900"},
		{"rfc3339", "2026-03-01T00:10:00Z", "2026-03-01T01:19:00+01:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: tasksConfig(cloud, fmt.Sprintf(`instance_id = "inst-many"
  begin_time  = %q
  end_time    = %q`, tc.begin, tc.end)),
					ConfigStateChecks: []statecheck.StateCheck{
						check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(10)),
						check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(10)),
						check(tasksAddr, taskAttr(0, "id"), knownvalue.StringExact("task-00020")),
						check(tasksAddr, taskAttr(9, "id"), knownvalue.StringExact("task-00011")),
					},
				}},
			})
		})
	}
}

func TestAccRocketMQBackgroundTasks_singleTaskAndParams(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, fmt.Sprintf(`instance_id = %q
  task_id     = %q`, seedInstance, seedTask)),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(1)),
				check(tasksAddr, taskAttr(0, "name"), knownvalue.StringExact("bindInstancePublicIp")),
				check(tasksAddr, taskAttr(0, "status"), knownvalue.StringExact("SUCCESS")),
				check(tasksAddr, taskAttr(0, "user_id"), knownvalue.StringExact("xxxxxxxx93ff484a828144c6xxxxxxxx")),
				check(tasksAddr, taskAttr(0, "created_at"), knownvalue.StringExact("2020-06-23T03:00:03.471Z")),
				check(tasksAddr, taskAttr(0, "updated_at"), knownvalue.StringExact("2020-06-23T03:00:08.130Z")),
				check(tasksAddr, taskAttr(0, "params"), knownvalue.StringExact(`{"public_ip_id":"06a13350-4305-4338-9f0e-6b322bb1413d","public_ip_address":"xx.xx.xx.xx","enable_public_ip":true}`)),
				check(tasksAddr, taskAttr(0, "params_map"), knownvalue.MapExact(map[string]knownvalue.Check{
					"public_ip_id":      knownvalue.StringExact("06a13350-4305-4338-9f0e-6b322bb1413d"),
					"public_ip_address": knownvalue.StringExact("xx.xx.xx.xx"),
					"enable_public_ip":  knownvalue.StringExact("true"),
				})),
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_paramsMapShapes(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 3)
	cloud.AddTasks(emulator.DefaultProjectID, "inst-many", emulator.Task{
		ID: "not-json", Name: "restart", Status: "SUCCESS", Params: "restart requested by ops",
		CreatedAt: manyTasksBase.Add(-time.Hour), UpdatedAt: manyTasksBase.Add(-time.Hour),
	})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"`) + `
output "n"      { value = data.hwtasks_rocketmq_background_tasks.test.tasks[0].params_map.n }
output "nested" { value = jsondecode(data.hwtasks_rocketmq_background_tasks.test.tasks[0].params).nested.a[1] }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, taskAttr(0, "params_map"), knownvalue.MapExact(map[string]knownvalue.Check{
					"n":      knownvalue.StringExact("3"),
					"nested": knownvalue.StringExact(`{"a":[1,true,null]}`),
					"s":      knownvalue.StringExact("x"),
					"b":      knownvalue.StringExact("false"),
					"z":      knownvalue.Null(),
				})),
				check(tasksAddr, taskAttr(3, "id"), knownvalue.StringExact("not-json")),
				check(tasksAddr, taskAttr(3, "params_map"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("n", knownvalue.StringExact("3")),
				statecheck.ExpectKnownOutputValue("nested", knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_filters(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 257)
	// Tasks numbered by 15 are both restarts and FAILED: 17 of them, the
	// newest 255 and the oldest 15.
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"
  name        = "restart"
  status      = "FAILED"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(257)),
				check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(17)),
				check(tasksAddr, taskAttr(0, "id"), knownvalue.StringExact("task-00255")),
				check(tasksAddr, taskAttr(16, "id"), knownvalue.StringExact("task-00015")),
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_rawPage(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 257)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"
  start       = 101
  limit       = 5`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(257)),
				check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(5)),
				check(tasksAddr, taskAttr(0, "id"), knownvalue.StringExact("task-00157")),
				check(tasksAddr, taskAttr(4, "id"), knownvalue.StringExact("task-00153")),
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_waitForCompletion(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddTasks(emulator.DefaultProjectID, "inst-w", emulator.Task{
		ID: "restart-1", Name: "restart", Status: "CREATED", CreatedAt: manyTasksBase, UpdatedAt: manyTasksBase,
	})
	cloud.ScriptTask("inst-w", "restart-1", "CREATED", "EXECUTING", "EXECUTING", "SUCCESS")
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id         = "inst-w"
  task_id             = "restart-1"
  wait_for_completion = true
  poll_interval       = "100ms"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, taskAttr(0, "status"), knownvalue.StringExact("SUCCESS")),
			},
			Check: func(*terraform.State) error {
				// Only the plan has read the data source yet: it polled
				// through the four scripted states, and stopped at SUCCESS.
				return countsAre(cloud, map[emulator.Route]int{emulator.RouteTaskGet: 4})
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_waitTimesOut(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddTasks(emulator.DefaultProjectID, "inst-w", emulator.Task{
		ID: "stuck", Name: "restart", Status: "EXECUTING", CreatedAt: manyTasksBase, UpdatedAt: manyTasksBase,
	})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id         = "inst-w"
  task_id             = "stuck"
  wait_for_completion = true
  poll_interval       = "100ms"
  timeouts {
    read = "1s"
  }`),
			ExpectError: regexp.MustCompile(`(?s)Timed out waiting for the task.*stuck.*restart.*last status was\s+EXECUTING`),
		}},
	})
}

func TestAccRocketMQBackgroundTasks_notFound(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      tasksConfig(cloud, `instance_id = "no-such-instance"`),
				ExpectError: regexp.MustCompile(`(?s)RocketMQ instance no-such-instance was not found.*` + emulator.DefaultProjectID + `.*ap-southeast-1.*DMS\.00404022.*request id.*Check\s+instance_id`),
			},
			{
				Config: tasksConfig(cloud, fmt.Sprintf(`instance_id = %q
  task_id     = "no-such-task"`, seedInstance)),
				ExpectError: regexp.MustCompile(`(?s)Background task no-such-task of RocketMQ instance.*was not found.*DMS\.00404026.*request id`),
			},
		},
	})
}

func TestAccRocketMQBackgroundTasks_planTimeErrorsSendNothing(t *testing.T) {
	cloud := newTestCloud(t)
	// Each invalid configuration fails with exactly its diagnostic, on its
	// attribute, and nothing reaches the API.
	const ds = "hwtasks_rocketmq_background_tasks"
	cases := []struct{ name, args, want string }{
		{"bad begin_time", `begin_time = "2024-01-01"`, planError(ds, "Invalid begin_time", `begin_time = "2024-01-01"`,
			wrapped(`expected YYYYMMDDHHmmss (UTC, such as 20240131235959) or RFC 3339 (such as 2024-01-31T23:59:59Z or timeadd(plantimestamp(), "-24h")), got "2024-01-01"`))},
		{"not a calendar date", `begin_time = "20240230000000"`, planError(ds, "Invalid begin_time", `begin_time = "20240230000000"`,
			wrapped(`"20240230000000" is not a real time in the YYYYMMDDHHmmss format: parsing time "20240230000000": day out of range`))},
		{"begin after end", `begin_time = "20240102000000"
  end_time = "2024-01-01T00:00:00Z"`, planError(ds, "begin_time is after end_time", `begin_time = "20240102000000"`,
			wrapped(`The window begins at 2024-01-02T00:00:00Z but ends earlier, at 2024-01-01T00:00:00Z (both in UTC). Swap them, or move begin_time back.`))},
		{"blank instance", `instance_id = " "`, planError(ds, "Invalid instance_id", `instance_id = " "`,
			wrapped(`instance_id is not an ID of the API: it has leading or trailing whitespace. Copy the ID from the console or from the resource that holds it. Got " ".`))},
		{"unknown status", `status = "DONE"`, planError(ds, "Invalid Attribute Value Match", `status = "DONE"`,
			wrapped(`Attribute status value must be one of: ["CREATED" "EXECUTING" "SUCCESS" "FAILED" "DELETED" "CANCELLED"], got: "DONE"`))},
		{"limit too large", `limit = 101`, planError(ds, "Invalid Attribute Value", `limit = 101`,
			wrapped(`Attribute limit value must be between 1 and 100, got: 101`))},
		{"wait without task", `wait_for_completion = true`, planError(ds, "wait_for_completion needs task_id", `wait_for_completion = true`,
			wrapped(`wait_for_completion = true waits for one task to finish, so it needs task_id. `+
				`Set task_id to the task to wait for, or set wait_for_completion to false to read the list as it is.`))},
		{"poll too fast", `task_id = "t"
  poll_interval = "10ms"`, planError(ds, "Invalid poll_interval", `poll_interval = "10ms"`,
			wrapped(`10ms is too short: the minimum is 100ms, so that the API is not flooded.`))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !regexp.MustCompile(`instance_id`).MatchString(args) {
				args = `instance_id = "inst"
  ` + args
			}
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      tasksConfig(cloud, args),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	requireCounts(t, cloud, nil)
}

func TestAccRocketMQBackgroundTasks_throttledThenFailing(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 20)
	cloud.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultThrottle, Times: 1, RetryAfter: "1"})
	cloud.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 503})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(20)),
			},
			Check: func(*terraform.State) error {
				// The 429, the 503 and the answer that got through: 20 tasks
				// are one page.
				return countsAre(cloud, map[emulator.Route]int{emulator.RouteTaskList: 3})
			},
		}},
	})
}

// TestAccOtherEngines reads the same API through the Kafka and RabbitMQ
// data sources, whose errors name their engine.
func TestAccOtherEngines(t *testing.T) {
	for _, e := range []struct{ name, title string }{{"kafka", "Kafka"}, {"rabbitmq", "RabbitMQ"}} {
		t.Run(e.name, func(t *testing.T) {
			cloud := newTestCloud(t)
			addr := "data.hwtasks_" + e.name + "_background_tasks.test"
			provider := cloud.providerConfig(authAKSK)
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						Config: provider + fmt.Sprintf(`
data "hwtasks_%s_background_tasks" "test" {
  instance_id = %q
}`, e.name, seedInstance2),
						ConfigStateChecks: []statecheck.StateCheck{
							check(addr, tfjsonpath.New("task_count"), knownvalue.Int64Exact(1)),
							check(addr, taskAttr(0, "id"), knownvalue.StringExact("8abfa7b272adc5b40172b73130065ae7")),
							check(addr, taskAttr(0, "params_map").AtMapKey("public_ip_address"), knownvalue.StringExact("100.93.2.18")),
						},
					},
					{
						Config: provider + fmt.Sprintf(`
data "hwtasks_%s_background_tasks" "test" {
  instance_id = "missing"
}`, e.name),
						ExpectError: regexp.MustCompile(`(?s)Error: ` + e.title + ` instance missing was not found.*` +
							wrapped(e.title+` instance missing was not found in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): 404 DMS.00404022 This DMS instance does not exist.`)),
					},
				},
			})
		})
	}
}
