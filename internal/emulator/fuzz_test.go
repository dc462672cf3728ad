package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func FuzzParseListQuery(f *testing.F) {
	for _, s := range []string{"", "start=1&limit=100", "start=0", "limit=101", "begin_time=20240229000000&end_time=20240230000000", "start=-1", "limit=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lq, msg := parseListQuery(q)
		if msg != "" {
			return
		}
		if lq.start < 1 || lq.limit < 1 || lq.limit > 100 {
			t.Fatalf("accepted %q as %+v", raw, lq)
		}
		for _, b := range []struct {
			name string
			set  bool
			tm   time.Time
		}{{"begin_time", lq.hasBegin, lq.begin}, {"end_time", lq.hasEnd, lq.end}} {
			// A bound is set exactly when given, whatever its value: the
			// zero time, 00010101000000, is a bound like any other.
			v := q.Get(b.name)
			if (v != "") != b.set {
				t.Fatalf("%s %q parsed as set=%v", b.name, v, b.set)
			}
			if b.set && b.tm.Format(dmsQueryTimeFormat) != v {
				t.Fatalf("%s %q is not %v", b.name, v, b.tm)
			}
		}
	})
}

// FuzzServeHTTP sends arbitrary requests with forged credentials: none may
// get through, and every answer must be a JSON error.
func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", tasksPath+"?limit=10", "SDK-HMAC-SHA256 Access=EMULATORAKPERMANENT01, SignedHeaders=x-sdk-date, Signature=00", "20260102T030405Z", "")
	f.Add("GET", "/v3/projects?name=ap-southeast-1", "", "", "MIIemulatortoken-x")
	f.Add("POST", "/v3/auth/tokens", "", "", "")
	f.Add("GET", jobsPath+"?id=x", "SDK-HMAC-SHA256 Access=EMULATORAKTEMPORARY01, SignedHeaders=x-sdk-date;x-security-token, Signature=ab", "20260102T030405Z", "")
	e := New(Config{Now: func() time.Time { return testNow }})
	e.AddInstance(DefaultProjectID, testInstance)
	f.Fuzz(func(t *testing.T, method, target, authz, date, token string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Method, r.URL, r.RequestURI = method, u, target
		r.Header.Set("Authorization", authz)
		r.Header.Set("X-Sdk-Date", date)
		r.Header.Set("X-Auth-Token", token)
		rec := serve(e, r)
		if rec.Code < 400 {
			t.Fatalf("%s %s with forged credentials got %d: %s", method, target, rec.Code, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("error body is not JSON: %q", rec.Body.String())
		}
	})
}
