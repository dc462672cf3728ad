package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
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
		{"no scope", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + c.UserName + `","password":"` + c.Password + `","domain":{"name":"` + c.DomainName + `"}}}}}}`, http.StatusBadRequest, "auth.scope.project or auth.scope.domain is required."},
		{"token method with an unknown token", `{"auth":{"identity":{"methods":["token"],"token":{"id":"x"}},"scope":{"project":{"name":"` + DefaultRegion + `"}}}}`, http.StatusUnauthorized, "The token of the token method is not valid: unknown token."},
		{"unknown method", `{"auth":{"identity":{"methods":["totp"]}}}`, http.StatusBadRequest, `auth.identity.methods must be ["password"], ["token"] or ["assume_role"].`},
		{"two methods", `{"auth":{"identity":{"methods":["password","token"]}}}`, http.StatusBadRequest, `auth.identity.methods must be`},
		{"password method without password", `{"auth":{"identity":{"methods":["password"]},"scope":{"project":{"name":"` + DefaultRegion + `"}}}}`, http.StatusBadRequest, "The password method needs auth.identity.password."},
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

// passwordBody is the password identity of the account's user with a raw
// scope object.
func passwordBody(scope string) string {
	c := defaultCredentials
	return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + c.UserName + `","password":"` +
		c.Password + `","domain":{"name":"` + c.DomainName + `"}}}},"scope":` + scope + `}}`
}

// tokenKeys returns the keys of a token body's token object.
func tokenKeys(t *testing.T, rec *httptest.ResponseRecorder) map[string]json.RawMessage {
	t.Helper()
	return decode[struct {
		Token map[string]json.RawMessage `json:"token"`
	}](t, bytes.NewReader(rec.Body.Bytes())).Token
}

func TestTokenScopes(t *testing.T) {
	c := defaultCredentials
	account := idName{DomainID, c.DomainName}
	cases := []struct {
		name, query, scope string
		project            string // the token's project; "" for a domain scope
		msg                string // a 400's message
	}{
		{"domain by name", "", `{"domain":{"name":"` + c.DomainName + `"}}`, "", ""},
		{"domain by ID", "", `{"domain":{"id":"` + DomainID + `"}}`, "", ""},
		{"domain by both", "", `{"domain":{"id":"` + DomainID + `","name":"` + c.DomainName + `"}}`, "", ""},
		{"project by ID", "", `{"project":{"id":"` + DefaultProjectID + `"}}`, DefaultProjectID, ""},
		{"project by name in a domain", "", `{"project":{"domain":{"name":"` + c.DomainName + `"},"name":"` + DefaultRegion + `"}}`, DefaultProjectID, ""},
		{"project by name in a domain by ID", "", `{"project":{"domain":{"id":"` + DomainID + `"},"name":"` + DefaultRegion + `"}}`, DefaultProjectID, ""},
		{"project by ID and name", "", `{"project":{"id":"` + DefaultProjectID + `","name":"` + DefaultRegion + `"}}`, DefaultProjectID, ""},
		{"without the catalog", "?nocatalog=true", `{"project":{"id":"` + DefaultProjectID + `"}}`, DefaultProjectID, ""},
		{"another domain", "", `{"domain":{"name":"someone-else"}}`, "", "The domain in auth.scope is not the domain of the credentials."},
		{"the right name, another ID", "", `{"domain":{"id":"` + DefaultAgencyDomainID + `","name":"` + c.DomainName + `"}}`, "", "The domain in auth.scope is not the domain of the credentials."},
		{"an empty domain", "", `{"domain":{}}`, "", "The domain in auth.scope is not the domain of the credentials."},
		{"a project in another domain", "", `{"project":{"domain":{"name":"someone-else"},"name":"` + DefaultRegion + `"}}`, "", "The project in auth.scope does not exist in this account."},
		{"project ID and another region", "", `{"project":{"id":"` + DefaultProjectID + `","name":"eu-west-101"}}`, "", "The project in auth.scope does not exist in this account."},
		{"an empty project", "", `{"project":{}}`, "", "auth.scope.project.id or auth.scope.project.name is required."},
		{"project and domain", "", `{"project":{"id":"` + DefaultProjectID + `"},"domain":{"name":"` + c.DomainName + `"}}`, "", "auth.scope takes a project or a domain, not both."},
		{"an empty scope", "", `{}`, "", "auth.scope.project or auth.scope.domain is required."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			r := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens"+tc.query, strings.NewReader(passwordBody(tc.scope)))
			rec := serve(e, r)
			if tc.msg != "" {
				wantIAMError(t, rec, http.StatusBadRequest, tc.msg)
				return
			}
			wantStatus(t, rec, http.StatusCreated)
			keys := tokenKeys(t, rec)
			if _, ok := keys["catalog"]; ok == (tc.query != "") {
				t.Fatalf("catalog present %v with query %q", ok, tc.query)
			}
			b := decode[tokenResponse](t, bytes.NewReader(rec.Body.Bytes()))
			if b.Token.IssuedAt != "2026-01-02T03:04:05.000000Z" || b.Token.ExpiresAt != "2026-01-03T03:04:05.000000Z" || !slices.Equal(b.Token.Methods, []string{"password"}) {
				t.Fatalf("token %s", rec.Body.String())
			}
			tok := rec.Header().Get("X-Subject-Token")
			e.AddInstance(DefaultProjectID, testInstance)
			if tc.project == "" {
				if _, ok := keys["project"]; ok || b.Token.Domain == nil || *b.Token.Domain != account {
					t.Fatalf("a domain-scoped token's body: %s", rec.Body.String())
				}
				wantError(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), http.StatusForbidden, dmsProjectMismatch)
				return
			}
			if _, ok := keys["domain"]; ok || b.Token.Project == nil || b.Token.Project.ID != tc.project || b.Token.Project.Domain != account {
				t.Fatalf("a project-scoped token's body: %s", rec.Body.String())
			}
			wantStatus(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), http.StatusOK)
		})
	}
}

