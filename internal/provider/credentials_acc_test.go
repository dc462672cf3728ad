package provider

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// These tests set environment variables, which the in-process provider
// reads, so none of them runs in parallel (t.Setenv forbids it). Parallel
// tests of the package wait until they are all done.

// wireRecord is what one request to a service route carried.
type wireRecord struct {
	route         string // "job", "iam", "metadata"
	accessKey     string // of the signature, "" when unsigned
	securityToken bool
	authToken     bool
	status        int
}

// credCloud is an emulator that records who signed each request.
type credCloud struct {
	*testCloud
	mu      sync.Mutex
	records []wireRecord
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func newCredCloud(t *testing.T, mutate func(*emulator.Config)) *credCloud {
	t.Helper()
	c := &credCloud{}
	c.testCloud = newTestCloudWith(t, mutate, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := wireRecord{route: "iam", securityToken: r.Header.Get("X-Security-Token") != "", authToken: r.Header.Get("X-Auth-Token") != ""}
			switch {
			case strings.HasSuffix(r.URL.Path, "/jobs"):
				rec.route = "job"
			case strings.HasPrefix(r.URL.Path, "/meta-data/") || strings.HasPrefix(r.URL.Path, "/openstack/"):
				rec.route = "metadata"
			}
			if a, err := signer.ParseAuthorization(r.Header.Get("Authorization")); err == nil {
				rec.accessKey = a.AccessKey
			}
			sw := &statusRecorder{ResponseWriter: w}
			emu.ServeHTTP(sw, r)
			rec.status = sw.status
			c.mu.Lock()
			c.records = append(c.records, rec)
			c.mu.Unlock()
		})
	})
	return c
}

// jobRequests returns the records of the job reads.
func (c *credCloud) jobRequests() []wireRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(c.records), func(r wireRecord) bool { return r.route != "job" })
}

// jobsSignedWith checks that every job read was answered 200 and was
// made with the credentials want describes: "base" (the emulator's
// permanent AK/SK, no security token), "static-temporary" (its fixed
// temporary keys), "issued" (keys the emulator issued, with their security
// token), or "token".
func (c *credCloud) jobsSignedWith(want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		reqs := c.jobRequests()
		if len(reqs) == 0 {
			return fmt.Errorf("no job was read")
		}
		for i, r := range reqs {
			var ok bool
			switch want {
			case "base":
				ok = r.accessKey == c.Creds.AccessKey && !r.securityToken && !r.authToken
			case "static-temporary":
				ok = r.accessKey == c.Creds.TempAccessKey && r.securityToken && !r.authToken
			case "issued":
				ok = r.accessKey != "" && r.accessKey != c.Creds.AccessKey && r.accessKey != c.Creds.TempAccessKey && r.securityToken && !r.authToken
			case "token":
				ok = r.accessKey == "" && r.authToken
			}
			if !ok || r.status != http.StatusOK {
				return fmt.Errorf("job read %d of %d: %+v; want %s credentials and 200 (base key %s, static temporary key %s)",
					i+1, len(reqs), r, want, c.Creds.AccessKey, c.Creds.TempAccessKey)
			}
		}
		return nil
	}
}

// routesReached checks that each route of reached was reached, and that
// no route of never was.
func (c *credCloud) routesReached(reached []emulator.Route, never []emulator.Route) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range reached {
			if c.Count(r) == 0 {
				return fmt.Errorf("route %s was never reached: %s", r, c.counts())
			}
		}
		for _, r := range never {
			if n := c.Count(r); n != 0 {
				return fmt.Errorf("route %s was reached %d times, want none: %s", r, n, c.counts())
			}
		}
		return nil
	}
}

// credConfig is a provider block with every endpoint on the emulator and
// body, and a read of the seed job.
func (c *credCloud) credConfig(body string) string {
	return fmt.Sprintf(`
provider "hwtasks" {
  region = %q
  %s
  %s
}

data "hwtasks_gaussdb_job" "test" {
  id = %q
}
`, emulator.DefaultRegion, emulatorEndpointsHCL(c.URL), body, seedJob)
}

