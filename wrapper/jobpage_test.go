package wrapper_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// pagesOf serves jobFor(0..total-1) in pages of per jobs, whatever page
// size was asked for (a server that ignores page_size), the page token
// being the next index.
func pagesOf(total, per int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from, _ := strconv.Atoi(r.URL.Query().Get("page_token"))
		var items []string
		for n := from; n < total && n < from+per; n++ {
			items = append(items, jobFor(n))
		}
		next := ""
		if from+per < total {
			next = strconv.Itoa(from + per)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"items":[%s],"next_page_token":%q,"total_size":%d}`, strings.Join(items, ","), next, total)
	}
}

// Listed jobs are decoded into staging the client reuses from page to page
// and between goroutines: every job comes out whole and its own, including
// pages longer than the staging (the server sends more than asked), and
// none changes while later pages are read.
func TestListedJobsAreEachTheirOwn(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		total    int
		per      int // the page length the server sends
		pageSize int // what the client asks for
		parallel int
	}{
		{"pages as asked", 250, 100, 100, 1},
		{"default size, longer pages", 130, 60, 0, 1},
		{"asked for 2, sent 7", 30, 7, 2, 1},
		{"four listings at once", 200, 40, 40, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := hostile(t, pagesOf(c.total, c.per))
			var wg sync.WaitGroup
			errs := make(chan error, c.parallel)
			for range c.parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var kept []*wrapper.Job
					for j, err := range cl.Jobs(ctx, wrapper.JobFilter{PageSize: c.pageSize}) {
						if err != nil {
							errs <- err
							return
						}
						if err := checkJob(j, len(kept)); err != nil {
							errs <- err
							return
						}
						kept = append(kept, j)
					}
					if len(kept) != c.total {
						errs <- fmt.Errorf("%d jobs of %d", len(kept), c.total)
						return
					}
					for n, j := range kept {
						if err := checkJob(j, n); err != nil {
							errs <- fmt.Errorf("after the last page: %w", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// An empty page is a page; a page with no items member is not.
func TestEmptyPageAndPageWithoutItems(t *testing.T) {
	for body, ok := range map[string]bool{`{"items":[]}`: true, `{"items":[],"next_page_token":null}`: true, `{"next_page_token":"x"}`: false, `{}`: false} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		})
		page, err := c.ListJobs(context.Background(), wrapper.JobFilter{})
		if ok && (err != nil || len(page.Items) != 0) {
			t.Errorf("%s: %v", body, err)
		}
		if !ok && err == nil {
			t.Errorf("%s was taken for a page", body)
		}
	}
}
