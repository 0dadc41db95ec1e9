package extracttest

import (
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// FaultKind says what a Fault does to a request.
type FaultKind int

const (
	// FaultStatus answers with Status (default 503) without processing the
	// request, with Retry-After / retry-after-ms when set.
	FaultStatus FaultKind = iota
	// FaultDrop closes the connection before the request is processed: a
	// create never happened. Go's http.Transport itself sends a GET again,
	// once, when a reused connection closes before any answer, so a dropped
	// GET on a kept-alive connection shows up as the next attempt's answer
	// (and counts twice in Stats); Times: 2 or a POST operation make the
	// drop visible to the client.
	FaultDrop
	// FaultDropAfter processes the request, then closes the connection
	// without answering: the client cannot know whether a create happened.
	FaultDropAfter
	// FaultTruncate processes the request, then sends half of the body and
	// closes the connection.
	FaultTruncate
	// FaultLatency waits Delay, then processes the request normally.
	FaultLatency
)

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultDrop:
		return "drop"
	case FaultDropAfter:
		return "drop-after"
	case FaultTruncate:
		return "truncate"
	case FaultLatency:
		return "latency"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes a failure to inject into matching requests.
type Fault struct {
	// Operation is the operationId to affect (e.g. "CreateExtractJob");
	// empty affects every operation.
	Operation string
	Kind      FaultKind
	// Status is the HTTP status of a FaultStatus (default 503).
	Status int
	// RetryAfter and RetryAfterMs are sent as the Retry-After and
	// retry-after-ms headers of a FaultStatus when non-empty.
	RetryAfter   string
	RetryAfterMs string
	// Delay is how long a FaultLatency waits.
	Delay time.Duration
	// Times is how many requests the fault hits before it is spent; 0 means
	// no limit.
	Times int
	// Probability, when in (0, 1), makes each matching request hit with that
	// chance (from a seeded generator, so runs repeat); otherwise every
	// matching request is hit.
	Probability float64
}

type faultRule struct {
	Fault
	s    *Server
	hits int
}

// InjectFault adds f; the returned func removes it. Faults are checked in the
// order they were added; the first that matches acts.
func (s *Server) InjectFault(f Fault) (remove func()) {
	rule := &faultRule{Fault: f, s: s}
	s.mu.Lock()
	s.faults = append(s.faults, rule)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, r := range s.faults {
			if r == rule {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

func (s *Server) pickFault(opID string) *faultRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Operation != "" && f.Operation != opID {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && s.st.rng.Float64() >= f.Probability {
			continue
		}
		f.hits++
		s.stats.FaultsInjected++
		return f
	}
	return nil
}

// before acts ahead of processing; it reports whether the request is done.
func (f *faultRule) before(rec *recorder, r *http.Request) bool {
	switch f.Kind {
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		rec.json(status, errBody(fmt.Sprintf("injected fault: %d %s", status, http.StatusText(status))))
		if f.RetryAfter != "" {
			rec.header.Set("Retry-After", f.RetryAfter)
		}
		if f.RetryAfterMs != "" {
			rec.header.Set("retry-after-ms", f.RetryAfterMs)
		}
		return true
	case FaultDrop:
		rec.abort = "drop"
		return true
	case FaultLatency:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			rec.abort = "drop"
			return true
		}
	}
	return false
}

func (f *faultRule) after(rec *recorder) {
	switch f.Kind {
	case FaultDropAfter:
		rec.abort = "drop"
	case FaultTruncate:
		rec.abort = "truncate"
	}
}

// allowCreate applies WithCreateRateLimit; when refused it fills rec with 429.
func (s *Server) allowCreate(rec *recorder) bool {
	if s.limiter == nil {
		return true
	}
	now := s.cfg.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiter.AllowN(now, 1) {
		return true
	}
	res := s.limiter.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	res.CancelAt(now)
	s.stats.RateLimited++
	rec.json(http.StatusTooManyRequests, errBody(fmt.Sprintf("rate limit: at most %g job creations per second; retry after %s", float64(s.limiter.Limit()), wait.Round(time.Millisecond))))
	rec.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	rec.header.Set("retry-after-ms", strconv.FormatInt(max(wait.Milliseconds(), 1), 10))
	return false
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
