package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

// Version is this module's version, sent in the User-Agent header.
const Version = "0.1.0"

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
type Client struct {
	gen       *generated.Client
	base      *url.URL
	orgID     string
	projectID string
	logger    *slog.Logger
	maxBody   int64
	policy    RetryPolicy
	// key is kept only to scrub it from anything a server echoes back.
	key string

	// created remembers job IDs this client created or adopted, so that
	// recovery after an ambiguous create never adopts another call's job.
	created sync.Map
}

type settings struct {
	apiKey, baseURL   string
	orgID, projectID  string
	httpClient        *http.Client
	logger            *slog.Logger
	retry             RetryPolicy
	headers           http.Header
	allowInsecureHTTP bool
	maxResponseBytes  int64
	userAgentSuffix   string
	explicitKey, eu   bool
	explicitBase      bool
}

// Option configures a Client.
type Option func(*settings)

// WithAPIKey sets the API key. Without it New reads LLAMA_CLOUD_API_KEY,
// then LLAMA_PARSE_API_KEY.
func WithAPIKey(key string) Option {
	return func(s *settings) { s.apiKey, s.explicitKey = key, true }
}

// WithBaseURL sets the API's base URL. Without it New reads
// LLAMA_CLOUD_BASE_URL, then uses DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(s *settings) { s.baseURL, s.explicitBase = u, true }
}

// WithEURegion uses LlamaCloud's EU host (EUBaseURL).
func WithEURegion() Option { return func(s *settings) { s.eu = true } }

// WithOrganizationID sends organization_id with every request that takes it.
func WithOrganizationID(id string) Option { return func(s *settings) { s.orgID = id } }

// WithProjectID sends project_id with every request that takes it.
func WithProjectID(id string) Option { return func(s *settings) { s.projectID = id } }

// WithHTTPClient sets the HTTP client. Its Transport (http.DefaultTransport
// when nil) is wrapped with authentication and retries; its Timeout and
// CheckRedirect are kept.
func WithHTTPClient(c *http.Client) Option { return func(s *settings) { s.httpClient = c } }

// WithLogger logs each request at debug level (method, URL, status,
// duration, attempt). The API key is never logged.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithRetryPolicy replaces the retry policy; see RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(s *settings) { s.retry = p } }

// WithMaxRetries sets how many times a failed request is retried (default
// 2; 0 turns retries off).
func WithMaxRetries(n int) Option { return func(s *settings) { s.retry.MaxRetries = n } }

// WithHeader adds a header to every request. LLAMA_CLOUD_CUSTOM_HEADERS
// (newline-separated "Name: value" lines) adds more.
func WithHeader(name, value string) Option {
	return func(s *settings) {
		if s.headers == nil {
			s.headers = http.Header{}
		}
		s.headers.Add(name, value)
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not
// loopback. Without it New refuses, so the API key never crosses a network
// unencrypted by accident.
func WithInsecureHTTP() Option { return func(s *settings) { s.allowInsecureHTTP = true } }

// WithMaxResponseBytes caps how much of a successful response body is read
// (default 256 MiB); a larger body is an error, not an out-of-memory crash.
// Error bodies are always capped at 64 KiB.
func WithMaxResponseBytes(n int64) Option { return func(s *settings) { s.maxResponseBytes = n } }

// WithUserAgent appends a product token to the User-Agent header.
func WithUserAgent(token string) Option { return func(s *settings) { s.userAgentSuffix = token } }

// ErrNoAPIKey is returned by New when no API key is configured.
var ErrNoAPIKey = errors.New("llamaextract: no API key: pass wrapper.WithAPIKey or set " + EnvAPIKey)

// New returns a Client. A missing API key or an unusable base URL is an
// error here, not a 401 later.
func New(opts ...Option) (*Client, error) {
	s := settings{retry: DefaultRetryPolicy(), maxResponseBytes: 256 << 20}
	for _, o := range opts {
		o(&s)
	}
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
		return nil, fmt.Errorf("llamaextract: base URL %q: want an absolute http(s) URL such as %s", s.baseURL, DefaultBaseURL)
	}
	if base.Scheme == "http" && !s.allowInsecureHTTP && !isLoopback(base.Hostname()) {
		return nil, fmt.Errorf("llamaextract: base URL %q uses plain http to a non-loopback host, which would send the API key unencrypted; use https or pass wrapper.WithInsecureHTTP", s.baseURL)
	}
	if err := s.retry.validate(); err != nil {
		return nil, err
	}
	headers, err := customHeaders(s.headers)
	if err != nil {
		return nil, err
	}
	if s.logger == nil {
		s.logger = slog.New(discardHandler{})
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
	hc.Transport = &authTransport{
		base:      base,
		key:       s.apiKey,
		userAgent: ua,
		headers:   headers,
		next:      &retryTransport{next: inner, policy: s.retry, logger: s.logger},
	}
	gen, err := generated.NewClient(base.String(), generated.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %w", err)
	}
	return &Client{gen: gen, base: base, orgID: s.orgID, projectID: s.projectID, logger: s.logger, maxBody: s.maxResponseBytes, policy: s.retry, key: s.apiKey}, nil
}

// BaseURL returns the API base URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func customHeaders(h http.Header) (http.Header, error) {
	out := http.Header{}
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	env := os.Getenv(EnvCustomHeaders)
	for _, line := range strings.Split(env, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("llamaextract: %s: line %q is not \"Name: value\"", EnvCustomHeaders, line)
		}
		out.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return out, nil
}

// authTransport adds the API key, but only to requests for the configured
// scheme and host: a redirect elsewhere never carries it.
type authTransport struct {
	base      *url.URL
	key       string
	userAgent string
	headers   http.Header
	next      http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the caller's request: copy it with a
	// header map of its own (a shallow copy is enough, nothing else is
	// modified, and it is cheaper than Clone on the hot path).
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+4+len(t.headers))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if r.URL.Scheme == t.base.Scheme && r.URL.Host == t.base.Host {
		r.Header.Set("Authorization", "Bearer "+t.key)
		for k, v := range t.headers {
			r.Header[k] = v
		}
	} else {
		r.Header.Del("Authorization")
	}
	r.Header.Set("User-Agent", t.userAgent)
	if r.Header.Get("Accept") == "" {
		r.Header.Set("Accept", "application/json")
	}
	return t.next.RoundTrip(r)
}

