package wrapper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/internal/fileinput"
)

// BatchOption tunes ExtractAll, NewBatch and RunAll: the options below,
// and WithExpand, WithSchedule, OnStatus and WithPurpose, which apply to
// every document.
type BatchOption interface{ applyBatch(*callSettings) }

// callSettings are what a batch reads from its options.
type callSettings struct {
	waitSettings
	upload    uploadSettings
	ownsFiles bool
	webhooks  []Webhook
	batch     batchSettings
}

type batchOption func(*callSettings)

func (o batchOption) applyBatch(s *callSettings) {
	if o != nil {
		o(s)
	}
}

func (o ExpandOption) applyBatch(s *callSettings)  { o.applyWait(&s.waitSettings) }
func (o PollOption) applyBatch(s *callSettings)    { o.applyWait(&s.waitSettings) }
func (o PurposeOption) applyBatch(s *callSettings) { o.applyUpload(&s.upload) }

// WithOwnedFiles promises that every input of a batch given as a file ID
// (dfl-...) was uploaded for this batch alone, as a path always is, so an
// ambiguous create may adopt the job it made (see
// CreateJobRequest.OwnsFile). Leave it out for IDs other callers or
// processes may use.
func WithOwnedFiles() BatchOption { return batchOption(func(s *callSettings) { s.ownsFiles = true }) }

// WithWebhooks asks LlamaCloud to notify endpoints as each job a batch
// creates changes status (see Webhook and package webhook). Each webhook
// is checked before anything is uploaded.
func WithWebhooks(hooks ...Webhook) BatchOption {
	return batchOption(func(s *callSettings) { s.webhooks = append(s.webhooks, hooks...) })
}

// batchSettings are the settings only batches read.
type batchSettings struct {
	concurrency int
	statePath   string
	retryFailed bool
	progress    func(BatchProgress)
	drain       <-chan struct{}
	mark        func() int64
	createRate  float64
}

// defaultBatchConcurrency is how many documents a batch has in flight by
// default: enough to keep 15 creates per second going while each job takes
// up to about 15 s; waiting costs one goroutine and one GET every few
// seconds per document.
const defaultBatchConcurrency = 256

// uploadSlots bounds the documents being read, uploaded or created at once,
// separately from the documents waiting: a batch never holds more than this
// many documents' bytes in memory.
const uploadSlots = 16

// WithConcurrency sets how many documents a batch has in flight at once,
// created and being waited on (default 256). Uploads and creates are
// bounded separately (16 at once) and paced by the adaptive create rate.
// Read by ExtractAll, NewBatch and RunAll.
func WithConcurrency(n int) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.concurrency = n })
}

// WithState makes ExtractAll and NewBatch resumable: path is a journal of
// every document's progress (uploaded, create sent, created, done), each
// step made durable before the batch relies on it. Run the same batch again
// with the same path after any interruption (a cancelled context, a crash,
// kill -9, power loss) and it skips documents already done, re-attaches to
// jobs already created, never creates a second job for a document, and does
// the rest. A document whose content changed is extracted again. Read by
// ExtractAll and NewBatch.
func WithState(path string) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.statePath = path })
}

// WithRetryFailed makes a resumed batch extract again the documents that
// failed in an earlier run (by default they count as done). Read by
// ExtractAll and NewBatch.
func WithRetryFailed() BatchOption {
	return batchOption(func(s *callSettings) { s.batch.retryFailed = true })
}

// WithProgress calls fn after each document finishes, from the goroutine
// that ranges over the results (so calls never overlap). Read by
// ExtractAll, NewBatch and RunAll.
func WithProgress(fn func(BatchProgress)) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.progress = fn })
}

// WithDrain stops a batch gently: once stop is closed, no new document is
// started and no new job is created; documents whose jobs exist are waited
// for and yielded as usual. The last pair then carries ErrBatchStopped.
// Read by ExtractAll, NewBatch and RunAll.
func WithDrain(stop <-chan struct{}) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.drain = stop })
}

// WithOutputMark records fn() in the state file each time a document is
// recorded as done (after the loop body that received it has returned).
// A program that writes results to a file passes its size here; after a
// crash, Batch.Resumed().Mark says how much of that file is accounted for,
// so the program can cut off lines written for documents the state does not
// have as done (they are delivered again). Read by ExtractAll and NewBatch.
func WithOutputMark(fn func() int64) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.mark = fn })
}

