package wrapper_test

// This file is the "program a new user writes": it drives every exported
// operation of the package against the emulator, written from the godoc
// alone, and it must never need the generated package
// (TestNoGeneratedInUserCode holds it to that).

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

func TestSurface(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(10*time.Minute))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()),
		wrapper.WithClock(clock), wrapper.WithProjectID("prj-00000000-0000-0000-0000-000000000001"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.txt")
	if err := os.WriteFile(path, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}

	// Files.
	f, err := c.UploadFile(ctx, path, wrapper.WithExternalID("inv-1"))
	if err != nil || !strings.HasPrefix(f.ID, "dfl-") || f.Name != "invoice.txt" || f.ExternalID != "inv-1" || f.Purpose != wrapper.PurposeExtract {
		t.Fatalf("upload: %v %+v", err, f)
	}
	f2, err := c.Upload(ctx, "notes.txt", strings.NewReader("Vendor: X"), wrapper.WithPurpose(wrapper.PurposeUserData))
	if err != nil || f2.Purpose != wrapper.PurposeUserData {
		t.Fatalf("upload reader: %v %+v", err, f2)
	}
	if got, err := c.GetFile(ctx, f.ID); err != nil || got.ID != f.ID {
		t.Fatalf("get file: %v", err)
	}
	if url, expires, err := c.FileDownloadURL(ctx, f.ID); err != nil || url == "" || expires.IsZero() {
		t.Fatalf("download url: %v %q %v", err, url, expires)
	}
	if page, err := c.ListFiles(ctx, wrapper.FileFilter{PageSize: 1, OrderBy: wrapper.FileOrderName}); err != nil || len(page.Items) != 1 || page.Items[0].Name != "invoice.txt" || page.NextPageToken == "" {
		t.Fatalf("list files: %v %+v", err, page)
	}
	var names []string
	for file, err := range c.Files(ctx, wrapper.FileFilter{PageSize: 1, OrderBy: wrapper.FileOrderName}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, file.Name)
	}
	if strings.Join(names, ",") != "invoice.txt,notes.txt" {
		t.Fatalf("files: %v", names)
	}
	if _, err := c.UploadFile(ctx, filepath.Join(dir, "missing.pdf")); !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), "missing.pdf") != 1 {
		t.Fatalf("missing file: %v", err)
	}

	// Schemas and saved configurations.
	schema := wrapper.MustSchemaFor[Invoice]()
	if valid, err := c.ValidateSchema(ctx, schema); err != nil || valid.IsZero() {
		t.Fatalf("validate: %v", err)
	}
	draft, err := c.GenerateSchema(ctx, wrapper.GenerateSchemaRequest{Prompt: "invoice number and total"})
	if err != nil || draft.Name == "" || draft.Config.Schema.IsZero() {
		t.Fatalf("generate: %v %+v", err, draft)
	}
	cfg, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "invoices", Config: wrapper.ExtractConfig{Schema: schema, CiteSources: true}})
	if err != nil || !strings.HasPrefix(cfg.ID, "cfg-") || !cfg.Config.CiteSources {
		t.Fatalf("create config: %v %+v", err, cfg)
	}
	if got, err := c.GetConfiguration(ctx, cfg.ID); err != nil || got.Name != "invoices" {
		t.Fatalf("get config: %v", err)
	}
	if got, err := c.UpdateConfiguration(ctx, wrapper.SavedConfig{ID: cfg.ID, Name: "invoices-2"}); err != nil || got.Name != "invoices-2" || !got.Config.CiteSources {
		t.Fatalf("update config: %v %+v", err, got)
	}
	if page, err := c.ListConfigurations(ctx, wrapper.SavedConfigFilter{}); err != nil || len(page.Items) != 1 {
		t.Fatalf("list configs: %v", err)
	}
	for got, err := range c.Configurations(ctx, wrapper.SavedConfigFilter{Name: "invoices-2"}) {
		if err != nil || got.ID != cfg.ID {
			t.Fatalf("configurations: %v %+v", err, got)
		}
	}

	// Jobs, one operation at a time. The jobs take ten minutes of fake
	// time and finish in milliseconds of real time.
	start := time.Now()
	job, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: f.ID, Config: cfg,
		Webhooks: []wrapper.Webhook{{URL: "http://127.0.0.1:1/hook", Events: []wrapper.WebhookEvent{"extract.success"}}}})
	// PENDING lasts 5 ms: on a loaded machine the job may already run.
	if err != nil || (job.Status != wrapper.StatusPending && job.Status != wrapper.StatusRunning) || job.ConfigurationID != cfg.ID {
		t.Fatalf("create: %v %+v", err, job)
	}
	if got, err := c.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandUsage)); err != nil || got.ID != job.ID {
		t.Fatalf("get: %v", err)
	}
	if page, err := c.ListJobs(ctx, wrapper.JobFilter{FileInput: f.ID}); err != nil || len(page.Items) != 1 || page.NextPageToken != "" {
		t.Fatalf("list: %v %+v", err, page)
	}
	var seen []wrapper.Status
	done, err := c.Wait(ctx, job.ID, wrapper.OnStatus(func(j *wrapper.Job) { seen = append(seen, j.Status) }),
		wrapper.WithSchedule(wrapper.LinearSchedule{First: time.Second, Step: time.Second, Max: 5 * time.Second}))
	if err != nil || done.Status != wrapper.StatusCompleted || len(seen) < 100 {
		t.Fatalf("wait: %v, %d checks", err, len(seen))
	}
	inv, err := wrapper.Decode[Invoice](done)
	if err != nil || inv.Vendor != "Acme Corp" {
		t.Fatalf("decode: %v %+v", err, inv)
	}
	again, _, err := wrapper.GetResult[Invoice](ctx, c, job.ID)
	if err != nil || again.InvoiceNumber != inv.InvoiceNumber {
		t.Fatalf("get result: %v", err)
	}
	ran, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: f.ID, Config: wrapper.ExtractConfig{Schema: schema}}, wrapper.WithSchedule(wrapper.FixedSchedule(30*time.Second)))
	if err != nil || ran.Status != wrapper.StatusCompleted {
		t.Fatalf("run: %v", err)
	}
	n := 0
	for j, err := range c.Jobs(ctx, wrapper.JobFilter{Status: wrapper.StatusCompleted, PageSize: 1}) {
		if err != nil || j.Status != wrapper.StatusCompleted {
			t.Fatalf("jobs: %v", err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d completed jobs", n)
	}
	if err := c.DeleteJob(ctx, job.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	running, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: f.ID, Config: wrapper.ExtractConfig{Schema: schema}})
	if err != nil {
		t.Fatal(err)
	}
	if cancelled, err := c.CancelJob(ctx, running.ID); err != nil || cancelled.Status != wrapper.StatusCancelled {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := c.CancelJob(ctx, running.ID); !errors.Is(err, wrapper.ErrBadRequest) {
		t.Fatalf("cancel twice: %v", err)
	}

	// The one-call paths, inline and saved, one value and rows.
	one, j1, err := wrapper.Extract[Invoice](ctx, c, path, wrapper.ExtractConfig{ConfidenceScores: true})
	if err != nil || one.InvoiceNumber != "INV-2026-001" || j1.Status != wrapper.StatusCompleted {
		t.Fatalf("extract: %v %+v", err, one)
	}
	if fm, ok := j1.Metadata().Field("vendor"); !ok || fm.Confidence == nil {
		t.Fatalf("metadata: %+v", fm)
	}
	if _, _, err := wrapper.Extract[Invoice](ctx, c, f.ID, (*wrapper.ExtractConfig)(nil)); err != nil {
		t.Fatalf("a nil *ExtractConfig means the defaults: %v", err)
	}
	saved, _, err := wrapper.Extract[Invoice](ctx, c, f.ID, cfg)
	if err != nil || saved.Vendor != "Acme Corp" {
		t.Fatalf("extract saved: %v", err)
	}
	st := srv.AddFile("statement.txt", []byte(statementDoc))
	rows, _, err := wrapper.ExtractRows[Txn](ctx, c, st, wrapper.ExtractConfig{})
	if err != nil || len(rows) != 3 {
		t.Fatalf("extract rows: %v %+v", err, rows)
	}
	rowCfg, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "txns", Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Txn](), Target: wrapper.PerTableRow}})
	if err != nil {
		t.Fatal(err)
	}
	if rows, _, err := wrapper.ExtractRows[Txn](ctx, c, st, rowCfg); err != nil || len(rows) != 3 {
		t.Fatalf("extract rows saved: %v", err)
	}
	for r, err := range batch.ExtractAll[Invoice](ctx, c, []string{path, f.ID}, cfg, batch.WithConcurrency(2)) {
		if err != nil || r.Value.Vendor != "Acme Corp" {
			t.Fatalf("extract all %s: %v", r.Input, err)
		}
	}
	for r, err := range batch.RunAll(ctx, c, []wrapper.CreateJobRequest{{FileInput: f.ID, Config: cfg}}) {
		if err != nil || r.Job.Status != wrapper.StatusCompleted {
			t.Fatalf("run all: %+v %v", r, err)
		}
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("the fake clock did not carry the waits: %v of real time", took)
	}

	// Cleanup.
	if err := c.DeleteConfiguration(ctx, cfg.ID); err != nil {
		t.Fatalf("delete config: %v", err)
	}
	if err := c.DeleteFile(ctx, f2.ID); err != nil {
		t.Fatalf("delete file: %v", err)
	}
	if n := len(srv.Stats().Requests); n != 17 { // all but the deprecated QueryFiles
		t.Fatalf("drove %d operations: %v", n, srv.Stats().Requests)
	}
}
