package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "llamaextract-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "llamaextract")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the built binary with only the given environment (plus PATH and
// HOME), so the developer's own LLAMA_CLOUD_API_KEY never leaks in.
func cli(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func emulatorEnv(t *testing.T, opts ...extracttest.Option) (*extracttest.Server, []string) {
	srv := extracttest.NewTestServer(t, append([]extracttest.Option{extracttest.WithJobDuration(50 * time.Millisecond)}, opts...)...)
	return srv, []string{"LLAMA_CLOUD_BASE_URL=" + srv.URL, "LLAMA_CLOUD_API_KEY=test-key", "LLAMAEXTRACT_POLL_INTERVAL=5ms"}
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const schemaJSON = `{"type":"object","properties":{"vendor":{"type":"string"},"total":{"type":"number"}}}`

func TestExtractStdoutIsOnlyData(t *testing.T) {
	_, env := emulatorEnv(t)
	doc := writeFile(t, "inv.txt", "Vendor: Acme\nTotal: 12.50\n")
	schema := writeFile(t, "s.json", schemaJSON)
	r := cli(t, env, "extract", doc, "--schema", schema, "--cite")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["vendor"] != "Acme" || v["total"] != 12.5 {
		t.Fatalf("stdout is not the result JSON: %q (%v)", r.stdout, err)
	}
	if !strings.Contains(r.stderr, "PENDING") || !strings.Contains(r.stderr, "COMPLETED") {
		t.Fatalf("progress missing from stderr: %q", r.stderr)
	}
	r = cli(t, env, "extract", doc, "--schema", schema, "--metadata", "--cite")
	var withMeta struct {
		Result   map[string]any `json:"result"`
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &withMeta); err != nil || withMeta.Metadata == nil || !strings.Contains(r.stdout, "matching_text") {
		t.Fatalf("--metadata: %v %s", err, r.stdout)
	}
	r = cli(t, env, "extract", doc, "--schema", schema, "--no-wait")
	var job map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &job); err != nil || job["status"] != "PENDING" {
		t.Fatalf("--no-wait: %s", r.stdout)
	}
	// The schema may come from stdin, and the result rows by table row.
	cmd := exec.Command(binary, "extract", writeFile(t, "st.txt", "| Vendor | Total |\n|--|--|\n| A | 1 |\n| B | 2 |\n"), "--schema", "-", "--target", "per_table_row")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(schemaJSON)
	out, err := cmd.Output()
	var rows []map[string]any
	if err != nil || json.Unmarshal(out, &rows) != nil || len(rows) != 2 || rows[1]["vendor"] != "B" {
		t.Fatalf("per_table_row from stdin schema: %v %s", err, out)
	}
}

func TestExitCodes(t *testing.T) {
	srv, env := emulatorEnv(t)
	doc := writeFile(t, "inv.txt", "Vendor: Acme\n")
	schema := writeFile(t, "s.json", schemaJSON)

	// 1: the job failed.
	up := cli(t, env, "files", "upload", doc)
	var f map[string]any
	if err := json.Unmarshal([]byte(up.stdout), &f); err != nil {
		t.Fatalf("files upload: %s %s", up.stdout, up.stderr)
	}
	id := f["id"].(string)
	srv.ScriptFile(id, extracttest.Outcome{Error: "document is encrypted"})
	r := cli(t, env, "extract", id, "--schema", schema)
	if r.code != exitJobFailed || !strings.Contains(r.stderr, "FAILED") || !strings.Contains(r.stderr, "document is encrypted") || r.stdout != "" {
		t.Fatalf("failed job: %+v", r)
	}

	// 2: usage errors, each saying what to do.
	usage := map[string][]string{
		"no schema":        {"extract", doc},
		"schema and id":    {"extract", doc, "--schema", schema, "--config-id", "cfg-1"},
		"bad target":       {"extract", doc, "--schema", schema, "--target", "per_word"},
		"missing document": {"extract", "/nonexistent.pdf", "--schema", schema},
		"bad schema":       {"extract", doc, "--schema", writeFile(t, "bad.json", `{"type":"array"}`)},
		"unknown flag":     {"extract", doc, "--frobnicate"},
		"unknown command":  {"frobnicate"},
		"unknown subcmd":   {"jobs", "frobnicate"},
		"bad flag value":   {"jobs", "list", "--page-size", "many"},
		"unknown shortcut": {"jobs", "list", "-z"},
		"emulator args":    {"emulator", "extra"},
		"missing upload":   {"files", "upload", "/nonexistent.pdf"},
		"extra args":       {"jobs", "get"},
		"bad output":       {"jobs", "list", "--output", "yaml"},
	}
	uploadsBefore := srv.Stats().Requests[extracttest.OpUploadFile]
	for name, args := range usage {
		r := cli(t, env, args...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "llamaextract:") {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if n := srv.Stats().Requests[extracttest.OpUploadFile] - uploadsBefore; n != 0 {
		t.Errorf("usage errors uploaded %d files: a bad configuration must be refused before the upload", n)
	}

	// 2: no key, with the fix in the message.
	r = cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + srv.URL}, "jobs", "list")
	if r.code != exitUsage || !strings.Contains(r.stderr, "set LLAMA_CLOUD_API_KEY or pass --api-key") {
		t.Fatalf("missing key: %+v", r)
	}
	if r := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + srv.URL}, "jobs", "list", "--api-key", "k"); r.code != 0 {
		t.Fatalf("--api-key: %+v", r)
	}

	// 3: API and network errors.
	r = cli(t, env, "jobs", "get", "ext-missing")
	if r.code != exitAPI || !strings.Contains(r.stderr, "404") || !strings.Contains(r.stderr, "hint") {
		t.Fatalf("not found: %+v", r)
	}
	r = cli(t, []string{"LLAMA_CLOUD_API_KEY=k", "LLAMAEXTRACT_VERBOSE=false"}, "jobs", "list", "--base-url", "http://127.0.0.1:1")
	if r.code != exitAPI || !strings.Contains(r.stderr, "connection") {
		t.Fatalf("network: %+v", r)
	}
}