func seedJobRead() []statecheck.StateCheck {
	return []statecheck.StateCheck{jobValue("status", knownvalue.StringExact("Completed"))}
}

// reset forgets the requests seen so far.
func (c *credCloud) reset() {
	c.mu.Lock()
	c.records = nil
	c.mu.Unlock()
	c.ResetCounts()
}

// run runs one plan-and-apply of config and its checks, on requests from
// now on.
func (c *credCloud) run(t *testing.T, config string, checks ...resource.TestCheckFunc) {
	t.Helper()
	c.reset()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: seedJobRead(),
			Check:             resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

// runCredError runs a plan of config that must fail with want.
func runCredError(t *testing.T, config string, want *regexp.Regexp) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: config, ExpectError: want}},
	})
}

// writeSharedConfig writes a KooCLI config file whose profiles hold the
// emulator's credentials: "perm" its permanent AK/SK, "temp" its temporary
// keys with their security token, "sso" the temporary keys under
// ssoAuth.stsToken, "agency" the permanent keys with the default agency,
// and "wrong" keys the emulator does not know. current is "perm".
func writeSharedConfig(t *testing.T, dir string, c *testCloud) string {
	t.Helper()
	cr := c.Creds
	body := fmt.Sprintf(`{"current":"perm","profiles":[
 {"name":"perm","mode":"AKSK","accessKeyId":%q,"secretAccessKey":%q,"region":%q},
 {"name":"temp","mode":"AKSK","accessKeyId":%q,"secretAccessKey":%q,"securityToken":%q},
 {"name":"sso","mode":"SSO","ssoAuth":{"stsToken":{"accessKeyId":%q,"secretAccessKey":%q,"securityToken":%q}}},
 {"name":"agency","mode":"AKSK","accessKeyId":%q,"secretAccessKey":%q,"agencyName":%q,"agencyDomainName":%q},
 {"name":"wrong","mode":"AKSK","accessKeyId":"WRONGPROFILEAK","secretAccessKey":"wrongProfileSecret"}
]}`, cr.AccessKey, cr.SecretKey, emulator.DefaultRegion,
		cr.TempAccessKey, cr.TempSecretKey, cr.SecurityToken,
		cr.TempAccessKey, cr.TempSecretKey, cr.SecurityToken,
		cr.AccessKey, cr.SecretKey, emulator.DefaultAgencyName, emulator.DefaultAgencyDomainName)
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAccCredentials_sharedConfigProfiles(t *testing.T) {
	c := newCredCloud(t, nil)
	file := writeSharedConfig(t, t.TempDir(), c.testCloud)
	for _, tc := range []struct {
		profile, want string
	}{
		{"perm", "base"},
		{"temp", "static-temporary"},
		{"sso", "static-temporary"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			c.run(t, c.credConfig(fmt.Sprintf("shared_config_file = %q\n  profile = %q", file, tc.profile)), c.jobsSignedWith(tc.want))
		})
	}

	t.Run("the current profile of ~/.hcloud/config.json, chosen by HW_PROFILE", func(t *testing.T) {
		home := t.TempDir()
		if err := os.MkdirAll(filepath.Join(home, ".hcloud"), 0o700); err != nil {
			t.Fatal(err)
		}
		writeSharedConfig(t, filepath.Join(home, ".hcloud"), c.testCloud)
		t.Setenv("HOME", home)
		t.Setenv("HW_PROFILE", "temp")
		c.run(t, c.credConfig(""), c.jobsSignedWith("static-temporary"))
	})

	t.Run("HW_SHARED_CONFIG_FILE alone takes the current profile", func(t *testing.T) {
		t.Setenv("HW_SHARED_CONFIG_FILE", file)
		c.run(t, c.credConfig(""), c.jobsSignedWith("base"))
	})

	t.Run("a missing profile points at profile", func(t *testing.T) {
		runCredError(t, c.credConfig(fmt.Sprintf("shared_config_file = %q\n  profile = \"prod\"", file)),
			regexp.MustCompile(`(?s)Error: Profile not found.*`+wrapped(`has no profile "prod". Set profile (HW_PROFILE) to one of its profiles: "perm", "temp", "sso", "agency", "wrong".`)))
	})

	t.Run("a missing file points at shared_config_file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.json")
		runCredError(t, c.credConfig(fmt.Sprintf("shared_config_file = %q", missing)),
			regexp.MustCompile(`(?s)Error: Shared config file not found.*shared_config_file.*`+wrapped(`does not exist. Create it with `)))
	})
}

