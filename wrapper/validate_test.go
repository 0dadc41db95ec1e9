package wrapper

import (
	"encoding/json"
	"testing"
)

// A 2xx answer that decodes but lacks what the spec requires ({} or an
// empty id) must not pass for a job, file, configuration or page: each
// answer type says what is missing, for the request layer to refuse it.
func TestValidateRequiredFields(t *testing.T) {
	type validator interface{ validate() error }
	cases := []struct {
		name string
		raw  string
		into func() validator
		ok   bool
	}{
		{"job", `{"id":"ext-1","status":"PENDING"}`, func() validator { return new(jobWire[ignored]) }, true},
		{"job {}", `{}`, func() validator { return new(jobWire[ignored]) }, false},
		{"job empty id", `{"id":"","status":"PENDING"}`, func() validator { return new(jobWire[ignored]) }, false},
		{"job no status", `{"id":"ext-1"}`, func() validator { return new(jobWire[ignored]) }, false},
		{"typed job", `{"id":"ext-1","status":"RUNNING","extract_result":null}`, func() validator { return new(jobWire[*map[string]any]) }, true},
		{"typed job {}", `{}`, func() validator { return new(jobWire[*map[string]any]) }, false},
		{"file", `{"id":"dfl-1","name":"a.pdf","project_id":"p"}`, func() validator { return new(File) }, true},
		{"file no name", `{"id":"dfl-1"}`, func() validator { return new(File) }, false},
		{"configuration", `{"id":"cfg-1","name":"n"}`, func() validator { return new(SavedConfig) }, true},
		{"configuration {}", `{}`, func() validator { return new(SavedConfig) }, false},
		{"page", `{"items":[]}`, func() validator { return new(pageWire[*jobWire[ignored]]) }, true},
		{"page {}", `{}`, func() validator { return new(pageWire[*jobWire[ignored]]) }, false},
		{"page bad item", `{"items":[{"id":"ext-1","status":"PENDING"},{}]}`, func() validator { return new(pageWire[*jobWire[ignored]]) }, false},
		{"page bad file", `{"items":[{"id":"dfl-1"}]}`, func() validator { return new(pageWire[*File]) }, false},
		{"draft", `{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{}}}`, func() validator { return new(draftWire) }, true},
		{"draft {}", `{}`, func() validator { return new(draftWire) }, false},
	}
	for _, tc := range cases {
		v := tc.into()
		if err := json.Unmarshal([]byte(tc.raw), v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := v.validate(); (err == nil) != tc.ok {
			t.Errorf("%s: validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
