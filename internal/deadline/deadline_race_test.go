package deadline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkArmed fails unless the timer is armed for no later than the
// earliest live deadline: the one invariant that makes every live attempt
// end on time. It must hold whenever d.mu is free.
func checkArmed(d *Attempts) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.live) == 0 {
		return nil
	}
	if !d.armed {
		return fmt.Errorf("%d attempts live, timer not armed", len(d.live))
	}
	for id, a := range d.live {
		if a.deadline.Before(d.at) {
			return fmt.Errorf("attempt %d is due at %s, the timer only at %s", id, a.deadline.Format(time.StampMicro), d.at.Format(time.StampMicro))
		}
	}
	return nil
}

// Attempts start and end from many goroutines while the timer fires all
// the time (sub-millisecond timeouts), so start, end and fire interleave
// in every order: the timer is always armed for the earliest live
// deadline, an attempt with an hour to go is never ended by another's
// deadline, no attempt is ended before its own deadline, every stalled one
// ends, and nothing is left behind.
func TestAttemptDeadlinesStartFireRace(t *testing.T) {
	d := new(Attempts)

	// Long attempts held open through the whole churn.
	type held struct {
		ctx    context.Context
		id     uint64
		cancel context.CancelCauseFunc
	}
	var long []held
	for range 8 {
		ctx, id, cancel := d.Start(context.Background(), time.Hour)
		long = append(long, held{ctx, id, cancel})
	}

	stop := make(chan struct{})
	checked := make(chan error, 1)
	go func() {
		for {
			if err := checkArmed(d); err != nil {
				checked <- err
				return
			}
			runtime.Gosched()
			select {
			case <-stop:
				checked <- nil
				return
			default:
			}
		}
	}()

	var (
		wg      sync.WaitGroup
		stalled atomic.Int64
		errs    = make(chan error, 64)
	)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 42))
			for range 300 {
				timeout := time.Duration(50+r.IntN(2000)) * time.Microsecond
				if r.IntN(10) == 0 {
					timeout = time.Duration(1+r.IntN(20)) * time.Millisecond
				}
				before := time.Now()
				ctx, id, cancel := d.Start(context.Background(), timeout)
				switch r.IntN(3) {
				case 0: // ends at once
				case 1: // ends after a moment, maybe after the timer
					time.Sleep(time.Duration(r.IntN(300)) * time.Microsecond)
				case 2: // stalls until the timer ends it
					stalled.Add(1)
					select {
					case <-ctx.Done():
					case <-time.After(30 * time.Second):
						report(fmt.Errorf("a stalled attempt with a %s timeout never ended", timeout))
					}
				}
				if ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrTimeout) {
					if seen := time.Since(before); seen < timeout {
						report(fmt.Errorf("an attempt with a %s timeout was ended as late after %s", timeout, seen))
					}
				}
				d.End(id, cancel)
				if !errors.Is(context.Cause(ctx), ErrTimeout) && !errors.Is(context.Cause(ctx), context.Canceled) {
					report(fmt.Errorf("attempt ended with cause %v", context.Cause(ctx)))
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, h := range long {
		if h.ctx.Err() != nil {
			t.Fatalf("an attempt with an hour to go ended during the churn: %v", context.Cause(h.ctx))
		}
	}
	if n := d.Pending(); n != len(long) {
		t.Fatalf("%d attempts timed, want the %d long ones", n, len(long))
	}
	if err := checkArmed(d); err != nil {
		t.Fatal(err)
	}
	for _, h := range long {
		d.End(h.id, h.cancel)
	}
	if n := d.Pending(); n != 0 || stalled.Load() == 0 {
		t.Fatalf("%d attempts left after all ended (%d stalled)", n, stalled.Load())
	}
}
