package wrapper_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// jobFor is the answer for job ext-<n>: odd jobs carry everything a job
// can (error, configuration, result, metadata), even ones nothing optional.
func jobFor(n int) string {
	j := fmt.Sprintf(`{"id":"ext-%d","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-%d","project_id":"prj-1","status":"FAILED"`, n, n)
	if n%2 == 1 {
		j += fmt.Sprintf(`,"configuration_id":"cfg-%d","error_message":"boom %d","configuration":{"data_schema":{"type":"object","properties":{"f%d":{"type":"string"}}},"tier":"agentic","sheet_names":["s%d"]},"extract_result":{"f%d":"v%d"},"metadata":{"usage":{"num_pages_billed":%d}}`, n, n, n, n, n, n, n)
	}
	return j + "}"
}

// checkJob fails unless j is exactly what jobFor(n) says.
func checkJob(j *wrapper.Job, n int) error {
	if j.ID != fmt.Sprintf("ext-%d", n) || j.FileInput != fmt.Sprintf("dfl-%d", n) {
		return fmt.Errorf("job %d came back as %s/%s", n, j.ID, j.FileInput)
	}
	if n%2 == 0 {
		if j.ErrorMessage != "" || j.ConfigurationID != "" || j.Configuration != nil {
			return fmt.Errorf("job %d holds another job's parts: %q %q %+v", n, j.ErrorMessage, j.ConfigurationID, j.Configuration)
		}
		if _, err := wrapper.Decode[map[string]string](j); err == nil {
			return fmt.Errorf("job %d has a result", n)
		}
		return nil
	}
	if j.ErrorMessage != fmt.Sprintf("boom %d", n) || j.ConfigurationID != fmt.Sprintf("cfg-%d", n) {
		return fmt.Errorf("job %d: error %q, configuration id %q", n, j.ErrorMessage, j.ConfigurationID)
	}
	if j.Configuration == nil || j.Configuration.Tier != wrapper.TierAgentic || len(j.Configuration.SheetNames) != 1 || j.Configuration.SheetNames[0] != fmt.Sprintf("s%d", n) ||
		!strings.Contains(string(j.Configuration.Schema.JSON()), fmt.Sprintf(`"f%d"`, n)) {
		return fmt.Errorf("job %d: configuration %+v", n, j.Configuration)
	}
	res, err := wrapper.Decode[map[string]string](j)
	if err != nil || res[fmt.Sprintf("f%d", n)] != fmt.Sprintf("v%d", n) {
		return fmt.Errorf("job %d: result %v, %v", n, res, err)
	}
	return nil
}

// GetJob decodes into a wire value the client reuses: no job it returned
// may change, or show another's parts, however many GETs follow, in
// sequence or at once.
func TestJobsFromOneClientShareNothing(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], "ext-%d", &n); err != nil {
			http.Error(w, `{"detail":"no"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(jobFor(n)))
	})
	ctx := context.Background()
	var kept []*wrapper.Job
	for n := range 6 {
		j, err := c.GetJob(ctx, fmt.Sprintf("ext-%d", n))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, j)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := 6 + g*50 + i
				j, err := c.GetJob(ctx, fmt.Sprintf("ext-%d", n))
				if err == nil {
					err = checkJob(j, n)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for n, j := range kept {
		if err := checkJob(j, n); err != nil {
			t.Errorf("after 400 more GETs: %v", err)
		}
	}
	// What a job marshals to is what it was read from, give or take the
	// fields' order: nothing of later answers crept in.
	b, err := json.Marshal(kept[1])
	if err != nil || !strings.Contains(string(b), `"boom 1"`) || strings.Contains(string(b), "boom 3") {
		t.Fatalf("job 1 marshals to %s, %v", b, err)
	}
}