func TestAccCredentials_assumeRole(t *testing.T) {
	c := newCredCloud(t, nil)
	base := fmt.Sprintf("access_key = %q\n  secret_key = %q", c.Creds.AccessKey, c.Creds.SecretKey)
	agencyRoutes := c.routesReached([]emulator.Route{emulator.RouteDomains, emulator.RouteSecurityTokens}, []emulator.Route{emulator.RouteMetadataSecurityKey})

	t.Run("from the block", func(t *testing.T) {
		c.run(t, c.credConfig(base+fmt.Sprintf(`
  assume_role {
    agency_name = %q
    domain_name = %q
    duration    = 3600
  }`, emulator.DefaultAgencyName, emulator.DefaultAgencyDomainName)), c.jobsSignedWith("issued"), agencyRoutes)
	})

	t.Run("from the environment, by HW_ASSUME_ROLE_AGENCY_NAME alone", func(t *testing.T) {
		t.Setenv("HW_ASSUME_ROLE_AGENCY_NAME", emulator.DefaultAgencyName)
		t.Setenv("HW_ASSUME_ROLE_DOMAIN_ID", emulator.DefaultAgencyDomainID)
		c.run(t, c.credConfig(base), c.jobsSignedWith("issued"), agencyRoutes)
	})

	t.Run("from a profile", func(t *testing.T) {
		file := writeSharedConfig(t, t.TempDir(), c.testCloud)
		c.run(t, c.credConfig(fmt.Sprintf("shared_config_file = %q\n  profile = \"agency\"", file)), c.jobsSignedWith("issued"), agencyRoutes)
	})

	t.Run("an unknown agency points at assume_role", func(t *testing.T) {
		runCredError(t, c.credConfig(base+fmt.Sprintf(`
  assume_role {
    agency_name = "nobody"
    domain_name = %q
  }`, emulator.DefaultAgencyDomainName)),
			regexp.MustCompile(`(?s)Error: Cannot assume agency "nobody".*`+
				wrapped(`Could not obtain the temporary keys of agency "nobody" of domain "`+emulator.DefaultAgencyDomainName+`": POST /v3.0/OS-CREDENTIAL/securitytokens: 403 IAM.0002`)+
				`.*`+wrapped(`or it does not exist. Check agency_name, and domain_name or domain_id`)))
	})

	t.Run("over a token is an error", func(t *testing.T) {
		runCredError(t, c.credConfig(fmt.Sprintf(`token = %q
  assume_role {
    agency_name = %q
    domain_name = %q
  }`, c.IssueToken(emulator.DefaultProjectID), emulator.DefaultAgencyName, emulator.DefaultAgencyDomainName)),
			regexp.MustCompile(`(?s)Error: assume_role needs AK/SK credentials.*`+wrapped(`but the credentials are token ones.`)))
	})

	t.Run("a duration out of range fails the plan", func(t *testing.T) {
		runCredError(t, c.credConfig(base+fmt.Sprintf(`
  assume_role {
    agency_name = %q
    domain_name = %q
    duration    = 600
  }`, emulator.DefaultAgencyName, emulator.DefaultAgencyDomainName)),
			regexp.MustCompile(`(?s)Attribute assume_role.duration value must be between 900 and 86400, got: 600`))
	})
}

