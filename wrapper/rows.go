package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/extract-go/llamaextract/internal/deadline"
	"github.com/extract-go/llamaextract/internal/httpbody"
	"github.com/extract-go/llamaextract/internal/jsonstream"
	"github.com/extract-go/llamaextract/internal/redact"
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
func (r Row[T]) Field(path string) (FieldMetadata, bool) { return fieldOf(r.meta, path) }

// Fields iterates over every field of this row that has metadata, by path,
// in a stable order.
func (r Row[T]) Fields() iter.Seq2[string, FieldMetadata] { return fieldsOf(r.meta) }

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
		fail := func(err error) { yield(Row[T]{}, c.scrubError(err)) }
		if err := checkID(opGetJob, "job_id", jobID); err != nil {
			fail(err)
			return
		}
		rows, err := c.openStream(ctx, jobID, nil)
		if err != nil {
			fail(err)
			return
		}
		defer rows.close()
		var meta *metaStream
		if slices.Contains(getExpand(opts), ExpandExtractMetadata) {
			ms, err := c.openStream(ctx, jobID, []Expand{ExpandExtractMetadata})
			if err != nil {
				fail(err)
				return
			}
			defer ms.close()
			meta = newMetaStream(ms)
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
	err := readJob(s, meta, yield)
	var se *jsonstream.StreamError
	if errors.As(err, &se) {
		return s.fail(err)
	}
	return err
}

// readJob is streamRows before the stream's errors (*StreamError) become
// the errors Rows yields.
func readJob[T any](s *bodyStream, meta *metaStream, yield func(Row[T], error) bool) error {
	if err := s.dec.Delim('{'); err != nil {
		return err
	}
	var job Job
	seen := false // extract_result was an array and every row was read
	for s.dec.More() {
		key, err := s.dec.Key()
		if err != nil {
			return err
		}
		switch key {
		case "id", "status", "error_message":
			if err := s.jobField(&job, key); err != nil {
				return err
			}
			if key == "id" {
				if err := s.checkID(job.ID); err != nil {
					return err
				}
			}
		case "extract_result":
			if seen {
				// A JSON decoder keeps the last of a repeated member (so
				// GetResult would give the second array); the rows already
				// yielded were the first. Say so rather than end well.
				return s.fail(errors.New("extract_result appears twice: the rows read may not be the job's result"))
			}
			var stopped bool
			if seen, stopped, err = readRows(s, meta, yield); err != nil || stopped {
				return err
			}
		default:
			if err := s.dec.Skip(); err != nil {
				return err
			}
		}
	}
	// Read to the closing brace: a body cut after the last row is still a
	// broken body, and the caller must hear of it.
	if err := s.dec.Delim('}'); err != nil {
		return err
	}
	if err := s.checkID(job.ID); err != nil {
		return err // an answer without an id
	}
	if !seen {
		if st := job.Status; st == StatusFailed || st == StatusCancelled {
			return &JobError{Job: &job}
		}
		return &ShapeError{Want: ShapeArray, Got: ShapeNone, Status: job.Status}
	}
	return nil
}

// jobField reads the member key of the job that Rows reports on.
func (s *bodyStream) jobField(job *Job, key string) error {
	var v *string
	if err := s.dec.Decode(&v); err != nil {
		return s.fail(err)
	}
	if v == nil {
		return nil
	}
	switch key {
	case "id":
		job.ID = *v
	case "status":
		job.Status = Status(*v)
	default:
		job.ErrorMessage = *v
	}
	return nil
}

// readRows reads the value of extract_result, yielding each row: read
// reports an array read whole, stopped a caller that broke out.
func readRows[T any](s *bodyStream, meta *metaStream, yield func(Row[T], error) bool) (read, stopped bool, err error) {
	tok, err := s.dec.Token()
	if err != nil {
		return false, false, err
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		return false, false, &ShapeError{Want: ShapeArray, Got: ShapeObject}
	case nil: // null: no result yet, decided once the status is known
		return false, false, nil
	default:
		return false, false, &ShapeError{Want: ShapeArray, Got: ShapeInvalid}
	}
	// One T on the heap for the whole stream (Decode needs a pointer),
	// zeroed before each row so that nothing of the previous row (a field
	// this row lacks, a slice's backing array) leaks into the next.
	var zero T
	v := new(T)
	for i := 0; s.dec.More(); i++ {
		*v = zero
		if err := s.dec.Decode(v); err != nil {
			var se *jsonstream.StreamError
			if errors.As(err, &se) {
				return false, false, err
			}
			return false, false, fmt.Errorf("llamaextract: decoding extract_result row %d into %T: %w", i, zero, err)
		}
		row := Row[T]{Index: i, Value: *v}
		if meta != nil {
			if row.meta, err = meta.next(); err != nil {
				return false, false, err
			}
		}
		if !yield(row, nil) {
			return false, true, nil
		}
	}
	return true, false, s.dec.Delim(']')
}

// bodyStream is one streaming response: a JSON decoder over the body,
// capped at the client's maximum response size and scrubbed of the API key
// as it is read, so that rows, keys and metadata decode straight from the
// wire, once, already scrubbed, like every other body.
type bodyStream struct {
	ctx context.Context
	c   *Client
	// jobID is the job asked for (checkID).
	jobID string
	idle  *deadline.Idle // nil: no timeout (a body in hand)
	resp  *http.Response
	lr    httpbody.LimitedReader
	dec   *jsonstream.Decoder
}

