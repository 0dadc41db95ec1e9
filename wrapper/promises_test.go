package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

// heapPeak runs f while sampling the live heap and returns the highest
// growth seen over the heap before f. Sampling can miss a peak, never
// invent one, so a bound it checks cannot fail spuriously.
func heapPeak(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// Memory follows bytes received: a claimed Content-Length allocates
// nothing the server does not send, and a body cap of N bounds the heap
// near 1.5 N.
func TestMemoryFollowsBytesReceived(t *testing.T) {
	ctx := context.Background()
	t.Run("claimed 250 MiB, sent 7 bytes", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(250<<20))
			w.Write([]byte(`{"id":"`))
		})
		grew := heapPeak(func() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.GetJob(ctx, "ext-1"); !errors.Is(err, wrapper.ErrInvalidResponse) {
						t.Errorf("%v", err)
					}
				}()
			}
			wg.Wait()
		})
		t.Logf("heap grew %d KiB for four 250 MiB claims", grew>>10)
		if grew > 16<<20 {
			t.Fatalf("heap grew %d MiB for 28 bytes received", grew>>20)
		}
	})
	t.Run("endless stream against the cap", func(t *testing.T) {
		const limit = 64 << 20
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"`))
			chunk := bytes.Repeat([]byte("a"), 256<<10)
			for written := 0; written < 4*limit && r.Context().Err() == nil; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, wrapper.WithMaxResponseBytes(limit), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
		grew := heapPeak(func() {
			if _, err := c.GetJob(ctx, "ext-1"); !errors.Is(err, wrapper.ErrInvalidResponse) {
				t.Errorf("%v", err)
			}
		})
		t.Logf("heap peak %d MiB for a %d MiB cap", grew>>20, limit>>20)
		if grew > limit*3/2+8<<20 {
			t.Fatalf("heap grew %d MiB against a %d MiB cap", grew>>20, limit>>20)
		}
	})
}

// One retry layer: a call makes at most MaxRetries+1 attempts, whatever
// mix of failures it meets.
func TestRetriesAreBounded(t *testing.T) {
	var calls atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n%3 != 0 {
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(`{"id":"ext-1",`)) // truncated
	})
	_, err := c.GetJob(context.Background(), "ext-1")
	if err == nil || calls.Load() != 3 {
		t.Fatalf("500, 500, truncated: %d attempts (want 3 = MaxRetries+1): %v", calls.Load(), err)
	}
	calls.Store(0)
	c = hostile(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(429)
	})
	if _, err := c.CreateJob(context.Background(), lineReq("dfl-1", false)); !errors.Is(err, wrapper.ErrRateLimited) || calls.Load() != 3 {
		t.Fatalf("create under 429: %d attempts: %v", calls.Load(), err)
	}
}

// A body that stalls midway, with no context deadline, ends with the
// request timeout instead of hanging the program. Attempts are counted at
// the client: under load an attempt may end before it reaches the server.
func TestStalledBodyTimesOut(t *testing.T) {
	tries := newAttemptCounter(t)
	c := hostile(t, stallMidBody, tries.option(), wrapper.WithRequestTimeout(50*time.Millisecond))
	_, err := c.GetJob(context.Background(), "ext-1")
	var conn *wrapper.ConnectionError
	if !errors.As(err, &conn) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "WithRequestTimeout") || tries.of("ext-1") != 3 {
		t.Fatalf("%d attempts: %v", tries.of("ext-1"), err)
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithRequestTimeout(0)); err == nil {
		t.Fatal("a zero request timeout was accepted")
	}
}

