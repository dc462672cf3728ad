package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// The tests in this file run the Terraform CLI directly on a provider
// binary built from this tree, through dev_overrides, instead of through
// terraform-plugin-testing. A plugin-testing step runs several Terraform
// commands, each with a fresh provider, and these tests count what exactly
// one `terraform plan` sends, or read the log of the provider process as a
// user would see it.

// builtProvider is the provider binary, built once for the whole package.
var builtProvider struct {
	once sync.Once
	dir  string
	err  error
}

// providerBinaryDir builds the provider into a temporary folder, once, and
// returns the folder for dev_overrides.
func providerBinaryDir(t *testing.T) string {
	t.Helper()
	builtProvider.once.Do(func() {
		dir, err := os.MkdirTemp("", "hwtasks-provider-")
		if err != nil {
			builtProvider.err = err
			return
		}
		builtProvider.dir = dir
		goBin, err := exec.LookPath("go")
		if err != nil {
			builtProvider.err = fmt.Errorf("the go command is needed to build the provider for the CLI tests: %w", err)
			return
		}
		cmd := exec.Command(goBin, "build", "-o", filepath.Join(dir, "terraform-provider-hwtasks"), ".")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			builtProvider.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if builtProvider.err != nil {
		t.Fatal(builtProvider.err)
	}
	return builtProvider.dir
}

// terraformCLI returns the Terraform-compatible CLI that TestMain found
// (see setUpTerraformCLI), or skips the test when there is none.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if tfCLI.path == "" {
		t.Skipf("no Terraform-compatible CLI to run this test with (%s); run make test, which builds OpenTofu into .tools/bin", tfCLI.missing)
	}
	return tfCLI.path
}

// cliCloud is an emulator for a CLI test that also records when each
// request arrived, for the rate limit.
type cliCloud struct {
	*testCloud
	mu       sync.Mutex
	arrivals []time.Time
}

func newCLICloud(t *testing.T) *cliCloud {
	t.Helper()
	c := &cliCloud{}
	c.testCloud = newTestCloudBehind(t, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.mu.Lock()
			c.arrivals = append(c.arrivals, time.Now())
			c.mu.Unlock()
			emu.ServeHTTP(w, r)
		})
	})
	return c
}

func (c *cliCloud) sortedArrivals() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.arrivals)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// cliRun is the outcome of one Terraform command.
type cliRun struct {
	Stdout, Stderr string
	// Log is the whole log (TF_LOG and TF_LOG_PATH), Terraform's and the
	// provider's, when the command ran with a log level.
	Log string
	Err error
	// Started is taken just before Terraform starts; Elapsed is how long
	// it ran.
	Started time.Time
	Elapsed time.Duration
}

// terraformPlan writes config into a fresh folder and runs one `terraform
// plan` on it with the provider built from this tree. logLevel, when not
// empty, sets TF_LOG and captures the whole log, the provider's included.
// extraEnv ("NAME=value") goes to Terraform and the provider.
func terraformPlan(t *testing.T, config, logLevel string, extraEnv ...string) cliRun {
	t.Helper()
	tf := terraformCLI(t)
	bin := providerBinaryDir(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "cli.tfrc")
	write := func(name, text string) {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"hwtasks/hwtasks\" = %q\n  }\n  direct {}\n}\n", bin))
	work := filepath.Join(dir, "config")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(work, "main.tf"), "terraform {\n  required_providers {\n    hwtasks = { source = \"hwtasks/hwtasks\" }\n  }\n}\n"+config)

	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=")
	})
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	env = append(env, extraEnv...)
	logPath := filepath.Join(dir, "provider.log")
	if logLevel != "" {
		env = append(env, "TF_LOG="+logLevel, "TF_LOG_PATH="+logPath)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, "-chdir="+work, "plan", "-input=false", "-lock=false", "-no-color")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	run := cliRun{Stdout: stdout.String(), Stderr: stderr.String(), Err: err, Started: start, Elapsed: time.Since(start)}
	if logLevel != "" {
		b, readErr := os.ReadFile(logPath)
		if readErr != nil {
			t.Fatalf("no provider log: %v", readErr)
		}
		run.Log = string(b)
	}
	return run
}

// manySources is a configuration of 40 RocketMQ background task lists and
// 10 GaussDB jobs, with outputs that prove each was read; addFixtures puts
// what it reads into an emulator.
const manySources = `
data "hwtasks_rocketmq_background_tasks" "many" {
  count       = 40
  instance_id = format("rocketmq-%02d", count.index)
}

data "hwtasks_gaussdb_job" "many" {
  count = 10
  id    = format("job-%02d", count.index)
}

output "tasks_read" {
  value = sum([for d in data.hwtasks_rocketmq_background_tasks.many : length(d.tasks)])
}

output "jobs_completed" {
  value = length([for j in data.hwtasks_gaussdb_job.many : j if j.status == "Completed"])
}
`

