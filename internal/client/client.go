// Package client is a small HTTP client for the Huawei Cloud APIs that the
// hwtasks provider reads: IAM (project lookup, password tokens and an
// agency's temporary keys), the ECS metadata service's keys, DMS background
// tasks and the GaussDB(for MySQL) task center. It also reads KooCLI's
// shared config file.
//
// Every request goes through one path (Client.do) that authenticates it,
// retries it, logs it with secrets redacted and turns failures into
// *APIError. The package knows nothing of Terraform's framework: it takes a
// Config and returns plain Go values and errors.
package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

const (
	// DefaultCloud is the domain of Huawei Cloud's public endpoints.
	DefaultCloud = "myhuaweicloud.com"
	// CloudOTC is the domain of Open Telekom Cloud.
	CloudOTC = "otc.t-systems.com"
	// DefaultMaxRetries is how often a failed request is retried by default.
	DefaultMaxRetries = 5
	// MaxResponseBytes is the largest response body the client accepts.
	MaxResponseBytes = 32 << 20

	defaultRetryWaitMin   = 500 * time.Millisecond
	defaultRetryWaitMax   = 30 * time.Second
	defaultAttemptTimeout = 30 * time.Second
	// An attempt, body included, is a page of 100 tasks or a job: a few KB,
	// answered in well under a second. 30 s leaves room for a slow gateway,
	// and a server that never answers holds a read for 6 × 30 s at the
	// default retries, not 6 × 2 min.
)

// Config holds everything a Client needs. The provider fills it from HCL and
// the environment; the zero value of an optional field means its default.
type Config struct {
	// Region is the provider's default region.
	Region string
	// ProjectID is the project of Region. Other regions are looked up.
	ProjectID string

	AccessKey     string
	SecretKey     string
	SecurityToken string // with temporary AK/SK
	Token         string // an IAM token, sent as X-Auth-Token
	UserName      string
	Password      string
	DomainName    string

	// Metadata takes the base credentials from the ECS metadata service, at
	// MetadataEndpoint (DefaultMetadataEndpoint when empty). The provider
	// sets it only when no other source holds credentials.
	Metadata         bool
	MetadataEndpoint string
	// AssumeRole, when set, obtains an agency's temporary keys with the base
	// AK/SK (configured or from metadata) and signs every request with them.
	AssumeRole *AssumeRole
	// DomainID is the account of the base keys, sent as X-Domain-Id to
	// IAM's global calls; when empty and needed, it is looked up.
	DomainID string

	// Cloud is the endpoint domain, DefaultCloud when empty.
	Cloud string
	// Endpoints overrides the base URL of a service: keys "iam", "dms" and
	// "gaussdb". Values must pass ParseEndpoint.
	Endpoints map[string]string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CACertFile names a PEM bundle trusted in addition to the system's.
	CACertFile string
	// MaxRetries is the number of retries after the first attempt; nil means
	// DefaultMaxRetries and 0 disables retries.
	MaxRetries *int
	// MaxRequestsPerSecond caps the requests this Client sends, retries and
	// IAM calls included, across all its callers; 0 means no cap.
	MaxRequestsPerSecond float64
	// MaxTasks caps the tasks one read of every task (ListAllTasks) keeps,
	// and with them the pages it requests: a read that would keep more ends
	// in a *TooManyTasksError. 0 means DefaultMaxTasks; otherwise it must be
	// at least TaskPageSize, one page.
	MaxTasks int
	// Version goes into the User-Agent.
	Version string

	// RetryWaitMin and RetryWaitMax bound the backoff; tests shorten them.
	RetryWaitMin, RetryWaitMax time.Duration
	// AttemptTimeout bounds one attempt, so a stalled connection is retried
	// instead of hanging until the data source's own timeout.
	AttemptTimeout time.Duration
	// Now is the clock used for signing and token expiry; tests set it.
	Now func() time.Time
}

// AuthMethod says which credentials a Client uses.
type AuthMethod int

// The credential kinds, in the order the provider prefers them.
const (
	AuthToken AuthMethod = iota + 1
	AuthAKSK
	AuthPassword
	// AuthMetadata signs with temporary keys from the ECS metadata service.
	AuthMetadata
)

func (m AuthMethod) String() string {
	switch m {
	case AuthToken:
		return "token"
	case AuthAKSK:
		return "AK/SK"
	case AuthPassword:
		return "password"
	case AuthMetadata:
		return "ECS metadata"
	}
	return "none"
}

