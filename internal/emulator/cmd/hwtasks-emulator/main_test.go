package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// syncBuffer is a bytes.Buffer that run's goroutines and the test can share.
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

// waitForFile polls for the URL file, as a script would.
func waitForFile(t *testing.T, path string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the URL file never appeared")
	return ""
}

func TestRunServesAndStops(t *testing.T) {
	// The banner's list of the default fixtures' data, loaded from %s.
	const seedData = "It holds, from %s (use these IDs in a configuration):\n" +
		"  DMS instance               6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01 (1 task: ff80808272dcc90f0172df1e490f41b0)\n" +
		"  DMS instance               c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90 (1 task: 8abfa7b272adc5b40172b73130065ae7)\n" +
		"  DCS instance               5b8f2a91-7c3e-4d6a-9f1b-2e4c6a8d0b13 (5 tasks, the newest ff80808172b3ae910172c1004a6e0063)\n" +
		"  GaussDB(for MySQL) job     31b8ae23-c687-4d80-b7b4-42a66c9bb886 (CreateGaussDBforMySQLInstance, Completed)\n" +
		"  GaussDB(for MySQL) job     9f3a6c2e-1b4d-4e8f-a7c5-3d2e1f0b9a87 (RestartGaussDBforMySQLInstance, Failed)\n" +
		"  RDS job                    4e7a9c1d-2b3f-4a5e-8d6c-0f1e2d3c4b5a (EnlargeVolume, Failed)\n" +
		"  RDS job                    dff1d289-4d03-4942-8b9f-463ea07c000d (CreateMysqlInstance, Completed)\n" +
		"  GaussDB(for openGauss) job 04efe8e2-9255-44ae-a98b-d87cae411890 (CreateGaussDBV5Instance, Completed)\n" +
		"  GaussDB(for openGauss) job a2c4e6f8-1b3d-4f5a-9c7e-8d6b4a2c0e1f (RestartGaussDBV5Instance, Failed)\n" +
		"  DDS job                    c010abd0-48cf-4fa8-8cbc-090f093eaa2f (CreateMongoDB, Completed)\n" +
		"  DDS job                    e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9 (ResizeMongoDBInstance, Failed)\n" +
		"  GeminiDB job               3f5a7c9e-0b2d-4e6f-8a1c-3e5f7a9c1b2d (CreateInstance, Completed)\n" +
		"  GeminiDB job               6b8d0f2a-4c6e-4a8b-9d1f-5a7c9e1b3d5f (EnlargeInstanceVolume, Failed)\n" +
		"  ECS job                    2c9eb2c5544cbf6101544f0602af2b4f (createServer, SUCCESS, 1 sub-job)\n" +
		"  ECS job                    ff8080828ab1c9d4018ab2f0e5a1003c (createServer, FAIL, 2 sub-jobs)\n" +
		"  EVS job                    21917a8d52a19b040152a9f2f1eb003e (batchCreateVolume, SUCCESS, 2 sub-jobs)\n" +
		"  EVS job                    4010a32d535527910153552b492c0002 (createVolume, reads show RUNNING, then SUCCESS)\n" +
		"  EVS job                    4010a32d53552791015366c1e8a40017 (batchCreateVolume, FAIL, 2 sub-jobs)\n" +
		"  IMS job                    9a175ac79d2a54ad019d4c35cf71260b (imsImportOvaImageJob, SUCCESS, 2 sub-jobs)\n" +
		"  IMS job                    9a175ac79d2a54ad019d5e1a4c7b2d90 (imsImportOvaImageJob, FAIL, 2 sub-jobs)\n" +
		"  CCE job                    354331b2c-229a-11e8-9c75-0255ac100ceb (CreateCluster, Success, 2 sub-jobs)\n" +
		"  CCE job                    7b3c8e52-5a1d-11ef-9f0a-0255ac10003e (CreateNodePool, Failed, 2 sub-jobs)\n"
	cases := []struct {
		name     string
		fixtures []string
		jobCode  int      // status of GET of the seed job
		shows    []string // what stdout must hold, beyond the URL and credentials
	}{
		{"built-in fixtures", nil, http.StatusOK, []string{fmt.Sprintf(seedData, "the built-in fixtures")}},
		{"fixtures file", []string{"-fixtures", "../../testdata/fixtures.json"}, http.StatusOK, []string{fmt.Sprintf(seedData, "../../testdata/fixtures.json")}},
		{"no fixtures", []string{"-fixtures", "none"}, http.StatusBadRequest, []string{"It holds no instance and no job: it loaded no fixtures (-fixtures none).\n"}},
		{"the demo's fixtures", []string{"-fixtures", "../../../../examples/demo/fixtures.json"}, http.StatusOK, []string{
			"  DMS instance           6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01 (36 tasks, the newest ff80808272dcc90f0172df1e490f0024)\n" +
				"  DCS instance           3c9e5a71-2f4b-4d8e-a6c0-9b1d3f5e7a24 (5 tasks, the newest ff80808172b3ae910172c04a5d3d1005)\n",
			"  GaussDB(for MySQL) job 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d (ResizeGaussDBforMySQLFlavor, reads show Running 20%, then Running 60%, then Running 90%, then Completed)\n" +
				"  RDS job                5c2e1a7b-9d3f-4e8a-b6c4-2f1e0d9c8b7a (ResizeFlavor, reads show Running 30%, then Running 70%, then Completed)\n" +
				"  ECS job                ff8080829c1a5b7e019c2e4f6a8d0001 (createServer, reads show INIT, then RUNNING, then RUNNING, then SUCCESS, 2 sub-jobs)\n" +
				"  CCE job                e3b1c5d8-9f2a-11f0-8c4e-0255ac100b21 (CreateCluster, reads show Initializing, then Running, then Success, 2 sub-jobs)\n",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			urlFile := filepath.Join(t.TempDir(), "url")
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			args := append([]string{"-listen", "127.0.0.1:0", "-url-file", urlFile}, tc.fixtures...)
			go func() { done <- run(ctx, args, &stdout, &stderr) }()

			base := waitForFile(t, urlFile, done)
			if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.Contains(stdout.String(), base) {
				t.Fatalf("URL %q; stdout:\n%s", base, stdout.String())
			}
			endpoints := "hwtasks-emulator listening on " + base + "\n" +
				"Point each endpoint at its URL; services whose paths collide have a prefix:\n" +
				"  iam       = " + base + "\n" +
				"  dms       = " + base + "\n" +
				"  gaussdb   = " + base + "\n" +
				"  rds       = " + base + "/rds\n" +
				"  opengauss = " + base + "/opengauss\n" +
				"  dds       = " + base + "/dds\n" +
				"  geminidb  = " + base + "/geminidb\n" +
				"  dcs       = " + base + "/dcs\n" +
				"  ecs       = " + base + "/ecs\n" +
				"  evs       = " + base + "/evs\n" +
				"  ims       = " + base + "/ims\n" +
				"  cce       = " + base + "/cce\n" +
				"It accepts:\n" +
				"  region " + emulator.DefaultRegion
			if !strings.HasPrefix(stdout.String(), endpoints) {
				t.Fatalf("stdout does not start with the endpoints %q:\n%s", endpoints, stdout.String())
			}
			cred := emulator.DefaultConfig().Credentials
			for _, want := range append([]string{cred.AccessKey, cred.SecretKey, cred.SecurityToken, cred.UserName, cred.Password, emulator.DefaultProjectID}, tc.shows...) {
				if !strings.Contains(stdout.String(), want) {
					t.Fatalf("stdout does not show %q:\n%s", want, stdout.String())
				}
			}
			if strings.Contains(stdout.String(), "misbehaves") {
				t.Fatalf("stdout lists faults that were not asked for:\n%s", stdout.String())
			}

			req, _ := http.NewRequest(http.MethodGet, base+"/v3/"+emulator.DefaultProjectID+"/jobs?id=31b8ae23-c687-4d80-b7b4-42a66c9bb886", nil)
			if err := signer.Sign(req, nil, cred.AccessKey, cred.SecretKey, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.jobCode {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.jobCode)
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("run did not stop when its context ended")
			}
			if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
				t.Fatalf("the URL file outlived the server: %v", err)
			}
			if !strings.Contains(stderr.String(), "route=gaussdb.job") {
				t.Fatalf("request not logged; stderr:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String(), cred.SecretKey) {
				t.Fatal("the log shows the secret key")
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, "unexpected arguments"},
		{"missing fixtures file", []string{"-fixtures", "/nonexistent/fixtures.json"}, "no such file"},
		{"bad address", []string{"-listen", "127.0.0.1:notaport"}, "listen"},
		{"fault without a route", []string{"-fault", "kind=endless-pages"}, `invalid value "kind=endless-pages" for flag -fault: fault "kind=endless-pages": route "" is not one of`},
		{"fault of an unknown kind", []string{"-fault", "route=dms.tasks.list,kind=endless"}, `kind "endless" is not one of`},
		{"fault on a route it does not act on", []string{"-fault", "route=dms.tasks.get,kind=endless-pages"}, "endless-pages acts on dms.tasks.list, dcs.tasks.list only"},
		{"fault with a key of another kind", []string{"-fault", "route=dms.tasks.list,kind=endless-pages,depth=3"}, "not depth"},
		{"second fault bad", []string{"-fault", "route=gaussdb.job,kind=deep-entities", "-fault", "route=gaussdb.job,kind=deep-entities,depth=x"}, `depth="x"`},
		{"unknown metadata token mode", []string{"-metadata-tokens", "sometimes"}, `invalid value "sometimes" for flag -metadata-tokens: "sometimes" is not one of optional, required, unsupported`},
		{"negative key TTL", []string{"-temporary-key-ttl", "-1s"}, "-temporary-key-ttl -1s: a lifetime cannot be negative"},
		{"key TTL without a unit", []string{"-temporary-key-ttl", "30"}, `invalid value "30" for flag -temporary-key-ttl`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"-help"}, &out, &out)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-fixtures") || !strings.Contains(out.String(), "none") ||
			!strings.Contains(out.String(), "-temporary-key-ttl duration") || !strings.Contains(out.String(), "-metadata-tokens mode") {
			t.Fatalf("error %v, output:\n%s", err, out.String())
		}
		for _, k := range emulator.FaultKinds() {
			if !strings.Contains(out.String(), k.String()) {
				t.Fatalf("the help does not list the fault kind %s:\n%s", k, out.String())
			}
		}
	})
}

