package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/fileinput"
)

// CreateJobRequest describes a job to create.
type CreateJobRequest struct {
	// FileInput is an uploaded file (dfl-...) or a completed parse job
	// (pjb-...). To extract a file on disk, use Extract or UploadFile.
	FileInput string
	// Config is an ExtractConfig or a SavedConfig (required).
	Config Config
	// Webhooks are endpoints notified as the job changes status;
	// WebhookConfigIDs refer to saved webhook configurations.
	Webhooks         []Webhook
	WebhookConfigIDs []string
}

// Webhook is an endpoint LlamaCloud notifies as a job changes status;
// package webhook verifies and parses the deliveries.
type Webhook struct {
	// URL receives the POSTs (required).
	URL string
	// Events selects the events to deliver (webhook.ExtractSuccess, ...);
	// nil delivers all of them.
	Events []string
	// Headers are sent with every delivery, e.g. the receiver's own token.
	Headers map[string]string
	// SigningSecret makes every delivery carry an LC-Signature header.
	SigningSecret string
	// JSONPayload sends the payload as a JSON object instead of a
	// JSON-encoded string.
	JSONPayload bool
}

func (w Webhook) wire(i int) (generated.WebhookConfiguration, error) {
	u, err := url.Parse(strings.TrimSpace(w.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return generated.WebhookConfiguration{}, &ValidationError{Operation: opCreateJob, Field: fmt.Sprintf("webhook_configurations[%d].webhook_url", i), Reason: fmt.Sprintf("%q is not an absolute http(s) URL", w.URL)}
	}
	g := generated.WebhookConfiguration{WebhookUrl: optString(u.String()), WebhookSigningSecret: optString(w.SigningSecret)}
	if len(w.Events) > 0 {
		ev := make([]generated.WebhookEvent, len(w.Events))
		for i, e := range w.Events {
			ev[i] = generated.WebhookEvent(e)
		}
		g.WebhookEvents = &ev
	}
	if len(w.Headers) > 0 {
		h := maps.Clone(w.Headers)
		g.WebhookHeaders = &h
	}
	if w.JSONPayload {
		g.WebhookOutputFormat = optString("json")
	}
	return g, nil
}

func (r CreateJobRequest) body() (generated.ExtractV2JobCreate, error) {
	const op = opCreateJob
	in := strings.TrimSpace(r.FileInput)
	if in == "" {
		return generated.ExtractV2JobCreate{}, &ValidationError{Operation: op, Field: "file_input", Reason: "required; upload the document with UploadFile and pass its id (dfl-...)"}
	}
	if !fileinput.IsID(in) {
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
		hooks := make([]generated.WebhookConfiguration, len(r.Webhooks))
		for i, w := range r.Webhooks {
			var err error
			if hooks[i], err = w.wire(i); err != nil {
				return body, err
			}
		}
		body.WebhookConfigurations = &hooks
	}
	if len(r.WebhookConfigIDs) > 0 {
		ids := append([]string(nil), r.WebhookConfigIDs...)
		body.WebhookConfigurationIds = &ids
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
		started := c.clock.Now()
		job, err := request[Job](withCreate(ctx), c, opCreateJob, pathID{}, func(ctx context.Context) (*http.Response, error) {
			return c.gen.CreateExtractJob(ctx, params, body)
		})
		if err == nil {
			c.created.Store(job.ID, true)
			return job, nil
		}
		if !ambiguous(err) || ctx.Err() != nil {
			return nil, err
		}
		found, ferr := c.findCreated(ctx, body, started)
		if found != nil {
			c.logger.DebugContext(ctx, "llamaextract adopted job after ambiguous create", "job", found.ID, "error", err)
			return found, nil
		}
		if ferr != nil || attempt >= policy.MaxRetries {
			return nil, fmt.Errorf("%w (the job may or may not exist; looking for it failed: %v)", err, ferr)
		}
		if err := sleep(ctx, c.clock, policy.backoff(attempt)); err != nil {
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
	page, err := c.ListJobs(ctx, JobFilter{FileInput: body.FileInput, CreatedAfter: after, PageSize: 50}, WithExpand(ExpandConfiguration))
	if err != nil {
		return nil, err
	}
	// Newest first: walk backwards to adopt the oldest candidate.
	for i := len(page.Items) - 1; i >= 0; i-- {
		j := page.Items[i]
		if !sameConfig(body, j) {
			continue
		}
		if _, known := c.created.LoadOrStore(j.ID, true); known {
			continue
		}
		return j, nil
	}
	return nil, nil
}

func sameConfig(body generated.ExtractV2JobCreate, j *Job) bool {
	if body.ConfigurationId != nil {
		return j.ConfigurationID == *body.ConfigurationId
	}
	if j.ConfigurationID != "" || j.Configuration == nil || body.Configuration == nil {
		return false
	}
	a, err1 := json.Marshal(body.Configuration.DataSchema)
	b, err2 := json.Marshal(j.Configuration.Schema.dataSchema())
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}
