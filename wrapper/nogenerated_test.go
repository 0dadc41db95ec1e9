package wrapper_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The code users read and copy (the README's Go snippets, the examples,
// the godoc examples, the CLI and the program that drives every operation)
// must work without the generated package: if it needs it, the wrapper's
// surface has a hole.
func TestNoGeneratedInUserCode(t *testing.T) {
	const generated = "llamaextract/generated"
	files := []string{"example_test.go", "surface_test.go"}
	for _, pattern := range []string{"../examples/*/*.go", "../examples/internal/*/*.go", "../cmd/llamaextract/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %v: the globs are stale", files)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), generated) {
			t.Errorf("%s imports %s", name, generated)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(snippets) < 3 {
		t.Fatalf("README has %d Go snippets; the pattern is stale", len(snippets))
	}
	for _, s := range snippets {
		if strings.Contains(s[1], "generated.") || strings.Contains(s[1], generated) {
			t.Errorf("README snippet uses the generated package:\n%s", s[1])
		}
	}
}
