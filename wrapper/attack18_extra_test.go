package wrapper_test

// Attack on issue 18, promise 3 ("the escape hatch"), breaks 1 and 11:
// a member a field models is refused before anything is sent, naming the
// field to set; a value that cannot be encoded fails before any request or
// upload, a batch's included. (The other escape-hatch attacks are in
// attack18_escapehatch_test.go.)

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

type extraRow struct {
	InvoiceNumber string `json:"invoice_number"`
}

// extraServer counts every request and records the last body.
func extraServer(t *testing.T) (*wrapper.Client, *atomic.Int32, *atomic.Value) {
	t.Helper()
	var n atomic.Int32
	var last atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b, _ := io.ReadAll(r.Body)
		last.Store(string(b))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c, &n, &last
}

// A member a field models is refused before anything is sent, and the
// error names the field to set instead (the Go field, e.g. Tier).
func TestAttack18EscapeHatchModelledMemberRefused(t *testing.T) {
	ctx := context.Background()
	c, n, _ := extraServer(t)
	schema := wrapper.MustSchemaFor[extraRow]()
	cases := []struct {
		req       wrapper.CreateJobRequest
		field     string
		goField   string
		jsonField string
	}{
		{wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"tier": "agentic"}}}, "configuration", "Tier", "tier"},
		{wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"data_schema": map[string]any{}}}}, "configuration", "Schema", "data_schema"},
		{wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema}, Extra: map[string]any{"file_input": "dfl-2"}}, "", "FileInput", "file_input"},
		{wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema}, Extra: map[string]any{"configuration_id": "cfg-2"}}, "", "Config", "configuration_id"},
		{wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema}, Extra: map[string]any{"webhook_configurations": []any{}}}, "", "Webhooks", "webhook_configurations"},
	}
	for _, tc := range cases {
		_, err := c.CreateJob(ctx, tc.req)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: not refused as a *ValidationError: %v", tc.jsonField, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.jsonField) || !strings.Contains(err.Error(), tc.goField) {
			t.Errorf("%s: the error does not name the field to set (%s): %v", tc.jsonField, tc.goField, err)
		}
		if !strings.HasPrefix(err.Error(), "llamaextract: ") {
			t.Errorf("%s: %q does not start with llamaextract: ", tc.jsonField, err)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent for refused Extra members", n.Load())
	}
}

// Values that cannot be encoded fail before any request, and with
// Extract on a path, before the upload.
func TestAttack18EscapeHatchUnencodableBeforeUpload(t *testing.T) {
	ctx := context.Background()
	c, n, _ := extraServer(t)
	p := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(p, []byte("Invoice Number: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := map[string]any{
		"channel":  make(chan int),
		"NaN":      math.NaN(),
		"Inf":      math.Inf(1),
		"func":     func() {},
		"raw":      json.RawMessage(`{bad`),
		"complex":  complex(1, 2),
		"nestedCh": map[string]any{"a": []any{make(chan int)}},
	}
	for name, v := range bad {
		n.Store(0)
		cfg := wrapper.ExtractConfig{Extra: map[string]any{"x": v}}
		_, _, err := wrapper.Extract[extraRow](ctx, c, p, cfg)
		if err == nil || n.Load() != 0 {
			t.Errorf("Extract, ExtractConfig.Extra %s: err %v after %d requests (an upload included)", name, err, n.Load())
		} else if !strings.HasPrefix(err.Error(), "llamaextract: ") {
			t.Errorf("Extract, ExtractConfig.Extra %s: %q does not start with llamaextract: ", name, err)
		}
		n.Store(0)
		_, err = c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1",
			Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[extraRow]()}, Extra: map[string]any{"x": v}})
		if err == nil || n.Load() != 0 {
			t.Errorf("CreateJob, CreateJobRequest.Extra %s: err %v after %d requests", name, err, n.Load())
		}
		n.Store(0)
		if err := (wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[extraRow]()},
			Extra: map[string]any{"x": v}}).Validate(); err == nil {
			t.Errorf("CreateJobRequest.Validate passes Extra %s, which CreateJob cannot send", name)
		}
	}
}

// The same against the emulator: an Extra value that cannot be encoded
// must not cost an upload (nor leave a file behind).
func TestAttack18EscapeHatchUnencodableNoUploadEmulator(t *testing.T) {
	ctx := context.Background()
	c, srv := newClient(t)
	p := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(p, []byte("Invoice Number: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := wrapper.Extract[extraRow](ctx, c, p, wrapper.ExtractConfig{Extra: map[string]any{"x": math.NaN()}})
	st := srv.Stats()
	if err == nil || st.Requests["UploadFile"] != 0 {
		t.Errorf("Extract with Extra NaN: err %v; requests %v", err, st.Requests)
	}
	t.Logf("error: %v", err)
}

// ExtractConfig.Extra inside a saved configuration: sent in parameters,
// refused (before sending) for a modelled member, and unencodable values
// refused before sending.
func TestAttack18EscapeHatchSavedConfigRefusals(t *testing.T) {
	ctx := context.Background()
	c, n, last := extraServer(t)
	schema := wrapper.MustSchemaFor[extraRow]()
	_, _ = c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "n", Config: wrapper.ExtractConfig{Schema: schema, Extra: map[string]any{"extract_version": "latest"}}})
	if body, _ := last.Load().(string); !strings.Contains(body, `"extract_version":"latest"`) {
		t.Errorf("CreateConfiguration does not send Extra in parameters: %s", body)
	}
	n.Store(0)
	for _, extra := range []map[string]any{{"tier": "agentic"}, {"product_type": "extract_v2"}, {"x": math.NaN()}} {
		_, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "n", Config: wrapper.ExtractConfig{Schema: schema, Extra: extra}})
		if err == nil || n.Load() != 0 {
			t.Errorf("CreateConfiguration with Extra %v: err %v after %d requests", extra, err, n.Load())
		}
		n.Store(0)
	}
}

// batch.ExtractAll refuses a bad configuration before its first upload
// (CreateJobRequest.Validate): an unencodable Extra included.
func TestAttack18EscapeHatchBatchUnencodableNoUpload(t *testing.T) {
	ctx := context.Background()
	c, srv := newClient(t)
	dir := t.TempDir()
	var inputs []string
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("Invoice Number: "+n+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, p)
	}
	var errs int
	for _, err := range batch.ExtractAll[extraRow](ctx, c, inputs, wrapper.ExtractConfig{Extra: map[string]any{"x": math.Inf(1)}}) {
		if err != nil {
			errs++
		}
	}
	if n := srv.Stats().Requests["UploadFile"]; errs == 0 || n != 0 {
		t.Errorf("ExtractAll with Extra +Inf: %d errors, %d files uploaded before the refusal", errs, n)
	}
}
