package wrapper

import (
	"encoding/json"
	"testing"

	"github.com/extract-go/llamaextract/internal/createguard"
)

// Every configuration field takes part in the match, and so does the
// saved configuration's ID.
func TestCompareConfigWholeRequest(t *testing.T) {
	schema := ExtractConfig{Schema: MustSchemaFor[struct {
		A string `json:"a"`
	}]()}
	recovery := func(cfg Config) *createRecovery {
		b, err := CreateJobRequest{FileInput: "dfl-1", Config: cfg}.body()
		if err != nil {
			t.Fatal(err)
		}
		sent, err := b.encode()
		if err != nil {
			t.Fatal(err)
		}
		return &createRecovery{body: b, sent: sent}
	}
	// job is a listed job whose configuration is cfg's JSON with extra.
	job := func(cfg ExtractConfig, extra map[string]any) *Job {
		raw, _ := json.Marshal(cfg)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		for k, v := range extra {
			m[k] = v
		}
		b, _ := json.Marshal(map[string]any{"id": "ext-1", "status": "COMPLETED", "file_input": "dfl-1", "configuration": m})
		var j Job
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		return &j
	}
	if got := recovery(schema).compareConfig(job(schema, nil)); got != createguard.Same {
		t.Fatalf("identical: %v", got)
	}
	if got := recovery(schema).compareConfig(job(schema, map[string]any{"version": "2026-01-08", "cite_sources": false})); got != createguard.MaybeSame {
		t.Fatalf("server-filled version: %v", got)
	}
	for field, v := range map[string]any{
		"extraction_target": "per_page", "tier": "agentic", "system_prompt": "x", "target_pages": "1-2",
		"max_pages": 3, "cite_sources": true, "confidence_scores": true, "parse_tier": "fast",
		"parse_config_id": "cfg-1", "disable_cache": true, "sheet_names": []string{"s"}, "spreadsheet_mode": true,
		"data_schema":     map[string]any{"type": "object", "properties": map[string]any{"b": map[string]any{"type": "string"}}},
		"output_language": "fr", // through Extra: a member the package does not model takes part too
	} {
		// The request asks for field=v; a job without it, or with another
		// value, is not this request's.
		raw, _ := json.Marshal(schema)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		m[field] = v
		raw, _ = json.Marshal(m)
		var want ExtractConfig
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if !extractConfigNames[field] {
			want.Extra = map[string]any{field: v}
		}
		if got := recovery(want).compareConfig(job(schema, nil)); got == createguard.Same {
			t.Errorf("%s: a job without it matched", field)
		}
		if got := recovery(schema).compareConfig(job(want, nil)); got == createguard.Same {
			t.Errorf("%s: a job with it matched a request without it", field)
		}
		if got := recovery(want).compareConfig(job(want, nil)); got != createguard.Same {
			t.Errorf("%s: equal configurations did not match: %v", field, got)
		}
	}
	onSaved := &Job{ID: "ext-1", ConfigurationID: "cfg-1"}
	if recovery(SavedConfig{ID: "cfg-1"}).compareConfig(onSaved) != createguard.Same ||
		recovery(SavedConfig{ID: "cfg-2"}).compareConfig(onSaved) != createguard.Different ||
		recovery(schema).compareConfig(onSaved) != createguard.Different {
		t.Fatal("configuration_id is not compared")
	}
}