func TestAccCredentials_metadata(t *testing.T) {
	for _, tc := range []struct {
		mode  emulator.MetadataTokenMode
		token bool
	}{
		{emulator.MetadataTokensOptional, true},
		{emulator.MetadataTokensRequired, true},
		{emulator.MetadataTokensUnsupported, false},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			c := newCredCloud(t, func(cfg *emulator.Config) { cfg.MetadataTokens = tc.mode })
			t.Setenv("HW_METADATA_ENDPOINT", c.URL)
			c.run(t, c.credConfig(""), c.jobsSignedWith("issued"),
				c.routesReached([]emulator.Route{emulator.RouteMetadataToken, emulator.RouteMetadataSecurityKey}, []emulator.Route{emulator.RouteSecurityTokens}),
				func(*terraform.State) error {
					// Each provider configuration asked for a session token
					// once, and for keys once.
					if tok, keys := c.Count(emulator.RouteMetadataToken), c.Count(emulator.RouteMetadataSecurityKey); tok != keys {
						return fmt.Errorf("%d token requests for %d key requests, want as many", tok, keys)
					}
					return nil
				})
		})
	}

	t.Run("with an agency on top", func(t *testing.T) {
		c := newCredCloud(t, nil)
		t.Setenv("HW_METADATA_ENDPOINT", c.URL)
		t.Setenv("HW_ASSUME_ROLE_AGENCY_NAME", emulator.DefaultAgencyName)
		t.Setenv("HW_ASSUME_ROLE_DOMAIN_NAME", emulator.DefaultAgencyDomainName)
		c.run(t, c.credConfig(""), c.jobsSignedWith("issued"),
			c.routesReached([]emulator.Route{emulator.RouteMetadataSecurityKey, emulator.RouteSecurityTokens}, nil))
	})

	t.Run("no credentials anywhere lists every source", func(t *testing.T) {
		c := newCredCloud(t, nil)
		// A port nobody listens on: the metadata service is missing.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		t.Setenv("HW_METADATA_ENDPOINT", "http://"+addr)
		runCredError(t, c.credConfig(""), regexp.MustCompile(`(?s)Error: No credentials.*`+
			wrapped(`1. the provider block: none of`)+`.*`+wrapped(`2. the environment: none of HW_AUTH_TOKEN`)+`.*`+
			wrapped(`3. the shared config file: not read`)+`.*`+wrapped(`4. ECS metadata: ECS metadata at http://`+addr+`: unreachable`)))
	})
}

