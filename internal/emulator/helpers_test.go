package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// testNow is the emulator's frozen clock in most tests.
var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestEmulator returns an emulator with a frozen clock and the default
// project and credentials.
func newTestEmulator(t *testing.T) *Emulator {
	t.Helper()
	return New(Config{Now: func() time.Time { return testNow }})
}

// signAt signs r, a GET without a body, with the default permanent AK/SK
// at the given time.
func signAt(t testing.TB, r *http.Request, at time.Time) {
	t.Helper()
	c := defaultCredentials
	if err := signer.Sign(r, nil, c.AccessKey, c.SecretKey, at); err != nil {
		t.Fatal(err)
	}
}

// signedGet builds a GET for target signed with the default AK/SK at
// testNow. Extra headers come in name, value pairs and are signed too.
func signedGet(t testing.TB, target string, headers ...string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	signAt(t, r, testNow)
	return r
}

// serve runs r through e and returns the recorded response.
func serve(e *Emulator, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	return rec
}

// get is serve(signedGet(...)).
func get(t testing.TB, e *Emulator, target string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	return serve(e, signedGet(t, target, headers...))
}

// wantStatus fails the test when rec's status is not want.
func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, want, rec.Body.String())
	}
}

// wantError checks status and error_code of an error response.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	wantStatus(t, rec, status)
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, rec.Body.String())
	}
	if b.Code != code {
		t.Fatalf("error_code %q, want %q (message %q)", b.Code, code, b.Message)
	}
	return b
}

// decode unmarshals a JSON body into a new T.
func decode[T any](t testing.TB, body io.Reader) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(body).Decode(&v); err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	return v
}

// taskList is the list body as a client reads it.
type taskList struct {
	TaskCount string     `json:"task_count"`
	Tasks     []taskJSON `json:"tasks"`
}

func taskIDs(l taskList) []string {
	ids := make([]string, len(l.Tasks))
	for i, t := range l.Tasks {
		ids[i] = t.ID
	}
	return ids
}

// secrets are the values that no response or log line may contain.
func secrets() []string {
	c := defaultCredentials
	return []string{c.SecretKey, c.TempSecretKey, c.SecurityToken, c.Password}
}

func wantNoSecrets(t testing.TB, where, s string) {
	t.Helper()
	for _, sec := range secrets() {
		if strings.Contains(s, sec) {
			t.Fatalf("%s contains a secret: %s", where, s)
		}
	}
}

const (
	testInstance = "11111111-2222-3333-4444-555555555555"
	tasksPath    = "/v2/" + DefaultProjectID + "/instances/" + testInstance + "/tasks"
)

// clock is a settable clock for Config.Now, safe for the emulator's
// goroutines and the test to share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keySet is an AK/SK and, for temporary keys, their security token.
type keySet struct{ ak, sk, token string }

// permanentKeys and staticTempKeys are the default configured keys.
var (
	permanentKeys  = keySet{defaultCredentials.AccessKey, defaultCredentials.SecretKey, ""}
	staticTempKeys = keySet{defaultCredentials.TempAccessKey, defaultCredentials.TempSecretKey, defaultCredentials.SecurityToken}
)

// request builds a request and signs it with k at the given time through
// signer.Sign, which signs every header then present (the signed ones, and
// the security token when signToken is set), as the official SDK does.
// Headers in unsigned are set after signing, as the official provider's
// client sets X-Project-Id, X-Domain-Id and X-Security-Token. A JSON body
// gets Content-Type: application/json;charset=UTF-8, which signer.Sign
// leaves unsigned.
func (k keySet) request(t testing.TB, method, target, body string, at time.Time, signToken bool, signed, unsigned map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", contentTypeJSON)
	}
	for h, v := range signed {
		r.Header.Set(h, v)
	}
	if k.token != "" && signToken {
		r.Header.Set("X-Security-Token", k.token)
	}
	if err := signer.Sign(r, []byte(body), k.ak, k.sk, at); err != nil {
		t.Fatal(err)
	}
	if k.token != "" && !signToken {
		r.Header.Set("X-Security-Token", k.token)
	}
	for h, v := range unsigned {
		r.Header.Set(h, v)
	}
	return r
}

