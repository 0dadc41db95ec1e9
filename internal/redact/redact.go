// Package redact removes an API key from text a server sent back: written
// as is, with any of its characters JSON-escaped (\u006c, \/) or
// URL-encoded (%6C), or cut to its first or last MinKeyFragment characters.
// It knows nothing of the client's types; the client applies it to every
// answer, error and log record.
package redact

import (
	"bytes"
	"net/http"
	"strings"
)

// Redacted replaces every trace of the API key.
const Redacted = "[redacted]"

// MinKeyFragment is the shortest piece of the key that is scrubbed on its
// own: a key cut by a truncation boundary (an excerpt, a capped body, a
// half-sent answer) leaves its first or last characters behind, and 8 of
// them are already worth hiding. It is also the shortest key scrubbed at
// all: a shorter one ("t", "test") is a placeholder for a test server, no
// LlamaCloud key is that short (llx- and 48 characters), and scrubbing it
// would rewrite ordinary words in every answer ("status" with the key "t"),
// so that no job decodes.
const MinKeyFragment = 8

// Scrubber removes the API key from text a server sent back, so that a
// hostile or buggy server echoing request headers cannot put the key into
// an error, a Job field or a log line. It finds the key written as is, with
// any of its characters JSON-escaped (\u006c, \/) or URL-encoded (%6C), and
// any run of at least MinKeyFragment of its first characters (written in
// any of those forms) or of its last characters.
//
// The zero Scrubber scrubs nothing.
type Scrubber struct {
	key  string
	frag int
	// anchor is where in the key's first characters the literal search
	// starts: the first byte that is not a lowercase letter (rarer in
	// text, so the vectorised search stops less often).
	anchor int
}

// New returns the Scrubber of key; one for a key shorter than
// MinKeyFragment scrubs nothing.
func New(key string) Scrubber {
	if len(key) < MinKeyFragment {
		return Scrubber{}
	}
	s := Scrubber{key: key, frag: MinKeyFragment}
	for i := 0; i+4 <= s.frag; i++ {
		if c := key[i]; c < 'a' || c > 'z' {
			s.anchor = i
			break
		}
	}
	return s
}

// Bytes returns b with every trace of the key replaced; b itself (not a
// copy) when there is none, which is the common case and costs a few
// vectorised scans.
func (s Scrubber) Bytes(b []byte) []byte {
	spans := s.find(b)
	if len(spans) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	last := 0
	for _, sp := range spans {
		out = append(out, b[last:sp[0]]...)
		out = append(out, Redacted...)
		last = sp[1]
	}
	return append(out, b[last:]...)
}

// String is Bytes for a string.
func (s Scrubber) String(str string) string {
	if s.key == "" || len(str) < s.frag {
		return str
	}
	b := []byte(str)
	if len(s.find(b)) == 0 {
		return str
	}
	return string(s.Bytes(b))
}

// Contains reports whether text holds any trace of the key.
func (s Scrubber) Contains(text string) bool {
	return s.key != "" && len(text) >= s.frag && len(s.find([]byte(text))) > 0
}

// find returns the sorted, non-overlapping [start, end) spans of key traces.
func (s Scrubber) find(b []byte) [][2]int {
	if s.key == "" || len(b) < s.frag {
		return nil
	}
	var spans [][2]int
	add := func(start, end int) {
		spans = append(spans, [2]int{start, end})
	}
	// Forward matches: any run of the key's first s.frag characters or
	// more. Written as is, it contains the literal fragment, which a
	// vectorised search finds, anchored on its rarest-looking byte.
	head, o := s.key[:s.frag], s.anchor
	for i := o; i < len(b); {
		j := bytes.Index(b[i:], []byte(head[o:]))
		if j < 0 {
			break
		}
		j += i - o
		if !bytes.Equal(b[j:j+o], []byte(head[:o])) {
			i = j + o + 1
			continue
		}
		n := s.matchPrefix(b, j)
		add(j, j+n)
		i = j + n + o
	}
	// Escaped, a trace contains an escape (\uXXXX, \/ or %XX) of one of
	// its end's characters within 6*s.frag bytes of the end it belongs to:
	// only such escapes are followed up, so ordinary escapes (\n,
	// non-ASCII text, "50%") cost a glance each.
	tail := s.key[len(s.key)-s.frag:]
	for _, esc := range [...]byte{'\\', '%'} {
		for i := 0; i < len(b); {
			e := bytes.IndexByte(b[i:], esc)
			if e < 0 {
				break
			}
			e += i
			i = e + 1
			c, ok := escaped(b[e:])
			if !ok {
				continue
			}
			if strings.IndexByte(head, c) >= 0 {
				if start, end, ok := s.headAround(b, e); ok {
					add(start, end)
					i = max(i, end)
				}
			}
			if strings.IndexByte(tail, c) >= 0 {
				if start, end, ok := s.tailAround(b, e); ok {
					add(start, end)
					i = max(i, end)
				}
			}
		}
	}
	// A key cut at the start of a text keeps its last characters, written
	// as is.
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte(tail))
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(tail)
		add(s.extendBack(b, start, len(s.key)-s.frag), end)
		i = end
	}
	return mergeSpans(spans)
}

// escaped returns the character an escape (\uXXXX of an ASCII character,
// \/ or %XX) at the start of b encodes.
func escaped(b []byte) (byte, bool) {
	switch {
	case len(b) >= 2 && b[0] == '\\' && b[1] == '/':
		return '/', true
	case len(b) >= 6 && b[0] == '\\' && (b[1] == 'u' || b[1] == 'U'):
		if v, ok := hexValue(b[2:6]); ok && v < 0x80 {
			return byte(v), true
		}
	case len(b) >= 3 && b[0] == '%':
		if v, ok := hexValue(b[1:3]); ok {
			return byte(v), true
		}
	}
	return 0, false
}