// TestRunFaults: -fault, repeated, injects its faults in order on their
// route, and the banner lists them.
func TestRunFaults(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	args := []string{"-listen", "127.0.0.1:0", "-url-file", urlFile,
		"-fault", "route=dms.tasks.list,kind=endless-pages,task-count=150,times=2",
		"-fault", "route=dms.tasks.list,kind=task-count-raw,task-count=2000000000,times=1",
		"-fault", "route=gaussdb.job,kind=deep-entities,depth=4",
	}
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	base := waitForFile(t, urlFile, done)
	for _, want := range []string{
		"It misbehaves on purpose, with these faults:\n" +
			"  -fault route=dms.tasks.list,kind=endless-pages,times=2,task-count=150 (2 responses)\n" +
			"  -fault route=dms.tasks.list,kind=task-count-raw,times=1,task-count=2000000000 (1 response)\n" +
			"  -fault route=gaussdb.job,kind=deep-entities,depth=4 (every response)\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("stdout does not show %q:\n%s", want, stdout.String())
		}
	}

	cred := emulator.DefaultConfig().Credentials
	getBody := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if err := signer.Sign(req, nil, cred.AccessKey, cred.SecretKey, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	type list struct {
		TaskCount string `json:"task_count"`
		Tasks     []struct {
			ID string `json:"id"`
		} `json:"tasks"`
	}
	tasks := "/v2/" + emulator.DefaultProjectID + "/instances/6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01/tasks?limit=100&start="
	steps := []struct {
		start, count string
		n            int
	}{
		{"1", "150", 100},      // endless-pages, 1 of 2
		{"901", "150", 100},    // endless-pages, 2 of 2: still full past the count
		{"1", "2000000000", 1}, // task-count-raw, with the real task
		{"1", "1", 1},          // normal again
		{"1000001", "1", 0},    // normal: past the end
	}
	for i, s := range steps {
		var l list
		if err := json.Unmarshal([]byte(getBody(tasks+s.start)), &l); err != nil {
			t.Fatal(err)
		}
		if l.TaskCount != s.count || len(l.Tasks) != s.n {
			t.Fatalf("request %d (start=%s): task_count %q and %d tasks, want %q and %d", i+1, s.start, l.TaskCount, len(l.Tasks), s.count, s.n)
		}
	}
	for range 2 { // Times 0: every response.
		if b := getBody("/v3/" + emulator.DefaultProjectID + "/jobs?id=31b8ae23-c687-4d80-b7b4-42a66c9bb886"); !strings.Contains(b, `"entities":{"a":{"a":{"a":{}}}}`) {
			t.Fatalf("job body %s", b)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// TestRunCredentialFlags: -metadata-tokens and -temporary-key-ttl reach the
// emulator, and the banner says how to reach the metadata service and which
// agency may be assumed.
func TestRunCredentialFlags(t *testing.T) {
	cases := []struct {
		name       string
		args       []string
		banner     string // after the base URL
		putStatus  int
		bareStatus int // GET of the keys without a session token
		lifetime   time.Duration
	}{
		{"defaults", nil, "  (session tokens optional, keys live 1h0m0s).\nTemporary keys it issues live as long as duration_seconds asks (900 s by default).\n",
			http.StatusOK, http.StatusOK, time.Hour},
		{"required, short keys", []string{"-metadata-tokens", "required", "-temporary-key-ttl", "90s"},
			"  (session tokens required, keys live 1m30s).\nEvery temporary key it issues expires after 1m30s (-temporary-key-ttl).\n",
			http.StatusOK, http.StatusUnauthorized, 90 * time.Second},
		{"unsupported", []string{"-metadata-tokens", "unsupported"}, "  (session tokens unsupported, keys live 1h0m0s).\n",
			http.StatusNotFound, http.StatusOK, time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			urlFile := filepath.Join(t.TempDir(), "url")
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			args := append([]string{"-listen", "127.0.0.1:0", "-url-file", urlFile, "-fixtures", "none"}, tc.args...)
			go func() { done <- run(ctx, args, &stdout, &stderr) }()
			base := waitForFile(t, urlFile, done)
			for _, want := range []string{
				"  domain ID:            " + emulator.DomainID + "\n",
				"  agency:               " + emulator.DefaultAgencyName + " in domain " + emulator.DefaultAgencyDomainName + " (ID " + emulator.DefaultAgencyDomainID + ")\n",
				"It is also the ECS metadata service: set HW_METADATA_ENDPOINT=" + base + "\n" + tc.banner,
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Fatalf("stdout does not show %q:\n%s", want, stdout.String())
				}
			}

			do := func(method, path string, h map[string]string) (int, []byte) {
				t.Helper()
				req, _ := http.NewRequest(method, base+path, nil)
				for k, v := range h {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			status, tok := do(http.MethodPut, "/meta-data/latest/api/token", map[string]string{"X-Metadata-Token-Ttl-Seconds": "21600"})
			if status != tc.putStatus {
				t.Fatalf("PUT: %d %s, want %d", status, tok, tc.putStatus)
			}
			if status, b := do(http.MethodGet, "/openstack/latest/securitykey", nil); status != tc.bareStatus {
				t.Fatalf("GET without a token: %d %s, want %d", status, b, tc.bareStatus)
			}
			h := map[string]string{}
			if tc.putStatus == http.StatusOK {
				h["X-Metadata-Token"] = string(tok)
			}
			status, b := do(http.MethodGet, "/openstack/latest/securitykey", h)
			var keys struct {
				Credential struct {
					ExpiresAt string `json:"expires_at"`
				} `json:"credential"`
			}
			if status != http.StatusOK || json.Unmarshal(b, &keys) != nil {
				t.Fatalf("GET: %d %s", status, b)
			}
			exp, err := time.Parse(time.RFC3339Nano, keys.Credential.ExpiresAt)
			if err != nil {
				t.Fatal(err)
			}
			if left := time.Until(exp); left > tc.lifetime || left < tc.lifetime-time.Minute {
				t.Fatalf("the keys expire in %v, want about %v", left, tc.lifetime)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("run: %v", err)
			}
		})
	}
}

// TestRunDemoServices: the demo's RDS job and DCS instance, through their
// prefixes, with -fault on their routes: the job is scripted to go Running
// 30%, Running 70%, then Completed, as the demo's fixtures say.
func TestRunDemoServices(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	args := []string{"-listen", "127.0.0.1:0", "-url-file", urlFile, "-fixtures", "../../../../examples/demo/fixtures.json",
		"-fault", "route=rds.job,kind=server-error,status=500,times=1",
		"-fault", "route=dcs.tasks.list,kind=task-count-raw,task-count=many,times=1",
	}
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	base := waitForFile(t, urlFile, done)
	cred := emulator.DefaultConfig().Credentials
	get := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if err := signer.Sign(req, nil, cred.AccessKey, cred.SecretKey, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	job := emulator.ServicePrefix("rds") + "/v3/" + emulator.DefaultProjectID + "/jobs?id=5c2e1a7b-9d3f-4e8a-b6c4-2f1e0d9c8b7a"
	if status, b := get(job); status != http.StatusInternalServerError || b != `{"error_code":"DBS.108000","error_msg":"Server failure."}` {
		t.Fatalf("the fault: %d %s", status, b)
	}
	for i, want := range []struct{ status, process, ended string }{{"Running", "30%", ""}, {"Running", "70%", ""}, {"Completed", "", "set"}} {
		status, b := get(job)
		var j struct {
			Job struct{ Status, Process, Ended string } `json:"job"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(b), &j) != nil {
			t.Fatalf("read %d: %d %s", i+1, status, b)
		}
		if j.Job.Status != want.status || j.Job.Process != want.process || (j.Job.Ended != "") != (want.ended != "") {
			t.Fatalf("read %d: %+v, want %+v", i+1, j.Job, want)
		}
	}
	tasks := emulator.ServicePrefix("dcs") + "/v2/" + emulator.DefaultProjectID + "/instances/3c9e5a71-2f4b-4d8e-a6c0-9b1d3f5e7a24/tasks?limit=2"
	for i, want := range []struct{ count, first string }{{"many", "EXECUTING"}, {"5", "EXECUTING"}, {"5", "SUCCESS"}} {
		status, b := get(tasks)
		var l struct {
			TaskCount string `json:"task_count"`
			Tasks     []struct{ ID, Status string }
		}
		if status != http.StatusOK || json.Unmarshal([]byte(b), &l) != nil || len(l.Tasks) != 2 {
			t.Fatalf("list %d: %d %s", i+1, status, b)
		}
		if l.TaskCount != want.count || l.Tasks[0].ID != "ff80808172b3ae910172c04a5d3d1005" || l.Tasks[0].Status != want.first {
			t.Fatalf("list %d: %+v, want task_count %q and the AddReplica %s", i+1, l, want.count, want.first)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"GET /rds/v3/" + emulator.DefaultProjectID + "/jobs?id=5c2e1a7b-9d3f-4e8a-b6c4-2f1e0d9c8b7a route=rds.job status=500 ",
		"GET /dcs/v2/" + emulator.DefaultProjectID + "/instances/3c9e5a71-2f4b-4d8e-a6c0-9b1d3f5e7a24/tasks?limit=2 route=dcs.tasks.list status=200 "} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("the log lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "  -fault route=rds.job,kind=server-error,times=1,status=500 (1 response)\n") {
		t.Fatalf("the banner does not list the fault:\n%s", stdout.String())
	}
}

// TestRunDemoV1AndCCEJobs: the demo's ECS and CCE jobs, through their
// prefixes, with -fault on their routes: the ECS job is scripted INIT,
// RUNNING, RUNNING, SUCCESS with two sub-jobs, the CCE job Initializing,
// Running, Success, as the demo's fixtures say.
func TestRunDemoV1AndCCEJobs(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	args := []string{"-listen", "127.0.0.1:0", "-url-file", urlFile, "-fixtures", "../../../../examples/demo/fixtures.json",
		"-fault", "route=ecs.job,kind=server-error,status=500,times=1",
		"-fault", "route=cce.job,kind=throttle,times=1",
	}
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	base := waitForFile(t, urlFile, done)
	cred := emulator.DefaultConfig().Credentials
	get := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if err := signer.Sign(req, nil, cred.AccessKey, cred.SecretKey, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	ecsJob := emulator.ServicePrefix("ecs") + "/v1/" + emulator.DefaultProjectID + "/jobs/ff8080829c1a5b7e019c2e4f6a8d0001"
	if status, b := get(ecsJob); status != http.StatusInternalServerError || b != `{"error":{"code":"Common.0001","message":"Internal error."}}` {
		t.Fatalf("the ECS fault: %d %s", status, b)
	}
	for i, want := range []struct {
		status string
		subs   string
		ended  bool
	}{
		{"INIT", "INIT INIT", false},
		{"RUNNING", "RUNNING RUNNING", false},
		{"RUNNING", "SUCCESS RUNNING", false},
		{"SUCCESS", "SUCCESS SUCCESS", true},
	} {
		status, b := get(ecsJob)
		var j struct {
			Status   string `json:"status"`
			EndTime  string `json:"end_time"`
			Entities struct {
				Total int `json:"sub_jobs_total"`
				Subs  []struct {
					Status string `json:"status"`
				} `json:"sub_jobs"`
			} `json:"entities"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(b), &j) != nil {
			t.Fatalf("ECS read %d: %d %s", i+1, status, b)
		}
		var subs []string
		for _, s := range j.Entities.Subs {
			subs = append(subs, s.Status)
		}
		if j.Status != want.status || strings.Join(subs, " ") != want.subs || j.Entities.Total != 2 || (j.EndTime != "") != want.ended {
			t.Fatalf("ECS read %d: %s, want %+v", i+1, b, want)
		}
	}

	cceJob := emulator.ServicePrefix("cce") + "/api/v3/projects/" + emulator.DefaultProjectID + "/jobs/e3b1c5d8-9f2a-11f0-8c4e-0255ac100b21"
	if status, _ := get(cceJob); status != http.StatusTooManyRequests {
		t.Fatalf("the CCE fault: %d", status)
	}
	for i, want := range []string{"Initializing Running Initializing", "Running Success Running", "Success Success Success", "Success Success Success"} {
		status, b := get(cceJob)
		var j struct {
			Spec struct {
				SubJobs []struct {
					Status struct{ Phase string } `json:"status"`
				} `json:"subJobs"`
			} `json:"spec"`
			Status struct{ Phase string } `json:"status"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(b), &j) != nil || len(j.Spec.SubJobs) != 2 {
			t.Fatalf("CCE read %d: %d %s", i+1, status, b)
		}
		if got := j.Status.Phase + " " + j.Spec.SubJobs[0].Status.Phase + " " + j.Spec.SubJobs[1].Status.Phase; got != want {
			t.Fatalf("CCE read %d: phases %q, want %q", i+1, got, want)
		}
	}
	if status, b := get(emulator.ServicePrefix("cce") + "/api/v3/projects/" + emulator.DefaultProjectID + "/jobs/nope"); status != http.StatusNotFound ||
		b != `{"errorCode":"CCE.01404001","errorMessage":"Resource not found."}` {
		t.Fatalf("an unknown CCE job: %d %s", status, b)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{
		"GET " + ecsJob + " route=ecs.job status=500 ",
		"GET " + cceJob + " route=cce.job status=429 ",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("the log lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, want := range []string{
		"  -fault route=ecs.job,kind=server-error,times=1,status=500 (1 response)\n",
		"  -fault route=cce.job,kind=throttle,times=1 (1 response)\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("the banner does not list %q:\n%s", want, stdout.String())
		}
	}
}
