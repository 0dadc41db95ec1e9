package llamaextract_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/getkin/kin-openapi/openapi3"
)

// The wrapper's types are designed by hand, each with one wire type; these
// tests hold each against the spec schema behind it, property by property,
// so a property openapi.yaml gains (and `make generate` puts in generated/)
// cannot be silently dropped: it is mapped, or listed in leftOut with the
// reason. A failure names the property and the one place to add it.

// leftOut are the spec properties the wrapper maps to no field, on purpose.
var leftOut = map[string]string{
	"ExtractV2Job.extract_result":          "kept in the job's JSON; read with wrapper.Decode or wrapper.GetResult (typed by the caller)",
	"ExtractV2Job.extract_metadata":        "kept in the job's JSON; read with Job.Metadata",
	"ExtractV2Job.metadata":                "kept in the job's JSON; its usage counters are read with Job.Usage",
	"ExtractV2Job.usage":                   "kept in the job's JSON; read with Job.Usage",
	"ExtractConfiguration.extract_version": "deprecated older name of version; set Version (Extra can still send it)",
	"File.download_url":                    "a presigned URL that expires; ask for a fresh one when reading the file",
	"ListExtractJobs.document_input_value": "deprecated old name of file_input; set JobFilter.FileInput",
	"ListExtractJobs.organization_id":      "set once per client (WithOrganizationID)",
	"ListExtractJobs.project_id":           "set once per client (WithProjectID)",
	"ListConfigurations.organization_id":   "set once per client (WithOrganizationID)",
	"ListConfigurations.project_id":        "set once per client (WithProjectID)",
	"ListConfigurations.product_type":      "always extract_v2: the only product a job runs",
}

// where says where to map a property of each schema or operation.
var where = map[string]string{
	"ExtractV2Job":              "a field of Job tagged `json:\"%s\"` in wrapper/jobs.go",
	"ExtractConfiguration":      "a field of ExtractConfig tagged `json:\"%s,omitempty\"` in wrapper/config.go",
	"File":                      "a field of File, and of fileWire, in wrapper/files.go",
	"ConfigurationResponse":     "a field of SavedConfig, and of savedConfigWire, in wrapper/configs.go",
	"ExtractV2JobQueryResponse": "a field of ListPage, and of pageWire, in wrapper/paging.go",
	"ExtractV2JobCreate":        "a field of CreateJobRequest, and of createBody, in wrapper/create.go",
	"ConfigurationCreate":       "a field of SavedConfig, and of savedConfigWire, in wrapper/configs.go",
	"ListExtractJobs":           "a field of JobFilter, set in JobFilter.params, in wrapper/joblist.go",
	"ListConfigurations":        "a field of SavedConfigFilter, set in ListConfigurations, in wrapper/configs.go",
}

func unmapped(t *testing.T, owner, prop string) {
	t.Helper()
	key := owner + "." + prop
	if leftOut[key] != "" {
		return
	}
	t.Errorf("%s: the spec has it and the wrapper does not map it. Add %s, or list %q in leftOut in wrappermap_test.go with the reason",
		key, sprintfWhere(owner, prop), key)
}

func sprintfWhere(owner, prop string) string {
	if w := where[owner]; w != "" {
		return strings.Replace(w, "%s", prop, 1)
	}
	return "it"
}

// sample is a value of s that differs from every zero value.
func sample(s *openapi3.Schema) any {
	switch {
	case len(s.AllOf) > 0:
		return sample(s.AllOf[0].Value)
	case len(s.OneOf) > 0:
		return sample(s.OneOf[0].Value)
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is(openapi3.TypeString) && s.Format == "date-time":
		return "2026-01-02T03:04:05Z"
	case s.Type.Is(openapi3.TypeString):
		return "x"
	case s.Type.Is(openapi3.TypeInteger):
		return 7
	case s.Type.Is(openapi3.TypeNumber):
		return 1.5
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeArray):
		return []any{sample(s.Items.Value)}
	}
	m := map[string]any{}
	for _, name := range s.Required {
		m[name] = sample(schemaProps(s)[name].Value)
	}
	if len(m) == 0 {
		m["k"] = "v"
	}
	return m
}

func specDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := loadSpec(llamaextract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkDecoded fails for each property of the schema whose presence in an
// answer changes nothing decode returns.
func checkDecoded(t *testing.T, doc *openapi3.T, schema string, decode func([]byte) (any, error)) {
	t.Helper()
	s := doc.Components.Schemas[schema].Value
	props := schemaProps(s)
	base := map[string]any{}
	for _, name := range s.Required {
		base[name] = sample(props[name].Value)
	}
	for _, prop := range slices.Sorted(maps.Keys(props)) {
		with, without := maps.Clone(base), maps.Clone(base)
		with[prop] = sample(props[prop].Value)
		delete(without, prop)
		a, errA := decodeJSON(decode, with)
		b, errB := decodeJSON(decode, without)
		if errA == nil && errB == nil && reflect.DeepEqual(a, b) {
			unmapped(t, schema, prop)
		}
	}
}

func decodeJSON(decode func([]byte) (any, error), v map[string]any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decode(b)
}

// exported is what a user sees of v: its exported fields, through pointers
// and slices; a Schema as its JSON, a time as itself.
func exported(v any) any {
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return nil
	case rv.Kind() == reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return exported(rv.Elem().Interface())
	case rv.Kind() == reflect.Slice:
		out := []any{}
		for i := range rv.Len() {
			out = append(out, exported(rv.Index(i).Interface()))
		}
		return out
	case rv.Kind() != reflect.Struct || rv.Type() == reflect.TypeFor[time.Time]():
		return v
	case rv.Type() == reflect.TypeFor[wrapper.Schema]():
		return string(v.(wrapper.Schema).JSON())
	}
	var out []any
	for i := range rv.NumField() {
		if rv.Type().Field(i).IsExported() {
			out = append(out, exported(rv.Field(i).Interface()))
		}
	}
	return out
}

