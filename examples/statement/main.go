// Command statement extracts a bank statement's transactions, one Go value
// per table row, with wrapper.ExtractRows (per_table_row).
//
//	go run ./examples/statement [-file statement.pdf]
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"log"

	"github.com/extract-go/llamaextract/examples/internal/exampleenv"
	"github.com/extract-go/llamaextract/wrapper"
)

//go:embed statement.txt
var sample []byte

// Row is one transaction: the schema describes a single row, not the table.
type Row struct {
	Date        string  `json:"date" jsonschema:"description=Booking date, YYYY-MM-DD"`
	Description string  `json:"description"`
	Amount      float64 `json:"amount" jsonschema:"description=Negative for debits"`
}

func main() {
	file := flag.String("file", "", "statement to extract (default: the bundled sample)")
	flag.Parse()
	client, done, err := exampleenv.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer done()
	path, err := exampleenv.SampleFile(*file, "statement.txt", sample)
	if err != nil {
		log.Fatal(err)
	}
	rows, _, err := wrapper.ExtractRows[Row](context.Background(), client, path, wrapper.ExtractConfig{})
	if err != nil {
		log.Fatal(err)
	}
	var balance float64
	for _, r := range rows {
		balance += r.Amount
		fmt.Printf("%s  %-20s %10.2f\n", r.Date, r.Description, r.Amount)
	}
	fmt.Printf("%d transactions, net %.2f\n", len(rows), balance)
}
