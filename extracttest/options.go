package extracttest

import (
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	apiKey      string
	clock       Clock
	schedule    []Step
	projectID   string
	maxUpload   int64
	maxRequest  int64
	createRate  float64
	createBurst int
	addr        string
	tableRows   int
	failRatio   float64
	logf        func(format string, args ...any)
}

func defaultConfig() config {
	return config{
		clock:     realClock{},
		schedule:  DefaultSchedule(time.Second),
		projectID: "prj-00000000-0000-0000-0000-000000000001",
		maxUpload: 100 << 20,
		// The largest valid JSON body is a configuration with a schema of
		// 150,000 characters; 8 MiB leaves room and caps what a hostile
		// client costs.
		maxRequest: 8 << 20,
		addr:       "127.0.0.1:0",
		tableRows:  3,
	}
}

// WithAPIKey makes the server accept only this key. Without it, any non-empty
// bearer token is accepted.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithClock sets the clock jobs advance by; see FakeClock.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithJobDuration sets the default schedule of every job: PENDING for a
// quarter of d, then RUNNING for the rest, then COMPLETED. Zero completes jobs
// at once.
func WithJobDuration(d time.Duration) Option {
	return func(c *config) { c.schedule = DefaultSchedule(d) }
}

// WithSchedule sets the statuses every job passes through before it finishes,
// e.g. PENDING, THROTTLED, RUNNING, each held for its duration.
func WithSchedule(steps ...Step) Option {
	return func(c *config) { c.schedule = append([]Step(nil), steps...) }
}

// WithProjectID sets the project that owns everything the server creates.
func WithProjectID(id string) Option { return func(c *config) { c.projectID = id } }

// WithMaxUploadSize caps uploaded files (default 100 MB, the documented
// extraction limit); larger uploads get 413.
func WithMaxUploadSize(n int64) Option { return func(c *config) { c.maxUpload = n } }

// WithMaxRequestBytes caps JSON request bodies (default 8 MiB); larger ones
// get 413 before they are read further.
func WithMaxRequestBytes(n int64) Option { return func(c *config) { c.maxRequest = n } }

// WithCreateRateLimit turns on a token bucket for job creation: perSecond
// creates on average, bursts of burst. Creates over the limit get 429 with
// Retry-After and retry-after-ms. The real service answers 429 at about 15
// creates per second.
func WithCreateRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.createRate, c.createBurst = perSecond, burst }
}

// WithAddr sets the address NewServer listens on (default 127.0.0.1:0, a free
// loopback port).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithTableRows sets how many rows a per_table_row job yields when the
// document has no recognisable table (default 3).
func WithTableRows(n int) Option { return func(c *config) { c.tableRows = n } }

// WithFailRatio makes about this share of jobs (0 to 1) end FAILED, picked
// at creation by the server's seeded generator, so runs repeat. Jobs of
// files scripted with ScriptFile keep their script.
func WithFailRatio(p float64) Option { return func(c *config) { c.failRatio = p } }

// WithLogf receives one line per request (method, path, status).
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}