func addManySourcesFixtures(c *testCloud) {
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range 40 {
		inst := fmt.Sprintf("rocketmq-%02d", i)
		c.AddTasks(emulator.DefaultProjectID, inst,
			emulator.Task{ID: inst + "-a", Name: "restart", Status: "SUCCESS", CreatedAt: at, UpdatedAt: at},
			emulator.Task{ID: inst + "-b", Name: "restart", Status: "FAILED", CreatedAt: at.Add(time.Minute), UpdatedAt: at.Add(time.Minute)})
	}
	for i := range 10 {
		c.AddJob(emulator.DefaultProjectID, emulator.Job{
			ID: fmt.Sprintf("job-%02d", i), Name: "CreateGaussDBforMySQLInstance", Status: "Completed",
			Created: "2026-11-01T08:00:00+0800", Ended: "2026-11-01T08:10:00+0800",
		})
	}
}

// requirePlanOutputs checks that the plan succeeded and shows the outputs
// of manySources: 80 tasks and 10 completed jobs.
func requirePlanOutputs(t *testing.T, run cliRun) {
	t.Helper()
	if run.Err != nil {
		t.Fatalf("terraform plan: %v\n%s\n%s", run.Err, run.Stdout, run.Stderr)
	}
	for _, want := range []string{"tasks_read     = 80", "jobs_completed = 10"} {
		if !strings.Contains(run.Stdout, want) {
			t.Fatalf("the plan lacks %q:\n%s", want, run.Stdout)
		}
	}
}

// TestAccCLI_fiftyDataSourcesShareOneLookup: one plan reading 50 data
// sources looks the project up once, and then makes exactly one request
// per data source.
func TestAccCLI_fiftyDataSourcesShareOneLookup(t *testing.T) {
	t.Parallel()
	cases := []struct {
		auth authKind
		// With a password, the token IAM issues is scoped to the region's
		// project and names it: that one request is the project lookup.
		wantProjects, wantTokens int
	}{
		{authAKSK, 1, 0},
		{authTemporaryAKSK, 1, 0},
		{authToken, 1, 0},
		{authPassword, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.auth.String(), func(t *testing.T) {
			t.Parallel()
			c := newCLICloud(t)
			addManySourcesFixtures(c.testCloud)
			config := c.providerConfig(tc.auth) + manySources
			c.ResetCounts() // issuing the test's token is not the provider's request
			run := terraformPlan(t, config, "")
			requirePlanOutputs(t, run)
			// Exactly one IAM request (the project lookup, or the token for
			// the password), and one request per data source.
			want := map[emulator.Route]int{
				emulator.RouteProjects: tc.wantProjects,
				emulator.RouteTokens:   tc.wantTokens,
				emulator.RouteTaskList: 40,
				emulator.RouteJob:      10,
			}
			requireCounts(t, c.testCloud, want)
			t.Logf("terraform plan of 50 data sources took %v", run.Elapsed)
		})
	}
}

// TestAccCLI_maxRequestsPerSecond: at max_requests_per_second = 5, the 51
// requests of one plan of 50 data sources never come faster than 5 a
// second.
//
// It asserts only what holds however slow or loaded the machine is. A
// request reaches the emulator some time after the provider's limiter lets
// it go, and under load that delay is unbounded and differs from request
// to request: requests released 200 ms apart can arrive bunched. So the
// test counts no arrivals within a window (it did: "no more than 5 within
// 800 ms", which failed under load with no fault in the provider), and has
// no upper bound on time. Delays only make arrivals later, though. The
// limiter (5 a second, burst 1) releases the k-th request no earlier than
// (k-1)/5 s after its first reservation, which comes after Terraform
// started; so the k-th arrival comes at least that long after the plan
// started, and the 51st at least 10 s after. Without the limiter, all 51
// arrive within a second or two.
func TestAccCLI_maxRequestsPerSecond(t *testing.T) {
	t.Parallel()
	c := newCLICloud(t)
	addManySourcesFixtures(c.testCloud)
	run := terraformPlan(t, c.providerConfig(authAKSK, "max_requests_per_second = 5")+manySources, "")
	requirePlanOutputs(t, run)

	requireCounts(t, c.testCloud, map[emulator.Route]int{
		emulator.RouteProjects: 1,
		emulator.RouteTaskList: 40,
		emulator.RouteJob:      10,
	})
	times := c.sortedArrivals()
	if len(times) != 51 {
		t.Fatalf("%d requests, want 51 (%s)", len(times), c.counts())
	}
	const interval = time.Second / 5
	for k, at := range times {
		if after, least := at.Sub(run.Started), time.Duration(k)*interval; after < least {
			t.Fatalf("request %d of 51 arrived %v after the plan started; at 5 a second it cannot come before %v", k+1, after, least)
		}
	}
	t.Logf("terraform plan of 50 data sources at 5 requests a second took %v; the last request arrived %v after it started",
		run.Elapsed, times[len(times)-1].Sub(run.Started))
}
