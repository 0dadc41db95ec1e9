package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// unknownJob is a job with members this package does not model: one at the
// top, one inside its configuration.
const unknownJob = `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"COMPLETED","priority":3,"configuration":{"data_schema":{"type":"object"},"output_language":"fr"},"extract_result":{"a":1},"usage":{"credits":2.5}}`

// keepsUnknown fails unless j encodes with every member unknownJob has.
func keepsUnknown(t *testing.T, how string, j *wrapper.Job) {
	t.Helper()
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatalf("%s: %v", how, err)
	}
	for _, want := range []string{`"priority":3`, `"output_language":"fr"`, `"extract_result":{"a":1}`, `"credits":2.5`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %s lost %s", how, b, want)
		}
	}
	var back wrapper.Job
	if err := json.Unmarshal(b, &back); err != nil || back.ID != "ext-1" || back.Usage().Credits != 2.5 {
		t.Fatalf("%s: read back %+v, %v", how, back, err)
	}
	if v, err := wrapper.Decode[map[string]int](&back); err != nil || v["a"] != 1 {
		t.Errorf("%s: stored job's result %v, %v", how, v, err)
	}
	g, err := j.Generated()
	if err != nil || g.Usage == nil || g.Configuration == nil {
		t.Errorf("%s: Generated %+v, %v", how, g, err)
	}
}

// A Job decoded and encoded again keeps every member the server sent,
// however it was read: json.Unmarshal, GetJob, ListJobs.
func TestJobKeepsEveryMember(t *testing.T) {
	var j wrapper.Job
	if err := json.Unmarshal([]byte(unknownJob), &j); err != nil {
		t.Fatal(err)
	}
	keepsUnknown(t, "json.Unmarshal", &j)
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v2/extract" {
			fmt.Fprintf(w, `{"items":[%s,%s]}`, strings.Replace(unknownJob, "ext-1", "ext-0", 1), unknownJob)
			return
		}
		fmt.Fprint(w, unknownJob)
	})
	got, err := c.GetJob(context.Background(), "ext-1")
	if err != nil {
		t.Fatal(err)
	}
	keepsUnknown(t, "GetJob", got)
	page, err := c.ListJobs(context.Background(), wrapper.JobFilter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("%v", err)
	}
	keepsUnknown(t, "ListJobs", page.Items[1])
	// A field changed by the caller wins over what the server sent.
	got.Status = wrapper.StatusFailed
	if b, _ := json.Marshal(got); !strings.Contains(string(b), `"status":"FAILED"`) || strings.Contains(string(b), "COMPLETED") {
		t.Errorf("the changed status did not win: %s", b)
	}
}

// The Job that Extract returns carries the result it downloaded: a user
// who stores it (the README's "a job can be stored and read back") and
// decodes it later gets the same value.
func TestExtractJobCarriesTheResult(t *testing.T) {
	_, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	inv, job, err := wrapper.Extract[nuInvoice](ctx, client, nuWrite(t, "invoice.txt", nuInvoiceText), wrapper.ExtractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	var back wrapper.Job
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	for _, j := range []*wrapper.Job{job, &back} {
		again, err := wrapper.Decode[nuInvoice](j)
		if err != nil || again.Vendor != inv.Vendor || again.Total != inv.Total {
			t.Fatalf("decoded %+v, %v; Extract gave %+v", again, err, inv)
		}
	}
}

// Extra carries members the package does not model yet, and the emulator
// still holds them to the spec: a member the spec has is taken (and echoed
// back), one of the wrong type is refused, one the spec lacks is refused
// at its path (as the service's request models forbid extra members),
// and a member a field models is refused before anything is sent.
func TestExtraIsHeldToTheSpec(t *testing.T) {
	srv, client, _ := nuEnv(t, nil)
	ctx := context.Background()
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	schema := wrapper.MustSchemaFor[nuInvoice]()
	run := func(cfg, body map[string]any) (*wrapper.Job, error) {
		job, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Extra: body,
			Config: wrapper.ExtractConfig{Schema: schema, Extra: cfg}})
		if err != nil {
			return nil, err
		}
		return client.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandConfiguration))
	}
	job, err := run(map[string]any{"extract_version": "2026-01-01"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := job.Generated(); err != nil || g.Configuration == nil || g.Configuration.ExtractVersion == nil || *g.Configuration.ExtractVersion != "2026-01-01" {
		t.Fatalf("extract_version was not echoed: %+v, %v", g.Configuration, err)
	}
	var api *wrapper.APIError
	if _, err := run(map[string]any{"extract_version": 5}, nil); !errors.As(err, &api) || api.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a number for a string member: %v", err)
	}
	_, err = run(map[string]any{"not_in_the_spec": "x"}, map[string]any{"nor_this": 1})
	if !errors.As(err, &api) || api.StatusCode != http.StatusUnprocessableEntity || len(api.Issues) != 2 ||
		api.Issues[0].Path != "configuration.not_in_the_spec" || api.Issues[1].Path != "nor_this" {
		t.Fatalf("members the spec lacks: %v", err)
	}
	var ve *wrapper.ValidationError
	if _, err := run(map[string]any{"tier": "agentic"}, nil); !errors.As(err, &ve) || !strings.Contains(err.Error(), "tier") {
		t.Fatalf("Extra setting a modelled member: %v", err)
	}
	if _, err := run(nil, map[string]any{"file_input": "dfl-x"}); !errors.As(err, &ve) || !strings.Contains(err.Error(), "file_input") {
		t.Fatalf("CreateJobRequest.Extra setting a modelled member: %v", err)
	}
}

// A File keeps the members the package does not model, as a Job does.
func TestFileKeepsEveryMember(t *testing.T) {
	in := `{"id":"dfl-1","name":"a.pdf","project_id":"p","download_url":{"url":"https://h.example/x","expires_at":"2026-01-01T00:00:00Z"},"file_size":12}`
	var f wrapper.File
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	f.Name = "b.pdf"
	b, err := json.Marshal(f)
	if err != nil || !strings.Contains(string(b), `"file_size":12`) || !strings.Contains(string(b), `"download_url":{`) || !strings.Contains(string(b), `"name":"b.pdf"`) {
		t.Fatalf("%s, %v", b, err)
	}
}
