package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// Secrets that the cloud itself hands back inside JSON: in a task's params
// (a JSON string inside the JSON body) and in a job's entities. They are
// redacted by key wherever the provider logs a body.
const (
	paramPassword  = "paramPasswordNeverLogged42"
	paramSecretKey = "paramSecretKeyNeverLogged42"
	paramToken     = "paramTokenNeverLogged42"
	entityPassword = "entityPasswordNeverLogged42"
)

// secretsCloud is an emulator that remembers every token it saw on the
// wire (including the ones IAM issued for the password credentials), and
// that answers for instance "echo" with an error quoting the request's
// credentials back, as a careless gateway might.
type secretsCloud struct {
	*testCloud
	mu     sync.Mutex
	tokens map[string]bool
}

func newSecretsCloud(t *testing.T) *secretsCloud {
	t.Helper()
	c := &secretsCloud{tokens: map[string]bool{}}
	c.testCloud = newTestCloudBehind(t, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tok := r.Header.Get("X-Auth-Token"); tok != "" {
				c.mu.Lock()
				c.tokens[tok] = true
				c.mu.Unlock()
			}
			if strings.Contains(r.URL.Path, "/instances/echo/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{
					"error_code": "DMS.00400000",
					"error_msg": fmt.Sprintf("Invalid request: Authorization=%s X-Auth-Token=%s X-Security-Token=%s",
						r.Header.Get("Authorization"), r.Header.Get("X-Auth-Token"), r.Header.Get("X-Security-Token")),
				})
				return
			}
			emu.ServeHTTP(w, r)
		})
	})
	emu := c.Emulator
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	emu.AddTasks(emulator.DefaultProjectID, "secret-params", emulator.Task{
		ID: "task-with-secrets", Name: "resetPassword", Status: "SUCCESS", CreatedAt: at, UpdatedAt: at,
		Params: fmt.Sprintf(`{"password":%q,"ssl":{"secret_key":%q},"auth_token":%q,"port":8100}`, paramPassword, paramSecretKey, paramToken),
	})
	emu.AddJob(emulator.DefaultProjectID, emulator.Job{
		ID: "job-with-secrets", Name: "CreateGaussDBforMySQLInstance", Status: "Completed",
		Created: "2026-11-01T08:00:00+0800", Ended: "2026-11-01T08:10:00+0800",
		Entities: json.RawMessage(fmt.Sprintf(`{"instance":{"id":"i-1","admin_password":%q}}`, entityPassword)),
	})
	return c
}

