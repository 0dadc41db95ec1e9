// Command invoice extracts an invoice into a Go struct with wrapper.Extract:
// upload, create, wait and decode in one call, then prints where each value
// was found.
//
//	go run ./examples/invoice [-file invoice.pdf]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/extract-go/llamaextract/examples/internal/exampleenv"
	"github.com/extract-go/llamaextract/examples/invoice/sample"
	"github.com/extract-go/llamaextract/wrapper"
)

// Invoice is what we want out of the document. Pointer and omitempty fields
// are optional and nullable in the derived schema (nil or zero when the
// document lacks them); the rest are required.
type Invoice struct {
	InvoiceNumber string     `json:"invoice_number" jsonschema:"description=The invoice's identifier"`
	InvoiceDate   string     `json:"invoice_date" jsonschema:"description=Date the invoice was issued, YYYY-MM-DD"`
	Vendor        string     `json:"vendor" jsonschema:"description=Company that issued the invoice"`
	Total         float64    `json:"total" jsonschema:"description=Amount due"`
	Currency      string     `json:"currency,omitempty" jsonschema:"description=ISO 4217 currency code"`
	LineItems     []LineItem `json:"line_items"`
	PaymentTerms  *string    `json:"payment_terms"`
}

// LineItem is one billed item.
type LineItem struct {
	Description string  `json:"description"`
	Quantity    float64 `json:"quantity,omitempty"`
	Amount      float64 `json:"amount"`
}

func main() {
	file := flag.String("file", "", "invoice to extract (default: the bundled sample)")
	flag.Parse()
	client, done, err := exampleenv.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer done()
	path, err := exampleenv.SampleFile(*file, sample.DocumentName, sample.Document)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	inv, job, err := wrapper.Extract[Invoice](ctx, client, path,
		wrapper.ExtractConfig{CiteSources: true, ConfidenceScores: true},
		wrapper.OnStatus(func(j *wrapper.Job) { log.Printf("%s %s", j.ID, j.Status) }))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s from %s on %s: %.2f %s\n", inv.InvoiceNumber, inv.Vendor, inv.InvoiceDate, inv.Total, inv.Currency)
	for i, li := range inv.LineItems {
		fmt.Printf("  %d. %s: %.2f\n", i+1, li.Description, li.Amount)
	}
	md := job.Metadata()
	if f, ok := md.Field("total"); ok && len(f.Citations) > 0 {
		fmt.Printf("total found on page %d as %q\n", f.Citations[0].Page, f.Citations[0].MatchingText)
	}
}
