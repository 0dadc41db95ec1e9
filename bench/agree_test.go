package bench

import (
	"context"
	"encoding/json"
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
	var small floorJob
	floorGet(b, plain, f.srv.URL+"/api/v2/extract/ext-small", &small)
	job, err := w.GetJob(ctx, "ext-small")
	if err != nil || job.ID != small.ID || job.Configuration == nil || job.Configuration.Schema.IsZero() != (len(small.Configuration.DataSchema) == 0) || small.ExtractResult["total"] != 1204.5 {
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
