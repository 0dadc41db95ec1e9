package specdrift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Tour drives a read-mostly tour of the API and checks every request and
// response with a Checker: a page of jobs, files and configurations, the
// newest job with every expand, a file, a configuration, a job that does
// not exist (the 404's body), and a schema validation. With Create it also
// uploads a tiny document, runs one extraction to the end (which costs
// credits), reads the job back, and deletes both.
type Tour struct {
	// BaseURL is the API's base URL, e.g. https://api.cloud.llamaindex.ai.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>"; it appears in no
	// Report.
	APIKey string
	// ProjectID and OrganizationID, when set, are sent as the query
	// parameters of every operation that takes them.
	ProjectID, OrganizationID string
	// HTTPClient sends the requests (default: 60 s per request). Redirects
	// are never followed: a 3xx is reported as an undocumented status.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// Create adds the upload and the extraction.
	Create bool
	// PollInterval is the time between polls of the created job (default
	// 2 s); WaitTimeout ends the wait (default 10 minutes), and the job is
	// then cancelled.
	PollInterval, WaitTimeout time.Duration
	// Sleep waits between polls (default: a timer); tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, gets one line per request.
	Progress io.Writer
}

// FailureError ends a tour that could not talk to the API: the network
// failed, or the key was refused (401, 403).
type FailureError struct {
	Operation string
	Status    int
	Err       error
	// secret is the API key, cut from the message: the operation and a
	// network error name a path built from ids the server chose.
	secret string
}

func (e *FailureError) Error() string {
	if e.Status != 0 {
		return cutSecret(fmt.Sprintf("llamaextract: spec check: %s answered %d: the API key was refused (check LLAMA_CLOUD_API_KEY and --base-url)", e.Operation, e.Status), e.secret)
	}
	return cutSecret(fmt.Sprintf("llamaextract: spec check: %s: %v", e.Operation, e.Err), e.secret)
}

// cutError is an error whose message has the key cut.
type cutError struct {
	err    error
	secret string
}

func (e *cutError) Error() string { return cutSecret(e.err.Error(), e.secret) }
func (e *cutError) Unwrap() error { return e.err }

func (e *FailureError) Unwrap() error { return e.Err }

// Paths of the operations the tour sends.
const (
	jobsPath       = "/api/v2/extract"
	filesPath      = "/api/v1/beta/files"
	configsPath    = "/api/v1/beta/configurations"
	validatePath   = "/api/v2/extract/schema/validation"
	missingJobID   = "ext-00000000-0000-0000-0000-000000000000"
	maxAnswerBytes = 32 << 20
	// cleanupTimeout bounds the deletes after a tour that ended early.
	cleanupTimeout = 30 * time.Second
)

// tourSchema is the small data schema the tour validates and extracts with.
const tourSchema = `{"type":"object","properties":{"invoice_number":{"type":"string","description":"Invoice number"},"total":{"type":"number","description":"Amount due"}}}`

// tourDocument is the tiny document uploaded with Create.
const tourDocument = "Invoice Number: SPEC-CHECK-1\nVendor: llamaextract spec check\nTotal: 1.00\n"

// terminalStatuses end a wait; openapi.yaml's ExtractV2Job.status names
// them as the terminal ones.
var terminalStatuses = map[string]bool{"COMPLETED": true, "FAILED": true, "CANCELLED": true}

// Run drives the tour. The Report holds what was checked up to the point a
// *FailureError, if any, ended it.
func (t *Tour) Run(ctx context.Context) (*Report, error) {
	s := &session{t: t, c: NewChecker(), base: strings.TrimRight(t.BaseURL, "/")}
	if u, err := url.Parse(s.base); err == nil {
		s.c.basePath = u.Path
	}
	err := s.tour(ctx)
	var fe *FailureError
	switch {
	case errors.As(err, &fe):
		fe.secret = t.APIKey
	case err != nil:
		err = &cutError{err: err, secret: t.APIKey}
	}
	rep := &Report{BaseURL: t.BaseURL, SpecVersion: s.c.doc.Info.Version, Created: t.Create,
		Requests: s.c.Exchanges(), Findings: s.c.Findings(), Complete: err == nil, secret: t.APIKey}
	if err != nil {
		rep.Error = err.Error()
	}
	return rep, err
}

// session is one run of a Tour.
type session struct {
	t    *Tour
	c    *Checker
	base string
}

