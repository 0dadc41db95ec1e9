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

// DefaultSchedule is the schedule Wait uses unless told otherwise.
var DefaultSchedule Schedule = LinearSchedule{First: time.Second, Step: time.Second, Max: 5 * time.Second}

// WaitOption configures Wait, Run and Extract.
type WaitOption func(*waitSettings)

type waitSettings struct {
	schedule       Schedule
	onStatus       func(*Job)
	cancelOnDone   bool
	expand         []Expand
	timeout        time.Duration
	cancelDeadline time.Duration
	// pollErrors is how many failed checks in a row are tolerated (0: the
	// first error ends the wait).
	pollErrors int
}

// WithSchedule sets the polling schedule.
func WithSchedule(s Schedule) WaitOption { return func(w *waitSettings) { w.schedule = s } }

// OnStatus calls fn with the job after every check, for progress reporting.
// It runs on the waiting goroutine; keep it quick.
func OnStatus(fn func(*Job)) WaitOption { return func(w *waitSettings) { w.onStatus = fn } }

// CancelOnDone cancels the remote job when the context ends (or the wait
// times out) before the job has finished, so that it stops spending credits.
func CancelOnDone() WaitOption { return func(w *waitSettings) { w.cancelOnDone = true } }

// WithWaitExpand fetches the job with these parts on every check (e.g.
// ExpandExtractMetadata to get citations with the result).
func WithWaitExpand(e ...Expand) WaitOption {
	return func(w *waitSettings) { w.expand = append(w.expand, e...) }
}

// WithWaitTimeout bounds the wait (in addition to the context). Zero, the
// default, leaves it to the context.
func WithWaitTimeout(d time.Duration) WaitOption { return func(w *waitSettings) { w.timeout = d } }

func newWaitSettings(opts []WaitOption) waitSettings {
	w := waitSettings{schedule: DefaultSchedule, cancelDeadline: 10 * time.Second}
	for _, o := range opts {
		o(&w)
	}
	return w
}

// ErrWaitTimeout matches the error of a wait that hit WithWaitTimeout.
var ErrWaitTimeout = errors.New("wait timed out")

// Wait polls a job until it finishes and returns it. A COMPLETED job is
// returned with a nil error; a FAILED or CANCELLED one with a *JobError
// (errors.Is ErrJobFailed / ErrJobCancelled). HTTP errors during a check are
// returned at once (after the client's retries). An unknown status keeps
// the wait going. When ctx ends first, the error wraps ctx.Err(); with
// CancelOnDone the job is cancelled too.
func (c *Client) Wait(ctx context.Context, jobID string, opts ...WaitOption) (*Job, error) {
	if err := checkID("GetExtractJob", "job_id", jobID); err != nil {
		return nil, err
	}
	return c.wait(ctx, jobID, newWaitSettings(opts), nil)
}

// fetchFunc fetches a job once; wait uses GetJob unless given another.
type fetchFunc func(ctx context.Context, jobID string, expand []Expand) (*Job, error)

func (c *Client) wait(ctx context.Context, jobID string, w waitSettings, fetch fetchFunc) (job *Job, err error) {
	if fetch == nil {
		fetch = func(ctx context.Context, id string, expand []Expand) (*Job, error) {
			return c.GetJob(ctx, id, expand...)
		}
	}
	waitCtx := ctx
	if w.timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeoutCause(ctx, w.timeout, ErrWaitTimeout)
		defer cancel()
	}
	defer func() {
		if err != nil && w.cancelOnDone && waitCtx.Err() != nil && (job == nil || !job.State().Terminal()) {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cancelDeadline)
			defer cancel()
			if _, cerr := c.CancelJob(cctx, jobID); cerr != nil {
				err = fmt.Errorf("%w (cancelling job %s also failed: %v)", err, jobID, cerr)
			}
		}
	}()
	failures := 0
	for n := 0; ; n++ {
		timer := time.NewTimer(w.schedule.Next(n))
		select {
		case <-waitCtx.Done():
			timer.Stop()
			return job, waitErr(waitCtx, jobID, job)
		case <-timer.C:
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
		if w.onStatus != nil {
			w.onStatus(job)
		}
		switch st := job.State(); {
		case st == StatusCompleted:
			return job, nil
		case st.Terminal():
			return job, &JobError{Job: job}
		}
	}
}

func waitErr(ctx context.Context, jobID string, last *Job) error {
	status := "unknown"
	if last != nil {
		status = last.Status
	}
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrWaitTimeout) {
		return fmt.Errorf("llamaextract: waiting for job %s (last status %s): %w", jobID, status, ErrWaitTimeout)
	}
	return fmt.Errorf("llamaextract: waiting for job %s (last status %s): %w", jobID, status, ctx.Err())
}

// transient reports whether a failed check may succeed if tried again
// later; the one classifier (classify) decides.
func transient(err error) bool { return retryable(err) }
