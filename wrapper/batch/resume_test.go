package batch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// openState opens the journal a batch with cfg and T wrote at path, as a
// crashed run left it, for a test to write records into.
func openState[T any](t *testing.T, c *wrapper.Client, path string, cfg wrapper.Config) *batchstate.Journal {
	t.Helper()
	x, err := batch.New[T](c, cfg, batch.WithState(path))
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header struct{ Config string }
	line, _ := bufio.NewReader(f).ReadBytes('\n')
	if err := json.Unmarshal(line, &header); err != nil {
		t.Fatal(err)
	}
	j, err := batchstate.Open(path, header.Config)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// ignoringFilters is a service that lists every job, whatever the
// file_input filter says.
func ignoringFilters(t *testing.T, srv *extracttest.Server) *httptest.Server {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = srv.Client().Transport
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			q := r.URL.Query()
			q.Del("file_input")
			r.URL.RawQuery = q.Encode()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hostile.Close)
	return hostile
}

// Trust no listing: on resume, a document whose create may have been sent
// adopts only a job that reads its own file with the batch's
// configuration. A service that ignores the file filter lists another
// document's job first, and a job on the document's file made with another
// configuration: neither is adopted, and the document gets its own result.
func TestBatchResumeAdoptsOnlyItsOwnJob(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	hostile := ignoringFilters(t, srv)
	c, err := wrapper.New(wrapper.WithBaseURL(hostile.URL), wrapper.WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 2)
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[numbered](), Target: wrapper.PerDoc}
	j := openState[numbered](t, c, state, wrapper.ExtractConfig{})
	// Document 1 was uploaded and its create may have been sent when the
	// process died; no job on its file is the batch's.
	content, _ := os.ReadFile(paths[1])
	mine := srv.AddFile("doc-001.txt", content)
	if err := j.Uploaded(paths[1], hashOf(t, paths[1]), mine); err != nil {
		t.Fatal(err)
	}
	if err := j.Creating(paths[1], mine); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// Someone else's job on the same file, with another configuration.
	other := cfg
	other.Target = wrapper.PerPage
	if _, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: mine, Config: other}); err != nil {
		t.Fatal(err)
	}
	// And, newest of all, document 0's job (same configuration).
	content, _ = os.ReadFile(paths[0])
	theirs := srv.AddFile("doc-000.txt", content)
	if _, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: theirs, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	items, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths[1:], wrapper.ExtractConfig{}, batch.WithState(state), fast))
	if stop != nil || len(failed) != 0 || len(items) != 1 {
		t.Fatalf("stop %v, failed %v, %d items", stop, failed, len(items))
	}
	if it := items[0]; it.Value.Number != "N-1" || it.Job.FileInput != mine {
		t.Fatalf("document 1 got job %s on %s with result %+v: another's job was adopted", it.Job.ID, it.Job.FileInput, it.Value)
	}
	if n := srv.JobsCreatedFor(mine); n != 2 {
		t.Fatalf("%d jobs on document 1's file, want the other caller's and its own", n)
	}
}

// A job whose file and configuration are the document's is adopted, not
// created again, even when the listing is not filtered.
func TestBatchResumeAdoptsItsJobFromAnUnfilteredListing(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	hostile := ignoringFilters(t, srv)
	c, err := wrapper.New(wrapper.WithBaseURL(hostile.URL), wrapper.WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 2)
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[numbered](), Target: wrapper.PerDoc}
	j := openState[numbered](t, c, state, wrapper.ExtractConfig{})
	content, _ := os.ReadFile(paths[1])
	mine := srv.AddFile("doc-001.txt", content)
	if err := j.Uploaded(paths[1], hashOf(t, paths[1]), mine); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if _, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: mine, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	content, _ = os.ReadFile(paths[0])
	if _, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: srv.AddFile("doc-000.txt", content), Config: cfg}); err != nil {
		t.Fatal(err)
	}
	x, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	items, failed, stop := collect(t, x.Run(context.Background(), slices.Values(paths[1:])))
	if stop != nil || len(failed) != 0 || len(items) != 1 || items[0].Value.Number != "N-1" {
		t.Fatalf("stop %v, failed %v, items %+v", stop, failed, items)
	}
	if n := srv.JobsCreatedFor(mine); n != 1 || x.Progress().Adopted != 1 {
		t.Fatalf("%d jobs on the document's file, progress %+v: its job was not adopted", n, x.Progress())
	}
}
