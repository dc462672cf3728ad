package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestProjects(t *testing.T) {
	e := New(Config{
		Now:      func() time.Time { return testNow },
		Projects: map[string]string{DefaultRegion: DefaultProjectID, "eu-west-101": "1f2e3d4c5b6a47988796a5b4c3d2e1f0"},
	})
	cases := []struct {
		name, query string
		want        []string // project IDs
	}{
		{"configured region", "?name=" + DefaultRegion, []string{DefaultProjectID}},
		{"other configured region", "?name=eu-west-101", []string{"1f2e3d4c5b6a47988796a5b4c3d2e1f0"}},
		{"unknown region", "?name=cn-north-4", []string{}},
		{"no name lists all", "", []string{DefaultProjectID, "1f2e3d4c5b6a47988796a5b4c3d2e1f0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, "/v3/projects"+tc.query)
			wantStatus(t, rec, http.StatusOK)
			if rec.Header().Get("X-IAM-Trace-Id") == "" || rec.Header().Get("X-Request-Id") == "" {
				t.Fatalf("missing trace headers: %v", rec.Header())
			}
			b := decode[struct {
				Projects []projectJSON `json:"projects"`
			}](t, rec.Body)
			if len(b.Projects) != len(tc.want) {
				t.Fatalf("projects %+v, want IDs %v", b.Projects, tc.want)
			}
			for i, p := range b.Projects {
				if p.ID != tc.want[i] || !p.Enabled || p.DomainID != DomainID {
					t.Fatalf("project %d: %+v, want ID %s", i, p, tc.want[i])
				}
			}
		})
	}
}

// tokenBody is the password body of API.md.
func tokenBody(user, password, domain, scope string) string {
	return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user +
		`","password":"` + password + `","domain":{"name":"` + domain + `"}}}},"scope":{"project":` + scope + `}}}`
}

func postToken(e *Emulator, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json;charset=utf8")
	return serve(e, r)
}

func TestTokenIssue(t *testing.T) {
	c := defaultCredentials
	cases := []struct {
		name, body string
		status     int
		message    string
	}{
		{"scope by project ID", tokenBody(c.UserName, c.Password, c.DomainName, `{"id":"`+DefaultProjectID+`"}`), http.StatusCreated, ""},
		{"scope by region", tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`), http.StatusCreated, ""},
		{"wrong password", tokenBody(c.UserName, "wrong", c.DomainName, `{"name":"`+DefaultRegion+`"}`), http.StatusUnauthorized, "The username or password is wrong."},
		{"wrong user", tokenBody("someone", c.Password, c.DomainName, `{"name":"`+DefaultRegion+`"}`), http.StatusUnauthorized, "The username or password is wrong."},
		{"wrong domain", tokenBody(c.UserName, c.Password, "other", `{"name":"`+DefaultRegion+`"}`), http.StatusUnauthorized, "The username or password is wrong."},
		{"unknown project ID", tokenBody(c.UserName, c.Password, c.DomainName, `{"id":"ffffffffffffffffffffffffffffffff"}`), http.StatusBadRequest, "does not exist"},
		{"unknown region", tokenBody(c.UserName, c.Password, c.DomainName, `{"name":"cn-north-4"}`), http.StatusBadRequest, "does not exist"},
		{"no scope", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + c.UserName + `","password":"` + c.Password + `","domain":{"name":"` + c.DomainName + `"}}}}}}`, http.StatusBadRequest, "scope"},
		{"token method", `{"auth":{"identity":{"methods":["token"],"token":{"id":"x"}}}}`, http.StatusBadRequest, "password method"},
		{"not JSON", `auth=1`, http.StatusBadRequest, "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			rec := postToken(e, tc.body)
			wantStatus(t, rec, tc.status)
			if rec.Header().Get("X-IAM-Trace-Id") == "" {
				t.Fatal("no X-IAM-Trace-Id")
			}
			if tc.status != http.StatusCreated {
				b := decode[iamErrorBody](t, rec.Body)
				if b.Error.Code != tc.status || !strings.Contains(b.Error.Message, tc.message) || b.Error.Title == "" {
					t.Fatalf("error body %+v, want code %d and a message with %q", b, tc.status, tc.message)
				}
				if rec.Header().Get("X-Subject-Token") != "" {
					t.Fatal("a token came with an error")
				}
				return
			}
			tok := rec.Header().Get("X-Subject-Token")
			if tok == "" {
				t.Fatal("no X-Subject-Token")
			}
			b := decode[tokenResponse](t, rec.Body)
			exp, err := time.Parse(time.RFC3339, b.Token.ExpiresAt)
			if err != nil || !exp.Equal(testNow.Add(24*time.Hour)) {
				t.Fatalf("expires_at %q (%v), want 24 hours from now", b.Token.ExpiresAt, err)
			}
			if b.Token.Project.ID != DefaultProjectID || b.Token.Project.Name != DefaultRegion || b.Token.User.Name != c.UserName {
				t.Fatalf("token body %+v", b.Token)
			}
			wantNoSecrets(t, "token body", rec.Body.String())
			wantStatus(t, get(t, e, "/v3/projects?name="+DefaultRegion, "X-Auth-Token", tok), http.StatusOK)
			if e.Count(RouteTokens) != 1 {
				t.Fatalf("token requests counted: %d", e.Count(RouteTokens))
			}
		})
	}
}

func TestTokenUse(t *testing.T) {
	now := atomic.Pointer[time.Time]{}
	now.Store(&testNow)
	const other = "1f2e3d4c5b6a47988796a5b4c3d2e1f0"
	e := New(Config{
		Now:      func() time.Time { return *now.Load() },
		Projects: map[string]string{DefaultRegion: DefaultProjectID, "eu-west-101": other},
	})
	e.AddInstance(DefaultProjectID, testInstance)
	e.AddInstance(other, testInstance)
	e.AddJob(other, Job{ID: "j"})
	tok := e.IssueToken(DefaultProjectID)
	withToken := func(target, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("X-Auth-Token", token)
		return serve(e, r)
	}

	wantStatus(t, withToken(tasksPath, tok), http.StatusOK)
	wantStatus(t, withToken("/v3/projects?name=eu-west-101", tok), http.StatusOK)
	wantError(t, withToken("/v2/"+other+"/instances/"+testInstance+"/tasks", tok), http.StatusForbidden, dmsProjectMismatch)
	wantError(t, withToken("/v3/"+other+"/jobs?id=j", tok), http.StatusForbidden, dbsProjectMismatch)
	wantError(t, withToken("/v2/ffffffffffffffffffffffffffffffff/instances/x/tasks", tok), http.StatusForbidden, dmsProjectMismatch)

	// A token wins over a bad signature, as X-Auth-Token is looked at first.
	r := signedGet(t, tasksPath)
	r.Header.Set("Authorization", r.Header.Get("Authorization")+"0")
	r.Header.Set("X-Auth-Token", tok)
	wantStatus(t, serve(e, r), http.StatusOK)

	e.RevokeTokens()
	b := wantError(t, withToken(tasksPath, tok), http.StatusUnauthorized, "APIGW.0301")
	if !strings.Contains(b.Message, "revoked") {
		t.Fatalf("message %q", b.Message)
	}
	fresh := e.IssueToken(DefaultProjectID)
	wantStatus(t, withToken(tasksPath, fresh), http.StatusOK)

	later := testNow.Add(24 * time.Hour)
	now.Store(&later)
	b = wantError(t, withToken(tasksPath, fresh), http.StatusUnauthorized, "APIGW.0301")
	if !strings.Contains(b.Message, "expired") {
		t.Fatalf("message %q", b.Message)
	}
}
