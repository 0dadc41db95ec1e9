package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// The examples run against the in-memory emulator so that they are checked
// by go test; against LlamaCloud, drop WithBaseURL and set LLAMA_CLOUD_API_KEY.
func exampleClient() (*wrapper.Client, *extracttest.Server) {
	srv := extracttest.NewServer(extracttest.WithJobDuration(10 * time.Millisecond))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("any-key"))
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

var quick = wrapper.WithSchedule(wrapper.FixedSchedule(5 * time.Millisecond))

func writeSample(name, text string) string {
	path := filepath.Join(os.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		log.Fatal(err)
	}
	return path
}

func ExampleNew() {
	// New reads LLAMA_CLOUD_API_KEY (or LLAMA_PARSE_API_KEY) when no key is
	// given, and fails here, not with a 401 later, when there is none.
	client, err := wrapper.New(wrapper.WithAPIKey("llx-..."), wrapper.WithEURegion())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://api.cloud.eu.llamaindex.ai
}

func ExampleExtract() {
	client, srv := exampleClient()
	defer srv.Close()
	path := writeSample("example-invoice.txt", "Invoice Number: INV-9\nVendor: Acme Corp\nTotal: $99.50\n")

	type Invoice struct {
		InvoiceNumber string  `json:"invoice_number" jsonschema:"description=The invoice number"`
		Vendor        string  `json:"vendor"`
		Total         float64 `json:"total"`
	}
	inv, job, err := wrapper.Extract[Invoice](context.Background(), client, path,
		wrapper.ExtractOptions{Config: wrapper.ExtractConfig{CiteSources: true}, Wait: []wrapper.WaitOption{quick}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s from %s: %.2f\n", inv.InvoiceNumber, inv.Vendor, inv.Total)
	if f, ok := job.Metadata().Field("total"); ok {
		fmt.Printf("cited on page %d: %q\n", f.Citations[0].Page, f.Citations[0].MatchingText)
	}
	// Output:
	// INV-9 from Acme Corp: 99.50
	// cited on page 1: "$99.50"
}

func ExampleClient_Run() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	file, err := client.UploadFile(ctx, writeSample("example-letter.txt", "Sender: Jane Doe\n"))
	if err != nil {
		log.Fatal(err)
	}
	schema, err := wrapper.SchemaFromJSON([]byte(`{"type":"object","properties":{"sender":{"type":"string"}}}`))
	if err != nil {
		log.Fatal(err)
	}
	// Run = CreateJob + Wait. OnStatus reports progress.
	job, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: file.Id, Config: wrapper.ExtractConfig{Schema: schema}},
		quick, wrapper.OnStatus(func(j *wrapper.Job) {
			if j.State().Terminal() {
				fmt.Println("status:", j.State())
			}
		}))
	if err != nil {
		log.Fatal(err) // a FAILED or CANCELLED job is a *wrapper.JobError
	}
	fmt.Println(string(job.Result().Raw()))
	// Output:
	// status: COMPLETED
	// {"sender":"Jane Doe"}
}

func ExampleClient_Wait() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	file := srv.AddFile("a.txt", []byte("Sender: Jane Doe\n"))
	job, err := client.CreateJob(ctx, wrapper.CreateJobRequest{
		FileInput: file,
		Config:    wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ Sender string }]()},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Bound the wait with the context; CancelOnDone stops the remote job if
	// the context ends first.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	done, err := client.Wait(ctx, job.Id, quick, wrapper.CancelOnDone())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.State().Succeeded())
	// Output: true
}

func ExampleClient_Jobs() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	file := srv.AddFile("a.txt", nil)
	for i := 0; i < 5; i++ {
		_, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ N int }]()}})
		if err != nil {
			log.Fatal(err)
		}
	}
	// Jobs fetches pages as the loop needs them.
	n := 0
	for job, err := range client.Jobs(ctx, wrapper.JobFilter{FileInput: file, PageSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		_ = job.Id
		n++
	}
	fmt.Println(n, "jobs")
	// Output: 5 jobs
}

func ExampleResult_Decode() {
	// A per_table_row job returns an array: decode it into a slice. A
	// per_doc job returns one object: decode it into a struct.
	result := wrapper.NewResult([]byte(`[{"date":"2026-01-02","amount":3.5},{"date":"2026-01-03","amount":42}]`))
	var rows []struct {
		Date   string  `json:"date"`
		Amount float64 `json:"amount"`
	}
	if err := result.Decode(&rows); err != nil {
		log.Fatal(err)
	}
	fmt.Println(result.Kind(), len(rows), rows[1].Amount)

	var one struct{ Date string }
	err := result.Decode(&one)
	fmt.Println(err)
	// Output:
	// array 2 42
	// llamaextract: extract_result is array, want object (a per_page or per_table_row job returns an array; use DecodeRows or Objects)
}

func ExampleDecodeRows() {
	type Txn struct {
		Date   string  `json:"date"`
		Amount float64 `json:"amount"`
	}
	rows, err := wrapper.DecodeRows[Txn](wrapper.NewResult([]byte(`[{"date":"2026-01-02","amount":3.5}]`)))
	fmt.Println(rows, err)
	// Output: [{2026-01-02 3.5}] <nil>
}

func ExampleRows() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	file := srv.AddFile("statement.txt", []byte("| Date | Description | Amount |\n|---|---|---|\n| 2026-01-02 | Coffee | 3.50 |\n| 2026-01-03 | Books | 42.00 |\n"))

	type Txn struct {
		Date        string  `json:"date"`
		Description string  `json:"description"`
		Amount      float64 `json:"amount"`
	}
	job, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{
		Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow, CiteSources: true}}, quick)
	if err != nil {
		log.Fatal(err)
	}
	// One row at a time, straight from the response body: a result of a
	// million rows never sits in memory.
	for row, err := range wrapper.Rows[Txn](ctx, client, job.Id, wrapper.WithExpand(wrapper.ExpandExtractMetadata)) {
		if err != nil {
			log.Fatal(err)
		}
		amount, _ := row.Field("amount")
		fmt.Printf("%d %s %.2f (cites %q)\n", row.Index, row.Value.Description, row.Value.Amount, amount.Citations[0].MatchingText)
	}
	// Output:
	// 0 Coffee 3.50 (cites "3.50")
	// 1 Books 42.00 (cites "42.00")
}
