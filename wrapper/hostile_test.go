package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

const secretKey = "llx-SECRET-0123456789abcdef"

func hostile(t *testing.T, h http.HandlerFunc, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(hs.URL), wrapper.WithAPIKey(secretKey),
		wrapper.WithHTTPClient(&http.Client{Transport: tr}), fastRetry}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const okJob = `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"COMPLETED"`

func TestHostileServers(t *testing.T) {
	ctx := context.Background()
	t.Run("invalid JSON", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": "ext-1", "status": COMPLETED}`))
		})
		_, err := c.GetJob(ctx, "ext-1")
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "GetExtractJob") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>maintenance</html>"))
		})
		_, err := c.GetJob(ctx, "ext-1")
		var inv *wrapper.InvalidResponseError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), "text/html") || !strings.Contains(inv.Snippet, "maintenance") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("endless body stops at the cap", func(t *testing.T) {
		var written atomic.Int64
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"`))
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			for r.Context().Err() == nil && written.Load() < 1<<30 {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}, wrapper.WithMaxResponseBytes(1<<20))
		_, err := c.GetJob(ctx, "ext-1")
		if !errors.Is(err, wrapper.ErrInvalidResponse) || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("error bodies are capped", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			w.Write(bytes.Repeat([]byte("x"), 4<<20))
		})
		_, err := c.GetJob(ctx, "ext-1")
		var api *wrapper.APIError
		if !errors.As(err, &api) || len(api.Body) != 64<<10 || len(err.Error()) > 1000 {
			t.Fatalf("body %d bytes, message %d bytes", len(api.Body), len(err.Error()))
		}
	})
	t.Run("unknown status and fields", func(t *testing.T) {
		var calls atomic.Int32
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if calls.Add(1) == 1 {
				fmt.Fprint(w, strings.Replace(okJob, "COMPLETED", "QUEUED_ON_GPU", 1)+`,"brand_new_field":{"x":[1,2]},"created_at_ms":1}`)
				return
			}
			fmt.Fprint(w, okJob+`,"extract_result":{"a":1}}`)
		})
		var seen []wrapper.Status
		job, err := c.Wait(ctx, "ext-1", fast, wrapper.OnStatus(func(j *wrapper.Job) { seen = append(seen, j.Status) }))
		if err != nil || job.Status != wrapper.StatusCompleted || len(seen) != 2 || seen[0] != "QUEUED_ON_GPU" || seen[0].Known() {
			t.Fatalf("unknown status must be kept and waited through: %v %v", err, seen)
		}
	})
	t.Run("timestamp without offset", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, strings.Replace(okJob, `"2026-01-01T00:00:00Z"`, `"2026-01-01T00:00:00.123456"`, 1)+"}")
		})
		job, err := c.GetJob(ctx, "ext-1")
		if err != nil || job.CreatedAt.Nanosecond() != 123456000 {
			t.Fatalf("%v %v", err, job)
		}
	})
	t.Run("extract_result of the wrong shape", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, okJob+`,"extract_result":"just a string"}`)
		})
		job, err := c.GetJob(ctx, "ext-1")
		if err != nil {
			t.Fatal(err)
		}
		var se *wrapper.ShapeError
		if _, err := wrapper.Decode[Invoice](job); !errors.As(err, &se) || se.Got != "invalid" {
			t.Fatalf("%v", err)
		}
		if _, _, err := wrapper.GetResult[Invoice](ctx, c, "ext-1"); !errors.As(err, &se) || se.Got != "invalid" {
			t.Fatalf("typed: %v", err)
		}
	})
	t.Run("redirect to another host", func(t *testing.T) {
		var leaked atomic.Value
		leaked.Store("")
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			leaked.Store(r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, okJob+"}")
		}))
		defer other.Close()
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		})
		if _, err := c.GetJob(ctx, "ext-1"); err != nil {
			t.Fatal(err)
		}
		if got := leaked.Load().(string); got != "" {
			t.Fatalf("the API key was sent to another host: %q", got)
		}
	})
}

// The key never appears in an error, a log line (debug included) or a
// panic, even when a server echoes it back.
func TestAPIKeyNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echo := func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("X-Echo", auth)
		switch r.URL.Query().Get("mode") {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, auth)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(503)
			fmt.Fprintf(w, `{"detail":"bad token %s"}`, auth)
		}
	}
	c := hostile(t, echo, wrapper.WithLogger(logger))
	ctx := context.Background()
	var errs []error
	_, err := c.GetJob(ctx, "ext-1")
	errs = append(errs, err)
	_, err = c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{}})
	errs = append(errs, err)

	html := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		r.URL.RawQuery = "mode=html"
		echo(w, r)
	}, wrapper.WithLogger(logger))
	_, err = html.GetJob(ctx, "ext-1")
	errs = append(errs, err)

	closed, _ := wrapper.New(wrapper.WithBaseURL("http://127.0.0.1:1"), wrapper.WithAPIKey(secretKey), wrapper.WithLogger(logger), fastRetry)
	_, err = closed.GetJob(ctx, "ext-1")
	errs = append(errs, err)

	srv := extracttest.NewTestServer(t, extracttest.WithAPIKey("another-key"))
	wrong, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey(secretKey), wrapper.WithLogger(logger), wrapper.WithHTTPClient(srv.Client()))
	_, err = wrong.ListJobs(ctx, wrapper.JobFilter{})
	if !errors.Is(err, wrapper.ErrUnauthorized) {
		t.Fatalf("wrong key: %v", err)
	}
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		msg := fmt.Sprintf("%v %+v %#v", err, err, err)
		var api *wrapper.APIError
		if errors.As(err, &api) {
			msg += string(api.Body) + api.Detail + fmt.Sprint(api.Header)
		}
		if strings.Contains(msg, secretKey) {
			t.Errorf("case %d: the key is in the error: %s", i, msg)
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	if strings.Contains(logs.String(), secretKey) {
		t.Errorf("the key is in the logs:\n%s", logs.String())
	}
	func() {
		defer func() {
			if r := recover(); r != nil && strings.Contains(fmt.Sprint(r), secretKey) {
				t.Errorf("the key is in a panic: %v", r)
			}
		}()
		_ = wrapper.MustSchemaFor[struct{ A int }]()
	}()
}

