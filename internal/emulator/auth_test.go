package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// vector is one request signed by the official Huawei Cloud Go SDK.
type vector struct {
	Name     string            `json:"name"`
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Body     string            `json:"body"`
	AK       string            `json:"ak"`
	SK       string            `json:"sk"`
	Time     time.Time         `json:"time"`
	Signed   string            `json:"signed_headers"`
	Expected map[string]string `json:"expected_headers_after_signing"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("../client/signer/testdata/signing-vectors-sdk-hmac-sha256.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

// wire is a vector's request as parts that a mutation can change.
type wire struct {
	method, url, body, host string
	headers                 map[string]string // without Host
}

func (v vector) wire() wire {
	w := wire{method: v.Method, url: v.URL, body: v.Body, headers: map[string]string{}}
	for k, val := range v.Expected {
		if strings.EqualFold(k, "Host") {
			w.host = val
			continue
		}
		w.headers[k] = val
	}
	return w
}

// request builds the request as Go's server would hand it over: Host is in
// r.Host, not in the header map.
func (w wire) request() *http.Request {
	r := httptest.NewRequest(w.method, w.url, strings.NewReader(w.body))
	if w.host != "" {
		r.Host = w.host
	}
	for k, v := range w.headers {
		r.Header.Set(k, v)
	}
	return r
}

// emulatorFor accepts the vector's credentials at the vector's time: as the
// temporary AK/SK when the vector carries a security token.
func emulatorFor(v vector) *Emulator {
	cfg := Config{Now: func() time.Time { return v.Time }}
	if tok, ok := v.Expected["X-Security-Token"]; ok {
		cfg.Credentials = Credentials{TempAccessKey: v.AK, TempSecretKey: v.SK, SecurityToken: tok}
	} else {
		cfg.Credentials = Credentials{AccessKey: v.AK, SecretKey: v.SK}
	}
	return New(cfg)
}

func TestVerifierAcceptsSDKVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			rec := serve(emulatorFor(v), v.wire().request())
			if rec.Code == http.StatusUnauthorized {
				t.Fatalf("the SDK's request was rejected: %s", rec.Body.String())
			}
		})
	}
}

// bump changes one byte into another of the same class, so the result
// stays well-formed: a digit stays a digit, a letter a letter.
func bump(b byte) byte {
	switch {
	case b == '9':
		return '8'
	case b == 'z':
		return 'y'
	case b == 'Z':
		return 'Y'
	case '0' <= b && b < '9', 'a' <= b && b < 'z', 'A' <= b && b < 'Z':
		return b + 1
	}
	return 'x'
}

// bumpLastAlnum changes the last letter or digit of s.
func bumpLastAlnum(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if c := b[i]; '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			b[i] = bump(c)
			return string(b)
		}
	}
	return s + "x"
}

// mutation changes one byte of a vector's request.
type mutation struct {
	name  string
	apply func(*wire)
}

func mutationsFor(v vector) []mutation {
	w := v.wire()
	ms := []mutation{
		{"signature", func(w *wire) { w.headers["Authorization"] = bumpLastAlnum(w.headers["Authorization"]) }},
		{"path", func(w *wire) {
			path, query, _ := strings.Cut(w.url, "?")
			w.url = bumpLastAlnum(path)
			if query != "" {
				w.url += "?" + query
			}
		}},
		{"date", func(w *wire) {
			// The seconds' last digit: the date stays well-formed and within
			// the allowed skew, so only the signature can catch it.
			d := []byte(w.headers[signer.HeaderDate])
			d[len(d)-2] = bump(d[len(d)-2])
			w.headers[signer.HeaderDate] = string(d)
		}},
	}
	if _, query, ok := strings.Cut(w.url, "?"); ok && query != "" {
		ms = append(ms, mutation{"query value", func(w *wire) {
			// Change the first literal letter or digit of the first value,
			// stepping over %XX escapes so the query stays well-formed.
			b := []byte(w.url)
			i := bytes.IndexByte(b, '?')
			i += bytes.IndexByte(b[i:], '=') + 1
			for ; i < len(b) && b[i] != '&'; i++ {
				if b[i] == '%' {
					i += 2
					continue
				}
				b[i] = bump(b[i])
				break
			}
			w.url = string(b)
		}})
	}
	for _, name := range strings.Split(v.Signed, ";") {
		switch name {
		case "x-sdk-date":
			continue // The "date" mutation.
		case "host":
			ms = append(ms, mutation{"header host", func(w *wire) { w.host = bumpLastAlnum(w.host) }})
		default:
			key := http.CanonicalHeaderKey(name)
			ms = append(ms, mutation{"header " + name, func(w *wire) { w.headers[key] = bumpLastAlnum(w.headers[key]) }})
		}
	}
	if w.headers[signer.HeaderContentSha256] != signer.UnsignedPayload {
		ms = append(ms, mutation{"body", func(w *wire) {
			if w.body == "" {
				w.body = "x"
				return
			}
			b := []byte(w.body)
			b[len(b)/2] = bump(b[len(b)/2])
			w.body = string(b)
		}})
	}
	return ms
}

func TestVerifierRejectsOneByteChanges(t *testing.T) {
	for _, v := range loadVectors(t) {
		for _, m := range mutationsFor(v) {
			t.Run(v.Name+"/"+m.name, func(t *testing.T) {
				w := v.wire()
				before := w.url + w.body + w.host + w.headers["Authorization"] + w.headers[signer.HeaderDate]
				m.apply(&w)
				after := w.url + w.body + w.host + w.headers["Authorization"] + w.headers[signer.HeaderDate]
				changed := before != after
				for k, val := range v.wire().headers {
					changed = changed || w.headers[k] != val
				}
				if !changed {
					t.Fatal("the mutation changed nothing")
				}
				rec := serve(emulatorFor(v), w.request())
				b := wantError(t, rec, http.StatusUnauthorized, "APIGW.0301")
				want := "signature mismatch"
				if m.name == "header x-security-token" {
					want = "invalid security token"
				}
				if !strings.HasSuffix(b.Message, want) {
					t.Fatalf("rejected for another reason than expected (%q): %q", want, b.Message)
				}
			})
		}
	}
}

func TestVerifierIgnoresUnsignedPayload(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.Expected[signer.HeaderContentSha256] != signer.UnsignedPayload {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			w := v.wire()
			w.body = "something else entirely"
			if rec := serve(emulatorFor(v), w.request()); rec.Code == http.StatusUnauthorized {
				t.Fatalf("an UNSIGNED-PAYLOAD body was checked: %s", rec.Body.String())
			}
		})
	}
}

func TestVerifierClockSkew(t *testing.T) {
	cases := []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"on time", 0, true},
		{"14 minutes slow", -14 * time.Minute, true},
		{"14 minutes fast", 14 * time.Minute, true},
		{"15 minutes slow", -15 * time.Minute, true},
		{"15 minutes fast", 15 * time.Minute, true},
		{"16 minutes slow", -16 * time.Minute, false},
		{"16 minutes fast", 16 * time.Minute, false},
		{"a day fast", 24 * time.Hour, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			r := httptest.NewRequest(http.MethodGet, "/v3/projects?name="+DefaultRegion, nil)
			signAt(t, r, testNow.Add(tc.offset))
			rec := serve(e, r)
			if tc.ok {
				wantStatus(t, rec, http.StatusOK)
				return
			}
			b := wantError(t, rec, http.StatusUnauthorized, "APIGW.0301")
			if !strings.Contains(b.Message, "x-sdk-date outside 15 minutes") {
				t.Fatalf("message %q does not say what was wrong", b.Message)
			}
		})
	}
}

// signWith builds an Authorization header by hand, for requests the signer
// would never produce.
func signWith(r *http.Request, ak, sk string, signedHeaders []string) {
	q := r.URL.Query()
	canonical := signer.CanonicalRequest(r.Method, r.URL.Path, q, r.Header, signedHeaders, signer.PayloadHash(r.Header, nil))
	sig := signer.Signature(sk, signer.StringToSign(r.Header.Get(signer.HeaderDate), canonical))
	r.Header.Set("Authorization", signer.Algorithm+" Access="+ak+", SignedHeaders="+strings.Join(signedHeaders, ";")+", Signature="+sig)
}

func TestVerifierRejections(t *testing.T) {
	c := defaultCredentials
	date := testNow.Format(signer.DateFormat)
	cases := []struct {
		name    string
		prepare func(r *http.Request)
		want    string // in error_msg
	}{
		{"no credentials", func(r *http.Request) {}, "no credentials"},
		{"another scheme", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, "unsupported Authorization scheme"},
		{"malformed authorization", func(r *http.Request) {
			r.Header.Set("Authorization", signer.Algorithm+" Access=a SignedHeaders=x-sdk-date")
		}, "malformed Authorization"},
		{"unknown access key", func(r *http.Request) {
			_ = signer.Sign(r, nil, "NOTANEMULATORKEY0001", c.SecretKey, testNow)
		}, "unknown access key"},
		{"wrong secret key", func(r *http.Request) {
			_ = signer.Sign(r, nil, c.AccessKey, "wrong-secret", testNow)
		}, "signature mismatch"},
		{"x-sdk-date not signed", func(r *http.Request) {
			r.Header.Set(signer.HeaderDate, date)
			r.Header.Set("X-Project-Id", DefaultProjectID)
			signWith(r, c.AccessKey, c.SecretKey, []string{"x-project-id"})
		}, "x-sdk-date is not in SignedHeaders"},
		{"no X-Sdk-Date header", func(r *http.Request) {
			signWith(r, c.AccessKey, c.SecretKey, []string{"x-sdk-date"})
		}, "missing X-Sdk-Date"},
		{"X-Sdk-Date in another format", func(r *http.Request) {
			r.Header.Set(signer.HeaderDate, testNow.Format(time.RFC1123))
			signWith(r, c.AccessKey, c.SecretKey, []string{"x-sdk-date"})
		}, "X-Sdk-Date is not in the format"},
		{"permanent key with a security token", func(r *http.Request) {
			r.Header.Set("X-Security-Token", c.SecurityToken)
			_ = signer.Sign(r, nil, c.AccessKey, c.SecretKey, testNow)
		}, "X-Security-Token sent with a permanent access key"},
		{"temporary key without security token", func(r *http.Request) {
			_ = signer.Sign(r, nil, c.TempAccessKey, c.TempSecretKey, testNow)
		}, "needs X-Security-Token"},
		{"temporary key with a wrong security token", func(r *http.Request) {
			r.Header.Set("X-Security-Token", c.SecurityToken+"x")
			_ = signer.Sign(r, nil, c.TempAccessKey, c.TempSecretKey, testNow)
		}, "invalid security token"},
		{"temporary key with a wrong unsigned security token", func(r *http.Request) {
			r.Header.Set(signer.HeaderDate, date)
			r.Header.Set("X-Security-Token", c.SecurityToken+"x")
			signWith(r, c.TempAccessKey, c.TempSecretKey, []string{"x-sdk-date"})
		}, "invalid security token"},
		{"unsigned UNSIGNED-PAYLOAD marker", func(r *http.Request) {
			r.Header.Set(signer.HeaderDate, date)
			r.Header.Set(signer.HeaderContentSha256, signer.UnsignedPayload)
			signWith(r, c.AccessKey, c.SecretKey, []string{"x-sdk-date"})
		}, "x-sdk-content-sha256 is not in SignedHeaders"},
		{"unknown token", func(r *http.Request) { r.Header.Set("X-Auth-Token", "MIInot-a-token") }, "unknown token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEmulator(t)
			r := httptest.NewRequest(http.MethodGet, "/v3/projects?name="+DefaultRegion, nil)
			tc.prepare(r)
			rec := serve(e, r)
			b := wantError(t, rec, http.StatusUnauthorized, "APIGW.0301")
			if !strings.Contains(b.Message, tc.want) {
				t.Fatalf("message %q does not contain %q", b.Message, tc.want)
			}
			wantNoSecrets(t, "401 body", rec.Body.String())
			if e.Count(RouteProjects) != 1 {
				t.Fatalf("a rejected request was not counted: %v", e.Counts())
			}
		})
	}
}

// TestSignRoundTrip sends requests signed by the client's signer through a
// real HTTP connection, so that what Go's transport and server do to a
// request (Host, escaping, header case) is part of the test.
func TestSignRoundTrip(t *testing.T) {
	c := defaultCredentials
	e, srv := NewServer(Config{})
	defer srv.Close()
	e.AddTasks(DefaultProjectID, testInstance, Task{ID: "t1", CreatedAt: time.Now()})
	cases := []struct {
		name, path string
		headers    map[string]string
		ak, sk     string
		signHost   bool
		want       int
	}{
		{"permanent", "/v3/projects?name=" + DefaultRegion, nil, c.AccessKey, c.SecretKey, false, http.StatusOK},
		{"permanent with host signed", tasksPath + "?limit=5&begin_time=20200101000000", map[string]string{"X-Project-Id": DefaultProjectID}, c.AccessKey, c.SecretKey, true, http.StatusOK},
		{"query needing escapes", "/v3/projects?name=my%20region~%2B%2F&x=a+b", map[string]string{"User-Agent": "terraform-provider-hwtasks/test", "X-Language": "en-us"}, c.AccessKey, c.SecretKey, false, http.StatusOK},
		{"temporary with token", tasksPath, map[string]string{"X-Security-Token": c.SecurityToken}, c.TempAccessKey, c.TempSecretKey, false, http.StatusOK},
		{"temporary without token", tasksPath, nil, c.TempAccessKey, c.TempSecretKey, false, http.StatusUnauthorized},
		{"temporary with wrong token", tasksPath, map[string]string{"X-Security-Token": "not-the-token"}, c.TempAccessKey, c.TempSecretKey, false, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			if tc.signHost {
				req.Header.Set("Host", req.URL.Host)
			}
			if err := signer.Sign(req, nil, tc.ak, tc.sk, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.want {
				var b bytes.Buffer
				_, _ = b.ReadFrom(resp.Body)
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b.String())
			}
		})
	}
}

// TestTemporaryKeyHeaders: X-Security-Token, X-Project-Id and X-Domain-Id
// are accepted signed (the SDK) or unsigned (the provider's client), and
// their values are checked either way.
func TestTemporaryKeyHeaders(t *testing.T) {
	e := newTestEmulator(t)
	e.AddInstance(DefaultProjectID, testInstance)
	ak, sk, tok, _ := e.IssueTemporaryKeys()
	issued := keySet{ak, sk, tok}
	aak, ask, atok, _ := e.issueKeys(agencyIdentity(e.cfg.Agencies[0]), time.Hour)
	agency := keySet{aak, ask, atok}
	const other = "1f2e3d4c5b6a47988796a5b4c3d2e1f0"
	cases := []struct {
		name             string
		keys             keySet
		signToken        bool
		signed, unsigned map[string]string
		status           int
		why              string // the 401's reason
	}{
		{"static temporary, token signed", staticTempKeys, true, nil, nil, http.StatusOK, ""},
		{"static temporary, token unsigned", staticTempKeys, false, nil, nil, http.StatusOK, ""},
		{"static temporary, wrong token signed", keySet{staticTempKeys.ak, staticTempKeys.sk, staticTempKeys.token + "x"}, true, nil, nil, http.StatusUnauthorized, "invalid security token"},
		{"static temporary, wrong token unsigned", keySet{staticTempKeys.ak, staticTempKeys.sk, staticTempKeys.token + "x"}, false, nil, nil, http.StatusUnauthorized, "invalid security token"},
		{"static temporary, no token", keySet{staticTempKeys.ak, staticTempKeys.sk, ""}, false, nil, nil, http.StatusUnauthorized, "a temporary access key needs X-Security-Token"},
		{"issued, token signed", issued, true, nil, nil, http.StatusOK, ""},
		{"issued, token unsigned", issued, false, nil, nil, http.StatusOK, ""},
		{"issued, the static keys' token", keySet{ak, sk, staticTempKeys.token}, false, nil, nil, http.StatusUnauthorized, "invalid security token"},
		{"issued, another issued key's token", keySet{ak, sk, atok}, true, nil, nil, http.StatusUnauthorized, "invalid security token"},
		{"static temporary, an issued token", keySet{staticTempKeys.ak, staticTempKeys.sk, tok}, false, nil, nil, http.StatusUnauthorized, "invalid security token"},
		{"issued, no token", keySet{ak, sk, ""}, false, nil, nil, http.StatusUnauthorized, "a temporary access key needs X-Security-Token"},
		{"permanent with an issued token", keySet{permanentKeys.ak, permanentKeys.sk, tok}, false, nil, nil, http.StatusUnauthorized, "X-Security-Token sent with a permanent access key"},
		{"X-Project-Id unsigned", issued, false, nil, map[string]string{"X-Project-Id": DefaultProjectID}, http.StatusOK, ""},
		{"X-Project-Id unsigned, another project", issued, false, nil, map[string]string{"X-Project-Id": other}, http.StatusForbidden, ""},
		{"X-Project-Id signed, another project", issued, true, map[string]string{"X-Project-Id": other}, nil, http.StatusForbidden, ""},
		{"X-Domain-Id unsigned", issued, false, nil, map[string]string{"X-Domain-Id": DomainID}, http.StatusOK, ""},
		{"X-Domain-Id signed", issued, true, map[string]string{"X-Domain-Id": DomainID}, nil, http.StatusOK, ""},
		{"X-Domain-Id with permanent keys", permanentKeys, false, map[string]string{"X-Domain-Id": DomainID}, nil, http.StatusOK, ""},
		{"X-Domain-Id unsigned, another domain", issued, false, nil, map[string]string{"X-Domain-Id": DefaultAgencyDomainID}, http.StatusUnauthorized, "X-Domain-Id is not the domain of the access key"},
		{"X-Domain-Id signed, another domain", permanentKeys, false, map[string]string{"X-Domain-Id": DefaultAgencyDomainID}, nil, http.StatusUnauthorized, "X-Domain-Id is not the domain of the access key"},
		{"agency keys, their domain", agency, false, nil, map[string]string{"X-Domain-Id": DefaultAgencyDomainID}, http.StatusOK, ""},
		{"agency keys, the account's domain", agency, true, map[string]string{"X-Domain-Id": DomainID}, nil, http.StatusUnauthorized, "X-Domain-Id is not the domain of the access key"},
		{"all three unsigned, as the provider's client", issued, false, nil, map[string]string{"X-Project-Id": DefaultProjectID, "X-Domain-Id": DomainID}, http.StatusOK, ""},
		{"all three signed, as the SDK", issued, true, map[string]string{"X-Project-Id": DefaultProjectID, "X-Domain-Id": DomainID}, nil, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.keys.request(t, http.MethodGet, tasksPath, "", testNow, tc.signToken, tc.signed, tc.unsigned)
			signedHeaders := r.Header.Get("Authorization")
			if tc.signToken != strings.Contains(signedHeaders, "x-security-token") && tc.keys.token != "" {
				t.Fatalf("the test signed the wrong headers: %s", signedHeaders)
			}
			rec := serve(e, r)
			switch tc.status {
			case http.StatusUnauthorized:
				wantAPIGW401(t, rec, tc.why)
			case http.StatusForbidden:
				wantError(t, rec, http.StatusForbidden, dmsProjectMismatch)
			default:
				wantStatus(t, rec, tc.status)
			}
		})
	}
}

// signOver signs r as a client that picks its own SignedHeaders does,
// with the signer package's functions: over exactly names, which must be
// sorted and lower-case.
func signOver(t testing.TB, r *http.Request, body []byte, k keySet, at time.Time, names ...string) {
	t.Helper()
	r.Header.Set(signer.HeaderDate, at.UTC().Format(signer.DateFormat))
	canonical := signer.CanonicalRequest(r.Method, r.URL.Path, r.URL.Query(), r.Header, names, signer.PayloadHash(r.Header, body))
	sig := signer.Signature(k.sk, signer.StringToSign(r.Header.Get(signer.HeaderDate), canonical))
	r.Header.Set("Authorization", signer.Algorithm+" Access="+k.ak+", SignedHeaders="+strings.Join(names, ";")+", Signature="+sig)
}

// TestSignedContentTypeAccepted sends, over real HTTP, requests that sign
// content-type and accept, as the official provider's client signs every
// header present, and that add X-Project-Id, X-Domain-Id and
// X-Security-Token after signing.
func TestSignedContentTypeAccepted(t *testing.T) {
	e, srv := NewServer(Config{})
	defer srv.Close()
	e.AddInstance(DefaultProjectID, testInstance)
	agencyBody := `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"` + DefaultAgencyName +
		`","domain_name":"` + DefaultAgencyDomainName + `","duration_seconds":3600,"session_user":{"name":"tester"}}}}}`
	cases := []struct {
		name, method, path, body string
		keys                     keySet
		headers                  map[string]string // set before signing
		names                    []string          // signed
		after                    map[string]string // set after signing
		tamper                   func(*http.Request)
		want                     int
	}{
		{"POST signing content-type with charset", http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens", agencyBody, permanentKeys,
			map[string]string{"Content-Type": "application/json;charset=UTF-8", "User-Agent": "terraform-provider-hwtasks/test"},
			[]string{"content-type", "user-agent", "x-sdk-date"}, map[string]string{"X-Domain-Id": DomainID}, nil, http.StatusCreated},
		{"POST with temporary keys, token added after", http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens", agencyBody, staticTempKeys,
			map[string]string{"Content-Type": "application/json;charset=UTF-8", "Accept": "application/json"},
			[]string{"accept", "content-type", "x-sdk-date"}, map[string]string{"X-Domain-Id": DomainID, "X-Security-Token": staticTempKeys.token}, nil, http.StatusCreated},
		{"GET signing accept, content-type and user-agent", http.MethodGet, tasksPath + "?limit=10&offset=0", "", staticTempKeys,
			map[string]string{"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "golangsdk"},
			[]string{"accept", "content-type", "user-agent", "x-sdk-date"}, map[string]string{"X-Project-Id": DefaultProjectID, "X-Security-Token": staticTempKeys.token}, nil, http.StatusOK},
		{"GET as observed from the provider's client", http.MethodGet, "/v3/projects?name=" + DefaultRegion, "", staticTempKeys,
			map[string]string{"Accept": "application/json", "User-Agent": "golangsdk"},
			[]string{"accept", "user-agent", "x-sdk-date"}, map[string]string{"X-Security-Token": staticTempKeys.token}, nil, http.StatusOK},
		{"GET as observed from the SDK", http.MethodGet, tasksPath, "", staticTempKeys,
			map[string]string{"User-Agent": "huaweicloud-usdk-go/3.0", "X-Project-Id": DefaultProjectID, "X-Security-Token": staticTempKeys.token},
			[]string{"user-agent", "x-project-id", "x-sdk-date", "x-security-token"}, nil, nil, http.StatusOK},
		{"a signed content-type changed in transit", http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens", agencyBody, permanentKeys,
			map[string]string{"Content-Type": "application/json;charset=UTF-8"},
			[]string{"content-type", "x-sdk-date"}, nil, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, http.StatusUnauthorized},
		{"a signed accept changed in transit", http.MethodGet, tasksPath, "", permanentKeys,
			map[string]string{"Accept": "application/json"},
			[]string{"accept", "x-sdk-date"}, nil, func(r *http.Request) { r.Header.Set("Accept", "*/*") }, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			signOver(t, req, []byte(tc.body), tc.keys, time.Now(), tc.names...)
			for k, v := range tc.after {
				req.Header.Set(k, v)
			}
			if tc.tamper != nil {
				tc.tamper(req)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b)
			}
			if tc.want == http.StatusUnauthorized && !strings.Contains(string(b), "signature mismatch") {
				t.Fatalf("refused for another reason: %s", b)
			}
		})
	}
}

