package fieldmeta

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

func TestParsePath(t *testing.T) {
	segs, err := parsePath("items[0][12].amount")
	want := []segment{{name: "items", index: -1}, {index: 0}, {index: 12}, {name: "amount", index: -1}}
	if err != nil || !reflect.DeepEqual(segs, want) {
		t.Fatalf("segments %+v, %v", segs, err)
	}
	for _, bad := range []string{"a[x]", "a[-1]", "a[1", "a[1]b]"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func decode(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every member of an entry is read, under either of its spellings.
func TestEntryAtReadsEveryMember(t *testing.T) {
	root := decode(t, `{"a":{"b":[{"c":{
		"confidence": 0.5, "extraction_confidence": "0.25", "parsing_confidence": 1, "reasoning": "r",
		"citation": [{"page": 2, "matching_text": "m",
			"bounding_boxes": [{"x": 1, "y": 2, "w": 3, "h": 4, "width": 30, "height": 40}, "not a box", {"x": "5"}],
			"page_dimensions": {"width": 600, "height": "800"}}, 7]}}]}}`)
	got, ok := EntryAt(root, "a.b[0].c")
	half, quarter, one := 0.5, 0.25, 1.0
	want := Entry{Confidence: &half, ExtractionConfidence: &quarter, ParsingConfidence: &one, Reasoning: "r",
		Citations: []Citation{{Page: 2, MatchingText: "m",
			BoundingBoxes:  []BoundingBox{{X: 1, Y: 2, W: 3, H: 4}, {X: 5}},
			PageDimensions: &PageDimensions{Width: 600, Height: 800}}}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("entry %+v, want %+v", got, want)
	}
	if _, ok := EntryAt(root, "a.b[0].c.confidence"); ok {
		t.Fatal("a number is not an entry")
	}
	if _, ok := EntryAt(nil, "a"); ok {
		t.Fatal("found in nothing")
	}
}

// A sub-field named like an entry's member does not make its parent an
// entry; walking stops when the caller does.
func TestWalkEntries(t *testing.T) {
	root := decode(t, `{"z":{"confidence":{"citation":[]}},"a":[{"confidence":1},{"citation":[]}],"reasoning":"top"}`)
	var paths []string
	for p := range WalkEntries(root) {
		paths = append(paths, p)
	}
	if want := []string{"a[0]", "a[1]", "z.confidence"}; !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	if e, ok := EntryAt(root, "z"); ok {
		t.Fatalf("a parent of a sub-field named confidence read as an entry: %+v", e)
	}
	n := 0
	for range WalkEntries(root) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("walked on after a stop: %d", n)
	}
}
