package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/internal/fileinput"
	"github.com/extract-go/llamaextract/wrapper"
)

// inputKey is the journal's key of a path: the absolute path with the
// links of its directory resolved, the file's own name kept (a link to a
// file is a document of its own). Every spelling of one place is one
// document: ./a, a path through a linked directory, and a relative path
// from a working directory reached through a link ($PWD in a shell) or
// not (cron, a service manager). dirs remembers the last directory
// resolved: inputs come directory by directory.
func inputKey(path string, dirs *dirCache) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	dir, name := filepath.Split(abs)
	return filepath.Join(dirs.resolve(dir), name)
}

// dirCache is the last directory inputKey resolved.
type dirCache struct{ dir, real string }

func (c *dirCache) resolve(dir string) string {
	if dir != c.dir {
		c.dir, c.real = dir, dir
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			c.real = real
		}
	}
	return c.real
}

// keyOf is the journal's key of path. A state file written before keys
// resolved directories holds the path made absolute as it was spelled
// (with $PWD's spelling); when only that key is known, it is kept, so such
// a state resumes as it was written.
func (x *Extractor[T]) keyOf(path string, dirs *dirCache) string {
	key := inputKey(path, dirs)
	if x.e.journal == nil {
		return key
	}
	if old, err := filepath.Abs(path); err == nil && old != key {
		if _, ok := x.e.journal.Lookup(key); !ok {
			if _, ok := x.e.journal.Lookup(old); ok {
				return old
			}
		}
	}
	return key
}

// doc is one document's work in progress.
type doc[T any] struct {
	x  *Extractor[T]
	t  task
	o  outcome[Item[T]]
	st batchstate.Doc
	// owned: the file is this document's alone (the batch uploaded it, or
	// WithOwnedFiles promised so), which makes adopting a job on it safe.
	owned bool
	// release frees the upload slot once the job exists.
	release func()
}

// process does one document: read, upload, create (or find its job), wait.
func (x *Extractor[T]) process(ctx, createCtx context.Context, t task) outcome[Item[T]] {
	e := x.e
	d := &doc[T]{x: x, t: t, o: outcome[Item[T]]{in: t.in, r: Item[T]{Index: t.in.Index, Input: t.in.Path}}}
	if e.journal != nil {
		d.o.key = t.key
	}
	// The slot bounds how many documents are being read and uploaded at
	// once.
	if err := acquire(createCtx, e.uploads); err != nil {
		d.o.untouched = true
		return d.o.abort()
	}
	held := true
	d.release = func() {
		if held {
			<-e.uploads
			held = false
		}
	}
	defer d.release()
	if id, isID := fileinput.Resolve(t.in.Path); isID {
		if done := d.fromID(id); done {
			return d.o
		}
	} else if done := d.upload(createCtx); done {
		return d.o
	}
	return d.createAndWait(ctx, createCtx)
}

// hashOf is the hex SHA-256 of s.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fromID prepares an uploaded file or a parse job, used as is; done
// reports that d.o is the document's outcome already.
func (d *doc[T]) fromID(id string) (done bool) {
	e := d.x.e
	d.owned = e.s.ownsFiles
	if e.journal != nil && !d.owned {
		d.o = d.o.failed(&wrapper.ValidationError{Operation: "ExtractAll", Field: "input", Reason: fmt.Sprintf("%s is a file or parse job ID; with WithState an ID input needs WithOwnedFiles (the file was uploaded for this batch alone), because only then can the batch tell, after a crash, whether a job on it is its own", id)}, false)
		return true
	}
	d.o.r.FileID = id
	d.st = batchstate.Doc{FileID: id}
	if e.journal == nil {
		return false
	}
	d.o.hash = hashOf("file id " + id)
	if d.skipDone() {
		return true
	}
	if prev, _ := e.journal.Lookup(d.t.key); prev.SameContent(d.o.hash) && prev.Step != batchstate.Done {
		d.st = prev
	}
	if d.st.Step == batchstate.None {
		if err := e.journal.Uploaded(d.t.key, d.o.hash, id); err != nil {
			d.o = d.o.failed(fmt.Errorf("llamaextract: %w", err), true)
			return true
		}
	}
	return false
}

