package specdrift_test

import (
	"context"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/specdrift"
)

// A job that does not finish within WaitTimeout is cancelled; the wait
// counts polls against the injected Sleep, not the wall clock.
func TestTourCancelsAJobPastTheTimeout(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(time.Hour))
	var slept time.Duration
	tour := &specdrift.Tour{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client(), Create: true,
		PollInterval: time.Second, WaitTimeout: 3 * time.Second,
		Sleep: func(_ context.Context, d time.Duration) error { slept += d; return nil }}
	rep, err := tour.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	polls, cancelled := 0, false
	for _, e := range rep.Requests {
		switch {
		case e.Operation == "GetExtractJob" && e.Status == 200:
			polls++
		case e.Operation == "CancelExtractJob" && e.Status == 200:
			cancelled = true
		}
	}
	// Three polls, then the read with every expand.
	if polls != 4 || !cancelled || slept != 3*time.Second || rep.Drift() != 0 {
		t.Fatalf("polls %d, cancelled %v, slept %s, drift %d: %+v", polls, cancelled, slept, rep.Drift(), rep.Findings)
	}
}

// BenchmarkSpecCheckEmulator is the whole tour, the extraction included,
// against the in-process emulator (the budget is 5 s a run).
func BenchmarkSpecCheckEmulator(b *testing.B) {
	srv := extracttest.NewServer(extracttest.WithJobDuration(200 * time.Millisecond))
	defer srv.Close()
	for b.Loop() {
		tour := &specdrift.Tour{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client(), Create: true, PollInterval: 100 * time.Millisecond}
		rep, err := tour.Run(context.Background())
		if err != nil || rep.Drift() != 0 {
			b.Fatalf("%v %+v", err, rep.Findings)
		}
	}
}
