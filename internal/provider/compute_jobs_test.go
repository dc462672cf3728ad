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

// v1JobCase is one v1 job data source, as the emulator serves it.
type v1JobCase struct {
	typeName string
	svc      emulator.V1JobService
	route    emulator.Route
	product  string
	// subJobsKey is where entities lists the sub-jobs.
	subJobsKey string
	// progress is what progress reads for entities.process_percent 0.4
	// (IMS), or -1 where the API has none.
	progress int64
}

var v1JobCases = []v1JobCase{
	{"hwtasks_ecs_job", emulator.V1JobServiceECS, emulator.RouteECSJob, "ECS", "sub_jobs", -1},
	{"hwtasks_evs_job", emulator.V1JobServiceEVS, emulator.RouteEVSJob, "EVS", "sub_jobs", -1},
	{"hwtasks_ims_job", emulator.V1JobServiceIMS, emulator.RouteIMSJob, "IMS", "sub_jobs_result", 40},
}

func (jc v1JobCase) config(c *testCloud, args string, providerExtra ...string) string {
	return c.providerConfig(authAKSK, providerExtra...) + fmt.Sprintf("\ndata %q \"test\" {\n  %s\n}\n", jc.typeName, args)
}

func (jc v1JobCase) value(p tfjsonpath.Path, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data."+jc.typeName+".test", p, v)
}

func routeCount(c *testCloud, route emulator.Route, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := c.Count(route); n != want {
			return fmt.Errorf("%d reads of %s; want %d (%s)", n, route, want, c.counts())
		}
		return nil
	}
}

var jobBegan = time.Date(2026, 4, 25, 20, 4, 34, 604_000_000, time.UTC)

// entities returns the job's entities: two sub-jobs, the second with the
// given status and reason, and a process_percent of 0.4.
func (jc v1JobCase) entities(second, reason string) json.RawMessage {
	fr := "null"
	if reason != "" {
		fr = fmt.Sprintf("%q", reason)
	}
	return json.RawMessage(fmt.Sprintf(`{"sub_jobs_total":2,"process_percent":0.4,%q:[
 {"status":"SUCCESS","job_id":"sub-1","job_type":"createSingleServer","begin_time":"2026-04-25T20:04:34.604Z","end_time":"2026-04-25T20:06:00.000Z","error_code":null,"fail_reason":null,"entities":{"server_id":"srv-1"}},
 {"status":%q,"job_id":"sub-2","job_type":"createSingleServer","begin_time":"2026-04-25T20:04:34.604Z","end_time":"","error_code":null,"fail_reason":%s,"entities":{}}]}`,
		jc.subJobsKey, second, fr))
}

