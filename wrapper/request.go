package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/extract-go/llamaextract/internal/authtransport"
	"github.com/extract-go/llamaextract/internal/deadline"
	"github.com/extract-go/llamaextract/internal/httpbody"
	"github.com/extract-go/llamaextract/internal/jsonstream"
)

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

// The API's operations, by their operationId in openapi.yaml; errors name
// them.
const (
	opCreateJob           = "CreateExtractJob"
	opListJobs            = "ListExtractJobs"
	opGetJob              = "GetExtractJob"
	opDeleteJob           = "DeleteExtractJob"
	opCancelJob           = "CancelExtractJob"
	opValidateSchema      = "ValidateExtractSchema"
	opGenerateSchema      = "GenerateExtractSchema"
	opUploadFile          = "UploadFile"
	opListFiles           = "ListFiles"
	opGetFile             = "GetFile"
	opDeleteFile          = "DeleteFile"
	opGetFileContent      = "GetFileContent"
	opCreateConfiguration = "CreateConfiguration"
	opListConfigurations  = "ListConfigurations"
	opGetConfiguration    = "GetConfiguration"
	opUpdateConfiguration = "UpdateConfiguration"
	opDeleteConfiguration = "DeleteConfiguration"
)

// pathID is the ID an operation puts in its path; an empty field means the
// operation has none.
type pathID struct{ field, value string }

// none is the result type of operations whose answer carries nothing.
type none struct{}

