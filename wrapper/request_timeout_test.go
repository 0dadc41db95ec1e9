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

// The per-attempt timeout is one timer per client (internal/deadline).
// Under concurrent load with every kind of stall, mixed timeouts (an upload
// gets a second more per 256 KiB) and callers' own deadlines before and
// after the timeout, each call ends the way WithRequestTimeout promises: a
// stalled attempt, at the head or midway through the body, ends after the
// timeout with the timeout's error and is retried; an attempt that takes
// longer than the plain timeout but less than its own (an upload) is not
// cut off; a caller's earlier deadline wins with the caller's error; and a
// retry after a timed-out attempt gets an answer.
//
// The timer runs on real time, so no outcome may hang on how fast the
// scheduler is: a stall ends only when the client cancels it, the uploads
// are held until every stalled call has ended, durations are checked only
// from below (a timer never fires early), attempts are counted where the
// client makes them, and whatever must finish within a timeout has ten
// times what it needs under load: the calls that must be answered use a
// second client with a 2 s timeout, and the uploads get 8 s more.
func TestRequestTimeoutUnderMixedLoad(t *testing.T) {
	const (
		short = 100 * time.Millisecond // c: every attempt stalls, or uploads
		long  = 2 * time.Second        // c2: the calls that must be answered
	)
	srv := &mixedLoadServer{arrived: make(chan struct{}, 4), releaseUploads: make(chan struct{}), end: make(chan struct{})}
	defer close(srv.end)
	tries := newAttemptCounter(t)
	c := hostile(t, srv.serve, tries.option(), wrapper.WithRequestTimeout(short))
	c2 := hostile(t, srv.serve, tries.option(), wrapper.WithRequestTimeout(long)) // a second client on the same server

	// The uploads start first and are held until every stalled call on c
	// has ended, so each outlives several of c's plain timeouts.
	uploads := make(chan error, 4)
	for range 4 {
		go func() { uploads <- mixedLoadUpload(c, 3*short) }()
	}
	for range 4 {
		<-srv.arrived
	}
	var stalls, answers sync.WaitGroup
	out := make(chan mixedLoadOutcome, 32)
	for n := range 32 {
		o := mixedLoadOutcome{id: fmt.Sprintf("ext-%d", n), kind: n % 4, client: c, timeout: short, wg: &stalls}
		if o.answers() {
			o.client, o.timeout, o.wg = c2, long, &answers
		}
		switch n / 4 % 4 {
		case 1:
			o.deadline = o.timeout / 2 // before the request timeout
		case 2:
			o.deadline = time.Minute // after it
		}
		o.wg.Add(1)
		go func() { defer o.wg.Done(); out <- o.run() }()
	}
	stalls.Wait()
	close(srv.releaseUploads)
	answers.Wait()
	close(out)
	for range 4 {
		if err := <-uploads; err != nil {
			t.Errorf("an upload slower than the request timeout but within its own was cut off: %v", err)
		}
	}
	for o := range out {
		if msg := o.check(tries.of(o.id)); msg != "" {
			t.Errorf("%s (kind %d, caller's deadline %s): %s", o.id, o.kind, o.deadline, msg)
		}
	}
}

// mixedLoadServer answers TestRequestTimeoutUnderMixedLoad: job ext-N
// answers at once (N%4 == 0), sends no head (1), half a body (2), or only
// ten bytes on a first attempt and the whole job on a retry (3). A stall
// lasts until the client cancels it or the test ends; an upload is
// answered once releaseUploads is closed.
type mixedLoadServer struct {
	arrived        chan struct{} // an upload's whole body has been read
	releaseUploads chan struct{}
	end            chan struct{}
}

