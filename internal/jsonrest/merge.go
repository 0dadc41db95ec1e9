package jsonrest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// The wire types keep what they do not model: a decoded value holds the
// JSON the server sent and encodes its own fields plus every other member
// of that JSON (MergeMembers). A request carries what its type does not
// model yet in a map of extra members (AddExtra).

// MemberNames returns the JSON member names of t's tagged exported fields.
func MemberNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
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

// AddExtra returns the object known with the members of extra added. A
// member known already has is an error naming field (where the extra
// members sit) and the member: the field that models it is to be set
// instead.
func AddExtra(known []byte, extra map[string]any, modelled map[string]bool, field string) ([]byte, error) {
	if len(extra) == 0 {
		return known, nil
	}
	if err := CheckExtra(extra, modelled, field); err != nil {
		return nil, err
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

// CheckExtra refuses a member of extra that a field models, naming field
// and the members in sorted order.
func CheckExtra(extra map[string]any, modelled map[string]bool, field string) error {
	var taken []string
	for k := range extra {
		if modelled[k] {
			taken = append(taken, k)
		}
	}
	if len(taken) == 0 {
		return nil
	}
	sort.Strings(taken)
	return fmt.Errorf("%s: %s has a field of its own; set that field instead of Extra", field, strings.Join(taken, ", "))
}
