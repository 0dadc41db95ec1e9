package wrapper

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// streamOf runs streamRows over body as if it were a response, with an
// optional metadata body, and returns the rows and the error.
func streamOf(body, meta string, maxBody int64) ([]Row[map[string]any], error) {
	open := func(b string) *bodyStream {
		resp := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(b))}
		return newBodyStream(context.Background(), &Client{maxBody: maxBody}, nil, resp)
	}
	var ms *metaStream
	if meta != "" {
		ms = newMetaStream(open(meta))
	}
	var rows []Row[map[string]any]
	err := streamRows(open(body), ms, func(r Row[map[string]any], err error) bool {
		rows = append(rows, r)
		return true
	})
	return rows, err
}

// FuzzRows: nothing a server sends makes the stream panic, and a body that
// streamed cleanly is never accepted when cut short.
func FuzzRows(f *testing.F) {
	const job = `{"id":"ext-1","status":"COMPLETED"`
	f.Add(job+`,"extract_result":[{"a":1},{"b":[2,{"c":null}]}]}`, job+`,"extract_metadata":{"field_metadata":{"row_metadata":[{"a":{"confidence":1}}]}}}`, uint(10))
	f.Add(job+`,"extract_metadata":{"field_metadata":{"row_metadata":[1,"x",{}]}},"extract_result":[{},{},{}]}`, job+`,"extract_result":[{}],"extract_metadata":{"field_metadata":{"page_metadata":[{"p":{"citation":[{"page":1}]}}]}}}`, uint(40))
	f.Add(job+`,"extract_result":{"per":"doc"}}`, "", uint(3))
	f.Add(`{"status":"FAILED","extract_result":null}`, `{"extract_metadata":null}`, uint(0))
	f.Add(`[]`, `{"extract_metadata":{"field_metadata":{"row_metadata":{}}}}`, uint(1))
	f.Add(job+`,"extract_result":[{"a":"\u00e9\"]}"},[1],"s",null]}`, `{"extract_metadata":{"field_metadata":[]}}`, uint(20))
	f.Fuzz(func(t *testing.T, body, meta string, cut uint) {
		rows, err := streamOf(body, meta, 1<<20)
		if err != nil {
			return
		}
		for i, r := range rows {
			if r.Index != i {
				t.Fatalf("row %d has index %d", i, r.Index)
			}
		}
		// The stream read the body to its closing brace: any strict prefix
		// of what it accepted must fail.
		end := len(strings.TrimRight(body, " \t\r\n"))
		if n := int(cut % uint(end)); n < end {
			if _, err := streamOf(body[:n], meta, 1<<20); err == nil && json.Valid([]byte(body)) {
				t.Fatalf("prefix %q of %q accepted", body[:n], body)
			}
		}
		// The cap is a cap.
		if len(body) > 8 {
			if _, err := streamOf(body, meta, 4); err == nil {
				t.Fatalf("%d-byte body accepted under a 4-byte cap", len(body))
			}
		}
	})
}
