package wrapper

import (
	"context"
	"time"
)

// Clock is the time source of a Client: every wait it does (between status
// checks, before a retry) is a receive from After, so a test can make a
// ten-minute job finish in milliseconds by passing a fake clock with
// WithClock. extracttest.FakeClock implements it.
//
// The interface uses only standard types so that a clock package need not
// import this one.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	// The client stops listening when its context ends, so a channel that
	// never fires is never read again.
	After(d time.Duration) <-chan time.Time
}

// systemClock is the real clock. time.After's timer is collected once
// unreferenced (Go 1.23+), so an abandoned wait leaks nothing.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// sleep waits d on clk, or until ctx ends.
func sleep(ctx context.Context, clk Clock, d time.Duration) error {
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
