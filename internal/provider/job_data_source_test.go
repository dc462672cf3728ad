package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

const (
	jobAddr = "data.hwtasks_gaussdb_job.test"
	// failedJob is the default fixtures' Failed job, with English and
	// Chinese fail reasons.
	failedJob        = "9f3a6c2e-1b4d-4e8f-a7c5-3d2e1f0b9a87"
	failedJobReason  = "The instance is being backed up. Try again later."
	failedJobReasonZ = "实例正在备份中,请稍后重试。"
	jobExampleFile   = "../../examples/data-sources/hwtasks_gaussdb_job/data-source.tf"
)

// jobConfig is a provider block with extra lines, and the data source
// hwtasks_gaussdb_job.test with args.
func jobConfig(c *testCloud, args string, providerExtra ...string) string {
	return c.providerConfig(authAKSK, providerExtra...) + fmt.Sprintf(`
data "hwtasks_gaussdb_job" "test" {
  %s
}
`, args)
}

func jobValue(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New(attr), v)
}

// wrapped matches text as Terraform prints it in a diagnostic, where any
// space may have become a line break and indentation.
func wrapped(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `\s+`)
}

func jobCount(cloud *testCloud, check func(n int) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(cloud.Count(emulator.RouteJob)) }
}

func TestAccGaussDBJob_seedJob(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// The documented guard holds on a completed job: its error_message
			// is evaluated too, and must not be null.
			Config: jobConfig(cloud, fmt.Sprintf(`id = %q
  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = self.fail_reason
    }
  }`, seedJob)) + `
output "datastore_type" { value = data.hwtasks_gaussdb_job.test.entities.instance.datastore.type }
output "resource_ids"   { value = length(data.hwtasks_gaussdb_job.test.entities.resource_ids) }
output "second_id"      { value = data.hwtasks_gaussdb_job.test.entities.resource_ids[1] }
output "same_as_json"   { value = jsondecode(data.hwtasks_gaussdb_job.test.entities_json) == data.hwtasks_gaussdb_job.test.entities }
output "ran_for"        { value = timecmp(data.hwtasks_gaussdb_job.test.ended, timeadd(data.hwtasks_gaussdb_job.test.created, "14h")) }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				jobValue("id", knownvalue.StringExact(seedJob)),
				jobValue("region", knownvalue.StringExact(emulator.DefaultRegion)),
				jobValue("project_id", knownvalue.StringExact(emulator.DefaultProjectID)),
				jobValue("name", knownvalue.StringExact("CreateGaussDBforMySQLInstance")),
				jobValue("status", knownvalue.StringExact("Completed")),
				jobValue("created", knownvalue.StringExact("2018-08-06T10:41:14+08:00")),
				jobValue("ended", knownvalue.StringExact("2018-08-06T16:41:14Z")),
				jobValue("process", knownvalue.StringExact("")),
				jobValue("progress", knownvalue.Null()),
				jobValue("fail_reason", knownvalue.StringExact("")),
				jobValue("instance", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":   knownvalue.StringExact("a48e43ff268f4c0e879652d65e63d0fbin07"),
					"name": knownvalue.StringExact("DO-NOT-TOUCH-mgr2-mysql-single"),
				})),
				jobValue("entities_json", knownvalue.StringExact(`{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`)),
				statecheck.ExpectKnownValue(jobAddr, tfjsonpath.New("entities").AtMapKey("instance").AtMapKey("datastore").AtMapKey("type"), knownvalue.StringExact("gaussdb-mysql")),
				statecheck.ExpectKnownOutputValue("datastore_type", knownvalue.StringExact("gaussdb-mysql")),
				statecheck.ExpectKnownOutputValue("resource_ids", knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownOutputValue("second_id", knownvalue.StringExact("a48e43ff268f4c0e879652d65e63d0fbin07.volume")),
				statecheck.ExpectKnownOutputValue("same_as_json", knownvalue.Bool(true)),
				// 10:41+08:00 is 02:41Z: the job ran for exactly 14 hours.
				statecheck.ExpectKnownOutputValue("ran_for", knownvalue.Int64Exact(0)),
			},
		}},
	})
}

// TestAccGaussDBJob_example runs the documentation's example as it is: on
// the seed's completed job, and on a failed job, whose reason the
// postcondition must show.
func TestAccGaussDBJob_example(t *testing.T) {
	example, err := os.ReadFile(jobExampleFile)
	if err != nil {
		t.Fatal(err)
	}
	// The example's terraform block requires hwtasks/hwtasks, while
	// terraform-plugin-testing serves the in-process provider as
	// hashicorp/hwtasks: leave the block out here. TestExamples plans the
	// file as written, through dev_overrides.
	terraformBlock := regexp.MustCompile(`(?s)\Aterraform \{\n.*?\n\}\n`)
	if !terraformBlock.Match(example) {
		t.Fatalf("%s does not start with its terraform block", jobExampleFile)
	}
	example = terraformBlock.ReplaceAll(example, nil)
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:          cloud.providerConfig(authAKSK) + string(example),
				ConfigVariables: config.Variables{"job_id": config.StringVariable(seedJob)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("datastore", knownvalue.StringExact("gaussdb-mysql")),
					statecheck.ExpectKnownOutputValue("endpoint", knownvalue.StringExact("192.168.1.203:3306")),
					statecheck.ExpectKnownOutputValue("resource_count", knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownOutputValue("resource_ids", knownvalue.TupleExact([]knownvalue.Check{
						knownvalue.StringExact("a48e43ff268f4c0e879652d65e63d0fbin07.vm"),
						knownvalue.StringExact("a48e43ff268f4c0e879652d65e63d0fbin07.volume"),
					})),
					statecheck.ExpectKnownOutputValue("finished_at", knownvalue.StringExact("2018-08-06 16:41 UTC")),
				},
			},
			{
				Config:          cloud.providerConfig(authAKSK) + string(example),
				ConfigVariables: config.Variables{"job_id": config.StringVariable(failedJob)},
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` +
					wrapped(fmt.Sprintf("GaussDB job %s (RestartGaussDBforMySQLInstance) ended Failed: %s", failedJob, failedJobReason))),
			},
		},
	})
}

