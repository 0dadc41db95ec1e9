package wrapper

import (
	"bytes"
	"encoding/json"
	"testing"
)

// itemSpans must find exactly the elements encoding/json decodes as the
// page's items, or say it cannot (listJobsPage then asks encoding/json).
func FuzzItemSpans(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"id":"a"},{"id":"b","x":"]}\"{["}]}`,
		`{"items":[] , "next_page_token":"t"}`,
		`{"next_page_token":null,"items":[{"a":[1,{"b":"\\\\"}]},null,2,"s",true]}`,
		`{"items":[{"id":1}],"items":[{"id":2},{"id":3}]}`,
		`{"Items":[{"id":1}]}`,
		`{"\u0069tems":[{"id":1}]}`,
		`{"x":{"items":[1,2]},"items":[3]}`,
		` { "items" : [ { } , { "k" : "v" } ] } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want struct {
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(body, &want) != nil {
			return // listJobsPage never scans a body encoding/json refused
		}
		spans, ok := itemSpans(body)
		if !ok {
			return
		}
		if len(spans) != len(want.Items) {
			t.Fatalf("%d spans, encoding/json found %d items in %s", len(spans), len(want.Items), body)
		}
		for i := range spans {
			if !bytes.Equal(spans[i], want.Items[i]) {
				t.Fatalf("item %d: span %s, encoding/json %s", i, spans[i], want.Items[i])
			}
		}
	})
}
