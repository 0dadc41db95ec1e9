package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ResultKind is the JSON shape of a job's extract_result.
type ResultKind int

// Result shapes.
const (
	// KindNone: no result (the job has not completed, or it was null).
	KindNone ResultKind = iota
	// KindObject: one object, from a per_doc job.
	KindObject
	// KindArray: an array of objects, from a per_page or per_table_row job.
	KindArray
	// KindInvalid: some other JSON value the API does not send.
	KindInvalid
)

func (k ResultKind) String() string {
	switch k {
	case KindNone:
		return "none"
	case KindObject:
		return "object"
	case KindArray:
		return "array"
	}
	return "invalid"
}

// Result is a job's extract_result, kept as the raw JSON the server sent so
// it is decoded once, straight into the caller's type.
type Result struct {
	raw json.RawMessage
}

// NewResult wraps raw JSON as a Result (useful in tests and for results
// stored elsewhere).
func NewResult(raw []byte) Result { return Result{raw: raw} }

// Kind reports the result's shape, read from the JSON itself.
func (r Result) Kind() ResultKind {
	b := bytes.TrimLeft(r.raw, " \t\r\n")
	if len(b) == 0 || bytes.HasPrefix(b, []byte("null")) {
		return KindNone
	}
	switch b[0] {
	case '{':
		return KindObject
	case '[':
		return KindArray
	}
	return KindInvalid
}

// Raw returns the result's JSON. Do not modify it.
func (r Result) Raw() json.RawMessage { return r.raw }

// ShapeError is a result whose shape is not the one asked for, e.g. rows
// asked of a per_doc result.
type ShapeError struct {
	Want, Got ResultKind
}

func (e *ShapeError) Error() string {
	hint := ""
	switch {
	case e.Want == KindObject && e.Got == KindArray:
		hint = " (a per_page or per_table_row job returns an array; use DecodeRows or Objects)"
	case e.Want == KindArray && e.Got == KindObject:
		hint = " (a per_doc job returns one object; use DecodeResult or Object)"
	case e.Got == KindNone:
		hint = " (the job has no result yet; wait until it has COMPLETED)"
	}
	return fmt.Sprintf("llamaextract: extract_result is %s, want %s%s", e.Got, e.Want, hint)
}

func (r Result) expect(k ResultKind) error {
	if got := r.Kind(); got != k {
		return &ShapeError{Want: k, Got: got}
	}
	return nil
}

// Object returns a per_doc result as a map.
func (r Result) Object() (map[string]any, error) {
	return DecodeResult[map[string]any](r)
}

// Objects returns a per_page or per_table_row result as maps.
func (r Result) Objects() ([]map[string]any, error) {
	return DecodeRows[map[string]any](r)
}

// Decode decodes the result into v: a pointer to a struct or map for a
// per_doc result, or a pointer to a slice for an array result. A shape that
// does not fit v is a *ShapeError.
func (r Result) Decode(v any) error {
	want := KindObject
	if isSlicePtr(v) {
		want = KindArray
	}
	if err := r.expect(want); err != nil {
		return err
	}
	if err := json.Unmarshal(r.raw, v); err != nil {
		return fmt.Errorf("llamaextract: decoding extract_result: %w", err)
	}
	return nil
}

// DecodeResult decodes a per_doc result (one object) into a T.
func DecodeResult[T any](r Result) (T, error) {
	var v T
	if err := r.expect(KindObject); err != nil {
		return v, err
	}
	if err := json.Unmarshal(r.raw, &v); err != nil {
		return v, fmt.Errorf("llamaextract: decoding extract_result into %T: %w", v, err)
	}
	return v, nil
}

// DecodeRows decodes a per_page or per_table_row result (an array of
// objects) into a []T, one T per page or row.
func DecodeRows[T any](r Result) ([]T, error) {
	if err := r.expect(KindArray); err != nil {
		return nil, err
	}
	var rows []T
	if err := json.Unmarshal(r.raw, &rows); err != nil {
		return nil, fmt.Errorf("llamaextract: decoding extract_result rows into %T: %w", rows, err)
	}
	return rows, nil
}
