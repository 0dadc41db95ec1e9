package extracttest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

// The payload of a delivery is not documented; the emulator sends
// {event_id, event, job_id, status, project_id, timestamp}, as a JSON string
// (output format "string", the default) or an object ("json"), signed with
// LC-Signature when a webhook_signing_secret is set.

type delivery struct {
	url     string
	headers map[string]string
	secret  string
	body    []byte
}

// webhookState is per job: which events have gone out.
type webhookState struct {
	configs  []generated.WebhookConfiguration
	sentPend bool
	sentEnd  bool
}

// webhookEvent maps a status to the event announcing it; statuses without
// one (RUNNING, THROTTLED) return "".
func webhookEvent(status string) string {
	switch status {
	case "PENDING":
		return "extract.pending"
	case "COMPLETED":
		return "extract.success"
	case "FAILED":
		return "extract.error"
	case "CANCELLED":
		return "extract.cancelled"
	}
	return ""
}

// collectLocked returns the deliveries now due. Callers hold s.mu.
func (s *Server) collectLocked() []delivery {
	now := s.now()
	var out []delivery
	for _, j := range s.st.jobOrder {
		w := j.webhooks
		if w == nil || w.sentEnd {
			continue
		}
		status, _ := j.statusAt(now, s.cfg.schedule)
		var events []string
		if !w.sentPend {
			w.sentPend = true
			events = append(events, "extract.pending")
		}
		if terminal(status) {
			w.sentEnd = true
			events = append(events, webhookEvent(status))
		}
		for _, ev := range events {
			out = append(out, s.deliveriesLocked(j, ev, status, now)...)
		}
	}
	return out
}

func (s *Server) deliveriesLocked(j *job, event, status string, now time.Time) []delivery {
	var out []delivery
	for _, c := range j.webhooks.configs {
		if c.WebhookUrl == nil || *c.WebhookUrl == "" {
			continue
		}
		if c.WebhookEvents != nil && !slices.Contains(*c.WebhookEvents, generated.WebhookEvent(event)) {
			continue
		}
		payload, _ := json.Marshal(map[string]string{
			"event_id": s.st.newID("evt-"), "event": event, "job_id": j.id, "status": status,
			"project_id": j.projectID, "timestamp": now.Format(time.RFC3339Nano),
		})
		body := payload
		if c.WebhookOutputFormat == nil || *c.WebhookOutputFormat != "json" {
			body, _ = json.Marshal(string(payload))
		}
		d := delivery{url: *c.WebhookUrl, body: body}
		if c.WebhookHeaders != nil {
			d.headers = *c.WebhookHeaders
		}
		if c.WebhookSigningSecret != nil {
			d.secret = *c.WebhookSigningSecret
		}
		out = append(out, d)
	}
	return out
}

// startPumpLocked starts the goroutine that delivers webhooks, once. It
// stops in Close. Callers hold s.mu.
func (s *Server) startPumpLocked() {
	if s.pumpStop != nil || s.closed {
		return
	}
	s.pumpStop = make(chan struct{})
	s.pumpDone = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	go func() {
		defer close(s.pumpDone)
		defer client.CloseIdleConnections()
		defer cancel()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.pumpStop:
				return
			case <-t.C:
			}
			s.mu.Lock()
			due := s.collectLocked()
			s.mu.Unlock()
			for _, d := range due {
				ok := s.deliver(ctx, client, d)
				s.mu.Lock()
				if ok {
					s.stats.WebhooksDelivered++
				} else {
					s.stats.WebhookFailures++
				}
				s.mu.Unlock()
			}
		}
	}()
}

func (s *Server) deliver(ctx context.Context, client *http.Client, d delivery) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.headers {
		req.Header.Set(k, v)
	}
	if d.secret != "" {
		m := hmac.New(sha256.New, []byte(d.secret))
		m.Write(d.body)
		req.Header.Set("LC-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
