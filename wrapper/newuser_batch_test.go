package wrapper_test

// The new-user scenarios that use the batch API (ExtractAll, RunAll), apart
// from the rest so that the batch rework (issue 13) changes this file only.

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// Scenario 13: ExtractAll over 20 documents, some scripted to fail.
func TestNewUserExtractAllWithFailures(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	var inputs []string
	for i := range 20 {
		id := srv.AddFile("inv.txt", []byte(nuInvoiceText))
		if i%5 == 0 {
			srv.ScriptFile(id, extracttest.Outcome{Error: "unreadable scan"})
		}
		inputs = append(inputs, id)
	}
	var mu sync.Mutex
	last := 0
	results := wrapper.ExtractAll[nuInvoice](context.Background(), client, inputs, wrapper.ExtractConfig{},
		wrapper.BatchOptions{Concurrency: 4, CreatesPerSecond: 100, OnProgress: func(p wrapper.BatchProgress) {
			mu.Lock()
			last = p.Done
			mu.Unlock()
		}})
	if len(results) != 20 || last != 20 {
		t.Fatalf("%d results, progress %d", len(results), last)
	}
	for i, r := range results {
		if r.Input != inputs[i] {
			t.Fatalf("result %d is for %s", i, r.Input)
		}
		var je *wrapper.JobError
		if i%5 == 0 {
			if !errors.As(r.Err, &je) || !errors.Is(r.Err, wrapper.ErrJobFailed) || je.Job.ErrorMessage != "unreadable scan" {
				t.Fatalf("item %d: %v", i, r.Err)
			}
			continue
		}
		if r.Err != nil || r.Value.Vendor != "Acme" || r.Job == nil {
			t.Fatalf("item %d: %+v", i, r)
		}
	}
}

// Scenario 28: RunAll over jobs built by hand, with a context that ends.
func TestNewUserRunAllCancelled(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}
	var reqs []wrapper.CreateJobRequest
	for range 5 {
		reqs = append(reqs, wrapper.CreateJobRequest{FileInput: srv.AddFile("i.txt", []byte(nuInvoiceText)), Config: cfg})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := client.RunAll(ctx, reqs, wrapper.BatchOptions{})
	if len(res) != 5 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.Index != i || !errors.Is(r.Err, wrapper.ErrNotStarted) || !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("item %d: %+v", i, r)
		}
	}
	if srv.Stats().JobsCreated != 0 {
		t.Fatal("jobs were created after cancel")
	}
}
