// Package signer implements Huawei Cloud's SDK-HMAC-SHA256 request signing,
// byte for byte as the official Huawei Cloud SDK does it.
//
// Besides Sign, the package exports the pieces a verifier needs to recompute
// a signature from a request as it arrived on the wire (CanonicalRequest,
// StringToSign, Signature, PayloadHash, ParseAuthorization), so that the
// local emulator checks signatures with exactly the rules the client signs
// with, and both are held to the SDK's vectors.
package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	// Algorithm is the name of the signing scheme, the first word of the
	// Authorization header.
	Algorithm = "SDK-HMAC-SHA256"
	// DateFormat is the layout of the X-Sdk-Date header, always in UTC.
	DateFormat = "20060102T150405Z"
	// HeaderDate is the header that carries the signing time.
	HeaderDate = "X-Sdk-Date"
	// HeaderContentSha256 marks a request whose body is not hashed.
	HeaderContentSha256 = "X-Sdk-Content-Sha256"
	// UnsignedPayload replaces the body hash for non-JSON, non-BSON bodies.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// emptyBodyHash is hex(sha256("")), precomputed because most calls are GETs.
const emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Sign signs req for the given credentials at the given time. It sets the
// X-Sdk-Date and Authorization headers, and X-Sdk-Content-Sha256 when the
// body is not JSON or BSON. Every header already in req.Header is signed,
// except Content-Type and names that contain an underscore, as the SDK does.
// An Authorization header left by an earlier attempt is replaced, never
// signed, so a request can be signed again before a retry.
func Sign(req *http.Request, body []byte, accessKey, secretKey string, at time.Time) error {
	if req == nil || req.URL == nil {
		return errors.New("signer: request has no URL")
	}
	if accessKey == "" || secretKey == "" {
		return errors.New("signer: access key and secret key must both be set")
	}
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return fmt.Errorf("signer: malformed query string: %w", err)
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header.Del("Authorization")
	date := at.UTC().Format(DateFormat)
	req.Header.Set(HeaderDate, date)
	if !hashedContentType(req.Header.Get("Content-Type")) {
		req.Header.Set(HeaderContentSha256, UnsignedPayload)
	}

	signed := SignedHeaders(req.Header)
	canonical := CanonicalRequest(req.Method, req.URL.Path, query, req.Header, signed, PayloadHash(req.Header, body))
	signature := Signature(secretKey, StringToSign(date, canonical))

	var b strings.Builder
	b.Grow(len(Algorithm) + len(accessKey) + len(signature) + 64)
	b.WriteString(Algorithm)
	b.WriteString(" Access=")
	b.WriteString(accessKey)
	b.WriteString(", SignedHeaders=")
	for i, h := range signed {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteString(", Signature=")
	b.WriteString(signature)
	req.Header.Set("Authorization", b.String())
	return nil
}

// hashedContentType reports whether the SDK hashes a body of this type. It
// hashes JSON and BSON, and a request without a Content-Type.
func hashedContentType(contentType string) bool {
	if contentType == "" {
		return true
	}
	ct := strings.ToLower(contentType)
	return strings.Contains(ct, "application/json") || strings.Contains(ct, "application/bson")
}

// SignedHeaders returns the sorted lower-case names of the headers to sign:
// x-sdk-date always, and every header in h except Content-Type,
// Authorization and names containing "_".
func SignedHeaders(h http.Header) []string {
	names := make([]string, 0, len(h)+1)
	hasDate := false
	for k := range h {
		name := strings.ToLower(k)
		if name == "content-type" || name == "authorization" || strings.Contains(name, "_") {
			continue
		}
		if name == "x-sdk-date" {
			hasDate = true
		}
		names = append(names, name)
	}
	if !hasDate {
		names = append(names, "x-sdk-date")
	}
	sort.Strings(names)
	// Two map keys can only fold to the same lower-case name when a caller
	// wrote the map directly; keep one so the header line is not doubled.
	out := names[:0]
	for i, n := range names {
		if i == 0 || n != names[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// PayloadHash returns the body's hash as it goes into the canonical request:
// the literal UNSIGNED-PAYLOAD when h marks the body unsigned, otherwise the
// hex SHA-256 of body. The marker is compared trimmed, as header values are
// canonicalised and as they arrive after HTTP drops the padding.
func PayloadHash(h http.Header, body []byte) string {
	if strings.TrimSpace(h.Get(HeaderContentSha256)) == UnsignedPayload {
		return UnsignedPayload
	}
	if len(body) == 0 {
		return emptyBodyHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// CanonicalRequest builds the canonical request. path is the unescaped URL
// path, query the decoded query parameters, and signedHeaders the sorted
// lower-case names from SignedHeaders (or from a received Authorization
// header). A signed "host" takes its value from a Host entry in h.
func CanonicalRequest(method, path string, query url.Values, h http.Header, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.Grow(256 + len(path) + 32*len(signedHeaders))
	b.WriteString(method)
	b.WriteByte('\n')
	writeCanonicalURI(&b, path)
	b.WriteByte('\n')
	writeCanonicalQuery(&b, query)
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(headerValue(h, name)))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, name := range signedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// headerValue finds name in h whatever the case of its key, since callers
// (and the SDK's vectors) may hold non-canonical keys such as "Host".
func headerValue(h http.Header, name string) string {
	if v, ok := h[http.CanonicalHeaderKey(name)]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0]
		}
	}
	return ""
}

func writeCanonicalURI(b *strings.Builder, path string) {
	if path == "" {
		b.WriteByte('/')
		return
	}
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		escape(b, seg)
	}
	if !strings.HasSuffix(path, "/") {
		b.WriteByte('/')
	}
}

// CanonicalQuery returns the query in canonical form: keys sorted by raw
// bytes, a repeated key's values sorted, both escaped, "k=v" joined by "&".
// The official SDK also sends the query on the wire in exactly this form.
func CanonicalQuery(query url.Values) string {
	var b strings.Builder
	writeCanonicalQuery(&b, query)
	return b.String()
}

func writeCanonicalQuery(b *strings.Builder, query url.Values) {
	if len(query) == 0 {
		return
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys) // Go compares strings bytewise: the raw-byte order the SDK uses.
	first := true
	for _, k := range keys {
		values := query[k]
		if len(values) > 1 {
			values = append([]string(nil), values...)
			sort.Strings(values)
		}
		for _, v := range values {
			if !first {
				b.WriteByte('&')
			}
			first = false
			escape(b, k)
			b.WriteByte('=')
			escape(b, v)
		}
	}
}

// StringToSign returns the string that is signed for a canonical request
// made at the given X-Sdk-Date.
func StringToSign(sdkDate, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	var b strings.Builder
	b.Grow(len(Algorithm) + len(sdkDate) + 2 + hex.EncodedLen(len(sum)))
	b.WriteString(Algorithm)
	b.WriteByte('\n')
	b.WriteString(sdkDate)
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// Signature returns hex(HMAC-SHA256(secretKey, stringToSign)).
func Signature(secretKey, stringToSign string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// Authorization is a parsed SDK-HMAC-SHA256 Authorization header.
type Authorization struct {
	AccessKey     string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization parses "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b,
// Signature=hex". It is strict about the algorithm and the three fields and
// lenient about the spaces after the commas.
func ParseAuthorization(value string) (Authorization, error) {
	var a Authorization
	rest, ok := strings.CutPrefix(value, Algorithm+" ")
	if !ok {
		return a, fmt.Errorf("authorization does not start with %q", Algorithm)
	}
	for _, field := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return a, fmt.Errorf("malformed authorization field %q", field)
		}
		switch k {
		case "Access":
			a.AccessKey = v
		case "SignedHeaders":
			if v != "" {
				a.SignedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.Signature = v
		default:
			return a, fmt.Errorf("unknown authorization field %q", k)
		}
	}
	if a.AccessKey == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, errors.New("authorization lacks Access, SignedHeaders or Signature")
	}
	return a, nil
}

const upperHex = "0123456789ABCDEF"

// escape writes s with every byte outside A-Z a-z 0-9 - _ . ~ as %XX.
func escape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
