package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// FaultKind is a kind of misbehaviour a test can inject on a route.
type FaultKind int

const (
	// FaultThrottle answers 429 with an APIGW.0308 body and
	// Retry-After: Fault.RetryAfter (default "1").
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers Fault.Status (default 503) with a JSON error
	// body: the gateway's APIGW.0203 for 502 and 503, APIGW.0204 for 504,
	// and the route's own service body for any other status, such as
	// DBS.108000 on gaussdb.job, rds.job and opengauss.job, DBS.280005 on
	// dds.job, DBS.200998 on geminidb.job, Common.0001 on ecs.job,
	// evs.job and ims.job, and CCE.01500001 on cce.job, spelled as
	// Config.CCEErrorSpelling says. The metadata service, which no gateway
	// fronts, answers the status text in plain text.
	FaultServerError
	// FaultLatency sleeps Fault.Latency, or until the request's context
	// ends, then serves normally (or not at all, if the context ended).
	FaultLatency
	// FaultCloseMidBody answers 200 with the Content-Length of the full
	// normal body, sends about half of it, then closes the connection.
	FaultCloseMidBody
	// FaultHTML answers Fault.Status (default 502) with a gateway-style HTML
	// page, Content-Type text/html.
	FaultHTML
	// FaultTruncatedJSON answers 200, Content-Type application/json, with
	// the first half of the normal body and a Content-Length matching it.
	FaultTruncatedJSON
	// FaultTaskCountSkew serves normally, but with task_count = the real
	// count + Fault.TaskCountDelta, floored at 0. It has no effect on routes
	// without task_count, but still uses up one of its Times there.
	FaultTaskCountSkew
	// FaultHugeBody answers 200 with a valid JSON body of the route's shape
	// that is larger than Fault.Size bytes (default 33 MiB); on
	// iam.securitytokens and metadata.securitykey, one credential with an
	// endless security token, on metadata.token, an endless session
	// token in plain text, and on the ecs.job, evs.job, ims.job and
	// cce.job, a job with endless sub-jobs. The body is
	// generated as it is sent, never held in memory, and sent chunked,
	// without Content-Length, so that only a reader's own limit stops it.
	FaultHugeBody
	// FaultTaskCountRaw serves normally, but sends Fault.TaskCount as the
	// task_count, as is: an absolute value, not a delta, and not checked,
	// so "2000000000", "1000000000000", "-1" and "many" all go out. Empty
	// means "2000000000". Routes: dms.tasks.list and dms.tasks.get; on other
	// routes it has no effect, but still uses up one of its Times.
	FaultTaskCountRaw
	// FaultEndlessPages answers every task list page with exactly limit
	// tasks, whatever start is, so the pages never run out. The tasks are
	// made up: the task at position p (start, start+1, …) has the ID
	// "e0d1e55" followed by p in 25 hex digits, and was created p
	// milliseconds before 2026-01-01T00:00:00Z, so pages are newest first
	// and no ID repeats. task_count is Fault.TaskCount, as is; empty means
	// "1000000000000". The time filter and the instance are not looked at.
	// Routes: dms.tasks.list; elsewhere it serves normally.
	FaultEndlessPages
	// FaultOversizedPage answers one task list request with Fault.Tasks
	// tasks (default DefaultOversizedPageTasks, about 30 MiB), whatever
	// limit asked for. Each task is {"id":…,"status":"SUCCESS"} with a
	// unique 32-hex-digit ID. task_count is Fault.TaskCount when given, or
	// else the number of tasks sent. The body is generated as it is sent,
	// never held in memory, and sent chunked. Routes: dms.tasks.list;
	// elsewhere it serves normally.
	FaultOversizedPage
	// FaultTasksWithoutID serves normally, but with the "id" key removed
	// from every task of the answer. Routes: dms.tasks.list and
	// dms.tasks.get; elsewhere it serves normally.
	FaultTasksWithoutID
	// FaultNullTasks serves normally, but sends "tasks": null, with
	// task_count set to Fault.TaskCount when given, or else the real count,
	// but at least "1". Routes: dms.tasks.list and dms.tasks.get; elsewhere
	// it serves normally.
	FaultNullTasks
	// FaultMissingTasks is FaultNullTasks with the "tasks" key left out
	// altogether.
	FaultMissingTasks
	// FaultDeepEntities serves the job normally, but with entities nested
	// Fault.Depth objects deep (default DefaultEntitiesDepth):
	// {"a":{"a":…{}…}}, 6 bytes a level, so 5,000 levels are about 30 KB.
	// On cce.job, whose jobs have no entities, the job's sub-jobs nest
	// instead: it has one sub-job, which has one, and so on, Fault.Depth
	// jobs deep, 195 bytes a level. Each sub-job nests three JSON levels,
	// so the default goes past encoding/json's limit of 10,000. Routes:
	// the jobs with entities or sub-jobs, gaussdb.job, rds.job, ecs.job,
	// evs.job, ims.job and cce.job (a job without entities gets them);
	// elsewhere it serves normally.
	FaultDeepEntities
	// FaultEchoSecrets answers an error, Fault.Status (default 400), that
	// echoes the request's credentials: the X-Auth-Token, X-Security-Token
	// and X-Metadata-Token headers, the access key of the Authorization
	// header (Access=…), and the password or token.id of an IAM identity
	// document (iam.tokens, iam.securitytokens). Each goes into the
	// X-Request-Id header and into the error message raw, URL-encoded (%2B
	// for "+") and as decimal HTML entities (&#43; for every character but
	// ASCII letters and digits), and into the message once more \u-escaped
	// in the body's bytes (it decodes to the raw secret). The body is the
	// route's error shape: IAM's {"error":{…}} on the iam.* routes, plain
	// text without the \u-escaped copy on the metadata.* routes,
	// {"error":{"code":"Common.0011","message"}} on ecs.job, evs.job and
	// ims.job, CCE.01400001 spelled as Config.CCEErrorSpelling says on
	// cce.job, and {"error_code","error_msg"} elsewhere, with
	// DMS.00400001, DBS.200001 on the database job routes, or DCS.4062
	// (and "error_ext_msg": null) on dcs.tasks.list. Routes: all.
	FaultEchoSecrets
	// FaultTerminalEscapes answers an error, Fault.Status (default 400),
	// whose message holds terminal control sequences: ESC[2J (clear the
	// screen) and ESC[H, a fake green "Apply complete!" line, BEL, and
	// U+202E (right-to-left override). The body is the route's error shape,
	// as for FaultEchoSecrets. Routes: all.
	FaultTerminalEscapes
)

