package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func TestNewNeedsAKey(t *testing.T) {
	t.Setenv(wrapper.EnvAPIKey, "")
	t.Setenv(wrapper.EnvParseAPIKey, "")
	_, err := wrapper.New()
	if !errors.Is(err, wrapper.ErrNoAPIKey) || !strings.Contains(err.Error(), "LLAMA_CLOUD_API_KEY") {
		t.Fatalf("missing key: %v", err)
	}
	t.Setenv(wrapper.EnvParseAPIKey, "from-parse-env")
	if _, err := wrapper.New(); err != nil {
		t.Fatalf("LLAMA_PARSE_API_KEY fallback: %v", err)
	}
}

func TestNewBaseURL(t *testing.T) {
	t.Setenv(wrapper.EnvBaseURL, "")
	c, _ := wrapper.New(wrapper.WithAPIKey("k"))
	if c.BaseURL() != wrapper.DefaultBaseURL {
		t.Fatalf("default %s", c.BaseURL())
	}
	c, _ = wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithEURegion())
	if c.BaseURL() != wrapper.EUBaseURL {
		t.Fatalf("eu %s", c.BaseURL())
	}
	t.Setenv(wrapper.EnvBaseURL, "https://example.test/")
	c, _ = wrapper.New(wrapper.WithAPIKey("k"))
	if c.BaseURL() != "https://example.test" {
		t.Fatalf("env %s", c.BaseURL())
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithBaseURL("http://api.example.test")); err == nil || !strings.Contains(err.Error(), "WithInsecureHTTP") {
		t.Fatalf("plain http to a remote host must be refused: %v", err)
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithBaseURL("http://api.example.test"), wrapper.WithInsecureHTTP()); err != nil {
		t.Fatalf("opt-in: %v", err)
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithBaseURL("ftp://x")); err == nil {
		t.Fatal("ftp accepted")
	}
}

func TestHeadersSent(t *testing.T) {
	var got http.Header
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[]}`))
	}))
	defer hs.Close()
	t.Setenv(wrapper.EnvCustomHeaders, "X-Team: docs\nX-Env: test")
	c, err := wrapper.New(wrapper.WithAPIKey("sk-123"), wrapper.WithBaseURL(hs.URL), wrapper.WithHeader("X-Extra", "1"), wrapper.WithProjectID("prj-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListJobs(context.Background(), wrapper.JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer sk-123" || !strings.HasPrefix(got.Get("User-Agent"), "llamaextract-go/"+wrapper.Version) ||
		got.Get("X-Team") != "docs" || got.Get("X-Env") != "test" || got.Get("X-Extra") != "1" {
		t.Fatalf("headers %v", got)
	}
	t.Setenv(wrapper.EnvCustomHeaders, "no colon here")
	if _, err := wrapper.New(wrapper.WithAPIKey("k")); err == nil || err.Error() != `llamaextract: LLAMA_CLOUD_CUSTOM_HEADERS: line 1 is not "Name: value"` {
		t.Fatalf("bad custom headers: %v", err)
	}
}

func TestAPIErrors(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	_, err := c.GetJob(ctx, "ext-missing")
	var api *wrapper.APIError
	if !errors.As(err, &api) || !errors.Is(err, wrapper.ErrNotFound) || api.Operation != "GetExtractJob" || !strings.Contains(api.Detail, "ext-missing") || len(api.Body) == 0 {
		t.Fatalf("not found: %#v", err)
	}
	if !strings.Contains(err.Error(), "GetExtractJob: 404 Not Found") {
		t.Fatalf("message %q", err)
	}
	bad, _ := wrapper.New(wrapper.WithBaseURL(api.URL[:strings.Index(api.URL, "/api")]), wrapper.WithAPIKey(""), wrapper.WithAPIKey(" "))
	if bad != nil {
		t.Fatal("blank key accepted")
	}
	if _, err := c.GetJob(ctx, ""); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("empty id: %v", err)
	}
	if _, err := c.GetJob(ctx, ".."); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("dot-dot id: %v", err)
	}
}

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
