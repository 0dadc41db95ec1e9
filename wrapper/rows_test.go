package wrapper_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// collectRows runs Rows to the end and returns the rows and the first error.
func collectRows[T any](seq func(func(wrapper.Row[T], error) bool)) ([]wrapper.Row[T], error) {
	var rows []wrapper.Row[T]
	for row, err := range seq {
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func values[T any](rows []wrapper.Row[T]) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = r.Value
	}
	return out
}

// Rows gives exactly what the full decode gives, row by row, for
// per_table_row and per_page, and the metadata by row index is the full
// decode's metadata.
func TestRowsEqualFullDecode(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	type PageSummary struct {
		Vendor string `json:"vendor"`
		Terms  string `json:"terms,omitempty"`
	}
	st := srv.AddFile("st.txt", []byte(statementDoc))
	inv := srv.AddFile("inv.txt", []byte(invoiceDoc))
	txnJob, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: st, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow, CiteSources: true, ConfidenceScores: true}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	pageJob, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: inv, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[PageSummary](), Target: wrapper.PerPage, CiteSources: true}}, fast)
	if err != nil {
		t.Fatal(err)
	}

	want, full, err := wrapper.GetResult[[]Txn](ctx, c, txnJob.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, txnJob.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if err != nil || !reflect.DeepEqual(values(rows), want) || len(want) != 3 {
		t.Fatalf("per_table_row: %v\n got %+v\nwant %+v", err, values(rows), want)
	}
	md := full.Metadata()
	for i, r := range rows {
		if r.Index != i || !r.HasMetadata() {
			t.Fatalf("row %d: index %d, metadata %v", i, r.Index, r.HasMetadata())
		}
		for _, field := range []string{"date", "description", "amount"} {
			got, ok1 := r.Field(field)
			exp, ok2 := md.RowField(i, field)
			if !ok1 || !ok2 || !reflect.DeepEqual(got, exp) || len(got.Citations) == 0 {
				t.Fatalf("row %d %s: %+v, want %+v", i, field, got, exp)
			}
		}
		n := 0
		for range r.Fields() {
			n++
		}
		if n != 3 {
			t.Fatalf("row %d: %d fields with metadata", i, n)
		}
	}
	if f, _ := rows[1].Field("amount"); f.Citations[0].MatchingText != "42.00" {
		t.Fatalf("row 1 amount cites %q", f.Citations[0].MatchingText)
	}

	// Without the option, no second request and no metadata.
	before := srv.Stats().Requests["GetExtractJob"]
	plain, err := collectRows(wrapper.Rows[Txn](ctx, c, txnJob.ID))
	if err != nil || !reflect.DeepEqual(values(plain), want) || plain[0].HasMetadata() {
		t.Fatalf("without metadata: %v %+v", err, plain)
	}
	if n := srv.Stats().Requests["GetExtractJob"] - before; n != 1 {
		t.Fatalf("%d requests without metadata, want 1", n)
	}

	wantPages, fullPages, err := wrapper.GetResult[[]PageSummary](ctx, c, pageJob.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := collectRows(wrapper.Rows[PageSummary](ctx, c, pageJob.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if err != nil || !reflect.DeepEqual(values(pages), wantPages) || len(wantPages) != 2 {
		t.Fatalf("per_page: %v %+v", err, pages)
	}
	got, ok := pages[1].Field("terms")
	exp, _ := fullPages.Metadata().PageField(1, "terms")
	if !ok || got.Citations[0].Page != 2 || !reflect.DeepEqual(got, exp) {
		t.Fatalf("page 1 terms: %+v, want %+v", got, exp)
	}
}

// rowsServer serves one job body; the body given for expand=extract_metadata
// may differ, as the API's does.
func rowsServer(t *testing.T, body, expanded string, opts ...wrapper.Option) *wrapper.Client {
	return hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Query().Get("expand"), "extract_metadata") {
			io.WriteString(w, expanded)
			return
		}
		io.WriteString(w, body)
	}, opts...)
}

