package batch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// A hostile service mid-batch: 429 storms without Retry-After, 5xx, creates
// processed and then the connection dropped, created jobs answered with a
// cut body, flaky polls and uploads. Whatever stops or fails a run, resuming
// until every input is yielded leaves exactly one job per document, and
// every input is yielded exactly once (failed ones included) over the runs.
func TestBatchHostileServiceOneJobPerDocument(t *testing.T) {
	const n = 40
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	for _, f := range []extracttest.Fault{
		{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 429, Probability: 0.4},
		{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 503, Probability: 0.15},
		{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Probability: 0.15},
		{Operation: "CreateExtractJob", Kind: extracttest.FaultTruncate, Probability: 0.15},
		{Operation: "GetExtractJob", Kind: extracttest.FaultStatus, Status: 500, Probability: 0.2},
		{Operation: "GetExtractJob", Kind: extracttest.FaultTruncate, Probability: 0.1},
		{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Status: 429, Probability: 0.3},
		{Operation: "UploadFile", Kind: extracttest.FaultStatus, Status: 502, Probability: 0.1},
	} {
		srv.InjectFault(f)
	}
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	paths := writeDocs(t, n)
	state := filepath.Join(t.TempDir(), "s")
	seen := map[string]int{}
	fileOf := map[string]string{}
	for run := 0; len(seen) < n; run++ {
		if run == 20 {
			t.Fatalf("20 runs and %d of %d documents yielded", len(seen), n)
		}
		b, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state), fast, batch.WithCreateRate(1000))
		if err != nil {
			t.Fatal(err)
		}
		for it, err := range b.Run(context.Background(), slices.Values(paths)) {
			if errors.Is(err, batch.ErrStopped) {
				t.Logf("run %d stopped: %v", run, err)
				continue
			}
			seen[it.Input]++
			if it.FileID != "" {
				fileOf[it.Input] = it.FileID
			}
		}
		b.Close()
	}
	for _, p := range paths {
		if seen[p] != 1 {
			t.Errorf("%s yielded %d times over the runs", filepath.Base(p), seen[p])
		}
	}
	st := srv.Stats()
	for p, f := range fileOf {
		if k := srv.JobsCreatedFor(f); k > 1 {
			t.Errorf("%s: %d jobs on its file %s", filepath.Base(p), k, f)
		}
	}
	if st.JobsCreated > n || st.FaultsInjected == 0 {
		t.Errorf("%d jobs for %d documents, %d faults", st.JobsCreated, n, st.FaultsInjected)
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatal(err)
	}
}

// A second Batch on an open state file would create jobs for the same
// documents: NewBatch refuses it with ErrStateLocked, and ExtractAll yields
// that error; once the first is closed the state file opens again.
func TestBatchSecondOnTheSameStateIsLocked(t *testing.T) {
	srv := extracttest.NewTestServer(t)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	first, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state)); !errors.Is(err, batch.ErrStateLocked) {
		t.Fatalf("second NewBatch: %v, want ErrStateLocked", err)
	}
	for _, err := range batch.ExtractAll[numbered](context.Background(), c, writeDocs(t, 1), wrapper.ExtractConfig{}, batch.WithState(state)) {
		if !errors.Is(err, batch.ErrStateLocked) {
			t.Fatalf("ExtractAll: %v, want ErrStateLocked", err)
		}
	}
	if srv.Stats().JobsCreated != 0 {
		t.Fatal("a refused batch created jobs")
	}
	first.Close()
	again, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state))
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	again.Close()
}