func TestAccGaussDBJob_failedJob(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// A failed job is no error of the data source, waiting or not.
				Config: jobConfig(cloud, fmt.Sprintf(`id = %q
  wait_for_completion = true`, failedJob)),
				ConfigStateChecks: []statecheck.StateCheck{
					jobValue("status", knownvalue.StringExact("Failed")),
					jobValue("fail_reason", knownvalue.StringExact(failedJobReason)),
					jobValue("created", knownvalue.StringExact("2024-03-05T09:12:44+08:00")),
					jobValue("ended", knownvalue.StringExact("2024-03-05T09:20:01+08:00")),
					jobValue("entities", knownvalue.ObjectExact(map[string]knownvalue.Check{})),
					jobValue("entities_json", knownvalue.StringExact(`{}`)),
				},
			},
			{
				// The guard of the issue and the docs, as they write it.
				Config: jobConfig(cloud, fmt.Sprintf(`id = %q
  wait_for_completion = true
  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = self.fail_reason
    }
  }`, failedJob)),
				ExpectError: regexp.MustCompile(`(?s)Resource postcondition failed.*` + wrapped(failedJobReason)),
			},
		},
	})
}

func TestAccGaussDBJob_waitForCompletion(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddJob(emulator.DefaultProjectID, emulator.Job{
		ID: "job-resize", Name: "ResizeGaussDBforMySQLInstance", Status: "Pending", Created: "2026-03-01T10:00:00+0800",
		// The emulator shows ended only once a step shows the job ended.
		Ended:    "2026-03-01T10:05:00+0800",
		Instance: emulator.JobInstance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "mysql-single"},
		Entities: json.RawMessage(`{"instance":{"flavor":"gaussdb.mysql.xlarge.x86.4"}}`),
	})
	cloud.ScriptJob("job-resize",
		emulator.JobStep{Status: "Running", Process: "20%"},
		emulator.JobStep{Status: "Running", Process: "60%"},
		emulator.JobStep{Status: "Completed", Process: ""},
	)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, `id                  = "job-resize"
  wait_for_completion = true
  poll_interval       = "100ms"`),
			ConfigStateChecks: []statecheck.StateCheck{
				jobValue("status", knownvalue.StringExact("Completed")),
				jobValue("process", knownvalue.StringExact("")),
				jobValue("progress", knownvalue.Null()),
				jobValue("ended", knownvalue.StringExact("2026-03-01T10:05:00+08:00")),
				jobValue("created", knownvalue.StringExact("2026-03-01T10:00:00+08:00")),
			},
			// The plan of the apply reads the data source once, through the
			// three scripted steps; nothing reads it again before the checks.
			Check: jobCount(cloud, func(n int) error {
				if n != 3 {
					return fmt.Errorf("%d job reads; want 3 (20%%, 60%%, Completed)", n)
				}
				return nil
			}),
		}},
	})
}

