package wrapper_test

// Scenarios a new user writes from the README and go doc alone: each one is
// what someone adopting the client does in their first week, run against the
// emulator. None imports the generated package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"iter"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
	"github.com/extract-go/llamaextract/wrapper/webhook"
)

type nuInvoice struct {
	Number string  `json:"invoice_number" jsonschema:"description=The invoice's identifier"`
	Vendor string  `json:"vendor"`
	Total  float64 `json:"total"`
	Due    *string `json:"due_date"`
}

type nuTxn struct {
	Date   string  `json:"date"`
	Desc   string  `json:"description"`
	Amount float64 `json:"amount"`
}

type nuPage struct {
	Title string `json:"title"`
}

const nuInvoiceText = "Invoice Number: INV-7\nVendor: Acme\nTotal: $1,204.50\n"

// nuEnv is the setup the README's testing section shows: one auto-advancing
// clock for the emulator and the client.
func nuEnv(t *testing.T, srvOpts []extracttest.Option, opts ...wrapper.Option) (*extracttest.Server, *wrapper.Client, *extracttest.FakeClock) {
	t.Helper()
	clock := extracttest.NewFakeClock(time.Now())
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, append([]extracttest.Option{extracttest.WithClock(clock)}, srvOpts...)...)
	opts = append([]wrapper.Option{wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock)}, opts...)
	client, err := wrapper.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, client, clock
}

