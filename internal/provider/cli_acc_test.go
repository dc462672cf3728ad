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

// terraformCLI returns the Terraform-compatible CLI the acceptance tests
// use, and skips the test unless TF_ACC is set, as resource.Test does.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no terraform or tofu on PATH and TF_ACC_TERRAFORM_PATH unset; run the tests through make test")
	return ""
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
	// Log is the whole log (TF_LOG and TF_LOG_PATH): Terraform's and the
	// provider's,
	// when the command ran with a log level.
	Log     string
	Err     error
	Elapsed time.Duration
}

// terraformPlan writes config into a fresh folder and runs one `terraform
// plan` on it with the provider built from this tree. logLevel, when not
// empty, sets TF_LOG and captures the whole log, the provider's included.
func terraformPlan(t *testing.T, config, logLevel string) cliRun {
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
	run := cliRun{Stdout: stdout.String(), Stderr: stderr.String(), Err: err, Elapsed: time.Since(start)}
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
			want := map[emulator.Route]int{
				emulator.RouteProjects: tc.wantProjects,
				emulator.RouteTokens:   tc.wantTokens,
				emulator.RouteTaskList: 40,
				emulator.RouteJob:      10,
			}
			got := c.Counts()
			for _, r := range sortedKeys(got) {
				if got[r] != want[r] {
					t.Errorf("%s: %d requests, want %d (all: %s)", r, got[r], want[r], c.counts())
				}
			}
			if got[emulator.RouteProjects]+got[emulator.RouteTokens] != 1 {
				t.Errorf("%d IAM requests, want exactly one", got[emulator.RouteProjects]+got[emulator.RouteTokens])
			}
			t.Logf("terraform plan of 50 data sources took %v", run.Elapsed)
		})
	}
}

// TestAccCLI_maxRequestsPerSecond: at max_requests_per_second = 5, the 51
// requests of one plan of 50 data sources never come faster than 5 a
// second.
func TestAccCLI_maxRequestsPerSecond(t *testing.T) {
	t.Parallel()
	c := newCLICloud(t)
	addManySourcesFixtures(c.testCloud)
	run := terraformPlan(t, c.providerConfig(authAKSK, "max_requests_per_second = 5")+manySources, "")
	requirePlanOutputs(t, run)

	times := c.sortedArrivals()
	if len(times) != 51 {
		t.Fatalf("%d requests, want 51 (%s)", len(times), c.counts())
	}
	// 51 requests at 5 a second need at least 10 s between the first and
	// the last. A slow machine only stretches this.
	if span := times[len(times)-1].Sub(times[0]); span < 10*time.Second-50*time.Millisecond {
		t.Errorf("51 requests arrived within %v; at 5 a second they need 10 s", span)
	}
	// No second holds more than 5. The window is one interval (200 ms)
	// short of a second, for the jitter between the provider's limiter
	// letting a request go and the emulator's handler seeing it, which a
	// busy machine stretches. Without the limit, all 51 arrive within
	// about a second of each other.
	const window = 800 * time.Millisecond
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < window; j++ {
			n++
		}
		if n > 5 {
			t.Fatalf("%d requests arrived within %v from %v; the limit is 5 a second", n, window, times[i].Sub(times[0]))
		}
	}
	t.Logf("terraform plan of 50 data sources at 5 requests a second took %v", run.Elapsed)
}
