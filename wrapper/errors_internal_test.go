package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/extract-go/llamaextract/internal/redact"
)

// TestScrubErrorSharedAcrossGoroutines: one error value can reach the
// scrubber from several requests at once (a batch cancels with an item's
// error as the context cause); scrubbing text that holds no key must not
// write to it, or -race reports the shared value.
func TestScrubErrorSharedAcrossGoroutines(t *testing.T) {
	s := redact.New("llx-0123456789abcdefSECRET")
	shared := &APIError{Operation: "GetExtractJob", StatusCode: 500, Detail: "boom", URL: "http://127.0.0.1/x",
		Body: []byte(`{"detail":"boom"}`), Header: http.Header{"X-Request-Id": {"r1"}},
		Issues: []FieldIssue{{Loc: []string{"query", "status"}, Msg: "bad", Type: "enum"}}}
	inner := &InvalidResponseError{Operation: "GetExtractJob", Reason: "cannot decode", Err: shared}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if err := scrubError(s, fmt.Errorf("item: %w", inner)); !errors.Is(err, inner) {
					t.Errorf("scrubbing lost the chain: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if shared.Detail != "boom" || string(shared.Body) != `{"detail":"boom"}` {
		t.Fatalf("clean text changed: %+v", shared)
	}
}

// A FieldIssue names the part of the request when no path is known, and
// "request" when not even the part is.
func TestFieldIssueField(t *testing.T) {
	if f := (FieldIssue{In: "body"}).Field(); f != "body" {
		t.Errorf("Field of a whole-body issue = %q", f)
	}
	if f := (FieldIssue{}).Field(); f != "request" {
		t.Errorf("Field of an issue without a loc = %q", f)
	}
	if s := (FieldIssue{In: "query", Path: "status", Msg: "bad"}).String(); s != "status: bad" {
		t.Errorf("String = %q", s)
	}
}
