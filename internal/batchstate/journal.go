// Package batchstate is the crash-safe record of a resumable batch: an
// append-only journal of JSON lines, one per step of one document, each
// written and fsynced before the step it records is relied on.
//
// Why a journal and not an embedded database: every write is an append of a
// few dozen bytes that must be durable before the batch goes on (an fsync
// per record), which is exactly what a log does; a torn last line (power
// loss, kill -9 in the middle of a write) is recognised and cut off on the
// next open; the file is readable with jq; and it needs no dependency. A
// database would add a B+tree and page management for a workload that only
// appends and replays.
//
// The steps of a document, in order:
//
//	uploaded  the file was uploaded: its content hash and file ID (dfl-...)
//	creating  a create is about to be sent for that file ID
//	created   the job exists: its ID
//	done      the document is finished and delivered: its status, and an
//	          opaque mark (the CLI's output offset after the document's line)
//
// A document whose last step is "creating" may or may not have a job: the
// create may have reached the service before the process died. Because the
// batch uploaded that file itself, any job on the file is the batch's, so
// the caller resolves it by listing the file's jobs.
package batchstate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Format is the version of the journal format, written in its first line.
const Format = 1

// Step is how far a document got.
type Step int

// Steps in the order a document goes through them.
const (
	None Step = iota
	Uploaded
	Creating
	Created
	Done
)

func (s Step) String() string {
	switch s {
	case Uploaded:
		return "uploaded"
	case Creating:
		return "creating"
	case Created:
		return "created"
	case Done:
		return "done"
	}
	return "none"
}

// Doc is what the journal knows about one document.
type Doc struct {
	Step Step
	// Hash is the hex SHA-256 of the document's content when it was
	// uploaded; for a done document, its first 60 bits (15 hex digits;
	// see SameContent).
	Hash   string
	FileID string
	JobID  string
	// Status is the final status of a done document (COMPLETED, FAILED,
	// CANCELLED, or ERROR for a failure that is not a job status).
	Status string
	// Failed reports whether a done document failed.
	Failed bool
}

// record is one line of the journal.
type record struct {
	// Header fields (first line only).
	Format int    `json:"format,omitempty"`
	Config string `json:"config,omitempty"`

	// A document's key is its path's bytes. A key that is valid UTF-8
	// is written as the string "doc" (the only form v0.2 wrote; JSON
	// keeps such a string exactly); any other is written as "doc_bytes"
	// (base64), because JSON would turn its invalid bytes into U+FFFD and
	// two names differing only there into one key.
	Key      string `json:"doc,omitempty"`
	KeyBytes []byte `json:"doc_bytes,omitempty"`
	Event    string `json:"event,omitempty"`
	Hash     string `json:"hash,omitempty"`
	FileID   string `json:"file_id,omitempty"`
	JobID    string `json:"job_id,omitempty"`
	Status   string `json:"status,omitempty"`
	Failed   bool   `json:"failed,omitempty"`
	Mark     *int64 `json:"mark,omitempty"`
}

// ErrConfigChanged is returned by Open when the journal was written for a
// different configuration: its jobs would not be this batch's.
var ErrConfigChanged = errors.New("the state file was written by a batch with a different configuration")

// ErrLocked is returned by Open when another open Journal (in this or
// another process) holds the state file: two batches appending to one
// journal would each create jobs for the same documents.
var ErrLocked = errors.New("the state file is locked by another batch")

// ErrDamaged is returned by Open when a line other than the last cannot be
// read: that is damage, not a torn last write, and it is not repaired.
var ErrDamaged = errors.New("the state file is damaged")

// key is a fixed-size digest of a document's key (the first 64 bits of
// its SHA-256): the index holds these instead of the keys themselves, so
// that it costs the same few bytes per document whatever the paths are.
// Two of a batch's documents share a key with a chance of about n²/2⁶⁵
// (3·10⁻⁸ for a million documents); if they did, one of them would be
// extracted again, never skipped wrongly, because its content hash would
// not match the other's.
type key uint64

func keyOf(s string) key {
	sum := sha256.Sum256([]byte(s))
	return key(binary.BigEndian.Uint64(sum[:8]))
}

// doneEntry is what the journal keeps in memory of a finished document,
// packed in 64 bits so that the index of 10,000 documents stays a few
// hundred kilobytes (the full record is on disk): the first 60 bits of
// its content hash (15 hex digits: a changed document goes unnoticed with
// a chance of 2⁻⁶⁰), its status (3 bits) and whether it failed (1 bit).
type doneEntry uint64

