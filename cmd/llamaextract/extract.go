package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/extract-go/llamaextract/internal/fileinput"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type extractFlags struct {
	schema, configID, target, tier, pages, prompt string
	maxPages                                      int
	cite, confidence, noWait, metadata            bool
	timeout                                       time.Duration
	pollInterval                                  time.Duration
}

func newExtractCmd(g *globals) *cobra.Command {
	var f extractFlags
	cmd := &cobra.Command{
		Use:   "extract FILE|dfl-...|pjb-...",
		Short: "Extract structured data from a document and print it as JSON",
		Long: `Extract structured data from a document. A path is uploaded first; a file ID
(dfl-...) or a completed parse job ID (pjb-...) is used as is. The job is
created with --schema (a JSON Schema file) or a saved --config-id, waited for
with progress on stderr, and its result printed to stdout as JSON. With
-o jsonl a per_table_row or per_page result is streamed as JSON Lines, one
row per line, never held in memory.`,
		Example: `  llamaextract extract invoice.pdf --schema invoice.schema.json --cite
  llamaextract extract statement.pdf --schema row.schema.json --target per_table_row | jq '.[].amount'
  llamaextract extract big.xlsx --schema row.schema.json --target per_table_row -o jsonl > rows.jsonl
  llamaextract extract dfl-1234... --config-id cfg-5678... --no-wait`,
		Args: exactArgs(1, "one document: a path, a file ID (dfl-...) or a parse job ID (pjb-...)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd, g, f, args[0])
		},
	}
	fl := cmd.Flags()
	f.addConfigFlags(fl, "JSON Schema file of the fields to extract (or - for stdin)", "printed")
	fl.BoolVar(&f.metadata, "metadata", false, "print {result, metadata} instead of the result alone")
	fl.BoolVar(&f.noWait, "no-wait", false, "print the created job and exit without waiting")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up waiting after this long (the job is cancelled)")
	fl.DurationVar(&f.pollInterval, "poll-interval", 0, "check every interval instead of the default schedule (1 s, +1 s per check, at most 5 s)")
	return cmd
}

// addConfigFlags defines the flags that make a job's configuration, shared
// by extract and batch so that every extract flag applies to a batch too;
// schemaHelp and shown ("printed", "written") fit the command's output.
func (f *extractFlags) addConfigFlags(fl *pflag.FlagSet, schemaHelp, shown string) {
	fl.StringVar(&f.schema, "schema", "", schemaHelp)
	fl.StringVar(&f.configID, "config-id", "", "saved configuration to use instead of --schema (cfg-...)")
	fl.StringVar(&f.target, "target", "per_doc", "result granularity: per_doc, per_page or per_table_row")
	fl.StringVar(&f.tier, "tier", "", "extraction tier: cost_effective, agentic, agentic_plus or turbo")
	fl.StringVar(&f.pages, "pages", "", `pages to process, 1-based, e.g. "1,3,5-7"`)
	fl.IntVar(&f.maxPages, "max-pages", 0, "process at most this many pages")
	fl.StringVar(&f.prompt, "prompt", "", "extra instructions for the extraction model")
	fl.BoolVar(&f.cite, "cite", false, "attach source citations ("+shown+" with --metadata)")
	fl.BoolVar(&f.confidence, "confidence", false, "attach confidence scores ("+shown+" with --metadata)")
}

func (f extractFlags) config(g *globals) (wrapper.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if (f.schema == "") == (f.configID == "") {
		return nil, usagef("give exactly one of --schema FILE and --config-id cfg-...")
	}
	if f.configID != "" {
		return wrapper.SavedConfig{ID: f.configID}, nil
	}
	s, err := readSchema(g, "--schema", f.schema)
	if err != nil {
		return nil, err
	}
	// Target and tier are checked by the wrapper, before anything is
	// uploaded; its *ValidationError is a usage error here.
	return wrapper.ExtractConfig{Schema: s, Target: wrapper.Target(f.target), Tier: wrapper.Tier(f.tier), CiteSources: f.cite,
		ConfidenceScores: f.confidence, TargetPages: f.pages, MaxPages: f.maxPages, SystemPrompt: f.prompt}, nil
}

// readFile reads the file at path with readAll's bound (a FIFO, as from
// <(...), is read like a file).
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

// readSchema reads a schema file (or stdin for "-") named by flag.
func readSchema(g *globals, flag, path string) (wrapper.Schema, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = readAll(g.stdin)
	} else {
		raw, err = readFile(path)
	}
	if err != nil {
		return wrapper.Schema{}, usagef("%s: %w", flag, err)
	}
	s, err := wrapper.SchemaFromJSON(raw)
	var ve *wrapper.ValidationError
	if errors.As(err, &ve) {
		return wrapper.Schema{}, usagef("%s %s: %s: %s", flag, path, ve.Field, ve.Reason)
	}
	return s, err
}

