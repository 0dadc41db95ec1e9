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
func stagingServer(t testing.TB, n int) *Client {
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

// A page aims and clears only the part of a pooled staging it can use. A
// client that once listed 1000 jobs a page keeps that staging in its pool
// for as long as it lists (sync.Pool drops only what sits unused through
// two collections); a page of 50 that aimed and cleared all 1000 entries
// took about a fifth longer (BenchmarkListJobsStaging).
func TestPageUsesOnlyItsShareOfTheStaging(t *testing.T) {
	var s pageState
	s.prepare(maxPageSize)
	s.release()
	s.prepare(defaultPageSize)
	for i := defaultPageSize; i < len(s.into); i++ {
		if s.into[i] != (jobInto{}) || s.ptrs[i] != nil {
			t.Fatalf("entry %d of a staging of %d aimed for a page of %d", i, len(s.into), defaultPageSize)
		}
	}
	s.release()
	for i := range s.into {
		if s.into[i] != (jobInto{}) || s.ptrs[i] != nil || s.staged[i].ID != "" {
			t.Fatalf("entry %d left after release", i)
		}
	}
}

// BenchmarkListJobsStaging lists a page of 50 jobs with the staging a
// fresh client makes, and with one an earlier page of 1000 left.
func BenchmarkListJobsStaging(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"fresh", defaultPageSize}, {"after-1000", maxPageSize}} {
		b.Run(c.name, func(b *testing.B) {
			cl := stagingServer(b, 50)
			cl.jobPages.New = func() any {
				s := new(pageState)
				s.prepare(c.size)
				s.release()
				return s
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cl.ListJobs(context.Background(), JobFilter{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
