package batch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// hostileFront is a front end to an emulator that the test steers: it can
// answer a create 502 after the emulator made the job, refuse listings,
// and list every job of the project whatever the file filter says.
type hostileFront struct {
	create502, createDrop, listFail, ignoreFilter atomic.Bool
}

func (h *hostileFront) client(t *testing.T, srv *extracttest.Server) *wrapper.Client {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = srv.Client().Transport
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jobs := r.URL.Path == "/api/v2/extract"
		switch {
		case jobs && r.Method == http.MethodGet && h.listFail.Load():
			w.WriteHeader(http.StatusInternalServerError)
			return
		case jobs && r.Method == http.MethodGet && h.ignoreFilter.Load():
			q := r.URL.Query()
			q.Del("file_input")
			r.URL.RawQuery = q.Encode()
		case jobs && r.Method == http.MethodPost && h.create502.Load():
			rp.ServeHTTP(httptest.NewRecorder(), r) // the job is made...
			w.WriteHeader(http.StatusBadGateway)    // ...and its answer lost
			return
		case jobs && r.Method == http.MethodPost && h.createDrop.Load():
			rp.ServeHTTP(httptest.NewRecorder(), r)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(hs.URL), wrapper.WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runOnce runs a batch over paths with the state file and returns, per
// input yielded, whether it succeeded, and the stop error if any.
func runOnce(t *testing.T, c *wrapper.Client, state string, paths []string, opts ...batch.Option) (ok map[string]bool, stop error) {
	t.Helper()
	b, err := batch.New[numbered](c, wrapper.ExtractConfig{}, append([]batch.Option{batch.WithState(state), fast}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ok = map[string]bool{}
	for it, err := range b.Run(context.Background(), slices.Values(paths)) {
		if it.Input == "" {
			stop = err
			continue
		}
		ok[it.Input] = err == nil
	}
	return ok, stop
}

// A create answered 502 after the job was made, and the listing that would
// find it refused: the job may exist. The document used to be recorded as
// failed, so the next run never read its job's result, and --retry-failed
// (WithRetryFailed) billed a second job. It stays unfinished (the batch
// stops, resumably) and the next run adopts the job: one job per document.
func TestBatchOneJobPerDocumentAfterAnAmbiguousCreate(t *testing.T) {
	const n = 3
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	front := &hostileFront{}
	c := front.client(t, srv)
	paths := writeDocs(t, n)
	state := filepath.Join(t.TempDir(), "s")
	front.create502.Store(true)
	front.listFail.Store(true)
	runOnce(t, c, state, paths)
	if got := srv.Stats().JobsCreated; got != n {
		t.Fatalf("run 1: %d jobs for %d documents", got, n)
	}
	front.create502.Store(false)
	front.listFail.Store(false)
	ok, stop := runOnce(t, c, state, paths, batch.WithRetryFailed())
	if stop != nil || len(ok) != n {
		t.Fatalf("run 2: %d of %d documents yielded (%v), stop %v", len(ok), n, ok, stop)
	}
	for p, done := range ok {
		if !done {
			t.Errorf("%s failed in run 2", filepath.Base(p))
		}
	}
	if got := srv.Stats().JobsCreated; got != n {
		t.Errorf("%d jobs for %d documents over the runs", got, n)
	}
}

// On resume, a server that ignores the file filter lists other files'
// jobs first, more of them than the batch reads: not finding the
// document's job there is not proof it does not exist, and creating
// another billed a second job.
func TestBatchOneJobPerDocumentWhenTheListingHidesIt(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	front := &hostileFront{}
	c := front.client(t, srv)
	paths := writeDocs(t, 1)
	state := filepath.Join(t.TempDir(), "s")
	// The create's answer is lost and the lookup refused; the connection
	// error stops the batch with the document at "creating".
	front.createDrop.Store(true)
	front.listFail.Store(true)
	runOnce(t, c, state, paths)
	front.createDrop.Store(false)
	front.listFail.Store(false)
	if got := srv.Stats().JobsCreated; got != 1 {
		t.Fatalf("run 1: %d jobs", got)
	}
	// 150 newer jobs of other files.
	direct, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.txt")
	if err := os.WriteFile(other, []byte("Number: other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		f, err := direct.UploadFile(context.Background(), other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := direct.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: f.ID, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[numbered]()}}); err != nil {
			t.Fatal(fmt.Errorf("job %d: %w", i, err))
		}
	}
	front.ignoreFilter.Store(true)
	for run := 2; run <= 3; run++ {
		runOnce(t, c, state, paths)
		if got := srv.Stats().JobsCreated; got != 151 {
			t.Fatalf("run %d: %d jobs for the document", run, got-150)
		}
	}
	front.ignoreFilter.Store(false)
	ok, stop := runOnce(t, c, state, paths)
	if stop != nil || !ok[paths[0]] || srv.Stats().JobsCreated != 151 {
		t.Errorf("with an honest listing: %v, stop %v, %d jobs for the document", ok, stop, srv.Stats().JobsCreated-150)
	}
}

// On resume, looking for the job of a document whose create may have been
// sent fails (the listing refused): the document used to be recorded as
// failed, its job's result never read. It stays unfinished until a run can
// look, and then its job is adopted.
func TestBatchOneJobPerDocumentWhenLookingForItFails(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	front := &hostileFront{}
	c := front.client(t, srv)
	paths := writeDocs(t, 1)
	state := filepath.Join(t.TempDir(), "s")
	front.createDrop.Store(true)
	front.listFail.Store(true)
	runOnce(t, c, state, paths)
	front.createDrop.Store(false)
	ok, stop := runOnce(t, c, state, paths)
	if len(ok) != 0 || !errors.Is(stop, batch.ErrStopped) || srv.Stats().JobsCreated != 1 {
		t.Fatalf("run 2, the listing refused: yielded %v, stop %v, %d jobs", ok, stop, srv.Stats().JobsCreated)
	}
	front.listFail.Store(false)
	ok, stop = runOnce(t, c, state, paths)
	if stop != nil || !ok[paths[0]] || srv.Stats().JobsCreated != 1 {
		t.Errorf("run 3: %v, stop %v, %d jobs", ok, stop, srv.Stats().JobsCreated)
	}
}

// The same batch over relative paths, run again in the same directory
// reached another way: a shell's $PWD through a link, then a service
// manager's or cron's, which resolves it. The journal keyed relative paths
// by $PWD's spelling, so every document was extracted, billed and
// delivered again.
func TestBatchResumesHoweverTheWorkingDirectoryIsSpelled(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	paths := []string{"a.txt", "sub/b.txt"}
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(real, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(real, p), []byte("Number: "+p+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(t.TempDir(), "s")
	t.Chdir(link) // $PWD is the link
	if ok, stop := runOnce(t, c, state, paths); len(ok) != 2 || stop != nil {
		t.Fatalf("run 1: %v, %v", ok, stop)
	}
	t.Setenv("PWD", real)
	ok, stop := runOnce(t, c, state, paths)
	if len(ok) != 0 || stop != nil || srv.Stats().JobsCreated != 2 {
		t.Errorf("run 2, from the resolved directory: yielded %v again, stop %v, %d jobs for 2 documents", ok, stop, srv.Stats().JobsCreated)
	}
	// The same places spelled absolute, through the link and not.
	abs := []string{filepath.Join(link, "a.txt"), filepath.Join(real, "sub", "b.txt")}
	ok, stop = runOnce(t, c, state, abs)
	if len(ok) != 0 || stop != nil || srv.Stats().JobsCreated != 2 {
		t.Errorf("run 3, absolute paths: yielded %v again, stop %v, %d jobs for 2 documents", ok, stop, srv.Stats().JobsCreated)
	}
}
