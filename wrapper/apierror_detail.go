package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FieldIssue is one entry of the list LlamaCloud (a FastAPI service) sends
// with a 422: a request value that failed validation, and where it is.
type FieldIssue struct {
	// Loc is the location as the server sent it, each element as text:
	// ["query", "status"], ["body", "configuration", "tier"],
	// ["body", "webhook_configurations", "1", "webhook_events", "0"].
	Loc []string
	// In is the part of the request: "query", "path", "header", "cookie"
	// or "body"; empty when Loc does not start with one of them.
	In string
	// Path is the field inside In, dotted, with list indexes in brackets:
	// "status", "configuration.tier", "webhook_configurations[1].webhook_events[0]".
	// It is empty when the problem is the whole part (e.g. a body that is
	// not JSON).
	Path string
	// Msg says what is wrong, e.g. "Field required".
	Msg string
	// Type is the validator's kind of problem, e.g. "missing", "enum",
	// "int_parsing".
	Type string
}

// Field names the failing field for a message: the Path, or the part of
// the request when the problem is the part as a whole.
func (i FieldIssue) Field() string {
	switch {
	case i.Path != "":
		return i.Path
	case i.In != "":
		return i.In
	}
	return "request"
}

func (i FieldIssue) String() string {
	return i.Field() + ": " + i.Msg
}

// fieldIssues reads the detail list of an error body; nil when detail is a
// string or absent. Entries that are not objects are skipped, so a strange
// body never fails the error it explains.
func fieldIssues(body []byte) []FieldIssue {
	var v struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Detail) == 0 || v.Detail[0] != '[' {
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(v.Detail, &raw) != nil {
		return nil
	}
	out := make([]FieldIssue, 0, len(raw))
	for _, r := range raw {
		// msg and type are read as any JSON so that an odd value in one of
		// them does not lose the loc that names the field.
		var e struct {
			Loc  []any           `json:"loc"`
			Msg  json.RawMessage `json:"msg"`
			Type json.RawMessage `json:"type"`
		}
		if r[0] != '{' || json.Unmarshal(r, &e) != nil {
			continue
		}
		out = append(out, newFieldIssue(e.Loc, jsonText(e.Msg), jsonText(e.Type)))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// jsonText is a JSON string's value, or any other JSON value as compact
// text; empty for null or absent.
func jsonText(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func newFieldIssue(loc []any, msg, typ string) FieldIssue {
	is := FieldIssue{Msg: msg, Type: typ, Loc: make([]string, len(loc))}
	for i, l := range loc {
		switch x := l.(type) {
		case string:
			is.Loc[i] = x
		case float64:
			is.Loc[i] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			is.Loc[i] = fmt.Sprint(x)
		}
	}
	rest := loc
	if len(loc) > 0 {
		switch loc[0] {
		case "query", "path", "header", "cookie", "body":
			is.In, rest = is.Loc[0], loc[1:]
		}
	}
	if is.In == "body" && len(rest) > 0 {
		if _, ok := rest[0].(float64); ok {
			// ["body", 12]: FastAPI's JSON decode error at a byte offset;
			// the problem is the body itself, not a field.
			rest = nil
		}
	}
	var b strings.Builder
	for _, l := range rest {
		switch x := l.(type) {
		case float64:
			fmt.Fprintf(&b, "[%s]", strconv.FormatFloat(x, 'f', -1, 64))
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	is.Path = b.String()
	return is
}

// issuesSummary is the message part for a 422: the first failing field and
// how many more there are.
func issuesSummary(issues []FieldIssue) string {
	s := issues[0].String()
	if n := len(issues) - 1; n == 1 {
		s += " (and 1 more issue)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more issues)", n)
	}
	return s
}
