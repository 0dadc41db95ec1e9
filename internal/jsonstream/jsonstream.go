// Package jsonstream reads one JSON document from a stream a token or a
// value at a time, so that a body larger than memory can be walked: an
// array is skipped one element at a time, and a value is decoded straight
// from the stream.
package jsonstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// MaxDepth is encoding/json's own nesting limit, which Skip keeps too.
const MaxDepth = 10000

// StreamError is the error of a stream that broke off or is not JSON: the
// decoder is out of step with the document and reads nothing more. Read
// reports whether reading the source failed (as opposed to what it
// brought).
type StreamError struct {
	Err  error
	Read bool
}

func (e *StreamError) Error() string { return e.Err.Error() }
func (e *StreamError) Unwrap() error { return e.Err }

// Decoder reads one JSON document from a source.
type Decoder struct {
	dec     *json.Decoder
	src     recorder
	scratch json.RawMessage
	depth   int // nesting of the values Skip is inside
}

// recorder keeps the last read error of the source, so that an error the
// json.Decoder passes on can be told from one of the document.
type recorder struct {
	r   io.Reader
	err error
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// NewDecoder returns a Decoder reading r.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{src: recorder{r: r}}
	d.dec = json.NewDecoder(&d.src)
	return d
}

// fail wraps err as the stream's.
func (d *Decoder) fail(err error) error {
	var se *StreamError
	if errors.As(err, &se) {
		return err
	}
	return &StreamError{Err: err, Read: d.src.err != nil && errors.Is(err, d.src.err)}
}

// More reports whether the current array or object has another element.
func (d *Decoder) More() bool { return d.dec.More() }

// Token returns the next token; an error is a *StreamError.
func (d *Decoder) Token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.fail(err)
	}
	return tok, nil
}

// Delim reads the delimiter want; anything else is a *StreamError.
func (d *Decoder) Delim(want json.Delim) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return d.fail(fmt.Errorf("want %q, got %v", want, tok))
	}
	return nil
}

// Key reads an object key.
func (d *Decoder) Key() (string, error) {
	tok, err := d.Token()
	if err != nil {
		return "", err
	}
	k, ok := tok.(string)
	if !ok {
		return "", d.fail(fmt.Errorf("want an object key, got %v", tok))
	}
	return k, nil
}

// Decode decodes the next value into v. An error of reading the value
// (the stream broke, or is not JSON) is a *StreamError; any other is the
// value's (it does not fit v), returned as is: the decoder read the value
// whole before decoding it, so the stream is still in step.
func (d *Decoder) Decode(v any) error {
	err := d.dec.Decode(v)
	if err == nil {
		return nil
	}
	// Declared only now: errors.As takes its address, which moves it to
	// the heap, and every row paid for that allocation.
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		d.src.err != nil && errors.Is(err, d.src.err):
		return d.fail(err)
	}
	return err
}

// Raw returns the next value as raw JSON, valid until the next call.
func (d *Decoder) Raw() (json.RawMessage, error) {
	if err := d.dec.Decode(&d.scratch); err != nil {
		return nil, d.fail(err)
	}
	return d.scratch, nil
}

// Skip reads past the next value. An array's elements are read one at a
// time into a reused buffer, so skipping a large array holds one element,
// not the array; objects are walked member by member.
func (d *Decoder) Skip() error { return d.skip(false) }

func (d *Decoder) skip(inArray bool) error {
	if inArray {
		_, err := d.Raw()
		return err
	}
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if delim, ok := tok.(json.Delim); ok && (delim == '[' || delim == '{') {
		// Token keeps no depth limit and skip recurses per level: without
		// this bound a body of millions of nested objects (well under any
		// size cap) would overflow the goroutine stack, a fatal error no
		// recover catches.
		if d.depth++; d.depth > MaxDepth {
			return d.fail(fmt.Errorf("value nested deeper than %d levels (exceeded max depth)", MaxDepth))
		}
		defer func() { d.depth-- }()
	}
	switch tok {
	case json.Delim('['):
		for d.dec.More() {
			if err := d.skip(true); err != nil {
				return err
			}
		}
		return d.Delim(']')
	case json.Delim('{'):
		for d.dec.More() {
			if _, err := d.Key(); err != nil {
				return err
			}
			if err := d.skip(false); err != nil {
				return err
			}
		}
		return d.Delim('}')
	}
	return nil
}

