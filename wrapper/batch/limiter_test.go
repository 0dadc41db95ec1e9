package batch

import (
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

// The create rate comes down on 429s (at most once a second, however many
// arrive together), holds every create until Retry-After has passed, and
// climbs back while creates queue, but not while the rate sits idle.
func TestCreateLimiterAdapts(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newCreateLimiter(wrapper.Clock(nil), 0)
	if r, _ := l.snapshot(); r != initialCreateRate {
		t.Fatalf("starts at %g", r)
	}
	// Slots are spaced 1/rate apart.
	a, b := l.reserve(t0), l.reserve(t0)
	if a != t0 || b.Sub(a) != time.Second/15 {
		t.Fatalf("slots %v, %v", a, b)
	}
	// A burst of 429s: one decrease, and a pause.
	for range 5 {
		l.refused(t0, 300*time.Millisecond)
	}
	r, refused := l.snapshot()
	if refused != 5 || r != initialCreateRate*createDecrease {
		t.Fatalf("after a burst of 429s: rate %g, %d refused", r, refused)
	}
	if at := l.reserve(t0); at.Before(t0.Add(300 * time.Millisecond)) {
		t.Fatalf("a create is allowed at %v, before Retry-After", at.Sub(t0))
	}
	l.refused(t0.Add(time.Second), 0)
	if r2, _ := l.snapshot(); r2 != r*createDecrease {
		t.Fatalf("a second later the rate should drop again: %g", r2)
	}
	// Many 429s never bring it to zero.
	for i := range 200 {
		l.refused(t0.Add(time.Duration(i+2)*time.Second), 0)
	}
	if r, _ := l.snapshot(); r != minCreateRate {
		t.Fatalf("floor: %g", r)
	}
	// Successes while creates queue raise the rate by about one per second
	// each second.
	l = newCreateLimiter(wrapper.Clock(nil), 10)
	now := t0
	for range 10 {
		at := l.reserve(now) // queues: the slots are booked ahead
		l.accepted(at)
		now = at
	}
	if r, _ := l.snapshot(); r < 10.8 || r > 11.1 {
		t.Fatalf("after a second of queued successes: %g, want about 11", r)
	}
	// Idle: successes without queueing leave the rate alone.
	idle := now.Add(time.Hour)
	for i := range 100 {
		at := idle.Add(time.Duration(i) * time.Second)
		l.reserve(at)
		l.accepted(at)
	}
	if r2, _ := l.snapshot(); r2 > 11.1 {
		t.Fatalf("an idle limiter climbed to %g", r2)
	}
}
