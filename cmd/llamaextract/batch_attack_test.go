package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the test can read while the process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// batchRun is one `llamaextract batch` process started in the background.
type batchRun struct {
	cmd    *exec.Cmd
	stderr syncBuffer
	exited chan struct{}
}

func startBatch(t *testing.T, env []string, args ...string) *batchRun {
	t.Helper()
	r := &batchRun{cmd: exec.Command(binary, args...), exited: make(chan struct{})}
	r.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); <-r.exited })
	return r
}

// until polls cond (a file or the emulator's counters, never a clock) and
// reports whether it held before the process exited by itself.
func (r *batchRun) until(t *testing.T, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case <-r.exited:
			return false
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the batch made no progress: %s", r.stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func (r *batchRun) kill(t *testing.T) {
	t.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// checkJSONL asserts that the --out file is whole lines of JSON, no torn
// or padded line.
func checkJSONL(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' || bytes.IndexByte(b, 0) >= 0 {
		t.Fatalf("--out has a torn or padded line: ...%q", b[max(0, len(b)-80):])
	}
}

// SIGKILL at every stage of a batch, again and again: right after the
// first upload, during the creates, once every job exists, while lines are
// being written, then kill/resume in small steps. After the last run the
// emulator holds exactly one job per document and the output has every
// document once, in whole lines.
func TestBatchKilledAtEveryStageAndAgain(t *testing.T) {
	const n = 60
	url := emulatorProcess(t, "--job-duration", "400ms")
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out,
		"--poll-interval", "20ms", "--create-rate", "100", "-q"}
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}

	type stage struct {
		name string
		at   func(files, jobs, lines int) bool
	}
	stages := []stage{
		{"after the first upload", func(files, _, _ int) bool { return files >= 1 }},
		{"during the creates", func(_, jobs, _ int) bool { return jobs >= 5 }},
		{"with every job created", func(_, jobs, _ int) bool { return jobs >= n }},
		{"while writing --out", func(_, _, lines int) bool { return lines >= 1 }},
	}
	for i := range 6 {
		stages = append(stages, stage{fmt.Sprintf("kill/resume %d", i+1), func(_, _, lines int) bool { return lines >= 2 }})
	}
	for _, s := range stages {
		st0, lines0 := emulatorStats(t, url), countLines(out)
		r := startBatch(t, env, args...)
		hit := r.until(t, func() bool {
			st := emulatorStats(t, url)
			return s.at(st.FilesUploaded-st0.FilesUploaded, st.JobsCreated, countLines(out)-lines0)
		})
		r.kill(t)
		checkJSONL(t, out)
		st := emulatorStats(t, url)
		for f, k := range st.JobsCreatedPerFile {
			if k != 1 {
				t.Fatalf("%s: %d jobs on file %s", s.name, k, f)
			}
		}
		t.Logf("%s (reached: %v): %d files, %d jobs, %d lines", s.name, hit, st.FilesUploaded, st.JobsCreated, countLines(out))
	}
	if r := cli(t, env, args...); r.code != 0 {
		t.Fatalf("last run: exit %d: %s", r.code, r.stderr)
	}
	checkJSONL(t, out)
	checkOnce(t, readLines(t, out), n, emulatorStats(t, url))
}

// Two batches on one state file would both create jobs for the same
// documents: the second is refused at once, naming the first's PID, and
// leaves the state alone.
func TestBatchSecondProcessOnTheSameStateIsRefused(t *testing.T) {
	const n = 20
	url := emulatorProcess(t, "--job-duration", "30s")
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--poll-interval", "20ms", "-q"}
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}

	first := startBatch(t, env, args...)
	if !first.until(t, func() bool { return emulatorStats(t, url).JobsCreated == n }) {
		t.Fatalf("first batch exited: %s", first.stderr.String())
	}
	second := cli(t, env, args...)
	pid := strconv.Itoa(first.cmd.Process.Pid)
	if second.code != exitUsage || !strings.Contains(second.stderr, "in use by process "+pid) {
		t.Fatalf("second batch: exit %d: %s", second.code, second.stderr)
	}
	if got := emulatorStats(t, url).JobsCreated; got != n {
		t.Fatalf("%d jobs for %d documents", got, n)
	}
	// That the lock dies with its process (kill -9 included) is what
	// TestBatchKilledAtEveryStageAndAgain relies on at every resume.
}

