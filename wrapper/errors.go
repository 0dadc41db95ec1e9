package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/internal/redact"
)

// Sentinel errors an *APIError matches with errors.Is, by status code.
var (
	ErrBadRequest      = errors.New("llamaextract: bad request")          // 400
	ErrUnauthorized    = errors.New("llamaextract: unauthorized")         // 401
	ErrPaymentRequired = errors.New("llamaextract: payment required")     // 402
	ErrForbidden       = errors.New("llamaextract: forbidden")            // 403
	ErrNotFound        = errors.New("llamaextract: not found")            // 404
	ErrConflict        = errors.New("llamaextract: conflict")             // 409
	ErrTooLarge        = errors.New("llamaextract: request too large")    // 413
	ErrUnprocessable   = errors.New("llamaextract: unprocessable entity") // 422
	ErrRateLimited     = errors.New("llamaextract: rate limited")         // 429
	ErrServer          = errors.New("llamaextract: server error")         // 5xx
)

// APIError is a non-2xx answer from the API.
type APIError struct {
	// Operation is the API operation, e.g. "GetExtractJob".
	Operation string
	// Method and URL of the request (the URL carries no secret).
	Method, URL string
	StatusCode  int
	// Detail is the server's explanation (the body's "detail") as text. For
	// a 422 whose detail is a list it joins every entry as "field: msg".
	Detail string
	// Issues are the entries of a detail list, in the server's order: what
	// LlamaCloud sends with a 422 (request validation failed). Nil when
	// detail is a sentence, as with a 400 from the service's own rules.
	Issues []FieldIssue
	// RequestID is the server's request ID, when it sent one.
	RequestID string
	// RetryAfter is what the server asked to wait, when it said.
	RetryAfter time.Duration
	// Header is the response header.
	Header http.Header
	// Body is the response body, at most 64 KiB.
	Body []byte
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("llamaextract: %s: %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
	if len(e.Issues) > 0 {
		msg += ": " + issuesSummary(e.Issues)
	} else if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	return msg
}

// Is reports whether target is the sentinel for e's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == 400
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrPaymentRequired:
		return e.StatusCode == 402
	case ErrForbidden:
		return e.StatusCode == 403
	case ErrNotFound:
		return e.StatusCode == 404
	case ErrConflict:
		return e.StatusCode == 409
	case ErrTooLarge:
		return e.StatusCode == 413
	case ErrUnprocessable:
		return e.StatusCode == 422
	case ErrRateLimited:
		return e.StatusCode == 429
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

func newAPIError(op string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{
		Operation:  op,
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       body,
		Detail:     errorDetail(body),
		Issues:     fieldIssues(body),
	}
	if resp.Request != nil {
		e.Method, e.URL = resp.Request.Method, resp.Request.URL.Redacted()
	}
	for _, h := range []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Correlation-Id"} {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = v
			break
		}
	}
	if d, ok := retryAfter(resp.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// errorDetail reads the "detail" of an error body: a string, or a list of
// {loc, msg} issues. Anything else falls back to a short excerpt of the body.
func errorDetail(body []byte) string {
	var v struct {
		Detail  json.RawMessage `json:"detail"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		var s string
		if json.Unmarshal(v.Detail, &s) == nil && s != "" {
			return s
		}
		if issues := fieldIssues(body); len(issues) > 0 {
			parts := make([]string, len(issues))
			for i, is := range issues {
				parts[i] = is.String()
			}
			return strings.Join(parts, "; ")
		}
		if v.Message != "" {
			return v.Message
		}
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// ErrConnection matches a *ConnectionError with errors.Is.
var ErrConnection = errors.New("llamaextract: connection failed")

// ConnectionError is a request that got no HTTP answer: the connection
// failed, was dropped or timed out (after retries). It matches ErrConnection,
// and its cause (e.g. context.DeadlineExceeded) through Unwrap.
type ConnectionError struct {
	Operation string
	Err       error
}

func (e *ConnectionError) Error() string {
	return "llamaextract: " + e.Operation + ": connection failed: " + e.Err.Error()
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConnection) true.
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }

// ErrInvalidResponse matches an *InvalidResponseError with errors.Is.
var ErrInvalidResponse = errors.New("llamaextract: invalid response")

// InvalidResponseError is a 2xx answer the client could not use: not JSON,
// not decodable, truncated, or larger than the configured limit.
type InvalidResponseError struct {
	Operation  string
	StatusCode int
	Reason     string
	// Snippet is the start of a body that was not JSON.
	Snippet string
	Err     error
}

func (e *InvalidResponseError) Error() string {
	msg := fmt.Sprintf("llamaextract: %s: invalid response (HTTP %d): %s", e.Operation, e.StatusCode, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Snippet != "" {
		msg += fmt.Sprintf(" (body starts %q)", e.Snippet)
	}
	return msg
}

func (e *InvalidResponseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidResponse) true.
func (e *InvalidResponseError) Is(target error) bool { return target == ErrInvalidResponse }

// Sentinels a *JobError matches with errors.Is.
var (
	ErrJobFailed    = errors.New("llamaextract: job failed")
	ErrJobCancelled = errors.New("llamaextract: job cancelled")
)

// JobError is a job that ended FAILED or CANCELLED.
type JobError struct {
	Job *Job
}

func (e *JobError) Error() string {
	msg := fmt.Sprintf("llamaextract: job %s %s", e.Job.ID, e.Job.Status)
	if e.Job.ErrorMessage != "" {
		msg += ": " + e.Job.ErrorMessage
	}
	return msg
}

// Is matches ErrJobFailed or ErrJobCancelled.
func (e *JobError) Is(target error) bool {
	switch target {
	case ErrJobFailed:
		return e.Job.Status == StatusFailed
	case ErrJobCancelled:
		return e.Job.Status == StatusCancelled
	}
	return false
}

// ValidationError is a request rejected before it was sent: Field names the
// offending field and Reason says how to fix it.
type ValidationError struct {
	Operation string
	Field     string
	Reason    string
}

func (e *ValidationError) Error() string {
	return "llamaextract: " + e.Operation + ": " + e.Field + ": " + e.Reason
}

// ErrInvalidRequest matches a *ValidationError with errors.Is.
var ErrInvalidRequest = errors.New("llamaextract: invalid request")

// Is makes errors.Is(err, ErrInvalidRequest) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// scrubError is the way out of the request layer: every error a request
// returns passes through it (Client.scrubError). Typed errors keep their type with their text
// fields scrubbed; anything else whose text holds the key is wrapped.
func scrubError(s redact.Scrubber, err error) error {
	if err == nil || !s.Active() {
		return err
	}
	var (
		api  *APIError
		inv  *InvalidResponseError
		conn *ConnectionError
		amb  *AmbiguousCreateError
		job  *JobError
	)
	switch {
	case errors.As(err, &api):
		set(s, &api.Detail)
		set(s, &api.URL)
		if s.ContainsBytes(api.Body) {
			api.Body = s.Bytes(api.Body)
		}
		s.Header(api.Header)
		for i := range api.Issues {
			is := &api.Issues[i]
			set(s, &is.Msg)
			set(s, &is.Path)
			set(s, &is.Type)
			for k := range is.Loc {
				set(s, &is.Loc[k])
			}
		}
	case errors.As(err, &inv):
		set(s, &inv.Reason)
		set(s, &inv.Snippet)
		if w := s.Wrap(inv.Err); w != inv.Err {
			inv.Err = w
		}
	case errors.As(err, &conn):
		if w := s.Wrap(conn.Err); w != conn.Err {
			conn.Err = w
		}
	case errors.As(err, &amb):
		if w := scrubError(s, amb.Err); w != amb.Err {
			amb.Err = w
		}
		if w := scrubError(s, amb.LookupErr); w != amb.LookupErr {
			amb.LookupErr = w
		}
	case errors.As(err, &job):
		if job.Job != nil {
			set(s, &job.Job.ErrorMessage)
		}
	}
	return s.Wrap(err)
}

// set scrubs *field in place, writing only when the text held a trace of
// the key: an error value can be shared (a context cause seen by several
// goroutines), and an unconditional write of the same text would still be a
// data race.
func set(s redact.Scrubber, field *string) {
	if v := s.String(*field); v != *field {
		*field = v
	}
}

// FieldIssue is one entry of the list LlamaCloud (a FastAPI service) sends
// with a 422: a request value that failed validation, and where it is.
type FieldIssue struct {
	// Loc is the location as the server sent it, each element as text:
	// ["query", "status"], ["body", "configuration", "tier"],
	// ["body", "webhook_configurations", "1", "webhook_events", "0"].
	Loc []string
	// In is the part of the request: "query", "path", "header", "cookie"
	// or "body"; empty when Loc does not start with one of them.
	In string
	// Path is the field inside In, dotted, with list indexes in brackets:
	// "status", "configuration.tier", "webhook_configurations[1].webhook_events[0]".
	// It is empty when the problem is the whole part (e.g. a body that is
	// not JSON).
	Path string
	// Msg says what is wrong, e.g. "Field required".
	Msg string
	// Type is the validator's kind of problem, e.g. "missing", "enum",
	// "int_parsing".
	Type string
}

// Field names the failing field for a message: the Path, or the part of
// the request when the problem is the part as a whole.
func (i FieldIssue) Field() string {
	switch {
	case i.Path != "":
		return i.Path
	case i.In != "":
		return i.In
	}
	return "request"
}

func (i FieldIssue) String() string {
	return i.Field() + ": " + i.Msg
}

// fieldIssues reads the detail list of an error body; nil when detail is a
// string or absent. Entries that are not objects are skipped, so a strange
// body never fails the error it explains.
func fieldIssues(body []byte) []FieldIssue {
	var v struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Detail) == 0 || v.Detail[0] != '[' {
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(v.Detail, &raw) != nil {
		return nil
	}
	out := make([]FieldIssue, 0, len(raw))
	for _, r := range raw {
		// msg and type are read as any JSON so that an odd value in one of
		// them does not lose the loc that names the field.
		var e struct {
			Loc  []any           `json:"loc"`
			Msg  json.RawMessage `json:"msg"`
			Type json.RawMessage `json:"type"`
		}
		if r[0] != '{' || json.Unmarshal(r, &e) != nil {
			continue
		}
		out = append(out, newFieldIssue(e.Loc, jsonText(e.Msg), jsonText(e.Type)))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// jsonText is a JSON string's value, or any other JSON value as compact
// text; empty for null or absent.
func jsonText(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func newFieldIssue(loc []any, msg, typ string) FieldIssue {
	is := FieldIssue{Msg: msg, Type: typ, Loc: make([]string, len(loc))}
	for i, l := range loc {
		switch x := l.(type) {
		case string:
			is.Loc[i] = x
		case float64:
			is.Loc[i] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			is.Loc[i] = fmt.Sprint(x)
		}
	}
	rest := loc
	if len(loc) > 0 {
		switch loc[0] {
		case "query", "path", "header", "cookie", "body":
			is.In, rest = is.Loc[0], loc[1:]
		}
	}
	if is.In == "body" && len(rest) > 0 {
		if _, ok := rest[0].(float64); ok {
			// ["body", 12]: FastAPI's JSON decode error at a byte offset;
			// the problem is the body itself, not a field.
			rest = nil
		}
	}
	var b strings.Builder
	for _, l := range rest {
		switch x := l.(type) {
		case float64:
			fmt.Fprintf(&b, "[%s]", strconv.FormatFloat(x, 'f', -1, 64))
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	is.Path = b.String()
	return is
}

// issuesSummary is the message part for a 422: the first failing field and
// how many more there are.
func issuesSummary(issues []FieldIssue) string {
	s := issues[0].String()
	if n := len(issues) - 1; n == 1 {
		s += " (and 1 more issue)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more issues)", n)
	}
	return s
}
