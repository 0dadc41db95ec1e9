package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// Shapes of an extract_result, as ShapeError reports them.
const (
	shapeNone    = "none"
	shapeObject  = "object"
	shapeArray   = "array"
	shapeInvalid = "invalid"
)

// ShapeError is a result whose JSON shape does not fit the type asked for:
// rows asked of a per_doc result (an object), a struct asked of a per_page
// or per_table_row result (an array), or any value asked of a job that has
// no result yet. Want and Got are "object", "array", "none" or "invalid".
type ShapeError struct {
	Want, Got string
	// Status is the job's status when Got is "none".
	Status Status
}

// ErrShape matches a *ShapeError with errors.Is.
var ErrShape = errors.New("llamaextract: result shape does not fit")

// Is makes errors.Is(err, ErrShape) true.
func (e *ShapeError) Is(target error) bool { return target == ErrShape }

func (e *ShapeError) Error() string {
	hint := ""
	switch {
	case e.Got == shapeNone && e.Status != "":
		hint = fmt.Sprintf(" (the job is %s; a result exists once it has COMPLETED)", e.Status)
	case e.Got == shapeNone:
		hint = " (the job has no result yet; wait until it has COMPLETED)"
	case e.Want == shapeObject && e.Got == shapeArray:
		hint = " (a per_page or per_table_row job returns an array: decode into a slice, or use ExtractRows)"
	case e.Want == shapeArray && e.Got == shapeObject:
		hint = " (a per_doc job returns one object: decode into a struct or map, or use Extract)"
	}
	return fmt.Sprintf("llamaextract: extract_result is %s, want %s%s", e.Got, e.Want, hint)
}

// shapeOf is the JSON shape a T decodes from: an array for slices and
// arrays, any shape ("") for interfaces and json.RawMessage, else an object.
func shapeOf[T any]() string {
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[json.RawMessage](), t.Kind() == reflect.Interface:
		return ""
	case t.Kind() == reflect.Slice, t.Kind() == reflect.Array:
		return shapeArray
	}
	return shapeObject
}

// shapeOfJSON reads the shape of raw JSON from its first byte.
func shapeOfJSON(raw []byte) string {
	b := bytes.TrimLeft(raw, " \t\r\n")
	switch {
	case len(b) == 0 || bytes.HasPrefix(b, []byte("null")):
		return shapeNone
	case b[0] == '{':
		return shapeObject
	case b[0] == '[':
		return shapeArray
	}
	return shapeInvalid
}

// Decode decodes a job's result into a T: a struct or map for a per_doc
// result (one object), a slice for per_page and per_table_row (one element
// per page or row), json.RawMessage (a copy of the JSON as the server sent
// it) or any for whatever arrived. A shape
// that does not fit T, or a job without a result, is a *ShapeError.
//
// Decode is for a job in hand (from Run, Wait, GetJob, Jobs); GetResult
// fetches and decodes in one pass.
func Decode[T any](job *Job) (T, error) {
	var v T
	if job == nil {
		return v, &ShapeError{Want: shapeOf[T](), Got: shapeNone}
	}
	want, got := shapeOf[T](), shapeOfJSON(job.result)
	if got == shapeNone {
		return v, &ShapeError{Want: want, Got: got, Status: job.Status}
	}
	if want != "" && want != got {
		return v, &ShapeError{Want: want, Got: got}
	}
	if err := json.Unmarshal(job.result, &v); err != nil {
		return v, fmt.Errorf("llamaextract: decoding extract_result into %T: %w", v, err)
	}
	return v, nil
}

// GetResult fetches a job and decodes its result into a T in the same
// pass: the body is never held as raw JSON, which makes it the fastest way
// to read a large result. T is as for Decode. A job that has not COMPLETED
// gives a *JobError when it FAILED or was CANCELLED, else a *ShapeError;
// the job is returned either way. The returned Job carries no result: it
// went into T. It reads WithExpand.
func GetResult[T any](ctx context.Context, c *Client, jobID string, opts ...GetOption) (T, *Job, error) {
	v, job, has, err := getResult[T](ctx, c, jobID, getExpand(opts))
	if err != nil || has {
		return v, job, err
	}
	if job.Status.Terminal() && job.Status != StatusCompleted {
		return v, job, &JobError{Job: job}
	}
	return v, job, &ShapeError{Want: shapeOf[T](), Got: shapeNone, Status: job.Status}
}

// getResult is one GET decoding the result into a T; has reports whether
// the job had a result (a wait polls with it until then).
func getResult[T any](ctx context.Context, c *Client, jobID string, expand []Expand) (v T, job *Job, has bool, err error) {
	var zero T
	w, err := request[respWire[*T]](ctx, c, opGetJob, pathID{"job_id", jobID}, func(ctx context.Context) (*http.Response, error) {
		return c.get.send(ctx, jobID, expand)
	})
	if err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field == "extract_result" {
			got := ute.Value
			if got != shapeArray && got != shapeObject {
				got = shapeInvalid
			}
			return zero, nil, false, &ShapeError{Want: shapeOf[T](), Got: got}
		}
		return zero, nil, false, err
	}
	job = w.job()
	if w.ExtractResult == nil {
		return zero, job, false, nil
	}
	return *w.ExtractResult, job, true, nil
}
