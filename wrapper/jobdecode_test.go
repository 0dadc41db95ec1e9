package wrapper

import (
	"encoding/json"
	"reflect"
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
