package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/jsonrest"
)

// Job is an extraction job. It decodes straight from the API's JSON: the
// result, its metadata and the usage counters stay in the job's JSON and
// are decoded only when asked for (Decode, Metadata, Usage), so listing
// thousands of jobs parses no results.
//
// A Job keeps the JSON object the server sent. It encodes to the API's
// JSON (snake_case) with every member the server sent, those this package
// does not model included, so a job can be stored and read back, or built
// from a fixture in a test; Generated sees every member too.
//
// Each exported field is the spec member its json tag names: a member the
// API adds is one field here (see "When the API changes" in the README).
type Job struct {
	// ID is the job's ID (ext-...).
	ID string `json:"id"`
	// Status is where the job is in its lifecycle.
	Status Status `json:"status"`
	// FileInput is the file (dfl-...) or parse job (pjb-...) it reads.
	FileInput string `json:"file_input"`
	// ConfigurationID is the saved configuration it ran with; empty for an
	// inline configuration.
	ConfigurationID string `json:"configuration_id,omitempty"`
	// ProjectID is the project that owns the job.
	ProjectID string `json:"project_id"`
	// ErrorMessage says why a FAILED job failed.
	ErrorMessage string `json:"error_message,omitempty"`
	// CreatedAt and UpdatedAt are the server's timestamps.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Configuration is the inline configuration the job ran with; nil
	// unless fetched WithExpand(ExpandConfiguration).
	Configuration *ExtractConfig `json:"configuration,omitempty"`

	// raw is the job's JSON object as the server sent it (scrubbed of the
	// API key), never changed: the result, the metadata, the usage and
	// every member not modelled above are read from it.
	raw json.RawMessage
}

// jobFields is Job without its methods, so that encoding/json fills its
// tagged fields instead of calling Job.UnmarshalJSON.
type jobFields Job

// jobWire is the job as the API sends it: Job's fields, the timestamps read
// leniently (llamaextract.Time), and the result decoded into an R:
// skipped (ignored) for a Job, *T for GetResult, which thereby parses a
// large result once, straight into the caller's type. It is the one wire
// type of a job (get, list, create, recovery, Job's own JSON).
type jobWire[R any] struct {
	jobFields
	CreatedAt     llamaextract.Time `json:"created_at"`
	UpdatedAt     llamaextract.Time `json:"updated_at"`
	ExtractResult R                 `json:"extract_result,omitzero"`
}

// ignored is a member decoded into nothing: encoding/json skips it as it
// skips a member without a field, and copies nothing.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

// heldValue is a member decoded into the bytes of the body it was read
// from, without a copy: a listed job's extract_result, which the scan of
// the page (listJobsPage) then jumps over instead of walking it. It is
// speed-only: without it the BENCHMARKS.md row IterateJobs N=10,000 goes
// further over 1.10x the fair floor in time.
type heldValue []byte

func (h *heldValue) UnmarshalJSON(b []byte) error {
	*h = b
	return nil
}

// keepBody takes the body the wire value is decoded from: the job keeps it
// as its raw JSON. The body is a buffer of its own (see doCall), never
// reused, so the job may keep a slice of it.
func (w *jobWire[R]) keepBody(b []byte) { w.raw = b }

// validate is nil-safe: a page's items are pointers, and a server may send
// null for one.
func (w *jobWire[R]) validate() error {
	if w == nil {
		return errors.New("null job")
	}
	return validJob(w.ID, w.Status)
}

func validJob(id string, st Status) error {
	switch {
	case id == "":
		return errors.New("job without an id")
	case st == "":
		return errors.New("job without a status")
	}
	return nil
}

func (w *jobWire[R]) answerID() string { return w.ID }

// job returns the Job w holds. It points into w: a Job costs one
// allocation, its wire value. Its configuration points to the job's JSON,
// to send again what no field of it models.
func (w *jobWire[R]) job() *Job {
	w.jobFields.CreatedAt, w.jobFields.UpdatedAt = w.CreatedAt.Time, w.UpdatedAt.Time
	if w.Configuration != nil {
		w.Configuration.sent = &w.raw
	}
	return (*Job)(&w.jobFields)
}

// UnmarshalJSON reads a job in the API's JSON, keeping a copy of it.
func (j *Job) UnmarshalJSON(b []byte) error {
	var w jobWire[ignored]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.raw = bytes.Clone(b)
	*j = *w.job()
	return nil
}

// MarshalJSON writes the job in the API's JSON: the fields above, each as
// the server sent it while unchanged, and every other member of the JSON
// the job was read from.
func (j Job) MarshalJSON() ([]byte, error) {
	return keepSent(j, j.raw, Job.fieldsJSON, jobNames, jobNested)
}

