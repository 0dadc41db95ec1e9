package batch

import (
	"github.com/extract-go/llamaextract/wrapper"
)

// Option configures New and ExtractAll. Every RunOption is an Option too;
// the options only New and ExtractAll read (WithState, WithRetryFailed,
// WithOutputMark, WithOwnedFiles, WithWebhooks, WithUploadOptions) are not
// RunOptions, so passing one to RunAll does not compile.
type Option interface {
	apply(*settings)
}

// RunOption configures RunAll, New and ExtractAll.
type RunOption interface {
	Option
	applyRun(*settings)
}

// option is read by New and ExtractAll.
type option func(*settings)

func (o option) apply(s *settings) { o(s) }

// runOption is read by RunAll too.
type runOption func(*settings)

func (o runOption) apply(s *settings)    { o(s) }
func (o runOption) applyRun(s *settings) { o(s) }

type settings struct {
	concurrency int
	statePath   string
	retryFailed bool
	progress    func(Progress)
	drain       <-chan struct{}
	mark        func() int64
	createRate  float64
	ownsFiles   bool
	webhooks    []wrapper.Webhook
	wait        []wrapper.WaitOption
	upload      []wrapper.UploadOption
}

// defaultConcurrency is how many documents a batch has in flight by
// default: enough to keep 15 creates per second going while each job takes
// up to about 15 s; waiting costs one goroutine and one GET every few
// seconds per document.
const defaultConcurrency = 256

// defaultPollErrors is how many failed status checks in a row a
// document's wait polls through.
const defaultPollErrors = 5

// uploadSlots bounds the documents being read, uploaded or created at once,
// separately from the documents waiting.
const uploadSlots = 16

// newSettings reads a batch's options and checks the wait options, before
// anything is read or sent.
func newSettings[O Option](opts []O, apply func(O, *settings)) (settings, error) {
	// A short outage must not fail every running document: waits poll
	// through a few failed checks (the caller's WithPollErrors wins).
	s := settings{wait: []wrapper.WaitOption{wrapper.WithPollErrors(defaultPollErrors)}}
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &s)
		}
	}
	if s.concurrency <= 0 {
		s.concurrency = defaultConcurrency
	}
	return s, wrapper.CheckWaitOptions(s.wait...)
}

// WithConcurrency sets how many documents a batch has in flight at once,
// created and being waited on (default 256). Uploads and creates are
// bounded separately (16 at once) and paced by the adaptive create rate.
func WithConcurrency(n int) RunOption { return runOption(func(s *settings) { s.concurrency = n }) }

// WithState makes the batch resumable: path is a journal of every
// document's progress (uploaded, create sent, created, done), each step made
// durable before the batch relies on it. Run the same batch again with the
// same path after any interruption (a cancelled context, a crash, kill -9,
// power loss) and it skips documents already done, re-attaches to jobs
// already created, never creates a second job for a document, and does the
// rest. A document whose content changed is extracted again.
func WithState(path string) Option { return option(func(s *settings) { s.statePath = path }) }

// WithRetryFailed makes a resumed batch extract again the documents that
// failed in an earlier run (by default they count as done).
func WithRetryFailed() Option { return option(func(s *settings) { s.retryFailed = true }) }

// WithProgress calls fn after each document finishes, from the goroutine
// that ranges over the results (so calls never overlap).
func WithProgress(fn func(Progress)) RunOption {
	return runOption(func(s *settings) { s.progress = fn })
}

// WithDrain stops a batch gently: once stop is closed, no new document is
// started and no new job is created; documents whose jobs exist are waited
// for and yielded as usual. The last pair then carries a *StoppedError.
func WithDrain(stop <-chan struct{}) RunOption {
	return runOption(func(s *settings) { s.drain = stop })
}

// WithOutputMark records fn() in the state file each time a document is
// recorded as done (after the loop body that received it has returned). A
// program that writes results to a file passes its size here; after a
// crash, Resumed().Mark says how much of that file is accounted for, so the
// program can cut off lines written for documents the state does not have
// as done (they are delivered again).
func WithOutputMark(fn func() int64) Option { return option(func(s *settings) { s.mark = fn }) }

// WithCreateRate sets the create rate a batch starts at (default 15 per
// second, LlamaCloud's documented limit). The rate adapts either way: down
// on every burst of 429s, up while creates are the bottleneck.
func WithCreateRate(perSecond float64) RunOption {
	return runOption(func(s *settings) { s.createRate = perSecond })
}

// WithOwnedFiles promises that every input given as a file ID (dfl-...)
// was uploaded for this batch alone, as a path always is: only then may
// the batch adopt a job an ambiguous create or an earlier run made on it
// (see wrapper.CreateJobRequest.OwnsFile). With WithState an ID input needs
// it.
func WithOwnedFiles() Option { return option(func(s *settings) { s.ownsFiles = true }) }

// WithWebhooks asks LlamaCloud to notify endpoints as each job the batch
// creates changes status (see wrapper.Webhook). Each webhook is checked
// before anything is uploaded. RunAll takes them in each request instead.
func WithWebhooks(hooks ...wrapper.Webhook) Option {
	return option(func(s *settings) { s.webhooks = append(s.webhooks, hooks...) })
}

// WithWaitOptions passes options to every document's wait (wrapper.Wait):
// WithSchedule, OnStatus, WithExpand, WithPollErrors (default 5 here). WithCancelOnDone and WithWaitTimeout
// apply too, but a batch stopped by its context then cancels its running
// jobs, and the next run finds them CANCELLED instead of re-attaching.
// wrapper.WithoutResult is for RunAll only: New and ExtractAll, which
// yield the result, refuse it before anything is sent.
func WithWaitOptions(opts ...wrapper.WaitOption) RunOption {
	return runOption(func(s *settings) { s.wait = append(s.wait, opts...) })
}

// WithUploadOptions passes options to every upload (wrapper.Upload), e.g.
// WithPurpose.
func WithUploadOptions(opts ...wrapper.UploadOption) Option {
	return option(func(s *settings) { s.upload = append(s.upload, opts...) })
}
