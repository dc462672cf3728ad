package emulator

import (
	"crypto/hmac"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// MaxClockSkew is how far X-Sdk-Date may be from the emulator's clock, in
// either direction, as on Huawei Cloud's API gateway.
const MaxClockSkew = 15 * time.Minute

// principal is who a request authenticated as.
type principal struct {
	// project is the project the credentials are scoped to: the token's
	// project, or the X-Project-Id header of an AK/SK request. It is ""
	// for AK/SK without X-Project-Id, which may use any of the account's
	// projects.
	project string
}

type issuedToken struct {
	project string
	expires time.Time
	revoked bool
}

// authenticate checks the request's credentials: X-Auth-Token when it is
// present, otherwise an SDK-HMAC-SHA256 Authorization header. The error
// says what was wrong without echoing any secret.
//
// A token wins when both are sent, as on IAM-authenticated services, which
// look at X-Auth-Token first.
func (e *Emulator) authenticate(r *http.Request, body []byte) (principal, error) {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		return e.checkToken(tok)
	}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return principal{}, errors.New("no credentials: send an SDK-HMAC-SHA256 Authorization header or X-Auth-Token")
	}
	return e.checkSignature(r, authz, body)
}

func (e *Emulator) checkToken(tok string) (principal, error) {
	e.mu.Lock()
	t, ok := e.tokens[tok]
	var p principal
	var expired, revoked bool
	if ok {
		p.project, expired, revoked = t.project, !e.cfg.Now().Before(t.expires), t.revoked
	}
	e.mu.Unlock()
	switch {
	case !ok:
		return p, errors.New("unknown token")
	case revoked:
		return p, errors.New("the token has been revoked")
	case expired:
		return p, errors.New("the token has expired")
	}
	return p, nil
}

// checkSignature recomputes the signature from what arrived on the wire,
// with the same functions the client signs with.
func (e *Emulator) checkSignature(r *http.Request, authz string, body []byte) (principal, error) {
	var p principal
	if !strings.HasPrefix(authz, signer.Algorithm+" ") {
		return p, errors.New("unsupported Authorization scheme, want " + signer.Algorithm)
	}
	a, err := signer.ParseAuthorization(authz)
	if err != nil {
		return p, errors.New("malformed Authorization header")
	}
	cred := e.cfg.Credentials
	var secret string
	temporary := false
	switch {
	case hmac.Equal([]byte(a.AccessKey), []byte(cred.TempAccessKey)):
		secret, temporary = cred.TempSecretKey, true
	case hmac.Equal([]byte(a.AccessKey), []byte(cred.AccessKey)):
		secret = cred.SecretKey
	default:
		return p, errors.New("unknown access key")
	}
	signed := func(name string) bool { return slices.Contains(a.SignedHeaders, name) }

	if !signed("x-sdk-date") {
		return p, errors.New("x-sdk-date is not in SignedHeaders")
	}
	date := r.Header.Get(signer.HeaderDate)
	if date == "" {
		return p, errors.New("missing X-Sdk-Date header")
	}
	at, err := time.Parse(signer.DateFormat, date)
	if err != nil {
		return p, errors.New("X-Sdk-Date is not in the format " + signer.DateFormat)
	}
	if skew := e.cfg.Now().Sub(at); skew > MaxClockSkew || skew < -MaxClockSkew {
		return p, errors.New("x-sdk-date outside 15 minutes of the server clock")
	}

	st := r.Header.Get("X-Security-Token")
	switch {
	case temporary && st == "":
		return p, errors.New("a temporary access key needs X-Security-Token")
	case temporary && !signed("x-security-token"):
		return p, errors.New("x-security-token is not in SignedHeaders")
	case temporary && subtle.ConstantTimeCompare([]byte(st), []byte(cred.SecurityToken)) != 1:
		return p, errors.New("invalid security token")
	case !temporary && st != "":
		// IAM would try to match the token to the access key and fail.
		return p, errors.New("X-Security-Token sent with a permanent access key")
	}
	// An unsigned UNSIGNED-PAYLOAD marker would let anyone swap the body.
	if r.Header.Get(signer.HeaderContentSha256) != "" && !signed("x-sdk-content-sha256") {
		return p, errors.New("x-sdk-content-sha256 is not in SignedHeaders")
	}

	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return p, errors.New("malformed query string")
	}
	h := r.Header.Clone()
	if signed("host") {
		// Go's server moves Host out of the header map.
		h["Host"] = []string{r.Host}
	}
	canonical := signer.CanonicalRequest(r.Method, r.URL.Path, query, h, a.SignedHeaders, signer.PayloadHash(h, body))
	want := signer.Signature(secret, signer.StringToSign(date, canonical))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return p, errors.New("signature mismatch")
	}
	p.project = r.Header.Get("X-Project-Id")
	return p, nil
}

// IssueToken returns a valid token scoped to projectID, as if POST
// /v3/auth/tokens had issued it, for tests of the token credential path.
func (e *Emulator) IssueToken(projectID string) string {
	tok, _ := e.issueToken(projectID)
	return tok
}

func (e *Emulator) issueToken(projectID string) (string, issuedToken) {
	// Real tokens are long opaque strings starting with "MII"; the marker in
	// the middle lets a test grep logs for any emulator token.
	tok := "MIIemulatortoken-" + newID() + newID()
	e.mu.Lock()
	defer e.mu.Unlock()
	t := &issuedToken{project: projectID, expires: e.cfg.Now().Add(e.cfg.TokenTTL)}
	e.tokens[tok] = t
	return tok, *t
}

// RevokeTokens makes every token issued so far answer 401, so that a
// client's renew-once-on-401 can be tested. Tokens issued later are valid.
func (e *Emulator) RevokeTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.tokens {
		t.revoked = true
	}
}

// scopeStatus checks the path's project against the credentials and the
// account. It returns 0 when the call may go on; 403 when the credentials
// are scoped to another project, since the credentials are fine but do not
// reach that project; 400 when the path's project is not one of the
// account's, since it is then just an invalid path parameter.
func (e *Emulator) scopeStatus(c *call) int {
	if c.who.project != "" && c.who.project != c.m.project {
		return http.StatusForbidden
	}
	e.mu.Lock()
	_, ok := e.accountProjectLocked(c.m.project)
	e.mu.Unlock()
	if !ok {
		return http.StatusBadRequest
	}
	return 0
}
