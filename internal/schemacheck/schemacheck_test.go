package schemacheck

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func nested(depth int) string {
	s := `{"type":"string"}`
	for i := 0; i < depth; i++ {
		s = fmt.Sprintf(`{"type":"object","properties":{"f%d":%s}}`, i, s)
	}
	return s
}

// nestedNullable is nested with every level optional the way wrapper.SchemaFor
// writes a pointer to a struct: anyOf [the object, null].
func nestedNullable(depth int) string {
	s := `{"anyOf":[{"type":"string"},{"type":"null"}]}`
	for i := 0; i < depth-1; i++ {
		s = fmt.Sprintf(`{"anyOf":[{"type":"object","properties":{"f%d":%s}},{"type":"null"}]}`, i, s)
	}
	return fmt.Sprintf(`{"type":"object","properties":{"f%d":%s}}`, depth-1, s)
}

func TestCheck(t *testing.T) {
	many := make([]string, 5001)
	for i := range many {
		many[i] = fmt.Sprintf(`"p%d":{"type":"string"}`, i)
	}
	cases := []struct {
		name, schema, wantPath, wantReason string
	}{
		{"ok", `{"type":"object","properties":{"vendor":{"type":"string","description":"Seller"},"items":{"type":"array","items":{"type":"object","properties":{"amount":{"type":"number"}}}}}}`, "", ""},
		{"nullable via anyOf", `{"type":"object","properties":{"due":{"anyOf":[{"type":"string"},{"type":"null"}]}}}`, "", ""},
		{"not json", `{"type":`, "data_schema", "not valid JSON"},
		{"array root", `[{"type":"object"}]`, "data_schema", "JSON object"},
		{"root not object", `{"type":"array","items":{"type":"string"}}`, "data_schema.type", `"array"`},
		{"missing type", `{"properties":{}}`, "data_schema.type", "no type"},
		{"depth 7 ok", nested(7), "", ""},
		{"depth 7 through nullable objects ok", nestedNullable(7), "", ""},
		{"depth 8 through nullable objects", nestedNullable(8), "-", "deeper than the 7"},
		{"depth 8", nested(8), "data_schema.properties.f7.properties.f6.properties.f5.properties.f4.properties.f3.properties.f2.properties.f1.properties", "deeper than the 7"},
		{"property not schema", `{"type":"object","properties":{"a":3}}`, "data_schema.properties.a", "schema object"},
		{"too many properties", `{"type":"object","properties":{` + strings.Join(many, ",") + `}}`, "data_schema", "5001 properties"},
		{"too many chars", `{"type":"object","description":"` + strings.Repeat("x", 120001) + `"}`, "data_schema", "characters of names"},
		{"too big", `{"type":"object","description":"` + strings.Repeat("x", 150001) + `"}`, "data_schema", "characters of JSON"},
		{"invalid json schema", `{"type":"object","properties":{"a":{"type":"strin"}}}`, "data_schema", "not a valid JSON Schema"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.schema))
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if (tc.wantPath != "-" && e.Path != tc.wantPath) || !strings.Contains(e.Reason, tc.wantReason) {
				t.Fatalf("got %q / %q, want path %q and reason containing %q", e.Path, e.Reason, tc.wantPath, tc.wantReason)
			}
		})
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"type":"string"}}}`))
	f.Add([]byte(nested(9)))
	f.Add([]byte(`{"type":"object","$defs":{"x":{"type":"object","properties":{"y":{"items":[1,2]}}}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Check(b)
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error is not *Error: %v", err)
		}
	})
}
