package wrapper

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/extract-go/llamaextract/generated"
)

// Every configuration field takes part in the match, and so does the
// saved configuration's ID.
func TestCompareConfigWholeRequest(t *testing.T) {
	schema := ExtractConfig{Schema: MustSchemaFor[struct {
		A string `json:"a"`
	}]()}
	base := func() generated.ExtractV2JobCreate {
		b, err := CreateJobRequest{FileInput: "dfl-1", Config: schema}.body()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	job := func(b generated.ExtractV2JobCreate, extra map[string]any) listedJob {
		raw, _ := json.Marshal(b.Configuration)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(raw, &m)
		for k, v := range extra {
			m[k], _ = json.Marshal(v)
		}
		return listedJob{ID: "ext-1", Configuration: m}
	}
	if got := compareConfig(base(), job(base(), nil)); got != sameConfig {
		t.Fatalf("identical: %v", got)
	}
	if got := compareConfig(base(), job(base(), map[string]any{"version": "2026-01-08", "cite_sources": false})); got != maybeSameConfig {
		t.Fatalf("server-filled version: %v", got)
	}
	for field, v := range map[string]any{
		"extraction_target": "per_page", "tier": "agentic", "system_prompt": "x", "target_pages": "1-2",
		"max_pages": 3, "cite_sources": true, "confidence_scores": true, "parse_tier": "fast",
		"parse_config_id": "cfg-1", "disable_cache": true, "sheet_names": []string{"s"}, "spreadsheet_mode": true,
		"data_schema": map[string]any{"type": "object", "properties": map[string]any{"b": map[string]any{"type": "string"}}},
	} {
		// The request asks for field=v; a job without it, or with another
		// value, is not this request's.
		want := base()
		raw, _ := json.Marshal(want.Configuration)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		m[field] = v
		raw, _ = json.Marshal(m)
		var cfg generated.ExtractConfiguration
		if err := json.Unmarshal(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		want.Configuration = &cfg
		if got := compareConfig(want, job(base(), nil)); got == sameConfig {
			t.Errorf("%s: a job without it matched", field)
		}
		if got := compareConfig(base(), job(want, nil)); got == sameConfig {
			t.Errorf("%s: a job with it matched a request without it", field)
		}
		if got := compareConfig(want, job(want, nil)); got != sameConfig {
			t.Errorf("%s: equal configurations did not match: %v", field, got)
		}
	}
	saved := func(id string) generated.ExtractV2JobCreate {
		return generated.ExtractV2JobCreate{FileInput: "dfl-1", ConfigurationId: &id}
	}
	id := "cfg-1"
	if compareConfig(saved("cfg-1"), listedJob{ConfigurationID: &id}) != sameConfig ||
		compareConfig(saved("cfg-2"), listedJob{ConfigurationID: &id}) != differentConfig ||
		compareConfig(base(), listedJob{ConfigurationID: &id}) != differentConfig {
		t.Fatal("configuration_id is not compared")
	}
}

// A long-lived client remembers a bounded number of jobs.
func TestKnownJobsBounded(t *testing.T) {
	var r createRegistry
	for i := range 1_000_000 {
		r.remember(fmt.Sprintf("ext-%d", i))
	}
	if n := r.size(); n != maxKnownJobs {
		t.Fatalf("%d jobs remembered after a million creates", n)
	}
	if !r.isKnown("ext-999999") || r.isKnown("ext-0") {
		t.Fatal("the newest must be kept, the oldest forgotten")
	}
	f := r.acquire("dfl-1")
	r.release("dfl-1", f)
	if len(r.files) != 0 {
		t.Fatal("per-file state outlives its creates")
	}
}
