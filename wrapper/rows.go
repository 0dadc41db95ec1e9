package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"slices"
	"time"
)

// Row is one element of a per_table_row or per_page result, as Rows yields
// it: its 0-based Index in extract_result, its Value, and the metadata the
// service reported for it (citations, confidence) when Rows was asked for
// them with WithExpand(ExpandExtractMetadata).
type Row[T any] struct {
	Index int
	Value T
	meta  map[string]any
}

// HasMetadata reports whether the response carried a metadata entry for
// this row (row_metadata for per_table_row, page_metadata for per_page).
func (r Row[T]) HasMetadata() bool { return r.meta != nil }

// Field returns the metadata of a field of this row, by path as in
// Metadata.RowField: "amount", "address.city", "items[0].sku".
func (r Row[T]) Field(path string) (FieldMetadata, bool) { return lookup(r.meta, path) }

// Fields iterates over every field of this row that has metadata, by path,
// in a stable order.
func (r Row[T]) Fields() iter.Seq2[string, FieldMetadata] { return walk(r.meta) }

// Rows streams the rows of a per_table_row or per_page job's result,
// decoding one row at a time straight from the response body: neither the
// body nor the rows are ever held whole, so a result larger than memory can
// be read (memory follows the largest single row). T is the type of one
// row.
//
// The iteration yields an error and stops when the result is not an array
// (a per_doc object is a *ShapeError), when the job has no result (a job
// that FAILED or was CANCELLED is a *JobError, one still running a
// *ShapeError), when a row does not decode into T, and when the body breaks
// off, exceeds the client's WithMaxResponseBytes or repeats extract_result
// (GetResult would keep the last; Rows has yielded the first): a broken stream always
// ends with an error, never as a silently short list. A stream that broke
// is not resumed; call Rows again. Breaking out of the loop closes the body.
//
// With WithExpand(ExpandExtractMetadata) each Row also carries its entry of
// extract_metadata. The API may write extract_metadata before or after
// extract_result, so instead of holding either, Rows opens a second
// streaming request for the job with expand=extract_metadata and reads its
// row (or page) entries in step with the rows: memory stays bounded in both
// orders, at the price of a second download of the body.
//
// Requests go through the client's transport (authentication) and are
// retried under its RetryPolicy until the body starts; WithRequestTimeout
// bounds the wait for the head and each wait for more bytes (not the whole
// stream); rows are scrubbed of
// the API key like every answer.
func Rows[T any](ctx context.Context, c *Client, jobID string, opts ...GetOption) iter.Seq2[Row[T], error] {
	return func(yield func(Row[T], error) bool) {
		const op = "GetExtractJob"
		fail := func(err error) { yield(Row[T]{}, c.scrub.scrubError(err)) }
		if err := checkID(op, "job_id", jobID); err != nil {
			fail(err)
			return
		}
		rows, err := c.openStream(ctx, op, jobID, nil)
		if err != nil {
			fail(err)
			return
		}
		defer rows.close()
		var meta *metaStream
		if slices.Contains(getExpand(opts), ExpandExtractMetadata) {
			ms, err := c.openStream(ctx, op, jobID, []Expand{ExpandExtractMetadata})
			if err != nil {
				fail(err)
				return
			}
			defer ms.close()
			meta = &metaStream{s: ms}
		}
		if err := streamRows(rows, meta, yield); err != nil {
			fail(err)
		}
	}
}

