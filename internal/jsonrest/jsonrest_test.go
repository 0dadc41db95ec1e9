package jsonrest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var (
	topNames    = map[string]bool{"id": true, "status": true, "configuration": true}
	nestedNames = map[string]bool{"data_schema": true, "tier": true}
	top         = NewNames("", topNames).Copied("extract_result")
	nested      = NewNames("configuration", nestedNames).Copied("data_schema")
)

// restWant is what ItemRests must keep of one item, by encoding/json: its
// members not in topNames or null, and its configuration's members not in
// nestedNames or null.
func restWant(item json.RawMessage) map[string]any {
	var m map[string]json.RawMessage
	if json.Unmarshal(item, &m) != nil {
		return map[string]any{}
	}
	out := map[string]any{}
	for k, v := range m {
		var x any
		_ = json.Unmarshal(v, &x)
		switch {
		case !topNames[k] || x == nil:
			out[k] = x
		case k == "configuration":
			if cfg, ok := x.(map[string]any); ok {
				inner := map[string]any{}
				for ck, cv := range cfg {
					if !nestedNames[ck] || cv == nil {
						inner[ck] = cv
					}
				}
				if len(inner) > 0 {
					out[k] = inner
				}
			}
		}
	}
	return out
}

// ItemRests must keep exactly the members encoding/json finds in each
// item, or say it cannot (the caller then asks encoding/json).
func FuzzItemRests(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"id":"a","x":1},{"id":"b","y":"]}\"{[","configuration":{"data_schema":{},"z":[1]}}]}`,
		`{"items":[] , "next_page_token":"t"}`,
		`{"next_page_token":null,"items":[{"a":[1,{"b":"\\\\"}]},null,2,"s",true]}`,
		`{"items":[{"id":1,"q":1}],"items":[{"id":2},{"k":3}]}`,
		`{"Items":[{"id":1}]}`,
		`{"\u0069tems":[{"id":1}]}`,
		`{"x":{"items":[1,2]},"items":[{"status":"x","extract_result":{"a":1},"configuration":null}]}`,
		` { "items" : [ { } , { "k" : "v" , "id" : "i" } ] } `,
		`{"items":[{"configuration":{"z":1},"configuration":null}]}`,
		`{"items":[{"id":null,"x":null,"id":"a","configuration":{"tier":null,"tier":"t","data_schema":null}}]}`,
		`{"items":[{"configuration":null,"configuration":{"tier":null}}]}`,
		`{"items":[{"configuration":{"data_schema":{"a":"}"},"x":1}},{"configuration":{"data_schema":{"a":"}","b":2},"y":[]}}]}`,
		`{"items":[{"configuration":{"data_schema":1,"data_schema":{"q":"1"}}},{"configuration":{"data_schema":"1","x":{}}}]}`,
		`{"items":[{"configuration":{"data_schema":[1],"k":0}},{"configuration":{"data_schema":[1,2],"k":0}}]}`,
		`{"items":[{"configuration":{"data_schema":12,"k":0}},{"configuration":{"data_schema":1}}]}`,
		`{"items":[{"extract_result":{"a":"}"},"x":1},{"extract_result":{"a":"}","b":[]},"id":2}]}`,
		`{"items":[{"extract_result":[1],"extract_result":"s","k":{}},{"extract_result":[1,2]},{"extract_result":12},{"extract_result":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(body, &page) != nil {
			return // never scanned: the caller decodes first
		}
		// The scan must keep the same with and without the values of
		// data_schema and extract_result encoding/json handed over, and
		// with another item's (still whole values, which the scan must
		// not jump over where the value differs). A repeated "items" is
		// scanned too: its elements get the last one's values, by index,
		// or none past its end.
		copies := copiedValues(page.Items)
		at := func(i int, m string) []byte {
			if i < len(copies) {
				return copies[i][m]
			}
			return nil
		}
		for _, copied := range []func(int, string) []byte{nil, at, func(i int, m string) []byte { return at((i+1)%max(1, len(copies)), m) }} {
			checkRests(t, body, page.Items, copied)
		}
	})
}

// copiedValues is each item's configuration.data_schema and
// extract_result as encoding/json copies them (none for null).
func copiedValues(items []json.RawMessage) []map[string][]byte {
	out := make([]map[string][]byte, len(items))
	for i, it := range items {
		var v struct {
			Configuration struct {
				DataSchema json.RawMessage `json:"data_schema"`
			} `json:"configuration"`
			ExtractResult json.RawMessage `json:"extract_result"`
		}
		out[i] = map[string][]byte{}
		if json.Unmarshal(it, &v) == nil {
			out[i]["data_schema"], out[i]["extract_result"] = v.Configuration.DataSchema, v.ExtractResult
		}
	}
	return out
}

