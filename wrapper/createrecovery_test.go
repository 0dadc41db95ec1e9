package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// clientFor is another process's client on the same emulator.
func clientFor(t *testing.T, srv *extracttest.Server) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lineReq(file string, owned bool) wrapper.CreateJobRequest {
	return wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}, OwnsFile: owned}
}

// createAll runs the creates concurrently and returns each result.
func createAll(ctx context.Context, reqs []wrapper.CreateJobRequest, clients ...*wrapper.Client) ([]string, []error) {
	ids, errs := make([]string, len(reqs)), make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := clients[i%len(clients)].CreateJob(ctx, req)
			if j != nil {
				ids[i] = j.ID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return ids, errs
}

// noSharedID fails when two calls returned the same job.
func noSharedID(t *testing.T, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && seen[id] {
			t.Fatalf("two create calls returned job %s: %v", id, ids)
		}
		seen[id] = true
	}
}

// Two create calls never return the same job: not two calls of one client,
// not two clients (two processes) on one server, whatever they share.
func TestTwoCreatesNeverReturnOneJob(t *testing.T) {
	ctx := context.Background()
	t.Run("one client, shared file", func(t *testing.T) {
		c, srv := newClient(t)
		file := srv.AddFile("a.txt", nil)
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 2})
		ids, errs := createAll(ctx, []wrapper.CreateJobRequest{lineReq(file, false), lineReq(file, false)}, c)
		noSharedID(t, ids)
		for _, err := range errs {
			var amb *wrapper.AmbiguousCreateError
			if !errors.As(err, &amb) || !errors.Is(err, wrapper.ErrAmbiguousCreate) || len(amb.Candidates) == 0 {
				t.Fatalf("a shared file must not be adopted from: %v", err)
			}
		}
		if n := srv.JobsCreatedFor(file); n != 2 {
			t.Fatalf("%d jobs for 2 creates", n)
		}
	})
	t.Run("one client, owned file", func(t *testing.T) {
		c, srv := newClient(t)
		file := srv.AddFile("a.txt", nil)
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 2})
		ids, errs := createAll(ctx, []wrapper.CreateJobRequest{lineReq(file, true), lineReq(file, true)}, c)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		noSharedID(t, ids)
		if n := srv.JobsCreatedFor(file); n != 2 {
			t.Fatalf("%d jobs for 2 creates", n)
		}
	})
	t.Run("two clients, shared file", func(t *testing.T) {
		_, srv := newClient(t)
		x, y := clientFor(t, srv), clientFor(t, srv)
		file := srv.AddFile("a.txt", nil)
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 2})
		ids, errs := createAll(ctx, []wrapper.CreateJobRequest{lineReq(file, false), lineReq(file, false)}, x, y)
		noSharedID(t, ids)
		for _, err := range errs {
			if !errors.Is(err, wrapper.ErrAmbiguousCreate) {
				t.Fatalf("want an ambiguous create, not an adoption: %v", err)
			}
		}
		if n := srv.JobsCreatedFor(file); n != 2 {
			t.Fatalf("%d jobs for 2 creates", n)
		}
	})
	t.Run("two clients extract one document", func(t *testing.T) {
		_, srv := newClient(t)
		x, y := clientFor(t, srv), clientFor(t, srv)
		path := filepath.Join(t.TempDir(), "invoice.txt")
		if err := os.WriteFile(path, []byte(invoiceDoc), 0o600); err != nil {
			t.Fatal(err)
		}
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 2})
		ids := make([]string, 2)
		var wg sync.WaitGroup
		for i, c := range []*wrapper.Client{x, y} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, job, err := wrapper.Extract[Invoice](ctx, c, path, wrapper.ExtractConfig{}, fast)
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = job.ID
			}()
		}
		wg.Wait()
		noSharedID(t, ids)
		if st := srv.Stats(); st.Requests["CreateExtractJob"] != 2 {
			t.Fatalf("%d creates sent for 2 extractions (an adoption must not send a second)", st.Requests["CreateExtractJob"])
		}
	})
}

