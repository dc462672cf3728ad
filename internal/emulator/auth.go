package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
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

// identity is who credentials act as: the account's IAM user, or an agency
// of a delegating domain that the account assumed.
type identity struct {
	user   idName
	domain idName // the user's domain, or the agency's delegating domain
}

func (e *Emulator) accountIdentity() identity {
	c := e.cfg.Credentials
	return identity{user: idName{UserID, c.UserName}, domain: idName{DomainID, c.DomainName}}
}

// agencyIdentity is the identity of an assumed agency. IAM names the user
// of an agency token "<delegating domain>/<agency>" (unconfirmed); its ID
// is derived from the agency, so that it is stable and 32 hex characters.
func agencyIdentity(a Agency) identity {
	sum := sha256.Sum256([]byte(a.DomainID + "/" + a.Name))
	return identity{
		user:   idName{hex.EncodeToString(sum[:16]), a.DomainName + "/" + a.Name},
		domain: idName{a.DomainID, a.DomainName},
	}
}

// principal is who a request authenticated as.
type principal struct {
	// project is the project the credentials are scoped to: the token's
	// project, or the X-Project-Id header of an AK/SK request. It is ""
	// for AK/SK without X-Project-Id, which may use any of the account's
	// projects, and for a domain-scoped token.
	project string
	// domainScoped is set for a domain-scoped token, which reaches IAM
	// but no project-scoped service.
	domainScoped bool
	// id is who the credentials act as. The zero identity means no
	// credentials were checked (the metadata service, and the routes that
	// authenticate from their body).
	id identity
}

type issuedToken struct {
	project      string // "" when domainScoped
	domainScoped bool
	id           identity
	expires      time.Time
	revoked      bool
}

// issuedKeys are temporary keys, or, in accessKey's answer, any keys.
type issuedKeys struct {
	secret  string
	token   string    // the security token; "" for permanent keys
	expires time.Time // the zero time for keys that never expire
	id      identity
}

// caller authenticates a request before it is routed, so that bad
// credentials get their 401 before a fault is used up.
//
// The metadata service takes no credentials: on an ECS it is link-local,
// and reaching it is the credential. POST /v3/auth/tokens takes its
// credentials from its body (a password or a token) unless it assumes an
// agency, which needs a signed or token-carrying caller. A securitytokens
// call with neither X-Auth-Token nor Authorization may carry its only
// credential as the token method's token.id, which is checked here.
func (e *Emulator) caller(r *http.Request, m match, body []byte) (principal, error) {
	switch {
	case metadataRoute(m.route):
		return principal{}, nil
	case m.route == RouteTokens:
		if methods, _ := peekIdentity(body); !slices.Contains(methods, "assume_role") {
			return principal{}, nil
		}
	case m.route == RouteSecurityTokens && r.Header.Get("X-Auth-Token") == "" && r.Header.Get("Authorization") == "":
		if methods, tok := peekIdentity(body); slices.Contains(methods, "token") && tok != "" {
			return e.checkToken(tok)
		}
	}
	return e.authenticate(r, body)
}