// WithCreateRate sets the create rate a batch starts at (default 15 per
// second, LlamaCloud's documented limit). The rate adapts either way: down
// on every burst of 429s, up while creates are the bottleneck. Read by
// ExtractAll, NewBatch and RunAll.
func WithCreateRate(perSecond float64) BatchOption {
	return batchOption(func(s *callSettings) { s.batch.createRate = perSecond })
}

// newBatchSettings reads a batch's options. The wait options (WithSchedule,
// OnStatus, WithExpand) apply to every document's wait; WithCancelOnDone and
// WithWaitTimeout do not: a stopped batch leaves its jobs running so that
// the next run re-attaches to them.
func newBatchSettings(opts []BatchOption) callSettings {
	s := callSettings{waitSettings: defaultWaitSettings()}
	for _, o := range opts {
		if o != nil {
			o.applyBatch(&s)
		}
	}
	if s.batch.concurrency <= 0 {
		s.batch.concurrency = defaultBatchConcurrency
	}
	if s.pollErrors == 0 {
		s.pollErrors = 5
	}
	return s
}

// BatchProgress counts a batch's documents so far.
type BatchProgress struct {
	// Done counts documents finished in this run (Failed among them).
	Done, Failed int
	// Skipped counts documents already done in an earlier run (WithState);
	// SkippedFailed counts those among them that had failed.
	Skipped, SkippedFailed int
	// Starting counts documents being read, uploaded or created; Running
	// counts documents whose job exists and is being waited on.
	Starting, Running int
	// Created counts jobs created in this run; Adopted counts jobs of an
	// earlier run re-attached to.
	Created, Adopted int
	// RateLimited counts 429 answers the batch waited out.
	RateLimited int
	// CreateRate is the current adaptive create rate, per second.
	CreateRate float64
}

// ErrBatchStopped matches the error of the last pair a batch yields when it
// ended before every input was done: its context ended, it was drained
// (WithDrain), the loop broke, or a failure that every document would share
// stopped it (the API key was refused, the network is down, the state file
// cannot be written). With WithState, running it again resumes.
var ErrBatchStopped = errors.New("llamaextract: batch stopped before every input was done")

// ErrStateLocked matches the error of NewBatch (and ExtractAll) when
// another open Batch, in this process or another, holds the same state
// file: two batches on one journal would both create jobs for the same
// documents. The error names the other process; the lock goes with its
// Close or its end (even kill -9). Not detected where flock is missing
// (non-Unix systems).
var ErrStateLocked = batchstate.ErrLocked

// errDrained is the cause of a batch stopped with WithDrain.
var errDrained = errors.New("drained")

// errSharedFailure is the cause of a batch stopped by a failure every
// document would share; the failure itself is in the last pair's error.
var errSharedFailure = errors.New("llamaextract: batch stopped by a failure every document shares")

// BatchResult is one RunAll outcome.
type BatchResult struct {
	// Index is the request's position in the input.
	Index int
	// Job is the job, when one was created.
	Job *Job
}

// BatchItem is one ExtractAll or Batch outcome.
type BatchItem[T any] struct {
	// Input is the path as given.
	Input string
	// Hash is the hex SHA-256 of the document's content.
	Hash string
	// FileID is the uploaded file (dfl-...), when the upload happened.
	FileID string
	// Job is the document's job, when one was created.
	Job *Job
	// Value is the decoded result of a COMPLETED job.
	Value T
}

// Status is the item's final status: the job's status, or "ERROR" for a
// failure that is not a job's (an unreadable file, a refused upload).
func (it BatchItem[T]) Status() Status {
	if it.Job != nil && it.Job.Status.Terminal() {
		return it.Job.Status
	}
	return "ERROR"
}

