package wrapper

// Status is a job's lifecycle state. The service may add states; an unknown
// value is kept as is and treated as not terminal.
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
func (s Status) Known() bool {
	switch s {
	case StatusPending, StatusThrottled, StatusRunning, StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}
