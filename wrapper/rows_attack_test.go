package wrapper_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
	"go.uber.org/goleak"
)

// Odd key orders and repeated keys: the rows come out whatever the order
// of the members around extract_result.
func TestRowsAttackKeyOrder(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"result before id": `{"extract_result":[{"amount":1},{"amount":2}],"id":"ext-1","status":"COMPLETED"}`,
		"status last":      `{"id":"ext-1","extract_result":[{"amount":1},{"amount":2}],"other":{"a":[1,[2,{"b":3}]]},"status":"COMPLETED"}`,
		"null then array":  `{"id":"ext-1","status":"COMPLETED","extract_result":null,"extract_result":[{"amount":1},{"amount":2}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := rowsServer(t, body, "")
			rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
			if err != nil || len(rows) != 2 || rows[1].Value.Amount != 2 {
				t.Fatalf("%v %+v", err, rows)
			}
		})
	}
}

// Results that are not arrays of rows are errors, never rows or a panic.
func TestRowsAttackNonArrays(t *testing.T) {
	ctx := context.Background()
	for name, res := range map[string]string{
		"number": `42`, "string": `"x"`, "true": `true`,
		"array of numbers": `[1,2]`, "nested arrays": `[[{"amount":1}]]`,
	} {
		t.Run(name, func(t *testing.T) {
			c := rowsServer(t, okJob+`,"extract_result":`+res+`}`, "")
			rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
			if err == nil {
				t.Fatalf("no error, rows %+v", rows)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Fatal(err)
			}
		})
	}
	// null on a COMPLETED job is no result: a *ShapeError.
	c := rowsServer(t, okJob+`,"extract_result":null}`, "")
	var se *wrapper.ShapeError
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.As(err, &se) {
		t.Fatalf("null: %v", err)
	}
}

// A body cut at any byte is an error, never a short list.
func TestRowsAttackEveryCut(t *testing.T) {
	body := okJob + `,"extract_result":[{"date":"d","description":"x","amount":1.5},{"amount":22}],"extract_metadata":null}`
	for cut := 0; cut < len(body); cut++ {
		c := rowsServer(t, body[:cut], "")
		if _, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1")); err == nil {
			t.Fatalf("cut at %d (%q): no error", cut, body[:cut])
		}
	}
}

// A gzip body is read through, and the cap counts decoded bytes.
func TestRowsAttackGzip(t *testing.T) {
	gz := func(maxBytes int64, n int) *wrapper.Client {
		return hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, okJob+`,"extract_result":[`)
			for i := 0; i < n; i++ {
				if i > 0 {
					io.WriteString(zw, ",")
				}
				io.WriteString(zw, `{"description":"`+strings.Repeat("a", 100)+`"}`)
			}
			io.WriteString(zw, `]}`)
			zw.Close()
		}, wrapper.WithMaxResponseBytes(maxBytes))
	}
	rows, err := collectRows(wrapper.Rows[Txn](context.Background(), gz(1<<20, 100), "ext-1"))
	if err != nil || len(rows) != 100 {
		t.Fatalf("%v %d", err, len(rows))
	}
	// 10,000 rows of 120 bytes is 1.2 MB decoded, a few KB compressed.
	_, err = collectRows(wrapper.Rows[Txn](context.Background(), gz(1<<20, 10_000), "ext-1"))
	if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("gzip over the cap: %v", err)
	}
}

// An endless array ends at the cap with an error; without reaching it the
// caller can stop.
func TestRowsAttackEndless(t *testing.T) {
	endless := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriter(w)
		bw.WriteString(okJob + `,"extract_result":[{"amount":0}`)
		for r.Context().Err() == nil {
			if _, err := bw.WriteString(`,{"amount":1}`); err != nil {
				return
			}
		}
	}
	c := hostile(t, endless, wrapper.WithMaxResponseBytes(1<<20))
	n := 0
	var err error
	for _, err = range wrapper.Rows[Txn](context.Background(), c, "ext-1") {
		if err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, wrapper.ErrInvalidResponse) || n == 0 || n > 1<<20/13+1 {
		t.Fatalf("%d rows, %v", n, err)
	}
	c = hostile(t, endless)
	n = 0
	for _, err := range wrapper.Rows[Txn](context.Background(), c, "ext-1") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 200_000 {
			break
		}
	}
}

// One row larger than the cap is an error, not an out-of-memory.
func TestRowsAttackHugeRow(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriter(w)
		bw.WriteString(okJob + `,"extract_result":[{"description":"`)
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < (200<<20)/len(chunk) && r.Context().Err() == nil; i++ {
			if _, err := bw.WriteString(chunk); err != nil {
				return
			}
		}
		bw.WriteString(`"}]}`)
		bw.Flush()
	}, wrapper.WithMaxResponseBytes(4<<20))
	_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
	if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("%v", err)
	}
}