// newBodyStream streams resp's body: at most the client's maximum
// response size as received (the cap applies before scrubbing), each read
// restarting idle, scrubbed of the client's key.
func newBodyStream(ctx context.Context, c *Client, idle *deadline.Idle, resp *http.Response) *bodyStream {
	s := &bodyStream{ctx: ctx, c: c, idle: idle, resp: resp}
	s.lr = httpbody.LimitedReader{R: resp.Body, N: c.maxBody}
	if idle != nil {
		s.lr.Progress = idle
	}
	s.dec = jsonstream.NewDecoder(redact.NewReader(&s.lr, c.scrub))
	return s
}

// streamHead is the target of a streamed request in do: the answer, its
// head checked, with the timer that bounds each wait for more bytes.
type streamHead struct {
	resp *http.Response
	idle *deadline.Idle
}

// openStream sends GetExtractJob and returns its body ready to stream,
// through the one retry loop (do) like every request, until an answer with
// a usable head arrives. Once rows have been yielded a broken body is not
// retried: the caller would see rows twice.
func (c *Client) openStream(ctx context.Context, jobID string, expand []Expand) (*bodyStream, error) {
	var head streamHead
	err := c.do(ctx, callSpec{op: opGetJob, out: &head}, func(ctx context.Context) (*http.Response, error) {
		return c.sendGet(ctx, jobID, expand)
	})
	if err != nil {
		return nil, err
	}
	s := newBodyStream(ctx, c, head.idle, head.resp)
	s.jobID = jobID
	return s, nil
}

// checkID refuses an answer about another job than the one asked for
// (checkAnswerID), as soon as its id is read.
func (s *bodyStream) checkID(got string) error {
	return checkAnswerID(opGetJob, pathID{"job_id", s.jobID}, got)
}

// openHead is one attempt of a streamed request: the answer is checked as
// every answer is (checkAnswer), and its body left for the caller to read.
// The request timeout bounds the wait for the head and then, restarted by
// every read that brings bytes, each wait for more.
func (c *Client) openHead(ctx, actx context.Context, op string, send func(context.Context) (*http.Response, error), head *streamHead) error {
	start := time.Now()
	idle := deadline.NewIdle(actx, c.requestTimeout)
	resp, err := send(idle.Context())
	if err != nil {
		err = sendError(ctx, op, err)
	} else {
		c.observe(ctx, op, resp, start)
		if err = c.checkAnswer(op, resp, true); err != nil {
			resp.Body.Close()
		}
	}
	if err != nil {
		idle.Stop()
		if idle.TimedOut(ctx) {
			return attemptTimeoutError(op, idle.Timeout())
		}
		return err
	}
	idle.Reset()
	head.resp, head.idle = resp, idle
	return nil
}

func (s *bodyStream) close() {
	if s.idle != nil {
		s.idle.Stop()
	}
	s.resp.Body.Close()
}

// fail turns an error of reading the stream into the error Rows yields.
func (s *bodyStream) fail(err error) error {
	switch {
	case s.lr.Exceeded:
		err = httpbody.ErrTooLarge
	case s.ctx.Err() == nil && s.idle != nil && s.idle.TimedOut(s.ctx):
		return attemptTimeoutError(opGetJob, s.idle.Timeout())
	}
	return s.c.bodyError(s.ctx, opGetJob, s.resp.StatusCode, err)
}

// metaStream reads the per-row (or per-page) entries of extract_metadata
// from a second response, one entry per call of next.
type metaStream struct {
	s       *bodyStream
	entries *jsonstream.Objects
}

func newMetaStream(s *bodyStream) *metaStream {
	return &metaStream{s: s, entries: s.dec.ObjectsAt(
		[]string{"extract_metadata"}, []string{"field_metadata"}, []string{"row_metadata", "page_metadata"})}
}

// next returns the next row's metadata entry; nil once there are no more
// entries (or the job has none).
func (m *metaStream) next() (map[string]any, error) {
	e, err := m.entries.Next()
	if err != nil {
		return nil, m.s.fail(err)
	}
	return e, nil
}

// fetchWithoutResult is GetJob minus extract_result and extract_metadata,
// streamed: the other members (a few KB) are gathered into one small
// object and decoded as GetJob would decode them.
func (c *Client) fetchWithoutResult(ctx context.Context, jobID string, expand []Expand) (*Job, error) {
	job, err := c.streamJobWithoutResult(ctx, jobID, expand)
	if err != nil {
		return nil, c.scrubError(err)
	}
	return job, nil
}

func (c *Client) streamJobWithoutResult(ctx context.Context, jobID string, expand []Expand) (*Job, error) {
	s, err := c.openStream(ctx, jobID, expand)
	if err != nil {
		return nil, err
	}
	defer s.close()
	small, err := s.dec.ObjectWithout("extract_result", "extract_metadata")
	if err != nil {
		return nil, s.fail(err)
	}
	var job Job
	if err := json.Unmarshal(small, &job); err != nil {
		return nil, c.bodyError(ctx, opGetJob, s.resp.StatusCode, err)
	}
	return &job, s.checkID(job.ID)
}