// lastFaultKind is the last FaultKind; kinds run from FaultThrottle to it.
const lastFaultKind = FaultTerminalEscapes

// Defaults of the fault kinds that make up data.
const (
	// DefaultOversizedPageTasks is how many tasks FaultOversizedPage sends
	// when Fault.Tasks is 0: 517,511 tasks of 61 bytes each, about 30 MiB,
	// the page that outside testing sent.
	DefaultOversizedPageTasks = 517_511
	// DefaultEntitiesDepth is how deep FaultDeepEntities nests entities
	// when Fault.Depth is 0.
	DefaultEntitiesDepth = 5000
	// defaultRawTaskCount is FaultTaskCountRaw's task_count when
	// Fault.TaskCount is empty.
	defaultRawTaskCount = "2000000000"
	// defaultEndlessTaskCount is FaultEndlessPages' task_count when
	// Fault.TaskCount is empty.
	defaultEndlessTaskCount = "1000000000000"
)

// DefaultHugeBodySize is the size FaultHugeBody exceeds when Fault.Size is 0:
// just over the 32 MiB a client would sensibly read at most.
const DefaultHugeBodySize = 33 << 20

// Fault is one misbehaviour injected on a route.
//
// Faults act after authentication, so that a request with bad credentials
// still gets its 401 and does not use a fault up; a fault models what goes
// wrong after the client did everything right.
//
// FaultCloseMidBody and FaultTruncatedJSON mangle the route's normal
// response, so the request is otherwise served in full: a scripted task or
// job advances, and POST /v3/auth/tokens issues a token, as a real server
// that did the work but whose answer was lost.
type Fault struct {
	// Kind is the kind of fault.
	Kind FaultKind
	// Times is how many responses the fault affects; 0 (or less) means
	// every response until ClearFaults, and faults queued after such a one
	// are never reached.
	Times int
	// Status is the HTTP status of FaultServerError and FaultHTML.
	Status int
	// RetryAfter is the Retry-After of FaultThrottle: seconds or an HTTP date.
	RetryAfter string
	// Latency is the delay of FaultLatency.
	Latency time.Duration
	// TaskCountDelta is added to task_count by FaultTaskCountSkew.
	TaskCountDelta int
	// Size is the size FaultHugeBody's body exceeds.
	Size int64
	// TaskCount is the task_count, sent as is, of FaultTaskCountRaw,
	// FaultEndlessPages, FaultOversizedPage, FaultNullTasks and
	// FaultMissingTasks.
	TaskCount string
	// Tasks is how many tasks FaultOversizedPage sends.
	Tasks int
	// Depth is how deep FaultDeepEntities nests entities.
	Depth int
}

