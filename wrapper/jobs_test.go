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
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/wrapper"
)

func TestStatus(t *testing.T) {
	cases := map[wrapper.Status][3]bool{ // terminal, succeeded, known
		wrapper.StatusPending:   {false, false, true},
		wrapper.StatusThrottled: {false, false, true},
		wrapper.StatusRunning:   {false, false, true},
		wrapper.StatusCompleted: {true, true, true},
		wrapper.StatusFailed:    {true, false, true},
		wrapper.StatusCancelled: {true, false, true},
		"QUEUED_FOR_GPU":        {false, false, false},
	}
	for s, want := range cases {
		if got := [3]bool{s.Terminal(), s.Succeeded(), s.Known()}; got != want {
			t.Errorf("%s: %v, want %v", s, got, want)
		}
	}
}

func TestEveryOperation(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.txt")
	os.WriteFile(path, []byte(invoiceDoc), 0o600)

	f, err := c.UploadFile(ctx, path, wrapper.UploadOptions{ExternalID: "inv-1"})
	if err != nil || !strings.HasPrefix(f.Id, "dfl-") || f.Name != "invoice.txt" {
		t.Fatalf("upload: %v %+v", err, f)
	}
	f2, err := c.Upload(ctx, "notes.txt", strings.NewReader("Vendor: X"), wrapper.UploadOptions{Purpose: wrapper.PurposeUserData})
	if err != nil || *f2.Purpose != "user_data" {
		t.Fatalf("upload reader: %v", err)
	}
	if got, err := c.GetFile(ctx, f.Id); err != nil || got.Id != f.Id {
		t.Fatalf("get file: %v", err)
	}
	if link, err := c.FileDownloadURL(ctx, f.Id); err != nil || link.Url == "" {
		t.Fatalf("download url: %v", err)
	}
	if page, err := c.ListFiles(ctx, generated.ListFilesParams{}); err != nil || len(page.Items) != 2 {
		t.Fatalf("list files: %v", err)
	}

	schema := wrapper.MustSchemaFor[Invoice]()
	valid, err := c.ValidateSchema(ctx, schema)
	if err != nil || valid.IsZero() {
		t.Fatalf("validate: %v", err)
	}
	gen, err := c.GenerateSchema(ctx, wrapper.GenerateSchemaRequest{Prompt: "invoice number and total"})
	if err != nil || gen.Name == "" {
		t.Fatalf("generate: %v", err)
	}
	params, err := wrapper.ExtractParameters(wrapper.ExtractConfig{Schema: schema, CiteSources: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.CreateConfiguration(ctx, generated.ConfigurationCreate{Name: "invoices", Parameters: params})
	if err != nil || !strings.HasPrefix(cfg.Id, "cfg-") {
		t.Fatalf("create config: %v", err)
	}
	if got, err := c.GetConfiguration(ctx, cfg.Id); err != nil || got.Name != "invoices" {
		t.Fatalf("get config: %v", err)
	}
	newName := "invoices-2"
	if got, err := c.UpdateConfiguration(ctx, cfg.Id, generated.ConfigurationUpdate{Name: &newName}); err != nil || got.Name != newName {
		t.Fatalf("update config: %v", err)
	}
	if page, err := c.ListConfigurations(ctx, generated.ListConfigurationsParams{}); err != nil || len(page.Items) != 1 {
		t.Fatalf("list configs: %v", err)
	}

	job, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: f.Id, Config: wrapper.SavedConfig(cfg.Id)})
	// Not terminal rather than PENDING: the emulator's 20ms job runs on the
	// wall clock, and under -race on a loaded machine the create answer can
	// already see it RUNNING.
	if err != nil || job.State().Terminal() || !job.State().Known() {
		t.Fatalf("create: %v %+v", err, job)
	}
	got, err := c.GetJob(ctx, job.Id, wrapper.ExpandConfiguration)
	if err != nil || got.Configuration == nil {
		t.Fatalf("get: %v", err)
	}
	page, err := c.ListJobs(ctx, wrapper.JobFilter{FileInput: f.Id})
	if err != nil || len(page.Jobs) != 1 || page.NextPageToken != "" {
		t.Fatalf("list: %v %+v", err, page)
	}
	done, err := c.Wait(ctx, job.Id, fast)
	if err != nil || done.State() != wrapper.StatusCompleted {
		t.Fatalf("wait: %v", err)
	}
	if err := c.DeleteJob(ctx, job.Id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	slow := srv.AddFile("slow.txt", nil)
	srv.ScriptFile(slow, extracttest.Outcome{Steps: []extracttest.Step{{Status: "RUNNING", For: time.Hour}}})
	running, _ := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: slow, Config: wrapper.ExtractConfig{Schema: schema}})
	cancelled, err := c.CancelJob(ctx, running.Id)
	if err != nil || cancelled.State() != wrapper.StatusCancelled {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := c.CancelJob(ctx, running.Id); !errors.Is(err, wrapper.ErrBadRequest) {
		t.Fatalf("cancel twice: %v", err)
	}
	if err := c.DeleteConfiguration(ctx, cfg.Id); err != nil {
		t.Fatalf("delete config: %v", err)
	}
	if err := c.DeleteFile(ctx, f2.Id); err != nil {
		t.Fatalf("delete file: %v", err)
	}
	if n := len(srv.Stats().Requests); n != 17 { // all but the deprecated QueryFiles
		t.Fatalf("drove %d operations: %v", n, srv.Stats().Requests)
	}
}