// One client, two concurrent creates: A's job exists but its answer is
// slow; B's is dropped after processing. B must not take A's job.
func TestRecoveryWaitsForCreatesInFlight(t *testing.T) {
	for _, owned := range []bool{true, false} {
		c, srv := newClient(t)
		file := srv.AddFile("a.txt", nil)
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultLatency, Delay: 100 * time.Millisecond, Times: 1})
		srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
		ctx := context.Background()
		type result struct {
			id  string
			err error
		}
		a := make(chan result, 1)
		go func() {
			j, err := c.CreateJob(ctx, lineReq(file, owned))
			if err != nil {
				a <- result{err: err}
				return
			}
			a <- result{id: j.ID}
		}()
		for srv.Stats().Requests["CreateExtractJob"] < 1 {
			time.Sleep(time.Millisecond)
		}
		b, berr := c.CreateJob(ctx, lineReq(file, owned))
		ra := <-a
		if ra.err != nil {
			t.Fatal(ra.err)
		}
		if owned {
			if berr != nil || b.ID == ra.id {
				t.Fatalf("owned: B got %v, %v; A got %s", b, berr, ra.id)
			}
		} else {
			var amb *wrapper.AmbiguousCreateError
			if !errors.As(berr, &amb) || slices.Contains(amb.Candidates, ra.id) || len(amb.Candidates) != 1 {
				t.Fatalf("shared: B must list only its own possible job, not A's %s: %v", ra.id, berr)
			}
		}
		if n := srv.JobsCreatedFor(file); n != 2 {
			t.Fatalf("%d jobs for 2 creates", n)
		}
	}
}

// skewedServer runs the emulator on a fake clock offset from the real one.
func skewedServer(t *testing.T, skew time.Duration) (*extracttest.Server, *extracttest.FakeClock) {
	clk := extracttest.NewFakeClock(time.Now().Add(skew))
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clk))
	return srv, clk
}

// An adopted job matches the whole request, and a job made before the
// attempt (on the server's clock) is never adopted, whatever the skew
// between the client's and the server's clocks.
func TestRecoveryNeverAdoptsAnotherCallsJob(t *testing.T) {
	ctx := context.Background()
	perPage := wrapper.CreateJobRequest{Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line](), Target: wrapper.PerPage, Tier: wrapper.Tier("agentic"), SystemPrompt: "only totals"}}
	for _, skew := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
		t.Run("a 500 with nothing made, skew "+skew.String(), func(t *testing.T) {
			srv, clk := skewedServer(t, skew)
			x, y := clientFor(t, srv), clientFor(t, srv)
			file := srv.AddFile("a.txt", nil)
			// X's per_doc job, then Y's per_page request, a minute later.
			old, err := x.CreateJob(ctx, lineReq(file, false))
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 500, Times: 1})
			req := perPage
			req.FileInput = file
			job, err := y.CreateJob(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := y.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandConfiguration))
			if err != nil || job.ID == old.ID || got.Configuration == nil || got.Configuration.Target != wrapper.PerPage {
				t.Fatalf("Y was handed X's job %s (got %s): %v", old.ID, job.ID, err)
			}
			// Same file, same schema, a second job wanted: still its own.
			clk.Advance(time.Minute)
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 502, Times: 1})
			again, err := y.CreateJob(ctx, lineReq(file, false))
			if err != nil || again.ID == old.ID {
				t.Fatalf("second job on the file: %v %v", again, err)
			}
			if n := srv.JobsCreatedFor(file); n != 3 {
				t.Fatalf("%d jobs for 3 creates", n)
			}
		})
		t.Run("answer lost, skew "+skew.String(), func(t *testing.T) {
			srv, clk := skewedServer(t, skew)
			c := clientFor(t, srv)
			file := srv.AddFile("a.txt", nil)
			old, err := clientFor(t, srv).CreateJob(ctx, lineReq(file, false))
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
			_, err = c.CreateJob(ctx, lineReq(file, false))
			var amb *wrapper.AmbiguousCreateError
			if !errors.As(err, &amb) || len(amb.Candidates) != 1 || amb.Candidates[0] == old.ID {
				t.Fatalf("want the one new job as the only candidate: %v", err)
			}
			if n := srv.JobsCreatedFor(file); n != 2 {
				t.Fatalf("the create was repeated: %d jobs", n)
			}
		})
	}
}

