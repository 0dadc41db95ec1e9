package schemagen

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/invopop/jsonschema"
)

type address struct {
	City string  `json:"city"`
	Zip  *string `json:"zip"`
}

type shipment struct {
	ID      string    `json:"id"`
	Note    string    `json:"note,omitempty" jsonschema:"description=Free text"`
	To      *address  `json:"to"`
	Stops   []address `json:"stops,omitzero"`
	Skipped string    `json:"-"`
	address
}

func fromType[T any](t *testing.T) map[string]any {
	t.Helper()
	m, err := FromType(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Optional fields (pointer, omitempty, omitzero) leave "required" and allow
// null at every level, the description staying on the property; embedded
// fields are the parent's; json:"-" is left out; the root carries no
// $schema or $id.
func TestFromTypeOptionalFields(t *testing.T) {
	m := fromType[*shipment](t)
	if m["$schema"] != nil || m["$id"] != nil || m["type"] != "object" {
		t.Fatalf("root %v", m)
	}
	if got := encode(t, m["required"]); got != `["id","city"]` {
		t.Errorf("required %s, want id and the embedded city", got)
	}
	props := m["properties"].(map[string]any)
	if props["Skipped"] != nil || props["skipped"] != nil {
		t.Errorf(`json:"-" field in the schema: %v`, props)
	}
	for name, want := range map[string]string{
		"note":  `{"anyOf":[{"type":"string"},{"type":"null"}],"description":"Free text"}`,
		"zip":   `{"anyOf":[{"type":"string"},{"type":"null"}]}`,
		"stops": `"items":{"properties":{"city":{"type":"string"},"zip":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["city"],"type":"object"}`,
		"to":    `"required":["city"]`,
	} {
		if got := encode(t, props[name]); !strings.Contains(got, want) {
			t.Errorf("%s: %s, want it to hold %s", name, got, want)
		}
	}
	if got := encode(t, props["to"]); !strings.HasPrefix(got, `{"anyOf":[{`) || !strings.HasSuffix(got, `,{"type":"null"}]}`) {
		t.Errorf("to: %s, want anyOf [object, null]", got)
	}
}

// nullable leaves alone what already allows null or restricts nothing.
func TestNullable(t *testing.T) {
	for _, node := range []string{
		`{}`, `{"type":"null"}`, `{"type":["string","null"]}`,
		`{"oneOf":[{"type":"integer"},{"type":"null"}]}`, `{"anyOf":[{"type":"integer"},{"anyOf":[{"type":"null"}]}]}`,
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(node), &m); err != nil {
			t.Fatal(err)
		}
		if got := encode(t, nullable(m)); got != node {
			t.Errorf("%s became %s", node, got)
		}
	}
	got := encode(t, nullable(map[string]any{"type": "integer", "title": "T", "enum": []any{1, 2}}))
	if want := `{"anyOf":[{"enum":[1,2],"type":"integer"},{"type":"null"}],"title":"T"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

type cycle struct {
	Next []cycle `json:"next"`
}

type loopList []loopList

type viaMap struct {
	Items map[string][]struct {
		Back *viaMap `json:"back"`
	} `json:"items"`
}

// hooked has a field no schema can describe, but decides its own schema,
// which the reflector uses instead of its fields.
type hooked struct {
	Any any `json:"any"`
}

func (hooked) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

// badHook's schema cannot be encoded.
type badHook struct{}

func (badHook) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Default: func() {}}
}

// A type the reflector would overflow the stack on or write an empty schema
// for is a *schemacheck.Error naming the Go field path and the fix.
func TestFromTypeRefuses(t *testing.T) {
	for _, tc := range []struct {
		t          reflect.Type
		path, hint string
	}{
		{reflect.TypeFor[[]shipment](), "data_schema", "SchemaFor needs a struct type, got []schemagen.shipment"},
		{reflect.TypeFor[cycle](), "schemagen.cycle.next[]", "contains itself"},
		{reflect.TypeFor[struct{ L loopList }](), "struct { L schemagen.loopList }.L[]", "contains itself"},
		{reflect.TypeFor[viaMap](), "schemagen.viaMap.items[key][].back", "contains itself"},
		{reflect.TypeFor[struct {
			C chan int `json:"c"`
		}](), ".c", `a chan has no JSON form; remove the field or tag it json:"-"`},
		{reflect.TypeFor[struct{ F func() }](), ".F", "a func has no JSON form"},
		{reflect.TypeFor[struct{ Z complex64 }](), ".Z", "a complex64 has no JSON form"},
		{reflect.TypeFor[struct {
			V any `json:"v,omitempty"`
		}](), ".v", "can hold any value"},
		{reflect.TypeFor[struct{ M map[int]string }](), ".M", "map keys must be strings"},
		{reflect.TypeFor[struct{ B badHook }](), "struct { B schemagen.badHook }", "cannot be encoded"},
	} {
		_, err := FromType(tc.t)
		var se *schemacheck.Error
		if !errors.As(err, &se) || !strings.HasSuffix(se.Path, tc.path) || !strings.Contains(se.Reason, tc.hint) {
			t.Errorf("%s: %v; want an Error at %q saying %q", tc.t, err, tc.path, tc.hint)
		}
	}
}

// What JSON can say is accepted: repeated (not recursive) types, []byte,
// types that encode themselves, types with their own schema, unexported
// and json:"-" fields of any type.
func TestFromTypeAccepts(t *testing.T) {
	m := fromType[struct {
		A, B   address
		Bytes  []byte          `json:"bytes"`
		When   time.Time       `json:"when"`
		Raw    json.RawMessage `json:"raw"`
		Hook   hooked          `json:"hook"`
		Skip   chan int        `json:"-"`
		hidden func()
	}](t)
	props := m["properties"].(map[string]any)
	if got := encode(t, props["hook"]); got != `{"type":"string"}` {
		t.Errorf("the type's own schema was not used: %s", got)
	}
	if got := encode(t, props["bytes"]); !strings.Contains(got, `"type":"string"`) {
		t.Errorf("[]byte: %s, want a string", got)
	}
}
