package extracttest_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
)

// countingReader counts the bytes the server pulled from a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// The JSON cap follows the operation, not the request's Content-Type: a
// body labelled multipart/form-data sent to a JSON operation is refused
// with 413 after at most the JSON cap (plus transport buffers) is read.
func TestJSONBodyCapIgnoresAMultipartLabel(t *testing.T) {
	const limit = 64 << 10
	s := extracttest.NewTestServer(t, extracttest.WithMaxRequestBytes(limit))
	for _, ct := range []string{"multipart/form-data; boundary=x", "text/plain", ""} {
		body := &countingReader{r: strings.NewReader(strings.Repeat("x", 48<<20))}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v2/extract", body)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.Header.Set("Authorization", "Bearer test-key")
		// The server may answer and close before the client has sent
		// everything: a write error then is the cap working.
		if resp, err := s.Client().Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%q: status %d", ct, resp.StatusCode)
			}
		}
		// Loopback socket buffers hold a few MiB the server never read.
		if n := body.n.Load(); n > 24<<20 {
			t.Errorf("%q: the server read %d MiB of a body labelled %q for a %d KiB cap", ct, n>>20, ct, limit>>10)
		}
	}
}
