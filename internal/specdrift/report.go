package specdrift

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// Report is the outcome of a Tour.
type Report struct {
	BaseURL     string     `json:"base_url"`
	SpecVersion string     `json:"spec_version"`
	Created     bool       `json:"created"`
	Requests    []Exchange `json:"requests"`
	Findings    []Finding  `json:"findings"`
	// Complete is false when the tour ended early (the network failed or
	// the key was refused): no drift then says nothing about the API.
	Complete bool `json:"complete"`
	// Error is why the tour ended early.
	Error string `json:"error,omitempty"`
	// secret is the API key, cut from everything the report writes.
	secret string
}

// Drift counts the findings that are drift (not information).
func (r *Report) Drift() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Drift {
			n++
		}
	}
	return n
}

// WriteJSON writes the report as one indented JSON object, with drift and
// info counts.
func (r *Report) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// The key is cut from each string before encoding, not from the
	// encoded bytes, so that a key that is also a JSON word, a number or
	// a member name cannot break the document.
	c := r.cut()
	out := struct {
		*Report
		Drift int `json:"drift"`
		Info  int `json:"info"`
	}{c, c.Drift(), len(c.Findings) - c.Drift()}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	if out.Requests == nil {
		out.Requests = []Exchange{}
	}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("llamaextract: spec check report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteText writes the report for a maintainer: the requests sent, then
// each finding with its operation, JSON path, what the spec says, what
// arrived and an example.
func (r *Report) WriteText(w io.Writer) error {
	r = r.cut()
	var b bytes.Buffer
	fmt.Fprintf(&b, "llamaextract spec check: %d requests to %s, checked against openapi.yaml %s\n", len(r.Requests), r.BaseURL, r.SpecVersion)
	for i := 0; i < len(r.Requests); {
		e, n := r.Requests[i], 1
		for i+n < len(r.Requests) && r.Requests[i+n] == e {
			n++
		}
		i += n
		fmt.Fprintf(&b, "  %-22s %-6s %s -> %d", e.Operation, e.Method, e.Path, e.Status)
		if n > 1 {
			fmt.Fprintf(&b, " (%d times)", n)
		}
		b.WriteByte('\n')
	}
	drift := r.Drift()
	writeFindings(&b, "DRIFT: the API differs from openapi.yaml", r.Findings[:drift])
	writeFindings(&b, "INFO: new values of open strings (allowed, worth documenting)", r.Findings[drift:])
	switch {
	case drift > 0:
		fmt.Fprintf(&b, "\n%d drift finding(s): update openapi.yaml (see README, \"When the API changes\").\n", drift)
	case r.Complete:
		fmt.Fprintf(&b, "\nNo drift: every answer matches openapi.yaml.\n")
	}
	if n := r.serverErrors(); n > 0 {
		// default documents a 5xx, so it is no drift, but the answer the
		// operation gives when it works was not seen.
		fmt.Fprintf(&b, "%d answers were server errors (5xx): those operations' usual answers were not checked; run again later.\n", n)
	}
	if !r.Complete {
		fmt.Fprintf(&b, "\nCheck not finished, so no verdict on what was not sent: %s\n", strings.TrimPrefix(r.Error, "llamaextract: spec check: "))
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeFindings(b *bytes.Buffer, title string, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d):\n", title, len(fs))
	for _, f := range fs {
		fmt.Fprintf(b, "  %s %d %s  [%s]\n", f.Operation, f.Status, f.Path, f.Kind)
		fmt.Fprintf(b, "      spec:    %s\n", f.Spec)
		fmt.Fprintf(b, "      got:     %s\n", f.Got)
		if f.Example != "" {
			fmt.Fprintf(b, "      example: %s\n", f.Example)
		}
		if f.Count > 1 {
			fmt.Fprintf(b, "      seen:    %d times\n", f.Count)
		}
	}
}

// serverErrors counts the answers with a 5xx status.
func (r *Report) serverErrors() int {
	n := 0
	for _, e := range r.Requests {
		if e.Status >= 500 {
			n++
		}
	}
	return n
}

// cut returns a copy of the report with the key cut from every string.
func (r *Report) cut() *Report {
	c := *r
	k := newKeyCutter(r.secret)
	c.BaseURL, c.Error = k.cut(r.BaseURL), k.cut(r.Error)
	c.Requests = make([]Exchange, len(r.Requests))
	for i, e := range r.Requests {
		e.Operation, e.Method, e.Path = k.cut(e.Operation), k.cut(e.Method), k.cut(e.Path)
		c.Requests[i] = e
	}
	c.Findings = make([]Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Operation, f.Path, f.Spec = k.cut(f.Operation), k.cut(f.Path), k.cut(f.Spec)
		f.Got, f.Example = k.cut(f.Got), k.cut(f.Example)
		c.Findings[i] = f
	}
	return &c
}

// redact is cutSecret on bytes.
func redact(out []byte, key string) []byte { return []byte(cutSecret(string(out), key)) }

const (
	keyCut = "[api key cut]"
	// minKeyPiece is the shortest run of the key's characters that is cut
	// wherever it appears (its first and last 8 characters included).
	minKeyPiece = 8
)

// cutSecret cuts the key from s in every form a server may echo it or an
// encoder write it (see keyForms), and any run of at least minKeyPiece of
// its characters.
func cutSecret(s, key string) string { return newKeyCutter(key).cut(s) }

// keyCutter is cutSecret for one key, its forms worked out once.
type keyCutter struct {
	key   string
	forms []string
}

func newKeyCutter(key string) *keyCutter {
	key = strings.TrimSpace(key)
	if key == "" {
		return &keyCutter{}
	}
	return &keyCutter{key: key, forms: keyForms(key)}
}

func (k *keyCutter) cut(s string) string {
	if k.key == "" || s == "" {
		return s
	}
	for _, form := range k.forms {
		s = strings.ReplaceAll(s, form, keyCut)
	}
	if len(k.key) < minKeyPiece {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		n := 0
		for j := i + minKeyPiece; j <= len(s) && strings.Contains(k.key, s[i:j]); j++ {
			n = j - i
		}
		if n > 0 {
			b.WriteString(keyCut)
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// keyForms are the key (and its first and last minKeyPiece characters) as
// written and as encoding/json and strconv quote them, the key
// URL-encoded, in hex, and in base64 (standard and URL-safe alphabets) at
// each of the three alignments it can have inside a longer encoded text
// (such as "Bearer <key>"): only the key's whole 3-byte groups, which
// encode the same wherever the key starts. Longest first.
func keyForms(key string) []string {
	forms := escapedForms(key)
	if len(key) > minKeyPiece {
		forms = append(forms, escapedForms(key[:minKeyPiece])...)
		forms = append(forms, escapedForms(key[len(key)-minKeyPiece:])...)
	}
	forms = append(forms, url.QueryEscape(key), url.PathEscape(key),
		hex.EncodeToString([]byte(key)), strings.ToUpper(hex.EncodeToString([]byte(key))))
	for skip := 0; skip < 3 && len(key)-skip >= 6; skip++ {
		group := []byte(key[skip : skip+(len(key)-skip)/3*3])
		forms = append(forms, base64.StdEncoding.EncodeToString(group), base64.URLEncoding.EncodeToString(group))
	}
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}

// escapedForms are p as written, as encoding/json escapes it (with and
// without HTML escaping), and as strconv-style quoting escapes it.
func escapedForms(p string) []string {
	forms := []string{p}
	html, _ := json.Marshal(p)
	forms = append(forms, string(html[1:len(html)-1]))
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
	forms = append(forms, strings.TrimSuffix(strings.TrimSuffix(plain.String(), "\n"), `"`)[1:])
	q := fmt.Sprintf("%q", p)
	forms = append(forms, q[1:len(q)-1])
	return forms
}
