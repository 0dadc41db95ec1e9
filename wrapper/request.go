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
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
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
	return out, nil
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
		_, err := c.attempt(ctx, spec, attempt, send)
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
			return c.scrub.scrubError(err)
		}
		if pace := pacerOf(ctx); pace != nil && errors.Is(err, ErrRateLimited) {
			var api *APIError
			errors.As(err, &api)
			if pace(ctx, api.RetryAfter) != nil {
				return c.scrub.scrubError(err)
			}
			attempt-- // the caller paces 429s: they spend no retry
			continue
		}
		switch classify(spec.create, err) {
		case stop:
			return c.scrub.scrubError(err)
		case lookFirst:
			if spec.recover == nil {
				return c.scrub.scrubError(err)
			}
			found, rerr := spec.recover(ctx, c.scrub.scrubError(err), start)
			if found || rerr != nil {
				return c.scrub.scrubError(rerr)
			}
		}
		if attempt >= c.policy.MaxRetries {
			return c.scrub.scrubError(err)
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
var errAttemptTimeout = errors.New("no complete answer within the request timeout (see WithRequestTimeout)")

// attempt sends the request once and reads its answer; it returns the
// method when a response arrived.
func (c *Client) attempt(ctx context.Context, spec callSpec, n int, send func(context.Context) (*http.Response, error)) (string, error) {
	actx := withAttempt(ctx, n)
	timeout := c.attemptTimeout(spec.upload)
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > timeout {
		// Only when the caller's deadline does not come first: a
		// context of its own is a twentieth of a small GET's garbage.
		var (
			id     uint64
			cancel context.CancelCauseFunc
		)
		actx, id, cancel = c.deadlines.start(actx, timeout)
		defer c.deadlines.end(id, cancel)
	}
	method, err := c.doCall(actx, spec.op, send, spec.out)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errAttemptTimeout) {
		// The attempt, not the caller, ran out of time: like a dropped
		// connection, the request may or may not have been processed.
		return method, &ConnectionError{Operation: spec.op, Err: fmt.Errorf("%w (%s): %w", errAttemptTimeout, timeout, context.DeadlineExceeded)}
	}
	return method, err
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
	c.serverClock.observe(resp.Header.Get("Date"), time.Now())
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "llamaextract response",
			slog.String("op", op), slog.String("method", method), slog.String("url", resp.Request.URL.Redacted()),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return method, c.apiError(op, resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return method, nil
	}
	if ct := resp.Header.Get("Content-Type"); !isJSON(ct) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("content type %q is not JSON", c.scrub.string(ct)), Snippet: string(c.scrub.bytes(snippet))}
	}
	var reuse []byte
	br, _ := out.(bodyReuser)
	if br != nil {
		reuse = br.reuseBody()
	}
	buf, err := readBody(resp.Body, resp.ContentLength, c.maxBody, reuse)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return method, fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
		}
		if errors.Is(err, errBodyTooLarge) {
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("body is larger than the %d byte limit (see WithMaxResponseBytes)", c.maxBody)}
		}
		return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "body ended early", Err: err}
	}
	if br != nil {
		br.keepBody(buf)
	}
	if err := json.Unmarshal(c.scrub.bytes(buf), out); err != nil {
		return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "cannot decode body", Err: err}
	}
	if v, ok := out.(interface{ validate() error }); ok {
		if err := v.validate(); err != nil {
			return method, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: "incomplete answer", Err: err}
		}
	}
	return method, nil
}

// apiError builds the *APIError of a non-2xx answer, its header and body
// scrubbed before anything reads them.
func (c *Client) apiError(op string, resp *http.Response) *APIError {
	c.scrub.header(resp.Header)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body = io.NopCloser(bytes.NewReader(c.scrub.bytes(body)))
	return newAPIError(op, resp)
}

// Reading a body: memory follows the bytes received, never the bytes
// claimed. A Content-Length up to trustedLength is allocated at once (one
// sized buffer, the common case). A larger claimed length starts at
// firstChunk and doubles as bytes arrive, along a sequence that ends
// exactly at the claimed length with one step from an eighth to the whole:
// once an eighth of the claim has arrived the claim is believed, so an
// honest body costs about 1.25 times its size in all, while a server that
// does not send what it claims gets at most about twice what it sent, or 8
// times once it has sent an eighth. An unknown length doubles towards the
// cap plus one byte with the last step from a quarter to the whole, which
// keeps the peak near 1.5 times the cap against an endless body.
const (
	trustedLength = 4 << 20
	firstChunk    = 64 << 10
	// claimJump is the step (as a shift of the target) from which a
	// claimed length is allocated whole; lengthJump that of the cap.
	claimJump  = 3
	lengthJump = 2
)

var errBodyTooLarge = errors.New("response body too large")

// bodyReuser is a decode target that lends doCall a buffer to read the
// body into (reuseBody; nil for none) and takes back the buffer the body
// was read into (keepBody), for the next answer of a loop: the pages of a
// listing, the polls of a wait. Safe because encoding/json copies every
// string and raw value it keeps, and a lent buffer is used only for a body
// whose Content-Length it can hold, so memory still follows the bytes
// received.
type bodyReuser interface {
	reuseBody() []byte
	keepBody(b []byte)
}

// maxReusedBody is the largest buffer a decode target keeps for reuse: a
// pool must not pin a large result's buffer.
const maxReusedBody = trustedLength

// readBody reads r whole. claimed is the Content-Length (-1 if unknown);
// more than limit bytes is errBodyTooLarge; a body shorter than claimed is
// io.ErrUnexpectedEOF. A body of known length that fits in reuse's
// capacity is read into reuse.
func readBody(r io.Reader, claimed, limit int64, reuse []byte) ([]byte, error) {
	if claimed > limit {
		return nil, errBodyTooLarge
	}
	target := limit + 1
	if claimed >= 0 {
		target = claimed
	}
	// sizes are target/2^k, k shrinking by one per growth.
	k := 0
	if !(claimed >= 0 && claimed <= trustedLength) {
		for target>>k > firstChunk {
			k++
		}
	}
	size := func(k int) int64 { return (target + 1<<k - 1) >> k }
	jump := lengthJump
	if claimed >= 0 {
		jump = claimJump
	}
	var buf []byte
	if claimed >= 0 && claimed <= int64(cap(reuse)) {
		buf = reuse[:0]
	} else {
		buf = make([]byte, 0, size(k))
	}
	for {
		if int64(len(buf)) == target {
			if claimed >= 0 {
				return buf, nil // the transport ends the body at Content-Length
			}
			return nil, errBodyTooLarge
		}
		if len(buf) == cap(buf) {
			// Double, except the last step, which goes from an eighth
			// (a claim) or a quarter (the cap) of the target to all of
			// it: the old buffer and the garbage of earlier steps then
			// stay near that fraction each.
			if k--; k < jump {
				k = 0
			}
			nb := make([]byte, len(buf), size(k))
			copy(nb, buf)
			buf = nb
		}
		// Never past the claimed length: a lent buffer may be larger
		// than the body claims, and a transport (a user's middleware)
		// may hand over more than its Content-Length. A fresh buffer
		// stops there by its size; a lent one must too, or it reads
		// bytes beyond the claim and, growing, panics.
		end := cap(buf)
		if int64(end) > target {
			end = int(target)
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if claimed >= 0 && int64(len(buf)) < claimed {
				return nil, io.ErrUnexpectedEOF
			}
			if int64(len(buf)) > limit {
				return nil, errBodyTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func isJSON(ct string) bool {
	if ct == "application/json" {
		return true // what the API sends, without ParseMediaType's allocation
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
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
