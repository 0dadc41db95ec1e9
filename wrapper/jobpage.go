package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
)

// A page of listed jobs is decoded in the body's single pass straight into
// Job values, with no wire value beside each job: the wire value (232 bytes
// a job, and one more allocation) was what kept listing above plain
// encoding/json. encoding/json decodes into a Job only if it finds one
// there, so the page is decoded into a slice whose capacity already holds,
// for every job the page is expected to have, a pointer to a jobInto aimed
// at a staged Job: json decodes an element within a slice's capacity in
// place and follows a non-nil pointer instead of allocating. Each staged
// Job is then copied into an allocation of its own, so a job the caller
// keeps keeps nothing else alive. The staging is pooled per Client and
// cleared after each page.

// The staging's size: the service's default page size, or the one asked
// for up to the service's maximum. Jobs beyond it (a server that sends more
// than asked) are decoded through jobInto values json allocates.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// pageState is the staging of one page decode.
type pageState struct {
	staged []Job
	into   []jobInto
	ptrs   []*jobInto
	// n is how many entries the page in hand may use: a staging pooled
	// after a page of 1000 serves pages of 50 too, and aiming and clearing
	// all of it cost such a page about a fifth more time.
	n int
	// body is the buffer the last page was read into, lent to the next
	// (see bodyReuser): a listing reads all its pages into one buffer.
	body []byte
}

// prepare readies s for a page of up to n jobs.
func (s *pageState) prepare(n int) {
	if len(s.staged) < n {
		s.staged = make([]Job, n)
		s.into = make([]jobInto, n)
		s.ptrs = make([]*jobInto, n)
	}
	s.n = n
	for i := range n {
		s.into[i].aim(&s.staged[i])
		s.ptrs[i] = &s.into[i]
	}
}

// items is the empty slice a page's items are decoded into: its capacity
// is the n prepared entries, so that json decodes into no other (the
// items after them are values json allocates).
func (s *pageState) items() []*jobInto { return s.ptrs[:0:s.n] }

// release clears what a page left in s, so that the pool holds none of its
// strings or raw values.
func (s *pageState) release() {
	clear(s.staged[:s.n])
	clear(s.into[:s.n])
	clear(s.ptrs[:s.n])
	s.n = 0
}

// pageInto is a page as the API sends it, its items decoded through jobInto.
type pageInto struct {
	Items         []*jobInto `json:"items"`
	NextPageToken *string    `json:"next_page_token"`
	TotalSize     *int       `json:"total_size"`
	body          []byte
	state         *pageState
}

func (p *pageInto) reuseBody() []byte { return p.state.body }

// keepBody takes the buffer doCall read the body into: validate reads it,
// and the next page of the listing is read into it.
func (p *pageInto) keepBody(b []byte) {
	p.body = b
	if cap(b) <= maxReusedBody {
		p.state.body = b
	}
}

func (p *pageInto) validate() error {
	switch {
	case p.Items == nil: // null
		return errors.New("page without items")
	case len(p.Items) == 0:
		// The staged slice, untouched because the body has no items
		// member, looks like an empty array here: ask the body. Only an
		// empty page pays for this, and an empty page is short.
		var probe struct {
			Items json.RawMessage `json:"items"`
		}
		if json.Unmarshal(p.body, &probe) != nil || probe.Items == nil {
			return errors.New("page without items")
		}
	}
	return nil
}

// listJobsPage fetches one page of jobs.
func (c *Client) listJobsPage(ctx context.Context, params *generated.ListExtractJobsParams) (*ListPage[*Job], error) {
	s, _ := c.jobPages.Get().(*pageState)
	if s == nil {
		s = new(pageState)
	}
	defer func() {
		s.release()
		c.jobPages.Put(s)
	}()
	n := defaultPageSize
	if params.PageSize != nil && *params.PageSize > 0 {
		n = min(*params.PageSize, maxPageSize)
	}
	s.prepare(n)
	// Only a body that broke off is retried, and it never reaches the
	// decoder: the staging is decoded into at most once.
	p := &pageInto{Items: s.items(), state: s}
	err := c.call(ctx, opListJobs, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListExtractJobs(ctx, params)
	}, p)
	if err != nil {
		return nil, err
	}
	items := make([]*Job, len(p.Items))
	for i, it := range p.Items {
		j, err := s.job(i, it)
		if err != nil {
			return nil, &InvalidResponseError{Operation: opListJobs, StatusCode: http.StatusOK, Reason: fmt.Sprintf("items[%d]: %v", i, err)}
		}
		items[i] = j
	}
	return &ListPage[*Job]{Items: items, NextPageToken: deref(p.NextPageToken), TotalSize: p.TotalSize}, nil
}

