package wrapper

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/extract-go/llamaextract/generated"
)

// FuzzJobMetadataWire: the fast metadata decoder gives exactly what the
// generated one gives, extra keys included, for anything a server sends.
func FuzzJobMetadataWire(f *testing.F) {
	for _, s := range []string{
		`{"usage":{"num_pages_extracted":1,"num_document_tokens":812,"num_output_tokens":40,"num_pages_billed":1}}`,
		`{}`,
		`{"usage":null}`,
		`{"usage":{"num_pages_billed":2},"region":"eu","nested":{"usage":1,"x":[{"y":"}"}]}}`,
		`{"usa\u0067e":{"num_pages_billed":3}}`,
		`{"usage":{"num_pages_billed":1},"usage2":"\"usage\""}`,
		`{ "usage" : { "num_output_tokens" : 7 } , "a\\\"b" : [1, {"c": "d"}] }`,
		`{"usage":{"num_pages_billed":"x"}}`,
		`{"usage":{"num_pages_billed":1},"usage":{"num_output_tokens":2}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		var slow generated.JobMetadata
		slowErr := json.Unmarshal([]byte(raw), &slow)
		var fast jobMetadataWire
		fastErr := json.Unmarshal([]byte(raw), &fast)
		if (slowErr == nil) != (fastErr == nil) {
			t.Fatalf("%s: generated %v, fast %v", raw, slowErr, fastErr)
		}
		if slowErr == nil && !reflect.DeepEqual(slow, generated.JobMetadata(fast)) {
			t.Fatalf("%s:\ngenerated %+v\n     fast %+v", raw, slow, generated.JobMetadata(fast))
		}
		if onlyKey([]byte(raw), "usage") {
			var keys map[string]json.RawMessage
			if json.Unmarshal([]byte(raw), &keys) == nil {
				for k := range keys {
					if k != "usage" {
						t.Fatalf("%s: onlyKey missed %q", raw, k)
					}
				}
			}
		}
	})
}

// The list and the job keep every metadata key the server sent.
func TestJobWireKeepsMetadata(t *testing.T) {
	var page wirePage
	body := `{"items":[{"id":"ext-1","status":"COMPLETED","metadata":{"usage":{"num_pages_billed":2}}},{"id":"ext-2","metadata":{"usage":{"num_pages_billed":3},"region":"eu"}},{"id":"ext-3"}]}`
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	j1, j2, j3 := page.Items[0].job(), page.Items[1].job(), page.Items[2].job()
	if j1.Id != "ext-1" || j1.State() != StatusCompleted || *j1.ExtractV2Job.Metadata.Usage.NumPagesBilled != 2 || j1.ExtractV2Job.Metadata.AdditionalProperties != nil {
		t.Fatalf("job 1: %+v", j1.ExtractV2Job.Metadata)
	}
	if *j2.ExtractV2Job.Metadata.Usage.NumPagesBilled != 3 || j2.ExtractV2Job.Metadata.AdditionalProperties["region"] != "eu" {
		t.Fatalf("job 2: %+v", j2.ExtractV2Job.Metadata)
	}
	if j3.ExtractV2Job.Metadata != nil {
		t.Fatalf("job 3: %+v", j3.ExtractV2Job.Metadata)
	}
}
