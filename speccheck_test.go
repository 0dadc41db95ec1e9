package llamaextract_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadSpec parses and resolves a spec without fetching anything remote.
func loadSpec(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return doc, nil
}

// checkSpec returns every problem in data: kin-openapi's own validation
// (examples included) followed by this project's house rules. Each problem
// names the spot (operation, schema path or example) so a failing CI run says
// where to look.
func checkSpec(data []byte) []string {
	doc, err := loadSpec(data)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		problems = append(problems, "openapi validation: "+err.Error())
	}
	problems = append(problems, houseRules(doc)...)
	return problems
}

func houseRules(doc *openapi3.T) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				add("%s: no operationId", where)
			}
			if strings.TrimSpace(op.Description) == "" {
				add("%s: no description", where)
			}
			if !hasErrorResponse(op) {
				add("%s: no 4xx/5xx or default error response", where)
			}
			// Every operation can fail validation (a parameter, the path,
			// a body), so every one documents the 422.
			if op.Responses.Value("422") == nil {
				add("%s: no 422 (HTTPValidationError) response", where)
			}
			for code, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for ctype, mt := range resp.Value.Content {
					at := fmt.Sprintf("%s response %s (%s)", where, code, ctype)
					if mt.Schema == nil {
						continue
					}
					// LlamaCloud is FastAPI: a 422 is its validation answer
					// (a list of issues), every other error a handler's.
					wantErr := "#/components/schemas/Error"
					if code == "422" {
						wantErr = "#/components/schemas/HTTPValidationError"
					}
					if isError(code) && mt.Schema.Ref != wantErr {
						add("%s: error body must use %s", at, wantErr)
					}
					if !isError(code) && mt.Example == nil && len(mt.Examples) == 0 {
						add("%s: no example", at)
					}
					problems = append(problems, validateExamples(at, mt)...)
				}
			}
			for _, p := range op.Parameters {
				if p.Value != nil && strings.TrimSpace(p.Value.Description) == "" {
					add("%s: parameter %q has no description", where, p.Value.Name)
				}
			}
		}
	}

	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := doc.Components.Schemas[name]
		if ref.Value == nil {
			continue
		}
		if strings.TrimSpace(ref.Value.Description) == "" {
			add("schema %s: no description", name)
		}
		walkSchema("schema "+name, ref.Value, map[*openapi3.Schema]bool{}, func(at string, s *openapi3.Schema, isProp bool, propRef *openapi3.SchemaRef) {
			if isProp && strings.TrimSpace(s.Description) == "" && (propRef.Ref == "" || strings.TrimSpace(propRef.Value.Description) == "") {
				add("%s: property has no description", at)
			}
			if s.Type.Is(openapi3.TypeNumber) && s.Format != "double" {
				add("%s: type number needs format: double (oapi-codegen makes a bare number float32)", at)
			}
		})
	}
	return problems
}

// walkSchema visits s and every inline or referenced sub-schema once. Property
// descriptions on a $ref property come from the referenced component.
func walkSchema(at string, s *openapi3.Schema, seen map[*openapi3.Schema]bool, visit func(at string, s *openapi3.Schema, isProp bool, ref *openapi3.SchemaRef)) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	visit(at, s, false, nil)
	props := make([]string, 0, len(s.Properties))
	for p := range s.Properties {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		ref := s.Properties[p]
		if ref.Value == nil {
			continue
		}
		pat := at + "." + p
		visit(pat, ref.Value, true, ref)
		if ref.Ref == "" {
			walkSchema(pat, ref.Value, seen, visit)
		}
	}
	for i, sub := range append(append(append([]*openapi3.SchemaRef{}, s.AllOf...), s.OneOf...), s.AnyOf...) {
		if sub.Ref == "" && sub.Value != nil {
			walkSchema(at+"/"+strconv.Itoa(i), sub.Value, seen, visit)
		}
	}
	if s.Items != nil && s.Items.Ref == "" {
		walkSchema(at+"[]", s.Items.Value, seen, visit)
	}
}

func validateExamples(at string, mt *openapi3.MediaType) []string {
	var problems []string
	schema := mt.Schema.Value
	check := func(name string, v any) {
		if err := schema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
			problems = append(problems, fmt.Sprintf("%s: example %s does not match its schema: %v", at, name, err))
		}
	}
	if mt.Example != nil {
		check("example", mt.Example)
	}
	for name, ex := range mt.Examples {
		if ex.Value == nil {
			problems = append(problems, fmt.Sprintf("%s: example %s does not resolve (%s)", at, name, ex.Ref))
			continue
		}
		check(name+" ("+ex.Ref+")", ex.Value.Value)
	}
	return problems
}

func hasErrorResponse(op *openapi3.Operation) bool {
	for code := range op.Responses.Map() {
		if isError(code) {
			return true
		}
	}
	return false
}

func isError(code string) bool {
	if code == "default" {
		return true
	}
	n, err := strconv.Atoi(code)
	return err == nil && n >= http.StatusBadRequest
}
