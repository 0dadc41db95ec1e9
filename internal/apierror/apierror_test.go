package apierror

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestIssuesFromOddBodies(t *testing.T) {
	cases := []struct {
		name, body string
		want       []Issue
	}{
		{"string detail", `{"detail":"nope"}`, nil},
		{"no detail", `{"message":"x"}`, nil},
		{"not JSON", `<html>`, nil},
		{"empty list", `{"detail":[]}`, nil},
		{"entries that are not objects are skipped", `{"detail":[1,"x",{"loc":["query","status"],"msg":"bad","type":"enum"}]}`,
			[]Issue{{Loc: []string{"query", "status"}, In: "query", Path: "status", Msg: "bad", Type: "enum"}}},
		{"null entries are skipped too, so the first issue is a field", `{"detail":[null,{"loc":["body","a"],"msg":"ok","type":"t"}]}`,
			[]Issue{{Loc: []string{"body", "a"}, In: "body", Path: "a", Msg: "ok", Type: "t"}}},
		{"a msg or type that is not a string keeps the entry and its loc", `{"detail":[{"loc":["body","x"],"msg":123,"type":{"k":1}}]}`,
			[]Issue{{Loc: []string{"body", "x"}, In: "body", Path: "x", Msg: "123", Type: `{"k":1}`}}},
		{"nested path with indexes", `{"detail":[{"loc":["body","webhook_configurations",1,"webhook_events",0],"msg":"m","type":"enum"}]}`,
			[]Issue{{Loc: []string{"body", "webhook_configurations", "1", "webhook_events", "0"}, In: "body", Path: "webhook_configurations[1].webhook_events[0]", Msg: "m", Type: "enum"}}},
		{"JSON decode error at a byte offset is the body", `{"detail":[{"loc":["body",12],"msg":"JSON decode error","type":"json_invalid"}]}`,
			[]Issue{{Loc: []string{"body", "12"}, In: "body", Msg: "JSON decode error", Type: "json_invalid"}}},
		{"loc without a part (older servers)", `{"detail":[{"loc":["file_input"],"msg":"field required","type":"value_error.missing"}]}`,
			[]Issue{{Loc: []string{"file_input"}, Path: "file_input", Msg: "field required", Type: "value_error.missing"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Issues([]byte(c.body))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	if f := (Issue{In: "body"}).Field(); f != "body" {
		t.Errorf("Field of a whole-body issue = %q", f)
	}
	if f := (Issue{}).Field(); f != "request" {
		t.Errorf("Field of an issue without a loc = %q", f)
	}
}

// FuzzIssues: any error body a server sends reads without a panic, and
// every issue read names a field for the message.
func FuzzIssues(f *testing.F) {
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
		for _, is := range Issues(body) {
			if is.Field() == "" {
				t.Fatalf("issue %+v names no field", is)
			}
			_ = Summary(is, 2)
		}
		_ = Detail(body)
	})
}

// Read keeps at most limit bytes, takes the most specific request ID
// header and the server's wait, and reads detail and issues from the body
// it kept.
func TestRead(t *testing.T) {
	body := `{"detail":[{"loc":["query","status"],"msg":"bad","type":"enum"},{"loc":["body"],"msg":"m","type":"t"}]}`
	resp := &http.Response{StatusCode: 422, Body: io.NopCloser(strings.NewReader(body + "tail beyond the limit")),
		Header: http.Header{"Request-Id": {"second"}, "X-Request-Id": {"first"}, "Retry-After": {"2"}}}
	a := Read(resp, int64(len(body)), time.Now())
	if string(a.Body) != body || a.RequestID != "first" || a.RetryAfter != 2*time.Second {
		t.Fatalf("read %+v", a)
	}
	if a.Detail != "status: bad; body: m" || len(a.Issues) != 2 {
		t.Fatalf("detail %q, issues %+v", a.Detail, a.Issues)
	}
	if s := Summary(a.Issues[0], 3); s != "status: bad (and 2 more issues)" {
		t.Errorf("Summary of 3 = %q", s)
	}
	if s := Summary(a.Issues[0], 1); s != "status: bad" {
		t.Errorf("Summary of 1 = %q", s)
	}
	empty := Read(&http.Response{Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, 64, time.Now())
	if empty.RequestID != "" || empty.RetryAfter != 0 || empty.Issues != nil || empty.Detail != "" {
		t.Errorf("an empty answer read as %+v", empty)
	}
}
