package wrapper

import (
	"bytes"
	"encoding/json"
)

// Status, Target and Tier decode a documented value as the package's own
// constant rather than as a new string: every job carries a status, and a
// configuration a target and a tier, and each was an allocation per job
// read (issue 14: a listed job cost 13.5 allocations where plain
// encoding/json made 12). Any other value decodes exactly as
// encoding/json decodes a string, and an unknown one is kept as is.

var (
	knownStatuses = []Status{StatusCompleted, StatusRunning, StatusPending, StatusFailed, StatusCancelled, StatusThrottled}
	knownTargets  = []Target{PerDoc, PerPage, PerTableRow}
	knownTiers    = []Tier{TierCostEffective, TierAgentic, TierAgenticPlus, TierTurbo}
)

// UnmarshalJSON reads a JSON string; null leaves s unchanged.
func (s *Status) UnmarshalJSON(b []byte) error { return unmarshalKnown(b, s, knownStatuses) }

// UnmarshalJSON reads a JSON string; null leaves t unchanged.
func (t *Target) UnmarshalJSON(b []byte) error { return unmarshalKnown(b, t, knownTargets) }

// UnmarshalJSON reads a JSON string; null leaves t unchanged.
func (t *Tier) UnmarshalJSON(b []byte) error { return unmarshalKnown(b, t, knownTiers) }

func unmarshalKnown[T ~string](b []byte, dst *T, known []T) error {
	if string(b) == "null" {
		return nil
	}
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		for _, k := range known {
			if string(b[1:n-1]) == string(k) { // compared in place: no allocation
				*dst = k
				return nil
			}
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*dst = T(s)
	return nil
}
