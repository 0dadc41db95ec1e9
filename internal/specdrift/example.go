package specdrift

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// A report goes into issues and chat: its example values show the shape of
// what arrived, never a secret or a document's words.

// contentMembers hold a document's content or the user's own text, so
// nothing under them is shown.
var contentMembers = []string{"extract_result", "data_schema", "document_metadata", "page_metadata", "row_metadata",
	"matching_text", "system_prompt", "error_message", "detail", "msg", "input", "custom_prompt", "prompt", "reasoning"}

// secretWords in a member's name mark its value as a possible secret.
var secretWords = []string{"secret", "token", "key", "password", "passwd", "auth", "signature", "credential", "cookie", "session", "header"}

// safeText is the only text shown as is: short, plain, and with no long run
// of letters and digits, which could be a token.
var safeText = regexp.MustCompile(`^[A-Za-z0-9 _.:+\-]{0,40}$`)
var longRun = regexp.MustCompile(`[A-Za-z0-9]{20,}`)

// example shows v, found at the JSON path at, with anything that may be a
// secret or content cut.
func example(at string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool, float64:
		return fmt.Sprint(x)
	case string:
		return valueText(at, x)
	case []any:
		return fmt.Sprintf("[%d items]", len(x))
	case map[string]any:
		if underContent(at) {
			return fmt.Sprintf("{%d members}", len(x))
		}
		keys := sortedKeys(x)
		shown := make([]string, 0, 6)
		for i, k := range keys {
			if i == 6 {
				shown = append(shown, "...")
				break
			}
			shown = append(shown, cutKey(k))
		}
		return fmt.Sprintf("{%d members: %s}", len(x), strings.Join(shown, ", "))
	}
	return ""
}

// valueText is a scalar as a report shows it.
func valueText(at string, v any) string {
	s, ok := v.(string)
	if !ok {
		return example(at, v)
	}
	switch {
	case underContent(at):
		return fmt.Sprintf("(%d characters of content, cut)", len(s))
	case secretName(lastMember(at)):
		return fmt.Sprintf("(%d characters, cut: may be a secret)", len(s))
	case strings.Contains(s, "://"):
		if u, err := url.Parse(s); err == nil && u.Host != "" && safeText.MatchString(u.Host) {
			return strconv.Quote(u.Scheme + "://" + u.Host + "/...")
		}
		return fmt.Sprintf("(a %d-character URL, cut)", len(s))
	case safeText.MatchString(s) && !longRun.MatchString(s):
		return strconv.Quote(s)
	}
	return fmt.Sprintf("(%d characters, cut)", len(s))
}

// cutKey is a member name as a report shows it: names are structure, but a
// name can carry a secret or content too.
func cutKey(k string) string {
	if safeText.MatchString(k) && !longRun.MatchString(k) {
		return k
	}
	return fmt.Sprintf("(a %d-character name, cut)", len(k))
}

func underContent(at string) bool {
	for _, m := range contentMembers {
		if strings.Contains(at, "."+m+".") || strings.Contains(at, "."+m+"[") || strings.HasSuffix(at, "."+m) {
			return true
		}
	}
	return false
}

func secretName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// lastMember is the last member name of a JSON path.
func lastMember(at string) string {
	at = strings.TrimRight(at, "]0123456789[")
	if i := strings.LastIndexAny(at, ".["); i >= 0 {
		return strings.Trim(at[i+1:], `"]`)
	}
	return at
}
