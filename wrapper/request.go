package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
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
// method of Client goes through it, so the checks, the error types and the
// retry of broken bodies are the same everywhere.
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
		if err := sleep(ctx, c.clock, c.policy.backoff(attempt)); err != nil {
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

func checkID(op, field, id string) error {
	switch strings.TrimSpace(id) {
	case "":
		return &ValidationError{Operation: op, Field: field, Reason: "empty"}
	case ".", "..":
		return &ValidationError{Operation: op, Field: field, Reason: fmt.Sprintf("%q is not an id", id)}
	}
	return nil
}
