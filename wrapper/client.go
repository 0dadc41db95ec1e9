package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/authtransport"
	"github.com/extract-go/llamaextract/internal/createguard"
	"github.com/extract-go/llamaextract/internal/deadline"
	"github.com/extract-go/llamaextract/internal/jobget"
	"github.com/extract-go/llamaextract/internal/redact"
)

// Version is this module's version, sent in the User-Agent header.
const Version = "0.2.0"

// Base URLs of LlamaCloud.
const (
	DefaultBaseURL = "https://api.cloud.llamaindex.ai"
	EUBaseURL      = "https://api.cloud.eu.llamaindex.ai"
)

// Environment variables New reads when no option says otherwise.
const (
	EnvAPIKey        = "LLAMA_CLOUD_API_KEY"
	EnvParseAPIKey   = "LLAMA_PARSE_API_KEY"
	EnvBaseURL       = "LLAMA_CLOUD_BASE_URL"
	EnvCustomHeaders = "LLAMA_CLOUD_CUSTOM_HEADERS"
)

// Client talks to the LlamaCloud Extract API. Create one with New and share
// it: it is safe for concurrent use and holds no per-request state.
//
// A nil *Client is not usable: its methods panic like any nil pointer
// dereference. Check the error of New instead of calling through a nil
// client.
type Client struct {
	gen       *generated.Client
	get       jobget.Getter
	base      *url.URL
	orgID     string
	projectID string
	logger    *slog.Logger
	clock     Clock
	maxBody   int64
	policy    RetryPolicy
	// requestTimeout bounds one attempt of a request (WithRequestTimeout).
	requestTimeout time.Duration
	// scrub removes the API key from anything a server echoes back.
	scrub redact.Scrubber
	// creates keeps ambiguous-create recovery exact; see create.go.
	creates createguard.Registry
	// serverClock relates the server's clock to this process's.
	serverClock createguard.ServerClock
	// deadlines ends attempts that outlive the request timeout. Its own
	// allocation: its timer may stay armed for a while after the last
	// request, and must not keep the Client alive.
	deadlines *deadline.Attempts
	// unknown remembers the job statuses a wait has warned about.
	unknown unknownStatuses
}

type clientSettings struct {
	apiKey, baseURL   string
	orgID, projectID  string
	httpClient        *http.Client
	logger            *slog.Logger
	retry             RetryPolicy
	headers           http.Header
	allowInsecureHTTP bool
	maxResponseBytes  int64
	userAgentSuffix   string
	clock             Clock
	explicitKey, eu   bool
	explicitBase      bool
	requestTimeout    time.Duration
}

// Option configures a Client. New skips a nil Option, so an option chosen
// conditionally may be left nil.
type Option func(*clientSettings)

// WithAPIKey sets the API key. Without it New reads LLAMA_CLOUD_API_KEY,
// then LLAMA_PARSE_API_KEY. A key shorter than 8 characters (a placeholder
// for extracttest, such as "test") is sent but not scrubbed from answers:
// scrubbing it would rewrite ordinary words of every body.
func WithAPIKey(key string) Option {
	return func(s *clientSettings) { s.apiKey, s.explicitKey = key, true }
}

// WithBaseURL sets the API's base URL. Without it New reads
// LLAMA_CLOUD_BASE_URL, then uses DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(s *clientSettings) { s.baseURL, s.explicitBase = u, true }
}

// WithEURegion uses LlamaCloud's EU host (EUBaseURL).
func WithEURegion() Option { return func(s *clientSettings) { s.eu = true } }

// WithOrganizationID sends organization_id with every request that takes it.
func WithOrganizationID(id string) Option { return func(s *clientSettings) { s.orgID = id } }

// WithProjectID sends project_id with every request that takes it.
func WithProjectID(id string) Option { return func(s *clientSettings) { s.projectID = id } }

// WithHTTPClient sets the HTTP client. Its Transport (http.DefaultTransport
// when nil) is wrapped with authentication; its Timeout and CheckRedirect
// are kept. Retries happen above it, one attempt per RoundTrip.
func WithHTTPClient(c *http.Client) Option { return func(s *clientSettings) { s.httpClient = c } }

// WithLogger logs each request at debug level (method, URL, status,
// duration, attempt). The API key is never logged.
func WithLogger(l *slog.Logger) Option { return func(s *clientSettings) { s.logger = l } }

// WithRetryPolicy replaces the retry policy (default DefaultRetryPolicy);
// RetryPolicy{} turns retries off.
func WithRetryPolicy(p RetryPolicy) Option { return func(s *clientSettings) { s.retry = p } }

// WithClock sets the clock every wait of the client runs on: the pauses
// between status checks, retry backoff and WithWaitTimeout. Tests pass an
// extracttest.FakeClock (the emulator's clock) so that long jobs finish in
// milliseconds; the default is the system clock.
func WithClock(c Clock) Option { return func(s *clientSettings) { s.clock = c } }

// DefaultRequestTimeout bounds one attempt of a request, as in the official
// SDKs; see WithRequestTimeout.
const DefaultRequestTimeout = 60 * time.Second

// WithRequestTimeout bounds each attempt of a request, from sending it to
// reading its whole answer (default DefaultRequestTimeout). An upload gets
// one more second per 256 KiB it sends. An attempt that runs out of time
// is a *ConnectionError and is retried like one, so a server that stalls
// midway cannot hang a call that has no context deadline. A streamed body
// (Rows, WithoutResult) may rightly take longer than d as a whole, so there
// d bounds the wait for the head and then each wait for more body bytes.
// d must be positive. The client ends a late attempt by cancelling its
// context; Deadline on that context (as a RoundTripper of WithHTTPClient
// sees it) reports the caller's deadline, not the attempt's.
func WithRequestTimeout(d time.Duration) Option {
	return func(s *clientSettings) { s.requestTimeout = d }
}