// The state has documents as written to --out; if --out is then deleted,
// shortened or edited, those lines are gone and the resumed batch would
// never write them again (and used to pad the gap with NUL bytes). It must
// refuse, clearly, and leave everything as it was.
func TestBatchOutDeletedOrEditedWithStateKept(t *testing.T) {
	const n = 6
	srv, env := emulatorEnv(t)
	dir := writeDocs(t, n)
	schema := writeFile(t, "s.json", schemaJSON)
	for _, tc := range []struct {
		name string
		edit func(path string) error
	}{
		{"deleted", os.Remove},
		{"truncated", func(p string) error { return os.Truncate(p, 10) }},
		{"line removed", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, b[bytes.IndexByte(b, '\n')+1:], 0o644)
		}},
		{"line end replaced", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)-1] = ' '
			return os.WriteFile(p, append(b, "\n"...), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.jsonl")
			args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "-q"}
			if r := cli(t, env, args...); r.code != 0 {
				t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
			}
			jobs := srv.Stats().JobsCreated
			if err := tc.edit(out); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(out)
			r := cli(t, env, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "--out") || !strings.Contains(r.stderr, "r.jsonl.state") {
				t.Fatalf("resume after --out %s: exit %d: %s", tc.name, r.code, r.stderr)
			}
			after, _ := os.ReadFile(out)
			if !bytes.Equal(before, after) || srv.Stats().JobsCreated != jobs {
				t.Fatalf("the refused run changed --out or created jobs: %q", after)
			}
			// The way out the message names: move the state away.
			if err := os.Rename(out+".state", out+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if r := cli(t, env, args...); r.code != 0 || len(readLines(t, out)) != n {
				t.Fatalf("fresh run: exit %d: %s", r.code, r.stderr)
			}
		})
	}
}

// Awkward inputs: a 0-byte file, a name with a newline and non-ASCII, a
// dangling symlink (a file that vanished after it was listed), a file given
// as ./a and a, an empty directory, and a --from list on stdin with CRLF
// line ends naming a file that does not exist. Every input appears exactly
// once; the ones that cannot be read are ERROR lines and the exit code is 1;
// a second run writes nothing again (it used to write the unreadable ones
// once more on every run) and still exits 1.
func TestBatchAwkwardInputs(t *testing.T) {
	srv, env := emulatorEnv(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.txt", "Vendor: A\nTotal: 1\n")
	empty := write("empty.txt", "")
	odd := write("new\nline ü.txt", "Vendor: B\nTotal: 2\n")
	gone := filepath.Join(dir, "gone.txt")
	if err := os.Symlink(filepath.Join(dir, "vanished"), gone); err != nil {
		t.Fatal(err)
	}
	emptyDir := filepath.Join(t.TempDir(), "nothing")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "listed-then-deleted.txt")
	list := write("list", "# comment\r\n"+a+"\r\n\r\n"+missing+"\r\n")
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)

	cmd := exec.Command(binary, "batch", dir, emptyDir, "--exclude", "list", "--from", "-", "--schema", schema, "--out", out, "-q")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LLAMAEXTRACT_POLL_INTERVAL=5ms"}, env...)
	listBytes, _ := os.ReadFile(list)
	cmd.Stdin = bytes.NewReader(listBytes)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	lines := readLines(t, out)
	byInput := map[string]batchLine{}
	for _, l := range lines {
		if _, dup := byInput[l.Input]; dup {
			t.Errorf("%q written twice", l.Input)
		}
		byInput[l.Input] = l
	}
	if code != exitJobFailed {
		t.Errorf("exit %d, want %d", code, exitJobFailed)
	}
	if len(lines) != 5 {
		t.Errorf("%d lines, want 5 (a.txt once, empty, odd name, dangling link, missing)", len(lines))
	}
	for _, p := range []string{a, odd} {
		if l := byInput[p]; l.Status != "COMPLETED" {
			t.Errorf("%q: %+v", p, l)
		}
	}
	for _, p := range []string{gone, missing} {
		if l := byInput[p]; l.Status != "ERROR" || l.Error == "" || !strings.Contains(stderr.String(), p) {
			t.Errorf("%q: %+v, or not listed on stderr", p, l)
		}
	}
	if l, ok := byInput[empty]; !ok || l.Status == "COMPLETED" && l.JobID == "" {
		t.Errorf("0-byte file: %+v", l)
	}
	jobs := srv.Stats().JobsCreated
	cmd = exec.Command(binary, "batch", dir, emptyDir, "--exclude", "list", "--from", "-", "--schema", schema, "--out", out, "-q")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(listBytes)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LLAMAEXTRACT_POLL_INTERVAL=5ms"}, env...)
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitJobFailed || len(readLines(t, out)) != 5 || srv.Stats().JobsCreated != jobs {
		t.Errorf("second run: %v, %d lines, %d jobs (was %d)", err, len(readLines(t, out)), srv.Stats().JobsCreated, jobs)
	}
}

