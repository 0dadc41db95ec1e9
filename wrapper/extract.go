package wrapper

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Run creates a job and waits for it: CreateJob, then Wait.
func (c *Client) Run(ctx context.Context, req CreateJobRequest, opts ...WaitOption) (*Job, error) {
	w := newWaitSettings(opts)
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
	return c.wait(ctx, job.Id, w)
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
	var zero T
	job, err := extractJob[T](ctx, c, input, PerDoc, opts)
	if err != nil {
		return zero, job, err
	}
	v, err := DecodeResult[T](job.Result())
	return v, job, err
}

// ExtractRows is Extract for results with one T per row (PerTableRow, the
// default) or per page (set Config.Target to PerPage).
func ExtractRows[T any](ctx context.Context, c *Client, input string, opts ...ExtractOptions) ([]T, *Job, error) {
	job, err := extractJob[T](ctx, c, input, PerTableRow, opts)
	if err != nil {
		return nil, job, err
	}
	rows, err := DecodeRows[T](job.Result())
	return rows, job, err
}

func extractJob[T any](ctx context.Context, c *Client, input string, target ExtractionTarget, opts []ExtractOptions) (*Job, error) {
	var o ExtractOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	cfg := o.Config
	if cfg.Schema.IsZero() {
		s, err := SchemaFor[T]()
		if err != nil {
			return nil, err
		}
		cfg.Schema = s
	}
	if cfg.Target == "" {
		cfg.Target = target
	}
	fileInput, err := c.resolveInput(ctx, input, o.Upload)
	if err != nil {
		return nil, err
	}
	wait := o.Wait
	if cfg.CiteSources || cfg.ConfidenceScores {
		wait = append([]WaitOption{WithWaitExpand(ExpandExtractMetadata)}, wait...)
	}
	return c.Run(ctx, CreateJobRequest{FileInput: fileInput, Config: cfg}, wait...)
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
