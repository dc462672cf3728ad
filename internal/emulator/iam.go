package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// iamTimeFormat is how IAM writes token times: UTC with microseconds.
const iamTimeFormat = "2006-01-02T15:04:05.000000Z"

type projectJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DomainID    string `json:"domain_id"`
	Enabled     bool   `json:"enabled"`
	IsDomain    bool   `json:"is_domain"`
	ParentID    string `json:"parent_id"`
	Description string `json:"description"`
}

// handleProjects answers GET /v3/projects. With ?name= it lists the
// project of that region, or none; without it, every project of the
// account, as IAM lists all the projects a user may see. The projects of
// an agency's delegating domain are the account's own (the emulator keeps
// one set of data), with the delegating domain's ID.
func (e *Emulator) handleProjects(w http.ResponseWriter, c *call) {
	name, filtered := c.r.URL.Query()["name"]
	domain := cmp.Or(c.who.id.domain.ID, DomainID)
	e.mu.Lock()
	list := []projectJSON{}
	for region, id := range e.projects {
		if filtered && region != name[0] {
			continue
		}
		list = append(list, projectJSON{ID: id, Name: region, DomainID: domain, Enabled: true, ParentID: domain})
	}
	e.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	writeJSON(w, http.StatusOK, map[string]any{
		"projects": list,
		"links":    map[string]any{"self": "/v3/projects", "previous": nil, "next": nil},
	})
}

type domainJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
}

// handleDomains answers GET /v3/auth/domains: the one domain the
// credentials act in, the account's or, for an agency's keys or tokens,
// the delegating domain's. The SDK takes domains[0].id as X-Domain-Id.
func (e *Emulator) handleDomains(w http.ResponseWriter, c *call) {
	d := c.who.id.domain
	if d.ID == "" {
		d = e.accountIdentity().domain
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"domains": []domainJSON{{ID: d.ID, Name: d.Name, Enabled: true}},
		"links":   map[string]any{"self": scheme + "://" + c.r.Host + "/v3/auth/domains", "previous": nil, "next": nil},
	})
}

// iamErrorBody is IAM's Keystone-style error; its code is a number.
type iamErrorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Title   string `json:"title"`
	} `json:"error"`
}

func writeIAMError(w http.ResponseWriter, status int, msg string) {
	var b iamErrorBody
	b.Error.Code, b.Error.Message, b.Error.Title = status, msg, http.StatusText(status)
	writeJSON(w, status, b)
}

// iamCodeErrorBody is IAM's error with one of its own codes, such as
// IAM.0002: the Keystone shape with a string code, one of the shapes
// API.md lists.
type iamCodeErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Title   string `json:"title"`
	} `json:"error"`
}

// IAM error codes of the agency calls, from IAM's error table.
const (
	iamForbidden = "IAM.0002"
)

func writeIAMCodeError(w http.ResponseWriter, status int, code, msg string) {
	var b iamCodeErrorBody
	b.Error.Code, b.Error.Message, b.Error.Title = code, msg, http.StatusText(status)
	writeJSON(w, status, b)
}

// scopeRef names a domain by ID or name.
type scopeRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// matches reports whether r names d: by ID, by name, or by both, which
// must then agree.
func (r scopeRef) matches(d idName) bool {
	return (r.ID != "" || r.Name != "") && (r.ID == "" || r.ID == d.ID) && (r.Name == "" || r.Name == d.Name)
}

// assumeRoleIdentity is the assume_role method of IAM's identity document,
// as securitytokens and tokens take it.
type assumeRoleIdentity struct {
	AgencyName string `json:"agency_name"`
	// XroleName is what the documented examples (and the tokens call of
	// the official provider) write for agency_name.
	XroleName       string `json:"xrole_name"`
	DomainName      string `json:"domain_name"`
	DomainID        string `json:"domain_id"`
	DurationSeconds *int64 `json:"duration_seconds"`
	SessionUser     *struct {
		Name string `json:"name"`
	} `json:"session_user"`
}