func TestIssueTemporaryKeys(t *testing.T) {
	e := newTestEmulator(t)
	e.AddInstance(DefaultProjectID, testInstance)
	ak1, sk1, tok1, exp1 := e.IssueTemporaryKeys()
	ak2, sk2, tok2, _ := e.IssueTemporaryKeys()
	if !exp1.Equal(testNow.Add(DefaultTemporaryKeyDuration)) {
		t.Fatalf("expires %v, want 15 minutes from now", exp1)
	}
	for _, k := range []keySet{{ak1, sk1, tok1}, {ak2, sk2, tok2}} {
		if !issuedAK.MatchString(k.ak) || !issuedSK.MatchString(k.sk) || !issuedST.MatchString(k.token) {
			t.Fatalf("keys of the wrong shape: %+v", k)
		}
	}
	if ak1 == ak2 || sk1 == sk2 || tok1 == tok2 {
		t.Fatal("two issues gave the same keys")
	}
	wantStatus(t, serve(e, keySet{ak1, sk1, tok1}.get(t, tasksPath)), http.StatusOK)
	wantStatus(t, serve(e, keySet{ak2, sk2, tok2}.get(t, tasksPath)), http.StatusOK)
	// Each key works with its own token only.
	wantAPIGW401(t, serve(e, keySet{ak1, sk1, tok2}.get(t, tasksPath)), "invalid security token")
	// And with its own secret only.
	wantAPIGW401(t, serve(e, keySet{ak1, sk2, tok1}.get(t, tasksPath)), "signature mismatch")
}

