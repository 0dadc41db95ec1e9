package batchstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recFile is a state file that records, in order, every write (its bytes),
// every fsync (when it starts and when it ends) and every call the test
// saw return, and fails a write or an fsync on request.
type recFile struct {
	file
	mu        sync.Mutex
	log       []event
	syncs     int
	failSync  int               // fail the nth fsync (from 1); 0: none
	failWrite func([]byte) bool // write half of these bytes and fail
}

type event struct {
	kind string // write, sync, synced, syncfailed, returned
	data string
}

var (
	errSync  = errors.New("injected fsync failure")
	errWrite = errors.New("injected short write")
)

func (f *recFile) note(kind, data string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, event{kind, data})
}

func (f *recFile) events() []event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event(nil), f.log...)
}

func (f *recFile) Write(p []byte) (int, error) {
	if f.failWrite != nil && f.failWrite(p) {
		n, _ := f.file.Write(p[:len(p)/2])
		return n, errWrite
	}
	n, err := f.file.Write(p)
	f.note("write", string(p[:n]))
	return n, err
}

func (f *recFile) Sync() error {
	f.mu.Lock()
	f.syncs++
	fail := f.syncs == f.failSync
	f.log = append(f.log, event{kind: "sync"})
	f.mu.Unlock()
	if err := f.file.Sync(); err != nil || fail {
		f.note("syncfailed", "")
		return errors.Join(err, errSync)
	}
	f.note("synced", "")
	return nil
}

// openRecorded opens a journal at path over a recFile, as Open does.
func openRecorded(t *testing.T, path string, setup func(*recFile)) (*Journal, *recFile) {
	t.Helper()
	osf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	must(t, err)
	rf := &recFile{file: osf}
	if setup != nil {
		setup(rf)
	}
	j, err := openJournal(rf, nil, path, "cfg")
	if err != nil {
		osf.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, rf
}

// lineID names a journal line by its document and event.
func lineID(t *testing.T, line string) string {
	t.Helper()
	var r record
	must(t, json.Unmarshal([]byte(line), &r))
	if r.Format != 0 {
		return "header"
	}
	k, err := r.docKey()
	must(t, err)
	return k + "\x00" + r.Event
}

// steps are a document's records in order, each named by its event.
var steps = []struct {
	event string
	step  Step
	write func(j *Journal, k string) error
}{
	{"uploaded", Uploaded, func(j *Journal, k string) error { return j.Uploaded(k, hashA, "dfl-"+k) }},
	{"creating", Creating, func(j *Journal, k string) error { return j.Creating(k, "dfl-"+k) }},
	{"created", Created, func(j *Journal, k string) error { return j.Created(k, "ext-"+k) }},
	{"done", Done, func(j *Journal, k string) error { return j.Finished(k, "", "ext-"+k, "COMPLETED", false, nil) }},
}

// Group commit decides when a record is durable. Under concurrent writers,
// every call that returned had its record written before an fsync began,
// and that fsync had ended; and a crash at any point (the file cut to what
// the fsyncs ended so far covered, plus half of the next write) loses no
// record whose call had returned.
func TestJournalReportsARecordDurableOnlyAfterTheSyncThatCoversIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j, rf := openRecorded(t, path, nil)
	if ev := rf.events(); len(ev) != 3 || ev[0].kind != "write" || lineID(t, ev[0].data) != "header" || ev[1].kind != "sync" || ev[2].kind != "synced" {
		t.Fatalf("Open returned after %v; want the header written, then synced", ev)
	}
	const writers = 16
	var wg sync.WaitGroup
	for i := range writers {
		k := fmt.Sprintf("in/doc-%02d.pdf", i)
		if i%2 == 1 {
			k += "\xe9" // not UTF-8: written as doc_bytes
		}
		wg.Go(func() {
			for _, s := range steps {
				if err := s.write(j, k); err != nil {
					t.Error(err)
					return
				}
				rf.note("returned", k+"\x00"+s.event)
			}
		})
	}
	wg.Wait()
	log := rf.events()
	checkReturnedAfterSync(t, log)
	checkCrashAtEveryReturn(t, log)
}

// checkReturnedAfterSync checks that each returned call's record was
// written before an fsync that started and ended before the call returned.
func checkReturnedAfterSync(t *testing.T, log []event) {
	t.Helper()
	written := map[string]int{}
	syncStart, covered := -1, -1 // writes before covered are durable
	returned := 0
	for i, e := range log {
		switch e.kind {
		case "write":
			written[lineID(t, e.data)] = i
		case "sync":
			syncStart = i
		case "synced":
			covered = syncStart
		case "returned":
			returned++
			w, ok := written[e.data]
			if !ok {
				t.Fatalf("event %d: %q returned but was never written", i, e.data)
			}
			if w > covered {
				t.Fatalf("event %d: %q returned as durable, but no fsync that started after its write (event %d) had ended", i, e.data, w)
			}
		}
	}
	if want := 16 * len(steps); returned != want {
		t.Fatalf("%d calls returned, want %d", returned, want)
	}
}