// identityDoc is auth.identity of IAM's tokens and securitytokens calls.
type identityDoc struct {
	Methods  []string `json:"methods"`
	Password *struct {
		User struct {
			Name     string `json:"name"`
			Password string `json:"password"`
			Domain   struct {
				Name string `json:"name"`
			} `json:"domain"`
		} `json:"user"`
	} `json:"password"`
	Token *struct {
		ID              string `json:"id"`
		DurationSeconds *int64 `json:"duration_seconds"`
	} `json:"token"`
	AssumeRole *assumeRoleIdentity `json:"assume_role"`
	// Policy narrows the permissions of temporary keys; the emulator
	// enforces no permissions, so it only accepts it.
	Policy json.RawMessage `json:"policy"`
}

// tokenOfTokenMethod is the token the token method presents: X-Auth-Token,
// which wins, or auth.identity.token.id. It must be one the emulator issued
// and still valid. missing is the route's message when there is none.
func (e *Emulator) tokenOfTokenMethod(c *call, id identityDoc, missing string) (issuedToken, *iamFailure) {
	tok := c.r.Header.Get("X-Auth-Token")
	if tok == "" && id.Token != nil {
		tok = id.Token.ID
	}
	if tok == "" {
		return issuedToken{}, &iamFailure{status: http.StatusBadRequest, msg: missing}
	}
	t, err := e.lookupToken(tok)
	if err != nil {
		return issuedToken{}, &iamFailure{status: http.StatusUnauthorized, msg: "The token of the token method is not valid: " + err.Error() + "."}
	}
	return t, nil
}

// oneMethod returns the identity's method when it is exactly one of known.
// IAM takes a list so that methods can be combined (a password with a
// one-time code); the emulator takes one at a time.
func oneMethod(methods []string, known ...string) (string, bool) {
	if len(methods) != 1 || !slices.Contains(known, methods[0]) {
		return "", false
	}
	return methods[0], true
}

type tokenRequest struct {
	Auth struct {
		Identity identityDoc `json:"identity"`
		Scope    *struct {
			Project *struct {
				ID     string    `json:"id"`
				Name   string    `json:"name"`
				Domain *scopeRef `json:"domain"`
			} `json:"project"`
			Domain *scopeRef `json:"domain"`
		} `json:"scope"`
	} `json:"auth"`
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type tokenProject struct {
	Domain idName `json:"domain"`
	idName
}

type tokenResponse struct {
	Token struct {
		ExpiresAt string        `json:"expires_at"`
		IssuedAt  string        `json:"issued_at"`
		Methods   []string      `json:"methods"`
		Project   *tokenProject `json:"project,omitempty"`
		Domain    *idName       `json:"domain,omitempty"`
		User      struct {
			Domain idName `json:"domain"`
			idName
			PasswordExpiresAt string `json:"password_expires_at"`
		} `json:"user"`
		Roles []idName `json:"roles"`
		// Catalog is [] unless ?nocatalog=true drops it.
		Catalog json.RawMessage `json:"catalog,omitempty"`
	} `json:"token"`
}

// iamFailure is an IAM error to answer: Keystone's numeric body when code
// is empty, IAM's coded body otherwise.
type iamFailure struct {
	status    int
	code, msg string
}

func (f *iamFailure) write(w http.ResponseWriter) {
	if f.code == "" {
		writeIAMError(w, f.status, f.msg)
		return
	}
	writeIAMCodeError(w, f.status, f.code, f.msg)
}

func badRequest(msg string) *iamFailure { return &iamFailure{status: http.StatusBadRequest, msg: msg} }

// handleTokens answers POST /v3/auth/tokens with the password, token or
// assume_role method, scoped to a project or to a domain.
//
// Choices where the documents are silent: one method at a time; a scope
// is required (every caller in the documents sends one); an unknown
// project, or a domain other than the identity's, gets 400, as IAM rejects
// a scope it cannot resolve as a bad request; the credentials are checked
// before the scope, so a wrong password never reveals which projects
// exist. The token method takes X-Auth-Token over token.id, and the new
// token expires when the old one does, as Keystone's rescoping does, so
// that a token cannot extend its own life. assume_role needs a signed or
// token-carrying caller (checked before routing); its token acts in the
// agency's delegating domain, whose projects are the account's own, as
// the emulator keeps one set of data.
func (e *Emulator) handleTokens(w http.ResponseWriter, c *call) {
	var req tokenRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		writeIAMError(w, http.StatusBadRequest, "The request body is not valid JSON.")
		return
	}
	id := req.Auth.Identity
	method, ok := oneMethod(id.Methods, "password", "token", "assume_role")
	if !ok {
		writeIAMError(w, http.StatusBadRequest, `auth.identity.methods must be ["password"], ["token"] or ["assume_role"].`)
		return
	}
	now := e.cfg.Now()
	expires := now.Add(e.cfg.TokenTTL)
	var who identity
	switch method {
	case "password":
		if id.Password == nil {
			writeIAMError(w, http.StatusBadRequest, "The password method needs auth.identity.password.")
			return
		}
		u := id.Password.User
		cred := e.cfg.Credentials
		if u.Name != cred.UserName || u.Password != cred.Password || u.Domain.Name != cred.DomainName {
			writeIAMError(w, http.StatusUnauthorized, "The username or password is wrong.")
			return
		}
		who = e.accountIdentity()
	case "token":
		t, f := e.tokenOfTokenMethod(c, id, "The token method needs auth.identity.token.id or an X-Auth-Token header.")
		if f != nil {
			f.write(w)
			return
		}
		who, expires = t.id, t.expires
	case "assume_role":
		a, f := e.agencyFor(id.AssumeRole)
		if f != nil {
			f.write(w)
			return
		}
		who = agencyIdentity(a)
	}
	project, region, f := e.tokenScope(req, who)
	if f != nil {
		f.write(w)
		return
	}

	tok := e.issueToken(issuedToken{project: project, domainScoped: project == "", id: who, expires: expires})
	var resp tokenResponse
	rt := &resp.Token
	rt.ExpiresAt = expires.UTC().Format(iamTimeFormat)
	rt.IssuedAt = now.UTC().Format(iamTimeFormat)
	rt.Methods = []string{method}
	if project != "" {
		rt.Project = &tokenProject{Domain: who.domain, idName: idName{project, region}}
	} else {
		rt.Domain = &who.domain
	}
	rt.User.Domain = who.domain
	rt.User.idName = who.user
	rt.Roles = []idName{{"0123456789abcdef0123456789abcdef", "te_admin"}}
	if c.r.URL.Query().Get("nocatalog") != "true" {
		rt.Catalog = json.RawMessage(`[]`)
	}
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, resp)
}

