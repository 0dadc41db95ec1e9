package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// jobWithResult builds a job the way a test of user code would: from the
// API's JSON.
func jobWithResult(t testing.TB, result string) *wrapper.Job {
	t.Helper()
	raw := `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"prj-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"`
	if result != "" {
		raw += `,"extract_result":` + result
	}
	var job wrapper.Job
	if err := json.Unmarshal([]byte(raw+"}"), &job); err != nil {
		t.Fatal(err)
	}
	return &job
}

func TestDecodeShapes(t *testing.T) {
	obj := jobWithResult(t, `{"vendor":"A"}`)
	arr := jobWithResult(t, `[{"vendor":"A"},{"vendor":"B"}]`)
	var se *wrapper.ShapeError
	if _, err := wrapper.Decode[[]Invoice](obj); !errors.As(err, &se) || se.Got != "object" || se.Want != "array" || !strings.Contains(err.Error(), "use Extract") {
		t.Fatalf("rows of an object: %v", err)
	}
	if _, err := wrapper.Decode[Invoice](arr); !errors.As(err, &se) || !strings.Contains(err.Error(), "is array, want object") {
		t.Fatalf("object of an array: %v", err)
	}
	if many, err := wrapper.Decode[[]Invoice](arr); err != nil || len(many) != 2 || many[1].Vendor != "B" {
		t.Fatalf("slice: %v %v", err, many)
	}
	if m, err := wrapper.Decode[map[string]any](obj); err != nil || m["vendor"] != "A" {
		t.Fatalf("map: %v", err)
	}
	if raw, err := wrapper.Decode[json.RawMessage](arr); err != nil || string(raw) != `[{"vendor":"A"},{"vendor":"B"}]` {
		t.Fatalf("raw: %v %s", err, raw)
	}
	if v, err := wrapper.Decode[any](obj); err != nil || v.(map[string]any)["vendor"] != "A" {
		t.Fatalf("any: %v", err)
	}
	pending := jobWithResult(t, `null`)
	pending.Status = wrapper.StatusRunning
	if _, err := wrapper.Decode[Invoice](pending); !errors.As(err, &se) || se.Got != "none" || !strings.Contains(err.Error(), "RUNNING") {
		t.Fatalf("no result: %v", err)
	}
	if _, err := wrapper.Decode[Invoice](nil); !errors.As(err, &se) {
		t.Fatalf("nil job: %v", err)
	}
	if _, err := wrapper.Decode[Invoice](jobWithResult(t, `{"total":"lots"}`)); err == nil || !strings.Contains(err.Error(), "Invoice") {
		t.Fatalf("type mismatch: %v", err)
	}
	if _, err := wrapper.Decode[Invoice](jobWithResult(t, `42`)); !errors.As(err, &se) || se.Got != "invalid" {
		t.Fatalf("a number: %v", err)
	}
}

