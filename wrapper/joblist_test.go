package wrapper_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// 250 jobs listed across pages while new ones are created: each of the 250
// comes exactly once.
func TestJobsIteratesAcrossPagesWhileCreating(t *testing.T) {
	c, srv := newClient(t, extracttest.WithJobDuration(0))
	file := srv.AddFile("a.txt", nil)
	ctx := context.Background()
	req := wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}
	want := map[string]bool{}
	for i := 0; i < 250; i++ {
		j, err := c.CreateJob(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		want[j.ID] = true
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				if _, err := c.CreateJob(ctx, req); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	seen := map[string]int{}
	pagesBefore := srv.Stats().Requests["ListExtractJobs"]
	for job, err := range c.Jobs(ctx, wrapper.JobFilter{PageSize: 30, Status: wrapper.StatusCompleted}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[job.ID]++
	}
	close(stop)
	wg.Wait()
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("job %s seen %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %s seen %d times", id, n)
		}
	}
	if pages := srv.Stats().Requests["ListExtractJobs"] - pagesBefore; pages < 9 {
		t.Fatalf("%d pages for %d jobs at 30 a page", pages, len(seen))
	}
}

func TestJobsStopsEarlyAndOnErrors(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("a.txt", nil)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}})
	}
	n := 0
	before := srv.Stats().Requests["ListExtractJobs"]
	for range c.Jobs(ctx, wrapper.JobFilter{PageSize: 2}) {
		n++
		if n == 3 {
			break
		}
	}
	if got := srv.Stats().Requests["ListExtractJobs"] - before; n != 3 || got != 2 {
		t.Fatalf("break after 3: iterated %d, fetched %d pages", n, got)
	}
	srv.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Status: 401})
	var errs int
	for _, err := range c.Jobs(ctx, wrapper.JobFilter{}) {
		if !errors.Is(err, wrapper.ErrUnauthorized) {
			t.Fatalf("err %v", err)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("%d errors yielded", errs)
	}
	if _, err := c.ListJobs(ctx, wrapper.JobFilter{Status: "DONE"}); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("bad status filter: %v", err)
	}
}
