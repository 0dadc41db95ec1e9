package wrapper

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

// JobFilter selects jobs for ListJobs and Jobs. The zero value selects all
// jobs of the client's project.
type JobFilter struct {
	Status          Status
	ConfigurationID string
	// FileInput selects jobs of one file (dfl-...) or parse job (pjb-...).
	FileInput string
	// DocumentInputType selects jobs by the kind of their input
	// (InputFileID or InputParseJobID); a kind no job has selects none.
	DocumentInputType InputKind
	JobIDs            []string
	// CreatedAfter and CreatedBefore bound created_at, inclusive.
	CreatedAfter, CreatedBefore time.Time
	Expand                      []Expand
	// PageSize is the number of jobs per request (server default when 0).
	PageSize int
}

// JobPage is one page of jobs, newest first.
type JobPage struct {
	Jobs []Job
	// NextPageToken fetches the next page; empty on the last page.
	NextPageToken string
	// TotalSize is the server's count of matching jobs, when it sent one
	// (possibly an estimate).
	TotalSize *int
}

func (f JobFilter) params(c *Client, pageToken string) (*generated.ListExtractJobsParams, error) {
	const op = "ListExtractJobs"
	p := &generated.ListExtractJobsParams{OrganizationId: c.org(), ProjectId: c.project()}
	if f.Status != "" {
		s := generated.JobStatusFilter(f.Status)
		if !s.Valid() {
			return nil, &ValidationError{Operation: op, Field: "status", Reason: "filter on PENDING, THROTTLED, RUNNING, COMPLETED, FAILED or CANCELLED, not " + string(f.Status)}
		}
		p.Status = &s
	}
	if f.PageSize < 0 {
		return nil, &ValidationError{Operation: op, Field: "page_size", Reason: "must be positive (0 for the server's default)"}
	}
	if f.PageSize > 0 {
		p.PageSize = &f.PageSize
	}
	p.ConfigurationId, p.FileInput = optString(f.ConfigurationID), optString(f.FileInput)
	p.DocumentInputType, p.PageToken = optString(string(f.DocumentInputType)), optString(pageToken)
	if len(f.JobIDs) > 0 {
		p.JobIds = &f.JobIDs
	}
	p.Expand = expandParam(f.Expand)
	if !f.CreatedAfter.IsZero() {
		t := f.CreatedAfter.UTC()
		p.CreatedAtOnOrAfter = &t
	}
	if !f.CreatedBefore.IsZero() {
		t := f.CreatedBefore.UTC()
		p.CreatedAtOnOrBefore = &t
	}
	return p, nil
}

// ListJobs returns one page of jobs; pass the previous page's NextPageToken
// to get the next. Jobs pages for you.
func (c *Client) ListJobs(ctx context.Context, f JobFilter, pageToken ...string) (*JobPage, error) {
	tok := ""
	if len(pageToken) > 0 {
		tok = pageToken[0]
	}
	params, err := f.params(c, tok)
	if err != nil {
		return nil, err
	}
	var page struct {
		Items         []Job   `json:"items"`
		NextPageToken *string `json:"next_page_token"`
		TotalSize     *int    `json:"total_size"`
	}
	if err := c.call(ctx, "ListExtractJobs", func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListExtractJobs(ctx, params)
	}, &page); err != nil {
		return nil, err
	}
	out := &JobPage{Jobs: page.Items, TotalSize: page.TotalSize}
	if page.NextPageToken != nil {
		out.NextPageToken = *page.NextPageToken
	}
	return out, nil
}

// Jobs iterates over every job matching f, newest first, fetching pages as
// it goes and holding one page in memory at a time. It repeats the filter on
// every page and stops after a page without a next token or without items.
// An error ends the iteration after being yielded.
//
//	for job, err := range client.Jobs(ctx, wrapper.JobFilter{Status: wrapper.StatusFailed}) {
//		if err != nil { return err }
//		fmt.Println(job.Id)
//	}
func (c *Client) Jobs(ctx context.Context, f JobFilter) iter.Seq2[Job, error] {
	return func(yield func(Job, error) bool) {
		tok := ""
		for {
			page, err := c.ListJobs(ctx, f, tok)
			if err != nil {
				yield(Job{}, err)
				return
			}
			for _, j := range page.Jobs {
				if !yield(j, nil) {
					return
				}
			}
			if page.NextPageToken == "" || len(page.Jobs) == 0 {
				return
			}
			tok = page.NextPageToken
		}
	}
}
