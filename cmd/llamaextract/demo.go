package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/extract-go/llamaextract/examples/invoice/sample"
	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
)

// demoInvoice is the typed form of the sample schema
// (examples/invoice/sample/schema.json).
type demoInvoice struct {
	InvoiceNumber string  `json:"invoice_number"`
	InvoiceDate   string  `json:"invoice_date"`
	Vendor        string  `json:"vendor"`
	BillTo        string  `json:"bill_to"`
	Currency      string  `json:"currency"`
	Total         float64 `json:"total"`
	LineItems     []struct {
		Description string  `json:"description"`
		Quantity    float64 `json:"quantity"`
		Amount      float64 `json:"amount"`
	} `json:"line_items"`
	PaymentTerms *string `json:"payment_terms"`
}

// demoFlags are the demo's flags; an empty file or schema means the sample
// built into the binary.
type demoFlags struct {
	file, schema string
	duration     time.Duration
}

func newDemoCmd(g *globals) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job end to end against the local emulator (no API key, no network)",
		Long: `Run the main job end to end against the local emulator: upload a sample
invoice, extract it with a schema, wait with progress on stderr, and print the
typed result and its citations. The emulator runs in this process: no API key,
no network, no credits. The sample invoice and its schema are built into the
binary, so the demo runs from any folder; --file and --schema use yours.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(runCtx(cmd), g, f)
		},
	}
	cmd.Flags().StringVar(&f.file, "file", "", "document to extract (default: the built-in sample invoice)")
	cmd.Flags().StringVar(&f.schema, "schema", "", "its JSON Schema file (default: the built-in sample schema)")
	cmd.Flags().DurationVar(&f.duration, "job-duration", 3*time.Second, "how long the emulated job takes")
	return cmd
}

func runDemo(ctx context.Context, g *globals, f demoFlags) error {
	schema, err := f.readSchema(g)
	if err != nil {
		return err
	}
	w := g.stdout
	fmt.Fprintln(w, "llamaextract demo: using the LOCAL EMULATOR (extracttest, in memory).")
	fmt.Fprintln(w, "No API key, no network: nothing leaves this machine, and the \"model\" is the")
	fmt.Fprintln(w, "emulator's deterministic reader of \"Label: value\" lines and tables.")
	fmt.Fprintln(w)

	srv := extracttest.New(extracttest.WithAddr("127.0.0.1:0"), extracttest.WithSchedule(
		extracttest.Step{Status: "PENDING", For: f.duration / 4},
		extracttest.Step{Status: "RUNNING", For: f.duration - f.duration/4}))
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close()
	g.baseURL, g.apiKey = srv.URL, "demo-key"
	c, err := g.client(wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "1. upload  %s\n", f.fileName())
	up, err := f.upload(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "           -> %s\n", up.ID)
	cfg := wrapper.ExtractConfig{Schema: schema, Target: wrapper.PerDoc, CiteSources: true, ConfidenceScores: true}
	fmt.Fprintf(w, "2. extract with %s (citations and confidence on)\n", f.schemaName())
	fmt.Fprintln(w, "3. wait (progress on stderr)")
	wait := extractFlags{cite: true, confidence: true, metadata: true, timeout: time.Minute, pollInterval: 250 * time.Millisecond}
	inv, job, err := wrapper.Extract[demoInvoice](ctx, c, up.ID, cfg, wait.extractOptions(newProgress(g))...)
	if err != nil {
		return explainTimeout(err)
	}
	fmt.Fprintf(w, "           -> job %s %s\n\n", job.ID, job.Status)
	if err := printDemoResult(w, inv, job); err != nil {
		return err
	}
	file, schemaFile := f.file, f.schema
	if file == "" {
		file = "invoice.pdf"
	}
	if schemaFile == "" {
		schemaFile = "schema.json"
	}
	fmt.Fprintln(w, "The same against LlamaCloud:")
	fmt.Fprintln(w, "   export LLAMA_CLOUD_API_KEY=llx-...")
	fmt.Fprintf(w, "   llamaextract extract %s --schema %s --cite --metadata\n", file, schemaFile)
	return nil
}

// readSchema reads --schema, or the built-in sample schema without one.
func (f demoFlags) readSchema(g *globals) (wrapper.Schema, error) {
	if f.schema != "" {
		return readSchema(g, "--schema", f.schema)
	}
	return wrapper.SchemaFromJSON(sample.Schema)
}

// upload sends --file, or the built-in sample invoice without one.
func (f demoFlags) upload(ctx context.Context, c *wrapper.Client) (*wrapper.File, error) {
	if f.file != "" {
		return c.UploadFile(ctx, f.file)
	}
	return c.Upload(ctx, sample.DocumentName, bytes.NewReader(sample.Document))
}

func (f demoFlags) fileName() string {
	if f.file != "" {
		return f.file
	}
	return sample.DocumentName + " (built in)"
}

func (f demoFlags) schemaName() string {
	if f.schema != "" {
		return f.schema
	}
	return "schema.json (built in)"
}

// printDemoResult prints the decoded invoice, its citations and the struct
// as JSON.
func printDemoResult(w io.Writer, inv demoInvoice, job *wrapper.Job) error {
	fmt.Fprintln(w, "4. the result, decoded into a Go struct:")
	fmt.Fprintf(w, "   Invoice %s from %s to %s, dated %s\n", inv.InvoiceNumber, inv.Vendor, inv.BillTo, inv.InvoiceDate)
	for _, li := range inv.LineItems {
		fmt.Fprintf(w, "     %-22s x%-4g %10.2f\n", li.Description, li.Quantity, li.Amount)
	}
	fmt.Fprintf(w, "   Total %.2f %s", inv.Total, inv.Currency)
	if inv.PaymentTerms != nil {
		fmt.Fprintf(w, ", terms: %s", *inv.PaymentTerms)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "5. citations, by field path:")
	for path, fm := range job.Metadata().Fields() {
		if len(fm.Citations) == 0 {
			continue
		}
		ci := fm.Citations[0]
		conf := ""
		if fm.Confidence != nil {
			conf = fmt.Sprintf("  confidence %.2f", *fm.Confidence)
		}
		fmt.Fprintf(w, "   %-26s page %d  %q%s\n", path, ci.Page, ci.MatchingText, conf)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "6. the decoded struct, back to JSON (`llamaextract extract` prints the raw result):")
	raw, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	if err := writeRaw(w, raw); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return nil
}
