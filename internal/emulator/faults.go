package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is a kind of misbehaviour a test can inject on a route.
type FaultKind int

const (
	// FaultThrottle answers 429 with an APIGW.0308 body and
	// Retry-After: Fault.RetryAfter (default "1").
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers Fault.Status (default 503) with a JSON error
	// body: the gateway's APIGW.0203 for 502 and 503, APIGW.0204 for 504,
	// and the route's own service body for any other status.
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
	// that is larger than Fault.Size bytes (default 33 MiB). The body is
	// generated as it is sent, never held in memory, and sent chunked,
	// without Content-Length, so that only a reader's own limit stops it.
	FaultHugeBody
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
	default:
		return false
	}
	return true
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
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable:
		writeAPIGW(w, status, "APIGW.0203", "Backend unavailable.")
	case status == http.StatusGatewayTimeout:
		writeAPIGW(w, status, "APIGW.0204", "Backend timeout.")
	case c.m.route == RouteProjects || c.m.route == RouteTokens:
		writeIAMError(w, status, "An unexpected error prevented the server from fulfilling your request.")
	case c.m.route == RouteJob:
		writeDBSError(w, c.r, status, "DBS.108000", "Server error.", "服务器错误。")
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

// writeHugeBody streams a valid JSON document of the route's shape, made of
// a prefix, n copies of one item separated by commas, and a suffix.
func writeHugeBody(w http.ResponseWriter, c *call, size int64) {
	var prefix, item, suffix string
	switch c.m.route {
	case RouteTaskList, RouteTaskGet:
		b, _ := json.Marshal(taskJSON{
			ID: "ff80808272dcc90f0172df1e490f41b0", Name: "bindInstancePublicIp", UserName: "dms_test",
			UserID: UserID, Params: `{"enable_public_ip":true}`, Status: "SUCCESS",
			CreatedAt: "2020-06-23T03:00:03.471Z", UpdatedAt: "2020-06-23T03:00:08.130Z",
		})
		item, suffix = string(b), "]}"
	case RouteJob:
		prefix = `{"job":{"id":` + strconv.Quote(c.r.URL.Query().Get("id")) + `,"name":"CreateGaussDBforMySQLInstance","status":"Running","created":"2018-08-06T10:41:14+0800","ended":"","process":"50%","instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"huge"},"entities":{"resource_ids":[`
		item, suffix = `"a48e43ff268f4c0e879652d65e63d0fbin07.volume"`, "]}}}"
	case RouteProjects:
		b, _ := json.Marshal(projectJSON{ID: DefaultProjectID, Name: DefaultRegion, DomainID: DomainID, Enabled: true, ParentID: DomainID})
		prefix, item, suffix = `{"projects":[`, string(b), "]}"
	default:
		prefix, item, suffix = `{"token":{"catalog":[`, `{"type":"padding","id":"0123456789abcdef0123456789abcdef","endpoints":[]}`, "]}}"
	}
	n := size/int64(len(item)+1) + 1 // n items and their commas alone exceed size.
	if prefix == "" {
		prefix = `{"task_count":"` + strconv.FormatInt(n, 10) + `","tasks":[`
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	const perBatch = 256
	batch := strings.Repeat(item+",", perBatch)
	if _, err := io.WriteString(w, prefix); err != nil {
		return
	}
	for n > perBatch {
		if _, err := io.WriteString(w, batch); err != nil {
			return // The client gave up, as it should.
		}
		n -= perBatch
	}
	_, _ = io.WriteString(w, strings.Repeat(item+",", int(n-1))+item+suffix)
}
