package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// Attacks on the staging ListJobs and Jobs decode a page into (jobpage.go):
// what a user sees must not depend on how long the page is against what was
// asked, on what an earlier page (failed or not) left behind, on other
// goroutines listing on the same client, or on what the caller does with
// the jobs it keeps.

// sizedPages serves jobFor(0..total-1), each page as long as the page_size
// asked (the service's default 50 when absent or 0, at most 1000) plus
// extra: extra > 0 is a server that sends more than asked.
func sizedPages(total, extra int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		per, _ := strconv.Atoi(q.Get("page_size"))
		if per <= 0 {
			per = 50
		}
		per = min(per, 1000) + extra
		from, _ := strconv.Atoi(q.Get("page_token"))
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

// listAll runs Jobs and checks every job against jobFor, during the
// listing and again after it.
func listAll(ctx context.Context, c *wrapper.Client, f wrapper.JobFilter, total int) error {
	var kept []*wrapper.Job
	for j, err := range c.Jobs(ctx, f) {
		if err != nil {
			return err
		}
		if err := checkJob(j, len(kept)); err != nil {
			return err
		}
		kept = append(kept, j)
	}
	if len(kept) != total {
		return fmt.Errorf("page size %d: %d jobs of %d", f.PageSize, len(kept), total)
	}
	for n, j := range kept {
		if err := checkJob(j, n); err != nil {
			return fmt.Errorf("page size %d, after the listing: %w", f.PageSize, err)
		}
	}
	return nil
}

// Every page size a user may ask for, against pages exactly as long,
// one longer, and far longer than asked, on one client (so the staging of
// one size is reused for the next).
func TestJobsEveryPageSizeAndLength(t *testing.T) {
	ctx := context.Background()
	for _, extra := range []int{0, 1, 37} {
		for _, total := range []int{9, 130, 1100} {
			c := hostile(t, sizedPages(total, extra))
			for _, size := range []int{0, 1, 2, 49, 50, 51, 1000, 1001, 5000, 3} {
				if size < 1000 && total > 130 {
					continue // many more requests, nothing more to learn
				}
				if err := listAll(ctx, c, wrapper.JobFilter{PageSize: size}, total); err != nil {
					t.Errorf("%d more than asked: %v", extra, err)
				}
			}
		}
	}
}

// Goroutines listing with different page sizes on one client share the
// client's pool of stagings, of different sizes: each still gets exactly
// its own jobs, whole.
func TestJobsConcurrentMixedPageSizes(t *testing.T) {
	ctx := context.Background()
	c := hostile(t, sizedPages(700, 3))
	sizes := []int{0, 1, 7, 50, 333, 1000, 2, 5000}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(sizes))
	for range 2 {
		for _, size := range sizes {
			wg.Go(func() {
				if err := listAll(ctx, c, wrapper.JobFilter{PageSize: size}, 700); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A page that fails partway (item k broken after items 0..k-1 were decoded
// into the staging) is an error, and the next page listed on the same
// client holds nothing of it: its jobs lack every optional part the failed
// page's jobs had.
func TestFailedPageLeavesNothingForTheNext(t *testing.T) {
	ctx := context.Background()
	for name, broken := range map[string]string{
		"bad timestamp (decoding stops)": `{"id":"ext-9","status":"FAILED","created_at":"yesterday"}`,
		"wrong type (decoded around)":    `{"id":"ext-9","status":"FAILED","error_message":7,"configuration_id":["x"]}`,
		"null item":                      `null`,
		"item without an id":             `{"status":"FAILED","error_message":"x"}`,
		"item of another kind":           `"ext-9"`,
	} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				if n%2 == 1 { // odd jobs: every optional part; then the broken one
					fmt.Fprintf(w, `{"items":[%s,%s,%s,%s]}`, jobFor(1), jobFor(3), jobFor(5), broken)
					return
				}
				fmt.Fprintf(w, `{"items":[%s,%s,%s,%s,%s]}`, jobFor(0), jobFor(2), jobFor(4), jobFor(6), jobFor(8))
			})
			for range 3 {
				if _, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 5}); !errors.Is(err, wrapper.ErrInvalidResponse) {
					t.Fatalf("broken page: %v", err)
				}
				page, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 5})
				if err != nil || len(page.Items) != 5 {
					t.Fatalf("%+v %v", page, err)
				}
				for i, j := range page.Items {
					if err := checkJob(j, 2*i); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// Odd page bodies: what is a page and what is refused, whatever staging
// the client holds.
func TestOddJobPageBodies(t *testing.T) {
	ctx := context.Background()
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	for _, c := range []struct {
		body string
		n    int // jobs on the page; -1 refused
	}{
		{`{"items":[]}`, 0},
		{`{"items":null}`, -1},
		{`{}`, -1},
		{`null`, -1},
		{`[]`, -1},
		{`{"items":{}}`, -1},
		{`{"items":"x"}`, -1},
		{`{"items":[{}]}`, -1},
		{`{"items":[[]]}`, -1},
		{`{"items":[5]}`, -1},
		{`{"items":[true]}`, -1},
		{`{"items":[` + jobFor(0) + `,null]}`, -1},
		{`{"items":[` + jobFor(0) + `],"extra":` + deep + `}`, -1},
		{`{"items":[` + jobFor(0) + `]} {"items":[]}`, -1},
		{`{"items":[` + jobFor(0) + `,` + jobFor(1) + `],"next_page_token":7}`, -1},
		{`{"zz":{"a":[1,{"b":[null,{"c":{}}]}]},"items":[` + strings.TrimSuffix(jobFor(0), "}") + `,"x":{"y":[[[{"z":null}]]]}}],"next_page_token":null}`, 1},
		{`{"ITEMS":[` + jobFor(0) + `]}`, 1}, // encoding/json matches names without case
		{`{"items":[],"items":[` + jobFor(0) + `,` + jobFor(1) + `]}`, 2},
		{`{"items":[` + jobFor(0) + `],"items":[]}`, 0},
		{`{"items":[` + jobFor(0) + `],"items":null}`, -1},
	} {
		for _, size := range []int{0, 1, 1000} {
			cl := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, c.body)
			})
			page, err := cl.ListJobs(ctx, wrapper.JobFilter{PageSize: size})
			body := c.body
			if len(body) > 200 {
				body = body[:200] + "..."
			}
			switch {
			case c.n < 0 && err == nil:
				t.Errorf("page size %d, %s: taken for a page of %d", size, body, len(page.Items))
			case c.n < 0 && !errors.Is(err, wrapper.ErrInvalidResponse):
				t.Errorf("page size %d, %s: %v, want an invalid response", size, body, err)
			case c.n >= 0 && err != nil:
				t.Errorf("page size %d, %s: %v", size, body, err)
			case c.n >= 0:
				if len(page.Items) != c.n {
					t.Errorf("page size %d, %s: %d jobs, want %d", size, body, len(page.Items), c.n)
				}
				for i, j := range page.Items {
					if err := checkJob(j, i); err != nil {
						t.Errorf("page size %d, %s: %v", size, body, err)
					}
				}
			}
		}
	}
}

