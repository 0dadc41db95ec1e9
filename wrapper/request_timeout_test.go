package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

// The per-attempt timeout is one timer per client (deadlines.go). Under
// concurrent load with every kind of stall, mixed timeouts (an upload gets
// a second more per 256 KiB) and callers' own deadlines before and after
// the timeout, each call ends the way WithRequestTimeout promises: a
// stalled attempt, at the head or midway through the body, ends after the
// timeout with the timeout's error and is retried; an attempt that takes
// longer than the plain timeout but less than its own (an upload) is not
// cut off; a caller's earlier deadline wins with the caller's error; and a
// retry after a timed-out attempt gets an answer.
func TestRequestTimeoutUnderMixedLoad(t *testing.T) {
	const timeout = 200 * time.Millisecond
	var (
		mu       sync.Mutex
		attempts = map[string]int{}
	)
	release := make(chan struct{})
	defer close(release)
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/files") {
			io.Copy(io.Discard, r.Body)
			// Longer than the request timeout, well within an upload's
			// (timeout + 2 s for 512 KiB).
			select {
			case <-time.After(3 * timeout):
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"dfl-%s","name":"big.pdf","project_id":"prj-1"}`, r.URL.Query().Get("project_id"))
			return
		}
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		var n int
		fmt.Sscanf(id, "ext-%d", &n)
		mu.Lock()
		attempts[id]++
		nth := attempts[id]
		mu.Unlock()
		body := fmt.Sprintf(`{"id":%q,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"RUNNING"}`, id)
		switch n % 4 {
		case 1: // no head
			wait(r)
			return
		case 2: // half a body
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write([]byte(body[:len(body)/2]))
			w.(http.Flusher).Flush()
			wait(r)
			return
		case 3: // the first attempt stalls, the retry answers
			if nth == 1 {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				w.Write([]byte(body[:10]))
				w.(http.Flusher).Flush()
				wait(r)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
	c := hostile(t, h, wrapper.WithRequestTimeout(timeout))
	c2 := hostile(t, h, wrapper.WithRequestTimeout(timeout)) // a second client on the same server

	type outcome struct {
		id       string
		deadline time.Duration // the caller's; 0 for none
		err      error
		job      *wrapper.Job
		took     time.Duration
	}
	var (
		wg  sync.WaitGroup
		out = make(chan outcome, 64)
	)
	for n := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := c
			if n%3 == 0 {
				client = c2
			}
			var deadline time.Duration
			switch n / 4 % 4 {
			case 1:
				deadline = timeout / 2 // before the request timeout
			case 2:
				deadline = time.Minute // after it
			}
			ctx := context.Background()
			if deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, deadline)
				defer cancel()
			}
			id := fmt.Sprintf("ext-%d", n)
			start := time.Now()
			j, err := client.GetJob(ctx, id)
			out <- outcome{id: id, deadline: deadline, err: err, job: j, took: time.Since(start)}
		}()
	}
	uploadErrs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			f, err := c.Upload(context.Background(), "big.pdf", bytes.NewReader(make([]byte, 512<<10)))
			if err == nil && (f.Name != "big.pdf" || time.Since(start) < 3*timeout) {
				err = fmt.Errorf("upload answered %+v after %s", f, time.Since(start))
			}
			uploadErrs <- err
		}()
	}
	wg.Wait()
	close(out)
	close(uploadErrs)
	for err := range uploadErrs {
		if err != nil {
			t.Errorf("an upload slower than the request timeout but within its own was cut off: %v", err)
		}
	}
	for o := range out {
		var n int
		fmt.Sscanf(o.id, "ext-%d", &n)
		mu.Lock()
		tries := attempts[o.id]
		mu.Unlock()
		var conn *wrapper.ConnectionError
		stalls := n%4 == 1 || n%4 == 2
		switch {
		case o.deadline == timeout/2:
			// The caller's deadline comes first: its error, at most one
			// attempt (under load even a fast answer, or the connection,
			// may take longer than the deadline).
			if o.err == nil && n%4 == 0 && o.job.ID == o.id {
				break
			}
			if o.err == nil || !errors.Is(o.err, context.DeadlineExceeded) || errors.As(o.err, &conn) || tries > 1 {
				t.Errorf("%s with an earlier deadline: %d attempts, %v", o.id, tries, o.err)
			}
		case stalls:
			if !errors.As(o.err, &conn) || !errors.Is(o.err, context.DeadlineExceeded) || !strings.Contains(o.err.Error(), "WithRequestTimeout") || tries != 3 {
				t.Errorf("%s stalled: %d attempts, %v", o.id, tries, o.err)
			} else if o.took < 3*timeout {
				t.Errorf("%s: three stalled attempts ended after %s, before three timeouts", o.id, o.took)
			}
		default:
			if o.err != nil || o.job == nil || o.job.ID != o.id {
				t.Errorf("%s: %v (%d attempts)", o.id, o.err, tries)
			}
			if n%4 == 3 && o.took < timeout {
				t.Errorf("%s: the retry came after %s, before the stalled first attempt's timeout", o.id, o.took)
			}
		}
	}
}

// time.Duration(math.MaxInt64) is the usual "no limit". An upload adds a
// second per 256 KiB to the request timeout; that sum used to wrap into a
// negative timeout that ended every attempt of every upload at once.
func TestUploadUnderUnlimitedRequestTimeout(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"dfl-1","name":"big.pdf","project_id":"prj-1"}`))
	}, wrapper.WithRequestTimeout(math.MaxInt64))
	f, err := c.Upload(context.Background(), "big.pdf", bytes.NewReader(make([]byte, 300<<10)))
	if err != nil || f.ID != "dfl-1" {
		t.Fatalf("upload: %+v, %v", f, err)
	}
}