const (
	twoRows    = `"extract_result":[{"date":"2026-01-02","description":"Coffee","amount":3.5},{"date":"2026-01-03","description":"Books","amount":42}]`
	twoRowMeta = `"extract_metadata":{"parse_job_id":"pjb-1","field_metadata":{"document_metadata":{"x":{"citation":[{"page":9}]}},"row_metadata":[{"amount":{"citation":[{"page":1,"matching_text":"3.50"}],"confidence":0.9}},{"amount":{"citation":[{"page":2,"matching_text":"42.00"}]}}]}}`
)

// The API may write extract_metadata before or after extract_result; both
// orders give each row its own entry.
func TestRowsMetadataOrder(t *testing.T) {
	ctx := context.Background()
	for name, expanded := range map[string]string{
		"metadata first": okJob + `,` + twoRowMeta + `,` + twoRows + `}`,
		"metadata last":  okJob + `,` + twoRows + `,` + twoRowMeta + `}`,
		"null lists":     okJob + `,"extract_metadata":{"field_metadata":{"page_metadata":null,"row_metadata":[{"amount":{"citation":[{"page":1,"matching_text":"3.50"}],"confidence":0.9}},{"amount":{"citation":[{"page":2,"matching_text":"42.00"}]}}]}},` + twoRows + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := rowsServer(t, okJob+`,`+twoRows+`}`, expanded)
			rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
			if err != nil || len(rows) != 2 || rows[1].Value.Description != "Books" {
				t.Fatalf("%v %+v", err, rows)
			}
			a0, ok0 := rows[0].Field("amount")
			a1, ok1 := rows[1].Field("amount")
			if !ok0 || !ok1 || a0.Citations[0].MatchingText != "3.50" || *a0.Confidence != 0.9 || a1.Citations[0].Page != 2 {
				t.Fatalf("metadata %+v %+v", a0, a1)
			}
		})
	}
	// Fewer entries than rows, or none at all: the rows still come, without
	// metadata where there is none.
	c := rowsServer(t, okJob+`,`+twoRows+`}`, okJob+`,"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":1}}]}},`+twoRows+`}`)
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if err != nil || len(rows) != 2 || !rows[0].HasMetadata() || rows[1].HasMetadata() {
		t.Fatalf("short metadata: %v %+v", err, rows)
	}
	c = rowsServer(t, okJob+`,`+twoRows+`}`, okJob+`,`+twoRows+`}`)
	rows, err = collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if err != nil || len(rows) != 2 || rows[0].HasMetadata() {
		t.Fatalf("no metadata: %v %+v", err, rows)
	}
}