// tokenMethodBody is the token method as the provider's client sends it.
func tokenMethodBody(token, scope string) string {
	return `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + token + `"}},"scope":` + scope + `}}`
}

func TestTokenMethod(t *testing.T) {
	c := defaultCredentials
	domainScope := `{"domain":{"name":"` + c.DomainName + `"}}`
	projectScope := `{"project":{"domain":{"name":"` + c.DomainName + `"},"name":"` + DefaultRegion + `"}}`
	cases := []struct {
		name           string
		header, inBody string // "valid", "revoked", "expired", "bogus" or ""
		scope          string
		status         int
		msg            string
	}{
		{"body to domain", "", "valid", domainScope, http.StatusCreated, ""},
		{"body to project", "", "valid", projectScope, http.StatusCreated, ""},
		{"header, no body token", "valid", "", projectScope, http.StatusCreated, ""},
		{"header wins over a bogus body token", "valid", "bogus", domainScope, http.StatusCreated, ""},
		{"a bogus header wins over a valid body token", "bogus", "valid", domainScope, http.StatusUnauthorized, "The token of the token method is not valid: unknown token."},
		{"revoked", "", "revoked", domainScope, http.StatusUnauthorized, "The token of the token method is not valid: the token has been revoked."},
		{"expired", "", "expired", domainScope, http.StatusUnauthorized, "The token of the token method is not valid: the token has expired."},
		{"no token", "", "", domainScope, http.StatusBadRequest, "The token method needs auth.identity.token.id or an X-Auth-Token header."},
		{"another domain", "", "valid", `{"domain":{"name":"` + DefaultAgencyDomainName + `"}}`, http.StatusBadRequest, "The domain in auth.scope is not the domain of the credentials."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(testNow)
			e := New(Config{Now: clk.Now})
			e.AddInstance(DefaultProjectID, testInstance)
			tokens := map[string]string{"": "", "bogus": "MIInot-a-token"}
			tokens["revoked"] = e.IssueDomainToken()
			e.RevokeTokens()
			tokens["valid"] = e.IssueToken(DefaultProjectID)
			tokens["expired"] = e.issueToken(issuedToken{project: DefaultProjectID, id: e.accountIdentity(), expires: testNow.Add(time.Hour)})
			clk.Add(time.Hour) // The valid token is an hour old; the expired one ends now.
			r := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(tokenMethodBody(tokens[tc.inBody], tc.scope)))
			if tc.header != "" {
				r.Header.Set("X-Auth-Token", tokens[tc.header])
			}
			rec := serve(e, r)
			if tc.status != http.StatusCreated {
				wantIAMError(t, rec, tc.status, tc.msg)
				return
			}
			wantStatus(t, rec, http.StatusCreated)
			b := decode[tokenResponse](t, bytes.NewReader(rec.Body.Bytes()))
			// The new token ends with the old one, issued an hour ago.
			if b.Token.ExpiresAt != "2026-01-03T03:04:05.000000Z" || b.Token.IssuedAt != "2026-01-02T04:04:05.000000Z" ||
				!slices.Equal(b.Token.Methods, []string{"token"}) || b.Token.User.ID != UserID {
				t.Fatalf("token %s", rec.Body.String())
			}
			tok := rec.Header().Get("X-Subject-Token")
			if tok == tokens["valid"] {
				t.Fatal("the same token came back")
			}
			want := http.StatusOK
			if tc.scope == domainScope {
				want = http.StatusForbidden
			}
			wantStatus(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), want)
			clk.Add(23 * time.Hour)
			wantAPIGW401(t, serve(e, withToken(http.MethodGet, "/v3/projects", "", tok)), "the token has expired")
		})
	}
}

