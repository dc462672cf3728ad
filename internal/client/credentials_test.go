package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

func TestKeysFresh(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		k    Keys
		at   time.Duration // after t0
		want bool
	}{
		{"permanent keys never age", Keys{AccessKey: "a"}, 1000 * time.Hour, true},
		{"an hour's keys: used until 5 minutes before", Keys{obtained: t0, Expires: t0.Add(time.Hour)}, 54*time.Minute + 59*time.Second, true},
		{"an hour's keys: renewed at 5 minutes before", Keys{obtained: t0, Expires: t0.Add(time.Hour)}, 55 * time.Minute, false},
		{"4 s keys: used for the first half", Keys{obtained: t0, Expires: t0.Add(4 * time.Second)}, 1999 * time.Millisecond, true},
		{"4 s keys: renewed at half", Keys{obtained: t0, Expires: t0.Add(4 * time.Second)}, 2 * time.Second, false},
		{"keys dated in the past are never fresh", Keys{obtained: t0, Expires: t0.Add(-time.Hour)}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.k.fresh(t0.Add(tc.at)); got != tc.want {
				t.Fatalf("fresh = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChooseAuthWithAgencyAndMetadata(t *testing.T) {
	agency := &AssumeRole{AgencyName: "reader", DomainName: "acme"}
	cases := []struct {
		name    string
		cfg     Config
		want    AuthMethod
		wantErr string
	}{
		{"metadata when nothing else", Config{Metadata: true}, AuthMetadata, ""},
		{"configured keys win over metadata", Config{Metadata: true, AccessKey: "a", SecretKey: "s"}, AuthAKSK, ""},
		{"agency over AK/SK", Config{AccessKey: "a", SecretKey: "s", AssumeRole: agency}, AuthAKSK, ""},
		{"agency over metadata", Config{Metadata: true, AssumeRole: agency}, AuthMetadata, ""},
		{"agency over a token", Config{Token: "t", AssumeRole: agency}, 0, "but the credentials are token ones"},
		{"agency over a password", Config{UserName: "u", Password: "p", DomainName: "d", AssumeRole: agency}, 0, "the credentials are password ones"},
		{"agency without a name", Config{AccessKey: "a", SecretKey: "s", AssumeRole: &AssumeRole{DomainName: "acme"}}, 0, "needs agency_name"},
		{"agency without a domain", Config{AccessKey: "a", SecretKey: "s", AssumeRole: &AssumeRole{AgencyName: "reader"}}, 0, "needs domain_name or domain_id"},
		{"duration too short", Config{AccessKey: "a", SecretKey: "s", AssumeRole: &AssumeRole{AgencyName: "r", DomainID: "d", Duration: 899 * time.Second}}, 0, "from 900 to 86400 seconds, got 899"},
		{"duration too long", Config{AccessKey: "a", SecretKey: "s", AssumeRole: &AssumeRole{AgencyName: "r", DomainID: "d", Duration: 86401 * time.Second}}, 0, "got 86401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseAuth(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func writeProfileFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const profileFile = `{"current":"ops","profiles":[
 {"name":"ops","mode":"AKSK","accessKeyId":"OPSAK","secretAccessKey":"OPSSECRETKEY","region":"eu-de","projectId":"p-ops","domainId":"d-ops"},
 {"name":"temp","mode":"AKSK","accessKeyId":"TMPAK","secretAccessKey":"TMPSECRET","securityToken":"TMPSTS","agencyName":"reader","agencyDomainName":"acme"},
 {"name":"sso","mode":"SSO","accessKeyId":"IGNORED","ssoAuth":{"stsToken":{"accessKeyId":"SSOAK","secretAccessKey":"SSOSECRET","securityToken":"SSOSTS"}}},
 {"name":"sso-empty","mode":"SSO"},
 {"name":"nokeys","mode":"AKSK","accessKeyId":"ONLYAK","region":"eu-de"}
]}`

func TestLoadProfile(t *testing.T) {
	file := writeProfileFile(t, profileFile)
	cases := []struct {
		name    string
		profile string
		want    Profile
	}{
		{"current", "", Profile{Name: "ops", Mode: "AKSK", AccessKey: "OPSAK", SecretKey: "OPSSECRETKEY", Region: "eu-de", ProjectID: "p-ops", DomainID: "d-ops"}},
		{"named, temporary, with agency", "temp", Profile{Name: "temp", Mode: "AKSK", AccessKey: "TMPAK", SecretKey: "TMPSECRET", SecurityToken: "TMPSTS", AgencyName: "reader", AgencyDomainName: "acme"}},
		{"SSO takes ssoAuth.stsToken", "sso", Profile{Name: "sso", Mode: "SSO", AccessKey: "SSOAK", SecretKey: "SSOSECRET", SecurityToken: "SSOSTS"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadProfile(file, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLoadProfileErrors(t *testing.T) {
	file := writeProfileFile(t, profileFile)
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.MkdirAll(filepath.Join(home, ".hcloud"), 0o700); err != nil {
		t.Fatal(err)
	}
	big := writeProfileFile(t, `{"profiles":[`+strings.Repeat(" ", MaxSharedConfigBytes)+`]}`)
	cases := []struct {
		name, path, profile string
		wantProfile         string
		fragments           []string
	}{
		{"missing file", filepath.Join(home, "nope.json"), "", "", []string{"Shared config file not found", "nope.json does not exist", "hcloud configure init"}},
		{"home-relative missing file", "~/.hcloud/config.json", "", "", []string{filepath.Join(home, ".hcloud", "config.json") + " does not exist"}},
		{"a directory", filepath.Join(home, ".hcloud"), "", "", []string{"is a directory, not a regular file"}},
		{"too large", big, "", "", []string{"larger than 1 MiB"}},
		{"invalid JSON", writeProfileFile(t, "{\"current\":\"a\",\n \"profiles\": [{\"name\":\"a\",\"secretAccessKey\":\"SECRETINBADJSON\"}\n"), "", "", []string{"not valid JSON: a syntax error at line 3"}},
		{"wrong type", writeProfileFile(t, `{"current":"a","profiles":{"name":"a"}}`), "", "", []string{`"profiles" has object where slice was expected at line 1`}},
		{"missing profile", file, "prod", "prod", []string{`has no profile "prod"`, `"ops", "temp", "sso", "sso-empty", "nokeys"`}},
		{"missing current profile", writeProfileFile(t, `{"current":"gone","profiles":[{"name":"a","accessKeyId":"A","secretAccessKey":"S"}]}`), "", "gone", []string{`has no profile "gone"`, "Its current profile is missing"}},
		{"no current", writeProfileFile(t, `{"profiles":[]}`), "", "", []string{"names no current profile", "it has none"}},
		{"profile without a secret key", file, "nokeys", "nokeys", []string{`Profile "nokeys"`, "has no secretAccessKey"}},
		{"SSO without stsToken", file, "sso-empty", "sso-empty", []string{"SSO mode but has no ssoAuth.stsToken"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadProfile(tc.path, tc.profile)
			var se *SharedConfigError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *SharedConfigError", err, err)
			}
			if se.Profile != tc.wantProfile {
				t.Errorf("Profile = %q, want %q", se.Profile, tc.wantProfile)
			}
			for _, f := range tc.fragments {
				if !strings.Contains(se.Summary+" "+se.Detail, f) {
					t.Errorf("%q / %q lacks %q", se.Summary, se.Detail, f)
				}
			}
			for _, secret := range []string{"OPSSECRETKEY", "ONLYAK", "SECRETINBADJSON", "TMPSECRET"} {
				if strings.Contains(se.Detail, secret) {
					t.Errorf("detail shows a key: %s", se.Detail)
				}
			}
		})
	}
}

// metadataServer imitates the ECS metadata service: tokens per mode, keys
// that live ttl.
type metadataServer struct {
	mode   string // "optional", "required", "unsupported"
	ttl    time.Duration
	now    func() time.Time
	puts   atomic.Int32
	gets   atomic.Int32
	mu     sync.Mutex
	tokens map[string]bool
	issued int
	// getStatus, when set, answers every GET with it.
	getStatus int
	body      string // replaces the GET's answer when set
	lastToken string
}

func (m *metadataServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
		m.puts.Add(1)
		if m.mode == "unsupported" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Metadata-Token-Ttl-Seconds") != "21600" {
			http.Error(w, "bad ttl", http.StatusBadRequest)
			return
		}
		tok := fmt.Sprintf("mdtoken-%d-secret", m.puts.Load())
		m.tokens[tok] = true
		_, _ = io.WriteString(w, tok)
	case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey":
		m.gets.Add(1)
		tok := r.Header.Get("X-Metadata-Token")
		m.lastToken = tok
		if m.getStatus != 0 {
			w.WriteHeader(m.getStatus)
			_, _ = io.WriteString(w, m.body)
			return
		}
		if (tok != "" && !m.tokens[tok]) || (tok == "" && m.mode == "required") {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if m.body != "" {
			_, _ = io.WriteString(w, m.body)
			return
		}
		m.issued++
		writeJSON(w, http.StatusOK, map[string]any{"credential": map[string]string{
			"access": fmt.Sprintf("MDAK%02d", m.issued), "secret": fmt.Sprintf("mdsecret-%02d", m.issued),
			"securitytoken": fmt.Sprintf("mdsts-%02d", m.issued), "expires_at": m.now().Add(m.ttl).UTC().Format("2006-01-02T15:04:05.000000Z"),
		}})
	default:
		http.Error(w, "no such route", http.StatusNotFound)
	}
}

func newMetadataClient(t *testing.T, md *metadataServer, mutate func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(md)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv, func(cfg *Config) {
		cfg.AccessKey, cfg.SecretKey = "", ""
		cfg.Metadata, cfg.MetadataEndpoint = true, srv.URL
		if mutate != nil {
			mutate(cfg)
		}
	})
}

func TestMetadataKeys(t *testing.T) {
	for _, tc := range []struct {
		mode            string
		wantPuts        int32
		wantTokenHeader bool
	}{
		{"optional", 1, true},
		{"required", 1, true},
		{"unsupported", 1, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			md := &metadataServer{mode: tc.mode, ttl: time.Hour, now: time.Now, tokens: map[string]bool{}}
			c := newMetadataClient(t, md, nil)
			k, err := c.Keys(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if k.AccessKey != "MDAK01" || k.SecretKey != "mdsecret-01" || k.SecurityToken != "mdsts-01" || !k.temporary() {
				t.Fatalf("keys %+v", k)
			}
			// Fresh keys are reused: no second call.
			if _, err := c.Keys(context.Background()); err != nil {
				t.Fatal(err)
			}
			if md.puts.Load() != tc.wantPuts || md.gets.Load() != 1 {
				t.Fatalf("%d PUTs and %d GETs, want %d and 1", md.puts.Load(), md.gets.Load(), tc.wantPuts)
			}
			if (md.lastToken != "") != tc.wantTokenHeader {
				t.Fatalf("GET sent token %q, want one: %v", md.lastToken, tc.wantTokenHeader)
			}
		})
	}
}

func TestMetadataKeysRenewedBeforeExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	md := &metadataServer{mode: "optional", ttl: time.Hour, now: clock, tokens: map[string]bool{}}
	c := newMetadataClient(t, md, func(cfg *Config) { cfg.Now = clock })
	first, err := c.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(55 * time.Minute)
	mu.Unlock()
	second, err := c.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first.AccessKey == second.AccessKey || md.gets.Load() != 2 || md.puts.Load() != 1 {
		t.Fatalf("keys %s then %s after %d GETs and %d PUTs; want new keys, 2 GETs and the session token reused", first.AccessKey, second.AccessKey, md.gets.Load(), md.puts.Load())
	}
}

func TestMetadataNewTokenOnceOn401(t *testing.T) {
	md := &metadataServer{mode: "required", ttl: time.Hour, now: time.Now, tokens: map[string]bool{}}
	c := newMetadataClient(t, md, nil)
	if _, err := c.Keys(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The service forgets its tokens (a restart); the keys are renewed.
	md.mu.Lock()
	clear(md.tokens)
	md.mu.Unlock()
	c.dropKeys(Keys{AccessKey: "MDAK01"})
	k, err := c.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if k.AccessKey != "MDAK02" || md.puts.Load() != 2 || md.gets.Load() != 3 {
		t.Fatalf("keys %s after %d PUTs and %d GETs; want MDAK02, 2 and 3", k.AccessKey, md.puts.Load(), md.gets.Load())
	}
}

func TestMetadataFailures(t *testing.T) {
	cases := []struct {
		name      string
		md        *metadataServer
		fragments []string
	}{
		{"no agency attached", &metadataServer{getStatus: 404, body: `{"error":"Please configure Cloud Service Agency first"}`}, []string{"HTTP 404", "agency attached"}},
		{"server error", &metadataServer{getStatus: 500, body: "boom"}, []string{"HTTP 500: boom"}},
		{"garbage", &metadataServer{body: "<html>"}, []string{"not valid JSON"}},
		{"no secret", &metadataServer{body: `{"credential":{"access":"A","securitytoken":"T"}}`}, []string{"no credential.secret"}},
		{"an answer too large", &metadataServer{body: `{"credential":{"access":"` + strings.Repeat("A", 70<<10) + `"}}`}, []string{"larger than 64 KiB"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.md.mode, tc.md.now, tc.md.tokens, tc.md.ttl = "optional", time.Now, map[string]bool{}, time.Hour
			c := newMetadataClient(t, tc.md, nil)
			_, err := c.Keys(context.Background())
			var me *MetadataError
			if !errors.As(err, &me) {
				t.Fatalf("error %v (%T), want a *MetadataError", err, err)
			}
			for _, f := range tc.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("%q lacks %q", err, f)
				}
			}
		})
	}
}

func TestNoMetadataServiceFailsFast(t *testing.T) {
	// A port nobody listens on: refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c, err := New(Config{Region: testRegion, Metadata: true, MetadataEndpoint: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Keys(context.Background())
	var me *MetadataError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("error %v", err)
	}

	// A service that never answers: given up after metadataTimeout.
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	c, err = New(Config{Region: testRegion, Metadata: true, MetadataEndpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Keys(context.Background())
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "no answer within 3s") {
		t.Fatalf("error %v", err)
	}
}

// agencyServer answers IAM's domains and securitytokens calls and one DMS
// task list, and checks who signed each.
type agencyServer struct {
	t        *testing.T
	ttl      time.Duration
	now      func() time.Time
	mu       sync.Mutex
	domains  int
	assumes  []map[string]any
	issued   int
	valid    map[string]string // temporary AK → its security token
	refuse   bool              // answer 401 to the next task list
	listAuth []string          // the access key of each task list
}

func (s *agencyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	auth, err := signer.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		writeJSON(w, 401, map[string]string{"error_code": "APIGW.0301", "error_msg": "unsigned"})
		return
	}
	switch r.URL.Path {
	case "/v3/auth/domains", "/v3.0/OS-CREDENTIAL/securitytokens":
		if auth.AccessKey != testAK || verifySignature(r, body, testSK) != "" || r.Header.Get("X-Security-Token") != "" {
			s.t.Errorf("%s not signed with the base keys: %s", r.URL.Path, verifySignature(r, body, testSK))
		}
		if r.URL.Path == "/v3/auth/domains" {
			s.domains++
			writeJSON(w, 200, map[string]any{"domains": []map[string]any{{"id": "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf", "name": "me"}}})
			return
		}
		if got := r.Header.Get("X-Domain-Id"); got != "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf" {
			s.t.Errorf("X-Domain-Id = %q", got)
		}
		var b map[string]any
		_ = json.Unmarshal(body, &b)
		s.assumes = append(s.assumes, b)
		s.issued++
		ak := fmt.Sprintf("AGENCYAK%02d", s.issued)
		s.valid[ak] = fmt.Sprintf("agency-sts-%02d", s.issued)
		writeJSON(w, 201, map[string]any{"credential": map[string]string{
			"access": ak, "secret": "agency-secret-" + ak, "securitytoken": s.valid[ak],
			"expires_at": s.now().Add(s.ttl).UTC().Format("2006-01-02T15:04:05.000000Z"),
		}})
	default:
		s.listAuth = append(s.listAuth, auth.AccessKey)
		st, ok := s.valid[auth.AccessKey]
		if !ok || r.Header.Get("X-Security-Token") != st || verifySignature(r, body, "agency-secret-"+auth.AccessKey) != "" || s.refuse {
			s.refuse = false
			writeJSON(w, 401, map[string]string{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"})
			return
		}
		writeJSON(w, 200, map[string]any{"task_count": "0", "tasks": []any{}})
	}
}

func TestAssumeRole(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := &agencyServer{t: t, ttl: 15 * time.Minute, now: clock, valid: map[string]string{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.ProjectID = testProject
		cfg.Now = clock
		cfg.AssumeRole = &AssumeRole{AgencyName: "reader", DomainName: "acme", Duration: 3600 * time.Second}
	})
	ctx := context.Background()
	list := func() {
		t.Helper()
		if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "inst"}); err != nil {
			t.Fatal(err)
		}
	}
	list()
	list()
	mu.Lock()
	now = now.Add(10*time.Minute + time.Second) // within 5 minutes of expiry
	mu.Unlock()
	list()
	s.mu.Lock()
	s.refuse = true // keys revoked early: renewed once
	s.mu.Unlock()
	list()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.domains != 1 {
		t.Errorf("%d domain lookups, want 1", s.domains)
	}
	if len(s.assumes) != 3 {
		t.Fatalf("%d assume calls, want 3", len(s.assumes))
	}
	want := `{"auth":{"identity":{"assume_role":{"agency_name":"reader","domain_name":"acme","duration_seconds":3600},"methods":["assume_role"]}}}`
	if got, _ := json.Marshal(s.assumes[0]); string(got) != want {
		t.Errorf("body %s\nwant %s", got, want)
	}
	wantAuth := []string{"AGENCYAK01", "AGENCYAK01", "AGENCYAK02", "AGENCYAK02", "AGENCYAK03"}
	if strings.Join(s.listAuth, ",") != strings.Join(wantAuth, ",") {
		t.Errorf("task lists signed with %v, want %v", s.listAuth, wantAuth)
	}
}

func TestAssumeRoleBody(t *testing.T) {
	cases := []struct {
		name string
		a    AssumeRole
		want string
	}{
		{"domain ID wins, no duration", AssumeRole{AgencyName: "r", DomainName: "acme", DomainID: "d1"},
			`{"auth":{"identity":{"assume_role":{"agency_name":"r","domain_id":"d1"},"methods":["assume_role"]}}}`},
		{"domain name", AssumeRole{AgencyName: "r", DomainName: "acme", Duration: 900 * time.Second},
			`{"auth":{"identity":{"assume_role":{"agency_name":"r","domain_name":"acme","duration_seconds":900},"methods":["assume_role"]}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &agencyServer{t: t, ttl: time.Hour, now: time.Now, valid: map[string]string{}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := newTestClient(t, srv, func(cfg *Config) { cfg.AssumeRole = &tc.a })
			if _, err := c.Keys(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, _ := json.Marshal(s.assumes[0]); string(got) != tc.want {
				t.Errorf("body %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestAssumeRoleUsesTheConfiguredDomainID(t *testing.T) {
	s := &agencyServer{t: t, ttl: time.Hour, now: time.Now, valid: map[string]string{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.DomainID = "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
		cfg.AssumeRole = &AssumeRole{AgencyName: "r", DomainName: "acme"}
	})
	if _, err := c.Keys(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.domains != 0 || len(s.assumes) != 1 {
		t.Fatalf("%d domain lookups and %d assume calls, want 0 and 1", s.domains, len(s.assumes))
	}
}
