package wrapper

// ParseRetryAfter exposes parseRetryAfter to the external tests (and its
// fuzz target) without making it part of the package's API.
var ParseRetryAfter = parseRetryAfter
