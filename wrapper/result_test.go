package wrapper_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

func TestResultKind(t *testing.T) {
	cases := map[string]wrapper.ResultKind{
		``: wrapper.KindNone, `null`: wrapper.KindNone, ` {"a":1}`: wrapper.KindObject,
		"\n[{}]": wrapper.KindArray, `"x"`: wrapper.KindInvalid, `42`: wrapper.KindInvalid,
	}
	for raw, want := range cases {
		if got := wrapper.NewResult([]byte(raw)).Kind(); got != want {
			t.Errorf("%q: %v, want %v", raw, got, want)
		}
	}
}

func TestResultShapeErrors(t *testing.T) {
	obj := wrapper.NewResult([]byte(`{"vendor":"A"}`))
	arr := wrapper.NewResult([]byte(`[{"vendor":"A"},{"vendor":"B"}]`))
	var se *wrapper.ShapeError
	if _, err := wrapper.DecodeRows[Invoice](obj); !errors.As(err, &se) || se.Got != wrapper.KindObject || !strings.Contains(err.Error(), "DecodeResult") {
		t.Fatalf("rows of an object: %v", err)
	}
	if _, err := wrapper.DecodeResult[Invoice](arr); !errors.As(err, &se) || !strings.Contains(err.Error(), "is array, want object") {
		t.Fatalf("object of an array: %v", err)
	}
	var one Invoice
	if err := arr.Decode(&one); !errors.As(err, &se) {
		t.Fatalf("Decode struct from array: %v", err)
	}
	var many []Invoice
	if err := arr.Decode(&many); err != nil || len(many) != 2 || many[1].Vendor != "B" {
		t.Fatalf("Decode slice: %v %v", err, many)
	}
	if m, err := obj.Object(); err != nil || m["vendor"] != "A" {
		t.Fatalf("Object: %v", err)
	}
	if ms, err := arr.Objects(); err != nil || len(ms) != 2 {
		t.Fatalf("Objects: %v", err)
	}
	if _, err := wrapper.DecodeResult[Invoice](wrapper.Result{}); !errors.As(err, &se) || !strings.Contains(err.Error(), "COMPLETED") {
		t.Fatalf("no result: %v", err)
	}
	if _, err := wrapper.DecodeResult[Invoice](wrapper.NewResult([]byte(`{"total":"lots"}`))); err == nil || !strings.Contains(err.Error(), "Invoice") {
		t.Fatalf("type mismatch: %v", err)
	}
}

func FuzzResultDecode(f *testing.F) {
	for _, s := range []string{`{"vendor":"A","items":[{"amount":1}]}`, `[{"date":"x"}]`, `null`, `[`, `{"total":"1"}`, ` `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := wrapper.NewResult(raw)
		_ = r.Kind()
		_, _ = wrapper.DecodeResult[Invoice](r)
		_, _ = wrapper.DecodeRows[Txn](r)
		_, _ = r.Object()
		var v any
		_ = r.Decode(&v)
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

	got, job, err := wrapper.Extract[Invoice](ctx, c, inv, wrapper.ExtractOptions{Config: wrapper.ExtractConfig{CiteSources: true, ConfidenceScores: true}, Wait: []wrapper.WaitOption{fast}})
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

	rows, _, err := wrapper.ExtractRows[Txn](ctx, c, st, wrapper.ExtractOptions{Wait: []wrapper.WaitOption{fast}})
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
	pages, job, err := wrapper.ExtractRows[PageSummary](ctx, c, inv, wrapper.ExtractOptions{Config: wrapper.ExtractConfig{Target: wrapper.PerPage, CiteSources: true}, Wait: []wrapper.WaitOption{fast}})
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

func TestGetJobResult(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	file := srv.AddFile("st.txt", []byte(statementDoc))
	schema, _ := wrapper.SchemaFor[Txn]()
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: schema, Target: wrapper.PerTableRow, CiteSources: true}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	got, rows, err := wrapper.GetJobResult[[]Txn](ctx, c, job.Id, wrapper.ExpandExtractMetadata)
	if err != nil || len(rows) != 3 || rows[1].Description != "Books" || got.State() != wrapper.StatusCompleted {
		t.Fatalf("typed get: %v %+v", err, rows)
	}
	if f, ok := got.Metadata().RowField(1, "amount"); !ok || f.Citations[0].MatchingText != "42.00" {
		t.Fatalf("metadata still decoded: %+v", f)
	}
	var se *wrapper.ShapeError
	if _, _, err := wrapper.GetJobResult[Txn](ctx, c, job.Id); !errors.As(err, &se) || se.Got != wrapper.KindArray || se.Want != wrapper.KindObject {
		t.Fatalf("shape mismatch: %v", err)
	}
	slow := srv.AddFile("slow.txt", nil)
	srv.ScriptFile(slow, extracttest.Outcome{Steps: []extracttest.Step{{Status: "RUNNING", For: time.Hour}}})
	pending, _ := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: slow, Config: wrapper.ExtractConfig{Schema: schema}})
	if j, v, err := wrapper.GetJobResult[Txn](ctx, c, pending.Id); err != nil || v != (Txn{}) || j.State().Terminal() {
		t.Fatalf("no result yet: %v %+v", err, v)
	}
	if _, _, err := wrapper.GetJobResult[Txn](ctx, c, "ext-nope"); !errors.Is(err, wrapper.ErrNotFound) {
		t.Fatalf("not found: %v", err)
	}
}
