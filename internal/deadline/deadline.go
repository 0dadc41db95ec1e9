// Package deadline ends the attempts of HTTP requests that outlive their
// timeout: Attempts for requests whose answer is read whole, Idle for
// streams that may rightly last long but must keep bringing bytes.
package deadline

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrTimeout is the cause of a context an Attempts or Idle timer ended.
var ErrTimeout = errors.New("no complete answer within the request timeout")

// Attempts ends attempts that outlive their timeout with one timer for
// the whole client, instead of one timer per attempt as context.WithTimeout
// would set. The zero value is ready to use.
//
// Why: a runtime timer is cheap to allocate but not to arm. Arming one
// that fires before anything the network poller already waits for wakes
// the poller (a write to its eventfd, and a thread woken on another core),
// and an idle poller waits for nothing. That made the per-attempt timeout
// cost a small GetJob about a tenth of its time, more than everything else
// the client adds to plain net/http (bench/BenchmarkGetSmallJob).
// Here the timer is armed when an attempt starts and none is armed, or
// when the new deadline comes before the armed one, and re-armed for the
// earliest deadline left each time it fires: while requests flow it fires
// about once per request timeout, whatever their rate, and an idle client
// has no timer pending once its last deadline has passed.
//
// An attempt's context is a plain context.WithCancelCause; the timer ends
// it with cause ErrTimeout. Its Deadline method reports the
// caller's deadline, not the attempt's.
type Attempts struct {
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

// Start begins an attempt under parent that ends with cause ErrTimeout
// once timeout has passed. The caller must call End with
// the id and cancel it returns when the attempt is over.
func (d *Attempts) Start(parent context.Context, timeout time.Duration) (ctx context.Context, id uint64, cancel context.CancelCauseFunc) {
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

// End forgets attempt id and releases its context.
func (d *Attempts) End(id uint64, cancel context.CancelCauseFunc) {
	d.mu.Lock()
	delete(d.live, id)
	d.mu.Unlock()
	cancel(context.Canceled)
}

// arm sets the timer to fire at deadline; d.mu is held.
func (d *Attempts) arm(deadline time.Time) {
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
func (d *Attempts) fire() {
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
		cancel(ErrTimeout)
	}
}

// Pending reports how many attempts are being timed.
func (d *Attempts) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.live)
}

// Armed reports whether the timer is armed.
func (d *Attempts) Armed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.armed
}

// Idle is a stream's timeout: a stream may rightly take far longer than the
// timeout as a whole (a million rows), so it bounds the wait for the head
// and then each wait for more bytes. Reset restarts it; a server that
// stalls is cut off instead of hanging a caller whose context has no
// deadline.
type Idle struct {
	t      *time.Timer
	d      time.Duration
	ctx    context.Context // the request's context, cancelled by t
	cancel context.CancelCauseFunc
}

// NewIdle starts an Idle timer of d under ctx.
func NewIdle(ctx context.Context, d time.Duration) *Idle {
	rctx, cancel := context.WithCancelCause(ctx)
	return &Idle{t: time.AfterFunc(d, func() { cancel(ErrTimeout) }), d: d, ctx: rctx, cancel: cancel}
}

// Context is the request's context: it ends with cause ErrTimeout when
// the timer fires.
func (it *Idle) Context() context.Context { return it.ctx }

// Timeout is the timer's duration.
func (it *Idle) Timeout() time.Duration { return it.d }

// Reset restarts the timer: bytes arrived.
func (it *Idle) Reset() { it.t.Reset(it.d) }

// Stop stops the timer and ends the request's context.
func (it *Idle) Stop() {
	it.t.Stop()
	it.cancel(nil)
}

// TimedOut reports whether the timer, not caller, ended the request.
func (it *Idle) TimedOut(caller context.Context) bool {
	return caller.Err() == nil && errors.Is(context.Cause(it.ctx), ErrTimeout)
}
