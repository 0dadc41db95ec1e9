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

// Shape is the JSON shape of an extract_result, as ShapeError reports it.
// Switch on its constants; a Shape prints as the word it holds.
type Shape string

// Shapes of an extract_result.
const (
	// ShapeObject is one JSON object: a per_doc result, decoded into a
	// struct or map.
	ShapeObject Shape = "object"
	// ShapeArray is a JSON array: a per_page or per_table_row result,
	// decoded into a slice.
	ShapeArray Shape = "array"
	// ShapeNone is no result at all: the job has not COMPLETED, or its
	// extract_result is null.
	ShapeNone Shape = "none"
	// ShapeInvalid is JSON that is neither an object nor an array.
	ShapeInvalid Shape = "invalid"
	// ShapeAny is what a json.RawMessage or an interface type asks for:
	// any result fits, so only ShapeNone is an error there.
	ShapeAny Shape = "any"
)

// String returns the shape's word ("object", "array", "none", ...).
func (s Shape) String() string { return string(s) }

// ShapeError is a result whose JSON shape does not fit the type asked for:
// rows asked of a per_doc result (an object), a struct asked of a per_page
// or per_table_row result (an array), or any value asked of a job that has
// no result yet (Got is ShapeNone).
type ShapeError struct {
	// Want is the shape the type asked for decodes from; Got is the shape
	// the result has.
	Want, Got Shape
	// Status is the job's status when Got is ShapeNone.
	Status Status
}

// ErrShape matches a *ShapeError with errors.Is.
var ErrShape = errors.New("llamaextract: result shape does not fit")

// Is makes errors.Is(err, ErrShape) true.
func (e *ShapeError) Is(target error) bool { return target == ErrShape }

func (e *ShapeError) Error() string {
	hint := ""
	switch {
	case e.Got == ShapeNone && e.Status != "":
		hint = fmt.Sprintf(" (the job is %s; a result exists once it has COMPLETED)", e.Status)
	case e.Got == ShapeNone:
		hint = " (the job has no result yet; wait until it has COMPLETED)"
	case e.Want == ShapeObject && e.Got == ShapeArray:
		hint = " (a per_page or per_table_row job returns an array: decode into a slice, or use ExtractRows)"
	case e.Want == ShapeArray && e.Got == ShapeObject:
		hint = " (a per_doc job returns one object: decode into a struct or map, or use Extract)"
	}
	return fmt.Sprintf("llamaextract: extract_result is %s, want %s%s", e.Got, e.Want, hint)
}

// shapeOf is the JSON shape a T decodes from: an array for slices and
// arrays, ShapeAny for interfaces and json.RawMessage, else an object.
func shapeOf[T any]() Shape {
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[json.RawMessage](), t.Kind() == reflect.Interface:
		return ShapeAny
	case t.Kind() == reflect.Slice, t.Kind() == reflect.Array:
		return ShapeArray
	}
	return ShapeObject
}

// shapeOfJSON reads the shape of raw JSON from its first byte.
func shapeOfJSON(raw []byte) Shape {
	b := bytes.TrimLeft(raw, " \t\r\n")
	switch {
	case len(b) == 0 || bytes.HasPrefix(b, []byte("null")):
		return ShapeNone
	case b[0] == '{':
		return ShapeObject
	case b[0] == '[':
		return ShapeArray
	}
	return ShapeInvalid
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
		return v, &ShapeError{Want: shapeOf[T](), Got: ShapeNone}
	}
	result := job.resultJSON()
	want, got := shapeOf[T](), shapeOfJSON(result)
	if got == ShapeNone {
		return v, &ShapeError{Want: want, Got: got, Status: job.Status}
	}
	if want != ShapeAny && want != got {
		return v, &ShapeError{Want: want, Got: got}
	}
	if err := json.Unmarshal(result, &v); err != nil {
		return v, fmt.Errorf("llamaextract: decoding extract_result into %T: %w", v, err)
	}
	return v, nil
}

// GetResult fetches a job and decodes its result into a T in the same
// pass: the body is never held as raw JSON, which makes it the fastest way
// to read a large result. T is as for Decode. A job that has not COMPLETED
// gives a *JobError when it FAILED or was CANCELLED, else a *ShapeError;
// the job is returned either way. The returned Job keeps the JSON it was
// read from, result included (Decode reads it again). It reads WithExpand.
func GetResult[T any](ctx context.Context, c *Client, jobID string, opts ...GetOption) (T, *Job, error) {
	v, job, has, err := getResult[T](ctx, c, jobID, getExpand(opts))
	if err != nil || has {
		return v, job, err
	}
	if job.Status.Terminal() && job.Status != StatusCompleted {
		return v, job, &JobError{Job: job}
	}
	return v, job, &ShapeError{Want: shapeOf[T](), Got: ShapeNone, Status: job.Status}
}

// getResult is one GET decoding the result into a T; has reports whether
// the job had a result (a wait polls with it until then).
func getResult[T any](ctx context.Context, c *Client, jobID string, expand []Expand) (v T, job *Job, has bool, err error) {
	var zero T
	w, err := request[jobWire[*T]](ctx, c, opGetJob, pathID{"job_id", jobID}, func(ctx context.Context) (*http.Response, error) {
		return c.sendGet(ctx, jobID, expand)
	})
	if err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field == "extract_result" {
			got := Shape(ute.Value)
			if got != ShapeArray && got != ShapeObject {
				got = ShapeInvalid
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
