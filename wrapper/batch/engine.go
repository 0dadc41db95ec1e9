package batch

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/wrapper"
)

// Progress counts a batch's documents so far.
type Progress struct {
	// Done counts documents finished in this run (Failed among them).
	Done, Failed int
	// Skipped counts documents already done in an earlier run (WithState);
	// SkippedFailed counts those among them that had failed.
	Skipped, SkippedFailed int
	// Starting counts documents being read, uploaded or created; Running
	// counts documents whose job exists and is being waited on.
	Starting, Running int
	// Unknown counts, by status, the documents whose job is in a status
	// the client does not know (not wrapper.Status.Known): running ones,
	// and after a stop the ones it cut short. Their waits go on, as the
	// API says, but a batch that never ends can name them.
	Unknown map[wrapper.Status]int
	// Created counts jobs created in this run; Adopted counts jobs of an
	// earlier run re-attached to.
	Created, Adopted int
	// RateLimited counts 429 answers the batch waited out.
	RateLimited int
	// CreateRate is the current adaptive create rate, per second.
	CreateRate float64
}

// task is one input as the engine feeds it to the work function.
type task struct {
	in  Input
	key string                    // the journal's key (Run)
	req *wrapper.CreateJobRequest // RunAll
}

// outcome is what one task's work produced.
type outcome[R any] struct {
	in Input
	r  R
	// err is the item's failure, yielded with it; fatal stops the batch.
	err   error
	fatal bool
	// skip: done in an earlier run; aborted: stopped before it finished
	// (not yielded, resumable); untouched: aborted before anything was
	// read or sent.
	skip, aborted, untouched bool
	// key, hash, jobID: what the journal records when it is delivered.
	key, hash, jobID string
}

func (o outcome[R]) failed(err error, fatal bool) outcome[R] {
	o.err, o.fatal = err, fatal
	if fatal {
		o.aborted = true
	}
	return o
}

func (o outcome[R]) abort() outcome[R] { o.aborted = true; return o }

// unsure leaves the document unfinished because its job may exist and
// could not be found (err says why): failing it would leave that job's
// result unread, and a retry of the failed would bill a second job. The
// next run looks for the job again.
func (o outcome[R]) unsure(err error) outcome[R] {
	o.aborted, o.err = true, err
	return o
}

// engine holds what the documents of one batch share.
type engine struct {
	c       *wrapper.Client
	s       settings
	lim     *createLimiter
	uploads chan struct{}
	journal *batchstate.Journal

	done, failed, skipped, skippedFailed, starting, running, created, adopted, limited429 atomic.Int64

	mu      sync.Mutex
	unknown map[wrapper.Status]int
}

func newEngine(c *wrapper.Client, s settings, journal *batchstate.Journal) *engine {
	return &engine{c: c, s: s, lim: newCreateLimiter(c.Clock(), s.createRate), uploads: make(chan struct{}, uploadSlots), journal: journal}
}

func (e *engine) progress() Progress {
	rate, refused := e.lim.snapshot()
	p := Progress{
		Done: int(e.done.Load()), Failed: int(e.failed.Load()), Skipped: int(e.skipped.Load()), SkippedFailed: int(e.skippedFailed.Load()),
		Starting: int(e.starting.Load()), Running: int(e.running.Load()),
		Created: int(e.created.Load()), Adopted: int(e.adopted.Load()),
		RateLimited: refused + int(e.limited429.Load()), CreateRate: rate,
	}
	e.mu.Lock()
	if len(e.unknown) > 0 {
		p.Unknown = maps.Clone(e.unknown)
	}
	e.mu.Unlock()
	return p
}

