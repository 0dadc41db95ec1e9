package wrapper

// Status, Target and Tier decode a documented value as the package's own
// constant rather than as a new string: every job carries a status, and a
// configuration a target and a tier, and each was an allocation per job
// read (issue 14: a listed job cost 13.5 allocations where plain
// encoding/json made 12).
//
// They do it as encoding.TextUnmarshaler, not json.Unmarshaler: for a JSON
// string encoding/json hands UnmarshalText the string's text (unescaped
// without allocating when it has no escapes), and everything else it
// treats exactly as for a string: null leaves the value unchanged, and a
// number, bool, object or array is a *json.UnmarshalTypeError naming the
// field, its own type and the offset in the whole document, recorded while
// the rest of the value is still decoded. An UnmarshalJSON had to report
// those itself: its error named type string at an offset within the value
// alone, and it stopped the decoding of everything after it.

var (
	knownStatuses = []Status{StatusCompleted, StatusRunning, StatusPending, StatusFailed, StatusCancelled, StatusThrottled}
	knownTargets  = []Target{PerDoc, PerPage, PerTableRow}
	knownTiers    = []Tier{TierCostEffective, TierAgentic, TierAgenticPlus, TierTurbo}
)

// UnmarshalText sets s to text; encoding/json calls it with the text of a
// JSON string (null leaves s unchanged, any other JSON value is an error).
func (s *Status) UnmarshalText(text []byte) error { *s = internKnown(text, knownStatuses); return nil }

// UnmarshalText sets t to text; encoding/json calls it with the text of a
// JSON string (null leaves t unchanged, any other JSON value is an error).
func (t *Target) UnmarshalText(text []byte) error { *t = internKnown(text, knownTargets); return nil }

// UnmarshalText sets t to text; encoding/json calls it with the text of a
// JSON string (null leaves t unchanged, any other JSON value is an error).
func (t *Tier) UnmarshalText(text []byte) error { *t = internKnown(text, knownTiers); return nil }

// internKnown returns the constant equal to text, or a new T holding it.
func internKnown[T ~string](text []byte, known []T) T {
	for _, k := range known {
		if string(text) == string(k) { // compared in place: no allocation
			return k
		}
	}
	return T(text)
}