// headAround returns the span of a trace of the key's first characters
// that contains the escape at e.
func (s Scrubber) headAround(b []byte, e int) (start, end int, ok bool) {
	for p := max(0, e-6*s.frag); p <= e; p++ {
		if n := s.matchPrefix(b, p); n > 0 && p+n > e {
			return p, p + n, true
		}
	}
	return 0, 0, false
}

// tailAround returns the span of a trace of the key's last characters
// that contains the escape at e: the last s.frag characters, and as many
// before them as precede them in the text.
func (s Scrubber) tailAround(b []byte, e int) (start, end int, ok bool) {
	first := len(s.key) - s.frag
	for p := max(0, e-6*s.frag); p <= e; p++ {
		if n := s.matchRest(b, p, first); n > 0 && p+n > e {
			return s.extendBack(b, p, first), p + n, true
		}
	}
	return 0, 0, false
}

// matchRest returns how many bytes at b[i:] spell the key from its
// character k to its end, each as is or escaped; 0 when they do not.
func (s Scrubber) matchRest(b []byte, i, k int) int {
	p := i
	for ; k < len(s.key); k++ {
		if p >= len(b) {
			return 0
		}
		n := decodedIs(b[p:], s.key[k])
		if n == 0 {
			return 0
		}
		p += n
	}
	return p - i
}

// extendBack moves start, where the key's character k is spelled, back
// over the key's characters before k, each as is or escaped.
func (s Scrubber) extendBack(b []byte, start, k int) int {
	for k--; k >= 0 && start > 0; k-- {
		n := encodedBefore(b[:start], s.key[k])
		if n == 0 {
			break
		}
		start -= n
	}
	return start
}

// encodedBefore reports how many bytes at the end of b encode c (0 when
// they do not).
func encodedBefore(b []byte, c byte) int {
	n := len(b)
	switch {
	case c == '/' && n >= 2 && b[n-2] == '\\' && b[n-1] == '/':
		return 2
	case n >= 6 && b[n-6] == '\\' && (b[n-5] == 'u' || b[n-5] == 'U'):
		if v, ok := hexValue(b[n-4:]); ok && v == int(c) {
			return 6
		}
	case n >= 3 && b[n-3] == '%':
		if v, ok := hexValue(b[n-2:]); ok && v == int(c) {
			return 3
		}
	}
	if n >= 1 && b[n-1] == c {
		return 1
	}
	return 0
}

// matchPrefix returns how many bytes at b[i:] spell at least s.frag leading
// characters of the key (each as is, \uXXXX, \/ or %XX), or 0.
func (s Scrubber) matchPrefix(b []byte, i int) int {
	p, matched := i, 0
	for matched < len(s.key) && p < len(b) {
		n := decodedIs(b[p:], s.key[matched])
		if n == 0 {
			break
		}
		p += n
		matched++
	}
	if matched < s.frag {
		return 0
	}
	return p - i
}

// decodedIs reports how many bytes of b encode c (0 when they do not).
func decodedIs(b []byte, c byte) int {
	switch {
	case b[0] == c:
		return 1
	case b[0] == '\\' && len(b) >= 2 && b[1] == '/' && c == '/':
		return 2
	case b[0] == '\\' && len(b) >= 6 && (b[1] == 'u' || b[1] == 'U'):
		if v, ok := hexValue(b[2:6]); ok && v == int(c) {
			return 6
		}
	case b[0] == '%' && len(b) >= 3:
		if v, ok := hexValue(b[1:3]); ok && v == int(c) {
			return 3
		}
	}
	return 0
}

func hexValue(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

func mergeSpans(spans [][2]int) [][2]int {
	if len(spans) < 2 {
		return spans
	}
	// Few spans, almost always: insertion sort keeps this free of imports.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j][0] < spans[j-1][0]; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:1]
	for _, sp := range spans[1:] {
		if last := &out[len(out)-1]; sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
			continue
		}
		out = append(out, sp)
	}
	return out
}

// Header scrubs h in place: its values, and its names, which a server can
// also make from the key. A name is canonicalised (its letters' case
// changed), so names are compared without case and one holding a trace of
// the key is replaced whole.
func (s Scrubber) Header(h http.Header) {
	var lower Scrubber
	for k, vs := range h {
		for i, v := range vs {
			if sv := s.String(v); sv != v {
				h[k][i] = sv
			}
		}
		if s.key == "" || len(k) < s.frag {
			continue
		}
		if lower.key == "" {
			lower = New(strings.ToLower(s.key))
		}
		if lower.Contains(strings.ToLower(k)) {
			delete(h, k)
			h[Redacted] = append(h[Redacted], vs...)
		}
	}
}

// Active reports whether s scrubs anything.
func (s Scrubber) Active() bool { return s.key != "" }

// ContainsBytes reports whether b holds any trace of the key.
func (s Scrubber) ContainsBytes(b []byte) bool { return len(s.find(b)) > 0 }

// scrubbedError stands for an error whose text held the key: Error gives
// the scrubbed text, Unwrap still reaches the original for errors.Is/As.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Wrap hides err's text behind a scrubbed copy when it holds the key.
func (s Scrubber) Wrap(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); s.Contains(msg) {
		return &scrubbedError{msg: s.String(msg), err: err}
	}
	return err
}
