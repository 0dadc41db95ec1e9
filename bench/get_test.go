package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/wrapper"
)

func send(b testing.TB, c *http.Client, url string) *http.Response {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer bench-key")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	return resp
}

// reuseGet is floor-reuse's GET: the body read into *buf, grown when it
// is too short and kept for the next call, as a careful poll or paging
// loop may do; safe because encoding/json copies every string and raw
// value it keeps.
func reuseGet(b testing.TB, c *http.Client, url string, buf *[]byte, v any) {
	resp := send(b, c, url)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength < 0 {
		b.Fatalf("status %d, length %d", resp.StatusCode, resp.ContentLength)
	}
	if int64(cap(*buf)) < resp.ContentLength {
		*buf = make([]byte, resp.ContentLength)
	}
	*buf = (*buf)[:resp.ContentLength]
	if _, err := io.ReadFull(resp.Body, *buf); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(*buf, v); err != nil {
		b.Fatal(err)
	}
}

// floorGet is the fair floor's GET (see fairDecode).
func floorGet(b testing.TB, c *http.Client, url string, v any) {
	if err := fairDecode(send(b, c, url), v); err != nil {
		b.Fatal(err)
	}
}

// naiveGet is the naive floor's GET (see naiveDecode).
func naiveGet(b testing.TB, c *http.Client, url string, v any) {
	if err := naiveDecode(send(b, c, url), v); err != nil {
		b.Fatal(err)
	}
}

func clients(b testing.TB) (*fixtures, *http.Client, *generated.ClientWithResponses, *wrapper.Client) {
	f := server(b)
	plain := &http.Client{Transport: newTransport()}
	gen, err := generated.NewClientWithResponses(f.srv.URL, generated.WithHTTPClient(&http.Client{Transport: newTransport()}),
		generated.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer bench-key")
			return nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	w, err := wrapper.New(wrapper.WithBaseURL(f.srv.URL), wrapper.WithAPIKey("bench-key"), wrapper.WithHTTPClient(&http.Client{Transport: newTransport()}))
	if err != nil {
		b.Fatal(err)
	}
	return f, plain, gen, w
}

// Row 1: get one small (~2 KB) job.
func BenchmarkGetSmallJob(b *testing.B) {
	f, plain, gen, w := clients(b)
	f.warm(b, plain, "ext-small")
	ctx := context.Background()
	var rot rotation
	rot.add("floor", func(b *testing.B) {
		loop(b, func() {
			var j floorJob
			floorGet(b, plain, f.srv.URL+"/api/v2/extract/ext-small", &j)
			if j.Status != "COMPLETED" {
				b.Fatal(j.Status)
			}
		})
	})
	// floor-reuse reads every answer into one buffer, as a careful poll
	// loop may (encoding/json copies what it keeps); the wrapper lends its
	// pooled buffer to the next answer the same way.
	rot.add("floor-reuse", func(b *testing.B) {
		var buf []byte
		loop(b, func() {
			var j floorJob
			reuseGet(b, plain, f.srv.URL+"/api/v2/extract/ext-small", &buf, &j)
			if j.Status != "COMPLETED" {
				b.Fatal(j.Status)
			}
		})
	})
	rot.add("floor-naive", func(b *testing.B) {
		loop(b, func() {
			var j naiveJob
			naiveGet(b, plain, f.srv.URL+"/api/v2/extract/ext-small", &j)
			if j.Status != "COMPLETED" {
				b.Fatal(j.Status)
			}
		})
	})
	rot.add("generated", func(b *testing.B) {
		loop(b, func() {
			r, err := gen.GetExtractJobWithResponse(ctx, "ext-small", nil)
			if err != nil || r.JSON200 == nil || r.JSON200.Status != "COMPLETED" {
				b.Fatal(err)
			}
		})
	})
	rot.add("wrapper", func(b *testing.B) {
		loop(b, func() {
			j, err := w.GetJob(ctx, "ext-small")
			if err != nil || j.Status != wrapper.StatusCompleted {
				b.Fatal(err)
			}
		})
	})
	rot.run(b)
}

// benchRows reads job id, a per_table_row result of n rows, into []Row with
// every client. twoStep adds the wrapper's keep-the-job-decode-later path.
func benchRows(b *testing.B, id string, n int, twoStep bool) {
	f, plain, gen, w := clients(b)
	f.warm(b, plain, id)
	ctx := context.Background()
	url := f.srv.URL + "/api/v2/extract/" + id
	check := func(rows []Row) {
		if len(rows) != n || rows[n-1].Description == "" {
			b.Fatalf("%d rows", len(rows))
		}
	}
	var rot rotation
	rot.add("floor", func(b *testing.B) {
		loop(b, func() {
			var j floorRowsJob
			floorGet(b, plain, url, &j)
			check(j.ExtractResult)
		})
		peakHeap(b, func() { var j floorRowsJob; floorGet(b, plain, url, &j) })
	})
	rot.add("floor-naive", func(b *testing.B) {
		loop(b, func() {
			var j floorRowsJob
			naiveGet(b, plain, url, &j)
			check(j.ExtractResult)
		})
		peakHeap(b, func() { var j floorRowsJob; naiveGet(b, plain, url, &j) })
	})
	genGet := func() []Row {
		r, err := gen.GetExtractJobWithResponse(ctx, id, nil)
		if err != nil || r.JSON200 == nil {
			b.Fatal(err)
		}
		raw, _ := r.JSON200.ExtractResult.MarshalJSON()
		var rows []Row
		if err := json.Unmarshal(raw, &rows); err != nil {
			b.Fatal(err)
		}
		return rows
	}
	rot.add("generated", func(b *testing.B) {
		loop(b, func() {
			check(genGet())
		})
		peakHeap(b, func() { genGet() })
	})
	typed := func() []Row {
		rows, _, err := wrapper.GetResult[[]Row](ctx, w, id)
		if err != nil {
			b.Fatal(err)
		}
		return rows
	}
	rot.add("wrapper", func(b *testing.B) {
		loop(b, func() {
			check(typed())
		})
		peakHeap(b, func() { typed() })
	})
	if !twoStep {
		rot.run(b)
		return
	}
	// The convenience path: keep the job, Decode its result later.
	getThenDecode := func() []Row {
		j, err := w.GetJob(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := wrapper.Decode[[]Row](j)
		if err != nil {
			b.Fatal(err)
		}
		return rows
	}
	rot.add("wrapper-GetJob+DecodeRows", func(b *testing.B) {
		loop(b, func() {
			check(getThenDecode())
		})
		peakHeap(b, func() { getThenDecode() })
	})
	rot.run(b)
}

// Row 2: a COMPLETED per_table_row job with 10,000 rows (~1 MB) into []Row.
func BenchmarkGetRows10k(b *testing.B) { benchRows(b, "ext-10k", 10_000, true) }

// Row 2b: the same body without Content-Length (chunked transfer).
func BenchmarkGetRows10kChunked(b *testing.B) { benchRows(b, "ext-10k-chunked", 10_000, false) }

// Row 2c: the same body gzip-compressed; Go's transport decompresses it and
// reports no length, as it would for a large body the real API compresses.
func BenchmarkGetRows10kGzip(b *testing.B) { benchRows(b, "ext-10k-gzip", 10_000, false) }

// Row 3: the same with 100,000 rows (~10 MB), with peak heap.
func BenchmarkGetRows100k(b *testing.B) { benchRows(b, "ext-100k", 100_000, true) }
