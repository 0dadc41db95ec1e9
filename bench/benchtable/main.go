// Command benchtable prints `go test -bench` output as one table: each
// benchmark row, each client, its median ns/op, B/op and allocs/op over the
// runs, and its ratios to the row's "floor" client (plain net/http +
// encoding/json, body read into one sized buffer) in time, CPU time (the
// cpu-ns/op metric, when reported), bytes and allocations. Extra metrics (peak-MB, ns/item, lag-ms...) follow.
//
//	go run ./bench/benchtable bench/out/latest.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// result is one benchmark's metrics, each with one value per run.
type result struct {
	name    string // e.g. GetRows10k/wrapper
	metrics map[string][]float64
	order   []string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) ([]*result, error) {
	byName := map[string]*result{}
	var order []*result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		res := byName[name]
		if res == nil {
			res = &result{name: name, metrics: map[string][]float64{}}
			byName[name] = res
			order = append(order, res)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			unit := f[i+1]
			if _, seen := res.metrics[unit]; !seen {
				res.order = append(res.order, unit)
			}
			res.metrics[unit] = append(res.metrics[unit], v)
		}
	}
	return order, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func split(name string) (row, client string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ratio formats v/floor, or nothing when either is missing.
func ratio(v, floor float64) string {
	if v <= 0 || floor <= 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", v/floor)
}

// clientRank orders a row's clients: the floor first, then the other plain
// clients, the generated client and the wrapper's. The runs themselves come
// in a rotated order (see bench/fixtures_test.go, rotation).
func clientRank(client string) int {
	switch {
	case client == "floor":
		return 0
	case strings.HasPrefix(client, "floor-"):
		return 1
	case client == "generated":
		return 2
	case client == "wrapper":
		return 3
	}
	return 4
}

// byRow orders results by row, in the order rows first appear, and within a
// row by clientRank.
func byRow(results []*result) []*result {
	rowAt := map[string]int{}
	for _, r := range results {
		row, _ := split(r.name)
		if _, ok := rowAt[row]; !ok {
			rowAt[row] = len(rowAt)
		}
	}
	out := slices.Clone(results)
	sort.SliceStable(out, func(i, j int) bool {
		ri, ci := split(out[i].name)
		rj, cj := split(out[j].name)
		if rowAt[ri] != rowAt[rj] {
			return rowAt[ri] < rowAt[rj]
		}
		return clientRank(ci) < clientRank(cj)
	})
	return out
}

func write(w io.Writer, results []*result) error {
	results = byRow(results)
	floors := map[string]*result{}
	for _, r := range results {
		if row, client := split(r.name); client == "floor" {
			floors[row] = r
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "row\tclient\tns/op\tB/op\tallocs/op\ttime÷floor\tcpu÷floor\tbytes÷floor\tallocs÷floor\tother\t")
	for _, r := range results {
		row, client := split(r.name)
		ns, b, allocs := median(r.metrics["ns/op"]), median(r.metrics["B/op"]), median(r.metrics["allocs/op"])
		tRatio, cRatio, bRatio, aRatio := "", "", "", ""
		if f := floors[row]; f != nil && client != "floor" {
			tRatio = ratio(ns, median(f.metrics["ns/op"]))
			cRatio = ratio(median(r.metrics["cpu-ns/op"]), median(f.metrics["cpu-ns/op"]))
			bRatio = ratio(b, median(f.metrics["B/op"]))
			aRatio = ratio(allocs, median(f.metrics["allocs/op"]))
		}
		var other []string
		for _, unit := range r.order {
			if unit == "ns/op" || unit == "B/op" || unit == "allocs/op" || unit == "cpu-ns/op" {
				continue
			}
			other = append(other, fmt.Sprintf("%s %s", strconv.FormatFloat(median(r.metrics[unit]), 'g', 4, 64), unit))
		}
		bs, as := "", ""
		if _, ok := r.metrics["B/op"]; ok {
			bs, as = human(b), human(allocs)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row, client, human(ns), bs, as, tRatio, cRatio, bRatio, aRatio, strings.Join(other, ", "))
	}
	return tw.Flush()
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	results, err := parse(in)
	if err == nil && len(results) == 0 {
		err = fmt.Errorf("no benchmark lines in the input")
	}
	if err == nil {
		err = write(os.Stdout, results)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
