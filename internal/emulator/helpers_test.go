package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
