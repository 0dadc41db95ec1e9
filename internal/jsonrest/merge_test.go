package jsonrest

import (
	"maps"
	"reflect"
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
// a nested member; what it models is known's.
func TestMergeMembers(t *testing.T) {
	known := []byte(`{"id":"new","configuration":{"tier":"agentic"}}`)
	raw := []byte(`{"id":"old","extra":1,"configuration":{"tier":"fast","output_language":"fr"}}`)
	modelled := map[string]bool{"id": true, "configuration": true}
	nested := map[string]map[string]bool{"configuration": {"tier": true}}
	got, err := MergeMembers(known, raw, modelled, nested)
	want := `{"configuration":{"output_language":"fr","tier":"agentic"},"extra":1,"id":"new"}`
	if err != nil || string(got) != want {
		t.Fatalf("merged %s, %v; want %s", got, err, want)
	}
	if got, err := MergeMembers(known, nil, modelled, nested); err != nil || string(got) != string(known) {
		t.Fatalf("without raw: %s, %v", got, err)
	}
	if _, err := MergeMembers(known, []byte(`[1]`), modelled, nested); err == nil {
		t.Fatal("raw that is not an object merged")
	}
}

func TestAddExtra(t *testing.T) {
	modelled := map[string]bool{"tier": true, "version": true}
	got, err := AddExtra([]byte(`{"tier":"fast"}`), map[string]any{"new": "x"}, modelled, "Config.Extra")
	if err != nil || string(got) != `{"new":"x","tier":"fast"}` {
		t.Fatalf("added %s, %v", got, err)
	}
	_, err = AddExtra([]byte(`{}`), map[string]any{"version": 1, "tier": 2, "new": 3}, modelled, "Config.Extra")
	if want := "Config.Extra: tier, version has a field of its own; set that field instead of Extra"; err == nil || err.Error() != want {
		t.Fatalf("modelled members: %v; want %q", err, want)
	}
	if err := CheckExtra(map[string]any{"new": 1}, modelled, "Extra"); err != nil {
		t.Fatal(err)
	}
}
