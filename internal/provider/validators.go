package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

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
		return time.Time{}, fmt.Errorf("expected YYYYMMDDHHmmss (UTC, such as 20240131235959) or RFC 3339 (such as 2024-01-31T23:59:59Z or timeadd(timestamp(), \"-24h\")), got %q", s)
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
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("Expected a duration such as \"5s\", \"500ms\" or \"1m\", got %q.", req.ConfigValue.ValueString()))
		return
	}
	if d < v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%s is too short: the minimum is %s, so that the API is not flooded.", d, v.min))
	}
}
