package specdrift

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// KnownValuesExtension marks an open string in openapi.yaml with the values
// it documents: a list of values, or the name of a component schema whose
// enum lists them. A value outside them is reported as Info, not drift.
const KnownValuesExtension = "x-known-values"

// maxDepth bounds the walk on hostile or cyclic input.
const maxDepth = 64

// walker compares one decoded body with a schema.
type walker struct {
	doc    *openapi3.T
	op     string
	status int
	add    func(Finding)
	// loc is the place being walked below the body, as member names and
	// list indexes; unknown, when set, is given the loc of each member
	// the schema does not define.
	loc     []any
	unknown func(loc []any)
}

// UnknownMembers returns the place of each member of v, at any depth, that
// the schema ref does not define and does not allow as an additional
// property (additionalProperties true or a schema, or a free-form object):
// member names and list indexes below v, in the order FastAPI reports them.
// It is the walk the spec check makes on answers, given to the emulator for
// the requests it serves.
func UnknownMembers(doc *openapi3.T, ref *openapi3.SchemaRef, v any) [][]any {
	var out [][]any
	w := &walker{doc: doc, add: func(Finding) {}, unknown: func(loc []any) { out = append(out, slices.Clone(loc)) }}
	w.walk("$", v, ref, 0)
	return out
}

// shape is a schema with its allOf members (and, once a value picks one,
// its oneOf/anyOf branch) merged: the properties an object may have, the
// types and values a scalar may take.
type shape struct {
	name     string
	types    []string
	nullable bool
	enum     []any
	known    []string
	props    map[string]*openapi3.SchemaRef
	required []string
	open     bool
	addl     *openapi3.SchemaRef
	items    *openapi3.SchemaRef
	unions   []*openapi3.Schema
}

func (w *walker) shapeOf(ref *openapi3.SchemaRef) *shape {
	sh := &shape{props: map[string]*openapi3.SchemaRef{}}
	w.merge(sh, ref, 0)
	return sh
}

func (w *walker) merge(sh *shape, ref *openapi3.SchemaRef, depth int) {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return
	}
	s := ref.Value
	if sh.name == "" && ref.Ref != "" {
		sh.name = path.Base(ref.Ref)
	}
	sh.nullable = sh.nullable || s.Nullable
	if len(sh.types) == 0 && s.Type != nil {
		sh.types = s.Type.Slice()
	}
	if len(s.Enum) > 0 {
		sh.enum = s.Enum
	}
	if kv := w.knownValues(s); kv != nil {
		sh.known = kv
	}
	for k, p := range s.Properties {
		if _, ok := sh.props[k]; !ok {
			sh.props[k] = p
		}
	}
	sh.required = append(sh.required, s.Required...)
	if ap := s.AdditionalProperties; ap.Has != nil && *ap.Has {
		sh.open = true
	} else if ap.Schema != nil {
		sh.addl = ap.Schema
	}
	if s.Items != nil {
		sh.items = s.Items
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		sh.unions = append(sh.unions, s)
	}
	for _, a := range s.AllOf {
		w.merge(sh, a, depth+1)
	}
}

// knownValues reads KnownValuesExtension.
func (w *walker) knownValues(s *openapi3.Schema) []string {
	raw, ok := s.Extensions[KnownValuesExtension]
	if !ok {
		return nil
	}
	switch v := raw.(type) {
	case string:
		ref := w.doc.Components.Schemas[v]
		if ref == nil || ref.Value == nil || ref.Value == s {
			return nil
		}
		if len(ref.Value.Enum) > 0 {
			return stringsOf(ref.Value.Enum)
		}
		return w.knownValues(ref.Value)
	case []any:
		return stringsOf(v)
	}
	return nil
}

func stringsOf(vs []any) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// isAny reports whether the schema says nothing about the value.
func (sh *shape) isAny() bool {
	return len(sh.types) == 0 && len(sh.props) == 0 && len(sh.unions) == 0 && len(sh.enum) == 0 &&
		sh.items == nil && sh.addl == nil && len(sh.required) == 0
}

func (sh *shape) label() string {
	if sh.name != "" {
		return sh.name
	}
	if len(sh.types) > 0 {
		return strings.Join(sh.types, " or ")
	}
	return "any value"
}

func (sh *shape) typeOK(v any) bool {
	if len(sh.types) == 0 {
		return true
	}
	for _, t := range sh.types {
		if jsonTypeIs(v, t) {
			return true
		}
	}
	return false
}

func jsonTypeIs(v any, t string) bool {
	switch x := v.(type) {
	case map[string]any:
		return t == openapi3.TypeObject
	case []any:
		return t == openapi3.TypeArray
	case string:
		return t == openapi3.TypeString
	case bool:
		return t == openapi3.TypeBoolean
	case float64:
		return t == openapi3.TypeNumber || (t == openapi3.TypeInteger && x == math.Trunc(x) && !math.IsInf(x, 0))
	}
	return false
}

