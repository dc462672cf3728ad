package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// TestMain keeps the developer's own HW_*/OS_* settings away from the
// offline tests, which configure the provider explicitly. Live tests
// (make testacc-live sets HW_LIVE=1) need them, and keep them.
//
// It also finds the Terraform-compatible CLI once, for every test that runs
// one: see setUpTerraformCLI.
func TestMain(m *testing.M) {
	if os.Getenv("HW_LIVE") == "" {
		for _, vars := range envVars {
			for _, v := range vars {
				_ = os.Unsetenv(v)
			}
		}
		for _, v := range otherEnvVars {
			_ = os.Unsetenv(v)
		}
	}
	setUpTerraformCLI()
	code := m.Run()
	if builtProvider.dir != "" {
		_ = os.RemoveAll(builtProvider.dir)
	}
	os.Exit(code)
}

// tfCLI is the Terraform-compatible CLI that the tests run, found once by
// setUpTerraformCLI: path is empty when there is none, and missing then
// says why.
var tfCLI struct {
	path, missing string
}

// setUpTerraformCLI finds the CLI, in the order scripts/terraform.sh uses:
// TF_ACC_TERRAFORM_PATH, then terraform or tofu on PATH, then the OpenTofu
// that the script builds into the repository's .tools/bin (make test does).
// It never builds or downloads one. It sets TF_ACC_TERRAFORM_PATH to what it
// found, for terraform-plugin-testing, and what OpenTofu needs besides, as
// scripts/with-terraform.sh does.
func setUpTerraformCLI() {
	// Terraform must not phone home; and a TF_CLI_CONFIG_FILE that names a
	// missing file only adds a warning to every command, which garbles the
	// `version -json` that terraform-plugin-testing reads.
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	path, err := findTerraformCLI()
	var version string
	if err == nil {
		version, err = cliVersion(path)
	}
	if err != nil {
		tfCLI.missing = err.Error()
		// With TF_ACC_TERRAFORM_PATH empty and nothing on PATH,
		// terraform-plugin-testing downloads Terraform from HashiCorp. Name
		// a CLI that does not exist instead: a test that forgets
		// testAccPreCheck then fails, saying so, and downloads nothing.
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", filepath.Join(os.TempDir(), "no-terraform-cli-run-make-test", "terraform"))
		return
	}
	tfCLI.path = path
	_ = os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	// OpenTofu reads a provider block without a source address as
	// registry.opentofu.org/hashicorp/<name>; terraform-plugin-testing must
	// serve the in-process provider under that address.
	if strings.HasPrefix(version, "OpenTofu") {
		for k, v := range map[string]string{"TF_ACC_PROVIDER_HOST": "registry.opentofu.org", "TF_ACC_PROVIDER_NAMESPACE": "hashicorp"} {
			if os.Getenv(k) == "" {
				_ = os.Setenv(k, v)
			}
		}
	}
}

// findTerraformCLI returns the absolute path of the CLI, or why there is
// none.
func findTerraformCLI() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if !isExecutableFile(p) {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s is not an executable file", p)
		}
		return filepath.Abs(p)
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return filepath.Abs(p)
		}
	}
	// The test runs in internal/provider; the cache is at the root.
	tofu, err := filepath.Abs(filepath.Join("..", "..", ".tools", "bin", "tofu"))
	if err != nil {
		return "", err
	}
	if isExecutableFile(tofu) {
		return tofu, nil
	}
	return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH is unset, there is no terraform or tofu on PATH, and no OpenTofu at %s", tofu)
}

func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// cliVersion returns the first line of `path version`.
func cliVersion(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("%s version: %w", path, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return first, nil
}

// testAccPreCheck skips the test when there is no Terraform-compatible CLI
// to run it with. Every TestCase has it as PreCheck, which
// terraform-plugin-testing runs before it looks for a CLI itself.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	terraformCLI(t)
}

// testAccProviders serves the provider in-process to the Terraform CLI,
// through the same protocol server as main.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"hwtasks": NewProtocol6Server("test"),
}

// testCloud is a fresh emulator of the cloud for one test, on 127.0.0.1:0,
// so that tests run in parallel and share nothing.
type testCloud struct {
	*emulator.Emulator
	URL   string
	Creds emulator.Credentials
}

// newTestCloud starts an emulator holding the default fixtures (the seed
// documents' examples) and stops it when the test ends.
func newTestCloud(t *testing.T) *testCloud {
	t.Helper()
	return newTestCloudBehind(t, nil)
}

// newTestCloudBehind is newTestCloud with front, when not nil, in front of
// the emulator: it gets the emulator's handler and returns the one served,
// to watch or change what passes.
func newTestCloudBehind(t *testing.T, front func(emu http.Handler) http.Handler) *testCloud {
	t.Helper()
	return newTestCloudWith(t, nil, front)
}

