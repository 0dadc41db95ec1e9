package extracttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/extract-go/llamaextract/internal/apispec"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"golang.org/x/time/rate"
)

// Server is an in-memory LlamaCloud that serves every operation in
// openapi.yaml. It is an http.Handler; NewServer also starts it on loopback.
// All state lives in memory and is safe for concurrent use.
type Server struct {
	// URL is the base URL of the started server, e.g. http://127.0.0.1:53412.
	// It is empty for a Server that was not started by NewServer.
	URL string

	cfg      config
	mux      *http.ServeMux
	handlers map[string]opHandler

	mu         sync.Mutex
	closed     bool
	inflight   sync.WaitGroup
	st         state
	faults     []*faultRule
	limiter    *rate.Limiter
	violations []Violation
	stats      Stats

	listener net.Listener
	srv      *http.Server
	serveErr chan error
	// conns counts the connections net/http serves, so that Close can
	// wait for the last one's goroutine (a connection closed after a 413
	// lingers while the client reads the answer).
	conns sync.WaitGroup

	pumpStop, pumpDone chan struct{}
}

// Violation records a response the emulator was about to send that does not
// match openapi.yaml: a bug in the emulator, never sent to the client (the
// client gets a 500 naming it instead).
type Violation struct {
	Operation string
	Status    int
	Err       string
	Body      string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s -> %d: %s", v.Operation, v.Status, v.Err)
}

// Stats counts what the server has seen.
type Stats struct {
	// Requests counts requests per operationId (after auth).
	Requests map[string]int
	// JobsCreated counts jobs ever created, deleted ones included.
	JobsCreated int
	// FaultsInjected counts requests a Fault acted on.
	FaultsInjected int
	// RateLimited counts creates refused by WithCreateRateLimit.
	RateLimited int
	// WebhooksDelivered and WebhookFailures count webhook POSTs that got a
	// 2xx answer, and those that did not.
	WebhooksDelivered, WebhookFailures int
}

type opHandler func(w *recorder, r *http.Request, op *openapi3.Operation)

// NewServer starts an emulator on a loopback port (see WithAddr). Call Close
// when done. It panics only if it cannot listen, like httptest.NewServer.
func NewServer(opts ...Option) *Server {
	s := New(opts...)
	if err := s.Start(); err != nil {
		panic("extracttest: " + err.Error())
	}
	return s
}

// New returns an emulator that is not listening: mount it as an http.Handler
// or call Start.
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), st: newState()}
	s.stats.Requests = map[string]int{}
	if cfg.createRate > 0 {
		burst := cfg.createBurst
		if burst < 1 {
			burst = 1
		}
		s.limiter = rate.NewLimiter(rate.Limit(cfg.createRate), burst)
	}
	s.handlers = s.routes()
	for _, route := range apispec.Routes() {
		s.mux.Handle(route.Method+" "+route.Path, s.operation(route))
	}
	s.mux.HandleFunc("GET /_download/{file_id}", s.download)
	s.mux.HandleFunc("GET "+StatsPath, s.serveStats)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errBody(fmt.Sprintf("no operation %s %s in openapi.yaml", r.Method, r.URL.Path)))
	})
	return s
}

// Start listens on the configured address and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.addr, err)
	}
	s.listener = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog(), ConnState: s.trackConn}
	s.serveErr = make(chan error, 1)
	go func() { s.serveErr <- s.srv.Serve(ln) }()
	return nil
}

// trackConn is the http.Server's ConnState hook.
func (s *Server) trackConn(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.conns.Done()
	}
}

// Client returns an *http.Client for the server. It has its own transport,
// closed with the server, so no idle connection outlives Close.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.transport()}
}

func (s *Server) transport() *http.Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.transport == nil {
		s.st.transport = &http.Transport{Proxy: nil, ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 64}
	}
	return s.st.transport
}

