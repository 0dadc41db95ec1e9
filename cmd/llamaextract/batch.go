package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// exitInterrupted is the exit code of a batch stopped by Ctrl-C (128 +
// SIGINT, as shells report it); the state file lets it resume.
const exitInterrupted = 130

// exitError carries a specific exit code and message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

type batchFlags struct {
	extract            extractFlags
	include, exclude   []string
	from, out, outDir  string
	state              string
	retryFailed, quiet bool
	cancelRunning      bool
	concurrency        int
	createRate         float64
	progressEvery      time.Duration
	args               []string
}

func newBatchCmd(g *globals) *cobra.Command {
	var f batchFlags
	cmd := &cobra.Command{
		Use:   "batch [PATH|GLOB|DIR]... (--schema FILE | --config-id cfg-...)",
		Short: "Extract many documents at the service's limit, resumable after a crash",
		Long: `Extract every document given: files, globs, directories (walked recursively,
filtered with --include/--exclude on the file name), or a list of paths, one
per line, from --from FILE (or - for stdin).

Results are JSON Lines, one per document as it finishes (completion order), on
stdout or in --out FILE: input, content_hash, file_id, job_id, status, and
result or error (and metadata with --metadata). --out-dir DIR also writes one
<name>.json per document.

The batch is resumable: --state FILE (default: --out FILE + ".state") journals
every document's progress. Run the same command again after any interruption
(Ctrl-C, kill -9, power loss) and it re-attaches to jobs already created,
never creates a second job for a document, skips documents already written
(the --out file is cut back to the last document the state has as done, so no
line is lost or written twice), and does the rest. A document whose content
changed is extracted again; --retry-failed extracts the failed ones again.

Job creation adapts to the service's rate limit by itself: a 429 slows the
batch down and never fails a document.

First Ctrl-C: create no more jobs, let the running ones finish and be written.
Second Ctrl-C (or the first, with --cancel-running): exit at once; the jobs
keep running on the service and the next run picks them up.

The batch never uploads its own files (--out, the state and its lock,
--out-dir) and never opens an input that is not a regular file (a device, a
FIFO, a link to a directory inside a walk): those are listed as refused.
Conflicting paths (--out equal to --state, --out inside --out-dir, an
--out-dir that cannot be written...) are refused before anything is sent.

Exit codes: 0 every document succeeded, 1 some failed or were refused (listed at the end),
2 usage error, 3 an API or network failure stopped the batch (resumable),
130 interrupted (resumable).`,
		Example: `  llamaextract batch invoices/ --include '*.pdf' --schema invoice.json --out results.jsonl
  find . -name '*.pdf' | llamaextract batch --from - --config-id cfg-... --out results.jsonl
  llamaextract batch 'scans/*.png' --schema s.json --out r.jsonl --out-dir results/   # again after a crash: resumes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatch(cmd, g, &f, args)
		},
	}
	fl := cmd.Flags()
	e := &f.extract
	e.addConfigFlags(fl, "JSON Schema file of the fields to extract", "written")
	fl.BoolVar(&e.metadata, "metadata", false, "add each job's extract metadata to its line")
	fl.DurationVar(&e.pollInterval, "poll-interval", 0, "check each job every interval instead of the default schedule (1 s, +1 s per check, at most 5 s)")
	fl.StringArrayVar(&f.include, "include", nil, "in directories and globs, take only file names matching this pattern (repeatable)")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "in directories and globs, skip file names matching this pattern (repeatable)")
	fl.StringVar(&f.from, "from", "", "read paths, one per line, from this file (- for stdin)")
	fl.StringVar(&f.out, "out", "", "write the JSON Lines here instead of stdout")
	fl.StringVar(&f.outDir, "out-dir", "", "also write one <name>.json per document into this directory")
	fl.StringVar(&f.state, "state", "", `state file that makes the batch resumable (default: --out FILE + ".state")`)
	fl.BoolVar(&f.retryFailed, "retry-failed", false, "extract again the documents that failed in an earlier run")
	fl.BoolVar(&f.cancelRunning, "cancel-running", false, "the first Ctrl-C exits at once instead of waiting for running jobs")
	fl.IntVar(&f.concurrency, "concurrency", 0, "documents in flight at once (default 256; creates are paced separately)")
	fl.Float64Var(&f.createRate, "create-rate", 0, "job creates per second to start at (default 15, the service's documented limit; it adapts to 429s either way)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fl.DurationVar(&f.progressEvery, "progress-interval", 5*time.Second, "without a terminal, print a progress line this often")
	return cmd
}

// batchLine is one line of the output.
type batchLine struct {
	Input       string          `json:"input"`
	InputBase64 []byte          `json:"input_base64,omitempty"`
	ContentHash string          `json:"content_hash,omitempty"`
	FileID      string          `json:"file_id,omitempty"`
	JobID       string          `json:"job_id,omitempty"`
	Status      string          `json:"status"`
	Result      json.RawMessage `json:"result,omitempty"`
	Error       string          `json:"error,omitempty"`
	Metadata    any             `json:"metadata,omitempty"`
}

// runBatch runs the batch in phases: the flags are read, then every
// conflict between them is found (preflight: nothing touched yet), then
// the state file is locked and only then are --out and --out-dir opened
// and tidied, then the inputs are walked and extracted, then the summary.
// Everything before the walk happens before any upload.
func runBatch(cmd *cobra.Command, g *globals, f *batchFlags, args []string) error {
	f.args = args
	cfg, err := f.parse(g)
	if err != nil {
		return err
	}
	own, err := f.preflight()
	if err != nil {
		return err
	}
	c, err := g.client()
	if err != nil {
		return err
	}
	s := &batchSession{g: g, f: f, own: own, drain: make(chan struct{})}
	if err := s.lock(c, cfg); err != nil {
		return err
	}
	defer s.b.Close()
	defer s.closeOutputs()
	if err := s.openOutputs(); err != nil {
		return err
	}
	s.reportResume()
	parent := runCtx(cmd)
	ctx, interrupted, stopSignals := s.handleSignals(parent)
	defer stopSignals()
	stopErr, err := s.run(ctx)
	if err != nil {
		return err
	}
	return s.summary(stopErr, interrupted() || errors.Is(stopErr, context.Canceled) && parent.Err() != nil)
}

// parse checks the flags and arguments on their own and returns the
// configuration of every document's job.
func (f *batchFlags) parse(g *globals) (wrapper.Config, error) {
	cfg, err := f.extract.config(g)
	if err != nil {
		return nil, err
	}
	if len(f.args) == 0 && f.from == "" {
		return nil, usagef("give the documents: paths, globs or directories, or --from FILE (- for stdin)")
	}
	for _, p := range append(append([]string(nil), f.include...), f.exclude...) {
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, usagef("--include/--exclude %q: %v", p, err)
		}
	}
	for _, a := range f.args {
		if hasMeta(a) {
			if _, err := filepath.Glob(a); err != nil {
				return nil, usagef("glob %q: %v", a, err)
			}
		} else if _, err := os.Stat(a); err != nil {
			return nil, usagef("document %s: %v", a, err)
		}
	}
	if f.from == "-" && f.extract.schema == "-" {
		return nil, usagef("--from - and --schema - cannot both read stdin")
	}
	if f.createRate < 0 || f.concurrency < 0 {
		return nil, usagef("--create-rate and --concurrency must not be negative")
	}
	if f.state == "" && f.out != "" {
		f.state = f.out + ".state"
	}
	return cfg, nil
}

// batchSession is one run of the batch command, from the lock to the
// summary.
type batchSession struct {
	g     *globals
	f     *batchFlags
	own   *ownFiles
	b     *batch.Extractor[json.RawMessage]
	drain chan struct{}
	// out is --out (nil for stdout); offset is its size after the last
	// line written, which the state records with each document.
	out    *os.File
	w      io.Writer
	offset int64
	// outDirLock holds --out-dir for this batch (nil without one).
	outDirLock *os.File

	failures []batchFailure
	mu       sync.Mutex // guards refused: the walk runs on the batch's feeding goroutine
	refused  []batchFailure
}

// batchFailure is a document that failed, or an input refused, and why.
type batchFailure struct{ input, why string }

// lock creates the batch, which takes the state file's lock: nothing on
// disk is changed before it is held, so that a second batch refused the
// lock leaves the running one's files alone.
func (s *batchSession) lock(c *wrapper.Client, cfg wrapper.Config) error {
	f := s.f
	opts := []batch.Option{batch.WithConcurrency(f.concurrency), batch.WithCreateRate(f.createRate), batch.WithDrain(s.drain)}
	if f.extract.pollInterval > 0 {
		opts = append(opts, batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(f.extract.pollInterval))))
	}
	if f.extract.metadata {
		opts = append(opts, batch.WithWaitOptions(wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	}
	if f.state != "" {
		opts = append(opts, batch.WithState(f.state))
	}
	if f.retryFailed {
		opts = append(opts, batch.WithRetryFailed())
	}
	if f.out != "" {
		opts = append(opts, batch.WithOutputMark(func() int64 { return s.offset }))
	}
	b, err := batch.New[json.RawMessage](c, cfg, opts...)
	if err != nil {
		var ve *wrapper.ValidationError
		if errors.As(err, &ve) {
			return err
		}
		return usagef("%v", strings.TrimPrefix(err.Error(), "llamaextract: "))
	}
	s.b = b
	return nil
}

// openOutputs opens --out and cuts it back to what the state has as
// written, and makes --out-dir ready; then it learns the identity of every
// file the batch writes, so that the walk skips them.
func (s *batchSession) openOutputs() error {
	f := s.f
	s.w = s.g.stdout
	if f.outDir != "" {
		lock, err := prepareOutDir(f.outDir)
		if err != nil {
			return err
		}
		s.outDirLock = lock
	}
	if f.out != "" {
		out, err := os.OpenFile(f.out, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return usagef("--out: %v", err)
		}
		s.out, s.w = out, out
		if err := s.cutOut(); err != nil {
			return err
		}
	}
	s.own.identify()
	return nil
}

// cutOut cuts --out back to the last document the state has as done:
// lines after it belong to documents that will be delivered again (and a
// torn last line goes with them).
func (s *batchSession) cutOut() error {
	resumed := s.b.Resumed()
	mark := int64(0)
	if resumed.HasMark {
		mark = resumed.Mark
	}
	// The state has the documents up to mark as written: an --out shorter
	// than that, or not ending a line there, was deleted or edited, and
	// its lost lines would never be written again (and Truncate would pad
	// the gap with NUL bytes).
	if err := checkOutMark(s.out, mark); err != nil {
		return usagef("--out %s: %v; restore it, or move %s away to extract every document again", s.f.out, err, s.f.state)
	}
	if err := s.out.Truncate(mark); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := s.out.Seek(mark, io.SeekStart); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	s.offset = mark
	return nil
}

func (s *batchSession) closeOutputs() {
	if s.out != nil {
		s.out.Close()
	}
	if s.outDirLock != nil {
		s.outDirLock.Close()
	}
}

func (s *batchSession) reportResume() {
	resumed := s.b.Resumed()
	if s.f.quiet || resumed.Done == 0 && resumed.InFlight == 0 {
		return
	}
	fmt.Fprintf(s.g.stderr, "resuming %s: %d done (%d failed), %d in flight", s.f.state, resumed.Done, resumed.Failed, resumed.InFlight)
	if resumed.TornBytes > 0 {
		fmt.Fprintf(s.g.stderr, "; cut off a torn last record (%d bytes)", resumed.TornBytes)
	}
	fmt.Fprintln(s.g.stderr)
}

// handleSignals makes the first signal drain the batch and the second (or
// the first with --cancel-running) stop it at once. The returned context is
// cut off from parent: main cancels parent on the first SIGINT, which must
// only drain a batch.
func (s *batchSession) handleSignals(parent context.Context) (ctx context.Context, interrupted func() bool, stop func()) {
	ctx, abort := context.WithCancel(context.WithoutCancel(parent))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Bool
	go func() {
		drained := false
		for {
			select {
			case <-sigs:
				got.Store(true)
				if drained || s.f.cancelRunning {
					abort()
					return
				}
				drained = true
				close(s.drain)
				if !s.f.quiet {
					fmt.Fprintln(s.g.stderr, "\nstopping: no new jobs; waiting for the running ones (Ctrl-C again to exit now)")
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ctx, got.Load, func() { signal.Stop(sigs); abort() }
}

// run walks the inputs and extracts them, writing each document's line as
// it finishes. stopErr is why the batch stopped early; err is a failure to
// write the results.
func (s *batchSession) run(ctx context.Context) (stopErr, err error) {
	total := -1
	if s.f.canCount() {
		total = 0
		for range s.f.inputs(s.g, s.own, func(string, string) {}) {
			total++
		}
	}
	prog := newBatchProgress(s.g, s.f, s.b, total)
	defer prog.stop()
	for it, ierr := range s.b.Run(ctx, s.f.inputs(s.g, s.own, s.refuse)) {
		if errors.Is(ierr, batch.ErrStopped) {
			stopErr = ierr
			continue
		}
		if err := s.write(it, ierr); err != nil {
			return nil, err
		}
	}
	return stopErr, nil
}

// canCount reports whether the inputs can be walked twice, once to count
// them for the progress: not when --from is stdin or a pipe (as from
// <(find ...)), which the count would consume.
func (f *batchFlags) canCount() bool {
	if f.from == "" {
		return true
	}
	st, err := os.Stat(f.from)
	return f.from != "-" && err == nil && st.Mode().IsRegular()
}

// refuse records an input the walk did not hand to the batch.
func (s *batchSession) refuse(path, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = append(s.refused, batchFailure{path, why})
}

// write writes one document's line: to --out-dir, then to --out (synced
// before the state records the document as done).
func (s *batchSession) write(it batch.Item[json.RawMessage], ierr error) error {
	line := batchLine{Input: it.Input, ContentHash: it.Hash, FileID: it.FileID, Status: string(it.Status())}
	if !utf8.ValidString(it.Input) {
		line.InputBase64 = []byte(it.Input)
	}
	if it.Job != nil {
		line.JobID = it.Job.ID
		if s.f.extract.metadata {
			line.Metadata = extractMetadata(it.Job)
		}
	}
	if ierr == nil {
		line.Result = it.Value
	} else {
		line.Error = trimPrefix(ierr.Error())
		s.failures = append(s.failures, batchFailure{it.Input, line.Error})
	}
	raw, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encoding the line of %s: %w", showPath(it.Input), err)
	}
	if s.f.outDir != "" {
		if err := writeAtomic(filepath.Join(s.f.outDir, outName(it.Input)), raw); err != nil {
			return fmt.Errorf("--out-dir: %w", err)
		}
	}
	raw = append(raw, '\n')
	if _, err := s.w.Write(raw); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	if s.out != nil {
		if err := s.out.Sync(); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		s.offset += int64(len(raw))
	}
	return nil
}

// summary lists the failed documents and refused inputs on stderr and
// decides the exit status.
func (s *batchSession) summary(stopErr error, interrupted bool) error {
	g, f := s.g, s.f
	p := s.b.Progress()
	if len(s.failures) > 0 {
		fmt.Fprintf(g.stderr, "%d document(s) failed:\n", len(s.failures))
		for _, fl := range s.failures {
			fmt.Fprintf(g.stderr, "  %s: %s\n", showPath(fl.input), fl.why)
		}
	}
	if len(s.refused) > 0 {
		fmt.Fprintf(g.stderr, "%d input(s) refused, not extracted:\n", len(s.refused))
		for _, r := range s.refused {
			fmt.Fprintf(g.stderr, "  %s: %s\n", showPath(r.input), r.why)
		}
	}
	if p.SkippedFailed > 0 {
		fmt.Fprintf(g.stderr, "%d document(s) failed in an earlier run (their lines say why; --retry-failed extracts them again)\n", p.SkippedFailed)
	}
	if !f.quiet {
		fmt.Fprintf(g.stderr, "batch: %d done, %d failed, %d skipped (done before), %d refused, %d jobs created, %d adopted, %d rate-limited answers waited out\n",
			p.Done, p.Failed, p.Skipped, len(s.refused), p.Created, p.Adopted, p.RateLimited)
		if len(p.Unknown) > 0 {
			fmt.Fprintf(g.stderr, "batch: %s (a status this client does not know; such jobs are treated as still running)\n", unknownStatuses(p.Unknown))
		}
	}
	if stopErr != nil {
		resume := ""
		if f.state != "" {
			resume = "; run the same command again to resume"
		}
		if interrupted {
			return exitError{exitInterrupted, "interrupted" + resume}
		}
		return exitError{exitAPI, trimPrefix(stopErr.Error()) + resume}
	}
	if n := len(s.failures) + p.SkippedFailed + len(s.refused); n > 0 {
		return exitError{exitJobFailed, fmt.Sprintf("%d of %d input(s) failed or were refused (listed above; their lines say why)", n, p.Done+p.Skipped+len(s.refused))}
	}
	return nil
}

// checkOutMark checks that out holds at least mark bytes and that its
// byte at mark-1 ends a line.
func checkOutMark(out *os.File, mark int64) error {
	if mark == 0 {
		return nil
	}
	st, err := out.Stat()
	if err != nil {
		return err
	}
	if st.Size() < mark {
		return fmt.Errorf("it has %d bytes, but the state file records %d bytes of results written to it", st.Size(), mark)
	}
	b := make([]byte, 1)
	if _, err := out.ReadAt(b, mark-1); err != nil {
		return err
	}
	if b[0] != '\n' {
		return fmt.Errorf("it was changed: byte %d, where the state file records the end of the last written line, is not a line end", mark)
	}
	return nil
}

// extractMetadata is the job's extract_metadata as the service sent it.
func extractMetadata(job *wrapper.Job) json.RawMessage {
	raw, err := json.Marshal(job)
	if err != nil {
		return nil
	}
	var wire struct {
		Metadata json.RawMessage `json:"extract_metadata"`
	}
	if json.Unmarshal(raw, &wire) != nil {
		return nil
	}
	return wire.Metadata
}

// batchProgress reports on stderr: a bar on a terminal, a plain line every
// --progress-interval otherwise, nothing with -q.
type batchProgress struct {
	done chan struct{}
	end  chan struct{}
}

func newBatchProgress[T any](g *globals, f *batchFlags, b *batch.Extractor[T], total int) *batchProgress {
	p := &batchProgress{done: make(chan struct{}), end: make(chan struct{})}
	if f.quiet {
		close(p.end)
		return p
	}
	start := time.Now()
	status := func(s batch.Progress) string {
		line := fmt.Sprintf("done %d, failed %d, running %d, 429s %d, %.1f creates/s", s.Done, s.Failed, s.Running+s.Starting, s.RateLimited, s.CreateRate)
		if len(s.Unknown) > 0 {
			line += ", " + unknownStatuses(s.Unknown)
		}
		return line
	}
	go func() {
		defer close(p.end)
		if g.stderrTTY {
			bar := progressbar.NewOptions(total,
				progressbar.OptionSetWriter(g.stderr), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("docs"), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionClearOnFinish(), progressbar.OptionFullWidth())
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				s := b.Progress()
				bar.Describe(status(s))
				_ = bar.Set(s.Done + s.Skipped)
				select {
				case <-p.done:
					_ = bar.Finish()
					return
				case <-t.C:
				}
			}
		}
		t := time.NewTicker(f.progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
			}
			s := b.Progress()
			line := "batch: " + status(s)
			if el := time.Since(start).Seconds(); el > 0 {
				rate := float64(s.Done) / el
				line += fmt.Sprintf(", %.1f docs/s", rate)
				if left := total - s.Done - s.Skipped; total >= 0 && rate > 0 && left > 0 {
					line += fmt.Sprintf(", %d left, eta %s", left, (time.Duration(float64(left)/rate) * time.Second).Round(time.Second))
				}
			}
			fmt.Fprintln(g.stderr, line)
		}
	}()
	return p
}

func (p *batchProgress) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	<-p.end
}

// unknownStatuses names the statuses the client does not know that hold
// documents, e.g. "3 document(s) in status QUEUED_FOR_REVIEW".
func unknownStatuses(unknown map[wrapper.Status]int) string {
	names := slices.Sorted(maps.Keys(unknown))
	parts := make([]string, len(names))
	for i, st := range names {
		parts[i] = fmt.Sprintf("%d document(s) in status %s", unknown[st], st)
	}
	return strings.Join(parts, ", ")
}
