package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
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
with progress on stderr, and its result printed to stdout as JSON.`,
		Example: `  llamaextract extract invoice.pdf --schema invoice.schema.json --cite
  llamaextract extract statement.pdf --schema row.schema.json --target per_table_row | jq '.[].amount'
  llamaextract extract dfl-1234... --config-id cfg-5678... --no-wait`,
		Args: exactArgs(1, "one document: a path, a file ID (dfl-...) or a parse job ID (pjb-...)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd, g, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", "", "JSON Schema file of the fields to extract (or - for stdin)")
	fl.StringVar(&f.configID, "config-id", "", "saved configuration to use instead of --schema (cfg-...)")
	fl.StringVar(&f.target, "target", "per_doc", "result granularity: per_doc, per_page or per_table_row")
	fl.StringVar(&f.tier, "tier", "", "extraction tier: cost_effective, agentic, agentic_plus or turbo")
	fl.StringVar(&f.pages, "pages", "", `pages to process, 1-based, e.g. "1,3,5-7"`)
	fl.IntVar(&f.maxPages, "max-pages", 0, "process at most this many pages")
	fl.StringVar(&f.prompt, "prompt", "", "extra instructions for the extraction model")
	fl.BoolVar(&f.cite, "cite", false, "attach source citations (printed with --metadata)")
	fl.BoolVar(&f.confidence, "confidence", false, "attach confidence scores (printed with --metadata)")
	fl.BoolVar(&f.metadata, "metadata", false, "print {result, metadata} instead of the result alone")
	fl.BoolVar(&f.noWait, "no-wait", false, "print the created job and exit without waiting")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up waiting after this long (the job is cancelled)")
	fl.DurationVar(&f.pollInterval, "poll-interval", 0, "check every interval instead of the default schedule (1 s, +1 s per check, at most 5 s)")
	return cmd
}

func (f extractFlags) config(g *globals) (wrapper.ConfigSource, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if (f.schema == "") == (f.configID == "") {
		return nil, usagef("give exactly one of --schema FILE and --config-id cfg-...")
	}
	if f.configID != "" {
		return wrapper.SavedConfig(f.configID), nil
	}
	var raw []byte
	var err error
	if f.schema == "-" {
		raw, err = readAll(g.stdin)
	} else {
		raw, err = os.ReadFile(f.schema)
	}
	if err != nil {
		return nil, usagef("--schema: %v", err)
	}
	s, err := wrapper.SchemaFromJSON(raw)
	if err != nil {
		return nil, usagef("--schema %s: %v", f.schema, strings.TrimPrefix(err.Error(), "llamaextract: schema: "))
	}
	target := wrapper.ExtractionTarget(f.target)
	if !target.Valid() {
		return nil, usagef("--target must be per_doc, per_page or per_table_row, not %q", f.target)
	}
	tier := wrapper.Tier(f.tier)
	if f.tier != "" && !tier.Valid() {
		return nil, usagef("--tier must be cost_effective, agentic, agentic_plus or turbo, not %q", f.tier)
	}
	return wrapper.ExtractConfig{Schema: s, Target: target, Tier: tier, CiteSources: f.cite, ConfidenceScores: f.confidence,
		TargetPages: f.pages, MaxPages: f.maxPages, SystemPrompt: f.prompt}, nil
}

func runExtract(cmd *cobra.Command, g *globals, f extractFlags, input string) error {
	cfg, err := f.config(g)
	if err != nil {
		return err
	}
	c, err := g.client()
	if err != nil {
		return err
	}
	ctx := runCtx(cmd)
	fileInput, owned := input, false
	if !strings.HasPrefix(input, "dfl-") && !strings.HasPrefix(input, "pjb-") {
		if _, err := os.Stat(input); err != nil {
			return usagef("document %s: %v", input, err)
		}
		file, err := c.UploadFile(ctx, input)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stderr, "uploaded %s as %s\n", input, file.Id)
		fileInput, owned = file.Id, true
	}
	// A file uploaded here is this run's alone; a file ID may be shared.
	job, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: fileInput, Config: cfg, OwnsFile: owned})
	if err != nil {
		return err
	}
	if f.noWait {
		return writeJSON(g.stdout, job)
	}
	job, err = waitWithProgress(cmd, g, c, job, f)
	if err != nil {
		return err
	}
	return printResult(g, job, f.metadata)
}

func waitWithProgress(cmd *cobra.Command, g *globals, c *wrapper.Client, job *wrapper.Job, f extractFlags) (*wrapper.Job, error) {
	p := newProgress(g)
	if job.Status != "" { // jobs wait knows only the ID until the first check
		p.update(job)
	}
	opts := []wrapper.WaitOption{wrapper.OnStatus(p.update), wrapper.CancelOnDone()}
	if f.timeout > 0 {
		opts = append(opts, wrapper.WithWaitTimeout(f.timeout))
	}
	if f.pollInterval > 0 {
		opts = append(opts, wrapper.WithSchedule(wrapper.FixedSchedule(f.pollInterval)))
	}
	if f.metadata || f.cite || f.confidence {
		opts = append(opts, wrapper.WithWaitExpand(wrapper.ExpandExtractMetadata))
	}
	done, err := c.Wait(runCtx(cmd), job.Id, opts...)
	if errors.Is(err, wrapper.ErrWaitTimeout) {
		return done, fmt.Errorf("%w; the job was cancelled (raise --timeout to wait longer)", err)
	}
	return done, err
}

func printResult(g *globals, job *wrapper.Job, withMetadata bool) error {
	if !withMetadata {
		return writeRaw(g.stdout, job.Result().Raw())
	}
	return writeJSON(g.stdout, map[string]any{"job_id": job.Id, "result": job.Result().Raw(), "metadata": job.ExtractMetadata})
}
