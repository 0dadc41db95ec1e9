package batch_test

// The new-user scenarios that use the batch API (ExtractAll, RunAll), apart
// from the rest so that the batch rework (issue 13) changes this file only.

import (
	"context"
	"errors"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// Scenario 13: ExtractAll over 20 documents, some scripted to fail.
func TestNewUserExtractAllWithFailures(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	var inputs []string
	fails := map[string]bool{}
	for i := range 20 {
		id := srv.AddFile("inv.txt", []byte(nuInvoiceText))
		if i%5 == 0 {
			srv.ScriptFile(id, extracttest.Outcome{Error: "unreadable scan"})
			fails[id] = true
		}
		inputs = append(inputs, id)
	}
	last := 0
	seen := map[string]bool{}
	for r, err := range batch.ExtractAll[nuInvoice](context.Background(), client, inputs, wrapper.ExtractConfig{},
		batch.WithConcurrency(4), batch.WithProgress(func(p batch.Progress) { last = p.Done })) {
		if errors.Is(err, batch.ErrStopped) || seen[r.Input] {
			t.Fatalf("unexpected pair %+v, %v", r, err)
		}
		seen[r.Input] = true
		var je *wrapper.JobError
		if fails[r.Input] {
			if !errors.As(err, &je) || !errors.Is(err, wrapper.ErrJobFailed) || je.Job.ErrorMessage != "unreadable scan" {
				t.Fatalf("%s: %v", r.Input, err)
			}
			continue
		}
		if err != nil || r.Value.Vendor != "Acme" || r.Job == nil {
			t.Fatalf("%s: %+v %v", r.Input, r, err)
		}
	}
	if len(seen) != 20 || last != 20 {
		t.Fatalf("%d results, progress %d", len(seen), last)
	}
}

// Scenario 28: RunAll over jobs built by hand, with a context that ends:
// nothing is created, and the one pair says the batch stopped.
func TestNewUserRunAllCancelled(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}
	var reqs []wrapper.CreateJobRequest
	for range 5 {
		reqs = append(reqs, wrapper.CreateJobRequest{FileInput: srv.AddFile("i.txt", []byte(nuInvoiceText)), Config: cfg})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	for r, err := range batch.RunAll(ctx, client, reqs) {
		n++
		if r.Job != nil || !errors.Is(err, batch.ErrStopped) || !errors.Is(err, context.Canceled) {
			t.Fatalf("pair %+v, %v", r, err)
		}
	}
	if n != 1 || srv.Stats().JobsCreated != 0 {
		t.Fatalf("%d pairs, %d jobs created after cancel", n, srv.Stats().JobsCreated)
	}
}
