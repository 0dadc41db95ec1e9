package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/extract-go/llamaextract/internal/schemagen"
)

// Schema is a data_schema: the JSON Schema of the fields to extract. Build
// one with SchemaFor or SchemaFromJSON; both check the documented
// restrictions (an object root, at most 7 levels of nesting, 5,000
// properties, 120,000 characters of names and strings, 150,000 characters
// of JSON, a well-formed JSON Schema) so mistakes surface before a request,
// with an error naming the offending path.
type Schema struct {
	raw json.RawMessage
	m   map[string]any
}

// IsZero reports whether s is the zero Schema.
func (s Schema) IsZero() bool { return s.raw == nil }

// MarshalJSON writes the schema's JSON; the zero Schema is null.
func (s Schema) MarshalJSON() ([]byte, error) {
	if s.raw == nil {
		return []byte("null"), nil
	}
	return s.raw, nil
}

// UnmarshalJSON reads a schema from JSON as it is, so that a Schema can be
// a field of the caller's own configuration types (and is how the schema of
// a job or configuration the service sends is read). Unlike SchemaFromJSON
// it checks nothing: every Schema is checked when a request would send it,
// so a bad one is still an error before anything is sent. null leaves s
// unchanged.
func (s *Schema) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	*s = Schema{raw: bytes.Clone(b)}
	return nil
}

// JSON returns the schema as JSON.
func (s Schema) JSON() json.RawMessage { return s.raw }

// dataSchema is the schema as the generated client sends it. A schema read
// from a server answer holds only its JSON (decoding every listed job's
// schema would be wasted work) and is decoded here, when it is sent again.
func (s Schema) dataSchema() generated.DataSchema {
	if s.m == nil && s.raw != nil {
		var m map[string]any
		if json.Unmarshal(s.raw, &m) == nil {
			return m
		}
	}
	return generated.DataSchema(s.m)
}

// check applies the documented restrictions.
func (s Schema) check() error {
	if s.IsZero() {
		return errors.New("data_schema: empty schema")
	}
	return schemacheck.Check(s.raw)
}

// schemaError is the one place where a schema's problem, as
// internal/schemacheck and internal/schemagen report it, becomes a
// *ValidationError of op; prefix places its path in the request
// ("configuration.").
func schemaError(op, prefix string, err error) error {
	var se *schemacheck.Error
	if errors.As(err, &se) {
		return &ValidationError{Operation: op, Field: prefix + se.Path, Reason: se.Reason}
	}
	return &ValidationError{Operation: op, Field: prefix + "data_schema", Reason: err.Error()}
}

// SchemaFromJSON builds a Schema from JSON text and checks it.
func SchemaFromJSON(raw []byte) (Schema, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return Schema{}, &ValidationError{Operation: "schema", Field: "data_schema", Reason: "not a JSON object: " + err.Error()}
	}
	return schemaFrom(m)
}

func schemaFrom(m map[string]any) (Schema, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return Schema{}, &ValidationError{Operation: "schema", Field: "data_schema", Reason: "cannot encode: " + err.Error()}
	}
	s := Schema{raw: raw, m: m}
	if err := s.check(); err != nil {
		return Schema{}, schemaError("schema", "", err)
	}
	return s, nil
}

// SchemaFor derives a data_schema from a Go struct type T:
//   - property names come from json tags;
//   - descriptions from `jsonschema:"description=..."` tags (or
//     `jsonschema_description:"..."`), enums from `jsonschema:"enum=a,enum=b"`;
//   - a field is optional when it is a pointer or its json tag has
//     omitempty (or omitzero): it is left out of "required" and its schema
//     allows null, as {"anyOf": [{...}, {"type": "null"}]}, the form
//     LlamaCloud documents. A result may then hold null (a nil pointer, a
//     zero value) where the document lacks the value. Every other field is
//     required.
//
// Required fields push the model to find a value, even one the document
// does not hold; make fields that may be missing from a document optional.
//
// A type that contains itself (through a struct, slice, map or pointer) or
// that JSON Schema cannot express (chan, func, complex, interface) is a
// *ValidationError naming the field path.
func SchemaFor[T any]() (Schema, error) { return schemaForType(reflect.TypeFor[T]()) }

