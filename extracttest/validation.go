package extracttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/apispec"
	"github.com/extract-go/llamaextract/internal/specdrift"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// LlamaCloud is a FastAPI service: a request that fails schema validation is
// answered 422 with FastAPI's HTTPValidationError body, a list of
// {loc, msg, type, input} entries (pydantic v2 wording), while refusals by a
// handler are 400 with a string detail. This file turns kin-openapi's
// request errors into that list so that clients written against the official
// SDKs see the same status and shape from the emulator as from the service.

// validationIssue is one entry of a 422 detail list (openapi.yaml
// ValidationError).
type validationIssue struct {
	Loc   []any  `json:"loc"`
	Msg   string `json:"msg"`
	Type  string `json:"type"`
	Input any    `json:"input,omitempty"`
}

// validationBody is openapi.yaml's HTTPValidationError.
type validationBody struct {
	Detail []validationIssue `json:"detail"`
}

// validationIssues maps the error of openapi3filter.ValidateRequest (run
// with MultiError) to FastAPI's entries, one per problem, in a stable order.
// It is empty when every error kin-openapi reported is one FastAPI does not
// make (see emptyListIssues); the request is then valid.
func validationIssues(err error) []validationIssue {
	var out []validationIssue
	for _, e := range flatten(err) {
		out = append(out, requestIssues(e)...)
	}
	return sortIssues(out)
}

// sortIssues puts issues in FastAPI's order (see locRank), keeping the
// order within each part.
func sortIssues(issues []validationIssue) []validationIssue {
	sort.SliceStable(issues, func(i, j int) bool { return locRank(issues[i].Loc) < locRank(issues[j].Loc) })
	return issues
}

// extraIssues are FastAPI's extra_forbidden entries for the members of r's
// JSON body that the operation's schema does not define, at any depth
// (kin-openapi lets them through: OpenAPI objects are open unless they say
// otherwise, while LlamaCloud's request models forbid extra members). A
// member an object allows by additionalProperties (data_schema, webhook
// headers) is not one. A body that is not JSON is kin-openapi's to refuse.
func extraIssues(r *http.Request, route *routers.Route) []validationIssue {
	op := route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil || r.GetBody == nil {
		return nil
	}
	media := op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	body, err := r.GetBody()
	if err != nil {
		return nil
	}
	var v any
	if json.NewDecoder(body).Decode(&v) != nil {
		return nil
	}
	var out []validationIssue
	for _, loc := range specdrift.UnknownMembers(apispec.Doc(), media.Schema, v) {
		out = append(out, validationIssue{Loc: append([]any{"body"}, loc...), Msg: "Extra inputs are not permitted",
			Type: "extra_forbidden", Input: valueAt(v, loc)})
	}
	return out
}

// valueAt is the value at loc inside v.
func valueAt(v any, loc []any) any {
	for _, step := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[fmt.Sprint(step)]
		case []any:
			v = x[step.(int)]
		}
	}
	return v
}

// locRank orders entries as FastAPI does: path, query, header, then body.
func locRank(loc []any) int {
	if len(loc) == 0 {
		return 9
	}
	switch loc[0] {
	case "path":
		return 0
	case "query":
		return 1
	case "header":
		return 2
	case "cookie":
		return 3
	}
	return 4
}

