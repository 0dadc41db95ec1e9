package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract/internal/apierror"
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
		msg += ": " + apierror.Summary(apierror.Issue(e.Issues[0]), len(e.Issues))
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

// newAPIError is the one place an answer apierror read becomes an *APIError.
func newAPIError(op string, resp *http.Response) *APIError {
	a := apierror.Read(resp, maxErrorBody, time.Now())
	e := &APIError{Operation: op, StatusCode: resp.StatusCode, Header: resp.Header, Body: a.Body,
		Detail: a.Detail, RequestID: a.RequestID, RetryAfter: a.RetryAfter}
	if resp.Request != nil {
		e.Method, e.URL = resp.Request.Method, resp.Request.URL.Redacted()
	}
	if len(a.Issues) > 0 {
		e.Issues = make([]FieldIssue, len(a.Issues))
		for i, is := range a.Issues {
			e.Issues[i] = FieldIssue(is)
		}
	}
	return e
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
		scrubField(s, &api.Detail)
		scrubField(s, &api.URL)
		if s.ContainsBytes(api.Body) {
			api.Body = s.Bytes(api.Body)
		}
		s.Header(api.Header)
		for i := range api.Issues {
			is := &api.Issues[i]
			scrubField(s, &is.Msg)
			scrubField(s, &is.Path)
			scrubField(s, &is.Type)
			for k := range is.Loc {
				scrubField(s, &is.Loc[k])
			}
		}
	case errors.As(err, &inv):
		scrubField(s, &inv.Reason)
		scrubField(s, &inv.Snippet)
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
			scrubField(s, &job.Job.ErrorMessage)
		}
	}
	return s.Wrap(err)
}

// scrubField scrubs *field in place, writing only when the text held a
// trace of the key: an error value can be shared (a context cause seen by
// several goroutines), and an unconditional write of the same text would
// still be a data race.
func scrubField(s redact.Scrubber, field *string) {
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
func (i FieldIssue) Field() string { return apierror.Issue(i).Field() }

func (i FieldIssue) String() string { return apierror.Issue(i).String() }