func TestJobsCommands(t *testing.T) {
	srv, env := emulatorEnv(t, extracttest.WithJobDuration(time.Hour))
	file := srv.AddFile("a.txt", []byte("Vendor: V\n"))
	schema := writeFile(t, "s.json", schemaJSON)
	var ids []string
	for i := 0; i < 3; i++ {
		r := cli(t, env, "extract", file, "--schema", schema, "--no-wait")
		var j map[string]any
		json.Unmarshal([]byte(r.stdout), &j)
		ids = append(ids, j["id"].(string))
	}
	r := cli(t, env, "jobs", "list", "--all", "--page-size", "2", "-o", "json")
	var jobs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil || len(jobs) != 3 || jobs[0]["id"] != ids[2] {
		t.Fatalf("list --all: %v %s", err, r.stdout)
	}
	r = cli(t, append(env, "LLAMAEXTRACT_OUTPUT=table"), "jobs", "list")
	if !strings.HasPrefix(r.stdout, "ID") || strings.Count(r.stdout, "\n") != 4 || !strings.Contains(r.stdout, ids[0]) {
		t.Fatalf("table from env: %q", r.stdout)
	}
	r = cli(t, env, "jobs", "get", ids[0], "--expand", "configuration")
	if r.code != 0 || !strings.Contains(r.stdout, `"configuration"`) {
		t.Fatalf("get: %+v", r)
	}
	r = cli(t, env, "jobs", "cancel", ids[0])
	if r.code != 0 || !strings.Contains(r.stdout, "CANCELLED") {
		t.Fatalf("cancel: %+v", r)
	}
	r = cli(t, env, "jobs", "wait", ids[0])
	if r.code != exitJobFailed || !strings.Contains(r.stderr, "CANCELLED") {
		t.Fatalf("wait on a cancelled job: %+v", r)
	}
	r = cli(t, env, "jobs", "delete", ids[0])
	if r.code != 0 || !strings.Contains(r.stderr, "deleted") {
		t.Fatalf("delete: %+v", r)
	}
	r = cli(t, env, "jobs", "wait", ids[1], "--timeout", "50ms")
	if r.code != exitAPI || !strings.Contains(r.stderr, "timed out") {
		t.Fatalf("wait timeout: %+v", r)
	}
	if r := cli(t, env, "jobs", "get", ids[1]); !strings.Contains(r.stdout, "CANCELLED") {
		t.Fatalf("a timed-out wait cancels the job: %s", r.stdout)
	}
}

func TestWaitPrintsResult(t *testing.T) {
	srv, env := emulatorEnv(t)
	file := srv.AddFile("a.txt", []byte("Vendor: V\nTotal: 3\n"))
	r := cli(t, env, "extract", file, "--schema", writeFile(t, "s.json", schemaJSON), "--no-wait")
	var j map[string]any
	json.Unmarshal([]byte(r.stdout), &j)
	r = cli(t, env, "jobs", "wait", j["id"].(string))
	if r.code != 0 || !strings.Contains(r.stdout, `"total": 3`) {
		t.Fatalf("wait: %+v", r)
	}
}

