package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// createWithEvents creates a job whose webhook subscribes to events; names
// the service does not know fail its validation with a 422.
func createWithEvents(c *wrapper.Client, file string, events ...wrapper.WebhookEvent) error {
	_, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{
		FileInput: file,
		Config:    wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()},
		Webhooks:  []wrapper.Webhook{{URL: "https://example.invalid/hook", Events: events}},
	})
	return err
}

// A 422 from the service carries FastAPI's list of issues: APIError exposes
// them typed, keeps Detail as text and names the first failing field.
func TestAPIErrorReadsTheValidationList(t *testing.T) {
	c, srv := newClient(t)
	err := createWithEvents(c, srv.AddFile("a.txt", nil), "nope", "extract.success", "other")
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || !errors.Is(err, wrapper.ErrUnprocessable) {
		t.Fatalf("err = %v, want a 422 *APIError", err)
	}
	want := []wrapper.FieldIssue{
		{Loc: []string{"body", "webhook_configurations", "0", "webhook_events", "0"}, In: "body", Path: "webhook_configurations[0].webhook_events[0]", Type: "enum"},
		{Loc: []string{"body", "webhook_configurations", "0", "webhook_events", "2"}, In: "body", Path: "webhook_configurations[0].webhook_events[2]", Type: "enum"},
	}
	if len(ae.Issues) != len(want) {
		t.Fatalf("Issues = %+v, want %d entries", ae.Issues, len(want))
	}
	for i, is := range ae.Issues {
		if !strings.HasPrefix(is.Msg, "Input should be ") {
			t.Errorf("issue %d: Msg %q", i, is.Msg)
		}
		is.Msg = ""
		if !reflect.DeepEqual(is, want[i]) {
			t.Errorf("issue %d = %+v, want %+v", i, is, want[i])
		}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "llamaextract: CreateExtractJob: 422 Unprocessable Entity: webhook_configurations[0].webhook_events[0]: Input should be") ||
		!strings.HasSuffix(msg, "(and 1 more issue)") {
		t.Errorf("message %q does not name the first failing field and the count", msg)
	}
	if !strings.Contains(ae.Detail, "webhook_events[0]: ") || !strings.Contains(ae.Detail, "; webhook_configurations[0].webhook_events[2]: ") {
		t.Errorf("Detail %q does not list every issue as text", ae.Detail)
	}
}

// A refusal by the service's own rules is a 400 with a sentence: no Issues,
// Detail and the message carry the sentence.
func TestAPIErrorKeepsAStringDetail(t *testing.T) {
	c, _ := newClient(t)
	_, err := c.ListFiles(context.Background(), wrapper.FileFilter{OrderBy: "size"})
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("err = %v, want a 400 *APIError", err)
	}
	if ae.Issues != nil {
		t.Errorf("Issues = %+v for a string detail", ae.Issues)
	}
	if !strings.HasPrefix(ae.Detail, "order_by") || !strings.Contains(err.Error(), ": 400 Bad Request: order_by") {
		t.Errorf("Detail %q, message %q", ae.Detail, err)
	}
}

// A 422 lists every value the service refused, each with its place.
func ExampleAPIError_issues() {
	srv := extracttest.NewServer()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("any"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		panic(err)
	}
	err = createWithEvents(c, srv.AddFile("a.txt", nil), "extract.teleported")
	var ae *wrapper.APIError
	if errors.As(err, &ae) {
		for _, is := range ae.Issues {
			fmt.Println(ae.StatusCode, is.In, is.Path, is.Type)
		}
	}
	// Output:
	// 422 body webhook_configurations[0].webhook_events[0] enum
}
