package wrapper_test

// Attack on issue 18, promise 5 ("one answer check"): every call that
// names a resource refuses an answer about another one, the same way,
// whichever path (whole body, streamed, without result) reads it.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

const otherJob = `{"id":"ext-2","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","extract_result":[{"invoice_number":"X"}],"extract_metadata":{"field_metadata":{"row_metadata":[{}]}}}`

const otherFile = `{"id":"dfl-2","name":"a.txt","project_id":"p"}`

const otherSaved = `{"id":"cfg-2","name":"n","version":"v","product_type":"extract_v2","parameters":{"product_type":"extract_v2","data_schema":{"type":"object"}}}`

func TestAttack18EveryCallRefusesAnAnswerAboutAnother(t *testing.T) {
	ctx := context.Background()
	c := hostileServer(t, otherJob, otherFile, otherSaved)
	p := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	type row struct {
		InvoiceNumber string `json:"invoice_number"`
	}
	calls := map[string]func() error{
		"GetJob":    func() error { _, err := c.GetJob(ctx, "ext-1"); return err },
		"CancelJob": func() error { _, err := c.CancelJob(ctx, "ext-1"); return err },
		"GetResult": func() error { _, _, err := wrapper.GetResult[[]row](ctx, c, "ext-1"); return err },
		"GetResult+metadata": func() error {
			_, _, err := wrapper.GetResult[[]row](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata))
			return err
		},
		"Rows": func() error {
			for _, err := range wrapper.Rows[row](ctx, c, "ext-1") {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"Rows+metadata": func() error {
			for _, err := range wrapper.Rows[row](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata)) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"Wait":               func() error { _, err := c.Wait(ctx, "ext-1"); return err },
		"Wait+WithoutResult": func() error { _, err := c.Wait(ctx, "ext-1", wrapper.WithoutResult()); return err },
		"GetFile":            func() error { _, err := c.GetFile(ctx, "dfl-1"); return err },
		"GetConfiguration":   func() error { _, err := c.GetConfiguration(ctx, "cfg-1"); return err },
	}
	for name, call := range calls {
		err := call()
		var ire *wrapper.InvalidResponseError
		if !errors.As(err, &ire) || !errors.Is(err, wrapper.ErrInvalidResponse) {
			t.Errorf("%s: an answer about another resource is taken: %v", name, err)
		}
	}
}
