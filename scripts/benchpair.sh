#!/usr/bin/env bash
# benchpair.sh: an A/B check of two clients of one bench row, each alone in
# its own process, alternating which runs first, and the medians and ratios
# over the rounds. Steadier than a row of `make bench` for a small gap: no
# client inherits another's heap or connections, and neither always runs
# first. Usage:
#   scripts/benchpair.sh 'GetSmallJob/floor$' 'GetSmallJob/wrapper$' [benchtime=20000x] [rounds=10]
# Each pattern is a regexp per level of the name: anchor every level that is a
# prefix of another ('IterateJobs/N=10000$/floor$'; 'N=10000' also runs N=100000,
# and the medians would then mix the two rows).
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 bt=${3:-20000x} n=${4:-10}
bin="$(mktemp -d)/bench.test"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./bench
for i in $(seq 1 "$n"); do
	if ((i % 2)); then order=("$a" "$b"); else order=("$b" "$a"); fi
	for p in "${order[@]}"; do
		(cd bench && "$bin" -test.run '^$' -test.benchmem -test.bench "$p" -test.benchtime "$bt") | grep '^Benchmark' | sed "s|^|$p |"
	done
done | awk -v a="$a" -v b="$b" '
	{ for (i = 4; i < NF; i += 2) v[$1, $(i + 1), ++n[$1, $(i + 1)]] = $i }
	function median(p, u,   k, m, t, j, x) {
		m = n[p, u]; for (k = 1; k <= m; k++) x[k] = v[p, u, k]
		for (k = 2; k <= m; k++) { t = x[k]; for (j = k - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
		return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
	}
	END {
		split("ns/op cpu-ns/op B/op allocs/op", us, " ")
		for (k = 1; k <= 4; k++) { ma[k] = median(a, us[k]); mb[k] = median(b, us[k]) }
		printf "%-40s %12.0f ns/op %12.0f cpu-ns/op %12.0f B/op %9.0f allocs/op\n", a, ma[1], ma[2], ma[3], ma[4]
		printf "%-40s %12.0f ns/op %12.0f cpu-ns/op %12.0f B/op %9.0f allocs/op\n", b, mb[1], mb[2], mb[3], mb[4]
		printf "second / first: time %.3f  cpu %.3f  bytes %.3f  allocs %.3f  (medians of %d rounds)\n", mb[1] / ma[1], mb[2] / ma[2], mb[3] / ma[3], mb[4] / ma[4], n[a, "ns/op"]
	}'
