package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// A service that holds every job in a status this client does not know:
// the jobs are treated as running, and the summary of the stopped batch
// names the status and how many documents it holds.
func TestBatchSummaryNamesUnknownStatuses(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(time.Hour))
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodGet {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		for _, st := range []string{`"PENDING"`, `"RUNNING"`} {
			body = bytes.ReplaceAll(body, []byte(`"status":`+st), []byte(`"status":"QUEUED_FOR_REVIEW"`))
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	hostile := httptest.NewServer(proxy)
	defer hostile.Close()
	dir := writeDocs(t, 3)
	schema := writeFile(t, "s.json", schemaJSON)
	cmd := exec.Command(binary, "batch", dir, "--include", "*.txt", "--schema", schema, "--out", filepath.Join(t.TempDir(), "r.jsonl"),
		"--poll-interval", "5ms", "--cancel-running", "--progress-interval", "10ms")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LLAMA_CLOUD_BASE_URL=" + hostile.URL, "LLAMA_CLOUD_API_KEY=k"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Every job created, then polled a few times more than there are jobs.
	deadline := time.Now().Add(20 * time.Second)
	for srv.Stats().JobsCreated < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	polls := srv.Stats().Requests["GetExtractJob"]
	for srv.Stats().Requests["GetExtractJob"] < polls+12 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("after Ctrl-C: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "3 document(s) in status QUEUED_FOR_REVIEW") {
		t.Fatalf("the summary does not name the unknown status:\n%s", stderr.String())
	}
}
