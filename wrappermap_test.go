package llamaextract_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
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
	"ListFiles.expand":                     "its one value asks for download_url, which File leaves out (see File.download_url)",
}

// place says where a property of one schema or operation is mapped: a
// field of the type holder in file, and, when wire is set, of that wire
// type (its JSON tag there); how says how the field reaches the wire.
type place struct {
	holder, file, wire, how string
}

// where says where to map a property of each schema or operation.
var where = map[string]place{
	"ExtractV2Job":               {holder: "Job", file: "wrapper/jobs.go"},
	"ExtractConfiguration":       {holder: "ExtractConfig", file: "wrapper/config.go"},
	"File":                       {holder: "File", file: "wrapper/files.go", wire: "fileWire"},
	"ConfigurationResponse":      {holder: "SavedConfig", file: "wrapper/config.go", wire: "savedConfigWire"},
	"ConfigurationCreate":        {holder: "SavedConfig", file: "wrapper/config.go", wire: "savedConfigWire"},
	"ExtractV2JobQueryResponse":  {holder: "ListPage", file: "wrapper/paging.go", wire: "pageWire"},
	"FileQueryResponse":          {holder: "ListPage", file: "wrapper/paging.go", wire: "pageWire"},
	"ConfigurationQueryResponse": {holder: "ListPage", file: "wrapper/paging.go", wire: "pageWire"},
	"ExtractV2JobCreate":         {holder: "CreateJobRequest", file: "wrapper/create.go", wire: "createBody"},
	"WebhookConfiguration":       {holder: "Webhook", file: "wrapper/create.go", how: "set in Webhook.wire"},
	"JobUsage":                   {holder: "Usage", file: "wrapper/jobs.go", how: "read in Job.Usage"},
	"JobMetadata":                {holder: "Usage", file: "wrapper/jobs.go", how: "read in Job.Usage"},
	"ExtractJobUsage":            {holder: "Usage", file: "wrapper/jobs.go", how: "read in Job.Usage"},
	"ExtractJobMetadata":         {holder: "Metadata", file: "wrapper/metadata.go", how: "read in Job.Metadata"},
	"ExtractedFieldMetadata":     {holder: "Metadata", file: "wrapper/metadata.go", how: "read in Job.Metadata"},
	"ListExtractJobs":            {holder: "JobFilter", file: "wrapper/joblist.go", how: "set in JobFilter.params"},
	"ListConfigurations":         {holder: "SavedConfigFilter", file: "wrapper/config.go", how: "set in ListConfigurations"},
	"ListFiles":                  {holder: "FileFilter", file: "wrapper/files.go", how: "set in FileFilter.params"},
}

// unmapped fails for the property prop (schema s) of owner unless it is
// left out on purpose, giving the whole line to add.
func unmapped(t errorT, owner, prop string, s *openapi3.Schema, required bool) {
	t.Helper()
	key := owner + "." + prop
	if leftOut[key] != "" {
		return
	}
	t.Errorf("%s: the spec has it and the wrapper does not map it. List %q in leftOut in wrappermap_test.go with the reason, or add %s",
		key, key, whereToAdd(owner, prop, s, required))
}

// whereToAdd says where the field that maps prop goes, and ends with the
// line(s) to add, each on its own line.
func whereToAdd(owner, prop string, s *openapi3.Schema, required bool) string {
	w, ok := where[owner]
	if !ok {
		return "it"
	}
	field := goName(prop) + " " + goType(s, required)
	tagged := field + " `json:\"" + prop + omitempty(required) + "\"`"
	switch {
	case w.wire != "":
		if strings.HasPrefix(goType(s, required), "time.") {
			tagged = goName(prop) + " *llamaextract.Time `json:\"" + prop + ",omitempty\"`"
		}
		return fmt.Sprintf("to %s, and to its wire type %s, in %s:\n\t%s\n\t%s", w.holder, w.wire, w.file, field, tagged)
	case w.how != "":
		return fmt.Sprintf("to %s in %s, %s:\n\t%s", w.holder, w.file, w.how, field)
	}
	return fmt.Sprintf("to %s in %s:\n\t%s", w.holder, w.file, tagged)
}

func omitempty(required bool) string {
	if required {
		return ""
	}
	return ",omitempty"
}

