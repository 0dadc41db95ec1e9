// Package batch extracts many documents with one client: it uploads each
// file, creates its job at the service's rate limit, waits, and yields each
// document as it finishes, resumable after any interruption (WithState).
// It sits above package wrapper as aws-sdk-go-v2's feature/s3/manager sits
// above service/s3: it uses only wrapper's exported API, and has its own
// options.
//
// A batch's loop reads:
//
//	for it, err := range batch.ExtractAll[Invoice](ctx, client, paths, wrapper.ExtractConfig{}) {
//		if errors.Is(err, batch.ErrStopped) {
//			return err // *batch.StoppedError lists the inputs not done
//		}
//		if err != nil {
//			log.Printf("%d %s: %v", it.Index, it.Input, err)
//			continue
//		}
//		use(it.Value)
//	}
package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"

	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/wrapper"
)

// Item is one document's outcome.
type Item[T any] struct {
	// Index is the input's position: in ExtractAll's slice, or in Run's
	// sequence.
	Index int
	// Input is the path as given.
	Input string
	// Hash is the hex SHA-256 of the document's content.
	Hash string
	// FileID is the uploaded file (dfl-...), when the upload happened.
	FileID string
	// Job is the document's job, when one was created.
	Job *wrapper.Job
	// Value is the decoded result of a COMPLETED job.
	Value T
}

// Status is the item's final status: the job's status, or "ERROR" for a
// failure that is not a job's (an unreadable file, a refused upload).
func (it Item[T]) Status() wrapper.Status {
	if it.Job != nil && it.Job.Status.Terminal() {
		return it.Job.Status
	}
	return "ERROR"
}

// ExtractAll is wrapper.Extract over many files: it uploads each path (a
// dfl- or pjb- ID is used as is; with WithState only under
// WithOwnedFiles), creates its job, waits, and yields each document as it
// finishes (completion order) with nil or the reason it failed. Results are
// streamed, never collected; what grows with the inputs is an index of
// about 65 bytes per document (duplicates, and the state). The same path
// given twice is done once. When the batch ends early the last pair is a
// zero Item with a *StoppedError (errors.Is(err, ErrStopped)) listing every
// input not done; so is the only pair when New fails (a bad configuration,
// ErrStateLocked), with that error as its Cause. With WithState the batch
// is resumable; see Extractor.
//
// cfg is a wrapper.ExtractConfig or a wrapper.SavedConfig. A zero Schema
// is derived from T (when T is a slice of rows, set the Schema of one row);
// a zero Target is per_doc, or per_table_row when T is a slice.
func ExtractAll[T any](ctx context.Context, c *wrapper.Client, inputs []string, cfg wrapper.Config, opts ...Option) iter.Seq2[Item[T], error] {
	return func(yield func(Item[T], error) bool) {
		x, err := New[T](c, cfg, opts...)
		if err != nil {
			stop := &StoppedError{Cause: err, Unread: true, NotStarted: []Input{}}
			listRest(stop, len(inputs), func(i int) string { return inputs[i] })
			yield(Item[T]{}, stop)
			return
		}
		defer x.Close()
		for it, err := range x.Run(ctx, slices.Values(inputs)) {
			listRest(err, len(inputs), func(i int) string { return inputs[i] })
			if !yield(it, err) {
				return
			}
		}
	}
}

// Extractor is a resumable ExtractAll over a stream of files. With
// WithState, every step of every document is journaled (fsync per record)
// before it is relied on: the file ID before the job is created, the intent
// to create before the create is sent, the job ID, and the document's end.
// After any interruption, running the same batch again re-attaches to
// created jobs, resolves a create that was in flight at the crash by
// listing the jobs of the file it uploaded (a job there that reads this
// file with this configuration is the batch's own, so it is adopted; if
// there is none, the job is created), skips documents already done and does
// the rest: one job per document over any number of runs. A document whose
// job may exist but cannot be found (a create whose answer was lost and
// whose lookup failed, a listing that failed or did not apply the file
// filter) is neither failed nor created again: it is left unfinished (the
// batch ends with a *StoppedError naming it) for the next run to look again.
type Extractor[T any] struct {
	c       *wrapper.Client
	e       *engine
	cfg     wrapper.Config
	resumed Resume
}

// Resume describes what an Extractor found in its state file.
type Resume struct {
	// Done and Failed count documents finished in earlier runs; InFlight
	// counts documents started but not finished.
	Done, Failed, InFlight int
	// TornBytes is the size of a torn last record that was cut off.
	TornBytes int64
	// Mark is the last value WithOutputMark recorded, if HasMark.
	Mark    int64
	HasMark bool
}

