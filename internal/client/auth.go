package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tokenRenewBefore is how long before expires_at a password token is
// replaced, so that a long plan never sends one that expires in flight.
const tokenRenewBefore = 10 * time.Minute

type tokenEntry struct {
	value     string
	expires   time.Time
	projectID string
}

// shared runs fn once for all concurrent callers with the same key. The
// shared call does not end when the caller that started it goes (another
// caller may still want its result), but it ends once no caller waits for
// it, and after c.sharedTimeout in any case. Each caller stops waiting at
// once when its own context ends.
func (c *Client) shared(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	return c.flight.do(ctx, key, c.sharedTimeout, fn)
}

// ProjectID returns the project ID of region: the configured one for the
// provider's region, else one looked up through IAM once per region for the
// life of the Client. Concurrent callers share one lookup.
func (c *Client) ProjectID(ctx context.Context, region string) (string, error) {
	if id, ok := c.cachedProject(region); ok {
		return id, nil
	}
	v, err := c.shared(ctx, "project/"+region, func(ctx context.Context) (any, error) {
		if id, ok := c.cachedProject(region); ok {
			return id, nil
		}
		var id string
		var err error
		if c.auth == AuthPassword {
			// A password token is scoped to the region's project, and IAM
			// says which project that is: no separate lookup is needed.
			var t tokenEntry
			if t, err = c.passwordToken(ctx, region, ""); err == nil {
				id = t.projectID
				if id == "" {
					err = fmt.Errorf("the IAM token for region %s names no project", region)
				}
			}
		} else {
			id, err = c.lookupProject(ctx, region)
		}
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		c.projects[region] = id
		c.mu.Unlock()
		return id, nil
	})
	if err != nil {
		return "", err
	}
	id, ok := v.(string)
	if !ok {
		return "", errors.New("project lookup returned no string; this is always a bug in the provider, please report it")
	}
	return id, nil
}

func (c *Client) cachedProject(region string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.projects[region]
	return id, ok && id != ""
}

// ProjectLookupError is a project lookup that did not find exactly one
// project for the region.
type ProjectLookupError struct {
	Region    string
	Found     int
	RequestID string
}

