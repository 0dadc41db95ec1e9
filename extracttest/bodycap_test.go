package extracttest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
)

// A JSON request body over the cap is refused with 413 and a message that
// names the limit and the option, without reading the rest.
func TestJSONBodyCap(t *testing.T) {
	a, _ := newAPI(t, extracttest.WithMaxRequestBytes(1<<20))
	huge := `{"file_input":"dfl-1","configuration":{"data_schema":{"type":"object","description":"` + strings.Repeat("x", 2<<20) + `"}}}`
	r := a.do(http.MethodPost, "/api/v2/extract", huge)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.detail(t), "WithMaxRequestBytes") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// A body under the cap is validated as usual.
	if r := a.do(http.MethodPost, "/api/v2/extract", `{"file_input":"dfl-1"}`); r.status == http.StatusRequestEntityTooLarge {
		t.Fatalf("small body refused: %s", r.body)
	}
	extracttest.CheckViolations(t, a.s)
}
