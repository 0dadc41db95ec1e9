package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
)

// Job is an extraction job. It decodes straight from the API's JSON: the
// result, its metadata and the usage counters are kept as raw JSON and only
// decoded when asked for (Decode, Metadata, Usage), so listing thousands of
// jobs parses no results.
//
// A Job encodes to and decodes from the API's JSON (snake_case), so a job
// can be stored and read back, or built from a fixture in a test.
type Job struct {
	// ID is the job's ID (ext-...).
	ID string
	// Status is where the job is in its lifecycle.
	Status Status
	// FileInput is the file (dfl-...) or parse job (pjb-...) it reads.
	FileInput string
	// ConfigurationID is the saved configuration it ran with; empty for an
	// inline configuration.
	ConfigurationID string
	// ProjectID is the project that owns the job.
	ProjectID string
	// ErrorMessage says why a FAILED job failed.
	ErrorMessage string
	// CreatedAt and UpdatedAt are the server's timestamps.
	CreatedAt, UpdatedAt time.Time
	// Configuration is the inline configuration the job ran with; nil
	// unless fetched WithExpand(ExpandConfiguration).
	Configuration *ExtractConfig

	configuration   json.RawMessage
	result          json.RawMessage
	extractMetadata json.RawMessage
	metadata        json.RawMessage
	usage           json.RawMessage
}

// jobWire is a job as the API sends it, with the result decoded into an R:
// json.RawMessage for a Job, *T for GetResult, which thereby parses a large
// result once, straight into the caller's type.
type jobWire[R any] struct {
	ID              string            `json:"id"`
	Status          Status            `json:"status"`
	FileInput       string            `json:"file_input"`
	ConfigurationID *string           `json:"configuration_id,omitempty"`
	ProjectID       string            `json:"project_id"`
	ErrorMessage    *string           `json:"error_message,omitempty"`
	CreatedAt       llamaextract.Time `json:"created_at"`
	UpdatedAt       llamaextract.Time `json:"updated_at"`
	Configuration   json.RawMessage   `json:"configuration,omitempty"`
	ExtractResult   R                 `json:"extract_result,omitempty"`
	ExtractMetadata json.RawMessage   `json:"extract_metadata,omitempty"`
	Metadata        json.RawMessage   `json:"metadata,omitempty"`
	Usage           json.RawMessage   `json:"usage,omitempty"`
}

func (w *jobWire[R]) validate() error { return validJob(w.ID, w.Status) }

func validJob(id string, st Status) error {
	switch {
	case id == "":
		return errors.New("job without an id")
	case st == "":
		return errors.New("job without a status")
	}
	return nil
}

// job converts everything but the result.
func (w *jobWire[R]) job() (*Job, error) {
	j := &Job{
		ID: w.ID, Status: w.Status, FileInput: w.FileInput, ProjectID: w.ProjectID,
		CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
		configuration:   present(w.Configuration),
		extractMetadata: present(w.ExtractMetadata),
		metadata:        present(w.Metadata),
		usage:           present(w.Usage),
	}
	if w.ConfigurationID != nil {
		j.ConfigurationID = *w.ConfigurationID
	}
	if w.ErrorMessage != nil {
		j.ErrorMessage = *w.ErrorMessage
	}
	if j.configuration != nil {
		cfg, err := readExtractConfig(j.configuration)
		if err != nil {
			return nil, err
		}
		j.Configuration = &cfg
	}
	return j, nil
}

// present returns nil for absent or null JSON.
func present(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return raw
}

// UnmarshalJSON reads a job in the API's JSON.
func (j *Job) UnmarshalJSON(b []byte) error {
	var w jobWire[json.RawMessage]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	out, err := w.job()
	if err != nil {
		return err
	}
	out.result = present(w.ExtractResult)
	*j = *out
	return nil
}

