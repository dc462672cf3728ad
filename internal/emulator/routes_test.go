package emulator

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRouteTable: every pattern is well formed, every route is in one row,
// and every route's method is a real one, so that a typo in a new row fails
// here rather than leaving the API unreachable.
func TestRouteTable(t *testing.T) {
	seen := map[Route]bool{}
	literal := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	for _, r := range routeTable {
		if seen[r.route] {
			t.Errorf("route %s has two rows", r.route)
		}
		seen[r.route] = true
		if r.handler == nil || r.service == "" || r.method == "" {
			t.Errorf("row %s is incomplete", r.route)
		}
		if !strings.HasPrefix(r.pattern, "/") {
			t.Errorf("row %s: pattern %q does not start with /", r.route, r.pattern)
		}
		for _, seg := range strings.Split(strings.TrimPrefix(r.pattern, "/"), "/") {
			switch seg {
			case "{project_id}", "{instance_id}", "{task_id}", "{job_id}":
			default:
				if !literal.MatchString(seg) {
					t.Errorf("row %s: segment %q is neither a known placeholder nor a literal", r.route, seg)
				}
			}
		}
	}
	if !slices.Equal(Routes(), []Route{
		RouteProjects, RouteTokens, RouteDomains, RouteSecurityTokens,
		RouteTaskList, RouteTaskGet, RouteJob,
		RouteRDSJob, RouteOpenGaussJob, RouteDDSJob, RouteGeminiDBJob, RouteDCSTaskList,
		RouteECSJob, RouteEVSJob, RouteIMSJob, RouteCCEJob,
		RouteMetadataToken, RouteMetadataSecurityKey,
	}) {
		t.Fatalf("Routes() = %v", Routes())
	}
}

func TestServicePrefix(t *testing.T) {
	if got, want := Services(), []string{"iam", "dms", "gaussdb", "rds", "opengauss", "dds", "geminidb", "dcs", "ecs", "evs", "ims", "cce", "metadata"}; !slices.Equal(got, want) {
		t.Fatalf("Services() = %v, want %v", got, want)
	}
	if got, want := PrefixedServices(), []string{"rds", "opengauss", "dds", "geminidb", "dcs", "ecs", "evs", "ims", "cce"}; !slices.Equal(got, want) {
		t.Fatalf("PrefixedServices() = %v, want %v", got, want)
	}
	for _, svc := range []string{"iam", "dms", "gaussdb", "metadata"} {
		if got := ServicePrefix(svc); got != "" {
			t.Errorf("ServicePrefix(%q) = %q, want \"\": it is served at the root", svc, got)
		}
	}
	for _, svc := range PrefixedServices() {
		if got := ServicePrefix(svc); got != "/"+svc {
			t.Errorf("ServicePrefix(%q) = %q, want %q", svc, got, "/"+svc)
		}
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, `no service "rsd"`) {
			t.Fatalf("recovered %q, want a panic naming the unknown service", msg)
		}
	}()
	ServicePrefix("rsd")
}