type queuedFault struct {
	f    Fault
	left int // 0: forever
}

// InjectFault queues f on route. Faults on one route apply in the order
// they were injected: InjectFault(r, a 429 once) then InjectFault(r, a 503
// once) gives a 429, then a 503, then normal responses.
func (e *Emulator) InjectFault(route Route, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[route] = append(e.faults[route], &queuedFault{f: f, left: max(f.Times, 0)})
}

// ClearFaults removes every fault queued on route.
func (e *Emulator) ClearFaults(route Route) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.faults, route)
}

// nextFault takes the fault for one response on route, if any.
func (e *Emulator) nextFault(route Route) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	head := q[0]
	if head.left > 0 {
		head.left--
		if head.left == 0 {
			e.faults[route] = q[1:]
		}
	}
	return head.f, true
}

// applyFault acts out f. It returns true when it answered the request, and
// false when the request is to be served normally.
func (e *Emulator) applyFault(w *statusWriter, c *call, f Fault) bool {
	switch f.Kind {
	case FaultThrottle:
		ra := f.RetryAfter
		if ra == "" {
			ra = "1"
		}
		w.Header().Set("Retry-After", ra)
		writeAPIGW(w, http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit, limit:10, time:1 second")
	case FaultServerError:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		writeServerError(w, c, status)
	case FaultLatency:
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-c.r.Context().Done():
			return true // Nobody is left to answer.
		case <-t.C:
			return false
		}
	case FaultCloseMidBody:
		e.closeMidBody(w, c)
	case FaultHTML:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		text := strconv.Itoa(status) + " " + http.StatusText(status)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
	case FaultTruncatedJSON:
		buf := newBufferWriter()
		e.handle(buf, c)
		cut := buf.body[:len(buf.body)/2]
		if len(cut) == 0 {
			cut = []byte(`{"`)
		}
		copyHeader(w.Header(), buf.header)
		w.Header().Set("Content-Type", contentTypeJSON)
		w.Header().Set("Content-Length", strconv.Itoa(len(cut)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(cut)
	case FaultTaskCountSkew:
		c.skew, c.delta = true, f.TaskCountDelta
		return false
	case FaultHugeBody:
		size := f.Size
		if size <= 0 {
			size = DefaultHugeBodySize
		}
		writeHugeBody(w, c, size)
	case FaultTaskCountRaw:
		c.rawCount = cmp.Or(f.TaskCount, defaultRawTaskCount)
		return false
	case FaultEndlessPages:
		if !actsOn(f.Kind, c.m.route) {
			return false
		}
		var lq listQuery
		var bad string
		if c.m.route == RouteDCSTaskList {
			lq, bad = parseDCSListQuery(c.r.URL.Query())
		} else {
			lq, bad = parseListQuery(c.r.URL.Query())
		}
		if bad != "" {
			return false // The normal 400.
		}
		writeEndlessPage(w, c.m.route, lq, cmp.Or(f.TaskCount, defaultEndlessTaskCount))
	case FaultOversizedPage:
		if !actsOn(f.Kind, c.m.route) {
			return false
		}
		n := f.Tasks
		if n <= 0 {
			n = DefaultOversizedPageTasks
		}
		writeOversizedPage(w, n, cmp.Or(f.TaskCount, strconv.Itoa(n)))
	case FaultTasksWithoutID, FaultNullTasks, FaultMissingTasks:
		if !actsOn(f.Kind, c.m.route) {
			return false
		}
		e.rewriteTaskList(w, c, func(l map[string]json.RawMessage) {
			if f.Kind == FaultTasksWithoutID {
				var tasks []map[string]json.RawMessage
				if json.Unmarshal(l["tasks"], &tasks) == nil {
					for _, t := range tasks {
						delete(t, "id")
					}
					l["tasks"], _ = json.Marshal(tasks)
				}
				return
			}
			count := f.TaskCount
			if count == "" {
				var real string
				_ = json.Unmarshal(l["task_count"], &real)
				if n, err := strconv.Atoi(real); err == nil && n > 0 {
					count = real
				} else {
					count = "1"
				}
			}
			l["task_count"], _ = json.Marshal(count)
			if f.Kind == FaultNullTasks {
				l["tasks"] = json.RawMessage("null")
			} else {
				delete(l, "tasks")
			}
		})
	case FaultDeepEntities:
		c.entitiesDepth = f.Depth
		if c.entitiesDepth <= 0 {
			c.entitiesDepth = DefaultEntitiesDepth
		}
		return false
	case FaultEchoSecrets:
		writeEchoSecrets(w, c, cmp.Or(f.Status, http.StatusBadRequest))
	case FaultTerminalEscapes:
		writeRouteError(w, c, cmp.Or(f.Status, http.StatusBadRequest), terminalEscapesMessage)
	default:
		return false
	}
	return true
}

// rewriteTaskList serves the call normally into a buffer and, when that
// answer is a 200 with a JSON object, lets edit change its top-level keys
// before it is sent. Other answers, such as a 404, go out unchanged.
func (e *Emulator) rewriteTaskList(w http.ResponseWriter, c *call, edit func(map[string]json.RawMessage)) {
	buf := newBufferWriter()
	e.handle(buf, c)
	copyHeader(w.Header(), buf.header)
	body := buf.body
	var l map[string]json.RawMessage
	if buf.status == http.StatusOK && json.Unmarshal(body, &l) == nil {
		edit(l)
		if b, err := json.Marshal(l); err == nil {
			body = b
		}
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}

// endlessEpoch is the creation time of the task at position 0 of
// FaultEndlessPages; later positions are older.
var endlessEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// writeEndlessPage answers a page of lq.limit made-up tasks from lq.start,
// in the shape of route's list.
func writeEndlessPage(w http.ResponseWriter, route Route, lq listQuery, count string) {
	tasks := make([]taskJSON, lq.limit)
	for i := range tasks {
		p := int64(lq.start) + int64(i)
		// Positions past 10^12 (about 32 years of milliseconds) wrap, to
		// keep the year in the format's four digits.
		at := endlessEpoch.Add(-time.Duration(p%1_000_000_000_000) * time.Millisecond)
		tasks[i] = taskJSON{
			ID: fmt.Sprintf("e0d1e55%025x", p), Name: "restartInstance", UserName: "endless", UserID: UserID,
			Params: "{}", Status: "SUCCESS", CreatedAt: formatDMSTime(at), UpdatedAt: formatDMSTime(at),
		}
	}
	if route != RouteDCSTaskList {
		writeJSON(w, http.StatusOK, taskListJSON{TaskCount: count, Tasks: tasks})
		return
	}
	dcs := make([]dcsTaskJSON, len(tasks))
	for i, t := range tasks {
		dcs[i] = dcsTaskJSON{
			ID: t.ID, Name: "restart", Details: json.RawMessage(`{}`), UserName: t.UserName, UserID: t.UserID,
			Params: t.Params, Status: t.Status, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		}
	}
	writeJSON(w, http.StatusOK, dcsTaskListJSON{TaskCount: count, Tasks: dcs})
}

// writeOversizedPage streams one task list of n tasks, each
// {"id":"<32 hex digits>","status":"SUCCESS"}, 61 bytes with its comma.
func writeOversizedPage(w http.ResponseWriter, n int, count string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, `{"task_count":`+strconv.Quote(count)+`,"tasks":[`); err != nil {
		return
	}
	buf := make([]byte, 0, 64<<10)
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"id":"%032x","status":"SUCCESS"}`, i+1)
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return // The client gave up, as it should.
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "]}"...)
	_, _ = w.Write(buf)
}

// terminalEscapesMessage is FaultTerminalEscapes' error message: if a
// client prints it raw, the terminal clears, shows a fake success, beeps,
// and prints the rest right to left.
const terminalEscapesMessage = "The request failed.\x1b[2J\x1b[H\x1b[32m\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.\x1b[0m\n\aThe end of this line reads backwards: \u202eterces"

// writeRouteError answers status with msg in the route's error shape.
func writeRouteError(w http.ResponseWriter, c *call, status int, msg string) {
	switch {
	case iamRoute(c.m.route):
		writeIAMError(w, status, msg)
	case metadataRoute(c.m.route):
		writeMetadataError(w, status, msg)
	case isJobRoute(c.m.route):
		writeJSON(w, status, errorBody{dbsBadParameter, msg})
	case c.m.route == RouteDCSTaskList:
		writeDCSError(w, status, dcsBadParameter, msg)
	case isV1JobRoute(c.m.route):
		// Common.0011 is the one 400 these APIs document.
		writeV1Error(w, status, v1JobNotFound, msg)
	case c.m.route == RouteCCEJob:
		writeCCEError(w, c.cceErrors, status, cceBadRequest, msg)
	default:
		writeJSON(w, status, errorBody{dmsBadParameter, msg})
	}
}

// echoedSecrets returns the credentials of the request: its token headers,
// the access key of its signature, and the password or token of an IAM
// identity document.
func echoedSecrets(c *call) []string {
	var out []string
	for _, h := range []string{"X-Auth-Token", "X-Security-Token", "X-Metadata-Token"} {
		if v := c.r.Header.Get(h); v != "" {
			out = append(out, v)
		}
	}
	if _, params, ok := strings.Cut(c.r.Header.Get("Authorization"), " "); ok {
		for _, p := range strings.Split(params, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "Access" && v != "" {
				out = append(out, v)
			}
		}
	}
	if c.m.route == RouteTokens || c.m.route == RouteSecurityTokens {
		var tr tokenRequest
		if json.Unmarshal(c.body, &tr) == nil {
			id := tr.Auth.Identity
			if id.Password != nil && id.Password.User.Password != "" {
				out = append(out, id.Password.User.Password)
			}
			if id.Token != nil && id.Token.ID != "" {
				out = append(out, id.Token.ID)
			}
		}
	}
	return out
}

// htmlEntities writes every character of s that is not an ASCII letter or
// digit as a decimal HTML entity: "a+b" is "a&#43;b".
func htmlEntities(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "&#%d;", r)
	}
	return b.String()
}

// uEscaped writes every character of s as a JSON \u escape, for the
// inside of a JSON string.
func uEscaped(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04x`, u)
	}
	return b.String()
}

