package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// poolJob is the answer for job ext-<n>: every job has a result; odd jobs
// carry every optional part, each naming n, even ones none.
func poolJob(n int) string {
	j := fmt.Sprintf(`{"id":"ext-%d","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-%d","project_id":"prj-1","status":"COMPLETED","extract_result":{"f":"v%d"}`, n, n, n)
	if n%2 == 1 {
		j += fmt.Sprintf(`,"configuration_id":"cfg-%d","error_message":"note %d","configuration":{"data_schema":{"type":"object","properties":{"f%d":{"type":"string"}}},"tier":"agentic","sheet_names":["s%d"],"max_pages":%d},"metadata":{"usage":{"num_pages_billed":%d}}`, n, n, n, n, n, n)
	}
	return j + "}"
}

// checkPoolJob fails unless j is exactly what poolJob(n) says.
func checkPoolJob(j *wrapper.Job, n int) error {
	if j == nil {
		return fmt.Errorf("job %d: nil", n)
	}
	if j.ID != fmt.Sprintf("ext-%d", n) || j.FileInput != fmt.Sprintf("dfl-%d", n) || j.Status != wrapper.StatusCompleted {
		return fmt.Errorf("job %d came back as %s/%s/%s", n, j.ID, j.FileInput, j.Status)
	}
	if n%2 == 0 {
		if j.ErrorMessage != "" || j.ConfigurationID != "" || j.Configuration != nil {
			return fmt.Errorf("job %d holds another job's parts: %q %q %+v", n, j.ErrorMessage, j.ConfigurationID, j.Configuration)
		}
		if u := j.Usage(); u.PagesBilled != 0 {
			return fmt.Errorf("job %d has another job's usage %+v", n, u)
		}
	} else {
		cfg := j.Configuration
		if u := j.Usage(); u.PagesBilled != n {
			return fmt.Errorf("job %d: usage %+v", n, u)
		}
		if j.ErrorMessage != fmt.Sprintf("note %d", n) || j.ConfigurationID != fmt.Sprintf("cfg-%d", n) || cfg == nil ||
			cfg.Tier != wrapper.TierAgentic || cfg.MaxPages != n || len(cfg.SheetNames) != 1 || cfg.SheetNames[0] != fmt.Sprintf("s%d", n) ||
			!strings.Contains(string(cfg.Schema.JSON()), fmt.Sprintf(`"f%d"`, n)) {
			return fmt.Errorf("job %d: %q %q %+v", n, j.ErrorMessage, j.ConfigurationID, cfg)
		}
	}
	if j.Status == wrapper.StatusCompleted {
		if res, err := wrapper.Decode[map[string]string](j); err == nil && res["f"] != fmt.Sprintf("v%d", n) {
			return fmt.Errorf("job %d: result %v", n, res)
		}
	}
	return nil
}

// The wire value GetJob, CancelJob and every wait poll decode into is
// pooled per client. Against a server that answers each job's first
// attempt with a broken-off body or a 503 carrying another job, or answers
// some jobs with wrong types halfway through (which encoding/json decodes
// around, leaving the wire value half filled) or a 256 KiB field,
// concurrent calls on one client still return exactly their own job,
// nothing of a failed or a neighbouring answer leaks into it, and no job
// changes after the calls that followed it.
func TestPooledJobWireUnderHostileAnswers(t *testing.T) {
	var (
		mu    sync.Mutex
		tries = map[string]int{}
	)
	huge := strings.Repeat("x", 256<<10)
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimSuffix(r.URL.Path, "/cancel")
		var n int
		if _, err := fmt.Sscanf(path[strings.LastIndex(path, "/")+1:], "ext-%d", &n); err != nil {
			http.Error(w, `{"detail":"no"}`, http.StatusNotFound)
			return
		}
		key := r.Method + " " + r.URL.Path + " " + r.URL.RawQuery
		mu.Lock()
		tries[key]++
		nth := tries[key]
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		other := poolJob(n + 1001) // odd: every optional part, none of them n's
		switch n % 6 {
		case 1: // the first answer breaks off midway through another job
			if nth == 1 {
				w.Header().Set("Content-Length", fmt.Sprint(len(other)))
				w.Write([]byte(other[:len(other)-5]))
				return
			}
		case 2: // the first answer is a 503 that carries another job
			if nth == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(other))
				return
			}
		case 3: // wrong types after every optional part: decoded around
			w.Write([]byte(strings.TrimSuffix(other, "}") + `,"status":7,"configuration":{"sheet_names":["leak"],"max_pages":"many","tier":"leak"}}`))
			return
		case 4: // duplicated keys and nulls: the last one wins
			w.Write([]byte(strings.TrimSuffix(poolJob(n), "}") + `,"configuration":null,"metadata":null,"extract_result":{"f":"v` + fmt.Sprint(n) + `"}}`))
			return
		case 5: // a huge field
			if n%2 == 1 {
				w.Write([]byte(strings.Replace(poolJob(n), fmt.Sprintf(`"note %d"`, n), `"`+huge+`"`, 1)))
				return
			}
		}
		w.Write([]byte(poolJob(n)))
	})
	ctx := context.Background()
	check := func(j *wrapper.Job, n int) error {
		switch n % 6 {
		case 4: // configuration and metadata nulled by their second key
			if j.Configuration != nil || j.ID != fmt.Sprintf("ext-%d", n) {
				return fmt.Errorf("job %d: the later null did not win: %+v", n, j.Configuration)
			}
			return nil
		case 5:
			if n%2 == 1 {
				if j.ErrorMessage != huge {
					return fmt.Errorf("job %d: error message of %d bytes", n, len(j.ErrorMessage))
				}
				j2 := *j
				j2.ErrorMessage = fmt.Sprintf("note %d", n)
				return checkPoolJob(&j2, n)
			}
		}
		return checkPoolJob(j, n)
	}
	type kept struct {
		n   int
		job *wrapper.Job
	}
	var (
		wg   sync.WaitGroup
		errs = make(chan error, 64)
		keep = make(chan kept, 2048)
	)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				n := g*60 + i
				var (
					j   *wrapper.Job
					err error
				)
				switch i % 4 {
				case 0:
					j, err = c.GetJob(ctx, fmt.Sprintf("ext-%d", n))
				case 1:
					j, err = c.CancelJob(ctx, fmt.Sprintf("ext-%d", n))
				case 2:
					j, err = c.Wait(ctx, fmt.Sprintf("ext-%d", n), fast)
				case 3:
					var res map[string]string
					res, j, err = wrapper.GetResult[map[string]string](ctx, c, fmt.Sprintf("ext-%d", n))
					if err == nil && res["f"] != fmt.Sprintf("v%d", n) {
						err = fmt.Errorf("GetResult of %d: %v", n, res)
					}
				}
				if n%6 == 3 {
					var inv *wrapper.InvalidResponseError
					if !errors.As(err, &inv) || j != nil {
						report(fmt.Errorf("job %d with wrong types: %v, %+v", n, err, j))
					}
					continue
				}
				if err != nil {
					report(fmt.Errorf("job %d (call %d): %w", n, i%4, err))
					continue
				}
				if err := check(j, n); err != nil {
					report(fmt.Errorf("call %d: %w", i%4, err))
				}
				keep <- kept{n, j}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(keep)
	for err := range errs {
		t.Error(err)
	}
	for k := range keep {
		if err := check(k.job, k.n); err != nil {
			t.Errorf("after the calls that followed: %v", err)
		}
	}
}
