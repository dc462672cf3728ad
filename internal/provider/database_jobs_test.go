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

// dbJobCase is one of the database job data sources of one API shape, as
// the emulator serves it.
type dbJobCase struct {
	typeName string
	svc      emulator.JobService
	route    emulator.Route
	product  string
	// language says the data source has the language argument.
	language bool
	// earlyEnded says the API sends ended while the job runs (DDS).
	earlyEnded bool
}

var newDBJobCases = []dbJobCase{
	{"hwtasks_rds_job", emulator.JobServiceRDS, emulator.RouteRDSJob, "RDS", true, false},
	{"hwtasks_opengauss_job", emulator.JobServiceOpenGauss, emulator.RouteOpenGaussJob, "GaussDB(for openGauss)", false, false},
	{"hwtasks_dds_job", emulator.JobServiceDDS, emulator.RouteDDSJob, "DDS", false, true},
	{"hwtasks_geminidb_job", emulator.JobServiceGeminiDB, emulator.RouteGeminiDBJob, "GeminiDB", false, false},
}

func (jc dbJobCase) config(c *testCloud, args string, providerExtra ...string) string {
	return c.providerConfig(authAKSK, providerExtra...) + fmt.Sprintf(`
data %q "test" {
  %s
}
`, jc.typeName, args)
}

func (jc dbJobCase) value(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data."+jc.typeName+".test", tfjsonpath.New(attr), v)
}

func (jc dbJobCase) count(c *testCloud, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := c.Count(jc.route); n != want {
			return fmt.Errorf("%d reads of %s; want %d (%s)", n, jc.route, want, c.counts())
		}
		return nil
	}
}

// The instance every test job works on.
var testJobInstance = emulator.JobInstance{ID: "a48e43ff268f4c0e879652d65e63d0fbin01", Name: "orders-db"}

func TestAccDBJobs_completedAndFailed(t *testing.T) {
	for _, jc := range newDBJobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			c.AddServiceJob(jc.svc, emulator.DefaultProjectID, emulator.Job{
				ID: "job-done", Name: "CreateInstance", Status: "Completed",
				Created: "2026-03-01T10:00:00+0800", Ended: "2026-03-01T10:05:00+0000", Instance: testJobInstance,
			})
			c.AddServiceJob(jc.svc, emulator.DefaultProjectID, emulator.Job{
				ID: "job-failed", Name: "ResizeInstance", Status: "Failed", Created: "2026-03-02T10:00:00+0800", Ended: "2026-03-02T10:01:00+0800",
				Instance: testJobInstance, FailReason: "Insufficient resources in the AZ.", FailReasonZH: "可用区资源不足。",
			})
			t.Parallel()
			steps := []resource.TestStep{
				{
					Config: jc.config(c, `id = "job-done"`),
					ConfigStateChecks: []statecheck.StateCheck{
						jc.value("status", knownvalue.StringExact("Completed")),
						jc.value("name", knownvalue.StringExact("CreateInstance")),
						jc.value("created", knownvalue.StringExact("2026-03-01T10:00:00+08:00")),
						jc.value("ended", knownvalue.StringExact("2026-03-01T10:05:00Z")),
						jc.value("process", knownvalue.StringExact("")),
						jc.value("progress", knownvalue.Null()),
						jc.value("fail_reason", knownvalue.StringExact("")),
						jc.value("instance", knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(testJobInstance.ID), "name": knownvalue.StringExact(testJobInstance.Name),
						})),
						jc.value("entities", knownvalue.Null()),
						jc.value("entities_json", knownvalue.Null()),
						jc.value("region", knownvalue.StringExact(emulator.DefaultRegion)),
						jc.value("project_id", knownvalue.StringExact(emulator.DefaultProjectID)),
					},
				},
				{
					// The documented guard: the apply stops with the reason.
					Config: jc.config(c, `id = "job-failed"
  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "job ${self.id} ended ${self.status}: ${self.fail_reason}"
    }
  }`),
					ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + wrapped(`job job-failed ended Failed: Insufficient resources in the AZ.`)),
				},
			}
			if jc.language {
				steps = append(steps, resource.TestStep{
					Config:            jc.config(c, `id = "job-failed"`+"\n  language = \"zh-cn\""),
					ConfigStateChecks: []statecheck.StateCheck{jc.value("fail_reason", knownvalue.StringExact("可用区资源不足。"))},
				})
			}
			resource.UnitTest(t, resource.TestCase{PreCheck: func() { testAccPreCheck(t) }, ProtoV6ProviderFactories: testAccProviders, Steps: steps})
		})
	}
}