func nuWrite(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Scenario 1: an invoice on disk into a struct, with citations.
func TestNewUserInvoiceWithCitations(t *testing.T) {
	_, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	path := nuWrite(t, "invoice.txt", nuInvoiceText)
	inv, job, err := wrapper.Extract[nuInvoice](ctx, client, path, wrapper.ExtractConfig{CiteSources: true})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Number != "INV-7" || inv.Vendor != "Acme" || inv.Total != 1204.5 {
		t.Fatalf("invoice = %+v", inv)
	}
	if job.Status != wrapper.StatusCompleted {
		t.Fatalf("status %s", job.Status)
	}
	cite, ok := job.Metadata().Field("total")
	if !ok || len(cite.Citations) == 0 || cite.Citations[0].Page != 1 || !strings.Contains(cite.Citations[0].MatchingText, "1,204.50") {
		t.Fatalf("citation of total = %+v, %v", cite, ok)
	}
}

// Scenario 2: a statement's table into rows.
func TestNewUserStatementRows(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	file := srv.AddFile("statement.txt", []byte("Statement\n| Date | Description | Amount |\n|---|---|---|\n| 2026-01-02 | Coffee | 3.50 |\n| 2026-01-03 | Rent | 1200 |\n"))
	rows, job, err := wrapper.ExtractRows[nuTxn](context.Background(), client, file, wrapper.ExtractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Desc != "Coffee" || rows[1].Amount != 1200 {
		t.Fatalf("rows = %+v", rows)
	}
	if job.ID == "" {
		t.Fatal("no job")
	}
}

// Scenario 3: per_page, pages split at form feeds.
func TestNewUserPerPage(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	file := srv.AddFile("report.txt", []byte("Title: One\n\fTitle: Two\n\fTitle: Three\n"))
	pages, job, err := wrapper.ExtractRows[nuPage](context.Background(), client, file, wrapper.ExtractConfig{Target: wrapper.PerPage, CiteSources: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || pages[0].Title != "One" || pages[2].Title != "Three" {
		t.Fatalf("pages = %+v", pages)
	}
	if md := job.Metadata(); md.Pages() != 3 {
		t.Fatalf("metadata pages = %d", md.Pages())
	} else if f, ok := md.PageField(1, "title"); !ok || len(f.Citations) == 0 || f.Citations[0].Page != 2 {
		t.Fatalf("page 2 title metadata = %+v, %v", f, ok)
	}
}

// Scenario 4: a saved configuration's whole life: create, extract with it,
// update, list, delete.
func TestNewUserSavedConfigLifecycle(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	schema, err := wrapper.SchemaFor[nuInvoice]()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := client.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "invoices", Config: wrapper.ExtractConfig{Schema: schema, CiteSources: true}})
	if err != nil {
		t.Fatal(err)
	}
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	inv, job, err := wrapper.Extract[nuInvoice](ctx, client, file, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Vendor != "Acme" || job.ConfigurationID != cfg.ID {
		t.Fatalf("inv %+v, job config %q", inv, job.ConfigurationID)
	}
	if _, ok := job.Metadata().Field("vendor"); !ok {
		t.Fatal("saved CiteSources did not bring metadata back")
	}
	upd, err := client.UpdateConfiguration(ctx, wrapper.SavedConfig{ID: cfg.ID, Name: "invoices-v2"})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Name != "invoices-v2" || !upd.Config.CiteSources {
		t.Fatalf("updated = %+v", upd)
	}
	var names []string
	for c, err := range client.Configurations(ctx, wrapper.SavedConfigFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Name)
	}
	if len(names) != 1 || names[0] != "invoices-v2" {
		t.Fatalf("configurations = %v", names)
	}
	if err := client.DeleteConfiguration(ctx, cfg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetConfiguration(ctx, cfg.ID); !errors.Is(err, wrapper.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}

// Scenario 5: generate a schema from a prompt, run it inline, then save it.
func TestNewUserGenerateSchema(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	draft, err := client.GenerateSchema(ctx, wrapper.GenerateSchemaRequest{Prompt: "invoice number, vendor and total"})
	if err != nil {
		t.Fatal(err)
	}
	if draft.Config.Schema.IsZero() {
		t.Fatal("draft has no schema")
	}
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	got, _, err := wrapper.Extract[map[string]any](ctx, client, file, draft.Config)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("empty result")
	}
	saved, err := client.CreateConfiguration(ctx, *draft)
	if err != nil || saved.ID == "" {
		t.Fatalf("save draft: %v", err)
	}
}

// Scenario 6: upload with a purpose and an external ID, find it again.
func TestNewUserUploadWithPurposeAndExternalID(t *testing.T) {
	_, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	path := nuWrite(t, "a.txt", nuInvoiceText)
	f, err := client.UploadFile(ctx, path, wrapper.WithPurpose(wrapper.PurposeUserData), wrapper.WithExternalID("crm-42"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Purpose != wrapper.PurposeUserData || f.ExternalID != "crm-42" || f.Name != "a.txt" {
		t.Fatalf("file = %+v", f)
	}
	got, err := client.GetFile(ctx, f.ID)
	if err != nil || got.ExternalID != "crm-42" {
		t.Fatalf("get: %+v %v", got, err)
	}
	var found []string
	for f, err := range client.Files(ctx, wrapper.FileFilter{ExternalID: "crm-42"}) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, f.ID)
	}
	if len(found) != 1 || found[0] != f.ID {
		t.Fatalf("found %v", found)
	}
}

// Scenario 7: an unknown purpose is refused before sending.
func TestNewUserUploadBadPurpose(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	_, err := client.Upload(context.Background(), "x.txt", strings.NewReader("x"), wrapper.WithPurpose("bogus"))
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidRequest) || ve.Field == "" {
		t.Fatalf("err = %v", err)
	}
	if srv.Stats().Requests[extracttest.OpUploadFile] != 0 {
		t.Fatal("bad purpose was sent")
	}
}

// Scenario 8: list files with filters, page by hand and by iterator.
func TestNewUserListFilesPaging(t *testing.T) {
	_, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	for _, n := range []string{"c.txt", "a.txt", "b.txt", "d.txt", "e.txt"} {
		if _, err := client.Upload(ctx, n, strings.NewReader("Total: 1\n")); err != nil {
			t.Fatal(err)
		}
	}
	var byHand []string
	f := wrapper.FileFilter{OrderBy: wrapper.FileOrderName, PageSize: 2}
	for {
		page, err := client.ListFiles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range page.Items {
			byHand = append(byHand, file.Name)
		}
		if page.NextPageToken == "" {
			break
		}
		f.PageToken = page.NextPageToken
	}
	if strings.Join(byHand, ",") != "a.txt,b.txt,c.txt,d.txt,e.txt" {
		t.Fatalf("by hand: %v", byHand)
	}
	n := 0
	for _, err := range client.Files(ctx, wrapper.FileFilter{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("iterated %d files", n)
	}
	n = 0
	for _, err := range client.Files(ctx, wrapper.FileFilter{Name: "b.txt"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("by name: %d", n)
	}
}

// Scenario 9: a download URL for a file's bytes.
func TestNewUserDownloadURL(t *testing.T) {
	srv, client, clock := nuEnv(t, nil)
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	u, expires, err := client.FileDownloadURL(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	if u == "" || !expires.After(clock.Now()) {
		t.Fatalf("url %q expires %v (now %v)", u, expires, clock.Now())
	}
}

// Scenario 10: a job with a webhook, received by webhook.Handler.
func TestNewUserWebhooks(t *testing.T) {
	var mu sync.Mutex
	var events []webhook.Event
	arrived := make(chan struct{})
	h, err := webhook.Handler("s3cret", func(_ context.Context, e webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		if e.Name == wrapper.EventExtractSuccess {
			close(arrived)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recv := httptest.NewServer(h)
	defer recv.Close()
	srv, client, _ := nuEnv(t, nil)
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	schema := wrapper.MustSchemaFor[nuInvoice]()
	job, err := client.Run(context.Background(), wrapper.CreateJobRequest{
		FileInput: file,
		Config:    wrapper.ExtractConfig{Schema: schema},
		Webhooks:  []wrapper.Webhook{{URL: recv.URL, Events: []wrapper.WebhookEvent{wrapper.EventExtractSuccess}, SigningSecret: "s3cret"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Deliveries go out from the emulator's own goroutine (extracttest's
	// package comment): wait for the one expected, bounded.
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 1 || events[0].Name != wrapper.EventExtractSuccess || events[0].JobID != job.ID {
		t.Fatalf("events = %+v (stats %+v)", events, srv.Stats())
	}
}

// Scenario 11: wait with progress reporting and a timeout.
func TestNewUserWaitProgressAndTimeout(t *testing.T) {
	srv, client, _ := nuEnv(t, []extracttest.Option{extracttest.WithJobDuration(10 * time.Minute)})
	ctx := context.Background()
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	job, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []wrapper.Status
	_, err = client.Wait(ctx, job.ID, wrapper.OnStatus(func(j *wrapper.Job) { seen = append(seen, j.Status) }), wrapper.WithWaitTimeout(30*time.Second))
	if !errors.Is(err, wrapper.ErrWaitTimeout) {
		t.Fatalf("err = %v", err)
	}
	if len(seen) == 0 {
		t.Fatal("no progress reported")
	}
	// The job was left running (no WithCancelOnDone): wait again without a bound.
	done, err := client.Wait(ctx, job.ID, wrapper.WithSchedule(wrapper.FixedSchedule(time.Minute)))
	if err != nil || done.Status != wrapper.StatusCompleted {
		t.Fatalf("second wait: %v %v", done, err)
	}
}

// Scenario 12: cancel the remote job when the wait gives up.
func TestNewUserCancelOnDone(t *testing.T) {
	srv, client, _ := nuEnv(t, []extracttest.Option{extracttest.WithJobDuration(time.Hour)})
	ctx := context.Background()
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	_, job, err := wrapper.Extract[nuInvoice](ctx, client, file, wrapper.ExtractConfig{}, wrapper.WithWaitTimeout(time.Minute), wrapper.WithCancelOnDone())
	if !errors.Is(err, wrapper.ErrWaitTimeout) {
		t.Fatalf("err = %v", err)
	}
	if job == nil {
		t.Fatal("Extract returned no job with its error")
	}
	got, err := client.GetJob(ctx, job.ID)
	if err != nil || got.Status != wrapper.StatusCancelled {
		t.Fatalf("remote job: %+v %v", got, err)
	}
}

// Scenario 14: a ten-minute job under FakeClock auto-advance.
func TestNewUserTenMinuteJobFast(t *testing.T) {
	srv, client, clock := nuEnv(t, []extracttest.Option{extracttest.WithJobDuration(10 * time.Minute)})
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	startFake := clock.Now()
	start := time.Now()
	inv, _, err := wrapper.Extract[nuInvoice](context.Background(), client, file, wrapper.ExtractConfig{})
	real := time.Since(start)
	if err != nil || inv.Vendor != "Acme" {
		t.Fatalf("%+v %v", inv, err)
	}
	if fake := clock.Now().Sub(startFake); fake < 10*time.Minute {
		t.Fatalf("fake time moved only %v", fake)
	}
	if real > 5*time.Second { // a sanity bound, not a timing claim
		t.Fatalf("took %v of real time", real)
	}
}

// Scenario 15: every typed error of a call that reached the server.
func TestNewUserAPIErrors(t *testing.T) {
	srv, client, _ := nuEnv(t, nil, wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	ctx := context.Background()
	_, err := client.GetJob(ctx, "ext-missing")
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || !errors.Is(err, wrapper.ErrNotFound) || ae.Operation != extracttest.OpGetExtractJob {
		t.Fatalf("404: %v", err)
	}
	cases := []struct {
		status int
		want   error
	}{{429, wrapper.ErrRateLimited}, {503, wrapper.ErrServer}, {403, wrapper.ErrForbidden}, {409, wrapper.ErrConflict}, {402, wrapper.ErrPaymentRequired}}
	for _, c := range cases {
		remove := srv.InjectFault(extracttest.Fault{Operation: extracttest.OpListExtractJobs, Kind: extracttest.FaultStatus, Status: c.status, Times: 1})
		_, err := client.ListJobs(ctx, wrapper.JobFilter{})
		remove()
		if !errors.Is(err, c.want) || !strings.HasPrefix(err.Error(), "llamaextract: ") {
			t.Fatalf("%d: %v", c.status, err)
		}
	}
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpValidateExtractSchema, Kind: extracttest.FaultDrop, Times: 1})
	var ce *wrapper.ConnectionError
	if _, err := client.ValidateSchema(ctx, wrapper.MustSchemaFor[nuInvoice]()); !errors.As(err, &ce) {
		t.Fatalf("drop: %v", err)
	}
	// A GET dropped once on a kept-alive connection is resent by net/http
	// itself (FaultDrop's doc); dropped twice, the client sees it.
	if _, err := client.ListFiles(ctx, wrapper.FileFilter{}); err != nil { // a kept-alive connection
		t.Fatal(err)
	}
	remove := srv.InjectFault(extracttest.Fault{Operation: extracttest.OpGetFile, Kind: extracttest.FaultDrop, Times: 2})
	if _, err := client.GetFile(ctx, "dfl-x"); !errors.As(err, &ce) {
		t.Fatalf("drop GET twice: %v", err)
	}
	if n := srv.Stats().Requests[extracttest.OpGetFile]; n != 2 {
		t.Fatalf("a GET dropped on a kept-alive connection reached the server %d times, FaultDrop's doc says 2", n)
	}
	remove()
	id := srv.AddFile("x.txt", []byte("x"))
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpGetFile, Kind: extracttest.FaultTruncate, Times: 1})
	var ie *wrapper.InvalidResponseError
	if _, err := client.GetFile(ctx, id); !errors.As(err, &ie) || !errors.Is(err, wrapper.ErrInvalidResponse) {
		t.Fatalf("truncate: %v", err)
	}
}

// Scenario 16: a wrong key is a 401 that says so.
func TestNewUserUnauthorized(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithAPIKey("right"))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListJobs(context.Background(), wrapper.JobFilter{})
	if !errors.Is(err, wrapper.ErrUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("err = %v", err)
	}
}

// Scenario 17: errors before any request: bad configuration, missing file,
// no key, bad base URLs.
func TestNewUserErrorsBeforeSending(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	_, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1"})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || ve.Field == "" || !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("no config: %v", err)
	}
	_, err = client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "invoice.pdf", Config: wrapper.SavedConfig{ID: "cfg-1"}})
	if !errors.As(err, &ve) {
		t.Fatalf("path as FileInput: %v", err)
	}
	_, _, err = wrapper.Extract[nuInvoice](ctx, client, filepath.Join(t.TempDir(), "nope.pdf"), wrapper.ExtractConfig{})
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if n := srv.Stats().Requests[extracttest.OpCreateExtractJob]; n != 0 {
		t.Fatalf("%d creates were sent", n)
	}
	t.Setenv(wrapper.EnvAPIKey, "")
	t.Setenv(wrapper.EnvParseAPIKey, "")
	if _, err := wrapper.New(); !errors.Is(err, wrapper.ErrNoAPIKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithBaseURL("http://example.com")); !errors.Is(err, wrapper.ErrInsecureBaseURL) {
		t.Fatalf("insecure: %v", err)
	}
	if _, err := wrapper.New(wrapper.WithAPIKey("k"), wrapper.WithBaseURL("::not a url")); !errors.Is(err, wrapper.ErrInvalidBaseURL) {
		t.Fatalf("invalid: %v", err)
	}
}

// Scenario 18: a 422 from the emulator, read as typed issues. (An unknown
// JobFilter.Status never gets that far: it is a *ValidationError.)
func TestNewUser422(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	_, err := client.ListJobs(context.Background(), wrapper.JobFilter{Status: wrapper.Status("DONE")})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || ve.Field == "" {
		t.Fatalf("unknown status filter: %v", err)
	}
	_, err = client.CreateJob(context.Background(), wrapper.CreateJobRequest{
		FileInput: srv.AddFile("a.txt", nil),
		Config:    wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()},
		Webhooks:  []wrapper.Webhook{{URL: "https://example.invalid/hook", Events: []wrapper.WebhookEvent{"extract.done"}}},
	})
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || !errors.Is(err, wrapper.ErrUnprocessable) {
		t.Fatalf("err = %v", err)
	}
	if len(ae.Issues) == 0 || ae.Issues[0].In != "body" || ae.Issues[0].Path != "webhook_configurations[0].webhook_events[0]" {
		t.Fatalf("issues = %+v", ae.Issues)
	}
}

// Scenario 19: a failed and a cancelled job are *JobError with their sentinel.
func TestNewUserJobErrors(t *testing.T) {
	srv, client, _ := nuEnv(t, []extracttest.Option{extracttest.WithJobDuration(time.Hour)})
	ctx := context.Background()
	bad := srv.AddFile("big.txt", nil)
	srv.ScriptFile(bad, extracttest.Outcome{Error: "The response was too long to be processed"})
	_, job, err := wrapper.Extract[nuInvoice](ctx, client, bad, wrapper.ExtractConfig{})
	var je *wrapper.JobError
	if !errors.As(err, &je) || !errors.Is(err, wrapper.ErrJobFailed) || job == nil || job.Status != wrapper.StatusFailed {
		t.Fatalf("failed: %v %v", job, err)
	}
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	created, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := client.CancelJob(ctx, created.ID); err != nil || c.Status != wrapper.StatusCancelled {
		t.Fatalf("cancel: %v %v", c, err)
	}
	if _, err := client.Wait(ctx, created.ID); !errors.Is(err, wrapper.ErrJobCancelled) {
		t.Fatalf("wait cancelled: %v", err)
	}
	if _, err := client.CancelJob(ctx, created.ID); !errors.Is(err, wrapper.ErrBadRequest) {
		t.Fatalf("cancel twice: %v", err)
	}
}

// Scenario 20: a job fixture from JSON, decoded; the wrong shape is a ShapeError.
func TestNewUserJobFixture(t *testing.T) {
	fixture := `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p",
	  "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:05Z",
	  "extract_result":{"invoice_number":"INV-9","vendor":"Fixture Co","total":9.5,"due_date":null}}`
	var job wrapper.Job
	if err := json.Unmarshal([]byte(fixture), &job); err != nil {
		t.Fatal(err)
	}
	inv, err := wrapper.Decode[nuInvoice](&job)
	if err != nil || inv.Vendor != "Fixture Co" || inv.Due != nil {
		t.Fatalf("%+v %v", inv, err)
	}
	_, err = wrapper.Decode[[]nuTxn](&job)
	var se *wrapper.ShapeError
	if !errors.As(err, &se) || se.Want != "array" || se.Got != "object" {
		t.Fatalf("shape: %v", err)
	}
	// Stored and read back, it is the same job.
	b, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	var again wrapper.Job
	if err := json.Unmarshal(b, &again); err != nil || again.ID != "ext-1" || !again.UpdatedAt.Equal(job.UpdatedAt) {
		t.Fatalf("round trip: %+v %v", again, err)
	}
	if inv2, err := wrapper.Decode[nuInvoice](&again); err != nil || inv2 != inv {
		t.Fatalf("decode after round trip: %+v %v", inv2, err)
	}
}

// Scenario 21: create, run, then fetch the result by ID later.
func TestNewUserRunThenGetResult(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	job, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice](), ConfidenceScores: true}})
	if err != nil {
		t.Fatal(err)
	}
	inv, got, err := wrapper.GetResult[nuInvoice](ctx, client, job.ID, wrapper.WithExpand(wrapper.ExpandExtractMetadata, wrapper.ExpandUsage))
	if err != nil || inv.Number != "INV-7" || got.ID != job.ID {
		t.Fatalf("%+v %v", inv, err)
	}
	if f, ok := got.Metadata().Field("vendor"); !ok || f.Confidence == nil || *f.Confidence <= 0 {
		t.Fatalf("confidence: %+v %v", f, ok)
	}
	_ = got.Usage() // must not panic on whatever the emulator sent
	raw, err := wrapper.Decode[json.RawMessage](job)
	if err != nil || !bytes.Contains(raw, []byte("INV-7")) {
		t.Fatalf("raw: %s %v", raw, err)
	}
}

