package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func TestSchemaFor(t *testing.T) {
	s, err := wrapper.SchemaFor[Invoice]()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(s.JSON(), &m); err != nil {
		t.Fatal(err)
	}
	if m["type"] != "object" || m["$schema"] != nil {
		t.Fatalf("root %v", m)
	}
	props := m["properties"].(map[string]any)
	if props["vendor"].(map[string]any)["description"] != "Who issued the invoice" {
		t.Fatalf("description tag ignored: %v", props["vendor"])
	}
	if props["items"].(map[string]any)["type"] != "array" || props["total"].(map[string]any)["type"] != "number" {
		t.Fatalf("types %v", props)
	}
	var req []string
	for _, r := range m["required"].([]any) {
		req = append(req, r.(string))
	}
	for _, want := range []string{"invoice_number", "vendor", "total", "items"} {
		if !slices.Contains(req, want) {
			t.Errorf("%s should be required: %v", want, req)
		}
	}
	for _, optional := range []string{"paid", "due_date", "tags"} {
		if slices.Contains(req, optional) {
			t.Errorf("%s (pointer or omitempty) should be optional: %v", optional, req)
		}
	}
	if _, err := wrapper.SchemaFor[[]Invoice](); !errors.Is(err, wrapper.ErrInvalidRequest) || !strings.Contains(err.Error(), "struct") {
		t.Fatalf("slice root: %v", err)
	}
}

func TestSchemaPreCheck(t *testing.T) {
	deep := `{"type":"string"}`
	for i := 0; i < 8; i++ {
		deep = fmt.Sprintf(`{"type":"object","properties":{"l%d":%s}}`, i, deep)
	}
	cases := map[string]string{
		`[1]`:              "data_schema",
		`{"type":"array"}`: "data_schema.type",
		deep:               "data_schema.properties.l7.properties.l6",
		`{"type":"object","properties":{"a":{"type":"strig"}}}`: "data_schema",
	}
	for raw, field := range cases {
		_, err := wrapper.SchemaFromJSON([]byte(raw))
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !strings.HasPrefix(ve.Field, field) {
			t.Errorf("%s: %v, want field %s", raw, err, field)
		}
	}
	c, srv := newClient(t)
	if _, err := c.ValidateSchema(context.Background(), wrapper.Schema{}); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("zero schema: %v", err)
	}
	if _, err := c.GenerateSchema(context.Background(), wrapper.GenerateSchemaRequest{}); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("empty generate: %v", err)
	}
	if n := srv.Stats().Requests; len(n) != 0 {
		t.Fatalf("requests sent: %v", n)
	}
}

type Deep struct {
	A struct {
		B *struct {
			C []struct {
				D *string `json:"d"`
				E string  `json:"e"`
			} `json:"c"`
		} `json:"b"`
	} `json:"a"`
}

func TestSchemaForNestedPointers(t *testing.T) {
	s := wrapper.MustSchemaFor[Deep]()
	raw := string(s.JSON())
	if !strings.Contains(raw, `"required":["e"]`) || strings.Contains(raw, `"required":["d"`) || !strings.Contains(raw, `"required":["a"]`) {
		t.Fatalf("nested required: %s", raw)
	}
}

// Every field of an ExtractConfig survives being saved and read back.
func TestSavedConfigurationKeepsEveryField(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	in := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line](), Target: wrapper.PerPage,
		Tier: wrapper.TierAgentic, CiteSources: true, ConfidenceScores: true, SystemPrompt: "p", TargetPages: "1-2", MaxPages: 3,
		ParseTier: "fast", ParseConfigID: "cfg-1", Version: "latest", DisableCache: true, SpreadsheetMode: true, SheetNames: []string{"S"}}
	saved, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "all", Config: in})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetConfiguration(ctx, saved.ID)
	if err != nil || got.ProductType != "extract_v2" {
		t.Fatalf("get: %v %+v", err, got)
	}
	out := got.Config
	if string(out.Schema.JSON()) != string(in.Schema.JSON()) {
		t.Fatalf("schema %s, want %s", out.Schema.JSON(), in.Schema.JSON())
	}
	out.Schema, in.Schema = wrapper.Schema{}, wrapper.Schema{}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("read back %+v\nwant %+v", out, in)
	}
}

// A Schema can be a field of the caller's own types: it goes through JSON
// unchanged, null stays the zero Schema, and one read from JSON (which
// checks nothing) is still checked before any request would send it.
func TestSchemaAsAJSONField(t *testing.T) {
	type saved struct {
		Name   string         `json:"name"`
		Schema wrapper.Schema `json:"schema"`
	}
	want := wrapper.MustSchemaFor[Invoice]()
	b, err := json.Marshal(saved{Name: "invoices", Schema: want})
	if err != nil {
		t.Fatal(err)
	}
	var got saved
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if string(got.Schema.JSON()) != string(want.JSON()) {
		t.Fatalf("round trip changed the schema:\n%s\n%s", got.Schema.JSON(), want.JSON())
	}
	var empty saved
	if err := json.Unmarshal([]byte(`{"name":"x","schema":null}`), &empty); err != nil || !empty.Schema.IsZero() {
		t.Fatalf("null schema: %v, zero=%v", err, empty.Schema.IsZero())
	}
	if b, _ := json.Marshal(empty); !strings.Contains(string(b), `"schema":null`) {
		t.Fatalf("the zero Schema marshals to %s", b)
	}

	var requests atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	var bad saved
	if err := json.Unmarshal([]byte(`{"schema":{"type":"string"}}`), &bad); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: bad.Schema}})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Field, "data_schema") || requests.Load() != 0 {
		t.Fatalf("a bad schema read from JSON: %v after %d requests", err, requests.Load())
	}
}

// A Schema read from JSON checks nothing; GenerateSchema, like every call
// that sends a schema, must check it before sending. A schema that is not
// an object used to go out as "data_schema": null (the refine request then
// silently lost the caller's schema) and one with a non-object root went
// out as is.
func TestGenerateSchemaChecksASchemaReadFromJSON(t *testing.T) {
	var requests atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"name":"draft","parameters":{"product_type":"extract_v2","data_schema":{"type":"object"}}}`))
	})
	for _, raw := range []string{`"a string"`, `[1,2]`, `5`, `{"type":"string"}`} {
		var s wrapper.Schema
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatal(err)
		}
		_, err := c.GenerateSchema(context.Background(), wrapper.GenerateSchemaRequest{Prompt: "totals", Schema: s})
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field, "data_schema") || ve.Operation != "GenerateExtractSchema" {
			t.Errorf("schema %s: %v", raw, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests sent with a bad schema", n)
	}
	// A good one still goes out.
	if _, err := c.GenerateSchema(context.Background(), wrapper.GenerateSchemaRequest{Schema: wrapper.MustSchemaFor[Invoice]()}); err != nil || requests.Load() != 1 {
		t.Fatalf("a good schema: %v after %d requests", err, requests.Load())
	}
}