// RunAll creates a job for each request and waits for them, yielding each
// as it finishes (completion order) with nil or the reason it failed (a
// *JobError for a FAILED job). Creates are paced by an adaptive rate (see
// WithCreateRate): a 429 slows the batch down and the refused create waits
// its turn again, so rate limits never fail an item. Waits are bounded by
// WithConcurrency. When the batch ends early the last pair is a zero
// BatchResult with an error matching ErrBatchStopped; requests not yielded
// before it did not finish.
func (c *Client) RunAll(ctx context.Context, reqs []CreateJobRequest, opts ...BatchOption) iter.Seq2[BatchResult, error] {
	s := newBatchSettings(opts)
	if err := s.check("RunAll"); err != nil {
		return func(yield func(BatchResult, error) bool) { yield(BatchResult{}, err) }
	}
	e := newEngine(c, s, nil)
	type indexed struct {
		i   int
		req CreateJobRequest
	}
	inputs := func(yield func(indexed) bool) {
		for i, r := range reqs {
			if !yield(indexed{i, r}) {
				return
			}
		}
	}
	work := func(ctx, createCtx context.Context, in indexed) outcome[BatchResult] {
		o := outcome[BatchResult]{r: BatchResult{Index: in.i}}
		job, err := e.create(ctx, createCtx, in.req, func() error { return nil })
		if err != nil {
			if ctx.Err() != nil || (createCtx.Err() != nil && errors.Is(err, createCtx.Err())) {
				return o.abort()
			}
			return o.failed(err, batchFatal(err))
		}
		o.r.Job = job
		return finishWait(ctx, e, o, job, func(ctx context.Context, id string) (*Job, error) {
			return c.GetJob(ctx, id, WithExpand(e.s.expand...))
		}, func(*BatchResult) {})
	}
	return runEngine(ctx, e, inputs, work)
}

// ExtractAll is Extract over many files: it uploads each path (a dfl- or
// pjb- ID is used as is; with WithState only under WithOwnedFiles), creates
// its job, waits, and yields each document as it finishes (completion order)
// with nil or the reason it failed. Results are streamed, never collected;
// what grows with the inputs is an index of about 65 bytes per document
// (duplicates, and the state). With WithState the batch
// is resumable after any interruption; see Batch. The same path given twice
// is done once.
//
// cfg is an ExtractConfig (a zero Schema is derived from T, a zero Target
// is per_doc, or per_table_row when T is a slice) or a SavedConfig.
func ExtractAll[T any](ctx context.Context, c *Client, inputs []string, cfg Config, opts ...BatchOption) iter.Seq2[BatchItem[T], error] {
	return func(yield func(BatchItem[T], error) bool) {
		b, err := NewBatch[T](c, cfg, opts...)
		if err != nil {
			yield(BatchItem[T]{}, err)
			return
		}
		defer b.Close()
		for it, err := range b.Run(ctx, slices.Values(inputs)) {
			if !yield(it, err) {
				return
			}
		}
	}
}

// Batch is a resumable ExtractAll over a stream of files. With WithState,
// every step of every document is journaled (fsync per record) before it
// is relied on: the file ID before the job is created, the intent to create
// before the create is sent, the job ID, and the document's end. After any
// interruption, running the same batch again re-attaches to created jobs,
// resolves a create that was in flight at the crash by listing the jobs of
// the file it uploaded (any job there is the batch's own, so it is adopted;
// if there is none, the job is created), skips documents already done and
// does the rest: one job per document over any number of runs.
type Batch[T any] struct {
	c       *Client
	e       *engine
	cfg     Config
	resumed BatchResume
}

// BatchResume describes what a Batch found in its state file.
type BatchResume struct {
	// Done and Failed count documents finished in earlier runs; InFlight
	// counts documents started but not finished.
	Done, Failed, InFlight int
	// TornBytes is the size of a torn last record that was cut off.
	TornBytes int64
	// Mark is the last value WithOutputMark recorded, if HasMark.
	Mark    int64
	HasMark bool
}

