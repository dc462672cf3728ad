package emulator

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// putMetadataToken asks for a session token that lives ttl ("" sends no
// header).
func putMetadataToken(e *Emulator, ttl string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPut, "/meta-data/latest/api/token", nil)
	if ttl != "" {
		r.Header.Set("X-Metadata-Token-Ttl-Seconds", ttl)
	}
	return serve(e, r)
}

// getSecurityKey reads the metadata keys with token ("" sends none).
func getSecurityKey(e *Emulator, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/openstack/latest/securitykey", nil)
	if token != "" {
		r.Header.Set("X-Metadata-Token", token)
	}
	return serve(e, r)
}

var metadataToken = regexp.MustCompile(`^emulatormetadatatoken-[0-9a-f]{64}$`)

// wantText checks a plain-text answer.
func wantText(t testing.TB, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	wantStatus(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if rec.Body.String() != body {
		t.Fatalf("body %q, want %q", rec.Body.String(), body)
	}
}

const (
	metadataTokenRequired = "A session token is required: get one with PUT /meta-data/latest/api/token and send it as X-Metadata-Token.\n"
	metadataTokenInvalid  = "The X-Metadata-Token is unknown or has expired: get a new one with PUT /meta-data/latest/api/token.\n"
)

func TestMetadataTokenModes(t *testing.T) {
	type step struct {
		token  string // "none", "valid", "unknown" or "expired"
		status int
		body   string // of a 401
	}
	cases := []struct {
		mode     MetadataTokenMode
		putOK    bool
		readings []step
	}{
		{"", true, []step{{"none", 200, ""}, {"valid", 200, ""}, {"unknown", 401, metadataTokenInvalid}, {"expired", 401, metadataTokenInvalid}}},
		{MetadataTokensOptional, true, []step{{"none", 200, ""}, {"valid", 200, ""}, {"unknown", 401, metadataTokenInvalid}, {"expired", 401, metadataTokenInvalid}}},
		{MetadataTokensRequired, true, []step{{"none", 401, metadataTokenRequired}, {"valid", 200, ""}, {"unknown", 401, metadataTokenInvalid}, {"expired", 401, metadataTokenInvalid}}},
		{MetadataTokensUnsupported, false, []step{{"none", 200, ""}, {"unknown", 200, ""}}},
	}
	for _, tc := range cases {
		name := string(tc.mode)
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			clk := newClock(testNow)
			e := New(Config{Now: clk.Now, MetadataTokens: tc.mode})
			e.AddInstance(DefaultProjectID, testInstance)
			tokens := map[string]string{"none": "", "unknown": "emulatormetadatatoken-not-issued"}
			if !tc.putOK {
				wantText(t, putMetadataToken(e, "21600"), http.StatusNotFound, "Not Found\n")
			} else {
				short := putMetadataToken(e, "60")
				wantStatus(t, short, http.StatusOK)
				clk.Add(time.Minute)
				tokens["expired"] = short.Body.String()
				rec := putMetadataToken(e, "21600")
				wantStatus(t, rec, http.StatusOK)
				if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" || !metadataToken.MatchString(rec.Body.String()) {
					t.Fatalf("token answer %q, Content-Type %q", rec.Body.String(), ct)
				}
				tokens["valid"] = rec.Body.String()
			}
			for _, s := range tc.readings {
				rec := getSecurityKey(e, tokens[s.token])
				if s.status != http.StatusOK {
					wantText(t, rec, s.status, s.body)
					continue
				}
				k := wantCredential(t, rec, http.StatusOK, clk.Now().Add(time.Hour))
				if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
					t.Fatalf("Content-Type %q", ct)
				}
				// The keys work, signed the SDK's way or the provider's.
				wantStatus(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", clk.Now(), true, map[string]string{"X-Project-Id": DefaultProjectID}, nil)), http.StatusOK)
				wantStatus(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, map[string]string{"X-Project-Id": DefaultProjectID})), http.StatusOK)
			}
			wantReads := len(tc.readings)
			if n := e.Count(RouteMetadataSecurityKey); n != wantReads {
				t.Fatalf("Count(metadata.securitykey) = %d, want %d", n, wantReads)
			}
		})
	}
}

