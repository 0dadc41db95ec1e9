package wrapper_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

func TestStatus(t *testing.T) {
	cases := map[wrapper.Status][3]bool{ // terminal, succeeded, known
		wrapper.StatusPending:   {false, false, true},
		wrapper.StatusThrottled: {false, false, true},
		wrapper.StatusRunning:   {false, false, true},
		wrapper.StatusCompleted: {true, true, true},
		wrapper.StatusFailed:    {true, false, true},
		wrapper.StatusCancelled: {true, false, true},
		"QUEUED_FOR_GPU":        {false, false, false},
	}
	for s, want := range cases {
		if got := [3]bool{s.Terminal(), s == wrapper.StatusCompleted, s.Known()}; got != want {
			t.Errorf("%s: %v, want %v", s, got, want)
		}
	}
}

// Requests that are wrong are refused before anything is sent.
func TestCreateRequestCheckedBeforeSending(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	schema := wrapper.MustSchemaFor[Invoice]()
	arrayRoot, _ := wrapper.SchemaFromJSON([]byte(`{"type":"array"}`))
	cases := []struct {
		name  string
		req   wrapper.CreateJobRequest
		field string
	}{
		{"no file", wrapper.CreateJobRequest{Config: wrapper.ExtractConfig{Schema: schema}}, "file_input"},
		{"path instead of id", wrapper.CreateJobRequest{FileInput: "invoice.pdf", Config: wrapper.ExtractConfig{Schema: schema}}, "file_input"},
		{"no config", wrapper.CreateJobRequest{FileInput: "dfl-1"}, "configuration"},
		{"no schema", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{}}, "configuration.data_schema"},
		{"zero schema from bad JSON", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: arrayRoot}}, "configuration.data_schema"},
		{"empty saved id", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.SavedConfig{ID: " "}}, "configuration_id"},
		{"bad tier", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Tier: "gold"}}, "configuration.tier"},
		{"bad target", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Target: "per_word"}}, "configuration.extraction_target"},
		{"webhook without a URL", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.SavedConfig{ID: "cfg-1"}, Webhooks: []wrapper.Webhook{{URL: "https://h.example/ok"}, {Events: []wrapper.WebhookEvent{"extract.success"}}}}, "webhook_configurations[1].webhook_url"},
		{"nil *ExtractConfig", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: (*wrapper.ExtractConfig)(nil)}, "configuration"},
	}
	for _, tc := range cases {
		_, err := c.CreateJob(ctx, tc.req)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a ValidationError on %s", tc.name, err, tc.field)
		}
	}
	if n := srv.Stats().Requests["CreateExtractJob"]; n != 0 {
		t.Fatalf("%d invalid creates reached the server", n)
	}
}

func TestWaitThroughThrottled(t *testing.T) {
	// A fake clock moved 10 ms per check makes the walk through the
	// statuses exact, however slow the machine.
	clock := extracttest.NewFakeClock(time.Now())
	c, srv := newClient(t, extracttest.WithClock(clock), extracttest.WithSchedule(
		extracttest.Step{Status: "PENDING", For: 5 * time.Millisecond},
		extracttest.Step{Status: "THROTTLED", For: 30 * time.Millisecond},
		extracttest.Step{Status: "RUNNING", For: 30 * time.Millisecond}))
	file := srv.AddFile("inv.txt", []byte(invoiceDoc))
	var seen []wrapper.Status
	job, err := c.Run(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}},
		fast, wrapper.OnStatus(func(j *wrapper.Job) {
			if len(seen) == 0 || seen[len(seen)-1] != j.Status {
				seen = append(seen, j.Status)
			}
			clock.Advance(10 * time.Millisecond)
		}))
	if err != nil || job.Status != wrapper.StatusCompleted {
		t.Fatalf("run: %v", err)
	}
	want := []wrapper.Status{wrapper.StatusPending, wrapper.StatusThrottled, wrapper.StatusRunning, wrapper.StatusCompleted}
	if len(seen) != len(want) {
		t.Fatalf("statuses seen %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("statuses seen %v, want %v", seen, want)
		}
	}
}

