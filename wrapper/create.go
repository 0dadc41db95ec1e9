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
	"reflect"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/createguard"
	"github.com/extract-go/llamaextract/internal/fileinput"
	"github.com/extract-go/llamaextract/internal/jsonrest"
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
	// OwnsFile promises that FileInput was made for this request alone: an
	// upload no other create (in this process or any other) uses. Extract,
	// ExtractRows, batch.ExtractAll and the CLI upload a fresh file per job and
	// set it. Only then may CreateJob adopt the job an ambiguous attempt
	// made; see CreateJob.
	OwnsFile bool
	// Extra holds members of the body this package does not model yet,
	// sent as they are (as ExtractConfig.Extra does for the
	// configuration). A member a field models is refused before anything
	// is sent.
	Extra map[string]any
}

// createBody is the body of CreateExtractJob (the API's
// ExtractV2JobCreate), with CreateJobRequest.Extra's members beside its
// own.
type createBody struct {
	FileInput        string                           `json:"file_input"`
	Configuration    *ExtractConfig                   `json:"configuration,omitempty" field:"Config"`
	ConfigurationID  string                           `json:"configuration_id,omitempty" field:"Config"`
	Webhooks         []generated.WebhookConfiguration `json:"webhook_configurations,omitempty"`
	WebhookConfigIDs []string                         `json:"webhook_configuration_ids,omitempty"`
	Extra            map[string]any                   `json:"-"`
}

// createBodyFields are the members createBody models, each with the field
// of CreateJobRequest that sets it.
var createBodyFields = jsonrest.FieldNames(reflect.TypeFor[createBody]())

func (b createBody) encode() ([]byte, error) {
	type fields createBody
	out, err := json.Marshal(fields(b))
	if err != nil {
		return nil, err
	}
	return jsonrest.AddExtra(out, b.Extra, createBodyFields, "CreateJobRequest")
}

// extraError is the *ValidationError of the first member of extra that
// cannot be sent (jsonrest.CheckExtra), named prefix+Extra["member"]; owner
// is the type whose fields model the members in fields.
func extraError(op, prefix string, extra map[string]any, fields map[string]string, owner string) error {
	if key, err := jsonrest.CheckExtra(extra, fields, owner); err != nil {
		return &ValidationError{Operation: op, Field: fmt.Sprintf("%sExtra[%q]", prefix, key), Reason: err.Error()}
	}
	return nil
}

// Webhook is an endpoint LlamaCloud notifies as a job changes status;
// package webhook verifies and parses the deliveries.
type Webhook struct {
	// URL receives the POSTs (required).
	URL string
	// Events selects the events to deliver (EventExtractSuccess, ...);
	// nil delivers all of them.
	Events []WebhookEvent
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

func (r CreateJobRequest) body() (createBody, error) {
	const op = opCreateJob
	in := strings.TrimSpace(r.FileInput)
	if in == "" {
		return createBody{}, &ValidationError{Operation: op, Field: "file_input", Reason: "required; upload the document with UploadFile and pass its id (dfl-...)"}
	}
	if !fileinput.IsID(in) {
		return createBody{}, &ValidationError{Operation: op, Field: "file_input", Reason: fmt.Sprintf("%q is neither a file id (dfl-...) nor a parse job id (pjb-...); to extract a file on disk use UploadFile first, or Extract", in)}
	}
	r.Config = configValue(r.Config)
	if r.Config == nil {
		return createBody{}, &ValidationError{Operation: op, Field: "configuration", Reason: "required; set Config to a wrapper.ExtractConfig{Schema: ...} or a wrapper.SavedConfig{ID: \"cfg-...\"}"}
	}
	if err := extraError(op, "", r.Extra, createBodyFields, "CreateJobRequest"); err != nil {
		return createBody{}, err
	}
	body := createBody{FileInput: in, Extra: r.Extra}
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
		body.Webhooks = hooks
	}
	body.WebhookConfigIDs = append([]string(nil), r.WebhookConfigIDs...)
	return body, nil
}

// Validate checks the request as CreateJob does before sending it, sending
// nothing: a helper that creates many jobs (package batch) refuses a bad
// configuration or webhook before its first upload.
func (r CreateJobRequest) Validate() error {
	_, err := r.body()
	return err
}

