package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

type probeList []probeList
type probeMap map[string]probeMap
type probePtr *probePtr
type probeWrap struct{ L probeList }

// Regression tests from an outside attack on the issue 10 promises.

// A type that contains itself through a slice, a map or a pointer (not only
// through a struct) is a *ValidationError, not an endless walk.
func TestSchemaForSelfContainingNonStructTypes(t *testing.T) {
	check := func(name string, f func() (wrapper.Schema, error)) {
		t.Run(name, func(t *testing.T) {
			_, err := f()
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%v", err)
			}
		})
	}
	check("slice", func() (wrapper.Schema, error) { return wrapper.SchemaFor[probeWrap]() })
	check("map", func() (wrapper.Schema, error) { return wrapper.SchemaFor[struct{ M probeMap }]() })
	check("ptr", func() (wrapper.Schema, error) { return wrapper.SchemaFor[struct{ P probePtr }]() })
}

// A list page whose items hold null is an *InvalidResponseError, not a
// panic.
func TestListPageWithNullItems(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{`{"items":[null]}`, `{"items":[{}]}`, `null`, `{}`, `{"items":null}`} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		})
		_, err := c.ListJobs(ctx, wrapper.JobFilter{})
		if !errors.Is(err, wrapper.ErrInvalidResponse) {
			t.Errorf("jobs %s: %v", body, err)
		}
		_, err = c.ListFiles(ctx, wrapper.FileFilter{})
		if !errors.Is(err, wrapper.ErrInvalidResponse) {
			t.Errorf("files %s: %v", body, err)
		}
	}
}

// A server can make a response header's NAME from the key; the name is
// canonicalised (case changed), and still never reaches the caller.
func TestAPIKeyNotInHeaderNames(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "x")
		w.Header()["Raw"] = []string{"y"}
		w.WriteHeader(400)
	})
	_, err := c.GetJob(context.Background(), "ext-1")
	var api *wrapper.APIError
	if !errors.As(err, &api) {
		t.Fatal(err)
	}
	s := fmt.Sprint(api.Header)
	if strings.Contains(strings.ToLower(s), strings.ToLower(secretKey)) || strings.Contains(s, "89abcdef") {
		t.Errorf("key in header names: %s", s)
	}
}

// A missing file is fs.ErrNotExist, its path named once, on every entry.
func TestMissingFileNamedOnce(t *testing.T) {
	c, _ := newClient(t)
	p := filepath.Join(t.TempDir(), "nope-xyz.pdf")
	ctx := context.Background()
	_, err := c.UploadFile(ctx, p)
	one := func(what string, err error) {
		if !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), "nope-xyz") != 1 {
			t.Errorf("%s: %v", what, err)
		}
	}
	one("upload", err)
	_, _, err = wrapper.Extract[Invoice](ctx, c, p, wrapper.ExtractConfig{})
	one("extract", err)
}

// A malformed LLAMA_CLOUD_CUSTOM_HEADERS line is reported by number, never
// quoted: it is where a key for a proxy is written.
func TestCustomHeadersErrorQuotesNoSecret(t *testing.T) {
	t.Setenv(wrapper.EnvCustomHeaders, "X-Team: docs\nAuthorization Bearer "+secretKey)
	_, err := wrapper.New(wrapper.WithAPIKey(secretKey))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want an error naming line 2: %v", err)
	}
	if strings.Contains(err.Error(), secretKey[:10]) {
		t.Fatalf("the key is in the error: %v", err)
	}
}

// A 2xx that is not the object asked for is an *InvalidResponseError for
// every call, not a zero value with a nil error: a download link without a
// url, a validated schema that is missing.
func TestEmptyAnswersAreInvalid(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{`null`, `{}`, `{"url":""}`, `{"data_schema":null}`} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		})
		if u, _, err := c.FileDownloadURL(ctx, "dfl-1"); !errors.Is(err, wrapper.ErrInvalidResponse) {
			t.Errorf("FileDownloadURL %s: %q, %v", body, u, err)
		}
		if _, err := c.ValidateSchema(ctx, wrapper.MustSchemaFor[Line]()); !errors.Is(err, wrapper.ErrInvalidResponse) {
			t.Errorf("ValidateSchema %s: %v", body, err)
		}
	}
}