// secrets returns every secret the test must never find, by name.
func (c *secretsCloud) secrets(token string) map[string]string {
	s := map[string]string{
		"access key":           c.Creds.AccessKey,
		"secret key":           c.Creds.SecretKey,
		"temporary access key": c.Creds.TempAccessKey,
		"temporary secret key": c.Creds.TempSecretKey,
		"security token":       c.Creds.SecurityToken,
		"password":             c.Creds.Password,
		"token":                token,
		"password in params":   paramPassword,
		"secret key in params": paramSecretKey,
		"token in params":      paramToken,
		"password in entities": entityPassword,
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for tok := range c.tokens {
		if tok != token {
			s["token issued for the password"] = tok
		}
	}
	return s
}

// allCredentialKinds returns four provider blocks, one per credential
// kind, aliased by kind, with the token it gave the token provider.
func (c *secretsCloud) allCredentialKinds() (string, string) {
	token := c.IssueToken(emulator.DefaultProjectID)
	var b strings.Builder
	for _, k := range []authKind{authAKSK, authTemporaryAKSK, authToken, authPassword} {
		block := c.providerConfig(k, fmt.Sprintf("alias = %q", k))
		if k == authToken {
			// providerConfig issues a token of its own; use ours, so that
			// the test knows which one to look for.
			block = regexp.MustCompile(`token = "[^"]*"`).ReplaceAllString(block, fmt.Sprintf("token = %q", token))
		}
		b.WriteString(block)
	}
	return b.String(), token
}

// perKind repeats a data source block for every alias.
func perKind(format string) string {
	var b strings.Builder
	for _, k := range []authKind{authAKSK, authTemporaryAKSK, authToken, authPassword} {
		fmt.Fprintf(&b, format, k, k)
	}
	return b.String()
}

// logHasLine reports whether one line of log holds every field (such as
// "method=POST"), each as a whole space-separated field, in any order.
func logHasLine(log string, fields ...string) bool {
	for line := range strings.Lines(log) {
		have := strings.Fields(line)
		if !slices.ContainsFunc(fields, func(f string) bool { return !slices.Contains(have, f) }) {
			return true
		}
	}
	return false
}

// diagnostics splits Terraform's output into its diagnostics, each with
// its whitespace collapsed into single spaces, which undoes Terraform's
// wrapping.
func diagnostics(output string) []string {
	var out []string
	for _, d := range strings.Split(output, "Error: ")[1:] {
		out = append(out, "Error: "+strings.Join(strings.Fields(d), " "))
	}
	return out
}

func assertNoSecret(t *testing.T, where, text string, secrets map[string]string) {
	t.Helper()
	for name, s := range secrets {
		if s == "" {
			t.Fatalf("the %s is empty: the test would prove nothing", name)
		}
		if i := strings.Index(text, s); i >= 0 {
			t.Errorf("the %s appears in the %s: …%s…", name, where, text[max(0, i-200):min(len(text), i+len(s)+50)])
		}
	}
}

// TestAccCLI_traceLogHoldsNoSecret runs `terraform plan` with TF_LOG=TRACE
// and all four credential kinds at once (one aliased provider each), and
// reads the provider's whole log: no credential, and no secret the API
// returned inside a JSON body or a task's params, may appear in it, nor in
// any diagnostic of a plan whose reads fail.
func TestAccCLI_traceLogHoldsNoSecret(t *testing.T) {
	t.Parallel()
	c := newSecretsCloud(t)
	providers, token := c.allCredentialKinds()

	t.Run("successful reads", func(t *testing.T) {
		config := providers + perKind(`
data "hwtasks_rocketmq_background_tasks" "%[1]s" {
  provider    = hwtasks.%[2]s
  instance_id = "secret-params"
}

data "hwtasks_gaussdb_job" "%[1]s" {
  provider = hwtasks.%[2]s
  id       = "job-with-secrets"
}

output "params_%[1]s" {
  value = data.hwtasks_rocketmq_background_tasks.%[1]s.tasks[0].params_map["port"]
}
`)
		run := terraformPlan(t, config, "TRACE")
		if run.Err != nil {
			t.Fatalf("terraform plan: %v\n%s\n%s", run.Err, run.Stdout, run.Stderr)
		}
		// The log really holds the provider's requests and the bodies, with
		// the secrets in them redacted: otherwise this test proves nothing.
		for _, want := range []string{
			"provider.terraform-provider-hwtasks", "@module=hwtasks.client", "response body",
			"X-Auth-Token: REDACTED", "X-Security-Token: REDACTED", "Authorization: REDACTED",
			// The password in the IAM request body; params' secrets inside
			// the JSON string that holds them; the job's entities.
			`\"password\":\"REDACTED\"`, `\\"password\\":\\"REDACTED\\"`, `\\"secret_key\\":\\"REDACTED\\"`,
			`\"admin_password\":\"REDACTED\"`,
		} {
			if !strings.Contains(run.Log, want) {
				t.Errorf("the TRACE log lacks %q", want)
			}
		}
		// hclog writes a line's fields in Go's map order, which changes from
		// line to line: look for each field on its own, in one line.
		if fields := []string{"@module=hwtasks.client", "method=POST", "url=" + c.URL + "/v3/auth/tokens"}; !logHasLine(run.Log, fields...) {
			t.Errorf("no line of the TRACE log holds all of %q", fields)
		}
		if t.Failed() {
			t.Logf("the log (%d bytes):\n%s", len(run.Log), run.Log)
		}
		assertNoSecret(t, "TRACE log", run.Log, c.secrets(token))
		assertNoSecret(t, "plan output", run.Stdout+run.Stderr, c.secrets(token))
	})

	t.Run("failed reads", func(t *testing.T) {
		config := providers + perKind(`
data "hwtasks_rocketmq_background_tasks" "%[1]s" {
  provider    = hwtasks.%[2]s
  instance_id = "echo"
}
`)
		run := terraformPlan(t, config, "TRACE")
		if run.Err == nil {
			t.Fatalf("the plan succeeded; want every read to fail\n%s", run.Stdout)
		}
		// Every alias failed with the gateway's message, in which exactly
		// the credentials it sent are masked.
		if n := strings.Count(run.Stderr, "Error: "); n != 4 {
			t.Errorf("%d diagnostics, want one per credential kind:\n%s", n, run.Stderr)
		}
		const (
			signed = `Authorization=SDK-HMAC-SHA256 Access=\*\*\*, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64} `
			token  = `Authorization= X-Auth-Token=\*\*\* `
		)
		for kind, echo := range map[authKind]string{
			authAKSK:          signed + `X-Auth-Token= X-Security-Token=\.`,
			authTemporaryAKSK: signed + `X-Auth-Token= X-Security-Token=\*\*\*\.`,
			authToken:         token + `X-Security-Token=\.`,
			authPassword:      token + `X-Security-Token=\.`,
		} {
			want := regexp.MustCompile(`^Error: Request rejected by DMS with data\.hwtasks_rocketmq_background_tasks\.` + kind.String() + `, .* ` +
				regexp.QuoteMeta(`Could not read the background tasks of RocketMQ instance echo in project `+emulator.DefaultProjectID+
					` (region `+emulator.DefaultRegion+`): 400 DMS.00400000 Invalid request: `) + echo +
				regexp.QuoteMeta(` Check the data source's arguments.`) + `$`)
			if !slices.ContainsFunc(diagnostics(run.Stderr), want.MatchString) {
				t.Errorf("no diagnostic matches %s:\n%s", want, run.Stderr)
			}
		}
		assertNoSecret(t, "diagnostics", run.Stdout+run.Stderr, c.secrets(token))
		assertNoSecret(t, "TRACE log", run.Log, c.secrets(token))
	})
}

// issuedSecrets records every credential the emulator hands out in a
// body: the temporary keys of an agency and of ECS metadata, and the
// metadata session tokens.
type issuedSecrets struct {
	mu   sync.Mutex
	list map[string]string // value → what it is
}

func (s *issuedSecrets) add(kind, v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list[v] = kind
}

// bodyRecorder keeps a copy of what a handler writes.
type bodyRecorder struct {
	http.ResponseWriter
	body []byte
}

func (b *bodyRecorder) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return b.ResponseWriter.Write(p)
}

