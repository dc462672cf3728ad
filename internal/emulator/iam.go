package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
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
// account, as IAM lists all the projects a user may see.
func (e *Emulator) handleProjects(w http.ResponseWriter, c *call) {
	name, filtered := c.r.URL.Query()["name"]
	e.mu.Lock()
	list := []projectJSON{}
	for region, id := range e.projects {
		if filtered && region != name[0] {
			continue
		}
		list = append(list, projectJSON{ID: id, Name: region, DomainID: DomainID, Enabled: true, ParentID: DomainID})
	}
	e.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	writeJSON(w, http.StatusOK, map[string]any{
		"projects": list,
		"links":    map[string]any{"self": "/v3/projects", "previous": nil, "next": nil},
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

type tokenRequest struct {
	Auth struct {
		Identity struct {
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
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type tokenResponse struct {
	Token struct {
		ExpiresAt string   `json:"expires_at"`
		IssuedAt  string   `json:"issued_at"`
		Methods   []string `json:"methods"`
		Project   struct {
			Domain idName `json:"domain"`
			idName
		} `json:"project"`
		User struct {
			Domain idName `json:"domain"`
			idName
			PasswordExpiresAt string `json:"password_expires_at"`
		} `json:"user"`
		Roles   []idName `json:"roles"`
		Catalog []any    `json:"catalog"`
	} `json:"token"`
}

// handleTokens answers POST /v3/auth/tokens with the password method.
//
// Choices where the documents are silent: only the password method is
// emulated; the token must be scoped to a project (by ID or by name, the
// name being the region), since every emulated service is project-scoped;
// an unknown project gets 400, as IAM rejects a scope it cannot resolve as
// a bad request; the credentials are checked before the scope, so a wrong
// password never reveals which projects exist.
func (e *Emulator) handleTokens(w http.ResponseWriter, c *call) {
	var req tokenRequest
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(&req); err != nil {
		writeIAMError(w, http.StatusBadRequest, "The request body is not valid JSON.")
		return
	}
	id := req.Auth.Identity
	if !slices.Contains(id.Methods, "password") || id.Password == nil {
		writeIAMError(w, http.StatusBadRequest, "The emulator supports only the password method: auth.identity.methods must be [\"password\"] with auth.identity.password.")
		return
	}
	u := id.Password.User
	cred := e.cfg.Credentials
	if u.Name != cred.UserName || u.Password != cred.Password || u.Domain.Name != cred.DomainName {
		writeIAMError(w, http.StatusUnauthorized, "The username or password is wrong.")
		return
	}
	sc := req.Auth.Scope
	if sc == nil || sc.Project == nil || (sc.Project.ID == "" && sc.Project.Name == "") {
		writeIAMError(w, http.StatusBadRequest, "auth.scope.project.id or auth.scope.project.name is required.")
		return
	}
	e.mu.Lock()
	var projectID, region string
	if sc.Project.ID != "" {
		var ok bool
		if region, ok = e.accountProjectLocked(sc.Project.ID); ok {
			projectID = sc.Project.ID
		}
	} else if pid, ok := e.projects[sc.Project.Name]; ok {
		projectID, region = pid, sc.Project.Name
	}
	e.mu.Unlock()
	if projectID == "" {
		writeIAMError(w, http.StatusBadRequest, "The project in auth.scope does not exist in this account.")
		return
	}

	tok, t := e.issueToken(projectID)
	var resp tokenResponse
	rt := &resp.Token
	rt.ExpiresAt = t.expires.UTC().Format(iamTimeFormat)
	rt.IssuedAt = t.expires.Add(-e.cfg.TokenTTL).UTC().Format(iamTimeFormat)
	rt.Methods = []string{"password"}
	rt.Project.Domain = idName{DomainID, cred.DomainName}
	rt.Project.idName = idName{projectID, region}
	rt.User.Domain = idName{DomainID, cred.DomainName}
	rt.User.idName = idName{UserID, cred.UserName}
	rt.Roles = []idName{{"0123456789abcdef0123456789abcdef", "te_admin"}}
	rt.Catalog = []any{}
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, resp)
}