// CreateJob starts an extraction job. The request is checked before it is
// sent.
//
// The API has no idempotency key, so a create is sent again only when the
// failed attempt provably made no job: it never left, or the server
// answered 429, 503 or x-should-retry: true. After an ambiguous failure (a
// dropped connection, a timeout, a truncated or unusable 2xx answer, a 408,
// 409 or other 5xx) the client lists the jobs of FileInput and:
//
//   - ignores jobs it returned from other calls, jobs whose configuration
//     differs from the request (inline fields or configuration_id), and,
//     unless req.OwnsFile, jobs created before the attempt began, measured
//     on the server's clock (its Date header), so clock skew between client
//     and server changes nothing;
//   - with req.OwnsFile, adopts the oldest remaining job whose whole
//     configuration equals the request's: every job on a file this call
//     owns was made by this call, webhooks included (the API does not echo
//     webhooks back, so they are matched by ownership);
//   - without req.OwnsFile (a file ID others may share), never adopts: when
//     a job remains that may be this call's, it returns an
//     *AmbiguousCreateError (errors.Is(err, ErrAmbiguousCreate)) listing
//     the candidates, and the caller decides;
//   - when no job remains, sends the create again, within the retry
//     policy's MaxRetries; but when the listing was longer than recovery
//     reads (500 jobs, e.g. a server that ignored the file filter), it
//     returns an *AmbiguousCreateError instead: the job may be further on.
//
// An answer that is a job on another file than FileInput is not this
// create's job: an *AmbiguousCreateError wrapping an *InvalidResponseError.
//
// Concurrent creates in one Client never return the same job: creates on
// one file wait while a recovery on that file looks, and a job is recorded
// as taken before its create returns. Two Clients (or processes) never
// return the same job either, provided a file they share is never passed
// with OwnsFile.
//
// Limits: when ctx ends while a create is in flight, CreateJob returns the
// context's error without looking, and the job may exist. The time filter
// on a shared file assumes the server's Date header and its jobs'
// created_at come from clocks that agree to within a second; a front end
// running ahead can make a lost create look absent, and it is sent again. The service's
// list must show a job as soon as its create is answered (it does; an
// eventually consistent list would let a repeated create duplicate it).
func (c *Client) CreateJob(ctx context.Context, req CreateJobRequest) (*Job, error) {
	body, err := req.body()
	if err != nil {
		return nil, err
	}
	sent, err := body.encode()
	if err != nil {
		return nil, &ValidationError{Operation: opCreateJob, Field: "body", Reason: err.Error()}
	}
	params := &generated.CreateExtractJobParams{OrganizationId: c.org(), ProjectId: c.project()}
	file := c.creates.Acquire(body.FileInput)
	defer c.creates.Release(body.FileInput, file)
	var w jobWire[ignored]
	r := &createRecovery{c: c, body: body, sent: sent, owned: req.OwnsFile, file: file}
	err = c.do(ctx, callSpec{
		op:     opCreateJob,
		create: true,
		out:    &w,
		guard:  &file.Mu,
		onSuccess: func() {
			c.creates.Remember(w.ID)
		},
		recover: r.look,
	}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CreateExtractJobWithBody(ctx, params, jsonContent, bytes.NewReader(sent))
	})
	if err != nil {
		return nil, err
	}
	if r.adopted != nil {
		return r.adopted, nil
	}
	if w.FileInput != "" && w.FileInput != body.FileInput {
		// An answer about a job on another file (a front end that mixed
		// up answers) is not this create's job, and says nothing of
		// whether this create made one.
		return nil, &AmbiguousCreateError{Operation: opCreateJob, FileInput: body.FileInput,
			Err: &InvalidResponseError{Operation: opCreateJob, StatusCode: http.StatusOK, Reason: fmt.Sprintf("the answer is job %.80q on file %.80q, not on %s", w.ID, w.FileInput, body.FileInput)}}
	}
	return w.job(), nil
}

// ErrAmbiguousCreate matches an *AmbiguousCreateError with errors.Is.
var ErrAmbiguousCreate = errors.New("llamaextract: ambiguous create")

// AmbiguousCreateError is a create that may or may not have made a job,
// which CreateJob could not settle on its own: the file is shared (the
// request did not set OwnsFile) and jobs exist that may be this call's, or
// looking for them failed. Check the candidates (e.g. by their metadata or
// with a human) before creating again.
type AmbiguousCreateError struct {
	Operation string
	// FileInput is the request's file.
	FileInput string
	// Candidates are IDs of jobs on FileInput, newest first, created since
	// the attempt began (server clock), whose configuration matches or may
	// match the request, and which this client did not return to another
	// call. At most 20 are listed.
	Candidates []string
	// Err is the failure that left the create ambiguous.
	Err error
	// LookupErr is why listing the file's jobs failed, if it did.
	LookupErr error
}

func (e *AmbiguousCreateError) Error() string {
	msg := fmt.Sprintf("llamaextract: %s: the job may or may not exist (%v)", e.Operation, e.Err)
	if e.LookupErr != nil {
		return msg + fmt.Sprintf("; looking for it failed: %v", e.LookupErr)
	}
	return msg + fmt.Sprintf("; jobs on %s that may be this call's: %s; none was adopted because other callers may create jobs on a shared file (set CreateJobRequest.OwnsFile when this call uploaded it)",
		e.FileInput, strings.Join(e.Candidates, ", "))
}

// Unwrap returns the failure that left the create ambiguous.
func (e *AmbiguousCreateError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAmbiguousCreate) true.
func (e *AmbiguousCreateError) Is(target error) bool { return target == ErrAmbiguousCreate }

const (
	// maxCandidates bounds the jobs listed in an AmbiguousCreateError.
	maxCandidates = 20
	// recoveryPages bounds how many pages of a file's jobs recovery reads.
	recoveryPages = 5
	// clockMargin widens the server-clock window for timestamp rounding.
	clockMargin = time.Second
)