// Deep nesting in a member Rows skips is an error, not a stack overflow.
func TestRowsAttackDeepNesting(t *testing.T) {
	const depth = 100_000
	for name, where := range map[string]string{"object": `{"a":`, "array": `[`} {
		t.Run(name, func(t *testing.T) {
			end := "}"
			if where == "[" {
				end = "]"
			}
			body := `{"id":"ext-1","status":"COMPLETED","junk":` + strings.Repeat(where, depth) + `1` + strings.Repeat(end, depth) + `,"extract_result":[]}`
			c := rowsServer(t, body, body)
			_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
			if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "max depth") {
				t.Fatalf("%v", err)
			}
			_, err = collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
			if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "max depth") {
				t.Fatalf("metadata: %v", err)
			}
		})
	}
}

// Invalid UTF-8 in a row is replaced, as encoding/json does, not an error.
func TestRowsAttackInvalidUTF8(t *testing.T) {
	c := rowsServer(t, okJob+`,"extract_result":[{"description":"a`+"\xff\xfe"+`b"}]}`, "")
	rows, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
	if err != nil || len(rows) != 1 || rows[0].Value.Description != "a\uFFFD\uFFFDb" {
		t.Fatalf("%v %+v", err, rows)
	}
}

// A body that stalls mid-row is cut off by the per-attempt request timeout,
// not left hanging forever on a caller context without a deadline.
func TestRowsAttackStallMidRow(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okJob+`,"extract_result":[{"amount":1},{"amou`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, wrapper.WithRequestTimeout(50*time.Millisecond))
	done := make(chan error, 1)
	go func() {
		_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "WithRequestTimeout") {
			t.Fatalf("%v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Rows hangs on a stalled body despite WithRequestTimeout")
	}
}

// A job that FAILED but still carries a result reads as GetResult reads it.
func TestRowsAttackFailedWithResult(t *testing.T) {
	for name, body := range map[string]string{
		"status first": `{"id":"ext-1","status":"FAILED","error_message":"boom","extract_result":[{"amount":1}]}`,
		"status last":  `{"id":"ext-1","extract_result":[{"amount":1}],"status":"FAILED","error_message":"boom"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := rowsServer(t, body, "")
			_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
			_, _, gerr := wrapper.GetResult[[]Txn](context.Background(), c, "ext-1")
			// Rows and GetResult agree: the service's result is given.
			if (gerr == nil) != (err == nil) {
				t.Fatalf("Rows: %v, GetResult: %v", err, gerr)
			}
		})
	}
}

// Metadata that breaks midway ends the rows with an error; more entries
// than rows are ignored.
func TestRowsAttackMetadata(t *testing.T) {
	ctx := context.Background()
	meta := `"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":1}},{"amount":{"confidence":0.5}}`
	// More entries than rows: the extra ones are not read.
	c := rowsServer(t, okJob+`,`+twoRows+`}`, okJob+`,`+meta+`,{"amount":{"confidence":0}}]}}}`)
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if f, _ := rows[1].Field("amount"); err != nil || len(rows) != 2 || *f.Confidence != 0.5 {
		t.Fatalf("extra entries: %v %+v", err, rows)
	}
	c = rowsServer(t, okJob+`,`+twoRows+`}`, okJob+`,"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":1}},{"amo`)
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata))); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Fatalf("metadata cut mid-entry: %v", err)
	}
	n := 0
	c = hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("expand") != "" {
			n++
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"detail":"no `+secretKey+`"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okJob+`,`+twoRows+`}`)
	})
	_, err = collectRows(wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
	if err == nil || strings.Contains(err.Error(), secretKey) {
		t.Fatalf("metadata request failing: %v", err)
	}
}

// A row type mismatch deep in the stream names the row.
func TestRowsAttackMismatchNamesRow(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriter(w)
		bw.WriteString(okJob + `,"extract_result":[`)
		for i := 0; i < 6000; i++ {
			if i > 0 {
				bw.WriteByte(',')
			}
			if i == 5000 {
				bw.WriteString(`{"amount":"` + secretKey + `"}`)
				continue
			}
			fmt.Fprintf(bw, `{"amount":%d}`, i)
		}
		bw.WriteString(`]}`)
		bw.Flush()
	})
	rows, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
	if len(rows) != 5000 || err == nil || !strings.Contains(err.Error(), "row 5000") || strings.Contains(err.Error(), secretKey) {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

// Breaking out, cancelling and running the iterator twice leave no
// goroutine behind.
func TestRowsAttackNoLeak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// In a subtest, so that the server and transport are closed (cleanups)
	// before the goroutines are counted.
	t.Run("consume", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			bw := bufio.NewWriter(w)
			bw.WriteString(okJob + `,"extract_result":[{"amount":0}`)
			for i := 0; i < 100_000 && r.Context().Err() == nil; i++ {
				bw.WriteString(`,{"amount":1}`)
			}
			bw.WriteString(`]}`)
			bw.Flush()
		}, wrapper.WithMaxResponseBytes(64<<20))
		seq := wrapper.Rows[Txn](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata))
		for range 2 {
			for _, err := range seq {
				if err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		n := 0
		for _, err := range seq {
			if n++; n == 10 {
				cancel()
			}
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Fatal(err)
				}
				break
			}
		}
	})
}

