// Package createguard holds what a client knows about its own job creates,
// which its recovery after an ambiguous create relies on: the jobs it has
// returned (a bounded memory) and, per file, a lock that keeps a recovery
// from looking while a create on that file is in flight; and the server's
// clock, read from the Date header, so that "created since the attempt
// began" is measured on the server's clock whatever the skew.
package createguard

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// MaxKnown bounds the jobs a client remembers having returned; older
// entries are forgotten first. Recovery only needs jobs created shortly
// before an attempt (the time filter drops older ones), so a long-lived
// process keeps a fixed amount of memory.
const MaxKnown = 4096

// Registry is what one client knows about its own creates.
type Registry struct {
	mu    sync.Mutex
	files map[string]*File
	// known and ring hold a 16-byte digest of each job ID, not the ID: a
	// fixed 16 bytes per job whatever the ID's length, and no string kept
	// alive per job, so a batch's memory does not grow with its jobs.
	known map[digest]struct{}
	ring  [MaxKnown]digest
	held  int
	next  int
}

// digest is the first 128 bits of a job ID's SHA-256: two IDs sharing
// one is as likely as a SHA-256 collision at that width, i.e. never.
type digest [16]byte

func digestOf(id string) digest {
	sum := sha256.Sum256([]byte(id))
	var d digest
	copy(d[:], sum[:])
	return d
}

// File serialises recovery against creates on one file: an attempt
// holds mu for reading from sending to recording its job; a recovery holds
// it for writing while it lists and claims, so it never sees a job whose
// create is still in flight in this client.
type File struct {
	Mu    sync.RWMutex
	users int
}

func (r *Registry) Acquire(file string) *File {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.files == nil {
		r.files = map[string]*File{}
	}
	f := r.files[file]
	if f == nil {
		f = &File{}
		r.files[file] = f
	}
	f.users++
	return f
}

func (r *Registry) Release(file string, f *File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.users--; f.users == 0 {
		delete(r.files, file)
	}
}

// Remember records a job returned to a caller, forgetting the oldest once
// MaxKnown are held.
func (r *Registry) Remember(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known == nil {
		// Sized for the cap at once: a batch's first jobs and its
		// ten-thousandth cost the same.
		r.known = make(map[digest]struct{}, MaxKnown)
	}
	d := digestOf(id)
	if _, ok := r.known[d]; ok {
		return
	}
	if r.held == MaxKnown {
		delete(r.known, r.ring[r.next])
	} else {
		r.held++
	}
	r.ring[r.next] = d
	r.next = (r.next + 1) % MaxKnown
	r.known[d] = struct{}{}
}

func (r *Registry) IsKnown(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.known[digestOf(id)]
	return ok
}

func (r *Registry) Size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.known)
}

// ServerClock relates the server's clock to this process's monotonic clock
// through the Date header: a response dated D (truncated to the second)
// and received at local instant t proves the server's clock read at least
// D + (u - t) at any local instant u, whatever the skew between the two
// wall clocks.
type ServerClock struct {
	last atomic.Pointer[clockReading]
}

type clockReading struct {
	header string
	date   time.Time
	at     time.Time
}

func (s *ServerClock) Observe(header string, at time.Time) {
	if header == "" {
		return
	}
	// Within one second the first receipt gives the tightest bound.
	if r := s.last.Load(); r != nil && r.header == header {
		return
	}
	d, err := http.ParseTime(header)
	if err != nil {
		return
	}
	s.last.Store(&clockReading{header: header, date: d, at: at})
}

// LowerBound returns a time the server's clock had certainly reached at
// local instant u, if the server ever sent a Date.
func (s *ServerClock) LowerBound(u time.Time) (time.Time, bool) {
	r := s.last.Load()
	if r == nil {
		return time.Time{}, false
	}
	return r.date.Add(u.Sub(r.at)), true
}