// stallMidBody sends part of a job and waits for the client to give up.
func stallMidBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "1000")
	w.Write([]byte(`{"id":`))
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// The request timeout and the caller's deadline both hold, whichever comes
// first: the attempt timer is left out only when the caller's deadline is
// the earlier one.
func TestStalledBodyWithDeadline(t *testing.T) {
	// A later deadline: the request timeout still ends each attempt.
	tries := newAttemptCounter(t)
	c := hostile(t, stallMidBody, tries.option(), wrapper.WithRequestTimeout(50*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetJob(ctx, "ext-1")
	var conn *wrapper.ConnectionError
	if !errors.As(err, &conn) || !strings.Contains(err.Error(), "WithRequestTimeout") || tries.of("ext-1") != 3 || ctx.Err() != nil {
		t.Fatalf("deadline after the request timeout: %d attempts: %v", tries.of("ext-1"), err)
	}
	// An earlier deadline: the caller's, not the request timeout's.
	tries = newAttemptCounter(t)
	c = hostile(t, stallMidBody, tries.option(), wrapper.WithRequestTimeout(time.Hour))
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.GetJob(ctx, "ext-1")
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &conn) || tries.of("ext-1") != 1 {
		t.Fatalf("deadline before the request timeout: %d attempts: %v", tries.of("ext-1"), err)
	}
}

// The API key never leaves through any error type, whatever form the
// server echoes it in: as is, JSON-escaped, URL-encoded, or cut by a
// truncation boundary.
func TestAPIKeyScrubbedFromEveryError(t *testing.T) {
	escaped := ""
	for _, r := range secretKey {
		escaped += fmt.Sprintf(`\u%04x`, r)
	}
	forms := map[string]string{
		"raw":         secretKey,
		"json-escape": escaped,
		"url-encoded": url.QueryEscape(secretKey) + "%2D",
		"mixed":       secretKey[:5] + `\u0053` + secretKey[6:],
		"first half":  secretKey[:len(secretKey)/2],
		"second half": secretKey[len(secretKey)/2:],
	}
	leaks := func(text string) bool {
		return strings.Contains(text, secretKey) || strings.Contains(text, secretKey[:len(secretKey)/2]) ||
			strings.Contains(text, secretKey[len(secretKey)/2:]) || strings.Contains(text, escaped)
	}
	ctx := context.Background()
	for name, form := range forms {
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cases := map[string]http.HandlerFunc{
			"APIError detail and body": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Echo", form)
				w.WriteHeader(400)
				fmt.Fprintf(w, `{"detail":"bad token %s"}`, form)
			},
			"APIError body cut at 64 KiB": func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				w.Write(bytes.Repeat([]byte("x"), 64<<10-len(secretKey)/2))
				w.Write([]byte(secretKey))
			},
			"InvalidResponseError quoting a field": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, strings.Replace(okJob, `"2026-01-01T00:00:00Z"`, `"`+form+`"`, 1)+"}")
			},
			"InvalidResponseError snippet": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; "+form)
				fmt.Fprint(w, "<p>"+form)
			},
			"JobError error_message": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, strings.Replace(okJob, "COMPLETED", "FAILED", 1)+`,"error_message":"auth `+form+` rejected"}`)
			},
			"ConnectionError via a redirect": func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/loop?k="+url.QueryEscape(secretKey), http.StatusFound)
			},
		}
		for what, h := range cases {
			c := hostile(t, h, wrapper.WithLogger(logger))
			var err error
			if strings.HasPrefix(what, "JobError") {
				_, err = c.Wait(ctx, "ext-1", fast)
			} else {
				_, err = c.GetJob(ctx, "ext-1")
			}
			if err == nil {
				t.Fatalf("%s/%s: no error", name, what)
			}
			text := fmt.Sprintf("%v|%+v", err, err)
			var api *wrapper.APIError
			if errors.As(err, &api) {
				text += string(api.Body) + api.Detail + fmt.Sprint(api.Header)
			}
			var je *wrapper.JobError
			if errors.As(err, &je) {
				text += je.Job.ErrorMessage
			}
			if leaks(text) {
				t.Errorf("%s/%s: the key is in the error: %s", name, what, text)
			}
		}
		if leaks(logs.String()) {
			t.Errorf("%s: the key is in the logs", name)
		}
	}
}
