package main

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeOutName inverts outName for a name that was not cut: the proof that
// distinct paths get distinct names.
func decodeOutName(t *testing.T, name string) string {
	t.Helper()
	name = strings.TrimSuffix(name, outExt)
	var b bytes.Buffer
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '_':
			b.WriteByte('/')
		case '%':
			v, err := hex.DecodeString(name[i+1 : i+3])
			if err != nil {
				t.Fatalf("%q: bad escape at %d", name, i)
			}
			b.Write(v)
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// The names that overwrote each other, names that do not fit in 255 bytes,
// and names that differ only in bytes that are not UTF-8 each get a file of
// their own, which can be created.
func TestOutNamesNeverCollideAndAlwaysFit(t *testing.T) {
	long := strings.Repeat("x", 250)
	inputs := []string{
		"2024/01_invoice", "2024_01/invoice", "2024_01_invoice", "2024/01/invoice", "2024%2F01/invoice",
		"/2024/01_invoice", "../2024/01_invoice", "a/.b", ".b", ".llamaextract-tmp-x", "a~b", "a%5Fb",
		"bad\xff.pdf", "bad\xfe.pdf", "bad\ufffd.pdf", "new\nline.pdf", "tab\t.pdf", "ü.pdf", "u\u0308.pdf",
		long + "/" + long + "/a.pdf", long + "/" + long + "/b.pdf", long + "_" + long + "/a.pdf",
		strings.Repeat("\xff", 300), strings.Repeat("\xfe", 300), strings.Repeat("é", 200) + "/a",
	}
	dir := t.TempDir()
	seen := map[string]string{}
	for _, in := range inputs {
		name := outName(in)
		if prev, dup := seen[name]; dup {
			t.Errorf("%q and %q both map to %q", prev, in, name)
		}
		seen[name] = in
		if len(name) > maxNameBytes || strings.HasPrefix(name, ".") || strings.ContainsRune(name, '/') {
			t.Errorf("%q -> %q (%d bytes)", in, name, len(name))
		}
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Errorf("%q: %v", in, err)
		}
		if !strings.ContainsRune(name, outHashMark) {
			if got := decodeOutName(t, name); got != filepath.Clean(in) {
				t.Errorf("%q -> %q decodes to %q", in, name, got)
			}
		}
	}
	if got := outName("2024/01_invoice.pdf"); got != "2024_01%5Finvoice.pdf.json" {
		t.Errorf("the README's example maps to %q", got)
	}
}

// Random byte strings (a seeded generator): every name that was not cut
// decodes back to its path, and none is longer than 255 bytes.
func TestOutNameIsInjective(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 5))
	alphabet := []byte("ab_/%~.\xff\xc3\xa9\n ")
	seen := map[string]string{}
	for range 20000 {
		n := rng.IntN(12) + 1
		if rng.IntN(50) == 0 {
			n = 260 + rng.IntN(40)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in := filepath.Clean(string(b))
		name := outName(in)
		if prev, dup := seen[name]; dup && prev != in {
			t.Fatalf("%q and %q both map to %q", prev, in, name)
		}
		seen[name] = in
		if len(name) > maxNameBytes {
			t.Fatalf("%q -> %d bytes", in, len(name))
		}
		if !strings.ContainsRune(name, outHashMark) && decodeOutName(t, name) != in {
			t.Fatalf("%q -> %q decodes to %q", in, name, decodeOutName(t, name))
		}
	}
}
