// Package webhook verifies and parses the webhooks LlamaCloud sends as jobs
// change status.
//
// A delivery is signed when the job's webhook configuration has a
// webhook_signing_secret: the LC-Signature header carries
// "sha256=<hex HMAC-SHA256 of the raw body>". Verify it before trusting the
// body. The payload's shape is not documented, so Parse reads it tolerantly
// and keeps the whole payload in Event.Payload.
//
//	h, err := webhook.Handler(secret, func(ctx context.Context, e webhook.Event) error {
//		if e.Name == wrapper.EventExtractSuccess {
//			// fetch the result with client.GetJob(ctx, e.JobID)
//		}
//		return nil
//	})
//	if err != nil { return err } // an empty secret
//	http.Handle("/hooks/llamacloud", h)
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/extract-go/llamaextract/wrapper"
)

// SignatureHeader is the header that carries the signature.
const SignatureHeader = "LC-Signature"

// Errors from Verify.
var (
	// ErrEmptySecret: an empty (or all-whitespace, e.g. a variable read
	// from an empty line) secret verifies nothing (anyone can sign with
	// it), so Handler refuses to be built with one and Verify
	// refuses every delivery.
	ErrEmptySecret        = errors.New("llamaextract: webhook: empty signing secret: pass the webhook_signing_secret of the job's webhook configuration")
	ErrMissingSignature   = errors.New("llamaextract: webhook: missing " + SignatureHeader + " header; set webhook_signing_secret on the job's webhook configuration")
	ErrMalformedSignature = errors.New("llamaextract: webhook: malformed " + SignatureHeader + " header: want sha256=<64 hex digits>")
	ErrInvalidSignature   = errors.New("llamaextract: webhook: signature does not match the body (wrong secret, or the body was altered)")
)

// Sign returns the LC-Signature value for body under secret.
func Sign(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, body))
}

func mac(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header (the LC-Signature value) against the raw body, in
// constant time.
func Verify(secret string, body []byte, header string) error {
	if strings.TrimSpace(secret) == "" {
		return ErrEmptySecret
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrMissingSignature
	}
	algo, sig, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(algo, "sha256") {
		return ErrMalformedSignature
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(got) != sha256.Size {
		return ErrMalformedSignature
	}
	if !hmac.Equal(got, mac(secret, body)) {
		return ErrInvalidSignature
	}
	return nil
}

// Event is one delivery. Its names and statuses are the wrapper's typed
// enums (wrapper.EventExtractSuccess, wrapper.StatusCompleted...), the ones
// a job and its Webhook configuration use.
type Event struct {
	// Name is the event, e.g. wrapper.EventExtractSuccess. Other products'
	// events (parse.*, classify.*...) and unknown names are kept as is.
	Name wrapper.WebhookEvent
	// JobID is the job the delivery is about, when the payload names it.
	JobID string
	// Status is the job's status, when the payload names it; an unknown
	// one is kept as is.
	Status wrapper.Status
	// Payload is the payload object as delivered (unwrapped when it came
	// JSON-encoded as a string).
	Payload json.RawMessage
}

// Parse reads a delivery body. The payload is an object, or (with the default
// "string" output format) a JSON string that holds the object.
func Parse(body []byte) (Event, error) {
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '"' {
		var inner string
		if err := json.Unmarshal(b, &inner); err != nil {
			return Event{}, fmt.Errorf("llamaextract: webhook: payload is a malformed JSON string: %w", err)
		}
		b = bytes.TrimSpace([]byte(inner))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return Event{}, fmt.Errorf("llamaextract: webhook: payload is not a JSON object: %w", err)
	}
	e := Event{Payload: json.RawMessage(b)}
	e.Name = wrapper.WebhookEvent(firstString(m, "event", "event_type", "type", "event_name"))
	e.JobID = firstString(m, "job_id", "jobId", "id")
	e.Status = wrapper.Status(firstString(m, "status"))
	if data, ok := m["data"]; ok && (e.JobID == "" || e.Status == "") {
		var dm map[string]json.RawMessage
		if json.Unmarshal(data, &dm) == nil {
			if e.JobID == "" {
				e.JobID = firstString(dm, "job_id", "jobId", "id")
			}
			if e.Status == "" {
				e.Status = wrapper.Status(firstString(dm, "status"))
			}
		}
	}
	return e, nil
}

func firstString(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		var s string
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// MaxBodyBytes caps what Handler reads of a delivery.
const MaxBodyBytes = 1 << 20

// Handler verifies each delivery with secret, parses it and hands it to fn.
// It answers 401 for a missing or bad signature, 400 for an unreadable
// body, 500 when fn fails (so the sender retries) and 204 otherwise. An
// empty secret is refused here, with ErrEmptySecret: a handler that checks
// no signature must not be built by accident (an unset environment
// variable).
func Handler(secret string, fn func(ctx context.Context, e Event) error) (http.Handler, error) {
	if strings.TrimSpace(secret) == "" {
		return nil, ErrEmptySecret
	}
	if fn == nil {
		return nil, errors.New("llamaextract: webhook: nil callback")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhook: POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			http.Error(w, "webhook: cannot read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := Verify(secret, body, r.Header.Get(SignatureHeader)); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		e, err := Parse(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := fn(r.Context(), e); err != nil {
			http.Error(w, "webhook: handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}), nil
}
