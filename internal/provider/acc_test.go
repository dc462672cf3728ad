package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// TestMain keeps the developer's own HW_*/OS_* settings away from the
// offline tests, which configure the provider explicitly. Live tests
// (make testacc-live sets HW_LIVE=1) need them, and keep them.
func TestMain(m *testing.M) {
	if os.Getenv("HW_LIVE") == "" {
		for _, vars := range envVars {
			for _, v := range vars {
				_ = os.Unsetenv(v)
			}
		}
	}
	code := m.Run()
	if builtProvider.dir != "" {
		_ = os.RemoveAll(builtProvider.dir)
	}
	os.Exit(code)
}

// testAccProviders serves the provider in-process to the Terraform CLI.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"hwtasks": providerserver.NewProtocol6WithError(New("test")()),
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
	cfg := emulator.DefaultConfig()
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
  endpoints = {
    iam     = %q
    dms     = %q
    gaussdb = %q
  }
}
`, emulator.DefaultRegion, creds, strings.Join(extra, "\n  "), c.URL, c.URL, c.URL)
}

// counts renders the emulator's counters for test logs and failures.
func (c *testCloud) counts() string {
	counts := c.Counts()
	var parts []string
	for _, r := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s=%d", r, counts[r]))
	}
	return strings.Join(parts, " ")
}