// flatten opens openapi3.MultiError, kin-openapi's list of errors, at the
// top level only: the errors inside are *RequestError values, each of which
// may hold a list of schema errors for its own part of the request.
func flatten(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func requestIssues(err error) []validationIssue {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return []validationIssue{{Loc: []any{"body"}, Msg: oneLine(err.Error()), Type: "value_error"}}
	}
	var base []any
	if p := re.Parameter; p != nil {
		base = []any{p.In, p.Name}
	} else {
		base = []any{"body"}
	}
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return []validationIssue{{Loc: base, Msg: "Field required", Type: "missing"}}
	case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
		if p := re.Parameter; p != nil && p.Schema != nil && p.Schema.Value.Type.Is(openapi3.TypeArray) {
			return emptyListIssues(base, p.Schema.Value)
		}
		// FastAPI parses an empty query value like any other string, so a
		// typed parameter fails its type, not a presence check.
		return []validationIssue{emptyIssue(base, re.Parameter)}
	}
	var pe *openapi3filter.ParseError
	if errors.As(re.Err, &pe) {
		if re.Parameter == nil {
			// A body that is not JSON: FastAPI reports json_invalid at the
			// body with the byte offset it stopped at (0 when unknown).
			return []validationIssue{{Loc: []any{"body", 0}, Msg: "JSON decode error", Type: "json_invalid"}}
		}
		return []validationIssue{parseIssue(base, re.Parameter, pe)}
	}
	var found []located
	collectSchemaErrors(re.Err, nil, &found)
	if len(found) > 0 {
		out := make([]validationIssue, 0, len(found))
		for _, l := range found {
			out = append(out, schemaIssue(base, l.ptr, re.Parameter != nil, l.se))
		}
		return out
	}
	if strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
		// FastAPI does not parse a body it cannot read as JSON and then
		// finds no object where the model expects one.
		return []validationIssue{{Loc: base, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type"}}
	}
	msg := re.Reason
	if msg == "" && re.Err != nil {
		msg = re.Err.Error()
	}
	return []validationIssue{{Loc: base, Msg: oneLine(msg), Type: "value_error"}}
}

// located is a schema error with its full path from the part's root.
type located struct {
	ptr []string
	se  *openapi3.SchemaError
}

// collectSchemaErrors gathers the innermost schema errors: allOf wraps the
// errors that name the fields, with paths relative to the allOf's own place.
func collectSchemaErrors(err error, prefix []string, out *[]located) {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, x := range e {
			collectSchemaErrors(x, prefix, out)
		}
	case *openapi3.SchemaError:
		ptr := e.JSONPointer()
		if !hasPrefix(ptr, prefix) {
			ptr = append(append([]string(nil), prefix...), ptr...)
		}
		if e.Origin != nil && (!isUnion(e) || knownTag(e)) {
			n := len(*out)
			collectSchemaErrors(e.Origin, ptr, out)
			if len(*out) > n {
				return
			}
		}
		*out = append(*out, located{ptr: ptr, se: e})
	default:
		collectSchemaErrors(errors.Unwrap(err), prefix, out)
	}
}

func isUnion(e *openapi3.SchemaError) bool {
	return e.SchemaField == "oneOf" || e.SchemaField == "anyOf" || e.SchemaField == "discriminator"
}

// knownTag reports whether a discriminated union failed inside the member
// its tag chose: then the member's own errors say what is wrong, as pydantic
// reports them.
func knownTag(e *openapi3.SchemaError) bool {
	d := e.Schema.Discriminator
	if d == nil {
		return false
	}
	_, ok := d.Mapping[unionTag(e)]
	return ok
}

// unionTag is the discriminator value of the failing object; kin-openapi
// reports either the object or the tag itself as the value.
func unionTag(e *openapi3.SchemaError) string {
	switch v := e.Value.(type) {
	case map[string]any:
		if t, ok := v[e.Schema.Discriminator.PropertyName].(string); ok {
			return t
		}
	case string:
		return v
	}
	return ""
}

func hasPrefix(ptr, prefix []string) bool {
	if len(ptr) < len(prefix) {
		return false
	}
	for i := range prefix {
		if ptr[i] != prefix[i] {
			return false
		}
	}
	return true
}

