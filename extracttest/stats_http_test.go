package extracttest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// The counters another process reads: jobs per file, 429s, and the share of
// jobs WithFailRatio fails.
func TestStatsEndpointAndFailRatio(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second), extracttest.WithFailRatio(0.5))
	f1, f2 := a.s.AddFile("a.txt", []byte("x")), a.s.AddFile("b.txt", []byte("y"))
	var jobs []jobJSON
	for range 20 {
		jobs = append(jobs, a.create(f1))
	}
	jobs = append(jobs, a.create(f2))
	clk.Advance(2 * time.Second)
	failed := 0
	for _, j := range jobs {
		if a.get(j.ID, "").Status == "FAILED" {
			failed++
		}
	}
	if failed < 3 || failed > 18 {
		t.Fatalf("%d of %d jobs failed with a fail ratio of 0.5", failed, len(jobs))
	}

	resp, err := a.s.Client().Get(a.s.URL + extracttest.StatsPath) // no API key: it is not an API path
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st extracttest.StatsJSON
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if st.JobsCreated != 21 || st.JobsCreatedPerFile[f1] != 20 || st.JobsCreatedPerFile[f2] != 1 || st.FilesUploaded != 2 ||
		st.Requests["CreateExtractJob"] != 21 {
		t.Fatalf("stats %+v", st)
	}
}
