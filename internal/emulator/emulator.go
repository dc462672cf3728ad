package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

const (
	// DefaultRegion is the region of the account's only project by default.
	DefaultRegion = "ap-southeast-1"
	// DefaultProjectID is the project ID of DefaultRegion, 32 lower-case hex
	// characters like a real one.
	DefaultProjectID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	// DomainID is the ID of the emulated account (IAM calls it a domain). It
	// shows in project listings and token bodies.
	DomainID = "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	// UserID is the ID of the emulated IAM user, shown in token bodies.
	UserID = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
)

// The default agency: one that another account, the delegating domain,
// created for the emulated account, so that assume_role has something to
// assume without configuration.
const (
	// DefaultAgencyName is the name of the default agency.
	DefaultAgencyName = "emulator-agency"
	// DefaultAgencyDomainName is the name of the default agency's
	// delegating domain.
	DefaultAgencyDomainName = "emulator-delegating-domain"
	// DefaultAgencyDomainID is the ID of the default agency's delegating
	// domain, 32 lower-case hex characters like a real one.
	DefaultAgencyDomainID = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
)

// Agency is an IAM agency that another account (the delegating domain)
// created for the emulated account, which may assume it: POST
// /v3.0/OS-CREDENTIAL/securitytokens and POST /v3/auth/tokens with the
// assume_role method.
type Agency struct {
	// DomainName and DomainID name the delegating domain. An assume_role
	// call names it by either.
	DomainName, DomainID string
	// Name is the agency's name, the agency_name (or xrole_name) of an
	// assume_role call.
	Name string
}

// MetadataTokenMode says how the emulated ECS metadata service treats
// session tokens (PUT /meta-data/latest/api/token and the X-Metadata-Token
// header of GET /openstack/latest/securitykey).
type MetadataTokenMode string

const (
	// MetadataTokensOptional is the default: PUT issues session tokens, and
	// GET answers with a valid token or with none, but 401 with an unknown
	// or expired one.
	MetadataTokensOptional MetadataTokenMode = "optional"
	// MetadataTokensRequired makes GET answer 401 without a valid token.
	MetadataTokensRequired MetadataTokenMode = "required"
	// MetadataTokensUnsupported is an older metadata service: PUT answers
	// 404, and GET answers without looking at any token.
	MetadataTokensUnsupported MetadataTokenMode = "unsupported"
)

// MetadataTokenModes returns every MetadataTokenMode, the default first.
func MetadataTokenModes() []MetadataTokenMode {
	return []MetadataTokenMode{MetadataTokensOptional, MetadataTokensRequired, MetadataTokensUnsupported}
}

// Credentials are the credentials the emulator accepts. Every field has a
// default in DefaultConfig; the defaults are obviously fake, and the secret
// ones are long enough to grep logs for them.
type Credentials struct {
	// AccessKey and SecretKey are the permanent AK/SK.
	AccessKey, SecretKey string
	// TempAccessKey and TempSecretKey are a temporary AK/SK that never
	// expires. Requests signed with them must also carry X-Security-Token
	// equal to SecurityToken, signed or not.
	TempAccessKey, TempSecretKey, SecurityToken string
	// DomainName, UserName and Password are what POST /v3/auth/tokens checks.
	DomainName, UserName, Password string
}

// Config configures an Emulator. New fills every zero-value field with the
// value DefaultConfig has for it.
type Config struct {
	// Projects maps a region to the ID of the account's project there.
	Projects map[string]string
	// Credentials are the credentials the emulator accepts. Each empty field
	// takes its default on its own, so a test can replace only the AK/SK.
	Credentials Credentials
	// Now is the clock used for the signature's clock skew and for token
	// issue and expiry times.
	Now func() time.Time
	// TokenTTL is how long an issued token stays valid.
	TokenTTL time.Duration
	// Agencies are the agencies the account may assume. Empty means one,
	// DefaultAgencyName in DefaultAgencyDomainName (DefaultAgencyDomainID).
	Agencies []Agency
	// TemporaryKeyTTL, when positive, is the lifetime of every temporary
	// AK/SK the emulator issues (by securitytokens, by the metadata service
	// and by IssueTemporaryKeys), in place of duration_seconds and of the
	// metadata keys' hour, so that a test can watch keys expire. The static
	// Credentials.TempAccessKey never expires.
	TemporaryKeyTTL time.Duration
	// MetadataTokens is how the ECS metadata service treats session
	// tokens; empty means MetadataTokensOptional. New panics on any other
	// value, so that a typo cannot silently test the wrong mode.
	MetadataTokens MetadataTokenMode
	// CCEErrorSpelling is how CCE spells the keys of its error bodies;
	// empty means CCEErrorsCamelCase, the documented spelling. New panics
	// on any other value, so that a typo cannot silently test the wrong
	// spelling.
	CCEErrorSpelling CCEErrorSpelling
	// Logger, when non-nil, gets one line per request: method, path and query,
	// route, status, duration and request ID. Headers and bodies are never
	// logged, so no credential reaches the log.
	Logger *log.Logger
}

