package wrapper

import (
	"bytes"
	"strings"
)

// redact removes the API key from text a server sent back, so a hostile or
// buggy server echoing request headers cannot put the key into an error.
func (c *Client) redact(s string) string {
	if c.key == "" || !strings.Contains(s, c.key) {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}

func (c *Client) redactAPIError(e *APIError) *APIError {
	e.Detail = c.redact(e.Detail)
	if bytes.Contains(e.Body, []byte(c.key)) {
		e.Body = bytes.ReplaceAll(e.Body, []byte(c.key), []byte("[redacted]"))
	}
	for k, vs := range e.Header {
		for i, v := range vs {
			e.Header[k][i] = c.redact(v)
		}
	}
	return e
}
