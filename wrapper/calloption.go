package wrapper

import (
	"fmt"
	"slices"
	"time"
)

// CallOption tunes one call: Wait, Run, Extract, ExtractRows, ExtractAll,
// RunAll, GetJob, GetResult, Jobs, ListJobs, UploadFile and Upload take them
// last. An option a call does not use is ignored; each option's comment says
// which calls read it. A nil CallOption is skipped. Request data (what to
// create, what to list) is never an option: it is a struct argument.
type CallOption func(*callSettings)

type callSettings struct {
	// waiting
	schedule     Schedule
	onStatus     func(*Job)
	cancelOnDone bool
	timeout      time.Duration
	// fetching
	expand []Expand
	// withoutResult makes waits check with fetchWithoutResult.
	withoutResult bool
	// uploading
	purpose    FilePurpose
	externalID string
	// creating
	ownsFiles bool
	webhooks  []Webhook

	// set inside the package only
	cancelDeadline time.Duration
	// pollErrors is how many failed checks in a row a wait tolerates (0:
	// the first error ends it).
	pollErrors int
}

func newCallSettings(opts []CallOption) callSettings {
	if len(opts) == 0 {
		// A variable of its own: s below escapes (the options get its
		// address), and a call without options need not pay for that.
		return callSettings{schedule: DefaultSchedule(), cancelDeadline: 10 * time.Second}
	}
	s := callSettings{schedule: DefaultSchedule(), cancelDeadline: 10 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// check rejects option values no call can honour, before anything is sent;
// op names the call for the error.
func (s callSettings) check(op string) error {
	if s.timeout < 0 {
		return &ValidationError{Operation: op, Field: "WithWaitTimeout", Reason: fmt.Sprintf("negative duration %s; pass a positive bound, or 0 to leave it to the context", s.timeout)}
	}
	var neg time.Duration
	switch sc := s.schedule.(type) {
	case LinearSchedule:
		neg = min(sc.First, sc.Step, sc.Max)
	case ExponentialSchedule:
		neg = min(sc.Initial, sc.Max)
	case FixedSchedule:
		neg = time.Duration(sc)
	}
	if neg < 0 {
		return &ValidationError{Operation: op, Field: "WithSchedule", Reason: fmt.Sprintf("%T has a negative duration (%s); durations must be 0 or more", s.schedule, neg)}
	}
	return nil
}

func (s callSettings) expands(e Expand) bool { return slices.Contains(s.expand, e) }

// WithSchedule sets the polling schedule of a wait (default DefaultSchedule).
// A LinearSchedule, ExponentialSchedule or FixedSchedule with a negative
// duration is a *ValidationError from the call, before any request. Read by Wait, Run, Extract, ExtractRows, ExtractAll and RunAll.
func WithSchedule(s Schedule) CallOption {
	return func(o *callSettings) {
		if s != nil {
			o.schedule = s
		}
	}
}

// OnStatus calls fn with the job after it is created and after every status
// check, for progress reporting. It runs on the waiting goroutine (in a
// batch, on each item's goroutine, so fn must be safe for concurrent use);
// keep it quick. Given more than once, every fn is called, in order. Read
// by Wait, Run, Extract and ExtractRows.
func OnStatus(fn func(*Job)) CallOption {
	return func(o *callSettings) {
		switch prev := o.onStatus; {
		case fn == nil:
		case prev == nil:
			o.onStatus = fn
		default:
			o.onStatus = func(j *Job) { prev(j); fn(j) }
		}
	}
}

// WithCancelOnDone cancels the remote job when the context ends (or the wait
// times out) before the job has finished, so that it stops spending
// credits. Read by Wait, Run, Extract and ExtractRows; not by batches
// (ExtractAll, NewBatch, RunAll), which leave their jobs running when
// stopped so that the next run re-attaches to them.
func WithCancelOnDone() CallOption { return func(o *callSettings) { o.cancelOnDone = true } }

// WithWaitTimeout bounds a wait in addition to the context; the error then
// matches ErrWaitTimeout. Zero, the default, leaves it to the context; a
// negative duration is a *ValidationError from the call, before any
// request. Read by Wait, Run, Extract and ExtractRows.
func WithWaitTimeout(d time.Duration) CallOption { return func(o *callSettings) { o.timeout = d } }

// WithExpand asks for optional parts of a job (ExpandConfiguration,
// ExpandExtractMetadata, ExpandUsage). Read by GetJob, GetResult, Jobs,
// ListJobs, and by Wait, Run, Extract, ExtractRows, ExtractAll, NewBatch
// and RunAll for every status check.
func WithExpand(e ...Expand) CallOption {
	return func(o *callSettings) { o.expand = append(o.expand, e...) }
}

// WithPurpose sets why an uploaded file is stored (default PurposeExtract).
// Read by UploadFile, Upload, and Extract, ExtractRows and ExtractAll when
// they upload.
func WithPurpose(p FilePurpose) CallOption { return func(o *callSettings) { o.purpose = p } }

// WithExternalID gives an uploaded file your own ID, which FileFilter can
// select. Read by UploadFile and Upload.
func WithExternalID(id string) CallOption { return func(o *callSettings) { o.externalID = id } }

// WithWebhooks asks LlamaCloud to notify endpoints as the job Extract
// creates changes status (see Webhook and package webhook). Read by
// Extract, ExtractRows and ExtractAll, the calls that build the
// CreateJobRequest themselves; Run, RunAll and CreateJob take
// CreateJobRequest.Webhooks instead and ignore this option. Each webhook is
// checked before anything is uploaded.
func WithWebhooks(hooks ...Webhook) CallOption {
	return func(o *callSettings) { o.webhooks = append(o.webhooks, hooks...) }
}
