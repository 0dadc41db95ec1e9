package fileinput

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "dfl-local.pdf"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want string
		id   bool
	}{
		{"dfl-123", "dfl-123", true},
		{" pjb-9 ", "pjb-9", true},
		{"invoice.pdf", "invoice.pdf", false},
		{"dfl-local.pdf", "dfl-local.pdf", false}, // a file of that name exists
		{"DFL-123", "DFL-123", false},             // IDs are lower case
		{"", "", false},
	}
	for _, c := range cases {
		got, id := Resolve(c.in)
		if got != c.want || id != c.id {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", c.in, got, id, c.want, c.id)
		}
	}
	if !IsID("dfl-local.pdf") || IsID("report.pdf") {
		t.Error("IsID looks at the form only")
	}
}
