package batchstate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A document is keyed by its path's bytes. Latin-1 names from an old share
// are not UTF-8: two that differ only in such bytes, and a name with a
// newline, each come back from the file under their own key, so that a
// resumed batch neither extracts them again nor mixes them up.
func TestJournalKeysAreThePathsBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	keys := []string{"share/caf\xe9.pdf", "share/caf\xe8.pdf", "share/line\nbreak.pdf", "share/caf\xc3\xa9.pdf", "share/caf\ufffd.pdf"}
	j := open(t, path)
	for i, k := range keys {
		must(t, j.Uploaded(k, hashA, "dfl-"+string(rune('a'+i))))
	}
	must(t, j.Finished(keys[0], "", "ext-a", "COMPLETED", false, nil))
	must(t, j.Creating(keys[1], "dfl-b"))
	j.Close()

	j = open(t, path)
	for i, k := range keys {
		d, ok := j.Lookup(k)
		want := Uploaded
		switch i {
		case 0:
			want = Done
		case 1:
			want = Creating
		}
		if !ok || d.Step != want || want != Done && d.FileID != "dfl-"+string(rune('a'+i)) {
			t.Errorf("%q after replay: %+v, %v; want step %v with its own file", k, d, ok, want)
		}
	}
	if done, _, pending := j.Counts(); done != 1 || pending != len(keys)-1 {
		t.Errorf("counts after replay: %d done, %d pending; want 1 and %d (no two names collapsed)", done, pending, len(keys)-1)
	}
	// A key written again after the replay still finds its own record.
	must(t, j.Created(keys[1], "ext-b"))
	if d, _ := j.Lookup(keys[1]); d.Step != Created || d.FileID != "dfl-b" {
		t.Errorf("%q after a new record: %+v", keys[1], d)
	}
}

// A journal whose paths are all UTF-8 keeps the v0.2 form, "doc" holding
// the path as a JSON string: jq reads it, and so does v0.2.
func TestJournalWritesUTF8KeysAsBefore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("dir/é.pdf", hashA, "dfl-a"))
	must(t, j.Uploaded("dir/caf\xe9.pdf", hashA, "dfl-b"))
	j.Close()
	b, err := os.ReadFile(path)
	must(t, err)
	lines := strings.Split(string(b), "\n")
	if !strings.Contains(lines[1], `"doc":"dir/é.pdf"`) {
		t.Errorf("a UTF-8 path is written as %s, want the v0.2 form", lines[1])
	}
	if strings.Contains(lines[2], `"doc":`) || strings.Contains(lines[2], "\ufffd") {
		t.Errorf("a non-UTF-8 path is written as %s, want its bytes", lines[2])
	}
}

// A state file written by v0.2 resumes: every document is where v0.2 left
// it, so nothing done is extracted again.
func TestJournalResumesAV02StateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	v02 := `{"format":1,"config":"cfg"}
{"doc":"in/a.pdf","event":"uploaded","hash":"` + hashA + `","file_id":"dfl-a"}
{"doc":"in/a.pdf","event":"creating","file_id":"dfl-a"}
{"doc":"in/a.pdf","event":"created","job_id":"ext-a"}
{"doc":"in/a.pdf","event":"done","job_id":"ext-a","status":"COMPLETED","mark":120}
{"doc":"in/caf\u00e9\n\u003cnew\u003e.pdf","event":"uploaded","hash":"` + hashA + `","file_id":"dfl-b"}
{"doc":"in/caf\u00e9\n\u003cnew\u003e.pdf","event":"done","job_id":"ext-b","status":"FAILED","failed":true}
{"doc":"in/c.pdf","event":"uploaded","hash":"` + hashA + `","file_id":"dfl-c"}
{"doc":"in/c.pdf","event":"creating","file_id":"dfl-c"}
`
	must(t, os.WriteFile(path, []byte(v02), 0o600))
	j := open(t, path)
	a, _ := j.Lookup("in/a.pdf")
	b, _ := j.Lookup("in/café\n<new>.pdf")
	c, _ := j.Lookup("in/c.pdf")
	if a.Step != Done || a.Failed || a.Status != "COMPLETED" || !a.SameContent(hashA) {
		t.Errorf("a = %+v, want done with its hash: skipped, not extracted again", a)
	}
	if b.Step != Done || !b.Failed || b.Status != "FAILED" || !b.SameContent(hashA) {
		t.Errorf("b = %+v", b)
	}
	if c.Step != Creating || c.FileID != "dfl-c" {
		t.Errorf("c = %+v, want creating dfl-c (its job is found by listing, not created again)", c)
	}
	if m, ok := j.Mark(); !ok || m != 120 {
		t.Errorf("mark %d, %v", m, ok)
	}
}
