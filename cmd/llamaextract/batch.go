package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

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

Exit codes: 0 every document succeeded, 1 some failed (listed at the end),
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
	ContentHash string          `json:"content_hash,omitempty"`
	FileID      string          `json:"file_id,omitempty"`
	JobID       string          `json:"job_id,omitempty"`
	Status      string          `json:"status"`
	Result      json.RawMessage `json:"result,omitempty"`
	Error       string          `json:"error,omitempty"`
	Metadata    any             `json:"metadata,omitempty"`
}

func runBatch(cmd *cobra.Command, g *globals, f *batchFlags, args []string) error {
	f.args = args
	cfg, err := f.extract.config(g)
	if err != nil {
		return err
	}
	if len(args) == 0 && f.from == "" {
		return usagef("give the documents: paths, globs or directories, or --from FILE (- for stdin)")
	}
	for _, p := range append(append([]string(nil), f.include...), f.exclude...) {
		if _, err := filepath.Match(p, ""); err != nil {
			return usagef("--include/--exclude %q: %v", p, err)
		}
	}
	for _, a := range args {
		if hasMeta(a) {
			if _, err := filepath.Glob(a); err != nil {
				return usagef("glob %q: %v", a, err)
			}
		} else if _, err := os.Stat(a); err != nil {
			return usagef("document %s: %v", a, err)
		}
	}
	if f.from == "-" && f.extract.schema == "-" {
		return usagef("--from - and --schema - cannot both read stdin")
	}
	if f.state == "" && f.out != "" {
		f.state = f.out + ".state"
	}
	c, err := g.client()
	if err != nil {
		return err
	}

	if f.createRate < 0 || f.concurrency < 0 {
		return usagef("--create-rate and --concurrency must not be negative")
	}
	opts := []batch.Option{batch.WithConcurrency(f.concurrency), batch.WithCreateRate(f.createRate)}
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
	drain := make(chan struct{})
	opts = append(opts, batch.WithDrain(drain))

	var out *os.File
	var w io.Writer = g.stdout
	var offset int64
	if f.out != "" {
		out, err = os.OpenFile(f.out, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return usagef("--out: %v", err)
		}
		defer out.Close()
		w = out
		opts = append(opts, batch.WithOutputMark(func() int64 { return offset }))
	}
	if f.outDir != "" {
		if err := os.MkdirAll(f.outDir, 0o755); err != nil {
			return usagef("--out-dir: %v", err)
		}
		// A kill in the middle of writeAtomic leaves its temporary file.
		stale, _ := filepath.Glob(filepath.Join(f.outDir, tmpPrefix+"*"))
		for _, p := range stale {
			_ = os.Remove(p)
		}
	}
	b, err := batch.New[json.RawMessage](c, cfg, opts...)
	if err != nil {
		var ve *wrapper.ValidationError
		if errors.As(err, &ve) {
			return err
		}
		return usagef("%v", strings.TrimPrefix(err.Error(), "llamaextract: "))
	}
	defer b.Close()
	resumed := b.Resumed()
	if out != nil {
		// Lines after the last document the state has as done belong to
		// documents that will be delivered again: cut them off (and any
		// torn last line with them).
		mark := int64(0)
		if resumed.HasMark {
			mark = resumed.Mark
		}
		// The state has the documents up to mark as written: an --out
		// shorter than that, or not ending a line there, was deleted or
		// edited, and its lost lines would never be written again (and
		// Truncate would pad the gap with NUL bytes).
		if err := checkOutMark(out, mark); err != nil {
			return usagef("--out %s: %v; restore it, or move %s away to extract every document again", f.out, err, f.state)
		}
		if err := out.Truncate(mark); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if _, err := out.Seek(mark, io.SeekStart); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		offset = mark
	}
	if !f.quiet && (resumed.Done > 0 || resumed.InFlight > 0) {
		fmt.Fprintf(g.stderr, "resuming %s: %d done (%d failed), %d in flight", f.state, resumed.Done, resumed.Failed, resumed.InFlight)
		if resumed.TornBytes > 0 {
			fmt.Fprintf(g.stderr, "; cut off a torn last record (%d bytes)", resumed.TornBytes)
		}
		fmt.Fprintln(g.stderr)
	}

	// Signals: the first one drains, the second (or the first with
	// --cancel-running) stops at once. The parent context is cut off: main
	// cancels it on the first SIGINT, which must only drain a batch.
	parent := runCtx(cmd)
	ctx, abort := context.WithCancel(context.WithoutCancel(parent))
	defer abort()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var interrupted atomic.Bool
	go func() {
		drained := false
		for {
			select {
			case <-sigs:
				interrupted.Store(true)
				if drained || f.cancelRunning {
					abort()
					return
				}
				drained = true
				close(drain)
				if !f.quiet {
					fmt.Fprintln(g.stderr, "\nstopping: no new jobs; waiting for the running ones (Ctrl-C again to exit now)")
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	total := -1
	if f.from != "-" {
		total = 0
		for range f.inputs(g) {
			total++
		}
	}
	prog := newBatchProgress(g, f, b, total)
	defer prog.stop()

	type failure struct{ input, why string }
	var failures []failure
	var stopErr error
	for it, ierr := range b.Run(ctx, f.inputs(g)) {
		if errors.Is(ierr, batch.ErrStopped) {
			stopErr = ierr
			continue
		}
		line := batchLine{Input: it.Input, ContentHash: it.Hash, FileID: it.FileID, Status: string(it.Status())}
		if it.Job != nil {
			line.JobID = it.Job.ID
			if f.extract.metadata {
				line.Metadata = extractMetadata(it.Job)
			}
		}
		if ierr == nil {
			line.Result = it.Value
		} else {
			line.Error = trimPrefix(ierr.Error())
			failures = append(failures, failure{it.Input, line.Error})
		}
		raw, err := json.Marshal(line)
		if err != nil {
			return fmt.Errorf("encoding the line of %s: %w", it.Input, err)
		}
		if f.outDir != "" {
			if err := writeAtomic(filepath.Join(f.outDir, outName(it.Input)), raw); err != nil {
				return fmt.Errorf("--out-dir: %w", err)
			}
		}
		raw = append(raw, '\n')
		if _, err := w.Write(raw); err != nil {
			return fmt.Errorf("writing results: %w", err)
		}
		if out != nil {
			// Durable before the state records the document as done.
			if err := out.Sync(); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			offset += int64(len(raw))
		}
	}
	prog.stop()
	p := b.Progress()
	if len(failures) > 0 {
		fmt.Fprintf(g.stderr, "%d document(s) failed:\n", len(failures))
		for _, fl := range failures {
			fmt.Fprintf(g.stderr, "  %s: %s\n", fl.input, fl.why)
		}
	}
	if p.SkippedFailed > 0 {
		fmt.Fprintf(g.stderr, "%d document(s) failed in an earlier run (their lines say why; --retry-failed extracts them again)\n", p.SkippedFailed)
	}
	if !f.quiet {
		fmt.Fprintf(g.stderr, "batch: %d done, %d failed, %d skipped (done before), %d jobs created, %d adopted, %d rate-limited answers waited out\n",
			p.Done, p.Failed, p.Skipped, p.Created, p.Adopted, p.RateLimited)
		if len(p.Unknown) > 0 {
			fmt.Fprintf(g.stderr, "batch: %s (a status this client does not know; the jobs are treated as still running)\n", unknownStatuses(p.Unknown))
		}
	}
	if stopErr != nil {
		resume := ""
		if f.state != "" {
			resume = "; run the same command again to resume"
		}
		if interrupted.Load() || (errors.Is(stopErr, context.Canceled) && parent.Err() != nil) {
			return exitError{exitInterrupted, "interrupted" + resume}
		}
		return exitError{exitAPI, trimPrefix(stopErr.Error()) + resume}
	}
	if n := len(failures) + p.SkippedFailed; n > 0 {
		return exitError{exitJobFailed, fmt.Sprintf("%d of %d document(s) failed (listed above; their lines say why)", n, p.Done+p.Skipped)}
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

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// inputs streams the documents: arguments in order (globs expanded,
// directories walked), then --from. Nothing is collected.
func (f *batchFlags) inputs(g *globals) iter.Seq[string] {
	keep := func(path string) bool {
		name := filepath.Base(path)
		for _, p := range f.exclude {
			if ok, _ := filepath.Match(p, name); ok {
				return false
			}
		}
		if len(f.include) == 0 {
			return true
		}
		for _, p := range f.include {
			if ok, _ := filepath.Match(p, name); ok {
				return true
			}
		}
		return false
	}
	return func(yield func(string) bool) {
		walk := func(root string) bool {
			stop := false
			_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 || !keep(path) {
					return nil
				}
				if !yield(path) {
					stop = true
					return filepath.SkipAll
				}
				return nil
			})
			return !stop
		}
		visit := func(p string, filtered bool) bool {
			st, err := os.Stat(p)
			switch {
			case err == nil && st.IsDir():
				return walk(p)
			case filtered && !keep(p):
				return true
			}
			return yield(p)
		}
		for _, a := range f.args {
			if hasMeta(a) {
				matches, _ := filepath.Glob(a)
				for _, m := range matches {
					if !visit(m, true) {
						return
					}
				}
				continue
			}
			if !visit(a, false) {
				return
			}
		}
		if f.from == "" {
			return
		}
		var r io.Reader = g.stdin
		if f.from != "-" {
			file, err := os.Open(f.from)
			if err != nil {
				// A missing list is a failed document, reported as such.
				yield(f.from)
				return
			}
			defer file.Close()
			r = file
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !visit(line, false) {
				return
			}
		}
	}
}

// outName names a document's file in --out-dir: its path, made relative
// and flattened, so that documents with the same base name in different
// directories do not overwrite each other.
func outName(input string) string {
	p := filepath.ToSlash(filepath.Clean(input))
	p = strings.TrimLeft(p, "/")
	for strings.HasPrefix(p, "../") {
		p = p[3:]
	}
	return strings.ReplaceAll(p, "/", "_") + ".json"
}

// tmpPrefix names writeAtomic's temporary files.
const tmpPrefix = ".llamaextract-tmp-"

// writeAtomic writes a file so that a crash leaves the old or the new
// content, never a part.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