// NewBatch checks the configuration and opens the state file (WithState),
// recovering from a torn last write. A state file written for another
// configuration is an error, as is a damaged one, and one another Batch
// holds open (ErrStateLocked) until that Batch is closed.
func NewBatch[T any](c *Client, cfg Config, opts ...BatchOption) (*Batch[T], error) {
	s := newBatchSettings(opts)
	b := &Batch[T]{c: c}
	// A pointer works like the value; nil means a zero ExtractConfig.
	if b.cfg = configValue(cfg); b.cfg == nil {
		b.cfg = ExtractConfig{}
	}
	if ec, ok := b.cfg.(ExtractConfig); ok {
		if ec.Schema.IsZero() {
			sch, err := schemaForResult[T]()
			if err != nil {
				return nil, err
			}
			ec.Schema = sch
		}
		if ec.Target == "" {
			ec.Target = PerDoc
			if shapeOf[T]() == ShapeArray {
				ec.Target = PerTableRow
			}
		}
		b.cfg = ec
	}
	// Validate the options, the configuration and the webhooks once,
	// before any document is read.
	if err := s.check("ExtractAll"); err != nil {
		return nil, err
	}
	body, err := CreateJobRequest{FileInput: "dfl-check", Config: b.cfg, Webhooks: s.webhooks}.body()
	if err != nil {
		return nil, err
	}
	var journal *batchstate.Journal
	if s.batch.statePath != "" {
		fp, err := json.Marshal(struct {
			C any    `json:"c"`
			I any    `json:"i"`
			T string `json:"t"`
		}{body.Configuration, optString(body.ConfigurationID), fmt.Sprintf("%T", *new(T))})
		if err != nil {
			return nil, fmt.Errorf("llamaextract: batch configuration: %w", err)
		}
		sum := sha256.Sum256(fp)
		journal, err = batchstate.Open(s.batch.statePath, hex.EncodeToString(sum[:16]))
		if err != nil {
			return nil, fmt.Errorf("llamaextract: %w", err)
		}
		done, failed, pending := journal.Counts()
		b.resumed = BatchResume{Done: done, Failed: failed, InFlight: pending, TornBytes: journal.TornBytes()}
		b.resumed.Mark, b.resumed.HasMark = journal.Mark()
	}
	if ec, ok := b.cfg.(ExtractConfig); ok && (ec.CiteSources || ec.ConfidenceScores) && !s.expands(ExpandExtractMetadata) {
		s.expand = append(s.expand, ExpandExtractMetadata)
	}
	b.e = newEngine(c, s, journal)
	return b, nil
}

// Resumed reports what the state file held when the batch was opened.
func (b *Batch[T]) Resumed() BatchResume { return b.resumed }

// Progress returns the batch's counts now; it is safe to call from any
// goroutine while Run is going.
func (b *Batch[T]) Progress() BatchProgress { return b.e.progress() }

// Close closes the state file.
func (b *Batch[T]) Close() error {
	if b.e.journal == nil {
		return nil
	}
	return b.e.journal.Close()
}

// Run extracts every input (file paths) and yields each document as it
// finishes, in completion order, with nil or the reason it failed. Inputs
// are read as they are needed, so a generator over a directory walk works
// for any number of files. A document is recorded as done once the loop
// body that received it returns: a crash before then delivers it again on
// the next run. Documents done in an earlier run are not yielded (see
// Progress().Skipped). When the batch ends early the last pair is a zero
// item with an error matching ErrBatchStopped.
func (b *Batch[T]) Run(ctx context.Context, inputs iter.Seq[string]) iter.Seq2[BatchItem[T], error] {
	e := b.e
	var seen map[[16]byte]struct{}
	var seenMu sync.Mutex
	unique := func(yield func(docInput) bool) {
		for in := range inputs {
			key := in
			if abs, err := filepath.Abs(in); err == nil {
				key = abs
			}
			sum := sha256.Sum256([]byte(key))
			var k [16]byte
			copy(k[:], sum[:16])
			seenMu.Lock()
			if seen == nil {
				seen = map[[16]byte]struct{}{}
			}
			_, dup := seen[k]
			seen[k] = struct{}{}
			seenMu.Unlock()
			if dup {
				continue
			}
			if !yield(docInput{path: in, key: key}) {
				return
			}
		}
	}
	return runEngine(ctx, e, unique, func(ctx, createCtx context.Context, in docInput) outcome[BatchItem[T]] {
		return b.process(ctx, createCtx, in)
	})
}

type docInput struct{ path, key string }

