package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// The timer stays armed after the last request (re-arming it per request
// is what it saves), but it must not keep a dropped Client, its
// connections and its buffers alive: it holds only attemptDeadlines.
func TestDroppedClientIsCollectedWithTimerArmed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`))
	}))
	defer srv.Close()
	collected := make(chan struct{})
	func() {
		c, err := New(WithAPIKey("test-key-123456"), WithBaseURL(srv.URL), WithHTTPClient(&http.Client{}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetJob(context.Background(), "ext-1"); err != nil {
			t.Fatal(err)
		}
		if !c.deadlines.Armed() {
			t.Fatal("the timer is not armed after a request; this test would prove nothing")
		}
		runtime.AddCleanup(c, func(ch chan struct{}) { close(ch) }, collected)
	}()
	// Collection needs the cleanup goroutine to run, which a loaded machine
	// may delay; the bound stays far below DefaultRequestTimeout, so the
	// test cannot pass by waiting until the timer fires.
	for give := time.Now().Add(DefaultRequestTimeout / 6); time.Now().Before(give); {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("a dropped Client stayed reachable while its attempt timer was armed")
}
