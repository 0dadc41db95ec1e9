package redact

import (
	"fmt"
	"net/url"
	"strings"
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
		key[:MinKeyFragment], key[:len(key)/2], key[len(key)/2:], key[len(key)-MinKeyFragment:]}
}

// Whatever surrounds it, no form of the key survives the scrubber, and
// text without the key comes back unchanged.
func FuzzScrubber(f *testing.F) {
	f.Add("prefix ", " suffix", 0)
	f.Add(`{"detail":"`, `"}`, 1)
	f.Add("", "", 5)
	f.Add("lllx-FUZ", "Zabc", 7)
	f.Add(`\u`, "%", 8)
	s := New(fuzzKey)
	f.Fuzz(func(t *testing.T, before, after string, form int) {
		forms := keyForms(fuzzKey)
		if form < 0 {
			form = -form
		}
		text := before + forms[form%len(forms)] + after
		out := s.String(text)
		for _, k := range []string{fuzzKey, fuzzKey[:MinKeyFragment], fuzzKey[len(fuzzKey)-MinKeyFragment:]} {
			if strings.Contains(out, k) {
				t.Fatalf("%q scrubbed to %q still holds %q", text, out, k)
			}
		}
		if clean := before + after; !s.Contains(clean) && s.String(clean) != clean {
			t.Fatalf("text without the key changed: %q", clean)
		}
	})
}

// Scrubbing a large body is one linear pass: it is run on every answer.
func BenchmarkScrubberLargeBody(b *testing.B) {
	s := New(fuzzKey)
	body := []byte(strings.Repeat(`{"label":"all files","value":12.5,"note":"line\nnext"},`, 20000))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if len(s.Bytes(body)) != len(body) {
			b.Fatal("changed")
		}
	}
}
