package batch

import (
	"context"
	"iter"

	"github.com/extract-go/llamaextract/wrapper"
)

// Result is one RunAll outcome.
type Result struct {
	// Index is the request's position in the input.
	Index int
	// Job is the job, when one was created.
	Job *wrapper.Job
}

// RunAll creates a job for each request and waits for them, yielding each
// as it finishes (completion order) with nil or the reason it failed (a
// *wrapper.JobError for a FAILED job). Creates are paced by an adaptive
// rate (see WithCreateRate): a 429 slows the batch down and the refused
// create waits its turn again, so rate limits never fail a request. Waits
// are bounded by WithConcurrency. When the batch ends early the last pair
// is a zero Result with a *StoppedError (errors.Is(err, ErrStopped))
// listing the requests not done.
func RunAll(ctx context.Context, c *wrapper.Client, reqs []wrapper.CreateJobRequest, opts ...RunOption) iter.Seq2[Result, error] {
	s, err := newSettings(opts, RunOption.applyRun)
	if err != nil {
		return func(yield func(Result, error) bool) {
			stop := &StoppedError{Cause: err, Unread: true}
			listRest(stop, len(reqs), func(int) string { return "" })
			yield(Result{}, stop)
		}
	}
	e := newEngine(c, s, nil)
	tasks := func(yield func(task) bool) {
		for i := range reqs {
			if !yield(task{in: Input{Index: i}, req: &reqs[i]}) {
				return
			}
		}
	}
	work := func(ctx, createCtx context.Context, t task) outcome[Result] {
		o := outcome[Result]{in: t.in, r: Result{Index: t.in.Index}}
		job, err := e.create(ctx, createCtx, *t.req, func() error { return nil })
		if err != nil {
			if stopped(ctx, createCtx, err) {
				return o.abort()
			}
			return o.failed(err, isFatal(err))
		}
		o.r.Job = job
		final, err := e.wait(ctx, job)
		if final != nil {
			o.r.Job = final
		}
		if err != nil {
			if ctx.Err() != nil {
				return o.abort()
			}
			return o.failed(err, isFatal(err))
		}
		return o
	}
	return func(yield func(Result, error) bool) {
		for r, err := range run(ctx, e, tasks, work) {
			listRest(err, len(reqs), func(int) string { return "" })
			if !yield(r, err) {
				return
			}
		}
	}
}