// TestMetadataKeysDiffer: each read gives new keys, and earlier ones keep
// working until they expire, as old and new keys overlap on ECS.
func TestMetadataKeysDiffer(t *testing.T) {
	clk := newClock(testNow)
	e := New(Config{Now: clk.Now})
	e.AddInstance(DefaultProjectID, testInstance)
	first := wantCredential(t, getSecurityKey(e, ""), http.StatusOK, testNow.Add(time.Hour))
	clk.Add(50 * time.Minute)
	second := wantCredential(t, getSecurityKey(e, ""), http.StatusOK, testNow.Add(110*time.Minute))
	if first.ak == second.ak || first.token == second.token {
		t.Fatal("two reads gave the same keys")
	}
	for _, k := range []keySet{first, second} {
		wantStatus(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)), http.StatusOK)
	}
	clk.Add(10 * time.Minute)
	wantAPIGW401(t, serve(e, first.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)),
		"the security token and its temporary access key expired at 2026-01-02T04:04:05Z; get new temporary keys")
	wantStatus(t, serve(e, second.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)), http.StatusOK)
}

func TestMetadataTokenTTL(t *testing.T) {
	invalid := func(v string) string {
		return `X-Metadata-Token-Ttl-Seconds must be a whole number of seconds from 1 to 21600, got "` + v + `".` + "\n"
	}
	cases := []struct {
		ttl    string
		status int
		body   string
		lives  time.Duration
	}{
		{"1", http.StatusOK, "", time.Second},
		{"21600", http.StatusOK, "", 6 * time.Hour},
		{"", http.StatusBadRequest, "X-Metadata-Token-Ttl-Seconds is required: the token's lifetime, 1 to 21600 seconds.\n", 0},
		{"0", http.StatusBadRequest, invalid("0"), 0},
		{"21601", http.StatusBadRequest, invalid("21601"), 0},
		{"-1", http.StatusBadRequest, invalid("-1"), 0},
		{"+5", http.StatusBadRequest, invalid("+5"), 0},
		{"1.5", http.StatusBadRequest, invalid("1.5"), 0},
		{"six hours", http.StatusBadRequest, invalid("six hours"), 0},
		{"99999999999999999999", http.StatusBadRequest, invalid("99999999999999999999"), 0},
	}
	for _, tc := range cases {
		t.Run("ttl "+tc.ttl, func(t *testing.T) {
			clk := newClock(testNow)
			e := New(Config{Now: clk.Now, MetadataTokens: MetadataTokensRequired})
			rec := putMetadataToken(e, tc.ttl)
			if tc.status != http.StatusOK {
				wantText(t, rec, tc.status, tc.body)
				return
			}
			wantStatus(t, rec, http.StatusOK)
			tok := rec.Body.String()
			clk.Add(tc.lives - time.Nanosecond)
			wantStatus(t, getSecurityKey(e, tok), http.StatusOK)
			clk.Add(time.Nanosecond)
			wantText(t, getSecurityKey(e, tok), http.StatusUnauthorized, metadataTokenInvalid)
		})
	}
}

// TestMetadataRouting: the metadata paths take no credentials, even for a
// wrong method, and a wrong method gets 405 as on other routes.
func TestMetadataRouting(t *testing.T) {
	e := newTestEmulator(t)
	cases := []struct {
		method, path, allow string
	}{
		{http.MethodGet, "/meta-data/latest/api/token", http.MethodPut},
		{http.MethodPost, "/meta-data/latest/api/token", http.MethodPut},
		{http.MethodPut, "/openstack/latest/securitykey", http.MethodGet},
		{http.MethodDelete, "/openstack/latest/securitykey", http.MethodGet},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := serve(e, httptest.NewRequest(tc.method, tc.path, nil))
			wantError(t, rec, http.StatusMethodNotAllowed, "APIGW.0101")
			if rec.Header().Get("Allow") != tc.allow {
				t.Fatalf("Allow %q, want %q", rec.Header().Get("Allow"), tc.allow)
			}
		})
	}
	t.Run("neighbours need credentials", func(t *testing.T) {
		wantError(t, serve(e, httptest.NewRequest(http.MethodGet, "/openstack/latest/meta_data.json", nil)), http.StatusUnauthorized, "APIGW.0301")
	})
	t.Run("no IAM trace header", func(t *testing.T) {
		rec := getSecurityKey(e, "")
		if rec.Header().Get("X-IAM-Trace-Id") != "" || rec.Header().Get("X-Request-Id") == "" {
			t.Fatalf("headers %v", rec.Header())
		}
	})
	if e.Count(RouteMetadataToken) != 0 || e.Count(RouteMetadataSecurityKey) != 1 {
		t.Fatalf("counts %v: wrong methods count on no route", e.Counts())
	}
}

func TestMetadataModeMustBeKnown(t *testing.T) {
	defer func() {
		r := recover()
		if msg, _ := r.(string); !strings.Contains(msg, `Config.MetadataTokens "sometimes" is not optional, required or unsupported`) {
			t.Fatalf("recovered %v", r)
		}
	}()
	New(Config{MetadataTokens: "sometimes"})
}
