#!/usr/bin/env bash
# make bench: runs every benchmark row in interleaved rounds (each round runs
# every client of every row once, so a machine that slows down mid-run slows
# all clients alike), keeps the raw output (benchstat-compatible) under
# bench/out/, and prints the table of medians and ratios to the fair floor.
#
# Knobs: BENCHROUNDS (default 4, one per position of a row's four clients), BENCHTIME_SMALL (1s), BENCHTIME_BIG (3x),
# BENCHTIME_ITER (2x), BENCH_1M=0 skips the 1,000,000-row streaming row,
# BENCH_SLOW=0 skips Wait and ConcurrentRun (about 100 s).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
raw="$out/bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
bin="$(mktemp -d)/bench.test"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./bench
run() { (cd bench && BENCH_ROUND="${round:-0}" "$bin" -test.run '^$' -test.benchmem -test.count=1 -test.timeout 30m "$@"); }
{
	go version
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	for round in $(seq 1 "${BENCHROUNDS:-4}"); do
		echo "round: $round"
		run -test.bench 'GetSmallJob|GetRows10k' -test.benchtime="${BENCHTIME_SMALL:-1s}"
		run -test.bench 'GetRows100k|StreamRows100k' -test.benchtime="${BENCHTIME_BIG:-3x}"
		run -test.bench 'IterateJobs/N=10000$' -test.benchtime="${BENCHTIME_ITER:-2x}"
		if [ "${BENCH_1M:-1}" != 0 ]; then
			run -test.bench 'StreamRows1M' -test.benchtime=1x
		fi
	done
	run -test.bench 'IterateJobs/N=100000$' -test.benchtime=1x
	if [ "${BENCH_SLOW:-1}" != 0 ]; then
		run -test.bench 'Wait|ConcurrentRun' -test.benchtime=1x
	fi
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} | tee "$raw"
cp "$raw" "$out/latest.txt"
echo
echo "raw output: $raw (compare two runs with: go run golang.org/x/perf/cmd/benchstat@latest OLD NEW)"
echo
go run ./bench/benchtable "$raw"