// A 2xx create answer that is not a job is an error, never a Job with an
// empty ID and a nil error.
func TestCreateAnswerMustBeAJob(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"id":""}`, `{"id":"ext-1"}`} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodGet && r.URL.Path == "/api/v2/extract" {
				fmt.Fprint(w, `{"items":[]}`)
				return
			}
			fmt.Fprint(w, body)
		})
		job, err := c.CreateJob(context.Background(), lineReq("dfl-1", true))
		var inv *wrapper.InvalidResponseError
		if !errors.As(err, &inv) || job != nil {
			t.Errorf("create answered %s: job %v, error %v", body, job, err)
		}
		job, err = c.GetJob(context.Background(), "ext-1")
		if !errors.As(err, &inv) || job != nil {
			t.Errorf("get answered %s: job %v, error %v", body, job, err)
		}
	}
}

// When the file's jobs cannot all be seen (a page token that cycles), the
// create is neither repeated nor adopted: the caller is told.
func TestRecoveryWithAnIncompleteList(t *testing.T) {
	var creates atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			creates.Add(1)
			w.WriteHeader(500)
			return
		}
		fmt.Fprint(w, `{"items":[`+okJob+`,"configuration_id":"cfg-other"}],"next_page_token":"again"}`)
	})
	_, err := c.CreateJob(context.Background(), lineReq("dfl-1", false))
	var amb *wrapper.AmbiguousCreateError
	if !errors.As(err, &amb) || amb.LookupErr == nil || creates.Load() != 1 {
		t.Fatalf("%d creates: %v", creates.Load(), err)
	}
}

// A listing is evidence, not proof: a server that ignores the file_input
// filter lists another document's job with the same configuration, and
// recovery must not hand it to this document's create.
func TestRecoveryChecksFileInput(t *testing.T) {
	cfg, err := json.Marshal(wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()})
	if err != nil {
		t.Fatal(err)
	}
	other := fmt.Sprintf(`{"id":"ext-other","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-other","project_id":"prj-1","status":"COMPLETED","configuration":%s,"extract_result":{"line":"not yours"}}`, cfg)
	mine := `{"id":"ext-mine","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"PENDING"}`
	var creates atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && creates.Add(1) == 1:
			w.WriteHeader(http.StatusBadGateway) // ambiguous: the job may exist
		case r.Method == http.MethodPost:
			fmt.Fprint(w, mine)
		default: // the filter ignored: every job of the project
			fmt.Fprintf(w, `{"items":[%s]}`, other)
		}
	})
	for _, owned := range []bool{true, false} {
		creates.Store(0)
		job, err := c.CreateJob(context.Background(), lineReq("dfl-1", owned))
		if err != nil || job.ID != "ext-mine" || job.FileInput != "dfl-1" || creates.Load() != 2 {
			t.Fatalf("owned %v: %d creates, job %+v, error %v", owned, creates.Load(), job, err)
		}
	}
}

// A server that ignores the file_input filter lists more of other files'
// jobs than recovery reads (5 pages of 100), and this call's job comes
// after them. Not having seen it is not having proved it absent: on an
// owned file the create must not be sent again (a second billed job), the
// caller is told instead.
func TestRecoveryChecksFileInputBeyondWhatItReads(t *testing.T) {
	job := func(id, file string) string {
		return fmt.Sprintf(`{"id":%q,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":%q,"project_id":"prj-1","status":"PENDING"}`, id, file)
	}
	var creates atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			creates.Add(1)
			w.WriteHeader(http.StatusBadGateway) // the job was made; the answer lost
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page_token"))
		items := make([]string, 0, 100)
		for i := range 100 {
			items = append(items, job(fmt.Sprintf("ext-other-%d-%d", page, i), fmt.Sprintf("dfl-other-%d-%d", page, i)))
		}
		next := strconv.Itoa(page + 1)
		if page == 6 {
			items, next = []string{job("ext-mine", "dfl-1")}, ""
		}
		fmt.Fprintf(w, `{"items":[%s],"next_page_token":%q}`, strings.Join(items, ","), next)
	})
	_, err := c.CreateJob(context.Background(), lineReq("dfl-1", true))
	if creates.Load() != 1 || !errors.Is(err, wrapper.ErrAmbiguousCreate) {
		t.Fatalf("%d creates for one request on an owned file: %v", creates.Load(), err)
	}
}

// A create answered with a job on another file (a front end that mixed up
// two answers) is not this create's job: a batch journaling it would
// deliver another document's result. Whether this create made a job is
// unknown: the caller is told so.
func TestCreateAnswerForAnotherFileIsNotThisJob(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"ext-other","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-other","project_id":"prj-1","status":"PENDING"}`)
	})
	job, err := c.CreateJob(context.Background(), lineReq("dfl-1", true))
	if job != nil || !errors.Is(err, wrapper.ErrAmbiguousCreate) || !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Fatalf("job %+v, error %v", job, err)
	}
}