// TestDomainScopedToken: a domain-scoped token reaches IAM but no
// project-scoped service.
func TestDomainScopedToken(t *testing.T) {
	e := fixtureEmulator(t)
	e.AddInstance(DefaultProjectID, testInstance)
	fromAPI := postToken(e, passwordBody(`{"domain":{"name":"`+defaultCredentials.DomainName+`"}}`)).Header().Get("X-Subject-Token")
	for name, tok := range map[string]string{"IssueDomainToken": e.IssueDomainToken(), "POST /v3/auth/tokens": fromAPI} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, serve(e, withToken(http.MethodGet, "/v3/projects?name="+DefaultRegion, "", tok)), http.StatusOK)
			wantStatus(t, serve(e, withToken(http.MethodGet, "/v3/auth/domains", "", tok)), http.StatusOK)
			wantCredential(t, serve(e, withToken(http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens",
				`{"auth":{"identity":{"methods":["token"]}}}`, tok)), http.StatusCreated, testNow.Add(15*time.Minute))
			wantCredential(t, serve(e, withToken(http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens",
				assumeRoleBody(`"agency_name":"`+DefaultAgencyName+`","domain_name":"`+DefaultAgencyDomainName+`"`), tok)), http.StatusCreated, testNow.Add(15*time.Minute))

			b := wantError(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), http.StatusForbidden, dmsProjectMismatch)
			if b.Message != "The token is scoped to a domain; this API needs a token scoped to the project in the URL." {
				t.Fatalf("DMS message %q", b.Message)
			}
			b = wantError(t, serve(e, withToken(http.MethodGet, jobsPath+"?id="+seedJobID, "", tok)), http.StatusForbidden, dbsProjectMismatch)
			if b.Message != "The token is scoped to a domain; this API needs a token scoped to the project in the URL." {
				t.Fatalf("GaussDB message %q", b.Message)
			}
			r := withToken(http.MethodGet, jobsPath+"?id="+seedJobID, "", tok)
			r.Header.Set("X-Language", "zh-cn")
			b = wantError(t, serve(e, r), http.StatusForbidden, dbsProjectMismatch)
			if b.Message != "该令牌为全局级(domain)令牌;此接口需要URL中项目的项目级令牌。" {
				t.Fatalf("GaussDB Chinese message %q", b.Message)
			}
		})
	}
}