// tokenScope resolves the scope of a token request for who: a project
// (with its region) or, when project is "", who's domain.
func (e *Emulator) tokenScope(req tokenRequest, who identity) (project, region string, f *iamFailure) {
	sc := req.Auth.Scope
	switch {
	case sc == nil || sc.Project == nil && sc.Domain == nil:
		return "", "", badRequest("auth.scope.project or auth.scope.domain is required.")
	case sc.Project != nil && sc.Domain != nil:
		return "", "", badRequest("auth.scope takes a project or a domain, not both.")
	case sc.Domain != nil:
		if !sc.Domain.matches(who.domain) {
			return "", "", badRequest("The domain in auth.scope is not the domain of the credentials.")
		}
		return "", "", nil
	}
	p := sc.Project
	if p.ID == "" && p.Name == "" {
		return "", "", badRequest("auth.scope.project.id or auth.scope.project.name is required.")
	}
	notFound := badRequest("The project in auth.scope does not exist in this account.")
	// A project named in another domain is, for the identity, a project
	// that does not exist.
	if p.Domain != nil && !p.Domain.matches(who.domain) {
		return "", "", notFound
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.ID != "" {
		if region, ok := e.accountProjectLocked(p.ID); ok && (p.Name == "" || p.Name == region) {
			return p.ID, region, nil
		}
		return "", "", notFound
	}
	if pid, ok := e.projects[p.Name]; ok {
		return pid, p.Name, nil
	}
	return "", "", notFound
}

// agencyFor finds the agency an assume_role identity names.
//
// agency_name wins over xrole_name when both are given. An agency or a
// delegating domain that is not configured gets 403 IAM.0002, not 404
// IAM.0004: the delegating domain is another account, and telling "no
// such agency" from "not yours to assume" would let anyone list another
// account's agencies, which is why AWS's STS answers AccessDenied for a
// role that does not exist. Which one IAM sends is unconfirmed.
func (e *Emulator) agencyFor(ar *assumeRoleIdentity) (Agency, *iamFailure) {
	if ar == nil {
		return Agency{}, badRequest("The assume_role method needs auth.identity.assume_role.")
	}
	name := cmp.Or(ar.AgencyName, ar.XroleName)
	if name == "" {
		return Agency{}, badRequest("auth.identity.assume_role.agency_name is required.")
	}
	if ar.DomainName == "" && ar.DomainID == "" {
		return Agency{}, badRequest("auth.identity.assume_role.domain_name or domain_id is required.")
	}
	ref := scopeRef{ID: ar.DomainID, Name: ar.DomainName}
	for _, a := range e.cfg.Agencies {
		if a.Name == name && ref.matches(idName{a.DomainID, a.DomainName}) {
			return a, nil
		}
	}
	return Agency{}, &iamFailure{http.StatusForbidden, iamForbidden,
		"You are not authorized to assume the agency " + strconv.Quote(name) + " of that domain, or it does not exist."}
}

// Bounds of duration_seconds in securitytokens, from IAM's reference.
const (
	minKeyDuration = 900
	maxKeyDuration = 86400
)

// credentialJSON is temporary keys as IAM's securitytokens and the ECS
// metadata service send them.
type credentialJSON struct {
	Access        string `json:"access"`
	Secret        string `json:"secret"`
	SecurityToken string `json:"securitytoken"`
	ExpiresAt     string `json:"expires_at"`
}

func newCredential(ak, sk, token string, expires time.Time) map[string]credentialJSON {
	return map[string]credentialJSON{"credential": {ak, sk, token, expires.UTC().Format(iamTimeFormat)}}
}

// handleSecurityTokens answers POST /v3.0/OS-CREDENTIAL/securitytokens:
// temporary keys for an agency (assume_role) or for a token's identity
// (token), with a 201.
//
// The caller was authenticated before routing, by signature or token (or,
// for the token method, by token.id alone). The keys' lifetime is
// duration_seconds, 900 to 86400 (default 900), or Config.TemporaryKeyTTL
// when set; the token method does not cap it at the token's expiry, since
// IAM's reference bounds it by the range alone. Agency keys act in the
// delegating domain, whose projects are the account's own, as the
// emulator keeps one set of data.
func (e *Emulator) handleSecurityTokens(w http.ResponseWriter, c *call) {
	var req struct {
		Auth struct {
			Identity identityDoc `json:"identity"`
		} `json:"auth"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		writeIAMError(w, http.StatusBadRequest, "The request body is not valid JSON.")
		return
	}
	id := req.Auth.Identity
	method, ok := oneMethod(id.Methods, "assume_role", "token")
	if !ok {
		writeIAMError(w, http.StatusBadRequest, `auth.identity.methods must be ["assume_role"] or ["token"].`)
		return
	}
	var who identity
	var duration *int64
	var field string
	switch method {
	case "assume_role":
		if id.AssumeRole != nil {
			duration, field = id.AssumeRole.DurationSeconds, "auth.identity.assume_role.duration_seconds"
		}
	case "token":
		if id.Token != nil {
			duration, field = id.Token.DurationSeconds, "auth.identity.token.duration_seconds"
		}
	}
	lifetime := time.Duration(minKeyDuration) * time.Second
	if duration != nil {
		if *duration < minKeyDuration || *duration > maxKeyDuration {
			writeIAMError(w, http.StatusBadRequest, fmt.Sprintf("%s must be from %d to %d, got %d.", field, minKeyDuration, maxKeyDuration, *duration))
			return
		}
		lifetime = time.Duration(*duration) * time.Second
	}
	switch method {
	case "assume_role":
		a, f := e.agencyFor(id.AssumeRole)
		if f != nil {
			f.write(w)
			return
		}
		who = agencyIdentity(a)
	case "token":
		t, f := e.tokenOfTokenMethod(c, id, "The token method needs an X-Auth-Token header or auth.identity.token.id.")
		if f != nil {
			f.write(w)
			return
		}
		who = t.id
	}
	ak, sk, token, expires := e.issueKeys(who, lifetime)
	writeJSON(w, http.StatusCreated, newCredential(ak, sk, token, expires))
}
