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
