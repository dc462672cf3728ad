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
	resource.ParallelTest(t, resource.TestCase{
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
				// Each terraform command reads the data source once, with
				// three pages each time.
				if n := cloud.Count(emulator.RouteTaskList); n == 0 || n%3 != 0 {
					return fmt.Errorf("%d list requests; want a multiple of 3 pages", n)
				}
				return nil
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
			resource.Test(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
				// The first read polls through the four scripted states.
				if n := cloud.Count(emulator.RouteTaskGet); n < 4 {
					return fmt.Errorf("%d task reads; waiting needed at least 4", n)
				}
				return nil
			},
		}},
	})
}

func TestAccRocketMQBackgroundTasks_waitTimesOut(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddTasks(emulator.DefaultProjectID, "inst-w", emulator.Task{
		ID: "stuck", Name: "restart", Status: "EXECUTING", CreatedAt: manyTasksBase, UpdatedAt: manyTasksBase,
	})
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	cases := []struct{ name, args, want string }{
		{"bad begin_time", `begin_time = "2024-01-01"`, `(?s)Invalid begin_time.*expected\s+YYYYMMDDHHmmss`},
		{"not a calendar date", `begin_time = "20240230000000"`, `(?s)Invalid begin_time.*not a real time`},
		{"begin after end", `begin_time = "20240102000000"
  end_time = "2024-01-01T00:00:00Z"`, `(?s)begin_time is after end_time`},
		{"blank instance", `instance_id = " "`, `(?s)instance_id.*must not be empty`},
		{"unknown status", `status = "DONE"`, `(?s)status.*SUCCESS`},
		{"limit too large", `limit = 101`, `(?s)limit.*between 1 and 100`},
		{"wait without task", `wait_for_completion = true`, `(?s)task_id`},
		{"poll too fast", `task_id = "t"
  poll_interval = "10ms"`, `(?s)poll_interval.*minimum is 100ms`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !regexp.MustCompile(`instance_id`).MatchString(args) {
				args = `instance_id = "inst"
  ` + args
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      tasksConfig(cloud, args),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if counts := cloud.Counts(); len(counts) != 0 && sumCounts(counts) != 0 {
		t.Fatalf("invalid configurations reached the API: %s", cloud.counts())
	}
}

func sumCounts(m map[emulator.Route]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestAccRocketMQBackgroundTasks_throttledThenFailing(t *testing.T) {
	cloud := newTestCloud(t)
	addManyTasks(cloud, 20)
	cloud.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultThrottle, Times: 1, RetryAfter: "1"})
	cloud.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultServerError, Times: 1, Status: 503})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: tasksConfig(cloud, `instance_id = "inst-many"`),
			ConfigStateChecks: []statecheck.StateCheck{
				check(tasksAddr, tfjsonpath.New("tasks"), knownvalue.ListSizeExact(20)),
			},
			Check: func(*terraform.State) error {
				// The 429, the 503 and the answer that got through.
				if n := cloud.Count(emulator.RouteTaskList); n < 3 {
					return fmt.Errorf("%d list requests; the faults were not served", n)
				}
				return nil
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
			resource.ParallelTest(t, resource.TestCase{
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
						ExpectError: regexp.MustCompile(`(?s)` + e.title + ` instance missing was not found`),
					},
				},
			})
		})
	}
}
