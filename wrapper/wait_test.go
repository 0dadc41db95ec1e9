package wrapper_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// WithPollErrors makes a wait poll through failed checks: three 500s in a
// row (each after the client's retries) end a plain wait, not one that
// tolerates three.
func TestWaitWithPollErrors(t *testing.T) {
	c, srv := newClient(t)
	f := srv.AddFile("inv.txt", []byte("Vendor: Acme\n"))
	job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: f, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
	if err != nil {
		t.Fatal(err)
	}
	// fastRetry retries twice: 9 failed GETs are 3 failed checks.
	fault := extracttest.Fault{Operation: extracttest.OpGetExtractJob, Kind: extracttest.FaultStatus, Status: 500, Times: 9}
	remove := srv.InjectFault(fault)
	if _, err := c.Wait(context.Background(), job.ID, fast); !errors.Is(err, wrapper.ErrServer) {
		t.Fatalf("a plain wait after a failed check: %v", err)
	}
	remove()
	srv.InjectFault(fault)
	if got, err := c.Wait(context.Background(), job.ID, fast, wrapper.WithPollErrors(3)); err != nil || got.Status != wrapper.StatusCompleted {
		t.Fatalf("a wait tolerating 3 failed checks: %v", err)
	}
}

// OnStatus given twice calls both functions, in order; CheckWaitOptions
// finds what Wait would refuse, sending nothing.
func TestOnStatusTwiceAndCheckWaitOptions(t *testing.T) {
	c, srv := newClient(t)
	f := srv.AddFile("inv.txt", []byte("Vendor: Acme\n"))
	job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: f, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	first := wrapper.OnStatus(func(*wrapper.Job) { calls = append(calls, "first") })
	second := wrapper.OnStatus(func(*wrapper.Job) { calls = append(calls, "second") })
	if _, err := c.Wait(context.Background(), job.ID, fast, first, second); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || len(calls)%2 != 0 || calls[0] != "first" || calls[1] != "second" {
		t.Fatalf("calls %v", calls)
	}
	before := srv.Stats().Requests["GetExtractJob"]
	if err := wrapper.CheckWaitOptions(wrapper.WithWaitTimeout(-time.Second)); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("a negative timeout: %v", err)
	}
	if err := wrapper.CheckWaitOptions(fast, first); err != nil || srv.Stats().Requests["GetExtractJob"] != before {
		t.Fatalf("good options: %v", err)
	}
}