// job takes item i out of the page: a copy of its staged Job, or, for an
// item beyond the staging, a Job built from the values json allocated.
func (s *pageState) job(i int, it *jobInto) (*Job, error) {
	if it == nil {
		return nil, errors.New("null job")
	}
	j := new(Job)
	if i < s.n && it == &s.into[i] {
		*j = s.staged[i]
		it.late(j, &s.staged[i])
	} else {
		it.copyTo(j)
	}
	if err := validJob(j.ID, j.Status); err != nil {
		return nil, err
	}
	j.Configuration = (*ExtractConfig)(it.Configuration)
	return j, nil
}

// jobInto decodes a job's members into a Job its fields point into (aim).
// encoding/json decodes into what a non-nil pointer points to and sets the
// pointer, not its target, to nil on a JSON null, which leaves the Job's
// zero value: what Job holds for absent.
type jobInto struct {
	ID              *string          `json:"id"`
	Status          *Status          `json:"status"`
	FileInput       *string          `json:"file_input"`
	ConfigurationID *string          `json:"configuration_id"`
	ProjectID       *string          `json:"project_id"`
	ErrorMessage    *string          `json:"error_message"`
	CreatedAt       timeInto         `json:"created_at"`
	UpdatedAt       timeInto         `json:"updated_at"`
	Configuration   *configDecode    `json:"configuration"`
	ExtractResult   *json.RawMessage `json:"extract_result"`
	ExtractMetadata *json.RawMessage `json:"extract_metadata"`
	Metadata        *json.RawMessage `json:"metadata"`
	Usage           *json.RawMessage `json:"usage"`
}

// aim points d at j.
func (d *jobInto) aim(j *Job) {
	*d = jobInto{
		ID: &j.ID, Status: &j.Status, FileInput: &j.FileInput, ConfigurationID: &j.ConfigurationID,
		ProjectID: &j.ProjectID, ErrorMessage: &j.ErrorMessage,
		CreatedAt: timeInto{&j.CreatedAt}, UpdatedAt: timeInto{&j.UpdatedAt},
		ExtractResult: &j.result, ExtractMetadata: &j.extractMetadata, Metadata: &j.metadata, Usage: &j.usage,
	}
}

// late corrects j, a copy of the staged Job st that d was aimed at, for
// members that came more than once (encoding/json takes the last, and
// matches names without case): a null sets d's pointer to nil, so a value
// after it is decoded into memory of its own, not into st; and a raw
// member whose last value was null is absent, as it is in respWire.
// Without it, "extract_result":null followed by a result listed the job
// without its result. (A string member whose last value is null keeps
// the value it had at its first null: respWire keeps the last value
// before the last null; both are what encoding/json does with such a
// pointer and such a string.)
func (d *jobInto) late(j, st *Job) {
	lateValue(d.ID, &st.ID, &j.ID)
	lateValue(d.Status, &st.Status, &j.Status)
	lateValue(d.FileInput, &st.FileInput, &j.FileInput)
	lateValue(d.ConfigurationID, &st.ConfigurationID, &j.ConfigurationID)
	lateValue(d.ProjectID, &st.ProjectID, &j.ProjectID)
	lateValue(d.ErrorMessage, &st.ErrorMessage, &j.ErrorMessage)
	lateRaw(d.ExtractResult, &st.result, &j.result)
	lateRaw(d.ExtractMetadata, &st.extractMetadata, &j.extractMetadata)
	lateRaw(d.Metadata, &st.metadata, &j.metadata)
	lateRaw(d.Usage, &st.usage, &j.usage)
}

// lateValue sets *dst to the value p points to when json moved p away
// from aimed (a value after a null).
func lateValue[T any](p, aimed, dst *T) {
	if p != nil && p != aimed {
		*dst = *p
	}
}

// lateRaw is lateValue for a raw member, which a last null makes absent.
func lateRaw(p, aimed, dst *json.RawMessage) {
	switch {
	case p == nil:
		*dst = nil
	case p != aimed:
		*dst = present(*p)
	}
}

// copyTo sets j from a jobInto json allocated (not aimed at a Job).
func (d *jobInto) copyTo(j *Job) {
	*j = Job{ID: deref(d.ID), Status: deref(d.Status), FileInput: deref(d.FileInput), ConfigurationID: deref(d.ConfigurationID),
		ProjectID: deref(d.ProjectID), ErrorMessage: deref(d.ErrorMessage),
		CreatedAt: d.CreatedAt.time(), UpdatedAt: d.UpdatedAt.time(),
		result: deref(d.ExtractResult), extractMetadata: deref(d.ExtractMetadata), metadata: deref(d.Metadata), usage: deref(d.Usage)}
}

// timeInto decodes a timestamp as llamaextract.Time does (leniently) into
// the time.Time it points to, or one of its own.
type timeInto struct{ t *time.Time }

func (ti *timeInto) UnmarshalJSON(b []byte) error {
	var t llamaextract.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	if ti.t == nil {
		ti.t = new(time.Time)
	}
	*ti.t = t.Time
	return nil
}

func (ti timeInto) time() time.Time { return deref(ti.t) }