// peekIdentity reads the methods and the token method's token.id of an
// IAM identity document; it reads nothing from a body that is not one.
func peekIdentity(body []byte) (methods []string, tokenID string) {
	var doc struct {
		Auth struct {
			Identity struct {
				Methods []string `json:"methods"`
				Token   struct {
					ID string `json:"id"`
				} `json:"token"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return nil, ""
	}
	return doc.Auth.Identity.Methods, doc.Auth.Identity.Token.ID
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
	t, err := e.lookupToken(tok)
	if err != nil {
		return principal{}, err
	}
	return principal{project: t.project, domainScoped: t.domainScoped, id: t.id}, nil
}

// lookupToken returns a copy of a token the emulator issued, or an error
// when it did not, or when the token was revoked or has expired.
func (e *Emulator) lookupToken(tok string) (issuedToken, error) {
	e.mu.Lock()
	t, ok := e.tokens[tok]
	var out issuedToken
	if ok {
		out = *t
	}
	now := e.cfg.Now()
	e.mu.Unlock()
	switch {
	case !ok:
		return out, errors.New("unknown token")
	case out.revoked:
		return out, errors.New("the token has been revoked")
	case !now.Before(out.expires):
		return out, errors.New("the token has expired")
	}
	return out, nil
}

// accessKey finds the keys of an access key: the configured permanent and
// static temporary ones, then those the emulator issued.
func (e *Emulator) accessKey(ak string) (issuedKeys, bool) {
	c := e.cfg.Credentials
	switch {
	case hmac.Equal([]byte(ak), []byte(c.TempAccessKey)):
		return issuedKeys{secret: c.TempSecretKey, token: c.SecurityToken, id: e.accountIdentity()}, true
	case hmac.Equal([]byte(ak), []byte(c.AccessKey)):
		return issuedKeys{secret: c.SecretKey, id: e.accountIdentity()}, true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if k, ok := e.keys[ak]; ok {
		return *k, true
	}
	return issuedKeys{}, false
}

// checkSignature recomputes the signature from what arrived on the wire,
// with the same functions the client signs with.
//
// X-Security-Token, X-Project-Id and X-Domain-Id may be signed (the
// official SDK adds them before signing) or not (the official provider's
// client adds them after): the gateway accepts both, and so does the
// emulator, but it checks their values either way. Any signed header,
// content-type and accept included, is part of the signature.
func (e *Emulator) checkSignature(r *http.Request, authz string, body []byte) (principal, error) {
	var p principal
	if !strings.HasPrefix(authz, signer.Algorithm+" ") {
		return p, errors.New("unsupported Authorization scheme, want " + signer.Algorithm)
	}
	a, err := signer.ParseAuthorization(authz)
	if err != nil {
		return p, errors.New("malformed Authorization header")
	}
	k, ok := e.accessKey(a.AccessKey)
	if !ok {
		return p, errors.New("unknown access key")
	}
	temporary := k.token != ""
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
	now := e.cfg.Now()
	if skew := now.Sub(at); skew > MaxClockSkew || skew < -MaxClockSkew {
		return p, errors.New("x-sdk-date outside 15 minutes of the server clock")
	}

	st := r.Header.Get("X-Security-Token")
	switch {
	case temporary && st == "":
		return p, errors.New("a temporary access key needs X-Security-Token")
	case temporary && subtle.ConstantTimeCompare([]byte(st), []byte(k.token)) != 1:
		return p, errors.New("invalid security token")
	case !temporary && st != "":
		// IAM would try to match the token to the access key and fail.
		return p, errors.New("X-Security-Token sent with a permanent access key")
	case !k.expires.IsZero() && !now.Before(k.expires):
		return p, errors.New("the security token and its temporary access key expired at " +
			k.expires.UTC().Format(time.RFC3339) + "; get new temporary keys")
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
	want := signer.Signature(k.secret, signer.StringToSign(date, canonical))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return p, errors.New("signature mismatch")
	}
	// X-Domain-Id names the domain the SDK's global credentials act in.
	// IAM resolves an access key to its user's domain, so another domain
	// cannot be authenticated at all: 401 here, as for a wrong key, and not
	// the 403 of a valid principal reaching too far. Checked after the
	// signature, so that only the key's holder learns its domain.
	if d := r.Header.Get("X-Domain-Id"); d != "" && d != k.id.domain.ID {
		return p, errors.New("X-Domain-Id is not the domain of the access key")
	}
	p.project = r.Header.Get("X-Project-Id")
	p.id = k.id
	return p, nil
}

// IssueToken returns a valid token of the account's user scoped to
// projectID, as if POST /v3/auth/tokens had issued it, for tests of the
// token credential path.
func (e *Emulator) IssueToken(projectID string) string {
	return e.issueToken(issuedToken{project: projectID, id: e.accountIdentity(), expires: e.cfg.Now().Add(e.cfg.TokenTTL)})
}

// IssueDomainToken returns a valid token of the account's user scoped to
// its domain, as if POST /v3/auth/tokens had issued it with
// "scope":{"domain":{"name":...}}. IAM routes accept it; DMS, DCS and the
// job services answer it 403.
func (e *Emulator) IssueDomainToken() string {
	return e.issueToken(issuedToken{domainScoped: true, id: e.accountIdentity(), expires: e.cfg.Now().Add(e.cfg.TokenTTL)})
}

// issueToken stores t under a new token and returns the token.
func (e *Emulator) issueToken(t issuedToken) string {
	// Real tokens are long opaque strings starting with "MII"; the marker in
	// the middle lets a test grep logs for any emulator token.
	tok := "MIIemulatortoken-" + newID() + newID()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[tok] = &t
	return tok
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

// DefaultTemporaryKeyDuration is the lifetime of keys from
// IssueTemporaryKeys, and of securitytokens' keys without
// duration_seconds: IAM's default, 900 seconds. Config.TemporaryKeyTTL
// replaces it when set.
const DefaultTemporaryKeyDuration = 900 * time.Second

// IssueTemporaryKeys returns new temporary keys of the account's user, as
// if POST /v3.0/OS-CREDENTIAL/securitytokens had issued them: valid, with
// their security token only, until expires, which is
// DefaultTemporaryKeyDuration from now (Config.Now), or
// Config.TemporaryKeyTTL when set.
func (e *Emulator) IssueTemporaryKeys() (ak, sk, token string, expires time.Time) {
	return e.issueKeys(e.accountIdentity(), DefaultTemporaryKeyDuration)
}

// Alphabets of the issued keys: access keys are upper-case alphanumerics,
// secret keys mixed-case alphanumerics, as IAM's are.
const (
	accessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// issueKeys issues temporary keys for id that live for lifetime, or for
// Config.TemporaryKeyTTL when it is set.
func (e *Emulator) issueKeys(id identity, lifetime time.Duration) (ak, sk, token string, expires time.Time) {
	if e.cfg.TemporaryKeyTTL > 0 {
		lifetime = e.cfg.TemporaryKeyTTL
	}
	sk = randomString(secretKeyAlphabet, 40)
	// Real security tokens are opaque strings of a kilobyte or more; the
	// marker lets a test grep logs for any that the emulator issued.
	var b strings.Builder
	b.WriteString("emuSTS-issued-")
	for range 8 {
		b.WriteString(newID())
	}
	token = b.String()
	c := e.cfg.Credentials
	e.mu.Lock()
	defer e.mu.Unlock()
	expires = e.cfg.Now().Add(lifetime)
	for {
		ak = randomString(accessKeyAlphabet, 20)
		if _, taken := e.keys[ak]; !taken && ak != c.AccessKey && ak != c.TempAccessKey {
			break
		}
	}
	e.keys[ak] = &issuedKeys{secret: sk, token: token, expires: expires, id: id}
	return ak, sk, token, expires
}

// randomString returns n characters drawn uniformly from alphabet, which
// has at most 256 characters.
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet) // Bytes at or above it would bias the draw.
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails on supported platforms.
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// scopeStatus checks the path's project against the credentials and the
// account. It returns 0 when the call may go on; 403 when the credentials
// are scoped to another project, or to a domain, since the credentials are
// fine but do not reach that project; 400 when the path's project is not
// one of the account's, since it is then just an invalid path parameter.
//
// A domain-scoped token gets the service's 403, as a token for another
// project does: services check the token's project against the path's,
// and a domain-scoped token has none. The real gateway's exact answer is
// unconfirmed.
func (e *Emulator) scopeStatus(c *call) int {
	if c.who.domainScoped || c.who.project != "" && c.who.project != c.m.project {
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
