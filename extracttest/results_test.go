package extracttest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/internal/schemacheck"
)

// A field the document does not hold is null when its schema allows null,
// left out when it is optional (not in "required") and not nullable, and a
// synthetic value only when it is required: the package doc's rule.
func TestFieldsTheDocumentLacks(t *testing.T) {
	a, clk := newAPI(t)
	file := a.s.AddFile("invoice.txt", []byte("Vendor: Acme\nCity: Paris\n\f| Description | Amount |\n|---|---|\n| Bolts | 3 |\n"))
	const schema = `{"type":"object","required":["vendor","total"],"properties":{
	  "vendor":{"type":"string"},
	  "total":{"type":"number"},
	  "due_date":{"anyOf":[{"type":"string"},{"type":"null"}],"description":"When it is due"},
	  "po_number":{"type":["string","null"]},
	  "note":{"type":"string"},
	  "ship_to":{"anyOf":[{"type":"object","properties":{"city":{"type":"string"},"zip":{"anyOf":[{"type":"string"},{"type":"null"}]}}},{"type":"null"}]},
	  "bill_to":{"anyOf":[{"type":"object","properties":{"street":{"type":"string"}}},{"type":"null"}]},
	  "lines":{"anyOf":[{"type":"array","items":{"type":"object","properties":{"description":{"type":"string"},"amount":{"type":"number"}}}},{"type":"null"}]},
	  "refunds":{"anyOf":[{"type":"array","items":{"type":"object","properties":{"reason":{"type":"string"}}}},{"type":"null"}]},
	  "tags":{"anyOf":[{"type":"array","items":{"type":"string"}},{"type":"null"}]}}}`
	j := a.createWithSchema(file, schema)
	clk.Advance(2 * time.Second)
	var res map[string]any
	if err := json.Unmarshal(a.get(j.ID, "").ExtractResult, &res); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	_ = json.Unmarshal([]byte(schema), &decoded)
	compiled, err := schemacheck.Compile(decoded)
	if err != nil {
		t.Fatal(err)
	}
	if err := compiled.Validate(any(res)); err != nil {
		t.Fatalf("the result does not validate against its data_schema: %v", err)
	}
	for key, want := range map[string]any{"vendor": "Acme", "due_date": nil, "po_number": nil, "bill_to": nil, "refunds": nil, "tags": nil} {
		if got, ok := res[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if _, ok := res["note"]; ok {
		t.Errorf("note, optional and not nullable, is in the result: %v", res)
	}
	if _, ok := res["total"].(float64); !ok {
		t.Errorf("total, required, = %v; want a synthetic number", res["total"])
	}
	if ship, _ := res["ship_to"].(map[string]any); ship["city"] != "Paris" || ship["zip"] != nil {
		t.Errorf("ship_to = %v, want the city found and zip null", res["ship_to"])
	}
	if lines, _ := res["lines"].([]any); len(lines) != 1 {
		t.Errorf("lines = %v, want the table's one row", res["lines"])
	}
}
