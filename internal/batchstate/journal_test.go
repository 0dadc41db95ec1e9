package batchstate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hashA = "aa00000000000000000000000000000000000000000000000000000000000000"

func open(t *testing.T, path string) *Journal {
	t.Helper()
	j, err := Open(path, "cfg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestJournalReplaysEverySteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	must(t, j.Creating("a", "dfl-a"))
	must(t, j.Uploaded("b", hashA, "dfl-b"))
	must(t, j.Creating("b", "dfl-b"))
	must(t, j.Created("b", "ext-b"))
	mark := int64(42)
	must(t, j.Finished("b", "", "ext-b", "COMPLETED", false, &mark))
	must(t, j.Uploaded("c", hashA, "dfl-c"))
	j.Close()

	j = open(t, path)
	a, _ := j.Lookup("a")
	b, _ := j.Lookup("b")
	c, _ := j.Lookup("c")
	if a.Step != Creating || a.FileID != "dfl-a" || a.Hash != hashA {
		t.Errorf("a = %+v", a)
	}
	if b.Step != Done || b.Status != "COMPLETED" || !b.SameContent(hashA) || b.SameContent("bb"+hashA[2:]) {
		t.Errorf("b = %+v", b)
	}
	if c.Step != Uploaded || c.FileID != "dfl-c" {
		t.Errorf("c = %+v", c)
	}
	if _, ok := j.Lookup("d"); ok {
		t.Error("unknown document found")
	}
	if m, ok := j.Mark(); !ok || m != 42 {
		t.Errorf("mark = %d, %v", m, ok)
	}
	if done, failed, pending := j.Counts(); done != 1 || failed != 0 || pending != 2 {
		t.Errorf("counts %d %d %d", done, failed, pending)
	}
	// Uploading a finished document again starts it over.
	must(t, j.Uploaded("b", hashA, "dfl-b2"))
	if b, _ := j.Lookup("b"); b.Step != Uploaded || b.FileID != "dfl-b2" {
		t.Errorf("b after re-upload = %+v", b)
	}
}

// A kill -9 or a power loss in the middle of a write leaves a partial last
// line: it is cut off, the records before it count, and appending goes on.
func TestJournalRecoversFromATornLastRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	must(t, j.Creating("a", "dfl-a"))
	must(t, j.Created("a", "ext-a"))
	j.Close()
	full, err := os.ReadFile(path)
	must(t, err)
	for cut := len(full) - 1; cut > len(full)-30; cut-- {
		must(t, os.WriteFile(path, full[:cut], 0o600))
		j, err := Open(path, "cfg")
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		a, _ := j.Lookup("a")
		if a.Step != Creating || j.TornBytes() == 0 {
			t.Fatalf("cut at %d: a = %+v, torn %d; want the last complete record (creating)", cut, a, j.TornBytes())
		}
		must(t, j.Created("a", "ext-2"))
		j.Close()
		j = open(t, path)
		if a, _ := j.Lookup("a"); a.Step != Created || a.JobID != "ext-2" {
			t.Fatalf("cut at %d: after appending, a = %+v", cut, a)
		}
		j.Close()
	}
	// Zeros at the end, as some file systems leave after a power loss.
	must(t, os.WriteFile(path, append(append([]byte(nil), full...), make([]byte, 300)...), 0o600))
	j = open(t, path)
	if a, _ := j.Lookup("a"); a.Step != Created || a.JobID != "ext-a" {
		t.Fatalf("after zeros: a = %+v", a)
	}
}

func TestJournalRefusesDamageAndOtherConfigs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	must(t, j.Creating("a", "dfl-a"))
	j.Close()

	if _, err := Open(path, "other"); !errors.Is(err, ErrConfigChanged) {
		t.Fatalf("other config: %v", err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	lines[1] = "{garbage\n"
	must(t, os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600))
	if _, err := Open(path, "cfg"); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("damaged middle line: %v", err)
	}
	// A record naming its document twice is not one this package wrote.
	lines[1] = `{"doc":"a","doc_bytes":"YQ==","event":"creating","file_id":"dfl-a"}` + "\n"
	must(t, os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600))
	if _, err := Open(path, "cfg"); err == nil || !strings.Contains(err.Error(), "line 2: record with two document keys") {
		t.Fatalf("a record with two keys: %v", err)
	}
	must(t, os.WriteFile(path, []byte("hello\nworld\n"), 0o600))
	if _, err := Open(path, "cfg"); err == nil {
		t.Fatal("a file that is not a journal was accepted")
	}
	// A header torn in its first write is a new journal, which is cut
	// off and written again, and can be appended to and replayed.
	must(t, os.WriteFile(path, []byte(`{"format":1,"con`), 0o600))
	j = open(t, path)
	if done, _, pending := j.Counts(); done+pending != 0 || j.TornBytes() != 16 {
		t.Fatalf("records from nowhere, or the torn header not cut off (%d bytes)", j.TornBytes())
	}
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	j.Close()
	j = open(t, path)
	if d, _ := j.Lookup("a"); d.Step != Uploaded || j.TornBytes() != 0 {
		t.Fatalf("after a new header and a record: %+v, torn %d", d, j.TornBytes())
	}
}