// WithHeader adds a header to every request for the base URL's host; a
// redirect to another host carries none of them (nor the API key).
// LLAMA_CLOUD_CUSTOM_HEADERS (newline-separated "Name: value" lines) adds
// more, under the same rule.
func WithHeader(name, value string) Option {
	return func(s *clientSettings) {
		if s.headers == nil {
			s.headers = http.Header{}
		}
		s.headers.Add(name, value)
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not
// loopback. Without it New refuses, so the API key never crosses a network
// unencrypted by accident.
func WithInsecureHTTP() Option { return func(s *clientSettings) { s.allowInsecureHTTP = true } }

// WithMaxResponseBytes caps how much of a successful response body is read
// (default 256 MiB); a larger body is an error, not an out-of-memory crash.
// Error bodies are always capped at 64 KiB.
func WithMaxResponseBytes(n int64) Option { return func(s *clientSettings) { s.maxResponseBytes = n } }

// WithUserAgent appends a product token to the User-Agent header.
func WithUserAgent(token string) Option { return func(s *clientSettings) { s.userAgentSuffix = token } }

// ErrInvalidBaseURL is returned by New for a base URL that is not an
// absolute http(s) URL.
var ErrInvalidBaseURL = errors.New("llamaextract: invalid base URL")

// ErrInsecureBaseURL is returned by New for a plain http:// base URL on a
// host that is not loopback, unless WithInsecureHTTP allows it.
var ErrInsecureBaseURL = errors.New("llamaextract: base URL uses plain http to a non-loopback host, which would send the API key unencrypted")

// ErrNoAPIKey is returned by New when no API key is configured.
var ErrNoAPIKey = errors.New("llamaextract: no API key: pass wrapper.WithAPIKey or set " + EnvAPIKey)

// New returns a Client. A missing API key or an unusable base URL is an
// error here, not a 401 later.
func New(opts ...Option) (*Client, error) {
	s := clientSettings{retry: DefaultRetryPolicy(), maxResponseBytes: 256 << 20, clock: systemClock{}, requestTimeout: DefaultRequestTimeout}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	base, err := s.resolve()
	if err != nil {
		return nil, err
	}
	headers, err := authtransport.CustomHeaders(s.headers, os.Getenv(EnvCustomHeaders))
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %s: %w", EnvCustomHeaders, err)
	}
	scrub := redact.New(s.apiKey)
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	} else {
		s.logger = slog.New(redact.NewHandler(s.logger.Handler(), scrub))
	}
	hc := &http.Client{}
	if s.httpClient != nil {
		*hc = *s.httpClient
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	ua := "llamaextract-go/" + Version
	if s.userAgentSuffix != "" {
		ua += " " + s.userAgentSuffix
	}
	auth := authtransport.New(base, s.apiKey, ua, headers, inner)
	hc.Transport = auth
	gen, err := generated.NewClient(base.String(), generated.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %w", err)
	}
	get, err := jobget.New(base, hc, auth.Header(), s.orgID, s.projectID)
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %w", err)
	}
	return &Client{gen: gen, get: get, base: base, orgID: s.orgID, projectID: s.projectID, logger: s.logger, clock: s.clock, maxBody: s.maxResponseBytes,
		policy: s.retry, requestTimeout: s.requestTimeout, scrub: scrub, deadlines: new(deadline.Attempts)}, nil
}

// resolve fills in the API key and base URL from the environment where no
// option set them, and checks every setting; it returns the base URL.
func (s *clientSettings) resolve() (*url.URL, error) {
	if !s.explicitKey {
		s.apiKey = os.Getenv(EnvAPIKey)
		if s.apiKey == "" {
			s.apiKey = os.Getenv(EnvParseAPIKey)
		}
	}
	s.apiKey = strings.TrimSpace(s.apiKey)
	if s.apiKey == "" {
		return nil, ErrNoAPIKey
	}
	switch {
	case s.explicitBase:
	case s.eu:
		s.baseURL = EUBaseURL
	case os.Getenv(EnvBaseURL) != "":
		s.baseURL = os.Getenv(EnvBaseURL)
	default:
		s.baseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(s.baseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("%w %q: want an absolute http(s) URL such as %s", ErrInvalidBaseURL, s.baseURL, DefaultBaseURL)
	}
	if base.Scheme == "http" && !s.allowInsecureHTTP && !authtransport.IsLoopback(base.Hostname()) {
		return nil, fmt.Errorf("%w: %q; use https or pass wrapper.WithInsecureHTTP", ErrInsecureBaseURL, s.baseURL)
	}
	if s.requestTimeout <= 0 {
		return nil, fmt.Errorf("llamaextract: WithRequestTimeout(%s): want a positive duration", s.requestTimeout)
	}
	if s.maxResponseBytes <= 0 {
		return nil, fmt.Errorf("llamaextract: WithMaxResponseBytes(%d): want a positive size", s.maxResponseBytes)
	}
	if err := s.retry.validate(); err != nil {
		return nil, err
	}
	return base, nil
}

// Clock returns the clock the client waits on (WithClock, or the system
// clock), so that a helper above the client (package batch) paces itself on
// the same time.
func (c *Client) Clock() Clock { return c.clock }

// scrubError removes the API key from err; every error leaving the request
// layer passes through it.
func (c *Client) scrubError(err error) error { return scrubError(c.scrub, err) }

// BaseURL returns the API base URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }
