package wrapper

import (
	"context"
	"log/slog"
	"sync"

	"github.com/extract-go/llamaextract/generated"
)

// Status is a job's lifecycle state. The service may add states; an unknown
// value is kept as is and treated as not terminal: a wait goes on, passes
// the job to OnStatus, and the first time a client meets the value it logs
// a warning through its logger (WithLogger).
type Status string

// Known job states.
const (
	StatusPending   Status = "PENDING"
	StatusThrottled Status = "THROTTLED"
	StatusRunning   Status = "RUNNING"
	StatusCompleted Status = "COMPLETED"
	StatusFailed    Status = "FAILED"
	StatusCancelled Status = "CANCELLED"
)

// Terminal reports whether the job has finished: COMPLETED, FAILED or
// CANCELLED.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Known reports whether s is one of the documented states.
func (s Status) Known() bool { return generated.JobStatusFilter(s).Valid() }

// maxUnknownStatuses bounds how many unknown statuses a client remembers
// having warned about: a server inventing a new one in every answer must
// not grow the client without bound (past it, no more warnings).
const maxUnknownStatuses = 32

// unknownStatuses remembers the statuses a client has warned about.
type unknownStatuses struct {
	mu   sync.Mutex
	seen map[Status]struct{}
}

// first reports whether st is met for the first time (and room is left).
func (u *unknownStatuses) first(st Status) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.seen[st]; ok || len(u.seen) >= maxUnknownStatuses {
		return false
	}
	if u.seen == nil {
		u.seen = make(map[Status]struct{})
	}
	u.seen[st] = struct{}{}
	return true
}

// noteStatus makes a status this package does not know visible: a wait
// keeps treating it as not finished (the spec says so), but the first time
// a client meets it, it logs a warning through the client's logger
// (WithLogger).
func (c *Client) noteStatus(ctx context.Context, job *Job) {
	if job.Status.Known() || !c.unknown.first(job.Status) {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "llamaextract: job status unknown to this client, treated as not finished; the wait goes on",
		slog.String("status", string(job.Status)), slog.String("job_id", job.ID))
}