func (s *session) tour(ctx context.Context) (err error) {
	jobs, err := s.get(ctx, jobsPath, pageQuery())
	if err != nil {
		return err
	}
	files, err := s.get(ctx, filesPath, pageQuery())
	if err != nil {
		return err
	}
	configs, err := s.get(ctx, configsPath, pageQuery())
	if err != nil {
		return err
	}
	jobID, fileID, configID := firstID(jobs), firstID(files), firstID(configs)
	if s.t.Create {
		fileID, jobID, err = s.extract(ctx)
		defer func() { err = s.cleanup(ctx, jobID, fileID, err) }()
		if err != nil {
			return err
		}
	}
	return s.reads(ctx, jobID, fileID, configID)
}

// cleanup deletes the job and the file the tour created, also when the
// tour ended early (a dropped connection, Ctrl-C during the wait): then on
// a context of its own, bounded, and the tour's own failure is the one
// returned.
func (s *session) cleanup(ctx context.Context, jobID, fileID string, failed error) error {
	if failed != nil {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		ctx = c
	}
	for _, d := range []struct{ path, id string }{{jobsPath, jobID}, {filesPath, fileID}} {
		if d.id == "" {
			continue
		}
		if _, err := s.send(ctx, http.MethodDelete, d.path+"/"+url.PathEscape(d.id), nil, "", nil); err != nil && failed == nil {
			failed = err
		}
	}
	return failed
}

// reads gets one job with every expand, a file and a configuration, then a
// job that does not exist and a schema validation.
func (s *session) reads(ctx context.Context, jobID, fileID, configID string) error {
	if jobID != "" {
		q := url.Values{"expand": Expands()}
		if _, err := s.get(ctx, jobsPath+"/"+url.PathEscape(jobID), q); err != nil {
			return err
		}
	}
	if fileID != "" {
		if _, err := s.get(ctx, filesPath+"/"+url.PathEscape(fileID), nil); err != nil {
			return err
		}
	}
	if configID != "" {
		if _, err := s.get(ctx, configsPath+"/"+url.PathEscape(configID), nil); err != nil {
			return err
		}
	}
	if _, err := s.get(ctx, jobsPath+"/"+missingJobID, nil); err != nil {
		return err
	}
	body := []byte(`{"data_schema":` + tourSchema + `}`)
	_, err := s.send(ctx, http.MethodPost, validatePath, nil, "application/json", body)
	return err
}

// extract uploads the tiny document, creates a job and waits for it.
func (s *session) extract(ctx context.Context) (fileID, jobID string, err error) {
	ctype, body, err := uploadBody()
	if err != nil {
		return "", "", err
	}
	file, err := s.send(ctx, http.MethodPost, filesPath, nil, ctype, body)
	if err != nil {
		return "", "", err
	}
	fileID = stringAt(file, "id")
	if fileID == "" {
		return "", "", nil
	}
	create, err := json.Marshal(map[string]any{"file_input": fileID, "configuration": map[string]any{
		"data_schema": json.RawMessage(tourSchema), "extraction_target": "per_doc", "tier": "cost_effective"}})
	if err != nil {
		return fileID, "", err
	}
	job, err := s.send(ctx, http.MethodPost, jobsPath, nil, "application/json", create)
	if err != nil {
		return fileID, "", err
	}
	jobID = stringAt(job, "id")
	if jobID == "" {
		return fileID, "", nil
	}
	return fileID, jobID, s.wait(ctx, jobID)
}

// wait polls the job until a terminal status; past WaitTimeout it cancels
// the job.
func (s *session) wait(ctx context.Context, jobID string) error {
	interval, limit := s.t.PollInterval, s.t.WaitTimeout
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if limit <= 0 {
		limit = 10 * time.Minute
	}
	sleep := s.t.Sleep
	if sleep == nil {
		sleep = sleepTimer
	}
	at := jobsPath + "/" + url.PathEscape(jobID)
	for waited := time.Duration(0); waited < limit; waited += interval {
		job, err := s.get(ctx, at, nil)
		if err != nil {
			return err
		}
		if terminalStatuses[stringAt(job, "status")] {
			return nil
		}
		if err := sleep(ctx, interval); err != nil {
			return &FailureError{Operation: "waiting for the job", Err: err}
		}
	}
	_, err := s.send(ctx, http.MethodPost, at+"/cancel", nil, "", nil)
	return err
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func uploadBody() (ctype string, body []byte, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("file", "spec-check.txt")
	if err == nil {
		_, err = io.WriteString(part, tourDocument)
	}
	if err == nil {
		err = mw.WriteField("purpose", "extract")
	}
	if err == nil {
		err = mw.Close()
	}
	return mw.FormDataContentType(), buf.Bytes(), err
}

func pageQuery() url.Values { return url.Values{"page_size": {"5"}} }

func (s *session) get(ctx context.Context, path string, q url.Values) (any, error) {
	return s.send(ctx, http.MethodGet, path, q, "", nil)
}
