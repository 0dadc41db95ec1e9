package batch

import (
	"errors"
	"fmt"

	"github.com/extract-go/llamaextract/internal/batchstate"
)

// ErrStopped matches the error of the last pair a batch yields when it
// ended before every input was done: its context ended, it was drained
// (WithDrain), or a failure that every document would share stopped it (the
// API key was refused, the network is down, the state file cannot be
// written). The error is a *StoppedError, which lists the inputs not
// finished. With WithState, running the batch again resumes.
var ErrStopped = errors.New("llamaextract: batch stopped before every input was done")

// ErrStateLocked matches the error of New (and ExtractAll) when another
// open batch, in this process or another, holds the same state file: two
// batches on one journal would both create jobs for the same documents. The
// error names the other process; the lock goes with its Close or its end
// (even kill -9). Not detected where flock is missing (non-Unix systems).
var ErrStateLocked = batchstate.ErrLocked

// errDrained is the cause of a batch stopped with WithDrain.
var errDrained = errors.New("drained (WithDrain)")

// errSharedFailure is the cause of a batch stopped by a failure every
// document would share; the failure itself is in the StoppedError.
var errSharedFailure = errors.New("llamaextract: batch stopped by a failure every document shares")

// Input is one input of a batch by its position: Path is the file path
// (ExtractAll, Run), empty for RunAll, whose inputs are requests.
type Input struct {
	Index int
	Path  string
}

// StoppedError is the error of the last pair of a batch that ended before
// every input was done; errors.Is(err, ErrStopped) holds, and errors.Is
// also matches its Cause (context.Canceled, wrapper.ErrUnauthorized, ...).
type StoppedError struct {
	// Cause is why the batch stopped.
	Cause error
	// Unfinished are the inputs started but not yielded, in input order:
	// their jobs may exist and run on; a resumed batch re-attaches to them.
	Unfinished []Input
	// NotStarted are the inputs never started, in input order.
	NotStarted []Input
	// Unread reports that Run stopped reading its sequence of inputs
	// before its end: inputs after the last one listed were never read.
	// ExtractAll and RunAll list every input, so it is false there.
	Unread bool
}

func (e *StoppedError) Error() string {
	unread := ""
	if e.Unread {
		unread = " and the inputs after them"
	}
	return fmt.Sprintf("%v (%d started but not finished, %d not started%s): %v", ErrStopped, len(e.Unfinished), len(e.NotStarted), unread, e.Cause)
}

// Unwrap returns the cause.
func (e *StoppedError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrStopped) true.
func (e *StoppedError) Is(target error) bool { return target == ErrStopped }

// listRest completes the StoppedError err of a run over n inputs known in
// advance: the run stopped reading them after the last one it lists as not
// started, so every later one never started either.
func listRest(err error, n int, path func(i int) string) {
	stop, ok := err.(*StoppedError)
	if !ok || !stop.Unread {
		return
	}
	next := 0
	if k := len(stop.NotStarted); k > 0 {
		next = stop.NotStarted[k-1].Index + 1
	}
	for i := next; i < n; i++ {
		stop.NotStarted = append(stop.NotStarted, Input{Index: i, Path: path(i)})
	}
	stop.Unread = false
}

// InputError is a document the batch could not read: it is missing, not a
// regular file, too large to upload, or an ID input refused. errors.Is
// matches the underlying error (fs.ErrNotExist, ...).
type InputError struct {
	// Input is the path as given.
	Input string
	// Reason says what is wrong and what to do, when Err alone does not.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *InputError) Error() string {
	msg := "llamaextract: batch input " + e.Input
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }
