package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// MetadataKeyLifetime is how long the metadata service's keys live
	// unless Config.TemporaryKeyTTL is set: an hour, as on ECS.
	MetadataKeyLifetime = time.Hour
	// MaxMetadataTokenTTL is the longest session token the metadata
	// service issues, in seconds: 6 hours.
	MaxMetadataTokenTTL = 21600
)

// writeMetadataError answers in plain text: the metadata service is a
// small web server on the host, not an API gateway, so it has no JSON
// error bodies. Its real bodies are unconfirmed; the SDK reads only the
// status, and the body of a 401 for "Please configure Cloud Service Agency
// first", which the emulator never sends.
func writeMetadataError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// handleMetadataToken answers PUT /meta-data/latest/api/token with a
// session token, in plain text, that lives X-Metadata-Token-Ttl-Seconds
// seconds (1 to 21600; missing or anything else is a 400). With
// MetadataTokensUnsupported it answers 404, as a metadata service older
// than session tokens does, and the SDK then reads keys without a token.
func (e *Emulator) handleMetadataToken(w http.ResponseWriter, c *call) {
	if e.cfg.MetadataTokens == MetadataTokensUnsupported {
		writeMetadataError(w, http.StatusNotFound, "Not Found")
		return
	}
	v := c.r.Header.Get("X-Metadata-Token-Ttl-Seconds")
	if v == "" {
		writeMetadataError(w, http.StatusBadRequest, "X-Metadata-Token-Ttl-Seconds is required: the token's lifetime, 1 to 21600 seconds.")
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxMetadataTokenTTL || strings.HasPrefix(v, "+") {
		writeMetadataError(w, http.StatusBadRequest, "X-Metadata-Token-Ttl-Seconds must be a whole number of seconds from 1 to 21600, got "+strconv.Quote(v)+".")
		return
	}
	// The marker lets a test grep logs for any metadata session token.
	tok := "emulatormetadatatoken-" + newID() + newID()
	e.mu.Lock()
	e.metaTokens[tok] = e.cfg.Now().Add(time.Duration(n) * time.Second)
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(tok))
}

// handleMetadataSecurityKey answers GET /openstack/latest/securitykey with
// temporary keys of the account, valid for MetadataKeyLifetime or
// Config.TemporaryKeyTTL, and a 401 for a session token it did not issue
// or that has expired, or, with MetadataTokensRequired, for none.
//
// The real service hands out the same keys until 10 minutes before they
// expire, then new ones, and both work meanwhile. The emulator issues new
// keys on every read, each valid for its whole lifetime, so that a test
// can tell from the keys alone whether a client read them again; that old
// keys keep working until they expire is the same.
//
// On ECS, the keys are those of the agency the instance is bound to, in
// the instance's own account; the emulator gives the account's identity,
// which reaches the same data.
func (e *Emulator) handleMetadataSecurityKey(w http.ResponseWriter, c *call) {
	if mode := e.cfg.MetadataTokens; mode != MetadataTokensUnsupported {
		tok := c.r.Header.Get("X-Metadata-Token")
		switch {
		case tok == "" && mode == MetadataTokensRequired:
			writeMetadataError(w, http.StatusUnauthorized, "A session token is required: get one with PUT /meta-data/latest/api/token and send it as X-Metadata-Token.")
			return
		case tok != "" && !e.validMetadataToken(tok):
			writeMetadataError(w, http.StatusUnauthorized, "The X-Metadata-Token is unknown or has expired: get a new one with PUT /meta-data/latest/api/token.")
			return
		}
	}
	ak, sk, token, expires := e.issueKeys(e.accountIdentity(), MetadataKeyLifetime)
	writeJSON(w, http.StatusOK, newCredential(ak, sk, token, expires))
}

func (e *Emulator) validMetadataToken(tok string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	exp, ok := e.metaTokens[tok]
	return ok && e.cfg.Now().Before(exp)
}
