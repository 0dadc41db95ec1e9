package extracttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// The emulator's "model" is deliberately simple and deterministic: it reads
// "Label: value" lines and "|"-separated tables from text documents (pages
// split by form feeds; text drawn with Tj in uncompressed PDFs), matches
// labels and column headers to schema property names, and cites where it
// found each value. A property it cannot find is null when the schema
// allows null, left out when it is optional, and otherwise a deterministic
// synthetic value of the right type (the package doc states the rule), so
// every result validates against the job's data_schema.

type page struct {
	num   int
	lines []string
}

var pdfText = regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`)

func documentPages(content []byte) []page {
	var texts []string
	if bytes.HasPrefix(content, []byte("%PDF")) {
		for _, chunk := range bytes.Split(content, []byte("/Type /Page\n"))[1:] {
			var b strings.Builder
			for _, m := range pdfText.FindAllSubmatch(chunk, -1) {
				b.Write(m[1])
				b.WriteByte('\n')
			}
			texts = append(texts, b.String())
		}
	} else {
		texts = strings.Split(string(content), "\f")
	}
	if len(texts) == 0 {
		texts = []string{""}
	}
	pages := make([]page, len(texts))
	for i, t := range texts {
		pages[i] = page{num: i + 1, lines: strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n")}
	}
	return pages
}

// selectPages applies target_pages ("1,3,5-7") and max_pages.
func selectPages(pages []page, target *string, maxPages *int) []page {
	out := pages
	if target != nil && strings.TrimSpace(*target) != "" {
		want := map[int]bool{}
		for _, part := range strings.Split(*target, ",") {
			lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
			a, err1 := strconv.Atoi(strings.TrimSpace(lo))
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.Atoi(strings.TrimSpace(hi))
			}
			if err1 != nil || err2 != nil {
				continue
			}
			for n := a; n <= b && n-a < 10000; n++ {
				want[n] = true
			}
		}
		out = nil
		for _, p := range pages {
			if want[p.num] {
				out = append(out, p)
			}
		}
	}
	if maxPages != nil && *maxPages > 0 && len(out) > *maxPages {
		out = out[:*maxPages]
	}
	return out
}

func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type hit struct {
	text string
	page int
	line int
}

// labelled finds "Label: value" lines across pages.
func labelled(pages []page) map[string]hit {
	out := map[string]hit{}
	for _, p := range pages {
		for i, ln := range p.lines {
			label, value, ok := strings.Cut(ln, ":")
			if !ok || strings.Contains(label, "|") {
				continue
			}
			key, value := normalize(label), strings.TrimSpace(value)
			if _, seen := out[key]; key != "" && value != "" && !seen {
				out[key] = hit{text: value, page: p.num, line: i}
			}
		}
	}
	return out
}

// table finds the first "|" table whose header names at least one of props;
// it returns one map of normalized column name to cell per row.
func table(pages []page, props map[string]any) []map[string]hit {
	for _, p := range pages {
		for i, ln := range p.lines {
			if !strings.Contains(ln, "|") {
				continue
			}
			header := splitRow(ln)
			matches := 0
			for _, h := range header {
				for name := range props {
					if normalize(name) == normalize(h) {
						matches++
					}
				}
			}
			if matches == 0 {
				continue
			}
			var rows []map[string]hit
			for k := i + 1; k < len(p.lines); k++ {
				row := p.lines[k]
				if !strings.Contains(row, "|") {
					break
				}
				cells := splitRow(row)
				if strings.Trim(strings.Join(cells, ""), "-: ") == "" {
					continue // separator line
				}
				m := map[string]hit{}
				for c, cell := range cells {
					if c < len(header) && cell != "" {
						m[normalize(header[c])] = hit{text: cell, page: p.num, line: k}
					}
				}
				rows = append(rows, m)
			}
			return rows
		}
	}
	return nil
}

func splitRow(ln string) []string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(ln), "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

type filler struct {
	seed       string
	cite, conf bool
	tableRows  int
}

// fill produces a value for schema and its metadata entry. found maps a
// normalized property name to where its value is in the document.
func (f *filler) fill(path string, schema map[string]any, found map[string]hit, pages []page, name string) (any, any) {
	typ, nullable := schemaType(schema)
	if nullable && !present(schema, found, pages, name) {
		return nil, f.entry(hit{}, 0)
	}
	h, ok := found[normalize(name)]
	switch typ {
	case "object":
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		obj, meta := map[string]any{}, map[string]any{}
		for _, k := range sortedKeys(props) {
			sub, _ := props[k].(map[string]any)
			if _, null := schemaType(sub); !null && !slices.Contains(required, any(k)) && !present(sub, found, pages, k) {
				continue // optional, not nullable, not in the document: left out
			}
			v, m := f.fill(path+"."+k, sub, found, pages, k)
			obj[k] = v
			if m != nil {
				meta[k] = m
			}
		}
		return obj, meta
	case "array":
		items, _ := schema["items"].(map[string]any)
		it, _ := schemaType(items)
		var arr, meta []any
		if it == "object" {
			props, _ := items["properties"].(map[string]any)
			rows := table(pages, props)
			n := len(rows)
			if n == 0 {
				n = 2
			}
			for i := 0; i < n; i++ {
				var cells map[string]hit
				if i < len(rows) {
					cells = rows[i]
				}
				v, m := f.fill(fmt.Sprintf("%s[%d]", path, i), items, cells, pages, "")
				arr, meta = append(arr, v), append(meta, m)
			}
			return arr, meta
		}
		if ok {
			for i, part := range strings.Split(h.text, ",") {
				v, m := f.fill(fmt.Sprintf("%s[%d]", path, i), items, map[string]hit{"": {text: strings.TrimSpace(part), page: h.page, line: h.line}}, pages, "")
				arr, meta = append(arr, v), append(meta, m)
			}
			return arr, meta
		}
		for i := 0; i < 2; i++ {
			v, m := f.fill(fmt.Sprintf("%s[%d]", path, i), items, nil, pages, "")
			arr, meta = append(arr, v), append(meta, m)
		}
		return arr, meta
	}
	if ok {
		if v, good := coerce(typ, schema, h.text); good {
			return v, f.entry(h, 0.97)
		}
	}
	if nullable {
		return nil, f.entry(hit{}, 0)
	}
	return f.synthetic(path, typ, schema), f.entry(hit{}, 0.5)
}

// present reports whether the document holds a value for the property
// name of this schema: a "Label: value" line naming it, a table for an array
// of objects, a value of any of an object's properties.
func present(schema map[string]any, found map[string]hit, pages []page, name string) bool {
	typ, _ := schemaType(schema)
	switch typ {
	case "object":
		props, _ := schema["properties"].(map[string]any)
		for k, sub := range props {
			if m, ok := sub.(map[string]any); ok && present(m, found, pages, k) {
				return true
			}
		}
		return false
	case "array":
		items, _ := schema["items"].(map[string]any)
		if it, _ := schemaType(items); it == "object" {
			props, _ := items["properties"].(map[string]any)
			return len(table(pages, props)) > 0
		}
	}
	_, ok := found[normalize(name)]
	return ok
}

func (f *filler) entry(h hit, confidence float64) any {
	if !f.cite && !f.conf {
		return nil
	}
	e := map[string]any{}
	if f.cite {
		cites := []any{}
		if h.page > 0 {
			cites = append(cites, map[string]any{
				"page":            h.page,
				"matching_text":   h.text,
				"bounding_boxes":  []any{map[string]any{"x": 72.0, "y": 72.0 + 14.0*float64(h.line), "w": 6.0 * float64(len(h.text)), "h": 12.0}},
				"page_dimensions": map[string]any{"width": 612.0, "height": 792.0},
			})
		}
		e["citation"] = cites
	}
	if f.conf {
		e["confidence"] = confidence
		e["extraction_confidence"] = confidence
		e["parsing_confidence"] = confidence
	}
	return e
}

func (f *filler) synthetic(path, typ string, schema map[string]any) any {
	if enum, _ := schema["enum"].([]any); len(enum) > 0 {
		return enum[0]
	}
	h := fnv.New64a()
	h.Write([]byte(f.seed + path))
	n := h.Sum64()
	switch typ {
	case "number":
		return float64(n%100000) / 100
	case "integer":
		return int64(n % 1000)
	case "boolean":
		return n%2 == 0
	case "null":
		return nil
	}
	switch schema["format"] {
	case "date":
		return fmt.Sprintf("2026-%02d-%02d", 1+n%12, 1+n%28)
	case "date-time":
		return fmt.Sprintf("2026-%02d-%02dT12:00:00Z", 1+n%12, 1+n%28)
	}
	last := path[strings.LastIndexAny(path, ".]")+1:]
	return fmt.Sprintf("%s %04x", strings.ReplaceAll(last, "_", " "), n&0xffff)
}

// schemaType returns a node's type, looking through anyOf [X, null].
func schemaType(schema map[string]any) (string, bool) {
	switch t := schema["type"].(type) {
	case string:
		return t, false
	case []any:
		typ, nullable := "", false
		for _, e := range t {
			if e == "null" {
				nullable = true
			} else if s, ok := e.(string); ok && typ == "" {
				typ = s
			}
		}
		return typ, nullable
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts, _ := schema[key].([]any)
		typ, nullable := "", false
		for _, a := range alts {
			m, _ := a.(map[string]any)
			t, _ := schemaType(m)
			if t == "null" {
				nullable = true
			} else if typ == "" {
				typ = t
				for k, v := range m {
					// Not "type": a second look must still see the null.
					if _, set := schema[k]; !set && k != "type" {
						schema[k] = v
					}
				}
			}
		}
		if typ != "" || nullable {
			return typ, nullable
		}
	}
	if _, ok := schema["properties"]; ok {
		return "object", false
	}
	return "string", false
}

var numberJunk = strings.NewReplacer("$", "", "€", "", "£", "", ",", "", " ", "", "USD", "", "EUR", "")

func coerce(typ string, schema map[string]any, text string) (any, bool) {
	switch typ {
	case "number":
		v, err := strconv.ParseFloat(numberJunk.Replace(text), 64)
		return v, err == nil
	case "integer":
		v, err := strconv.ParseInt(numberJunk.Replace(text), 10, 64)
		return v, err == nil
	case "boolean":
		switch strings.ToLower(text) {
		case "yes", "true", "y", "1":
			return true, true
		case "no", "false", "n", "0":
			return false, true
		}
		return nil, false
	case "string":
		if enum, _ := schema["enum"].([]any); len(enum) > 0 {
			for _, e := range enum {
				if s, ok := e.(string); ok && strings.EqualFold(s, text) {
					return s, true
				}
			}
			return nil, false
		}
		return text, true
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// completeLocked computes a COMPLETED job's result and metadata once.
func (s *Server) completeLocked(j *job) {
	if j.result != nil {
		return
	}
	var content []byte
	if f := s.st.files[j.fileInput]; f != nil {
		content = f.content
	}
	pages := selectPages(documentPages(content), j.config.TargetPages, j.config.MaxPages)
	j.pages = max(len(pages), 1)
	parseJob := s.st.newID("pjb-")
	tier := "cost_effective"
	if j.config.ParseTier != nil {
		tier = *j.config.ParseTier
	} else if j.config.Tier != nil {
		tier = string(*j.config.Tier)
	}
	j.metadata = &generated.ExtractJobMetadata{ParseJobId: &parseJob, ParseTier: &tier}

	if j.outcome.Result != nil {
		j.result = j.outcome.Result
	} else {
		s.synthesize(j, pages)
	}
	var text int
	for _, p := range pages {
		for _, l := range p.lines {
			text += len(l) + 1
		}
	}
	n, doc, out := j.pages, text/4+1, len(j.result)/4+1
	j.usage = generated.ExtractJobUsage{NumPagesExtracted: &n, NumPagesBilled: &n, NumDocumentTokens: &doc, NumOutputTokens: &out}
}

// synthesize computes the result and field metadata of a job with no
// scripted result, by the rules of the package doc.
func (s *Server) synthesize(j *job, pages []page) {
	schema := map[string]any(j.config.DataSchema)
	// schemaType may copy anyOf branches into nodes; work on a copy.
	schema = deepCopy(schema).(map[string]any)
	f := &filler{seed: j.fileInput, cite: boolVal(j.config.CiteSources), conf: boolVal(j.config.ConfidenceScores), tableRows: s.cfg.tableRows}
	target := generated.ExtractionTargetPerDoc
	if j.config.ExtractionTarget != nil {
		target = *j.config.ExtractionTarget
	}
	var result any
	fm := generated.ExtractedFieldMetadata{}
	switch target {
	case generated.ExtractionTargetPerPage:
		var rows []any
		var metas []map[string]interface{}
		for _, p := range pages {
			v, m := f.fill(fmt.Sprintf("page%d", p.num), schema, labelled([]page{p}), []page{p}, "")
			rows, metas = append(rows, v), append(metas, asMap(m))
		}
		result, fm.PageMetadata = orEmpty(rows), &metas
	case generated.ExtractionTargetPerTableRow:
		props, _ := schema["properties"].(map[string]any)
		cells := table(pages, props)
		n := len(cells)
		if n == 0 {
			n = s.cfg.tableRows
		}
		var rows []any
		var metas []map[string]interface{}
		for i := 0; i < n; i++ {
			var found map[string]hit
			if i < len(cells) {
				found = cells[i]
			}
			v, m := f.fill(fmt.Sprintf("row%d", i), schema, found, pages, "")
			rows, metas = append(rows, v), append(metas, asMap(m))
		}
		result, fm.RowMetadata = orEmpty(rows), &metas
	default:
		v, m := f.fill("", schema, labelled(pages), pages, "")
		result = v
		dm := asMap(m)
		fm.DocumentMetadata = &dm
	}
	raw, err := json.Marshal(result)
	if err != nil {
		raw = []byte("{}")
	}
	j.result = raw
	if f.cite || f.conf {
		j.metadata.FieldMetadata = &fm
	}
}

func asMap(m any) map[string]interface{} {
	if mm, ok := m.(map[string]any); ok {
		return mm
	}
	return map[string]interface{}{}
}

func orEmpty(rows []any) []any {
	if rows == nil {
		return []any{}
	}
	return rows
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