// writeEchoSecrets answers an error that echoes the request's secrets in
// the X-Request-Id header and in the message, in several encodings.
func writeEchoSecrets(w http.ResponseWriter, c *call, status int) {
	var forms []string
	for _, s := range echoedSecrets(c) {
		forms = append(forms, s, url.QueryEscape(s), htmlEntities(s))
	}
	w.Header().Set("X-Request-Id", "| "+strings.Join(forms, " | ")+" |")
	msg := "The request was refused; it carried: " + strings.Join(forms, " ")
	if metadataRoute(c.m.route) {
		// A plain-text body has no \u escapes to hide a secret in.
		writeMetadataError(w, status, msg)
		return
	}
	// The message as JSON, then the \u-escaped copies spliced into it, so
	// that they reach the body's bytes escaped.
	var escaped []string
	for _, s := range echoedSecrets(c) {
		escaped = append(escaped, uEscaped(s))
	}
	const marker = "\x00ECHO\x00"
	buf := newBufferWriter()
	writeRouteError(buf, c, status, msg+" "+marker)
	quoted, _ := json.Marshal(marker)
	body := bytes.Replace(buf.body, quoted[1:len(quoted)-1], []byte(strings.Join(escaped, " ")), 1)
	copyHeader(w.Header(), buf.header)
	writeRawJSON(w, status, body)
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = append([]string(nil), v...)
	}
}

