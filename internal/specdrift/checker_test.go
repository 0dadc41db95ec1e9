package specdrift

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/internal/apispec"
)

// check runs one GET exchange through a Checker and returns its findings
// keyed "severity kind path".
func check(t *testing.T, method, path string, status int, body string) map[string]Finding {
	t.Helper()
	c := NewChecker()
	req, err := http.NewRequest(method, "https://api.example"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	c.Check(context.Background(), req, nil, status, h, []byte(body))
	out := map[string]Finding{}
	for _, f := range c.Findings() {
		out[string(f.Severity)+" "+f.Kind+" "+f.Path] = f
	}
	return out
}

func wantFindings(t *testing.T, got map[string]Finding, want ...string) {
	t.Helper()
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("no finding %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d:", len(got), len(want))
		for _, f := range got {
			t.Logf("  %s", f)
		}
	}
}

const validJob = `"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1"`

func TestValidJobHasNoFindings(t *testing.T) {
	body := `{` + validJob + `,"status":"COMPLETED","extract_result":{"anything":{"goes":[1]}},"metadata":{"new_counter":1,"usage":{"num_pages_billed":1}},
	 "configuration":{"data_schema":{"type":"object","x-custom":true},"tier":"agentic","parse_tier":"fast"},"usage":null}`
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 200, body))
}

// Members the spec does not have are found at any depth: through allOf
// (configuration), a nested allOf (metadata.usage) and a oneOf picked by
// its discriminator (a configuration's parameters).
func TestUnknownMembersAtAnyDepth(t *testing.T) {
	body := `{` + validJob + `,"status":"RUNNING","configuration":{"data_schema":{},"new_knob":1},
	 "metadata":{"usage":{"num_pages_billed":1,"num_cells":3}},"extract_metadata":{"field_metadata":{"document_metadata":{},"cell_metadata":[]}}}`
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 200, body),
		"drift unknown_member $.configuration.new_knob",
		"drift unknown_member $.metadata.usage.num_cells",
		"drift unknown_member $.extract_metadata.field_metadata.cell_metadata")

	cfg := `{"id":"cfg-1","name":"n","product_type":"extract_v2","version":"v","parameters":{"product_type":"extract_v2","data_schema":{},"fresh":true}}`
	wantFindings(t, check(t, "GET", "/api/v1/beta/configurations/cfg-1", 200, cfg), "drift unknown_member $.parameters.fresh")
}

// A closed enum refuses a new value as drift; an open string with
// documented values reports it as information; a discriminator tag outside
// the mapping is drift at the tag.
func TestEnumsOpenStringsAndTags(t *testing.T) {
	body := `{` + validJob + `,"status":"ARCHIVED","configuration":{"data_schema":{},"extraction_target":"per_chapter","parse_tier":"turbo_plus"}}`
	got := check(t, "GET", "/api/v2/extract/ext-1", 200, body)
	wantFindings(t, got, "drift enum $.configuration.extraction_target", "info new_value $.status", "info new_value $.configuration.parse_tier")
	if f := got["info new_value $.status"]; !strings.Contains(f.Spec, "PENDING") || f.Got != `"ARCHIVED"` {
		t.Errorf("status finding: %+v", f)
	}
	cfg := `{"id":"cfg-1","name":"n","product_type":"extract_v2","version":"v","parameters":{"product_type":"extract_v3"}}`
	wantFindings(t, check(t, "GET", "/api/v1/beta/configurations/cfg-1", 200, cfg), "drift enum $.parameters.product_type")
}

func TestMissingTypesAndNulls(t *testing.T) {
	body := `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":7,"file_input":null,"status":"PENDING","usage":{"credits":"5"},"error_message":null}`
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 200, body),
		"drift missing $.project_id", "drift type $.updated_at", "drift null $.file_input", "drift type $.usage.credits")
}

// A status the operation does not list is drift (a 5xx is what default
// documents), and an error body is checked like any other.
func TestStatusesAndErrorBodies(t *testing.T) {
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 409, `{"detail":"conflict"}`), "drift status $")
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 503, `{"detail":"busy"}`))
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 404, `{"detail":"not found","request_id":"r-1"}`), "drift unknown_member $.request_id")
	wantFindings(t, check(t, "GET", "/api/v2/extract/ext-1", 404, `{"detail":{"why":"x"}}`), "drift type $.detail")
}

// What kin-openapi refuses and the walk does not look at (here a format)
// is reported as kin-openapi says it.
func TestKinOpenAPIFindingsAreKept(t *testing.T) {
	body := `{"url":"https://x.example/f","expires_at":"tomorrow"}`
	got := check(t, "GET", "/api/v1/beta/files/dfl-1/content", 200, body)
	wantFindings(t, got, "drift schema $.expires_at")
}

