package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func TestSchemaFor(t *testing.T) {
	s, err := wrapper.SchemaFor[Invoice]()
	if err != nil {
		t.Fatal(err)
	}
	m := s.Map()
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
	if _, err := wrapper.SchemaFromMap(map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}}); err != nil {
		t.Fatal(err)
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

func TestExtractParametersKeepEveryField(t *testing.T) {
	p, err := wrapper.ExtractParameters(wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line](), Target: wrapper.PerPage,
		Tier: wrapper.TierAgentic, CiteSources: true, ConfidenceScores: true, SystemPrompt: "p", TargetPages: "1-2", MaxPages: 3,
		ParseTier: "fast", ParseConfigID: "cfg-1", Version: "latest", DisableCache: true, SpreadsheetMode: true, SheetNames: []string{"S"}})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := p.Discriminator(); d != "extract_v2" {
		t.Fatalf("product_type %q", d)
	}
	ep, err := p.AsExtractV2Parameters()
	if err != nil || *ep.ExtractionTarget != wrapper.PerPage || *ep.Tier != wrapper.TierAgentic || !*ep.CiteSources || !*ep.ConfidenceScores ||
		*ep.SystemPrompt != "p" || *ep.TargetPages != "1-2" || *ep.MaxPages != 3 || *ep.ParseTier != "fast" || *ep.ParseConfigId != "cfg-1" ||
		*ep.Version != "latest" || !*ep.DisableCache || !*ep.SpreadsheetMode || (*ep.SheetNames)[0] != "S" || ep.DataSchema["type"] != "object" {
		t.Fatalf("fields lost: %+v %v", ep, err)
	}
}