// A cut key is found by its first or last 8 characters, escaped or not,
// wherever a server string reaches the user (issue 20.11): a job's
// error_message read by GetJob, Wait (the *JobError), Rows and
// WithoutResult, an error body's detail, and the debug log. Every escape
// JSON allows for those characters is tried: \uXXXX in either case on any
// one character or all of them, and \/ for a '/'.
func TestCutKeyNeverReachesTheUser(t *testing.T) {
	const key = "llx-AbCd0123456789efGH/ijKLmnopQRst/uvWX"
	head, tail := key[:8], key[len(key)-8:]
	var forms []string
	for _, cut := range []string{head, tail, key[:13], key[len(key)-13:]} {
		forms = append(forms, cut, strings.ReplaceAll(cut, "/", `\/`))
		all := ""
		for i := range len(cut) {
			forms = append(forms, cut[:i]+fmt.Sprintf(`\u%04X`, cut[i])+cut[i+1:], cut[:i]+fmt.Sprintf(`\u%04x`, cut[i])+cut[i+1:])
			all += fmt.Sprintf(`\u%04x`, cut[i])
		}
		forms = append(forms, all)
	}
	leaks := func(s string) bool { return strings.Contains(s, head) || strings.Contains(s, tail) }
	for _, form := range forms {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		failed := `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"FAILED","error_message":"bad token ` + form + `"}`
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/api/v2/extract" {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"detail":"token `+form+` is not valid"}`)
				return
			}
			fmt.Fprint(w, failed)
		}, wrapper.WithAPIKey(key), wrapper.WithLogger(logger))
		ctx := context.Background()
		job, err := c.GetJob(ctx, "ext-1")
		if err != nil || leaks(job.ErrorMessage) {
			t.Fatalf("form %s: GetJob: %v, ErrorMessage %q", form, err, job.ErrorMessage)
		}
		if job, err := c.Wait(ctx, "ext-1", fast); err == nil || leaks(err.Error()) || leaks(job.ErrorMessage) {
			t.Fatalf("form %s: Wait: %v", form, err)
		}
		if job, err := c.Wait(ctx, "ext-1", fast, wrapper.WithoutResult()); err == nil || leaks(err.Error()) || leaks(job.ErrorMessage) {
			t.Fatalf("form %s: Wait WithoutResult: %v", form, err)
		}
		if _, err := collectRows(wrapper.Rows[Txn](ctx, c, "ext-1")); err == nil || leaks(err.Error()) {
			t.Fatalf("form %s: Rows: %v", form, err)
		}
		_, err = c.ListJobs(ctx, wrapper.JobFilter{})
		var api *wrapper.APIError
		if !errors.As(err, &api) || leaks(err.Error()) || leaks(api.Detail) || leaks(string(api.Body)) {
			t.Fatalf("form %s: an error body: %v", form, err)
		}
		if leaks(logs.String()) {
			t.Fatalf("form %s: the log holds the key:\n%s", form, logs.String())
		}
	}
}

// A front end that answers a job's GET with another job (a cache keyed
// wrongly, a proxy mixing up requests): that job's status and result must
// not become this job's. A batch re-attached to its job by ID would deliver
// another document's result as this document's.
func TestHostileServerAnswersForAnotherJob(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, strings.Replace(okJob, `"id":"ext-1"`, `"id":"ext-other"`, 1)+`,"extract_result":{"line":"not yours"}}`)
	})
	ctx := context.Background()
	if job, err := c.GetJob(ctx, "ext-1"); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Errorf("GetJob: job %+v, error %v", job, err)
	}
	if job, err := c.Wait(ctx, "ext-1", wrapper.WithSchedule(wrapper.FixedSchedule(time.Millisecond))); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Errorf("Wait: job %+v, error %v", job, err)
	}
	if job, err := c.Wait(ctx, "ext-1", wrapper.WithSchedule(wrapper.FixedSchedule(time.Millisecond)), wrapper.WithoutResult()); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Errorf("Wait without the result: job %+v, error %v", job, err)
	}
	if _, job, err := wrapper.GetResult[map[string]any](ctx, c, "ext-1"); !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Errorf("GetResult: job %+v, error %v", job, err)
	}
}
