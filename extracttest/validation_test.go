package extracttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

type issueJSON struct {
	Loc   []any  `json:"loc"`
	Msg   string `json:"msg"`
	Type  string `json:"type"`
	Input any    `json:"input"`
}

func issues(t *testing.T, r resp) []issueJSON {
	t.Helper()
	if r.status != 422 {
		t.Fatalf("status %d %s, want 422", r.status, r.body)
	}
	var v struct {
		Detail []issueJSON `json:"detail"`
	}
	r.json(t, &v)
	if len(v.Detail) == 0 {
		t.Fatalf("422 without a detail list: %s", r.body)
	}
	return v.Detail
}

func locOf(is issueJSON) string {
	parts := make([]string, len(is.Loc))
	for i, l := range is.Loc {
		b, _ := json.Marshal(l)
		parts[i] = string(b)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// A request that fails schema validation is answered as FastAPI answers it:
// 422, a list of {loc, msg, type}, loc naming the exact spot. NewTestServer
// also checks every answer against HTTPValidationError in openapi.yaml.
func TestValidationFailuresAre422WithTheSpot(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	cases := []struct {
		name, method, path string
		body               any
		want               []string // loc, type of each issue, in order
	}{
		{"empty enum query value (the TS SDK's null)", "GET", "/api/v2/extract?status=", nil,
			[]string{`["query","status"] enum`}},
		{"value outside an enum", "GET", "/api/v2/extract?status=DONE", nil,
			[]string{`["query","status"] enum`}},
		{"every problem at once, path and query before body", "GET", "/api/v2/extract?status=DONE&page_size=ten", nil,
			[]string{`["query","page_size"] int_parsing`, `["query","status"] enum`}},
		{"empty integer", "GET", "/api/v1/beta/files?page_size=", nil,
			[]string{`["query","page_size"] int_parsing`}},
		{"empty boolean", "GET", "/api/v1/beta/configurations?latest_only=", nil,
			[]string{`["query","latest_only"] bool_parsing`}},
		{"array item outside its enum", "GET", "/api/v1/beta/configurations?product_type=extract_v2&product_type=nope", nil,
			[]string{`["query","product_type",1] enum`}},
		{"bad date-time", "GET", "/api/v2/extract?created_at_on_or_after=yesterday", nil,
			[]string{`["query","created_at_on_or_after"] datetime_from_date_parsing`}},
		{"missing required field", "POST", "/api/v2/extract", `{}`,
			[]string{`["body","file_input"] missing`}},
		{"wrong type", "POST", "/api/v2/extract", `{"file_input":7}`,
			[]string{`["body","file_input"] string_type`}},
		{"nested enum and missing field", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration":{"tier":"gold"}}`,
			[]string{`["body","configuration","tier"] enum`, `["body","configuration","data_schema"] missing`}},
		{"array index in a body", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration_id":"cfg-1","webhook_configurations":[{},{"webhook_events":["nope"]}]}`,
			[]string{`["body","webhook_configurations",1,"webhook_events",0] enum`}},
		{"unknown union tag", "POST", "/api/v1/beta/configurations", `{"name":"x","parameters":{"product_type":"mystery"}}`,
			[]string{`["body","parameters"] union_tag_invalid`}},
		{"field inside the member the tag chose", "POST", "/api/v1/beta/configurations", `{"name":7,"parameters":{"product_type":"extract_v2","data_schema":{},"max_pages":0}}`,
			[]string{`["body","name"] string_type`, `["body","parameters","max_pages"] greater_than_equal`}},
		{"member the spec does not define", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration_id":"cfg-1","priority":3}`,
			[]string{`["body","priority"] extra_forbidden`}},
		{"nested member the spec does not define", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration":{"data_schema":{"type":"object"},"no_such_member":1}}`,
			[]string{`["body","configuration","no_such_member"] extra_forbidden`}},
		{"member the spec does not define, in a list, beside a type error", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration_id":"cfg-1","webhook_configurations":[{"webhook_url":7},{"webhook_secret":"s"}]}`,
			[]string{`["body","webhook_configurations",0,"webhook_url"] string_type`, `["body","webhook_configurations",1,"webhook_secret"] extra_forbidden`}},
		{"case variant of a member", "POST", "/api/v2/extract", `{"file_input":"` + file + `","configuration_id":"cfg-1","File_Input":"dfl-other"}`,
			[]string{`["body","File_Input"] extra_forbidden`}},
		{"not JSON", "POST", "/api/v2/extract", `{nope`,
			[]string{`["body",0] json_invalid`}},
		{"no body", "POST", "/api/v2/extract/schema/validation", nil,
			[]string{`["body"] missing`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := issues(t, a.do(c.method, c.path, c.body))
			var have []string
			for _, is := range got {
				have = append(have, locOf(is)+" "+is.Type)
				if is.Msg == "" {
					t.Errorf("issue at %s has no msg", locOf(is))
				}
			}
			if !reflect.DeepEqual(have, c.want) {
				t.Errorf("issues %q, want %q", have, c.want)
			}
		})
	}
}

// Where the spec allows members of its own choosing (additionalProperties:
// a data_schema, webhook headers, a result), any member is accepted.
func TestExtraMembersAllowedWhereTheSpecAllowsThem(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	body := `{"file_input":"` + file + `","configuration":{"data_schema":{"type":"object","properties":{"vendor":{"type":"string"}},"x-anything":1}},` +
		`"webhook_configurations":[{"webhook_url":"https://h.example/x","webhook_headers":{"X-Any-Header":"v"}}]}`
	if r := a.do("POST", "/api/v2/extract", body); r.status != http.StatusOK {
		t.Errorf("status %d %s, want 200", r.status, r.body)
	}
}

func TestExtraMemberMessageIsFastAPIs(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	got := issues(t, a.do("POST", "/api/v2/extract", `{"file_input":"`+file+`","configuration_id":"cfg-1","priority":3}`))[0]
	if got.Msg != "Extra inputs are not permitted" || got.Input != float64(3) {
		t.Errorf("msg %q input %v, want FastAPI's and 3", got.Msg, got.Input)
	}
}

func TestValidationMessagesReadLikePydantic(t *testing.T) {
	a, _ := newAPI(t)
	got := issues(t, a.do("GET", "/api/v2/extract?status=DONE", nil))[0]
	want := "Input should be 'PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', 'FAILED' or 'CANCELLED'"
	if got.Msg != want || got.Input != "DONE" {
		t.Errorf("msg %q input %v, want %q and DONE", got.Msg, got.Input, want)
	}
	got = issues(t, a.do("POST", "/api/v2/extract", `{}`))[0]
	if got.Msg != "Field required" || got.Input != nil {
		t.Errorf("missing: msg %q input %v", got.Msg, got.Input)
	}
}

// The semantic rules the service documents stay handler refusals: 400 with
// a string detail naming the field.
func TestDocumentedRulesStay400(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	cases := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"both configuration and configuration_id", "POST", "/api/v2/extract",
			`{"file_input":"` + file + `","configuration_id":"cfg-1","configuration":{"data_schema":{"type":"object","properties":{"a":{"type":"string"}}}}}`, "configuration"},
		{"unknown file_input", "POST", "/api/v2/extract", `{"file_input":"doc-1","configuration_id":"cfg-1"}`, "file_input"},
		{"empty file_input (a plain string in every SDK)", "POST", "/api/v2/extract", `{"file_input":"","configuration_id":"cfg-1"}`, "file_input"},
		{"order_by outside the documented keys", "GET", "/api/v1/beta/files?order_by=size", nil, "order_by"},
		{"order_by with a direction", "GET", "/api/v1/beta/files?order_by=name%20desc", nil, "order_by"},
		{"negative page_size", "GET", "/api/v1/beta/configurations?page_size=-3", nil, "page_size"},
		{"negative page_size in a body", "POST", "/api/v1/beta/files/query", `{"page_size":-1}`, "page_size"},
		{"negative link lifetime", "GET", "/api/v1/beta/files/" + file + "/content?expires_at_seconds=-5", nil, "expires_at_seconds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(c.method, c.path, c.body)
			if r.status != 400 {
				t.Fatalf("status %d %s, want 400", r.status, r.body)
			}
			if d := r.detail(t); !strings.HasPrefix(d, c.field) {
				t.Errorf("detail %q does not start with %q", d, c.field)
			}
		})
	}
}

