package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkGetRows10k/floor-2   91  12000000 ns/op  4.2 peak-MB  4400000 B/op  20129 allocs/op  20000000 cpu-ns/op
BenchmarkGetRows10k/floor-2   90  10000000 ns/op  4.3 peak-MB  4400000 B/op  20129 allocs/op  20000000 cpu-ns/op
BenchmarkGetRows10k/floor-2   90  11000000 ns/op  4.1 peak-MB  4400000 B/op  20129 allocs/op  20000000 cpu-ns/op
BenchmarkGetRows10k/wrapper-2 95  12100000 ns/op  3.7 peak-MB  5500000 B/op  24155 allocs/op  27000000 cpu-ns/op
BenchmarkWait/default-2        1  10000000000 ns/op  4.0 requests/op  3001 lag-ms
PASS
`

func TestTable(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	if err != nil || len(res) != 3 {
		t.Fatalf("%v %d", err, len(res))
	}
	var b strings.Builder
	if err := write(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// median floor 11 ms: the wrapper is 1.10× in time, 1.25× in bytes,
	// 1.20× in allocations.
	for _, want := range []string{"1.10×", "1.25×", "1.20×", "1.35×", "allocs÷floor", "cpu÷floor", "4 requests/op", "3001 lag-ms", "11.00M"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// The runs come in a rotated order; the table still puts each row's floor
// first and keeps rows in the order they first appear.
func TestTableOrder(t *testing.T) {
	in := `BenchmarkA/wrapper-2 1 10 ns/op
BenchmarkA/generated-2 1 10 ns/op
BenchmarkA/floor-naive-2 1 10 ns/op
BenchmarkA/floor-2 1 10 ns/op
BenchmarkB/wrapper-GetJob+DecodeRows-2 1 10 ns/op
BenchmarkB/floor-2 1 10 ns/op
BenchmarkB/wrapper-2 1 10 ns/op
BenchmarkA/wrapper-2 1 10 ns/op
`
	res, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range byRow(res) {
		got = append(got, r.name)
	}
	want := "A/floor A/floor-naive A/generated A/wrapper B/floor B/wrapper B/wrapper-GetJob+DecodeRows"
	if strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
