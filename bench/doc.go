// Package bench holds the side-by-side benchmarks behind `make bench`: the
// same loopback server read by plain net/http + encoding/json (the floor),
// by the generated client, and by the wrapper. See BENCHMARKS.md.
package bench
