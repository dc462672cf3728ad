package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
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
	Message string
	// NotAPIError says the body was not an API error at all, such as an
	// HTML page from a gateway or a proxy: Message is an excerpt of it.
	NotAPIError bool
	// RequestID is the X-Request-Id (or X-IAM-Trace-Id) of the response.
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

// requestID picks the request identifier a support ticket needs.
func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "X-IAM-Trace-Id", "X-Openstack-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// MaxMessageRunes bounds an API's error message in an APIError. Real
// messages are a sentence; a longer one is cut, so that a broken or hostile
// server cannot fill a diagnostic with up to MaxResponseBytes of text.
const MaxMessageRunes = 500

// decodeAPIError builds an APIError from a failed response. It knows the
// three body shapes Huawei Cloud services use, and falls back to a short
// excerpt for anything else. mask hides secrets in what comes from the
// body; it runs before anything is cut, so that no secret can be left
// half-masked at the cut.
func decodeAPIError(status int, h http.Header, body []byte, mask func(string) string) *APIError {
	e := &APIError{StatusCode: status, RequestID: requestID(h)}
	e.Code, e.Message = parseErrorBody(body)
	if e.Code == "" && e.Message == "" {
		e.Message = Excerpt([]byte(mask(string(body))), 200)
		e.NotAPIError = e.Message != ""
		return e
	}
	e.Code, e.Message = cut(mask(e.Code)), cut(mask(e.Message))
	return e
}

// cut shortens s to at most MaxMessageRunes runes, saying how much it left
// out.
func cut(s string) string {
	const n = MaxMessageRunes
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n]) + fmt.Sprintf("… (%d more characters)", len(runes)-n)
}

// errorBody covers {error_code, error_msg}, {code, message} and
// {error: {code, message}}. Codes are strings in most services and numbers
// in IAM, so they are decoded raw.
type errorBody struct {
	ErrorCode json.RawMessage `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	Code      json.RawMessage `json:"code"`
	Message   string          `json:"message"`
	Error     json.RawMessage `json:"error"`
}

func parseErrorBody(body []byte) (code, message string) {
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil {
		return "", ""
	}
	if code, message = rawCode(b.ErrorCode), b.ErrorMsg; code != "" || message != "" {
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
	return Excerpt([]byte(c.secrets.mask(string(body))), 200)
}

// Excerpt returns at most n runes of a body a person can read: HTML tags
// are dropped, whitespace is collapsed and invalid UTF-8 is replaced.
func Excerpt(body []byte, n int) string {
	var b strings.Builder
	inTag, space := false, false
	for _, r := range strings.ToValidUTF8(string(body), "\uFFFD") {
		switch {
		case r == '<':
			inTag = true
			space = true
			continue
		case r == '>' && inTag:
			inTag = false
			continue
		case inTag:
			continue
		case r == ' ' || r == '\n' || r == '\r' || r == '\t':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s := b.String()
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}
