package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/wrapper"
)

// A 422 from the service carries FastAPI's list of issues: APIError exposes
// them typed, keeps Detail as text and names the first failing field.
func TestAPIErrorReadsTheValidationList(t *testing.T) {
	c, _ := newClient(t)
	bad := []generated.ProductType{"nope", generated.ProductTypeExtractV2, "other"}
	_, err := c.ListConfigurations(context.Background(), generated.ListConfigurationsParams{ProductType: &bad})
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || !errors.Is(err, wrapper.ErrUnprocessable) {
		t.Fatalf("err = %v, want a 422 *APIError", err)
	}
	want := []wrapper.FieldIssue{
		{Loc: []string{"query", "product_type", "0"}, In: "query", Path: "product_type[0]", Type: "enum"},
		{Loc: []string{"query", "product_type", "2"}, In: "query", Path: "product_type[2]", Type: "enum"},
	}
	if len(ae.Issues) != len(want) {
		t.Fatalf("Issues = %+v, want %d entries", ae.Issues, len(want))
	}
	for i, is := range ae.Issues {
		if !strings.HasPrefix(is.Msg, "Input should be 'classify_v2'") {
			t.Errorf("issue %d: Msg %q", i, is.Msg)
		}
		is.Msg = ""
		if !reflect.DeepEqual(is, want[i]) {
			t.Errorf("issue %d = %+v, want %+v", i, is, want[i])
		}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "llamaextract: ListConfigurations: 422 Unprocessable Entity: product_type[0]: Input should be") ||
		!strings.HasSuffix(msg, "(and 1 more issue)") {
		t.Errorf("message %q does not name the first failing field and the count", msg)
	}
	if !strings.Contains(ae.Detail, "product_type[0]: ") || !strings.Contains(ae.Detail, "; product_type[2]: ") {
		t.Errorf("Detail %q does not list every issue as text", ae.Detail)
	}
}

// A refusal by the service's own rules is a 400 with a sentence: no Issues,
// Detail and the message carry the sentence.
func TestAPIErrorKeepsAStringDetail(t *testing.T) {
	c, _ := newClient(t)
	n := -1
	_, err := c.ListConfigurations(context.Background(), generated.ListConfigurationsParams{PageSize: &n})
	var ae *wrapper.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("err = %v, want a 400 *APIError", err)
	}
	if ae.Issues != nil {
		t.Errorf("Issues = %+v for a string detail", ae.Issues)
	}
	if !strings.HasPrefix(ae.Detail, "page_size: ") || !strings.Contains(err.Error(), ": 400 Bad Request: page_size: ") {
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
	bad := []generated.ProductType{"invoices"}
	_, err = c.ListConfigurations(context.Background(), generated.ListConfigurationsParams{ProductType: &bad})
	var ae *wrapper.APIError
	if errors.As(err, &ae) {
		for _, is := range ae.Issues {
			fmt.Println(ae.StatusCode, is.In, is.Path, is.Type)
		}
	}
	// Output:
	// 422 query product_type[0] enum
}
