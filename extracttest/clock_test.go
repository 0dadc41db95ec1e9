package extracttest

import (
	"testing"
	"time"
)

func fired(ch <-chan time.Time) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestFakeClockManual(t *testing.T) {
	var c FakeClock // the zero value works
	if !c.Now().Equal(fakeEpoch) {
		t.Fatalf("zero clock at %v", c.Now())
	}
	now := c.After(0)
	soon, later := c.After(time.Second), c.After(time.Minute)
	if !fired(now) || fired(soon) || fired(later) || c.Waiters() != 2 {
		t.Fatalf("before Advance: %d waiters", c.Waiters())
	}
	c.Advance(time.Second)
	if !fired(soon) || fired(later) || c.Waiters() != 1 {
		t.Fatal("Advance(1s) must wake exactly the 1 s waiter")
	}
	c.Advance(time.Hour)
	if !fired(later) || c.Waiters() != 0 || !c.Now().Equal(fakeEpoch.Add(time.Hour+time.Second)) {
		t.Fatalf("after Advance: %v", c.Now())
	}
}

func TestFakeClockAutoAdvance(t *testing.T) {
	c := NewFakeClock(fakeEpoch)
	c.SetAutoAdvance(true)
	start := c.Now()
	for i := 0; i < 600; i++ {
		if !fired(c.After(time.Second)) {
			t.Fatal("auto-advance must fire at once")
		}
	}
	if got := c.Now().Sub(start); got != 10*time.Minute {
		t.Fatalf("clock moved %v, want 10m", got)
	}
	c.SetAutoAdvance(false)
	if fired(c.After(time.Second)) {
		t.Fatal("manual again: must wait for Advance")
	}
}
