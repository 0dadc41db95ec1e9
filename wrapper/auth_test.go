package wrapper_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// Headers set with WithHeader or LLAMA_CLOUD_CUSTOM_HEADERS go to the base
// host only (issue 20.9): a redirect to another host carries none of them,
// nor the API key, on the hot GET path and through the generated client
// alike. The base host still gets them on every request.
func TestCustomHeadersNeverFollowARedirectElsewhere(t *testing.T) {
	t.Setenv(wrapper.EnvCustomHeaders, "X-Proxy-Token: env-secret")
	var mu sync.Mutex
	var seen []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v2/extract/ext-1":
			fmt.Fprint(w, `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`)
		default:
			fmt.Fprint(w, `{"items":[]}`)
		}
	}))
	defer other.Close()
	var baseSeen []http.Header
	base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		baseSeen = append(baseSeen, r.Header.Clone())
		mu.Unlock()
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer base.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(base.URL), wrapper.WithAPIKey("llx-secret-key-0123456789"),
		wrapper.WithHeader("X-Team-Secret", "s3cret"), wrapper.WithHeader("Accept-Language", "de"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetJob(ctx, "ext-1"); err != nil {
		t.Fatalf("GetJob through a redirect: %v", err)
	}
	if _, err := c.ListJobs(ctx, wrapper.JobFilter{}); err != nil {
		t.Fatalf("ListJobs through a redirect: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || len(baseSeen) != 2 {
		t.Fatalf("%d requests reached the other host and %d the base, want 2 each", len(seen), len(baseSeen))
	}
	for i, h := range seen {
		for _, name := range []string{"Authorization", "X-Team-Secret", "Accept-Language", "X-Proxy-Token"} {
			if v := h.Get(name); v != "" {
				t.Errorf("request %d to another host carried %s: %q", i, name, v)
			}
		}
	}
	for i, h := range baseSeen {
		if h.Get("X-Team-Secret") != "s3cret" || h.Get("X-Proxy-Token") != "env-secret" || h.Get("Authorization") == "" {
			t.Errorf("request %d to the base host lacks a header: %v", i, h)
		}
	}
}