// assumeRoleBody is an assume_role identity with the given fields.
func assumeRoleBody(fields string) string {
	return `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{` + fields + `}}}}`
}

// agencyTokenBody is the agency token call of the official provider.
func agencyTokenBody(fields, scope string) string {
	return `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{` + fields + `}},"scope":` + scope + `}}`
}

func TestAssumeRoleToken(t *testing.T) {
	agency := idName{DefaultAgencyDomainID, DefaultAgencyDomainName}
	provider := `"domain_name":"` + DefaultAgencyDomainName + `","xrole_name":"` + DefaultAgencyName + `"`
	projectScope := `{"project":{"domain":{"name":"` + DefaultAgencyDomainName + `"},"name":"` + DefaultRegion + `"}}`
	domainScope := `{"domain":{"name":"` + DefaultAgencyDomainName + `"}}`
	cases := []struct {
		name, fields, scope string
		caller              string // "aksk", "token" or "none"
		status              int
		code, msg           string
	}{
		{"provider's call, project", provider, projectScope, "aksk", http.StatusCreated, "", ""},
		{"provider's call, domain", provider, domainScope, "aksk", http.StatusCreated, "", ""},
		{"by token", provider, projectScope, "token", http.StatusCreated, "", ""},
		{"agency_name and domain_id", `"domain_id":"` + DefaultAgencyDomainID + `","agency_name":"` + DefaultAgencyName + `"`, `{"project":{"id":"` + DefaultProjectID + `"}}`, "aksk", http.StatusCreated, "", ""},
		{"no caller", provider, projectScope, "none", http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: no credentials: send an SDK-HMAC-SHA256 Authorization header or X-Auth-Token"},
		{"unknown agency", `"domain_name":"` + DefaultAgencyDomainName + `","xrole_name":"nobody"`, projectScope, "aksk", http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "nobody" of that domain, or it does not exist.`},
		{"unknown domain", `"domain_name":"nowhere","xrole_name":"` + DefaultAgencyName + `"`, projectScope, "aksk", http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "emulator-agency" of that domain, or it does not exist.`},
		{"scoped to the account's domain", provider, `{"domain":{"name":"` + defaultCredentials.DomainName + `"}}`, "aksk", http.StatusBadRequest, "", "The domain in auth.scope is not the domain of the credentials."},
		{"no agency name", `"domain_name":"` + DefaultAgencyDomainName + `"`, projectScope, "aksk", http.StatusBadRequest, "", "auth.identity.assume_role.agency_name is required."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddInstance(DefaultProjectID, testInstance)
			body := agencyTokenBody(tc.fields, tc.scope)
			var r *http.Request
			switch tc.caller {
			case "aksk":
				r = permanentKeys.post(t, "/v3/auth/tokens", body)
			case "token":
				r = withToken(http.MethodPost, "/v3/auth/tokens", body, e.IssueToken(DefaultProjectID))
			default:
				r = httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body))
			}
			rec := serve(e, r)
			switch {
			case tc.code == "APIGW.0301":
				wantAPIGW401(t, rec, strings.TrimPrefix(tc.msg, "Incorrect IAM authentication information: "))
				return
			case tc.code != "":
				wantIAMCodeError(t, rec, tc.status, tc.code, tc.msg)
				return
			case tc.status != http.StatusCreated:
				wantIAMError(t, rec, tc.status, tc.msg)
				return
			}
			wantStatus(t, rec, http.StatusCreated)
			b := decode[tokenResponse](t, bytes.NewReader(rec.Body.Bytes()))
			if b.Token.User.Name != DefaultAgencyDomainName+"/"+DefaultAgencyName || b.Token.User.Domain != agency ||
				!slices.Equal(b.Token.Methods, []string{"assume_role"}) || b.Token.ExpiresAt != "2026-01-03T03:04:05.000000Z" {
				t.Fatalf("agency token %s", rec.Body.String())
			}
			tok := rec.Header().Get("X-Subject-Token")
			dom := decode[struct {
				Domains []domainJSON `json:"domains"`
			}](t, serve(e, withToken(http.MethodGet, "/v3/auth/domains", "", tok)).Body)
			if len(dom.Domains) != 1 || dom.Domains[0].ID != DefaultAgencyDomainID || dom.Domains[0].Name != DefaultAgencyDomainName {
				t.Fatalf("the agency token's domains: %+v", dom)
			}
			if tc.scope == domainScope {
				if b.Token.Project != nil || b.Token.Domain == nil || *b.Token.Domain != agency {
					t.Fatalf("domain-scoped agency token %s", rec.Body.String())
				}
				wantStatus(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), http.StatusForbidden)
				return
			}
			if b.Token.Project == nil || b.Token.Project.ID != DefaultProjectID || b.Token.Project.Domain != agency {
				t.Fatalf("project-scoped agency token %s", rec.Body.String())
			}
			// The delegating domain's projects are the account's data.
			wantStatus(t, serve(e, withToken(http.MethodGet, tasksPath, "", tok)), http.StatusOK)
		})
	}
}

