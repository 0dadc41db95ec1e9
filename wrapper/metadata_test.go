package wrapper_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func jobWithMetadata(t testing.TB, raw string) *wrapper.Job {
	var job wrapper.Job
	in := `{"id":"ext-1","status":"COMPLETED","extract_metadata":{"parse_job_id":"pjb-1","field_metadata":` + raw + `}}`
	if err := json.Unmarshal([]byte(in), &job); err != nil {
		t.Fatal(err)
	}
	return &job
}

// The reference's own example, placeholders and all, plus the quirks users
// reported: reasoning one level up, a single citation object, page_number,
// numeric strings.
const quirkyMetadata = `{
  "document_metadata": {
    "items": [
      {"amount": {"citation": [{"matching_text": "$10.00", "page": 1}], "confidence": 1},
       "description": {"citation": [{"matching_text": "$10/month", "page": 1}], "confidence": 0.998}}
    ],
    "total": {"citation": "bar", "confidence": "bar"},
    "vendor": {"citation": "bar", "confidence": "bar", "extraction_confidence": "bar", "parsing_confidence": "bar"},
    "address": {
      "reasoning": "found in the letterhead",
      "city": {"citation": {"page_number": "2", "matching_text": "Paris", "bounding_boxes": [{"x": 1, "y": 2, "width": 3, "height": 4}]}, "confidence": "0.9"},
      "reasoning_notes": {"citation": [], "reasoning": "a field literally about reasoning"}
    }
  },
  "row_metadata": [{"date": {"citation": [{"page": 3, "matching_text": "2026-01-02"}]}}],
  "page_metadata": [{"foo": {"foo": "bar"}}]
}`

func TestMetadataQuirks(t *testing.T) {
	md := jobWithMetadata(t, quirkyMetadata).Metadata()
	if md.ParseJobID != "pjb-1" {
		t.Fatalf("parse job %q", md.ParseJobID)
	}
	amount, ok := md.Field("items[0].amount")
	if !ok || *amount.Confidence != 1 || amount.Citations[0].MatchingText != "$10.00" || amount.Citations[0].Page != 1 {
		t.Fatalf("amount %+v", amount)
	}
	vendor, ok := md.Field("vendor")
	if !ok || vendor.Confidence != nil || vendor.Citations != nil {
		t.Fatalf("placeholder strings must read as unset: %+v", vendor)
	}
	city, ok := md.Field("address.city")
	if !ok || city.Citations[0].Page != 2 || *city.Confidence != 0.9 || city.Citations[0].BoundingBoxes[0] != (wrapper.BoundingBox{X: 1, Y: 2, W: 3, H: 4}) {
		t.Fatalf("city %+v", city)
	}
	addr, ok := md.Field("address")
	if !ok || addr.Reasoning != "found in the letterhead" {
		t.Fatalf("reasoning one level up: %+v", addr)
	}
	if f, ok := md.Field("address.reasoning_notes"); !ok || f.Reasoning != "a field literally about reasoning" {
		t.Fatalf("field named like reasoning: %+v", f)
	}
	for _, bad := range []string{"", "nope", "items[5].amount", "items.amount", "items[x]", "vendor.deeper"} {
		if _, ok := md.Field(bad); ok {
			t.Errorf("path %q found", bad)
		}
	}
	var paths []string
	for p := range md.Fields() {
		paths = append(paths, p)
	}
	want := []string{"address.city", "address.reasoning_notes", "items[0].amount", "items[0].description", "total", "vendor"}
	if len(paths) != len(want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Fatalf("paths %v, want %v", paths, want)
		}
	}
	if row, ok := md.RowField(0, "date"); !ok || row.Citations[0].Page != 3 || md.Rows() != 1 {
		t.Fatalf("row %+v", row)
	}
	if _, ok := md.RowField(7, "date"); ok {
		t.Fatal("row out of range found")
	}
	if _, ok := md.PageField(0, "foo"); ok {
		t.Fatal("a map of placeholders is not an entry")
	}
	if (&wrapper.Job{}).Metadata().Pages() != 0 {
		t.Fatal("empty metadata")
	}
}

func FuzzMetadataWalk(f *testing.F) {
	f.Add(quirkyMetadata, "items[0].amount")
	f.Add(`{"document_metadata":{"a":{"citation":[1,"x",{"page":"NaN"}]}}}`, "a")
	f.Add(`{"row_metadata":[{"x":[[{"confidence":{}}]]}]}`, "x[0][0]")
	f.Fuzz(func(t *testing.T, raw, path string) {
		var fm map[string]any
		if json.Unmarshal([]byte(raw), &fm) != nil {
			return
		}
		md := jobWithMetadata(t, raw).Metadata()
		md.Field(path)
		md.RowField(0, path)
		md.PageField(0, path)
		for range md.Fields() {
		}
		for range md.RowFields(0) {
		}
	})
}

// Every member fieldmeta reads reaches the exported FieldMetadata.
func TestMetadataCarriesEveryMember(t *testing.T) {
	md := jobWithMetadata(t, `{"document_metadata":{"a":{"confidence":0.5,"extraction_confidence":0.25,"parsing_confidence":1,"reasoning":"r",
		"citation":[{"page":2,"matching_text":"m","bounding_boxes":[{"x":1,"y":2,"w":3,"h":4}],"page_dimensions":{"width":600,"height":800}}]}}}`).Metadata()
	half, quarter, one := 0.5, 0.25, 1.0
	want := wrapper.FieldMetadata{Confidence: &half, ExtractionConfidence: &quarter, ParsingConfidence: &one, Reasoning: "r",
		Citations: []wrapper.Citation{{Page: 2, MatchingText: "m", BoundingBoxes: []wrapper.BoundingBox{{X: 1, Y: 2, W: 3, H: 4}},
			PageDimensions: &wrapper.PageDimensions{Width: 600, Height: 800}}}}
	got, ok := md.Field("a")
	if !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("field %+v, want %+v", got, want)
	}
	for path, f := range md.Fields() {
		if path != "a" || !reflect.DeepEqual(f, want) {
			t.Fatalf("walked %s: %+v", path, f)
		}
	}
}
