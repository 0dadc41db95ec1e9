//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/internal/fileinput"
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

// --schema /dev/zero ends at once with a usage error instead of reading
// without end, and --from a list with a line longer than the list reader
// takes names the list as refused instead of ending the batch quietly with
// the documents after that line left out.
func TestBatchBoundedReadsOfSchemaAndList(t *testing.T) {
	srv, env := emulatorEnv(t)
	docs := writeDocs(t, 1)
	r := cli(t, env, "batch", docs, "--schema", "/dev/zero", "-q")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--schema") || !strings.Contains(r.stderr, "larger than") {
		t.Errorf("--schema /dev/zero: exit %d: %s", r.code, r.stderr)
	}
	list := writeFile(t, "list", strings.Repeat("x", 2<<20)+"\n"+filepath.Join(docs, "box0", "doc-000.txt")+"\n")
	schema := writeFile(t, "s.json", schemaJSON)
	r = cli(t, env, "batch", "--from", list, "--schema", schema, "-q")
	if r.code != exitJobFailed || !strings.Contains(r.stderr, list+": reading the list stopped") {
		t.Errorf("--from with a 2 MiB line: exit %d: %s", r.code, r.stderr)
	}
	if n := srv.Stats().JobsCreated; n != 0 {
		t.Errorf("%d jobs; the list's documents after the long line were not listed", n)
	}
}

// --from a pipe (as from <(find ...)) is read once: the progress count
// used to read it first, and the batch then waited for a writer forever.
func TestBatchFromAPipe(t *testing.T) {
	srv, env := emulatorEnv(t)
	docs := writeDocs(t, 2)
	list := filepath.Join(t.TempDir(), "list")
	if err := syscall.Mkfifo(list, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(list, os.O_WRONLY, 0); err == nil {
			_, _ = f.WriteString(filepath.Join(docs, "box0", "doc-000.txt") + "\n" + filepath.Join(docs, "box1", "doc-001.txt") + "\n")
			f.Close()
		}
	}()
	schema := writeFile(t, "s.json", schemaJSON)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "batch", "--from", list, "--schema", schema, "--progress-interval", "10ms")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil || err != nil || srv.Stats().JobsCreated != 2 {
		t.Fatalf("hung %v, %v, %d jobs: %s", ctx.Err() != nil, err, srv.Stats().JobsCreated, out)
	}
}

// --from lines are paths as `find` prints them: a name that ends (or
// starts) with a space is that file, not the file without the space. The
// list reader used to trim them: "report.txt " extracted "report.txt" (a
// second time, or an unreadable input) and never the file named.
func TestBatchFromKeepsSpacesThatAreInTheName(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	files := map[string]string{"report.txt": "Vendor: plain\n", "report.txt ": "Vendor: trailing\n", " lead.txt": "Vendor: leading\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	list := writeFile(t, "list", "# documents\n\n"+filepath.Join(dir, "report.txt")+"\r\n"+filepath.Join(dir, "report.txt ")+"\n"+dir+"/ lead.txt\n   \n")
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	r := cli(t, env, "batch", "--from", list, "--schema", schema, "--out", out, "-q")
	got := map[string]bool{}
	for _, l := range readLines(t, out) {
		got[filepath.Base(l.Input)] = l.Status == "COMPLETED"
	}
	for name := range files {
		if !got[name] {
			t.Errorf("%q: not extracted (lines: %v)", name, got)
		}
	}
	if r.code != 0 || len(got) != 3 || srv.Stats().JobsCreated != 3 {
		t.Errorf("exit %d, %d documents, %d jobs: %s", r.code, len(got), srv.Stats().JobsCreated, r.stderr)
	}
}

// A loop of file links (l1 -> l2 -> l1) can never be read. It used to be a
// failed document that later runs counted without naming it, so a rerun
// exited 1 without saying which input was wrong. It is refused, and named,
// on every run.
func TestBatchNamesALoopOfLinksOnEveryRun(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Vendor: A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{"l2", "l1"}, {"l1", "l2"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	for run := 1; run <= 2; run++ {
		r := cli(t, env, "batch", dir, "--schema", schema, "--out", out, "-q")
		for _, l := range []string{"l1", "l2"} {
			if !strings.Contains(r.stderr, filepath.Join(dir, l)+": ") {
				t.Errorf("run %d: %s is not named: %s", run, l, r.stderr)
			}
		}
		if r.code != exitJobFailed || srv.Stats().JobsCreated != 1 {
			t.Errorf("run %d: exit %d, %d jobs: %s", run, r.code, srv.Stats().JobsCreated, r.stderr)
		}
	}
}

// A file above the upload limit can never be extracted. It was a failed
// document that later runs counted without naming it; it is refused before
// it is read, with its size and the limit, and named on every run.
func TestBatchNamesAFileAboveTheUploadLimitOnEveryRun(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Vendor: A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pdf")
	f, err := os.Create(big)
	if err == nil {
		err = f.Truncate(fileinput.MaxUploadSize + 1) // sparse: no disk used
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	for run := 1; run <= 2; run++ {
		r := cli(t, env, "batch", dir, "--schema", schema, "--out", out, "-q")
		if !strings.Contains(r.stderr, big+": ") || !strings.Contains(r.stderr, strconv.FormatInt(fileinput.MaxUploadSize, 10)) {
			t.Errorf("run %d: %s is not named with the limit: %s", run, big, r.stderr)
		}
		if r.code != exitJobFailed || srv.Stats().JobsCreated != 1 || srv.Stats().Requests["UploadFile"] != 1 {
			t.Errorf("run %d: exit %d, %v: %s", run, r.code, srv.Stats(), r.stderr)
		}
	}
}