// track moves a document from status *last to now in the counts of
// unknown statuses; now "" takes it out.
func (e *engine) track(last *wrapper.Status, now wrapper.Status) {
	if *last == now {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if *last != "" && !last.Known() {
		if e.unknown[*last]--; e.unknown[*last] <= 0 {
			delete(e.unknown, *last)
		}
	}
	if now != "" && !now.Known() {
		if e.unknown == nil {
			e.unknown = map[wrapper.Status]int{}
		}
		e.unknown[now]++
	}
	*last = now
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxRetryAfter caps one wait a 429 asks for.
const maxRetryAfter = time.Minute

// paced marks ctx so that the client waits out every 429 a request of this
// document gets, as long as the server asks (or a growing pause when it
// does not say), without spending the retry policy's retries: a 429 proves
// the request was refused, so sending it again is always safe.
func (e *engine) paced(ctx context.Context) context.Context {
	n := 0
	return wrapper.WithRateLimitPacer(ctx, func(ctx context.Context, d time.Duration) error {
		e.limited429.Add(1)
		if d <= 0 {
			d = 250 * time.Millisecond << min(n, 7)
			n++
		}
		return sleep(ctx, e.c.Clock(), min(d, maxRetryAfter))
	})
}

// create sends a create at the adaptive rate: a 429 slows the rate down
// and the create waits its turn again (the client sends it again without
// spending a retry). intent runs before the create is sent. Creation stops
// before sending when createCtx ends (a drain); a create already sent is
// seen through with ctx.
func (e *engine) create(ctx, createCtx context.Context, req wrapper.CreateJobRequest, intent func() error) (*wrapper.Job, error) {
	e.starting.Add(1)
	defer e.starting.Add(-1)
	if err := e.lim.wait(createCtx); err != nil {
		return nil, err
	}
	if err := intent(); err != nil {
		return nil, err
	}
	pace := wrapper.WithRateLimitPacer(ctx, func(_ context.Context, d time.Duration) error {
		e.lim.refused(e.c.Clock().Now(), min(d, maxRetryAfter))
		return e.lim.wait(createCtx)
	})
	job, err := e.c.CreateJob(pace, req)
	if err != nil {
		return nil, err
	}
	e.lim.accepted(e.c.Clock().Now())
	e.created.Add(1)
	return job, nil
}

// stopped reports whether err means the batch stopped while the document
// was starting (its context ended, or a drain stopped creating): the
// document is aborted, not failed.
func stopped(ctx, createCtx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	return createCtx.Err() != nil && (errors.Is(err, createCtx.Err()) || errors.Is(err, wrapper.ErrRateLimited))
}

// wait waits for a job with the batch's wait options, tracking unknown
// statuses.
func (e *engine) wait(ctx context.Context, job *wrapper.Job) (*wrapper.Job, error) {
	e.running.Add(1)
	defer e.running.Add(-1)
	var last wrapper.Status
	// OnStatus runs on this goroutine, before Wait returns.
	opts := append(slices.Clip(e.s.wait), wrapper.OnStatus(func(j *wrapper.Job) { e.track(&last, j.Status) }))
	final, err := e.c.Wait(e.paced(ctx), job.ID, opts...)
	if ctx.Err() == nil {
		// A document cut short by a stop stays counted in the status it
		// was held in, so that the stopped batch's Progress names it.
		e.track(&last, "")
	}
	return final, err
}

// isFatal reports whether a failure would be every document's, so that
// the batch stops (resumably) instead of failing them one by one.
func isFatal(err error) bool {
	var api *wrapper.APIError
	if errors.As(err, &api) {
		switch api.StatusCode {
		case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden:
			return true
		}
		return false
	}
	var conn *wrapper.ConnectionError
	return errors.As(err, &conn)
}

// recordDone journals a delivered document.
func (e *engine) recordDone(key, hash, jobID string, failure error) error {
	if e.journal == nil || key == "" {
		return nil
	}
	status := "ERROR"
	var je *wrapper.JobError
	switch {
	case failure == nil:
		status = string(wrapper.StatusCompleted)
	case errors.As(failure, &je):
		status = string(je.Job.Status)
	}
	var mark *int64
	if e.s.mark != nil {
		m := e.s.mark()
		mark = &m
	}
	if err := e.journal.Finished(key, hash, jobID, status, failure != nil, mark); err != nil {
		return fmt.Errorf("llamaextract: %w", err)
	}
	return nil
}

// run feeds tasks to work with at most the batch's concurrency in flight
// and yields outcomes as they come; a batch that ends early yields a
// *StoppedError last.
func run[R any](ctx context.Context, e *engine, tasks iter.Seq[task], work func(ctx, createCtx context.Context, t task) outcome[R]) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		r := newRunner[R](ctx, e)
		defer r.close()
		go r.feed(tasks, work)
		if !r.deliver(yield) {
			return
		}
		if stop := r.stopError(); stop != nil {
			var zero R
			yield(zero, stop)
		}
	}
}
