package redact

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its text in reads of the given sizes, cycling; a size
// of 0 is a read that brings nothing.
type chunkReader struct {
	text  string
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.text == "" {
		return 0, io.EOF
	}
	n := min(c.sizes[c.i%len(c.sizes)], len(p), len(c.text))
	c.i++
	copy(p, c.text[:n])
	c.text = c.text[n:]
	return n, nil
}

// readers returns text behind every way of cutting it into reads that the
// tests try: one byte at a time, a single cut at every offset, fixed
// sizes, and random sizes.
func readers(text string, rng *rand.Rand) []io.Reader {
	rs := []io.Reader{iotest.OneByteReader(strings.NewReader(text)), strings.NewReader(text)}
	for i := 0; i <= len(text); i++ {
		rs = append(rs, io.MultiReader(strings.NewReader(text[:i]), strings.NewReader(text[i:])))
	}
	for _, n := range []int{2, 3, 5, 7, 13, 64} {
		rs = append(rs, &chunkReader{text: text, sizes: []int{n}})
	}
	for range 8 {
		sizes := make([]int, 1+rng.IntN(6))
		for i := range sizes {
			sizes[i] = rng.IntN(12)
		}
		sizes[0]++ // never a cycle of empty reads only
		rs = append(rs, &chunkReader{text: text, sizes: sizes})
	}
	return rs
}

// The streaming scrubber writes exactly what scrubbing the whole text at
// once writes, however the text arrives: a key cut by a read boundary is
// replaced whole, and adjacent traces merge as they do in Scrubber.Bytes.
func TestScrubReaderMatchesWholeText(t *testing.T) {
	s := New(fuzzKey)
	rng := rand.New(rand.NewPCG(1, 2))
	forms := keyForms(fuzzKey)
	var texts []string
	for _, f := range forms {
		texts = append(texts, f, `{"v":"`+f+`"}`, "a"+f+f+"b", f+" "+f, strings.Repeat("x", 200)+f+strings.Repeat("y", 300))
	}
	texts = append(texts, "", "short", strings.Join(forms, ""), strings.Repeat(fuzzKey, 20))
	for _, text := range texts {
		want := string(s.Bytes([]byte(text)))
		for i, r := range readers(text, rng) {
			got, err := io.ReadAll(NewReader(r, s))
			if err != nil || string(got) != want {
				t.Fatalf("reader %d over %q: got %q, %v; want %q", i, text, got, err, want)
			}
		}
	}
}

// A read error ends the stream after the bytes read before it, scrubbed.
func TestScrubReaderPassesErrors(t *testing.T) {
	s := New(fuzzKey)
	r := io.MultiReader(strings.NewReader("a"+fuzzKey[:10]), iotest.ErrReader(io.ErrClosedPipe))
	got, err := io.ReadAll(NewReader(r, s))
	if err != io.ErrClosedPipe || string(got) != "a"+Redacted {
		t.Fatalf("got %q, %v", got, err)
	}
}

// FuzzScrubReader: for any text and any cutting into reads, the stream
// equals Scrubber.Bytes of the whole text.
func FuzzScrubReader(f *testing.F) {
	for i, form := range keyForms(fuzzKey) {
		f.Add("x"+form+"y", uint64(i))
		f.Add(form+form, uint64(i*7))
	}
	f.Add(`\u006c\u006cx-FUZZ%2D`+fuzzKey, uint64(3))
	f.Add(strings.Repeat(fuzzKey[4:], 5), uint64(11))
	s := New(fuzzKey)
	f.Fuzz(func(t *testing.T, text string, seed uint64) {
		want := string(s.Bytes([]byte(text)))
		rng := rand.New(rand.NewPCG(seed, seed>>1))
		sizes := make([]int, 1+rng.IntN(8))
		for i := range sizes {
			sizes[i] = 1 + rng.IntN(40)
		}
		for _, r := range []io.Reader{iotest.OneByteReader(strings.NewReader(text)), &chunkReader{text: text, sizes: sizes}} {
			got, err := io.ReadAll(NewReader(r, s))
			if err != nil || string(got) != want {
				t.Fatalf("sizes %v over %q: got %q, %v; want %q", sizes, text, got, err, want)
			}
		}
	})
}

// A long run of traces arriving a byte at a time is scanned a bounded
// number of times per byte, not once per read: this finishes at once
// rather than in minutes (quadratic rescans of a 56 KB run).
func TestScrubReaderLongRunOneByte(t *testing.T) {
	s := New(fuzzKey)
	text := "a" + strings.Repeat(fuzzKey, 2000) + "b"
	got, err := io.ReadAll(NewReader(iotest.OneByteReader(strings.NewReader(text)), s))
	if err != nil || string(got) != string(s.Bytes([]byte(text))) {
		t.Fatalf("got %d bytes %.40q, %v", len(got), got, err)
	}
}