func TestAccV1Jobs_successAndFailure(t *testing.T) {
	for _, jc := range v1JobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{
				ID: "job-ok", Type: "createServer", Status: "SUCCESS", BeginTime: jobBegan, EndTime: jobBegan.Add(4 * time.Minute),
				Entities: jc.entities("SUCCESS", ""),
			})
			c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{
				ID: "job-failed", Type: "createServer", Status: "FAIL", BeginTime: jobBegan, EndTime: jobBegan.Add(time.Minute),
				ErrorCode: "Ecs.0000", FailReason: "one of the servers failed", Entities: jc.entities("FAIL", "Insufficient capacity in the AZ."),
			})
			var progress knownvalue.Check = knownvalue.Null()
			if jc.progress >= 0 {
				progress = knownvalue.Int64Exact(jc.progress)
			}
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						Config: jc.config(c, `id = "job-ok"`),
						ConfigStateChecks: []statecheck.StateCheck{
							jc.value(tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
							jc.value(tfjsonpath.New("job_type"), knownvalue.StringExact("createServer")),
							jc.value(tfjsonpath.New("begin_time"), knownvalue.StringExact("2026-04-25T20:04:34.604Z")),
							jc.value(tfjsonpath.New("end_time"), knownvalue.StringExact("2026-04-25T20:08:34.604Z")),
							jc.value(tfjsonpath.New("error_code"), knownvalue.Null()),
							jc.value(tfjsonpath.New("fail_reason"), knownvalue.Null()),
							jc.value(tfjsonpath.New("progress"), progress),
							jc.value(tfjsonpath.New("sub_jobs_total"), knownvalue.Int64Exact(2)),
							jc.value(tfjsonpath.New("sub_jobs"), knownvalue.ListExact([]knownvalue.Check{
								knownvalue.ObjectExact(map[string]knownvalue.Check{
									"id": knownvalue.StringExact("sub-1"), "job_type": knownvalue.StringExact("createSingleServer"),
									"status": knownvalue.StringExact("SUCCESS"), "begin_time": knownvalue.StringExact("2026-04-25T20:04:34.604Z"),
									"end_time": knownvalue.StringExact("2026-04-25T20:06:00Z"), "error_code": knownvalue.Null(),
									"fail_reason": knownvalue.Null(), "entities_json": knownvalue.StringExact(`{"server_id":"srv-1"}`),
								}),
								knownvalue.ObjectPartial(map[string]knownvalue.Check{
									"id": knownvalue.StringExact("sub-2"), "status": knownvalue.StringExact("SUCCESS"), "entities_json": knownvalue.StringExact(`{}`),
								}),
							})),
							jc.value(tfjsonpath.New("entities").AtMapKey("sub_jobs_total"), knownvalue.Int64Exact(2)),
						},
					},
					{
						// The documented guard reports the failed sub-job's reason.
						Config: jc.config(c, `id = "job-failed"
  lifecycle {
    postcondition {
      condition     = self.status == "SUCCESS"
      error_message = format("%s ended %s: %s", self.id, self.status, coalesce(try([for s in self.sub_jobs : s.fail_reason if s.status == "FAIL"][0], null), self.fail_reason, "no reason given"))
    }
  }`),
						ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + wrapped(`job-failed ended FAIL: Insufficient capacity in the AZ.`)),
					},
				},
			})
		})
	}
}

func TestAccV1Jobs_waitThroughInitAndRunning(t *testing.T) {
	for _, jc := range v1JobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{
				ID: "job-running", Type: "createServer", Status: "RUNNING", BeginTime: jobBegan, Entities: jc.entities("RUNNING", ""),
			})
			c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{
				ID: "job-wait", Type: "createServer", Status: "INIT", BeginTime: jobBegan, EndTime: jobBegan.Add(3 * time.Minute),
			})
			c.ScriptV1Job(jc.svc, "job-wait",
				emulator.V1JobStep{Status: "INIT"},
				emulator.V1JobStep{Status: "RUNNING", Entities: jc.entities("RUNNING", "")},
				emulator.V1JobStep{Status: "SUCCESS", Entities: jc.entities("SUCCESS", "")},
			)
			var progress knownvalue.Check = knownvalue.Null()
			if jc.progress >= 0 {
				progress = knownvalue.Int64Exact(jc.progress)
			}
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						Config: jc.config(c, `id = "job-running"`),
						ConfigStateChecks: []statecheck.StateCheck{
							jc.value(tfjsonpath.New("status"), knownvalue.StringExact("RUNNING")),
							jc.value(tfjsonpath.New("end_time"), knownvalue.Null()),
							jc.value(tfjsonpath.New("progress"), progress),
							jc.value(tfjsonpath.New("sub_jobs").AtSliceIndex(1).AtMapKey("end_time"), knownvalue.Null()),
						},
						Check: routeCount(c, jc.route, 1),
					},
					{
						PreConfig: c.ResetCounts,
						Config: jc.config(c, `id                  = "job-wait"
  wait_for_completion = true
  poll_interval       = "100ms"`),
						ConfigStateChecks: []statecheck.StateCheck{
							jc.value(tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
							jc.value(tfjsonpath.New("end_time"), knownvalue.StringExact("2026-04-25T20:07:34.604Z")),
							jc.value(tfjsonpath.New("sub_jobs"), knownvalue.ListSizeExact(2)),
						},
						// The plan of the apply polled through the three steps.
						Check: routeCount(c, jc.route, 3),
					},
				},
			})
		})
	}
}

