package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/extract-go/llamaextract/generated"
)

// typedJob decodes a job with its extract_result going straight into a T:
// the outer field is shallower than the embedded one, so encoding/json
// fills it instead of the generated union. The result is parsed once.
type typedJob[T any] struct {
	generated.ExtractV2Job
	ExtractResult *T `json:"extract_result,omitempty"`
}

// GetJobResult fetches a job and decodes its extract_result into a T in the
// same pass (T is a struct or map for per_doc, a slice for per_page and
// per_table_row). It is the fastest way to read a large result: the body is
// never held as raw JSON. The returned Job has every field but an empty
// Result(), since the result went into T. A job without a result yet gives
// the zero T; a result of the wrong shape gives a *ShapeError.
func GetJobResult[T any](ctx context.Context, c *Client, jobID string, expand ...Expand) (*Job, T, error) {
	var zero T
	const op = "GetExtractJob"
	if err := checkID(op, "job_id", jobID); err != nil {
		return nil, zero, err
	}
	params := &generated.GetExtractJobParams{OrganizationId: c.org(), ProjectId: c.project(), Expand: expandParam(expand)}
	var tj typedJob[T]
	err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetExtractJob(ctx, jobID, params)
	}, &tj)
	job := &Job{ExtractV2Job: tj.ExtractV2Job}
	if err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field == "extract_result" {
			return job, zero, &ShapeError{Want: kindOf[T](), Got: kindFromJSONType(ute.Value)}
		}
		return nil, zero, err
	}
	if tj.ExtractResult == nil {
		return job, zero, nil
	}
	return job, *tj.ExtractResult, nil
}

func kindOf[T any]() ResultKind {
	var v T
	if isSlicePtr(&v) {
		return KindArray
	}
	return KindObject
}

func kindFromJSONType(v string) ResultKind {
	switch v {
	case "array":
		return KindArray
	case "object":
		return KindObject
	}
	return KindInvalid
}
