package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/extract-go/llamaextract/internal/redact"
)

const fuzzKey = "llx-FUZZ-0123456789abcdefXYZ"

// keyForms are the ways a server can echo the key.
func keyForms(key string) []string {
	esc := ""
	for _, r := range key {
		esc += fmt.Sprintf(`\u%04X`, r)
	}
	slash := strings.ReplaceAll(key, "-", `\u002d`)
	return []string{key, esc, slash, url.QueryEscape(key), strings.ReplaceAll(key, "F", "%46"),
		key[:redact.MinKeyFragment], key[:len(key)/2], key[len(key)/2:], key[len(key)-redact.MinKeyFragment:]}
}

// cutReaders returns text read one byte at a time, whole, and cut once at
// every offset.
func cutReaders(text string) []io.Reader {
	rs := []io.Reader{iotest.OneByteReader(strings.NewReader(text)), strings.NewReader(text)}
	for i := 0; i <= len(text); i++ {
		rs = append(rs, io.MultiReader(strings.NewReader(text[:i]), strings.NewReader(text[i:])))
	}
	return rs
}

// Rows never yields the key, in any form the scrubber knows, whichever
// read boundary cuts it: the scrubbing happens on the stream, before any
// row decodes.
func TestRowsKeyAcrossReadBoundaries(t *testing.T) {
	s := redact.New(fuzzKey)
	for _, form := range keyForms(fuzzKey) {
		body := `{"id":"ext-1","status":"COMPLETED","extract_result":[{"v":"` + form + `"},{"v":"a` + form + `b","w":["` + form + `"]}]}`
		for i, r := range cutReaders(body) {
			resp := &http.Response{StatusCode: 200, Body: io.NopCloser(r)}
			var got []string
			err := streamRows(newBodyStream(context.Background(), &Client{maxBody: 1 << 20, scrub: s}, nil, resp), nil, func(row Row[struct {
				V string
				W []string
			}], err error) bool {
				got = append(got, row.Value.V)
				got = append(got, row.Value.W...)
				return true
			})
			if err != nil || len(got) != 3 {
				t.Fatalf("form %q, reader %d: %v, %q", form, i, err, got)
			}
			for _, v := range got {
				if s.Contains(v) || strings.Contains(v, fuzzKey[:redact.MinKeyFragment]) || strings.Contains(v, fuzzKey[len(fuzzKey)-redact.MinKeyFragment:]) {
					t.Fatalf("form %q, reader %d: row value %q holds the key", form, i, v)
				}
			}
		}
	}
}