// jsonType names v's JSON type ("integer" for a whole number).
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func (w *walker) report(sev Severity, kind, at, spec, got string, v any) {
	ex := example(at, v)
	if ex == got {
		ex = ""
	}
	w.add(Finding{Severity: sev, Kind: kind, Operation: w.op, Status: w.status, Path: at, Spec: spec, Got: got, Example: ex})
}

// walk compares v, found at the JSON path at, with the schema ref.
func (w *walker) walk(at string, v any, ref *openapi3.SchemaRef, depth int) {
	if ref == nil || depth > maxDepth {
		return
	}
	sh := w.shapeOf(ref)
	if v == nil {
		if !sh.nullable && !sh.isAny() {
			w.report(Drift, KindNull, at, sh.label()+", not nullable", "null", nil)
		}
		return
	}
	for i := 0; i < len(sh.unions); i++ {
		branch := w.pick(at, v, sh.unions[i])
		if branch == nil {
			return
		}
		w.merge(sh, branch, depth+1)
	}
	if !sh.typeOK(v) {
		w.report(Drift, KindType, at, sh.label(), jsonType(v), v)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		w.object(at, x, sh, depth)
	case []any:
		for i, item := range x {
			w.loc = append(w.loc, i)
			w.walk(at+"["+strconv.Itoa(i)+"]", item, sh.items, depth+1)
			w.loc = w.loc[:len(w.loc)-1]
		}
	default:
		w.scalar(at, v, sh)
	}
}

// pick returns the oneOf/anyOf branch of u that v is, or nil after
// reporting that it is none.
func (w *walker) pick(at string, v any, u *openapi3.Schema) *openapi3.SchemaRef {
	branches := u.OneOf
	if len(branches) == 0 {
		branches = u.AnyOf
	}
	if d := u.Discriminator; d != nil {
		if obj, ok := v.(map[string]any); ok {
			raw, present := obj[d.PropertyName]
			tag, isString := raw.(string)
			m, ok := d.Mapping[tag]
			for _, b := range branches {
				if ok && b.Ref == m.Ref {
					return b
				}
			}
			spec := "one of " + list(sortedKeys(d.Mapping))
			switch at := member(at, d.PropertyName); {
			case !present:
				w.report(Drift, KindMissing, at, spec+" (the discriminator)", "absent", nil)
			case !isString:
				w.report(Drift, KindType, at, spec, jsonType(raw), raw)
			default:
				w.report(Drift, KindEnum, at, spec, valueText(at, tag), tag)
			}
			return nil
		}
	}
	for _, b := range branches {
		if b.Value != nil && b.Value.VisitJSON(v) == nil {
			return b
		}
	}
	var names []string
	for _, b := range branches {
		sh := w.shapeOf(b)
		if len(sh.types) > 0 && sh.typeOK(v) {
			return b
		}
		names = append(names, sh.label())
	}
	w.report(Drift, KindType, at, "one of "+strings.Join(names, ", "), jsonType(v), v)
	return nil
}

func (w *walker) object(at string, obj map[string]any, sh *shape, depth int) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.loc = append(w.loc, k)
		w.walkMember(member(at, k), k, obj[k], sh, depth)
		w.loc = w.loc[:len(w.loc)-1]
	}
	seen := map[string]bool{}
	for _, r := range sh.required {
		if _, ok := obj[r]; !ok && !seen[r] {
			seen[r] = true
			w.report(Drift, KindMissing, member(at, r), "required in "+sh.label(), "absent", nil)
		}
	}
}

// walkMember walks the value v of the member k of an object of shape sh.
func (w *walker) walkMember(child, k string, v any, sh *shape, depth int) {
	switch p, ok := sh.props[k]; {
	case ok:
		w.walk(child, v, p, depth+1)
	case sh.addl != nil:
		w.walk(child, v, sh.addl, depth+1)
	case sh.open || len(sh.props) == 0:
		// additionalProperties: true, or a free-form object.
	default:
		w.report(Drift, KindUnknownMember, child, "no member "+strconv.Quote(cutKey(k))+" in "+sh.label(), jsonType(v), v)
		if w.unknown != nil {
			w.unknown(w.loc)
		}
	}
}

func (w *walker) scalar(at string, v any, sh *shape) {
	if len(sh.enum) > 0 && !contains(sh.enum, v) {
		w.report(Drift, KindEnum, at, "one of "+list(stringsOf(sh.enum)), valueText(at, v), v)
		return
	}
	if s, ok := v.(string); ok && sh.known != nil && !contains(toAny(sh.known), s) {
		w.report(Info, KindNewValue, at, "an open string; documented values "+list(sh.known), valueText(at, v), v)
	}
}

func contains(vs []any, v any) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// list writes values as "a, b or c", at most 10 of them.
func list(vs []string) string {
	if len(vs) > 10 {
		return strings.Join(vs[:10], ", ") + fmt.Sprintf(" and %d more", len(vs)-10)
	}
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// member is the JSON path of key inside the object at at.
func member(at, key string) string {
	if plainName.MatchString(key) {
		return at + "." + key
	}
	return at + "[" + strconv.Quote(cutKey(key)) + "]"
}