// query parameters shared by most operations.
func (c *Client) org() *string     { return optString(c.orgID) }
func (c *Client) project() *string { return optString(c.projectID) }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const maxErrorBody = 64 << 10

// call sends a request built by the generated client and decodes a
// successful JSON answer into out (when non-nil). Any non-2xx status becomes
// an *APIError naming op.
//
// An idempotent request (GET) whose body breaks off midway is sent again, up
// to the retry policy's MaxRetries: the transport below cannot see that
// failure, which happens after it has returned the response.
func (c *Client) call(ctx context.Context, op string, send func(context.Context) (*http.Response, error), out any) error {
	for attempt := 0; ; attempt++ {
		method, err := c.doCall(ctx, op, send, out)
		var inv *InvalidResponseError
		if err == nil || method != http.MethodGet || attempt >= c.policy.MaxRetries || !errors.As(err, &inv) || !brokenBody(inv.Err) || ctx.Err() != nil {
			return err
		}
		c.logger.DebugContext(ctx, "llamaextract retry after a broken body", "op", op, "attempt", attempt+1, "error", inv.Err)
		if err := sleepCtx(ctx, c.policy.backoff(attempt)); err != nil {
			return fmt.Errorf("llamaextract: %s: %w", op, err)
		}
	}
}

// brokenBody reports whether a decode failed because the connection broke
// (as opposed to a body that arrived whole but is not valid).
func brokenBody(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

func (c *Client) doCall(ctx context.Context, op string, send func(context.Context) (*http.Response, error), out any) (string, error) {
	start := time.Now()
	resp, err := send(ctx)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return "", fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
		}
		return "", &ConnectionError{Operation: op, Err: err}
	}
	method := resp.Request.Method
	defer resp.Body.Close()
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "llamaextract response",
			slog.String("op", op), slog.String("method", method), slog.String("url", resp.Request.URL.Redacted()),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return method, c.redactAPIError(newAPIError(op, resp))
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return method, nil
	}
	if ct := resp.Header.Get("Content-Type"); !isJSON(ct) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("content type %q is not JSON", ct), Snippet: c.redact(string(snippet))}
	}
	if n := resp.ContentLength; n >= 0 {
		// The length is known: read the body into one buffer of exactly
		// that size (json.Decoder would buffer the whole value anyway, in
		// a buffer grown by doubling) and decode it.
		if n > c.maxBody {
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("body of %d bytes is larger than the %d byte limit (see WithMaxResponseBytes)", n, c.maxBody)}
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return method, fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "body ended early", Err: err}
		}
		if err := json.Unmarshal(buf, out); err != nil {
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "cannot decode body", Err: err}
		}
		return method, nil
	}
	lr := &limitedReader{r: resp.Body, n: c.maxBody}
	if err := json.NewDecoder(lr).Decode(out); err != nil {
		if lr.exceeded {
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("body is larger than the %d byte limit (see WithMaxResponseBytes)", c.maxBody)}
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return method, fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
		}
		return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "cannot decode body", Err: err}
	}
	return method, nil
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// limitedReader fails once more than n bytes were read.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var errBodyTooLarge = errors.New("response body too large")

type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (h discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h discardHandler) WithGroup(string) slog.Handler           { return h }

// redact removes the API key from text a server sent back, so a hostile or
// buggy server echoing request headers cannot put the key into an error.
func (c *Client) redact(s string) string {
	if c.key == "" || !strings.Contains(s, c.key) {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}

func (c *Client) redactAPIError(e *APIError) *APIError {
	e.Detail = c.redact(e.Detail)
	if bytes.Contains(e.Body, []byte(c.key)) {
		e.Body = bytes.ReplaceAll(e.Body, []byte(c.key), []byte("[redacted]"))
	}
	for k, vs := range e.Header {
		for i, v := range vs {
			e.Header[k][i] = c.redact(v)
		}
	}
	return e
}
