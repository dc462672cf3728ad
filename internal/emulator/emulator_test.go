package emulator

import (
	"bytes"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

func TestNewFillsDefaults(t *testing.T) {
	e := New(Config{Credentials: Credentials{AccessKey: "MYAK", SecretKey: "MYSK"}})
	cfg := e.Config()
	def := DefaultConfig()
	if cfg.Credentials.AccessKey != "MYAK" || cfg.Credentials.SecretKey != "MYSK" {
		t.Fatalf("given credentials replaced: %+v", cfg.Credentials)
	}
	want := def.Credentials
	want.AccessKey, want.SecretKey = "MYAK", "MYSK"
	if cfg.Credentials != want {
		t.Fatalf("credentials %+v, want the defaults for the empty fields", cfg.Credentials)
	}
	if !maps.Equal(cfg.Projects, def.Projects) || cfg.TokenTTL != 24*time.Hour || cfg.Now == nil {
		t.Fatalf("config %+v", cfg)
	}
	for _, id := range []string{DefaultProjectID, DomainID, DefaultAgencyDomainID} {
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
			t.Fatalf("ID %q is not 32 lower-case hex characters", id)
		}
	}
	wantAgencies := []Agency{{DomainName: DefaultAgencyDomainName, DomainID: DefaultAgencyDomainID, Name: DefaultAgencyName}}
	if !slices.Equal(cfg.Agencies, wantAgencies) || cfg.MetadataTokens != MetadataTokensOptional || cfg.TemporaryKeyTTL != 0 {
		t.Fatalf("agencies %+v, metadata tokens %q, TTL %v", cfg.Agencies, cfg.MetadataTokens, cfg.TemporaryKeyTTL)
	}
	// Config returns a copy: changing it changes nothing.
	cfg.Agencies[0].Name = "changed"
	if e.Config().Agencies[0].Name != DefaultAgencyName {
		t.Fatal("Config returned the emulator's own agencies")
	}
	given := []Agency{{DomainName: "d", DomainID: "i", Name: "a"}}
	if got := New(Config{Agencies: given}).Config().Agencies; !slices.Equal(got, given) {
		t.Fatalf("given agencies replaced: %+v", got)
	}
	// The defaults must be distinct, or a test could pass with the wrong one.
	c := def.Credentials
	seen := map[string]bool{}
	for _, v := range []string{c.AccessKey, c.SecretKey, c.TempAccessKey, c.TempSecretKey, c.SecurityToken, c.Password} {
		if seen[v] || len(v) < 20 {
			t.Fatalf("credential %q is repeated or too short to grep for", v)
		}
		seen[v] = true
	}
}

func TestRouting(t *testing.T) {
	e := newTestEmulator(t)
	e.AddInstance(DefaultProjectID, testInstance)
	cases := []struct {
		name, method, target string
		status               int
		code                 string
	}{
		{"unknown path", http.MethodGet, "/v1/whatever", http.StatusNotFound, "APIGW.0101"},
		{"root", http.MethodGet, "/", http.StatusNotFound, "APIGW.0101"},
		{"trailing slash", http.MethodGet, tasksPath + "/", http.StatusNotFound, "APIGW.0101"},
		{"empty segment", http.MethodGet, "/v2//instances/x/tasks", http.StatusNotFound, "APIGW.0101"},
		{"too deep", http.MethodGet, tasksPath + "/t/x", http.StatusNotFound, "APIGW.0101"},
		{"POST on a list", http.MethodPost, tasksPath, http.StatusMethodNotAllowed, "APIGW.0101"},
		{"GET on tokens", http.MethodGet, "/v3/auth/tokens", http.StatusMethodNotAllowed, "APIGW.0101"},
		{"DELETE on projects", http.MethodDelete, "/v3/projects", http.StatusMethodNotAllowed, "APIGW.0101"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			signAt(t, r, testNow)
			rec := serve(e, r)
			wantError(t, rec, tc.status, tc.code)
			if tc.status == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(rec.Header().Get("X-Request-Id")) {
				t.Fatalf("X-Request-Id %q", rec.Header().Get("X-Request-Id"))
			}
		})
	}
	t.Run("unknown path needs credentials too", func(t *testing.T) {
		wantError(t, serve(e, httptest.NewRequest(http.MethodGet, "/v1/whatever", nil)), http.StatusUnauthorized, "APIGW.0301")
	})
	t.Run("request IDs differ", func(t *testing.T) {
		a, b := get(t, e, "/v3/projects"), get(t, e, "/v3/projects")
		if a.Header().Get("X-Request-Id") == b.Header().Get("X-Request-Id") {
			t.Fatal("two responses share a request ID")
		}
		if a.Header().Get("X-IAM-Trace-Id") == "" {
			t.Fatal("no X-IAM-Trace-Id on IAM")
		}
		if get(t, e, tasksPath).Header().Get("X-IAM-Trace-Id") != "" {
			t.Fatal("X-IAM-Trace-Id on DMS")
		}
	})
	// Only the reads in "request IDs differ" reach a route; 404s and 405s
	// do not.
	if want := map[Route]int{RouteProjects: 2, RouteTaskList: 1}; !maps.Equal(e.Counts(), want) {
		t.Fatalf("counts %v, want %v", e.Counts(), want)
	}
}

