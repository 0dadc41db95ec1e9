// Package fieldmeta reads the field metadata of an extraction job (the
// entries of extract_metadata.field_metadata, decoded as map[string]any):
// it finds a field's entry by path ("vendor", "address.city",
// "items[0].amount"), walks every entry of a tree in a stable order, and
// reads an entry's citations and confidences, forgiving the shapes the
// service is known to send (a single citation object, page_number, numeric
// strings, the reasoning of a nested object one level up).
package fieldmeta

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// Entry is what the service reports about one extracted value.
type Entry struct {
	Citations []Citation
	// Confidence, ExtractionConfidence and ParsingConfidence are nil when
	// not sent (or not a number).
	Confidence, ExtractionConfidence, ParsingConfidence *float64
	Reasoning                                           string
}

// Citation is a span of the source document that backs a value.
type Citation struct {
	Page          int
	MatchingText  string
	BoundingBoxes []BoundingBox
	// PageDimensions is nil when not sent.
	PageDimensions *PageDimensions
}

// BoundingBox is a rectangle on a page: top-left corner, width, height.
type BoundingBox struct {
	X, Y, W, H float64
}

// PageDimensions is the size of a page.
type PageDimensions struct {
	Width, Height float64
}

// segment is one step of a path: a member name, or an array index.
type segment struct {
	name  string
	index int // -1 for a name
}

func parsePath(path string) ([]segment, error) {
	var segs []segment
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			segs = append(segs, segment{name: name, index: -1})
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(idx)
			if !ok || err != nil || n < 0 {
				return nil, fmt.Errorf("bad index in %q", path)
			}
			segs = append(segs, segment{index: n})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs, nil
}

// EntryAt returns the entry of the field at path in root. A nested object
// that is not an entry itself has only the reasoning the service may put
// beside its sub-fields; without that it is not found.
func EntryAt(root map[string]any, path string) (Entry, bool) {
	segs, err := parsePath(path)
	if err != nil || root == nil || len(segs) == 0 {
		return Entry{}, false
	}
	m, ok := descend(root, segs).(map[string]any)
	if !ok {
		return Entry{}, false
	}
	if isEntry(m) {
		return parseEntry(m), true
	}
	// A nested object: the service may put the model's reasoning for it
	// one level up, beside its sub-fields.
	if r, ok := m["reasoning"].(string); ok {
		return Entry{Reasoning: r}, true
	}
	return Entry{}, false
}

// descend follows segs from node; nil when a step does not exist.
func descend(node any, segs []segment) any {
	for _, s := range segs {
		switch n := node.(type) {
		case map[string]any:
			if s.index >= 0 {
				return nil
			}
			v, ok := n[s.name]
			if !ok {
				return nil
			}
			node = v
		case []any:
			if s.index < 0 || s.index >= len(n) {
				return nil
			}
			node = n[s.index]
		default:
			return nil
		}
	}
	return node
}

var entryKeys = []string{"citation", "confidence", "extraction_confidence", "parsing_confidence"}

// isEntry tells a field's metadata entry from a map of sub-fields: an entry
// has a citation, or a confidence that is not itself a map (a sub-field
// named "confidence" would be one).
func isEntry(m map[string]any) bool {
	for _, k := range entryKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if _, sub := v.(map[string]any); !sub {
			return true
		}
	}
	return false
}

func parseEntry(m map[string]any) Entry {
	f := Entry{
		Confidence:           numberOf(m["confidence"]),
		ExtractionConfidence: numberOf(m["extraction_confidence"]),
		ParsingConfidence:    numberOf(m["parsing_confidence"]),
	}
	f.Reasoning, _ = m["reasoning"].(string)
	switch c := m["citation"].(type) {
	case []any:
		for _, e := range c {
			if cm, ok := e.(map[string]any); ok {
				f.Citations = append(f.Citations, parseCitation(cm))
			}
		}
	case map[string]any:
		f.Citations = append(f.Citations, parseCitation(c))
	}
	return f
}

func parseCitation(m map[string]any) Citation {
	var c Citation
	page := m["page"]
	if page == nil {
		page = m["page_number"]
	}
	if p := numberOf(page); p != nil {
		c.Page = int(*p)
	}
	c.MatchingText, _ = m["matching_text"].(string)
	if boxes, ok := m["bounding_boxes"].([]any); ok {
		for _, b := range boxes {
			bm, ok := b.(map[string]any)
			if !ok {
				continue
			}
			c.BoundingBoxes = append(c.BoundingBoxes, BoundingBox{
				X: numberOrZero(bm["x"]), Y: numberOrZero(bm["y"]),
				W: numberOrZero(firstOf(bm, "w", "width")), H: numberOrZero(firstOf(bm, "h", "height")),
			})
		}
	}
	if d, ok := m["page_dimensions"].(map[string]any); ok {
		c.PageDimensions = &PageDimensions{Width: numberOrZero(d["width"]), Height: numberOrZero(d["height"])}
	}
	return c
}

// firstOf returns the value of the first of keys that m has.
func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// numberOf reads a JSON number or numeric string; anything else is nil.
func numberOf(v any) *float64 {
	switch x := v.(type) {
	case float64:
		return &x
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return &f
		}
	}
	return nil
}

func numberOrZero(v any) float64 {
	if p := numberOf(v); p != nil {
		return *p
	}
	return 0
}

// WalkEntries iterates over every entry under root, by path, members in sorted
// order and array elements by index. A nested object's reasoning is not a
// field of its own.
func WalkEntries(root map[string]any) iter.Seq2[string, Entry] {
	return func(yield func(string, Entry) bool) {
		walkNode("", root, yield)
	}
}

func walkNode(path string, node any, yield func(string, Entry) bool) bool {
	switch n := node.(type) {
	case map[string]any:
		if path != "" && isEntry(n) {
			return yield(path, parseEntry(n))
		}
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, isText := n[k].(string); isText && k == "reasoning" {
				continue // the parent object's reasoning, not a field
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !walkNode(p, n[k], yield) {
				return false
			}
		}
	case []any:
		for i, e := range n {
			if !walkNode(fmt.Sprintf("%s[%d]", path, i), e, yield) {
				return false
			}
		}
	}
	return true
}
