package wrapper

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/configcheck"
	"github.com/extract-go/llamaextract/internal/jsonrest"
)

// JobFilter selects jobs for Jobs and ListJobs. The zero value selects all
// jobs of the client's project.
type JobFilter struct {
	Status          Status
	ConfigurationID string
	// FileInput selects the jobs of one file (dfl-...) or parse job
	// (pjb-...).
	FileInput string
	// DocumentInputType selects jobs by the kind of their input
	// (InputFileID or InputParseJobID); a kind no job has selects none.
	DocumentInputType InputKind
	JobIDs            []string
	// CreatedAfter and CreatedBefore bound created_at, inclusive.
	CreatedAfter, CreatedBefore time.Time
	// PageSize is the number of jobs per request (server default when 0).
	PageSize int
	// PageToken is where ListJobs starts: a previous page's NextPageToken.
	// Jobs ignores it.
	PageToken string
}

func (f JobFilter) params(c *Client, expand []Expand) (*generated.ListExtractJobsParams, error) {
	p := &generated.ListExtractJobsParams{OrganizationId: c.org(), ProjectId: c.project()}
	if f.Status != "" {
		s := generated.JobStatusFilter(f.Status)
		if !f.Status.Known() {
			return nil, &ValidationError{Operation: opListJobs, Field: "status", Reason: "filter on " + configcheck.Listed(generated.JobStatusFilterValues()) + ", not " + string(f.Status)}
		}
		p.Status = &s
	}
	if f.PageSize < 0 {
		return nil, &ValidationError{Operation: opListJobs, Field: "page_size", Reason: "must be positive (0 for the server's default)"}
	}
	if f.PageSize > 0 {
		n := f.PageSize
		p.PageSize = &n
	}
	p.ConfigurationId, p.FileInput = optString(f.ConfigurationID), optString(f.FileInput)
	p.DocumentInputType, p.PageToken = optString(string(f.DocumentInputType)), optString(f.PageToken)
	if len(f.JobIDs) > 0 {
		ids := append([]string(nil), f.JobIDs...)
		p.JobIds = &ids
	}
	p.Expand = expandParam(expand)
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

// ListJobs returns one page of jobs, newest first, starting at
// f.PageToken. Jobs pages for you. It reads WithExpand.
func (c *Client) ListJobs(ctx context.Context, f JobFilter, opts ...ListOption) (*ListPage[*Job], error) {
	params, err := f.params(c, listExpand(opts))
	if err != nil {
		return nil, err
	}
	return c.listJobsPage(ctx, params)
}

// Jobs iterates over every job matching f, newest first, fetching pages as
// the loop needs them and holding one page in memory at a time. An error
// (including a server that repeats a page token) is yielded and ends the
// iteration. It reads WithExpand.
//
//	for job, err := range client.Jobs(ctx, wrapper.JobFilter{Status: wrapper.StatusFailed}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(job.ID, job.ErrorMessage)
//	}
func (c *Client) Jobs(ctx context.Context, f JobFilter, opts ...ListOption) iter.Seq2[*Job, error] {
	return paginate(opListJobs, func(token string) (*ListPage[*Job], error) {
		f.PageToken = token
		return c.ListJobs(ctx, f, opts...)
	})
}

// listJobsPage fetches one page of jobs. Each job keeps the members of its
// JSON that Job's fields do not model (the result, metadata, usage and
// members this package does not know), copied out of the page's body, so a
// job kept holds nothing of the others.
func (c *Client) listJobsPage(ctx context.Context, params *generated.ListExtractJobsParams) (*ListPage[*Job], error) {
	w, err := request[pageWire[*jobWire[heldValue]]](ctx, c, opListJobs, pathID{}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListExtractJobs(ctx, params)
	})
	if err != nil {
		return nil, err
	}
	rests, ok := jsonrest.ItemRests(w.body, jobNameSet, configNameSet, func(i int, member string) []byte {
		if i >= len(w.Items) || w.Items[i] == nil {
			return nil // a repeated "items" member: encoding/json kept the last
		}
		switch it := w.Items[i]; {
		case member == memberExtractResult:
			return it.ExtractResult
		case it.Configuration != nil:
			return it.Configuration.Schema.raw
		}
		return nil
	})
	if !ok || len(rests) != len(w.Items) {
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(w.body, &p); err != nil || len(p.Items) != len(w.Items) {
			return nil, &InvalidResponseError{Operation: opListJobs, StatusCode: http.StatusOK, Reason: "cannot tell the page's items apart", Err: err}
		}
		rests = rests[:0]
		for _, it := range p.Items {
			rests = append(rests, jsonrest.Rest(it, jobNameSet, configNameSet))
		}
	}
	items := make([]*Job, len(w.Items))
	for i, it := range w.Items {
		it.raw, it.ExtractResult = rests[i], nil // the job holds nothing of the page
		items[i] = it.job()
	}
	return &ListPage[*Job]{Items: items, NextPageToken: deref(w.NextPageToken), TotalSize: w.TotalSize}, nil
}