const (
	statusBits = 3
	failedBit  = 1 << statusBits
	hashShift  = statusBits + 1
	// hashHex is how many hex digits of the content hash an entry keeps.
	hashHex = (64 - hashShift) / 4
)

// statuses maps the final statuses to the code a doneEntry keeps.
var statuses = []string{"", "COMPLETED", "FAILED", "CANCELLED", "ERROR"}

func statusCode(s string) uint64 {
	for i, v := range statuses {
		if v == s {
			return uint64(i)
		}
	}
	return 0
}

func newDoneEntry(hash string, status string, failed bool) (doneEntry, error) {
	e := statusCode(status)
	if failed {
		e |= failedBit
	}
	if hash != "" {
		h, err := strconv.ParseUint(hash[:min(len(hash), hashHex)], 16, 64)
		if err != nil || len(hash) < hashHex {
			return 0, fmt.Errorf("hash %q is not a hex SHA-256", hash)
		}
		e |= h << hashShift
	}
	return doneEntry(e), nil
}

func (e doneEntry) doc() Doc {
	return Doc{Step: Done, Hash: fmt.Sprintf("%0*x", hashHex, uint64(e)>>hashShift), Status: statuses[uint64(e)&(failedBit-1)], Failed: e&failedBit != 0}
}

// file is what the journal needs of its state file: an *os.File, or in
// tests one that records the order of writes and syncs.
type file interface {
	io.ReadWriteSeeker
	io.Closer
	Truncate(size int64) error
	Sync() error
}

// Journal is an open state file. Its methods are safe for concurrent use.
type Journal struct {
	mu   sync.Mutex
	f    file
	lock *os.File // held open for the journal's lifetime
	path string
	buf  []byte
	// written counts records written; synced, under syncMu, those made
	// durable.
	written uint64
	syncMu  sync.Mutex
	synced  uint64
	// broken is the first failed write or fsync: after it the file's end
	// (a partial line, or records whose durability is unknown) cannot be
	// appended to, so every later record fails with it. The next Open
	// cuts a partial line off.
	broken error

	// pending holds documents that started but did not finish: at most the
	// batch's concurrency per run that was interrupted.
	pending map[key]*Doc
	done    map[key]doneEntry

	// Recovery facts, for reporting.
	tornBytes int64
	mark      int64
	hasMark   bool
}

// Open opens the journal at path, creating it when it does not exist, and
// replays it. It locks path+".lock" for the journal's lifetime: a second
// Open of the same path, in any process, is ErrLocked until Close. config
// identifies the batch's configuration (e.g. a hash of it); a journal
// written for another configuration is ErrConfigChanged. A torn last line
// is cut off (see TornBytes). A path that is not a regular file (a device,
// a named pipe) is refused before it is read.
func Open(path, config string) (*Journal, error) {
	lk, err := lock(path)
	if err != nil {
		return nil, err
	}
	j, err := openFile(path, config, lk)
	if err != nil {
		lk.Close() // safe on nil, where there is no flock
		return nil, err
	}
	return j, nil
}

// openFile opens and replays the state file; lk is its held lock.
func openFile(path, config string, lk *os.File) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|nonblock, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	var j *Journal
	if err = regular(f, path); err == nil {
		j, err = openJournal(f, lk, path, config)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// regular refuses a state file that is not a regular file: a device would
// be read without end, and a write to it is not kept.
func regular(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("state file %s is not a regular file (mode %s)", path, st.Mode().Type())
	}
	return nil
}

