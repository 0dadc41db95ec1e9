package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
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

type numbered struct {
	Number string  `json:"number"`
	Amount float64 `json:"amount"`
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
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = srv.AddFile(fmt.Sprintf("doc-%d.txt", i), []byte(fmt.Sprintf("Number: N-%d\nAmount: %d.5\n", i, i)))
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
	start := time.Now()
	var progressCalls atomic.Int64
	results := wrapper.ExtractAll[numbered](context.Background(), c, inputs, wrapper.ExtractConfig{},
		wrapper.BatchOptions{Concurrency: concurrency, CreatesPerSecond: 1000, Burst: concurrency,
			// The suite uploaded one file per input, so it owns them.
			Options:    []wrapper.CallOption{wrapper.WithOwnedFiles(), wrapper.WithSchedule(wrapper.FixedSchedule(5 * time.Millisecond))},
			OnProgress: func(p wrapper.BatchProgress) { progressCalls.Add(1) }})
	rep := suiteReport{items: n, wall: time.Since(start)}
	for i, r := range results {
		if r.Input != inputs[i] {
			t.Fatalf("result %d is for %s, want %s: results must keep input order", i, r.Input, inputs[i])
		}
		if r.Err == nil {
			if r.Value.Number != fmt.Sprintf("N-%d", i) || r.Job == nil || r.Job.Status != wrapper.StatusCompleted {
				t.Errorf("item %d: wrong result %+v", i, r.Value)
			}
			rep.completed++
			continue
		}
		rep.failed++
		var api *wrapper.APIError
		var conn *wrapper.ConnectionError
		var inv *wrapper.InvalidResponseError
		var je *wrapper.JobError
		if !errors.As(r.Err, &api) && !errors.As(r.Err, &conn) && !errors.As(r.Err, &inv) && !errors.As(r.Err, &je) {
			t.Errorf("item %d: untyped error %v", i, r.Err)
		}
	}
	for _, in := range inputs {
		if created := srv.JobsCreatedFor(in); created > 1 {
			rep.duplicates += created - 1
		} else if created == 0 {
			t.Errorf("%s: no job was created", in)
		}
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
	if rep.completed < n*9/10 {
		t.Errorf("only %d of %d items completed", rep.completed, n)
	}
	extracttest.CheckViolations(t, srv)
	return rep
}

func TestBatchUnderFaults(t *testing.T) {
	rep := runFaultSuite(t, 150, 16)
	t.Log(rep)
}

func TestRunAllOrderProgressAndCancel(t *testing.T) {
	c, srv := newClient(t, extracttest.WithJobDuration(time.Hour))
	file := srv.AddFile("a.txt", nil)
	reqs := make([]wrapper.CreateJobRequest, 6)
	for i := range reqs {
		reqs[i] = wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}
	}
	reqs[2].FileInput = "not-an-id"
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int64
	go func() {
		for srv.Stats().Requests["GetExtractJob"] < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	res := c.RunAll(ctx, reqs, wrapper.BatchOptions{Concurrency: 2, CreatesPerSecond: 1000,
		Options: []wrapper.CallOption{fast, wrapper.WithCancelOnDone(), wrapper.OnStatus(func(*wrapper.Job) { started.Add(1) })}})
	if len(res) != 6 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.Index != i || r.Err == nil {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	if !errors.Is(res[5].Err, wrapper.ErrNotStarted) || !errors.Is(res[5].Err, context.Canceled) {
		t.Fatalf("last item should not have started: %v", res[5].Err)
	}
	cancelled := 0
	for j, err := range c.Jobs(context.Background(), wrapper.JobFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == wrapper.StatusCancelled {
			cancelled++
		} else {
			t.Fatalf("job %s left %s after the batch was cancelled", j.ID, j.Status)
		}
	}
	if cancelled == 0 {
		t.Fatal("no job was cancelled")
	}
}