// New checks the configuration and the options and opens the state file
// (WithState), recovering from a torn last write. A state file written for
// another configuration is an error, as is a damaged one, and one another
// Extractor holds open (ErrStateLocked) until that one is closed.
func New[T any](c *wrapper.Client, cfg wrapper.Config, opts ...Option) (*Extractor[T], error) {
	s, err := newSettings(opts, Option.apply)
	if err != nil {
		return nil, err
	}
	if err := refuseWithoutResult(s.wait); err != nil {
		return nil, err
	}
	x := &Extractor[T]{c: c}
	if x.cfg, err = configFor[T](cfg); err != nil {
		return nil, err
	}
	// The configuration and the webhooks are checked once, before any
	// document is read.
	if err := (wrapper.CreateJobRequest{FileInput: "dfl-check", Config: x.cfg, Webhooks: s.webhooks}).Validate(); err != nil {
		return nil, err
	}
	var journal *batchstate.Journal
	if s.statePath != "" {
		if journal, err = openJournal[T](s.statePath, x.cfg); err != nil {
			return nil, err
		}
		done, failed, pending := journal.Counts()
		x.resumed = Resume{Done: done, Failed: failed, InFlight: pending, TornBytes: journal.TornBytes()}
		x.resumed.Mark, x.resumed.HasMark = journal.Mark()
	}
	if ec, ok := x.cfg.(wrapper.ExtractConfig); ok && (ec.CiteSources || ec.ConfidenceScores) {
		s.wait = append(s.wait, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	}
	x.e = newEngine(c, s, journal)
	return x, nil
}

// refuseWithoutResult refuses wrapper.WithoutResult among the wait
// options: an Extractor yields each job's decoded result, which a wait
// without the result never reads (RunAll, which yields jobs, takes it).
func refuseWithoutResult(opts []wrapper.WaitOption) error {
	for _, o := range opts {
		switch o.(type) {
		case wrapper.WithoutResultOption, *wrapper.WithoutResultOption:
			return &wrapper.ValidationError{Operation: "batch.New", Field: "WithWaitOptions",
				Reason: "wrapper.WithoutResult() skips the result the batch decodes and yields; remove it (batch.RunAll takes it)"}
		}
	}
	return nil
}

// configFor fills in what T implies: a zero configuration, Schema and
// Target.
func configFor[T any](cfg wrapper.Config) (wrapper.Config, error) {
	switch p := cfg.(type) {
	case nil:
		cfg = wrapper.ExtractConfig{}
	case *wrapper.ExtractConfig:
		cfg = wrapper.ExtractConfig{}
		if p != nil {
			cfg = *p
		}
	case *wrapper.SavedConfig:
		if p != nil {
			cfg = *p
		}
	}
	ec, ok := cfg.(wrapper.ExtractConfig)
	if !ok {
		return cfg, nil
	}
	k := reflect.TypeFor[T]().Kind()
	rows := k == reflect.Slice || k == reflect.Array
	if ec.Schema.IsZero() {
		if rows {
			return nil, &wrapper.ValidationError{Operation: "batch.New", Field: "configuration.data_schema", Reason: fmt.Sprintf("%s is a slice: set ExtractConfig.Schema to the schema of one row, e.g. wrapper.SchemaFor[Row]()", reflect.TypeFor[T]())}
		}
		sch, err := wrapper.SchemaFor[T]()
		if err != nil {
			return nil, err
		}
		ec.Schema = sch
	}
	if ec.Target == "" {
		ec.Target = wrapper.PerDoc
		if rows {
			ec.Target = wrapper.PerTableRow
		}
	}
	return ec, nil
}

// openJournal opens the state file for this configuration and result type.
func openJournal[T any](path string, cfg wrapper.Config) (*batchstate.Journal, error) {
	fp := struct {
		C any     `json:"c"`
		I *string `json:"i"`
		T string  `json:"t"`
	}{T: fmt.Sprintf("%T", *new(T))}
	if saved, ok := cfg.(wrapper.SavedConfig); ok {
		id := strings.TrimSpace(saved.ID)
		fp.I = &id
	} else {
		fp.C = cfg
	}
	raw, err := json.Marshal(fp)
	if err != nil {
		return nil, fmt.Errorf("llamaextract: batch configuration: %w", err)
	}
	sum := sha256.Sum256(raw)
	j, err := batchstate.Open(path, hex.EncodeToString(sum[:16]))
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %w", err)
	}
	return j, nil
}

// Resumed reports what the state file held when the Extractor was opened.
func (x *Extractor[T]) Resumed() Resume { return x.resumed }

// Progress returns the batch's counts now; it is safe to call from any
// goroutine while Run is going.
func (x *Extractor[T]) Progress() Progress { return x.e.progress() }

// Close closes the state file.
func (x *Extractor[T]) Close() error {
	if x.e.journal == nil {
		return nil
	}
	return x.e.journal.Close()
}

// Run extracts every input (file paths) and yields each document as it
// finishes, in completion order, with nil or the reason it failed (an
// *InputError for a file it could not read: errors.Is(err, fs.ErrNotExist)
// holds for a missing one). Inputs are read as they are needed, so a
// generator over a directory walk works for any number of files. A
// document is recorded as done once the loop body that received it returns
// (also when it breaks out of the loop): a crash before then delivers it
// again on the next run. Documents done in an earlier run are not yielded
// (see Progress().Skipped). When the batch ends early the last pair is a
// zero Item with a *StoppedError.
func (x *Extractor[T]) Run(ctx context.Context, inputs iter.Seq[string]) iter.Seq2[Item[T], error] {
	tasks := func(yield func(task) bool) {
		seen := map[[16]byte]struct{}{}
		i := 0
		var dirs dirCache
		for in := range inputs {
			t := task{in: Input{Index: i, Path: in}, key: x.keyOf(in, &dirs)}
			i++
			sum := sha256.Sum256([]byte(t.key))
			k := [16]byte(sum[:16])
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			if !yield(t) {
				return
			}
		}
	}
	return run(ctx, x.e, tasks, x.process)
}
