package batch_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
	"go.uber.org/goleak"
)

// countingHandler counts the client's retry log lines.
type countingHandler struct{ retries *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "retry") {
		h.retries.Add(1)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

type suiteReport struct {
	items, completed, failed, faults, retries, duplicates, requests int
	wall                                                            time.Duration
}

func (r suiteReport) String() string {
	return fmt.Sprintf("items %d: completed %d, typed errors %d; faults injected %d over %d requests; retries %d; duplicates %d; wall %s",
		r.items, r.completed, r.failed, r.faults, r.requests, r.retries, r.duplicates, r.wall.Round(time.Millisecond))
}

// runFaultSuite extracts n documents at the given concurrency while about
// 10% of all responses fail, and checks that every item ends COMPLETED with
// its own result or with a typed error, that no input got two jobs, and that
// no goroutine is left behind.
func runFaultSuite(t *testing.T, n, concurrency int) suiteReport {
	t.Helper()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := extracttest.NewServer(extracttest.WithJobDuration(20 * time.Millisecond))
	var retries atomic.Int64
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()),
		wrapper.WithLogger(slog.New(countingHandler{&retries})),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{MaxRetries: 5, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond, Jitter: 0.25}))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inputs := make([]string, n)
	want := map[string]string{}
	for i := range inputs {
		inputs[i] = filepath.Join(dir, fmt.Sprintf("doc-%d.txt", i))
		if err := os.WriteFile(inputs[i], []byte(fmt.Sprintf("Number: N-%d\nAmount: %d.5\n", i, i)), 0o600); err != nil {
			t.Fatal(err)
		}
		want[inputs[i]] = fmt.Sprintf("N-%d", i)
	}
	for _, f := range []extracttest.Fault{
		{Kind: extracttest.FaultStatus, Status: 429, RetryAfterMs: "5", Probability: 0.025},
		{Kind: extracttest.FaultStatus, Status: 503, RetryAfter: "0", Probability: 0.025},
		{Kind: extracttest.FaultDrop, Probability: 0.0125},
		{Kind: extracttest.FaultDropAfter, Probability: 0.0125},
		{Kind: extracttest.FaultTruncate, Probability: 0.025},
	} {
		srv.InjectFault(f)
	}
	rep := suiteReport{items: n}
	start := time.Now()
	var progressCalls atomic.Int64
	seen := map[string]bool{}
	onOurFiles := 0
	for r, err := range batch.ExtractAll[numbered](context.Background(), c, inputs, wrapper.ExtractConfig{},
		batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(5*time.Millisecond))),
		batch.WithConcurrency(concurrency), batch.WithCreateRate(1000),
		batch.WithProgress(func(p batch.Progress) { progressCalls.Add(1) })) {
		if errors.Is(err, batch.ErrStopped) {
			t.Fatalf("the batch stopped: %v", err)
		}
		if seen[r.Input] {
			t.Fatalf("%s yielded twice", r.Input)
		}
		seen[r.Input] = true
		if r.FileID != "" {
			created := srv.JobsCreatedFor(r.FileID)
			onOurFiles += created
			if created > 1 {
				rep.duplicates += created - 1
			}
		}
		if err == nil {
			if r.Value.Number != want[r.Input] || r.Job == nil || r.Job.Status != wrapper.StatusCompleted {
				t.Errorf("%s: wrong result %+v", r.Input, r.Value)
			}
			rep.completed++
			continue
		}
		rep.failed++
		var api *wrapper.APIError
		var conn *wrapper.ConnectionError
		var inv *wrapper.InvalidResponseError
		var je *wrapper.JobError
		if !errors.As(err, &api) && !errors.As(err, &conn) && !errors.As(err, &inv) && !errors.As(err, &je) {
			t.Errorf("%s: untyped error %v", r.Input, err)
		}
	}
	rep.wall = time.Since(start)
	if len(seen) != n {
		t.Errorf("%d of %d inputs yielded", len(seen), n)
	}
	if st := srv.Stats(); st.JobsCreated != onOurFiles {
		t.Errorf("%d jobs created, %d of them on the batch's files", st.JobsCreated, onOurFiles)
	}
	st := srv.Stats()
	rep.faults, rep.retries = st.FaultsInjected, int(retries.Load())
	for _, v := range st.Requests {
		rep.requests += v
	}
	srv.Close()
	if rep.duplicates != 0 {
		t.Errorf("%d duplicate jobs", rep.duplicates)
	}
	if int(progressCalls.Load()) != n {
		t.Errorf("progress called %d times for %d items", progressCalls.Load(), n)
	}
	if rep.faults < rep.requests/20 {
		t.Errorf("only %d faults over %d requests: the suite is not testing much", rep.faults, rep.requests)
	}
	// With five retries per call, a fault the policy covers almost never
	// fails an item: more than 1% failed is a retry hole (a truncated
	// upload answer once failed 2.8%).
	if rep.completed < n-n/100 {
		t.Errorf("only %d of %d items completed", rep.completed, n)
	}
	extracttest.CheckViolations(t, srv)
	return rep
}

func TestBatchUnderFaults(t *testing.T) {
	rep := runFaultSuite(t, 150, 16)
	t.Log(rep)
}
