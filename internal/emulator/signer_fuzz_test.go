package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
)

// The verifier's answer travels in response headers, so that it survives a
// HEAD request.
const (
	verdictHeader = "X-Verdict"
	reasonHeader  = "X-Verdict-Reason"
)

// verifierServer answers every request with what checkSignature makes of
// it, after reading the body as the emulator does.
func verifierServer(e *Emulator) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.Header().Set(verdictHeader, "unreadable")
			w.Header().Set(reasonHeader, err.Error())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if _, err := e.checkSignature(r, r.Header.Get("Authorization"), body); err != nil {
			w.Header().Set(verdictHeader, "rejected")
			w.Header().Set(reasonHeader, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set(verdictHeader, "accepted")
	}))
}

// transportOwned are headers that net/http writes from fields of the
// request rather than from its header map (Request.Host, ContentLength,
// TransferEncoding, Trailer), so that a value set in the map is not the one
// on the wire. The client never sets them, and neither can this test.
var transportOwned = map[string]bool{"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Trailer": true}

// fuzzQuery reads query parameters from s: pairs separated by NUL, each a
// key and a value separated by the first \x01 (a pair without one has an
// empty value). Any byte may be in a key or a value but those two, so keys
// repeat, values are empty, and both hold reserved characters, '+', '%',
// spaces, unicode and invalid UTF-8 as the fuzzer likes.
func fuzzQuery(s string) url.Values {
	q := url.Values{}
	if s == "" {
		return q
	}
	for _, pair := range strings.Split(s, "\x00") {
		k, v, _ := strings.Cut(pair, "\x01")
		q.Add(k, v)
	}
	return q
}

// clientURL builds the URL of a request for the unescaped path segments and
// the query, as client.Client.requestURL does: each segment escaped on its
// own, so that a "/" inside one stays part of it, and the query in the
// signer's canonical form, as the official SDK sends it.
func clientURL(base string, segs []string, q url.Values) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	u.Path = u.Path + "/" + strings.Join(segs, "/")
	u.RawPath = u.EscapedPath() + "/" + strings.Join(escaped, "/")
	u.RawQuery = signer.CanonicalQuery(q)
	return u.String()
}

// refusedByNetHTTP reports whether err is net/http refusing to send a
// request: an invalid header name or value, method or Host.
func refusedByNetHTTP(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "net/http: invalid header field") || strings.Contains(msg, "net/http: invalid method") ||
		strings.Contains(msg, "invalid Host header")
}

// FuzzSignVerifyRoundTrip signs requests as the client builds and signs
// them, sends them over a real connection, and has the emulator's verifier
// check them as they arrived. Every request the client can build must be
// accepted, and changing one byte of its body or of a query value after
// signing must get it rejected.
//
// The path is a list of segments separated by NUL (so a segment may hold a
// "/"), the query is described at fuzzQuery, and name and value are one
// more header, added after the client's own.
func FuzzSignVerifyRoundTrip(f *testing.F) {
	for _, s := range signerSeeds(f) {
		f.Add(s.method, s.path, s.query, s.name, s.value, s.body, s.temporary)
	}
	e := New(Config{Now: func() time.Time { return testNow }})
	srv := verifierServer(e)
	f.Cleanup(srv.Close)
	httpClient := srv.Client()
	// A request the server never answers is a failure, not a hang.
	httpClient.Timeout = 5 * time.Second
	creds := e.Config().Credentials

	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte, temporary bool) {
		segs := strings.Split(path, "\x00")
		q := fuzzQuery(query)
		target := clientURL(srv.URL, segs, q)
		ak, sk := creds.AccessKey, creds.SecretKey
		if temporary {
			ak, sk = creds.TempAccessKey, creds.TempSecretKey
		}
		if transportOwned[http.CanonicalHeaderKey(name)] {
			t.Skipf("net/http sends %s from the request's fields, not its header map", name)
		}

		// The request as client.Client.send builds it and the transport
		// signs it.
		build := func(target string, body []byte) (*http.Request, error) {
			var r io.Reader
			if len(body) > 0 {
				r = bytes.NewReader(body)
			}
			return http.NewRequest(method, target, r)
		}
		req, err := build(target, body)
		if err != nil {
			t.Skipf("http.NewRequest refuses it, as the client's retryablehttp.NewRequestWithContext would: %v", err)
		}
		req.Header.Set("User-Agent", "terraform-provider-hwtasks/test")
		if len(body) > 0 {
			req.Header.Set("Content-Type", "application/json;charset=utf8")
		}
		req.Header.Set("X-Project-Id", DefaultProjectID)
		if temporary {
			req.Header.Set("X-Security-Token", creds.SecurityToken)
		}
		req.Header.Add(name, value)
		if err := signer.Sign(req, body, ak, sk, testNow); err != nil {
			t.Fatalf("the signer refuses a request the client built: %v", err)
		}
		signed := req.Header.Clone()

		send := func(req *http.Request) (verdict, reason string) {
			t.Helper()
			resp, err := httpClient.Do(req)
			if err != nil {
				if refusedByNetHTTP(err) {
					t.Skipf("net/http refuses to send it: %v", err)
				}
				t.Fatalf("%s %s: %v", req.Method, req.URL, err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			verdict, reason = resp.Header.Get(verdictHeader), resp.Header.Get(reasonHeader)
			if verdict == "" {
				// net/http's server answered before any handler ran.
				t.Skipf("net/http's server refuses it: %s", resp.Status)
			}
			return verdict, reason
		}

		verdict, reason := send(req)
		// The verifier turns a permanent key with X-Security-Token away on
		// purpose: only the extra header can put one there.
		if !temporary && req.Header.Get("X-Security-Token") != "" {
			if verdict != "rejected" || !strings.Contains(reason, "X-Security-Token sent with a permanent access key") {
				t.Fatalf("a permanent key with X-Security-Token got %s (%s)", verdict, reason)
			}
			return
		}
		if verdict != "accepted" {
			t.Fatalf("the verifier refuses what the signer signed: %s (%s)\n%s %s\nheaders %q\nbody %q", verdict, reason, req.Method, req.URL, signed, body)
		}

		// Tampering after signing must be caught.
		if len(body) > 0 && signer.PayloadHash(signed, body) != signer.UnsignedPayload {
			changed := bytes.Clone(body)
			changed[len(changed)/2] ^= 0x01
			r, err := build(target, changed)
			if err != nil {
				t.Fatal(err)
			}
			r.Header = signed.Clone()
			if verdict, reason := send(r); verdict != "rejected" || reason != "signature mismatch" {
				t.Fatalf("a body changed after signing got %s (%s)", verdict, reason)
			}
		}
		if len(q) > 0 {
			keys := slices.Sorted(maps.Keys(q))
			changed := url.Values{}
			for k, vs := range q {
				changed[k] = slices.Clone(vs)
			}
			v := []byte(changed[keys[0]][0])
			if len(v) == 0 {
				v = []byte("x")
			} else {
				v[len(v)-1] ^= 0x01
			}
			changed[keys[0]][0] = string(v)
			r, err := build(clientURL(srv.URL, segs, changed), body)
			if err != nil {
				t.Fatal(err)
			}
			r.Header = signed.Clone()
			if verdict, reason := send(r); verdict != "rejected" || reason != "signature mismatch" {
				t.Fatalf("a query value changed after signing got %s (%s)", verdict, reason)
			}
		}
	})
}