func schemaIssue(base []any, ptr []string, isParam bool, se *openapi3.SchemaError) validationIssue {
	loc := append([]any(nil), base...)
	// For a parameter the pointer indexes its array items; for a body it
	// walks the fields.
	for _, p := range ptr {
		loc = append(loc, locItem(p))
	}
	s := se.Schema
	issue := validationIssue{Loc: loc, Input: se.Value}
	switch se.SchemaField {
	case "required":
		// kin-openapi reports the object; the missing property's name is
		// in the reason ("property \"x\" is missing").
		if name := quoted(se.Reason); name != "" && (len(ptr) == 0 || ptr[len(ptr)-1] != name) {
			issue.Loc = append(issue.Loc, name)
		}
		issue.Msg, issue.Type, issue.Input = "Field required", "missing", nil
	case "enum":
		issue.Msg, issue.Type = "Input should be "+orList(s.Enum), "enum"
	case "type":
		issue.Msg, issue.Type = typeMessage(s, isParam)
	case "minLength":
		issue.Msg, issue.Type = fmt.Sprintf("String should have at least %d %s", s.MinLength, plural(s.MinLength, "character")), "string_too_short"
	case "maxLength":
		issue.Msg, issue.Type = fmt.Sprintf("String should have at most %d %s", derefU(s.MaxLength), plural(derefU(s.MaxLength), "character")), "string_too_long"
	case "minimum":
		issue.Msg, issue.Type = "Input should be greater than or equal to "+num(s.Min), "greater_than_equal"
		if s.ExclusiveMin.IsTrue() {
			issue.Msg, issue.Type = "Input should be greater than "+num(s.Min), "greater_than"
		}
	case "maximum":
		issue.Msg, issue.Type = "Input should be less than or equal to "+num(s.Max), "less_than_equal"
		if s.ExclusiveMax.IsTrue() {
			issue.Msg, issue.Type = "Input should be less than "+num(s.Max), "less_than"
		}
	case "minItems":
		issue.Msg, issue.Type = fmt.Sprintf("List should have at least %d %s after validation", s.MinItems, plural(s.MinItems, "item")), "too_short"
	case "maxItems":
		issue.Msg, issue.Type = fmt.Sprintf("List should have at most %d %s after validation", derefU(s.MaxItems), plural(derefU(s.MaxItems), "item")), "too_long"
	case "format":
		issue.Msg, issue.Type = formatMessage(s.Format)
	case "oneOf", "anyOf", "discriminator":
		if d := s.Discriminator; d != nil {
			tags := make([]string, 0, len(d.Mapping))
			for k := range d.Mapping {
				tags = append(tags, k)
			}
			sort.Strings(tags)
			tag := unionTag(se)
			issue.Msg = fmt.Sprintf("Input tag '%s' found using '%s' does not match any of the expected tags: '%s'", tag, d.PropertyName, strings.Join(tags, "', '"))
			issue.Type = "union_tag_invalid"
		} else {
			issue.Msg, issue.Type = "Input does not match any of the allowed types: "+oneLine(se.Reason), "union_error"
		}
	default:
		issue.Msg, issue.Type = oneLine(se.Reason), "value_error"
	}
	if m, ok := issue.Input.(map[string]any); ok && len(m) > 8 {
		// Keep the answer small: a large object is not worth echoing.
		issue.Input = nil
	}
	return issue
}

// emptyListIssues is FastAPI's answer to key= for a list query parameter,
// which the TypeScript SDK sends for null (expand, file_ids, job_ids,
// product_type are Array<...> | null): FastAPI reads the repeated key as the
// list [""], so a list of strings is valid and a list of enum values fails
// at its first item. kin-openapi refuses every empty value instead.
func emptyListIssues(loc []any, s *openapi3.Schema) []validationIssue {
	if s.Items == nil || s.Items.Value == nil || s.Items.Value.VisitJSON("") == nil {
		return nil
	}
	item := &openapi3.Parameter{Schema: s.Items}
	return []validationIssue{emptyIssue(append(append([]any(nil), loc...), 0), item)}
}

// emptyIssue is FastAPI's answer to key= for a typed query parameter.
func emptyIssue(loc []any, p *openapi3.Parameter) validationIssue {
	issue := validationIssue{Loc: loc, Input: ""}
	var s *openapi3.Schema
	if p != nil && p.Schema != nil {
		s = p.Schema.Value
	}
	switch {
	case s == nil:
		issue.Msg, issue.Type = "Field required", "missing"
	case len(s.Enum) > 0:
		issue.Msg, issue.Type = "Input should be "+orList(s.Enum), "enum"
	default:
		issue.Msg, issue.Type = typeMessage(s, true)
	}
	return issue
}

