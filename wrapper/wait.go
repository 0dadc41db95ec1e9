package wrapper

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Schedule decides how long to wait before each status check. Check n
// (0-based) happens Next(n) after the previous one (for n = 0, after the
// job was created or Wait was called).
type Schedule interface {
	Next(n int) time.Duration
}

// LinearSchedule waits First, then First+Step, First+2·Step... up to Max.
// The default schedule, like the official SDKs', is {First: 1s, Step: 1s,
// Max: 5s}.
type LinearSchedule struct {
	First, Step, Max time.Duration
}

// Next implements Schedule.
func (s LinearSchedule) Next(n int) time.Duration {
	d := s.First + time.Duration(n)*s.Step
	if s.Max > 0 && d > s.Max {
		d = s.Max
	}
	return d
}

// ExponentialSchedule waits Initial, then multiplies by Factor (default 2) up
// to Max, shortening each wait by up to Jitter (0 to 1) at random so that
// many waiters spread out.
type ExponentialSchedule struct {
	Initial, Max time.Duration
	Factor       float64
	Jitter       float64
}

// Next implements Schedule.
func (s ExponentialSchedule) Next(n int) time.Duration {
	f := s.Factor
	if f <= 1 {
		f = 2
	}
	d := float64(s.Initial)
	for i := 0; i < n && (s.Max <= 0 || d < float64(s.Max)); i++ {
		d *= f
	}
	if s.Max > 0 && d > float64(s.Max) {
		d = float64(s.Max)
	}
	if s.Jitter > 0 {
		d *= 1 - rand.Float64()*min(s.Jitter, 1)
	}
	return time.Duration(d)
}

// FixedSchedule waits the same time before every check.
type FixedSchedule time.Duration

// Next implements Schedule.
func (s FixedSchedule) Next(int) time.Duration { return time.Duration(s) }

// DefaultSchedule returns the schedule Wait uses unless told otherwise: a
// LinearSchedule checking after 1 s, then 1 s longer each time, at most 5 s
// apart, like the official SDKs.
func DefaultSchedule() Schedule {
	return LinearSchedule{First: time.Second, Step: time.Second, Max: 5 * time.Second}
}

// ErrWaitTimeout matches the error of a wait that hit WithWaitTimeout.
var ErrWaitTimeout = errors.New("llamaextract: wait timed out")

// Wait polls a job until it finishes and returns it. A COMPLETED job is
// returned with a nil error; a FAILED or CANCELLED one with a *JobError
// (errors.Is ErrJobFailed / ErrJobCancelled). HTTP errors during a check are
// returned at once (after the client's retries). A status this package does
// not know keeps the wait going; it is passed to OnStatus, and logged as a
// warning the first time the client meets it. When ctx ends first, the error wraps ctx.Err(); with
// WithCancelOnDone the job is cancelled too. Every pause is taken on the
// client's Clock. It reads WithSchedule, OnStatus, WithCancelOnDone,
// WithWaitTimeout and WithExpand.
func (c *Client) Wait(ctx context.Context, jobID string, opts ...WaitOption) (*Job, error) {
	if err := checkID(opGetJob, "job_id", jobID); err != nil {
		return nil, err
	}
	w := newWaitSettings(opts)
	if err := w.check("Wait"); err != nil {
		return nil, err
	}
	return c.wait(ctx, jobID, w, nil)
}

// CheckWaitOptions returns the *ValidationError Wait would return for opts
// (a negative schedule or timeout), sending nothing, so that a helper that
// waits for many jobs (package batch) refuses them before its first upload.
func CheckWaitOptions(opts ...WaitOption) error { return newWaitSettings(opts).check("Wait") }

// fetchFunc fetches a job once; wait uses GetJob unless given another.
type fetchFunc func(ctx context.Context, jobID string, expand []Expand) (*Job, error)

func (c *Client) wait(ctx context.Context, jobID string, w waitSettings, fetch fetchFunc) (job *Job, err error) {
	if fetch == nil && w.withoutResult {
		fetch = c.fetchWithoutResult
	}
	if fetch == nil {
		fetch = func(ctx context.Context, id string, expand []Expand) (*Job, error) {
			return c.GetJob(ctx, id, WithExpand(expand...))
		}
	}
	// The deadline is on the client's clock, like every pause, and checked
	// between status checks. On the system clock the context also carries
	// it, so that a request hanging past it is cut short too.
	waitCtx := ctx
	var deadline time.Time
	if w.timeout > 0 {
		deadline = c.clock.Now().Add(w.timeout)
		if _, system := c.clock.(systemClock); system {
			var cancel context.CancelFunc
			waitCtx, cancel = context.WithDeadlineCause(ctx, deadline, ErrWaitTimeout)
			defer cancel()
		}
	}
	defer func() {
		if err != nil && w.cancelOnDone && (waitCtx.Err() != nil || errors.Is(err, ErrWaitTimeout)) && (job == nil || !job.Status.Terminal()) {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cancelDeadline)
			defer cancel()
			if _, cerr := c.CancelJob(cctx, jobID); cerr != nil {
				err = fmt.Errorf("%w (cancelling job %s also failed: %v)", err, jobID, cerr)
			}
		}
	}()
	failures := 0
	for n := 0; ; n++ {
		pause := w.schedule.Next(n)
		if !deadline.IsZero() {
			left := deadline.Sub(c.clock.Now())
			if left <= 0 {
				return job, timeoutErr(jobID, job)
			}
			pause = min(pause, left)
		}
		if sleep(waitCtx, c.clock, pause) != nil {
			return job, waitErr(waitCtx, jobID, job)
		}
		j, err := fetch(waitCtx, jobID, w.expand)
		if err != nil {
			if waitCtx.Err() != nil {
				return job, waitErr(waitCtx, jobID, job)
			}
			if failures < w.pollErrors && transient(err) {
				failures++
				continue
			}
			return job, err
		}
		failures = 0
		job = j
		c.noteStatus(ctx, job)
		if w.onStatus != nil {
			w.onStatus(job)
		}
		switch st := job.Status; {
		case st == StatusCompleted:
			return job, nil
		case st.Terminal():
			return job, &JobError{Job: job}
		}
	}
}

func lastStatus(last *Job) Status {
	if last == nil {
		return "unknown"
	}
	return last.Status
}

func timeoutErr(jobID string, last *Job) error {
	return fmt.Errorf("%w: job %s, last status %s", ErrWaitTimeout, jobID, lastStatus(last))
}

func waitErr(ctx context.Context, jobID string, last *Job) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrWaitTimeout) {
		return timeoutErr(jobID, last)
	}
	return fmt.Errorf("llamaextract: waiting for job %s (last status %s): %w", jobID, lastStatus(last), ctx.Err())
}

// transient reports whether a failed check may succeed if tried again
// later; the one classifier (classify) decides.
func transient(err error) bool { return retryable(err) }

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