func (b *Batch[T]) process(ctx, createCtx context.Context, in docInput) outcome[BatchItem[T]] {
	e := b.e
	o := outcome[BatchItem[T]]{r: BatchItem[T]{Input: in.path}}
	if e.journal != nil {
		o.key = in.key
	}
	// The slot bounds how many documents' bytes are held at once.
	if err := acquire(createCtx, e.uploads); err != nil {
		return o.abort()
	}
	held := true
	release := func() {
		if held {
			<-e.uploads
			held = false
		}
	}
	defer release()
	if id, isID := fileinput.Resolve(in.path); isID {
		// An uploaded file or a parse job, used as is.
		owned := e.s.ownsFiles
		if e.journal != nil && !owned {
			return o.failed(&ValidationError{Operation: "ExtractAll", Field: "input", Reason: fmt.Sprintf("%s is a file or parse job ID; with WithState an ID input needs WithOwnedFiles (the file was uploaded for this batch alone), because only then can the batch tell, after a crash, whether a job on it is its own", id)}, false)
		}
		o.r.FileID = id
		st := batchstate.Doc{FileID: id}
		if e.journal != nil {
			sum := sha256.Sum256([]byte("file id " + id))
			o.hash = hex.EncodeToString(sum[:])
			prev, _ := e.journal.Lookup(in.key)
			switch {
			case !prev.SameContent(o.hash):
			case prev.Step == batchstate.Done && (!prev.Failed || !e.s.batch.retryFailed):
				o.skip = true
				if prev.Failed {
					e.skippedFailed.Add(1)
				}
				return o
			case prev.Step != batchstate.Done:
				st = prev
			}
			if st.Step == batchstate.None {
				if err := e.journal.Uploaded(in.key, o.hash, id); err != nil {
					return o.failed(fmt.Errorf("llamaextract: %w", err), true)
				}
			}
		}
		return b.createAndWait(ctx, createCtx, o, in, st, owned, release)
	}
	content, err := os.ReadFile(in.path)
	if err != nil {
		// Recorded under the hash of "unreadable", so that the next run
		// skips it like any failed document while it stays unreadable,
		// instead of delivering it again, and extracts it once it can be
		// read.
		sum := sha256.Sum256([]byte("unreadable"))
		o.hash = hex.EncodeToString(sum[:])
		if e.journal != nil && b.skipDone(&o, in) {
			return o
		}
		return o.failed(&ValidationError{Operation: "ExtractAll", Field: "input", Reason: err.Error()}, false)
	}
	sum := sha256.Sum256(content)
	o.r.Hash = hex.EncodeToString(sum[:])
	o.hash = o.r.Hash

	var st batchstate.Doc
	if e.journal != nil {
		if b.skipDone(&o, in) {
			return o
		}
		st, _ = e.journal.Lookup(in.key)
		if !st.SameContent(o.r.Hash) || st.Step == batchstate.Done {
			st = batchstate.Doc{} // new, changed or retried: start over
		}
	}
	o.r.FileID = st.FileID
	if st.Step < batchstate.Uploaded {
		var f *File
		err := e.patient(createCtx, func(ctx context.Context) error {
			var err error
			f, err = b.c.upload(ctx, filepath.Base(in.path), bytes.NewReader(content), e.s.upload)
			return err
		})
		if err != nil {
			if createCtx.Err() != nil {
				return o.abort()
			}
			return o.failed(fmt.Errorf("uploading %s: %w", in.path, err), batchFatal(err))
		}
		o.r.FileID = f.ID
		if e.journal != nil {
			if err := e.journal.Uploaded(in.key, o.r.Hash, f.ID); err != nil {
				return o.failed(fmt.Errorf("llamaextract: %w", err), true)
			}
		}
	}
	content = nil
	return b.createAndWait(ctx, createCtx, o, in, st, true, release)
}

// skipDone reports whether the journal has the document done with the
// content o.hash, so that this run skips it (a failed one only without
// WithRetryFailed).
func (b *Batch[T]) skipDone(o *outcome[BatchItem[T]], in docInput) bool {
	st, _ := b.e.journal.Lookup(in.key)
	if st.Step != batchstate.Done || !st.SameContent(o.hash) || st.Failed && b.e.s.batch.retryFailed {
		return false
	}
	o.skip = true
	if st.Failed {
		b.e.skippedFailed.Add(1)
	}
	return true
}

