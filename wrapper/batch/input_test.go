package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/fileinput"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// sparse makes a file of size bytes that takes no disk space.
func sparse(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// What cannot be uploaded is that document's error, found before anything
// is sent, never a stop: a missing file (errors.Is fs.ErrNotExist, as the
// package doc says), a link to /dev/zero (which once ran the process out of
// memory), a directory, and a file above the upload limit.
func TestBatchRefusesWhatItCannotUpload(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := writeDocs(t, 1)[0]
	zero := filepath.Join(dir, "zero.txt")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Skip("no symlinks here:", err)
	}
	inputs := []string{filepath.Join(dir, "missing.txt"), zero, dir, sparse(t, filepath.Join(dir, "huge.pdf"), fileinput.MaxUploadSize+1), good}
	want := []error{fs.ErrNotExist, fileinput.ErrNotRegular, fileinput.ErrNotRegular, fileinput.ErrTooLarge, nil}
	items, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, inputs, wrapper.ExtractConfig{}, fast))
	if stop != nil || len(items) != len(inputs) {
		t.Fatalf("stop %v, %d of %d yielded", stop, len(items), len(inputs))
	}
	for i, in := range inputs {
		err := failed[in]
		var ie *batch.InputError
		switch {
		case want[i] == nil && err != nil:
			t.Errorf("%s: %v", in, err)
		case want[i] != nil && (!errors.Is(err, want[i]) || !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), "llamaextract: ")):
			t.Errorf("%s: %v, want an *InputError matching %v", in, err, want[i])
		}
	}
	if n := srv.Stats().Requests["UploadFile"]; n != 1 {
		t.Errorf("%d uploads, want the one readable document's", n)
	}
}

// discardUploads is the emulator with uploads read to the end and thrown
// away: the test's own server then holds none of the bytes the batch sends.
func discardUploads(t *testing.T, srv *extracttest.Server, received *atomic.Int64) *httptest.Server {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = srv.Client().Transport
	var n atomic.Int64
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/files") {
			proxy.ServeHTTP(w, r)
			return
		}
		got, _ := io.Copy(io.Discard, r.Body)
		received.Add(got)
		id := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"id": "dfl-" + strings.Repeat("0", 7) + string(rune('a'+id)), "name": "big.pdf", "project_id": "p"})
	}))
	t.Cleanup(h.Close)
	return h
}

// Memory is bounded by the concurrency, not by the files' sizes: four
// 60 MB documents are streamed to the service, and the batch allocates a
// small fraction of one of them.
func TestBatchStreamsUploads(t *testing.T) {
	srv := extracttest.NewTestServer(t)
	var received atomic.Int64
	h := discardUploads(t, srv, &received)
	c, err := wrapper.New(wrapper.WithBaseURL(h.URL), wrapper.WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	const size = 60 << 20
	dir := t.TempDir()
	var inputs []string
	for _, name := range []string{"a.pdf", "b.pdf", "c.pdf", "d.pdf"} {
		inputs = append(inputs, sparse(t, filepath.Join(dir, name), size))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// The service knows none of the files, so each create fails: only the
	// reading and uploading are measured.
	for _, err := range batch.ExtractAll[numbered](context.Background(), c, inputs, wrapper.ExtractConfig{}, fast) {
		if errors.Is(err, batch.ErrStopped) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if received.Load() < int64(len(inputs))*size {
		t.Fatalf("the service received %d bytes, want the %d documents' %d each", received.Load(), len(inputs), size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/2 {
		t.Fatalf("the batch allocated %d MB to upload %d documents of %d MB: they were held in memory", alloc>>20, len(inputs), size>>20)
	}
}

// A document that changes after the batch hashed it is not uploaded under
// the old hash: the upload's retry reads other bytes, and the document
// fails with an *InputError (not a stop), asking for another run.
func TestBatchRefusesADocumentThatChangesWhileUploaded(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = srv.Client().Transport
	paths := writeDocs(t, 1)
	var changed atomic.Bool
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/files") && changed.CompareAndSwap(false, true) {
			// The first upload: the document changes, the service says 503.
			if err := os.WriteFile(paths[0], []byte("Number: changed meanwhile\n"), 0o600); err != nil {
				t.Error(err)
			}
			http.Error(w, `{"detail":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer h.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(h.URL), wrapper.WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	items, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{}, fast))
	var ie *batch.InputError
	if stop != nil || len(items) != 1 || !errors.As(failed[paths[0]], &ie) || !errors.Is(failed[paths[0]], fileinput.ErrChanged) {
		t.Fatalf("stop %v, %d items, failed %v", stop, len(items), failed)
	}
	if n := srv.Stats().JobsCreated; n != 0 {
		t.Fatalf("%d jobs for a document whose bytes changed", n)
	}
}
