package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// APIError is an HTTP response the API answered with a failure status.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the API's error code, such as DMS.00404022; empty when the
	// body held none (an HTML page from a gateway, say).
	Code string
	// Message is the API's message, cut at MaxMessageRunes, or a short
	// excerpt of a body that was not a known error shape (see NotAPIError).
	// Like Code and RequestID, it has the client's secrets masked and its
	// control characters neutralised (see Client.ServerText).
	Message string
	// NotAPIError says the body was not an API error at all, such as an
	// HTML page from a gateway or a proxy: Message is an excerpt of it.
	NotAPIError bool
	// RequestID is the X-Request-Id (or X-IAM-Trace-Id) of the response,
	// cut at 128 characters.
	RequestID string

	// Method and Path say which call failed; Path has no query string.
	Method string
	Path   string
	// Attempts is how many times the request was sent.
	Attempts int
}

// Error reads as "GET /v2/…/tasks: 404 DMS.00404022 This DMS instance does
// not exist. (request id …)".
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	switch t := http.StatusText(e.StatusCode); {
	case e.NotAPIError:
		if t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
		b.WriteString(", with a body that is not an API error: ")
		b.WriteString(strconv.Quote(e.Message))
	case e.Message != "":
		b.WriteByte(' ')
		b.WriteString(e.Message)
	case t != "":
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	if e.Attempts > 1 {
		b.WriteString(" after ")
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteString(" attempts")
	}
	return b.String()
}

// Summary is the error without the method and path, for messages that name
// the failed call in their own words: "404 DMS.00404022 … (request id …)".
func (e *APIError) Summary() string {
	c := *e
	c.Method = ""
	return c.Error()
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether err is an API answer of 404.
func IsNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusNotFound
}

// IsThrottled reports whether err is an API answer of 429 or APIGW.0308.
func IsThrottled(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.StatusCode == http.StatusTooManyRequests || e.Code == "APIGW.0308")
}

// IsUnauthorized reports whether err is an API answer of 401.
func IsUnauthorized(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusUnauthorized
}

// IsForbidden reports whether err is an API answer of 403.
func IsForbidden(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.StatusCode == http.StatusForbidden
}

// requestIDHeaders name the request identifier, in the order preferred.
var requestIDHeaders = []string{"X-Request-Id", "X-IAM-Trace-Id", "X-Openstack-Request-Id"}

// maxRequestIDRunes bounds a request id. Real ones are a UUID or two.
const maxRequestIDRunes = 128

// requestID picks the request identifier a support ticket needs. send has
// already made it fit to show (see sanitizeRequestIDs).
func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// sanitizeRequestIDs replaces the request-id headers of a response with
// their masked, cleaned version, cut to maxRequestIDRunes. send calls it on
// every response as it arrives, so that every requestID taken from it later,
// on any error path, is safe: a server may echo a credential there.
func sanitizeRequestIDs(h http.Header, mask func(string) string) {
	for _, k := range requestIDHeaders {
		k = http.CanonicalHeaderKey(k)
		for i, v := range h[k] {
			h[k][i] = serverText(mask, v, maxRequestIDRunes)
		}
	}
}

// MaxMessageRunes bounds an API's error message in an APIError. Real
// messages are a sentence; a longer one is cut, so that a broken or hostile
// server cannot fill a diagnostic with up to MaxResponseBytes of text.
const MaxMessageRunes = 500

// maxExcerptRunes bounds an excerpt of a body in an error.
const maxExcerptRunes = 200

// decodeAPIError builds an APIError from a failed response. It knows the
// three body shapes Huawei Cloud services use, and falls back to a short
// excerpt for anything else. mask hides secrets in what comes from the
// body; it runs before anything is cut, so that no secret can be left
// half-masked at the cut. Code and Message are also cleaned of control
// characters (see CleanText).
func decodeAPIError(status int, h http.Header, body []byte, mask func(string) string) *APIError {
	e := &APIError{StatusCode: status, RequestID: requestID(h)}
	e.Code, e.Message = parseErrorBody(body)
	if e.Code == "" && e.Message == "" {
		// Masked again once cut: dropping tags and cleaning can bring the
		// parts of a secret together ("pass<br>word").
		e.Message = mask(excerptOf(mask(string(body)), maxExcerptRunes))
		e.NotAPIError = e.Message != ""
		return e
	}
	e.Code, e.Message = cut(mask(e.Code)), cut(mask(e.Message))
	return e
}