// Close stops the server, waits for every request in flight to finish and
// closes the transport returned by Client. No goroutine of the server
// survives it.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	tr := s.st.transport
	stop, done := s.pumpStop, s.pumpDone
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	if s.srv != nil {
		_ = s.srv.Close()
		<-s.serveErr
		s.conns.Wait()
	}
	s.inflight.Wait()
	if tr != nil {
		tr.CloseIdleConnections()
	}
}

// Violations returns the responses that failed validation against
// openapi.yaml so far. A correct emulator has none.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// Stats returns a copy of the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	return out
}

// TB is the part of testing.TB the helpers here use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// NewTestServer starts a server for a test, closes it when the test ends and
// fails the test if the emulator produced any response that violates
// openapi.yaml.
func NewTestServer(t TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(func() {
		s.Close()
		CheckViolations(t, s)
	})
	return s
}

// CheckViolations fails t for every recorded violation.
func CheckViolations(t TB, s *Server) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("extracttest: response violates openapi.yaml: %s\nbody: %.500s", v, v.Body)
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Server) operation(route *routers.Route) http.Handler {
	op := route.Operation
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			writeJSON(w, http.StatusServiceUnavailable, errBody("server is closing"))
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		defer s.inflight.Done()

		rec := newRecorder()
		// Date follows the emulator's clock, as a real server's Date and
		// its timestamps come from one clock (clients measure against it).
		w.Header().Set("Date", s.now().Format(http.TimeFormat))
		s.serveOperation(w, rec, r, route)
		if s.cfg.logf != nil {
			s.cfg.logf("%s %s -> %d", r.Method, r.URL.RequestURI(), rec.status)
		}
		rec.flush(w, op.OperationID)
	})
}

// serveOperation answers one request into rec. w is the connection's own
// ResponseWriter: the body caps are given it so that net/http, on a body
// over the cap, closes the connection after the answer (without reading the
// rest as a next request) and delays the close until the client has read it.
func (s *Server) serveOperation(w http.ResponseWriter, rec *recorder, r *http.Request, route *routers.Route) {
	op := route.Operation
	if !s.authorized(r) {
		rec.json(http.StatusUnauthorized, errBody("missing or invalid API key: send the header \"Authorization: Bearer <key>\" with your LlamaCloud API key"))
		s.checkResponse(rec, r, route)
		return
	}
	s.mu.Lock()
	s.stats.Requests[op.OperationID]++
	s.mu.Unlock()

	fault := s.pickFault(op.OperationID)
	if fault != nil && fault.before(rec, r) {
		return
	}

	// The operation, not the request's Content-Type, decides which cap
	// applies: a JSON operation keeps the JSON cap whatever a client labels
	// its body.
	multipart := op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Content.Get("multipart/form-data") != nil
	if multipart {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxUpload+1<<20)
	} else if op.RequestBody != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxRequest)
	}
	if !s.validRequest(rec, r, route, multipart) {
		s.checkResponse(rec, r, route)
		return
	}

	h := s.handlers[op.OperationID]
	if h == nil {
		rec.json(http.StatusNotImplemented, errBody("extracttest has no handler for "+op.OperationID))
	} else {
		h(rec, r, op)
	}
	s.checkResponse(rec, r, route)
	if fault != nil {
		fault.after(rec)
	}
}