func schemaForType(t reflect.Type) (Schema, error) {
	m, err := schemagen.FromType(t)
	if err != nil {
		return Schema{}, schemaError("schema", "", err)
	}
	return schemaFrom(m)
}

// MustSchemaFor is SchemaFor for package-level variables; it panics on a
// type that cannot be a data_schema.
func MustSchemaFor[T any]() Schema {
	s, err := SchemaFor[T]()
	if err != nil {
		panic(err)
	}
	return s
}

// ValidateSchema asks the service to check a schema and returns the
// normalised schema it answers with; submit that one.
func (c *Client) ValidateSchema(ctx context.Context, s Schema) (Schema, error) {
	if err := s.check(); err != nil {
		return Schema{}, schemaError(opValidateSchema, "", err)
	}
	out, err := request[generated.ExtractV2SchemaValidateResponse](ctx, c, opValidateSchema, pathID{}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ValidateExtractSchema(ctx, generated.ExtractV2SchemaValidateRequest{DataSchema: s.dataSchema()})
	})
	if err != nil {
		return Schema{}, err
	}
	if len(out.DataSchema) == 0 {
		return Schema{}, &InvalidResponseError{Operation: opValidateSchema, StatusCode: http.StatusOK, Reason: "incomplete answer", Err: errors.New("no data_schema")}
	}
	raw, err := json.Marshal(out.DataSchema)
	if err != nil {
		return Schema{}, &InvalidResponseError{Operation: opValidateSchema, StatusCode: http.StatusOK, Reason: "data_schema cannot be encoded", Err: err}
	}
	return Schema{raw: raw, m: out.DataSchema}, nil
}

// GenerateSchemaRequest asks the service to draft a configuration. Set at
// least one of Prompt, Schema and FileID.
type GenerateSchemaRequest struct {
	// Prompt describes the data wanted in plain language.
	Prompt string
	// Schema is a starting schema to refine or extend. It is checked
	// before anything is sent, like every Schema a request sends.
	Schema Schema
	// FileID is a sample document (dfl-...) to derive fields from.
	FileID string
	// Name names the configuration; generated when empty.
	Name string
}

// GenerateSchema drafts a configuration: a SavedConfig without an ID;
// nothing is saved. Use the draft's
// Config inline (as the Config of Extract or CreateJobRequest), or save it
// with CreateConfiguration.
func (c *Client) GenerateSchema(ctx context.Context, req GenerateSchemaRequest) (*SavedConfig, error) {
	if strings.TrimSpace(req.Prompt) == "" && req.Schema.IsZero() && strings.TrimSpace(req.FileID) == "" {
		return nil, &ValidationError{Operation: opGenerateSchema, Field: "prompt", Reason: "set at least one of Prompt, Schema and FileID"}
	}
	body := generated.ExtractV2SchemaGenerateRequest{Prompt: optString(req.Prompt), FileId: optString(req.FileID), Name: optString(req.Name)}
	if !req.Schema.IsZero() {
		// A Schema read from JSON has not been checked, and one that is
		// not an object would go out as null.
		if err := req.Schema.check(); err != nil {
			return nil, schemaError(opGenerateSchema, "", err)
		}
		ds := req.Schema.dataSchema()
		body.DataSchema = &ds
	}
	params := &generated.GenerateExtractSchemaParams{OrganizationId: c.org(), ProjectId: c.project()}
	out, err := request[draftWire](ctx, c, opGenerateSchema, pathID{}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GenerateExtractSchema(ctx, params, body)
	})
	if err != nil {
		return nil, err
	}
	cfg, err := parametersConfig(out.Parameters)
	if err != nil {
		return nil, &InvalidResponseError{Operation: opGenerateSchema, StatusCode: http.StatusOK, Reason: "cannot read parameters", Err: err}
	}
	return &SavedConfig{Name: out.Name, Config: cfg}, nil
}

// draftWire is GenerateExtractSchema's answer.
type draftWire struct {
	Name       string          `json:"name"`
	Parameters json.RawMessage `json:"parameters"`
}

func (d *draftWire) validate() error {
	if present(d.Parameters) == nil {
		return errors.New("draft without parameters")
	}
	return nil
}