func (e *ProjectLookupError) Error() string {
	msg := fmt.Sprintf("IAM found %d projects named %q in this account; expected exactly one. Check the region, or set project_id", e.Found, e.Region)
	if e.Found == 0 {
		msg = fmt.Sprintf("IAM found no project named %q in this account. Check that the region is right and enabled for the account, or set project_id", e.Region)
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

func (c *Client) lookupProject(ctx context.Context, region string) (string, error) {
	var out struct {
		Projects []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}
	resp, err := c.do(ctx, request{
		service: ServiceIAM, region: region, method: http.MethodGet,
		path: []string{"v3", "projects"}, query: url.Values{"name": {region}},
	}, &out)
	if err != nil {
		return "", fmt.Errorf("looking up the project ID of region %s: %w", region, err)
	}
	if len(out.Projects) != 1 || out.Projects[0].ID == "" {
		return "", &ProjectLookupError{Region: region, Found: len(out.Projects), RequestID: requestID(resp.header)}
	}
	tflog.SubsystemDebug(ctx, logSubsystem, "looked up project ID", map[string]any{"region": region, "project_id": out.Projects[0].ID})
	return out.Projects[0].ID, nil
}

// tokenScope is what a password token is scoped to: a project of a
// region, given by its ID, or, with an empty projectID, the project named
// after the region, which is the region's default project.
type tokenScope struct {
	region    string
	projectID string
}

// passwordToken returns a valid IAM token for projectID in region (for the
// region's default project when projectID is empty), obtaining one with
// the user name and password when there is none or it expires soon. A
// token is scoped to one project, and the APIs refuse it for any other, so
// tokens are kept per project. Concurrent callers share one token request.
func (c *Client) passwordToken(ctx context.Context, region, projectID string) (tokenEntry, error) {
	scope := tokenScope{region: region, projectID: projectID}
	if t, ok := c.cachedToken(scope); ok {
		return t, nil
	}
	// Quoted, so that no region and project can make another pair's key.
	v, err := c.shared(ctx, fmt.Sprintf("token/%q/%q", region, projectID), func(ctx context.Context) (any, error) {
		if t, ok := c.cachedToken(scope); ok {
			return t, nil
		}
		return c.requestToken(ctx, scope)
	})
	if err != nil {
		return tokenEntry{}, err
	}
	t, ok := v.(tokenEntry)
	if !ok {
		return tokenEntry{}, errors.New("token request returned no token; this is always a bug in the provider, please report it")
	}
	return t, nil
}

func (c *Client) cachedToken(scope tokenScope) (tokenEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tokens[scope]
	return t, ok && c.now().Before(t.expires.Add(-tokenRenewBefore))
}

// dropToken forgets a token the API rejected, under whichever scopes hold
// it, unless another caller has already replaced it.
func (c *Client) dropToken(value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for scope, t := range c.tokens {
		if t.value == value {
			delete(c.tokens, scope)
		}
	}
}

type tokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				ID   string `json:"id,omitempty"`
				Name string `json:"name,omitempty"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

func (c *Client) requestToken(ctx context.Context, scope tokenScope) (tokenEntry, error) {
	region := scope.region
	var body tokenRequest
	body.Auth.Identity.Methods = []string{"password"}
	user := &body.Auth.Identity.Password.User
	user.Name, user.Password, user.Domain.Name = c.cfg.UserName, c.cfg.Password, c.cfg.DomainName
	if scope.projectID != "" {
		body.Auth.Scope.Project.ID = scope.projectID
	} else if id, ok := c.cachedProject(region); ok {
		body.Auth.Scope.Project.ID = id
	} else {
		body.Auth.Scope.Project.Name = region
	}

	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			Project   struct {
				ID string `json:"id"`
			} `json:"project"`
		} `json:"token"`
	}
	resp, err := c.do(ctx, request{
		service: ServiceIAM, region: region, method: http.MethodPost,
		path: []string{"v3", "auth", "tokens"}, body: body, noAuth: true,
	}, &out)
	if err != nil {
		where := "region " + region
		if scope.projectID != "" {
			where = "project " + scope.projectID + ", " + where
		}
		return tokenEntry{}, fmt.Errorf("obtaining an IAM token for user %q in domain %q (%s): %w", c.cfg.UserName, c.cfg.DomainName, where, err)
	}
	t := tokenEntry{value: resp.header.Get("X-Subject-Token"), projectID: out.Token.Project.ID}
	if t.value == "" {
		return tokenEntry{}, fmt.Errorf("IAM answered the token request for region %s without an X-Subject-Token header (request id %s)", region, requestID(resp.header))
	}
	expires, err := time.Parse(time.RFC3339Nano, out.Token.ExpiresAt)
	if err != nil {
		// Without a usable expiry, assume far less than IAM's 24 hours, so
		// the token is renewed before it could have expired.
		tflog.SubsystemWarn(ctx, logSubsystem, "IAM token has no readable expires_at; renewing it within the hour", map[string]any{"expires_at": out.Token.ExpiresAt})
		expires = c.now().Add(time.Hour)
	}
	t.expires = expires
	c.secrets.add(t.value)
	c.mu.Lock()
	c.tokens[scope] = t
	if t.projectID != "" {
		// The same token serves requests that name its project by ID.
		c.tokens[tokenScope{region: region, projectID: t.projectID}] = t
		if scope.projectID == "" && c.projects[region] == "" {
			c.projects[region] = t.projectID
		}
	}
	c.mu.Unlock()
	tflog.SubsystemDebug(ctx, logSubsystem, "obtained IAM token", map[string]any{"region": region, "expires_at": expires.Format(time.RFC3339)})
	return t, nil
}