// createAndWait gets the document's job (re-attached, adopted or created)
// and waits for it. release frees the upload slot once the job exists.
// owned says the file is this document's alone (the batch uploaded it, or
// WithOwnedFiles promised so), which makes adopting a job on it safe.
func (b *Batch[T]) createAndWait(ctx, createCtx context.Context, o outcome[BatchItem[T]], in docInput, st batchstate.Doc, owned bool, release func()) outcome[BatchItem[T]] {
	e := b.e
	var job *Job
	var err error
	if st.Step == batchstate.Created {
		job = &Job{ID: st.JobID}
		e.adopted.Add(1)
	} else {
		if st.Step == batchstate.Creating || st.Step == batchstate.Uploaded {
			// An earlier run stopped after the upload. A create for this
			// file may have been in flight ("creating"), or, if the last
			// record of the state was lost, even sent after "uploaded".
			// The file is this document's alone, so any job on it is
			// this batch's: adopt the newest, if any, before creating.
			job, err = e.jobOf(ctx, o.r.FileID)
			if err != nil {
				if ctx.Err() != nil {
					return o.abort()
				}
				return o.failed(err, batchFatal(err))
			}
			if job != nil {
				e.adopted.Add(1)
				if err := e.journal.Created(in.key, job.ID); err != nil {
					return o.failed(fmt.Errorf("llamaextract: %w", err), true)
				}
			}
		}
		if job == nil {
			intent := func() error {
				if e.journal == nil {
					return nil
				}
				return e.journal.Creating(in.key, o.r.FileID)
			}
			// A file that is this document's alone lets CreateJob adopt
			// what an ambiguous attempt made.
			req := CreateJobRequest{FileInput: o.r.FileID, Config: b.cfg, Webhooks: e.s.webhooks, OwnsFile: owned}
			job, err = e.create(ctx, createCtx, req, intent)
			for round := 0; owned && err != nil && round < 2 && mayHaveCreated(err) && ctx.Err() == nil; round++ {
				// The create may have made a job that the client could
				// not find. The file is the batch's own, so any job on it
				// is this document's: adopt it, or create once more.
				found, ferr := e.jobOf(ctx, o.r.FileID)
				switch {
				case found != nil:
					job, err = found, nil
					e.adopted.Add(1)
				case ferr == nil:
					job, err = e.create(ctx, createCtx, req, intent)
				}
			}
			if err != nil {
				if ctx.Err() != nil || (createCtx.Err() != nil && errors.Is(err, createCtx.Err())) {
					return o.abort()
				}
				return o.failed(err, errors.As(err, new(*ValidationError)) || batchFatal(err))
			}
			if e.journal != nil {
				if err := e.journal.Created(in.key, job.ID); err != nil {
					return o.failed(fmt.Errorf("llamaextract: %w", err), true)
				}
			}
		}
	}
	release()
	o.r.Job = job
	o.hash, o.jobID = o.r.Hash, job.ID
	var value T
	return finishWait(ctx, e, o, job, func(ctx context.Context, id string) (*Job, error) {
		v, j, _, err := getResult[T](ctx, b.c, id, e.s.expand)
		value = v
		return j, err
	}, func(r *BatchItem[T]) { r.Value = value })
}

// outcome is what one item's work produced.
type outcome[R any] struct {
	r R
	// err is the item's failure, yielded with it; fatal stops the batch.
	err   error
	fatal bool
	// skip: done in an earlier run; aborted: stopped before it finished
	// (not yielded, resumable).
	skip, aborted bool
	// key, hash, jobID: what the journal records when it is delivered.
	key, hash, jobID string
}

func (o outcome[R]) failed(err error, fatal bool) outcome[R] {
	o.err, o.fatal = err, fatal
	if fatal {
		o.aborted = true
	}
	return o
}

func (o outcome[R]) abort() outcome[R] { o.aborted = true; return o }

// engine holds what the items of one batch share.
type engine struct {
	c       *Client
	s       callSettings
	lim     *createLimiter
	uploads chan struct{}
	journal *batchstate.Journal

	done, failed, skipped, skippedFailed, starting, running, created, adopted, limited429 atomic.Int64
}

func newEngine(c *Client, s callSettings, journal *batchstate.Journal) *engine {
	return &engine{c: c, s: s, lim: newCreateLimiter(c.clock, s.batch.createRate), uploads: make(chan struct{}, uploadSlots), journal: journal}
}

