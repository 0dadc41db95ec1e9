package specdrift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Report is the outcome of a Tour.
type Report struct {
	BaseURL     string     `json:"base_url"`
	SpecVersion string     `json:"spec_version"`
	Created     bool       `json:"created"`
	Requests    []Exchange `json:"requests"`
	Findings    []Finding  `json:"findings"`
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
	out := struct {
		*Report
		Drift int `json:"drift"`
		Info  int `json:"info"`
	}{r, r.Drift(), len(r.Findings) - r.Drift()}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("llamaextract: spec check report: %w", err)
	}
	_, err := w.Write(redact(buf.Bytes(), r.secret))
	return err
}

// WriteText writes the report for a maintainer: the requests sent, then
// each finding with its operation, JSON path, what the spec says, what
// arrived and an example.
func (r *Report) WriteText(w io.Writer) error {
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
	default:
		fmt.Fprintf(&b, "\nNo drift: every answer matches openapi.yaml.\n")
	}
	_, err := w.Write(redact(b.Bytes(), r.secret))
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

// redact cuts the key, and its first and last 8 characters, from out, as
// written and as JSON escapes them.
func redact(out []byte, key string) []byte {
	key = strings.TrimSpace(key)
	if key == "" {
		return out
	}
	parts := []string{key}
	if len(key) > 8 {
		parts = append(parts, key[:8], key[len(key)-8:])
	}
	s := string(out)
	for _, p := range parts {
		for _, form := range escapedForms(p) {
			s = strings.ReplaceAll(s, form, "[api key cut]")
		}
	}
	return []byte(s)
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