func TestAccDBJobs_waitThroughRunning(t *testing.T) {
	for _, jc := range newDBJobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			ended := ""
			if jc.earlyEnded {
				// DDS sends an ended time while the job runs.
				ended = "2026-03-01T10:09:00+0000"
			}
			c.AddServiceJob(jc.svc, emulator.DefaultProjectID, emulator.Job{
				ID: "job-running", Name: "RestartInstance", Status: "Running", Process: "60%", Created: "2026-03-01T10:00:00+0000", Ended: ended, Instance: testJobInstance,
			})
			c.AddServiceJob(jc.svc, emulator.DefaultProjectID, emulator.Job{
				ID: "job-resize", Name: "ResizeInstance", Status: "Running", Created: "2026-03-01T10:00:00+0000", Ended: "2026-03-01T10:07:00+0000", Instance: testJobInstance,
			})
			c.ScriptServiceJob(jc.svc, "job-resize",
				emulator.JobStep{Status: "Running", Process: "30%"},
				emulator.JobStep{Status: "Running", Process: "70%"},
				emulator.JobStep{Status: "Completed", Process: ""},
			)
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{
					{
						// A read without waiting shows the progress, and no end.
						Config: jc.config(c, `id = "job-running"`),
						ConfigStateChecks: []statecheck.StateCheck{
							jc.value("status", knownvalue.StringExact("Running")),
							jc.value("process", knownvalue.StringExact("60%")),
							jc.value("progress", knownvalue.Int64Exact(60)),
							jc.value("ended", knownvalue.Null()),
						},
						// The plan of the apply reads it once; nothing reads it
						// again before the checks.
						Check: jc.count(c, 1),
					},
					{
						PreConfig: c.ResetCounts,
						Config: jc.config(c, `id                  = "job-resize"
  wait_for_completion = true
  poll_interval       = "100ms"`),
						ConfigStateChecks: []statecheck.StateCheck{
							jc.value("status", knownvalue.StringExact("Completed")),
							jc.value("progress", knownvalue.Null()),
							jc.value("ended", knownvalue.StringExact("2026-03-01T10:07:00Z")),
						},
						// The plan of the apply waits through the three steps.
						Check: jc.count(c, 3),
					},
				},
			})
		})
	}
}

func TestAccDBJobs_serverErrorThenSuccess(t *testing.T) {
	for _, jc := range newDBJobCases {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			c.AddServiceJob(jc.svc, emulator.DefaultProjectID, emulator.Job{ID: "job-done", Name: "CreateInstance", Status: "Completed", Instance: testJobInstance})
			c.InjectFault(jc.route, emulator.Fault{Kind: emulator.FaultServerError, Status: 500, Times: 1})
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:            jc.config(c, `id = "job-done"`, "max_retries = 1"),
					ConfigStateChecks: []statecheck.StateCheck{jc.value("status", knownvalue.StringExact("Completed"))},
					// The 500 and its retry, in the plan of the apply.
					Check: jc.count(c, 2),
				}},
			})
		})
	}
}

func TestAccDBJobs_unknownID(t *testing.T) {
	for _, jc := range append([]dbJobCase{{"hwtasks_gaussdb_job", emulator.JobServiceGaussDB, emulator.RouteJob, "GaussDB(for MySQL)", true, false}}, newDBJobCases...) {
		t.Run(jc.typeName, func(t *testing.T) {
			c := newTestCloud(t)
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: jc.config(c, `id = "no-such-job"`),
					ExpectError: regexp.MustCompile(`(?s)Error: ` + regexp.QuoteMeta(jc.product) + ` job no-such-job was not found.*` +
						`\d+:\s+id = "no-such-job".*` +
						wrapped(jc.product+` job no-such-job was not found in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`):`) + `.*` +
						wrapped(`Check id, and that region and project_id are those of the job`)),
				}},
			})
			requireCounts(t, c, map[emulator.Route]int{jc.route: 1, emulator.RouteProjects: 1})
		})
	}
}