func parseIssue(loc []any, p *openapi3.Parameter, pe *openapi3filter.ParseError) validationIssue {
	issue := validationIssue{Loc: loc, Input: pe.Value}
	issue.Loc = append(issue.Loc, pe.Path()...)
	var s *openapi3.Schema
	if p.Schema != nil {
		s = p.Schema.Value
		if s.Items != nil && s.Type.Is(openapi3.TypeArray) {
			s = s.Items.Value
		}
	}
	if s == nil {
		issue.Msg, issue.Type = oneLine(pe.Error()), "value_error"
		return issue
	}
	issue.Msg, issue.Type = typeMessage(s, true)
	return issue
}

// typeMessage is pydantic's wording for a value of the wrong type; a query
// parameter arrives as text, so it fails parsing rather than a type check.
func typeMessage(s *openapi3.Schema, fromText bool) (msg, typ string) {
	switch {
	case s.Type.Is(openapi3.TypeInteger):
		if fromText {
			return "Input should be a valid integer, unable to parse string as an integer", "int_parsing"
		}
		return "Input should be a valid integer", "int_type"
	case s.Type.Is(openapi3.TypeNumber):
		if fromText {
			return "Input should be a valid number, unable to parse string as a number", "float_parsing"
		}
		return "Input should be a valid number", "float_type"
	case s.Type.Is(openapi3.TypeBoolean):
		if fromText {
			return "Input should be a valid boolean, unable to interpret input", "bool_parsing"
		}
		return "Input should be a valid boolean", "bool_type"
	case s.Type.Is(openapi3.TypeString):
		if s.Format == "date-time" && fromText {
			return formatMessage(s.Format)
		}
		return "Input should be a valid string", "string_type"
	case s.Type.Is(openapi3.TypeArray):
		return "Input should be a valid list", "list_type"
	case s.Type.Is(openapi3.TypeObject):
		return "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"
	}
	return "Input has the wrong type", "value_error"
}

func formatMessage(format string) (msg, typ string) {
	switch format {
	case "date-time":
		return "Input should be a valid datetime or date, invalid character in year", "datetime_from_date_parsing"
	case "uri":
		return "Input should be a valid URL", "url_parsing"
	}
	return "Input should be a valid " + format, "value_error"
}

// orList is pydantic's enum wording: 'a', 'b' or 'c'.
func orList(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "'" + fmt.Sprint(v) + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// locItem turns a list index back into a number, as FastAPI's loc has them.
func locItem(p string) any {
	if n, err := strconv.Atoi(p); err == nil && n >= 0 {
		return n
	}
	return p
}

func quoted(s string) string {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return ""
	}
	return name
}

func num(p *float64) string {
	if p == nil {
		return "0"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func derefU(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func plural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// checkParseTier answers 422 for a parse_tier outside openapi.yaml's ParseTier.
// openapi.yaml keeps parse_tier an open string so that job and configuration
// responses carrying a newer tier still decode (the Python SDK the reference
// documents and the Go SDK type it str/string), but the newest official SDK
// (TypeScript 2.16.0, generated from LlamaCloud's current OpenAPI document)
// types the request field as the enum, so the service refuses other values
// at validation; the emulator does the same, in the same shape.
func checkParseTier(rec *recorder, tier *string, loc ...any) bool {
	if tier == nil || generated.ParseTier(*tier).Valid() {
		return true
	}
	// pydantic lists an enum's values sorted.
	tiers := generated.ParseTierValues()
	slices.Sort(tiers)
	values := make([]any, len(tiers))
	for i, t := range tiers {
		values[i] = string(t)
	}
	rec.json(http.StatusUnprocessableEntity, validationBody{Detail: []validationIssue{{
		Loc:   append(loc, "parse_tier"),
		Msg:   "Input should be " + orList(values),
		Type:  "enum",
		Input: *tier,
	}}})
	return false
}
