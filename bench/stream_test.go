package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// floorStream is the plain-stdlib way to stream the rows: json.Decoder
// tokens down to extract_result, then one Decode per row.
func floorStream(b testing.TB, f *fixtures, url string, each func(Row)) error {
	resp := send(b, &f.plainClient, url)
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key != "extract_result" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			var r Row
			if err := dec.Decode(&r); err != nil {
				return err
			}
			each(r)
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// Rows 7-8: iterate the rows of an n-row per_table_row result. The floor is
// the fair floor's full decode into []Row (what every other path does);
// floor-stream is plain json.Decoder streaming; wrapper is wrapper.Rows.
// peak-MB is the largest heap (live and not yet collected) during one call,
// live-MB the largest live heap the garbage collector measured: for the
// streaming clients both must stay flat from 100k to 1M rows.
func benchStream(b *testing.B, n int) {
	f, plain, _, w := clients(b)
	f.plainClient.Transport = plain.Transport
	ctx := context.Background()
	id := "ext-stream-" + strconv.Itoa(n)
	url := f.srv.URL + "/api/v2/extract/" + id
	last := fmt.Sprintf("Card payment %06d at a shop", n-1)
	f.warm(b, plain, id)
	var rot rotation
	rot.add("floor", func(b *testing.B) {
		run := func() {
			var j floorRowsJob
			floorGet(b, plain, url, &j)
			if len(j.ExtractResult) != n || j.ExtractResult[n-1].Description != last {
				b.Fatalf("%d rows", len(j.ExtractResult))
			}
		}
		loop(b, run)
		peakHeap(b, run)
	})
	rot.add("floor-stream", func(b *testing.B) {
		run := func() {
			seen, lastDesc := 0, ""
			if err := floorStream(b, f, url, func(r Row) { seen++; lastDesc = r.Description }); err != nil || seen != n || lastDesc != last {
				b.Fatalf("%v: %d rows", err, seen)
			}
		}
		loop(b, run)
		peakHeap(b, run)
	})
	rot.add("wrapper", func(b *testing.B) {
		run := func() {
			seen, lastDesc := 0, ""
			for row, err := range wrapper.Rows[Row](ctx, w, id) {
				if err != nil {
					b.Fatal(err)
				}
				seen, lastDesc = seen+1, row.Value.Description
			}
			if seen != n || lastDesc != last {
				b.Fatalf("%d rows", seen)
			}
		}
		loop(b, run)
		peakHeap(b, run)
	})
	rot.run(b)
}

func BenchmarkStreamRows100k(b *testing.B) { benchStream(b, 100_000) }

func BenchmarkStreamRows1M(b *testing.B) { benchStream(b, 1_000_000) }