func TestDomains(t *testing.T) {
	e := newTestEmulator(t)
	ak, sk, tok, _ := e.issueKeys(agencyIdentity(e.cfg.Agencies[0]), time.Hour)
	account := `{"domains":[{"id":"d0d1d2d3d4d5d6d7d8d9dadbdcdddedf","name":"emulator-domain","enabled":true,"description":""}],"links":{"next":null,"previous":null,"self":"http://example.com/v3/auth/domains"}}`
	delegating := `{"domains":[{"id":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf","name":"emulator-delegating-domain","enabled":true,"description":""}],"links":{"next":null,"previous":null,"self":"http://example.com/v3/auth/domains"}}`
	cases := []struct {
		name string
		r    *http.Request
		want string
	}{
		{"permanent keys", permanentKeys.get(t, "/v3/auth/domains"), account},
		{"static temporary keys", staticTempKeys.get(t, "/v3/auth/domains"), account},
		{"project token", withToken(http.MethodGet, "/v3/auth/domains", "", e.IssueToken(DefaultProjectID)), account},
		{"domain token", withToken(http.MethodGet, "/v3/auth/domains", "", e.IssueDomainToken()), account},
		{"agency keys", keySet{ak, sk, tok}.get(t, "/v3/auth/domains"), delegating},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(e, tc.r)
			wantStatus(t, rec, http.StatusOK)
			if rec.Body.String() != tc.want {
				t.Fatalf("body\n%s\nwant\n%s", rec.Body.String(), tc.want)
			}
			if rec.Header().Get("X-IAM-Trace-Id") == "" {
				t.Fatal("no X-IAM-Trace-Id")
			}
		})
	}
	t.Run("unauthenticated", func(t *testing.T) {
		wantAPIGW401(t, serve(e, httptest.NewRequest(http.MethodGet, "/v3/auth/domains", nil)),
			"no credentials: send an SDK-HMAC-SHA256 Authorization header or X-Auth-Token")
	})
	t.Run("POST", func(t *testing.T) {
		rec := serve(e, permanentKeys.post(t, "/v3/auth/domains", `{}`))
		wantError(t, rec, http.StatusMethodNotAllowed, "APIGW.0101")
		if rec.Header().Get("Allow") != http.MethodGet {
			t.Fatalf("Allow %q", rec.Header().Get("Allow"))
		}
	})
	if n := e.Count(RouteDomains); n != len(cases)+1 {
		t.Fatalf("Count(iam.domains) = %d, want %d", n, len(cases)+1)
	}
}

