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

// FuzzParseDCSListQuery: whatever it accepts is a page it can serve, and
// the time window is start_time's when given, begin_time's otherwise.
func FuzzParseDCSListQuery(f *testing.F) {
	for _, s := range []string{"", "offset=0&limit=10", "offset=-1", "limit=1001", "begin_time=20200609160000&start_time=20200610160000&end_time=20200611000000", "offset=9223372036854775807", "limit=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lq, bad := parseDCSListQuery(q)
		if bad != "" {
			if q.Get(bad) == "" {
				t.Fatalf("%q: refused %s, which was not given", raw, bad)
			}
			return
		}
		if lq.start < 1 || lq.start > 1<<40+1 || lq.limit < 1 || lq.limit > dcsMaxLimit {
			t.Fatalf("accepted %q as %+v", raw, lq)
		}
		begin := q.Get("start_time")
		if begin == "" {
			begin = q.Get("begin_time")
		}
		if (begin != "") != lq.hasBegin || lq.hasBegin && lq.begin.Format(dmsQueryTimeFormat) != begin {
			t.Fatalf("%q: window from %v (set %v), want %q", raw, lq.begin, lq.hasBegin, begin)
		}
		if end := q.Get("end_time"); (end != "") != lq.hasEnd || lq.hasEnd && lq.end.Format(dmsQueryTimeFormat) != end {
			t.Fatalf("%q: window to %v (set %v), want %q", raw, lq.end, lq.hasEnd, end)
		}
	})
}

// FuzzParseGeminiDBQuery: whatever it accepts is a page it can serve.
func FuzzParseGeminiDBQuery(f *testing.F) {
	for _, s := range []string{"", "id=x&limit=10&offset=0", "limit=30", "offset=-1", "start_time=2026-03-01T10:00:00%2B0800&end_time=2026-03-01T10:00:00Z", "offset=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		gq, msg := parseGeminiDBQuery(q)
		if msg != "" {
			return
		}
		if gq.offset < 0 || gq.offset > 1<<40 || gq.limit != 10 && gq.limit != 20 && gq.limit != 50 {
			t.Fatalf("accepted %q as %+v", raw, gq)
		}
		if gq.id != q.Get("id") || (q.Get("start_time") != "") != gq.hasBegin || (q.Get("end_time") != "") != gq.hasEnd {
			t.Fatalf("accepted %q as %+v", raw, gq)
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
	f.Add("GET", "/rds/v3/"+DefaultProjectID+"/jobs?id=x", "SDK-HMAC-SHA256 Access=EMULATORAKPERMANENT01, SignedHeaders=x-sdk-date, Signature=00", "20260102T030405Z", "")
	f.Add("GET", "/geminidb/v3/"+DefaultProjectID+"/jobs?limit=10", "", "", "MIIemulatortoken-x")
	f.Add("GET", "/dcs/v2/"+DefaultProjectID+"/instances/x/tasks?offset=0&limit=10", "SDK-HMAC-SHA256 Access=EMULATORAKPERMANENT01, SignedHeaders=x-sdk-date, Signature=00", "20260102T030405Z", "")
	f.Add("GET", "/ecs/v1/"+DefaultProjectID+"/jobs/x", "SDK-HMAC-SHA256 Access=EMULATORAKPERMANENT01, SignedHeaders=x-sdk-date, Signature=00", "20260102T030405Z", "")
	f.Add("GET", "/cce/api/v3/projects/"+DefaultProjectID+"/jobs/x", "", "", "MIIemulatortoken-x")
	e := New(Config{Now: func() time.Time { return testNow }})
	e.AddInstance(DefaultProjectID, testInstance)
	e.AddDCSInstance(DefaultProjectID, "x")
	e.AddServiceJob(JobServiceRDS, DefaultProjectID, Job{ID: "x"})
	e.AddV1Job(V1JobServiceECS, DefaultProjectID, V1Job{ID: "x"})
	e.AddCCEJob(DefaultProjectID, CCEJob{ID: "x"})
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
