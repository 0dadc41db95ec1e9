package wrapper_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// The examples run against the in-memory emulator so that go test checks
// them; against LlamaCloud, drop the options and set LLAMA_CLOUD_API_KEY.
// The emulator and the client share an auto-advancing fake clock, so every
// wait takes no real time.
func exampleClient() (*wrapper.Client, *extracttest.Server) {
	clock := extracttest.NewFakeClock(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewServer(extracttest.WithClock(clock))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("any-key"), wrapper.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

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
	// A zero Schema is derived from the type.
	inv, job, err := wrapper.Extract[Invoice](context.Background(), client, path, wrapper.ExtractConfig{CiteSources: true})
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

func ExampleExtract_savedConfig() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	type Letter struct {
		Sender string `json:"sender"`
	}
	saved, err := client.CreateConfiguration(ctx, wrapper.SavedConfig{
		Name:   "letters",
		Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Letter]()},
	})
	if err != nil {
		log.Fatal(err)
	}
	path := writeSample("example-letter.txt", "Sender: Jane Doe\n")
	letter, _, err := wrapper.Extract[Letter](ctx, client, path, saved)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(letter.Sender)
	// Output: Jane Doe
}

func ExampleExtractRows() {
	client, srv := exampleClient()
	defer srv.Close()
	path := writeSample("example-statement.txt", "| Date | Amount |\n|---|---|\n| 2026-01-02 | 3.50 |\n| 2026-01-03 | 42.00 |\n")
	type Txn struct {
		Date   string  `json:"date"`
		Amount float64 `json:"amount"`
	}
	// The schema describes one row; the result is one Txn per table row.
	rows, _, err := wrapper.ExtractRows[Txn](context.Background(), client, path, wrapper.ExtractConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rows)
	// Output: [{2026-01-02 3.5} {2026-01-03 42}]
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
	job, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: file.ID, Config: wrapper.ExtractConfig{Schema: schema}},
		wrapper.OnStatus(func(j *wrapper.Job) {
			if j.Status.Terminal() {
				fmt.Println("status:", j.Status)
			}
		}))
	if err != nil {
		log.Fatal(err) // a FAILED or CANCELLED job is a *wrapper.JobError
	}
	letter, err := wrapper.Decode[map[string]string](job)
	fmt.Println(letter, err)
	// Output:
	// status: COMPLETED
	// map[sender:Jane Doe] <nil>
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
	// Bound the wait; WithCancelOnDone stops the remote job if the wait
	// ends first.
	done, err := client.Wait(ctx, job.ID, wrapper.WithWaitTimeout(time.Hour), wrapper.WithCancelOnDone())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Status == wrapper.StatusCompleted)
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
		_ = job.ID
		n++
	}
	fmt.Println(n, "jobs")
	// Output: 5 jobs
}

func ExampleDecode() {
	// A job in hand, here read from the API's JSON as a test would: decode
	// its per_table_row result (an array) into a slice.
	var job wrapper.Job
	err := json.Unmarshal([]byte(`{"id":"ext-1","status":"COMPLETED","extract_result":[{"date":"2026-01-02","amount":3.5}]}`), &job)
	if err != nil {
		log.Fatal(err)
	}
	type Txn struct {
		Date   string  `json:"date"`
		Amount float64 `json:"amount"`
	}
	rows, err := wrapper.Decode[[]Txn](&job)
	fmt.Println(rows, err)
	_, err = wrapper.Decode[Txn](&job)
	fmt.Println(err)
	// Output:
	// [{2026-01-02 3.5}] <nil>
	// llamaextract: extract_result is array, want object (a per_page or per_table_row job returns an array: decode into a slice, or use ExtractRows)
}

