package jsonrest

import (
	"bytes"
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
// of that JSON, and its unchanged fields as that JSON has them
// (MergeMembers). A request carries what its type does not
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

// MergeMembers returns the object known written, where it can be, as raw
// sent it. known and was are the encodings of a value now and of the value
// decoded afresh from raw (nil for none). A member a field models
// (modelled) that was and known write alike, both leaving it out included,
// is unchanged since decoding: it is written as raw sent it (a null, a
// timestamp in another layout, a key spelt in another case), or left out
// when raw has none. A changed one is known's; for a member named in nested
// whose new and sent values are objects, its own members are merged the same
// way. Every other member of raw is kept, known's own winning. known alone
// when raw is empty.
func MergeMembers(known, was, raw []byte, modelled map[string]bool, nested map[string]map[string]bool) ([]byte, error) {
	if len(raw) == 0 {
		return known, nil
	}
	sent, err := members(raw)
	if err != nil {
		return nil, err
	}
	var now, before map[string]json.RawMessage
	if err := json.Unmarshal(known, &now); err != nil {
		return nil, err
	}
	_ = json.Unmarshal(was, &before) // none to compare with: every modelled member is known's
	out := map[string]json.RawMessage{}
	read := map[string]member{} // the member of raw encoding/json read into each field
	for _, m := range sent {
		if name := modelledName(m.key, modelled); name != "" {
			read[name] = m
		} else {
			out[m.key] = m.value
		}
	}
	for name, k := range now {
		if !modelled[name] {
			out[name] = k
		}
	}
	for name := range modelled {
		k, inNow := now[name]
		w, inWas := before[name]
		m, inSent := read[name]
		switch {
		case inNow == inWas && bytes.Equal(k, w):
			if inSent {
				out[m.key] = m.value
			}
		case inNow && inSent && nested[name] != nil && isObject(k) && isObject(m.value):
			if out[name], err = MergeMembers(k, w, m.value, nested[name], nil); err != nil {
				return nil, err
			}
		case inNow:
			out[name] = k
		}
	}
	return json.Marshal(out)
}

// Unmodelled returns the members of the object obj that no name in modelled
// matches as encoding/json matches keys, with those of over added (over's
// winning); over when obj has none. It never fails: what is not an object
// has no members.
func Unmodelled(obj []byte, modelled map[string]bool, over map[string]any) map[string]any {
	sent, _ := members(obj)
	out := map[string]any{}
	for _, m := range sent {
		if modelledName(m.key, modelled) == "" {
			out[m.key] = m.value
		}
	}
	if len(out) == 0 {
		return over
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// Member returns the value encoding/json reads into a field named name from
// the object obj: the last member whose key matches name, ignoring case;
// nil for none.
func Member(obj []byte, name string) json.RawMessage {
	sent, _ := members(obj)
	var v json.RawMessage
	for _, m := range sent {
		if strings.EqualFold(m.key, name) {
			v = m.value
		}
	}
	return v
}

type member struct {
	key   string
	value json.RawMessage
}

// members returns the members of the object b in order, keys unescaped,
// repeated keys included.
func members(b []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %.40s", b)
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, v})
	}
	return out, nil
}

// modelledName returns the name in modelled that encoding/json matches key
// to (exactly, else ignoring case); "" for none.
func modelledName(key string, modelled map[string]bool) string {
	if modelled[key] {
		return key
	}
	for name := range modelled {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

func isObject(v json.RawMessage) bool { return len(v) > 0 && v[0] == '{' }

// AddExtra returns the object known with the members of extra added,
// which must pass CheckExtra (owner names where the extra members sit).
func AddExtra(known []byte, extra map[string]any, fields map[string]string, owner string) ([]byte, error) {
	if len(extra) == 0 {
		return known, nil
	}
	if key, err := CheckExtra(extra, fields, owner); err != nil {
		return nil, fmt.Errorf("%s.Extra[%q]: %w", owner, key, err)
	}
	var base map[string]json.RawMessage // as written: numbers are not rounded
	if err := json.Unmarshal(known, &base); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
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
