// Package apierror reads what a non-2xx answer of the API says: the detail
// of its body (a sentence, or the list of field issues a FastAPI service
// sends with a 422), its request ID and the wait it asks for. It returns
// plain values; the client builds its typed error from them.
package apierror

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/internal/retryhint"
)

// Answer is what a non-2xx answer says.
type Answer struct {
	// Body is the start of the body, at most the limit Read was given.
	Body []byte
	// Detail is the body's "detail" as text; see Detail.
	Detail string
	// Issues are the entries of a detail list; see Issues.
	Issues []Issue
	// RequestID is the server's request ID, when it sent one.
	RequestID string
	// RetryAfter is what the server asked to wait, 0 when it did not say.
	RetryAfter time.Duration
}

// Read reads at most limit bytes of resp's body and what they and resp's
// header say; now is the time an HTTP-date Retry-After is relative to.
func Read(resp *http.Response, limit int64, now time.Time) Answer {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	a := Answer{Body: body, Detail: Detail(body), Issues: Issues(body)}
	for _, h := range []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Correlation-Id"} {
		if v := resp.Header.Get(h); v != "" {
			a.RequestID = v
			break
		}
	}
	if d, ok := retryhint.After(resp.Header, now); ok {
		a.RetryAfter = d
	}
	return a
}

// Detail reads the "detail" of an error body: a string, or a list of
// {loc, msg} issues joined as "field: msg; ...". Anything else falls back to
// the body's "message", else to a short excerpt of the body.
func Detail(body []byte) string {
	var v struct {
		Detail  json.RawMessage `json:"detail"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		var s string
		if json.Unmarshal(v.Detail, &s) == nil && s != "" {
			return s
		}
		if issues := Issues(body); len(issues) > 0 {
			parts := make([]string, len(issues))
			for i, is := range issues {
				parts[i] = is.String()
			}
			return strings.Join(parts, "; ")
		}
		if v.Message != "" {
			return v.Message
		}
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// Issue is one entry of a FastAPI detail list; its fields are those of
// wrapper.FieldIssue, which documents them.
type Issue struct {
	Loc  []string
	In   string
	Path string
	Msg  string
	Type string
}

// Field names the failing field for a message: the Path, or the part of
// the request when the problem is the part as a whole.
func (i Issue) Field() string {
	switch {
	case i.Path != "":
		return i.Path
	case i.In != "":
		return i.In
	}
	return "request"
}

// String is "field: msg".
func (i Issue) String() string {
	return i.Field() + ": " + i.Msg
}

// Summary is the message part for a 422 of n issues whose first is first:
// the first failing field and how many more there are.
func Summary(first Issue, n int) string {
	s := first.String()
	if n--; n == 1 {
		s += " (and 1 more issue)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more issues)", n)
	}
	return s
}

// Issues reads the detail list of an error body; nil when detail is a
// string or absent. Entries that are not objects are skipped, so a strange
// body never fails the error it explains.
func Issues(body []byte) []Issue {
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
	out := make([]Issue, 0, len(raw))
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
		out = append(out, newIssue(e.Loc, jsonText(e.Msg), jsonText(e.Type)))
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

func newIssue(loc []any, msg, typ string) Issue {
	is := Issue{Msg: msg, Type: typ, Loc: make([]string, len(loc))}
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