func unmarshalInto[T any](b []byte) (any, error) {
	v := new(T)
	err := json.Unmarshal(b, v)
	return exported(v), err
}

// Every property of the answers the wrapper decodes reaches a field.
func TestWrapperMapsEveryAnswerProperty(t *testing.T) {
	doc := specDoc(t)
	checkDecoded(t, doc, "ExtractV2Job", unmarshalInto[wrapper.Job])
	checkDecoded(t, doc, "ExtractConfiguration", unmarshalInto[wrapper.ExtractConfig])
	checkDecoded(t, doc, "File", unmarshalInto[wrapper.File])
	checkDecoded(t, doc, "ConfigurationResponse", func(b []byte) (any, error) {
		// parameters are read for extract_v2 only.
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if m["parameters"] != nil {
			m["parameters"] = map[string]any{"product_type": "extract_v2", "data_schema": map[string]any{"type": "object"}}
		}
		b, _ = json.Marshal(m)
		return unmarshalInto[wrapper.SavedConfig](b)
	})
	checkDecoded(t, doc, "ExtractV2JobQueryResponse", func(b []byte) (any, error) {
		c := answering(t, b)
		page, err := c.ListJobs(context.Background(), wrapper.JobFilter{})
		return exported(page), err
	})
}

// answering is a client of a server that answers every request with body.
func answering(t *testing.T, body []byte) *wrapper.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recording is a client of a server that records each request's body and
// query keys and answers with answer.
func recording(t *testing.T, answer string) (*wrapper.Client, map[string]bool, map[string]bool) {
	bodyKeys, queryKeys := map[string]bool{}, map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil {
			for k := range m {
				bodyKeys[k] = true
			}
		}
		for k := range r.URL.Query() {
			queryKeys[k] = true
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}),
		wrapper.WithProjectID("prj-1"), wrapper.WithOrganizationID("org-1"))
	if err != nil {
		t.Fatal(err)
	}
	return c, bodyKeys, queryKeys
}

func checkSent(t *testing.T, owner string, want []string, sent map[string]bool) {
	t.Helper()
	for _, prop := range want {
		if !sent[prop] {
			unmapped(t, owner, prop)
		}
	}
	for k := range sent {
		if !slices.Contains(want, k) {
			t.Errorf("%s: the wrapper sends %q, which the spec does not have", owner, k)
		}
	}
}

func sortedProps(doc *openapi3.T, schema string) []string {
	return slices.Sorted(maps.Keys(schemaProps(doc.Components.Schemas[schema].Value)))
}

func queryParams(doc *openapi3.T, path string) []string {
	var out []string
	for _, p := range doc.Paths.Value(path).Get.Parameters {
		if p.Value.In == openapi3.ParameterInQuery {
			out = append(out, p.Value.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Every property of the requests the wrapper sends comes from a field.
func TestWrapperMapsEveryRequestProperty(t *testing.T) {
	doc := specDoc(t)
	ctx := context.Background()
	schema := wrapper.MustSchemaFor[struct {
		A string `json:"a"`
	}]()

	// ExtractConfig: every field set.
	cfg := wrapper.ExtractConfig{Schema: schema}
	fillExcept(reflect.ValueOf(&cfg).Elem(), "Schema", "Extra")
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	checkSent(t, "ExtractConfiguration", sortedProps(doc, "ExtractConfiguration"), keysOf(m))

	// CreateJobRequest: inline and saved, every field set.
	job := `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
	c, sent, _ := recording(t, job)
	hooks := []wrapper.Webhook{{URL: "https://h.example/x"}}
	for _, config := range []wrapper.Config{wrapper.ExtractConfig{Schema: schema}, wrapper.SavedConfig{ID: "cfg-1"}} {
		if _, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1", Config: config, Webhooks: hooks, WebhookConfigIDs: []string{"w"}}); err != nil {
			t.Fatal(err)
		}
	}
	checkSent(t, "ExtractV2JobCreate", sortedProps(doc, "ExtractV2JobCreate"), sent)

	// SavedConfig as CreateConfiguration's body.
	c, sent, _ = recording(t, `{"id":"cfg-1","name":"n"}`)
	if _, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "n", Config: wrapper.ExtractConfig{Schema: schema}}); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ConfigurationCreate", sortedProps(doc, "ConfigurationCreate"), sent)

	// The list filters, every field set.
	c, _, query := recording(t, `{"items":[]}`)
	jf := wrapper.JobFilter{Status: wrapper.StatusCompleted, DocumentInputType: wrapper.InputFileID}
	fillExcept(reflect.ValueOf(&jf).Elem(), "Status", "DocumentInputType")
	if _, err := c.ListJobs(ctx, jf, wrapper.WithExpand(wrapper.ExpandConfiguration)); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ListExtractJobs", queryParams(doc, "/api/v2/extract"), query)
	c, _, query = recording(t, `{"items":[]}`)
	var cf wrapper.SavedConfigFilter
	fillExcept(reflect.ValueOf(&cf).Elem())
	if _, err := c.ListConfigurations(ctx, cf); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ListConfigurations", queryParams(doc, "/api/v1/beta/configurations"), query)
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// fillExcept sets every exported field of the struct v but those named to
// a value that is not zero.
func fillExcept(v reflect.Value, skip ...string) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || slices.Contains(skip, f.Name) {
			continue
		}
		fill(v.Field(i))
	}
}

func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(3)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		fillExcept(v)
	}
}