type signerSeed struct {
	method, path, query, name, value string
	body                             []byte
	temporary                        bool
}

// signerSeeds are the shapes of the official SDK's signing vectors, then
// cases that are hard on escaping and header handling.
func signerSeeds(f *testing.F) []signerSeed {
	raw, err := os.ReadFile("../client/signer/testdata/signing-vectors-sdk-hmac-sha256.json")
	if err != nil {
		f.Fatal(err)
	}
	var vectors []struct {
		Method  string `json:"method"`
		Path    string `json:"path"`
		Query   []struct{ Key, Value string }
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.Unmarshal(raw, &vectors); err != nil || len(vectors) == 0 {
		f.Fatalf("no vectors: %v", err)
	}
	var seeds []signerSeed
	for _, v := range vectors {
		var pairs []string
		for _, p := range v.Query {
			pairs = append(pairs, p.Key+"\x01"+p.Value)
		}
		s := signerSeed{
			method: v.Method, path: strings.Join(strings.Split(strings.TrimPrefix(v.Path, "/"), "/"), "\x00"),
			query: strings.Join(pairs, "\x00"), body: []byte(v.Body),
		}
		// The one header of the vector that the client does not set itself.
		for _, k := range slices.Sorted(maps.Keys(v.Headers)) {
			switch http.CanonicalHeaderKey(k) {
			case "X-Security-Token":
				s.temporary = true
			case "Host", "X-Project-Id":
			default:
				s.name, s.value = k, v.Headers[k]
			}
		}
		if s.name == "" {
			s.name, s.value = "X-Language", "en-us"
		}
		seeds = append(seeds, s)
	}
	return append(seeds,
		signerSeed{"GET", "v2\x00" + DefaultProjectID + "\x00instances\x00a/b c\x00tasks", "start\x011\x00limit\x01100", "X-Language", "zh-cn", nil, false},
		signerSeed{"GET", "v3\x00名字 :@+!$&'()*,;=%2F\x00jobs", "id\x01a+b c%20&=?#/\x00id\x01\x00id\x01A", "X-Custom", "  padded \t value  ", nil, true},
		signerSeed{"", "", "", "X_Under_Score", "not signed", nil, false},
		signerSeed{"POST", "v3\x00auth\x00tokens\x00", "\x01empty key\x00k", "Content-Type", "text/plain", []byte("not hashed"), false},
		signerSeed{"put", "..\x00.\x00\x00~-_.", "\xff\x01\xfe\x00k\x01\u00a0", "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD", []byte(`{"a":1}`), false},
		signerSeed{"DELETE", "v2\x00%\x00%25", "q\x01\u2028\x00Q\x01z", "X-Security-Token", "another token", []byte{0, 0xff, '\n'}, true},
		signerSeed{"PATCH", "v2", "begin_time\x0120240101000000", "Accept", "\u0085value\u0085", []byte(`[]`), false},
	)
}