// Scenario 22: list jobs with a filter, by iterator and page by page.
func TestNewUserJobsFiltered(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	good := srv.AddFile("good.txt", []byte(nuInvoiceText))
	bad := srv.AddFile("bad.txt", []byte(nuInvoiceText))
	srv.ScriptFile(bad, extracttest.Outcome{Error: "nope"})
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}
	for range 3 {
		if _, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: good, Config: cfg}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: bad, Config: cfg}); !errors.Is(err, wrapper.ErrJobFailed) {
			t.Fatal(err)
		}
	}
	n := 0
	for job, err := range client.Jobs(ctx, wrapper.JobFilter{Status: wrapper.StatusFailed, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if job.ErrorMessage != "nope" || job.FileInput != bad {
			t.Fatalf("job %+v", job)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d failed jobs", n)
	}
	page, err := client.ListJobs(ctx, wrapper.JobFilter{FileInput: good, PageSize: 2})
	if err != nil || len(page.Items) != 2 || page.NextPageToken == "" {
		t.Fatalf("page: %+v %v", page, err)
	}
	next, err := client.ListJobs(ctx, wrapper.JobFilter{FileInput: good, PageSize: 2, PageToken: page.NextPageToken})
	if err != nil || len(next.Items) != 1 || next.NextPageToken != "" {
		t.Fatalf("next: %+v %v", next, err)
	}
}

// Scenario 23: a 429 with Retry-After is retried on the fake clock.
func TestNewUserRetryOn429(t *testing.T) {
	srv, client, clock := nuEnv(t, nil)
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpGetExtractJob, Kind: extracttest.FaultStatus, Status: 429, RetryAfter: "7", Times: 1})
	before := clock.Now()
	_, _, err := wrapper.Extract[nuInvoice](context.Background(), client, file, wrapper.ExtractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.FaultsInjected != 1 {
		t.Fatalf("stats %+v", st)
	}
	if clock.Now().Sub(before) < 7*time.Second {
		t.Fatal("Retry-After was not honoured")
	}
}