func TestAccV1Jobs_errors(t *testing.T) {
	for _, jc := range v1JobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{ID: "job-ok", Type: "createServer", Status: "SUCCESS", BeginTime: jobBegan, EndTime: jobBegan})
			c.InjectFault(jc.route, emulator.Fault{Kind: emulator.FaultServerError, Status: 500, Times: 1})
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						// A 500, retried.
						Config:            jc.config(c, `id = "job-ok"`, "max_retries = 1"),
						ConfigStateChecks: []statecheck.StateCheck{jc.value(tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS"))},
						Check:             routeCount(c, jc.route, 2),
					},
					{
						PreConfig: c.ResetCounts,
						Config:    jc.config(c, `id = "no-such-job"`),
						ExpectError: regexp.MustCompile(`(?s)Error: ` + jc.product + ` job no-such-job was not found.*` +
							wrapped(jc.product+` job no-such-job was not found in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): 400 Common.0011`)),
					},
				},
			})
		})
	}
}

// TestAccComputeJobs_implausibleIDs: an ID that cannot be one is refused
// at plan time, on id, and nothing reaches the API.
func TestAccComputeJobs_implausibleIDs(t *testing.T) {
	c := newTestCloud(t)
	for _, typeName := range []string{"hwtasks_ecs_job", "hwtasks_evs_job", "hwtasks_ims_job", "hwtasks_cce_job"} {
		for arg, why := range map[string]string{
			`id = "job/../other"`: `it holds a slash`,
			`id = " job-1"`:       `it has leading or trailing whitespace`,
		} {
			t.Run(typeName+" "+why, func(t *testing.T) {
				resource.UnitTest(t, resource.TestCase{
					PreCheck:                 func() { testAccPreCheck(t) },
					ProtoV6ProviderFactories: testAccProviders,
					Steps: []resource.TestStep{{
						Config:      c.providerConfig(authAKSK) + fmt.Sprintf("\ndata %q \"test\" {\n  %s\n}\n", typeName, arg),
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(planError(typeName, "Invalid id", arg, wrapped("id is not an ID of the API: "+why+".")+"(?s:.*?)")),
					}},
				})
			})
		}
	}
	requireCounts(t, c, nil)
}

const cceAddr = "data.hwtasks_cce_job.test"

func cceConfig(c *testCloud, args string, providerExtra ...string) string {
	return c.providerConfig(authAKSK, providerExtra...) + fmt.Sprintf("\ndata \"hwtasks_cce_job\" \"test\" {\n  %s\n}\n", args)
}

var cceCreated = time.Date(2026, 2, 2, 8, 12, 40, 672772389, time.UTC)