// defaultCredentials are fake and printed by the standalone command on
// purpose: nothing but the emulator accepts them.
var defaultCredentials = Credentials{
	AccessKey:     "EMULATORAKPERMANENT01",
	SecretKey:     "emuSKperm-7Qx2Vb9LmN4rT8wZ1cK6hJ3pF5sD0gYaUe2Wq8Ro",
	TempAccessKey: "EMULATORAKTEMPORARY01",
	TempSecretKey: "emuSKtemp-Rk4Wn8Zt2Lq6Xv0Bc3Mj7Hs1Pd9Gf5YaIo3Eu6Ty",
	SecurityToken: "emuSTS-gQpZW11bGF0b3Itc2VjdXJpdHktdG9rZW4tbm90LWZvci1wcm9kdWN0aW9uLXVzZQ+/Kx7Vb2Nm5Lq8Rt1Wz4Hc6Jd9Fs3Ga0Py==",
	DomainName:    "emulator-domain",
	UserName:      "emulator-user",
	Password:      "emuPW-Zx8Lq2Vm7Rt4Kc9Hs3Wd6Nf1Bg5Yj0",
}

// DefaultConfig returns the configuration New uses for zero-value fields:
// one project, DefaultProjectID in DefaultRegion, the default fake
// credentials, the system clock, 24-hour tokens, the default agency,
// optional metadata session tokens, and CCE errors in camelCase.
func DefaultConfig() Config {
	return Config{
		Projects:         map[string]string{DefaultRegion: DefaultProjectID},
		Credentials:      defaultCredentials,
		Now:              time.Now,
		TokenTTL:         24 * time.Hour,
		Agencies:         []Agency{{DomainName: DefaultAgencyDomainName, DomainID: DefaultAgencyDomainID, Name: DefaultAgencyName}},
		MetadataTokens:   MetadataTokensOptional,
		CCEErrorSpelling: CCEErrorsCamelCase,
	}
}

// Emulator is an http.Handler that imitates IAM, the background tasks of
// DMS and DCS, the task centers of five database services, the job APIs
// of ECS, EVS, IMS and CCE, and the ECS metadata service on one base URL.
// Its data, faults and counters are safe for concurrent use.
type Emulator struct {
	cfg Config

	mu         sync.Mutex
	projects   map[string]string                            // region -> project ID
	dms        *taskStore[Task]                             // DMS background tasks
	dcs        *taskStore[DCSTask]                          // DCS background tasks
	jobs       map[JobService]map[string]map[string]Job     // service -> project -> job ID -> job
	jobScripts map[jobKey]*jobScript                        // by service and job ID
	v1Jobs     map[V1JobService]map[string]map[string]V1Job // service -> project -> job ID -> job
	v1Scripts  map[v1JobKey]*v1JobScript                    // by service and job ID
	cceJobs    map[string]map[string]CCEJob                 // project -> job ID -> job
	cceScripts map[string]*script[CCEJobStep]               // by job ID, sub-jobs' included
	tokens     map[string]*issuedToken                      // by token value
	keys       map[string]*issuedKeys                       // temporary keys issued, by access key
	metaTokens map[string]time.Time                         // metadata session token -> expiry
	faults     map[Route][]*queuedFault                     // per route, in injection order
	counts     map[Route]int                                // requests per route
}

// script is a sequence of values shown one per read; the last one sticks.
type script[T any] struct {
	steps []T
	next  int
}

func (s *script[T]) advance() T {
	v := s.peek()
	if s.next < len(s.steps) {
		s.next++
	}
	return v
}

// peek returns what the next read will show, without advancing.
func (s *script[T]) peek() T { return s.steps[min(s.next, len(s.steps)-1)] }