// ConfigError is a Config the client cannot work with. Field names the
// provider argument at fault ("secret_key", "endpoints.dms"), so that the
// provider can point its diagnostic at it.
type ConfigError struct {
	Field   string
	Summary string
	Detail  string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Detail }

// NoCredentialsDetail lists the three ways to give credentials, in the
// order the provider prefers them.
const NoCredentialsDetail = "No credentials were found. Give one of these, in the provider block or the environment:\n" +
	"  1. token (HW_AUTH_TOKEN or OS_AUTH_TOKEN): an IAM token;\n" +
	"  2. access_key and secret_key (HW_ACCESS_KEY and HW_SECRET_KEY), with security_token (HW_SECURITY_TOKEN) for temporary keys;\n" +
	"  3. user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME).\n" +
	"When several are set, the token wins over AK/SK, and AK/SK over the password."

// ChooseAuth returns the credentials a Config will use: a token wins over
// AK/SK, and AK/SK over a password; ECS metadata when Metadata is set and
// nothing else is.
func ChooseAuth(cfg Config) (AuthMethod, error) {
	m, err := chooseBase(cfg)
	if err != nil {
		return 0, err
	}
	if a := cfg.AssumeRole; a != nil {
		if m != AuthAKSK && m != AuthMetadata {
			// IAM also issues an agency's keys against a token, but a
			// token of the Agent Operator's own; a password's project
			// token is not one. As the official provider, the agency needs
			// AK/SK under it.
			return 0, &ConfigError{Field: "assume_role", Summary: "assume_role needs AK/SK credentials",
				Detail: "An agency is assumed with AK/SK credentials (access_key and secret_key, a profile of the shared config file, or ECS metadata), but the credentials are " + m.String() + " ones. Give AK/SK credentials, or remove assume_role."}
		}
		switch {
		case strings.TrimSpace(a.AgencyName) == "":
			return 0, &ConfigError{Field: "assume_role.agency_name", Summary: "Missing agency name",
				Detail: "assume_role needs agency_name (HW_ASSUME_ROLE_AGENCY_NAME): the name of the agency in the account that delegates."}
		case a.DomainName == "" && a.DomainID == "":
			return 0, &ConfigError{Field: "assume_role.domain_name", Summary: "Missing agency domain",
				Detail: "assume_role needs domain_name or domain_id (HW_ASSUME_ROLE_DOMAIN_NAME or HW_ASSUME_ROLE_DOMAIN_ID): the account that created agency " + strconv.Quote(a.AgencyName) + "."}
		case a.Duration != 0 && (a.Duration < MinAssumeDuration || a.Duration > MaxAssumeDuration):
			return 0, &ConfigError{Field: "assume_role.duration", Summary: "Invalid duration",
				Detail: fmt.Sprintf("assume_role.duration must be from %d to %d seconds, got %d.", int(MinAssumeDuration.Seconds()), int(MaxAssumeDuration.Seconds()), int(a.Duration.Seconds()))}
		}
	}
	return m, nil
}

func chooseBase(cfg Config) (AuthMethod, error) {
	switch {
	case cfg.Token != "":
		return AuthToken, nil
	case cfg.AccessKey != "" || cfg.SecretKey != "":
		if missing := missingOf(map[string]string{"access_key": cfg.AccessKey, "secret_key": cfg.SecretKey}); missing != "" {
			return 0, &ConfigError{Field: missing, Summary: "Incomplete access key",
				Detail: "access_key and secret_key must be given together (HW_ACCESS_KEY and HW_SECRET_KEY); " + missing + " is missing."}
		}
		return AuthAKSK, nil
	case cfg.UserName != "" || cfg.Password != "" || cfg.DomainName != "":
		if missing := missingOf(map[string]string{"user_name": cfg.UserName, "password": cfg.Password, "domain_name": cfg.DomainName}); missing != "" {
			return 0, &ConfigError{Field: missing, Summary: "Incomplete password credentials",
				Detail: "user_name, password and domain_name must be given together (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME); " + missing + " is missing."}
		}
		return AuthPassword, nil
	case cfg.Metadata:
		return AuthMetadata, nil
	}
	return 0, &ConfigError{Field: "access_key", Summary: "No credentials", Detail: NoCredentialsDetail}
}

