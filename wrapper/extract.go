package wrapper

import (
	"context"
	"reflect"

	"github.com/extract-go/llamaextract/internal/fileinput"
)

// Run creates a job and waits for it: CreateJob, then Wait. It takes the
// options Wait takes.
func (c *Client) Run(ctx context.Context, req CreateJobRequest, opts ...WaitOption) (*Job, error) {
	return c.run(ctx, req, newWaitSettings(opts), nil)
}

func (c *Client) run(ctx context.Context, req CreateJobRequest, w waitSettings, fetch fetchFunc) (*Job, error) {
	if err := w.check("Run"); err != nil {
		return nil, err
	}
	job, err := c.CreateJob(ctx, req)
	if err != nil {
		return nil, err
	}
	if w.onStatus != nil {
		w.onStatus(job)
	}
	// A job can finish before the create call returns; skip the wait then,
	// unless the caller wants parts only a GET can expand.
	switch st := job.Status; {
	case st == StatusCompleted && len(w.expand) == 0:
		return job, nil
	case st == StatusFailed || st == StatusCancelled:
		return job, &JobError{Job: job}
	}
	return c.wait(ctx, job.ID, w, fetch)
}

// Extract runs the whole job for a per_doc extraction and decodes the
// result into a T. input is a path on disk, which is uploaded, or the ID of
// an uploaded file (dfl-...) or a parse job (pjb-...), used as is. cfg is
// an ExtractConfig, whose zero Schema is derived from T (SchemaFor) and
// whose zero Target is PerDoc, or a SavedConfig. The job is returned too,
// for its metadata (citations need CiteSources). The configuration is
// checked before anything is uploaded. The job keeps the JSON it was read
// from, result included: store it, and Decode reads the result again.
//
// A path is uploaded for this call alone, so an ambiguous create may adopt
// the job it made (see CreateJob); a file ID may be shared and is never
// adopted from. For webhooks, or to declare a file ID as this call's own,
// upload with UploadFile and call Run with a CreateJobRequest (Webhooks,
// OwnsFile): each has that one way.
func Extract[T any](ctx context.Context, c *Client, input string, cfg Config, opts ...ExtractOption) (T, *Job, error) {
	return extract[T](ctx, c, input, cfg, PerDoc, newExtractSettings(opts))
}

// ExtractRows is Extract for results with one T per table row (PerTableRow,
// the default Target) or per page (set Target to PerPage). With a zero
// Schema, the schema is derived from T: it describes one row. It takes the
// options Extract takes.
func ExtractRows[T any](ctx context.Context, c *Client, input string, cfg Config, opts ...ExtractOption) ([]T, *Job, error) {
	return extract[[]T](ctx, c, input, cfg, PerTableRow, newExtractSettings(opts))
}

// extract creates the job and polls it decoding each answer with
// getResult, so the final result is parsed once, straight into R.
func extract[R any](ctx context.Context, c *Client, input string, cfg Config, target Target, s extractSettings) (R, *Job, error) {
	var zero R
	w := s.wait
	// Options are checked before the upload, which costs a request.
	if err := w.check("Extract"); err != nil {
		return zero, nil, err
	}
	if cfg = configValue(cfg); cfg == nil {
		cfg = ExtractConfig{}
	}
	if inline, ok := cfg.(ExtractConfig); ok {
		if inline.Schema.IsZero() {
			s, err := schemaForResult[R]()
			if err != nil {
				return zero, nil, err
			}
			inline.Schema = s
		}
		if inline.Target == "" {
			inline.Target = target
		}
		// Check before uploading: a bad configuration costs no upload.
		if err := inline.check(opCreateJob, "configuration"); err != nil {
			return zero, nil, err
		}
		if (inline.CiteSources || inline.ConfidenceScores) && !w.expands(ExpandExtractMetadata) {
			w.expand = append(w.expand, ExpandExtractMetadata)
		}
		cfg = inline
	}
	fileInput, err := c.resolveInput(ctx, input, s.upload)
	if err != nil {
		return zero, nil, err
	}
	var result R
	var has bool
	fetch := func(ctx context.Context, id string, expand []Expand) (*Job, error) {
		v, job, ok, err := getResult[R](ctx, c, id, expand)
		result, has = v, ok
		return job, err
	}
	// A path was uploaded just now for this call alone (an ID is used as
	// is and may be shared): only then may an ambiguous create adopt.
	_, isID := fileinput.Resolve(input)
	job, err := c.run(ctx, CreateJobRequest{FileInput: fileInput, Config: cfg, OwnsFile: !isID}, w, fetch)
	if err != nil {
		return zero, job, err
	}
	if has {
		return result, job, nil
	}
	// Finished within the create call (decode what it returned), or
	// without a result (Decode says so).
	v, err := Decode[R](job)
	return v, job, err
}

// schemaForResult derives the schema of one record: T for Extract[T], the
// element type for ExtractRows[T].
func schemaForResult[R any]() (Schema, error) {
	t := reflect.TypeFor[R]()
	if shapeOf[R]() == ShapeArray {
		t = t.Elem()
	}
	return schemaForType(t)
}

// resolveInput uploads a local file, or passes a dfl-/pjb- ID through.
func (c *Client) resolveInput(ctx context.Context, input string, s uploadSettings) (string, error) {
	in, isID := fileinput.Resolve(input)
	if in == "" {
		return "", &ValidationError{Operation: "Extract", Field: "input", Reason: "empty; pass a file path or a file id (dfl-...)"}
	}
	if isID {
		return in, nil
	}
	f, err := c.uploadFile(ctx, in, s)
	if err != nil {
		return "", err
	}
	return f.ID, nil
}
