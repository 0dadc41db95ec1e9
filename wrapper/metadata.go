package wrapper

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// Citation is a span of the source document that backs an extracted value.
type Citation struct {
	// Page is the 1-based page number.
	Page int
	// MatchingText is the verbatim text the value came from.
	MatchingText string
	// BoundingBoxes locate the text on the page, in the units of
	// PageDimensions.
	BoundingBoxes []BoundingBox
	// PageDimensions is the page size the boxes refer to, when sent.
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

// FieldMetadata is what the service reports about one extracted value.
// Citations come with cite_sources; the confidences with confidence_scores.
type FieldMetadata struct {
	Citations []Citation
	// Confidence is the overall score in [0, 1]; ExtractionConfidence and
	// ParsingConfidence split it into extraction and parsing quality. Nil
	// when not sent (or not a number).
	Confidence, ExtractionConfidence, ParsingConfidence *float64
	// Reasoning is the model's explanation, when sent.
	Reasoning string
}

// Metadata is a job's field metadata: per field for per_doc results, per
// page or per row otherwise. Paths name fields as in the schema, with
// indexes for arrays: "vendor", "address.city", "items[0].amount".
type Metadata struct {
	doc   map[string]any
	pages []map[string]any
	rows  []map[string]any
	// ParseJobID and ParseTier describe the parse step behind the job.
	ParseJobID, ParseTier string
}

// Metadata returns the job's field metadata, decoded from the job on every
// call (keep the value). It is empty unless the job was fetched
// WithExpand(ExpandExtractMetadata) or asked for citations or confidence
// scores; Extract and ExtractRows fetch it when the configuration asks.
func (j *Job) Metadata() Metadata {
	var m Metadata
	var p struct {
		Metadata *generated.ExtractJobMetadata `json:"extract_metadata"`
	}
	if j == nil || j.raw == nil || json.Unmarshal(j.raw, &p) != nil || p.Metadata == nil {
		return m
	}
	em := *p.Metadata
	if em.ParseJobId != nil {
		m.ParseJobID = *em.ParseJobId
	}
	if em.ParseTier != nil {
		m.ParseTier = *em.ParseTier
	}
	if fm := em.FieldMetadata; fm != nil {
		if fm.DocumentMetadata != nil {
			m.doc = *fm.DocumentMetadata
		}
		if fm.PageMetadata != nil {
			m.pages = *fm.PageMetadata
		}
		if fm.RowMetadata != nil {
			m.rows = *fm.RowMetadata
		}
	}
	return m
}

// Field returns the metadata of a document-level (per_doc) field.
func (m Metadata) Field(path string) (FieldMetadata, bool) { return lookup(m.doc, path) }

// PageField returns the metadata of a field of the i-th page result (0-based
// index into the per_page result array).
func (m Metadata) PageField(i int, path string) (FieldMetadata, bool) {
	if i < 0 || i >= len(m.pages) {
		return FieldMetadata{}, false
	}
	return lookup(m.pages[i], path)
}

// RowField returns the metadata of a field of the i-th row (0-based index
// into the per_table_row result array).
func (m Metadata) RowField(i int, path string) (FieldMetadata, bool) {
	if i < 0 || i >= len(m.rows) {
		return FieldMetadata{}, false
	}
	return lookup(m.rows[i], path)
}

// Pages reports how many page entries there are.
func (m Metadata) Pages() int { return len(m.pages) }

// Rows reports how many row entries there are.
func (m Metadata) Rows() int { return len(m.rows) }

// Fields iterates over every document-level field with metadata, by path,
// in a stable order.
func (m Metadata) Fields() iter.Seq2[string, FieldMetadata] { return walk(m.doc) }

// PageFields iterates over the fields of the i-th page result.
func (m Metadata) PageFields(i int) iter.Seq2[string, FieldMetadata] {
	if i < 0 || i >= len(m.pages) {
		return walk(nil)
	}
	return walk(m.pages[i])
}

// RowFields iterates over the fields of the i-th row.
func (m Metadata) RowFields(i int) iter.Seq2[string, FieldMetadata] {
	if i < 0 || i >= len(m.rows) {
		return walk(nil)
	}
	return walk(m.rows[i])
}

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

func lookup(root map[string]any, path string) (FieldMetadata, bool) {
	segs, err := parsePath(path)
	if err != nil || root == nil || len(segs) == 0 {
		return FieldMetadata{}, false
	}
	var node any = root
	for _, s := range segs {
		switch n := node.(type) {
		case map[string]any:
			if s.index >= 0 {
				return FieldMetadata{}, false
			}
			v, ok := n[s.name]
			if !ok {
				return FieldMetadata{}, false
			}
			node = v
		case []any:
			if s.index < 0 || s.index >= len(n) {
				return FieldMetadata{}, false
			}
			node = n[s.index]
		default:
			return FieldMetadata{}, false
		}
	}
	m, ok := node.(map[string]any)
	if !ok {
		return FieldMetadata{}, false
	}
	if isEntry(m) {
		return parseEntry(m), true
	}
	// A nested object: the service may put the model's reasoning for it
	// one level up, beside its sub-fields.
	if r, ok := m["reasoning"].(string); ok {
		return FieldMetadata{Reasoning: r}, true
	}
	return FieldMetadata{}, false
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

func parseEntry(m map[string]any) FieldMetadata {
	f := FieldMetadata{
		Confidence:           number(m["confidence"]),
		ExtractionConfidence: number(m["extraction_confidence"]),
		ParsingConfidence:    number(m["parsing_confidence"]),
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
	if p := number(page); p != nil {
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
				X: num0(bm["x"]), Y: num0(bm["y"]), W: num0(first(bm, "w", "width")), H: num0(first(bm, "h", "height")),
			})
		}
	}
	if d, ok := m["page_dimensions"].(map[string]any); ok {
		c.PageDimensions = &PageDimensions{Width: num0(d["width"]), Height: num0(d["height"])}
	}
	return c
}

func first(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// number reads a JSON number or numeric string; anything else is nil.
func number(v any) *float64 {
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

func num0(v any) float64 {
	if p := number(v); p != nil {
		return *p
	}
	return 0
}

func walk(root map[string]any) iter.Seq2[string, FieldMetadata] {
	return func(yield func(string, FieldMetadata) bool) {
		walkNode("", root, yield)
	}
}

func walkNode(path string, node any, yield func(string, FieldMetadata) bool) bool {
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
