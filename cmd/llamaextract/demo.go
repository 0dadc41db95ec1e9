package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
)

// demoInvoice is the typed form of examples/invoice/schema.json.
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

func newDemoCmd(g *globals) *cobra.Command {
	var file, schema string
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job end to end against the local emulator (no API key, no network)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, p := range []string{file, schema} {
				if _, err := os.Stat(p); err != nil {
					return usagef("%v (run the demo from the repository root, or pass --file and --schema)", err)
				}
			}
			w := g.stdout
			fmt.Fprintln(w, "llamaextract demo: using the LOCAL EMULATOR (extracttest, in memory).")
			fmt.Fprintln(w, "No API key, no network: nothing leaves this machine, and the \"model\" is the")
			fmt.Fprintln(w, "emulator's deterministic reader of \"Label: value\" lines and tables.")
			fmt.Fprintln(w)

			srv := extracttest.New(extracttest.WithAddr("127.0.0.1:0"), extracttest.WithSchedule(
				extracttest.Step{Status: "PENDING", For: duration / 4},
				extracttest.Step{Status: "RUNNING", For: duration - duration/4}))
			if err := srv.Start(); err != nil {
				return err
			}
			defer srv.Close()
			g.baseURL, g.apiKey = srv.URL, "demo-key"
			c, err := g.client(wrapper.WithHTTPClient(srv.Client()))
			if err != nil {
				return err
			}
			ctx := runCtx(cmd)

			fmt.Fprintf(w, "1. upload  %s\n", file)
			up, err := c.UploadFile(ctx, file)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "           -> %s\n", up.ID)
			f := extractFlags{schema: schema, target: "per_doc", cite: true, confidence: true, metadata: true, timeout: time.Minute, pollInterval: 250 * time.Millisecond}
			cfg, err := f.config(g)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "2. extract with %s (citations and confidence on)\n", schema)
			fmt.Fprintln(w, "3. wait (progress on stderr)")
			inv, job, err := wrapper.Extract[demoInvoice](ctx, c, up.ID, cfg, f.extractOptions(newProgress(g))...)
			if err != nil {
				return explainTimeout(err)
			}
			fmt.Fprintf(w, "           -> job %s %s\n\n", job.ID, job.Status)

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
			md := job.Metadata()
			for path, fm := range md.Fields() {
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
			fmt.Fprintln(w, "The same against LlamaCloud:")
			fmt.Fprintln(w, "   export LLAMA_CLOUD_API_KEY=llx-...")
			fmt.Fprintf(w, "   go run ./cmd/llamaextract extract %s --schema %s --cite --metadata\n", file, schema)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "examples/invoice/invoice.txt", "sample document")
	cmd.Flags().StringVar(&schema, "schema", "examples/invoice/schema.json", "its schema")
	cmd.Flags().DurationVar(&duration, "job-duration", 3*time.Second, "how long the emulated job takes")
	return cmd
}
