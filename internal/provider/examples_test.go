package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// examplesDir is the repository's examples/, from this package's folder.
const examplesDir = "../../examples"

// exampleVars are the values of the variables the examples declare, taken
// from the emulator's default fixtures, and (for endpoint) its URL. An
// example that declares a variable without a default and not listed here
// fails its plan with "No value for required variable".
func exampleVars(c *testCloud, dir string) map[string]string {
	vars := map[string]string{
		"instance_id":     seedInstance,
		"task_id":         seedTask,
		"job_id":          seedJob,
		"endpoint":        c.URL,
		"otc_user_name":   "example-user",
		"otc_password":    "example-password",
		"otc_domain_name": "example-domain",
	}
	// The examples of other services read their own fixtures.
	for k, v := range map[string]map[string]string{
		"hwtasks_rds_job":              {"job_id": seedRDSJob},
		"hwtasks_opengauss_job":        {"job_id": seedOpenGaussJob},
		"hwtasks_dds_job":              {"job_id": seedDDSJob},
		"hwtasks_geminidb_job":         {"job_id": seedGeminiDBJob},
		"hwtasks_dcs_background_tasks": {"instance_id": seedDCSInstance},
		"hwtasks_ecs_job":              {"job_id": seedECSJob},
		"hwtasks_evs_job":              {"job_id": seedEVSJob},
		"hwtasks_ims_job":              {"job_id": seedIMSJob},
		"hwtasks_cce_job":              {"job_id": seedCCEJob},
	}[filepath.Base(dir)] {
		vars[k] = v
	}
	return vars
}

// TestExamples plans every folder under examples/, found anew on each run,
// with the real CLI against a fresh emulator, as a user would after
// copying the example: no terraform init, the provider through
// dev_overrides, region and credentials from HW_* variables, and the
// variables filled from the default fixtures. A folder's own fixtures.json,
// when it has one, is loaded too.
//
// The examples name no endpoint (the demo's comes from a variable), so the
// test adds one, pointing at the emulator: in a file of its own when the
// example has no provider block, and in an override file otherwise.
//
// For each folder it checks that the plan succeeds, that every data source
// is read while planning (none put off until apply, as timestamp() would),
// and that the emulator got exactly the requests those reads need.
func TestExamples(t *testing.T) {
	t.Parallel()
	tf := terraformCLI(t)
	bin := providerBinaryDir(t)
	dirs := exampleDirs(t)

	// Every data source has its example, which tfplugindocs puts in its page.
	for _, typ := range dataSourceTypes(t) {
		if !slices.Contains(dirs, filepath.Join("data-sources", typ)) {
			t.Errorf("no example for %s: want examples/data-sources/%s/data-source.tf", typ, typ)
		}
	}
	if !slices.Contains(dirs, "provider") {
		t.Error("no examples/provider")
	}

	for _, dir := range dirs {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			planExample(t, tf, bin, filepath.Join(examplesDir, dir))
		})
	}
}

// exampleDirs returns every folder under examples/ that holds a .tf file,
// relative to examples/.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != examplesDir {
			return filepath.SkipDir // .terraform and the like
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tf") {
			rel, err := filepath.Rel(examplesDir, filepath.Dir(path))
			if err != nil {
				return err
			}
			if !slices.Contains(dirs, rel) {
				dirs = append(dirs, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no example found under %s", examplesDir)
	}
	return dirs
}

// dataSourceTypes returns the type names of the provider's data sources.
func dataSourceTypes(t *testing.T) []string {
	t.Helper()
	srv, err := testAccProviders["hwtasks"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("provider schema: %+v", resp.Diagnostics)
	}
	return sortedKeys(resp.DataSourceSchemas)
}

// providerBlock finds the provider "hwtasks" blocks of a formatted
// configuration, and the alias of each ("" for the default one).
var (
	providerBlock = regexp.MustCompile(`(?ms)^provider\s+"hwtasks"\s*\{\n(.*?)^\}`)
	aliasLine     = regexp.MustCompile(`(?m)^\s*alias\s*=\s*"([^"]+)"`)
)

