package extracttest

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// queryTimeLayouts are the forms pydantic v2 (lax mode, which FastAPI uses
// for a datetime query parameter) reads besides RFC 3339: no seconds, no
// zone (read as UTC here), an offset without a colon, or a date alone
// (midnight).
var queryTimeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04",
	"2006-01-02",
}

var errQueryTime = errors.New("not a datetime pydantic reads")

// parseQueryTime reads a datetime query value as LlamaCloud (FastAPI,
// pydantic v2) does: the SDKs type created_at_on_or_after and
// created_at_on_or_before as plain strings, so any form pydantic accepts
// is a legal request. It takes 'T', 't', ' ' or '_' between date and time,
// 'z' for 'Z', and a number as Unix time (seconds, or milliseconds above
// 2e10, pydantic's rule).
func parseQueryTime(s string) (time.Time, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && strings.Trim(s, "0123456789.+-") == "" {
		if math.Abs(f) > 2e10 {
			f /= 1000
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	if len(s) > 10 {
		switch s[10] {
		case 't', ' ', '_':
			s = s[:10] + "T" + s[11:]
		}
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	for _, layout := range queryTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errQueryTime
}
