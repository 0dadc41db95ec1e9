package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/schemacheck"
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
	// Each field is a member (zero ones left out): the JSON compares them.
	a, _ := json.Marshal(out)
	if b, _ := json.Marshal(in); string(a) != string(b) {
		t.Fatalf("read back %s\nwant %s", a, b)
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

// readmeInvoice is the Quickstart's type, as the README writes it.
type readmeInvoice struct {
	Number string  `json:"invoice_number" jsonschema:"description=The invoice's identifier"`
	Vendor string  `json:"vendor"`
	Total  float64 `json:"total"`
	Due    *string `json:"due_date"` // pointer or omitempty: optional
}

// The README promises a pointer field is optional: a document without the
// due date gives a nil Due, not an invented date, and one with it gives it.
func TestOptionalFieldIsNilWhenTheDocumentLacksIt(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Now())
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	lacking := srv.AddFile("invoice.txt", []byte("Invoice Number: INV-1\nVendor: Acme\nTotal: 12.50\n"))
	inv, _, err := wrapper.Extract[readmeInvoice](ctx, client, lacking, wrapper.ExtractConfig{})
	if err != nil || inv.Vendor != "Acme" || inv.Total != 12.5 {
		t.Fatalf("%+v %v", inv, err)
	}
	if inv.Due != nil {
		t.Fatalf("the document lacks the due date, yet Due = %q", *inv.Due)
	}

	holding := srv.AddFile("invoice2.txt", []byte("Invoice Number: INV-2\nVendor: Acme\nTotal: 12.50\nDue Date: 2026-03-01\n"))
	inv, _, err = wrapper.Extract[readmeInvoice](ctx, client, holding, wrapper.ExtractConfig{})
	if err != nil || inv.Due == nil || *inv.Due != "2026-03-01" {
		t.Fatalf("the document holds the due date: %+v %v", inv, err)
	}
}

type shipment struct {
	ID      string    `json:"id"`
	Note    string    `json:"note,omitempty" jsonschema:"description=Free text"`
	Carrier *string   `json:"carrier" jsonschema:"enum=ups,enum=dhl"`
	To      *address  `json:"to" jsonschema:"description=Where it goes"`
	Stops   []address `json:"stops,omitzero"`
}

type address struct {
	City string  `json:"city"`
	Zip  *string `json:"zip"`
}

// An optional field (pointer, omitempty, omitzero) is out of "required" and
// nullable in the form LlamaCloud documents, anyOf [X, null], at every
// level; its description stays on the property; a value and null both
// validate, and the service's schema check accepts it.
func TestSchemaForOptionalFieldsAreNullable(t *testing.T) {
	s := wrapper.MustSchemaFor[shipment]()
	var root map[string]any
	if err := json.Unmarshal(s.JSON(), &root); err != nil {
		t.Fatal(err)
	}
	if req := fmt.Sprint(root["required"]); req != "[id]" {
		t.Fatalf("required %s, want [id]", req)
	}
	props := root["properties"].(map[string]any)
	for _, name := range []string{"note", "carrier", "to", "stops"} {
		p := props[name].(map[string]any)
		alts, _ := p["anyOf"].([]any)
		if len(alts) != 2 || fmt.Sprint(alts[1]) != "map[type:null]" || p["type"] != nil {
			t.Errorf("%s: %v, want anyOf [X, {type: null}]", name, p)
		}
	}
	if props["note"].(map[string]any)["description"] != "Free text" || props["to"].(map[string]any)["description"] != "Where it goes" {
		t.Errorf("descriptions moved: %v", props)
	}
	if nested := string(s.JSON()); !strings.Contains(nested, `"required":["city"]`) || !strings.Contains(nested, `"zip":{"anyOf":[{"type":"string"},{"type":"null"}]}`) {
		t.Errorf("nested optional field: %s", nested)
	}
	compiled, err := schemacheck.Compile(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"id":"s1","note":null,"carrier":null,"to":null,"stops":null}`,
		`{"id":"s1"}`,
		`{"id":"s1","note":"x","carrier":"ups","to":{"city":"Paris","zip":null},"stops":[{"city":"Lyon"}]}`,
	} {
		var v any
		_ = json.Unmarshal([]byte(doc), &v)
		if err := compiled.Validate(v); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
	var v any
	_ = json.Unmarshal([]byte(`{"id":"s1","carrier":"fedex"}`), &v)
	if compiled.Validate(v) == nil {
		t.Error("the enum no longer restricts a non-null value")
	}
	c, _ := newClient(t)
	if _, err := c.ValidateSchema(context.Background(), s); err != nil {
		t.Fatalf("the service's check: %v", err)
	}
}

func ExampleSchemaFor() {
	type Invoice struct {
		Number string  `json:"invoice_number" jsonschema:"description=The invoice's identifier"`
		Due    *string `json:"due_date" jsonschema:"description=When payment is due"`
	}
	s, err := wrapper.SchemaFor[Invoice]()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(s.JSON()))
	// Output: {"properties":{"due_date":{"anyOf":[{"type":"string"},{"type":"null"}],"description":"When payment is due"},"invoice_number":{"description":"The invoice's identifier","type":"string"}},"required":["invoice_number"],"type":"object"}
}

type node struct {
	Name     string `json:"name"`
	Children []node `json:"children"`
}

type viaPointer struct {
	Next *viaPointer `json:"next"`
}

type indirect struct {
	Items map[string][]struct {
		Back *indirect `json:"back"`
	} `json:"items"`
}

// SchemaFor on a type a data_schema cannot express returns a
// *ValidationError naming the field, instead of a stack overflow that
// kills the process or an empty schema.
func TestSchemaForInexpressibleTypes(t *testing.T) {
	check := func(name string, f func() (wrapper.Schema, error), field string) {
		t.Helper()
		_, err := f()
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field, field) {
			t.Errorf("%s: want a ValidationError naming %q, got %v", name, field, err)
		}
	}
	check("recursive slice", wrapper.SchemaFor[node], "children")
	check("recursive pointer", wrapper.SchemaFor[viaPointer], "next")
	check("recursive through a map", wrapper.SchemaFor[indirect], "back")
	check("chan", wrapper.SchemaFor[struct {
		C chan int `json:"c"`
	}], "c")
	check("func", wrapper.SchemaFor[struct{ F func() }], "F")
	check("interface", wrapper.SchemaFor[struct {
		V any `json:"v"`
	}], "v")
	check("int map keys", wrapper.SchemaFor[struct {
		M map[int]string `json:"m"`
	}], "m")
	check("complex", wrapper.SchemaFor[struct {
		Z complex128 `json:"z"`
	}], "z")
	// What JSON can say is still fine, repeated types included.
	if _, err := wrapper.SchemaFor[struct {
		When  time.Time `json:"when"`
		A, B  Line
		Skip  chan int `json:"-"`
		Bytes []byte   `json:"bytes"`
	}](); err != nil {
		t.Fatal(err)
	}
}