// streamRows walks the job object and yields each element of
// extract_result. It returns the error to yield, or nil when the stream
// ended well or the caller stopped.
func streamRows[T any](s *bodyStream, meta *metaStream, yield func(Row[T], error) bool) error {
	dec := s.dec
	if err := s.expectDelim('{'); err != nil {
		return err
	}
	var job Job
	seen := false // extract_result was an array and every row was read
	for dec.More() {
		key, err := s.key()
		if err != nil {
			return err
		}
		switch key {
		case "id", "status", "error_message":
			var v *string
			if err := dec.Decode(&v); err != nil {
				return s.fail(err)
			}
			if v != nil {
				switch key {
				case "id":
					job.ID = *v
				case "status":
					job.Status = Status(*v)
				default:
					job.ErrorMessage = *v
				}
			}
			continue
		case "extract_result":
			if seen {
				// A JSON decoder keeps the last of a repeated member (so
				// GetResult would give the second array); the rows already
				// yielded were the first. Say so rather than end well.
				return s.fail(errors.New("extract_result appears twice: the rows read may not be the job's result"))
			}
			tok, err := dec.Token()
			if err != nil {
				return s.fail(err)
			}
			switch tok {
			case json.Delim('['):
			case json.Delim('{'):
				return &ShapeError{Want: shapeArray, Got: shapeObject}
			case nil: // null: no result yet, decided once the status is known
				continue
			default:
				return &ShapeError{Want: shapeArray, Got: shapeInvalid}
			}
			// One T on the heap for the whole stream (Decode needs a
			// pointer), zeroed before each row so that nothing of the
			// previous row (a field this row lacks, a slice's backing
			// array) leaks into the next.
			var zero T
			v := new(T)
			for i := 0; dec.More(); i++ {
				*v = zero
				if err := s.decode(v); err != nil {
					var inv *InvalidResponseError
					if errors.As(err, &inv) {
						return err
					}
					return fmt.Errorf("llamaextract: decoding extract_result row %d into %T: %w", i, zero, err)
				}
				row := Row[T]{Index: i, Value: *v}
				if meta != nil {
					if row.meta, err = meta.next(); err != nil {
						return err
					}
				}
				if !yield(row, nil) {
					return nil
				}
			}
			if err := s.expectDelim(']'); err != nil {
				return err
			}
			seen = true
			continue
		}
		if err := s.skip(false); err != nil {
			return err
		}
	}
	// Read to the closing brace: a body cut after the last row is still a
	// broken body, and the caller must hear of it.
	if err := s.expectDelim('}'); err != nil {
		return err
	}
	if !seen {
		if st := job.Status; st == StatusFailed || st == StatusCancelled {
			return &JobError{Job: &job}
		}
		return &ShapeError{Want: shapeArray, Got: shapeNone, Status: job.Status}
	}
	return nil
}

// bodyStream is one streaming response: a json.Decoder over the body,
// capped at the client's maximum response size and scrubbed of the API key
// as it is read (scrubReader), so that rows, keys and metadata decode
// straight from the wire, once, already scrubbed, like every other body.
type bodyStream struct {
	ctx     context.Context
	idle    *idleTimer
	op      string
	resp    *http.Response
	lr      *limitedReader
	dec     *json.Decoder
	maxBody int64
	scratch json.RawMessage
	depth   int // nesting of the values skip is inside
}

// newBodyStream streams resp's body: at most maxBody bytes as received
// (the cap applies before scrubbing), each read restarting idle (nil: no
// timeout), scrubbed of s's key.
func newBodyStream(ctx context.Context, idle *idleTimer, op string, resp *http.Response, maxBody int64, s scrubber) *bodyStream {
	lr := &limitedReader{r: resp.Body, n: maxBody, idle: idle}
	return &bodyStream{ctx: ctx, idle: idle, op: op, resp: resp, lr: lr, dec: json.NewDecoder(newScrubReader(lr, s)), maxBody: maxBody}
}

// decode decodes the next value into v. An error of reading the value
// (the body broke, or is not JSON) is the stream's; any other is the
// value's (it does not fit v), returned as is: the decoder read the value
// whole before decoding it, so the stream is still in step.
func (s *bodyStream) decode(v any) error {
	err := s.dec.Decode(v)
	if err == nil {
		return nil
	}
	// Declared only now: errors.As takes its address, which moves it to
	// the heap, and every row paid for that allocation.
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		s.lr.err != nil && errors.Is(err, s.lr.err):
		return s.fail(err)
	}
	return err
}

// limitedReader fails once more than n bytes were read, and restarts the
// stream's idle timer after every read that brought bytes.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
	err      error // the last read error but EOF, for bodyStream.decode
	idle     *idleTimer
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded, l.err = true, errBodyTooLarge
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	if n > 0 && l.idle != nil { // nil: no timeout (a body in hand)
		l.idle.t.Reset(l.idle.d)
	}
	return n, err
}

// idleTimer is a stream's request timeout. A stream may rightly take far
// longer than WithRequestTimeout as a whole (a million rows), so the
// timeout bounds the wait for the head and then each wait for more body
// bytes: a server that stalls mid-row is cut off instead of hanging a
// caller whose context has no deadline.
type idleTimer struct {
	t      *time.Timer
	d      time.Duration
	ctx    context.Context // the request's context, cancelled by t
	cancel context.CancelCauseFunc
}

func newIdleTimer(ctx context.Context, d time.Duration) *idleTimer {
	rctx, cancel := context.WithCancelCause(ctx)
	return &idleTimer{t: time.AfterFunc(d, func() { cancel(errAttemptTimeout) }), d: d, ctx: rctx, cancel: cancel}
}

func (it *idleTimer) stop() {
	it.t.Stop()
	it.cancel(nil)
}

// timedOut reports whether the timer, not the caller, ended the request.
func (it *idleTimer) timedOut(caller context.Context) bool {
	return caller.Err() == nil && errors.Is(context.Cause(it.ctx), errAttemptTimeout)
}

