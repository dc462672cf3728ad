package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// notBlank rejects empty strings and strings of only whitespace.
var notBlank = stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty or only whitespace")

// windowLayout is the API's YYYYMMDDHHmmss, in UTC.
const windowLayout = "20060102150405"

// parseWindowTime reads a begin_time or end_time given as YYYYMMDDHHmmss
// (UTC) or as RFC 3339, and returns it in UTC. Go's parser rejects dates
// that are not on the calendar, such as 20240230000000.
func parseWindowTime(s string) (time.Time, error) {
	if len(s) == len(windowLayout) && isDigits(s) {
		t, err := time.ParseInLocation(windowLayout, s, time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a real time in the YYYYMMDDHHmmss format: %v", s, err)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expected YYYYMMDDHHmmss (UTC, such as 20240131235959) or RFC 3339 (such as 2024-01-31T23:59:59Z or timeadd(plantimestamp(), \"-24h\")), got %q", s)
	}
	return t.UTC(), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// windowTime validates begin_time and end_time at plan time.
type windowTime struct{}

func (windowTime) Description(context.Context) string {
	return "must be YYYYMMDDHHmmss (UTC) or RFC 3339"
}

func (v windowTime) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (windowTime) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseWindowTime(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), err.Error())
	}
}

// goDuration validates a Go duration string with a lower bound.
type goDuration struct{ min time.Duration }

func (v goDuration) Description(context.Context) string {
	return fmt.Sprintf("must be a duration such as \"5s\" or \"1m\", at least %s", v.min)
}

func (v goDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v goDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil {
		detail := fmt.Sprintf("Expected a duration with its unit, such as \"5s\", \"500ms\" or \"1m\", got %q.", s)
		// A bare number is the most common slip: say what was most
		// likely meant.
		if _, numErr := strconv.ParseFloat(strings.TrimSpace(s), 64); numErr == nil {
			detail = fmt.Sprintf("%q has no unit. Did you mean \"%ss\"? A duration needs its unit, such as \"%ss\", \"500ms\" or \"1m\".", s, strings.TrimSpace(s), strings.TrimSpace(s))
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), detail)
		return
	}
	if d < v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%s is too short: the minimum is %s, so that the API is not flooded.", d, v.min))
	}
}

// idPattern is what every ID these APIs hand out looks like: UUIDs
// (instances, GaussDB jobs), 32 hex digits (projects, DMS tasks, v1 jobs),
// or the like. It starts with a letter or digit, so "." and ".." can never
// match, and it holds no "/", whitespace, control character or other byte
// that would change the meaning of a URL path.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// plausibleID rejects at plan time a value that cannot be an ID of the
// API, so that no request goes out with a path a proxy could normalise
// into another (".." segments) or that could only come back "not found".
type plausibleID struct{}

func (plausibleID) Description(context.Context) string {
	return "must be an ID of the API: letters, digits, '-', '_' and '.', starting with a letter or digit, at most 128 characters"
}

func (v plausibleID) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (plausibleID) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if idPattern.MatchString(s) {
		return
	}
	var why string
	switch {
	case s == "":
		why = "it is empty"
	case strings.TrimSpace(s) != s:
		why = "it has leading or trailing whitespace"
	case s == "." || s == "..":
		why = "it is a dot segment, which would change the request's path"
	case strings.ContainsAny(s, "/\\"):
		why = "it holds a slash"
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		why = "it holds whitespace"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		why = "it holds a control character"
	case len(s) > 128:
		why = fmt.Sprintf("it is %d bytes long, more than any ID of the API", len(s))
	default:
		why = "IDs only hold letters, digits, '-', '_' and '.', and start with a letter or digit"
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
		fmt.Sprintf("%s is not an ID of the API: %s. Copy the ID from the console or from the resource that holds it. Got %s.",
			req.Path, why, strconv.Quote(s)))
}

// atLeastZero validates a number that must be 0 or more, with a message
// that prints the number as a person would write it.
type atLeastZero struct{}

func (atLeastZero) Description(context.Context) string { return "must be 0 or more" }

func (v atLeastZero) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (atLeastZero) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if f := req.ConfigValue.ValueFloat64(); f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%s must be 0 (no limit) or a positive number such as 5, got %s.", req.Path, strconv.FormatFloat(f, 'g', -1, 64)))
	}
}