// TestAccCredentials_renewedDuringAWait waits on a job for longer than the
// temporary keys live, with keys from an agency and from ECS metadata: the
// keys are renewed on the way, and no request is refused.
func TestAccCredentials_renewedDuringAWait(t *testing.T) {
	const ttl = 2 * time.Second
	for _, source := range []string{"agency", "metadata"} {
		t.Run(source, func(t *testing.T) {
			c := newCredCloud(t, func(cfg *emulator.Config) { cfg.TemporaryKeyTTL = ttl })
			c.AddJob(emulator.DefaultProjectID, emulator.Job{ID: "job-long", Name: "ResizeGaussDBforMySQLInstance", Status: "Running", Process: "0%"})
			steps := []emulator.JobStep{}
			for i := range 6 {
				steps = append(steps, emulator.JobStep{Status: "Running", Process: fmt.Sprintf("%d%%", i*15)})
			}
			c.ScriptJob("job-long", append(steps, emulator.JobStep{Status: "Completed"})...)
			var body string
			keyRoute := emulator.RouteSecurityTokens
			if source == "agency" {
				body = fmt.Sprintf("access_key = %q\n  secret_key = %q\n  assume_role {\n    agency_name = %q\n    domain_id = %q\n  }",
					c.Creds.AccessKey, c.Creds.SecretKey, emulator.DefaultAgencyName, emulator.DefaultAgencyDomainID)
			} else {
				t.Setenv("HW_METADATA_ENDPOINT", c.URL)
				keyRoute = emulator.RouteMetadataSecurityKey
			}
			config := strings.Replace(c.credConfig(body), fmt.Sprintf("id = %q", seedJob),
				"id                  = \"job-long\"\n  wait_for_completion = true\n  poll_interval       = \"1s\"", 1)
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:            config,
					ConfigStateChecks: []statecheck.StateCheck{jobValue("status", knownvalue.StringExact("Completed"))},
					Check: resource.ComposeAggregateTestCheckFunc(c.jobsSignedWith("issued"), func(*terraform.State) error {
						// The wait took 6 s or more, three lifetimes of the
						// keys: one set could not have served it.
						reqs := c.jobRequests()
						keys := map[string]bool{}
						for _, r := range reqs {
							keys[r.accessKey] = true
						}
						if len(keys) < 3 || c.Count(keyRoute) < 3 {
							return fmt.Errorf("%d job reads used %d distinct keys, and %s was asked %d times; want 3 or more of each", len(reqs), len(keys), keyRoute, c.Count(keyRoute))
						}
						return nil
					}),
				}},
			})
		})
	}
}

// TestAccCredentials_precedence runs one case for each pair of sources:
// the winner's credentials are valid and the loser's are not (or would
// change what is sent), so the read succeeds only if the winner supplied
// every credential.
func TestAccCredentials_precedence(t *testing.T) {
	c := newCredCloud(t, nil)
	file := writeSharedConfig(t, t.TempDir(), c.testCloud)
	blockKeys := fmt.Sprintf("access_key = %q\n  secret_key = %q", c.Creds.AccessKey, c.Creds.SecretKey)
	wrongEnv := map[string]string{"HW_ACCESS_KEY": "WRONGENVAK", "HW_SECRET_KEY": "wrongEnvSecret"}
	goodEnv := map[string]string{"HW_ACCESS_KEY": c.Creds.AccessKey, "HW_SECRET_KEY": c.Creds.SecretKey}
	wrongProfile := fmt.Sprintf("shared_config_file = %q\n  profile = \"wrong\"", file)
	noMetadata := []emulator.Route{emulator.RouteMetadataToken, emulator.RouteMetadataSecurityKey}

	cases := []struct {
		name  string
		env   map[string]string
		block string
		want  string
	}{
		{"block over environment", wrongEnv, blockKeys, "base"},
		{"block over a stale HW_AUTH_TOKEN", map[string]string{"HW_AUTH_TOKEN": "stale-token-from-yesterday"}, blockKeys, "base"},
		{"block over a stale HW_SECURITY_TOKEN", map[string]string{"HW_SECURITY_TOKEN": "stale-security-token"}, blockKeys, "base"},
		{"block over shared config", nil, blockKeys + "\n  " + wrongProfile, "base"},
		{"block over metadata", map[string]string{"HW_METADATA_ENDPOINT": c.URL}, blockKeys, "base"},
		{"environment over shared config", goodEnv, wrongProfile, "base"},
		{"environment over metadata", mergeEnv(goodEnv, map[string]string{"HW_METADATA_ENDPOINT": c.URL}), "", "base"},
		{"shared config over metadata", map[string]string{"HW_METADATA_ENDPOINT": c.URL}, fmt.Sprintf("shared_config_file = %q\n  profile = \"temp\"", file), "static-temporary"},
		{"a token in the block over AK/SK in the environment", wrongEnv, fmt.Sprintf("token = %q", c.IssueToken(emulator.DefaultProjectID)), "token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c.run(t, c.credConfig(tc.block), c.jobsSignedWith(tc.want), c.routesReached(nil, noMetadata))
		})
	}
}

func mergeEnv(a, b map[string]string) map[string]string {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}