// Examples show shape, not content or secrets.
func TestExamplesCutContentAndSecrets(t *testing.T) {
	for _, tc := range []struct {
		at   string
		v    any
		want string
	}{
		{"$.status", "QUEUED", `"QUEUED"`},
		{"$.extract_result.name", "Jane Doe", "(8 characters of content, cut)"},
		{"$.error_message", "Jane", "(4 characters of content, cut)"},
		{"$.webhook_signing_secret", "abc", "(3 characters, cut: may be a secret)"},
		{"$.new_token", "abc", "(3 characters, cut: may be a secret)"},
		{"$.download", "https://bucket.example/f?sig=SECRET", `"https://bucket.example/..."`},
		{"$.opaque", "eyJvZmZzZXQiOjF9eyJvZmZzZXQiOjF9", "(32 characters, cut)"},
		{"$.note", `a "quoted" <thing>`, "(18 characters, cut)"},
		{"$.count", 3.0, "3"},
		{"$.extract_result", map[string]any{"ssn": "1"}, "{1 members}"},
		{"$.x", map[string]any{"a": 1, "eyJvZmZzZXQiOjF9eyJvZmZzZXQiOjF9": 2}, "{2 members: a, (a 32-character name, cut)}"},
	} {
		if got := example(tc.at, tc.v); got != tc.want {
			t.Errorf("example(%s, %v) = %s, want %s", tc.at, tc.v, got, tc.want)
		}
	}
}

func TestRedactCutsTheKeyInEveryForm(t *testing.T) {
	key := `llx-<a"b&c>1234567890\zyx<w>`
	var leaks []string
	for _, part := range []string{key, key[:8], key[len(key)-8:]} {
		esc, _ := json.Marshal(part)
		leaks = append(leaks, part, string(esc[1:len(esc)-1]), strings.ReplaceAll(part, `"`, `\"`))
	}
	out := string(redact([]byte(strings.Join(leaks, " | ")), key))
	for _, leak := range leaks {
		if strings.Contains(out, leak) {
			t.Errorf("%q left in %s", leak, out)
		}
	}
}

// A member name that may be a secret (a long run of letters and digits, or
// one that is not a plain name) is cut in the finding's spec text as in its
// path.
func TestUnknownMemberNameIsCutInTheSpecTextAsInThePath(t *testing.T) {
	const name = "sk-live-eyJvZmZzZXQiOjF9eyJvZmZzZXQiOjF9"
	body := `{` + validJob + `,"status":"PENDING",` + strconv.Quote(name) + `:1}`
	got := check(t, "GET", "/api/v2/extract/ext-1", 200, body)
	for _, f := range got {
		if strings.Contains(f.String(), name) || strings.Contains(f.String(), "eyJvZmZzZXQiOjF9eyJv") {
			t.Errorf("finding shows the name: %s", f)
		}
	}
	wantFindings(t, got, `drift unknown_member $["(a 40-character name, cut)"]`)
}

// A discriminator tag that is absent, or not a string, is said to be so,
// not shown as the empty string.
func TestDiscriminatorTagAbsentOrNotAStringIsSaidSo(t *testing.T) {
	cfg := `{"id":"cfg-1","name":"n","product_type":"extract_v2","version":"v","parameters":{"data_schema":{}}}`
	got := check(t, "GET", "/api/v1/beta/configurations/cfg-1", 200, cfg)
	wantFindings(t, got, "drift missing $.parameters.product_type")
	if f := got["drift missing $.parameters.product_type"]; f.Got != "absent" || !strings.Contains(f.Spec, "extract_v2") {
		t.Errorf("absent tag: %s", f)
	}
	cfg = `{"id":"cfg-1","name":"n","product_type":"extract_v2","version":"v","parameters":{"product_type":2,"data_schema":{}}}`
	got = check(t, "GET", "/api/v1/beta/configurations/cfg-1", 200, cfg)
	wantFindings(t, got, "drift type $.parameters.product_type")
	if f := got["drift type $.parameters.product_type"]; f.Got != "integer" {
		t.Errorf("integer tag: %s", f)
	}
}

// UnknownMembers finds what the answer walk finds, at any depth and in
// lists, with FastAPI's locs; where a schema allows members of its own
// choosing (additionalProperties), none is unknown.
func TestUnknownMembersGivesTheirPlaces(t *testing.T) {
	doc := apispec.Doc()
	body := map[string]any{
		"file_input": "dfl-1", "priority": 3,
		"configuration": map[string]any{"data_schema": map[string]any{"anything": 1}, "no_such": 1},
		"webhook_configurations": []any{
			map[string]any{"webhook_headers": map[string]any{"X-Any": "v"}},
			map[string]any{"webhook_url": "https://h.example", "bogus": true},
		},
	}
	got := UnknownMembers(doc, doc.Components.Schemas["ExtractV2JobCreate"], body)
	want := [][]any{{"configuration", "no_such"}, {"priority"}, {"webhook_configurations", 1, "bogus"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownMembers = %v, want %v", got, want)
	}
}