// A page whose items member comes twice: encoding/json decodes the second
// array into the elements the first left (as it did before the staging,
// into the wire values), so a member the second job lacks keeps the first
// job's value. What matters here is that no job of the first array is
// reachable beyond the page's length, and the listing after it is clean.
func TestRepeatedItemsMember(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			fmt.Fprintf(w, `{"items":[%s,%s,%s],"items":[%s]}`, jobFor(1), jobFor(3), jobFor(5), `{"id":"ext-0","status":"FAILED","file_input":"dfl-0"}`)
			return
		}
		fmt.Fprintf(w, `{"items":[%s,%s]}`, jobFor(0), jobFor(2))
	})
	page, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 3})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "ext-0" || page.Items[0].FileInput != "dfl-0" {
		t.Fatalf("%+v %v", page, err)
	}
	page, err = c.ListJobs(ctx, wrapper.JobFilter{PageSize: 3})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("%+v %v", page, err)
	}
	for i, j := range page.Items {
		if err := checkJob(j, 2*i); err != nil {
			t.Fatal(err)
		}
	}
}

// A Jobs loop left early (break mid-page) and a new loop on the same
// client: the new loop starts again from the first job, and the jobs kept
// from the first loop stay as they were. A caller that changes a kept job
// (every exported field, and what Configuration points to) changes
// nothing of any job listed later.
func TestJobsBreakResumeAndMutateKept(t *testing.T) {
	ctx := context.Background()
	c := hostile(t, sizedPages(25, 0))
	var kept []*wrapper.Job
	for j, err := range c.Jobs(ctx, wrapper.JobFilter{PageSize: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, j)
		if len(kept) == 13 {
			break
		}
	}
	for n, j := range kept {
		if err := checkJob(j, n); err != nil {
			t.Fatal(err)
		}
	}
	// The caller makes the kept jobs its own.
	scribble := func() {
		for _, j := range kept {
			j.ID, j.ErrorMessage, j.FileInput, j.ConfigurationID, j.Status = "mine", "mine", "mine", "mine", "MINE"
			if j.Configuration != nil {
				j.Configuration.Tier = "mine"
				j.Configuration.SheetNames[0] = "mine"
				j.Configuration.MaxPages = -1
			}
		}
	}
	scribble()
	for range 2 {
		if err := listAll(ctx, c, wrapper.JobFilter{PageSize: 10}, 25); err != nil {
			t.Fatal(err)
		}
		page, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 10, PageToken: "10"})
		if err != nil || len(page.Items) != 10 {
			t.Fatalf("%+v %v", page, err)
		}
		for i, j := range page.Items {
			if err := checkJob(j, 10+i); err != nil {
				t.Fatal(err)
			}
		}
		kept = append(kept, page.Items...)
		scribble()
	}
}