// Requests that are wrong are refused before anything is sent.
func TestCreateRequestCheckedBeforeSending(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	schema := wrapper.MustSchemaFor[Invoice]()
	arrayRoot, _ := wrapper.SchemaFromJSON([]byte(`{"type":"array"}`))
	cases := []struct {
		name  string
		req   wrapper.CreateJobRequest
		field string
	}{
		{"no file", wrapper.CreateJobRequest{Config: wrapper.ExtractConfig{Schema: schema}}, "file_input"},
		{"path instead of id", wrapper.CreateJobRequest{FileInput: "invoice.pdf", Config: wrapper.ExtractConfig{Schema: schema}}, "file_input"},
		{"no config", wrapper.CreateJobRequest{FileInput: "dfl-1"}, "configuration"},
		{"no schema", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{}}, "configuration.data_schema"},
		{"zero schema from bad JSON", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: arrayRoot}}, "configuration.data_schema"},
		{"empty saved id", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.SavedConfig(" ")}, "configuration_id"},
		{"bad tier", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Tier: "gold"}}, "configuration.tier"},
		{"bad target", wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Target: "per_word"}}, "configuration.extraction_target"},
	}
	for _, tc := range cases {
		_, err := c.CreateJob(ctx, tc.req)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a ValidationError on %s", tc.name, err, tc.field)
		}
	}
	if n := srv.Stats().Requests["CreateExtractJob"]; n != 0 {
		t.Fatalf("%d invalid creates reached the server", n)
	}
}

func TestWaitThroughThrottled(t *testing.T) {
	// A fake clock moved 10 ms per check makes the walk through the
	// statuses exact, however slow the machine.
	clock := extracttest.NewFakeClock(time.Now())
	c, srv := newClient(t, extracttest.WithClock(clock), extracttest.WithSchedule(
		extracttest.Step{Status: "PENDING", For: 5 * time.Millisecond},
		extracttest.Step{Status: "THROTTLED", For: 30 * time.Millisecond},
		extracttest.Step{Status: "RUNNING", For: 30 * time.Millisecond}))
	file := srv.AddFile("inv.txt", []byte(invoiceDoc))
	var seen []wrapper.Status
	job, err := c.Run(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}},
		fast, wrapper.OnStatus(func(j *wrapper.Job) {
			if len(seen) == 0 || seen[len(seen)-1] != j.State() {
				seen = append(seen, j.State())
			}
			clock.Advance(10 * time.Millisecond)
		}))
	if err != nil || !job.State().Succeeded() {
		t.Fatalf("run: %v", err)
	}
	want := []wrapper.Status{wrapper.StatusPending, wrapper.StatusThrottled, wrapper.StatusRunning, wrapper.StatusCompleted}
	if len(seen) != len(want) {
		t.Fatalf("statuses seen %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("statuses seen %v, want %v", seen, want)
		}
	}
}

func TestWaitFailedJob(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("big.txt", nil)
	srv.ScriptFile(file, extracttest.Outcome{Error: "The response was too long to be processed"})
	job, err := c.Run(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}}, fast)
	var je *wrapper.JobError
	if !errors.As(err, &je) || !errors.Is(err, wrapper.ErrJobFailed) || errors.Is(err, wrapper.ErrJobCancelled) {
		t.Fatalf("want JobError, got %v", err)
	}
	if je.Message() != "The response was too long to be processed" || job.State() != wrapper.StatusFailed ||
		!strings.Contains(err.Error(), job.Id) || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("job error %v", err)
	}
}

func TestWaitContextEnds(t *testing.T) {
	for _, cancelRemote := range []bool{false, true} {
		t.Run(map[bool]string{false: "job keeps running", true: "CancelOnDone"}[cancelRemote], func(t *testing.T) {
			c, srv := newClient(t, extracttest.WithJobDuration(time.Hour))
			file := srv.AddFile("a.txt", nil)
			opts := []wrapper.WaitOption{fast}
			if cancelRemote {
				opts = append(opts, wrapper.CancelOnDone())
			}
			job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			_, err = c.Wait(ctx, job.Id, opts...)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), job.Id) {
				t.Fatalf("wait: %v", err)
			}
			after, _ := c.GetJob(context.Background(), job.Id)
			if cancelRemote && after.State() != wrapper.StatusCancelled {
				t.Fatalf("remote job %s, want CANCELLED", after.State())
			}
			if !cancelRemote && after.State().Terminal() {
				t.Fatalf("remote job %s: ending the wait must not stop the job", after.State())
			}
		})
	}
	c, srv := newClient(t, extracttest.WithJobDuration(time.Hour))
	job, _ := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: srv.AddFile("b.txt", nil), Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
	if _, err := c.Wait(context.Background(), job.Id, fast, wrapper.WithWaitTimeout(20*time.Millisecond)); !errors.Is(err, wrapper.ErrWaitTimeout) {
		t.Fatalf("wait timeout: %v", err)
	}
}

func TestSchedules(t *testing.T) {
	lin := wrapper.DefaultSchedule
	var got []time.Duration
	for n := 0; n < 7; n++ {
		got = append(got, lin.Next(n))
	}
	want := []time.Duration{1, 2, 3, 4, 5, 5, 5}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("default schedule %v", got)
		}
	}
	exp := wrapper.ExponentialSchedule{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}
	for n := 0; n < 10; n++ {
		d := exp.Next(n)
		if d <= 0 || d > time.Second {
			t.Fatalf("exponential %d: %v", n, d)
		}
	}
	if d := (wrapper.ExponentialSchedule{Initial: time.Millisecond, Max: 8 * time.Millisecond}).Next(5); d != 8*time.Millisecond {
		t.Fatalf("exponential cap: %v", d)
	}
}