// upload reads the file and uploads it unless the journal has it
// uploaded; done reports that d.o is the document's outcome already.
func (d *doc[T]) upload(createCtx context.Context) (done bool) {
	e := d.x.e
	in, err := openInput(d.t.in.Path)
	if err != nil {
		// Recorded under the hash of "unreadable", so that the next run
		// skips it like any failed document while it stays unreadable,
		// instead of delivering it again, and extracts it once it can be
		// read.
		d.o.hash = hashOf("unreadable")
		if e.journal != nil && d.skipDone() {
			return true
		}
		d.o = d.o.failed(err, false)
		return true
	}
	defer in.Close()
	d.o.r.Hash, d.o.hash = in.hash(), in.hash()
	d.owned = true
	if e.journal != nil {
		if d.skipDone() {
			return true
		}
		d.st, _ = e.journal.Lookup(d.t.key)
		if !d.st.SameContent(in.hash()) || d.st.Step == batchstate.Done {
			d.st = batchstate.Doc{} // new, changed or retried: start over
		}
	}
	d.o.r.FileID = d.st.FileID
	if d.st.Step >= batchstate.Uploaded {
		return false
	}
	f, err := d.x.c.Upload(e.paced(createCtx), filepath.Base(d.t.in.Path), in, e.s.upload...)
	switch {
	case err == nil:
	case createCtx.Err() != nil:
		d.o = d.o.abort()
		return true
	case errors.Is(err, fileinput.ErrChanged):
		d.o = d.o.failed(&InputError{Input: d.t.in.Path, Reason: "it changed while it was uploaded; run the batch again to extract what it holds then", Err: err}, false)
		return true
	default:
		d.o = d.o.failed(fmt.Errorf("llamaextract: uploading %s: %w", d.t.in.Path, err), isFatal(err))
		return true
	}
	d.o.r.FileID = f.ID
	if e.journal != nil {
		if err := e.journal.Uploaded(d.t.key, in.hash(), f.ID); err != nil {
			d.o = d.o.failed(fmt.Errorf("llamaextract: %w", err), true)
			return true
		}
	}
	return false
}

// skipDone reports whether the journal has the document done with the
// content d.o.hash, so that this run skips it (a failed one only without
// WithRetryFailed).
func (d *doc[T]) skipDone() bool {
	e := d.x.e
	st, _ := e.journal.Lookup(d.t.key)
	if st.Step != batchstate.Done || !st.SameContent(d.o.hash) || st.Failed && e.s.retryFailed {
		return false
	}
	d.o.skip = true
	if st.Failed {
		e.skippedFailed.Add(1)
	}
	return true
}

// createAndWait gets the document's job (re-attached, adopted or created),
// waits for it and decodes its result.
func (d *doc[T]) createAndWait(ctx, createCtx context.Context) outcome[Item[T]] {
	e := d.x.e
	job, err := d.job(ctx, createCtx)
	if err != nil {
		switch {
		case stopped(ctx, createCtx, err):
			return d.o.abort()
		case errors.Is(err, errJournal):
			return d.o.failed(err, true)
		case e.journal != nil && !isFatal(err) && (errors.Is(err, wrapper.ErrAmbiguousCreate) || errors.Is(err, errJobUnknown)):
			return d.o.unsure(err)
		}
		return d.o.failed(err, errors.As(err, new(*wrapper.ValidationError)) || isFatal(err))
	}
	d.release()
	d.o.r.Job = job
	d.o.hash, d.o.jobID = d.o.r.Hash, job.ID
	final, err := e.wait(ctx, job)
	if final != nil {
		d.o.r.Job = final
	}
	if err == nil {
		d.o.r.Value, err = wrapper.Decode[T](final)
	}
	if err != nil {
		if ctx.Err() != nil {
			return d.o.abort()
		}
		return d.o.failed(err, isFatal(err))
	}
	return d.o
}

// errJournal marks a failure to write the state file, which stops the
// batch.
var errJournal = errors.New("llamaextract: writing the batch state")

// job returns the document's job: the one the journal has, one an earlier
// run made (when a create may have been sent), or a new one.
func (d *doc[T]) job(ctx, createCtx context.Context) (*wrapper.Job, error) {
	e := d.x.e
	switch d.st.Step {
	case batchstate.Created:
		e.adopted.Add(1)
		return &wrapper.Job{ID: d.st.JobID}, nil
	case batchstate.Creating, batchstate.Uploaded:
		// An earlier run stopped after the upload. A create for this file
		// may have been in flight ("creating"), or, if the last record of
		// the state was lost, even sent after "uploaded": adopt the job it
		// made, if there is one that provably is.
		job, err := d.x.jobOf(ctx, d.o.r.FileID)
		if err != nil {
			return nil, err
		}
		if job == nil {
			break
		}
		e.adopted.Add(1)
		if err := e.journal.Created(d.t.key, job.ID); err != nil {
			return nil, fmt.Errorf("%w: %w", errJournal, err)
		}
		return job, nil
	}
	intent := func() error {
		if e.journal == nil {
			return nil
		}
		if err := e.journal.Creating(d.t.key, d.o.r.FileID); err != nil {
			return fmt.Errorf("%w: %w", errJournal, err)
		}
		return nil
	}
	req := wrapper.CreateJobRequest{FileInput: d.o.r.FileID, Config: d.x.cfg, Webhooks: e.s.webhooks, OwnsFile: d.owned}
	job, err := e.create(ctx, createCtx, req, intent)
	if err != nil {
		return nil, err
	}
	if e.journal != nil {
		if err := e.journal.Created(d.t.key, job.ID); err != nil {
			return nil, fmt.Errorf("%w: %w", errJournal, err)
		}
	}
	return job, nil
}