// openJournal replays f, cuts off a torn last record, and checks or writes
// the header. The caller closes f and lk when it fails.
func openJournal(f file, lk *os.File, path, config string) (*Journal, error) {
	j := &Journal{f: f, lock: lk, path: path, pending: map[key]*Doc{}, done: map[key]doneEntry{}}
	good, header, err := j.replay(f)
	if err != nil {
		return nil, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	// Cut off a torn write (nothing when the file ends with a whole
	// record) so that the next record starts on a line of its own.
	if err := f.Truncate(good); err != nil {
		return nil, fmt.Errorf("state file %s: cutting off a torn last record: %w", path, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	j.tornBytes = size - good
	switch {
	case header == nil:
		if err := j.append(record{Format: Format, Config: config}); err != nil {
			return nil, err
		}
	case header.Format != Format:
		return nil, fmt.Errorf("state file %s: format %d, this program reads format %d", path, header.Format, Format)
	case header.Config != config:
		return nil, fmt.Errorf("state file %s: %w; finish that batch with its own configuration, or use another state file", path, ErrConfigChanged)
	}
	return j, nil
}

// replay applies every complete, valid line and returns the offset after
// the last one.
func (j *Journal) replay(f io.Reader) (good int64, header *record, err error) {
	r := bufio.NewReaderSize(f, 64<<10)
	var off int64
	badAt, badLine := int64(-1), 0
	for line := 1; ; line++ {
		b, rerr := r.ReadSlice('\n')
		for errors.Is(rerr, bufio.ErrBufferFull) {
			// Longer than the buffer: a real record never is, but read
			// on so that the damage is reported, not mistaken.
			more, e := r.ReadSlice('\n')
			b = append(append([]byte(nil), b...), more...)
			rerr = e
		}
		if rerr != nil && rerr != io.EOF {
			return 0, nil, fmt.Errorf("state file %s: %w", j.path, rerr)
		}
		complete := len(b) > 0 && b[len(b)-1] == '\n'
		var rec record
		valid := complete && json.Unmarshal(bytes.TrimSpace(b), &rec) == nil
		if valid && line > 1 && header == nil {
			valid = false // records before a header are not ours
		}
		switch {
		case !valid && line == 1 && complete:
			return 0, nil, fmt.Errorf("state file %s: line 1 is not a batch state header; is this a state file?", j.path)
		case !valid && badAt < 0:
			badAt, badLine = off, line
		case valid && badAt >= 0:
			return 0, nil, fmt.Errorf("state file %s: line %d cannot be read but later lines can: %w (move it away to start the batch over)", j.path, badLine, ErrDamaged)
		case valid && line == 1:
			if rec.Format == 0 {
				return 0, nil, fmt.Errorf("state file %s: line 1 is not a batch state header; is this a state file?", j.path)
			}
			h := rec
			header = &h
		case valid:
			if err := j.apply(rec); err != nil {
				return 0, nil, fmt.Errorf("state file %s: line %d: %w", j.path, line, err)
			}
		}
		off += int64(len(b))
		if rerr == io.EOF {
			break
		}
	}
	if badAt >= 0 {
		return badAt, header, nil
	}
	return off, header, nil
}

// docRecord starts the record of an event of the document docKey.
func docRecord(docKey, event string) record {
	if utf8.ValidString(docKey) {
		return record{Key: docKey, Event: event}
	}
	return record{KeyBytes: []byte(docKey), Event: event}
}

// docKey returns the key of the document a record is about.
func (r record) docKey() (string, error) {
	switch {
	case r.KeyBytes != nil && r.Key != "":
		return "", errors.New("record with two document keys")
	case r.KeyBytes != nil:
		return string(r.KeyBytes), nil
	}
	return r.Key, nil
}

func (j *Journal) apply(r record) error {
	dk, err := r.docKey()
	if err != nil {
		return err
	}
	if dk == "" {
		return errors.New("record without a document")
	}
	k := keyOf(dk)
	d := j.pending[k]
	if d == nil {
		d = &Doc{}
		if e, ok := j.done[k]; ok {
			dd := e.doc()
			d = &dd
		}
	}
	switch r.Event {
	case "uploaded":
		*d = Doc{Step: Uploaded, Hash: r.Hash, FileID: r.FileID}
	case "creating":
		d.Step, d.FileID = Creating, r.FileID
	case "created":
		d.Step, d.JobID = Created, r.JobID
	case "done":
		hash := d.Hash
		if r.Hash != "" {
			hash = r.Hash
		}
		e, err := newDoneEntry(hash, r.Status, r.Failed)
		if err != nil {
			return err
		}
		delete(j.pending, k)
		j.done[k] = e
		if r.Mark != nil {
			j.mark, j.hasMark = *r.Mark, true
		}
		return nil
	default:
		return fmt.Errorf("unknown event %q", r.Event)
	}
	delete(j.done, k)
	j.pending[k] = d
	return nil
}

// SameContent reports whether a document's recorded hash is that of the
// content whose hex SHA-256 is hash.
func (d Doc) SameContent(hash string) bool {
	return d.Hash != "" && len(d.Hash) <= len(hash) && hash[:len(d.Hash)] == d.Hash
}

// Lookup returns what the journal knows about the document with this key.
// A key is any string (a path's bytes, UTF-8 or not): keys that differ in
// any byte are different documents, in this run and after a replay.
func (j *Journal) Lookup(docKey string) (Doc, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	k := keyOf(docKey)
	if d := j.pending[k]; d != nil {
		return *d, true
	}
	if e, ok := j.done[k]; ok {
		return e.doc(), true
	}
	return Doc{}, false
}

// Uploaded records that the document with this content hash was uploaded
// as fileID. It starts the document over when it had finished before.
func (j *Journal) Uploaded(docKey, hash, fileID string) error {
	r := docRecord(docKey, "uploaded")
	r.Hash, r.FileID = hash, fileID
	return j.write(r)
}

// Creating records that a create for fileID is about to be sent. It must be
// durable before the request leaves.
func (j *Journal) Creating(docKey, fileID string) error {
	r := docRecord(docKey, "creating")
	r.FileID = fileID
	return j.write(r)
}

// Created records the document's job.
func (j *Journal) Created(docKey, jobID string) error {
	r := docRecord(docKey, "created")
	r.JobID = jobID
	return j.write(r)
}

// Finished records that the document is done and delivered. mark, when not
// nil, is kept as the journal's Mark.
func (j *Journal) Finished(docKey, hash, jobID, status string, failed bool, mark *int64) error {
	r := docRecord(docKey, "done")
	r.Hash, r.JobID, r.Status, r.Failed, r.Mark = hash, jobID, status, failed, mark
	return j.write(r)
}

// write appends a record and returns once it is durable. Records are
// written in order under j.mu; the fsync happens outside it, and one fsync
// makes every record written before it durable, so concurrent writers
// share fsyncs (group commit) instead of queueing one fsync each. A record
// is applied before it is written, so that one the replay would refuse
// (a done record with a hash that is not hex) is never written.
func (j *Journal) write(r record) error {
	j.mu.Lock()
	if err := j.usable(); err != nil {
		j.mu.Unlock()
		return err
	}
	if err := j.apply(r); err != nil {
		j.mu.Unlock()
		return err
	}
	if err := j.writeLine(r); err != nil {
		j.broken = err
		j.mu.Unlock()
		return err
	}
	j.written++
	seq := j.written
	j.mu.Unlock()
	return j.syncTo(seq)
}

// usable reports why no record can be written. Callers hold j.mu.
func (j *Journal) usable() error {
	if j.f == nil {
		return errors.New("state file is closed")
	}
	if j.broken != nil {
		return fmt.Errorf("an earlier write or fsync failed, no record is written after it: %w", j.broken)
	}
	return nil
}

// syncTo returns once record seq is durable. A record that an fsync which
// started after its write already covered costs no fsync.
func (j *Journal) syncTo(seq uint64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= seq {
		return nil
	}
	j.mu.Lock()
	f, upTo, err := j.f, j.written, j.usable()
	j.mu.Unlock()
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		// Whether the records since the last fsync are on disk is
		// unknown, and a later fsync may succeed without them: none of
		// them, and nothing after them, is reported durable.
		err = fmt.Errorf("state file %s: %w", j.path, err)
		j.mu.Lock()
		j.broken = err
		j.mu.Unlock()
		return err
	}
	j.synced = upTo
	return nil
}

// append writes one line and makes it durable; Open uses it alone.
func (j *Journal) append(r record) error {
	if err := j.writeLine(r); err != nil {
		return err
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	return nil
}

// writeLine writes one line, not yet durable. Callers hold j.mu (or own j).
func (j *Journal) writeLine(r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	j.buf = append(append(j.buf[:0], b...), '\n')
	if _, err := j.f.Write(j.buf); err != nil {
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	return nil
}

// Mark returns the mark of the last done record that had one.
func (j *Journal) Mark() (int64, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.mark, j.hasMark
}

// TornBytes is how many bytes of a torn last record Open cut off.
func (j *Journal) TornBytes() int64 { return j.tornBytes }

// Counts returns how many documents are done, failed among them, and
// started but not done.
func (j *Journal) Counts() (done, failed, pending int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.done {
		if e&failedBit != 0 {
			failed++
		}
	}
	return len(j.done), failed, len(j.pending)
}

// Close closes the file.
func (j *Journal) Close() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	if j.lock != nil {
		// Closing the descriptor drops the flock. The lock file stays:
		// removing it would race with a batch that has just opened it.
		j.lock.Close()
		j.lock = nil
	}
	return err
}