// Ctrl-C twice without --cancel-running: the first stops creating and
// says so, the second exits at once (130) without waiting for the running
// 5 s jobs, and the next run re-attaches to them and creates the rest: one
// job per document.
func TestBatchInterruptTwiceExitsAtOnceThenResumes(t *testing.T) {
	const n = 30
	url := emulatorProcess(t, "--job-duration", "5s")
	dir := writeDocs(t, n)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	schema := writeFile(t, "s.json", schemaJSON)
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--poll-interval", "20ms", "--create-rate", "40"}
	r := startBatch(t, env, args...)
	if !r.until(t, func() bool { return emulatorStats(t, url).JobsCreated >= 5 }) {
		t.Fatalf("exited early: %s", r.stderr.String())
	}
	_ = r.cmd.Process.Signal(os.Interrupt)
	if !r.until(t, func() bool { return strings.Contains(r.stderr.String(), "Ctrl-C again") }) {
		t.Fatalf("exited on the first Ctrl-C: %s", r.stderr.String())
	}
	_ = r.cmd.Process.Signal(os.Interrupt)
	<-r.exited
	if code := r.cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(r.stderr.String(), "run the same command again") {
		t.Fatalf("after the second Ctrl-C: exit %d: %s", code, r.stderr.String())
	}
	if got := countLines(out); got != 0 {
		t.Fatalf("%d lines: the second Ctrl-C must not wait for the 5 s jobs", got)
	}
	created := emulatorStats(t, url).JobsCreated
	if created >= n {
		t.Fatalf("the drain did not stop creating: %d jobs", created)
	}
	if res := cli(t, env, append(args, "-q")...); res.code != 0 {
		t.Fatalf("resume: exit %d: %s", res.code, res.stderr)
	}
	checkOnce(t, readLines(t, out), n, emulatorStats(t, url))
}

// Lock first: a second batch on the same state, refused the lock, leaves
// everything of the running one alone: its temporary files in --out-dir
// (it used to delete them as stale before asking for the lock), its --out,
// and it creates no --out-dir of its own.
func TestBatchRefusedByTheLockTouchesNothing(t *testing.T) {
	const n = 4
	url := emulatorProcess(t, "--job-duration", "30s")
	dir := writeDocs(t, n)
	tmp := t.TempDir()
	out, outDir := filepath.Join(tmp, "r.jsonl"), filepath.Join(tmp, "each")
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", dir, "--include", "*.txt", "--schema", schema, "--out", out, "--poll-interval", "20ms", "-q"}
	env := []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}

	first := startBatch(t, env, append(args, "--out-dir", outDir)...)
	if !first.until(t, func() bool { return emulatorStats(t, url).JobsCreated == n }) {
		t.Fatalf("first batch exited: %s", first.stderr.String())
	}
	// What a write of the first batch holds open at this moment.
	inFlight := filepath.Join(outDir, tmpPrefix+"being-written")
	if err := os.WriteFile(inFlight, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("{\"input\":\"a line being written\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	otherDir := filepath.Join(tmp, "other")
	for _, extra := range [][]string{{"--out-dir", outDir}, {"--out-dir", otherDir}} {
		second := cli(t, env, append(args, extra...)...)
		if second.code != exitUsage || !strings.Contains(second.stderr, "in use by process") {
			t.Fatalf("second batch: exit %d: %s", second.code, second.stderr)
		}
	}
	// Another state, the same --out-dir: refused too, by --out-dir's lock.
	third := cli(t, env, "batch", dir, "--include", "*.txt", "--schema", schema, "--out", filepath.Join(tmp, "r2.jsonl"), "--out-dir", outDir, "-q")
	if third.code != exitUsage || !strings.Contains(third.stderr, "--out-dir") || !strings.Contains(third.stderr, "in use by another batch") {
		t.Fatalf("a batch on another state into the same --out-dir: exit %d: %s", third.code, third.stderr)
	}
	if _, err := os.Stat(inFlight); err != nil {
		t.Errorf("the refused batch removed the running one's temporary file: %v", err)
	}
	if countLines(out) != 1 {
		t.Errorf("the refused batch cut --out to %d lines", countLines(out))
	}
	if _, err := os.Stat(otherDir); err == nil {
		t.Errorf("the refused batch made its --out-dir")
	}
}
