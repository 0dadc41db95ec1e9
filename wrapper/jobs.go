package wrapper

import (
	"context"
	"net/http"

	"github.com/extract-go/llamaextract/generated"
)

// Job is an extraction job as the API returns it. The embedded generated
// model carries every field; Job adds typed accessors.
type Job struct {
	generated.ExtractV2Job
}

// State returns the job's status as a Status.
func (j *Job) State() Status { return Status(j.Status) }

// Result returns the job's extract_result; its Kind is KindNone until the
// job has COMPLETED.
func (j *Job) Result() Result {
	if j.ExtractResult == nil {
		return Result{}
	}
	raw, _ := j.ExtractResult.MarshalJSON() // the raw bytes, not a copy
	return Result{raw: raw}
}

// Expand names an optional part of a job to include. The API takes any
// name (the official SDKs type expand as a list of strings) and ignores the
// ones it does not know, so a name newer than this package can be passed as
// Expand("...").
type Expand string

// Parts GetJob and ListJobs can include.
const (
	ExpandConfiguration   Expand = "configuration"
	ExpandExtractMetadata Expand = "extract_metadata"
	// ExpandUsage adds the credits billed; documented for GetJob only.
	ExpandUsage Expand = "usage"
)

// Valid reports whether e is one of the parts this package names; the API
// itself accepts any name.
func (e Expand) Valid() bool {
	switch e {
	case ExpandConfiguration, ExpandExtractMetadata, ExpandUsage:
		return true
	}
	return false
}

// expandParam converts to the wire type, nil for none.
func expandParam(e []Expand) *[]string {
	if len(e) == 0 {
		return nil
	}
	out := make([]string, len(e))
	for i, x := range e {
		out[i] = string(x)
	}
	return &out
}

// GetJob returns a job. expand adds optional parts (ExpandConfiguration,
// ExpandExtractMetadata, ExpandUsage).
func (c *Client) GetJob(ctx context.Context, jobID string, expand ...Expand) (*Job, error) {
	const op = "GetExtractJob"
	if err := checkID(op, "job_id", jobID); err != nil {
		return nil, err
	}
	params := &generated.GetExtractJobParams{OrganizationId: c.org(), ProjectId: c.project(), Expand: expandParam(expand)}
	var job Job
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetExtractJob(ctx, jobID, params)
	}, &job.ExtractV2Job); err != nil {
		return nil, err
	}
	return &job, nil
}

// CancelJob cancels a job that has not finished and returns it, now
// CANCELLED. Cancelling a finished job is an *APIError (400).
func (c *Client) CancelJob(ctx context.Context, jobID string) (*Job, error) {
	const op = "CancelExtractJob"
	if err := checkID(op, "job_id", jobID); err != nil {
		return nil, err
	}
	params := &generated.CancelExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()}
	var job Job
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CancelExtractJob(ctx, jobID, params)
	}, &job.ExtractV2Job); err != nil {
		return nil, err
	}
	return &job, nil
}

// DeleteJob deletes a job and its results. Cancel a running job and wait for
// it to finish first.
func (c *Client) DeleteJob(ctx context.Context, jobID string) error {
	const op = "DeleteExtractJob"
	if err := checkID(op, "job_id", jobID); err != nil {
		return err
	}
	params := &generated.DeleteExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()}
	return c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteExtractJob(ctx, jobID, params)
	}, nil)
}
