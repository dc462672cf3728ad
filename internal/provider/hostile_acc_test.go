package provider

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// The tests in this file run `terraform plan` against an emulator that
// lies the way outside testing found real gateways and proxies can: each
// must end in a clear error or in correct data, after a number of requests
// that the provider, not the server, decides.

// flat collapses the whitespace of Terraform's output, which wraps
// diagnostics at the terminal's width.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// hostilePlan plans one data source of config against c, with fault on
// route, and returns the flattened output.
func hostilePlan(t *testing.T, c *testCloud, route emulator.Route, fault emulator.Fault, config string, extra ...string) (string, cliRun) {
	t.Helper()
	c.InjectFault(route, fault)
	run := terraformPlan(t, c.providerConfig(authAKSK, append([]string{fmt.Sprintf("project_id = %q", emulator.DefaultProjectID)}, extra...)...)+config, "")
	return flat(run.Stdout + run.Stderr), run
}

func TestAccHostile_taskLists(t *testing.T) {
	for _, tc := range []struct {
		name     string
		instance string
		fault    emulator.Fault
		// want are the fragments the output must hold, in order.
		want []string
		// requests is the exact number of task list requests.
		requests int
		fails    bool
	}{
		{
			name: "a count of 2e9 on a short first page", instance: seedInstance,
			fault:    emulator.Fault{Kind: emulator.FaultTaskCountRaw, TaskCount: "2000000000"},
			want:     []string{"task_count = 2000000000", "tasks = 1"},
			requests: 1,
		},
		{
			name: "endless full pages with a count of 1e12", instance: seedInstance,
			fault: emulator.Fault{Kind: emulator.FaultEndlessPages, TaskCount: "1000000000000"},
			want: []string{"Error: Too many tasks",
				fmt.Sprintf("instance %s has more background tasks than one read keeps (max_tasks = 50000): the API reports 1000000000000 tasks.", seedInstance),
				"Narrow the read to a time window with begin_time and end_time, or read one page with start and limit; or raise max_tasks in the provider configuration."},
			requests: 1, fails: true,
		},
		{
			name: "endless full pages with a count of 150", instance: seedInstance,
			fault: emulator.Fault{Kind: emulator.FaultEndlessPages, TaskCount: "150"},
			want: []string{"Error: Inconsistent answer from DMS",
				"page 2 (tasks 101 to 200) came back full with 100 tasks, but task_count 150 leaves room for 50 there, so where the list ends is unknown."},
			requests: 2, fails: true,
		},
		{
			name: "a page of 517,511 tasks", instance: seedInstance,
			fault: emulator.Fault{Kind: emulator.FaultOversizedPage},
			want:  []string{"Error: Unreadable answer from DMS", "the page holds more tasks than its limit of 100"},
			// A body that cannot be right is not asked for again.
			requests: 1, fails: true,
		},
		{
			name: "tasks without an id", instance: seedInstance,
			fault:    emulator.Fault{Kind: emulator.FaultTasksWithoutID},
			want:     []string{"Error: Unreadable answer from DMS", "200 response could not be decoded (a task has no id: task 1 of the page)"},
			requests: 1, fails: true,
		},
		{
			name: "null tasks with a count", instance: seedInstance,
			fault:    emulator.Fault{Kind: emulator.FaultNullTasks, TaskCount: "3"},
			want:     []string{"Error: Unreadable answer from DMS", "200 response could not be decoded (the page has no tasks array (null or missing) though its task_count is above 0 (task_count 3)): {\"task_count\":\"3\",\"tasks\":null}"},
			requests: 1, fails: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestCloud(t)
			out, run := hostilePlan(t, c, emulator.RouteTaskList, tc.fault, fmt.Sprintf(`
data "hwtasks_rocketmq_background_tasks" "test" {
  instance_id = %q
}
output "task_count" {
  value = data.hwtasks_rocketmq_background_tasks.test.task_count
}
output "tasks" {
  value = length(data.hwtasks_rocketmq_background_tasks.test.tasks)
}
`, tc.instance))
			if (run.Err != nil) != tc.fails {
				t.Fatalf("plan error %v, want failure %v:\n%s", run.Err, tc.fails, out)
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("the output lacks %q (after the fragments before it):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			if n := c.Count(emulator.RouteTaskList); n != tc.requests {
				t.Fatalf("%d task list requests, want %d", n, tc.requests)
			}
		})
	}
}

