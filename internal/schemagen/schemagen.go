// Package schemagen derives a data_schema from a Go struct type, for
// wrapper.SchemaFor: json tags name the properties, jsonschema tags add
// descriptions and enums, and optional fields (a pointer, omitempty,
// omitzero) are left out of "required" and allow null.
package schemagen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/invopop/jsonschema"
)

// FromType returns the data_schema of struct type t (or a pointer to one),
// decoded (numbers as float64). It does not apply the documented limits:
// the caller checks the schema as it checks every other. A type that is
// not a struct, contains itself or holds what JSON Schema cannot express is
// a *schemacheck.Error whose Path is the Go field path (main.Invoice.lines[])
// and whose Reason says how to fix it.
func FromType(t reflect.Type) (map[string]any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, &schemacheck.Error{Path: "data_schema", Reason: fmt.Sprintf("SchemaFor needs a struct type, got %s; the root of a data_schema must be an object", t)}
	}
	if err := checkType(t); err != nil {
		return nil, err
	}
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, AllowAdditionalProperties: true}
	js := r.ReflectFromType(t)
	js.Version, js.ID = "", ""
	raw, err := json.Marshal(js)
	if err != nil {
		return nil, &schemacheck.Error{Path: t.String(), Reason: "the schema of the type cannot be encoded: " + err.Error()}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &schemacheck.Error{Path: t.String(), Reason: "the schema of the type cannot be read: " + err.Error()}
	}
	optionalFields(t, m)
	return m, nil
}

// optionalFields makes every optional field (a pointer, or json omitempty
// or omitzero) optional and nullable: out of "required", and its schema
// {"anyOf": [{...}, {"type": "null"}]}, the form LlamaCloud documents for a
// value a document may lack. It walks nested structs and slices the way
// the reflector laid them out.
func optionalFields(t reflect.Type, node map[string]any) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if items, ok := node["items"].(map[string]any); ok {
			optionalFields(t.Elem(), items)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	props, _ := node["properties"].(map[string]any)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue // encoding/json promotes an unexported embedded struct's fields
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && name == "" {
			optionalFields(f.Type, node)
			continue
		}
		if name == "" {
			name = f.Name
		}
		sub, ok := props[name].(map[string]any)
		if !ok {
			continue
		}
		optionalFields(f.Type, sub)
		if isOptional(f.Type, opts) {
			req, _ := node["required"].([]any)
			node["required"] = slices.DeleteFunc(req, func(v any) bool { return v == name })
			props[name] = nullable(sub)
		}
	}
	if req, _ := node["required"].([]any); len(req) == 0 {
		delete(node, "required")
	}
}

// isOptional reports whether a field of type t with json tag options opts
// may be missing from a result: a pointer, or omitempty or omitzero.
func isOptional(t reflect.Type, opts string) bool {
	return t.Kind() == reflect.Pointer || slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool {
		return o == "omitempty" || o == "omitzero"
	})
}

// nullable returns sub with null allowed: its description and title stay
// on the property, the rest moves into the first branch of anyOf. A schema
// that already allows null, or has no type to restrict, is returned as is.
func nullable(sub map[string]any) map[string]any {
	if allowsNull(sub) || len(sub) == 0 {
		return sub
	}
	branch := map[string]any{}
	out := map[string]any{"anyOf": []any{branch, map[string]any{"type": "null"}}}
	for k, v := range sub {
		if k == "description" || k == "title" {
			out[k] = v
		} else {
			branch[k] = v
		}
	}
	return out
}

// allowsNull reports whether a schema node accepts null: "type": "null" or
// a type list with null, or an anyOf/oneOf branch that does.
func allowsNull(node map[string]any) bool {
	switch t := node["type"].(type) {
	case string:
		if t == "null" {
			return true
		}
	case []any:
		if slices.Contains(t, any("null")) {
			return true
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts, _ := node[key].([]any)
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok && allowsNull(m) {
				return true
			}
		}
	}
	return false
}
