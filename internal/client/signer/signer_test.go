package signer

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// vector is one request signed by the official Huawei Cloud Go SDK.
type vector struct {
	Name           string            `json:"name"`
	Method         string            `json:"method"`
	URL            string            `json:"url"`
	Headers        map[string]string `json:"headers"`
	Body           string            `json:"body"`
	AK             string            `json:"ak"`
	SK             string            `json:"sk"`
	Time           string            `json:"time"`
	Expected       map[string]string `json:"expected_headers_after_signing"`
	SignedHeaders  string            `json:"signed_headers"`
	Canonical      string            `json:"canonical_request"`
	StringToSign   string            `json:"string_to_sign"`
	ReturnedByCall map[string]string `json:"signer_returned_headers"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/signing-vectors-sdk-hmac-sha256.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors in the file")
	}
	return vs
}

func (v vector) request(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(v.Method, v.URL, strings.NewReader(v.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range v.Headers {
		req.Header[k] = []string{val}
	}
	return req
}

func TestSignReproducesSDKVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, v.Time)
			if err != nil {
				t.Fatal(err)
			}
			req := v.request(t)
			if err := Sign(req, []byte(v.Body), v.AK, v.SK, at); err != nil {
				t.Fatal(err)
			}
			for k, want := range v.Expected {
				if got := req.Header.Get(k); got != want {
					t.Errorf("header %s:\n got %q\nwant %q", k, got, want)
				}
			}
			if len(req.Header) != len(v.Expected) {
				t.Errorf("request has %d headers after signing, the SDK's has %d: %v", len(req.Header), len(v.Expected), req.Header)
			}

			// The intermediate strings too, so a failure says which step differs.
			signed := strings.Split(v.SignedHeaders, ";")
			query, _ := url.ParseQuery(req.URL.RawQuery)
			cr := CanonicalRequest(req.Method, req.URL.Path, query, req.Header, signed, PayloadHash(req.Header, []byte(v.Body)))
			if cr != v.Canonical {
				t.Errorf("canonical request:\n got %q\nwant %q", cr, v.Canonical)
			}
			if sts := StringToSign(v.Expected[HeaderDate], cr); sts != v.StringToSign {
				t.Errorf("string to sign:\n got %q\nwant %q", sts, v.StringToSign)
			}
		})
	}
}

func TestSignResignsWithoutSigningOldAuthorization(t *testing.T) {
	v := loadVectors(t)[1]
	at, _ := time.Parse(time.RFC3339, v.Time)
	req := v.request(t)
	if err := Sign(req, nil, v.AK, v.SK, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A retry signs the same request again, later.
	if err := Sign(req, nil, v.AK, v.SK, at); err != nil {
		t.Fatal(err)
	}
	if got, want := req.Header.Get("Authorization"), v.Expected["Authorization"]; got != want {
		t.Fatalf("re-signed Authorization:\n got %q\nwant %q", got, want)
	}
}

// TestCanonicalEdgeCases checks canonical requests worked out by hand from
// the rules in shared/API.md, for inputs the SDK vectors do not cover.
func TestCanonicalEdgeCases(t *testing.T) {
	const date = "x-sdk-date:20260102T030405Z\n"
	const tail = "\nx-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	cases := []struct {
		name string
		url  string
		want string // method, URI and query lines
	}{
		{"empty path", "https://h", "GET\n/\n"},
		{"root path", "https://h/", "GET\n/\n"},
		{"reserved characters in a segment", "https://h/v2/a%3Ab@c+d!$&'()*,;=/x", "GET\n/v2/a%3Ab%40c%2Bd%21%24%26%27%28%29%2A%2C%3B%3D/x/\n"},
		{"space and unicode in path", "https://h/v2/my%20t%C3%A4sk/%E5%90%8D", "GET\n/v2/my%20t%C3%A4sk/%E5%90%8D/\n"},
		{"unreserved kept as is", "https://h/a-b_c.d~e", "GET\n/a-b_c.d~e/\n"},
		{"repeated key sorted by value", "https://h/p?k=b&k=a&k=B&a=1", "GET\n/p/\na=1&k=B&k=a&k=b"},
		{"empty values", "https://h/p?b=&a", "GET\n/p/\na=&b="},
		{"keys sorted by raw bytes before escaping", "https://h/p?%7E=1&_=2&Z=3&a=4", "GET\n/p/\nZ=3&_=2&a=4&~=1"},
		{"plus in query is a space", "https://h/p?q=a+b&r=a%2Bb", "GET\n/p/\nq=a%20b&r=a%2Bb"},
		{"unicode key and value", "https://h/p?%C3%A9=%E5%90%8D", "GET\n/p/\n%C3%A9=%E5%90%8D"},
		{"slash and percent in value", "https://h/p?x=%2F%25", "GET\n/p/\nx=%2F%25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(HeaderDate, "20260102T030405Z")
			query, err := url.ParseQuery(req.URL.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			got := CanonicalRequest(req.Method, req.URL.Path, query, req.Header, SignedHeaders(req.Header), PayloadHash(req.Header, nil))
			want := tc.want + "\n" + date + tail
			if got != want {
				t.Errorf("canonical request:\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestSignedHeadersRules(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "terraform-provider-hwtasks/test")
	h.Set("X-Language", "zh-cn")
	h["X_Custom"] = []string{"skipped"}
	h.Set("Authorization", "old")
	h.Set("X-Project-Id", "p")
	got := strings.Join(SignedHeaders(h), ";")
	if want := "user-agent;x-language;x-project-id;x-sdk-date"; got != want {
		t.Fatalf("signed headers: got %q, want %q", got, want)
	}
}

func TestHeaderValuesAreTrimmed(t *testing.T) {
	h := http.Header{}
	h.Set("X-Project-Id", "  p1  ")
	h.Set(HeaderDate, "20260102T030405Z")
	got := CanonicalRequest("GET", "/", nil, h, SignedHeaders(h), emptyBodyHash)
	if !strings.Contains(got, "\nx-project-id:p1\n") {
		t.Fatalf("value not trimmed: %q", got)
	}
}

func TestPayloadHashing(t *testing.T) {
	cases := []struct {
		name, contentType string
		unsigned          bool
	}{
		{"no content type", "", false},
		{"json", "application/json", false},
		{"json with charset", "application/json;charset=utf8", false},
		{"bson", "application/bson", false},
		{"octet stream", "application/octet-stream", true},
		{"form", "application/x-www-form-urlencoded", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPut, "https://h/x", nil)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if err := Sign(req, []byte("body"), "ak", "sk", time.Unix(0, 0)); err != nil {
				t.Fatal(err)
			}
			got := req.Header.Get(HeaderContentSha256) == UnsignedPayload
			if got != tc.unsigned {
				t.Fatalf("unsigned payload = %v, want %v", got, tc.unsigned)
			}
			if tc.unsigned && !strings.Contains(req.Header.Get("Authorization"), "x-sdk-content-sha256") {
				t.Fatal("X-Sdk-Content-Sha256 must be signed")
			}
		})
	}
}

func TestSignRejectsBadInput(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://h/x", nil)
	if err := Sign(req, nil, "", "sk", time.Now()); err == nil {
		t.Error("empty access key accepted")
	}
	if err := Sign(req, nil, "ak", "", time.Now()); err == nil {
		t.Error("empty secret key accepted")
	}
	bad, _ := http.NewRequest(http.MethodGet, "https://h/x", nil)
	bad.URL.RawQuery = "a=%zz"
	if err := Sign(bad, nil, "ak", "sk", time.Now()); err == nil {
		t.Error("malformed query accepted")
	}
}

func TestParseAuthorization(t *testing.T) {
	for _, v := range loadVectors(t) {
		a, err := ParseAuthorization(v.Expected["Authorization"])
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if a.AccessKey != v.AK || strings.Join(a.SignedHeaders, ";") != v.SignedHeaders || len(a.Signature) != 64 {
			t.Fatalf("%s: parsed %+v", v.Name, a)
		}
	}
	for _, bad := range []string{
		"",
		"AWS4-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=s",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=s, Extra=1",
		"SDK-HMAC-SHA256 Access=a SignedHeaders=x-sdk-date Signature=s",
	} {
		if _, err := ParseAuthorization(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	v := loadVectors(b)[1]
	at, _ := time.Parse(time.RFC3339, v.Time)
	req := v.request(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(req, nil, v.AK, v.SK, at); err != nil {
			b.Fatal(err)
		}
	}
}