func TestAccGaussDBJob_progressWithoutWaiting(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddJob(emulator.DefaultProjectID, emulator.Job{ID: "job-running", Name: "RestartGaussDBforMySQLInstance", Status: "Running", Process: "60%"})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, `id = "job-running"`),
			ConfigStateChecks: []statecheck.StateCheck{
				jobValue("status", knownvalue.StringExact("Running")),
				jobValue("process", knownvalue.StringExact("60%")),
				jobValue("progress", knownvalue.Int64Exact(60)),
				jobValue("created", knownvalue.Null()),
			},
		}},
	})
}

func TestAccGaussDBJob_waitTimesOut(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddJob(emulator.DefaultProjectID, emulator.Job{ID: "job-stuck", Name: "RestartGaussDBforMySQLInstance", Status: "Running", Process: "45%"})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, `id                  = "job-stuck"
  wait_for_completion = true
  poll_interval       = "100ms"
  timeouts {
    read = "1s"
  }`),
			ExpectError: regexp.MustCompile(`(?s)Timed out waiting for the GaussDB\(for MySQL\) job.*` +
				wrapped(`Job job-stuck (RestartGaussDBforMySQLInstance)`) + `.*` + wrapped(`read timeout of 1s: waited`) + `.*` +
				wrapped(`Its last status was Running, progress 45% (process "45%")`)),
		}},
	})
}

func TestAccGaussDBJob_language(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// The emulator answers in Chinese only to X-Language: zh-cn.
				Config: jobConfig(cloud, fmt.Sprintf(`id = %q
  language = "zh-cn"`, failedJob)),
				ConfigStateChecks: []statecheck.StateCheck{
					jobValue("language", knownvalue.StringExact("zh-cn")),
					jobValue("fail_reason", knownvalue.StringExact(failedJobReasonZ)),
				},
			},
			{
				Config: jobConfig(cloud, fmt.Sprintf(`id = %q
  language = "en-us"`, failedJob)),
				ConfigStateChecks: []statecheck.StateCheck{
					jobValue("fail_reason", knownvalue.StringExact(failedJobReason)),
				},
			},
			{
				Config: jobConfig(cloud, `id = "no-such-job"
  language = "zh-cn"`),
				ExpectError: regexp.MustCompile(`(?s)DBS\.200543\s+任务不存在`),
			},
		},
	})
}

func TestAccGaussDBJob_notFound(t *testing.T) {
	cloud := newTestCloud(t)
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, `id = "no-such-job"`),
			// The error is on id: Terraform quotes that line of the
			// configuration between the summary and the detail.
			ExpectError: regexp.MustCompile(`(?s)Error: GaussDB\(for MySQL\) job no-such-job was not found.*` +
				`\d+:\s+id = "no-such-job".*` +
				wrapped(`in project `+emulator.DefaultProjectID+` (region `+emulator.DefaultRegion+`): 400 DBS.200543 The job does not exist. (request id`) +
				`.*` + wrapped(`Check id, and that region and project_id are those of the job`)),
		}},
	})
}

func TestAccGaussDBJob_htmlBadGateway(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.InjectFault(emulator.RouteJob, emulator.Fault{Kind: emulator.FaultHTML, Status: 502, Times: 1})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, fmt.Sprintf("id = %q", seedJob), "max_retries = 0"),
			ExpectError: regexp.MustCompile(`(?s)GaussDB\(for MySQL\) failed.*` + wrapped("Could not read GaussDB(for MySQL) job "+seedJob) +
				`.*` + wrapped(`502 Bad Gateway, with a body that is not an API error: "502 Bad Gateway 502 Bad Gateway nginx"`) +
				`.*` + wrapped("a gateway or a proxy in front of GaussDB(for MySQL) most likely answered")),
		}},
	})
}

func TestAccGaussDBJob_garbageBody(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.InjectFault(emulator.RouteJob, emulator.Fault{Kind: emulator.FaultTruncatedJSON, Times: 1})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, fmt.Sprintf("id = %q", seedJob), "max_retries = 0"),
			ExpectError: regexp.MustCompile(`(?s)Unreadable answer from GaussDB\(for MySQL\).*` + wrapped("Could not read GaussDB(for MySQL) job "+seedJob) +
				`.*` + wrapped("GET /v3/"+emulator.DefaultProjectID+"/jobs: 200 response could not be decoded (unexpected end of JSON input)")),
		}},
	})
}

func TestAccGaussDBJob_serverErrorThenSuccess(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.InjectFault(emulator.RouteJob, emulator.Fault{Kind: emulator.FaultServerError, Status: 500, Times: 1})
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, fmt.Sprintf("id = %q", seedJob)),
			ConfigStateChecks: []statecheck.StateCheck{
				jobValue("status", knownvalue.StringExact("Completed")),
			},
			Check: jobCount(cloud, func(n int) error {
				if n != 2 {
					return fmt.Errorf("%d job reads; want the 500 and its retry", n)
				}
				return nil
			}),
		}},
	})
}

