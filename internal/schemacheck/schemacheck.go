// Package schemacheck checks a data_schema against the restrictions LlamaCloud
// documents for extraction. The wrapper runs it before sending a request and
// the emulator runs it as the service would, so both agree by construction.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Limits are the documented ceilings.
type Limits struct {
	// MaxDepth is how many property or items levels may nest below the root.
	MaxDepth int
	// MaxProperties is the total number of properties in the whole schema.
	MaxProperties int
	// MaxStringChars is the total length of every property name and string value.
	MaxStringChars int
	// MaxRawChars is the length of the schema serialised as JSON.
	MaxRawChars int
}

// Documented holds the limits in LlamaCloud's extraction docs.
var Documented = Limits{MaxDepth: 7, MaxProperties: 5000, MaxStringChars: 120000, MaxRawChars: 150000}

// Error is a rule violation at Path, written as data_schema.properties.x...
// (internal/schemagen reports a Go type that cannot be a data_schema with
// it too, Path being the Go field path).
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Check validates raw (a JSON object) against the documented limits and
// checks that it is a well-formed JSON Schema. It returns the first problem
// as an *Error, or nil.
func Check(raw []byte) error { return Documented.Check(raw) }

// Check is like the package-level Check with these limits.
func (l Limits) Check(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > l.MaxRawChars {
		return &Error{"data_schema", fmt.Sprintf("is %d characters of JSON, more than the %d allowed; split the schema or shorten descriptions", len(raw), l.MaxRawChars)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &Error{"data_schema", "is not valid JSON: " + err.Error()}
	}
	root, ok := v.(map[string]any)
	if !ok {
		return &Error{"data_schema", "must be a JSON object with \"type\": \"object\""}
	}
	if t, _ := root["type"].(string); t != "object" {
		return &Error{"data_schema.type", fmt.Sprintf("the root must be \"type\": \"object\" (got %s); wrap an array in an object property", describe(root["type"]))}
	}
	w := walker{limits: l}
	if err := w.walk("data_schema", root, 0); err != nil {
		return err
	}
	if w.props > l.MaxProperties {
		return &Error{"data_schema", fmt.Sprintf("has %d properties, more than the %d allowed", w.props, l.MaxProperties)}
	}
	if w.chars > l.MaxStringChars {
		return &Error{"data_schema", fmt.Sprintf("has %d characters of names and strings, more than the %d allowed", w.chars, l.MaxStringChars)}
	}
	if _, err := Compile(root); err != nil {
		return &Error{"data_schema", "is not a valid JSON Schema: " + err.Error()}
	}
	return nil
}

// Compile compiles a decoded schema (as from json.Unmarshal, numbers as
// float64 or json.Number) so values can be validated against it.
func Compile(schema map[string]any) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("mem:///data_schema.json", schema); err != nil {
		return nil, err
	}
	return c.Compile("mem:///data_schema.json")
}

type walker struct {
	limits Limits
	props  int
	chars  int
}

// walk visits a schema node. depth counts properties/items levels entered so far.
func (w *walker) walk(path string, node map[string]any, depth int) error {
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := node[k]
		switch k {
		case "properties":
			props, ok := val.(map[string]any)
			if !ok {
				return &Error{path + ".properties", "must be an object mapping names to schemas"}
			}
			if depth+1 > w.limits.MaxDepth {
				return &Error{path + ".properties", fmt.Sprintf("nests deeper than the %d levels allowed; flatten the schema", w.limits.MaxDepth)}
			}
			names := make([]string, 0, len(props))
			for name := range props {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				w.props++
				w.chars += len(name)
				sub, ok := props[name].(map[string]any)
				p := path + ".properties." + name
				if !ok {
					return &Error{p, "must be a schema object"}
				}
				if err := w.walk(p, sub, depth+1); err != nil {
					return err
				}
			}
		case "items":
			sub, ok := val.(map[string]any)
			if !ok {
				return &Error{path + ".items", "must be a single schema object"}
			}
			if depth+1 > w.limits.MaxDepth {
				return &Error{path + ".items", fmt.Sprintf("nests deeper than the %d levels allowed; flatten the schema", w.limits.MaxDepth)}
			}
			if err := w.walk(path+".items", sub, depth+1); err != nil {
				return err
			}
		default:
			if err := w.value(path+"."+k, val, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// value visits keyword values; schema lists (anyOf...) and maps ($defs) are
// walked at the same depth.
func (w *walker) value(path string, val any, depth int) error {
	switch x := val.(type) {
	case string:
		w.chars += len(x)
	case []any:
		for i, e := range x {
			p := path + "[" + strconv.Itoa(i) + "]"
			if m, ok := e.(map[string]any); ok {
				if err := w.walk(p, m, depth); err != nil {
					return err
				}
			} else if err := w.value(p, e, depth); err != nil {
				return err
			}
		}
	case map[string]any:
		if strings.HasSuffix(path, ".$defs") || strings.HasSuffix(path, ".definitions") {
			for name, e := range x {
				w.chars += len(name)
				if m, ok := e.(map[string]any); ok {
					if err := w.walk(path+"."+name, m, depth); err != nil {
						return err
					}
				}
			}
			return nil
		}
		return w.walk(path, x, depth)
	}
	return nil
}

func describe(v any) string {
	if v == nil {
		return "no type"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