// The promise of README and BENCHMARKS: iterating a 1,000,000-row result
// keeps the heap in use under 16 MB, and as flat at 1M rows as at 100k.
// The rows are generated as the server writes them, never held. Under
// -race or -short the sizes are 10x smaller; the ratio is what is tested.
func TestRowsAttackMillionRowsHeap(t *testing.T) {
	small, large := 100_000, 1_000_000
	if raceEnabled || testing.Short() {
		small, large = 10_000, 100_000
	}
	var calls atomic.Int32 // the first request gets small rows, the second large
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		n := small
		if calls.Add(1) > 1 {
			n = large
		}
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 32<<10)
		bw.WriteString(okJob + `,"extract_result":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `{"date":"2026-01-%02d","description":"Card payment %07d","amount":%d.5}`, 1+i%28, i, i%5000)
		}
		bw.WriteString(`]}`)
		bw.Flush()
	})
	peak := func(n int) uint64 {
		inUse := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		runtime.GC()
		var top uint64
		rows := 0
		for row, err := range wrapper.Rows[Txn](context.Background(), c, "ext-1") {
			if err != nil {
				t.Fatal(err)
			}
			if row.Index%1000 == 0 {
				metrics.Read(inUse)
				top = max(top, inUse[0].Value.Uint64())
			}
			rows++
		}
		if rows != n {
			t.Fatalf("%d rows of %d", rows, n)
		}
		return top
	}
	ps, pl := peak(small), peak(large)
	t.Logf("heap in use, peak: %d rows %.1f MB, %d rows %.1f MB", small, float64(ps)/(1<<20), large, float64(pl)/(1<<20))
	if pl > 16<<20 {
		t.Fatalf("%d rows: peak heap %d MB, promised under 16 MB", large, pl>>20)
	}
	if pl > ps+4<<20 {
		t.Fatalf("heap grows with the rows: %d MB at %d, %d MB at %d", ps>>20, small, pl>>20, large)
	}
}

// A result member given twice, or a body of exactly the size cap.
func TestRowsAttackDuplicateAndExactCap(t *testing.T) {
	ctx := context.Background()
	body := okJob + `,"extract_result":[{"amount":1}],"extract_result":[{"amount":2},{"amount":3}]}`
	c := rowsServer(t, body, "")
	// GetResult keeps the last array, as encoding/json does; Rows has
	// already yielded the first, so it must end with an error.
	_, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
	if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate extract_result: %v", err)
	}
	c = rowsServer(t, okJob+`,"extract_result":[{"amount":1}],"extract_result":null}`, "")
	if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Fatalf("array then null: %v", err)
	}

	exact := okJob + `,"extract_result":[{"amount":1},{"amount":2}]}`
	c = rowsServer(t, exact, "", wrapper.WithMaxResponseBytes(int64(len(exact))))
	rows, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1"))
	_, _, gerr := wrapper.GetResult[[]Txn](ctx, c, "ext-1")
	if err != nil || len(rows) != 2 || gerr != nil {
		t.Fatalf("body of exactly the cap: Rows %v %d rows, GetResult %v", err, len(rows), gerr)
	}
}

// A server that stalls before its head is cut off too, and the wait that
// skips the result (WithoutResult) is bounded the same way.
func TestRowsAttackStallBeforeHead(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, wrapper.WithRequestTimeout(20*time.Millisecond))
	done := make(chan error, 2)
	go func() {
		_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1"))
		done <- err
	}()
	go func() {
		_, err := c.Wait(context.Background(), "ext-1", wrapper.WithoutResult())
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			var ce *wrapper.ConnectionError
			if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a stalled head hangs despite WithRequestTimeout")
		}
	}
}

// A stall in the metadata stream is an error, like one in the row stream
// (issue 20.10): never a loop that ends well with rows silently lacking
// their metadata. The server stalls the second request (expand=
// extract_metadata) at each point the metadata reader can be waiting: while
// it looks for row_metadata, inside an entry, after a comma, and after an
// entry before the next separator.
func TestRowsAttackMetadataStall(t *testing.T) {
	rows := okJob + `,"extract_result":[{"amount":1},{"amount":2},{"amount":3}]}`
	for name, part := range map[string]string{
		"before row_metadata": okJob + `,"extract_metadata":{"field_metadata":`,
		"inside an entry":     okJob + `,"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":0.9}},{"amou`,
		"after a comma":       okJob + `,"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":0.9}},`,
		"after an entry":      okJob + `,"extract_metadata":{"field_metadata":{"row_metadata":[{"amount":{"confidence":0.9}}`,
		"at the start":        okJob,
	} {
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("expand") == "" {
					io.WriteString(w, rows)
					return
				}
				io.WriteString(w, part)
				w.(http.Flusher).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}, wrapper.WithRequestTimeout(50*time.Millisecond))
			done := make(chan error, 1)
			go func() {
				_, err := collectRows(wrapper.Rows[Txn](context.Background(), c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)))
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "WithRequestTimeout") {
					t.Fatalf("a stalled metadata stream: %v; want the request timeout's error", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Rows hangs on a stalled metadata stream despite WithRequestTimeout")
			}
		})
	}
}
