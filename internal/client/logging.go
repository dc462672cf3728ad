package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of the client; its level follows
// TF_LOG_PROVIDER_HWTASKS_CLIENT, falling back to the provider's.
const logSubsystem = "client"

// maxLoggedBody bounds a body logged at Trace.
const maxLoggedBody = 4 << 10

// maxRedactedBody bounds a body that RedactBody decodes: a page of 100 real
// tasks is a few hundred KiB, and decoding a 30 MiB page into Go values
// took the plugin's memory into the hundreds of MiB at TF_LOG=TRACE.
const maxRedactedBody = 2 << 20

const redacted = "REDACTED"

// sensitiveHeaders are never logged with their values.
var sensitiveHeaders = map[string]bool{
	"Authorization":    true,
	"X-Auth-Token":     true,
	"X-Security-Token": true,
	"X-Subject-Token":  true,
}

// masked is what a secret becomes in a log line or an error message.
const masked = "***"

// secretSet holds the client's secrets: the configured credentials, and
// the IAM tokens obtained for a password since. Every text that may hold
// something the server sent back (log lines, error messages, excerpts) is
// masked with it.
type secretSet struct {
	mu sync.Mutex
	// list is replaced, never changed in place, so that mask reads it
	// without copying; longest first, for tflog's masks.
	list []secret
}

func (s *secretSet) add(text string) {
	if text == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.list, func(x secret) bool { return x.text == text }) {
		return
	}
	list := append(slices.Clone(s.list), newSecret(text))
	slices.SortStableFunc(list, func(a, b secret) int { return len(b.text) - len(a.text) })
	s.list = list
}

func (s *secretSet) secrets() []secret {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.list
}

func (s *secretSet) snapshot() []string {
	list := s.secrets()
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.text
	}
	return out
}

// mask replaces every secret in text with ***, in whatever form the text
// holds it: raw, URL-encoded, \u-escaped, as HTML character references, or a
// mix (see maskSecrets).
func (s *secretSet) mask(text string) string {
	return maskSecrets(text, s.secrets())
}

// logContext adds the client's subsystem to ctx, and masks the client's
// secrets wherever they might still turn up in a message or a field, as a
// second line of defence behind the structural redaction below.
func (c *Client) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_HWTASKS_CLIENT"))
	if secrets := c.secrets.snapshot(); len(secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	}
	return ctx
}

// redactHeaders renders headers for a log line, without credential values.
// Other values are masked and cleaned: a Location or a request id may echo
// a credential, in any encoding.
func redactHeaders(h http.Header, secrets *secretSet) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(": ")
		if sensitiveHeaders[http.CanonicalHeaderKey(k)] {
			b.WriteString(redacted)
			continue
		}
		b.WriteString(CleanText(secrets.mask(strings.Join(h[k], ","))))
	}
	return b.String()
}

// sensitiveKey reports whether a JSON field's value is a credential:
// password, secret* and *token, in any case and with - or _ separators.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.HasPrefix(k, "secret") ||
		strings.Contains(k, "_secret") || strings.HasSuffix(k, "token") ||
		k == "authorization" || k == "access_key" || k == "accesskey" || k == "sk" ||
		// IAM's and the metadata service's temporary keys.
		k == "access" || k == "accesskeyid" || k == "access_key_id"
}

// lazyBody is a body for a Trace log field. tflog formats fields only when
// a line is really written, so the redaction below costs nothing at the
// usual levels. It also masks the configured secrets itself: tflog's string
// masks do not see fields that are not strings.
type lazyBody struct {
	body    []byte
	secrets *secretSet
}

// String masks the secrets both before RedactBody cuts the body at 4 KiB,
// so that none is left half visible at the cut, and after, for a secret
// that the body held JSON-escaped.
func (l lazyBody) String() string {
	// Masked before the redaction, and again after it, before the cut:
	// the redaction decodes JSON held in strings, which can bring out a
	// secret that was escaped twice, and a cut through it would leave its
	// first characters.
	return cutLogged(l.secrets.mask(redactJSON([]byte(l.secrets.mask(string(l.body))))))
}

// MarshalJSON renders the body as a JSON string, for the JSON log format
// Terraform uses.
func (l lazyBody) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// RedactBody returns a body fit for a log: JSON with sensitive fields
// replaced at any depth (including inside strings that hold JSON, such as
// DMS task params), truncated to 4 KiB. A body that is not JSON is kept,
// truncated; the subsystem's string masks still cover configured secrets.
func RedactBody(body []byte) string { return cutLogged(redactJSON(body)) }

// redactJSON is RedactBody without the cut.
func redactJSON(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	if len(body) > maxRedactedBody {
		// Decoding it to redact it would take many times its size in
		// memory, and only its first 4 KiB would be logged: leave it out.
		return fmt.Sprintf("(%d bytes, left out: larger than the %d MiB the log redacts)", len(body), maxRedactedBody>>20)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil {
		if out, err := json.Marshal(redactValue(v, 0)); err == nil {
			body = out
		}
	}
	return string(body)
}

// cutLogged cuts a body for a log line at maxLoggedBody bytes.
func cutLogged(s string) string {
	if len(s) > maxLoggedBody {
		return s[:maxLoggedBody] + "…(truncated)"
	}
	return s
}

func redactValue(v any, depth int) any {
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			switch inner.(type) {
			case map[string]any, []any:
				// IAM nests the user under "password": walk into it, so the
				// user's password is redacted and the user name stays.
				t[k] = redactValue(inner, depth)
			default:
				if sensitiveKey(k) {
					t[k] = redacted
				} else {
					t[k] = redactValue(inner, depth)
				}
			}
		}
	case []any:
		for i := range t {
			t[i] = redactValue(t[i], depth)
		}
	case string:
		// Strings that hold JSON objects are redacted too, a few levels
		// deep, because task params embed JSON in a string.
		s := strings.TrimSpace(t)
		if depth < 4 && len(s) > 1 && (s[0] == '{' || s[0] == '[') {
			var inner any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if dec.Decode(&inner) == nil {
				if out, err := json.Marshal(redactValue(inner, depth+1)); err == nil {
					return string(out)
				}
			}
		}
	}
	return v
}
