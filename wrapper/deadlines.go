package wrapper

import (
	"context"
	"sync"
	"time"
)

// attemptDeadlines ends attempts that outlive their timeout (see
// WithRequestTimeout) with one timer for the whole Client, instead of one
// timer per attempt as context.WithTimeout would set.
//
// Why: a runtime timer is cheap to allocate but not to arm. Arming one
// that fires before anything the network poller already waits for wakes
// the poller (a write to its eventfd, and a thread woken on another core),
// and an idle poller waits for nothing. That made the per-attempt timeout
// cost a small GetJob about a tenth of its time, more than everything else
// the wrapper adds to plain net/http (issue 14, bench/BenchmarkGetSmallJob).
// Here the timer is armed when an attempt starts and none is armed, or
// when the new deadline comes before the armed one, and re-armed for the
// earliest deadline left each time it fires: while requests flow it fires
// about once per request timeout, whatever their rate, and an idle client
// has no timer pending once its last deadline has passed.
//
// An attempt's context is a plain context.WithCancelCause; the timer ends
// it with cause errAttemptTimeout. Its Deadline method reports the
// caller's deadline, not the attempt's.
type attemptDeadlines struct {
	mu    sync.Mutex
	timer *time.Timer
	armed bool
	at    time.Time // when the armed timer fires
	next  uint64    // the last id given
	live  map[uint64]liveAttempt
}

type liveAttempt struct {
	deadline time.Time
	cancel   context.CancelCauseFunc
}

// start begins an attempt under parent that ends with cause
// errAttemptTimeout once timeout has passed. The caller must call end with
// the id and cancel it returns when the attempt is over.
func (d *attemptDeadlines) start(parent context.Context, timeout time.Duration) (ctx context.Context, id uint64, cancel context.CancelCauseFunc) {
	ctx, cancel = context.WithCancelCause(parent)
	deadline := time.Now().Add(timeout)
	d.mu.Lock()
	if d.live == nil {
		d.live = make(map[uint64]liveAttempt)
	}
	d.next++
	id = d.next
	d.live[id] = liveAttempt{deadline: deadline, cancel: cancel}
	if !d.armed || deadline.Before(d.at) {
		d.arm(deadline)
	}
	d.mu.Unlock()
	return ctx, id, cancel
}

// end forgets attempt id and releases its context.
func (d *attemptDeadlines) end(id uint64, cancel context.CancelCauseFunc) {
	d.mu.Lock()
	delete(d.live, id)
	d.mu.Unlock()
	cancel(context.Canceled)
}

// arm sets the timer to fire at deadline; d.mu is held.
func (d *attemptDeadlines) arm(deadline time.Time) {
	wait := time.Until(deadline)
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, d.fire)
	} else {
		d.timer.Reset(wait)
	}
	d.armed, d.at = true, deadline
}

// fire ends every attempt past its deadline and re-arms the timer for the
// earliest one left. A run that finds nothing due (the timer was re-armed
// while this run was already on its way) only re-arms.
func (d *attemptDeadlines) fire() {
	d.mu.Lock()
	now := time.Now()
	var (
		due  []context.CancelCauseFunc
		next time.Time
	)
	for id, a := range d.live {
		if !now.Before(a.deadline) {
			due = append(due, a.cancel)
			delete(d.live, id)
			continue
		}
		if next.IsZero() || a.deadline.Before(next) {
			next = a.deadline
		}
	}
	d.armed = false
	if !next.IsZero() {
		d.arm(next)
	}
	d.mu.Unlock()
	for _, cancel := range due {
		cancel(errAttemptTimeout)
	}
}

// pending reports how many attempts are being timed (for tests).
func (d *attemptDeadlines) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.live)
}
