package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultMetadataEndpoint is the ECS metadata service, reachable from every
// ECS instance.
const DefaultMetadataEndpoint = "http://169.254.169.254"

const (
	// metadataTimeout bounds each metadata call, as the SDK's 3 s does:
	// the service is on the instance's own link, so it answers at once or
	// not at all, and a machine without one learns so in seconds.
	metadataTimeout = 3 * time.Second
	// metadataTokenTTL is the session token's life asked for, the SDK's
	// (and the service's largest).
	metadataTokenTTL = 21600 * time.Second
	// maxMetadataBody bounds a metadata answer: a token or one credential.
	maxMetadataBody = 64 << 10
	// maxMetadataToken bounds the session token sent back as a header.
	maxMetadataToken = 4 << 10
)

// MetadataError is the metadata service failing to give keys. Endpoint is
// the base URL asked.
type MetadataError struct {
	Endpoint string
	Detail   string
}

func (e *MetadataError) Error() string {
	return "ECS metadata at " + e.Endpoint + ": " + e.Detail
}

// metadataSession is the metadata session token and when to stop using it.
type metadataSession struct {
	token   string
	none    bool // the service has no tokens (PUT answered 404, 405 or 503)
	expires time.Time
}

func (c *Client) metadataEndpoint() string {
	return strings.TrimRight(orDefault(c.cfg.MetadataEndpoint, DefaultMetadataEndpoint), "/")
}

// fetchMetadataKeys obtains the instance's temporary keys, as the SDK does:
// a session token from PUT /meta-data/latest/api/token, then GET
// /openstack/latest/securitykey with it. A PUT answered 404, 405 or 503
// means the service has no tokens, and the GET goes without one. A GET
// answered 401 with a token gets a new token once.
//
// These calls do not take the request path of the cloud APIs: they are
// unsigned, never go through a proxy, and are not retried, so that a
// machine without the service fails in seconds.
func (c *Client) fetchMetadataKeys(ctx context.Context) (Keys, error) {
	for attempt := 0; ; attempt++ {
		sess, err := c.metadataToken(ctx, attempt > 0)
		if err != nil {
			return Keys{}, err
		}
		h := http.Header{}
		if sess.token != "" {
			h.Set("X-Metadata-Token", sess.token)
		}
		status, body, err := c.metadataCall(ctx, http.MethodGet, "/openstack/latest/securitykey", h)
		if err != nil {
			return Keys{}, err
		}
		if status == http.StatusUnauthorized && sess.token != "" && attempt == 0 &&
			!bytes.Contains(body, []byte("Cloud Service Agency")) {
			continue
		}
		if status != http.StatusOK {
			return Keys{}, c.metadataStatusError(status, body)
		}
		var out struct {
			Credential credentialJSON `json:"credential"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return Keys{}, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: "the security key answer is not valid JSON: " + c.ServerText(err.Error(), MaxMessageRunes)}
		}
		k, err := c.keysFromCredential(ctx, out.Credential)
		if err != nil {
			return Keys{}, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: err.Error()}
		}
		return k, nil
	}
}

// metadataToken returns the session token, asking for one when there is
// none, it is close to its end, or renew is set.
func (c *Client) metadataToken(ctx context.Context, renew bool) (metadataSession, error) {
	c.mu.Lock()
	sess := c.metadataSession
	c.mu.Unlock()
	if !renew && (sess.token != "" || sess.none) && c.now().Before(sess.expires) {
		return sess, nil
	}
	h := http.Header{"X-Metadata-Token-Ttl-Seconds": {strconv.Itoa(int(metadataTokenTTL.Seconds()))}}
	status, body, err := c.metadataCall(ctx, http.MethodPut, "/meta-data/latest/api/token", h)
	if err != nil {
		return metadataSession{}, err
	}
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusServiceUnavailable:
		// A service without tokens; the SDK asks again after a day.
		sess = metadataSession{none: true, expires: c.now().Add(24 * time.Hour)}
	case http.StatusOK:
		tok := strings.TrimSpace(string(body))
		if tok == "" || len(tok) > maxMetadataToken || strings.ContainsFunc(tok, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return metadataSession{}, &MetadataError{Endpoint: c.metadataEndpoint(),
				Detail: fmt.Sprintf("the session token answer is not a token (%d bytes that are not all printable ASCII, or none)", len(tok))}
		}
		c.secrets.add(tok)
		// Renewed a minute early, so no GET carries a token about to end.
		sess = metadataSession{token: tok, expires: c.now().Add(metadataTokenTTL - time.Minute)}
	default:
		return metadataSession{}, c.metadataStatusError(status, body)
	}
	c.mu.Lock()
	c.metadataSession = sess
	c.mu.Unlock()
	return sess, nil
}

// metadataCall makes one call to the metadata service and reads at most
// maxMetadataBody of its answer.
func (c *Client) metadataCall(ctx context.Context, method, path string, h http.Header) (int, []byte, error) {
	callCtx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	u := c.metadataEndpoint() + path
	req, err := http.NewRequestWithContext(callCtx, method, u, nil)
	if err != nil {
		return 0, nil, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: "cannot build the request: " + err.Error()}
	}
	req.Header = h
	req.Header.Set("User-Agent", c.userAgent)
	start := time.Now()
	resp, err := c.metadataHTTP.Do(req)
	fields := map[string]any{"method": method, "url": u, "duration_ms": time.Since(start).Milliseconds()}
	if err != nil {
		fields["error"] = c.secrets.mask(err.Error())
		tflog.SubsystemDebug(ctx, logSubsystem, "metadata request failed", fields)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, nil, ctxErr
		}
		if callCtx.Err() != nil {
			return 0, nil, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: fmt.Sprintf("no answer within %s; this machine seems to have no ECS metadata service", metadataTimeout)}
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: "unreachable: " + c.ServerText(err.Error(), MaxMessageRunes)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBody+1))
	if err != nil {
		return 0, nil, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: "reading the answer: " + c.ServerText(err.Error(), MaxMessageRunes)}
	}
	if len(body) > maxMetadataBody {
		return 0, nil, &MetadataError{Endpoint: c.metadataEndpoint(), Detail: fmt.Sprintf("the answer is larger than %d KiB; refusing it", maxMetadataBody>>10)}
	}
	fields["status"] = resp.StatusCode
	tflog.SubsystemDebug(ctx, logSubsystem, "metadata request done", fields)
	return resp.StatusCode, body, nil
}

func (c *Client) metadataStatusError(status int, body []byte) error {
	detail := fmt.Sprintf("HTTP %d", status)
	if text := strings.TrimSpace(c.ServerText(string(body), MaxMessageRunes)); text != "" {
		detail += ": " + text
	}
	if status == http.StatusUnauthorized || status == http.StatusNotFound || bytes.Contains(body, []byte("Cloud Service Agency")) {
		detail += ". Check that the instance has an agency attached (ECS console: the instance's Management Information, Agency)"
	}
	return &MetadataError{Endpoint: c.metadataEndpoint(), Detail: detail}
}

// newMetadataHTTP returns the client of the metadata service: no proxy, for
// a link-local address that only the instance itself reaches, and no
// redirects, which would carry the session token elsewhere.
func newMetadataHTTP() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: metadataTimeout}).DialContext,
			MaxIdleConns:        1,
			IdleConnTimeout:     30 * time.Second,
			TLSHandshakeTimeout: metadataTimeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
