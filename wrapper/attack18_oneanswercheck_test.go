package wrapper_test

// Attack on issue 18, promise 5 ("one answer check"): every call that
// names a resource refuses an answer about another one, the same way,
// whichever path (whole body, streamed, without result) reads it.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

const otherJob = `{"id":"ext-2","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","extract_result":[{"invoice_number":"X"}],"extract_metadata":{"field_metadata":{"row_metadata":[{}]}}}`

const otherFile = `{"id":"dfl-2","name":"a.txt","project_id":"p"}`

const otherSaved = `{"id":"cfg-2","name":"n","version":"v","product_type":"extract_v2","parameters":{"product_type":"extract_v2","data_schema":{"type":"object"}}}`

func TestAttack18EveryCallRefusesAnAnswerAboutAnother(t *testing.T) {
	ctx := context.Background()
	c := answerServer(t, otherJob, otherFile, otherSaved)
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

// answerServer answers every job call with job, every file call with file
// and every configuration call with cfg, whatever ID was asked for.
func answerServer(t *testing.T, job, file, cfg string) *wrapper.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/api/v2/extract"):
			_, _ = io.WriteString(w, job)
		case strings.HasPrefix(p, "/api/v1/beta/files"):
			_, _ = io.WriteString(w, file)
		default:
			_, _ = io.WriteString(w, cfg)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Rows checks the id wherever it comes: before extract_result no row is
// yielded; after it, the rows read end with the error; without one, the
// answer is refused too (GetJob refuses a job without an id).
func TestRowsRefusesAnotherJobWhereverItsIDComes(t *testing.T) {
	rows := `"status":"COMPLETED","extract_result":[{"invoice_number":"A"},{"invoice_number":"B"}]`
	for _, tc := range []struct {
		body string
		rows int
	}{
		{`{"id":"ext-2",` + rows + `}`, 0},
		{`{` + rows + `,"id":"ext-2"}`, 2},
		{`{` + rows + `}`, 2},
	} {
		c := answerServer(t, tc.body, otherFile, otherSaved)
		n := 0
		var last error
		for r, err := range wrapper.Rows[struct {
			InvoiceNumber string `json:"invoice_number"`
		}](context.Background(), c, "ext-1") {
			if err != nil {
				last = err
				continue
			}
			n++
			_ = r
		}
		var ire *wrapper.InvalidResponseError
		if n != tc.rows || !errors.As(last, &ire) {
			t.Errorf("%s: %d rows, then %v; want %d rows, then an *InvalidResponseError", tc.body, n, last, tc.rows)
		}
	}
}
