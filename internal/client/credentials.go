package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Keys are AK/SK credentials: permanent ones, or temporary ones with their
// security token and expiry.
type Keys struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
	// Expires is when temporary keys stop working; zero for permanent keys.
	Expires time.Time

	// obtained is when the client received temporary keys, to tell how
	// long they were meant to live.
	obtained time.Time
}

// temporary reports whether k expire and so can be renewed.
func (k Keys) temporary() bool { return !k.Expires.IsZero() }

// maxKeysRenewBefore is the most time before expiry at which temporary keys
// are replaced. ECS renews its metadata keys 10 minutes before they expire
// and serves the old ones until then, so asking at 5 minutes gets new ones;
// an agency's keys can be had at any time.
const maxKeysRenewBefore = 5 * time.Minute

// fresh reports whether temporary keys may still be used at now: until
// maxKeysRenewBefore before they expire, or, for keys that live less than
// twice that, until half their life remains. A request signed with them
// then never outlives them, and keys that a lying server dates in the past
// are used for the request at hand and renewed for the next.
func (k Keys) fresh(now time.Time) bool {
	if !k.temporary() {
		return true
	}
	margin := min(maxKeysRenewBefore, k.Expires.Sub(k.obtained)/2)
	return now.Before(k.Expires.Add(-margin))
}

// AssumeRole names an IAM agency whose temporary keys the client obtains
// with its base AK/SK and signs every request with.
type AssumeRole struct {
	// AgencyName is the agency, created in the delegating account.
	AgencyName string
	// DomainName or DomainID names the delegating account; DomainID wins
	// when both are set.
	DomainName string
	DomainID   string
	// Duration is how long each set of keys lives, from MinAssumeDuration
	// to MaxAssumeDuration; zero sends none, and IAM's default applies.
	Duration time.Duration
}

// The bounds of AssumeRole.Duration, as IAM documents duration_seconds.
const (
	MinAssumeDuration = 900 * time.Second
	MaxAssumeDuration = 86400 * time.Second
)

// unparsableExpiryLife is how long keys whose expires_at cannot be read are
// taken to live: the shortest life IAM gives an agency's keys, so they are
// renewed before they can have expired.
const unparsableExpiryLife = 15 * time.Minute

// CredentialsError is base credentials or an agency that could not supply
// keys. Source says which ("ECS metadata at http://169.254.169.254",
// "agency \"reader\" of domain \"acme\"").
type CredentialsError struct {
	Source string
	Err    error
}

