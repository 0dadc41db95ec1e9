package llamaextract

import (
	"bytes"
	"fmt"
	"time"
)

// Time is a timestamp that decodes leniently. The service sends RFC 3339
// timestamps, but one written without a UTC offset must not make a whole job
// undecodable, so Time also accepts a missing offset (read as UTC), a space
// instead of the "T", and null (the zero Time). It always encodes as RFC 3339
// with nanoseconds, in UTC.
type Time struct {
	time.Time
}

// NewTime returns t as a Time.
func NewTime(t time.Time) Time { return Time{Time: t} }

// layouts lists what UnmarshalJSON accepts, most common first.
var layouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("llamaextract: timestamp %.40s is not a JSON string", b)
	}
	// Fast path for what the service sends: time.Time reads RFC 3339 from
	// the bytes without allocating; every job carries two timestamps, and
	// converting them to strings for time.Parse was 2 allocations per job
	// on every list (issue 14).
	if err := t.Time.UnmarshalJSON(b); err == nil {
		return nil
	}
	return t.parse(string(b[1 : len(b)-1]))
}

// UnmarshalText implements encoding.TextUnmarshaler, so Time also works in
// query strings and maps.
func (t *Time) UnmarshalText(b []byte) error { return t.parse(string(b)) }

func (t *Time) parse(s string) error {
	for _, layout := range layouts {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("llamaextract: cannot read timestamp %q: want RFC 3339, e.g. 2026-01-02T15:04:05Z", s)
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(time.RFC3339Nano)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// MarshalText implements encoding.TextMarshaler.
func (t Time) MarshalText() ([]byte, error) {
	return t.UTC().AppendFormat(nil, time.RFC3339Nano), nil
}
