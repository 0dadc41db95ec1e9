package bench

import (
	"context"
	"strconv"
	"testing"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/wrapper"
)

// Row 4: iterate N jobs in pages of 100. ns/item is the time per job;
// peak-MB must not grow with N (one page in memory at a time).
func BenchmarkIterateJobs(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			f, plain, gen, w := clients(b)
			ctx := context.Background()
			limit := "limit:" + strconv.Itoa(n)
			count := func(got int) {
				if got != n {
					b.Fatalf("iterated %d, want %d", got, n)
				}
			}
			// pages lists every job the plain way: get decodes one page URL
			// and says how many items it held and the next token. Each
			// floor differs only in how it decodes a page.
			pages := func(get func(url string) (items int, next *string)) int {
				seen, tok := 0, ""
				for {
					url := f.srv.URL + "/api/v2/extract?page_size=100&file_input=" + limit
					if tok != "" {
						url += "&page_token=" + tok
					}
					items, next := get(url)
					seen += items
					if next == nil || *next == "" || items == 0 {
						return seen
					}
					tok = *next
				}
			}
			floor := func() int {
				return pages(func(url string) (int, *string) {
					var p floorPage
					floorGet(b, plain, url, &p)
					return len(p.Items), p.NextPageToken
				})
			}
			floorPtrs := func() int {
				return pages(func(url string) (int, *string) {
					var p floorPtrPage
					floorGet(b, plain, url, &p)
					return len(p.Items), p.NextPageToken
				})
			}
			// floor-sized is the floor with the page made as long as asked
			// for: encoding/json decodes into a slice's capacity in place,
			// so no job is copied while the page grows (the wrapper's
			// staging does the same). floor-reuse also reads every page
			// into the one body buffer of the listing (see reuseGet).
			floorSized := func() int {
				return pages(func(url string) (int, *string) {
					p := floorPage{Items: make([]floorJob, 0, 100)}
					floorGet(b, plain, url, &p)
					return len(p.Items), p.NextPageToken
				})
			}
			floorReuse := func() int {
				var buf []byte
				return pages(func(url string) (int, *string) {
					p := floorPage{Items: make([]floorJob, 0, 100)}
					reuseGet(b, plain, url, &buf, &p)
					return len(p.Items), p.NextPageToken
				})
			}
			naive := func() int {
				return pages(func(url string) (int, *string) {
					var p naivePage
					naiveGet(b, plain, url, &p)
					return len(p.Items), p.NextPageToken
				})
			}
			generatedLoop := func() int {
				seen := 0
				size := 100
				params := &generated.ListExtractJobsParams{PageSize: &size, FileInput: &limit}
				for {
					r, err := gen.ListExtractJobsWithResponse(ctx, params)
					if err != nil || r.JSON200 == nil {
						b.Fatal(err)
					}
					seen += len(r.JSON200.Items)
					next := r.JSON200.NextPageToken
					if next == nil || *next == "" || len(r.JSON200.Items) == 0 {
						return seen
					}
					params.PageToken = next
				}
			}
			wrapperLoop := func() int {
				seen := 0
				for job, err := range w.Jobs(ctx, wrapper.JobFilter{PageSize: 100, FileInput: limit}) {
					if err != nil {
						b.Fatal(err)
					}
					_ = job.ID
					seen++
				}
				return seen
			}
			var rot rotation
			for _, c := range []struct {
				name string
				fn   func() int
			}{{"floor", floor}, {"floor-ptrpage", floorPtrs}, {"floor-sized", floorSized}, {"floor-reuse", floorReuse}, {"floor-naive", naive}, {"generated", generatedLoop}, {"wrapper", wrapperLoop}} {
				rot.add(c.name, func(b *testing.B) {
					loop(b, func() {
						count(c.fn())
					})
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
					peakHeap(b, func() { c.fn() })
				})
			}
			rot.run(b)
		})
	}
}