func TestRowsShapesAndStates(t *testing.T) {
	ctx := context.Background()
	var se *wrapper.ShapeError
	c := rowsServer(t, okJob+`,"extract_result":{"vendor":"Acme"}}`, "")
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.As(err, &se) || se.Got != "object" || se.Want != "array" {
		t.Fatalf("per_doc: %v", err)
	}
	c = rowsServer(t, okJob+`,"extract_result":"nope"}`, "")
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.As(err, &se) || se.Got != "invalid" {
		t.Fatalf("string result: %v", err)
	}
	c = rowsServer(t, `{"id":"ext-1","status":"RUNNING","extract_result":null}`, "")
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.As(err, &se) || se.Got != "none" || !strings.Contains(err.Error(), "COMPLETED") {
		t.Fatalf("running: %v", err)
	}
	c = rowsServer(t, `{"id":"ext-1","extract_result":null,"status":"FAILED","error_message":"bad scan"}`, "")
	var je *wrapper.JobError
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.As(err, &je) || !errors.Is(err, wrapper.ErrJobFailed) || je.Job.ErrorMessage != "bad scan" {
		t.Fatalf("failed: %v", err)
	}
	c = rowsServer(t, okJob+`,"extract_result":[]}`, "")
	if rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); err != nil || len(rows) != 0 {
		t.Fatalf("empty: %v %v", err, rows)
	}
	c = rowsServer(t, okJob+`,"extract_result":[{"amount":1},{"amount":"lots"}]}`, "")
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
	if err == nil || len(rows) != 1 || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), "Txn") {
		t.Fatalf("bad row: %v %v", err, rows)
	}
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, " ")); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("empty id: %v", err)
	}
	c = hostile(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"detail":"Job not found"}`, http.StatusNotFound)
	})
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.Is(err, wrapper.ErrNotFound) {
		t.Fatalf("404: %v", err)
	}
}

// Every cut of a valid body, with or without a declared length, is an
// error: never a silently short list.
func TestRowsTruncatedBody(t *testing.T) {
	ctx := context.Background()
	body := okJob + `,` + twoRows + `,"metadata":{"usage":{"num_pages_billed":1}}}`
	var cut atomic.Int64
	var declare atomic.Bool
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if declare.Load() {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		io.WriteString(w, body[:cut.Load()])
	}, wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	for _, withLength := range []bool{false, true} {
		declare.Store(withLength)
		for n := 0; n < len(body); n++ {
			cut.Store(int64(n))
			rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
			if err == nil {
				t.Fatalf("cut at %d/%d (length declared %v): no error, %d rows", n, len(body), withLength, len(rows))
			}
		}
	}
	cut.Store(int64(len(body)))
	if rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); err != nil || len(rows) != 2 {
		t.Fatalf("whole body: %v %d", err, len(rows))
	}
}

// Breaking out of the loop closes the body: the server sees its client go.
func TestRowsBreakClosesBody(t *testing.T) {
	gone := make(chan struct{})
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		defer close(gone)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okJob+`,"extract_result":[`)
		for i := 0; ; i++ {
			if i > 0 {
				io.WriteString(w, ",")
			}
			if _, err := fmt.Fprintf(w, `{"description":"row %d","amount":%d}`, i, i); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			default:
			}
		}
	})
	n := 0
	for row, err := range wrapper.Rows[Txn](context.Background(), c, "ext-1") {
		if err != nil {
			t.Fatal(err)
		}
		if row.Index != n {
			t.Fatalf("index %d at %d", row.Index, n)
		}
		if n++; n == 3 {
			break
		}
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the server still streams 10 s after the loop ended: the body was not closed")
	}
}

// A hostile body stays bounded: a huge declared length is refused before
// anything is read; an endless stream, or one endless row, stops at the cap.
func TestRowsHostileBodies(t *testing.T) {
	ctx := context.Background()
	const cap = 64 << 10
	capped := wrapper.WithMaxResponseBytes(cap)
	t.Run("huge declared length", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.FormatInt(1<<40, 10))
			io.WriteString(w, okJob)
		}, capped)
		_, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "larger than the 65536 byte limit") {
			t.Fatalf("%v", err)
		}
	})
	endless := func(row func(i int) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, okJob+`,"extract_result":[`)
			for i := 0; ; i++ {
				if _, err := io.WriteString(w, row(i)); err != nil || r.Context().Err() != nil {
					return
				}
			}
		}
	}
	t.Run("endless rows", func(t *testing.T) {
		c := hostile(t, endless(func(i int) string { return fmt.Sprintf(`{"description":"row %08d"},`, i) }), capped)
		rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "byte limit") {
			t.Fatalf("%v", err)
		}
		if len(rows) == 0 || len(rows)*len(`{"description":"row 00000000"},`) > cap {
			t.Fatalf("%d rows read under a %d byte cap", len(rows), cap)
		}
	})
	t.Run("one endless row", func(t *testing.T) {
		c := hostile(t, endless(func(i int) string {
			if i == 0 {
				return `{"description":"`
			}
			return strings.Repeat("x", 1024)
		}), capped)
		rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "byte limit") || len(rows) != 0 {
			t.Fatalf("%v %d", err, len(rows))
		}
	})
}