func runExtract(cmd *cobra.Command, g *globals, f extractFlags, input string) error {
	if g.jsonl() {
		if t := wrapper.Target(f.target); t != wrapper.PerTableRow && t != wrapper.PerPage && f.configID == "" {
			return usagef("-o jsonl writes one row per line: it needs --target per_table_row or per_page, not %s", f.target)
		}
		if f.metadata {
			return usagef("--metadata is not available with -o jsonl; use -o json")
		}
	}
	cfg, err := f.config(g)
	if err != nil {
		return err
	}
	c, err := g.client()
	if err != nil {
		return err
	}
	ctx := runCtx(cmd)
	if f.noWait {
		fileInput, err := uploadIfPath(ctx, g, c, input)
		if err != nil {
			return err
		}
		// A file uploaded here is this run's alone; a file ID may be shared.
		_, isID := fileinput.Resolve(input)
		job, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: fileInput, Config: cfg, OwnsFile: !isID})
		if err != nil {
			return err
		}
		return writeJSON(g.stdout, job)
	}
	p := newProgress(g)
	if g.jsonl() {
		// Wait without the result, then stream it: the rows are never held.
		fileInput, err := uploadIfPath(ctx, g, c, input)
		if err != nil {
			return err
		}
		job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: fileInput, Config: cfg}, f.waitOptions(g, p)...)
		if err != nil {
			return explainTimeout(err)
		}
		return writeRowsJSONL(ctx, g.stdout, c, job.ID)
	}
	result, job, err := wrapper.Extract[json.RawMessage](ctx, c, input, cfg, f.extractOptions(p)...)
	if err != nil {
		return explainTimeout(err)
	}
	return printResult(g, result, job, f.metadata)
}

// uploadIfPath uploads input unless it is a file or parse job ID, by the
// same rule Extract applies.
func uploadIfPath(ctx context.Context, g *globals, c *wrapper.Client, input string) (string, error) {
	in, isID := fileinput.Resolve(input)
	if isID {
		return in, nil
	}
	file, err := c.UploadFile(ctx, in)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(g.stderr, "uploaded %s as %s\n", in, file.ID)
	return file.ID, nil
}

// pollOptions are the options of every wait the CLI does: progress on
// stderr, the remote job cancelled when the wait ends early.
func (f extractFlags) pollOptions(p *progress) []wrapper.PollOption {
	opts := []wrapper.PollOption{wrapper.OnStatus(p.update), wrapper.WithCancelOnDone()}
	if f.timeout > 0 {
		opts = append(opts, wrapper.WithWaitTimeout(f.timeout))
	}
	if f.pollInterval > 0 {
		opts = append(opts, wrapper.WithSchedule(wrapper.FixedSchedule(f.pollInterval)))
	}
	return opts
}

// waitOptions are the options of Wait and Run.
func (f extractFlags) waitOptions(g *globals, p *progress) []wrapper.WaitOption {
	var opts []wrapper.WaitOption
	for _, o := range f.pollOptions(p) {
		opts = append(opts, o)
	}
	switch {
	case g.jsonl():
		// The rows are streamed afterwards: the checks skip the result.
		opts = append(opts, wrapper.WithoutResult())
	case f.metadata || f.cite || f.confidence:
		opts = append(opts, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	}
	return opts
}

// extractOptions are the options of Extract.
func (f extractFlags) extractOptions(p *progress) []wrapper.ExtractOption {
	var opts []wrapper.ExtractOption
	for _, o := range f.pollOptions(p) {
		opts = append(opts, o)
	}
	if f.metadata || f.cite || f.confidence {
		opts = append(opts, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	}
	return opts
}

func explainTimeout(err error) error {
	if errors.Is(err, wrapper.ErrWaitTimeout) {
		return fmt.Errorf("%w; the job was cancelled (raise --timeout to wait longer)", err)
	}
	return err
}

func printResult(g *globals, result json.RawMessage, job *wrapper.Job, withMetadata bool) error {
	if !withMetadata {
		return writeRaw(g.stdout, result)
	}
	// The job's own JSON carries extract_metadata as the service sent it.
	var wire struct {
		Metadata json.RawMessage `json:"extract_metadata"`
	}
	if b, err := json.Marshal(job); err == nil {
		_ = json.Unmarshal(b, &wire)
	}
	if wire.Metadata == nil {
		wire.Metadata = json.RawMessage("null")
	}
	return writeJSON(g.stdout, map[string]any{"job_id": job.ID, "result": result, "metadata": wire.Metadata})
}
