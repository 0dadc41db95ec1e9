// Package jsonrest finds, in JSON that encoding/json has already found
// valid and decoded into a Go type, the members that type does not model,
// and copies them out: one pass over the bytes, after the decode, so that
// a value keeps what it does not know without the JSON being parsed twice
// or each value pinning the buffer it came from.
package jsonrest

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Names is the member names a Go type models, as the scan looks them up: a
// handful of names, compared by length first, is faster to search in order
// than a map to hash. For a nested set, member names the member whose own
// members the set holds.
type Names struct {
	member string
	names  []string
	// copied is the member whose value ItemRests's copied returns.
	copied string
	// times are the timestamp members (see Times).
	times []string
}

// NewNames returns the set of names; member is "" for a top-level set.
func NewNames(member string, names map[string]bool) *Names {
	s := &Names{member: member}
	for n := range names {
		s.names = append(s.names, n)
	}
	return s
}

// Copied marks member as the member of s's objects whose value, as
// encoding/json handed it whole to an Unmarshaler (the bytes themselves or
// a copy), ItemRests's copied returns, and returns s.
func (s *Names) Copied(member string) *Names {
	s.copied = member
	return s
}

// Times marks members as timestamps: a rest keeps one sent in a layout
// other than the one re-encoding writes (UTC RFC 3339, "...Z"), and returns
// s.
func (s *Names) Times(members ...string) *Names {
	s.times = members
	return s
}

// keepsTime reports whether the value v of member key is a timestamp the
// rest keeps.
func (s *Names) keepsTime(key, v []byte) bool {
	utc := len(v) >= 22 && v[0] == '"' && v[11] == 'T' && v[len(v)-2] == 'Z'
	return !utc && slices.Contains(s.times, string(key))
}

func (s *Names) has(key []byte) bool {
	for _, n := range s.names {
		if len(n) == len(key) && n == string(key) {
			return true
		}
	}
	return false
}

// ItemRests returns, for each element of the "items" array of the page
// body, a new JSON object of its members not in names (with the members of
// the member nested names that are not in nested); nil for an element with
// none. It reports false when it cannot be sure its elements are those
// encoding/json decoded (a key spelt otherwise, an escape in a key): the
// caller then takes them the slow way.
//
// copied, when not nil, returns element i's value of its member m (the
// member names.Copied or nested.Copied marks) as encoding/json handed it
// over, nil for none; the scan jumps over a value that starts with those
// bytes instead of walking it. A JSON object, array or string ends where
// its bytes say, so a whole one that the value starts with is the whole
// value.
func ItemRests(body []byte, names, nested *Names, copied func(i int, m string) []byte) ([]json.RawMessage, bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	var rests []json.RawMessage
	for i = skipSpace(body, i+1); i < len(body) && body[i] != '}'; i = skipSpace(body, i) {
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		end := skipString(body, i)
		if end < 0 {
			return nil, false
		}
		key := body[i+1 : end-1]
		if i = skipSpace(body, end); i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipSpace(body, i+1)
		switch {
		case string(key) == "items" && i < len(body) && body[i] == '[':
			rests = rests[:0] // encoding/json keeps the last of a repeated member
			if i, rests = arrayRests(body, i, rests, names, nested, copied); i < 0 {
				return nil, false
			}
		case bytes.EqualFold(key, []byte("items")) || bytes.IndexByte(key, '\\') >= 0:
			return nil, false
		default:
			if i = skipValue(body, i); i < 0 {
				return nil, false
			}
		}
	}
	return rests, true
}

// arrayRests appends the rest of each element of the array at body[i] and
// returns the index after the array (-1 for malformed JSON).
func arrayRests(body []byte, i int, rests []json.RawMessage, names, nested *Names, copied func(int, string) []byte) (int, []json.RawMessage) {
	for i = skipSpace(body, i+1); i < len(body) && body[i] != ']'; i = skipSpace(body, i) {
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		var rest json.RawMessage
		end := -1
		if i < len(body) && body[i] == '{' {
			end, rest = objectRest(body, i, names, nested, item{len(rests), copied})
		} else {
			end = skipValue(body, i)
		}
		if end < 0 {
			return -1, nil
		}
		rests = append(rests, rest)
		i = end
	}
	if i >= len(body) {
		return -1, nil
	}
	return i + 1, rests
}

// Rest is the rest (see ItemRests) of the object obj alone, or a copy of
// obj when it cannot be walked.
func Rest(obj []byte, names, nested *Names) json.RawMessage {
	i := skipSpace(obj, 0)
	if end, rest := objectRest(obj, i, names, nested, item{}); end >= 0 {
		return rest
	}
	return bytes.Clone(obj)
}