type createRecovery struct {
	c     *Client
	body  createBody
	sent  []byte
	owned bool
	file  *createguard.File
	// adopted is the job recovery found to be this call's.
	adopted *Job
}

// look is CreateJob's recovery after an ambiguous attempt that began at
// start: found means r.adopted holds the adopted job.
func (r *createRecovery) look(ctx context.Context, cause error, start time.Time) (bool, error) {
	c := r.c
	r.file.Mu.Lock()
	defer r.file.Mu.Unlock()
	jobs, err := r.list(ctx, start)
	truncated := errors.Is(err, errTooManyJobs)
	if truncated && r.owned {
		err = nil // every job on an owned file is this call's: any will do
	}
	if err != nil {
		return false, &AmbiguousCreateError{Operation: opCreateJob, FileInput: r.body.FileInput, Err: cause, LookupErr: err}
	}
	since, timed := c.serverClock.LowerBound(start)
	var exact, maybe []*Job
	for _, j := range jobs {
		// A listing is evidence, not proof: a server that ignored the
		// file_input filter lists other documents' jobs.
		if j.FileInput != r.body.FileInput || c.creates.IsKnown(j.ID) {
			continue
		}
		if !r.owned && timed && j.CreatedAt.Before(since.Add(-clockMargin)) {
			continue
		}
		switch r.compareConfig(j) {
		case createguard.Same:
			exact = append(exact, j)
		case createguard.MaybeSame:
			maybe = append(maybe, j)
		}
	}
	// On an owned file every job is this call's: one whose fields equal
	// every field the request set (the service fills in others, such as
	// the version it ran) is adopted, an exact match first.
	if r.owned && len(exact)+len(maybe) > 0 {
		pick := maybe
		if len(exact) > 0 {
			pick = exact
		}
		j := pick[len(pick)-1] // newest first: adopt the oldest
		c.creates.Remember(j.ID)
		r.adopted = j
		c.logger.DebugContext(ctx, "llamaextract adopted job after ambiguous create", "job", j.ID, "error", cause)
		return true, nil
	}
	if len(exact)+len(maybe) == 0 && truncated {
		// Recovery read only the first jobs listed (a server that ignored
		// the file filter lists other files' jobs): this call's job may
		// come after them, so sending again could make a second one.
		return false, &AmbiguousCreateError{Operation: opCreateJob, FileInput: r.body.FileInput, Err: cause, LookupErr: errTooManyJobs}
	}
	if len(exact)+len(maybe) == 0 {
		return false, nil // no job can be this attempt's: send again
	}
	ids := make([]string, 0, min(maxCandidates, len(exact)+len(maybe)))
	for _, j := range append(exact, maybe...) {
		if len(ids) == maxCandidates {
			break
		}
		ids = append(ids, j.ID)
	}
	return false, &AmbiguousCreateError{Operation: opCreateJob, FileInput: r.body.FileInput, Err: cause, Candidates: ids}
}

var errTooManyJobs = fmt.Errorf("llamaextract: more than %d jobs on the file since the attempt began", recoveryPages*recoveryPageSize)

// recoveryPageSize is the page size recovery lists with.
const recoveryPageSize = 100

// list reads the file's jobs with their configuration, newest first, from
// shortly before start (server clock) when the server's clock is known.
func (r *createRecovery) list(ctx context.Context, start time.Time) ([]*Job, error) {
	c := r.c
	fileInput, pageSize := r.body.FileInput, recoveryPageSize
	params := &generated.ListExtractJobsParams{OrganizationId: c.org(), ProjectId: c.project(),
		FileInput: &fileInput, PageSize: &pageSize, Expand: expandParam([]Expand{ExpandConfiguration})}
	if since, ok := c.serverClock.LowerBound(start); ok && !r.owned {
		// Wider than the final filter: the final bound comes from the
		// freshest Date, this one from an older reading.
		after := since.Add(-2 * clockMargin).UTC()
		params.CreatedAtOnOrAfter = &after
	}
	var out []*Job
	for j, err := range paginate(opListJobs, func(token string) (*ListPage[*Job], error) {
		params.PageToken = optString(token)
		return c.listJobsPage(ctx, params)
	}) {
		if err != nil {
			return nil, err
		}
		if len(out) == recoveryPages*recoveryPageSize {
			// Not having seen every job, recovery cannot say none is
			// this call's.
			return out, errTooManyJobs
		}
		out = append(out, j)
	}
	return out, nil
}

// compareConfig compares the whole configuration of the request and a job:
// the saved configuration's ID, or every inline member
// (createguard.CompareConfig).
func (r *createRecovery) compareConfig(j *Job) createguard.Match {
	if r.body.ConfigurationID != "" || j.ConfigurationID != "" {
		if j.ConfigurationID == r.body.ConfigurationID {
			return createguard.Same
		}
		return createguard.Different
	}
	return createguard.CompareConfig(r.sent, j.raw)
}
