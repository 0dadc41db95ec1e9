package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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

// A server whose next_page_token repeats (the same token again, or a cycle
// A -> B -> A) would make every list loop forever; each list stops with an
// *InvalidResponseError instead, after yielding each page once.
func TestListsStopOnRepeatedPageToken(t *testing.T) {
	item := map[string]string{
		"/api/v2/extract":             `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`,
		"/api/v1/beta/files":          `{"id":"dfl-1","name":"a.pdf","project_id":"p"}`,
		"/api/v1/beta/configurations": `{"id":"cfg-1","name":"n","version":"1","product_type":"extract_v2","parameters":{"product_type":"extract_v2","data_schema":{"type":"object"}}}`,
	}
	for name, next := range map[string]map[string]string{
		"same token":  {"": "A", "A": "A"},
		"cycle A-B-A": {"": "A", "A": "B", "B": "A"},
	} {
		t.Run(name, func(t *testing.T) {
			var requests atomic.Int64
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				if requests.Add(1) > 50 {
					http.Error(w, "looping", http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"items":[%s],"next_page_token":%q}`, item[r.URL.Path], next[r.URL.Query().Get("page_token")])
			})
			ctx := context.Background()
			check := func(list string, n int, err error) {
				t.Helper()
				var inv *wrapper.InvalidResponseError
				if !errors.As(err, &inv) || !strings.Contains(err.Error(), "already followed") {
					t.Errorf("%s: %v, want an InvalidResponseError about the token", list, err)
				}
				if want := len(next); n != want {
					t.Errorf("%s: %d items before stopping, want %d (one per distinct page)", list, n, want)
				}
			}
			n, err := countAll(c.Jobs(ctx, wrapper.JobFilter{}))
			check("Jobs", n, err)
			n, err = countAll(c.Files(ctx, wrapper.FileFilter{}))
			check("Files", n, err)
			n, err = countAll(c.Configurations(ctx, wrapper.SavedConfigFilter{}))
			check("Configurations", n, err)
		})
	}
}

// countAll counts a list's items up to its first error.
func countAll[T any](seq iter.Seq2[T, error]) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
