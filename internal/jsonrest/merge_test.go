package jsonrest

import (
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestMemberNames(t *testing.T) {
	type wire struct {
		A     string `json:"a,omitempty"`
		B     int    `json:"b"`
		Skip  string `json:"-"`
		Plain string
	}
	got := MemberNames(reflect.TypeFor[wire]())
	if want := map[string]bool{"a": true, "b": true}; !maps.Equal(got, want) {
		t.Fatalf("names %v, want %v", got, want)
	}
}

// What the type does not model comes back from raw, at the top and inside
// a nested member; what it models is known's where it changed since
// decoding, and raw's (null, another spelling, absent) where it did not.
func TestMergeMembers(t *testing.T) {
	known := []byte(`{"id":"new","configuration":{"tier":"agentic","max_pages":3},"note":"x","at":"2026-01-01T00:00:00Z"}`)
	was := []byte(`{"id":"old","configuration":{"tier":"fast","max_pages":3},"at":"2026-01-01T00:00:00Z"}`)
	raw := []byte(`{"id":"old","extra":1,"Note":null,"at":"2026-01-01 00:00:00",` +
		`"configuration":{"tier":"fast","Max_Pages":3,"system_prompt":null,"output_language":"fr"}}`)
	modelled := map[string]bool{"id": true, "configuration": true, "note": true, "at": true}
	nested := map[string]map[string]bool{"configuration": {"tier": true, "max_pages": true, "system_prompt": true}}
	got, err := MergeMembers(known, was, raw, modelled, nested)
	want := `{"at":"2026-01-01 00:00:00","configuration":{"Max_Pages":3,"output_language":"fr","system_prompt":null,"tier":"agentic"},"extra":1,"id":"new","note":"x"}`
	if err != nil || string(got) != want {
		t.Fatalf("merged %s, %v; want %s", got, err, want)
	}
	if got, err := MergeMembers(known, nil, nil, modelled, nested); err != nil || string(got) != string(known) {
		t.Fatalf("without raw: %s, %v", got, err)
	}
	if _, err := MergeMembers(known, was, []byte(`[1]`), modelled, nested); err == nil {
		t.Fatal("raw that is not an object merged")
	}
	// Without was, every modelled member is known's.
	got, err = MergeMembers([]byte(`{"id":"a"}`), nil, []byte(`{"id":"a","Id":"b","x":null}`), map[string]bool{"id": true}, nil)
	if want := `{"id":"a","x":null}`; err != nil || string(got) != want {
		t.Fatalf("without was: %s, %v; want %s", got, err, want)
	}
}

// Member and Unmodelled match keys as encoding/json does: ignoring case,
// the last of a repeated key winning.
func TestMemberAndUnmodelled(t *testing.T) {
	obj := []byte(`{"configuration":{"a":1},"Configuration":{"Tier":"x","tier":"y","b":2,"c":3}}`)
	c := Member(obj, "configuration")
	if string(c) != `{"Tier":"x","tier":"y","b":2,"c":3}` {
		t.Fatalf("member %s", c)
	}
	got := Unmodelled(c, map[string]bool{"tier": true}, map[string]any{"c": 4})
	if len(got) != 2 || string(got["b"].(json.RawMessage)) != "2" || got["c"] != 4 {
		t.Fatalf("unmodelled %v", got)
	}
	if Member([]byte(`[1]`), "a") != nil || Unmodelled(nil, nil, nil) != nil {
		t.Fatal("not an object has members")
	}
}

// FieldNames names the field a user sets for each member: the field's own
// name, or its `field` tag's.
func TestFieldNames(t *testing.T) {
	type wire struct {
		A    string `json:"a,omitempty"`
		BID  string `json:"b_id" field:"B"`
		Skip string `json:"-"`
	}
	got := FieldNames(reflect.TypeFor[wire]())
	if want := map[string]string{"a": "A", "b_id": "B"}; !maps.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
}

func TestAddExtra(t *testing.T) {
	fields := map[string]string{"tier": "Tier", "version": "Version"}
	got, err := AddExtra([]byte(`{"tier":"fast"}`), map[string]any{"new": "x"}, fields, "Config")
	if err != nil || string(got) != `{"new":"x","tier":"fast"}` {
		t.Fatalf("added %s, %v", got, err)
	}
	_, err = AddExtra([]byte(`{}`), map[string]any{"version": 1, "tier": 2, "new": 3}, fields, "Config")
	if want := `Config.Extra["tier"]: tier has a field of its own: set Config.Tier instead of Extra`; err == nil || err.Error() != want {
		t.Fatalf("modelled members: %v; want %q", err, want)
	}
	if key, err := CheckExtra(map[string]any{"new": 1}, fields, "Config"); err != nil || key != "" {
		t.Fatal(key, err)
	}
}

// A value encoding/json cannot encode, at any depth, is refused with its
// member's name, the first in sorted order.
func TestCheckExtraUnencodable(t *testing.T) {
	for name, v := range map[string]any{
		"NaN":     math.NaN(),
		"-Inf":    math.Inf(-1),
		"chan":    make(chan int),
		"func":    func() {},
		"complex": complex(1, 2),
		"raw":     json.RawMessage(`{bad`),
		"deep":    map[string]any{"a": []any{1, map[string]any{"b": math.Inf(1)}}},
	} {
		key, err := CheckExtra(map[string]any{"ok": 1, "x": v, "y": v}, nil, "Config")
		if key != "x" || err == nil || !strings.Contains(err.Error(), "cannot be encoded as JSON") {
			t.Errorf("%s: key %q, %v", name, key, err)
		}
	}
}