// TestAccCLI_traceLogHoldsNoTemporaryKey is the TRACE-log test for the
// credentials that arrive at run time: an agency's temporary keys, ECS
// metadata's keys and session token, and the keys of a shared config
// file's profile. Their reads succeed and fail (the "echo" instance quotes
// the request's credentials back); no secret may appear in the log or the
// diagnostics.
func TestAccCLI_traceLogHoldsNoTemporaryKey(t *testing.T) {
	t.Parallel()
	issued := &issuedSecrets{list: map[string]string{}}
	c := newTestCloudBehind(t, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/instances/echo/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{
					"error_code": "DMS.00400000",
					"error_msg": fmt.Sprintf("Invalid request: Authorization=%s X-Security-Token=%s",
						r.Header.Get("Authorization"), r.Header.Get("X-Security-Token")),
				})
				return
			}
			rec := &bodyRecorder{ResponseWriter: w}
			emu.ServeHTTP(rec, r)
			switch r.URL.Path {
			case "/meta-data/latest/api/token":
				issued.add("metadata session token", strings.TrimSpace(string(rec.body)))
			case "/v3.0/OS-CREDENTIAL/securitytokens", "/openstack/latest/securitykey":
				var out struct {
					Credential struct{ Access, Secret, Securitytoken string } `json:"credential"`
				}
				_ = json.Unmarshal(rec.body, &out)
				issued.add("issued access key", out.Credential.Access)
				issued.add("issued secret key", out.Credential.Secret)
				issued.add("issued security token", out.Credential.Securitytoken)
			}
		})
	})
	file := writeSharedConfig(t, t.TempDir(), c)
	endpoints := fmt.Sprintf("region = %q\n  %s", emulator.DefaultRegion, emulatorEndpointsHCL(c.URL))
	providers := fmt.Sprintf(`
provider "hwtasks" {
  alias = "agency"
  %[1]s
  access_key = %[2]q
  secret_key = %[3]q
  assume_role {
    agency_name = %[4]q
    domain_name = %[5]q
  }
}

provider "hwtasks" {
  alias              = "profile"
  %[1]s
  shared_config_file = %[6]q
  profile            = "sso"
}

provider "hwtasks" {
  alias = "metadata"
  %[1]s
}
`, endpoints, c.Creds.AccessKey, c.Creds.SecretKey, emulator.DefaultAgencyName, emulator.DefaultAgencyDomainName, file)
	aliases := []string{"agency", "profile", "metadata"}
	sources := func(instance string) string {
		var b strings.Builder
		for _, a := range aliases {
			fmt.Fprintf(&b, "\ndata \"hwtasks_rocketmq_background_tasks\" %q {\n  provider    = hwtasks.%s\n  instance_id = %q\n}\n", a, a, instance)
		}
		return b.String()
	}
	secrets := func() map[string]string {
		s := map[string]string{
			"access key": c.Creds.AccessKey, "secret key": c.Creds.SecretKey,
			"profile's access key": c.Creds.TempAccessKey, "profile's secret key": c.Creds.TempSecretKey, "profile's security token": c.Creds.SecurityToken,
		}
		issued.mu.Lock()
		defer issued.mu.Unlock()
		kinds := map[string]int{}
		for v, kind := range issued.list {
			kinds[kind]++
			s[fmt.Sprintf("%s #%d", kind, kinds[kind])] = v
		}
		// Each kind was handed out, or the test proves nothing.
		for _, kind := range []string{"metadata session token", "issued access key", "issued secret key", "issued security token"} {
			if kinds[kind] == 0 {
				t.Errorf("the emulator handed out no %s", kind)
			}
		}
		return s
	}
	env := "HW_METADATA_ENDPOINT=" + c.URL

	t.Run("successful reads", func(t *testing.T) {
		run := terraformPlan(t, providers+sources(seedInstance), "TRACE", env)
		if run.Err != nil {
			t.Fatalf("terraform plan: %v\n%s\n%s", run.Err, run.Stdout, run.Stderr)
		}
		for _, want := range []string{"X-Security-Token: REDACTED", "obtained temporary keys", "metadata request done", `\"secret\":\"REDACTED\"`, `\"access\":\"REDACTED\"`} {
			if !strings.Contains(run.Log, want) {
				t.Errorf("the TRACE log lacks %q", want)
			}
		}
		assertNoSecret(t, "TRACE log", run.Log, secrets())
		assertNoSecret(t, "plan output", run.Stdout+run.Stderr, secrets())
	})

	t.Run("failed reads", func(t *testing.T) {
		run := terraformPlan(t, providers+sources("echo"), "TRACE", env)
		if run.Err == nil {
			t.Fatalf("the plan succeeded; want every read to fail\n%s", run.Stdout)
		}
		// The echoes of the keys and security tokens are masked.
		want := regexp.MustCompile(`Invalid request: Authorization=SDK-HMAC-SHA256 Access=\*\*\*, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64} X-Security-Token=\*\*\*\.`)
		if n := len(slices.DeleteFunc(diagnostics(run.Stderr), func(d string) bool { return !want.MatchString(d) })); n != len(aliases) {
			t.Errorf("%d diagnostics match %s, want %d:\n%s", n, want, len(aliases), run.Stderr)
		}
		assertNoSecret(t, "diagnostics", run.Stdout+run.Stderr, secrets())
		assertNoSecret(t, "TRACE log", run.Log, secrets())
	})
}