// TestAccGaussDBJob_entitiesShapes sends entities of every JSON kind
// through Terraform: nulls, mixed arrays, precise numbers and a key in
// decomposed Unicode.
func TestAccGaussDBJob_entitiesShapes(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddJob(emulator.DefaultProjectID, emulator.Job{
		ID: "job-shapes", Name: "X", Status: "Completed",
		Entities: json.RawMessage(`{"gone":null,"mixed":[1,"two",true,null,{"x":1.5},[]],` +
			`"big":123456789012345678901234567890,"precise":0.1000000000000000000001,"e\u0301":"decomposed","empty":{}}`),
	})
	d := "data.hwtasks_gaussdb_job.test.entities"
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(cloud, `id = "job-shapes"`) + strings.ReplaceAll(`
output "gone_is_null" { value = D.gone == null }
output "mixed_count"  { value = length(D.mixed) }
output "mixed_1"      { value = D.mixed[1] }
output "mixed_3_null" { value = D.mixed[3] == null }
output "mixed_4_x"    { value = D.mixed[4].x }
output "big"          { value = tostring(D.big) }
output "precise"      { value = tostring(D.precise) }
output "nfc"          { value = D["\u00e9"] }
output "empty"        { value = length(D.empty) }
`, "D", d),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("gone_is_null", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("mixed_count", knownvalue.Int64Exact(6)),
				statecheck.ExpectKnownOutputValue("mixed_1", knownvalue.StringExact("two")),
				statecheck.ExpectKnownOutputValue("mixed_3_null", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("mixed_4_x", knownvalue.Float64Exact(1.5)),
				statecheck.ExpectKnownOutputValue("big", knownvalue.StringExact("123456789012345678901234567890")),
				statecheck.ExpectKnownOutputValue("precise", knownvalue.StringExact("0.1000000000000000000001")),
				statecheck.ExpectKnownOutputValue("nfc", knownvalue.StringExact("decomposed")),
				statecheck.ExpectKnownOutputValue("empty", knownvalue.Int64Exact(0)),
			},
		}},
	})
}

func TestAccGaussDBJob_planTimeErrorsSendNothing(t *testing.T) {
	cloud := newTestCloud(t)
	// Each invalid configuration fails with exactly its diagnostic, on its
	// attribute, and nothing reaches the API.
	const ds = "hwtasks_gaussdb_job"
	cases := []struct{ name, args, want string }{
		{"blank id", `id = "  "`, planError(ds, "Invalid id", `id = "  "`,
			wrapped(`id is not an ID of the API: it has leading or trailing whitespace. Copy the ID from the console or from the resource that holds it. Got "  ".`))},
		{"unknown language", `id = "x"
  language = "fr-fr"`, planError(ds, "Invalid Attribute Value Match", `language = "fr-fr"`,
			wrapped(`Attribute language value must be one of: ["en-us" "zh-cn"], got: "fr-fr"`))},
		{"poll too fast", `id = "x"
  poll_interval = "10ms"`, planError(ds, "Invalid poll_interval", `poll_interval = "10ms"`,
			wrapped(`10ms is too short: the minimum is 100ms, so that the API is not flooded.`))},
		{"not a duration", `id = "x"
  poll_interval = "often"`, planError(ds, "Invalid poll_interval", `poll_interval = "often"`,
			wrapped(`Expected a duration with its unit, such as "5s", "500ms" or "1m", got "often".`))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      jobConfig(cloud, tc.args),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	requireCounts(t, cloud, nil)
}

// TestGaussDBJobWaitStopsOnCancel is Ctrl-C while waiting: the wait ends at
// once, with no timeout diagnostic, although the next poll is an hour away.
func TestGaussDBJobWaitStopsOnCancel(t *testing.T) {
	cloud := newTestCloud(t)
	cloud.AddJob(emulator.DefaultProjectID, emulator.Job{ID: "job-stuck", Status: "Running", Process: "10%"})
	c, err := client.New(client.Config{
		Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID,
		AccessKey: cloud.Creds.AccessKey, SecretKey: cloud.Creds.SecretKey,
		Endpoints: map[string]string{client.ServiceGaussDB: cloud.URL, client.ServiceIAM: cloud.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := NewGaussDBJobDataSource().(*dbJobDataSource)
	d.client = c
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)

	var sch datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &sch)
	typ, ok := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the schema is not an object")
	}
	config := tfsdk.Config{Schema: sch.Schema, Raw: nullExcept(typ, map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, "job-stuck"), "wait_for_completion": tftypes.NewValue(tftypes.Bool, true),
		"poll_interval": tftypes.NewValue(tftypes.String, "1h"),
	})}
	started := time.Now()
	state, diags := d.readState(ctx, config, typ)
	if took := time.Since(started); took > 5*time.Second {
		t.Fatalf("the wait took %s to stop", took)
	}
	if state != nil || len(diags) != 1 || diags[0].Summary() != "Cancelled" {
		t.Fatalf("state %v, diagnostics %v; want none, and one Cancelled", state != nil, diags)
	}
	if n := cloud.Count(emulator.RouteJob); n != 1 {
		t.Fatalf("%d job reads; want 1", n)
	}
}