// A Job survives a round trip through its JSON: a user can store one and
// read it back, or print it as the API would.
func TestJobJSONRoundTrip(t *testing.T) {
	in := `{"id":"ext-1","status":"FAILED","file_input":"dfl-1","configuration_id":"cfg-1","project_id":"prj-1","error_message":"too long",` +
		`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:01Z","extract_result":{"a":1},` +
		`"extract_metadata":{"parse_job_id":"pjb-9"},"metadata":{"usage":{"num_pages_extracted":3}},"usage":{"credits":15}}`
	var j wrapper.Job
	if err := json.Unmarshal([]byte(in), &j); err != nil {
		t.Fatal(err)
	}
	if j.ID != "ext-1" || j.Status != wrapper.StatusFailed || j.ConfigurationID != "cfg-1" || j.ErrorMessage != "too long" ||
		j.UpdatedAt.Sub(j.CreatedAt) != time.Second || j.Metadata().ParseJobID != "pjb-9" {
		t.Fatalf("decoded %+v", j)
	}
	if u := j.Usage(); u.Credits != 15 || u.PagesExtracted != 3 {
		t.Fatalf("usage %+v", u)
	}
	out, err := json.Marshal(&j)
	if err != nil {
		t.Fatal(err)
	}
	if byValue, _ := json.Marshal(j); string(byValue) != string(out) {
		t.Fatalf("a Job value encodes differently from a pointer:\n%s\n%s", byValue, out)
	}
	var back wrapper.Job
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&back)
	if string(again) != string(out) || !strings.Contains(string(out), `"extract_result":{"a":1}`) {
		t.Fatalf("round trip:\n%s\n%s", out, again)
	}
	g, err := j.Generated()
	if err != nil || g.Id != "ext-1" || g.ErrorMessage == nil || *g.ErrorMessage != "too long" {
		t.Fatalf("generated: %v %+v", err, g)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"vendor":"A","items":[{"amount":1}]}`, `[{"date":"x"}]`, `null`, `[`, `{"total":"1"}`, ` `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var job wrapper.Job
		if json.Unmarshal(append(append([]byte(`{"id":"ext-1","status":"COMPLETED","extract_result":`), raw...), '}'), &job) != nil {
			return
		}
		_, _ = wrapper.Decode[Invoice](&job)
		_, _ = wrapper.Decode[[]Txn](&job)
		_, _ = wrapper.Decode[any](&job)
		_ = job.Metadata()
		_ = job.Usage()
	})
}

func TestExtractPerDocPerPagePerTableRow(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	dir := t.TempDir()
	inv := filepath.Join(dir, "invoice.txt")
	os.WriteFile(inv, []byte(invoiceDoc), 0o600)
	st := filepath.Join(dir, "statement.txt")
	os.WriteFile(st, []byte(statementDoc), 0o600)

	got, job, err := wrapper.Extract[Invoice](ctx, c, inv, wrapper.ExtractConfig{CiteSources: true, ConfidenceScores: true}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if got.InvoiceNumber != "INV-2026-001" || got.Vendor != "Acme Corp" || got.Total != 1204.5 || got.Paid == nil || !*got.Paid ||
		len(got.Items) != 2 || got.Items[1].Description != "Shipping" || got.Items[1].Amount != 204.5 {
		t.Fatalf("per_doc: %+v", got)
	}
	md := job.Metadata()
	vendor, ok := md.Field("vendor")
	if !ok || len(vendor.Citations) != 1 || vendor.Citations[0].Page != 1 || vendor.Citations[0].MatchingText != "Acme Corp" || vendor.Confidence == nil {
		t.Fatalf("vendor metadata %+v", vendor)
	}
	if item, ok := md.Field("items[1].amount"); !ok || item.Citations[0].MatchingText != "204.50" || len(item.Citations[0].BoundingBoxes) != 1 {
		t.Fatalf("items[1].amount metadata %+v", item)
	}

	rows, _, err := wrapper.ExtractRows[Txn](ctx, c, st, wrapper.ExtractConfig{}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2].Description != "Rent" || rows[2].Amount != 900 || rows[0].Date != "2026-01-02" {
		t.Fatalf("per_table_row: %+v", rows)
	}

	type PageSummary struct {
		Vendor string `json:"vendor"`
		Terms  string `json:"terms,omitempty"`
	}
	pages, job, err := wrapper.ExtractRows[PageSummary](ctx, c, inv, wrapper.ExtractConfig{Target: wrapper.PerPage, CiteSources: true}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].Vendor != "Acme Corp" || pages[1].Terms != "net 30" {
		t.Fatalf("per_page: %+v", pages)
	}
	if f, ok := job.Metadata().PageField(1, "terms"); !ok || f.Citations[0].Page != 2 {
		t.Fatalf("page metadata %+v", f)
	}
}

func TestGetResult(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	file := srv.AddFile("st.txt", []byte(statementDoc))
	schema, _ := wrapper.SchemaFor[Txn]()
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: schema, Target: wrapper.PerTableRow, CiteSources: true}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	rows, got, err := wrapper.GetResult[[]Txn](ctx, c, job.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	if err != nil || len(rows) != 3 || rows[1].Description != "Books" || got.Status != wrapper.StatusCompleted {
		t.Fatalf("typed get: %v %+v", err, rows)
	}
	if f, ok := got.Metadata().RowField(1, "amount"); !ok || f.Citations[0].MatchingText != "42.00" {
		t.Fatalf("metadata still decoded: %+v", f)
	}
	var se *wrapper.ShapeError
	if _, _, err := wrapper.GetResult[Txn](ctx, c, job.ID); !errors.As(err, &se) || se.Got != "array" || se.Want != "object" {
		t.Fatalf("shape mismatch: %v", err)
	}
	slow := srv.AddFile("slow.txt", nil)
	srv.ScriptFile(slow, extracttest.Outcome{Steps: []extracttest.Step{{Status: "RUNNING", For: time.Hour}}})
	pending, _ := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: slow, Config: wrapper.ExtractConfig{Schema: schema}})
	if v, j, err := wrapper.GetResult[Txn](ctx, c, pending.ID); !errors.As(err, &se) || se.Got != "none" || v != (Txn{}) || j == nil || j.Status.Terminal() {
		t.Fatalf("no result yet: %v %+v", err, v)
	}
	failed := srv.AddFile("failed.txt", nil)
	srv.ScriptFile(failed, extracttest.Outcome{Error: "boom"})
	fj, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: failed, Config: wrapper.ExtractConfig{Schema: schema}}, fast)
	if !errors.Is(err, wrapper.ErrJobFailed) {
		t.Fatal(err)
	}
	if _, _, err := wrapper.GetResult[Txn](ctx, c, fj.ID); !errors.Is(err, wrapper.ErrJobFailed) {
		t.Fatalf("failed job: %v", err)
	}
	if _, _, err := wrapper.GetResult[Txn](ctx, c, "ext-nope"); !errors.Is(err, wrapper.ErrNotFound) {
		t.Fatalf("not found: %v", err)
	}
}

// ShapeError's Want and Got are typed values: a user switches on the
// constants, never on words copied from the documentation.
func TestShapeErrorWantAndGotAreShapes(t *testing.T) {
	advice := func(err error) string {
		var se *wrapper.ShapeError
		if !errors.As(err, &se) {
			return "not a shape error"
		}
		switch se.Got {
		case wrapper.ShapeObject:
			return "per_doc result: decode into a struct"
		case wrapper.ShapeArray:
			return "rows: decode into a slice"
		case wrapper.ShapeNone:
			return "no result yet: " + string(se.Status)
		case wrapper.ShapeInvalid:
			return "neither object nor array"
		}
		return "unknown shape " + se.Got.String()
	}
	pending := jobWithResult(t, `null`)
	pending.Status = wrapper.StatusRunning
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(wrapper.Decode[[]Invoice](jobWithResult(t, `{"vendor":"A"}`))), "per_doc result: decode into a struct"},
		{second(wrapper.Decode[Invoice](jobWithResult(t, `[{"vendor":"A"}]`))), "rows: decode into a slice"},
		{second(wrapper.Decode[Invoice](pending)), "no result yet: RUNNING"},
		{second(wrapper.Decode[Invoice](jobWithResult(t, `"text"`))), "neither object nor array"},
	} {
		if got := advice(tc.err); got != tc.want {
			t.Errorf("%v: advice %q, want %q", tc.err, got, tc.want)
		}
	}
	// A type that takes any shape asks for ShapeAny, and says so.
	_, err := wrapper.Decode[json.RawMessage](pending)
	var se *wrapper.ShapeError
	if !errors.As(err, &se) || se.Want != wrapper.ShapeAny || se.Got != wrapper.ShapeNone || !strings.Contains(err.Error(), "is none, want any") {
		t.Fatalf("raw of a pending job: %#v %v", se, err)
	}
	if _, err := wrapper.Decode[[]Invoice](nil); !errors.As(err, &se) || se.Want != wrapper.ShapeArray || se.Got != wrapper.ShapeNone {
		t.Fatalf("nil job: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func ExampleShapeError() {
	var job wrapper.Job
	_ = json.Unmarshal([]byte(`{"id":"ext-1","status":"COMPLETED","extract_result":{"vendor":"Acme"}}`), &job)
	_, err := wrapper.Decode[[]Invoice](&job)
	var se *wrapper.ShapeError
	if errors.As(err, &se) && se.Got == wrapper.ShapeObject {
		fmt.Println("a per_doc result: decode it into a struct")
	}
	// Output: a per_doc result: decode it into a struct
}