// timeoutError is the error of a request the idle timer cut off: like a
// dropped connection, and retried as one while no row was read.
func (it *idleTimer) timeoutError(op string) error {
	return &ConnectionError{Operation: op, Err: fmt.Errorf("%w (%s without a byte): %w", errAttemptTimeout, it.d, context.DeadlineExceeded)}
}

// openStream sends GetExtractJob and returns its body ready to stream,
// retrying as every call does (RetryPolicy) until an answer with a usable
// head arrives. Once rows have been yielded a broken body is not retried:
// the caller would see rows twice.
func (c *Client) openStream(ctx context.Context, op, jobID string, expand []Expand) (*bodyStream, error) {
	for attempt := 0; ; attempt++ {
		s, err := c.openStreamOnce(ctx, op, jobID, expand)
		if err == nil || ctx.Err() != nil || attempt >= c.policy.MaxRetries || classify(false, err) == stop {
			return s, err
		}
		if err := sleep(ctx, c.clock, c.policy.retryWait(err, attempt, c.clock.Now())); err != nil {
			return nil, fmt.Errorf("llamaextract: %s: %w", op, err)
		}
	}
}

// openStreamOnce is one attempt of openStream. The status, content type and
// declared length are checked as every call checks them; the body itself is
// read by the caller.
func (c *Client) openStreamOnce(ctx context.Context, op, jobID string, expand []Expand) (*bodyStream, error) {
	idle := newIdleTimer(ctx, c.requestTimeout)
	s, err := c.openStreamHead(ctx, idle, op, jobID, expand)
	if err != nil {
		idle.stop()
		if idle.timedOut(ctx) {
			return nil, idle.timeoutError(op)
		}
	}
	return s, err
}

func (c *Client) openStreamHead(ctx context.Context, idle *idleTimer, op, jobID string, expand []Expand) (*bodyStream, error) {
	resp, err := c.get.send(idle.ctx, jobID, expand)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("llamaextract: %s: %w", op, ctxErr)
		}
		return nil, &ConnectionError{Operation: op, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.apiError(op, resp)
	}
	if ct := resp.Header.Get("Content-Type"); !isJSON(ct) {
		defer resp.Body.Close()
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("content type %q is not JSON", c.scrub.string(ct)), Snippet: string(c.scrub.bytes(snippet))}
	}
	if n := resp.ContentLength; n > c.maxBody {
		resp.Body.Close()
		return nil, &InvalidResponseError{Operation: op, StatusCode: resp.StatusCode, Reason: fmt.Sprintf("body of %d bytes is larger than the %d byte limit (see WithMaxResponseBytes)", n, c.maxBody)}
	}
	idle.t.Reset(idle.d)
	return newBodyStream(ctx, idle, op, resp, c.maxBody, c.scrub), nil
}

func (s *bodyStream) close() {
	if s.idle != nil {
		s.idle.stop()
	}
	s.resp.Body.Close()
}

// fail turns a read or syntax error into the error Rows yields.
func (s *bodyStream) fail(err error) error {
	inv := &InvalidResponseError{Operation: s.op, StatusCode: s.resp.StatusCode}
	var ne net.Error
	switch {
	case s.lr.exceeded:
		inv.Reason = fmt.Sprintf("body is larger than the %d byte limit (see WithMaxResponseBytes)", s.maxBody)
		return inv
	case s.ctx.Err() != nil:
		return fmt.Errorf("llamaextract: %s: %w", s.op, s.ctx.Err())
	case s.idle != nil && s.idle.timedOut(s.ctx):
		return s.idle.timeoutError(s.op)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		inv.Reason, inv.Err = "body ended early", io.ErrUnexpectedEOF
	case errors.As(err, &ne):
		inv.Reason, inv.Err = "body ended early", err
	default:
		inv.Reason, inv.Err = "cannot decode body", err
	}
	return inv
}

func (s *bodyStream) expectDelim(d json.Delim) error {
	tok, err := s.dec.Token()
	if err != nil {
		return s.fail(err)
	}
	if tok != d {
		return s.fail(fmt.Errorf("want %q, got %v", d, tok))
	}
	return nil
}

func (s *bodyStream) key() (string, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return "", s.fail(err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", s.fail(fmt.Errorf("want an object key, got %v", tok))
	}
	return k, nil
}