func planExample(t *testing.T, tf, bin, src string) {
	c := newTestCloud(t)
	fixtures := filepath.Join(src, "fixtures.json")
	if _, err := os.Stat(fixtures); err == nil {
		if err := c.LoadFixturesFile(fixtures); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	work := filepath.Join(dir, "config")
	if err := os.CopyFS(work, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	// Point every provider block of the example at the emulator.
	var aliases []string
	entries, err := os.ReadDir(work)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(work, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range providerBlock.FindAllSubmatch(b, -1) {
			alias := ""
			if a := aliasLine.FindSubmatch(m[1]); a != nil {
				alias = string(a[1])
			}
			aliases = append(aliases, alias)
		}
	}
	endpoints := func(alias string) string {
		var a string
		if alias != "" {
			a = fmt.Sprintf("  alias = %q\n", alias)
		}
		return fmt.Sprintf("provider \"hwtasks\" {\n%s  %s\n}\n", a, emulatorEndpointsHCL(c.URL))
	}
	var override strings.Builder
	for _, alias := range aliases {
		override.WriteString(endpoints(alias))
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if override.Len() > 0 {
		write(filepath.Join(work, "emulator_override.tf"), override.String())
	}
	if !slices.Contains(aliases, "") {
		write(filepath.Join(work, "emulator_provider.tf"), endpoints(""))
	}
	cliConfig := filepath.Join(dir, "cli.tfrc")
	write(cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"hwtasks/hwtasks\" = %q\n  }\n  direct {}\n}\n", bin))

	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		for _, p := range []string{"TF_LOG", "TF_CLI_CONFIG_FILE=", "TF_VAR_", "HW_", "OS_"} {
			if strings.HasPrefix(kv, p) {
				return true
			}
		}
		return false
	})
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"HW_REGION_NAME="+emulator.DefaultRegion, "HW_ACCESS_KEY="+c.Creds.AccessKey, "HW_SECRET_KEY="+c.Creds.SecretKey)
	for k, v := range exampleVars(c, src) {
		env = append(env, "TF_VAR_"+k+"="+v)
	}

	terraform := func(args ...string) (stdout, stderr string, exit int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
			t.Fatalf("terraform %s: %v", args[0], err)
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	}

	began := time.Now()
	stdout, stderr, exit := terraform("plan", "-input=false", "-lock=false", "-no-color", "-out=plan.tfplan")
	if exit != 0 {
		t.Fatalf("terraform plan exited %d:\n%s\n%s", exit, stdout, stderr)
	}
	t.Logf("terraform plan took %v", time.Since(began))
	planned := c.Counts()
	showOut, stderr, exit := terraform("show", "-json", "plan.tfplan")
	if exit != 0 {
		t.Fatalf("terraform show exited %d:\n%s", exit, stderr)
	}
	var plan planJSON
	if err := json.Unmarshal([]byte(showOut), &plan); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}

	// Every data source of the configuration was read while planning.
	var declared, read, deferred []string
	for _, r := range plan.Configuration.RootModule.Resources {
		if r.Mode == "data" {
			declared = append(declared, r.Address)
		}
	}
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r.Mode == "data" {
			read = append(read, r.Address)
		}
	}
	for _, r := range plan.ResourceChanges {
		if r.Mode == "data" && slices.Contains(r.Change.Actions, "read") {
			deferred = append(deferred, r.Address)
		}
	}
	slices.Sort(declared)
	slices.Sort(read)
	if len(deferred) > 0 {
		t.Errorf("read only at apply, so the plan shows them as (known after apply): %v", deferred)
	}
	if !slices.Equal(read, declared) {
		t.Errorf("the plan read the data sources %v, want every one declared: %v", read, declared)
	}
	t.Logf("the plan read %d data sources: %v", len(read), read)

	// And the emulator got exactly the requests those reads need.
	want := expectedRequests(t, plan, fixtures)
	for _, r := range emulator.Routes() {
		if planned[r] != want[r] {
			t.Errorf("%s: %d requests, want %d (all: %s)", r, planned[r], want[r], c.counts())
		}
	}
}

