package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// A job in a status the client does not know (a proxy answers every
// unfinished job with QUEUED_FOR_REVIEW): extract keeps waiting, as the
// spec says, but its progress names the status and says why the wait does
// not end, instead of saying nothing until the timeout.
func TestExtractNamesAnUnknownStatus(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(time.Hour))
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		for _, st := range []string{"PENDING", "RUNNING"} {
			b = bytes.ReplaceAll(b, []byte(`"status":"`+st+`"`), []byte(`"status":"QUEUED_FOR_REVIEW"`))
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	doc := writeFile(t, "inv.txt", "Vendor: Acme\n")
	schema := writeFile(t, "s.json", schemaJSON)
	r := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + front.URL, "LLAMA_CLOUD_API_KEY=k"},
		"extract", doc, "--schema", schema, "--timeout", "300ms", "--poll-interval", "20ms")
	if !strings.Contains(r.stderr, `"QUEUED_FOR_REVIEW" (a status this client does not know`) {
		t.Fatalf("exit %d; the progress does not name the unknown status: %s", r.code, r.stderr)
	}
}