func TestSecurityTokensAssumeRole(t *testing.T) {
	agency := `"agency_name":"` + DefaultAgencyName + `","domain_name":"` + DefaultAgencyDomainName + `"`
	cases := []struct {
		name, body string
		lifetime   time.Duration // of the keys, for a 201
		status     int
		code, msg  string
	}{
		{"default duration", assumeRoleBody(agency), 900 * time.Second, http.StatusCreated, "", ""},
		{"the SDK's body", assumeRoleBody(agency + `,"duration_seconds":3600,"session_user":{"name":"tester"}`), time.Hour, http.StatusCreated, "", ""},
		{"the official provider's duration", assumeRoleBody(agency + `,"duration_seconds":43200`), 12 * time.Hour, http.StatusCreated, "", ""},
		{"the shortest", assumeRoleBody(agency + `,"duration_seconds":900`), 900 * time.Second, http.StatusCreated, "", ""},
		{"the longest", assumeRoleBody(agency + `,"duration_seconds":86400`), 24 * time.Hour, http.StatusCreated, "", ""},
		{"xrole_name", assumeRoleBody(`"xrole_name":"` + DefaultAgencyName + `","domain_name":"` + DefaultAgencyDomainName + `"`), 900 * time.Second, http.StatusCreated, "", ""},
		{"agency_name wins over xrole_name", assumeRoleBody(agency + `,"xrole_name":"nobody"`), 900 * time.Second, http.StatusCreated, "", ""},
		{"domain_id", assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `","domain_id":"` + DefaultAgencyDomainID + `"`), 900 * time.Second, http.StatusCreated, "", ""},
		{"domain_id and domain_name", assumeRoleBody(agency + `,"domain_id":"` + DefaultAgencyDomainID + `"`), 900 * time.Second, http.StatusCreated, "", ""},
		{"with a policy", `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{` + agency + `},"policy":{"Version":"1.1","Statement":[]}}}}`, 900 * time.Second, http.StatusCreated, "", ""},
		{"too short", assumeRoleBody(agency + `,"duration_seconds":899`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.duration_seconds must be from 900 to 86400, got 899."},
		{"too long", assumeRoleBody(agency + `,"duration_seconds":86401`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.duration_seconds must be from 900 to 86400, got 86401."},
		{"zero", assumeRoleBody(agency + `,"duration_seconds":0`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.duration_seconds must be from 900 to 86400, got 0."},
		{"unknown agency", assumeRoleBody(`"agency_name":"nobody","domain_name":"` + DefaultAgencyDomainName + `"`), 0, http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "nobody" of that domain, or it does not exist.`},
		{"unknown domain name", assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `","domain_name":"nowhere"`), 0, http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "emulator-agency" of that domain, or it does not exist.`},
		{"unknown domain ID", assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `","domain_id":"` + DomainID + `"`), 0, http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "emulator-agency" of that domain, or it does not exist.`},
		{"domain ID and name disagree", assumeRoleBody(agency + `,"domain_id":"` + DomainID + `"`), 0, http.StatusForbidden, iamForbidden, `You are not authorized to assume the agency "emulator-agency" of that domain, or it does not exist.`},
		{"a bad duration before an unknown agency", assumeRoleBody(`"agency_name":"nobody","domain_name":"nowhere","duration_seconds":1`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.duration_seconds must be from 900 to 86400, got 1."},
		{"no agency name", assumeRoleBody(`"domain_name":"` + DefaultAgencyDomainName + `"`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.agency_name is required."},
		{"no domain", assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `"`), 0, http.StatusBadRequest, "", "auth.identity.assume_role.domain_name or domain_id is required."},
		{"no assume_role", `{"auth":{"identity":{"methods":["assume_role"]}}}`, 0, http.StatusBadRequest, "", "The assume_role method needs auth.identity.assume_role."},
		{"the password method", passwordBody(`{"domain":{"name":"x"}}`), 0, http.StatusBadRequest, "", `auth.identity.methods must be ["assume_role"] or ["token"].`},
		{"not JSON", `auth`, 0, http.StatusBadRequest, "", "The request body is not valid JSON."},
		{"a string duration", assumeRoleBody(agency + `,"duration_seconds":"900"`), 0, http.StatusBadRequest, "", "The request body is not valid JSON."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddInstance(DefaultProjectID, testInstance)
			rec := serve(e, permanentKeys.request(t, http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens", tc.body, testNow, false, nil,
				map[string]string{"X-Domain-Id": DomainID}))
			if rec.Header().Get("X-IAM-Trace-Id") == "" {
				t.Fatal("no X-IAM-Trace-Id")
			}
			switch {
			case tc.code != "":
				wantIAMCodeError(t, rec, tc.status, tc.code, tc.msg)
				return
			case tc.status != http.StatusCreated:
				wantIAMError(t, rec, tc.status, tc.msg)
				return
			}
			k := wantCredential(t, rec, http.StatusCreated, testNow.Add(tc.lifetime))
			wantNoSecrets(t, "credential", rec.Body.String())
			// The agency's keys reach the account's data, with their token
			// only, in the delegating domain.
			wantStatus(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", testNow, false, nil,
				map[string]string{"X-Project-Id": DefaultProjectID, "X-Domain-Id": DefaultAgencyDomainID})), http.StatusOK)
			wantAPIGW401(t, serve(e, keySet{k.ak, k.sk, ""}.get(t, tasksPath)), "a temporary access key needs X-Security-Token")
			wantAPIGW401(t, serve(e, keySet{k.ak, k.sk, staticTempKeys.token}.get(t, tasksPath)), "invalid security token")
			if got := serve(e, k.get(t, "/v3/auth/domains")).Body.String(); !strings.Contains(got, `"id":"`+DefaultAgencyDomainID+`"`) {
				t.Fatalf("the agency keys' domains: %s", got)
			}
		})
	}
	if n := newTestEmulator(t).Count(RouteSecurityTokens); n != 0 {
		t.Fatalf("a new emulator counted %d", n)
	}
}

// TestSecurityTokensCallers: who may call securitytokens, and how.
func TestSecurityTokensCallers(t *testing.T) {
	e := newTestEmulator(t)
	const path = "/v3.0/OS-CREDENTIAL/securitytokens"
	body := assumeRoleBody(`"agency_name":"` + DefaultAgencyName + `","domain_name":"` + DefaultAgencyDomainName + `"`)
	ak, sk, tok, _ := e.IssueTemporaryKeys()
	issued := keySet{ak, sk, tok}
	meta := wantCredential(t, serve(e, httptest.NewRequest(http.MethodGet, "/openstack/latest/securitykey", nil)), http.StatusOK, testNow.Add(time.Hour))
	bad := permanentKeys.post(t, path, body)
	bad.Header.Set("Authorization", bad.Header.Get("Authorization")+"0")
	cases := []struct {
		name string
		r    *http.Request
		why  string // a 401's reason; "" for a 201
	}{
		{"permanent keys", permanentKeys.post(t, path, body), ""},
		{"static temporary keys", staticTempKeys.post(t, path, body), ""},
		{"issued temporary keys, token unsigned", issued.request(t, http.MethodPost, path, body, testNow, false, nil, nil), ""},
		{"metadata keys, as the SDK with X-Domain-Id", meta.request(t, http.MethodPost, path, body, testNow, true, map[string]string{"X-Domain-Id": DomainID}, nil), ""},
		{"project token", withToken(http.MethodPost, path, body, e.IssueToken(DefaultProjectID)), ""},
		{"domain token", withToken(http.MethodPost, path, body, e.IssueDomainToken()), ""},
		{"no credentials", httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)), "no credentials: send an SDK-HMAC-SHA256 Authorization header or X-Auth-Token"},
		{"a bad signature", bad, "signature mismatch"},
		{"an unknown token", withToken(http.MethodPost, path, body, "MIInot-a-token"), "unknown token"},
		{"another domain in X-Domain-Id", permanentKeys.request(t, http.MethodPost, path, body, testNow, false, nil, map[string]string{"X-Domain-Id": DefaultAgencyDomainID}), "X-Domain-Id is not the domain of the access key"},
		{"agency keys chaining, with their domain", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			if r == nil {
				first := wantCredential(t, serve(e, permanentKeys.post(t, path, body)), http.StatusCreated, testNow.Add(15*time.Minute))
				r = first.request(t, http.MethodPost, path, body, testNow, false, nil, map[string]string{"X-Domain-Id": DefaultAgencyDomainID})
			}
			rec := serve(e, r)
			if tc.why != "" {
				wantAPIGW401(t, rec, tc.why)
				return
			}
			wantCredential(t, rec, http.StatusCreated, testNow.Add(15*time.Minute))
		})
	}
}