// TestTemporaryKeysExpire: with TemporaryKeyTTL, every issued key expires
// on the test's schedule, by the emulator's clock, whatever lifetime was
// asked for; the static temporary keys never do.
func TestTemporaryKeysExpire(t *testing.T) {
	const ttl = 30 * time.Second
	wantExpired := "the security token and its temporary access key expired at 2026-01-02T03:04:35Z; get new temporary keys"
	issuers := []struct {
		name  string
		issue func(t *testing.T, e *Emulator) keySet
	}{
		{"IssueTemporaryKeys", func(t *testing.T, e *Emulator) keySet {
			ak, sk, tok, exp := e.IssueTemporaryKeys()
			if !exp.Equal(testNow.Add(ttl)) {
				t.Fatalf("expires %v, want the TTL from now", exp)
			}
			return keySet{ak, sk, tok}
		}},
		{"securitytokens asking for a day", func(t *testing.T, e *Emulator) keySet {
			body := `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"` + DefaultAgencyName +
				`","domain_name":"` + DefaultAgencyDomainName + `","duration_seconds":86400}}}}`
			return wantCredential(t, serve(e, permanentKeys.post(t, "/v3.0/OS-CREDENTIAL/securitytokens", body)), http.StatusCreated, testNow.Add(ttl))
		}},
		{"metadata", func(t *testing.T, e *Emulator) keySet {
			r := httptest.NewRequest(http.MethodGet, "/openstack/latest/securitykey", nil)
			return wantCredential(t, serve(e, r), http.StatusOK, testNow.Add(ttl))
		}},
	}
	for _, is := range issuers {
		t.Run(is.name, func(t *testing.T) {
			clk := newClock(testNow)
			e := New(Config{Now: clk.Now, TemporaryKeyTTL: ttl})
			e.AddInstance(DefaultProjectID, testInstance)
			k := is.issue(t, e)
			at := func() *http.Request {
				return k.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)
			}
			wantStatus(t, serve(e, at()), http.StatusOK)
			clk.Add(ttl - time.Second)
			wantStatus(t, serve(e, at()), http.StatusOK)
			clk.Add(time.Second)
			wantAPIGW401(t, serve(e, at()), wantExpired)
			// A wrong token is still reported as such, not as expired.
			wrong := keySet{k.ak, k.sk, k.token + "x"}.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)
			wantAPIGW401(t, serve(e, wrong), "invalid security token")
			// The static temporary keys never expire.
			clk.Add(10 * 365 * 24 * time.Hour)
			wantStatus(t, serve(e, staticTempKeys.request(t, http.MethodGet, tasksPath, "", clk.Now(), false, nil, nil)), http.StatusOK)
		})
	}
	t.Run("without a TTL, duration_seconds", func(t *testing.T) {
		clk := newClock(testNow)
		e := New(Config{Now: clk.Now})
		e.AddInstance(DefaultProjectID, testInstance)
		body := `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"` + DefaultAgencyName +
			`","domain_name":"` + DefaultAgencyDomainName + `","duration_seconds":1000}}}}`
		k := wantCredential(t, serve(e, permanentKeys.post(t, "/v3.0/OS-CREDENTIAL/securitytokens", body)), http.StatusCreated, testNow.Add(1000*time.Second))
		clk.Add(999 * time.Second)
		wantStatus(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", clk.Now(), true, nil, nil)), http.StatusOK)
		clk.Add(time.Second)
		wantAPIGW401(t, serve(e, k.request(t, http.MethodGet, tasksPath, "", clk.Now(), true, nil, nil)),
			"the security token and its temporary access key expired at 2026-01-02T03:20:45Z; get new temporary keys")
	})
}
