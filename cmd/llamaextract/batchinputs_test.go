//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Inputs that are not regular files are never opened: a link to
// /dev/zero (read whole, it used to exhaust memory), a FIFO (opening it
// blocks), a loop of directory links, a link to a directory, whether met in
// the walk or named. Each is named as refused, the rest is extracted, and
// the exit code is 1.
func TestBatchRefusesWhatIsNotARegularFile(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Vendor: A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.txt")
	fifo := filepath.Join(dir, "fifo.txt")
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", loop); err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "named-zero")
	if err := os.Symlink("/dev/zero", named); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "batch", dir, named, "--schema", schema, "--out", out, "-q")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	stderr, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the batch hung on an input: %s", stderr)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitJobFailed {
		t.Fatalf("exit %v, want %d: %s", err, exitJobFailed, stderr)
	}
	for _, p := range []string{zero, fifo, loop, named} {
		if !strings.Contains(string(stderr), p+": ") {
			t.Errorf("%s is not named as refused: %s", p, stderr)
		}
	}
	lines := readLines(t, out)
	if len(lines) != 1 || lines[0].Input != filepath.Join(dir, "a.txt") || srv.Stats().JobsCreated != 1 {
		t.Errorf("%d lines (%+v), %d jobs; want a.txt alone", len(lines), lines, srv.Stats().JobsCreated)
	}
}
