package wrapper

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
)

// Run creates a job and waits for it: CreateJob, then Wait.
func (c *Client) Run(ctx context.Context, req CreateJobRequest, opts ...WaitOption) (*Job, error) {
	return c.run(ctx, req, newWaitSettings(opts), nil)
}

func (c *Client) run(ctx context.Context, req CreateJobRequest, w waitSettings, fetch fetchFunc) (*Job, error) {
	job, err := c.CreateJob(ctx, req)
	if err != nil {
		return nil, err
	}
	if w.onStatus != nil {
		w.onStatus(job)
	}
	// A job can finish before the create call returns; skip the wait then,
	// unless the caller wants parts only a GET can expand.
	switch st := job.State(); {
	case st == StatusCompleted && len(w.expand) == 0:
		return job, nil
	case st == StatusFailed || st == StatusCancelled:
		return job, &JobError{Job: job}
	}
	return c.wait(ctx, job.Id, w, fetch)
}

// ExtractOptions tune Extract and ExtractRows. The zero value extracts with
// a schema derived from T and the service's defaults.
type ExtractOptions struct {
	// Config overrides the configuration; its Schema defaults to
	// SchemaFor[T]() and its Target to PerDoc (Extract) or PerTableRow
	// (ExtractRows).
	Config ExtractConfig
	// Upload sets how a local file is uploaded.
	Upload UploadOptions
	// Wait options: schedule, progress callback, remote cancel...
	Wait []WaitOption
}

// Extract runs the whole job for a per_doc extraction: it uploads input when
// it is a path (a dfl- or pjb- ID is used as is), creates a job with a schema
// derived from T, waits, and decodes the result into a T. The job is
// returned too, for its metadata (citations need Config.CiteSources).
func Extract[T any](ctx context.Context, c *Client, input string, opts ...ExtractOptions) (T, *Job, error) {
	return extract[T](ctx, c, input, PerDoc, opts)
}

// ExtractRows is Extract for results with one T per row (PerTableRow, the
// default) or per page (set Config.Target to PerPage).
func ExtractRows[T any](ctx context.Context, c *Client, input string, opts ...ExtractOptions) ([]T, *Job, error) {
	return extract[[]T](ctx, c, input, PerTableRow, opts)
}

// extract creates the job and polls it decoding each answer with
// GetJobResult, so the final result is parsed once, straight into R.
func extract[R any](ctx context.Context, c *Client, input string, target ExtractionTarget, opts []ExtractOptions) (R, *Job, error) {
	var zero R
	var o ExtractOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	cfg := o.Config
	if cfg.Schema.IsZero() {
		s, err := schemaForResult[R]()
		if err != nil {
			return zero, nil, err
		}
		cfg.Schema = s
	}
	if cfg.Target == "" {
		cfg.Target = target
	}
	fileInput, err := c.resolveInput(ctx, input, o.Upload)
	if err != nil {
		return zero, nil, err
	}
	w := newWaitSettings(o.Wait)
	if cfg.CiteSources || cfg.ConfidenceScores {
		w.expand = append(w.expand, ExpandExtractMetadata)
	}
	var result R
	fetch := func(ctx context.Context, id string, expand []Expand) (*Job, error) {
		job, v, err := GetJobResult[R](ctx, c, id, expand...)
		result = v
		return job, err
	}
	job, err := c.run(ctx, CreateJobRequest{FileInput: fileInput, Config: cfg}, w, fetch)
	if err != nil {
		return zero, job, err
	}
	if job.ExtractResult != nil {
		// Finished within the create call: decode what it returned.
		err = job.Result().Decode(&result)
	}
	return result, job, err
}

// schemaForResult derives the schema of one record: T for Extract[T], the
// element type for ExtractRows[T].
func schemaForResult[R any]() (Schema, error) {
	if kindOf[R]() == KindArray {
		return schemaForElem(reflect.TypeFor[R]().Elem())
	}
	return SchemaFor[R]()
}

// resolveInput uploads a local file, or passes a dfl-/pjb- ID through.
func (c *Client) resolveInput(ctx context.Context, input string, up UploadOptions) (string, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return "", &ValidationError{Operation: "Extract", Field: "input", Reason: "empty; pass a file path or a file id (dfl-...)"}
	}
	if strings.HasPrefix(in, "dfl-") || strings.HasPrefix(in, "pjb-") {
		if _, err := os.Stat(in); err != nil {
			return in, nil
		}
	}
	f, err := c.UploadFile(ctx, in, up)
	if err != nil {
		return "", fmt.Errorf("uploading %s: %w", in, err)
	}
	return f.Id, nil
}
