package wrapper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
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
	d := new(attemptDeadlines)
	long, lid, lcancel := d.start(context.Background(), time.Hour)
	short, sid, scancel := d.start(context.Background(), 20*time.Millisecond)
	waitDone(t, short, "the short attempt")
	if !errors.Is(context.Cause(short), errAttemptTimeout) {
		t.Fatalf("short attempt ended with %v", context.Cause(short))
	}
	if long.Err() != nil {
		t.Fatalf("the long attempt ended too: %v", context.Cause(long))
	}
	if n := d.pending(); n != 1 {
		t.Fatalf("%d attempts timed after one fired, want 1", n)
	}
	d.mu.Lock()
	armed, at := d.armed, d.at
	d.mu.Unlock()
	if !armed || at.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("after the short attempt fired the timer is armed=%v for %s, want the long attempt's deadline", armed, time.Until(at))
	}
	d.end(sid, scancel) // ending an attempt that already timed out is harmless
	d.end(lid, lcancel)
	if long.Err() == nil || errors.Is(context.Cause(long), errAttemptTimeout) {
		t.Fatalf("ending the long attempt: %v, cause %v", long.Err(), context.Cause(long))
	}
	if n := d.pending(); n != 0 {
		t.Fatalf("%d attempts still timed after all ended", n)
	}
}

// Attempts that end in time are forgotten and never see the timeout
// cause; a timer that fires with nothing due only re-arms.
func TestAttemptDeadlinesEndedInTime(t *testing.T) {
	d := new(attemptDeadlines)
	for range 1000 {
		ctx, id, cancel := d.start(context.Background(), time.Minute)
		d.end(id, cancel)
		if !errors.Is(context.Cause(ctx), context.Canceled) {
			t.Fatalf("an attempt that ended in time has cause %v", context.Cause(ctx))
		}
	}
	if n := d.pending(); n != 0 {
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
	d := new(attemptDeadlines)
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
			ctx, id, cancel := d.start(context.Background(), timeout)
			defer d.end(id, cancel)
			if !stall {
				if ctx.Err() != nil {
					errs <- errors.New("an attempt with an hour to go ended")
				}
				return
			}
			select {
			case <-ctx.Done():
				if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
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
	if n := d.pending(); n != 0 {
		t.Fatalf("%d attempts timed after all ended", n)
	}
}

// The timer stays armed after the last request (re-arming it per request
// is what it saves), but it must not keep a dropped Client, its
// connections and its buffers alive: it holds only attemptDeadlines.
func TestDroppedClientIsCollectedWithTimerArmed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`))
	}))
	defer srv.Close()
	collected := make(chan struct{})
	func() {
		c, err := New(WithAPIKey("test-key-123456"), WithBaseURL(srv.URL), WithHTTPClient(&http.Client{}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetJob(context.Background(), "ext-1"); err != nil {
			t.Fatal(err)
		}
		c.deadlines.mu.Lock()
		armed := c.deadlines.armed
		c.deadlines.mu.Unlock()
		if !armed {
			t.Fatal("the timer is not armed after a request; this test would prove nothing")
		}
		runtime.AddCleanup(c, func(ch chan struct{}) { close(ch) }, collected)
	}()
	for range 50 {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("a dropped Client stayed reachable while its attempt timer was armed")
}