// A page whose first answer breaks off midway is asked for again, and
// the jobs come out whole: through the emulator (FaultTruncate sends half
// the body and closes) and a server that claims more than it sends.
func TestJobPageRetriedAfterBrokenBody(t *testing.T) {
	ctx := context.Background()
	t.Run("emulator", func(t *testing.T) {
		c, srv := newClient(t)
		file := srv.AddFile("a.txt", []byte("invoice"))
		var ids []string
		for range 7 {
			j, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct {
				A string `json:"a"`
			}](), Tier: wrapper.TierAgentic}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		srv.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultTruncate, Times: 2})
		seen := map[string]bool{}
		for j, err := range c.Jobs(ctx, wrapper.JobFilter{PageSize: 3}, wrapper.WithExpand(wrapper.ExpandConfiguration)) {
			if err != nil {
				t.Fatal(err)
			}
			if j.FileInput != file || j.Configuration == nil || j.Configuration.Tier != wrapper.TierAgentic || seen[j.ID] {
				t.Fatalf("%+v", j)
			}
			seen[j.ID] = true
		}
		if len(seen) != len(ids) {
			t.Fatalf("%d jobs of %d", len(seen), len(ids))
		}
		if st := srv.Stats(); st.FaultsInjected != 2 {
			t.Fatalf("%d faults", st.FaultsInjected)
		}
	})
	t.Run("short body", func(t *testing.T) {
		var mu sync.Mutex
		tries := map[string]int{}
		full := sizedPages(9, 0)
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			tries[r.URL.RawQuery]++
			first := tries[r.URL.RawQuery] == 1
			mu.Unlock()
			if first { // another page's jobs, broken off
				other := fmt.Sprintf(`{"items":[%s,%s,%s]}`, jobFor(1), jobFor(3), jobFor(5))
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(other)))
				w.Write([]byte(other[:len(other)-20]))
				return
			}
			full(w, r)
		})
		if err := listAll(ctx, c, wrapper.JobFilter{PageSize: 4}, 9); err != nil {
			t.Fatal(err)
		}
	})
}

// A job kept from a listing keeps its own members, those the package does
// not model included, and nothing of the page's other jobs: 50 jobs listed
// with 64 KiB of unknown members each (a 3.2 MB body), one kept, and the
// heap holds that job's members, not the body.
func TestKeptJobsDoNotHoldThePage(t *testing.T) {
	ctx := context.Background()
	pad := `"padding":"` + strings.Repeat("p", 64<<10) + `"`
	var items []string
	for n := range 50 {
		items = append(items, strings.TrimSuffix(jobFor(n), "}")+","+pad+"}")
	}
	body := `{"items":[` + strings.Join(items, ",") + `]}`
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	page, err := c.ListJobs(ctx, wrapper.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for n, j := range page.Items {
		if err := checkJob(j, n); err != nil {
			t.Fatal(err)
		}
	}
	kept := page.Items[7]
	page = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > int64(len(body))/4 {
		t.Errorf("the heap grew by %d bytes after a page of %d bytes, one job kept", grew, len(body))
	}
	b, err := json.Marshal(kept)
	if err != nil || !strings.Contains(string(b), pad) {
		t.Fatalf("the kept job lost its unknown member: %v", err)
	}
}
