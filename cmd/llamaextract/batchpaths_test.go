package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// cliIn is cli run in the directory dir.
func cliIn(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// `batch . --out results.jsonl` inside the tree it walks: the results, the
// state, its lock, --out-dir and its temporary files, and a hard link and a
// symlink to them, are never uploaded; a second run creates nothing.
func TestBatchSkipsItsOwnFiles(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("Vendor: "+name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "results.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "results.jsonl"), filepath.Join(dir, "sub", "hardlink-to-results")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../state/st", filepath.Join(dir, "sub", "link-to-state")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "each"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "each", tmpPrefix+"left-by-a-kill"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", ".", "--schema", schema, "--out", "results.jsonl", "--state", "state/st", "--out-dir", "each", "-q"}
	if err := os.Mkdir(filepath.Join(dir, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		if run == 2 {
			// A link to a file in --out-dir, from outside it.
			if err := os.Symlink(filepath.Join("..", "each", outName("a.txt")), filepath.Join(dir, "sub", "link-to-a-result")); err != nil {
				t.Fatal(err)
			}
		}
		r := cliIn(t, dir, env, args...)
		lines := readLines(t, filepath.Join(dir, "results.jsonl"))
		if r.code != 0 || len(lines) != 3 || srv.Stats().JobsCreated != 3 {
			var inputs []string
			for _, l := range lines {
				inputs = append(inputs, l.Input)
			}
			t.Fatalf("run %d: exit %d, %d jobs, lines for %q: %s", run, r.code, srv.Stats().JobsCreated, inputs, r.stderr)
		}
	}
	each, _ := os.ReadDir(filepath.Join(dir, "each"))
	if len(each) != 3 {
		t.Errorf("--out-dir has %d entries, want the 3 documents' files", len(each))
	}
	// A glob that reaches into --out-dir finds nothing to extract there.
	if err := os.MkdirAll(filepath.Join(dir, "each", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "each", "sub", "old.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cliIn(t, dir, env, append([]string{"batch", "each/*"}, args[2:]...)...)
	if r.code != 0 || srv.Stats().JobsCreated != 3 {
		t.Errorf("batch 'each/*': exit %d, %d jobs: %s", r.code, srv.Stats().JobsCreated, r.stderr)
	}
}

// The names that used to overwrite each other in --out-dir, and a path
// whose flattened name passes 255 bytes (it used to fail every run with
// exit 3): one file each, exit 0.
func TestBatchOutDirNamesCollideNever(t *testing.T) {
	_, env := emulatorEnv(t)
	dir := t.TempDir()
	long := strings.Repeat("l", 200)
	names := []string{"2024/01_invoice.txt", "2024_01/invoice.txt", "2024_01_invoice.txt", long + "/" + long + "/x.txt"}
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("Vendor: "+name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outDir := t.TempDir()
	schema := writeFile(t, "s.json", schemaJSON)
	r := cliIn(t, dir, env, "batch", ".", "--schema", schema, "--out-dir", outDir, "-q")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(outDir, outName(name)))
		if err != nil || !bytes.Contains(b, []byte(`"input":"`+name+`"`)) {
			t.Errorf("%s: %v %.80s", name, err, b)
		}
	}
}

// Every conflict between the paths the batch writes, and an --out-dir that
// cannot be written, is exit 2 naming the flags, before anything is
// uploaded.
func TestBatchPathConflictsRefusedBeforeUpload(t *testing.T) {
	srv, env := emulatorEnv(t)
	docs := writeDocs(t, 2)
	schema := writeFile(t, "s.json", schemaJSON)
	tmp := t.TempDir()
	p := func(name string) string { return filepath.Join(tmp, name) }
	if err := os.WriteFile(p("a-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tmp, p("alias")); err != nil {
		t.Fatal(err)
	}
	unwritable := "/proc"
	if os.Geteuid() != 0 || runtime.GOOS != "linux" {
		unwritable = p("ro")
		if err := os.Mkdir(unwritable, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		flags []string
		want  []string
	}{
		{"out is state", []string{"--out", p("r"), "--state", p("r")}, []string{"--out", "--state"}},
		{"out is state by another spelling", []string{"--out", p("r"), "--state", p("alias/r")}, []string{"--out", "--state"}},
		{"out is the lock", []string{"--out", p("s.lock"), "--state", p("s")}, []string{"--out", "lock"}},
		{"out is a directory", []string{"--out", tmp}, []string{"--out", "directory"}},
		{"out is a device", []string{"--out", "/dev/null"}, []string{"--out", "not a regular file"}},
		{"out in a missing directory", []string{"--out", p("missing/r")}, []string{"--out", "does not exist"}},
		{"state inside out-dir", []string{"--out", p("r"), "--state", p("each/s"), "--out-dir", p("each")}, []string{"--state", "--out-dir"}},
		{"out inside out-dir", []string{"--out", p("each/r"), "--out-dir", p("each")}, []string{"--out", "--out-dir"}},
		{"out-dir is a file", []string{"--out-dir", p("a-file")}, []string{"--out-dir", "not a directory"}},
		{"out-dir unwritable", []string{"--out", p("r2"), "--out-dir", unwritable}, []string{"--out-dir", "cannot be written"}},
		{"from is out", []string{"--out", p("r3"), "--from", p("r3")}, []string{"--from", "--out"}},
		{"documents inside out-dir", []string{"--out-dir", docs}, []string{"--out-dir", docs}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, env, append([]string{"batch", docs, "--include", "*.txt", "--schema", schema, "-q"}, c.flags...)...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d: %s", r.code, exitUsage, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("the message does not name %q: %s", w, r.stderr)
				}
			}
			if st := srv.Stats(); len(st.Requests) != 0 {
				t.Fatalf("requests before the refusal: %v", st.Requests)
			}
		})
	}
}
