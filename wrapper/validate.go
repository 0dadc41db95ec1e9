package wrapper

import "errors"

// validate is the check doCall runs on a decoded 2xx answer (see the
// validate hook there): a job without an id or a status is not a job, and
// must never reach a caller as one with a nil error (a create answered
// with null, {} or {"id":""}).
func (j *Job) validate() error {
	switch {
	case j.Id == "":
		return errors.New("job has no id")
	case j.Status == "":
		return errors.New("job " + j.Id + " has no status")
	}
	return nil
}