// Scenario 24: a manual clock: the test decides when time passes.
func TestNewUserManualClock(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(time.Minute))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("t"), wrapper.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	type out struct {
		inv nuInvoice
		err error
	}
	done := make(chan out, 1)
	go func() {
		inv, _, err := wrapper.Extract[nuInvoice](context.Background(), client, file, wrapper.ExtractConfig{}, wrapper.WithSchedule(wrapper.FixedSchedule(20*time.Second)))
		done <- out{inv, err}
	}()
	for {
		select {
		case o := <-done:
			if o.err != nil || o.inv.Vendor != "Acme" {
				t.Fatalf("%+v %v", o, o.err)
			}
			return
		default:
		}
		if clock.Waiters() > 0 {
			clock.Advance(20 * time.Second)
		} else {
			// Let the client reach its next wait; no time is faked here.
			select {
			case o := <-done:
				done <- o
			case <-time.After(time.Millisecond):
			}
		}
	}
}

// Scenario 25: delete a job, then it is gone.
func TestNewUserDeleteJob(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	_, job, err := wrapper.Extract[nuInvoice](ctx, client, file, wrapper.ExtractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.DeleteJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetJob(ctx, job.ID); !errors.Is(err, wrapper.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := client.DeleteFile(ctx, file); err != nil {
		t.Fatal(err)
	}
}

// Scenario 26: a parse job as input, and a schema from JSON validated by the service.
func TestNewUserParseJobAndSchemaJSON(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	s, err := wrapper.SchemaFromJSON([]byte(`{"type":"object","properties":{"total":{"type":"number"}},"required":["total"]}`))
	if err != nil {
		t.Fatal(err)
	}
	norm, err := client.ValidateSchema(ctx, s)
	if err != nil || norm.IsZero() {
		t.Fatalf("validate: %v", err)
	}
	pjb := srv.AddParseJob()
	got, job, err := wrapper.Extract[map[string]float64](ctx, client, pjb, wrapper.ExtractConfig{Schema: norm, Tier: wrapper.TierAgentic})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["total"]; !ok || job.FileInput != pjb {
		t.Fatalf("%v %+v", got, job)
	}
	if _, err := wrapper.SchemaFromJSON([]byte(`{"type":"array"}`)); !errors.Is(err, wrapper.ErrInvalidRequest) {
		t.Fatalf("array root: %v", err)
	}
}

// Scenario 27: a lost create answer on a file ID passed by hand is reported,
// not guessed; the same on a file the call owns is adopted.
func TestNewUserAmbiguousCreate(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}
	shared := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpCreateExtractJob, Kind: extracttest.FaultDropAfter, Times: 1})
	_, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: shared, Config: cfg})
	var amb *wrapper.AmbiguousCreateError
	if !errors.As(err, &amb) || !errors.Is(err, wrapper.ErrAmbiguousCreate) || len(amb.Candidates) != 1 {
		t.Fatalf("shared: %v", err)
	}
	owned := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpCreateExtractJob, Kind: extracttest.FaultDropAfter, Times: 1})
	job, err := client.Run(ctx, wrapper.CreateJobRequest{FileInput: owned, Config: cfg, OwnsFile: true})
	if err != nil || srv.JobsCreatedFor(owned) != 1 {
		t.Fatalf("owned: %v, %d jobs", err, srv.JobsCreatedFor(owned))
	}
	inv, err := wrapper.Decode[nuInvoice](job)
	if err != nil || inv.Vendor != "Acme" {
		t.Fatalf("owned: %v, %d jobs", err, srv.JobsCreatedFor(owned))
	}
}