func (j Job) fieldsJSON() ([]byte, error) {
	return json.Marshal(&jobWire[ignored]{jobFields: jobFields(j), CreatedAt: llamaextract.NewTime(j.CreatedAt), UpdatedAt: llamaextract.NewTime(j.UpdatedAt)})
}

// keepSent encodes v with fields and, for v decoded from raw, writes what
// is unchanged as raw has it (jsonrest.MergeMembers): the encoding of
// Job, File and SavedConfig.
func keepSent[T any](v T, raw []byte, fields func(T) ([]byte, error), names map[string]bool, nested map[string]map[string]bool) ([]byte, error) {
	known, err := fields(v)
	if err != nil || raw == nil {
		return known, err
	}
	var was T
	var before []byte
	if json.Unmarshal(raw, &was) == nil {
		before, _ = fields(was)
	}
	return jsonrest.MergeMembers(known, before, raw, names, nested)
}

// The members a listed job's wire value holds as encoding/json handed them
// over, which the scan of the page jumps over (see listJobsPage).
const (
	memberExtractResult = "extract_result"
	memberDataSchema    = "data_schema"
)

// jobNames are the members Job models; MarshalJSON takes every other member
// from the job's raw JSON, and so for the members of its configuration.
var (
	jobNames  = jsonrest.MemberNames(reflect.TypeFor[Job]())
	jobNested = map[string]map[string]bool{"configuration": extractConfigNames}
	// The same, as the scan of a page looks them up.
	jobNameSet    = jsonrest.NewNames("", jobNames).Copied(memberExtractResult).Times("created_at", "updated_at")
	configNameSet = jsonrest.NewNames("configuration", extractConfigNames).Copied(memberDataSchema)
)

// Generated returns the job as the generated client's type: the escape
// hatch to members this package does not model, as the server sent them.
// Everyday code never needs it, and its type may change with openapi.yaml.
// It fails where the generated type cannot hold a member the server sent
// (a number out of float64's range, a member of another type).
func (j *Job) Generated() (generated.ExtractV2Job, error) {
	var g generated.ExtractV2Job
	b, err := j.MarshalJSON()
	if err == nil {
		err = json.Unmarshal(b, &g)
	}
	if err != nil {
		return g, fmt.Errorf("llamaextract: job %s as the generated type: %w", j.ID, err)
	}
	return g, nil
}

// resultJSON returns the job's extract_result as the server sent it; nil
// for none (absent or null).
func (j *Job) resultJSON() json.RawMessage {
	var p struct {
		Result json.RawMessage `json:"extract_result"`
	}
	if j == nil || j.raw == nil || json.Unmarshal(j.raw, &p) != nil {
		return nil
	}
	return present(p.Result)
}

// present returns nil for absent or null JSON.
func present(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return raw
}

// Usage is what a job consumed: credits (sent with ExpandUsage, zero until
// billing has recorded them) and the extraction counters of the job's
// metadata.
type Usage struct {
	Credits, ExtractCredits, ParseCredits                     float64
	PagesExtracted, PagesBilled, DocumentTokens, OutputTokens int
}

// Usage decodes the job's credits and counters. It parses on every call. A
// counter the server sent that its Go type cannot hold (a string, a number
// out of range) reads as zero, the others as sent; Generated reports it.
func (j *Job) Usage() Usage {
	var p struct {
		Usage    *generated.JobUsage `json:"usage"`
		Metadata *struct {
			Usage *generated.ExtractJobUsage `json:"usage"`
		} `json:"metadata"`
	}
	var u Usage
	if j == nil || j.raw == nil {
		return u
	}
	_ = json.Unmarshal(j.raw, &p) // a member of the wrong type is left out (see above); the rest is read
	if g := p.Usage; g != nil {
		u.Credits, u.ExtractCredits, u.ParseCredits = deref(g.Credits), deref(g.ExtractCredits), deref(g.ParseCredits)
	}
	if p.Metadata != nil && p.Metadata.Usage != nil {
		m := p.Metadata.Usage
		u.PagesExtracted, u.PagesBilled = deref(m.NumPagesExtracted), deref(m.NumPagesBilled)
		u.DocumentTokens, u.OutputTokens = deref(m.NumDocumentTokens), deref(m.NumOutputTokens)
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
		return c.sendGet(ctx, jobID, expand)
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

// requestJob sends a request whose answer is one job.
func requestJob(ctx context.Context, c *Client, op string, id pathID, send func(context.Context) (*http.Response, error)) (*Job, error) {
	w, err := request[jobWire[ignored]](ctx, c, op, id, send)
	if err != nil {
		return nil, err
	}
	return w.job(), nil
}

// sendGet sends the GET of job id with expand (see internal/jobget).
func (c *Client) sendGet(ctx context.Context, id string, expand []Expand) (*http.Response, error) {
	return c.get.Send(ctx, id, deref(expandParam(expand)))
}
