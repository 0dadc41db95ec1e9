package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

// Status is a job's lifecycle state. The service may add states; an unknown
// value is kept as is and treated as not terminal.
type Status string

// Known job states.
const (
	StatusPending   Status = "PENDING"
	StatusThrottled Status = "THROTTLED"
	StatusRunning   Status = "RUNNING"
	StatusCompleted Status = "COMPLETED"
	StatusFailed    Status = "FAILED"
	StatusCancelled Status = "CANCELLED"
)

// Terminal reports whether the job has finished: COMPLETED, FAILED or
// CANCELLED.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Succeeded reports whether the job COMPLETED.
func (s Status) Succeeded() bool { return s == StatusCompleted }

// Known reports whether s is one of the documented states.
func (s Status) Known() bool {
	switch s {
	case StatusPending, StatusThrottled, StatusRunning, StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// ExtractionTarget is the granularity of a result.
type ExtractionTarget = generated.ExtractionTarget

// Extraction targets.
const (
	PerDoc      = generated.ExtractionTargetPerDoc
	PerPage     = generated.ExtractionTargetPerPage
	PerTableRow = generated.ExtractionTargetPerTableRow
)

// Tier is the extraction tier.
type Tier = generated.ExtractTier

// Extraction tiers.
const (
	TierCostEffective = generated.ExtractTierCostEffective
	TierAgentic       = generated.ExtractTierAgentic
	TierAgenticPlus   = generated.ExtractTierAgenticPlus
	TierTurbo         = generated.ExtractTierTurbo
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

// ConfigSource is the configuration a job runs with: an inline ExtractConfig
// or a SavedConfig. Having one field for both makes "exactly one of
// configuration and configuration_id" hold by construction.
type ConfigSource interface {
	applyTo(body *generated.ExtractV2JobCreate) error
}

// SavedConfig refers to a saved configuration (cfg-...) by ID.
type SavedConfig string

func (s SavedConfig) applyTo(body *generated.ExtractV2JobCreate) error {
	id := strings.TrimSpace(string(s))
	if id == "" {
		return &ValidationError{Operation: "CreateExtractJob", Field: "configuration_id", Reason: "empty; pass the id of a saved configuration (cfg-...)"}
	}
	body.ConfigurationId = &id
	return nil
}

// ExtractConfig is an inline extraction configuration.
type ExtractConfig struct {
	// Schema is the data_schema (required): see SchemaFor, SchemaFromJSON.
	Schema Schema
	// Target is the result granularity (default PerDoc).
	Target ExtractionTarget
	// Tier is the extraction tier (default: the service's, cost_effective).
	Tier Tier
	// CiteSources attaches citations to every field; ConfidenceScores
	// attaches confidence scores.
	CiteSources, ConfidenceScores bool
	// SystemPrompt adds instructions for the model.
	SystemPrompt string
	// TargetPages selects 1-based pages, e.g. "1,3,5-7"; MaxPages caps them.
	TargetPages string
	MaxPages    int
	// ParseTier and ParseConfigID control the parse step.
	ParseTier, ParseConfigID string
	// Version pins the extraction pipeline: "latest" or a YYYY-MM-DD date.
	Version string
	// DisableCache neither reuses nor stores cached results.
	DisableCache bool
	// SpreadsheetMode reads cells directly (beta, agentic_plus); SheetNames
	// selects worksheets.
	SpreadsheetMode bool
	SheetNames      []string
}

func (c ExtractConfig) applyTo(body *generated.ExtractV2JobCreate) error {
	cfg, err := c.generated("CreateExtractJob", "configuration")
	if err != nil {
		return err
	}
	body.Configuration = &cfg
	return nil
}

func (c ExtractConfig) generated(op, field string) (generated.ExtractConfiguration, error) {
	if c.Schema.IsZero() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".data_schema", Reason: "required; build one with wrapper.SchemaFor[T]() or wrapper.SchemaFromJSON"}
	}
	if err := c.Schema.Check(); err != nil {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + "." + schemaField(err), Reason: schemaReason(err)}
	}
	if c.MaxPages < 0 {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".max_pages", Reason: "must be positive (0 means no limit)"}
	}
	if c.Target != "" && !c.Target.Valid() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".extraction_target", Reason: fmt.Sprintf("%q is not per_doc, per_page or per_table_row", c.Target)}
	}
	if c.Tier != "" && !c.Tier.Valid() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".tier", Reason: fmt.Sprintf("%q is not cost_effective, agentic, agentic_plus or turbo", c.Tier)}
	}
	g := generated.ExtractConfiguration{DataSchema: c.Schema.dataSchema()}
	if c.Target != "" {
		t := c.Target
		g.ExtractionTarget = &t
	}
	if c.Tier != "" {
		t := c.Tier
		g.Tier = &t
	}
	if c.CiteSources {
		g.CiteSources = &c.CiteSources
	}
	if c.ConfidenceScores {
		g.ConfidenceScores = &c.ConfidenceScores
	}
	if c.DisableCache {
		g.DisableCache = &c.DisableCache
	}
	if c.SpreadsheetMode {
		g.SpreadsheetMode = &c.SpreadsheetMode
	}
	if c.MaxPages > 0 {
		g.MaxPages = &c.MaxPages
	}
	if len(c.SheetNames) > 0 {
		g.SheetNames = &c.SheetNames
	}
	g.SystemPrompt, g.TargetPages = optString(c.SystemPrompt), optString(c.TargetPages)
	g.ParseTier, g.ParseConfigId, g.Version = optString(c.ParseTier), optString(c.ParseConfigID), optString(c.Version)
	return g, nil
}