// request is the one way an endpoint is called: it checks the path ID
// before anything is sent, sends the request send builds (with the
// generated client), and decodes a 2xx JSON answer into a new T. Every
// method of Client goes through it, so the checks, the error types, the
// retries (do) and the validate hook are the same everywhere.
func request[T any](ctx context.Context, c *Client, op string, id pathID, send func(context.Context) (*http.Response, error)) (*T, error) {
	if id.field != "" {
		if err := checkID(op, id.field, id.value); err != nil {
			return nil, err
		}
	}
	out := new(T)
	var dst any = out
	if _, empty := dst.(*none); empty {
		dst = nil
	}
	if err := c.call(ctx, op, send, dst); err != nil {
		return nil, err
	}
	if a, ok := dst.(answerer); ok {
		if err := checkAnswerID(op, id, a.answerID()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// answerer is an answer that names the resource it is about: a job, a
// file, a saved configuration.
type answerer interface{ answerID() string }

// checkAnswerID is the one check that an answer is about the resource the
// call named (id; a call that names none takes any), for answers read
// whole (request) and streamed (Rows, waits without the result) alike: a
// front end that answers for another resource (a cache keyed wrongly) must
// not make its status, result or file this one's.
func checkAnswerID(op string, id pathID, got string) error {
	if id.value == "" || got == id.value {
		return nil
	}
	return &InvalidResponseError{Operation: op, StatusCode: http.StatusOK, Reason: fmt.Sprintf("asked for %s %q, answered for %.80q", id.field, id.value, got)}
}

// callSpec is one API request as do sends it; the function that sends
// it is a separate argument of do. Escape analysis follows a struct
// argument as a whole, so a send stored next to op (which errors keep)
// would move every caller's closure to the heap: on a small GetJob that
// was one allocation of the call's dozen that the floor does not make.
type callSpec struct {
	op string
	// out receives a successful JSON answer (nil: the body is discarded).
	out any
	// create marks a request that makes a job; see classify.
	create bool
	// recover, for a create, looks for the job an ambiguous attempt
	// (started at start) may have made; see CreateJob.
	recover func(ctx context.Context, err error, start time.Time) (found bool, rerr error)
	// upload is the size of the body sent, which scales the attempt
	// timeout.
	upload int64
	// guard, when set, is held for reading through each attempt, and
	// onSuccess runs under it: a create's recovery takes it for writing.
	guard     *sync.RWMutex
	onSuccess func()
}

// call sends a request built by the generated client and decodes a
// successful JSON answer into out (when non-nil). Any non-2xx status becomes
// an *APIError naming op.
func (c *Client) call(ctx context.Context, op string, send func(context.Context) (*http.Response, error), out any) error {
	return c.do(ctx, callSpec{op: op, out: out}, send)
}

// do is the one retry layer: at most RetryPolicy.MaxRetries+1 attempts per
// call, whatever failed (the connection, the status, the body midway), each
// attempt bounded by the request timeout. classify decides what a failure
// means; a create whose failure is ambiguous is not sent again before
// recover has looked for the job it may have made. Every error returned
// passes through the client's scrubber.
func (c *Client) do(ctx context.Context, spec callSpec, send func(context.Context) (*http.Response, error)) error {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		if spec.guard != nil {
			spec.guard.RLock()
		}
		err := c.attempt(ctx, spec, attempt, send)
		if err == nil && spec.onSuccess != nil {
			spec.onSuccess()
		}
		if spec.guard != nil {
			spec.guard.RUnlock()
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return c.scrubError(err)
		}
		if pace := pacerOf(ctx); pace != nil && errors.Is(err, ErrRateLimited) {
			var api *APIError
			errors.As(err, &api)
			paced := c.clock.Now()
			if pace(ctx, api.RetryAfter) != nil {
				return c.scrubError(err)
			}
			// Every wait has a floor, a pacer's too.
			if left := MinRetryWait - c.clock.Now().Sub(paced); left > 0 && sleep(ctx, c.clock, left) != nil {
				return c.scrubError(err)
			}
			attempt-- // the caller paces 429s: they spend no retry
			continue
		}
		switch classify(spec.create, err) {
		case verdictStop:
			return c.scrubError(err)
		case verdictLookFirst:
			if spec.recover == nil {
				return c.scrubError(err)
			}
			found, rerr := spec.recover(ctx, c.scrubError(err), start)
			if found || rerr != nil {
				return c.scrubError(rerr)
			}
		}
		if attempt >= c.policy.MaxRetries {
			return c.scrubError(err)
		}
		wait := c.policy.retryWait(err, attempt, c.clock.Now())
		c.logger.LogAttrs(ctx, slog.LevelDebug, "llamaextract retry",
			slog.String("op", spec.op), slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.Any("error", err))
		if err := sleep(ctx, c.clock, wait); err != nil {
			return fmt.Errorf("llamaextract: %s: %w", spec.op, err)
		}
	}
}

// attemptTimeout is how long one attempt may take: the request timeout,
// plus one second per uploadRate bytes of an upload (a 100 MB file gets
// about 7 extra minutes). The sum saturates: time.Duration(math.MaxInt64),
// the usual "no limit", must not wrap into a timeout already past.
func (c *Client) attemptTimeout(upload int64) time.Duration {
	const uploadRate = 256 << 10
	extra := upload / uploadRate
	if extra > int64((math.MaxInt64-c.requestTimeout)/time.Second) {
		return math.MaxInt64
	}
	return c.requestTimeout + time.Duration(extra)*time.Second
}

// errAttemptTimeout is the cause of an attempt cut off by the request
// timeout (as opposed to the caller's context).
var errAttemptTimeout = deadline.ErrTimeout

// attemptTimeoutError is the error of an attempt the request timeout ended:
// like a dropped connection, the request may or may not have been
// processed, and it is retried as one.
func attemptTimeoutError(op string, d time.Duration) error {
	return &ConnectionError{Operation: op, Err: fmt.Errorf("%w (%s, see WithRequestTimeout): %w", errAttemptTimeout, d, context.DeadlineExceeded)}
}

// attempt sends the request once and reads its answer, or, for a stream
// (spec.out is a *streamHead), opens it.
func (c *Client) attempt(ctx context.Context, spec callSpec, n int, send func(context.Context) (*http.Response, error)) error {
	actx := authtransport.WithAttempt(ctx, n)
	if head, ok := spec.out.(*streamHead); ok {
		return c.openHead(ctx, actx, spec.op, send, head)
	}
	timeout := c.attemptTimeout(spec.upload)
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > timeout {
		// Only when the caller's deadline does not come first: a
		// context of its own is a twentieth of a small GET's garbage.
		var (
			id     uint64
			cancel context.CancelCauseFunc
		)
		actx, id, cancel = c.deadlines.Start(actx, timeout)
		defer c.deadlines.End(id, cancel)
	}
	err := c.doCall(actx, spec.op, send, spec.out)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptTimeout) {
		return attemptTimeoutError(spec.op, timeout)
	}
	return err
}

func (c *Client) doCall(ctx context.Context, op string, send func(context.Context) (*http.Response, error), out any) error {
	start := time.Now()
	resp, err := send(ctx)
	if err != nil {
		return sendError(ctx, op, err)
	}
	defer resp.Body.Close()
	c.observe(ctx, op, resp, start)
	wantBody := out != nil && resp.StatusCode != http.StatusNoContent
	if err := c.checkAnswer(op, resp, wantBody); err != nil {
		return err
	}
	if !wantBody {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	buf, err := httpbody.Read(resp.Body, resp.ContentLength, c.maxBody, nil)
	if err != nil {
		return c.bodyError(ctx, op, resp.StatusCode, &jsonstream.StreamError{Err: err, Read: true})
	}
	buf = c.scrub.Bytes(buf)
	if k, ok := out.(bodyKeeper); ok {
		k.keepBody(buf)
	}
	if err := json.Unmarshal(buf, out); err != nil {
		return c.bodyError(ctx, op, resp.StatusCode, err)
	}
	if v, ok := out.(interface{ validate() error }); ok {
		if err := v.validate(); err != nil {
			return &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "incomplete answer", Err: err}
		}
	}
	return nil
}

// sendError is the error of a request that got no answer.
func sendError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
	}
	return &ConnectionError{Operation: op, Err: err}
}

