package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
