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
//
// It also satisfies wrapper.Clock (Now and After), so one FakeClock can
// drive both the emulator (WithClock here) and the client
// (wrapper.WithClock): the client's waits then happen on fake time. In the
// default manual mode a waiter is woken by Advance; with SetAutoAdvance(true)
// every After moves the clock forward by its duration at once, so a test
// needs no second goroutine and a ten-minute job finishes in milliseconds.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock returns a FakeClock set to t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

var fakeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *FakeClock) nowLocked() time.Time {
	if c.now.IsZero() {
		c.now = fakeEpoch
	}
	return c.now
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

// Advance moves the clock forward by d and wakes every After whose time
// has come.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(d)
}

func (c *FakeClock) advanceLocked(d time.Duration) {
	now := c.nowLocked()
	if d > 0 {
		now = now.Add(d)
		c.now = now
	}
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- now // buffered: never blocks
	}
	clear(c.waiters[len(kept):])
	c.waiters = kept
}

// SetAutoAdvance turns auto-advance on or off. When on, After(d) moves the
// clock forward by d and fires at once: time passes exactly as fast as
// the code under test waits. Several goroutines waiting at once each move
// the clock by their own wait.
func (c *FakeClock) SetAutoAdvance(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.auto = on
}

// After returns a channel that receives the fake time once the clock has
// moved d past now: at once when d <= 0 or in auto-advance mode, else at
// the Advance that gets there.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{at: c.nowLocked().Add(d), ch: ch})
	if c.auto {
		c.advanceLocked(d)
	} else {
		c.advanceLocked(0)
	}
	return ch
}

// Waiters reports how many After channels have not fired yet; a test in
// manual mode can wait for the code under test to block before calling
// Advance.
func (c *FakeClock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}
