package createguard

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Match is how a listed job's configuration compares with a create's.
type Match int

const (
	// Different: a member the create set differs, so the job is not the
	// create's.
	Different Match = iota
	// MaybeSame: every member the create set is equal, but the job shows
	// other members set (perhaps service defaults, perhaps another caller's
	// choice): it may be the create's job, not provably.
	MaybeSame
	// Same: every member is equal.
	Same
)

// CompareConfig compares the inline configuration of a create's body
// (sent) and a listed job (got), member by member: absent, null, false and
// "" are the same (unset), and values are compared by meaning, not by
// spelling. A body without a configuration is Different; a job without
// one is MaybeSame (the server did not say).
func CompareConfig(sent, got []byte) Match {
	var want, have struct {
		Configuration map[string]json.RawMessage `json:"configuration"`
	}
	if json.Unmarshal(sent, &want) != nil || want.Configuration == nil {
		return Different
	}
	if json.Unmarshal(got, &have) != nil || have.Configuration == nil {
		return MaybeSame
	}
	result := Same
	for k, wv := range want.Configuration {
		gv, ok := have.Configuration[k]
		switch {
		case !ok && isUnset(wv):
		case !ok:
			result = MaybeSame // a server may leave out what it did not change
		case !jsonEqual(wv, gv):
			return Different
		}
	}
	for k, gv := range have.Configuration {
		if _, ok := want.Configuration[k]; !ok && !isUnset(gv) {
			result = MaybeSame
		}
	}
	return result
}

// isUnset reports a value that sets nothing: null, false or "".
func isUnset(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case "", "null", "false", `""`:
		return true
	}
	return false
}

// jsonEqual compares two JSON values by meaning (key order and spacing
// aside).
func jsonEqual(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
