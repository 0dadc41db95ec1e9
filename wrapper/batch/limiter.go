package batch

import (
	"context"
	"sync"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

// createLimiter paces a batch's job creates and adapts to the service
// (AIMD, as TCP does with its window):
//
//   - it starts at the documented limit (about 15 creates per second), so a
//     batch against LlamaCloud runs at full speed from the first second;
//   - every create the service accepts while creates are queueing adds
//     1/rate to the rate, so the rate climbs by one create per second each
//     second while it is the bottleneck (never while the batch is slower
//     than the rate for another reason: an idle rate does not balloon);
//   - a 429 multiplies the rate by 0.85 and holds every create until the
//     server's Retry-After has passed. The 429s of one burst arrive
//     together, so the rate drops at most once per second. With a gentle
//     0.85 the sawtooth stays between 85 % of the limit and just above it,
//     where the surplus creates get 429s and wait without being lost:
//     throughput stays above 90 % of whatever the limit is (BENCHMARKS.md).
//
// A 429 on a create proves that no job was made, so the refused create
// simply waits its turn again; it never spends a retry or fails an item.
type createLimiter struct {
	clock        wrapper.Clock
	mu           sync.Mutex
	rate         float64   // creates per second
	next         time.Time // earliest start of the next create
	pausedUntil  time.Time // no create before this (Retry-After)
	lastDecrease time.Time
	queuedAt     time.Time // last time a create had to wait its turn
	throttled    int       // 429s seen
}

const (
	initialCreateRate = 15
	minCreateRate     = 0.2
	maxCreateRate     = 500
	createDecrease    = 0.85
	decreaseEvery     = time.Second
	// busyWindow is how recently creates must have queued for a success to
	// raise the rate.
	busyWindow = 2 * time.Second
)

func newCreateLimiter(clock wrapper.Clock, rate float64) *createLimiter {
	if rate <= 0 {
		rate = initialCreateRate
	}
	return &createLimiter{clock: clock, rate: min(max(rate, minCreateRate), maxCreateRate)}
}

// reserve books the next create slot and returns when it starts.
func (l *createLimiter) reserve(now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := now
	if l.next.After(at) {
		at = l.next
	}
	if l.pausedUntil.After(at) {
		at = l.pausedUntil
	}
	if at.After(now) {
		l.queuedAt = now
	}
	l.next = at.Add(time.Duration(float64(time.Second) / l.rate))
	return at
}

// wait blocks until the caller may send a create, or ctx ends.
func (l *createLimiter) wait(ctx context.Context) error {
	now := l.clock.Now()
	at := l.reserve(now)
	if !at.After(now) {
		return ctx.Err()
	}
	return sleep(ctx, l.clock, at.Sub(now))
}

// accepted records a create the service took.
func (l *createLimiter) accepted(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.queuedAt) <= busyWindow {
		l.rate = min(l.rate+1/l.rate, maxCreateRate)
	}
}

// refused records a 429: slow down, and hold every create until the wait
// the server asked for has passed.
func (l *createLimiter) refused(now time.Time, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttled++
	if now.Sub(l.lastDecrease) >= decreaseEvery {
		l.rate = max(l.rate*createDecrease, minCreateRate)
		l.lastDecrease = now
	}
	if until := now.Add(retryAfter); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	// Slots booked at the old rate start over from the pause.
	if l.next.Before(l.pausedUntil) {
		l.next = l.pausedUntil
	}
}

// snapshot returns the current rate and the number of 429s seen.
func (l *createLimiter) snapshot() (float64, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate, l.throttled
}

// sleep waits d on clk, or until ctx ends.
func sleep(ctx context.Context, clk wrapper.Clock, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clk.After(d):
		return nil
	}
}
