package wrapper_test

import (
	"context"
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