func (e *engine) progress() BatchProgress {
	rate, refused := e.lim.snapshot()
	return BatchProgress{
		Done: int(e.done.Load()), Failed: int(e.failed.Load()), Skipped: int(e.skipped.Load()), SkippedFailed: int(e.skippedFailed.Load()),
		Starting: int(e.starting.Load()), Running: int(e.running.Load()),
		Created: int(e.created.Load()), Adopted: int(e.adopted.Load()),
		RateLimited: refused + int(e.limited429.Load()), CreateRate: rate,
	}
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxBatchRetryAfter caps one wait a 429 asks for.
const maxBatchRetryAfter = time.Minute

// patient runs call until it gets an answer other than 429, waiting each
// time as long as the server asks: a 429 proves the request was refused,
// so sending it again is always safe.
func (e *engine) patient(ctx context.Context, call func(context.Context) error) error {
	for n := 0; ; n++ {
		err := call(withOwn429(ctx))
		d, refused := retryAfter429(err)
		if !refused {
			return err
		}
		e.limited429.Add(1)
		if d <= 0 {
			d = e.c.policy.backoff(min(n, 6))
		}
		if err := sleep(ctx, e.c.clock, min(d, maxBatchRetryAfter)); err != nil {
			return err
		}
	}
}

func retryAfter429(err error) (time.Duration, bool) {
	var api *APIError
	if errors.As(err, &api) && api.StatusCode == http.StatusTooManyRequests {
		return api.RetryAfter, true
	}
	return 0, false
}

// create sends a create at the adaptive rate; a 429 slows the rate down and
// the create waits its turn again. intent runs (once) before the first
// create is sent. Creation stops before sending when createCtx ends (a
// drain); a create already sent is seen through with ctx.
func (e *engine) create(ctx, createCtx context.Context, req CreateJobRequest, intent func() error) (*Job, error) {
	e.starting.Add(1)
	defer e.starting.Add(-1)
	intended := false
	for {
		if err := e.lim.wait(createCtx); err != nil {
			return nil, err
		}
		if createCtx.Err() != nil {
			return nil, createCtx.Err()
		}
		if !intended {
			if err := intent(); err != nil {
				return nil, fmt.Errorf("llamaextract: %w", err)
			}
			intended = true
		}
		job, err := e.c.CreateJob(withOwn429(ctx), req)
		if d, refused := retryAfter429(err); refused {
			e.lim.refused(e.c.clock.Now(), min(d, maxBatchRetryAfter))
			continue
		}
		if err != nil {
			return nil, err
		}
		e.lim.accepted(e.c.clock.Now())
		e.created.Add(1)
		return job, nil
	}
}

// mayHaveCreated reports whether a failed create may have made a job.
func mayHaveCreated(err error) bool {
	return errors.Is(err, ErrAmbiguousCreate) || classify(true, err) == lookFirst
}

// jobOf returns the newest job of a file the batch uploaded, or nil.
func (e *engine) jobOf(ctx context.Context, fileID string) (*Job, error) {
	var page *ListPage[*Job]
	err := e.patient(ctx, func(ctx context.Context) error {
		var err error
		page, err = e.c.ListJobs(ctx, JobFilter{FileInput: fileID, PageSize: 10})
		return err
	})
	if err != nil || len(page.Items) == 0 {
		return nil, err
	}
	return page.Items[0], nil
}

// finishWait waits for a job and completes the outcome; keep runs with the
// final job.
func finishWait[R any](ctx context.Context, e *engine, o outcome[R], job *Job, fetch jobFetch, keep func(*R)) outcome[R] {
	e.running.Add(1)
	defer e.running.Add(-1)
	final, err := e.waitJob(ctx, job, fetch)
	if final != nil {
		*job = *final
		keep(&o.r)
	}
	if err != nil {
		if ctx.Err() != nil {
			return o.abort()
		}
		return o.failed(err, batchFatal(err))
	}
	return o
}

// jobFetch fetches a job once (GetJob, or GetJobResult into the batch's T).
type jobFetch = func(ctx context.Context, id string) (*Job, error)

// waitJob polls a job on the wait schedule until it ends. A 429 waits as
// the server asks and does not count; other transient failures are
// tolerated up to the poll error limit.
func (e *engine) waitJob(ctx context.Context, job *Job, fetch jobFetch) (*Job, error) {
	failures := 0
	for n := 0; ; n++ {
		// A job re-attached to after a restart (no status known yet), or
		// one that finished within the create call, is fetched at once.
		if n > 0 || (job.Status != "" && !job.Status.Terminal()) {
			if err := sleep(ctx, e.c.clock, e.s.schedule.Next(n)); err != nil {
				return nil, err
			}
		}
		var j *Job
		err := e.patient(ctx, func(ctx context.Context) error {
			var err error
			j, err = fetch(ctx, job.ID)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if failures < e.s.pollErrors && transient(err) {
				failures++
				continue
			}
			return nil, err
		}
		failures = 0
		if e.s.onStatus != nil {
			e.s.onStatus(j)
		}
		switch st := j.Status; {
		case st == StatusCompleted:
			return j, nil
		case st.Terminal():
			return j, &JobError{Job: j}
		}
	}
}

// batchFatal reports whether a failure would be every document's, so that
// the batch stops (resumably) instead of failing them one by one.
func batchFatal(err error) bool {
	var api *APIError
	if errors.As(err, &api) {
		switch api.StatusCode {
		case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden:
			return true
		}
		return false
	}
	var conn *ConnectionError
	return errors.As(err, &conn)
}

// runEngine feeds inputs to work with at most the batch's concurrency in
// flight and yields outcomes as they come.
func runEngine[I, R any](ctx context.Context, e *engine, inputs iter.Seq[I], work func(ctx, createCtx context.Context, in I) outcome[R]) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		// createCtx ends on a drain too: no new document, no new create.
		createCtx, stopCreating := context.WithCancelCause(ctx)
		defer stopCreating(nil)
		if e.s.batch.drain != nil {
			go func() {
				select {
				case <-e.s.batch.drain:
					stopCreating(errDrained)
				case <-createCtx.Done():
				}
			}()
		}
		results := make(chan outcome[R])
		slots := make(chan struct{}, e.s.batch.concurrency)
		var wg sync.WaitGroup
		var fedAll atomic.Bool
		go func() {
			defer func() {
				wg.Wait()
				close(results)
			}()
			for in := range inputs {
				if acquire(createCtx, slots) != nil {
					return
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := work(ctx, createCtx, in)
					<-slots
					results <- o
				}()
			}
			fedAll.Store(true)
		}()

		var stopErr error
		stopped := false
		left := 0
		for o := range results {
			switch {
			case o.skip:
				e.skipped.Add(1)
				continue
			case o.fatal:
				if stopErr == nil {
					stopErr = o.err
					// Not o.err itself: the request layer hands the cause
					// to every request it cuts off, and must not share one
					// error value between goroutines.
					cancel(errSharedFailure)
				}
				left++
				continue
			case o.aborted, stopped:
				left++
				continue
			}
			e.done.Add(1)
			if o.err != nil {
				e.failed.Add(1)
			}
			if !yield(o.r, o.err) {
				stopped = true
				cancel(nil)
				continue
			}
			if err := e.recordDone(o.key, o.hash, o.jobID, o.err); err != nil && stopErr == nil {
				stopErr = err
				cancel(errSharedFailure)
			}
			if e.s.batch.progress != nil {
				e.s.batch.progress(e.progress())
			}
		}
		if stopped {
			return
		}
		cause := stopErr
		if cause == nil {
			cause = context.Cause(createCtx)
		}
		if cause == nil && !fedAll.Load() {
			cause = ctx.Err()
		}
		if cause == nil && left == 0 && fedAll.Load() {
			return
		}
		if cause == nil {
			cause = context.Canceled
		}
		var zero R
		yield(zero, fmt.Errorf("%w (%d started but not finished; inputs after them not started): %w", ErrBatchStopped, left, cause))
	}
}

// recordDone journals a delivered document.
func (e *engine) recordDone(key, hash, jobID string, failure error) error {
	if e.journal == nil || key == "" {
		return nil
	}
	status := "ERROR"
	var je *JobError
	switch {
	case failure == nil:
		status = string(StatusCompleted)
	case errors.As(failure, &je):
		status = string(je.Job.Status)
	}
	var mark *int64
	if e.s.batch.mark != nil {
		m := e.s.batch.mark()
		mark = &m
	}
	if err := e.journal.Finished(key, hash, jobID, status, failure != nil, mark); err != nil {
		return fmt.Errorf("llamaextract: %w", err)
	}
	return nil
}
