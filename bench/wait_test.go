package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

type lineItem struct {
	Amount float64 `json:"amount"`
}

// Row 5: Wait on a job that completes exactly `delay` after creation.
// requests/op counts status checks; lag-ms is how long after completion
// Wait returned.
func BenchmarkWait(b *testing.B) {
	const delay = 7 * time.Second
	schedules := []struct {
		name string
		s    wrapper.Schedule
	}{
		{"default", wrapper.DefaultSchedule()},
		{"exponential", wrapper.ExponentialSchedule{Initial: 500 * time.Millisecond, Factor: 2, Max: 8 * time.Second}},
		{"fixed-1s", wrapper.FixedSchedule(time.Second)},
	}
	for _, sc := range schedules {
		b.Run(sc.name, func(b *testing.B) {
			srv := extracttest.NewServer(extracttest.WithSchedule(extracttest.Step{Status: "RUNNING", For: delay}))
			defer srv.Close()
			c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
			if err != nil {
				b.Fatal(err)
			}
			file := srv.AddFile("a.txt", nil)
			ctx := context.Background()
			var lag time.Duration
			var checks int
			for b.Loop() {
				before := srv.Stats().Requests["GetExtractJob"]
				job, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[lineItem]()}})
				if err != nil {
					b.Fatal(err)
				}
				created := time.Now()
				if _, err := c.Wait(ctx, job.ID, wrapper.WithSchedule(sc.s)); err != nil {
					b.Fatal(err)
				}
				lag += time.Since(created) - delay
				checks += srv.Stats().Requests["GetExtractJob"] - before
			}
			b.ReportMetric(float64(checks)/float64(b.N), "requests/op")
			b.ReportMetric(float64(lag.Milliseconds())/float64(b.N), "lag-ms")
		})
	}
}

// Row 6: 1,000 jobs against the emulator with its creation rate limit on
// (15 per second, as LlamaCloud): 1,000 concurrent Run calls, then RunAll
// with its adaptive create rate.
func BenchmarkConcurrentRun(b *testing.B) {
	const n = 1000
	setup := func(b *testing.B) (*extracttest.Server, *wrapper.Client, wrapper.CreateJobRequest) {
		srv := extracttest.NewServer(extracttest.WithJobDuration(200*time.Millisecond), extracttest.WithCreateRateLimit(15, 15))
		c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
		if err != nil {
			b.Fatal(err)
		}
		file := srv.AddFile("a.txt", []byte("Amount: 1\n"))
		return srv, c, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[lineItem]()}}
	}
	report := func(b *testing.B, srv *extracttest.Server, ok, failed int, elapsed time.Duration) {
		st := srv.Stats()
		b.ReportMetric(float64(ok)/elapsed.Seconds(), "jobs/s")
		b.ReportMetric(float64(ok), "completed")
		b.ReportMetric(float64(failed), "failed")
		b.ReportMetric(float64(st.RateLimited), "429s")
		b.ReportMetric(float64(st.JobsCreated-ok), "created-not-returned")
	}
	poll := wrapper.WithSchedule(wrapper.FixedSchedule(100 * time.Millisecond))
	b.Run("Run-x1000", func(b *testing.B) {
		for b.Loop() {
			srv, c, req := setup(b)
			var ok, failed atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.Run(context.Background(), req, poll); err != nil {
						failed.Add(1)
					} else {
						ok.Add(1)
					}
				}()
			}
			wg.Wait()
			report(b, srv, int(ok.Load()), int(failed.Load()), time.Since(start))
			srv.Close()
		}
	})
	b.Run("RunAll", func(b *testing.B) {
		for b.Loop() {
			srv, c, req := setup(b)
			reqs := make([]wrapper.CreateJobRequest, n)
			for i := range reqs {
				reqs[i] = req
			}
			start := time.Now()
			ok, failed := 0, 0
			for _, err := range batch.RunAll(context.Background(), c, reqs, batch.WithConcurrency(64), batch.WithWaitOptions(poll)) {
				if err != nil {
					failed++
				} else {
					ok++
				}
			}
			report(b, srv, ok, failed, time.Since(start))
			srv.Close()
		}
	})
}
