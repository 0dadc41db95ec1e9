package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
)

// -o jsonl against the emulator: one valid JSON object per row and nothing
// else, the same from extract, jobs wait and jobs result; the key is never
// printed; a FAILED job prints no row and exits with the job-failed code.
func TestJSONLinesAttack(t *testing.T) {
	srv, env := emulatorEnv(t)
	const n = 500
	var doc strings.Builder
	doc.WriteString("| Date | Description | Amount |\n|---|---|---|\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&doc, "| 2026-01-%02d | Item %d | %d.25 |\n", 1+i%28, i, i)
	}
	st := writeFile(t, "st.txt", doc.String())
	rowSchema := writeFile(t, "row.json", `{"type":"object","properties":{"date":{"type":"string"},"description":{"type":"string"},"amount":{"type":"number"}}}`)
	check := func(name string, r result) {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d %s", name, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "test-key") {
			t.Fatalf("%s printed the API key", name)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != n {
			t.Fatalf("%s: %d lines for %d rows", name, len(lines), n)
		}
		for i, l := range lines {
			var row map[string]any
			if err := json.Unmarshal([]byte(l), &row); err != nil || row["description"] != fmt.Sprintf("Item %d", i) {
				t.Fatalf("%s line %d %q: %v", name, i, l, err)
			}
		}
	}
	r := cli(t, env, "extract", st, "--schema", rowSchema, "--target", "per_table_row", "-o", "jsonl")
	check("extract", r)
	var jobID string
	for _, line := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "ext-") {
			jobID = f[0]
		}
	}
	check("jobs wait", cli(t, env, "jobs", "wait", jobID, "-o", "jsonl"))
	check("jobs result", cli(t, env, "jobs", "result", jobID, "-o", "jsonl"))

	up := cli(t, env, "files", "upload", st)
	var f map[string]any
	if err := json.Unmarshal([]byte(up.stdout), &f); err != nil {
		t.Fatalf("files upload: %s %s", up.stdout, up.stderr)
	}
	srv.ScriptFile(f["id"].(string), extracttest.Outcome{Error: "document is encrypted"})
	bad := cli(t, env, "extract", f["id"].(string), "--schema", rowSchema, "--target", "per_table_row", "-o", "jsonl")
	if bad.code != exitJobFailed || bad.stdout != "" || !strings.Contains(bad.stderr, "document is encrypted") {
		t.Fatalf("failed job -o jsonl: %+v", bad)
	}
}