// validRequest validates r against the spec as FastAPI would and, when it
// is refused, records the answer in rec and returns false.
func (s *Server) validRequest(rec *recorder, r *http.Request, route *routers.Route, multipart bool) bool {
	params := map[string]string{}
	for _, p := range route.PathItem.Parameters {
		params[p.Value.Name] = r.PathValue(p.Value.Name)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		// MultiError: FastAPI reports every problem of a request at once.
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, RejectWhenRequestBodyNotSpecified: true, MultiError: true,
			// A request's date-time is read as pydantic reads it, not only
			// as RFC 3339 (see parseQueryTime); responses stay RFC 3339.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("date-time", requestDateTime)},
		},
	}
	err := openapi3filter.ValidateRequest(r.Context(), in)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		if multipart {
			rec.json(http.StatusRequestEntityTooLarge, errBody(fmt.Sprintf("file: larger than the %d byte upload limit", s.cfg.maxUpload)))
		} else {
			rec.json(http.StatusRequestEntityTooLarge, errBody(fmt.Sprintf("request body: larger than the %d byte limit on JSON bodies (see extracttest.WithMaxRequestBytes)", s.cfg.maxRequest)))
		}
		// The rest of the refused body is still on the wire: reading on
		// would parse it as the next request, so the connection ends with
		// this answer (also when the Server is mounted behind a
		// ResponseWriter that net/http cannot tell about it).
		rec.header.Set("Connection", "close")
		return false
	}
	var issues []validationIssue
	if err != nil {
		issues = validationIssues(err)
	}
	if !multipart {
		issues = sortIssues(append(issues, extraIssues(r, route)...))
	}
	if len(issues) > 0 {
		rec.json(http.StatusUnprocessableEntity, validationBody{Detail: issues})
		return false
	}
	return true
}

// checkResponse validates the recorded response; an invalid one is replaced
// by a 500 that names the problem, and recorded as a Violation.
func (s *Server) checkResponse(rec *recorder, r *http.Request, route *routers.Route) {
	err := apispec.CheckResponse(context.Background(), r, route, rec.status, rec.header, rec.body.Bytes())
	if err == nil {
		return
	}
	v := Violation{Operation: route.Operation.OperationID, Status: rec.status, Err: oneLine(err.Error()), Body: rec.body.String()}
	s.mu.Lock()
	s.violations = append(s.violations, v)
	s.mu.Unlock()
	rec.reset()
	rec.json(http.StatusInternalServerError, errBody("extracttest bug: response violates openapi.yaml: "+v.Err))
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return false
	}
	return s.cfg.apiKey == "" || key == s.cfg.apiKey
}

func (s *Server) now() time.Time { return s.cfg.clock.Now().UTC() }

// recorder buffers a response so it can be validated before it is sent.
type recorder struct {
	status int
	header http.Header
	body   bytes.Buffer
	// abort set by a fault: "drop" closes without answering, "truncate"
	// sends half the body.
	abort string
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) json(status int, v any) {
	rec.status = status
	rec.header.Set("Content-Type", "application/json")
	rec.body.Reset()
	enc := json.NewEncoder(&rec.body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		rec.status = http.StatusInternalServerError
		rec.body.Reset()
		fmt.Fprintf(&rec.body, `{"detail":%q}`, "extracttest: cannot encode response: "+err.Error())
	}
}

func (rec *recorder) noContent() {
	rec.status = http.StatusNoContent
	rec.body.Reset()
}

func (rec *recorder) reset() {
	rec.header = http.Header{}
	rec.body.Reset()
	rec.status = 0
}

func (rec *recorder) flush(w http.ResponseWriter, _ string) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	body := rec.body.Bytes()
	switch rec.abort {
	case "drop":
		// net/http recovers ErrAbortHandler and closes the connection
		// without a response: the client sees a dropped connection.
		panic(http.ErrAbortHandler)
	case "truncate":
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	if rec.status != http.StatusNoContent {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	}
	w.WriteHeader(rec.status)
	if rec.status != http.StatusNoContent {
		_, _ = w.Write(body)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	rec := newRecorder()
	rec.json(status, v)
	rec.flush(w, "")
}

type errorBody struct {
	Detail string `json:"detail"`
}

func errBody(detail string) errorBody { return errorBody{Detail: detail} }

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 600 {
		s = s[:600] + "..."
	}
	return s
}

// requestDateTime checks a date-time in a request with parseQueryTime.
var requestDateTime = openapi3.NewCallbackValidator(func(s string) error {
	_, err := parseQueryTime(s)
	return err
})
