package extracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// StatsPath is where a started emulator serves its counters as JSON, outside
// the API's paths (so no client mistakes it for an operation): a test that
// drives the emulator from another process, e.g. `llamaextract emulator`,
// reads what the server saw from here.
const StatsPath = "/_emulator/stats"

// StatsJSON is the document served at StatsPath.
type StatsJSON struct {
	// Requests counts requests per operationId (after auth).
	Requests map[string]int `json:"requests"`
	// JobsCreated counts jobs ever created, deleted ones included.
	JobsCreated int `json:"jobs_created"`
	// JobsCreatedPerFile counts jobs ever created per file_input (dfl- or
	// pjb- ID): a client that never duplicates a job keeps every value at 1.
	JobsCreatedPerFile map[string]int `json:"jobs_created_per_file"`
	// FilesUploaded counts files stored (uploaded or added).
	FilesUploaded int `json:"files_uploaded"`
	// RateLimited counts creates refused with 429 by the create rate limit.
	RateLimited int `json:"rate_limited"`
	// FaultsInjected counts requests a Fault acted on.
	FaultsInjected int `json:"faults_injected"`
}

func (s *Server) serveStats(w http.ResponseWriter, _ *http.Request) {
	st := s.Stats()
	s.mu.Lock()
	out := StatsJSON{Requests: st.Requests, JobsCreated: st.JobsCreated, RateLimited: st.RateLimited,
		FaultsInjected: st.FaultsInjected, FilesUploaded: len(s.st.fileOrder),
		JobsCreatedPerFile: make(map[string]int, len(s.st.createdFor))}
	for k, v := range s.st.createdFor {
		out.JobsCreatedPerFile[k] = v
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ReadStats fetches the counters of the emulator at baseURL (for instance
// `llamaextract emulator` running in another process) from StatsPath. It
// sends no API key: StatsPath is not an API path. A nil client means
// http.DefaultClient.
func ReadStats(ctx context.Context, client *http.Client, baseURL string) (StatsJSON, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+StatsPath, nil)
	if err != nil {
		return StatsJSON{}, fmt.Errorf("extracttest: ReadStats: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return StatsJSON{}, fmt.Errorf("extracttest: ReadStats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return StatsJSON{}, fmt.Errorf("extracttest: ReadStats: %s answered %s: %s (is it an emulator?)", baseURL, resp.Status, body)
	}
	var st StatsJSON
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&st); err != nil {
		return StatsJSON{}, fmt.Errorf("extracttest: ReadStats: %w", err)
	}
	return st, nil
}