// CreateJobRequest describes a job to create.
type CreateJobRequest struct {
	// FileInput is an uploaded file (dfl-...) or a completed parse job
	// (pjb-...).
	FileInput string
	// Config is an ExtractConfig or a SavedConfig (required).
	Config ConfigSource
	// Webhooks are endpoints notified as the job changes status;
	// WebhookConfigIDs refer to saved webhook configurations.
	Webhooks         []generated.WebhookConfiguration
	WebhookConfigIDs []string
}

func (r CreateJobRequest) body() (generated.ExtractV2JobCreate, error) {
	const op = "CreateExtractJob"
	in := strings.TrimSpace(r.FileInput)
	if in == "" {
		return generated.ExtractV2JobCreate{}, &ValidationError{Operation: op, Field: "file_input", Reason: "required; upload the document with UploadFile and pass its id (dfl-...)"}
	}
	if !strings.HasPrefix(in, "dfl-") && !strings.HasPrefix(in, "pjb-") {
		return generated.ExtractV2JobCreate{}, &ValidationError{Operation: op, Field: "file_input", Reason: fmt.Sprintf("%q is neither a file id (dfl-...) nor a parse job id (pjb-...); to extract a file on disk use UploadFile first, or Extract", in)}
	}
	if r.Config == nil {
		return generated.ExtractV2JobCreate{}, &ValidationError{Operation: op, Field: "configuration", Reason: "required; set Config to a wrapper.ExtractConfig{Schema: ...} or a wrapper.SavedConfig(\"cfg-...\")"}
	}
	body := generated.ExtractV2JobCreate{FileInput: in}
	if err := r.Config.applyTo(&body); err != nil {
		return body, err
	}
	if len(r.Webhooks) > 0 {
		body.WebhookConfigurations = &r.Webhooks
	}
	if len(r.WebhookConfigIDs) > 0 {
		body.WebhookConfigurationIds = &r.WebhookConfigIDs
	}
	return body, nil
}

// CreateJob starts an extraction job. The request is checked before it is
// sent. A create is never blindly retried: it is retried only when it cannot
// have reached the service, and after an ambiguous failure (a dropped
// connection, a truncated answer, a 5xx) the client looks for the job the
// attempt may have created and returns that job instead of creating another.
func (c *Client) CreateJob(ctx context.Context, req CreateJobRequest) (*Job, error) {
	body, err := req.body()
	if err != nil {
		return nil, err
	}
	params := &generated.CreateExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()}
	policy := c.policy
	for attempt := 0; ; attempt++ {
		started := time.Now()
		var job Job
		err := c.call(withCreate(ctx), "CreateExtractJob", func(ctx context.Context) (*http.Response, error) {
			return c.gen.CreateExtractJob(ctx, params, body)
		}, &job.ExtractV2Job)
		if err == nil {
			c.created.Store(job.Id, true)
			return &job, nil
		}
		if !ambiguous(err) || ctx.Err() != nil {
			return nil, err
		}
		found, ferr := c.findCreated(ctx, body, started)
		if found != nil {
			c.logger.DebugContext(ctx, "llamaextract adopted job after ambiguous create", "job", found.Id, "error", err)
			return found, nil
		}
		if ferr != nil || attempt >= policy.MaxRetries {
			return nil, fmt.Errorf("%w (the job may or may not exist; looking for it failed: %v)", err, ferr)
		}
		if err := sleepCtx(ctx, policy.backoff(attempt)); err != nil {
			return nil, fmt.Errorf("llamaextract: CreateExtractJob: %w", err)
		}
	}
}

// ambiguous reports whether a failed create may have created a job.
func ambiguous(err error) bool {
	var conn *ConnectionError
	if errors.As(err, &conn) {
		return !neverSent(conn.Err)
	}
	var inv *InvalidResponseError
	if errors.As(err, &inv) {
		return true
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.StatusCode == http.StatusRequestTimeout || (api.StatusCode >= 500 && api.StatusCode != http.StatusServiceUnavailable)
	}
	return false
}

// adoptionWindow is how far before an attempt a job's created_at may lie
// and still count as the attempt's (client and server clocks differ).
const adoptionWindow = 2 * time.Minute

// findCreated looks for a job an ambiguous create attempt may have made: same
// file_input and configuration, created since the attempt began, and not
// already known to this client. Claiming it is atomic, so two concurrent
// recoveries never adopt the same job.
func (c *Client) findCreated(ctx context.Context, body generated.ExtractV2JobCreate, since time.Time) (*Job, error) {
	after := since.Add(-adoptionWindow)
	page, err := c.ListJobs(ctx, JobFilter{FileInput: body.FileInput, CreatedAfter: after, Expand: []Expand{ExpandConfiguration}, PageSize: 50})
	if err != nil {
		return nil, err
	}
	// Newest first: walk backwards to adopt the oldest candidate.
	for i := len(page.Jobs) - 1; i >= 0; i-- {
		j := page.Jobs[i]
		if !sameConfig(body, &j) {
			continue
		}
		if _, known := c.created.LoadOrStore(j.Id, true); known {
			continue
		}
		return &j, nil
	}
	return nil, nil
}

func sameConfig(body generated.ExtractV2JobCreate, j *Job) bool {
	if body.ConfigurationId != nil {
		return j.ConfigurationId != nil && *j.ConfigurationId == *body.ConfigurationId
	}
	if j.ConfigurationId != nil || j.Configuration == nil || body.Configuration == nil {
		return false
	}
	a, err1 := json.Marshal(body.Configuration.DataSchema)
	b, err2 := json.Marshal(j.Configuration.DataSchema)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
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

func checkID(op, field, id string) error {
	switch strings.TrimSpace(id) {
	case "":
		return &ValidationError{Operation: op, Field: field, Reason: "empty"}
	case ".", "..":
		return &ValidationError{Operation: op, Field: field, Reason: fmt.Sprintf("%q is not an id", id)}
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
