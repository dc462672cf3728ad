package client

import (
	"context"
	"fmt"
	"net/http"
)

// agencySource names the agency in messages.
func (a *AssumeRole) source() string {
	domain := fmt.Sprintf("domain %q", a.DomainName)
	if a.DomainID != "" {
		domain = "domain ID " + a.DomainID
	}
	return fmt.Sprintf("agency %q of %s", a.AgencyName, domain)
}

type assumeRoleRequest struct {
	Auth struct {
		Identity struct {
			Methods    []string `json:"methods"`
			AssumeRole struct {
				AgencyName      string `json:"agency_name"`
				DomainName      string `json:"domain_name,omitempty"`
				DomainID        string `json:"domain_id,omitempty"`
				DurationSeconds int64  `json:"duration_seconds,omitempty"`
			} `json:"assume_role"`
		} `json:"identity"`
	} `json:"auth"`
}

// assumeRole obtains the agency's temporary keys with the base keys, through
// IAM's POST /v3.0/OS-CREDENTIAL/securitytokens, as the SDK's
// CreateTemporaryAccessKeyByAgency does: signed with the base AK/SK as
// global credentials, with X-Domain-Id.
//
// It sends domain_id when it has one, as IAM's reference advises, and
// domain_name otherwise; it sends duration_seconds only when set, so that
// IAM's default (900 s) applies otherwise. Unlike the official provider,
// which fixes 43200 s, the duration is the user's.
func (c *Client) assumeRole(ctx context.Context) (Keys, error) {
	a := c.cfg.AssumeRole
	domainID, err := c.domainID(ctx)
	if err != nil {
		return Keys{}, &CredentialsError{Source: a.source(), Err: err}
	}
	var body assumeRoleRequest
	body.Auth.Identity.Methods = []string{"assume_role"}
	ar := &body.Auth.Identity.AssumeRole
	ar.AgencyName = a.AgencyName
	if a.DomainID != "" {
		ar.DomainID = a.DomainID
	} else {
		ar.DomainName = a.DomainName
	}
	ar.DurationSeconds = int64(a.Duration.Seconds())

	var out struct {
		Credential credentialJSON `json:"credential"`
	}
	resp, err := c.do(ctx, request{
		service: ServiceIAM, region: c.cfg.Region, method: http.MethodPost,
		path: []string{"v3.0", "OS-CREDENTIAL", "securitytokens"}, body: body,
		domainID: domainID, baseKeys: true,
	}, &out)
	if err != nil {
		return Keys{}, &CredentialsError{Source: a.source(), Err: err}
	}
	k, err := c.keysFromCredential(ctx, out.Credential)
	if err != nil {
		return Keys{}, &CredentialsError{Source: a.source(), Err: fmt.Errorf("%w (request id %s)", err, requestID(resp.header))}
	}
	return k, nil
}

// domainID returns the ID of the account the base keys belong to, for the
// X-Domain-Id of IAM's global calls: the configured one, else the first
// domain of GET /v3/auth/domains, as the SDK finds it, once per Client.
func (c *Client) domainID(ctx context.Context) (string, error) {
	if c.cfg.DomainID != "" {
		return c.cfg.DomainID, nil
	}
	c.mu.Lock()
	id := c.ownDomainID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var out struct {
		Domains []struct {
			ID string `json:"id"`
		} `json:"domains"`
	}
	resp, err := c.do(ctx, request{
		service: ServiceIAM, region: c.cfg.Region, method: http.MethodGet,
		path: []string{"v3", "auth", "domains"}, baseKeys: true,
	}, &out)
	if err != nil {
		return "", fmt.Errorf("looking up the account (domain) of the base keys: %w", err)
	}
	if len(out.Domains) == 0 || out.Domains[0].ID == "" {
		return "", fmt.Errorf("IAM lists no account (domain) for the base keys (request id %s)", requestID(resp.header))
	}
	id = out.Domains[0].ID
	if !plausibleDomainID(id) {
		return "", fmt.Errorf("IAM answered with a domain ID that is not one (%q; request id %s)", c.ServerText(id, 64), requestID(resp.header))
	}
	c.mu.Lock()
	c.ownDomainID = id
	c.mu.Unlock()
	return id, nil
}

// plausibleDomainID accepts what a header may carry: a domain ID is 32 hex
// characters, but any short run of letters, digits and dashes is let
// through for private clouds.
func plausibleDomainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