// New returns an emulator for cfg. Zero-value fields of cfg take their
// defaults from DefaultConfig. It panics when cfg.MetadataTokens is not
// one of MetadataTokenModes, or cfg.CCEErrorSpelling not one of
// CCEErrorSpellings.
func New(cfg Config) *Emulator {
	def := DefaultConfig()
	if len(cfg.Projects) == 0 {
		cfg.Projects = def.Projects
	}
	c, d := &cfg.Credentials, def.Credentials
	for _, f := range []struct {
		v *string
		d string
	}{
		{&c.AccessKey, d.AccessKey}, {&c.SecretKey, d.SecretKey},
		{&c.TempAccessKey, d.TempAccessKey}, {&c.TempSecretKey, d.TempSecretKey}, {&c.SecurityToken, d.SecurityToken},
		{&c.DomainName, d.DomainName}, {&c.UserName, d.UserName}, {&c.Password, d.Password},
	} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = def.TokenTTL
	}
	if len(cfg.Agencies) == 0 {
		cfg.Agencies = def.Agencies
	}
	cfg.Agencies = slices.Clone(cfg.Agencies)
	if cfg.MetadataTokens == "" {
		cfg.MetadataTokens = def.MetadataTokens
	}
	if !slices.Contains(MetadataTokenModes(), cfg.MetadataTokens) {
		panic("emulator: Config.MetadataTokens " + strconv.Quote(string(cfg.MetadataTokens)) + " is not optional, required or unsupported")
	}
	if cfg.CCEErrorSpelling == "" {
		cfg.CCEErrorSpelling = def.CCEErrorSpelling
	}
	if !slices.Contains(CCEErrorSpellings(), cfg.CCEErrorSpelling) {
		panic("emulator: Config.CCEErrorSpelling " + strconv.Quote(string(cfg.CCEErrorSpelling)) + " is not camelCase or snake_case")
	}
	e := &Emulator{
		projects:   maps.Clone(cfg.Projects),
		dms:        newTaskStore[Task](),
		dcs:        newTaskStore[DCSTask](),
		jobs:       map[JobService]map[string]map[string]Job{},
		jobScripts: map[jobKey]*jobScript{},
		v1Jobs:     map[V1JobService]map[string]map[string]V1Job{},
		v1Scripts:  map[v1JobKey]*v1JobScript{},
		cceJobs:    map[string]map[string]CCEJob{},
		cceScripts: map[string]*script[CCEJobStep]{},
		tokens:     map[string]*issuedToken{},
		keys:       map[string]*issuedKeys{},
		metaTokens: map[string]time.Time{},
		faults:     map[Route][]*queuedFault{},
		counts:     map[Route]int{},
	}
	cfg.Projects = maps.Clone(cfg.Projects)
	e.cfg = cfg
	return e
}

// NewServer starts an emulator for cfg on 127.0.0.1 at a free port. The
// caller closes the server.
func NewServer(cfg Config) (*Emulator, *httptest.Server) {
	e := New(cfg)
	return e, httptest.NewServer(e)
}

// Config returns the effective configuration: the one given to New with the
// defaults filled in, and with the projects that fixtures added.
func (e *Emulator) Config() Config {
	cfg := e.cfg
	cfg.Agencies = slices.Clone(cfg.Agencies)
	e.mu.Lock()
	cfg.Projects = maps.Clone(e.projects)
	e.mu.Unlock()
	return cfg
}

// call is one authenticated request on a known route.
type call struct {
	r     *http.Request
	m     match
	who   principal
	body  []byte
	skew  bool // FaultTaskCountSkew applies
	delta int
	// rawCount, when not empty, is the task_count sent as is
	// (FaultTaskCountRaw).
	rawCount string
	// entitiesDepth, when positive, replaces a job's entities with objects
	// nested that deep, or a CCE job's sub-jobs with sub-jobs nested that
	// deep (FaultDeepEntities).
	entitiesDepth int
	// cceErrors is how CCE error bodies spell their keys
	// (Config.CCEErrorSpelling), for the fault writers, which answer
	// without the emulator.
	cceErrors CCEErrorSpelling
}

// maxBody bounds what the emulator reads of a request body; the only bodies
// any route takes are the small identity documents of IAM.
const maxBody = 1 << 20

