package extracttest

import (
	"sync"
	"time"
)

// Clock tells the emulator the time. Jobs advance through their statuses as
// the clock moves, so a test that injects a FakeClock controls progress
// exactly, without sleeping.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// FakeClock is a Clock that moves only when told to. Its zero value starts at
// 2026-01-01T00:00:00Z. It is safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock set to t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

var fakeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = fakeEpoch
	}
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = fakeEpoch
	}
	c.now = c.now.Add(d)
}