// writeServerError answers a 5xx: the API gateway's own codes for an
// unreachable or slow backend, the service's body for anything else.
func writeServerError(w http.ResponseWriter, c *call, status int) {
	switch {
	case (status == http.StatusBadGateway || status == http.StatusServiceUnavailable) && !metadataRoute(c.m.route):
		writeAPIGW(w, status, "APIGW.0203", "Backend unavailable.")
	case status == http.StatusGatewayTimeout && !metadataRoute(c.m.route):
		writeAPIGW(w, status, "APIGW.0204", "Backend timeout.")
	case metadataRoute(c.m.route):
		// The metadata service is not behind the API gateway.
		writeMetadataError(w, status, http.StatusText(status))
	case iamRoute(c.m.route):
		writeIAMError(w, status, "An unexpected error prevented the server from fulfilling your request.")
	case isJobRoute(c.m.route):
		spec, _ := jobSpecFor(c.m.route)
		spec.writeError(w, c.r, status, spec.serverError, spec.serverErrorMessage, "服务器错误。")
	case c.m.route == RouteDCSTaskList:
		writeDCSError(w, status, dcsServerError, "Internal service error.")
	case isV1JobRoute(c.m.route):
		writeV1Error(w, status, v1ServerError, v1ServerErrorMessage)
	case c.m.route == RouteCCEJob:
		writeCCEError(w, c.cceErrors, status, cceServerError, cceServerErrorMessage)
	default:
		writeDMSError(w, status, "DMS.00500000", "Internal service error.")
	}
}