func TestCounters(t *testing.T) {
	e := newTestEmulator(t)
	if err := e.LoadDefaultFixtures(); err != nil {
		t.Fatal(err)
	}
	e.AddInstance(DefaultProjectID, testInstance)
	e.InjectFault(RouteJob, Fault{Kind: FaultThrottle, Times: 1})
	c := defaultCredentials

	get(t, e, "/v3/projects?name="+DefaultRegion)
	serve(e, httptest.NewRequest(http.MethodGet, "/v3/projects", nil)) // 401 counts
	postToken(e, tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`))
	postToken(e, tokenBody(c.UserName, "wrong", c.DomainName, `{"name":"`+DefaultRegion+`"}`))
	for range 3 {
		get(t, e, tasksPath+"?limit=100")
	}
	get(t, e, tasksPath+"/nope")                             // 404 counts
	get(t, e, jobsPath+"?id="+seedJobID)                     // the fault counts
	get(t, e, jobsPath+"?id="+seedJobID)                     // and so does the normal answer
	serve(e, signedGet(t, "/v9/unknown"))                    // an unknown path reaches no route
	r := httptest.NewRequest(http.MethodPut, tasksPath, nil) // nor does a wrong method
	signAt(t, r, testNow)
	serve(e, r)

	// The credential routes count too, failures included.
	get(t, e, "/v3/auth/domains")
	serve(e, httptest.NewRequest(http.MethodGet, "/v3/auth/domains", nil))                                        // 401
	serve(e, permanentKeys.post(t, "/v3.0/OS-CREDENTIAL/securitytokens", `{"auth":{"identity":{"methods":[]}}}`)) // 400
	putMetadataToken(e, "")                                                                                       // 400
	putMetadataToken(e, "60")
	getSecurityKey(e, "")
	getSecurityKey(e, "unknown") // 401

	want := map[Route]int{RouteProjects: 2, RouteTokens: 2, RouteTaskList: 3, RouteTaskGet: 1, RouteJob: 2,
		RouteDomains: 2, RouteSecurityTokens: 1, RouteMetadataToken: 2, RouteMetadataSecurityKey: 2}
	if got := e.Counts(); !maps.Equal(got, want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for route, n := range want {
		if e.Count(route) != n {
			t.Fatalf("Count(%s) = %d, want %d", route, e.Count(route), n)
		}
	}
	got := e.Counts()
	got[RouteJob] = 100
	if e.Count(RouteJob) != 2 {
		t.Fatal("Counts returned the emulator's own map")
	}
	e.ResetCounts()
	if len(e.Counts()) != 0 || e.Count(RouteTaskList) != 0 {
		t.Fatalf("counts after reset %v", e.Counts())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogger(t *testing.T) {
	var buf syncBuffer
	e := New(Config{Now: func() time.Time { return testNow }, Logger: log.New(&buf, "", 0)})
	e.AddInstance(DefaultProjectID, testInstance)
	c := defaultCredentials
	get(t, e, tasksPath+"?limit=5", "X-Project-Id", DefaultProjectID)
	postToken(e, tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`))
	r := httptest.NewRequest(http.MethodGet, "/v3/projects", nil)
	r.Header.Set("X-Security-Token", c.SecurityToken)
	r.Header.Set("X-Auth-Token", "MIIsomething")
	serve(e, r)
	serve(e, signedGet(t, "/nowhere"))

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"GET " + tasksPath + "?limit=5 route=dms.tasks.list status=200 ",
		"POST /v3/auth/tokens route=iam.tokens status=201 ",
		"GET /v3/projects route=iam.projects status=401 ",
		"GET /nowhere route=- status=404 ",
	}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s", buf.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], "duration=") || !strings.Contains(lines[i], "request_id=") {
			t.Fatalf("line %d: %q, want it to start with %q", i, lines[i], w)
		}
	}
	wantNoSecrets(t, "log", buf.String())
	if strings.Contains(buf.String(), "MII") {
		t.Fatal("a token reached the log")
	}
}