// Rows goes through the client's transport: the key is sent, and a failed
// request is retried before the body starts.
func TestRowsRetriesAndAuth(t *testing.T) {
	var calls atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretKey {
			http.Error(w, `{"detail":"no key"}`, http.StatusUnauthorized)
			return
		}
		if calls.Add(1) == 1 {
			http.Error(w, `{"detail":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okJob+`,`+twoRows+`}`)
	})
	rows, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
	if err != nil || len(rows) != 2 || calls.Load() != 2 {
		t.Fatalf("%v, %d rows after %d calls", err, len(rows), calls.Load())
	}
}

func TestRowsContextCancel(t *testing.T) {
	c, srv := newClient(t, extracttest.WithJobDuration(0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	file := srv.AddFile("st.txt", []byte(statementDoc))
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last error
	for _, err := range wrapper.Rows[Txn](ctx, c, job.ID) {
		if err != nil {
			last = err
			break
		}
		n++
		cancel()
	}
	// The body may already be buffered whole; cancelling must then either
	// finish cleanly or say context.Canceled, never anything else.
	if last != nil && !errors.Is(last, context.Canceled) {
		t.Fatalf("after cancel: %v", last)
	}
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, job.ID)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: %v", err)
	}
}

// WithoutResult waits without keeping the result; the job's other fields
// are all there, and Rows reads the result afterwards.
func TestWaitWithoutResult(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	file := srv.AddFile("st.txt", []byte(statementDoc))
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow, CiteSources: true}},
		fast, wrapper.WithoutResult(), wrapper.WithExpand(wrapper.ExpandExtractMetadata, wrapper.ExpandConfiguration))
	if err != nil {
		t.Fatal(err)
	}
	full, err := c.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandConfiguration))
	if err != nil {
		t.Fatal(err)
	}
	var se *wrapper.ShapeError
	if _, err := wrapper.Decode[[]Txn](job); !errors.As(err, &se) || se.Got != "none" {
		t.Fatalf("the result was kept: %v", err)
	}
	if job.Status != wrapper.StatusCompleted || job.Metadata().Rows() != 0 || job.FileInput != file ||
		!job.CreatedAt.Equal(full.CreatedAt) || job.Configuration == nil || job.Configuration.Target != wrapper.PerTableRow {
		t.Fatalf("job without result: %+v", job)
	}
	if rows, err := wrapper.Decode[[]Txn](full); err != nil || len(rows) != 3 {
		t.Fatalf("the job does have a result: %v", err)
	}
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, job.ID))
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows after: %v %d", err, len(rows))
	}
	// A FAILED job still ends the wait with a *JobError.
	bad := srv.AddFile("bad.txt", nil)
	srv.ScriptFile(bad, extracttest.Outcome{Steps: []extracttest.Step{{Status: "FAILED"}}, Error: "unreadable"})
	_, err = c.Run(ctx, wrapper.CreateJobRequest{FileInput: bad, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Txn]()}}, fast, wrapper.WithoutResult())
	var je *wrapper.JobError
	if !errors.As(err, &je) || je.Job.ErrorMessage != "unreadable" {
		t.Fatalf("failed job: %v", err)
	}
}

// The promise "memory follows the largest row, not the result": streaming a
// 100,000-row result (about 10 MB of JSON, 20 MB once decoded into []Txn)
// keeps the live heap, as the garbage collector measures it, under 8 MB.
func TestRowsMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 10 MB")
	}
	const n = 100_000
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 64<<10)
		bw.WriteString(okJob + `,"extract_result":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `{"date":"2026-01-%02d","description":"Card payment %06d at a shop","amount":%d.5}`, 1+i%28, i, i%5000)
		}
		bw.WriteString(`]}`)
		bw.Flush()
	})
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	runtime.GC()
	metrics.Read(live)
	base, peak := live[0].Value.Uint64(), uint64(0)
	rows := 0
	for row, err := range wrapper.Rows[Txn](context.Background(), c, "ext-1") {
		if err != nil {
			t.Fatal(err)
		}
		if row.Index%10_000 == 0 {
			metrics.Read(live)
			peak = max(peak, live[0].Value.Uint64())
		}
		rows++
	}
	if rows != n {
		t.Fatalf("%d rows", rows)
	}
	if grew := int64(peak) - int64(base); grew > 8<<20 {
		t.Fatalf("live heap grew %d MB while streaming a 10 MB result", grew>>20)
	}
}

// A page whose items hold a null is an invalid response, not a panic.
func TestListNullItem(t *testing.T) {
	c := rowsServer(t, `{"items":[`+okJob+`},null]}`, "")
	_, err := c.ListJobs(context.Background(), wrapper.JobFilter{})
	if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "null job") {
		t.Fatalf("%v", err)
	}
}

// A server echoing the API key inside a row never hands it to the caller.
func TestRowsScrubTheKey(t *testing.T) {
	c := rowsServer(t, okJob+`,"extract_result":[{"description":"key `+secretKey+` echoed"}]}`, "")
	rows, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
	if err != nil || len(rows) != 1 || strings.Contains(rows[0].Value.Description, secretKey) || !strings.Contains(rows[0].Value.Description, "echoed") {
		t.Fatalf("%v %+v", err, rows)
	}
}