func (e *CredentialsError) Error() string {
	return "obtaining temporary keys from " + e.Source + ": " + e.Err.Error()
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// signs reports whether the client signs its requests with AK/SK, whether
// permanent, from ECS metadata or from an agency.
func (c *Client) signs() bool {
	return c.auth == AuthAKSK || c.auth == AuthMetadata
}

// Keys returns the keys the client signs with now, obtaining or renewing
// them when needed: the agency's, when AssumeRole is set, else the base
// keys; none for token and password credentials. The provider calls it
// while it is configured, so that metadata or an agency that cannot supply
// keys is reported at once.
func (c *Client) Keys(ctx context.Context) (Keys, error) {
	if !c.signs() {
		return Keys{}, nil
	}
	return c.signingKeys(c.logContext(ctx))
}

func (c *Client) signingKeys(ctx context.Context) (Keys, error) {
	if c.cfg.AssumeRole != nil {
		return c.cachedKeys(ctx, &c.agencyKeys, "keys/agency", c.assumeRole)
	}
	return c.baseKeys(ctx)
}

// baseKeys returns the keys of the base credentials: the configured AK/SK,
// or those from ECS metadata.
func (c *Client) baseKeys(ctx context.Context) (Keys, error) {
	if c.auth == AuthMetadata {
		return c.cachedKeys(ctx, &c.metadataKeys, "keys/metadata", c.fetchMetadataKeys)
	}
	return Keys{AccessKey: c.cfg.AccessKey, SecretKey: c.cfg.SecretKey, SecurityToken: c.cfg.SecurityToken}, nil
}

// cachedKeys returns *slot while it is fresh, else keys from fetch, which
// concurrent callers share.
func (c *Client) cachedKeys(ctx context.Context, slot *Keys, key string, fetch func(context.Context) (Keys, error)) (Keys, error) {
	c.mu.Lock()
	k := *slot
	c.mu.Unlock()
	if k.AccessKey != "" && k.fresh(c.now()) {
		return k, nil
	}
	v, err := c.shared(ctx, key, func(ctx context.Context) (any, error) {
		c.mu.Lock()
		k := *slot
		c.mu.Unlock()
		if k.AccessKey != "" && k.fresh(c.now()) {
			return k, nil
		}
		k, err := fetch(ctx)
		if err != nil {
			return Keys{}, err
		}
		for _, s := range []string{k.AccessKey, k.SecretKey, k.SecurityToken} {
			c.secrets.add(s)
		}
		c.mu.Lock()
		*slot = k
		c.mu.Unlock()
		tflog.SubsystemDebug(ctx, logSubsystem, "obtained temporary keys", map[string]any{"source": key, "expires_at": k.Expires.Format(time.RFC3339)})
		return k, nil
	})
	if err != nil {
		return Keys{}, err
	}
	k, ok := v.(Keys)
	if !ok {
		return Keys{}, errors.New("a key request returned no keys; this is always a bug in the provider, please report it")
	}
	return k, nil
}

// dropKeys forgets temporary keys the API rejected, unless they have been
// replaced already, so that the next request obtains new ones.
func (c *Client) dropKeys(k Keys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, slot := range []*Keys{&c.agencyKeys, &c.metadataKeys} {
		if slot.AccessKey == k.AccessKey {
			*slot = Keys{}
		}
	}
}

// keysFromCredential checks the credential object that IAM and the
// metadata service answer with, and dates it. A missing field is an error
// that names the field, never a value.
func (c *Client) keysFromCredential(ctx context.Context, cred credentialJSON) (Keys, error) {
	k := Keys{AccessKey: cred.access(), SecretKey: cred.secret(), SecurityToken: cred.token(), obtained: c.now()}
	for name, v := range map[string]string{"access": k.AccessKey, "secret": k.SecretKey, "securitytoken": k.SecurityToken} {
		if v == "" {
			return Keys{}, fmt.Errorf("the answer has no credential.%s", name)
		}
	}
	exp, err := parseExpiry(cred.expiresAt())
	if err != nil {
		tflog.SubsystemWarn(ctx, logSubsystem, "temporary keys have no readable expires_at; renewing them within 15 minutes",
			map[string]any{"expires_at": c.ServerText(cred.expiresAt(), 64)})
		exp = k.obtained.Add(unparsableExpiryLife)
	}
	k.Expires = exp
	return k, nil
}

// parseExpiry reads expires_at as IAM writes it (UTC, with microseconds)
// and as the metadata service does (with or without a fraction, with Z or
// an offset).
func parseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// The SDK's layout, without a zone, taken as UTC.
	return time.Parse("2006-01-02T15:04:05.999999999", s)
}

// credentialJSON is the credential object of IAM's securitytokens answer
// and of the metadata service. The SDK also accepts the metadata service's
// alternative names, and so does the client.
type credentialJSON struct {
	Access          string `json:"access"`
	Secret          string `json:"secret"`
	SecurityToken   string `json:"securitytoken"`
	ExpiresAt       string `json:"expires_at"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SecurityToken2  string `json:"securityToken"`
	Expiration      string `json:"expiration"`
}

func (c credentialJSON) access() string    { return orDefault(c.Access, c.AccessKeyID) }
func (c credentialJSON) secret() string    { return orDefault(c.Secret, c.SecretAccessKey) }
func (c credentialJSON) token() string     { return orDefault(c.SecurityToken, c.SecurityToken2) }
func (c credentialJSON) expiresAt() string { return orDefault(c.ExpiresAt, c.Expiration) }