func (s *mixedLoadServer) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/files") {
		io.Copy(io.Discard, r.Body)
		s.arrived <- struct{}{}
		if s.hold(r, s.releaseUploads) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"dfl-1","name":"big.pdf","project_id":"prj-1"}`))
		}
		return
	}
	id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var n int
	fmt.Sscanf(id, "ext-%d", &n)
	body := fmt.Sprintf(`{"id":%q,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"RUNNING"}`, id)
	sent := len(body)
	switch {
	case n%4 == 1:
		sent = 0
	case n%4 == 2:
		sent = len(body) / 2
	case n%4 == 3 && r.Header.Get("X-Retry-Count") == "":
		sent = 10
	}
	if sent > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write([]byte(body[:sent]))
	}
	if sent < len(body) {
		if sent > 0 {
			w.(http.Flusher).Flush()
		}
		s.hold(r, nil)
	}
}

// hold waits for release (nil: never), the client's cancel or the test's
// end, and reports whether release came.
func (s *mixedLoadServer) hold(r *http.Request, release chan struct{}) bool {
	select {
	case <-release:
		return true
	case <-r.Context().Done():
	case <-s.end:
	}
	return false
}

// attemptCounter counts the attempts clients make, per ID (the path's last
// segment): one RoundTrip each, counted whether or not the request reaches
// the server.
type attemptCounter struct {
	tr *http.Transport
	mu sync.Mutex
	n  map[string]int
}

func newAttemptCounter(t *testing.T) *attemptCounter {
	a := &attemptCounter{tr: &http.Transport{}, n: map[string]int{}}
	t.Cleanup(a.tr.CloseIdleConnections)
	return a
}

// option makes a client send through the counter.
func (a *attemptCounter) option() wrapper.Option {
	return wrapper.WithHTTPClient(&http.Client{Transport: a})
}

func (a *attemptCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.n[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]++
	a.mu.Unlock()
	return a.tr.RoundTrip(r)
}

func (a *attemptCounter) of(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[id]
}

// mixedLoadUpload uploads 2 MiB, 8 s more than the plain timeout, and
// wants an answer no sooner than atLeast.
func mixedLoadUpload(c *wrapper.Client, atLeast time.Duration) error {
	start := time.Now()
	f, err := c.Upload(context.Background(), "big.pdf", bytes.NewReader(make([]byte, 2<<20)))
	if took := time.Since(start); err == nil && (f.Name != "big.pdf" || took < atLeast) {
		err = fmt.Errorf("upload answered %+v after %s", f, took)
	}
	return err
}

// mixedLoadOutcome is one GetJob of TestRequestTimeoutUnderMixedLoad and
// how it ended.
type mixedLoadOutcome struct {
	id       string
	kind     int // the server's behaviour: ext-N's N%4
	client   *wrapper.Client
	timeout  time.Duration // the client's request timeout
	deadline time.Duration // the caller's; 0 for none
	wg       *sync.WaitGroup

	err  error
	job  *wrapper.Job
	took time.Duration
}

// answers reports whether the server answers some attempt.
func (o mixedLoadOutcome) answers() bool { return o.kind == 0 || o.kind == 3 }

func (o mixedLoadOutcome) run() mixedLoadOutcome {
	ctx := context.Background()
	if o.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.deadline)
		defer cancel()
	}
	start := time.Now()
	o.job, o.err = o.client.GetJob(ctx, o.id)
	o.took = time.Since(start)
	return o
}

// check returns what is wrong with the outcome, given the attempts made.
func (o mixedLoadOutcome) check(tries int) string {
	var conn *wrapper.ConnectionError
	switch {
	case o.deadline == o.timeout/2:
		// The caller's deadline comes first: its error after one attempt
		// (under load even a fast answer may come after it).
		if o.err == nil && o.kind == 0 && o.job.ID == o.id {
			return ""
		}
		if o.err == nil || !errors.Is(o.err, context.DeadlineExceeded) || errors.As(o.err, &conn) || tries > 1 {
			return fmt.Sprintf("%d attempts, %v", tries, o.err)
		}
	case !o.answers():
		if !errors.As(o.err, &conn) || !errors.Is(o.err, context.DeadlineExceeded) || !strings.Contains(o.err.Error(), "WithRequestTimeout") || tries != 3 {
			return fmt.Sprintf("stalled: %d attempts, %v", tries, o.err)
		}
		if o.took < 3*o.timeout {
			return fmt.Sprintf("three stalled attempts ended after %s, before three timeouts", o.took)
		}
	default:
		if o.err != nil || o.job == nil || o.job.ID != o.id {
			return fmt.Sprintf("%d attempts, %v", tries, o.err)
		}
		if o.kind == 3 && (tries < 2 || o.took < o.timeout) {
			return fmt.Sprintf("answered after %s and %d attempts, before the stalled first attempt's timeout", o.took, tries)
		}
	}
	return ""
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
