package extracttest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

type exampleInvoice struct {
	InvoiceNumber string  `json:"invoice_number"`
	Total         float64 `json:"total"`
}

// NewServer starts the emulator on a loopback port; point a client at its
// URL and HTTP client. In a test, NewTestServer(t) does the same, closes
// the server when the test ends and fails the test if the emulator ever
// answered outside openapi.yaml.
func ExampleNewServer() {
	srv := extracttest.NewServer(extracttest.WithJobDuration(0)) // jobs complete at once
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		panic(err)
	}
	file := srv.AddFile("invoice.txt", []byte("Invoice Number: INV-1\nTotal: $1,204.50\n"))
	inv, job, err := wrapper.Extract[exampleInvoice](context.Background(), client, file, wrapper.ExtractConfig{})
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Status, inv.InvoiceNumber, inv.Total)
	// Output: COMPLETED INV-1 1204.5
}

// exampleT stands in for the *testing.T a real test passes to
// NewTestServer.
type exampleT struct{ cleanups []func() }

func (*exampleT) Helper()                        {}
func (*exampleT) Errorf(format string, a ...any) { fmt.Printf(format+"\n", a...) }
func (t *exampleT) Cleanup(f func())             { t.cleanups = append(t.cleanups, f) }

// NewTestServer ties the emulator to a test: the server is closed, and
// every answer that violated openapi.yaml is reported, when the test ends.
func ExampleNewTestServer() {
	t := &exampleT{} // in a test: the *testing.T
	srv := extracttest.NewTestServer(t)
	srv.AddFile("a.txt", []byte("Vendor: V\n"))
	fmt.Println(srv.Stats().JobsCreated, "jobs")
	for _, f := range t.cleanups { // the test framework runs these
		f()
	}
	fmt.Println(len(srv.Violations()), "violations")
	// Output:
	// 0 jobs
	// 0 violations
}

// One auto-advancing FakeClock drives the emulator and the client: a job
// that takes ten minutes completes at once in real time, with no sleep and
// no second goroutine, because every wait of the client moves the clock.
func ExampleFakeClock_SetAutoAdvance() {
	start := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	clock := extracttest.NewFakeClock(start)
	clock.SetAutoAdvance(true)
	srv := extracttest.NewServer(extracttest.WithClock(clock), extracttest.WithJobDuration(10*time.Minute))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"),
		wrapper.WithHTTPClient(srv.Client()), wrapper.WithClock(clock))
	if err != nil {
		panic(err)
	}
	file := srv.AddFile("invoice.txt", []byte("Invoice Number: INV-1\n"))
	_, job, err := wrapper.Extract[exampleInvoice](context.Background(), client, file, wrapper.ExtractConfig{})
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Status, "after", clock.Now().Sub(start) >= 10*time.Minute, "fake minutes passed")
	// Output: COMPLETED after true fake minutes passed
}

// InjectFault makes the emulator fail requests, here one 503 on the next
// status check; the returned func removes the fault early.
func ExampleServer_InjectFault() {
	srv := extracttest.NewServer(extracttest.WithJobDuration(0))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"),
		wrapper.WithHTTPClient(srv.Client()), wrapper.WithRetryPolicy(wrapper.RetryPolicy{})) // no retries
	if err != nil {
		panic(err)
	}
	remove := srv.InjectFault(extracttest.Fault{Operation: extracttest.OpGetExtractJob, Kind: extracttest.FaultStatus, Status: 503, Times: 1})
	defer remove()
	ctx := context.Background()
	job, err := client.CreateJob(ctx, wrapper.CreateJobRequest{
		FileInput: srv.AddFile("a.txt", []byte("Invoice Number: INV-1\n")),
		Config:    wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[exampleInvoice]()},
	})
	if err != nil {
		panic(err)
	}
	_, err = client.GetJob(ctx, job.ID)
	fmt.Println("first check:", errors.Is(err, wrapper.ErrServer))
	_, err = client.GetJob(ctx, job.ID) // the fault is spent (Times: 1)
	fmt.Println("second check:", err == nil, "faults injected:", srv.Stats().FaultsInjected)
	// Output:
	// first check: true
	// second check: true faults injected: 1
}

// ScriptFile decides how every job on a file behaves: here it is throttled,
// runs, then fails with a message the client reports as a *JobError.
func ExampleServer_ScriptFile() {
	clock := extracttest.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewServer(extracttest.WithClock(clock))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"),
		wrapper.WithHTTPClient(srv.Client()), wrapper.WithClock(clock))
	if err != nil {
		panic(err)
	}
	file := srv.AddFile("scan.pdf", []byte("%PDF-1.4\n"))
	srv.ScriptFile(file, extracttest.Outcome{
		Steps: []extracttest.Step{
			{Status: extracttest.StatusThrottled, For: time.Minute},
			{Status: extracttest.StatusRunning, For: time.Minute},
		},
		Error: "document is an unreadable scan",
	})
	var seen []wrapper.Status
	_, job, err := wrapper.Extract[exampleInvoice](context.Background(), client, file, wrapper.ExtractConfig{},
		wrapper.OnStatus(func(j *wrapper.Job) {
			if len(seen) == 0 || seen[len(seen)-1] != j.Status {
				seen = append(seen, j.Status)
			}
		}))
	fmt.Println(seen)
	fmt.Println(errors.Is(err, wrapper.ErrJobFailed), job.ErrorMessage)
	// Output:
	// [THROTTLED RUNNING FAILED]
	// true document is an unreadable scan
}
