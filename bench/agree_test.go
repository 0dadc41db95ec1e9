package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// TestClientsAgree keeps the benchmarks honest: the floor, the generated
// client and the wrapper read the same fixtures into the same values.
func TestClientsAgree(t *testing.T) {
	b := &testing.B{}
	f, plain, gen, w := clients(b)
	ctx := context.Background()

	var floor floorRowsJob
	floorGet(b, plain, f.srv.URL+"/api/v2/extract/ext-10k", &floor)
	r, err := gen.GetExtractJobWithResponse(ctx, "ext-10k", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := r.JSON200.ExtractResult.MarshalJSON()
	var genRows []Row
	if err := json.Unmarshal(raw, &genRows); err != nil {
		t.Fatal(err)
	}
	wRows, _, err := wrapper.GetResult[[]Row](ctx, w, "ext-10k")
	if err != nil {
		t.Fatal(err)
	}
	if len(floor.ExtractResult) != 10_000 || !slices.Equal(floor.ExtractResult, genRows) || !slices.Equal(floor.ExtractResult, wRows) {
		t.Fatalf("clients disagree: %d / %d / %d rows", len(floor.ExtractResult), len(genRows), len(wRows))
	}
	// The bodies without Content-Length decode to the same rows with every
	// client; the gzip one really arrives compressed and without a length.
	for _, id := range []string{"ext-10k-chunked", "ext-10k-gzip"} {
		resp := send(b, plain, f.srv.URL+"/api/v2/extract/"+id)
		if resp.ContentLength != -1 || (id == "ext-10k-gzip" && !resp.Uncompressed) {
			t.Fatalf("%s: length %d, uncompressed %v", id, resp.ContentLength, resp.Uncompressed)
		}
		var fair, naive floorRowsJob
		if err := fairDecode(resp, &fair); err != nil {
			t.Fatal(err)
		}
		naiveGet(b, plain, f.srv.URL+"/api/v2/extract/"+id, &naive)
		wRows, _, err := wrapper.GetResult[[]Row](ctx, w, id)
		if err != nil || !slices.Equal(floor.ExtractResult, fair.ExtractResult) || !slices.Equal(floor.ExtractResult, naive.ExtractResult) || !slices.Equal(floor.ExtractResult, wRows) {
			t.Fatalf("%s: clients disagree (%v)", id, err)
		}
	}
	var small floorJob
	floorGet(b, plain, f.srv.URL+"/api/v2/extract/ext-small", &small)
	job, err := w.GetJob(ctx, "ext-small")
	if err != nil || job.ID != small.ID || job.Configuration == nil || job.Configuration.Schema.IsZero() != (len(small.Configuration.DataSchema) == 0) || !bytes.Contains(small.ExtractResult, []byte(`"total":1204.5`)) {
		t.Fatalf("small job: %v", err)
	}
	n := 0
	for _, err := range w.Jobs(ctx, wrapper.JobFilter{PageSize: 100, FileInput: "limit:300"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("iterated %d", n)
	}
}

// TestRowsFixture pins the synthetic rows to the format the baseline was
// measured with, and the declared length of streamed bodies to their size.
func TestRowsFixture(t *testing.T) {
	for _, i := range []int{0, 7, 12345, 999_999} {
		want := fmt.Sprintf(`{"date":"2026-%02d-%02d","description":"Card payment %06d at a shop","amount":%d.%02d}`, 1+i%12, 1+i%28, i, i%5000, i%100)
		if got := string(appendRow(nil, i)); got != want {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want)
		}
	}
	f := server(t)
	body := rowsJob("ext-stream-1234", 1234)
	if int64(len(body)) != f.streamLength("ext-stream-1234", 1234) {
		t.Fatalf("length %d, declared %d", len(body), f.streamLength("ext-stream-1234", 1234))
	}
	var j floorRowsJob
	floorGet(t, &http.Client{}, f.srv.URL+"/api/v2/extract/ext-stream-1234", &j)
	if len(j.ExtractResult) != 1234 || j.ExtractResult[1233].Description != "Card payment 001233 at a shop" {
		t.Fatalf("streamed body: %d rows", len(j.ExtractResult))
	}
}