func TestSchemaAndFilesCommands(t *testing.T) {
	_, env := emulatorEnv(t)
	r := cli(t, env, "schema", "validate", writeFile(t, "s.json", schemaJSON))
	if r.code != 0 || !strings.Contains(r.stdout, `"vendor"`) {
		t.Fatalf("validate: %+v", r)
	}
	r = cli(t, env, "schema", "validate", writeFile(t, "bad.json", `{"type":"object","properties":{"a":{"type":"strin"}}}`))
	if r.code != exitUsage || !strings.Contains(r.stderr, "data_schema") {
		t.Fatalf("invalid schema: %+v", r)
	}
	r = cli(t, env, "schema", "generate", "--prompt", "vendor name and total amount")
	if r.code != 0 || !strings.Contains(r.stdout, "total_amount") || !strings.Contains(r.stdout, "extract_v2") {
		t.Fatalf("generate: %+v", r)
	}
	r = cli(t, env, "files", "upload", writeFile(t, "x.pdf", "%PDF-1.4"), "--purpose", "parse", "--external-id", "mine")
	if r.code != 0 || !strings.Contains(r.stdout, `"file_type": "pdf"`) || !strings.Contains(r.stdout, `"external_file_id": "mine"`) {
		t.Fatalf("upload: %+v", r)
	}
	if r := cli(t, env, "files", "upload", "/nonexistent"); r.code != exitUsage {
		t.Fatalf("upload missing file: %+v", r)
	}
}

func TestDemo(t *testing.T) {
	root, _ := filepath.Abs("../..")
	r := cli(t, nil, "demo", "--job-duration", "200ms",
		"--file", filepath.Join(root, "examples/invoice/sample/invoice.txt"), "--schema", filepath.Join(root, "examples/invoice/sample/schema.json"))
	if r.code != 0 {
		t.Fatalf("demo exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"LOCAL EMULATOR", "COMPLETED", "INV-2026-0042", "decoded into a Go struct", `page 1  "Acme Corporation"`, "LLAMA_CLOUD_API_KEY"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "PENDING") || !strings.Contains(r.stderr, "COMPLETED") {
		t.Errorf("no progress on stderr: %s", r.stderr)
	}
}

// -o jsonl streams the rows, one compact JSON object per line, from extract
// and from jobs result; a per_doc result or target is a usage error, and a
// per_doc target is refused before anything is sent.
func TestJSONLines(t *testing.T) {
	srv, env := emulatorEnv(t)
	rowSchema := writeFile(t, "row.json", `{"type":"object","properties":{"date":{"type":"string"},"description":{"type":"string"},"amount":{"type":"number"}}}`)
	st := writeFile(t, "st.txt", "| Date | Description | Amount |\n|---|---|---|\n| 2026-01-02 | Coffee | 3.50 |\n| 2026-01-03 | Books | 42.00 |\n| 2026-01-04 | Rent | 900.00 |\n")
	r := cli(t, env, "extract", st, "--schema", rowSchema, "--target", "per_table_row", "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("extract -o jsonl: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), r.stdout)
	}
	for i, want := range []string{"Coffee", "Books", "Rent"} {
		var row struct {
			Description string  `json:"description"`
			Amount      float64 `json:"amount"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &row); err != nil || row.Description != want {
			t.Fatalf("line %d %q: %v", i, lines[i], err)
		}
	}
	var jobID string
	for _, line := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "ext-") {
			jobID = f[0]
		}
	}
	if jobID == "" {
		t.Fatalf("no job id in progress: %q", r.stderr)
	}
	res := cli(t, env, "jobs", "result", jobID, "-o", "jsonl")
	if res.code != 0 || res.stdout != r.stdout {
		t.Fatalf("jobs result -o jsonl: %d %q %s", res.code, res.stdout, res.stderr)
	}
	asJSON := cli(t, env, "jobs", "result", jobID, "-o", "json")
	var all []map[string]any
	if err := json.Unmarshal([]byte(asJSON.stdout), &all); err != nil || len(all) != 3 {
		t.Fatalf("jobs result -o json: %v %q", err, asJSON.stdout)
	}

	before := srv.Stats().Requests
	bad := cli(t, env, "extract", st, "--schema", rowSchema, "-o", "jsonl")
	if bad.code != 2 || !strings.Contains(bad.stderr, "--target per_table_row or per_page") {
		t.Fatalf("per_doc -o jsonl: %d %s", bad.code, bad.stderr)
	}
	after := srv.Stats().Requests
	if len(after) != len(before) || after["UploadFile"] != before["UploadFile"] || after["CreateExtractJob"] != before["CreateExtractJob"] {
		t.Fatalf("requests sent before refusing: %v -> %v", before, after)
	}

	doc := writeFile(t, "inv.txt", "Vendor: Acme\nTotal: 12.50\n")
	d := cli(t, env, "extract", doc, "--schema", writeFile(t, "s.json", schemaJSON))
	var docJob string
	for _, line := range strings.Split(d.stderr, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "ext-") {
			docJob = f[0]
		}
	}
	shape := cli(t, env, "jobs", "result", docJob, "-o", "jsonl")
	if shape.code != 2 || !strings.Contains(shape.stderr, "use -o json") || shape.stdout != "" {
		t.Fatalf("per_doc result -o jsonl: %d %q %s", shape.code, shape.stdout, shape.stderr)
	}
}
