package batch

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// runner is one run of a batch: a feeder goroutine starts tasks, each on
// its own goroutine, and the ranging goroutine delivers their outcomes.
type runner[R any] struct {
	e *engine
	// ctx ends the run; createCtx ends on a drain too: no new document,
	// no new create.
	ctx, createCtx     context.Context
	cancel, stopCreate context.CancelCauseFunc
	results            chan outcome[R]
	slots              chan struct{}
	wg                 sync.WaitGroup
	stopped            bool
	stopErr            error
	// unsure is why a document was left unfinished (its job may exist).
	unsure     error
	unfinished []Input
	// untouched were handed to work but stopped before it read or sent
	// anything: not started.
	untouched []Input
	// Written by the feeder before results is closed.
	notStarted []Input
	readAll    bool
}

func newRunner[R any](ctx context.Context, e *engine) *runner[R] {
	r := &runner[R]{e: e, results: make(chan outcome[R]), slots: make(chan struct{}, e.s.concurrency)}
	e.mu.Lock()
	e.unknown = nil
	e.mu.Unlock()
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.createCtx, r.stopCreate = context.WithCancelCause(r.ctx)
	if e.s.drain != nil {
		go func() {
			select {
			case <-e.s.drain:
				r.stopCreate(errDrained)
			case <-r.createCtx.Done():
			}
		}()
	}
	return r
}

func (r *runner[R]) close() {
	r.stopCreate(nil)
	r.cancel(nil)
}

// feed starts a goroutine per task while slots are free, and closes
// results once every started task has delivered its outcome.
func (r *runner[R]) feed(tasks func(func(task) bool), work func(ctx, createCtx context.Context, t task) outcome[R]) {
	defer func() {
		r.wg.Wait()
		close(r.results)
	}()
	for t := range tasks {
		if acquire(r.createCtx, r.slots) != nil {
			r.notStarted = append(r.notStarted, t.in)
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			o := work(r.ctx, r.createCtx, t)
			<-r.slots
			r.results <- o
		}()
	}
	r.readAll = true
}

// deliver yields outcomes as they come. It reports false when the loop
// body broke out: nothing may be yielded after that.
func (r *runner[R]) deliver(yield func(R, error) bool) bool {
	e := r.e
	for o := range r.results {
		switch {
		case o.skip:
			e.skipped.Add(1)
			continue
		case o.fatal:
			r.fail(o.err)
			r.unfinished = append(r.unfinished, o.in)
			continue
		case o.untouched:
			r.untouched = append(r.untouched, o.in)
			continue
		case o.aborted, r.stopped:
			if o.err != nil && r.unsure == nil {
				r.unsure = o.err
			}
			r.unfinished = append(r.unfinished, o.in)
			continue
		}
		e.done.Add(1)
		if o.err != nil {
			e.failed.Add(1)
		}
		more := yield(o.r, o.err)
		// The loop body has returned, with or without a break: the
		// document is delivered.
		if err := e.recordDone(o.key, o.hash, o.jobID, o.err); err != nil {
			r.fail(err)
		}
		if !more {
			r.stopped = true
			r.cancel(nil)
			continue
		}
		if e.s.progress != nil {
			e.s.progress(e.progress())
		}
	}
	return !r.stopped
}

// fail stops the batch on a failure every document would share.
func (r *runner[R]) fail(err error) {
	if r.stopErr == nil {
		r.stopErr = err
		// Not err itself: the request layer hands the cause to every
		// request it cuts off, and must not share one error value between
		// goroutines.
		r.cancel(errSharedFailure)
	}
}

// stopError is the run's *StoppedError, or nil when every input was done.
func (r *runner[R]) stopError() error {
	cause := r.stopErr
	if cause == nil {
		cause = context.Cause(r.createCtx)
	}
	if cause == nil && !r.readAll {
		cause = r.ctx.Err()
	}
	if cause == nil {
		cause = r.unsure
	}
	if cause == nil && len(r.unfinished)+len(r.untouched) == 0 && r.readAll {
		return nil
	}
	if cause == nil {
		cause = context.Canceled
	}
	byIndex := func(a, b Input) int { return cmp.Compare(a.Index, b.Index) }
	slices.SortFunc(r.unfinished, byIndex)
	notStarted := slices.SortedFunc(slices.Values(slices.Concat(r.untouched, r.notStarted)), byIndex)
	return &StoppedError{Cause: cause, Unfinished: r.unfinished, NotStarted: notStarted, Unread: !r.readAll}
}
