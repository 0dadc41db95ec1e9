package wrapper

import (
	"encoding/json"
	"iter"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/fieldmeta"
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
func (m Metadata) Field(path string) (FieldMetadata, bool) { return fieldOf(m.doc, path) }

// PageField returns the metadata of a field of the i-th page result (0-based
// index into the per_page result array).
func (m Metadata) PageField(i int, path string) (FieldMetadata, bool) {
	if i < 0 || i >= len(m.pages) {
		return FieldMetadata{}, false
	}
	return fieldOf(m.pages[i], path)
}

// RowField returns the metadata of a field of the i-th row (0-based index
// into the per_table_row result array).
func (m Metadata) RowField(i int, path string) (FieldMetadata, bool) {
	if i < 0 || i >= len(m.rows) {
		return FieldMetadata{}, false
	}
	return fieldOf(m.rows[i], path)
}

// Pages reports how many page entries there are.
func (m Metadata) Pages() int { return len(m.pages) }

// Rows reports how many row entries there are.
func (m Metadata) Rows() int { return len(m.rows) }

// Fields iterates over every document-level field with metadata, by path,
// in a stable order.
func (m Metadata) Fields() iter.Seq2[string, FieldMetadata] { return fieldsOf(m.doc) }

// PageFields iterates over the fields of the i-th page result.
func (m Metadata) PageFields(i int) iter.Seq2[string, FieldMetadata] {
	if i < 0 || i >= len(m.pages) {
		return fieldsOf(nil)
	}
	return fieldsOf(m.pages[i])
}

// RowFields iterates over the fields of the i-th row.
func (m Metadata) RowFields(i int) iter.Seq2[string, FieldMetadata] {
	if i < 0 || i >= len(m.rows) {
		return fieldsOf(nil)
	}
	return fieldsOf(m.rows[i])
}

// fieldOf reads the metadata of the field at path in root.
func fieldOf(root map[string]any, path string) (FieldMetadata, bool) {
	e, ok := fieldmeta.EntryAt(root, path)
	return fromEntry(e), ok
}

// fieldsOf iterates over every field of root that has metadata.
func fieldsOf(root map[string]any) iter.Seq2[string, FieldMetadata] {
	return func(yield func(string, FieldMetadata) bool) {
		for path, e := range fieldmeta.WalkEntries(root) {
			if !yield(path, fromEntry(e)) {
				return
			}
		}
	}
}

// fromEntry is the one conversion of fieldmeta's reading into the
// exported types.
func fromEntry(e fieldmeta.Entry) FieldMetadata {
	f := FieldMetadata{Confidence: e.Confidence, ExtractionConfidence: e.ExtractionConfidence,
		ParsingConfidence: e.ParsingConfidence, Reasoning: e.Reasoning}
	for _, c := range e.Citations {
		out := Citation{Page: c.Page, MatchingText: c.MatchingText}
		for _, b := range c.BoundingBoxes {
			out.BoundingBoxes = append(out.BoundingBoxes, BoundingBox(b))
		}
		if d := c.PageDimensions; d != nil {
			out.PageDimensions = &PageDimensions{Width: d.Width, Height: d.Height}
		}
		f.Citations = append(f.Citations, out)
	}
	return f
}