func checkRests(t *testing.T, body []byte, items []json.RawMessage, copied func(int, string) []byte) {
	t.Helper()
	page := struct{ Items []json.RawMessage }{items}
	rests, ok := ItemRests(body, top, nested, copied)
	if !ok {
		return
	}
	if len(rests) != len(page.Items) {
		t.Fatalf("%d rests, encoding/json found %d items in %s", len(rests), len(page.Items), body)
	}
	for i, rest := range rests {
		got := map[string]any{}
		if rest != nil {
			if err := json.Unmarshal(rest, &got); err != nil {
				t.Fatalf("item %d: rest %s: %v", i, rest, err)
			}
		}
		if want := restWant(page.Items[i]); !reflect.DeepEqual(got, want) {
			t.Fatalf("item %d of %s: kept %v, want %v", i, body, got, want)
		}
		if item := page.Items[i]; len(item) > 0 && item[0] == '{' {
			if again := Rest(page.Items[i], top, nested); !reflect.DeepEqual(string(again), string(rest)) {
				t.Fatalf("item %d: Rest %s, ItemRests %s", i, again, rest)
			}
		}
	}
}

// A value that cannot be walked as an object is copied whole.
func TestRestOfNonObject(t *testing.T) {
	for _, in := range []string{`null`, `[1]`, `"s"`, `{"a":`} {
		if got := Rest([]byte(in), top, nested); string(got) != in {
			t.Errorf("%s: %s", in, got)
		}
	}
}

// Cut JSON is never read past its end.
func TestCutStrings(t *testing.T) {
	for _, in := range []string{`"\`, `"abc\`, `"` + "0123456789abcde\\", `{"a":"\`, `{"items":["\`} {
		if got := skipString([]byte(in), 0); got != -1 && in[0] == '"' {
			t.Errorf("%q: %d", in, got)
		}
		_ = Rest([]byte(in), top, nested)
		_, _ = ItemRests([]byte(in), top, nested, func(int, string) []byte { return []byte(`"\\"`) })
	}
}

// BenchmarkItemRests scans a page of 100 jobs of about 2 KB, each with a
// configuration, a result and metadata, as the IterateJobs row lists.
func BenchmarkItemRests(b *testing.B) {
	job := `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:09Z","file_input":"dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","project_id":"prj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","status":"COMPLETED","configuration":{"data_schema":{"type":"object","properties":{` +
		strings.Repeat(`"invoice_number":{"type":"string","description":"The invoice number as printed on the invoice"},`, 9) +
		`"total":{"type":"number","description":"The total as printed on the invoice"}}},"cite_sources":true,"tier":"cost_effective","version":"2026-01-08"},"extract_result":{"invoice_number":"INV-2026-0042","vendor":"Acme Corporation","total":1204.5},"metadata":{"usage":{"num_pages_extracted":1,"num_pages_billed":1}}}`
	page := []byte(`{"items":[` + strings.Repeat(job+",", 99) + job + `]}`)
	b.SetBytes(int64(len(page)))
	var items struct{ Items []json.RawMessage }
	if err := json.Unmarshal(page, &items); err != nil {
		b.Fatal(err)
	}
	copies := copiedValues(items.Items)
	for _, c := range []struct {
		name   string
		copied func(int, string) []byte
	}{{"walk", nil}, {"jump", func(i int, m string) []byte { return copies[i][m] }}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if rests, ok := ItemRests(page, top, nested, c.copied); !ok || len(rests) != 100 {
					b.Fatal(ok, len(rests))
				}
			}
		})
	}
}

// A modelled timestamp is kept when re-encoding would write it otherwise
// (not UTC "...Z"), and dropped when a later one replaces it.
func TestRestKeepsTimes(t *testing.T) {
	names := NewNames("", map[string]bool{"id": true, "at": true}).Times("at")
	for in, want := range map[string]string{
		`{"id":"a","at":"2026-01-01T00:00:00Z"}`:                            ``,
		`{"id":"a","at":"2026-01-01T00:00:00.5Z","x":1}`:                    `{"x":1}`,
		`{"id":"a","at":"2026-01-01T00:00:00"}`:                             `{"at":"2026-01-01T00:00:00"}`,
		`{"at":"2026-01-01 00:00:00Z"}`:                                     `{"at":"2026-01-01 00:00:00Z"}`,
		`{"at":"2026-01-01T00:00:00+02:00","id":null}`:                      `{"at":"2026-01-01T00:00:00+02:00","id":null}`,
		`{"at":"2026-01-01T00:00:00","at":"2026-01-01T00:00:00Z"}`:          ``,
		`{"id":"1","at":"2026-01-01T00:00:00","id":null,"at":"2026-01-01"}`: `{"id":null,"at":"2026-01-01"}`,
	} {
		if got := Rest([]byte(in), names, nil); string(got) != want {
			t.Errorf("%s: rest %s, want %s", in, got, want)
		}
	}
}