// Entities nested 5,000 levels deep took the plugin past 6 GB. They now
// leave entities null, with a warning, and keep entities_json.
func TestAccHostile_deepEntities(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t)
	out, run := hostilePlan(t, c, emulator.RouteJob, emulator.Fault{Kind: emulator.FaultDeepEntities, Depth: 5000}, fmt.Sprintf(`
data "hwtasks_gaussdb_job" "test" {
  id = %q
}
output "entities_null" {
  value = data.hwtasks_gaussdb_job.test.entities == null
}
output "entities_json_bytes" {
  value = length(data.hwtasks_gaussdb_job.test.entities_json)
}
`, seedJob))
	if run.Err != nil {
		t.Fatalf("plan failed: %v\n%s", run.Err, out)
	}
	for _, w := range []string{
		"Warning: Job entities nested too deeply",
		"The job's entities nest more than 64 levels deep, where real ones nest a few. entities is left null;",
		"entities_null = true",
	} {
		if !strings.Contains(out, w) {
			t.Fatalf("the output lacks %q:\n%s", w, out)
		}
	}
	if n := c.Count(emulator.RouteJob); n != 1 {
		t.Fatalf("%d job requests, want 1", n)
	}
}

// cacert_file = "/dev/zero" read 3 GB and ignored Ctrl-C.
func TestAccHostile_cacertFileThatIsNotAFile(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t)
	dir := t.TempDir()
	for _, tc := range []struct{ file, why string }{
		{"/dev/zero", `Error: Invalid CA bundle`},
		{"/dev/zero", `cacert_file "/dev/zero" is a character device, not a regular file.`},
		{dir, "is a directory, not a regular file."},
	} {
		run := terraformPlan(t, c.providerConfig(authAKSK, fmt.Sprintf("cacert_file = %q", tc.file))+fmt.Sprintf(`
data "hwtasks_gaussdb_job" "test" {
  id = %q
}
`, seedJob), "")
		out := flat(run.Stdout + run.Stderr)
		if run.Err == nil || !strings.Contains(out, "cacert_file") || !strings.Contains(out, tc.why) {
			t.Fatalf("%s: error %v, want one about cacert_file saying %q:\n%s", tc.file, run.Err, tc.why, out)
		}
	}
	total := 0
	for _, n := range c.Counts() {
		total += n
	}
	if total != 0 {
		t.Fatalf("requests were sent: %s", c.counts())
	}
}

// encodings returns the forms in which a server can echo secret: raw,
// URL-encoded, as HTML entities and \u-escaped.
func encodings(secret string) map[string]string {
	var html, unicode strings.Builder
	for _, r := range secret {
		if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			html.WriteRune(r)
		} else {
			fmt.Fprintf(&html, "&#%d;", r)
		}
		fmt.Fprintf(&unicode, `\u%04x`, r)
	}
	return map[string]string{
		"raw": secret, "query-escaped": url.QueryEscape(secret), "path-escaped": url.PathEscape(secret),
		"HTML entities": html.String(), `\u-escaped`: unicode.String(),
	}
}

// A gateway that echoes the credentials, in X-Request-Id and in its error
// message, raw and encoded, or that puts terminal control sequences into
// its message, must get neither to the user's terminal.
func TestAccHostile_echoedSecretsAndEscapes(t *testing.T) {
	for _, auth := range []authKind{authTemporaryAKSK, authToken} {
		for _, kind := range []emulator.FaultKind{emulator.FaultEchoSecrets, emulator.FaultTerminalEscapes} {
			t.Run(auth.String()+"/"+kind.String(), func(t *testing.T) {
				t.Parallel()
				c := newTestCloud(t)
				c.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: kind})
				config := c.providerConfig(auth, fmt.Sprintf("project_id = %q", emulator.DefaultProjectID)) + fmt.Sprintf(`
data "hwtasks_rocketmq_background_tasks" "test" {
  instance_id = %q
}
`, seedInstance)
				run := terraformPlan(t, config, "")
				out := run.Stdout + run.Stderr
				if run.Err == nil || !strings.Contains(flat(out), "Error: Request rejected by DMS") {
					t.Fatalf("plan error %v; want the rejected request:\n%s", run.Err, out)
				}
				secrets := map[string]string{"access key": c.Creds.TempAccessKey, "secret key": c.Creds.TempSecretKey, "security token": c.Creds.SecurityToken}
				if auth == authToken {
					// The token is the one in the configuration.
					i := strings.Index(config, `token = "`) + len(`token = "`)
					secrets = map[string]string{"token": config[i : i+strings.IndexByte(config[i:], '"')]}
				}
				for what, secret := range secrets {
					for form, enc := range encodings(secret) {
						if strings.Contains(out, enc) {
							t.Errorf("the output holds the %s %s:\n%s", form, what, out)
						}
					}
				}
				for _, ctl := range []string{"\x1b", "\a", "\u202e", "\r"} {
					if strings.Contains(out, ctl) {
						t.Errorf("the output holds the control character %q:\n%q", ctl, out)
					}
				}
				if kind == emulator.FaultEchoSecrets && !strings.Contains(out, "***") {
					t.Errorf("the output shows no masked secret, so the echo was never seen:\n%s", out)
				}
			})
		}
	}
}
