package wrapper_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// A status the client does not know is not finished, as the spec says, but
// it is visible (issue 21.4): every check passes it to OnStatus, and the
// client's logger gets one warning per unknown status, however many waits
// meet it. The server answers QUEUED_FOR_REVIEW for a few checks, then
// COMPLETED; the waits run on a fake clock.
func TestUnknownStatusIsVisible(t *testing.T) {
	var mu sync.Mutex
	checks := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		mu.Lock()
		checks[id]++
		n := checks[id]
		mu.Unlock()
		status := map[bool]string{true: "QUEUED_FOR_REVIEW", false: "COMPLETED"}[n <= 3]
		if id == "ext-2" && n == 2 {
			status = "ESCALATED"
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"status":%q,"file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`, id, status)
	}))
	defer srv.Close()
	clock := extracttest.NewFakeClock(time.Unix(1_800_000_000, 0))
	clock.SetAutoAdvance(true)
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock), wrapper.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	var seen []wrapper.Status
	onStatus := wrapper.OnStatus(func(j *wrapper.Job) { seen = append(seen, j.Status) })
	for _, id := range []string{"ext-1", "ext-2"} {
		job, err := c.Wait(context.Background(), id, onStatus)
		if err != nil || job.Status != wrapper.StatusCompleted {
			t.Fatalf("Wait %s: %v", id, err)
		}
	}
	want := []wrapper.Status{"QUEUED_FOR_REVIEW", "QUEUED_FOR_REVIEW", "QUEUED_FOR_REVIEW", "COMPLETED",
		"QUEUED_FOR_REVIEW", "ESCALATED", "QUEUED_FOR_REVIEW", "COMPLETED"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("OnStatus saw %v, want %v", seen, want)
	}
	logMu.Lock()
	defer logMu.Unlock()
	out := logs.String()
	if n := strings.Count(out, "status=QUEUED_FOR_REVIEW"); n != 1 || strings.Count(out, "status=ESCALATED") != 1 || strings.Count(out, "level=WARN") != 2 {
		t.Fatalf("want one warning per unknown status, got:\n%s", out)
	}
	if !strings.Contains(out, "job_id=ext-1") || !strings.Contains(out, "not finished") {
		t.Fatalf("the warning does not say which job, or what it means:\n%s", out)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
