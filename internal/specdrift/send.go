package specdrift

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// send makes one request, checks it and its answer, and returns the
// answer's JSON (nil when it is not JSON). A failure to reach the API or a
// refused key is a *FailureError; any other answer is checked and the
// tour goes on.
func (s *session) send(ctx context.Context, method, path string, q url.Values, ctype string, body []byte) (any, error) {
	req, err := s.request(ctx, method, path, q, ctype, body)
	if err != nil {
		return nil, err
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, &FailureError{Operation: method + " " + path, Err: err}
	}
	defer resp.Body.Close()
	// One byte past the limit tells a body that is too large from one that
	// is exactly the limit (net/http has already undone any gzip, so a
	// compressed bomb is cut here too).
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, &FailureError{Operation: method + " " + path, Err: err}
	}
	tooLarge := len(raw) > maxAnswerBytes
	if tooLarge {
		raw = nil
	}
	op := s.c.check(ctx, req, body, resp.StatusCode, resp.Header, raw, tooLarge)
	if s.t.Progress != nil {
		// The path holds ids the server chose, which may echo the key.
		line := fmt.Sprintf("spec check: %-22s %s %s -> %d\n", op, method, path, resp.StatusCode)
		fmt.Fprint(s.t.Progress, cutSecret(line, s.t.APIKey))
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, &FailureError{Operation: op, Status: resp.StatusCode}
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil, nil
	}
	return v, nil
}

func (s *session) request(ctx context.Context, method, path string, q url.Values, ctype string, body []byte) (*http.Request, error) {
	if q == nil {
		q = url.Values{}
	}
	// ValidateExtractSchema takes no organization or project.
	if path != validatePath {
		if s.t.ProjectID != "" {
			q.Set("project_id", s.t.ProjectID)
		}
		if s.t.OrganizationID != "" {
			q.Set("organization_id", s.t.OrganizationID)
		}
	}
	u := s.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("llamaextract: spec check: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.t.APIKey)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if s.t.UserAgent != "" {
		req.Header.Set("User-Agent", s.t.UserAgent)
	}
	return req, nil
}

// client is the Tour's HTTP client with redirects turned off: the key must
// not follow a redirect, and a 3xx is itself an undocumented status.
func (s *session) client() *http.Client {
	c := http.Client{Timeout: time.Minute}
	if s.t.HTTPClient != nil {
		c = *s.t.HTTPClient
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// firstID is the id of the first item of a page.
func firstID(page any) string {
	m, _ := page.(map[string]any)
	items, _ := m["items"].([]any)
	if len(items) == 0 {
		return ""
	}
	return stringAt(items[0], "id")
}

func stringAt(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

// Expands returns the expand values openapi.yaml documents for jobs
// (ExtractExpand's known values).
func Expands() []string {
	c := NewChecker()
	ref := c.doc.Components.Schemas["ExtractExpand"]
	if ref == nil || ref.Value == nil {
		return nil
	}
	w := &walker{doc: c.doc}
	return w.knownValues(ref.Value)
}