// closeMidBody sends the head and half of the normal response on the raw
// connection, then closes it. Where the connection cannot be hijacked
// (HTTP/2, or a ResponseRecorder) it writes the half through the
// ResponseWriter instead: net/http then closes the connection, or resets
// the stream, because fewer bytes were written than Content-Length said.
func (e *Emulator) closeMidBody(w *statusWriter, c *call) {
	buf := newBufferWriter()
	e.handle(buf, c)
	body := buf.body
	half := body[:len(body)/2]
	h := w.Header().Clone()
	copyHeader(h, buf.header)
	h.Set("Content-Length", strconv.Itoa(len(body)))

	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		copyHeader(w.Header(), h)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(half)
		_ = http.NewResponseController(w).Flush()
		return
	}
	defer conn.Close()
	w.status = http.StatusOK // for the log line; the ResponseWriter is no longer used.
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	_, _ = rw.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(rw)
	_, _ = rw.WriteString("\r\n")
	_, _ = rw.Write(half)
	_ = rw.Flush()
}

// writeHugeBody streams a document of the route's shape, made of a prefix,
// n copies of one item separated by sep, and a suffix: valid JSON, or for
// the metadata service's session token, one long line of text.
func writeHugeBody(w http.ResponseWriter, c *call, size int64) {
	var prefix, item, suffix string
	sep, contentType := ",", contentTypeJSON
	switch c.m.route {
	case RouteTaskList, RouteTaskGet:
		b, _ := json.Marshal(taskJSON{
			ID: "ff80808272dcc90f0172df1e490f41b0", Name: "bindInstancePublicIp", UserName: "dms_test",
			UserID: UserID, Params: `{"enable_public_ip":true}`, Status: "SUCCESS",
			CreatedAt: "2020-06-23T03:00:03.471Z", UpdatedAt: "2020-06-23T03:00:08.130Z",
		})
		item, suffix = string(b), "]}"
	case RouteDCSTaskList:
		b, _ := json.Marshal(dcsTaskJSON{
			ID: "ff80808172b3ae910172c04a5d3d0024", Name: "EXTEND", Details: json.RawMessage(`{"old_capacity":"2","new_capacity":"4"}`),
			UserName: "dcs_test", UserID: UserID, Params: `{"new_capacity":4}`, Status: "SUCCESS",
			CreatedAt: "2020-06-17T07:38:42.503Z", UpdatedAt: "2020-06-17T07:38:50.874Z", EnableShow: true,
		})
		item, suffix = string(b), "]}"
	case RouteJob, RouteRDSJob:
		// Entities with endless resource IDs.
		prefix = `{"job":{"id":` + strconv.Quote(c.r.URL.Query().Get("id")) + `,"name":"CreateInstance","status":"Running","created":"2018-08-06T10:41:14+0800","ended":"","process":"50%","instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"huge"},"entities":{"resource_ids":[`
		item, suffix = `"a48e43ff268f4c0e879652d65e63d0fbin07.volume"`, "]}}}"
	case RouteOpenGaussJob, RouteDDSJob:
		// No entities to fill: an endless instance name.
		prefix = `{"job":{"id":` + strconv.Quote(c.r.URL.Query().Get("id")) + `,"name":"CreateInstance","status":"Running","created":"2018-08-06T10:41:14+0800","ended":"","progress":"50%","instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin14","name":"huge-`
		item, sep, suffix = "0123456789abcdef0123456789abcdef", "", `"},"fail_reason":null}}`
	case RouteGeminiDBJob:
		// Endless jobs; total_count, set below, counts them.
		b, _ := json.Marshal(geminiDBJobJSON{
			ID: "e0d1e55a-0000-4000-8000-000000000000", Name: "CreateInstance", Status: "Running",
			StartTime: "2018-08-06T10:41:14+0000", Progress: "50%", Instance: idName{"a48e43ff268f4c0e879652d65e63d0fbin06", "huge"},
		})
		prefix, item = `{"jobs":[`, string(b)
	case RouteECSJob, RouteEVSJob, RouteIMSJob:
		// Endless sub-jobs; ECS's sub_jobs_total, set below, counts them.
		// A sub-job has the fields of a job.
		sub := v1JobJSON{Status: "RUNNING", JobID: "e0d1e55a00000000000000000000000b", BeginTime: "2016-04-25T20:04:47.591Z"}
		jobType := "createServer"
		switch c.m.route {
		case RouteECSJob:
			sub.JobType, sub.Entities = "createSingleServer", json.RawMessage(`{"server_id":"bae51750-0089-41a1-9b18-5c777978ff6d"}`)
		case RouteEVSJob:
			jobType, sub.JobType, sub.Entities = "batchCreateVolume", "createVolume", json.RawMessage(`{"volume_id":"0b549095-4937-4849-8e4c-52aa027d64f7"}`)
		default:
			jobType, sub.JobType, sub.Entities = "imsImportOvaImageJob", "imsImportImageJob", json.RawMessage(`{"image_id":"6d0c5c0e-5505-4ba8-ab65-7e78efe77130","image_name":"huge"}`)
		}
		b, _ := json.Marshal(sub)
		item = string(b)
		suffix = `]},"job_id":` + strconv.Quote(c.m.job) + `,"job_type":"` + jobType + `","begin_time":"2016-04-25T20:04:34.604Z","end_time":"","error_code":null,"fail_reason":null}`
	case RouteCCEJob:
		// Endless sub-jobs.
		b, _ := json.Marshal(renderCCEJob(CCEJob{ID: "fd474fab-9606-11e8-baa9-0255ac10215d", Type: "InstallMaster", ClusterID: "4d1ecb2c-229a-11e8-9c75-0255ac100ceb", Phase: "Running"}))
		prefix = `{"kind":"Job","apiVersion":"v3","metadata":{"uid":` + strconv.Quote(c.m.job) + `,"creationTimestamp":"2020-02-02 08:12:40.672772389 +0000 UTC","updateTimestamp":"2020-02-02 08:21:50.478108569 +0000 UTC"},` +
			`"spec":{"type":"CreateCluster","clusterUID":"4d1ecb2c-229a-11e8-9c75-0255ac100ceb","resourceName":"huge","subJobs":[`
		item, suffix = string(b), `]},"status":{"phase":"Running","reason":""}}`
	case RouteProjects:
		b, _ := json.Marshal(projectJSON{ID: DefaultProjectID, Name: DefaultRegion, DomainID: DomainID, Enabled: true, ParentID: DomainID})
		prefix, item, suffix = `{"projects":[`, string(b), "]}"
	case RouteDomains:
		b, _ := json.Marshal(domainJSON{ID: DomainID, Name: "emulator-domain", Enabled: true})
		prefix, item, suffix = `{"domains":[`, string(b), "]}"
	case RouteSecurityTokens, RouteMetadataSecurityKey:
		// One credential whose security token never ends.
		prefix = `{"credential":{"access":"EMULATORHUGEBODY0001","secret":"emuSKhuge-0000000000000000000000000000","expires_at":"2026-01-01T00:00:00.000000Z","securitytoken":"emuSTS-huge-`
		item, sep, suffix = "0123456789abcdef0123456789abcdef", "", `"}}`
	case RouteMetadataToken:
		item, sep, contentType = "emulatormetadatatoken-0123456789abcdef", "", "text/plain; charset=utf-8"
	default:
		prefix, item, suffix = `{"token":{"catalog":[`, `{"type":"padding","id":"0123456789abcdef0123456789abcdef","endpoints":[]}`, "]}}"
	}
	n := size/int64(len(item)+len(sep)) + 1 // n items and their separators alone exceed size.
	switch c.m.route {
	case RouteTaskList, RouteTaskGet, RouteDCSTaskList:
		prefix = `{"task_count":"` + strconv.FormatInt(n, 10) + `","tasks":[`
	case RouteGeminiDBJob:
		suffix = `],"total_count":` + strconv.FormatInt(n, 10) + "}"
	case RouteECSJob:
		prefix = `{"status":"RUNNING","entities":{"sub_jobs_total":` + strconv.FormatInt(n, 10) + `,"sub_jobs":[`
	case RouteEVSJob:
		prefix = `{"status":"RUNNING","entities":{"sub_jobs":[`
	case RouteIMSJob:
		prefix = `{"status":"RUNNING","entities":{"sub_jobs_result":[`
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	const perBatch = 256
	batch := strings.Repeat(item+sep, perBatch)
	if _, err := io.WriteString(w, prefix); err != nil {
		return
	}
	for n > perBatch {
		if _, err := io.WriteString(w, batch); err != nil {
			return // The client gave up, as it should.
		}
		n -= perBatch
	}
	_, _ = io.WriteString(w, strings.Repeat(item+sep, int(n-1))+item+suffix)
}
