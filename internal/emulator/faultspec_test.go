package emulator

import (
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	cases := []struct {
		name  string
		spec  string
		route Route
		fault Fault
	}{
		{"endless pages", "route=dms.tasks.list,kind=endless-pages,task-count=150", RouteTaskList, Fault{Kind: FaultEndlessPages, TaskCount: "150"}},
		{"raw count", "route=dms.tasks.list,kind=task-count-raw,task-count=2000000000", RouteTaskList, Fault{Kind: FaultTaskCountRaw, TaskCount: "2000000000"}},
		{"raw count on get, once", "route=dms.tasks.get,kind=task-count-raw,task-count=1000000000000,times=1", RouteTaskGet, Fault{Kind: FaultTaskCountRaw, TaskCount: "1000000000000", Times: 1}},
		{"oversized page", "route=dms.tasks.list,kind=oversized-page,tasks=517511", RouteTaskList, Fault{Kind: FaultOversizedPage, Tasks: 517511}},
		{"tasks without id", "route=dms.tasks.list,kind=tasks-without-id", RouteTaskList, Fault{Kind: FaultTasksWithoutID}},
		{"null tasks", "route=dms.tasks.list,kind=null-tasks,task-count=5", RouteTaskList, Fault{Kind: FaultNullTasks, TaskCount: "5"}},
		{"missing tasks", "route=dms.tasks.get,kind=missing-tasks", RouteTaskGet, Fault{Kind: FaultMissingTasks}},
		{"deep entities", "route=gaussdb.job,kind=deep-entities,depth=5000", RouteJob, Fault{Kind: FaultDeepEntities, Depth: 5000}},
		{"endless pages on DCS", "route=dcs.tasks.list,kind=endless-pages", RouteDCSTaskList, Fault{Kind: FaultEndlessPages}},
		{"raw count on DCS", "route=dcs.tasks.list,kind=task-count-raw,task-count=-1", RouteDCSTaskList, Fault{Kind: FaultTaskCountRaw, TaskCount: "-1"}},
		{"deep entities on RDS", "route=rds.job,kind=deep-entities,depth=30", RouteRDSJob, Fault{Kind: FaultDeepEntities, Depth: 30}},
		{"deep entities on ECS", "route=ecs.job,kind=deep-entities,depth=30", RouteECSJob, Fault{Kind: FaultDeepEntities, Depth: 30}},
		{"deep sub-jobs on CCE", "route=cce.job,kind=deep-entities", RouteCCEJob, Fault{Kind: FaultDeepEntities}},
		{"server error on EVS", "route=evs.job,kind=server-error,status=500,times=1", RouteEVSJob, Fault{Kind: FaultServerError, Status: 500, Times: 1}},
		{"huge body on IMS", "route=ims.job,kind=huge-body,size=1MiB", RouteIMSJob, Fault{Kind: FaultHugeBody, Size: 1 << 20}},
		{"server error on DDS", "route=dds.job,kind=server-error,status=500", RouteDDSJob, Fault{Kind: FaultServerError, Status: 500}},
		{"latency on GeminiDB", "route=geminidb.job,kind=latency,latency=2s,times=1", RouteGeminiDBJob, Fault{Kind: FaultLatency, Latency: 2 * time.Second, Times: 1}},
		{"throttle on openGauss", "route=opengauss.job,kind=throttle", RouteOpenGaussJob, Fault{Kind: FaultThrottle}},
		{"echo secrets", "route=iam.projects,kind=echo-secrets,status=403", RouteProjects, Fault{Kind: FaultEchoSecrets, Status: 403}},
		{"terminal escapes", "route=gaussdb.job,kind=terminal-escapes", RouteJob, Fault{Kind: FaultTerminalEscapes}},
		{"throttle", "route=iam.tokens,kind=throttle,retry-after=7,times=2", RouteTokens, Fault{Kind: FaultThrottle, RetryAfter: "7", Times: 2}},
		{"server error", "route=dms.tasks.list,kind=server-error,status=502", RouteTaskList, Fault{Kind: FaultServerError, Status: 502}},
		{"latency", "route=gaussdb.job,kind=latency,latency=1.5s", RouteJob, Fault{Kind: FaultLatency, Latency: 1500 * time.Millisecond}},
		{"close mid body", "route=dms.tasks.list,kind=close-mid-body", RouteTaskList, Fault{Kind: FaultCloseMidBody}},
		{"html", "route=dms.tasks.list,kind=html,status=504", RouteTaskList, Fault{Kind: FaultHTML, Status: 504}},
		{"truncated json", "route=gaussdb.job,kind=truncated-json", RouteJob, Fault{Kind: FaultTruncatedJSON}},
		{"negative skew", "route=dms.tasks.list,kind=task-count-skew,delta=-2", RouteTaskList, Fault{Kind: FaultTaskCountSkew, TaskCountDelta: -2}},
		{"huge body in MiB", "route=iam.projects,kind=huge-body,size=33MiB", RouteProjects, Fault{Kind: FaultHugeBody, Size: 33 << 20}},
		{"huge body in bytes", "route=iam.projects,kind=huge-body,size=1000", RouteProjects, Fault{Kind: FaultHugeBody, Size: 1000}},
		{"latency on securitytokens", "route=iam.securitytokens,kind=latency,latency=2s", RouteSecurityTokens, Fault{Kind: FaultLatency, Latency: 2 * time.Second}},
		{"server error on the metadata keys", "route=metadata.securitykey,kind=server-error,status=500,times=1", RouteMetadataSecurityKey, Fault{Kind: FaultServerError, Status: 500, Times: 1}},
		{"throttle on the metadata token", "route=metadata.token,kind=throttle", RouteMetadataToken, Fault{Kind: FaultThrottle}},
		{"html on domains", "route=iam.domains,kind=html", RouteDomains, Fault{Kind: FaultHTML}},
		{"keys in any order, spaces around pairs", "kind=endless-pages, task-count=150 ,route=dms.tasks.list", RouteTaskList, Fault{Kind: FaultEndlessPages, TaskCount: "150"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			route, f, err := ParseFault(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if route != tc.route || f != tc.fault {
				t.Fatalf("got %s %+v, want %s %+v", route, f, tc.route, tc.fault)
			}
			// FormatFault writes it back as a spec that parses the same.
			r2, f2, err := ParseFault(FormatFault(route, f))
			if err != nil || r2 != route || f2 != f {
				t.Fatalf("FormatFault gave %q, which parses as %s %+v (%v)", FormatFault(route, f), r2, f2, err)
			}
		})
	}
}

func TestParseFaultErrors(t *testing.T) {
	cases := []struct{ name, spec, want string }{
		{"empty", "", `"" is not key=value`},
		{"no route", "kind=throttle", `route "" is not one of iam.projects, iam.tokens, iam.domains, iam.securitytokens, dms.tasks.list, dms.tasks.get, gaussdb.job, rds.job, opengauss.job, dds.job, geminidb.job, dcs.tasks.list, ecs.job, evs.job, ims.job, cce.job, metadata.token, metadata.securitykey`},
		{"endless pages on metadata", "route=metadata.securitykey,kind=endless-pages", "endless-pages acts on dms.tasks.list, dcs.tasks.list only"},
		{"unknown route", "route=dms.tasks,kind=throttle", `route "dms.tasks" is not one of`},
		{"no kind", "route=gaussdb.job", "kind is required"},
		{"unknown kind", "route=gaussdb.job,kind=slow", `kind "slow" is not one of throttle, server-error,`},
		{"kind on the wrong route", "route=gaussdb.job,kind=endless-pages", "endless-pages acts on dms.tasks.list, dcs.tasks.list only"},
		{"deep entities on DMS", "route=dms.tasks.get,kind=deep-entities", "deep-entities acts on gaussdb.job, rds.job, ecs.job, evs.job, ims.job, cce.job only"},
		{"deep entities on DCS", "route=dcs.tasks.list,kind=deep-entities", "deep-entities acts on gaussdb.job, rds.job, ecs.job, evs.job, ims.job, cce.job only"},
		{"null tasks on a job", "route=rds.job,kind=null-tasks", "null-tasks acts on dms.tasks.list, dms.tasks.get, dcs.tasks.list only"},
		{"endless pages on a v1 job", "route=ecs.job,kind=endless-pages", "endless-pages acts on dms.tasks.list, dcs.tasks.list only"},
		{"task count on CCE", "route=cce.job,kind=task-count-raw", "task-count-raw acts on dms.tasks.list, dms.tasks.get, dcs.tasks.list only"},
		{"deep entities on openGauss, which has none", "route=opengauss.job,kind=deep-entities", "deep-entities acts on gaussdb.job, rds.job, ecs.job, evs.job, ims.job, cce.job only"},
		{"a key the kind does not take", "route=dms.tasks.list,kind=endless-pages,delta=5", "endless-pages takes task-count besides route, kind and times, not delta"},
		{"a key no kind takes", "route=dms.tasks.list,kind=tasks-without-id,colour=red", "tasks-without-id takes no other key besides route, kind and times, not colour"},
		{"a key twice", "route=dms.tasks.list,kind=endless-pages,task-count=1,task-count=2", "task-count is given twice"},
		{"not key=value", "route=dms.tasks.list,kind=endless-pages,150", `"150" is not key=value`},
		{"negative times", "route=dms.tasks.list,kind=html,times=-1", `times="-1": must be 0 or more`},
		{"times not a number", "route=dms.tasks.list,kind=html,times=once", `times="once"`},
		{"status out of range", "route=dms.tasks.list,kind=html,status=42", `status="42": not an HTTP status`},
		{"bad latency", "route=dms.tasks.list,kind=latency,latency=5", `latency="5"`},
		{"bad size", "route=dms.tasks.list,kind=huge-body,size=big", "want a positive number of bytes"},
		{"negative depth", "route=gaussdb.job,kind=deep-entities,depth=-3", "must be 0 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseFault(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// TestFaultKindsHaveSpecs: every kind has a name that ParseFault reads
// back, and FaultSpecHelp lists it.
func TestFaultKindsHaveSpecs(t *testing.T) {
	for _, k := range FaultKinds() {
		name := k.String()
		if name == "" || strings.HasPrefix(name, "FaultKind(") {
			t.Fatalf("kind %d has no name", int(k))
		}
		route := Route("dms.tasks.list")
		if routes, ok := faultRoutes[k]; ok {
			route = routes[0]
		}
		r, f, err := ParseFault("route=" + string(route) + ",kind=" + name)
		if err != nil || r != route || f.Kind != k {
			t.Fatalf("%s: got %s %+v, %v", name, r, f, err)
		}
		if !strings.Contains(FaultSpecHelp, "\n    "+name+" ") && !strings.HasSuffix(FaultSpecHelp, "\n    "+name) && !strings.Contains(FaultSpecHelp, "\n    "+name+"\n") {
			t.Errorf("FaultSpecHelp does not list %s", name)
		}
	}
	if got := FaultKind(99).String(); got != "FaultKind(99)" {
		t.Fatalf("String of an unknown kind: %q", got)
	}
}
