package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The demo needs nothing but the binary: built with go build and run from
// an empty folder (as after go install), it uploads the built-in sample to
// the in-process emulator and exits 0.
func TestDemoRunsFromAnyFolder(t *testing.T) {
	// binary is this package built with go build by TestMain, outside
	// the repository.
	cmd := exec.Command(binary, "demo", "--job-duration", "200ms")
	cmd.Dir = t.TempDir()
	cmd.Env = withoutKeys(os.Environ())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo from an empty folder: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"LOCAL EMULATOR", "No API key, no network", "invoice.txt (built in)", "COMPLETED", "INV-2026-0042"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// withoutKeys drops every API key and base URL from env, so that a test
// child process cannot reach LlamaCloud.
func withoutKeys(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "LLAMA_CLOUD_") || strings.HasPrefix(kv, "LLAMA_PARSE_") || strings.HasPrefix(kv, "LLAMAEXTRACT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// --file and --schema still name the user's own files.
func TestDemoFlagsOverrideTheSample(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "mine.txt")
	schema := filepath.Join(dir, "mine.json")
	if err := os.WriteFile(doc, []byte("Invoice Number: MINE-7\nVendor: Me\nTotal: 3.00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(schema, []byte(`{"type":"object","properties":{"invoice_number":{"type":"string"}},"required":["invoice_number"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, nil, "demo", "--job-duration", "100ms", "--file", doc, "--schema", schema)
	if r.code != 0 || !strings.Contains(r.stdout, "MINE-7") || !strings.Contains(r.stdout, "upload  "+doc) {
		t.Fatalf("demo with --file/--schema: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, nil, "demo", "--schema", filepath.Join(dir, "missing.json")); r.code != exitUsage {
		t.Fatalf("missing --schema: exit %d, want %d: %s", r.code, exitUsage, r.stderr)
	}
}