// ServeHTTP serves every emulated API. It authenticates first, on every
// path, unknown ones included, but the metadata service's, POST
// /v3/auth/tokens unless it assumes an agency, and a securitytokens call
// whose only credential is the token in its body; then it routes.
//
// Authenticating before answering 404 differs from a real API gateway, which
// answers APIGW.0101 for an unknown API first; the emulator does it so that a
// signed request for any path, such as the SDK's signing vectors, exercises
// the verifier.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	reqID := newID()
	sw.Header().Set("X-Request-Id", reqID)
	m := matchPath(r.URL.Path)
	if iamRoute(m.route) {
		sw.Header().Set("X-IAM-Trace-Id", newID())
	}
	// A route is a method and a path; a wrong method reaches no route and
	// is not counted.
	routed := m.route != "" && r.Method == m.method
	if routed {
		e.mu.Lock()
		e.counts[m.route]++
		e.mu.Unlock()
	}
	if l := e.cfg.Logger; l != nil {
		defer func() {
			route := string(m.route)
			if !routed {
				route = "-"
			}
			status := "aborted" // The client left before any answer.
			if sw.status != 0 {
				status = strconv.Itoa(sw.status)
			}
			l.Printf("%s %s route=%s status=%s duration=%s request_id=%s",
				r.Method, r.URL.RequestURI(), route, status, time.Since(began).Round(time.Microsecond), reqID)
		}()
	}
	e.serve(sw, r, m, routed)
}

func (e *Emulator) serve(w *statusWriter, r *http.Request, m match, routed bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeAPIGW(w, http.StatusBadRequest, "APIGW.0201", "Failed to read the request body.")
		return
	}
	if len(body) > maxBody {
		writeAPIGW(w, http.StatusRequestEntityTooLarge, "APIGW.0201", "Request entity too large.")
		return
	}
	who, err := e.caller(r, m, body)
	if err != nil {
		writeAPIGW(w, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: "+err.Error())
		return
	}
	if m.route == "" {
		writeAPIGW(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment.")
		return
	}
	if !routed {
		w.Header().Set("Allow", m.method)
		writeAPIGW(w, http.StatusMethodNotAllowed, "APIGW.0101", "Method "+r.Method+" is not allowed here; this API answers "+m.method+".")
		return
	}
	c := &call{r: r, m: m, who: who, body: body, cceErrors: e.cfg.CCEErrorSpelling}
	if f, ok := e.nextFault(m.route); ok && e.applyFault(w, c, f) {
		return
	}
	e.handle(w, c)
}

// handle answers a call normally, as the route's service would.
func (e *Emulator) handle(w http.ResponseWriter, c *call) {
	if r, ok := routeByName(c.m.route); ok {
		r.handler(e, w, c)
	}
}

// Count returns how many requests reached route, whatever their outcome:
// authentication failures and faults count too.
func (e *Emulator) Count(route Route) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[route]
}

// Counts returns a copy of the request count of every route that was
// reached at least once.
func (e *Emulator) Counts() map[Route]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.counts)
}

// ResetCounts sets every route's count back to zero.
func (e *Emulator) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.counts)
}

// accountProjectLocked reports whether id is one of the account's projects,
// and its region. e.mu must be held.
func (e *Emulator) accountProjectLocked(id string) (region string, ok bool) {
	for reg, pid := range e.projects {
		if pid == id {
			return reg, true
		}
	}
	return "", false
}

// primaryProject is where fixtures without a project_id go: the project of
// DefaultRegion, or else that of the first region by name.
func primaryProject(projects map[string]string) string {
	if id, ok := projects[DefaultRegion]; ok {
		return id
	}
	regions := slices.Sorted(maps.Keys(projects))
	if len(regions) == 0 {
		return DefaultProjectID
	}
	return projects[regions[0]]
}

// statusWriter remembers the status for the log line. Unwrap lets
// http.ResponseController reach the connection's Hijacker and Flusher.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bufferWriter captures a response so that a fault can mangle it.
type bufferWriter struct {
	header http.Header
	status int
	body   []byte
}

func newBufferWriter() *bufferWriter { return &bufferWriter{header: http.Header{}} }

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

// contentTypeJSON is what Huawei Cloud services send with JSON bodies.
const contentTypeJSON = "application/json;charset=UTF-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only an invalid json.RawMessage could get here, and
		// AddServiceJob, the DCS task reader and the fixtures loader
		// replace or refuse those.
		status = http.StatusInternalServerError
		b = []byte(`{"error_code":"APIGW.0103","error_msg":"The emulator failed to encode its response. This is a bug in the emulator."}`)
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorBody is the common error shape of APIGW, DMS and the job services;
// DCS adds error_ext_msg (dcsErrorBody).
type errorBody struct {
	Code    string `json:"error_code"`
	Message string `json:"error_msg"`
}

// writeRawJSON sends b, already JSON, as is: json.Marshal would refuse a
// json.RawMessage nested deeper than encoding/json's own limit.
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeAPIGW(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{code, msg})
}

// newID returns 32 random hex characters, the shape of Huawei request IDs.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}
