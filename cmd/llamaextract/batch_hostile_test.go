//go:build unix

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileTree builds the tree of issue 20 in dir and returns the documents
// (path relative to dir -> content), the inputs the batch must refuse, and
// the one document that changes between runs.
func hostileTree(t *testing.T, dir string) (docs map[string]string, refused []string, changing string) {
	t.Helper()
	docs = map[string]string{}
	long := filepath.Join(strings.Repeat("d", 250), strings.Repeat("f", 246)+".txt")
	names := []string{"latin1-\xe9.txt", "latin1-\xe8.txt", "new\nline.txt", long, "2024/01_invoice.txt", "2024_01/invoice.txt", "2024_01_invoice.txt"}
	for i := range 24 {
		names = append(names, fmt.Sprintf("box%d/doc-%d.txt", i%3, i))
	}
	for i, name := range names {
		content := fmt.Sprintf("Vendor: V%d\nTotal: %d\n", i, i)
		if strings.HasPrefix(name, "latin1-") {
			content = "Vendor: the same bytes in both\n" // only the names' invalid bytes tell them apart
		}
		docs[name] = content
	}
	changing = "changing.txt"
	docs[changing] = "Vendor: run 0\n"
	for name, content := range docs {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"zero.txt": "/dev/zero", "loop": ".", "box0/up": ".."}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		refused = append(refused, name)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	return docs, append(refused, "fifo.txt"), changing
}

// emulatorFileName is the name a file was uploaded under, read from the
// emulator's files API.
func emulatorFileName(t *testing.T, url, fileID string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/v1/beta/files/"+fileID, nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f struct{ Name string }
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		t.Fatal(err)
	}
	return f.Name
}

// The acceptance test of issue 20: `llamaextract batch` over a tree of
// hostile inputs (names that are not UTF-8 and differ only there, a newline
// in a name, 250-byte components, names whose flattened forms used to
// collide, a link to /dev/zero, a FIFO, loops of directory links, a file
// that changes between runs, and the batch's own --out, state, lock and
// --out-dir inside the tree), run ten times against `llamaextract
// emulator` in another process, SIGKILLed at a random moment in most runs
// (the seed is logged; LLAMAEXTRACT_TEST_SEED replays one), then once to
// the end. Every document has exactly one job and one line (the changing
// one: one line per content it was extracted with, the last for its last
// content, and no job beyond one per content), nothing of the batch's own
// is uploaded, and the last run exits 1 naming every refused input.
func TestBatchHostileTreeKilledAtRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("LLAMAEXTRACT_TEST_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (LLAMAEXTRACT_TEST_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 20))
	url := emulatorProcess(t, "--job-duration", "300ms")
	dir := t.TempDir()
	docs, refused, changing := hostileTree(t, dir)
	schema := writeFile(t, "s.json", schemaJSON)
	args := []string{"batch", ".", "--schema", schema, "--out", "results.jsonl", "--out-dir", "each",
		"--poll-interval", "20ms", "--create-rate", "20", "-q"}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k"}
	versions := 0
	var last result
	for run := 1; run <= 11; run++ {
		versions++
		docs[changing] = fmt.Sprintf("Vendor: run %d\n", run)
		if err := os.WriteFile(filepath.Join(dir, changing), []byte(docs[changing]), 0o600); err != nil {
			t.Fatal(err)
		}
		kill := run <= 10 && rng.IntN(10) < 8
		after := time.Duration(50+rng.IntN(650)) * time.Millisecond
		last = runHostile(t, dir, env, args, kill, after)
		if kill {
			t.Logf("run %d: SIGKILL after %v: exit %d", run, after, last.code)
		} else {
			t.Logf("run %d: to the end: exit %d", run, last.code)
		}
	}
	if last.code != exitJobFailed {
		t.Fatalf("last run: exit %d, want 1 (refused inputs): %s", last.code, last.stderr)
	}
	for _, r := range refused {
		if !strings.Contains(last.stderr, "  "+r+": ") {
			t.Errorf("refused input %q is not named: %s", r, last.stderr)
		}
	}
	checkJSONL(t, filepath.Join(dir, "results.jsonl"))
	checkHostileOnce(t, url, readLines(t, filepath.Join(dir, "results.jsonl")), docs, changing, versions)
	checkHostileOutDir(t, filepath.Join(dir, "each"), docs)
}

// checkHostileOutDir checks that --out-dir holds one file per document,
// with its last content's line, and nothing else.
func checkHostileOutDir(t *testing.T, outDir string, docs map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(outDir)
	if err != nil || len(entries) != len(docs) {
		t.Errorf("--out-dir has %d entries for %d documents (%v)", len(entries), len(docs), err)
	}
	for name, content := range docs {
		b, err := os.ReadFile(filepath.Join(outDir, outName(name)))
		var l batchLine
		if err == nil {
			err = json.Unmarshal(b, &l)
		}
		sum := sha256.Sum256([]byte(content))
		if err != nil || l.ContentHash != hex.EncodeToString(sum[:]) {
			t.Errorf("%q: its --out-dir file %s: %v, %.100s", name, outName(name), err, b)
		}
	}
}

// runHostile runs the batch once in dir, SIGKILLed after the given time
// when kill is set.
func runHostile(t *testing.T, dir string, env, args []string, kill bool, after time.Duration) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if kill {
		timer := time.AfterFunc(after, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the batch hung: %s", stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{code: code, stderr: stderr.String()}
}

// checkHostileOnce checks the lines of --out and the emulator's jobs
// against the documents.
func checkHostileOnce(t *testing.T, url string, lines []batchLine, docs map[string]string, changing string, versions int) {
	t.Helper()
	byDoc := map[string][]batchLine{}
	for _, l := range lines {
		in := l.Input
		if l.InputBase64 != nil {
			in = string(l.InputBase64)
		}
		if _, ok := docs[in]; !ok {
			t.Errorf("a line for %q, which is not a document", in)
		}
		byDoc[in] = append(byDoc[in], l)
	}
	st := emulatorStats(t, url)
	lineFiles := map[string]bool{}
	for name, content := range docs {
		ls := byDoc[name]
		if name != changing && len(ls) != 1 || len(ls) == 0 {
			t.Errorf("%q: %d lines, want 1", name, len(ls))
			continue
		}
		sum := sha256.Sum256([]byte(content))
		if l := ls[len(ls)-1]; l.Status != "COMPLETED" || l.ContentHash != hex.EncodeToString(sum[:]) {
			t.Errorf("%q: last line %+v, not its content's", name, l)
		}
		for _, l := range ls {
			lineFiles[l.FileID] = true
			if n := st.JobsCreatedPerFile[l.FileID]; n != 1 {
				t.Errorf("%q: %d jobs on its file %s", name, n, l.FileID)
			}
		}
	}
	changingJobs := 0
	for fileID, n := range st.JobsCreatedPerFile {
		if lineFiles[fileID] {
			continue
		}
		if name := emulatorFileName(t, url, fileID); name != changing {
			t.Errorf("%d job(s) on file %s (%q) that no line names: a duplicate", n, fileID, name)
		}
		changingJobs += n
	}
	if changingJobs+len(byDoc[changing]) > versions {
		t.Errorf("%d jobs for %q, which had %d contents", changingJobs+len(byDoc[changing]), changing, versions)
	}
	t.Logf("%d jobs for %d documents (%q: %d lines, %d jobs for contents left behind)", st.JobsCreated, len(docs), changing, len(byDoc[changing]), changingJobs)
}
