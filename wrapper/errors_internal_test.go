package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
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

func TestFieldIssuesFromOddBodies(t *testing.T) {
	cases := []struct {
		name, body string
		want       []FieldIssue
	}{
		{"string detail", `{"detail":"nope"}`, nil},
		{"no detail", `{"message":"x"}`, nil},
		{"not JSON", `<html>`, nil},
		{"empty list", `{"detail":[]}`, nil},
		{"entries that are not objects are skipped", `{"detail":[1,"x",{"loc":["query","status"],"msg":"bad","type":"enum"}]}`,
			[]FieldIssue{{Loc: []string{"query", "status"}, In: "query", Path: "status", Msg: "bad", Type: "enum"}}},
		{"null entries are skipped too, so the first issue is a field", `{"detail":[null,{"loc":["body","a"],"msg":"ok","type":"t"}]}`,
			[]FieldIssue{{Loc: []string{"body", "a"}, In: "body", Path: "a", Msg: "ok", Type: "t"}}},
		{"a msg or type that is not a string keeps the entry and its loc", `{"detail":[{"loc":["body","x"],"msg":123,"type":{"k":1}}]}`,
			[]FieldIssue{{Loc: []string{"body", "x"}, In: "body", Path: "x", Msg: "123", Type: `{"k":1}`}}},
		{"nested path with indexes", `{"detail":[{"loc":["body","webhook_configurations",1,"webhook_events",0],"msg":"m","type":"enum"}]}`,
			[]FieldIssue{{Loc: []string{"body", "webhook_configurations", "1", "webhook_events", "0"}, In: "body", Path: "webhook_configurations[1].webhook_events[0]", Msg: "m", Type: "enum"}}},
		{"JSON decode error at a byte offset is the body", `{"detail":[{"loc":["body",12],"msg":"JSON decode error","type":"json_invalid"}]}`,
			[]FieldIssue{{Loc: []string{"body", "12"}, In: "body", Msg: "JSON decode error", Type: "json_invalid"}}},
		{"loc without a part (older servers)", `{"detail":[{"loc":["file_input"],"msg":"field required","type":"value_error.missing"}]}`,
			[]FieldIssue{{Loc: []string{"file_input"}, Path: "file_input", Msg: "field required", Type: "value_error.missing"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fieldIssues([]byte(c.body))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	if f := (FieldIssue{In: "body"}).Field(); f != "body" {
		t.Errorf("Field of a whole-body issue = %q", f)
	}
	if f := (FieldIssue{}).Field(); f != "request" {
		t.Errorf("Field of an issue without a loc = %q", f)
	}
}

// FuzzFieldIssues: any error body a server sends reads without a panic, and
// every issue read names a field for the message.
func FuzzFieldIssues(f *testing.F) {
	for _, seed := range []string{
		`{"detail":[{"loc":["query","status"],"msg":"m","type":"enum"}]}`,
		`{"detail":[{"loc":["body",0],"msg":"JSON decode error","type":"json_invalid"}]}`,
		`{"detail":[{"loc":[],"msg":"","type":""},{"loc":[null,true,1.5,{"a":1}]}]}`,
		`{"detail":[null,[],"x",3]}`,
		`{"detail":"text"}`,
		`{"detail":[`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, is := range fieldIssues(body) {
			if is.Field() == "" {
				t.Fatalf("issue %+v names no field", is)
			}
			_ = issuesSummary([]FieldIssue{is})
		}
		_ = errorDetail(body)
	})
}