// newTestCloudWith is newTestCloudBehind with the emulator's configuration
// changed by mutate, when not nil.
func newTestCloudWith(t *testing.T, mutate func(*emulator.Config), front func(emu http.Handler) http.Handler) *testCloud {
	t.Helper()
	cfg := emulator.DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	emu := emulator.New(cfg)
	var h http.Handler = emu
	if front != nil {
		h = front(emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if err := emu.LoadFixtures(strings.NewReader(string(emulator.DefaultFixtures()))); err != nil {
		t.Fatal(err)
	}
	c := &testCloud{Emulator: emu, URL: srv.URL, Creds: cfg.Credentials}
	// With -v, each test says how many requests it made, per route.
	t.Cleanup(func() { t.Logf("emulator requests: %s", c.counts()) })
	return c
}

// The seed instances and tasks in the default fixtures.
const (
	seedInstance  = "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01"
	seedTask      = "ff80808272dcc90f0172df1e490f41b0"
	seedInstance2 = "c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90"
	seedJob       = "31b8ae23-c687-4d80-b7b4-42a66c9bb886"
	// The completed job of each other database service, and the DCS
	// instance.
	seedRDSJob       = "dff1d289-4d03-4942-8b9f-463ea07c000d"
	seedOpenGaussJob = "04efe8e2-9255-44ae-a98b-d87cae411890"
	seedDDSJob       = "c010abd0-48cf-4fa8-8cbc-090f093eaa2f"
	seedGeminiDBJob  = "3f5a7c9e-0b2d-4e6f-8a1c-3e5f7a9c1b2d"
	seedDCSInstance  = "5b8f2a91-7c3e-4d6a-9f1b-2e4c6a8d0b13"
	seedECSJob       = "2c9eb2c5544cbf6101544f0602af2b4f"
	seedEVSJob       = "21917a8d52a19b040152a9f2f1eb003e"
	seedIMSJob       = "9a175ac79d2a54ad019d4c35cf71260b"
	seedCCEJob       = "354331b2c-229a-11e8-9c75-0255ac100ceb"
)

// authKind selects the credentials of a provider block.
type authKind int

const (
	authAKSK authKind = iota
	authTemporaryAKSK
	authToken
	authPassword
)

func (k authKind) String() string {
	return [...]string{"aksk", "temporary_aksk", "token", "password"}[k]
}

// providerConfig returns a provider block with every endpoint on the
// emulator, the given credentials, and extra lines (such as a project_id).
func (c *testCloud) providerConfig(auth authKind, extra ...string) string {
	var creds string
	switch auth {
	case authAKSK:
		creds = fmt.Sprintf("access_key = %q\n  secret_key = %q", c.Creds.AccessKey, c.Creds.SecretKey)
	case authTemporaryAKSK:
		creds = fmt.Sprintf("access_key = %q\n  secret_key = %q\n  security_token = %q", c.Creds.TempAccessKey, c.Creds.TempSecretKey, c.Creds.SecurityToken)
	case authToken:
		creds = fmt.Sprintf("token = %q", c.IssueToken(emulator.DefaultProjectID))
	case authPassword:
		creds = fmt.Sprintf("user_name = %q\n  password = %q\n  domain_name = %q", c.Creds.UserName, c.Creds.Password, c.Creds.DomainName)
	}
	return fmt.Sprintf(`
provider "hwtasks" {
  region = %q
  %s
  %s
  %s
}
`, emulator.DefaultRegion, creds, strings.Join(extra, "\n  "), emulatorEndpointsHCL(c.URL))
}

// emulatorEndpoints maps every endpoint key to the emulator at url, with
// the path prefix of the services it serves under one.
func emulatorEndpoints(url string) map[string]string {
	m := map[string]string{}
	for _, k := range client.EndpointKeys {
		if slices.Contains(emulator.Services(), k) {
			m[k] = url + emulator.ServicePrefix(k)
		}
	}
	return m
}

// emulatorEndpointsHCL is emulatorEndpoints as a provider argument.
func emulatorEndpointsHCL(url string) string {
	var b strings.Builder
	b.WriteString("endpoints = {\n")
	m := emulatorEndpoints(url)
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "    %-9s = %q\n", k, m[k])
	}
	b.WriteString("  }")
	return b.String()
}

// planError is a pattern for ExpectError: the error diagnostic that
// Terraform prints for the attribute of data source dataSource.test whose
// configuration line is attrLine, with summary, and a detail that matches
// detail (a pattern; wrapped(text) for a text) up to its end: the end of
// the output, or the next diagnostic.
func planError(dataSource, summary, attrLine, detail string) string {
	ds := regexp.QuoteMeta(dataSource)
	return `(?s)Error: ` + regexp.QuoteMeta(summary) + `\n\s*\n\s+with data\.` + ds + `\.test,\n` +
		`\s+on \S+ line \d+, in data "` + ds + `" "test":\n\s+\d+:\s+` + regexp.QuoteMeta(attrLine) + `\n\s*\n\s*` +
		detail + `(?:\s*\z|\s*\n(?:Error|Warning): )`
}

// counts renders the emulator's counters for test logs and failures.
func (c *testCloud) counts() string {
	return formatCounts(c.Counts())
}

// formatCounts renders request counts per route, in route order.
func formatCounts(counts map[emulator.Route]int) string {
	parts := []string{}
	for _, r := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s=%d", r, counts[r]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// requireCounts fails the test unless the emulator's request counts are
// exactly want: a route missing from want must not have been reached, and
// every route in want must have been reached exactly so often.
func requireCounts(t *testing.T, c *testCloud, want map[emulator.Route]int) {
	t.Helper()
	if err := countsAre(c, want); err != nil {
		t.Error(err)
	}
}

// countsAre is requireCounts for a TestStep's Check.
func countsAre(c *testCloud, want map[emulator.Route]int) error {
	got := c.Counts()
	maps.DeleteFunc(got, func(_ emulator.Route, n int) bool { return n == 0 })
	want = maps.Clone(want)
	maps.DeleteFunc(want, func(_ emulator.Route, n int) bool { return n == 0 })
	if !maps.Equal(got, want) {
		return fmt.Errorf("requests per route: got %s, want %s", formatCounts(got), formatCounts(want))
	}
	return nil
}