func TestNormalizeJobTime(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"2018-08-06T10:41:14+0800", "2018-08-06T10:41:14+08:00", true},
		{"2018-08-06T16:41:14+0000", "2018-08-06T16:41:14Z", true},
		{"2018-08-06T10:41:14-0330", "2018-08-06T10:41:14-03:30", true},
		{"2018-08-06T10:41:14+08:00", "2018-08-06T10:41:14+08:00", true},
		{"2018-08-06T10:41:14Z", "2018-08-06T10:41:14Z", true},
		{"2018-08-06T10:41:14.250+0800", "2018-08-06T10:41:14.25+08:00", true},
		{" 2018-08-06T10:41:14+0800 ", "2018-08-06T10:41:14+08:00", true},
		{"2024-02-29T00:00:00+0100", "2024-02-29T00:00:00+01:00", true},
		{"2023-02-29T00:00:00+0100", "2023-02-29T00:00:00+0100", false},
		{"2018-08-06T10:41:14", "2018-08-06T10:41:14", false},
		{"2018-08-06 10:41:14+0800", "2018-08-06 10:41:14+0800", false},
		{"2018-08-06T10:41:14+08", "2018-08-06T10:41:14+08", false},
		{"2018-08-06T10:41:14+2400", "2018-08-06T10:41:14+2400", false},
		{"1533523274", "1533523274", false},
		{"yesterday", "yesterday", false},
	}
	for _, tc := range cases {
		got, ok := normalizeJobTime(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("normalizeJobTime(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseJobProgress(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // -1: null, no error
		err  bool
	}{
		{"60%", 60, false},
		{"60", 60, false},
		{" 60 % ", 60, false},
		{"0%", 0, false},
		{"100%", 100, false},
		{"099%", 99, false},
		{"99.9%", 99, false},
		{"", -1, false},
		{"   ", -1, false},
		{"101%", 0, true},
		{"-5%", 0, true},
		{"+5%", 0, true},
		{"1e2", 0, true},
		{"60%%", 0, true},
		{"%", 0, true},
		{"60 percent", 0, true},
		{"NaN", 0, true},
		{"99999999999999999999%", 0, true},
	}
	for _, tc := range cases {
		got, err := parseJobProgress(tc.in)
		switch {
		case tc.err:
			if err == nil {
				t.Errorf("%q: got %v, want an error", tc.in, *got)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want == -1 && got != nil:
			t.Errorf("%q: got %d, want nil", tc.in, *got)
		case tc.want >= 0 && (got == nil || *got != tc.want):
			t.Errorf("%q: got %v, want %d", tc.in, got, tc.want)
		}
	}
}

func bigNumber(t *testing.T, s string) types.Number {
	t.Helper()
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	return types.NumberValue(f)
}

func TestJobEntitiesToDynamic(t *testing.T) {
	obj := func(attrs map[string]attr.Value) attr.Value {
		ts := make(map[string]attr.Type, len(attrs))
		for k, v := range attrs {
			ts[k] = v.Type(context.Background())
		}
		v, diags := types.ObjectValue(ts, attrs)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return v
	}
	tuple := func(elems ...attr.Value) attr.Value {
		ts := make([]attr.Type, len(elems))
		for i, e := range elems {
			ts[i] = e.Type(context.Background())
		}
		v, diags := types.TupleValue(ts, elems)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return v
	}
	cases := []struct {
		name, raw, json string
		want            attr.Value // nil: null entities
		warnings        int
	}{
		{"absent", ``, "", nil, 0},
		{"null", ` null `, "", nil, 0},
		{"empty object", `{}`, `{}`, obj(map[string]attr.Value{}), 0},
		{"nested objects", `{"instance": {"datastore": {"type": "gaussdb-mysql", "version": "8.0"}}}`,
			`{"instance":{"datastore":{"type":"gaussdb-mysql","version":"8.0"}}}`,
			obj(map[string]attr.Value{"instance": obj(map[string]attr.Value{"datastore": obj(map[string]attr.Value{
				"type": types.StringValue("gaussdb-mysql"), "version": types.StringValue("8.0"),
			})})}), 0},
		{"array of mixed types", `{"a":[1,"two",true,null,{"x":[]},[false]]}`, `{"a":[1,"two",true,null,{"x":[]},[false]]}`,
			obj(map[string]attr.Value{"a": tuple(bigNumber(t, "1"), types.StringValue("two"), types.BoolValue(true), types.DynamicNull(),
				obj(map[string]attr.Value{"x": tuple()}), tuple(types.BoolValue(false)))}), 0},
		{"null attribute", `{"gone":null}`, `{"gone":null}`, obj(map[string]attr.Value{"gone": types.DynamicNull()}), 0},
		{"numbers", `{"i":-42,"f":1.5,"e":6.02214076e23,"big":123456789012345678901234567890,"precise":0.1000000000000000000001,"tiny":1e-400,"zero":-0}`,
			`{"i":-42,"f":1.5,"e":6.02214076e23,"big":123456789012345678901234567890,"precise":0.1000000000000000000001,"tiny":1e-400,"zero":-0}`,
			obj(map[string]attr.Value{
				"i": bigNumber(t, "-42"), "f": bigNumber(t, "1.5"), "e": bigNumber(t, "6.02214076e23"),
				"big": bigNumber(t, "123456789012345678901234567890"), "precise": bigNumber(t, "0.1000000000000000000001"),
				"tiny": bigNumber(t, "1e-400"), "zero": bigNumber(t, "0"),
			}), 0},
		{"number beyond range", `{"huge":1e100000000}`, `{"huge":1e100000000}`, obj(map[string]attr.Value{"huge": types.StringValue("1e100000000")}), 1},
		{"top-level array", `[1]`, `[1]`, tuple(bigNumber(t, "1")), 0},
		{"keys in NFC", "{\"e\u0301\":1}", "{\"e\u0301\":1}", obj(map[string]attr.Value{"\u00e9": bigNumber(t, "1")}), 0},
		{"keys equal in NFC", "{\"e\u0301\":1,\"\u00e9\":2}", "{\"e\u0301\":1,\"\u00e9\":2}", obj(map[string]attr.Value{"\u00e9": bigNumber(t, "2")}), 1},
		{"not JSON", `{"a":`, "", nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, gotJSON, diags := entitiesToDynamic(context.Background(), nil, json.RawMessage(tc.raw))
			if diags.HasError() || diags.WarningsCount() != tc.warnings {
				t.Fatalf("diagnostics %v; want %d warnings", diags, tc.warnings)
			}
			if tc.want == nil {
				if !got.IsNull() || !gotJSON.IsNull() {
					t.Fatalf("got %v and %v, want nulls", got, gotJSON)
				}
				return
			}
			if want := types.DynamicValue(tc.want); !got.Equal(want) {
				t.Fatalf("got  %v\nwant %v", got, want)
			}
			if gotJSON.ValueString() != tc.json {
				t.Fatalf("entities_json %s, want %s", gotJSON.ValueString(), tc.json)
			}
			// The value must survive the protocol to Terraform.
			roundTrip(t, got)
		})
	}
	// Exact digits, as Terraform writes the number to the CLI.
	got, _, _ := entitiesToDynamic(context.Background(), nil, json.RawMessage(`{"n":123456789012345678901234567890.000000000000000000000001}`))
	o, ok := got.UnderlyingValue().(types.Object)
	if !ok {
		t.Fatalf("got %T, want an object", got.UnderlyingValue())
	}
	n, ok := o.Attributes()["n"].(types.Number)
	if !ok {
		t.Fatalf("n is %T, want a number", o.Attributes()["n"])
	}
	if s := n.ValueBigFloat().Text('f', -1); s != "123456789012345678901234567890.000000000000000000000001" {
		t.Fatalf("precision lost: %s", s)
	}
}

// roundTrip encodes a dynamic value as the plugin protocol does, decodes it
// and compares.
func roundTrip(t *testing.T, v types.Dynamic) {
	t.Helper()
	ctx := context.Background()
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dv, err := tfprotov6.NewDynamicValue(tftypes.DynamicPseudoType, tv)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	back, err := dv.Unmarshal(tftypes.DynamicPseudoType)
	if err != nil {
		t.Fatalf("decoding %v: %v", v, err)
	}
	if !back.Equal(tv) {
		t.Fatalf("round trip changed %v into %v", tv, back)
	}
}

func TestJobValues(t *testing.T) {
	seed := `{"id":"31b8ae23-c687-4d80-b7b4-42a66c9bb886","name":"CreateGaussDBforMySQLInstance","status":"Completed",` +
		`"created":"2018-08-06T10:41:14+0800","ended":"2018-08-06T16:41:14+0000","process":"",` +
		`"instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"DO-NOT-TOUCH-mgr2-mysql-single"},` +
		`"entities":{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},` +
		`"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}}`
	var job client.Job
	if err := json.Unmarshal([]byte(seed), &job); err != nil {
		t.Fatal(err)
	}
	m, diags := jobValues(context.Background(), nil, job)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	instanceObj, ok := m["instance"].(types.Object)
	if !ok {
		t.Fatalf("instance is a %T", m["instance"])
	}
	instance := instanceObj.Attributes()
	for name, got := range map[string]attr.Value{
		"name": m["name"], "status": m["status"], "created": m["created"], "ended": m["ended"], "process": m["process"],
		"instance.id": instance["id"], "instance.name": instance["name"],
	} {
		want := map[string]string{
			"name": "CreateGaussDBforMySQLInstance", "status": "Completed", "created": "2018-08-06T10:41:14+08:00",
			"ended": "2018-08-06T16:41:14Z", "process": "", "instance.id": "a48e43ff268f4c0e879652d65e63d0fbin07",
			"instance.name": "DO-NOT-TOUCH-mgr2-mysql-single",
		}[name]
		if !got.Equal(types.StringValue(want)) {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	wantEntities := `{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},` +
		`"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`
	entitiesJSON, ok := m["entities_json"].(jsontypes.Normalized)
	if !ok {
		t.Fatalf("entities_json is a %T", m["entities_json"])
	}
	if !m["progress"].IsNull() || !m["fail_reason"].Equal(types.StringValue("")) || m["entities"].IsNull() || entitiesJSON.IsNull() || entitiesJSON.ValueString() != wantEntities {
		t.Errorf("progress %v, fail_reason %v, entities %v, entities_json %v; want null, \"\", the entities, %s", m["progress"], m["fail_reason"], m["entities"], entitiesJSON, wantEntities)
	}

	// What cannot be read is kept, or left null, with a warning each; an
	// ended sent while the job runs (as DDS does) is null.
	m, diags = jobValues(context.Background(), nil, client.Job{ID: "j", Status: "Running", Process: "sixty", Created: "last Tuesday", Ended: "2018-08-06T16:41:14+0000", FailReason: "disk full"})
	if diags.HasError() || diags.WarningsCount() != 2 {
		t.Fatalf("diagnostics %v; want 2 warnings", diags)
	}
	if !m["progress"].IsNull() || !m["process"].Equal(types.StringValue("sixty")) || !m["created"].Equal(types.StringValue("last Tuesday")) || !m["ended"].IsNull() ||
		!m["fail_reason"].Equal(types.StringValue("disk full")) || !m["entities"].IsNull() || !m["entities_json"].IsNull() {
		t.Fatalf("got %+v", m)
	}
	for _, d := range diags {
		if _, ok := d.(diag.DiagnosticWithPath); !ok {
			t.Errorf("warning %q has no attribute path", d.Summary())
		}
	}
}

func FuzzNormalizeJobTime(f *testing.F) {
	for _, s := range []string{"2018-08-06T10:41:14+0800", "2018-08-06T16:41:14+0000", "2018-08-06T10:41:14+08:00", "2018-08-06T10:41:14Z",
		"2018-08-06T10:41:14.123456789-0930", "2018-08-06T10:41:14+2400", "2018-08-06T10:41:14+2360", "", "x", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := normalizeJobTime(s)
		if !ok {
			if got != s {
				t.Fatalf("%q rejected but changed into %q", s, got)
			}
			return
		}
		// What is accepted is RFC 3339, the same instant, and stable.
		in, err := time.Parse(time.RFC3339, got)
		if err != nil {
			t.Fatalf("%q gave %q, which is not RFC 3339: %v", s, got, err)
		}
		if again, ok := normalizeJobTime(got); !ok || again != got {
			t.Fatalf("%q gave %q, which normalizes again into %q, %v", s, got, again, ok)
		}
		var orig time.Time
		for _, layout := range jobTimeLayouts {
			if orig, err = time.Parse(layout, strings.TrimSpace(s)); err == nil {
				break
			}
		}
		if !orig.Equal(in) {
			t.Fatalf("%q (%v) gave %q (%v): not the same instant", s, orig, got, in)
		}
	})
}

func FuzzEntitiesToDynamic(f *testing.F) {
	for _, s := range []string{
		`{"instance":{"endpoint":"192.168.1.203:3306","datastore":{"type":"gaussdb-mysql"}},"resource_ids":["a.vm","a.volume"]}`,
		`{"a":[1,"two",true,null,{"x":[]},[false]]}`, `{"n":1e400,"m":-1e-400,"b":123456789012345678901234567890}`,
		`{"huge":1e100000000}`, "{\"e\u0301\":1,\"\u00e9\":2}", `{"":{"":null}}`, `null`, ``, `[]`, `"s"`, `{"a":`, "{\"\xff\":\"\xfe\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, j, diags := entitiesToDynamic(context.Background(), nil, raw)
		if diags.HasError() {
			t.Fatalf("%q: %v", raw, diags)
		}
		if jsonDepth(raw) > maxEntitiesDepth {
			return // FuzzDeepEntities checks these
		}
		if v.IsNull() != j.IsNull() {
			t.Fatalf("%q: entities null %v, entities_json null %v", raw, v.IsNull(), j.IsNull())
		}
		if v.IsNull() {
			return
		}
		if !json.Valid([]byte(j.ValueString())) {
			t.Fatalf("%q: entities_json %q is not JSON", raw, j.ValueString())
		}
		roundTrip(t, v)
	})
}

// FuzzJobDecoder decodes bodies as the client does, into client.Job's JSON
// shape, and converts the job into the data source's state.
func FuzzJobDecoder(f *testing.F) {
	seed, err := emulatorSeedJobBody()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{seed, `{"job":{}}`, `{"job":null}`, `{"job":{"process":"60%","created":"x","entities":[1,null]}}`,
		`{"job":{"process":"101%","ended":"2018-08-06T10:41:14+0800","entities":{"a":{"b":[{"c":1e5000}]}}}}`, `<html>`, ``} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	var sch datasource.SchemaResponse
	NewGaussDBJobDataSource().Schema(ctx, datasource.SchemaRequest{}, &sch)
	typ, ok := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		f.Fatal("the schema is not an object")
	}
	config := nullExcept(typ, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "j")})
	f.Fuzz(func(t *testing.T, body []byte) {
		var out struct {
			Job *client.Job `json:"job"`
		}
		if json.Unmarshal(body, &out) != nil || out.Job == nil {
			return
		}
		m, diags := jobValues(ctx, nil, *out.Job)
		if diags.HasError() {
			t.Fatalf("%q: %v", body, diags)
		}
		if p, ok := m["progress"].(types.Int64); ok && !p.IsNull() && (p.ValueInt64() < 0 || p.ValueInt64() > 100) {
			t.Fatalf("%q: progress %d", body, p.ValueInt64())
		}
		set := map[string]tftypes.Value{}
		for name, v := range m {
			set[name] = tfValue(ctx, v)
		}
		state, err := encodeState(typ, config, set, nil, 0)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if _, err := (&tfprotov6.DynamicValue{MsgPack: state}).Unmarshal(typ); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

// emulatorSeedJobBody is the emulator's answer for the seed job.
func emulatorSeedJobBody() (string, error) {
	var fixtures struct {
		Jobs []json.RawMessage `json:"jobs"`
	}
	if err := json.Unmarshal(emulator.DefaultFixtures(), &fixtures); err != nil || len(fixtures.Jobs) == 0 {
		return "", fmt.Errorf("no jobs in the default fixtures: %v", err)
	}
	return `{"job":` + string(fixtures.Jobs[0]) + `}`, nil
}

// Server text in the warnings of a job's values is masked: a server that
// echoes a credential in a time or a progress does not show it.
func TestJobValueWarningsMaskSecrets(t *testing.T) {
	const secret = "SECRETSECURITYTOKENechoedByTheServer1234"
	c, err := client.New(client.Config{Region: "r", AccessKey: "ak", SecretKey: "sk", SecurityToken: secret})
	if err != nil {
		t.Fatal(err)
	}
	_, diags := jobValues(context.Background(), c, client.Job{ID: "j", Status: "Completed", Process: secret, Created: "at " + secret, Ended: secret})
	if diags.WarningsCount() != 3 {
		t.Fatalf("diagnostics %v; want 3 warnings", diags)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail(), secret) || !strings.Contains(d.Detail(), "***") {
			t.Errorf("warning %q: %q", d.Summary(), d.Detail())
		}
		if strings.Contains(d.Detail(), `"\"`) {
			t.Errorf("warning %q quotes twice: %q", d.Summary(), d.Detail())
		}
	}
}
