package wrapper

import (
	"fmt"
	"slices"
	"time"
)

// A call's options are typed by the family of calls that reads them, so an
// option passed to a call that would not read it does not compile there.
// Each family is an interface with an unexported method; each constructor
// returns a concrete type that implements the interface of every family
// that reads it. A nil option is skipped. Request data (what to create,
// what to list) is never an option: it is a struct argument.

// GetOption tunes a read of one job: GetJob, GetResult and Rows take them.
// WithExpand makes one.
type GetOption interface{ applyGet(*readSettings) }

// ListOption tunes a listing of jobs: ListJobs and Jobs take them.
// WithExpand makes one.
type ListOption interface{ applyList(*readSettings) }

// WaitOption tunes a wait for a job: Wait and Run take them. WithExpand,
// WithSchedule, OnStatus, WithCancelOnDone, WithWaitTimeout and
// WithoutResult make one.
type WaitOption interface{ applyWait(*waitSettings) }

// ExtractOption tunes Extract and ExtractRows: how they wait (WithExpand,
// WithSchedule, OnStatus, WithCancelOnDone, WithWaitTimeout) and how they
// upload a path (WithPurpose).
type ExtractOption interface{ applyExtract(*extractSettings) }

// UploadOption tunes an upload: UploadFile and Upload take them.
// WithPurpose and WithExternalID make one.
type UploadOption interface{ applyUpload(*uploadSettings) }

// readSettings are what GetOption and ListOption set.
type readSettings struct {
	expand []Expand
}

// waitSettings are what WaitOption sets.
type waitSettings struct {
	schedule     Schedule
	onStatus     func(*Job)
	cancelOnDone bool
	timeout      time.Duration
	expand       []Expand
	// withoutResult makes waits check with fetchWithoutResult.
	withoutResult bool

	// set inside the package only
	cancelDeadline time.Duration
	// pollErrors is how many failed checks in a row a wait tolerates (0:
	// the first error ends it); WithPollErrors sets it.
	pollErrors int
}

// uploadSettings are what UploadOption sets.
type uploadSettings struct {
	purpose    FilePurpose
	externalID string
}

// extractSettings are what ExtractOption sets.
type extractSettings struct {
	wait   waitSettings
	upload uploadSettings
}

func defaultWaitSettings() waitSettings {
	return waitSettings{schedule: DefaultSchedule(), cancelDeadline: 10 * time.Second}
}

// The settings readers below return early without options: the settings
// escape (each option gets their address), and a call without options
// need not pay for that.

func getExpand(opts []GetOption) []Expand {
	if len(opts) == 0 {
		return nil
	}
	var s readSettings
	for _, o := range opts {
		if o != nil {
			o.applyGet(&s)
		}
	}
	return s.expand
}

func listExpand(opts []ListOption) []Expand {
	if len(opts) == 0 {
		return nil
	}
	var s readSettings
	for _, o := range opts {
		if o != nil {
			o.applyList(&s)
		}
	}
	return s.expand
}

func newWaitSettings(opts []WaitOption) waitSettings {
	if len(opts) == 0 {
		return defaultWaitSettings()
	}
	s := defaultWaitSettings()
	for _, o := range opts {
		if o != nil {
			o.applyWait(&s)
		}
	}
	return s
}

func newExtractSettings(opts []ExtractOption) extractSettings {
	s := extractSettings{wait: defaultWaitSettings()}
	for _, o := range opts {
		if o != nil {
			o.applyExtract(&s)
		}
	}
	return s
}

func newUploadSettings(opts []UploadOption) uploadSettings {
	var s uploadSettings
	for _, o := range opts {
		if o != nil {
			o.applyUpload(&s)
		}
	}
	return s
}

