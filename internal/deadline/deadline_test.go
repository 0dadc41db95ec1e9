package deadline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// waitDone fails the test if ctx is not done within a generous bound; the
// bound only keeps a broken timer from hanging the test.
func waitDone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("%s never ended", what)
	}
}

// One timer serves every attempt, so an attempt with a short timeout that
// starts while a long one holds the timer must re-arm it earlier; and once
// the short one has fired, the long one is still timed.
func TestAttemptDeadlinesShortAfterLong(t *testing.T) {
	d := new(Attempts)
	long, lid, lcancel := d.Start(context.Background(), time.Hour)
	short, sid, scancel := d.Start(context.Background(), 20*time.Millisecond)
	waitDone(t, short, "the short attempt")
	if !errors.Is(context.Cause(short), ErrTimeout) {
		t.Fatalf("short attempt ended with %v", context.Cause(short))
	}
	if long.Err() != nil {
		t.Fatalf("the long attempt ended too: %v", context.Cause(long))
	}
	if n := d.Pending(); n != 1 {
		t.Fatalf("%d attempts timed after one fired, want 1", n)
	}
	d.mu.Lock()
	armed, at := d.armed, d.at
	d.mu.Unlock()
	if !armed || at.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("after the short attempt fired the timer is armed=%v for %s, want the long attempt's deadline", armed, time.Until(at))
	}
	d.End(sid, scancel) // ending an attempt that already timed out is harmless
	d.End(lid, lcancel)
	if long.Err() == nil || errors.Is(context.Cause(long), ErrTimeout) {
		t.Fatalf("ending the long attempt: %v, cause %v", long.Err(), context.Cause(long))
	}
	if n := d.Pending(); n != 0 {
		t.Fatalf("%d attempts still timed after all ended", n)
	}
}

// Attempts that end in time are forgotten and never see the timeout
// cause; a timer that fires with nothing due only re-arms.
func TestAttemptDeadlinesEndedInTime(t *testing.T) {
	d := new(Attempts)
	for range 1000 {
		ctx, id, cancel := d.Start(context.Background(), time.Minute)
		d.End(id, cancel)
		if !errors.Is(context.Cause(ctx), context.Canceled) {
			t.Fatalf("an attempt that ended in time has cause %v", context.Cause(ctx))
		}
	}
	if n := d.Pending(); n != 0 {
		t.Fatalf("%d attempts timed after all ended", n)
	}
	d.fire() // nothing due: disarms, since nothing is left
	d.mu.Lock()
	armed := d.armed
	d.mu.Unlock()
	if armed {
		t.Fatal("the timer was re-armed with no attempt left")
	}
}

// Many attempts from many goroutines, half of which stall past their own
// timeouts: each stalled one ends with the timeout cause, no other does.
func TestAttemptDeadlinesConcurrent(t *testing.T) {
	d := new(Attempts)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stall := i%2 == 0
			timeout := time.Hour
			if stall {
				timeout = time.Duration(1+i%7) * 10 * time.Millisecond
			}
			ctx, id, cancel := d.Start(context.Background(), timeout)
			defer d.End(id, cancel)
			if !stall {
				if ctx.Err() != nil {
					errs <- errors.New("an attempt with an hour to go ended")
				}
				return
			}
			select {
			case <-ctx.Done():
				if !errors.Is(context.Cause(ctx), ErrTimeout) {
					errs <- context.Cause(ctx)
				}
			case <-time.After(30 * time.Second):
				errs <- errors.New("a stalled attempt never timed out")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := d.Pending(); n != 0 {
		t.Fatalf("%d attempts timed after all ended", n)
	}
}
