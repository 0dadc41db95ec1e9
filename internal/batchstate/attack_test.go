package batchstate

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Two journals on one state file would each create jobs for the same
// documents: the second Open must fail, naming the holder, until the first
// is closed.
func TestJournalSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j, err := Open(path, "cfg")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, "cfg")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open: %v, want ErrLocked naming process %d", err, os.Getpid())
	}
	must(t, j.Close())
	j2, err := Open(path, "cfg")
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	must(t, j2.Close())
	// A failed Open (another configuration) must not keep the lock.
	if _, err := Open(path, "other"); !errors.Is(err, ErrConfigChanged) {
		t.Fatalf("other config: %v", err)
	}
	j3, err := Open(path, "cfg")
	if err != nil {
		t.Fatalf("Open after a refused Open: %v", err)
	}
	must(t, j3.Close())
}

// The last record cut at every byte offset, as a crash in the middle of
// its write would leave it: Open recovers every time, the documents before
// it are intact, the cut document is where its previous record left it,
// and a record appended after recovery replays.
func TestJournalTornAtEveryOffsetOfTheLastRecord(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	j := open(t, full)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	must(t, j.Finished("a", "", "ext-a", "COMPLETED", false, nil))
	must(t, j.Uploaded("doc\nwith newline é", hashA, "dfl-b"))
	must(t, j.Creating("doc\nwith newline é", "dfl-b"))
	before, err := os.ReadFile(full)
	must(t, err)
	mark := int64(77)
	must(t, j.Finished("doc\nwith newline é", hashA, "ext-b", "FAILED", true, &mark))
	j.Close()
	after, err := os.ReadFile(full)
	must(t, err)
	for cut := len(before); cut < len(after); cut++ {
		p := filepath.Join(dir, "cut"+strconv.Itoa(cut))
		must(t, os.WriteFile(p, after[:cut], 0o600))
		j, err := Open(p, "cfg")
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(after), err)
		}
		a, _ := j.Lookup("a")
		b, _ := j.Lookup("doc\nwith newline é")
		if a.Step != Done || b.Step != Creating || b.FileID != "dfl-b" {
			t.Fatalf("cut at %d: a %+v, b %+v", cut, a, b)
		}
		if _, has := j.Mark(); has {
			t.Fatalf("cut at %d: a mark from the torn record", cut)
		}
		if want := int64(cut - len(before)); j.TornBytes() != want {
			t.Fatalf("cut at %d: TornBytes %d, want %d", cut, j.TornBytes(), want)
		}
		must(t, j.Created("doc\nwith newline é", "ext-b2"))
		j.Close()
		j = open(t, p)
		if b, _ := j.Lookup("doc\nwith newline é"); b.Step != Created || b.JobID != "ext-b2" || j.TornBytes() != 0 {
			t.Fatalf("cut at %d, after recovery and a new record: %+v, torn %d", cut, b, j.TornBytes())
		}
		j.Close()
	}
}
