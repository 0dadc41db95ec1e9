package redact

import "io"

// reader scrubs the API key from a stream of bytes as they are read,
// so that a body decoded straight from the wire needs no per-value
// copy and second decode to be scrubbed. Its output is exactly
// Scrubber.Bytes of the whole input, whatever the sizes of the reads.
//
// It holds back the last maxMatch bytes of what it has read: a trace of the
// key is at most maxMatch bytes long, so one that starts in the bytes handed
// out ends within the bytes scanned and is replaced whole. The cut between
// the bytes handed out and those held back is moved back to the start of a
// trace that reaches it, so that a trace continuing in bytes not yet read
// (merged with its neighbour, as Scrubber.Bytes merges adjacent traces) is
// scanned again with them.
type reader struct {
	r        io.Reader
	s        Scrubber
	maxMatch int
	pending  []byte // read, not yet handed out
	out      []byte // scrubbed, ready to hand out
	off      int    // of out
	err      error  // of r, returned once out is drained
	// need is how long pending must be before it is scanned again: a scan
	// that could hand nothing out (a run of traces reaching past what was
	// read) waits for pending to double, so a long run is scanned a
	// bounded number of times per byte instead of once per read.
	need int
}

// scrubChunk is how much a reader reads from its source at a time.
const scrubChunk = 32 << 10

// scrubMin is the least a scan hands out when the source brings bytes a
// few at a time, so that tiny reads do not each cost a scan of maxMatch
// bytes.
const scrubMin = 512

// NewReader returns a reader of r's bytes scrubbed as they are read: exactly
// s.Bytes of the whole input, whatever the sizes of the reads. It is r
// itself when s scrubs nothing.
func NewReader(r io.Reader, s Scrubber) io.Reader {
	if s.key == "" {
		return r
	}
	// The longest trace: every character of the key as a 6-byte \uXXXX
	// escape (decodedIs); a truncated run is shorter.
	m := 6 * len(s.key)
	return &reader{r: r, s: s, maxMatch: m, need: m + scrubMin}
}

func (sr *reader) Read(p []byte) (int, error) {
	for sr.off == len(sr.out) {
		if sr.err != nil {
			return 0, sr.err
		}
		sr.fill()
	}
	n := copy(p, sr.out[sr.off:])
	sr.off += n
	return n, nil
}

// fill reads once from the source and scrubs what can be handed out.
func (sr *reader) fill() {
	if cap(sr.pending)-len(sr.pending) < scrubChunk/2 {
		grown := make([]byte, len(sr.pending), len(sr.pending)+scrubChunk)
		copy(grown, sr.pending)
		sr.pending = grown
	}
	n, err := sr.r.Read(sr.pending[len(sr.pending):cap(sr.pending)])
	sr.pending = sr.pending[:len(sr.pending)+n]
	if err != nil {
		// The end, or a broken body: what was read is all there is, and
		// its end is scrubbed as Scrubber.Bytes scrubs the end of a text.
		sr.err = err
	}
	if err == nil && len(sr.pending) < sr.need {
		return
	}
	sr.emit(err != nil)
}

// emit moves the scrubbed bytes of pending that no later byte can change
// into out; all of them when final.
func (sr *reader) emit(final bool) {
	w := sr.pending
	cut := len(w)
	if !final {
		cut -= sr.maxMatch
	}
	if cut <= 0 {
		sr.out, sr.off = sr.out[:0], 0
		sr.need = sr.maxMatch + scrubMin
		return
	}
	spans := sr.s.find(w)
	if !final {
		for _, sp := range spans {
			if sp[0] < cut && sp[1] >= cut {
				cut = sp[0]
				break
			}
		}
	}
	out := sr.out[:0]
	last := 0
	for _, sp := range spans {
		if sp[0] >= cut {
			break
		}
		out = append(out, w[last:sp[0]]...)
		out = append(out, Redacted...)
		last = sp[1]
	}
	out = append(out, w[last:cut]...)
	sr.out, sr.off = out, 0
	sr.pending = w[:copy(w, w[cut:])]
	sr.need = sr.maxMatch + scrubMin
	if cut == 0 {
		sr.need = 2 * len(sr.pending)
	}
}
