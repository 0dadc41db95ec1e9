package wrapper_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// A gzip bomb: the transport inflates it transparently, and the body cap
// applies to the inflated bytes, so the heap stays near the cap.
func TestGzipBombStopsAtTheCap(t *testing.T) {
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write([]byte(`{"id":"`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 64 {
		zw.Write(chunk)
	}
	zw.Close()
	bomb := z.Bytes()
	const limit = 1 << 20
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}, wrapper.WithMaxResponseBytes(limit), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	grew := heapPeak(func() {
		_, err := c.GetJob(context.Background(), "ext-1")
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("%v", err)
		}
	})
	if grew > limit*3/2+8<<20 {
		t.Fatalf("heap grew %d MiB", grew>>20)
	}
}

// A redirect to another host (with the key in its Location) never carries
// the key there, and the key in the Location reaches no error or log.
func TestRedirectElsewhereCarriesNoKey(t *testing.T) {
	var got atomic.Value
	got.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(fmt.Sprint(r.Header))
		w.WriteHeader(500)
	}))
	defer other.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, code := range []int{301, 302, 307, 308} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			w.Header().Set("Location", other.URL+"/k/"+key+"?token="+key)
			w.WriteHeader(code)
		}, wrapper.WithLogger(logger), wrapper.WithHeader("X-Extra", "e"))
		_, err := c.GetJob(context.Background(), "ext-1")
		_, err2 := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}})
		msg := fmt.Sprintf("%v %+v %v", err, err, err2)
		var api *wrapper.APIError
		if errors.As(err, &api) {
			msg += api.URL + string(api.Body) + fmt.Sprint(api.Header)
		}
		if strings.Contains(got.Load().(string), secretKey) || strings.Contains(got.Load().(string), "Bearer") {
			t.Errorf("%d: key sent to another host: %s", code, got.Load())
		}
		if strings.Contains(msg, secretKey) {
			t.Errorf("%d: key in error: %s", code, msg)
		}
	}
	if strings.Contains(logs.String(), secretKey) {
		t.Errorf("key in logs")
	}
}

// The key echoed in a FAILED job's error_message (as is, \u-escaped, cut),
// a header, a job ID and a page token reaches no value, error or log line.
func TestAPIKeyInEveryFieldAServerControls(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	esc := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\u%04X`, r)
		}
		return b.String()
	}
	n := 0
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", key)
		n++
		switch {
		case strings.Contains(r.URL.Path, "/jobs/") || strings.HasSuffix(r.URL.Path, "ext-1"):
			fmt.Fprintf(w, `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"FAILED","error_message":"bad key %s / %s / %s"}`, key, esc(key), key[:12])
		default:
			fmt.Fprintf(w, `{"items":[{"id":"%s","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"PENDING"}],"next_page_token":"%s"}`, esc(key), key)
		}
	}, wrapper.WithLogger(logger))
	ctx := context.Background()
	var msgs []string
	job, err := c.Wait(ctx, "ext-1", fast)
	msgs = append(msgs, fmt.Sprintf("%v %+v", err, job))
	p, err := c.ListJobs(ctx, wrapper.JobFilter{})
	msgs = append(msgs, fmt.Sprintf("%v %+v", err, p))
	if p != nil {
		for _, j := range p.Items {
			msgs = append(msgs, fmt.Sprintf("%+v", *j))
		}
	}
	for j, err := range c.Jobs(ctx, wrapper.JobFilter{}) {
		msgs = append(msgs, fmt.Sprintf("%v %+v", err, j))
	}
	all := strings.Join(msgs, "\n") + logs.String()
	if strings.Contains(all, secretKey) || strings.Contains(all, secretKey[:10]) {
		t.Errorf("leak")
	}
}

// A page-token cycle longer than the tokens paging remembers still ends
// the listing with an *InvalidResponseError rather than looping forever.
func TestLongPageTokenCycleEnds(t *testing.T) {
	const cycle = 1100
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(r.URL.Query().Get("page_token"), "t%d", &i)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"items":[{"id":"ext-%d","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"PENDING"}],"next_page_token":"t%d"}`, i, (i+1)%cycle)
	})
	n := 0
	for _, err := range c.Jobs(context.Background(), wrapper.JobFilter{}) {
		if err != nil {
			if !errors.Is(err, wrapper.ErrInvalidResponse) {
				t.Fatal(err)
			}
			return
		}
		if n++; n > 10*cycle {
			t.Fatalf("still listing after %d items of a %d-token cycle", n, cycle)
		}
	}
	t.Fatal("the listing ended without an error")
}
