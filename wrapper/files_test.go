package wrapper_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// Upload streams a seeker from its offset and seeks it back for a retry:
// the attempt after a 503 sends the whole document again, not what the
// first attempt left unread.
func TestUploadStreamsASeekerAndRetriesFromItsOffset(t *testing.T) {
	c, srv := newClient(t)
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpUploadFile, Kind: extracttest.FaultStatus, Status: 503, Times: 1})
	r := bytes.NewReader([]byte("--Invoice Number: INV-9\nVendor: Seek\nTotal: 3\n"))
	if _, err := r.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	f, err := c.Upload(context.Background(), "inv.txt", r)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Stats().Requests["UploadFile"] != 2 {
		t.Fatalf("requests %v: the fault did not hit", srv.Stats().Requests)
	}
	job, err := c.Run(context.Background(), wrapper.CreateJobRequest{FileInput: f.ID, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := wrapper.Decode[Invoice](job)
	if err != nil || inv.Vendor != "Seek" || inv.InvoiceNumber != "INV-9" {
		t.Fatalf("the retried upload sent another document: %+v %v", inv, err)
	}
}
