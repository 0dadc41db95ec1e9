package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/extract-go/llamaextract/wrapper"
)

// maxListed bounds the jobs jobOf reads looking for a document's job. The
// file is the batch's own, so a service that applies the file filter sends
// a handful at most; one that ignores it could list the whole account.
const maxListed = 100

// jobOf returns the newest job that reads fileID with the batch's
// configuration, or nil. A listing is evidence, not proof: the filter may
// not have been applied, so each job's file and configuration are checked
// before it is adopted.
func (x *Extractor[T]) jobOf(ctx context.Context, fileID string) (*wrapper.Job, error) {
	n := 0
	filter := wrapper.JobFilter{FileInput: fileID, PageSize: 20}
	for job, err := range x.c.Jobs(x.e.paced(ctx), filter, wrapper.WithExpand(wrapper.ExpandConfiguration)) {
		if err != nil {
			return nil, err
		}
		if ownJob(job, fileID, x.cfg) {
			return job, nil
		}
		if n++; n == maxListed {
			break
		}
	}
	return nil, nil
}

// ownJob reports whether job reads fileID with cfg: the same file, and the
// same saved configuration or every inline field cfg sets equal (absent,
// null, false and "" alike are unset). Fields cfg leaves unset are not
// compared: the service fills some in (the version it ran), and the file
// is the batch's own, so only the batch makes jobs on it.
func ownJob(job *wrapper.Job, fileID string, cfg wrapper.Config) bool {
	if job == nil || job.FileInput != fileID {
		return false
	}
	if saved, ok := cfg.(wrapper.SavedConfig); ok {
		return job.ConfigurationID == strings.TrimSpace(saved.ID)
	}
	if job.ConfigurationID != "" || job.Configuration == nil {
		return false // another configuration, or one the service did not show
	}
	want, err1 := fields(cfg)
	got, err2 := fields(job.Configuration)
	if err1 != nil || err2 != nil {
		return false
	}
	for k, w := range want {
		if !sameJSON(w, got[k]) {
			return false
		}
	}
	return true
}

// fields is a configuration's JSON object, member by member.
func fields(cfg any) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	return m, json.Unmarshal(raw, &m)
}

func unset(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case "", "null", "false", `""`:
		return true
	}
	return false
}

// sameJSON compares two JSON values by meaning (key order and spacing
// aside); unset values are the same.
func sameJSON(a, b json.RawMessage) bool {
	if unset(a) && unset(b) || bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