// skip reads past the next value. An array's elements are read one at a
// time into a reused buffer, so skipping a large array holds one element,
// not the array; objects are walked member by member.
func (s *bodyStream) skip(inArray bool) error {
	if inArray {
		if err := s.dec.Decode(&s.scratch); err != nil {
			return s.fail(err)
		}
		return nil
	}
	tok, err := s.dec.Token()
	if err != nil {
		return s.fail(err)
	}
	if d, ok := tok.(json.Delim); ok && (d == '[' || d == '{') {
		// Token keeps no depth limit and skip recurses per level: without
		// this bound a body of millions of nested objects (well under the
		// size cap) would overflow the goroutine stack, a fatal error no
		// recover catches. encoding/json stops at the same depth.
		if s.depth++; s.depth > maxSkipDepth {
			return s.fail(fmt.Errorf("value nested deeper than %d levels (exceeded max depth)", maxSkipDepth))
		}
		defer func() { s.depth-- }()
	}
	switch tok {
	case json.Delim('['):
		for s.dec.More() {
			if err := s.skip(true); err != nil {
				return err
			}
		}
		return s.expectDelim(']')
	case json.Delim('{'):
		for s.dec.More() {
			if _, err := s.key(); err != nil {
				return err
			}
			if err := s.skip(false); err != nil {
				return err
			}
		}
		return s.expectDelim('}')
	}
	return nil
}

// maxSkipDepth is encoding/json's own nesting limit.
const maxSkipDepth = 10000

// metaStream reads the per-row (or per-page) entries of extract_metadata
// from a second response, one entry per call of next.
type metaStream struct {
	s       *bodyStream
	started bool
	inArray bool // positioned inside row_metadata or page_metadata
}

// next returns the next row's metadata entry; nil once there are no more
// entries (or the job has none).
func (m *metaStream) next() (map[string]any, error) {
	if !m.started {
		m.started = true
		if err := m.position(); err != nil {
			return nil, err
		}
	}
	if !m.inArray {
		return nil, nil
	}
	if !m.s.dec.More() {
		m.inArray = false
		return nil, nil
	}
	var e map[string]any
	if err := m.s.decode(&e); err != nil {
		var inv *InvalidResponseError
		if errors.As(err, &inv) {
			return nil, err
		}
		return nil, nil // an entry that is not an object carries nothing usable
	}
	return e, nil
}

// position walks to the first element of
// extract_metadata.field_metadata.row_metadata (or page_metadata), skipping
// everything before it, extract_result included, one element at a time.
func (m *metaStream) position() error {
	s := m.s
	if err := s.expectDelim('{'); err != nil {
		return err
	}
	for _, want := range []string{"extract_metadata", "field_metadata", ""} {
		for {
			if !s.dec.More() {
				return nil // not there: no entries
			}
			k, err := s.key()
			if err != nil {
				return err
			}
			if k != want && (want != "" || (k != "row_metadata" && k != "page_metadata")) {
				if err := s.skip(false); err != nil {
					return err
				}
				continue
			}
			tok, err := s.dec.Token()
			if err != nil {
				return s.fail(err)
			}
			if tok == nil { // null
				if want == "" {
					continue // the other list may follow
				}
				return nil
			}
			if (want == "" && tok != json.Delim('[')) || (want != "" && tok != json.Delim('{')) {
				return s.fail(fmt.Errorf("%s is %v, not an %s", k, tok, map[bool]string{true: "array", false: "object"}[want == ""]))
			}
			break
		}
	}
	m.inArray = true
	return nil
}

// fetchWithoutResult is GetJob minus extract_result and extract_metadata,
// streamed: the other members (a few KB) are gathered into one small
// object and decoded as GetJob would decode them.
func (c *Client) fetchWithoutResult(ctx context.Context, jobID string, expand []Expand) (*Job, error) {
	job, err := c.streamJobWithoutResult(ctx, jobID, expand)
	if err != nil {
		return nil, c.scrub.scrubError(err)
	}
	return job, nil
}

func (c *Client) streamJobWithoutResult(ctx context.Context, jobID string, expand []Expand) (*Job, error) {
	const op = "GetExtractJob"
	s, err := c.openStream(ctx, op, jobID, expand)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if err := s.expectDelim('{'); err != nil {
		return nil, err
	}
	small := []byte{'{'}
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return nil, err
		}
		if key == "extract_result" || key == "extract_metadata" {
			if err := s.skip(false); err != nil {
				return nil, err
			}
			continue
		}
		if err := s.dec.Decode(&s.scratch); err != nil {
			return nil, s.fail(err)
		}
		if len(small) > 1 {
			small = append(small, ',')
		}
		k, _ := json.Marshal(key)
		small = append(append(append(small, k...), ':'), s.scratch...)
	}
	if err := s.expectDelim('}'); err != nil {
		return nil, err
	}
	small = append(small, '}')
	var job Job
	if err := json.Unmarshal(small, &job); err != nil {
		return nil, &InvalidResponseError{Operation: op, StatusCode: s.resp.StatusCode, Reason: "cannot decode body", Err: err}
	}
	return &job, nil
}
