package extracttest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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

	st, err := extracttest.ReadStats(context.Background(), a.s.Client(), a.s.URL+"/") // no API key: it is not an API path
	if err != nil {
		t.Fatal(err)
	}
	if st.JobsCreated != 21 || st.JobsCreatedPerFile[f1] != 20 || st.JobsCreatedPerFile[f2] != 1 || st.FilesUploaded != 2 ||
		st.Requests["CreateExtractJob"] != 21 {
		t.Fatalf("stats %+v", st)
	}
}

// ReadStats says what went wrong when the URL is not an emulator's.
func TestReadStatsOfSomethingElse(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := extracttest.ReadStats(context.Background(), srv.Client(), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "is it an emulator?") {
		t.Fatalf("a plain 404 server: %v", err)
	}
}
