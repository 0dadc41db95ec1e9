package schemagen

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/invopop/jsonschema"
)

// checkType walks a Go type before FromType hands it to the schema
// reflector, which recurses without bound on a recursive type (a stack
// overflow that recover cannot catch) and silently writes an empty schema
// for what JSON Schema cannot express. It returns a *schemacheck.Error
// naming the field path and the fix.
func checkType(root reflect.Type) error {
	return walkType(root, root.String(), map[reflect.Type]bool{})
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	// schemaHook is the method by which a type gives the reflector its own
	// schema.
	schemaHook = reflect.TypeFor[interface{ JSONSchema() *jsonschema.Schema }]()
)

// customEncoded reports whether t decides its own JSON form or schema,
// which the walk then trusts (time.Time, json.RawMessage, ...).
func customEncoded(t reflect.Type) bool {
	for _, i := range []reflect.Type{jsonMarshaler, textMarshaler} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return t.Implements(schemaHook)
}

func walkType(t reflect.Type, path string, active map[reflect.Type]bool) error {
	bad := func(reason string) error {
		return &schemacheck.Error{Path: path, Reason: reason}
	}
	// Every kind, not only structs, can make a cycle: type L []L,
	// type M map[string]M, type P *P.
	if active[t] {
		return bad(fmt.Sprintf("%s contains itself; a data_schema cannot be recursive (at most 7 levels deep): cut the cycle with a separate, shallower type", t))
	}
	active[t] = true
	defer delete(active, t)
	if t.Kind() == reflect.Pointer {
		return walkType(t.Elem(), path, active)
	}
	if customEncoded(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128, reflect.Uintptr:
		return bad(fmt.Sprintf("a %s has no JSON form; remove the field or tag it json:\"-\"", t.Kind()))
	case reflect.Interface:
		return bad(fmt.Sprintf("%s can hold any value, which a data_schema cannot describe; use a concrete type", t))
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return bad(fmt.Sprintf("map keys must be strings to be JSON object keys, not %s", t.Key()))
		}
		return walkType(t.Elem(), path+"[key]", active)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is a base64 string
		}
		return walkType(t.Elem(), path+"[]", active)
	case reflect.Struct:
		return walkFields(t, path, active)
	}
	return nil
}

// walkFields walks the fields of struct type t that JSON encodes.
func walkFields(t reflect.Type, path string, active map[reflect.Type]bool) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		next := path + "." + name
		if f.Anonymous && tag == "" {
			next = path
		}
		if err := walkType(f.Type, next, active); err != nil {
			return err
		}
	}
	return nil
}