func TestWaitFailedJob(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("big.txt", nil)
	srv.ScriptFile(file, extracttest.Outcome{Error: "The response was too long to be processed"})
	job, err := c.Run(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}}, fast)
	var je *wrapper.JobError
	if !errors.As(err, &je) || !errors.Is(err, wrapper.ErrJobFailed) || errors.Is(err, wrapper.ErrJobCancelled) {
		t.Fatalf("want JobError, got %v", err)
	}
	if je.Job.ErrorMessage != "The response was too long to be processed" || job.Status != wrapper.StatusFailed ||
		!strings.Contains(err.Error(), job.ID) || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("job error %v", err)
	}
}

func TestWaitContextEnds(t *testing.T) {
	for _, cancelRemote := range []bool{false, true} {
		t.Run(map[bool]string{false: "job keeps running", true: "CancelOnDone"}[cancelRemote], func(t *testing.T) {
			c, srv := newClient(t, extracttest.WithJobDuration(time.Hour))
			file := srv.AddFile("a.txt", nil)
			opts := []wrapper.WaitOption{fast}
			if cancelRemote {
				opts = append(opts, wrapper.WithCancelOnDone())
			}
			job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			_, err = c.Wait(ctx, job.ID, opts...)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), job.ID) {
				t.Fatalf("wait: %v", err)
			}
			after, _ := c.GetJob(context.Background(), job.ID)
			if cancelRemote && after.Status != wrapper.StatusCancelled {
				t.Fatalf("remote job %s, want CANCELLED", after.Status)
			}
			if !cancelRemote && after.Status.Terminal() {
				t.Fatalf("remote job %s: ending the wait must not stop the job", after.Status)
			}
		})
	}
	c, srv := newClient(t, extracttest.WithJobDuration(time.Hour))
	job, _ := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: srv.AddFile("b.txt", nil), Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
	if _, err := c.Wait(context.Background(), job.ID, fast, wrapper.WithWaitTimeout(20*time.Millisecond)); !errors.Is(err, wrapper.ErrWaitTimeout) {
		t.Fatalf("wait timeout: %v", err)
	}
}

func TestSchedules(t *testing.T) {
	lin := wrapper.DefaultSchedule()
	var got []time.Duration
	for n := 0; n < 7; n++ {
		got = append(got, lin.Next(n))
	}
	want := []time.Duration{1, 2, 3, 4, 5, 5, 5}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("default schedule %v", got)
		}
	}
	exp := wrapper.ExponentialSchedule{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}
	for n := 0; n < 10; n++ {
		d := exp.Next(n)
		if d <= 0 || d > time.Second {
			t.Fatalf("exponential %d: %v", n, d)
		}
	}
	if d := (wrapper.ExponentialSchedule{Initial: time.Millisecond, Max: 8 * time.Millisecond}).Next(5); d != 8*time.Millisecond {
		t.Fatalf("exponential cap: %v", d)
	}
}

// One FakeClock drives the emulator and the client: an hour-long job is
// waited for, and a wait bounded at ten minutes of fake time times out,
// without sleeping.
func TestWaitOnFakeClock(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(time.Hour))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()), wrapper.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := wrapper.CreateJobRequest{FileInput: srv.AddFile("a.txt", nil), Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}
	began := clock.Now()
	job, err := c.Run(ctx, req)
	if err != nil || job.Status != wrapper.StatusCompleted || clock.Now().Sub(began) < time.Hour {
		t.Fatalf("run: %v; fake time passed %v", err, clock.Now().Sub(began))
	}
	slow, err := c.CreateJob(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Wait(ctx, slow.ID, wrapper.WithWaitTimeout(10*time.Minute), wrapper.WithCancelOnDone())
	if !errors.Is(err, wrapper.ErrWaitTimeout) || !strings.Contains(err.Error(), slow.ID) {
		t.Fatalf("timeout: %v", err)
	}
	if after, _ := c.GetJob(ctx, slow.ID); after.Status != wrapper.StatusCancelled {
		t.Fatalf("WithCancelOnDone after a fake-clock timeout: %s", after.Status)
	}

	// Manual mode: the test moves time itself, once the wait is parked.
	clock.SetAutoAdvance(false)
	job2, _ := c.CreateJob(ctx, req)
	done := make(chan error, 1)
	go func() {
		_, err := c.Wait(ctx, job2.ID, wrapper.WithSchedule(wrapper.FixedSchedule(time.Minute)))
		done <- err
	}()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return
		default:
		}
		if clock.Waiters() > 0 {
			clock.Advance(time.Minute)
		}
		runtime.Gosched()
	}
}
