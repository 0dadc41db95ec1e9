package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// emulatorProcess starts `llamaextract emulator` as its own process on a
// free loopback port and returns its URL; it is killed when the test ends.
func emulatorProcess(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"emulator", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://127.0.0.1:") {
		t.Fatalf("emulator did not print its URL: %q %v", line, err)
	}
	return strings.TrimSpace(line)
}

func emulatorStats(t *testing.T, url string) extracttest.StatsJSON {
	t.Helper()
	st, err := extracttest.ReadStats(context.Background(), nil, url)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func writeDocs(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("box%d", i%3))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("doc-%03d.txt", i)), []byte(fmt.Sprintf("Vendor: V%d\nTotal: %d.5\n", i, i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Not a document: --include must leave it out.
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readLines(t *testing.T, path string) []batchLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []batchLine
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if l == "" {
			continue
		}
		var bl batchLine
		if err := json.Unmarshal([]byte(l), &bl); err != nil {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
		out = append(out, bl)
	}
	return out
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// checkOnce asserts that every document appears exactly once in the output
// and that the emulator made exactly one job per document.
func checkOnce(t *testing.T, lines []batchLine, n int, st extracttest.StatsJSON) {
	t.Helper()
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l.Input] {
			t.Errorf("%s written twice", l.Input)
		}
		seen[l.Input] = true
		if got := st.JobsCreatedPerFile[l.FileID]; got != 1 {
			t.Errorf("%s: %d jobs on its file %s, want 1", l.Input, got, l.FileID)
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d documents in the output", len(seen), n)
	}
	if st.JobsCreated != n {
		t.Errorf("the emulator created %d jobs for %d documents", st.JobsCreated, n)
	}
}

// The process is killed with SIGKILL half way through, its state file then
// loses the end of its last record as a torn write would, and the same
// command is run again: every document in the output exactly once, and
// exactly one job per document on the emulator over both runs.
func TestBatchKillNineAndResume(t *testing.T) {
	const n = 120
	url := emulatorProcess(t, "--job-duration", "150ms")
	dir := writeDocs(t, n)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "results.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--out-dir", filepath.Join(outDir, "each"),
		"--poll-interval", "20ms", "--create-rate", "40", "-q"}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}

	first := exec.Command(binary, args...)
	first.Env = env
	var stderr bytes.Buffer
	first.Stderr = &stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for countLines(out) < n/2 {
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			t.Fatalf("no progress: %d lines; %s", countLines(out), stderr.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := countLines(out)
	before := emulatorStats(t, url)
	if killedAt >= n || before.JobsCreated >= n {
		t.Fatalf("killed too late to test anything: %d lines, %d jobs", killedAt, before.JobsCreated)
	}

	// A torn last write: chop the state file mid-record.
	state := out + ".state"
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, b[:len(b)-9], 0o600); err != nil {
		t.Fatal(err)
	}

	r := cli(t, env[2:], args...)
	if r.code != 0 {
		t.Fatalf("resume: exit %d: %s", r.code, r.stderr)
	}
	lines := readLines(t, out)
	st := emulatorStats(t, url)
	checkOnce(t, lines, n, st)
	for _, l := range lines {
		if l.Status != "COMPLETED" || !strings.Contains(string(l.Result), `"vendor"`) || len(l.ContentHash) != 64 || l.JobID == "" {
			t.Fatalf("line %+v", l)
		}
	}
	each, _ := os.ReadDir(filepath.Join(outDir, "each"))
	if len(each) != n {
		t.Errorf("--out-dir has %d files for %d documents", len(each), n)
	}
	t.Logf("killed at %d of %d lines with %d jobs created; the resumed run created %d more", killedAt, n, before.JobsCreated, st.JobsCreated-before.JobsCreated)

	// Once more: nothing to do, nothing created, and -q prints nothing.
	r = cli(t, env[2:], args...)
	if r.code != 0 || countLines(out) != n || emulatorStats(t, url).JobsCreated != n || r.stderr != "" {
		t.Fatalf("third run: exit %d, %d lines, stderr %q", r.code, countLines(out), r.stderr)
	}
}