// objectRest walks the object at b[i] and returns the index after it and a
// new JSON object of its members not in names, null or a timestamp to keep
// (Times), with those of a member in nested likewise (nil for none); -1 for
// malformed JSON. it is the
// element the object is (or is inside of), for the jumps (see ItemRests).
func objectRest(b []byte, i int, names, nested *Names, it item) (int, json.RawMessage) {
	var stack [16][2]int
	keep := stack[:0]
	var inner []byte  // "name":{...} of a nested member's own rest
	modelled := false // a modelled member is kept
	if i >= len(b) || b[i] != '{' {
		return -1, nil
	}
	for i = skipSpace(b, i+1); i < len(b) && b[i] != '}'; i = skipSpace(b, i) {
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		start, end := i, skipString(b, i)
		if end < 0 {
			return -1, nil
		}
		key := b[start+1 : end-1]
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return -1, nil
		}
		value := skipSpace(b, i+1)
		var sub *Names
		if nested != nil && string(key) == nested.member {
			sub = nested
		}
		jumped := -1
		if names.copied != "" && string(key) == names.copied {
			jumped = it.jump(b, value, names.copied)
		}
		isNull := value < len(b) && b[value] == 'n'
		if modelled && !isNull {
			keep = dropKey(b, keep, key) // a later value wins over one kept
		}
		switch {
		case jumped >= 0:
			if i = jumped; !names.has(key) {
				keep = append(keep, [2]int{start, i})
			}
		case !names.has(key) || isNull:
			// A modelled member sent as null is kept too: its field
			// cannot tell null from absent.
			modelled = modelled || isNull
			if sub != nil {
				inner = inner[:0]
			}
			i = skipValue(b, value)
			keep = append(keep, [2]int{start, i})
		case sub != nil && value < len(b) && b[value] == '{':
			var rest json.RawMessage
			i, rest = objectRest(b, value, sub, nil, it)
			inner = inner[:0] // encoding/json keeps the last of a repeated member
			if rest != nil {
				inner = append(append(append(append(inner, '"'), key...), `":`...), rest...)
			}
		case sub != nil:
			i, inner = skipValue(b, value), inner[:0]
		default:
			if i = skipValue(b, value); i >= 0 && len(names.times) > 0 && names.keepsTime(key, b[value:i]) {
				keep, modelled = append(keep, [2]int{start, i}), true
			}
		}
		if i < 0 {
			return -1, nil
		}
	}
	if i >= len(b) {
		return -1, nil
	}
	return i + 1, joinRest(b, keep, inner)
}

// joinRest returns the object of the members of b at keep and inner; nil
// for none.
func joinRest(b []byte, keep [][2]int, inner []byte) json.RawMessage {
	if len(keep) == 0 && len(inner) == 0 {
		return nil
	}
	size := 1 // '}'; each member adds its bytes and a ',' ('{' the first)
	if len(inner) > 0 {
		size += len(inner) + 1
	}
	for _, m := range keep {
		size += m[1] - m[0] + 1
	}
	out := make([]byte, 0, size)
	for _, m := range keep {
		out = append(append(out, ','), b[m[0]:m[1]]...)
	}
	if len(inner) > 0 {
		out = append(append(out, ','), inner...)
	}
	out[0] = '{'
	return append(out, '}')
}

// item is an element of the items array and its copied values.
type item struct {
	i    int
	from func(int, string) []byte
}

// jump returns the index after the value at b[value] of member when it
// starts with the element's copied value of member, a whole JSON object,
// array or string (a number's bytes may go on); -1 otherwise.
func (it item) jump(b []byte, value int, member string) int {
	if it.from == nil {
		return -1
	}
	v := it.from(it.i, member)
	if len(v) == 0 || (v[0] != '{' && v[0] != '[' && v[0] != '"') || !bytes.HasPrefix(b[value:], v) {
		return -1
	}
	return value + len(v)
}

// dropKey removes from keep the members of b named key.
func dropKey(b []byte, keep [][2]int, key []byte) [][2]int {
	return slices.DeleteFunc(keep, func(m [2]int) bool {
		return bytes.Equal(b[m[0]+1:skipString(b, m[0])-1], key)
	})
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string at b[i] (-1 if none).
func skipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; ; {
		if j >= len(b) {
			return -1
		}
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		n := 0 // backslashes right before the quote: odd escapes it
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// structural marks the bytes skipValue stops at inside an object or array.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// literalEnd marks the bytes that end a number or literal.
var literalEnd = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\n': true, '\r': true}

// skipValue returns the index after the JSON value at b[i] (-1 if none).
func skipValue(b []byte, i int) int {
	if i < 0 || i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			for i < len(b) && !structural[b[i]] {
				i++
			}
			if i == len(b) {
				break
			}
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			default:
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(b) && !literalEnd[b[i]] {
		i++
	}
	return i
}
