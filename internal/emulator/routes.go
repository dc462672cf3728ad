package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Route names one API of the emulator, for faults and counters.
type Route string

const (
	// RouteProjects is GET /v3/projects.
	RouteProjects Route = "iam.projects"
	// RouteTokens is POST /v3/auth/tokens.
	RouteTokens Route = "iam.tokens"
	// RouteDomains is GET /v3/auth/domains.
	RouteDomains Route = "iam.domains"
	// RouteSecurityTokens is POST /v3.0/OS-CREDENTIAL/securitytokens.
	RouteSecurityTokens Route = "iam.securitytokens"
	// RouteTaskList is GET /v2/{project_id}/instances/{instance_id}/tasks.
	RouteTaskList Route = "dms.tasks.list"
	// RouteTaskGet is GET /v2/{project_id}/instances/{instance_id}/tasks/{task_id}.
	RouteTaskGet Route = "dms.tasks.get"
	// RouteJob is GET /v3/{project_id}/jobs?id= of GaussDB(for MySQL).
	RouteJob Route = "gaussdb.job"
	// RouteRDSJob is GET /rds/v3/{project_id}/jobs?id=, RDS's.
	RouteRDSJob Route = "rds.job"
	// RouteOpenGaussJob is GET /opengauss/v3/{project_id}/jobs?id=,
	// GaussDB(for openGauss)'s.
	RouteOpenGaussJob Route = "opengauss.job"
	// RouteDDSJob is GET /dds/v3/{project_id}/jobs?id=, DDS's.
	RouteDDSJob Route = "dds.job"
	// RouteGeminiDBJob is GET /geminidb/v3/{project_id}/jobs, GeminiDB's
	// job list.
	RouteGeminiDBJob Route = "geminidb.job"
	// RouteDCSTaskList is GET
	// /dcs/v2/{project_id}/instances/{instance_id}/tasks, DCS's background
	// tasks. DCS has no single-task GET.
	RouteDCSTaskList Route = "dcs.tasks.list"
	// RouteECSJob is GET /ecs/v1/{project_id}/jobs/{job_id}, ECS's job
	// API.
	RouteECSJob Route = "ecs.job"
	// RouteEVSJob is GET /evs/v1/{project_id}/jobs/{job_id}, EVS's job
	// API.
	RouteEVSJob Route = "evs.job"
	// RouteIMSJob is GET /ims/v1/{project_id}/jobs/{job_id}, IMS's job
	// API.
	RouteIMSJob Route = "ims.job"
	// RouteCCEJob is GET /cce/api/v3/projects/{project_id}/jobs/{job_id},
	// CCE's job API.
	RouteCCEJob Route = "cce.job"
	// RouteMetadataToken is PUT /meta-data/latest/api/token of the ECS
	// metadata service.
	RouteMetadataToken Route = "metadata.token"
	// RouteMetadataSecurityKey is GET /openstack/latest/securitykey of the
	// ECS metadata service.
	RouteMetadataSecurityKey Route = "metadata.securitykey"
)

// routeSpec is one row of the routing table: an API of one service.
type routeSpec struct {
	route Route
	// service names the service, as the provider's endpoint keys do.
	service string
	// prefixed says the service is served under /{service}/ rather than at
	// the root of the base URL (see ServicePrefix).
	prefixed bool
	// method is the one method the route answers.
	method string
	// pattern is the path after any prefix. {project_id}, {instance_id},
	// {task_id} and {job_id} stand for one non-empty segment each.
	pattern string
	// handler answers a call normally.
	handler func(*Emulator, http.ResponseWriter, *call)
}

// routeTable lists every API. On a real cloud each service has a host of
// its own; on the emulator's one base URL, the services whose paths would
// collide with another's are served under a prefix, their endpoint being
// BASE_URL/{service}. Adding an API is adding a row (and its handler).
//
// ECS, EVS and IMS answer the same GET /v1/{project_id}/jobs/{job_id}, so
// they are prefixed. CCE's job path collides with no other, but CCE is
// served under /cce all the same, as every service added since prefixes
// came: a CCE read sent with another service's endpoint, such as the IAM
// one at the root, then gets a 404 here as it would from that service's
// host in the real cloud, rather than passing here alone.
//
// Rows are tried in order, and the first whose prefix, pattern and segment
// count fit wins.
var routeTable = []routeSpec{
	{RouteProjects, "iam", false, http.MethodGet, "/v3/projects", (*Emulator).handleProjects},
	{RouteTokens, "iam", false, http.MethodPost, "/v3/auth/tokens", (*Emulator).handleTokens},
	{RouteDomains, "iam", false, http.MethodGet, "/v3/auth/domains", (*Emulator).handleDomains},
	{RouteSecurityTokens, "iam", false, http.MethodPost, "/v3.0/OS-CREDENTIAL/securitytokens", (*Emulator).handleSecurityTokens},
	{RouteTaskList, "dms", false, http.MethodGet, "/v2/{project_id}/instances/{instance_id}/tasks", (*Emulator).handleTaskList},
	{RouteTaskGet, "dms", false, http.MethodGet, "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}", (*Emulator).handleTaskGet},
	{RouteJob, "gaussdb", false, http.MethodGet, "/v3/{project_id}/jobs", (*Emulator).handleJob},
	{RouteRDSJob, "rds", true, http.MethodGet, "/v3/{project_id}/jobs", (*Emulator).handleJob},
	{RouteOpenGaussJob, "opengauss", true, http.MethodGet, "/v3/{project_id}/jobs", (*Emulator).handleJob},
	{RouteDDSJob, "dds", true, http.MethodGet, "/v3/{project_id}/jobs", (*Emulator).handleJob},
	{RouteGeminiDBJob, "geminidb", true, http.MethodGet, "/v3/{project_id}/jobs", (*Emulator).handleJob},
	{RouteDCSTaskList, "dcs", true, http.MethodGet, "/v2/{project_id}/instances/{instance_id}/tasks", (*Emulator).handleDCSTaskList},
	{RouteECSJob, "ecs", true, http.MethodGet, "/v1/{project_id}/jobs/{job_id}", (*Emulator).handleV1Job},
	{RouteEVSJob, "evs", true, http.MethodGet, "/v1/{project_id}/jobs/{job_id}", (*Emulator).handleV1Job},
	{RouteIMSJob, "ims", true, http.MethodGet, "/v1/{project_id}/jobs/{job_id}", (*Emulator).handleV1Job},
	{RouteCCEJob, "cce", true, http.MethodGet, "/api/v3/projects/{project_id}/jobs/{job_id}", (*Emulator).handleCCEJob},
	{RouteMetadataToken, "metadata", false, http.MethodPut, "/meta-data/latest/api/token", (*Emulator).handleMetadataToken},
	{RouteMetadataSecurityKey, "metadata", false, http.MethodGet, "/openstack/latest/securitykey", (*Emulator).handleMetadataSecurityKey},
}