func FuzzJournalOpen(f *testing.F) {
	f.Add([]byte("{\"format\":1,\"config\":\"cfg\"}\n{\"doc\":\"a\",\"event\":\"uploaded\",\"hash\":\"aa\",\"file_id\":\"dfl-a\"}\n"))
	f.Add([]byte("{\"format\":1,\"config\":\"cfg\"}\n{\"doc\":\"a\",\"event\":\"done\",\"hash\":\"zz\"}\n{\"doc"))
	f.Add([]byte("{\"format\":1,\"config\":\"cfg\"}\n{\"doc\":\"a\",\"event\":\"what\"}\n"))
	f.Add([]byte("{\"format\":1,\"config\":\"cfg\"}\n{\"doc_bytes\":\"eP8=\",\"event\":\"uploaded\",\"hash\":\"aa\",\"file_id\":\"dfl-a\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "s")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(path, "cfg")
		if err != nil {
			return
		}
		defer j.Close()
		if err := errors.Join(j.Uploaded("x", hashA, "dfl-x"), j.Uploaded("x\xff", hashA, "dfl-y")); err != nil {
			t.Fatal(err)
		}
		j.Close()
		j2, err := Open(path, "cfg")
		if err != nil {
			t.Fatalf("a journal this package wrote cannot be reopened: %v", err)
		}
		defer j2.Close()
		if d, _ := j2.Lookup("x"); d.Step != Uploaded || d.FileID != "dfl-x" {
			t.Fatalf("x = %+v", d)
		}
		if d, _ := j2.Lookup("x\xff"); d.Step != Uploaded || d.FileID != "dfl-y" {
			t.Fatalf("x\\xff = %+v", d)
		}
	})
}

// Concurrent writers share fsyncs; every record is there after reopening.
func TestJournalConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	errs := make(chan error, 64)
	for i := range 64 {
		go func() {
			k := string(rune('a'+i%26)) + string(rune('0'+i/26))
			errs <- errors.Join(j.Uploaded(k, hashA, "dfl-"+k), j.Creating(k, "dfl-"+k), j.Created(k, "ext-"+k))
		}()
	}
	for range 64 {
		must(t, <-errs)
	}
	j.Close()
	j = open(t, path)
	if _, _, pending := j.Counts(); pending != 64 {
		t.Fatalf("%d documents after reopening, want 64", pending)
	}
	if d, _ := j.Lookup("c1"); d.Step != Created || d.JobID != "ext-c1" {
		t.Fatalf("c1 = %+v", d)
	}
}

// A document finished again without a hash keeps the content hash it was
// recorded with, in this run and after a replay, and counts as failed when
// its last record says so.
func TestJournalFinishedAgainKeepsTheHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	if d, _ := j.Lookup("a"); !d.SameContent(hashA) || d.SameContent(hashA[:20]) {
		t.Fatalf("a's full hash: %+v", d)
	}
	must(t, j.Finished("a", hashA, "ext-a", "COMPLETED", false, nil))
	must(t, j.Created("a", "ext-a2"))
	must(t, j.Finished("a", "", "ext-a2", "FAILED", true, nil))
	must(t, j.Finished("b", hashA, "ext-b", "CANCELLED", true, nil))
	for range 2 {
		a, _ := j.Lookup("a")
		if a.Step != Done || !a.Failed || a.Status != "FAILED" || !a.SameContent(hashA) {
			t.Fatalf("a = %+v", a)
		}
		if done, failed, pending := j.Counts(); done != 2 || failed != 2 || pending != 0 {
			t.Fatalf("counts %d %d %d, want 2 done, 2 failed", done, failed, pending)
		}
		j.Close()
		j = open(t, path)
	}
}

// A state path that is not a regular file is refused at once: a link to
// /dev/zero would be read without end.
func TestJournalRefusesAStateFileThatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.state")
	must(t, os.Symlink("/dev/zero", zero))
	for _, p := range []string{zero, dir} {
		if _, err := Open(p, "cfg"); err == nil || !strings.Contains(err.Error(), "not a regular file") && !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("Open(%s): %v, want a refusal", p, err)
		}
	}
	if _, err := Open(zero, "cfg"); !strings.Contains(err.Error(), zero+" is not a regular file") {
		t.Fatalf("Open(%s): %v, want it named as not a regular file", zero, err)
	}
	// The refusal released the lock.
	j := open(t, filepath.Join(dir, "ok.state"))
	must(t, j.Close())
	must(t, os.Remove(zero))
	must(t, os.WriteFile(zero, nil, 0o600))
	open(t, zero)
}