// check rejects option values no call can honour, before anything is sent;
// op names the call for the error.
func (s waitSettings) check(op string) error {
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

func (s waitSettings) expands(e Expand) bool { return slices.Contains(s.expand, e) }

// ExpandOption asks for optional parts of a job; WithExpand makes one. It
// is a GetOption, a ListOption, a WaitOption and an ExtractOption.
type ExpandOption struct{ expand []Expand }

func (o ExpandOption) applyGet(s *readSettings)  { s.expand = append(s.expand, o.expand...) }
func (o ExpandOption) applyList(s *readSettings) { s.expand = append(s.expand, o.expand...) }
func (o ExpandOption) applyWait(s *waitSettings) { s.expand = append(s.expand, o.expand...) }
func (o ExpandOption) applyExtract(s *extractSettings) {
	s.wait.expand = append(s.wait.expand, o.expand...)
}

// WithExpand asks for optional parts of a job (ExpandConfiguration,
// ExpandExtractMetadata, ExpandUsage): for GetJob, GetResult, Rows,
// ListJobs and Jobs, and for every status check of Wait, Run, Extract and
// ExtractRows.
func WithExpand(e ...Expand) ExpandOption { return ExpandOption{expand: slices.Clone(e)} }

// PollOption tunes how a call waits for its job; WithSchedule, OnStatus,
// WithCancelOnDone and WithWaitTimeout make one. It is a WaitOption and an
// ExtractOption.
type PollOption struct{ set func(*waitSettings) }

func (o PollOption) applyWait(s *waitSettings) {
	if o.set != nil {
		o.set(s)
	}
}

func (o PollOption) applyExtract(s *extractSettings) { o.applyWait(&s.wait) }

// WithSchedule sets the polling schedule of a wait (default DefaultSchedule).
// A LinearSchedule, ExponentialSchedule or FixedSchedule with a negative
// duration is a *ValidationError from the call, before any request.
func WithSchedule(s Schedule) PollOption {
	return PollOption{func(o *waitSettings) {
		if s != nil {
			o.schedule = s
		}
	}}
}

// OnStatus calls fn with the job after it is created and after every status
// check, for progress reporting; a status this package does not know is
// passed too. It runs on the waiting goroutine; keep it quick. Given more
// than once, every fn is called, in order, so that a helper that waits
// (package batch) can watch the statuses without replacing the caller's fn.
func OnStatus(fn func(*Job)) PollOption {
	return PollOption{func(o *waitSettings) {
		switch prev := o.onStatus; {
		case fn == nil:
		case prev == nil:
			o.onStatus = fn
		default:
			o.onStatus = func(j *Job) { prev(j); fn(j) }
		}
	}}
}

// WithCancelOnDone cancels the remote job when the context ends (or the wait
// times out) before the job has finished, so that it stops spending
// credits.
func WithCancelOnDone() PollOption {
	return PollOption{func(o *waitSettings) { o.cancelOnDone = true }}
}

// WithWaitTimeout bounds a wait in addition to the context; the error then
// matches ErrWaitTimeout. Zero, the default, leaves it to the context; a
// negative duration is a *ValidationError from the call, before any
// request.
func WithWaitTimeout(d time.Duration) PollOption {
	return PollOption{func(o *waitSettings) { o.timeout = d }}
}

// WithPollErrors makes a wait keep polling through up to n failed status
// checks in a row (each one failed after the client's RetryPolicy) that may
// succeed later (a 5xx, a dropped connection), instead of returning the
// first. Default 0: the first such failure ends the wait. Package batch
// sets 5, so that a short outage does not fail every running document.
func WithPollErrors(n int) PollOption {
	return PollOption{func(o *waitSettings) { o.pollErrors = max(n, 0) }}
}

// WithoutResultOption makes a wait skip the job's result; WithoutResult
// makes one. It is a WaitOption only: Extract and ExtractRows need the
// result they decode.
type WithoutResultOption struct{}

func (WithoutResultOption) applyWait(s *waitSettings) { s.withoutResult = true }

// WithoutResult makes Wait and Run return the job without its
// extract_result and extract_metadata: each status check reads the job as
// it streams and skips those two members one element at a time, so waiting
// for a result larger than memory holds none of it. Read the result
// afterwards with Rows; the returned job's Decode and Metadata find nothing.
func WithoutResult() WithoutResultOption { return WithoutResultOption{} }

// PurposeOption says why an uploaded file is stored; WithPurpose makes one.
// It is an UploadOption and an ExtractOption.
type PurposeOption struct{ purpose FilePurpose }

func (o PurposeOption) applyUpload(s *uploadSettings)   { s.purpose = o.purpose }
func (o PurposeOption) applyExtract(s *extractSettings) { s.upload.purpose = o.purpose }

// WithPurpose sets why an uploaded file is stored (default PurposeExtract):
// for UploadFile and Upload, and for Extract and ExtractRows when they
// upload a path.
func WithPurpose(p FilePurpose) PurposeOption { return PurposeOption{purpose: p} }

// ExternalIDOption gives an uploaded file your own ID; WithExternalID makes
// one. It is an UploadOption only.
type ExternalIDOption struct{ id string }

func (o ExternalIDOption) applyUpload(s *uploadSettings) { s.externalID = o.id }

// WithExternalID gives a file uploaded with UploadFile or Upload your own
// ID, which FileFilter can select.
func WithExternalID(id string) ExternalIDOption { return ExternalIDOption{id: id} }