// TestConcurrentUse is for -race: requests, data changes, faults and
// counters from many goroutines at once.
func TestConcurrentUse(t *testing.T) {
	e, srv := NewServer(Config{})
	defer srv.Close()
	e.AddInstance(DefaultProjectID, testInstance)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				id := fmt.Sprintf("t%d-%d", i, j)
				e.AddTasks(DefaultProjectID, testInstance, Task{ID: id, CreatedAt: time.Now()})
				e.ScriptTask(testInstance, id, "EXECUTING", "SUCCESS")
				e.AddJob(DefaultProjectID, Job{ID: id})
				e.AddServiceJob(JobServiceGeminiDB, DefaultProjectID, Job{ID: id, Created: "2026-01-01T00:00:00+0000"})
				e.ScriptServiceJob(JobServiceGeminiDB, id, JobStep{"Running", "50%"}, JobStep{"Completed", ""})
				e.AddDCSTasks(DefaultProjectID, "dcs-1", DCSTask{ID: id, CreatedAt: time.Now()})
				e.ScriptDCSTask("dcs-1", id, "EXECUTING", "SUCCESS")
				if s := fetchStatus(t, srv, "/dcs/v2/"+DefaultProjectID+"/instances/dcs-1/tasks?limit=1000"); s != http.StatusOK {
					t.Errorf("DCS status %d", s)
				}
				fetchStatus(t, srv, "/geminidb/v3/"+DefaultProjectID+"/jobs")
				_ = e.Jobs()
				_ = e.Instances()
				e.InjectFault(RouteTaskGet, Fault{Kind: FaultTaskCountSkew, Times: 1})
				if s := fetchStatus(t, srv, tasksPath+"?limit=100"); s != http.StatusOK {
					t.Errorf("status %d", s)
				}
				fetchStatus(t, srv, tasksPath+"/"+id)
				_ = e.IssueToken(DefaultProjectID)
				ak, sk, tok, _ := e.IssueTemporaryKeys()
				r, _ := http.NewRequest(http.MethodGet, srv.URL+tasksPath, nil)
				r.Header.Set("X-Security-Token", tok)
				_ = signer.Sign(r, nil, ak, sk, time.Now())
				if resp, err := srv.Client().Do(r); err != nil || resp.StatusCode != http.StatusOK {
					t.Errorf("issued keys: %v %v", resp, err)
				} else {
					resp.Body.Close()
				}
				fetchStatus(t, srv, "/v3/auth/domains")
				if mr, err := srv.Client().Get(srv.URL + "/openstack/latest/securitykey"); err != nil || mr.StatusCode != http.StatusOK {
					t.Errorf("metadata keys: %v %v", mr, err)
				} else {
					mr.Body.Close()
				}
				_ = e.Counts()
			}
		}()
	}
	wg.Wait()
	e.RevokeTokens()
	// Each iteration lists once, and lists once more with issued keys.
	if n := e.Count(RouteTaskList); n != 160 {
		t.Fatalf("list count %d, want 160", n)
	}
	if n := e.Count(RouteMetadataSecurityKey); n != 80 {
		t.Fatalf("metadata count %d, want 80", n)
	}
}