// cut cleans s (see CleanText) and shortens it to at most MaxMessageRunes
// runes, saying how many characters it left out.
func cut(s string) string { return CleanCut(s, MaxMessageRunes) }

// errorBody covers {error_code, error_msg}, CCE's documented {errorCode,
// errorMessage}, {code, message} and {error: {code, message}}. Codes are
// strings in most services and numbers in IAM, so they are decoded raw.
type errorBody struct {
	ErrorCode json.RawMessage `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	// CCE documents these; its SDK reads error_code and error_msg first.
	CamelCode    json.RawMessage `json:"errorCode"`
	CamelMessage string          `json:"errorMessage"`
	Code         json.RawMessage `json:"code"`
	Message      string          `json:"message"`
	Error        json.RawMessage `json:"error"`
}

func parseErrorBody(body []byte) (code, message string) {
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil {
		return "", ""
	}
	if code, message = rawCode(b.ErrorCode), b.ErrorMsg; code != "" || message != "" {
		return code, message
	}
	if code, message = rawCode(b.CamelCode), b.CamelMessage; code != "" || message != "" {
		return code, message
	}
	if len(b.Error) > 0 && b.Error[0] == '{' {
		var inner struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		}
		if json.Unmarshal(b.Error, &inner) == nil {
			if code, message = rawCode(inner.Code), inner.Message; code != "" || message != "" {
				return code, message
			}
		}
	}
	return rawCode(b.Code), b.Message
}

// rawCode turns a JSON string or number into its text.
func rawCode(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// excerpt is Excerpt of a body for an error message, secrets masked
// before it is cut.
func (c *Client) excerpt(body []byte) string {
	return c.secrets.mask(excerptOf(c.secrets.mask(string(body)), maxExcerptRunes))
}

// Excerpt returns at most n runes of a body a person can read: HTML tags
// are dropped, whitespace is collapsed, control characters are shown as
// escapes (see CleanText) and invalid UTF-8 is replaced. It reads no more
// of the body than it needs.
func Excerpt(body []byte, n int) string {
	e := newExcerptBuilder(n)
	for _, r := range string(body) { // no copy: the compiler ranges over body
		if !e.add(r) {
			break
		}
	}
	return e.String()
}

func excerptOf(s string, n int) string {
	e := newExcerptBuilder(n)
	for _, r := range s {
		if !e.add(r) {
			break
		}
	}
	return e.String()
}

// excerptBuilder collects the readable text of a body, rune by rune, until
// it knows the excerpt will be cut.
type excerptBuilder struct {
	b            strings.Builder
	n, runes     int
	inTag, space bool
}

func newExcerptBuilder(n int) *excerptBuilder { return &excerptBuilder{n: max(n, 1)} }

// add takes the next rune of the body and reports whether more are wanted.
func (e *excerptBuilder) add(r rune) bool {
	switch {
	case r == '<':
		e.inTag = true
		e.space = true
		return true
	case r == '>' && e.inTag:
		e.inTag = false
		return true
	case e.inTag:
		return true
	case r == ' ' || r == '\n' || r == '\r' || r == '\t':
		e.space = true
		return true
	}
	if e.space && e.b.Len() > 0 {
		e.b.WriteByte(' ')
		e.runes++
	}
	e.space = false
	if esc, ok := visible(r); ok {
		e.b.WriteRune(r)
		e.runes++
	} else {
		e.b.WriteString(esc)
		e.runes += len(esc)
	}
	return e.runes <= e.n
}

// String is the excerpt: all of it, or its first n-1 runes and "…".
func (e *excerptBuilder) String() string {
	s := e.b.String()
	if e.runes <= e.n {
		return s
	}
	runes := []rune(s)
	return string(runes[:e.n-1]) + "…"
}
