package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func TestInputKindFiltersAndAnUnknownKindMatchesNothing(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	file := srv.AddFile("a.txt", []byte("Vendor: V"))
	if _, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}); err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[wrapper.InputKind]int{wrapper.InputFileID: 1, wrapper.InputParseJobID: 0, "url": 0} {
		page, err := c.ListJobs(ctx, wrapper.JobFilter{DocumentInputType: kind})
		if err != nil || len(page.Items) != want {
			t.Errorf("DocumentInputType %q: %v, %v; want %d jobs", kind, page, err, want)
		}
	}
}

func TestFileOrderSortsAndAnUnknownKeyIs400(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	srv.AddFile("b.txt", nil)
	srv.AddFile("a.txt", nil)
	by := func(o wrapper.FileOrder) (*wrapper.ListPage[*wrapper.File], error) {
		return c.ListFiles(ctx, wrapper.FileFilter{OrderBy: o})
	}
	page, err := by(wrapper.FileOrderName)
	if err != nil || len(page.Items) != 2 || page.Items[0].Name != "a.txt" {
		t.Fatalf("order by name: %+v, %v", page, err)
	}
	page, err = by(wrapper.FileOrderCreatedAt)
	if err != nil || page.Items[0].Name != "a.txt" {
		t.Fatalf("order by created_at (newest first): %+v, %v", page, err)
	}
	_, err = by("size")
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.HasPrefix(ae.Detail, "order_by") {
		t.Fatalf("unknown key: %v, want a 400 naming order_by", err)
	}
}

// Status, Target and Tier decode like strings (unknown values kept, escapes
// read, null leaving the value alone, a number refused), and a documented
// value costs no allocation: it is the package's constant.
func TestKnownValuesDecodeAsConstants(t *testing.T) {
	var v struct {
		S wrapper.Status `json:"s"`
		T wrapper.Target `json:"t"`
		R wrapper.Tier   `json:"r"`
	}
	for _, c := range []struct {
		in      string
		s, t, r string
	}{
		{`{"s":"COMPLETED","t":"per_table_row","r":"agentic_plus"}`, "COMPLETED", "per_table_row", "agentic_plus"},
		{`{"s":"PAUSED","t":"per_line","r":"gold"}`, "PAUSED", "per_line", "gold"},
		{`{"s":"\u0043OMPLETED","t":"per\u005fdoc","r":"tur\u0062o"}`, "COMPLETED", "per_doc", "turbo"},
		{`{"s":"","t":"","r":""}`, "", "", ""},
	} {
		v.S, v.T, v.R = "x", "x", "x"
		if err := json.Unmarshal([]byte(c.in), &v); err != nil || string(v.S) != c.s || string(v.T) != c.t || string(v.R) != c.r {
			t.Errorf("%s: %q %q %q, %v", c.in, v.S, v.T, v.R, err)
		}
	}
	v.S = wrapper.StatusRunning
	if err := json.Unmarshal([]byte(`{"s":null}`), &v); err != nil || v.S != wrapper.StatusRunning {
		t.Errorf("null: %q, %v", v.S, err)
	}
	if err := json.Unmarshal([]byte(`{"s":5}`), &v); err == nil {
		t.Error("a number decoded as a Status")
	}
}
