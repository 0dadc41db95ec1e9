package jsonrest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// The wire types keep what they do not model: a decoded value holds the
// JSON the server sent and encodes its own fields plus every other member
// of that JSON (MergeMembers). A request carries what its type does not
// model yet in a map of extra members (AddExtra).

// MemberNames returns the JSON member names of t's tagged exported fields.
func MemberNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for name := range FieldNames(t) {
		names[name] = true
	}
	return names
}

// FieldNames maps the JSON member name of each of t's tagged exported
// fields to the field a user sets for it: the field's own name, or the
// name its `field` tag gives when the user's type names it otherwise.
func FieldNames(t reflect.Type) map[string]string {
	fields := map[string]string{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			fields[name] = cmp.Or(f.Tag.Get("field"), f.Name)
		}
	}
	return fields
}

// MergeMembers returns the object known with every member of raw whose
// name is not in modelled added, and, for a modelled member named in
// nested, its own members merged the same way; known alone when raw is
// empty.
func MergeMembers(known, raw []byte, modelled map[string]bool, nested map[string]map[string]bool) ([]byte, error) {
	if len(raw) == 0 {
		return known, nil
	}
	var from map[string]json.RawMessage
	if err := json.Unmarshal(raw, &from); err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(known, &out); err != nil {
		return nil, err
	}
	for k, v := range from {
		switch inner, ok := out[k]; {
		case !modelled[k]:
			out[k] = v
		case ok && nested[k] != nil && len(v) > 0 && v[0] == '{':
			merged, err := MergeMembers(inner, v, nested[k], nil)
			if err != nil {
				return nil, err
			}
			out[k] = merged
		}
	}
	return json.Marshal(out)
}

// AddExtra returns the object known with the members of extra added,
// which must pass CheckExtra (owner names where the extra members sit).
func AddExtra(known []byte, extra map[string]any, fields map[string]string, owner string) ([]byte, error) {
	if len(extra) == 0 {
		return known, nil
	}
	if key, err := CheckExtra(extra, fields, owner); err != nil {
		return nil, fmt.Errorf("%s.Extra[%q]: %w", owner, key, err)
	}
	var out map[string]any
	if err := json.Unmarshal(known, &out); err != nil {
		return nil, err
	}
	for k, v := range extra {
		out[k] = v
	}
	return json.Marshal(out)
}

// CheckExtra returns the first member of extra, in sorted order, that
// cannot be sent, and why: a member one of fields models (member name to
// the field of owner, a type, to set instead), or a value encoding/json
// cannot encode (NaN, an infinity, a channel, a function, a complex
// number, an invalid json.RawMessage, at any depth).
func CheckExtra(extra map[string]any, fields map[string]string, owner string) (key string, err error) {
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if f, ok := fields[k]; ok {
			return k, fmt.Errorf("%s has a field of its own: set %s.%s instead of Extra", k, owner, f)
		}
		if _, err := json.Marshal(extra[k]); err != nil {
			return k, fmt.Errorf("cannot be encoded as JSON (%w): Extra takes what encoding/json encodes (no NaN or infinities, channels, functions or complex numbers; a json.RawMessage must be valid JSON)", err)
		}
	}
	return "", nil
}