// Scenario 29: a custom header and a logger see every request, never the key.
func TestNewUserLoggerAndHeader(t *testing.T) {
	var got http.Header
	var mu sync.Mutex
	srv := extracttest.NewTestServer(t)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	var logs bytes.Buffer
	client, err := wrapper.New(wrapper.WithBaseURL(proxy.URL), wrapper.WithAPIKey("llx-secretkey-123456"),
		wrapper.WithHeader("X-Team", "billing"), wrapper.WithUserAgent("myapp/1.0"), wrapper.WithLogger(nuLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListFiles(context.Background(), wrapper.FileFilter{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.Get("X-Team") != "billing" || !strings.Contains(got.Get("User-Agent"), "myapp/1.0") {
		t.Fatalf("headers %v", got)
	}
	if logs.Len() == 0 || strings.Contains(logs.String(), "secretkey") {
		t.Fatalf("logs: %q", logs.String())
	}
	_, _ = io.Copy(io.Discard, &logs)
}

func nuLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// The README's snippets, pasted as written (only the surrounding names they
// assume are declared), so that they keep compiling and, where they can, run.

func readmeQuickstart(ctx context.Context) error {
	client, err := wrapper.New() // LLAMA_CLOUD_API_KEY from the environment
	if err != nil {
		return err
	}
	inv, job, err := wrapper.Extract[Invoice](ctx, client, "invoice.pdf", wrapper.ExtractConfig{CiteSources: true})
	if err != nil {
		return err
	} // *wrapper.JobError if the job FAILED
	cite, _ := job.Metadata().Field("total") // cite.Citations[0].Page, .MatchingText
	_, _ = inv, cite                         // (the README goes on to use them)

	// The same from a configuration saved once (CreateConfiguration) and run by ID:
	inv, job, err = wrapper.Extract[Invoice](ctx, client, "invoice.pdf", wrapper.SavedConfig{ID: "cfg-..."})
	_, _ = inv, job
	return err
}

func readmeManyDocuments(ctx context.Context, client *wrapper.Client, paths iter.Seq[string], secret string, store func(string, Invoice), enqueue func(string) error) error {
	x, err := batch.New[Invoice](client, wrapper.ExtractConfig{CiteSources: true}, batch.WithState("invoices.state"))
	if err != nil {
		return err
	}
	defer x.Close()
	for item, err := range x.Run(ctx, paths) { // paths: an iter.Seq[string], e.g. a directory walk
		if errors.Is(err, batch.ErrStopped) {
			return err // *batch.StoppedError lists the inputs not done; run again to resume
		}
		if err != nil {
			log.Printf("%s: %v", item.Input, err)
			continue
		}
		store(item.Input, item.Value) // recorded as done when the loop body returns
	}

	hook, err := webhook.Handler(secret, func(ctx context.Context, e webhook.Event) error {
		return enqueue(e.JobID) // e.Name: extract.success, extract.error, ...; verified LC-Signature
	}) // an empty secret is an error here, never a handler that checks nothing
	if err != nil {
		return err
	}
	http.NewServeMux().Handle("/hooks", hook)
	return nil
}

func TestREADMESnippets(t *testing.T) {
	t.Setenv(wrapper.EnvAPIKey, "")
	t.Setenv(wrapper.EnvParseAPIKey, "")
	if err := readmeQuickstart(context.Background()); !errors.Is(err, wrapper.ErrNoAPIKey) {
		t.Fatalf("quickstart without a key: %v", err)
	}
	_, client, _ := nuEnv(t, nil)
	t.Chdir(t.TempDir()) // the snippet's state file lands here
	var paths []string
	for _, name := range []string{"a.txt", "b.txt"} {
		if err := os.WriteFile(name, []byte(nuInvoiceText), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, name)
	}
	var got []Invoice
	if err := readmeManyDocuments(context.Background(), client, slices.Values(paths), "s", func(_ string, i Invoice) { got = append(got, i) }, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Vendor != "Acme" {
		t.Fatalf("got %+v", got)
	}
}

// The README's testing section, as a test.
func TestREADMETestingSection(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Now())
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(10*time.Minute))
	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock))

	file := srv.AddFile("invoice.txt", []byte("Vendor: Acme\nTotal: 12.50\n"))
	inv, _, err := wrapper.Extract[Invoice](context.Background(), client, file, wrapper.ExtractConfig{})
	if err != nil || inv.Vendor != "Acme" || inv.Total != 12.5 {
		t.Fatalf("%+v %v", inv, err)
	}
	bad := srv.AddFile("big.txt", nil)
	srv.ScriptFile(bad, extracttest.Outcome{Error: "The response was too long to be processed"})
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpGetExtractJob, Kind: extracttest.FaultStatus, Status: 429, RetryAfter: "1", Times: 1})
	_, _, err = wrapper.Extract[Invoice](context.Background(), client, bad, wrapper.ExtractConfig{})
	var je *wrapper.JobError
	if !errors.As(err, &je) || srv.Stats().FaultsInjected != 1 {
		t.Fatalf("%v %+v", err, srv.Stats())
	}
}