func ExampleGetResult() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	job, err := client.Run(ctx, wrapper.CreateJobRequest{
		FileInput: srv.AddFile("a.txt", []byte("Sender: Jane Doe\n")),
		Config:    wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ Sender string }]()},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Later, perhaps in another process: fetch and decode in one pass.
	letter, _, err := wrapper.GetResult[map[string]string](ctx, client, job.ID)
	fmt.Println(letter, err)
	// Output: map[Sender:Jane Doe] <nil>
}

func ExampleClient_Files() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	for _, name := range []string{"b.txt", "a.txt", "c.txt"} {
		if _, err := client.UploadFile(ctx, writeSample(name, "Vendor: V\n"), wrapper.WithExternalID("batch-7")); err != nil {
			log.Fatal(err)
		}
	}
	// Files pages for you; the filter is data, the same on every page.
	for f, err := range client.Files(ctx, wrapper.FileFilter{ExternalID: "batch-7", OrderBy: wrapper.FileOrderName, PageSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Name, f.Purpose)
	}
	// Output:
	// a.txt extract
	// b.txt extract
	// c.txt extract
}

func ExampleClient_GenerateSchema() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	// A draft is a SavedConfig: run its Config inline, or save it.
	draft, err := client.GenerateSchema(ctx, wrapper.GenerateSchemaRequest{Prompt: "vendor name and total amount", Name: "invoices"})
	if err != nil {
		log.Fatal(err)
	}
	saved, err := client.CreateConfiguration(ctx, *draft)
	if err != nil {
		log.Fatal(err)
	}
	result, _, err := wrapper.Extract[map[string]any](ctx, client, writeSample("example-g.txt", "Vendor Name: Acme\nTotal Amount: 12.50\n"), saved)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(saved.Name, result["vendor_name"], result["total_amount"])
	// Output: invoices Acme 12.5
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
		Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow, CiteSources: true}}, wrapper.WithoutResult())
	if err != nil {
		log.Fatal(err)
	}
	// The wait above skipped the result; now read it one row at a time,
	// straight from the response body: a million rows never sit in memory.
	for row, err := range wrapper.Rows[Txn](ctx, client, job.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata)) {
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

// A member the API has and this package does not model yet goes in Extra,
// and a job keeps every member the server sent: stored and read back, it
// still has them.
func ExampleExtractConfig_extra() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	job, err := client.Run(ctx, wrapper.CreateJobRequest{
		FileInput: srv.AddFile("a.txt", []byte("Sender: Jane Doe\n")),
		Config: wrapper.ExtractConfig{
			Schema: wrapper.MustSchemaFor[struct{ Sender string }](),
			Extra:  map[string]any{"extract_version": "2026-01-08"}, // the older name of Version
		},
	}, wrapper.WithExpand(wrapper.ExpandConfiguration))
	if err != nil {
		log.Fatal(err)
	}
	stored, err := json.Marshal(job)
	if err != nil {
		log.Fatal(err)
	}
	var back wrapper.Job
	if err := json.Unmarshal(stored, &back); err != nil {
		log.Fatal(err)
	}
	g, err := back.Generated()
	fmt.Println(*g.Configuration.ExtractVersion, err)
	// Output: 2026-01-08 <nil>
}

// A caller that paces itself to the service's rate limit (as package batch
// does) answers every 429 of its requests itself: the create is sent again
// once pace returns, without spending a retry.
func ExampleWithRateLimitPacer() {
	client, srv := exampleClient()
	defer srv.Close()
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpCreateExtractJob, Kind: extracttest.FaultStatus, Status: 429, RetryAfterMs: "250", Times: 1})
	refused := 0
	ctx := wrapper.WithRateLimitPacer(context.Background(), func(ctx context.Context, retryAfter time.Duration) error {
		refused++
		select { // wait as the server asks (a real pacer also slows its other requests down)
		case <-time.After(retryAfter):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	file := srv.AddFile("a.txt", []byte("Sender: Jane Doe\n"))
	job, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ Sender string }]()}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(refused, job.ID != "")
	// Output: 1 true
}