// checkCrashAtEveryReturn rebuilds, for each returned call, the file a
// crash right after it could leave, replays it, and checks that every
// record whose call had returned is there.
func checkCrashAtEveryReturn(t *testing.T, log []event) {
	t.Helper()
	dir := t.TempDir()
	var writes []int // indexes of the writes, in file order
	syncStart, covered := -1, -1
	last := map[string]Step{} // the last step each document returned
	for i, e := range log {
		switch e.kind {
		case "write":
			writes = append(writes, i)
		case "sync":
			syncStart = i
		case "synced":
			covered = syncStart
		}
		if e.kind != "returned" {
			continue
		}
		k, ev, _ := strings.Cut(e.data, "\x00")
		for _, s := range steps {
			if s.event == ev {
				last[k] = s.step
			}
		}
		var b []byte
		torn := ""
		for _, w := range writes {
			if w < covered {
				b = append(b, log[w].data...)
			} else if torn == "" {
				torn = log[w].data[:len(log[w].data)/2]
			}
		}
		p := filepath.Join(dir, fmt.Sprint("crash", i))
		must(t, os.WriteFile(p, append(b, torn...), 0o600))
		jj, err := Open(p, "cfg")
		if err != nil {
			t.Fatalf("crash after event %d: %v", i, err)
		}
		if jj.TornBytes() != int64(len(torn)) {
			t.Errorf("crash after event %d: %d torn bytes cut off, want %d", i, jj.TornBytes(), len(torn))
		}
		for k, want := range last {
			if d, _ := jj.Lookup(k); d.Step < want {
				t.Errorf("crash after event %d: %q is %v, but %v had returned", i, k, d.Step, want)
			}
		}
		jj.Close()
	}
}

// A record that an fsync already covered costs no other fsync: the group
// commit's point.
func TestJournalACoveredRecordCostsNoFsync(t *testing.T) {
	j, rf := openRecorded(t, filepath.Join(t.TempDir(), "s"), nil)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	must(t, j.Uploaded("b", hashA, "dfl-b"))
	before := rf.syncs
	for seq := range uint64(3) {
		must(t, j.syncTo(seq))
	}
	if rf.syncs != before {
		t.Fatalf("%d fsyncs for records already durable", rf.syncs-before)
	}
	if before != 3 {
		t.Fatalf("%d fsyncs for a header and two records written one after the other, want 3", before)
	}
}

// After a failed fsync, whether the records since the last one are on disk
// is unknown, and a later fsync can succeed without them: neither they nor
// any later record is reported durable.
func TestJournalAFailedFsyncIsNeverReportedDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j, rf := openRecorded(t, path, func(f *recFile) { f.failSync = 3 }) // the header's, a's, then b's
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	if err := j.Uploaded("b", hashA, "dfl-b"); !errors.Is(err, errSync) {
		t.Fatalf("b: %v, want the fsync's error", err)
	}
	syncs := rf.syncs
	for _, k := range []string{"b", "c"} {
		if err := j.Created(k, "ext-"+k); !errors.Is(err, errSync) || !strings.Contains(err.Error(), "an earlier write or fsync failed") {
			t.Fatalf("%s after a failed fsync: %v, want the fsync's error", k, err)
		}
	}
	if rf.syncs != syncs {
		t.Fatalf("%d more fsyncs after a failed one", rf.syncs-syncs)
	}
	j.Close()
	j = open(t, path)
	if d, _ := j.Lookup("a"); d.Step != Uploaded {
		t.Fatalf("a = %+v", d)
	}
	if d, ok := j.Lookup("c"); ok {
		t.Fatalf("c was written after the failed fsync: %+v", d)
	}
}

// A write that failed halfway leaves a partial line: nothing is appended
// after it (that would damage the file for good), and the next Open cuts
// it off.
func TestJournalAFailedWriteIsCutOffNotBuiltOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j, _ := openRecorded(t, path, func(f *recFile) {
		f.failWrite = func(p []byte) bool { return strings.Contains(string(p), `"doc":"b"`) }
	})
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	if err := j.Uploaded("b", hashA, "dfl-b"); !errors.Is(err, errWrite) {
		t.Fatalf("b: %v, want the write's error", err)
	}
	if err := j.Uploaded("c", hashA, "dfl-c"); !errors.Is(err, errWrite) {
		t.Fatalf("c after a failed write: %v, want the write's error", err)
	}
	j.Close()
	j = open(t, path)
	if d, _ := j.Lookup("a"); d.Step != Uploaded || j.TornBytes() == 0 {
		t.Fatalf("a = %+v, torn %d", d, j.TornBytes())
	}
	for _, k := range []string{"b", "c"} {
		if d, ok := j.Lookup(k); ok {
			t.Fatalf("%s = %+v, but its write failed", k, d)
		}
	}
}

// A record the replay would refuse is refused before it is written: the
// state file stays readable, and the document stays where it was.
func TestJournalRefusesARecordItCouldNotReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	j := open(t, path)
	must(t, j.Uploaded("a", hashA, "dfl-a"))
	if err := j.Finished("a", "not hex", "ext-a", "COMPLETED", false, nil); err == nil {
		t.Fatal("a done record with a hash that is not hex was accepted")
	}
	if d, _ := j.Lookup("a"); d.Step != Uploaded || d.Hash != hashA {
		t.Fatalf("a after the refused record: %+v", d)
	}
	must(t, j.Creating("a", "dfl-a"))
	j.Close()
	j = open(t, path)
	if d, _ := j.Lookup("a"); d.Step != Creating || d.Hash != hashA {
		t.Fatalf("a after replay: %+v", d)
	}
}