// observe notes what every answer tells: the server's clock, and a debug
// log line.
func (c *Client) observe(ctx context.Context, op string, resp *http.Response, start time.Time) {
	c.serverClock.Observe(resp.Header.Get("Date"), time.Now())
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "llamaextract response",
			slog.String("op", op), slog.String("method", resp.Request.Method), slog.String("url", resp.Request.URL.Redacted()),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
}

// checkAnswer is the one answer check, for bodies read whole and streamed
// alike: a status other than 2xx is an *APIError; a body the call reads
// (wantBody) must be JSON and no larger than the client's limit says.
func (c *Client) checkAnswer(op string, resp *http.Response, wantBody bool) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(op, resp)
	}
	if !wantBody {
		return nil
	}
	if ct := resp.Header.Get("Content-Type"); !httpbody.IsJSON(ct) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("content type %q is not JSON", c.scrub.String(ct)), Snippet: string(c.scrub.Bytes(snippet))}
	}
	if n := resp.ContentLength; n > c.maxBody {
		return c.bodyError(context.Background(), op, resp.StatusCode, httpbody.ErrTooLarge)
	}
	return nil
}

// bodyError is the one place a failure to read or decode an answer's body
// becomes the error a call returns: a body over the limit, the caller's
// context, a body that broke off (retried like a dropped connection), or
// one that is not what the API sends.
func (c *Client) bodyError(ctx context.Context, op string, status int, err error) error {
	inv := &InvalidResponseError{Operation: op, StatusCode: status}
	var se *jsonstream.StreamError
	switch {
	case errors.Is(err, httpbody.ErrTooLarge):
		inv.Reason = fmt.Sprintf("body is larger than the %d byte limit (see WithMaxResponseBytes)", c.maxBody)
	case ctx.Err() != nil:
		return fmt.Errorf("llamaextract: %s: %w", op, ctx.Err())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		inv.Reason, inv.Err = "body ended early", io.ErrUnexpectedEOF
	case errors.As(err, &se) && se.Read:
		inv.Reason, inv.Err = "body ended early", se.Err
	default:
		if errors.As(err, &se) {
			err = se.Err
		}
		inv.Reason, inv.Err = "cannot decode body", err
	}
	return inv
}

// apiError builds the *APIError of a non-2xx answer, its header and body
// scrubbed before anything reads them.
func (c *Client) apiError(op string, resp *http.Response) *APIError {
	c.scrub.Header(resp.Header)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body = io.NopCloser(bytes.NewReader(c.scrub.Bytes(body)))
	return newAPIError(op, resp)
}

// bodyKeeper is a decode target that keeps the body it is decoded from
// (scrubbed): a job keeps its JSON. Every body is read into a buffer of its
// own, so the target may keep a slice of it.
type bodyKeeper interface {
	keepBody(b []byte)
}

func checkID(op, field, id string) error {
	switch strings.TrimSpace(id) {
	case "":
		return &ValidationError{Operation: op, Field: field, Reason: "empty"}
	case ".", "..":
		return &ValidationError{Operation: op, Field: field, Reason: fmt.Sprintf("%q is not an id", id)}
	}
	return nil
}
