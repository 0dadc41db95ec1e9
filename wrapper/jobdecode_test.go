package wrapper

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
)

// FuzzRespWireMatchesJob: the hot-path decoder gives the same job as
// Job.UnmarshalJSON (the public path), field by field, apart from the raw
// configuration the public path also keeps.
func FuzzRespWireMatchesJob(f *testing.F) {
	f.Add(`{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01 00:00:09","configuration_id":"cfg-1","error_message":"x","configuration":{"data_schema":{"type":"object","properties":{"a":{"type":"string"}}},"extraction_target":"per_table_row","tier":"agentic","cite_sources":true,"max_pages":3,"sheet_names":["s"],"version":"latest"},"extract_result":[{"a":"b"}],"extract_metadata":{"field_metadata":{"row_metadata":[{}]}},"metadata":{"usage":{"num_pages_billed":2}},"usage":{"credits":1.5}}`)
	f.Add(`{"id":"ext-2","status":"RUNNING","configuration":null,"extract_result":null}`)
	f.Add(`{"id":"ext-3","status":"FAILED","configuration":{"cite_sources":null,"data_schema":null}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var pub Job
		pubErr := json.Unmarshal([]byte(raw), &pub)
		var w respWire[json.RawMessage]
		hotErr := json.Unmarshal([]byte(raw), &w)
		if pubErr != nil || hotErr != nil {
			return // the public path also checks what it keeps; both must merely not panic
		}
		hot := w.job()
		pub.configuration = nil
		if !reflect.DeepEqual(*hot, pub) {
			t.Fatalf("%s:\n hot %+v\n pub %+v", raw, *hot, pub)
		}
	})
}

// decodePage decodes body as listJobsPage does, with staging for n jobs.
func decodePage(body []byte, n int) (*ListPage[*Job], error) {
	var s pageState
	s.prepare(n)
	p := &pageInto{Items: s.items(), body: body}
	if err := json.Unmarshal(body, p); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	page := &ListPage[*Job]{NextPageToken: deref(p.NextPageToken), TotalSize: p.TotalSize}
	for i, it := range p.Items {
		j, err := s.job(i, it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, j)
	}
	return page, nil
}

// FuzzJobPageMatchesWire: a page of jobs decoded straight into staged
// Jobs, with staging for fewer, as many and more jobs than the page has,
// gives the jobs, token and total that decoding into the wire type gives;
// and one fails only when the other does. (Differences are left on
// purpose for a member repeated within a job, which a server never sends;
// TestRepeatedMemberMatchesWire holds what matches: a string member given
// a value after a null and then null again keeps an earlier value in a
// staged job, and past the staging a string member with null last is
// empty here, its value in the wire type.)
func FuzzJobPageMatchesWire(f *testing.F) {
	job := `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01 00:00:09","configuration_id":"cfg-1","error_message":"x","configuration":{"data_schema":{"type":"object","properties":{"a":{"type":"string"}}},"extraction_target":"per_table_row","tier":"agentic","cite_sources":true,"max_pages":3,"sheet_names":["s"],"version":"latest"},"extract_result":[{"a":"b"}],"extract_metadata":{"field_metadata":{}},"metadata":{"usage":{"num_pages_billed":2}},"usage":{"credits":1.5}}`
	f.Add(`{"items":[` + job + `,{"id":"ext-2","status":"RUNNING","configuration":null,"extract_result":null}],"next_page_token":"t","total_size":2}`)
	f.Add(`{"items":[],"next_page_token":null}`)
	f.Add(`{"total_size":1,"items":[` + job + `],"extra":{"a":[1,{"b":null}]}}`)
	f.Add(`{"items":[null]}`)
	f.Add(`{"items":[{}]}`)
	f.Add(`{"items":null}`)
	f.Add(`{"items":[` + job + `]} x`)
	f.Add(`{"items":[{"id":5,"status":"X"}]}`)
	f.Add(`{"items":[` + job + `],"items":[]}`)
	f.Add(`{"items":[{"id":"e","status":"S","created_at":"yesterday"}]}`)
	// Member names match without case in encoding/json: "ID" after "id"
	// is the same member repeated.
	f.Add(`{"items":[{"id":null,"ID":"ext-1","status":"S"}]}`)
	f.Add(`{"items":[{"id":"ext-1","status":"S","extract_result":{"a":1},"EXTRACT_RESULT":null}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var w pageWire[*respWire[json.RawMessage]]
		wantErr := json.Unmarshal([]byte(body), &w)
		if wantErr == nil {
			wantErr = w.validate()
		}
		for _, n := range []int{1, 2, 50} {
			fuzzPageAgainstWire(t, body, n, &w, wantErr)
		}
	})
}

func fuzzPageAgainstWire(t *testing.T, body string, n int, w *pageWire[*respWire[json.RawMessage]], wantErr error) {
	{
		got, gotErr := decodePage([]byte(body), n)
		if (wantErr == nil) != (gotErr == nil) {
			if hasRepeatedMember(body) {
				return // the repeated-member difference above
			}
			t.Fatalf("%s (staging %d):\n wire:   %v\n staged: %v", body, n, wantErr, gotErr)
		}
		if gotErr != nil {
			return
		}
		if len(got.Items) != len(w.Items) || got.NextPageToken != deref(w.NextPageToken) || !reflect.DeepEqual(got.TotalSize, w.TotalSize) {
			t.Fatalf("%s (staging %d): %d items, token %q, total %v", body, n, len(got.Items), got.NextPageToken, got.TotalSize)
		}
		for i, it := range w.Items {
			want := it.job()
			if !reflect.DeepEqual(got.Items[i], want) && !hasRepeatedMember(body) {
				t.Fatalf("%s (staging %d): item %d\n staged %+v\n wire   %+v", body, n, i, *got.Items[i], *want)
			}
		}
	}
}

// hasRepeatedMember reports whether some object in body has a member name
// twice, as encoding/json matches names: without case (or body is not
// JSON).
func hasRepeatedMember(body string) bool {
	dec := json.NewDecoder(strings.NewReader(body))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string token in this object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return true
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, isKey := tok.(string); isKey && top != nil && top.object && top.key {
			k = strings.ToLower(strings.ToUpper(k))
			if top.keys[k] {
				return true
			}
			top.keys[k], top.key = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended: a key comes next
		}
	}
}

// A member repeated within a job (encoding/json takes the last, and
// matches names without case) decodes into a staged Job as into the wire
// type, whatever the nulls among the repeats: a null unaims jobInto's
// pointer, so a value after it lands in memory of its own, which must not
// be lost (it was: "extract_result":null then a result listed a job
// without its result), and a raw member whose last value is null is absent.
func TestRepeatedMemberMatchesWire(t *testing.T) {
	members := map[string][2]string{
		"id": {`"ext-a"`, `"ext-b"`}, "status": {`"RUNNING"`, `"PAUSED"`}, "file_input": {`"dfl-a"`, `"dfl-b"`},
		"configuration_id": {`"cfg-a"`, `"cfg-b"`}, "project_id": {`"p-a"`, `"p-b"`}, "error_message": {`"a"`, `"b"`},
		"extract_result": {`{"a":1}`, `[2]`}, "extract_metadata": {`{"a":1}`, `{"b":2}`}, "metadata": {`{"a":1}`, `{"b":2}`},
		"usage": {`{"a":1}`, `{"b":2}`}, "created_at": {`"2026-01-01T00:00:00Z"`, `"2026-02-02T00:00:00Z"`},
		"configuration": {`{"tier":"agentic"}`, `{"tier":"turbo"}`},
	}
	for name, v := range members {
		for _, seq := range [][]string{
			{v[0], "null"}, {"null", v[0]}, {v[0], "null", v[1]}, {v[0], v[1]}, {"null", v[0], v[1]}, {v[0], "null", "null"},
		} {
			var b strings.Builder
			b.WriteString(`{"items":[{`)
			if name != "id" {
				b.WriteString(`"id":"ext-1",`)
			}
			if name != "status" {
				b.WriteString(`"status":"COMPLETED",`)
			}
			for k, val := range seq {
				key := name
				if k%2 == 1 {
					key = strings.ToUpper(name) // the same member to encoding/json
				}
				if k > 0 {
					b.WriteString(",")
				}
				b.WriteString(`"` + key + `":` + val)
			}
			b.WriteString(`}]}`)
			body := b.String()
			var w pageWire[*respWire[json.RawMessage]]
			wantErr := json.Unmarshal([]byte(body), &w)
			if wantErr == nil {
				wantErr = w.validate()
			}
			got, gotErr := decodePage([]byte(body), 5)
			if (wantErr == nil) != (gotErr == nil) {
				t.Errorf("%s:\n wire:   %v\n staged: %v", body, wantErr, gotErr)
				continue
			}
			if gotErr == nil && !reflect.DeepEqual(got.Items[0], w.Items[0].job()) {
				t.Errorf("%s:\n staged %+v\n wire   %+v", body, *got.Items[0], *w.Items[0].job())
			}
		}
	}
}
