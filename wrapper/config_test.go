package wrapper_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// A parse tier, version or page list the service would refuse is a
// *ValidationError naming the field and the fix, before the file is
// uploaded and before any request.
func TestExtractConfigInputsCheckedBeforeSending(t *testing.T) {
	c, srv := newClient(t)
	path := filepath.Join(t.TempDir(), "invoice.txt")
	if err := os.WriteFile(path, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		cfg         wrapper.ExtractConfig
		field, hint string
	}{
		{wrapper.ExtractConfig{ParseTier: "premium"}, "configuration.parse_tier", "fast, cost_effective, agentic, agentic_plus"},
		{wrapper.ExtractConfig{ParseTier: "Fast"}, "configuration.parse_tier", "fast"},
		{wrapper.ExtractConfig{Version: "v2"}, "configuration.version", `"latest"`},
		{wrapper.ExtractConfig{Version: "Latest"}, "configuration.version", "YYYY-MM-DD"},
		{wrapper.ExtractConfig{Version: "2026-02-30"}, "configuration.version", "2026-01-08"},
		{wrapper.ExtractConfig{Version: "2026-1-8"}, "configuration.version", "YYYY-MM-DD"},
		{wrapper.ExtractConfig{TargetPages: "1,3,5-"}, "configuration.target_pages", `"1,3,5-7"`},
		{wrapper.ExtractConfig{TargetPages: "0"}, "configuration.target_pages", "numbered from 1"},
		{wrapper.ExtractConfig{TargetPages: "7-5"}, "configuration.target_pages", "write it 5-7"},
		{wrapper.ExtractConfig{TargetPages: "1-3,2"}, "configuration.target_pages", "page 2 is listed twice"},
		{wrapper.ExtractConfig{TargetPages: "1;2"}, "configuration.target_pages", "separated by commas"},
		{wrapper.ExtractConfig{TargetPages: "first"}, "configuration.target_pages", "not a page number"},
		{wrapper.ExtractConfig{TargetPages: " "}, "configuration.target_pages", "leave TargetPages empty"},
	} {
		_, _, err := wrapper.Extract[Invoice](ctx, c, path, tc.cfg)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidRequest) || ve.Field != tc.field || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("%+v: %v; want a ValidationError on %s saying %q", tc.cfg, err, tc.field, tc.hint)
		}
	}
	if st := srv.Stats(); len(st.Requests) != 0 {
		t.Fatalf("bad configurations reached the server: %v", st.Requests)
	}
	// The same holds for a saved configuration and a job created by ID.
	_, err := c.CreateConfiguration(ctx, wrapper.SavedConfig{Name: "n", Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice](), Version: "yesterday"}})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || ve.Field != "parameters.version" {
		t.Fatalf("saved configuration: %v", err)
	}
	if st := srv.Stats(); len(st.Requests) != 0 {
		t.Fatalf("bad configurations reached the server: %v", st.Requests)
	}
}

// What the documentation writes is accepted and sent as written.
func TestExtractConfigInputsTheDocsWrite(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("invoice.txt", []byte(invoiceDoc+"\fpage 3\fpage 4\fpage 5\fpage 6\fpage 7\f"))
	ctx := context.Background()
	for _, cfg := range []wrapper.ExtractConfig{
		{TargetPages: "1,3,5-7", Version: "latest", ParseTier: "fast"},
		{TargetPages: "1, 3, 5 - 7", Version: "2026-01-08", ParseTier: "agentic_plus"},
		{TargetPages: "7,1", ParseTier: "cost_effective"},
		{TargetPages: "2-2", ParseTier: "agentic"},
	} {
		cfg.Schema = wrapper.MustSchemaFor[Invoice]()
		job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg}, fast)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		got, err := c.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandConfiguration))
		if err != nil || got.Configuration == nil || got.Configuration.TargetPages != cfg.TargetPages {
			t.Errorf("%+v: sent as %+v (%v)", cfg, got, err)
		}
	}
}
