package jsonstream

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// A value that does not fit its target leaves the stream in step; a body
// that is not JSON, or breaks off, is the stream's error.
func TestDecodeTellsValueFromStream(t *testing.T) {
	d := NewDecoder(strings.NewReader(`["x", 2] {`))
	if err := d.Delim('['); err != nil {
		t.Fatal(err)
	}
	var n int
	var se *StreamError
	if err := d.Decode(&n); err == nil || errors.As(err, &se) {
		t.Fatalf("a string into an int: %v; want the value's error", err)
	}
	if err := d.Decode(&n); err != nil || n != 2 {
		t.Fatalf("the next value: %d, %v", n, err)
	}
	if err := d.Delim(']'); err != nil {
		t.Fatal(err)
	}
	if err := d.Skip(); !errors.As(err, &se) || se.Read {
		t.Fatalf("a cut object: %v; want a *StreamError not from reading", err)
	}
}

// A failed read is a *StreamError marked Read, whichever call meets it.
func TestReadErrorIsMarked(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(`{"a":[1,2,`), iotest.ErrReader(boom))
	d := NewDecoder(r)
	var se *StreamError
	if err := d.Skip(); !errors.As(err, &se) || !se.Read || !errors.Is(err, boom) {
		t.Fatalf("Skip over a broken body: %v", err)
	}
}

// Nesting deeper than MaxDepth is refused instead of overflowing the stack.
func TestSkipDepthIsBounded(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	var se *StreamError
	if err := NewDecoder(strings.NewReader(deep)).Skip(); !errors.As(err, &se) || !strings.Contains(err.Error(), "max depth") {
		t.Fatalf("deep nesting: %v", err)
	}
	if err := NewDecoder(strings.NewReader(`{"a":{"b":[1,{"c":null}]},"d":"e"}`)).Skip(); err != nil {
		t.Fatalf("ordinary object: %v", err)
	}
}

// ObjectWithout keeps every member but the skipped ones, and a cut object
// is the stream's error.
func TestObjectWithout(t *testing.T) {
	got, err := NewDecoder(strings.NewReader(`{"id":"a","big":[1,[2],{"x":3}],"n":null,"meta":{"k":"v"},"s":"\u00e9"}`)).ObjectWithout("big", "meta")
	if err != nil || string(got) != `{"id":"a","n":null,"s":"\u00e9"}` {
		t.Fatalf("%s, %v", got, err)
	}
	var se *StreamError
	if _, err := NewDecoder(strings.NewReader(`{"id":"a","big":[1,`)).ObjectWithout("big"); !errors.As(err, &se) {
		t.Fatalf("a cut object: %v", err)
	}
}

// Descend finds the list under any of its names, past members it skips,
// and tells a missing or null member from a member of the wrong kind.
func TestDescend(t *testing.T) {
	path := [][]string{{"meta"}, {"rows", "pages"}}
	for body, want := range map[string]string{
		`{"a":[1,{"b":2}],"meta":{"x":{},"rows":[{"r":1}]}}`: "found",
		`{"meta":{"rows":null,"pages":[{"r":1}]}}`:           "found",
		`{"meta":{"rows":null}}`:                             "absent",
		`{"meta":null,"meta":{"rows":[]}}`:                   "absent",
		`{"other":1}`:                                        "absent",
		`{"meta":{"rows":{}}}`:                               "rows is {, not an array",
		`{"meta":[]}`:                                        "meta is [, not an object",
		`{"meta":{"rows":[`:                                  "found",
		`{"meta":{"x":[1,`:                                   "stream",
		`[]`:                                                 "stream",
	} {
		d := NewDecoder(strings.NewReader(body))
		found, err := d.Descend(path...)
		var se *StreamError
		got := "absent"
		switch {
		case err != nil && !errors.As(err, &se):
			t.Errorf("%s: %v is not a *StreamError", body, err)
		case err != nil && strings.Contains(err.Error(), "not an"):
			got = err.Error()
		case err != nil:
			got = "stream"
		case found:
			got = "found"
			var row map[string]any
			if d.More() {
				if err := d.Decode(&row); err != nil || row["r"] != 1.0 {
					t.Errorf("%s: the first row %v, %v", body, row, err)
				}
			}
		}
		if got != want {
			t.Errorf("%s: %s, want %s", body, got, want)
		}
	}
}

// Objects finds its list only when asked, yields nil for an element that
// is not an object and once the list is over, and reports a broken stream
// once.
func TestObjects(t *testing.T) {
	d := NewDecoder(strings.NewReader(`{"skip":[1,2],"meta":{"rows":[{"a":1},7,null,{"b":2}]}} trailing`))
	o := d.ObjectsAt([]string{"meta"}, []string{"rows"})
	var got []string
	for range 6 {
		e, err := o.Next()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(e))
	}
	if want := "[map[a:1] map[] map[] map[b:2] map[] map[]]"; fmt.Sprint(got) != want {
		t.Fatalf("elements %v, want %s", got, want)
	}
	o = NewDecoder(strings.NewReader(`{"meta":{"rows":[{"a":1},{"b":`)).ObjectsAt([]string{"meta"}, []string{"rows"})
	if e, err := o.Next(); err != nil || e["a"] != 1.0 {
		t.Fatalf("first element: %v, %v", e, err)
	}
	var se *StreamError
	if _, err := o.Next(); !errors.As(err, &se) {
		t.Fatalf("a cut element: %v; want a *StreamError", err)
	}
	if e, err := o.Next(); e != nil || err != nil {
		t.Fatalf("after the error: %v, %v", e, err)
	}
	o = NewDecoder(strings.NewReader(`{"meta":{"rows":"x"}}`)).ObjectsAt([]string{"meta"}, []string{"rows"})
	if _, err := o.Next(); !errors.As(err, &se) || err.Error() != "rows is x, not an array" {
		t.Fatalf("a list of the wrong kind: %v", err)
	}
}