// A fifth of the jobs fail: every input appears exactly once, the failures are
// listed with why, exit 1; --retry-failed runs just those again.
func TestBatchFailuresAndExitCodes(t *testing.T) {
	url := emulatorProcess(t, "--job-duration", "20ms", "--fail-ratio", "0.2", "--create-rate-limit", "60")
	const n = 60
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}
	args := []string{"batch", dir, "--exclude", "*.md", "--schema", schema, "--out", out, "--poll-interval", "10ms", "--create-rate", "100"}
	r := cli(t, env, args...)
	lines := readLines(t, out)
	failed := 0
	for _, l := range lines {
		if l.Status == "FAILED" {
			failed++
			if !strings.Contains(r.stderr, l.Input+": job "+l.JobID+" FAILED") || l.Error == "" {
				t.Errorf("failure of %s not listed with why: %s", l.Input, r.stderr)
			}
		}
	}
	if failed == 0 || r.code != exitJobFailed {
		t.Fatalf("%d failed, exit %d: %s", failed, r.code, r.stderr)
	}
	checkOnce(t, lines, n, emulatorStats(t, url))
	if !strings.Contains(r.stderr, "rate-limited") {
		t.Errorf("no summary: %s", r.stderr)
	}

	// --retry-failed runs the failed documents again; their new line follows.
	r = cli(t, env, append(args, "--retry-failed", "--progress-interval", "1ms")...)
	if got := countLines(out); got != n+failed || r.code == exitUsage || r.code == exitAPI {
		t.Fatalf("--retry-failed: %d lines for %d + %d failed, exit %d: %s", got, n, failed, r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "batch: done") {
		t.Errorf("no progress line without a terminal: %q", r.stderr)
	}

	// A refused key stops the batch: exit 3, resumable.
	other := emulatorProcess(t, "--api-key", "right")
	r = cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + other, "LLAMA_CLOUD_API_KEY=wrong"}, "batch", dir, "--schema", schema, "--out", filepath.Join(t.TempDir(), "x.jsonl"))
	if r.code != exitAPI || !strings.Contains(r.stderr, "401") || !strings.Contains(r.stderr, "resume") {
		t.Fatalf("refused key: exit %d: %s", r.code, r.stderr)
	}

	// Stdout when there is no --out, paths from stdin.
	var list strings.Builder
	for _, l := range lines[:5] {
		fmt.Fprintln(&list, l.Input)
	}
	cmd := exec.Command(binary, "batch", "--from", "-", "--schema", schema, "--poll-interval", "10ms", "-q")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(list.String() + lines[0].Input + "\n")
	stdout, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if got := bytes.Count(stdout, []byte("\n")); got != 5 {
		t.Fatalf("--from - with a duplicate: %d lines on stdout, want 5: %s", got, stdout)
	}

	// Usage errors.
	for name, a := range map[string][]string{
		"no inputs":      {"batch", "--schema", schema},
		"no schema":      {"batch", dir},
		"missing input":  {"batch", "/nonexistent/dir", "--schema", schema},
		"bad pattern":    {"batch", dir, "--schema", schema, "--include", "["},
		"negative rate":  {"batch", dir, "--schema", schema, "--create-rate", "-1"},
		"state of other": {"batch", dir, "--schema", schema, "--out", out, "--target", "per_page"},
	} {
		if r := cli(t, env, a...); r.code != exitUsage {
			t.Errorf("%s: exit %d: %s", name, r.code, r.stderr)
		}
	}
}

// The first SIGINT stops creating and lets the running jobs finish and be
// written (exit 130); the next run does the rest.
func TestBatchInterruptDrainsThenResumes(t *testing.T) {
	const n = 60
	url := emulatorProcess(t, "--job-duration", "300ms")
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--poll-interval", "20ms", "--create-rate", "30", "-q"}
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for countLines(out) < 5 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("after Ctrl-C: %v", err)
	}
	st := emulatorStats(t, url)
	if got := countLines(out); got != st.JobsCreated || got >= n {
		t.Fatalf("after a drain: %d lines for %d jobs created (every created job must be waited for and written)", got, st.JobsCreated)
	}
	if r := cli(t, env, args...); r.code != 0 {
		t.Fatalf("resume: exit %d: %s", r.code, r.stderr)
	}
	checkOnce(t, readLines(t, out), n, emulatorStats(t, url))
}

// With --cancel-running the first Ctrl-C exits at once, leaving the jobs
// running on the service; the next run re-attaches to them.
func TestBatchCancelRunningExitsAtOnce(t *testing.T) {
	const n = 20
	url := emulatorProcess(t, "--job-duration", "3s")
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--poll-interval", "20ms", "--create-rate", "100", "-q"}
	cmd := exec.Command(binary, append(args, "--cancel-running")...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for emulatorStats(t, url).JobsCreated < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("after Ctrl-C: %v", err)
	}
	if got := countLines(out); got != 0 {
		t.Fatalf("%d lines: --cancel-running must not wait for the 3 s jobs", got)
	}
	if r := cli(t, env, args...); r.code != 0 {
		t.Fatalf("resume: exit %d: %s", r.code, r.stderr)
	}
	checkOnce(t, readLines(t, out), n, emulatorStats(t, url))
}
