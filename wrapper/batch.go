package wrapper

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/time/rate"
)

// BatchOptions tune RunAll and ExtractAll.
type BatchOptions struct {
	// Concurrency is how many items run at once (default 8).
	Concurrency int
	// CreatesPerSecond limits job creation on the client side (default 10;
	// LlamaCloud answers 429 at about 15 per second). Burst is how many may
	// go at once (default 1).
	CreatesPerSecond float64
	Burst            int
	// Options for every item (WithSchedule, WithCancelOnDone, ...).
	// OnStatus here sees every item's updates, from several goroutines.
	Options []CallOption
	// OnProgress is called after each item finishes, from the goroutine that
	// ran it; calls do not overlap.
	OnProgress func(BatchProgress)
	// PollErrors is how many failed status checks in a row an item tolerates
	// before giving up (default 3). Each check is already retried by the
	// client; this rides out a longer outage without losing the item.
	PollErrors int
}

// BatchResult is the outcome of one item, at its input position.
type BatchResult struct {
	Index int
	Job   *Job
	Err   error
}

// BatchProgress reports a batch's progress.
type BatchProgress struct {
	Total, Done, Failed int
	Last                BatchResult
}

func (o *BatchOptions) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.CreatesPerSecond <= 0 {
		o.CreatesPerSecond = 10
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.PollErrors <= 0 {
		o.PollErrors = 3
	}
}

// ErrNotStarted wraps the context's error for items a batch never started
// because its context ended first.
var ErrNotStarted = errors.New("llamaextract: batch item not started")

// RunAll runs many jobs (create + wait each) with bounded concurrency and a
// client-side limit on creates, and returns one result per request in input
// order: the finished job, or an error saying why (a *JobError for a FAILED
// job). When ctx ends, no new job is created, items not started report
// ErrNotStarted, and with WithCancelOnDone in Options running jobs are
// cancelled.
func (c *Client) RunAll(ctx context.Context, reqs []CreateJobRequest, opts BatchOptions) []BatchResult {
	out := make([]BatchResult, len(reqs))
	runBatch(ctx, len(reqs), opts, func(ctx context.Context, i int, w callSettings, limiter *rate.Limiter) BatchResult {
		w.beforeCreate = limiter.Wait
		job, err := c.run(ctx, reqs[i], w, nil)
		return BatchResult{Index: i, Job: job, Err: err}
	}, func(r BatchResult) { out[r.Index] = r })
	return out
}

// ItemResult is one ExtractAll outcome.
type ItemResult[T any] struct {
	Input string
	Value T
	Job   *Job
	Err   error
}

// ExtractAll is Extract over many inputs (paths or dfl-/pjb- IDs) with the
// batching of RunAll; results come back in input order. cfg is an
// ExtractConfig (a zero Schema is derived from T) or a SavedConfig.
func ExtractAll[T any](ctx context.Context, c *Client, inputs []string, cfg Config, batch BatchOptions) []ItemResult[T] {
	out := make([]ItemResult[T], len(inputs))
	for i, in := range inputs {
		out[i].Input = in
	}
	runBatch(ctx, len(inputs), batch, func(ctx context.Context, i int, w callSettings, limiter *rate.Limiter) BatchResult {
		w.beforeCreate = limiter.Wait
		v, job, err := extract[T](ctx, c, inputs[i], cfg, PerDoc, w)
		out[i].Value = v
		return BatchResult{Index: i, Job: job, Err: err}
	}, func(r BatchResult) { out[r.Index].Job, out[r.Index].Err = r.Job, r.Err })
	return out
}

func runBatch(ctx context.Context, n int, opts BatchOptions, item func(context.Context, int, callSettings, *rate.Limiter) BatchResult, store func(BatchResult)) {
	opts.defaults()
	limiter := rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), opts.Burst)
	w := newCallSettings(opts.Options)
	w.pollErrors = opts.PollErrors

	next := make(chan int)
	var mu sync.Mutex
	progress := BatchProgress{Total: n}
	report := func(r BatchResult) {
		mu.Lock()
		defer mu.Unlock()
		store(r)
		progress.Done++
		if r.Err != nil {
			progress.Failed++
		}
		progress.Last = r
		if opts.OnProgress != nil {
			opts.OnProgress(progress)
		}
	}
	var wg sync.WaitGroup
	for range min(opts.Concurrency, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					report(BatchResult{Index: i, Err: fmt.Errorf("%w: %w", ErrNotStarted, err)})
					continue
				}
				report(item(ctx, i, w, limiter))
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