// missingOf returns the first empty field, in a fixed order.
func missingOf(fields map[string]string) string {
	for _, k := range []string{"access_key", "secret_key", "user_name", "password", "domain_name"} {
		if v, ok := fields[k]; ok && v == "" {
			return k
		}
	}
	return ""
}

// Client talks to the APIs. It is safe for concurrent use; one Client
// serves every data source of a configured provider and every region.
type Client struct {
	cfg       Config
	auth      AuthMethod
	userAgent string
	endpoints map[string]*url.URL
	http      *retryablehttp.Client
	now       func() time.Time
	secrets   *secretSet
	// limiter spaces requests out when MaxRequestsPerSecond is set; nil
	// otherwise.
	limiter        *rate.Limiter
	attemptTimeout time.Duration

	flight flightGroup
	// sharedTimeout bounds a shared call (sharedCallTimeout; tests shorten
	// it).
	sharedTimeout time.Duration
	mu            sync.Mutex
	projects      map[string]string         // region → project ID
	tokens        map[tokenScope]tokenEntry // password tokens
	// Temporary keys, and what obtains them.
	agencyKeys      Keys
	metadataKeys    Keys
	metadataSession metadataSession
	metadataHTTP    *http.Client
	ownDomainID     string
}

// New checks cfg and returns a Client with its own connection pool.
func New(cfg Config) (*Client, error) {
	auth, err := ChooseAuth(cfg)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Region) == "" {
		return nil, &ConfigError{Field: "region", Summary: "Missing region", Detail: "A region is required: set region, or HW_REGION_NAME."}
	}
	endpoints := make(map[string]*url.URL, len(cfg.Endpoints))
	for k, v := range cfg.Endpoints {
		if !isService(k) {
			return nil, &ConfigError{Field: "endpoints." + k, Summary: "Unknown endpoint key",
				Detail: fmt.Sprintf("endpoints has no key %q; the valid keys are %s.", k, strings.Join(EndpointKeys, ", "))}
		}
		u, err := ParseEndpoint(v)
		if err != nil {
			return nil, &ConfigError{Field: "endpoints." + k, Summary: "Invalid endpoint URL",
				Detail: "endpoints." + k + ": " + err.Error() + ". Give a base URL such as https://dms.ap-southeast-1.myhuaweicloud.com."}
		}
		endpoints[k] = u
	}
	if cfg.MaxRequestsPerSecond < 0 || math.IsNaN(cfg.MaxRequestsPerSecond) || math.IsInf(cfg.MaxRequestsPerSecond, 0) {
		return nil, &ConfigError{Field: "max_requests_per_second", Summary: "Invalid max_requests_per_second",
			Detail: fmt.Sprintf("max_requests_per_second must be 0 (no limit) or a positive number, got %v.", cfg.MaxRequestsPerSecond)}
	}
	if cfg.MaxTasks != 0 && cfg.MaxTasks < TaskPageSize {
		return nil, &ConfigError{Field: "max_tasks", Summary: "Invalid max_tasks",
			Detail: fmt.Sprintf("max_tasks must be at least %d (one page of tasks), or 0 for the default of %d; got %d. To read fewer tasks, read one page with start and limit.", TaskPageSize, DefaultMaxTasks, cfg.MaxTasks)}
	}
	if cfg.Metadata && cfg.MetadataEndpoint != "" {
		if _, err := ParseEndpoint(cfg.MetadataEndpoint); err != nil {
			return nil, &ConfigError{Field: "HW_METADATA_ENDPOINT", Summary: "Invalid metadata endpoint",
				Detail: "HW_METADATA_ENDPOINT: " + err.Error() + ". Give a base URL such as http://169.254.169.254."}
		}
	}
	transport, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}

	c := &Client{
		cfg:       cfg,
		auth:      auth,
		userAgent: "terraform-provider-hwtasks/" + orDefault(cfg.Version, "dev"),
		endpoints: endpoints,
		now:       cfg.Now,
		projects:  map[string]string{},
		tokens:    map[tokenScope]tokenEntry{},

		sharedTimeout: sharedCallTimeout,
		metadataHTTP:  newMetadataHTTP(),
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.attemptTimeout = orDefaultDuration(cfg.AttemptTimeout, defaultAttemptTimeout)
	if cfg.MaxRequestsPerSecond > 0 {
		// A burst of one: requests leave at least 1/rate apart, so no
		// one-second window ever holds more than the rate, which is how
		// the gateways count. A larger burst would let a refresh of many
		// data sources start with a spike, the very thing that throttles.
		c.limiter = rate.NewLimiter(rate.Limit(cfg.MaxRequestsPerSecond), 1)
	}
	if cfg.ProjectID != "" {
		c.projects[cfg.Region] = cfg.ProjectID
	}
	c.secrets = &secretSet{}
	for _, s := range []string{cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken, cfg.Token, cfg.Password} {
		c.secrets.add(s)
	}

	maxRetries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = max(*cfg.MaxRetries, 0)
	}
	c.http = &retryablehttp.Client{
		HTTPClient: &http.Client{
			// No Timeout here: attemptTransport bounds each attempt, after
			// any wait for the rate limit.
			Transport: &attemptTransport{base: transport, c: c},
			// API gateways do not redirect; following one would resend
			// signed headers to a host we did not choose.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RetryWaitMin: orDefaultDuration(cfg.RetryWaitMin, defaultRetryWaitMin),
		RetryWaitMax: orDefaultDuration(cfg.RetryWaitMax, defaultRetryWaitMax),
		RetryMax:     maxRetries,
		CheckRetry:   checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// Auth reports which credentials the client uses.
func (c *Client) Auth() AuthMethod { return c.auth }

// Region returns the provider's default region.
func (c *Client) Region() string { return c.cfg.Region }

func newTransport(cfg Config) (*http.Transport, error) {
	t := cleanhttp.DefaultPooledTransport() // proxy settings from the environment
	// The task reader keeps up to DefaultPageConcurrency requests in flight
	// per data source, and many data sources read at once.
	t.MaxIdleConnsPerHost = 16
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the user asked for it with insecure = true
	if cfg.CACertFile != "" {
		pem, err := readCACertFile(cfg.CACertFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Field: "cacert_file", Summary: "Invalid CA bundle", Detail: cfg.CACertFile + " holds no PEM certificate."}
		}
		tlsConfig.RootCAs = pool
	}
	t.TLSClientConfig = tlsConfig
	return t, nil
}

// MaxCACertFileBytes bounds cacert_file. A CA bundle is a few hundred
// kilobytes (the whole Mozilla root store, as Linux distributions ship it,
// is about 220 KB), so 4 MiB holds any real one many times over, while a
// path to something that never ends, such as /dev/zero, cannot make the
// provider read gigabytes.
const MaxCACertFileBytes = 4 << 20

// readCACertFile reads a PEM bundle, refusing anything but a regular file
// of at most MaxCACertFileBytes. The type and size are checked before the
// file is opened, so that a device or a named pipe is never read (opening a
// pipe would wait for a writer); the read itself is capped as well, for a
// file that grows, or one whose size the system does not report (such as
// those of /proc).
func readCACertFile(path string) ([]byte, error) {
	unreadable := func(detail string) error {
		return &ConfigError{Field: "cacert_file", Summary: "Unreadable CA bundle", Detail: fmt.Sprintf("cacert_file %q %s", path, detail)}
	}
	check := func(fi os.FileInfo) error {
		if !fi.Mode().IsRegular() {
			return &ConfigError{Field: "cacert_file", Summary: "Invalid CA bundle",
				Detail: fmt.Sprintf("cacert_file %q is %s, not a regular file. Give the path of a PEM file holding the CA certificates to trust.", path, fileKind(fi.Mode()))}
		}
		if fi.Size() > MaxCACertFileBytes {
			return tooLarge(path)
		}
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unreadable("cannot be read: " + err.Error())
	}
	if err := check(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unreadable("cannot be read: " + err.Error())
	}
	defer f.Close()
	// The path may have been replaced since the Stat.
	if fi, err = f.Stat(); err != nil {
		return nil, unreadable("cannot be read: " + err.Error())
	}
	if err := check(fi); err != nil {
		return nil, err
	}
	pem, err := io.ReadAll(io.LimitReader(f, MaxCACertFileBytes+1))
	if err != nil {
		return nil, unreadable("cannot be read: " + err.Error())
	}
	if len(pem) > MaxCACertFileBytes {
		return nil, tooLarge(path)
	}
	return pem, nil
}

func tooLarge(path string) error {
	return &ConfigError{Field: "cacert_file", Summary: "CA bundle too large",
		Detail: fmt.Sprintf("cacert_file %q is larger than %d MiB, far more than any CA bundle; give the path of a PEM file holding the CA certificates to trust.", path, MaxCACertFileBytes>>20)}
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a special file"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
