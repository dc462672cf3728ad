package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// faultKindNames are the names of the fault kinds in fault specs, in the
// order of the kinds.
var faultKindNames = [...]string{
	FaultThrottle:        "throttle",
	FaultServerError:     "server-error",
	FaultLatency:         "latency",
	FaultCloseMidBody:    "close-mid-body",
	FaultHTML:            "html",
	FaultTruncatedJSON:   "truncated-json",
	FaultTaskCountSkew:   "task-count-skew",
	FaultHugeBody:        "huge-body",
	FaultTaskCountRaw:    "task-count-raw",
	FaultEndlessPages:    "endless-pages",
	FaultOversizedPage:   "oversized-page",
	FaultTasksWithoutID:  "tasks-without-id",
	FaultNullTasks:       "null-tasks",
	FaultMissingTasks:    "missing-tasks",
	FaultDeepEntities:    "deep-entities",
	FaultEchoSecrets:     "echo-secrets",
	FaultTerminalEscapes: "terminal-escapes",
}

// String returns the kind's name in a fault spec, such as "endless-pages".
func (k FaultKind) String() string {
	if k >= FaultThrottle && k <= lastFaultKind {
		return faultKindNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// FaultKinds returns every fault kind, in order.
func FaultKinds() []FaultKind {
	var out []FaultKind
	for k := FaultThrottle; k <= lastFaultKind; k++ {
		out = append(out, k)
	}
	return out
}

// faultParams lists, per kind, the spec keys besides route, kind and times
// that it takes.
var faultParams = map[FaultKind][]string{
	FaultThrottle:        {"retry-after"},
	FaultServerError:     {"status"},
	FaultLatency:         {"latency"},
	FaultHTML:            {"status"},
	FaultTaskCountSkew:   {"delta"},
	FaultHugeBody:        {"size"},
	FaultTaskCountRaw:    {"task-count"},
	FaultEndlessPages:    {"task-count"},
	FaultOversizedPage:   {"task-count", "tasks"},
	FaultNullTasks:       {"task-count"},
	FaultMissingTasks:    {"task-count"},
	FaultDeepEntities:    {"depth"},
	FaultEchoSecrets:     {"status"},
	FaultTerminalEscapes: {"status"},
}

// faultRoutes lists the routes a kind acts on, for the kinds that act on
// some routes only; a spec naming another route is refused.
var faultRoutes = map[FaultKind][]Route{
	FaultTaskCountSkew:  {RouteTaskList, RouteTaskGet, RouteDCSTaskList},
	FaultTaskCountRaw:   {RouteTaskList, RouteTaskGet, RouteDCSTaskList},
	FaultEndlessPages:   {RouteTaskList, RouteDCSTaskList},
	FaultOversizedPage:  {RouteTaskList, RouteDCSTaskList},
	FaultTasksWithoutID: {RouteTaskList, RouteTaskGet, RouteDCSTaskList},
	FaultNullTasks:      {RouteTaskList, RouteTaskGet, RouteDCSTaskList},
	FaultMissingTasks:   {RouteTaskList, RouteTaskGet, RouteDCSTaskList},
	FaultDeepEntities:   {RouteJob, RouteRDSJob, RouteECSJob, RouteEVSJob, RouteIMSJob, RouteCCEJob},
}

// actsOn reports whether a fault of kind acts on route: every route, for
// the kinds that faultRoutes does not limit.
func actsOn(kind FaultKind, route Route) bool {
	routes, limited := faultRoutes[kind]
	return !limited || slices.Contains(routes, route)
}

// FaultSpecHelp describes the syntax ParseFault reads, for a command's
// usage text.
const FaultSpecHelp = `route=ROUTE,kind=KIND[,times=N][,KEY=VALUE...]
  route:        iam.projects, iam.tokens, iam.domains, iam.securitytokens,
                dms.tasks.list, dms.tasks.get, gaussdb.job, rds.job,
                opengauss.job, dds.job, geminidb.job, dcs.tasks.list,
                ecs.job, evs.job, ims.job, cce.job,
                metadata.token or metadata.securitykey
  times:        how many responses it affects; 0 (the default) is every one
  kinds and their keys:
    throttle          retry-after=SECONDS|HTTP-DATE
    server-error      status=CODE (default 503)
    latency           latency=DURATION (such as 2s)
    close-mid-body
    html              status=CODE (default 502)
    truncated-json
    task-count-skew   delta=N                      (dms.tasks.*, dcs.tasks.list)
    huge-body         size=BYTES (or 64KiB, 33MiB, 1GiB; default 33MiB)
    task-count-raw    task-count=TEXT (default 2000000000)  (dms.tasks.*, dcs.tasks.list)
    endless-pages     task-count=TEXT (default 1000000000000) (*.tasks.list)
    oversized-page    tasks=N (default 517511), task-count=TEXT (*.tasks.list)
    tasks-without-id                               (dms.tasks.*, dcs.tasks.list)
    null-tasks        task-count=TEXT              (dms.tasks.*, dcs.tasks.list)
    missing-tasks     task-count=TEXT              (dms.tasks.*, dcs.tasks.list)
    deep-entities     depth=N (default 5000)       (gaussdb.job, rds.job, ecs.job,
                                                   evs.job, ims.job, cce.job)
    echo-secrets      status=CODE (default 400)
    terminal-escapes  status=CODE (default 400)`

// ParseFault reads a fault spec: comma-separated key=value pairs, of which
// route and kind are required, such as
//
//	route=dms.tasks.list,kind=endless-pages,task-count=150
//	route=gaussdb.job,kind=deep-entities,depth=5000,times=1
//
// FaultSpecHelp lists the kinds and the keys each takes. A key a kind does
// not take, a route it does not act on, or a key given twice is an error,
// so that a typo never leaves a fault silently doing nothing.
func ParseFault(spec string) (Route, Fault, error) {
	var f Fault
	kv := map[string]string{}
	var order []string
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" {
			return "", f, fmt.Errorf("fault %q: %q is not key=value", spec, part)
		}
		if _, dup := kv[k]; dup {
			return "", f, fmt.Errorf("fault %q: %s is given twice", spec, k)
		}
		kv[k] = v
		order = append(order, k)
	}
	route := Route(kv["route"])
	if !slices.Contains(Routes(), route) {
		return "", f, fmt.Errorf("fault %q: route %q is not one of %s", spec, kv["route"], routeList(Routes()))
	}
	name, ok := kv["kind"]
	if !ok {
		return "", f, fmt.Errorf("fault %q: kind is required", spec)
	}
	for _, k := range FaultKinds() {
		if k.String() == name {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return "", f, fmt.Errorf("fault %q: kind %q is not one of %s", spec, name, strings.Join(faultKindNames[FaultThrottle:], ", "))
	}
	if !actsOn(f.Kind, route) {
		return "", f, fmt.Errorf("fault %q: %s acts on %s only", spec, f.Kind, routeList(faultRoutes[f.Kind]))
	}
	for _, k := range order {
		v := kv[k]
		var err error
		switch {
		case k == "route" || k == "kind":
			continue
		case k == "times":
			f.Times, err = nonNegative(v)
		case !slices.Contains(faultParams[f.Kind], k):
			takes := "no other key"
			if p := faultParams[f.Kind]; len(p) > 0 {
				takes = strings.Join(p, ", ")
			}
			return "", f, fmt.Errorf("fault %q: %s takes %s besides route, kind and times, not %s", spec, f.Kind, takes, k)
		case k == "retry-after":
			f.RetryAfter = v
		case k == "status":
			f.Status, err = strconv.Atoi(v)
			if err == nil && (f.Status < 100 || f.Status > 599) {
				err = fmt.Errorf("not an HTTP status")
			}
		case k == "latency":
			f.Latency, err = time.ParseDuration(v)
		case k == "delta":
			f.TaskCountDelta, err = strconv.Atoi(v)
		case k == "size":
			f.Size, err = parseSize(v)
		case k == "task-count":
			f.TaskCount = v
		case k == "tasks":
			f.Tasks, err = nonNegative(v)
		case k == "depth":
			f.Depth, err = nonNegative(v)
		}
		if err != nil {
			return "", f, fmt.Errorf("fault %q: %s=%q: %w", spec, k, v, err)
		}
	}
	return route, f, nil
}

func routeList(routes []Route) string {
	s := make([]string, len(routes))
	for i, r := range routes {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func nonNegative(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = fmt.Errorf("must be 0 or more")
	}
	return n, err
}

// parseSize reads a byte count, with an optional KiB, MiB or GiB suffix.
func parseSize(v string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("want a positive number of bytes, such as 1048576 or 1MiB")
	}
	return n * mult, nil
}

// FormatFault writes a fault as the spec ParseFault reads, with the keys
// that are set: FormatFault(ParseFault(s)) is s up to order and defaults.
func FormatFault(route Route, f Fault) string {
	parts := []string{"route=" + string(route), "kind=" + f.Kind.String()}
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if f.Times != 0 {
		add("times", strconv.Itoa(f.Times))
	}
	if f.Status != 0 {
		add("status", strconv.Itoa(f.Status))
	}
	if f.RetryAfter != "" {
		add("retry-after", f.RetryAfter)
	}
	if f.Latency != 0 {
		add("latency", f.Latency.String())
	}
	if f.TaskCountDelta != 0 {
		add("delta", strconv.Itoa(f.TaskCountDelta))
	}
	if f.Size != 0 {
		add("size", strconv.FormatInt(f.Size, 10))
	}
	if f.TaskCount != "" {
		add("task-count", f.TaskCount)
	}
	if f.Tasks != 0 {
		add("tasks", strconv.Itoa(f.Tasks))
	}
	if f.Depth != 0 {
		add("depth", strconv.Itoa(f.Depth))
	}
	return strings.Join(parts, ",")
}
