package extracttest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/getkin/kin-openapi/openapi3"
)

func (s *Server) validateSchema(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.ExtractV2SchemaValidateRequest
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	raw, _ := json.Marshal(body.DataSchema)
	if err := schemacheck.Check(raw); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	rec.json(http.StatusOK, generated.ExtractV2SchemaValidateResponse(body))
}

var promptSplit = regexp.MustCompile(`(?i)\s*(?:,|;|\n|\band\b)\s*`)

var numberWords = []string{"total", "amount", "price", "cost", "sum", "balance", "tax", "quantity", "count", "number of"}

// generateSchema drafts a configuration deterministically: each phrase of
// the prompt becomes a property, "Label: value" lines of the file add more,
// and a given data_schema's properties win over both.
func (s *Server) generateSchema(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.ExtractV2SchemaGenerateRequest
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	prompt := ""
	if body.Prompt != nil {
		prompt = strings.TrimSpace(*body.Prompt)
	}
	if prompt == "" && body.DataSchema == nil && (body.FileId == nil || *body.FileId == "") {
		rec.json(http.StatusBadRequest, errBody("prompt, data_schema, file_id: give at least one to generate a schema from"))
		return
	}
	props := map[string]any{}
	for _, phrase := range promptSplit.Split(prompt, -1) {
		addProperty(props, phrase)
	}
	if body.FileId != nil && *body.FileId != "" {
		s.mu.Lock()
		f := s.st.files[*body.FileId]
		var content []byte
		if f != nil && f.projectID == s.project(r) {
			content = f.content
		}
		s.mu.Unlock()
		if f == nil {
			rec.json(http.StatusNotFound, errBody(fmt.Sprintf("file_id: no file %s in project %s", *body.FileId, s.project(r))))
			return
		}
		for _, p := range documentPages(content) {
			for _, ln := range p.lines {
				if label, _, ok := strings.Cut(ln, ":"); ok && !strings.Contains(label, "|") {
					addProperty(props, label)
				}
			}
		}
	}
	schema := generated.DataSchema{"type": "object"}
	if body.DataSchema != nil {
		for k, v := range *body.DataSchema {
			schema[k] = v
		}
		if given, ok := (*body.DataSchema)["properties"].(map[string]any); ok {
			for k, v := range given {
				props[k] = v
			}
		}
	}
	schema["properties"] = props
	raw, _ := json.Marshal(schema)
	if err := schemacheck.Check(raw); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	name := ""
	if body.Name != nil && *body.Name != "" {
		name = *body.Name
	} else {
		sum := sha256.Sum256(append([]byte(prompt+"\x00"), raw...))
		name = "extract-" + hex.EncodeToString(sum[:4])
	}
	target := generated.ExtractionTargetPerDoc
	var params generated.Parameters
	if err := params.FromExtractV2Parameters(generated.ExtractV2Parameters{DataSchema: schema, ExtractionTarget: &target}); err != nil {
		rec.json(http.StatusInternalServerError, errBody(err.Error()))
		return
	}
	rec.json(http.StatusOK, generated.ConfigurationCreate{Name: name, Parameters: params})
}

func addProperty(props map[string]any, phrase string) {
	phrase = strings.TrimSpace(phrase)
	var b strings.Builder
	for _, r := range strings.ToLower(phrase) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "_")
	if name == "" {
		return
	}
	if _, exists := props[name]; exists {
		return
	}
	typ := "string"
	for _, w := range numberWords {
		if strings.Contains(strings.ToLower(phrase), w) {
			typ = "number"
		}
	}
	props[name] = map[string]any{"type": typ, "description": phrase}
}