// MarshalJSON writes the job in the API's JSON.
func (j Job) MarshalJSON() ([]byte, error) {
	w := jobWire[json.RawMessage]{
		ID: j.ID, Status: j.Status, FileInput: j.FileInput, ProjectID: j.ProjectID,
		ConfigurationID: optString(j.ConfigurationID), ErrorMessage: optString(j.ErrorMessage),
		CreatedAt: llamaextract.NewTime(j.CreatedAt), UpdatedAt: llamaextract.NewTime(j.UpdatedAt),
		Configuration: j.configuration, ExtractResult: j.result,
		ExtractMetadata: j.extractMetadata, Metadata: j.metadata, Usage: j.usage,
	}
	if w.Configuration == nil && j.Configuration != nil {
		// By value, unchecked: a job from the server (which keeps no raw
		// configuration) must encode whatever the server sent.
		var err error
		if w.Configuration, err = json.Marshal(j.Configuration); err != nil {
			return nil, err
		}
	}
	return json.Marshal(w)
}

// validate is nil-safe: a list's items are pointers, and a server may send
// null for one.
func (j *Job) validate() error {
	if j == nil {
		return errors.New("null instead of a job")
	}
	return validJob(j.ID, j.Status)
}

// Generated returns the job as the generated client's type. It is the escape
// hatch to fields this package does not model; everyday code never needs
// it, and its type may change with openapi.yaml.
func (j *Job) Generated() (generated.ExtractV2Job, error) {
	var g generated.ExtractV2Job
	b, err := j.MarshalJSON()
	if err == nil {
		err = json.Unmarshal(b, &g)
	}
	return g, err
}

// Usage is what a job consumed: credits (sent with ExpandUsage, zero until
// billing has recorded them) and the extraction counters of the job's
// metadata.
type Usage struct {
	Credits, ExtractCredits, ParseCredits                     float64
	PagesExtracted, PagesBilled, DocumentTokens, OutputTokens int
}

// Usage decodes the job's credits and counters. It parses on every call.
func (j *Job) Usage() Usage {
	var u Usage
	var g generated.JobUsage
	if j.usage != nil && json.Unmarshal(j.usage, &g) == nil {
		u.Credits, u.ExtractCredits, u.ParseCredits = deref(g.Credits), deref(g.ExtractCredits), deref(g.ParseCredits)
	}
	var md struct {
		Usage *generated.ExtractJobUsage `json:"usage"`
	}
	if j.metadata != nil && json.Unmarshal(j.metadata, &md) == nil && md.Usage != nil {
		u.PagesExtracted, u.PagesBilled = deref(md.Usage.NumPagesExtracted), deref(md.Usage.NumPagesBilled)
		u.DocumentTokens, u.OutputTokens = deref(md.Usage.NumDocumentTokens), deref(md.Usage.NumOutputTokens)
	}
	return u
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Expand names an optional part of a job to include; see WithExpand. The
// API takes any name (the official SDKs type expand as a list of strings)
// and ignores the ones it does not know, so a name newer than this package
// can be passed as Expand("...").
type Expand string

// Parts of a job WithExpand can ask for.
const (
	ExpandConfiguration   Expand = "configuration"
	ExpandExtractMetadata Expand = "extract_metadata"
	// ExpandUsage adds the credits billed; documented for GetJob only.
	ExpandUsage Expand = "usage"
)

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

// GetJob returns a job. It reads WithExpand.
func (c *Client) GetJob(ctx context.Context, jobID string, opts ...GetOption) (*Job, error) {
	expand := getExpand(opts)
	return requestJob(ctx, c, opGetJob, pathID{"job_id", jobID}, func(ctx context.Context) (*http.Response, error) {
		return c.get.send(ctx, jobID, expand)
	})
}

// CancelJob cancels a job that has not finished and returns it, now
// CANCELLED. Cancelling a finished job is an *APIError (400).
func (c *Client) CancelJob(ctx context.Context, jobID string) (*Job, error) {
	return requestJob(ctx, c, opCancelJob, pathID{"job_id", jobID}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CancelExtractJob(ctx, jobID, &generated.CancelExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
}

// DeleteJob deletes a job and its results. Cancel a running job and wait for
// it to finish first.
func (c *Client) DeleteJob(ctx context.Context, jobID string) error {
	_, err := request[none](ctx, c, opDeleteJob, pathID{"job_id", jobID}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteExtractJob(ctx, jobID, &generated.DeleteExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
	return err
}
