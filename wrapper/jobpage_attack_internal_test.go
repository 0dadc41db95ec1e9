package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stagingServer answers every list with a page of n jobs, odd ones with
// every optional part.
func stagingServer(t *testing.T, n int) *Client {
	t.Helper()
	var items []string
	for i := range n {
		j := fmt.Sprintf(`{"id":"ext-%d","status":"COMPLETED","file_input":"dfl-%d","created_at":"2026-01-01T00:00:00Z"`, i, i)
		if i%2 == 1 {
			j += fmt.Sprintf(`,"error_message":"e%d","configuration":{"data_schema":{"type":"object"},"tier":"agentic","sheet_names":["s"]},"extract_result":{"a":%d},"metadata":{"m":1},"usage":{"u":1}`, i, i)
		}
		items = append(items, j+"}")
	}
	body := `{"items":[` + strings.Join(items, ",") + `]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(WithBaseURL(srv.URL), WithAPIKey("k"), WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Jobs kept from a listing are copies: once the pool lets go of the
// staging they were decoded into (sync.Pool drops what sits in it for two
// collections), the staging's arrays are freed although every job is
// still held.
func TestKeptJobsKeepNoStagingAlive(t *testing.T) {
	c := stagingServer(t, 40)
	var made, freed atomic.Int32
	c.jobPages.New = func() any {
		s := new(pageState)
		s.prepare(defaultPageSize)
		made.Add(3)
		done := func(n *atomic.Int32) { n.Add(1) }
		runtime.AddCleanup(&s.staged[0], done, &freed)
		runtime.AddCleanup(&s.into[0], done, &freed)
		runtime.AddCleanup(&s.ptrs[0], done, &freed)
		return s
	}
	var kept []*Job
	for range 3 {
		page, err := c.ListJobs(context.Background(), JobFilter{})
		if err != nil || len(page.Items) != 40 {
			t.Fatalf("%v", err)
		}
		kept = append(kept, page.Items...)
	}
	for i := 0; freed.Load() < made.Load(); i++ {
		if i == 100 {
			t.Fatalf("%d of %d staging arrays freed after %d collections, with the listed jobs kept", freed.Load(), made.Load(), i)
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on a goroutine of their own
	}
	for i, j := range kept {
		if j.ID != fmt.Sprintf("ext-%d", i%40) || (i%2 == 1) != (j.Configuration != nil) {
			t.Fatalf("job %d: %+v", i, j)
		}
	}
}