// get signs a GET with k at testNow, its security token signed.
func (k keySet) get(t testing.TB, target string) *http.Request {
	t.Helper()
	return k.request(t, http.MethodGet, target, "", testNow, true, nil, nil)
}

// post signs a POST of a JSON body with k at testNow, its security token
// signed.
func (k keySet) post(t testing.TB, target, body string) *http.Request {
	t.Helper()
	return k.request(t, http.MethodPost, target, body, testNow, true, nil, nil)
}

// withToken builds a request that carries token as X-Auth-Token.
func withToken(method, target, body, token string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", contentTypeJSON)
	}
	r.Header.Set("X-Auth-Token", token)
	return r
}

// wantAPIGW401 checks a 401 APIGW.0301 whose message ends in why.
func wantAPIGW401(t testing.TB, rec *httptest.ResponseRecorder, why string) {
	t.Helper()
	b := wantError(t, rec, http.StatusUnauthorized, "APIGW.0301")
	if want := "Incorrect IAM authentication information: " + why; b.Message != want {
		t.Fatalf("message %q, want %q", b.Message, want)
	}
}

// wantIAMError checks IAM's Keystone-style numeric error.
func wantIAMError(t testing.TB, rec *httptest.ResponseRecorder, status int, msg string) {
	t.Helper()
	wantStatus(t, rec, status)
	b := decode[iamErrorBody](t, bytes.NewReader(rec.Body.Bytes()))
	if b.Error.Code != status || b.Error.Message != msg || b.Error.Title != http.StatusText(status) {
		t.Fatalf("error body %s, want code %d and message %q", rec.Body.String(), status, msg)
	}
}

// wantIAMCodeError checks IAM's error with a string code such as IAM.0002.
func wantIAMCodeError(t testing.TB, rec *httptest.ResponseRecorder, status int, code, msg string) {
	t.Helper()
	wantStatus(t, rec, status)
	b := decode[iamCodeErrorBody](t, bytes.NewReader(rec.Body.Bytes()))
	if b.Error.Code != code || b.Error.Message != msg || b.Error.Title != http.StatusText(status) {
		t.Fatalf("error body %s, want code %q and message %q", rec.Body.String(), code, msg)
	}
}

// credentialBody is the answer of securitytokens and of the metadata
// service's securitykey.
type credentialBody struct {
	Credential credentialJSON `json:"credential"`
}

var (
	issuedAK = regexp.MustCompile(`^[A-Z0-9]{20}$`)
	issuedSK = regexp.MustCompile(`^[A-Za-z0-9]{40}$`)
	issuedST = regexp.MustCompile(`^emuSTS-issued-[0-9a-f]{256}$`)
)

// wantCredential checks a 2xx credential answer: keys of the right shape
// that expire at expires, and returns them.
func wantCredential(t testing.TB, rec *httptest.ResponseRecorder, status int, expires time.Time) keySet {
	t.Helper()
	wantStatus(t, rec, status)
	c := decode[credentialBody](t, bytes.NewReader(rec.Body.Bytes())).Credential
	if !issuedAK.MatchString(c.Access) || !issuedSK.MatchString(c.Secret) || !issuedST.MatchString(c.SecurityToken) {
		t.Fatalf("keys of the wrong shape: %s", rec.Body.String())
	}
	if want := expires.UTC().Format("2006-01-02T15:04:05.000000Z"); c.ExpiresAt != want {
		t.Fatalf("expires_at %q, want %q", c.ExpiresAt, want)
	}
	return keySet{c.Access, c.Secret, c.SecurityToken}
}
