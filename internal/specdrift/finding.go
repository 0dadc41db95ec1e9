// Package specdrift compares live API traffic with the embedded openapi.yaml
// and says where LlamaCloud and the contract differ: what kin-openapi's
// validation finds (through internal/apispec, as the emulator checks its own
// answers) and what a schema check lets through because the spec's objects
// are open: members the spec does not have, at any depth, and new values of
// the open strings it documents.
package specdrift

import (
	"fmt"
	"regexp"
	"sort"
)

// Severity says whether a Finding is drift (the spec must change, or the
// service broke it) or information (a new value of an open string).
type Severity string

const (
	// Drift is a difference between the service and the spec.
	Drift Severity = "drift"
	// Info is something new the spec allows, such as a new status.
	Info Severity = "info"
)

// Kinds of Finding.
const (
	KindUnknownMember = "unknown_member" // a member the schema does not list
	KindNewValue      = "new_value"      // a value of an open string the spec does not list (Info)
	KindEnum          = "enum"           // a value outside a closed enum
	KindMissing       = "missing"        // a required member is absent
	KindType          = "type"           // a value of another JSON type
	KindNull          = "null"           // null where the schema is not nullable
	KindStatus        = "status"         // a status code the operation does not list
	KindSchema        = "schema"         // anything else kin-openapi refuses
	KindRequest       = "request"        // a request of the check itself the spec refuses
	KindTooLarge      = "too_large"      // an answer over the check's read limit, not checked
	KindMore          = "more"           // findings past maxFindingsPerOperation, counted in Count
)

// Finding is one difference, at one spot of one operation's answers.
type Finding struct {
	Severity  Severity `json:"severity"`
	Kind      string   `json:"kind"`
	Operation string   `json:"operation"`
	Status    int      `json:"status,omitempty"`
	// Path is the JSON path in the body, e.g. $.items[0].status; "$" for
	// the status line or the body as a whole.
	Path string `json:"path"`
	// Spec is what openapi.yaml says there; Got what arrived.
	Spec string `json:"spec"`
	Got  string `json:"got"`
	// Example is the value that arrived, with anything that may be a
	// secret or a document's content cut.
	Example string `json:"example,omitempty"`
	// Count is how often the same finding (any list index) was seen.
	Count int `json:"count"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s %s %s (%d) %s: spec %s; got %s", f.Severity, f.Kind, f.Operation, f.Status, f.Path, f.Spec, f.Got)
	if f.Example != "" {
		s += "; example " + f.Example
	}
	return s
}

// maxFindingsPerOperation bounds the distinct findings listed for one
// operation. A flood (say a map of ids where the spec has an object) shows
// what it is in its first findings; the rest are counted in one KindMore
// finding, so that the report, its memory and the time to write it stay
// bounded whatever an answer holds.
const maxFindingsPerOperation = 100

// findings collects Findings, one per operation, kind and path with its
// list indexes generalised, counting repeats.
type findings struct {
	list  []Finding
	index map[string]int
	perOp map[string]int
	more  map[string]int // operation -> index of its KindMore finding
}

var listIndex = regexp.MustCompile(`\[\d+\]`)

func (fs *findings) add(f Finding) {
	key := f.Operation + "\x00" + f.Kind + "\x00" + listIndex.ReplaceAllString(f.Path, "[*]") + "\x00" + f.Got
	if fs.index == nil {
		fs.index, fs.perOp, fs.more = map[string]int{}, map[string]int{}, map[string]int{}
	}
	if i, ok := fs.index[key]; ok {
		fs.list[i].Count++
		return
	}
	if fs.perOp[f.Operation] >= maxFindingsPerOperation {
		i, ok := fs.more[f.Operation]
		if !ok {
			i = len(fs.list)
			fs.more[f.Operation] = i
			fs.list = append(fs.list, Finding{Severity: f.Severity, Kind: KindMore, Operation: f.Operation, Status: f.Status, Path: "$",
				Spec: fmt.Sprintf("at most %d findings listed per operation", maxFindingsPerOperation)})
		}
		if f.Severity == Drift {
			fs.list[i].Severity = Drift
		}
		fs.list[i].Count++
		fs.list[i].Got = fmt.Sprintf("%d more, not listed", fs.list[i].Count)
		return
	}
	fs.perOp[f.Operation]++
	f.Count = 1
	fs.index[key] = len(fs.list)
	fs.list = append(fs.list, f)
}

// sorted returns the findings, drift first, then by operation and path.
func (fs *findings) sorted() []Finding {
	out := append([]Finding(nil), fs.list...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity == Drift
		}
		if out[i].Operation != out[j].Operation {
			return out[i].Operation < out[j].Operation
		}
		return out[i].Path < out[j].Path
	})
	return out
}