// goName is the Go name of a JSON member: priority -> Priority,
// webhook_url -> WebhookURL, parse_job_id -> ParseJobID.
func goName(prop string) string {
	var b strings.Builder
	for _, part := range strings.Split(prop, "_") {
		switch part {
		case "id", "url", "ids", "uri", "json", "http":
			b.WriteString(strings.ToUpper(strings.TrimSuffix(part, "s")))
			if strings.HasSuffix(part, "s") {
				b.WriteString("s")
			}
		case "":
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// scalar is a property's schema with allOf opened, and whether it is
// nullable (on the property or the schema it refers to).
func scalar(s *openapi3.Schema) (*openapi3.Schema, bool) {
	nullable := s.Nullable
	for len(s.AllOf) == 1 && s.Type == nil {
		s = s.AllOf[0].Value
		nullable = nullable || s.Nullable
	}
	return s, nullable
}

// zeroValid reports whether the Go zero value of s's type (0, false) is a
// value the spec allows: then a nullable s needs a pointer so that null
// and zero stay apart. An empty string means "not set" throughout the
// wrapper (an ID, a name, a prompt), so a string never needs one.
func zeroValid(s *openapi3.Schema) bool {
	switch {
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		return s.Min == nil || *s.Min < 0 || (*s.Min == 0 && !s.ExclusiveMin.IsTrue())
	}
	return false
}

// goType is the Go type that holds s: a pointer for a nullable number or
// boolean whose zero the spec allows (null and zero stay apart; absent and
// null are both nil, and re-encoding keeps what the server sent).
func goType(s *openapi3.Schema, required bool) string {
	s, nullable := scalar(s)
	var typ string
	switch {
	case s.Type.Is(openapi3.TypeString) && s.Format == "date-time":
		return "time.Time"
	case s.Type.Is(openapi3.TypeString):
		return "string"
	case s.Type.Is(openapi3.TypeInteger):
		typ = "int"
	case s.Type.Is(openapi3.TypeNumber):
		typ = "float64"
	case s.Type.Is(openapi3.TypeBoolean):
		typ = "bool"
	case s.Type.Is(openapi3.TypeArray) && s.Items != nil:
		return "[]" + goType(s.Items.Value, true)
	case s.AdditionalProperties.Schema != nil:
		return "map[string]" + goType(s.AdditionalProperties.Schema.Value, true)
	default:
		return "map[string]any"
	}
	if nullable && zeroValid(s) {
		return "*" + typ
	}
	return typ
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
	if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has && len(s.Properties) == 0 {
		// An open object: one entry as field metadata has them (any
		// other open object takes it as well).
		return map[string]any{"k": map[string]any{"confidence": 0.5}}
	}
	m := map[string]any{}
	props := schemaProps(s)
	for _, name := range s.Required {
		m[name] = sample(props[name].Value)
	}
	if len(m) == 0 && len(props) > 0 {
		first := slices.Sorted(maps.Keys(props))[0]
		m[first] = sample(props[first].Value)
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
// answer changes nothing decode returns, and for each mapped property whose
// Go field disagrees with the spec's type or nullability.
func checkDecoded(t errorT, doc *openapi3.T, schema string, decode func([]byte) (any, error)) {
	t.Helper()
	s := doc.Components.Schemas[schema].Value
	props := schemaProps(s)
	base := map[string]any{}
	for _, name := range s.Required {
		base[name] = sample(props[name].Value)
	}
	for _, prop := range slices.Sorted(maps.Keys(props)) {
		ps, required := props[prop].Value, slices.Contains(s.Required, prop)
		with, without := maps.Clone(base), maps.Clone(base)
		with[prop] = sample(ps)
		delete(without, prop)
		a, errA := decodeLeaves(decode, with)
		b, errB := decodeLeaves(decode, without)
		switch {
		case errA != nil:
			t.Errorf("%s.%s: a sample answer does not decode (%v): fix sample in wrappermap_test.go", schema, prop, errA)
			continue
		case errB != nil && required:
			continue // read: an answer without it is refused
		case errB != nil:
			t.Errorf("%s.%s: an answer without it does not decode: %v", schema, prop, errB)
			continue
		}
		changed := changedLeaves(a, b)
		if len(changed) == 0 {
			unmapped(t, schema, prop, ps, required)
			continue
		}
		if len(changed) == 1 {
			checkType(t, schema+"."+prop, ps, changed[0], a[changed[0]].typ)
			checkNullable(t, schema, prop, ps, required, func(v any) map[string]leaf {
				m := maps.Clone(base)
				m[prop] = v
				out, _ := decodeLeaves(decode, m)
				return out
			})
		}
	}
}

// nullAsZero are the nullable properties mapped to a field that reads null
// as zero, on purpose.
var nullAsZero = map[string]string{
	"JobUsage.credits":                    "Usage is a summary: a counter not (yet) billed reads 0; Job.Generated() keeps null apart",
	"JobUsage.extract_credits":            "as JobUsage.credits",
	"JobUsage.parse_credits":              "as JobUsage.credits",
	"ExtractJobUsage.num_pages_extracted": "as JobUsage.credits",
	"ExtractJobUsage.num_document_tokens": "as JobUsage.credits",
	"ExtractJobUsage.num_output_tokens":   "as JobUsage.credits",
	"ExtractJobUsage.num_pages_billed":    "as JobUsage.credits",
}

// checkType fails when the Go type of the field that maps a property is
// not of the property's JSON type.
func checkType(t errorT, key string, ps *openapi3.Schema, field string, typ reflect.Type) {
	t.Helper()
	sc, _ := scalar(ps)
	k := typ
	if k.Kind() == reflect.Pointer {
		k = k.Elem()
	}
	ok := true
	switch {
	case sc.Type.Is(openapi3.TypeString):
		ok = k.Kind() == reflect.String || k == reflect.TypeFor[time.Time]()
	case sc.Type.Is(openapi3.TypeInteger):
		ok = k.Kind() >= reflect.Int && k.Kind() <= reflect.Int64
	case sc.Type.Is(openapi3.TypeNumber):
		ok = k.Kind() == reflect.Float64 || k.Kind() == reflect.Float32
	case sc.Type.Is(openapi3.TypeBoolean):
		ok = k.Kind() == reflect.Bool
	case sc.Type.Is(openapi3.TypeArray):
		ok = k.Kind() == reflect.Slice
	}
	if !ok {
		t.Errorf("%s: the spec types it %s, and it is mapped to %s (%s); declare the field %s", key, sc.Type.Slice(), field, typ, goType(ps, false))
	}
}

// checkNullable fails when a nullable property whose zero the spec allows
// reads the same null and zero: the field then cannot keep them apart.
func checkNullable(t errorT, schema, prop string, ps *openapi3.Schema, required bool, decodeWith func(any) map[string]leaf) {
	t.Helper()
	key := schema + "." + prop
	sc, nullable := scalar(ps)
	if !nullable || !zeroValid(sc) || nullAsZero[key] != "" {
		return
	}
	zero := any(0)
	if sc.Type.Is(openapi3.TypeBoolean) {
		zero = false
	}
	if changed := changedLeaves(decodeWith(nil), decodeWith(zero)); len(changed) == 0 {
		t.Errorf("%s: nullable in the spec, and the field that maps it reads null and %v alike. List %q in nullAsZero in wrappermap_test.go with the reason, or declare it as the spec says, %s",
			key, zero, key, whereToAdd(schema, prop, ps, required))
	}
}

func decodeLeaves(decode func([]byte) (any, error), v map[string]any) (map[string]leaf, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	got, err := decode(b)
	if err != nil {
		return nil, err
	}
	out := map[string]leaf{}
	rv := reflect.ValueOf(got)
	leaves(rv, rv.Type(), rv.Type().String(), out)
	return out, nil
}

// leaf is one exported field a user reads, with its declared Go type.
type leaf struct {
	val any
	typ reflect.Type
}

// leaves puts the exported fields of v (of type typ) into out by path
// (wrapper.Job.Configuration.MaxPages), through pointers to structs; a
// Schema is a leaf (its JSON), and so is a time.
func leaves(v reflect.Value, typ reflect.Type, path string, out map[string]leaf) {
	st := typ
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() != reflect.Struct || st == reflect.TypeFor[time.Time]() || st == reflect.TypeFor[wrapper.Schema]() {
		out[path] = leaf{val: exported(v.Interface()), typ: typ}
		return
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			out[path] = leaf{typ: typ}
			return
		}
		v = v.Elem()
	}
	for i := range st.NumField() {
		if f := st.Field(i); f.IsExported() {
			leaves(v.Field(i), f.Type, strings.TrimPrefix(path, "*")+"."+f.Name, out)
		}
	}
}

// changedLeaves are the paths whose values differ between a and b.
func changedLeaves(a, b map[string]leaf) []string {
	var out []string
	for k := range a {
		if lb, ok := b[k]; !ok || !reflect.DeepEqual(a[k].val, lb.val) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func unmarshalInto[T any](b []byte) (any, error) {
	v := new(T)
	err := json.Unmarshal(b, v)
	return v, err
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
		return answering(t, b).ListJobs(context.Background(), wrapper.JobFilter{})
	})
	checkDecoded(t, doc, "FileQueryResponse", func(b []byte) (any, error) {
		return answering(t, b).ListFiles(context.Background(), wrapper.FileFilter{})
	})
	checkDecoded(t, doc, "ConfigurationQueryResponse", func(b []byte) (any, error) {
		return answering(t, b).ListConfigurations(context.Background(), wrapper.SavedConfigFilter{})
	})
}

// The schemas nested in a job that the wrapper models (usage, metadata)
// are walked as the job's own properties are.
func TestWrapperMapsEveryNestedAnswerProperty(t *testing.T) {
	doc := specDoc(t)
	usage := func(j *wrapper.Job) any { u := j.Usage(); return &u }
	checkDecoded(t, doc, "JobUsage", inJob(`{"usage":%s}`, usage))
	checkDecoded(t, doc, "JobMetadata", inJob(`{"metadata":%s}`, usage))
	checkDecoded(t, doc, "ExtractJobUsage", inJob(`{"metadata":{"usage":%s}}`, usage))
	checkDecoded(t, doc, "ExtractJobMetadata", inJob(`{"extract_metadata":%s}`, metadataOf))
	checkDecoded(t, doc, "ExtractedFieldMetadata", inJob(`{"extract_metadata":{"field_metadata":%s}}`, metadataOf))
}

// inJob decodes a job whose members are outer with the sample in place of
// %s, and returns what view reads of it.
func inJob(outer string, view func(*wrapper.Job) any) func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		members := strings.Replace(outer, "%s", string(b), 1)
		job := `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z",` + members[1:]
		var j wrapper.Job
		if err := json.Unmarshal([]byte(job), &j); err != nil {
			return nil, err
		}
		return view(&j), nil
	}
}

// metadataView is what a user reads of a Metadata.
type metadataView struct {
	ParseJobID, ParseTier         string
	Fields, PageFields, RowFields []string
	Pages, Rows                   int
	Confidence                    []float64
}

func metadataOf(j *wrapper.Job) any {
	m := j.Metadata()
	v := &metadataView{ParseJobID: m.ParseJobID, ParseTier: m.ParseTier, Pages: m.Pages(), Rows: m.Rows()}
	for name, f := range m.Fields() {
		v.Fields = append(v.Fields, name)
		if f.Confidence != nil {
			v.Confidence = append(v.Confidence, *f.Confidence)
		}
	}
	for name := range m.PageFields(0) {
		v.PageFields = append(v.PageFields, name)
	}
	for name := range m.RowFields(0) {
		v.RowFields = append(v.RowFields, name)
	}
	return v
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
			// The members of the webhooks, as "webhook_configurations[].member".
			var hooks []map[string]json.RawMessage
			_ = json.Unmarshal(m["webhook_configurations"], &hooks)
			for _, h := range hooks {
				for k := range h {
					bodyKeys["webhook_configurations[]."+k] = true
				}
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

// specProp is a property of a request body or a query parameter.
type specProp struct {
	schema   *openapi3.Schema
	required bool
}

// checkSent fails for each property in want that the wrapper did not send
// (sent holds the members sent, nested ones as "outer[].member" beside
// prefix), and for each member sent that want does not have.
func checkSent(t errorT, owner string, want map[string]specProp, sent map[string]bool, prefix string) {
	t.Helper()
	for _, prop := range slices.Sorted(maps.Keys(want)) {
		if !sent[prefix+prop] {
			unmapped(t, owner, prop, want[prop].schema, want[prop].required)
		}
	}
	for k := range sent {
		name, ok := strings.CutPrefix(k, prefix)
		if ok && !strings.Contains(name, "[].") && want[name].schema == nil {
			t.Errorf("%s: the wrapper sends %q, which the spec does not have", owner, name)
		}
	}
}

func specProps(doc *openapi3.T, schema string) map[string]specProp {
	s := doc.Components.Schemas[schema].Value
	out := map[string]specProp{}
	for name, p := range schemaProps(s) {
		out[name] = specProp{schema: p.Value, required: slices.Contains(s.Required, name)}
	}
	return out
}

func queryParams(doc *openapi3.T, path string) map[string]specProp {
	out := map[string]specProp{}
	for _, p := range doc.Paths.Value(path).Get.Parameters {
		if p.Value.In == openapi3.ParameterInQuery {
			out[p.Value.Name] = specProp{schema: p.Value.Schema.Value, required: p.Value.Required}
		}
	}
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
	checkSent(t, "ExtractConfiguration", specProps(doc, "ExtractConfiguration"), keysOf(m), "")

	// CreateJobRequest: inline and saved, every field set.
	job := `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
	c, sent, _ := recording(t, job)
	hooks := []wrapper.Webhook{{URL: "https://h.example/x", Events: []wrapper.WebhookEvent{wrapper.EventExtractSuccess}}}
	fillExcept(reflect.ValueOf(&hooks[0]).Elem(), "URL", "Events")
	for _, config := range []wrapper.Config{wrapper.ExtractConfig{Schema: schema}, wrapper.SavedConfig{ID: "cfg-1"}} {
		if _, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1", Config: config, Webhooks: hooks, WebhookConfigIDs: []string{"w"}}); err != nil {
			t.Fatal(err)
		}
	}
	checkSent(t, "ExtractV2JobCreate", specProps(doc, "ExtractV2JobCreate"), sent, "")
	checkSent(t, "WebhookConfiguration", specProps(doc, "WebhookConfiguration"), sent, "webhook_configurations[].")

	// SavedConfig as CreateConfiguration's body.
	c, sent, _ = recording(t, `{"id":"cfg-1","name":"n"}`)
	if _, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "n", Config: wrapper.ExtractConfig{Schema: schema}}); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ConfigurationCreate", specProps(doc, "ConfigurationCreate"), sent, "")

	// The list filters, every field set.
	c, _, query := recording(t, `{"items":[]}`)
	jf := wrapper.JobFilter{Status: wrapper.StatusCompleted, DocumentInputType: wrapper.InputFileID}
	fillExcept(reflect.ValueOf(&jf).Elem(), "Status", "DocumentInputType")
	if _, err := c.ListJobs(ctx, jf, wrapper.WithExpand(wrapper.ExpandConfiguration)); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ListExtractJobs", queryParams(doc, "/api/v2/extract"), query, "")
	c, _, query = recording(t, `{"items":[]}`)
	var cf wrapper.SavedConfigFilter
	fillExcept(reflect.ValueOf(&cf).Elem())
	if _, err := c.ListConfigurations(ctx, cf); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ListConfigurations", queryParams(doc, "/api/v1/beta/configurations"), query, "")
	c, _, query = recording(t, `{"items":[]}`)
	ff := wrapper.FileFilter{OrderBy: wrapper.FileOrderName}
	fillExcept(reflect.ValueOf(&ff).Elem(), "OrderBy")
	if _, err := c.ListFiles(ctx, ff); err != nil {
		t.Fatal(err)
	}
	checkSent(t, "ListFiles", queryParams(doc, "/api/v1/beta/files"), query, "")
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
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
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

// errorT is the part of testing.T the map checks use, so that a test can
// run them and read what they report.
type errorT interface {
	Helper()
	Errorf(format string, args ...any)
}

// reports collects what the map checks report.
type reports []string

func (r *reports) Helper() {}
func (r *reports) Errorf(format string, args ...any) {
	*r = append(*r, fmt.Sprintf(format, args...))
}

// The drill as a maintainer follows it: the spec gains priority (a
// nullable integer); left unmapped, the failure gives the line to add; the
// field written as a plain int (null read as 0) fails, naming the fix; the
// line as given passes. (Attack 18, break 7.)
func TestWrapperMapCheckGivesTheLineAndHoldsItsType(t *testing.T) {
	doc := specDoc(t)
	doc.Components.Schemas["ExtractV2Job"].Value.Properties["priority"] = openapi3.NewSchemaRef("",
		&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeInteger}, Nullable: true})
	line := "Priority *int `json:\"priority,omitempty\"`"
	cases := []struct {
		name   string
		decode func([]byte) (any, error)
		want   []string // in the one report; none when nil
	}{
		{"not mapped", unmarshalInto[wrapper.Job], []string{"ExtractV2Job.priority: the spec has it", "to Job in wrapper/jobs.go:\n\t" + line}},
		{"plain int", withPriority[int], []string{"ExtractV2Job.priority: nullable in the spec", "null and 0 alike", line}},
		{"as the line says", withPriority[*int], nil},
	}
	for _, tc := range cases {
		var got reports
		checkDecoded(&got, doc, "ExtractV2Job", tc.decode)
		switch {
		case tc.want == nil && len(got) > 0:
			t.Errorf("%s: %q", tc.name, got)
		case tc.want != nil && len(got) != 1:
			t.Errorf("%s: %d reports %q, want one", tc.name, len(got), got)
		case tc.want != nil:
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("%s: %q lacks %q", tc.name, got[0], w)
				}
			}
		}
	}
}

// withPriority decodes a Job with a Priority field of type P beside it.
func withPriority[P any](b []byte) (any, error) {
	var j wrapper.Job
	err := json.Unmarshal(b, &j)
	var v struct {
		Priority P `json:"priority"`
	}
	_ = json.Unmarshal(b, &v)
	return &struct {
		Job      *wrapper.Job
		Priority P
	}{&j, v.Priority}, err
}