// What the official SDKs may send where their types are open, or where they
// know no bound, is accepted (the Go SDK's own endpoint tests send these).
func TestOpenValuesTheSDKsSendAreAccepted(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	j := a.create(file)
	for _, path := range []string{
		"/api/v2/extract?expand=string&document_input_type=document_input_type&page_size=0",
		"/api/v2/extract/" + j.ID + "?expand=string",
		"/api/v1/beta/files?expand=string&order_by=&page_size=0",
		"/api/v1/beta/files/" + file + "/content?expires_at_seconds=0",
		"/api/v1/beta/configurations?page_size=0",
	} {
		if r := a.do("GET", path, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	var link struct {
		ExpiresAt string `json:"expires_at"`
	}
	a.do("GET", "/api/v1/beta/files/"+file+"/content?expires_at_seconds=0", nil).json(t, &link)
	if link.ExpiresAt != "2026-01-01T01:00:00Z" {
		t.Errorf("expires_at_seconds=0 gave a link expiring %s, want the default hour", link.ExpiresAt)
	}
	if r := a.upload("x.txt", "agent_app", []byte("x")); r.status != 200 {
		t.Errorf("upload with a documented purpose: %d %s", r.status, r.body)
	}
}

// parse_tier is an open string in openapi.yaml (responses must decode a newer
// tier) but the current service validates requests against the four tiers.
func TestParseTierOutsideTheTiersIs422(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	got := issues(t, a.do("POST", "/api/v2/extract", createBody(file, `{"type":"object","properties":{"a":{"type":"string"}}}`, `,"parse_tier":"premium"`)))
	if len(got) != 1 || locOf(got[0]) != `["body","configuration","parse_tier"]` || got[0].Type != "enum" || got[0].Input != "premium" {
		t.Errorf("issues %+v", got)
	}
	got = issues(t, a.do("POST", "/api/v1/beta/configurations", `{"name":"n","parameters":{"product_type":"extract_v2","data_schema":{"type":"object","properties":{"a":{"type":"string"}}},"parse_tier":"premium"}}`))
	if len(got) != 1 || locOf(got[0]) != `["body","parameters","parse_tier"]` {
		t.Errorf("issues %+v", got)
	}
	if r := a.do("POST", "/api/v2/extract", createBody(file, `{"type":"object","properties":{"a":{"type":"string"}}}`, `,"parse_tier":"agentic_plus"`)); r.status != 200 {
		t.Errorf("a known tier: %d %s", r.status, r.body)
	}
}

// The TypeScript SDK sends null for an Array<...> | null query parameter as
// key= (qs, arrayFormat repeat). FastAPI reads that as the list [""]: valid
// for a list of strings, an enum failure at item 0 for a list of enum values.
func TestEmptyListQueryValueIsTheListOfOneEmptyString(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	j := a.create(file)
	for _, path := range []string{
		"/api/v1/beta/files?expand=",
		"/api/v1/beta/files/" + file + "?expand=",
		"/api/v2/extract?expand=",
		"/api/v2/extract/" + j.ID + "?expand=",
	} {
		if r := a.do("GET", path, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s, want 200", path, r.status, r.body)
		}
	}
	// A filter on the ID "" matches nothing.
	for _, path := range []string{"/api/v1/beta/files?file_ids=", "/api/v2/extract?job_ids="} {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		r := a.do("GET", path, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s, want 200", path, r.status, r.body)
		}
		if r.json(t, &page); len(page.Items) != 0 {
			t.Errorf("GET %s: %d items, want none (no ID is empty)", path, len(page.Items))
		}
	}
	got := issues(t, a.do("GET", "/api/v1/beta/configurations?product_type=", nil))
	if len(got) != 1 || locOf(got[0]) != `["query","product_type",0]` || got[0].Type != "enum" || got[0].Input != "" {
		t.Errorf("product_type=: issues %+v, want one enum at [query,product_type,0]", got)
	}
	// Other problems of the same request are still all reported.
	got = issues(t, a.do("GET", "/api/v2/extract?expand=&status=DONE", nil))
	if len(got) != 1 || locOf(got[0]) != `["query","status"]` {
		t.Errorf("expand=&status=DONE: issues %+v, want only status", got)
	}
}

// The SDKs type created_at_on_or_after/before as plain strings and the
// service reads them with pydantic (lax), so every form pydantic takes is a
// legal filter: a date alone, no seconds, no zone, a space or lowercase z,
// or Unix seconds. Each form names the same instant here, so each must
// keep the job created at 2026-01-01T00:00:00Z and drop none.
func TestCreatedAtFiltersReadEveryFormPydanticReads(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	a.create(file)
	for _, v := range []string{
		"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000Z", "2026-01-01T05:30:00+05:30",
		"2026-01-01T05:30:00+0530", "2026-01-01T00:00:00", "2026-01-01", "2026-01-01 00:00:00",
		"2026-01-01T00:00", "2026-01-01t00:00:00z", "1767225600", "1767225600000",
	} {
		for _, name := range []string{"created_at_on_or_after", "created_at_on_or_before"} {
			var page struct {
				Items []json.RawMessage `json:"items"`
			}
			r := a.do("GET", "/api/v2/extract?"+name+"="+url.QueryEscape(v), nil)
			if r.status != 200 {
				t.Errorf("%s=%s: %d %s, want 200", name, v, r.status, r.body)
				continue
			}
			if r.json(t, &page); len(page.Items) != 1 {
				t.Errorf("%s=%s: %d jobs, want the one created at that instant", name, v, len(page.Items))
			}
		}
	}
	for _, v := range []string{"yesterday", "2026-13-01", "2026-01-01T25:00"} {
		got := issues(t, a.do("GET", "/api/v2/extract?created_at_on_or_after="+url.QueryEscape(v), nil))
		if len(got) != 1 || got[0].Type != "datetime_from_date_parsing" {
			t.Errorf("%s: issues %+v, want one datetime_from_date_parsing", v, got)
		}
	}
}

// FastAPI reads an empty form field as absent: the TypeScript SDK sends
// external_file_id: "" as an empty part, and the file has no external ID.
func TestEmptyExternalFileIDFormFieldIsAbsent(t *testing.T) {
	a, _ := newAPI(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "a.txt")
	fw.Write([]byte("Vendor: V"))
	mw.WriteField("purpose", "extract")
	mw.WriteField("external_file_id", "")
	mw.Close()
	req, _ := http.NewRequest("POST", a.s.URL+"/api/v1/beta/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+a.key)
	res, err := a.s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var f map[string]any
	if err := json.NewDecoder(res.Body).Decode(&f); err != nil || res.StatusCode != 200 {
		t.Fatalf("upload: %d %v %v", res.StatusCode, f, err)
	}
	if v, ok := f["external_file_id"]; ok && v != nil {
		t.Errorf("external_file_id = %#v, want absent or null", v)
	}
}

// Every SDK types ConfigurationCreate.name as a plain string, so an empty
// name is a legal request that the service saves.
func TestEmptyConfigurationNameIsAccepted(t *testing.T) {
	a, _ := newAPI(t)
	r := a.do("POST", "/api/v1/beta/configurations", `{"name":"","parameters":{"product_type":"split_v1","categories":[{"name":"a"}]}}`)
	if r.status != 200 {
		t.Fatalf("create with name \"\": %d %s, want 200", r.status, r.body)
	}
}

// What a client sends through its escape hatch (ExtractConfig.Extra,
// CreateJobRequest.Extra) is validated against the spec as the service
// validates it: a member the spec does not define (the service's next
// field, or a typo) is refused at its path, a member the spec has is
// type-checked. (Attack 18, break 2.)
func TestEscapeHatchValidatedAgainstTheSpec(t *testing.T) {
	ctx := context.Background()
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(0))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	file := srv.AddFile("invoice.txt", []byte("Invoice Number: INV-1\n"))
	schema := wrapper.MustSchemaFor[exampleInvoice]()
	cases := []struct {
		name string
		req  wrapper.CreateJobRequest
		path string // of the refused member; "" when accepted
	}{
		{"config member the spec does not have", wrapper.CreateJobRequest{FileInput: file,
			Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"no_such_member": 1}}}, "configuration.no_such_member"},
		{"config member the spec has, wrong type", wrapper.CreateJobRequest{FileInput: file,
			Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"extract_version": 5}}}, "configuration.extract_version"},
		{"config member the spec has, right type", wrapper.CreateJobRequest{FileInput: file,
			Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"extract_version": "latest"}}}, ""},
		{"create member the spec does not have", wrapper.CreateJobRequest{FileInput: file,
			Config: wrapper.ExtractConfig{Schema: schema}, Extra: map[string]any{"priority": 3}}, "priority"},
		{"create member, case of a modelled one", wrapper.CreateJobRequest{FileInput: file,
			Config: wrapper.ExtractConfig{Schema: schema}, Extra: map[string]any{"File_Input": "dfl-other"}}, "File_Input"},
	}
	for _, tc := range cases {
		_, err := c.CreateJob(ctx, tc.req)
		var api *wrapper.APIError
		switch {
		case tc.path != "" && err == nil:
			t.Errorf("%s: the emulator accepted it silently", tc.name)
		case tc.path != "" && !errors.As(err, &api):
			t.Errorf("%s: refused, but not by the emulator: %v", tc.name, err)
		case tc.path != "" && (len(api.Issues) != 1 || api.Issues[0].Path != tc.path):
			t.Errorf("%s: issues %+v, want one at %s", tc.name, api.Issues, tc.path)
		case tc.path == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