func TestAccCCEJob(t *testing.T) {
	c := newTestCloud(t)
	c.AddCCEJob(emulator.DefaultProjectID, emulator.CCEJob{
		ID: "cce-ok", Type: "CreateCluster", ClusterID: "cluster-1", ResourceID: "cluster-1", ResourceName: "prod", Phase: "Success",
		Created: cceCreated, Updated: cceCreated.Add(8 * time.Minute),
		SubJobs: []emulator.CCEJob{
			{ID: "sub-1", Type: "CreateMaster", ResourceName: "prod-master", Phase: "Success"},
			{ID: "sub-2", Type: "InstallAddons", ResourceName: "prod", Phase: "Success"},
		},
	})
	c.AddCCEJob(emulator.DefaultProjectID, emulator.CCEJob{
		ID: "cce-failed", Type: "CreateNodePool", ClusterID: "cluster-1", ResourceName: "pool-a", Phase: "Failed", Reason: "a sub-job failed",
		Created: cceCreated, Updated: cceCreated,
		SubJobs: []emulator.CCEJob{{ID: "sub-3", Type: "CreateNode", ResourceName: "node-1", Phase: "Failed", Reason: "quota exceeded"}},
	})
	c.AddCCEJob(emulator.DefaultProjectID, emulator.CCEJob{ID: "cce-wait", Type: "CreateNode", ResourceName: "node-2", Phase: "Initializing", Created: cceCreated, Updated: cceCreated})
	c.ScriptCCEJob("cce-wait", emulator.CCEJobStep{Phase: "Initializing"}, emulator.CCEJobStep{Phase: "Running"}, emulator.CCEJobStep{Phase: "Success"})
	c.InjectFault(emulator.RouteCCEJob, emulator.Fault{Kind: emulator.FaultServerError, Status: 500, Times: 1})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// The first read meets a 500 and is retried.
				Config: cceConfig(c, `id = "cce-ok"`, "max_retries = 1"),
				ConfigStateChecks: []statecheck.StateCheck{
					check(cceAddr, tfjsonpath.New("status"), knownvalue.StringExact("Success")),
					check(cceAddr, tfjsonpath.New("job_type"), knownvalue.StringExact("CreateCluster")),
					check(cceAddr, tfjsonpath.New("cluster_id"), knownvalue.StringExact("cluster-1")),
					check(cceAddr, tfjsonpath.New("resource_name"), knownvalue.StringExact("prod")),
					check(cceAddr, tfjsonpath.New("reason"), knownvalue.StringExact("")),
					check(cceAddr, tfjsonpath.New("created"), knownvalue.StringExact("2026-02-02T08:12:40.672772389Z")),
					check(cceAddr, tfjsonpath.New("updated"), knownvalue.StringExact("2026-02-02T08:20:40.672772389Z")),
					check(cceAddr, tfjsonpath.New("sub_jobs"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact("sub-1"), "job_type": knownvalue.StringExact("CreateMaster"),
							"status": knownvalue.StringExact("Success"), "reason": knownvalue.StringExact(""), "resource_name": knownvalue.StringExact("prod-master")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact("sub-2"), "job_type": knownvalue.StringExact("InstallAddons"),
							"status": knownvalue.StringExact("Success"), "reason": knownvalue.StringExact(""), "resource_name": knownvalue.StringExact("prod")}),
					})),
				},
				Check: routeCount(c, emulator.RouteCCEJob, 2),
			},
			{
				Config: cceConfig(c, `id = "cce-failed"
  lifecycle {
    postcondition {
      condition     = self.status == "Success"
      error_message = "${self.job_type} of ${self.resource_name} ended ${self.status}: ${self.reason}; ${self.sub_jobs[0].resource_name}: ${self.sub_jobs[0].reason}"
    }
  }`),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + wrapped(`CreateNodePool of pool-a ended Failed: a sub-job failed; node-1: quota exceeded`)),
			},
			{
				PreConfig: c.ResetCounts,
				Config: cceConfig(c, `id                  = "cce-wait"
  wait_for_completion = true
  poll_interval       = "100ms"`),
				ConfigStateChecks: []statecheck.StateCheck{check(cceAddr, tfjsonpath.New("status"), knownvalue.StringExact("Success"))},
				Check:             routeCount(c, emulator.RouteCCEJob, 3),
			},
			{
				Config: cceConfig(c, `id = "no-such-job"`),
				ExpectError: regexp.MustCompile(`(?s)Error: CCE job no-such-job was not found.*` +
					wrapped(`in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): 404 CCE.01404001 Resource not found.`)),
			},
		},
	})
}

// TestAccCCEJob_snakeCaseErrors: CCE's SDK reads error_code before
// errorCode, so either spelling can come back; both name the code.
func TestAccCCEJob_snakeCaseErrors(t *testing.T) {
	c := newTestCloudWith(t, func(cfg *emulator.Config) { cfg.CCEErrorSpelling = emulator.CCEErrorsSnakeCase }, nil)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: cceConfig(c, `id = "no-such-job"`),
			ExpectError: regexp.MustCompile(`(?s)Error: CCE job no-such-job was not found.*` +
				wrapped(`404 CCE.01404001 Resource not found.`)),
		}},
	})
}

// A wait that runs out of time says where the job and its sub-jobs stood.
func TestAccV1Jobs_waitTimesOut(t *testing.T) {
	c := newTestCloud(t)
	jc := v1JobCases[0]
	c.AddV1Job(jc.svc, emulator.DefaultProjectID, emulator.V1Job{
		ID: "job-stuck", Type: "createServer", Status: "RUNNING", BeginTime: jobBegan, Entities: jc.entities("RUNNING", ""),
	})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jc.config(c, `id                  = "job-stuck"
  wait_for_completion = true
  poll_interval       = "100ms"
  timeouts {
    read = "1s"
  }`),
			ExpectError: regexp.MustCompile(`(?s)Timed out waiting for the ECS job.*` + wrapped(`Job job-stuck (createServer) did not finish within the read timeout of 1s`) +
				`.*` + wrapped(`Its last status was RUNNING, 1 of 2 sub-jobs ended, seen at`)),
		}},
	})
}
