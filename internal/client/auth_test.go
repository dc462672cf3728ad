package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// projectTokenServer issues password tokens scoped to one project each, and
// serves DMS task lists only to a token of the project in the path, as the
// real APIs do.
type projectTokenServer struct {
	mu       sync.Mutex
	scopes   []string          // "id|name" of each token request
	projects map[string]string // token → its project
}

const otherProject = "f9e8d7c6b5a44392817069f5e4d3c2b1"

func (s *projectTokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens" {
		var body tokenRequest
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "message": err.Error()}})
			return
		}
		scope := body.Auth.Scope.Project
		s.scopes = append(s.scopes, scope.ID+"|"+scope.Name)
		project := scope.ID
		if project == "" && scope.Name == testRegion {
			project = testProject // the region's default project
		}
		tok := fmt.Sprintf("%s-%d", testToken, len(s.scopes))
		s.projects[tok] = project
		w.Header().Set("X-Subject-Token", tok)
		writeJSON(w, 201, map[string]any{"token": map[string]any{
			"expires_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
			"project":    map[string]string{"id": project},
		}})
		return
	}
	// /v2/{project_id}/instances/{instance_id}/tasks
	parts := strings.Split(r.URL.Path, "/")
	project, ok := s.projects[r.Header.Get("X-Auth-Token")]
	if !ok || len(parts) < 3 || parts[2] != project {
		writeJSON(w, 403, map[string]any{"error_code": "APIGW.0302", "error_msg": "The IAM token is not scoped to this project."})
		return
	}
	writeJSON(w, 200, map[string]any{"task_count": "0", "tasks": []any{}})
}

// A data source may name a project of the provider's region other than
// the region's default one. Under password auth it needs a token scoped to
// that project: the region's token is refused with 403, while AK/SK works.
func TestPasswordTokenIsScopedToTheRequestedProject(t *testing.T) {
	ts := &projectTokenServer{projects: map[string]string{}}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c := newTestClient(t, srv, passwordConfig)
	ctx := context.Background()

	id, err := c.ProjectID(ctx, testRegion)
	if err != nil || id != testProject {
		t.Fatalf("project %q, %v; want %s", id, err, testProject)
	}
	for _, project := range []string{testProject, otherProject, otherProject, testProject} {
		if _, err := c.ListTasks(ctx, TaskQuery{Region: testRegion, ProjectID: project, InstanceID: "i"}); err != nil {
			t.Fatalf("project %s: %v", project, err)
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	want := []string{"|" + testRegion, otherProject + "|"}
	if fmt.Sprint(ts.scopes) != fmt.Sprint(want) {
		t.Fatalf("token requests scoped %v; want %v: one token per project, each requested once", ts.scopes, want)
	}
}

// hangingServer answers nothing until the request's context ends, and
// reports each ended request on gone.
func hangingServer(gone chan<- struct{}) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		select {
		case gone <- struct{}{}:
		default:
		}
	}))
}

// The project lookup is shared by every data source that needs it, so it
// runs detached from the one that started it. Once every caller has
// stopped waiting, it must stop too, instead of retrying on its own for
// minutes.
func TestSharedLookupEndsWhenEveryCallerHasGone(t *testing.T) {
	gone := make(chan struct{}, 1)
	srv := hangingServer(gone)
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.AttemptTimeout = time.Hour })

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.ProjectID(ctx, testRegion); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the caller's deadline", err)
	}
	select {
	case <-gone:
	case <-time.After(30 * time.Second):
		t.Fatal("the shared lookup was still waiting for IAM 30 s after its only caller left")
	}
	// A later caller starts afresh instead of joining the cancelled call.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := c.ProjectID(ctx2, testRegion); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second caller got %v, want its own deadline", err)
	}
}

// A caller without a deadline of its own still gets an answer: the shared
// call ends at its own timeout.
func TestSharedCallHasItsOwnTimeout(t *testing.T) {
	gone := make(chan struct{}, 1)
	srv := hangingServer(gone)
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.AttemptTimeout = time.Hour })
	c.sharedTimeout = 100 * time.Millisecond

	done := make(chan error, 1)
	go func() {
		_, err := c.ProjectID(context.Background(), testRegion)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the shared call's deadline", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the shared lookup had not ended 30 s after its 100 ms timeout")
	}
}

func TestFlightGroupSharesOneCall(t *testing.T) {
	var g flightGroup
	release := make(chan struct{})
	started := 0
	var mu sync.Mutex
	fn := func(ctx context.Context) (any, error) {
		mu.Lock()
		started++
		mu.Unlock()
		<-release
		return "v", ctx.Err()
	}
	results := make(chan any, 3)
	for range 3 {
		go func() {
			v, _ := g.do(context.Background(), "k", time.Minute, fn)
			results <- v
		}()
	}
	// Wait until the three callers are in, then let the call finish.
	for {
		g.mu.Lock()
		n := 0
		if call := g.calls["k"]; call != nil {
			n = call.waiters
		}
		g.mu.Unlock()
		if n == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 3 {
		if v := <-results; v != "v" {
			t.Fatalf("got %v, want v", v)
		}
	}
	if started != 1 {
		t.Fatalf("fn ran %d times, want once", started)
	}
	if len(g.calls) != 0 {
		t.Fatalf("%d calls left in the group", len(g.calls))
	}
}

// IDs of "." and ".." went out as dot segments (/v2/../instances/…), which
// a proxy that normalises paths would send to another path than the one
// signed. The client refuses them, and sends nothing.
func TestDotSegmentsAreNeverSent(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, map[string]any{"task_count": "0", "tasks": []any{}})
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	for _, id := range []string{".", "..", ""} {
		_, err := c.ListTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: id})
		var segErr *InvalidPathSegmentError
		if !errors.As(err, &segErr) || segErr.Segment != id {
			t.Errorf("instance %q: got %v, want an InvalidPathSegmentError", id, err)
		}
		if _, err := c.GetTask(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, id); !errors.As(err, &segErr) {
			t.Errorf("task %q: got %v, want an InvalidPathSegmentError", id, err)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}
