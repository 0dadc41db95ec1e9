package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const fuzzKey = "llx-FUZZ-0123456789abcdefXYZ"

// forms are the ways a server can echo the key.
func keyForms(key string) []string {
	esc, slash := "", ""
	for _, r := range key {
		esc += fmt.Sprintf(`\u%04X`, r)
	}
	slash = strings.ReplaceAll(key, "-", `\u002d`)
	return []string{key, esc, slash, url.QueryEscape(key), strings.ReplaceAll(key, "F", "%46"),
		key[:minKeyFragment], key[:len(key)/2], key[len(key)/2:], key[len(key)-minKeyFragment:]}
}

// Whatever surrounds it, no form of the key survives the scrubber, and
// text without the key comes back unchanged.
func FuzzScrubber(f *testing.F) {
	f.Add("prefix ", " suffix", 0)
	f.Add(`{"detail":"`, `"}`, 1)
	f.Add("", "", 5)
	f.Add("lllx-FUZ", "Zabc", 7)
	f.Add(`\u`, "%", 8)
	s := newScrubber(fuzzKey)
	f.Fuzz(func(t *testing.T, before, after string, form int) {
		forms := keyForms(fuzzKey)
		if form < 0 {
			form = -form
		}
		text := before + forms[form%len(forms)] + after
		out := s.string(text)
		for _, k := range []string{fuzzKey, fuzzKey[:minKeyFragment], fuzzKey[len(fuzzKey)-minKeyFragment:]} {
			if strings.Contains(out, k) {
				t.Fatalf("%q scrubbed to %q still holds %q", text, out, k)
			}
		}
		if clean := before + after; !s.contains(clean) && s.string(clean) != clean {
			t.Fatalf("text without the key changed: %q", clean)
		}
	})
}

// Scrubbing a large body is one linear pass: it is run on every answer.
func BenchmarkScrubberLargeBody(b *testing.B) {
	s := newScrubber(fuzzKey)
	body := []byte(strings.Repeat(`{"label":"all files","value":12.5,"note":"line\nnext"},`, 20000))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if len(s.bytes(body)) != len(body) {
			b.Fatal("changed")
		}
	}
}

// TestScrubErrorSharedAcrossGoroutines: one error value can reach the
// scrubber from several requests at once (a batch cancels with an item's
// error as the context cause); scrubbing text that holds no key must not
// write to it, or -race reports the shared value.
func TestScrubErrorSharedAcrossGoroutines(t *testing.T) {
	s := newScrubber("llx-0123456789abcdefSECRET")
	shared := &APIError{Operation: "GetExtractJob", StatusCode: 500, Detail: "boom", URL: "http://127.0.0.1/x",
		Body: []byte(`{"detail":"boom"}`), Header: http.Header{"X-Request-Id": {"r1"}},
		Issues: []FieldIssue{{Loc: []string{"query", "status"}, Msg: "bad", Type: "enum"}}}
	inner := &InvalidResponseError{Operation: "GetExtractJob", Reason: "cannot decode", Err: shared}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if err := s.scrubError(fmt.Errorf("item: %w", inner)); !errors.Is(err, inner) {
					t.Errorf("scrubbing lost the chain: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if shared.Detail != "boom" || string(shared.Body) != `{"detail":"boom"}` {
		t.Fatalf("clean text changed: %+v", shared)
	}
}