// Routes returns every route of the emulator, in a fixed order.
func Routes() []Route {
	out := make([]Route, len(routeTable))
	for i, r := range routeTable {
		out[i] = r.route
	}
	return out
}

// routeByName returns the row of route.
func routeByName(route Route) (routeSpec, bool) {
	i := slices.IndexFunc(routeTable, func(r routeSpec) bool { return r.route == route })
	if i < 0 {
		return routeSpec{}, false
	}
	return routeTable[i], true
}

// ServicePrefix returns the path under which the emulator serves a
// service, named as the provider's endpoint keys name it: "/rds" for a
// service served under a prefix, so that its endpoint is BASE_URL/rds, and
// "" for one served at the root of the base URL (iam, dms, gaussdb and the
// ECS metadata service, "metadata"). It panics on any other name, so that
// a typo cannot silently test the wrong service.
func ServicePrefix(service string) string {
	i := slices.IndexFunc(routeTable, func(r routeSpec) bool { return r.service == service })
	if i < 0 {
		panic("emulator: ServicePrefix: no service " + strconv.Quote(service))
	}
	if routeTable[i].prefixed {
		return "/" + service
	}
	return ""
}

// Services returns every service the emulator serves, by the names
// ServicePrefix takes, in a fixed order.
func Services() []string {
	var out []string
	for _, r := range routeTable {
		if !slices.Contains(out, r.service) {
			out = append(out, r.service)
		}
	}
	return out
}

// PrefixedServices returns the services served under a prefix (see
// ServicePrefix), in a fixed order.
func PrefixedServices() []string {
	var out []string
	for _, r := range routeTable {
		if r.prefixed && !slices.Contains(out, r.service) {
			out = append(out, r.service)
		}
	}
	return out
}

// iamRoute reports whether route is an IAM API: those answer with IAM's
// error bodies and X-IAM-Trace-Id.
func iamRoute(route Route) bool {
	switch route {
	case RouteProjects, RouteTokens, RouteDomains, RouteSecurityTokens:
		return true
	}
	return false
}

// metadataRoute reports whether route is of the ECS metadata service,
// which is no API gateway: it takes no credentials and answers errors in
// plain text.
func metadataRoute(route Route) bool {
	return route == RouteMetadataToken || route == RouteMetadataSecurityKey
}

// match is what the path of a request selects.
type match struct {
	route    Route  // "" for an unknown path
	method   string // the one method the route answers
	project  string
	instance string
	task     string
	job      string
}

// matchPath routes on the unescaped path, so an ID holding an escaped "/"
// does not match, as on a gateway that routes on decoded segments. A path
// whose first segment is a prefixed service is matched, without that
// segment, against that service's rows only; any other path against the
// rows of the services at the root.
//
// Only the routing sees the path without its prefix: the signature is
// checked against the path as sent, as the signer canonicalised it.
func matchPath(path string) match {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if slices.Contains(segs, "") {
		return match{}
	}
	service, prefixed := "", false
	if slices.Contains(PrefixedServices(), segs[0]) {
		service, prefixed, segs = segs[0], true, segs[1:]
	}
	for _, r := range routeTable {
		if r.prefixed != prefixed || prefixed && r.service != service {
			continue
		}
		if m, ok := matchPattern(r.pattern, segs); ok {
			m.route, m.method = r.route, r.method
			return m
		}
	}
	return match{}
}

// matchPattern matches the segments of a path against a pattern of
// routeTable.
func matchPattern(pattern string, segs []string) (match, bool) {
	var m match
	want := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	if len(want) != len(segs) {
		return m, false
	}
	for i, w := range want {
		var dst *string
		switch w {
		case "{project_id}":
			dst = &m.project
		case "{instance_id}":
			dst = &m.instance
		case "{task_id}":
			dst = &m.task
		case "{job_id}":
			dst = &m.job
		default:
			if w != segs[i] {
				return m, false
			}
			continue
		}
		*dst = segs[i]
	}
	return m, true
}
