package llamaextract

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

func TestTimeLenient(t *testing.T) {
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	for in, want := range map[string]time.Time{
		`"2026-01-02T15:04:05Z"`:             utc("2026-01-02T15:04:05Z"),
		`"2026-01-02T15:04:05.123456+02:00"`: utc("2026-01-02T15:04:05.123456+02:00"),
		`"2026-01-02T15:04:05.5"`:            utc("2026-01-02T15:04:05.5Z"),
		`"2026-01-02 15:04:05Z"`:             utc("2026-01-02T15:04:05Z"),
		`"2026-01-02 15:04:05"`:              utc("2026-01-02T15:04:05Z"),
		`"2026-01-02"`:                       utc("2026-01-02T00:00:00Z"),
		`null`:                               {},
	} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{`"yesterday"`, `12`, `"2026-13-01T00:00:00Z"`} {
		var got Time
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s accepted as %v", bad, got)
		}
	}
}

// FuzzTimeFastPath: the allocation-free fast path reads every timestamp
// exactly as the lenient layouts would.
func FuzzTimeFastPath(f *testing.F) {
	for _, s := range []string{"2026-01-02T15:04:05Z", "2026-01-02T15:04:05.999999999-07:00", "2026-01-02T15:04:05,5Z", "2026-01-02 15:04:05", "2026-02-30T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast time.Time
		if fast.UnmarshalJSON([]byte(strconv.Quote(s))) != nil {
			return
		}
		var slow Time
		if err := slow.parse(s); err != nil || !slow.Equal(fast) {
			t.Fatalf("%q: fast %v, lenient %v (%v)", s, fast, slow.Time, err)
		}
	})
}