// Descend reads into the next value, an object, down the members path
// names, and stops just inside the array the last step names: path[i]
// lists the names accepted at depth i, and every other member is skipped
// one element at a time. found is false when a step's member is missing
// (the object searched is then read to its closing brace) or null; at the
// last step a null member is passed over, as another of its names may
// follow. A member that is neither null nor an object (an array at the
// last step) is a *StreamError, like every error.
func (d *Decoder) Descend(path ...[]string) (found bool, err error) {
	if err := d.Delim('{'); err != nil {
		return false, err
	}
	for i, names := range path {
		want, kind := json.Delim('{'), "object"
		last := i == len(path)-1
		if last {
			want, kind = '[', "array"
		}
		for {
			if !d.dec.More() {
				return false, d.Delim('}') // not there, or a stream that broke
			}
			k, err := d.Key()
			if err != nil {
				return false, err
			}
			if !slices.Contains(names, k) {
				if err := d.Skip(); err != nil {
					return false, err
				}
				continue
			}
			tok, err := d.Token()
			switch {
			case err != nil:
				return false, err
			case tok == nil && last:
				continue
			case tok == nil:
				return false, nil
			case tok != want:
				return false, d.fail(fmt.Errorf("%s is %v, not an %s", k, tok, kind))
			}
			break
		}
	}
	return true, nil
}

// Objects reads the elements of a list inside the document as objects, one
// per Next, finding the list (as Descend does) on the first call, so that
// nothing is read before the first element is wanted.
type Objects struct {
	d       *Decoder
	path    [][]string
	started bool
	inList  bool
}

// ObjectsAt returns the elements of the list at path, for Descend.
func (d *Decoder) ObjectsAt(path ...[]string) *Objects {
	return &Objects{d: d, path: path}
}

// Next returns the next element: nil for an element that is not an object,
// and nil once the list has ended or when there is none (missing or null).
// An error is a *StreamError, after which Next returns nil.
func (o *Objects) Next() (map[string]any, error) {
	if !o.started {
		o.started = true
		found, err := o.d.Descend(o.path...)
		if err != nil {
			return nil, err
		}
		o.inList = found
	}
	if !o.inList {
		return nil, nil
	}
	if !o.d.More() {
		// The end of the list, or a stream that broke: reading the
		// closing bracket tells them apart.
		o.inList = false
		return nil, o.d.Delim(']')
	}
	var e map[string]any
	if err := o.d.Decode(&e); err != nil {
		var se *StreamError
		if errors.As(err, &se) {
			o.inList = false
			return nil, err
		}
		return nil, nil // an element that is not an object carries nothing usable
	}
	return e, nil
}

// ObjectWithout reads the next value, an object, and returns it as
// compact JSON without the members named skip, which are skipped one
// element at a time: what is kept is held, what is skipped never is.
func (d *Decoder) ObjectWithout(skip ...string) ([]byte, error) {
	if err := d.Delim('{'); err != nil {
		return nil, err
	}
	out := []byte{'{'}
	for d.dec.More() {
		key, err := d.Key()
		if err != nil {
			return nil, err
		}
		if slices.Contains(skip, key) {
			if err := d.Skip(); err != nil {
				return nil, err
			}
			continue
		}
		raw, err := d.Raw()
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(key)
		out = append(append(append(out, k...), ':'), raw...)
	}
	if err := d.Delim('}'); err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}
