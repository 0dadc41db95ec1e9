package redact

import (
	"fmt"
	"strings"
	"testing"
)

// escapeForms writes text in every way a server can escape it in JSON or a
// URL: each character alone as \uXXXX (upper and lower hex), \/ for '/',
// %XX, every character escaped, and every other one.
func escapeForms(text string) []string {
	u := func(c byte) string { return fmt.Sprintf(`\u%04X`, c) }
	l := func(c byte) string { return fmt.Sprintf(`\u%04x`, c) }
	pct := func(c byte) string { return fmt.Sprintf("%%%02X", c) }
	forms := []string{text, strings.ReplaceAll(text, "/", `\/`)}
	for _, esc := range []func(byte) string{u, l, pct} {
		all, every2 := "", ""
		for i := range len(text) {
			one := text[:i] + esc(text[i]) + text[i+1:]
			forms = append(forms, one)
			all += esc(text[i])
			if i%2 == 0 {
				every2 += esc(text[i])
			} else {
				every2 += text[i : i+1]
			}
		}
		forms = append(forms, all, every2)
	}
	return forms
}

// A cut key is found by its first or last MinKeyFragment characters,
// escaped or not, wherever the escapes fall and whatever surrounds it
// (issue 20.11: the last characters, JSON-escaped, came through in clear).
func TestCutKeyFoundByEitherEndEscapedOrNot(t *testing.T) {
	key := "llx-Ab/Cd0123456789efGH/ijKLmn/opQRst"
	s := New(key)
	head, tail := key[:MinKeyFragment], key[len(key)-MinKeyFragment:]
	for _, cut := range []string{head, tail, key[:MinKeyFragment+5], key[len(key)-MinKeyFragment-5:], key} {
		for _, form := range escapeForms(cut) {
			for _, around := range [][2]string{{"", ""}, {`{"error_message":"token `, ` rejected"}`}, {"x", "y"}, {"%", `\`}} {
				text := around[0] + form + around[1]
				out := s.String(text)
				if strings.Contains(out, head) || strings.Contains(out, tail) || out == text {
					t.Fatalf("%q scrubbed to %q: a trace of the key survived", text, out)
				}
				if !strings.HasPrefix(out, around[0]) || !strings.HasSuffix(out, around[1]) {
					t.Fatalf("%q scrubbed to %q: the text around the key changed", text, out)
				}
			}
		}
	}
	for _, clean := range []string{`{"a":"\u0041\/x 50% off"}`, `\u006c\u006c\u0078`, "llx-", tail[:MinKeyFragment-1]} {
		if out := s.String(clean); out != clean {
			t.Fatalf("text without a trace changed: %q -> %q", clean, out)
		}
	}
}