func TestSecurityTokensTokenMethod(t *testing.T) {
	const path = "/v3.0/OS-CREDENTIAL/securitytokens"
	body := func(token, duration string) string {
		tok := `{"id":"` + token + `"` + duration + `}`
		if token == "" {
			tok = `{` + strings.TrimPrefix(duration, ",") + `}`
		}
		return `{"auth":{"identity":{"methods":["token"],"token":` + tok + `}}}`
	}
	cases := []struct {
		name           string
		header, inBody string // "valid", "revoked", "bogus" or ""
		signed         bool   // the call is also AK/SK-signed
		duration       string
		lifetime       time.Duration
		status         int
		why            string // a 401 APIGW.0301's reason
		msg            string // IAM's message
	}{
		{"body token alone", "", "valid", false, "", 15 * time.Minute, http.StatusCreated, "", ""},
		{"header alone", "valid", "", false, "", 15 * time.Minute, http.StatusCreated, "", ""},
		{"header wins over a bogus body token", "valid", "bogus", false, "", 15 * time.Minute, http.StatusCreated, "", ""},
		{"a bogus header wins over a valid body token", "bogus", "valid", false, "", 0, http.StatusUnauthorized, "unknown token", ""},
		{"a bogus body token alone", "", "bogus", false, "", 0, http.StatusUnauthorized, "unknown token", ""},
		{"a revoked body token", "", "revoked", false, "", 0, http.StatusUnauthorized, "the token has been revoked", ""},
		{"signed, with a body token", "", "valid", true, "", 15 * time.Minute, http.StatusCreated, "", ""},
		{"signed, with a bogus body token", "", "bogus", true, "", 0, http.StatusUnauthorized, "", "The token of the token method is not valid: unknown token."},
		{"signed, no token", "", "", true, "", 0, http.StatusBadRequest, "", "The token method needs an X-Auth-Token header or auth.identity.token.id."},
		{"a duration", "valid", "", false, `,"duration_seconds":1200`, 20 * time.Minute, http.StatusCreated, "", ""},
		{"a duration too short", "valid", "", false, `,"duration_seconds":100`, 0, http.StatusBadRequest, "", "auth.identity.token.duration_seconds must be from 900 to 86400, got 100."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			e.AddInstance(DefaultProjectID, testInstance)
			tokens := map[string]string{"": "", "bogus": "MIInot-a-token", "revoked": e.IssueToken(DefaultProjectID)}
			e.RevokeTokens()
			tokens["valid"] = e.IssueDomainToken()
			b := body(tokens[tc.inBody], tc.duration)
			var r *http.Request
			if tc.signed {
				r = permanentKeys.post(t, path, b)
			} else {
				r = httptest.NewRequest(http.MethodPost, path, strings.NewReader(b))
			}
			if tc.header != "" {
				r.Header.Set("X-Auth-Token", tokens[tc.header])
			}
			rec := serve(e, r)
			switch {
			case tc.why != "":
				wantAPIGW401(t, rec, tc.why)
				return
			case tc.status != http.StatusCreated:
				wantIAMError(t, rec, tc.status, tc.msg)
				return
			}
			k := wantCredential(t, rec, http.StatusCreated, testNow.Add(tc.lifetime))
			wantStatus(t, serve(e, k.get(t, tasksPath)), http.StatusOK)
		})
	}
}