// planJSON is what this test reads of `terraform show -json` of a plan.
type planJSON struct {
	Configuration struct {
		RootModule struct {
			Resources []struct {
				Address string `json:"address"`
				Mode    string `json:"mode"`
			} `json:"resources"`
		} `json:"root_module"`
	} `json:"configuration"`
	PriorState struct {
		Values struct {
			RootModule struct {
				Resources []planResource `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Change  struct {
			Actions []string `json:"actions"`
		} `json:"change"`
	} `json:"resource_changes"`
}

type planResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Values  map[string]any `json:"values"`
}

// expectedRequests derives, from the data sources the plan read, the
// requests each route should have counted:
//   - one project lookup, for the region, when anything was read;
//   - per task list, one request per page of 100 of its task_count (at
//     least one), or one when start or limit asks for a single page;
//   - per task_id or job, one request, or, when it waits for a task or
//     job that a fixture scripts, one per read until the script shows it
//     ended.
func expectedRequests(t *testing.T, plan planJSON, fixturesPath string) map[emulator.Route]int {
	t.Helper()
	taskReads, jobReads := scriptedReads(t, fixturesPath)
	want := map[emulator.Route]int{}
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r.Mode != "data" {
			continue
		}
		want[emulator.RouteProjects] = 1
		v := r.Values
		waits, _ := v["wait_for_completion"].(bool)
		jobRoute, isJob := map[string]emulator.Route{
			"hwtasks_gaussdb_job": emulator.RouteJob, "hwtasks_rds_job": emulator.RouteRDSJob, "hwtasks_opengauss_job": emulator.RouteOpenGaussJob,
			"hwtasks_dds_job": emulator.RouteDDSJob, "hwtasks_geminidb_job": emulator.RouteGeminiDBJob,
			"hwtasks_ecs_job": emulator.RouteECSJob, "hwtasks_evs_job": emulator.RouteEVSJob, "hwtasks_ims_job": emulator.RouteIMSJob,
			"hwtasks_cce_job": emulator.RouteCCEJob,
		}[r.Type]
		listRoute, getRoute := emulator.RouteTaskList, emulator.RouteTaskGet
		if r.Type == "hwtasks_dcs_background_tasks" {
			// DCS has no GET of one task: a task is found in the list
			// (on its first page, in the examples).
			listRoute, getRoute = emulator.RouteDCSTaskList, emulator.RouteDCSTaskList
		}
		switch {
		case isJob:
			n := 1
			if id, _ := v["id"].(string); waits && jobReads[id] > 0 {
				n = jobReads[id]
			}
			want[jobRoute] += n
		case v["task_id"] != nil:
			n := 1
			if id, _ := v["task_id"].(string); waits && taskReads[id] > 0 {
				n = taskReads[id]
			}
			want[getRoute] += n
		case v["start"] != nil || v["limit"] != nil:
			want[listRoute]++
		default:
			var count int
			if _, err := fmt.Sscan(fmt.Sprint(v["task_count"]), &count); err != nil {
				t.Fatalf("%s: task_count %v", r.Address, v["task_count"])
			}
			want[listRoute] += max(1, (count+99)/100)
		}
	}
	return want
}

// scriptedReads returns, for each task and job that the fixture file at
// path scripts, how many reads it takes until one shows it ended. A
// missing file scripts nothing.
func scriptedReads(t *testing.T, path string) (tasks, jobs map[string]int) {
	t.Helper()
	tasks, jobs = map[string]int{}, map[string]int{}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return tasks, jobs
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Instances []struct {
			Tasks []struct {
				ID       string   `json:"id"`
				Statuses []string `json:"statuses"`
			} `json:"tasks"`
		} `json:"instances"`
		Jobs []struct {
			ID    string `json:"id"`
			Steps []struct {
				Status string `json:"status"`
			} `json:"steps"`
		} `json:"jobs"`
		V1Jobs []struct {
			ID    string `json:"job_id"`
			Steps []struct {
				Status string `json:"status"`
			} `json:"steps"`
		} `json:"v1_jobs"`
		CCEJobs []struct {
			Metadata struct {
				UID string `json:"uid"`
			} `json:"metadata"`
			Steps []struct {
				Phase string `json:"phase"`
			} `json:"steps"`
		} `json:"cce_jobs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, in := range doc.Instances {
		for _, task := range in.Tasks {
			if i := slices.IndexFunc(task.Statuses, func(s string) bool {
				return slices.Contains([]string{"SUCCESS", "FAILED", "DELETED", "CANCELLED"}, s)
			}); i >= 0 {
				tasks[task.ID] = i + 1
			}
		}
	}
	// The read that first shows a job ended, whatever the API's word
	// for it.
	ends := func(id string, statuses []string) {
		for i, s := range statuses {
			if slices.Contains([]string{"Completed", "Failed", "SUCCESS", "FAIL", "Success"}, s) {
				jobs[id] = i + 1
				return
			}
		}
	}
	for _, j := range doc.Jobs {
		var st []string
		for _, s := range j.Steps {
			st = append(st, s.Status)
		}
		ends(j.ID, st)
	}
	for _, j := range doc.V1Jobs {
		var st []string
		for _, s := range j.Steps {
			st = append(st, s.Status)
		}
		ends(j.ID, st)
	}
	for _, j := range doc.CCEJobs {
		var st []string
		for _, s := range j.Steps {
			st = append(st, s.Phase)
		}
		ends(j.Metadata.UID, st)
	}
	return tasks, jobs
}
