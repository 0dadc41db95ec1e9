#!/usr/bin/env bash
# make bench: runs every benchmark row with fixed iteration counts, keeps the
# raw output (benchstat-compatible) under bench/out/, and prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
raw="$out/bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
	go version
	go test -run '^$' -bench 'GetSmallJob|GetRows10k' -benchmem -benchtime="${BENCHTIME_SMALL:-2s}" -count="${BENCHCOUNT:-5}" ./bench
	go test -run '^$' -bench 'GetRows100k' -benchmem -benchtime="${BENCHTIME_BIG:-5x}" -count="${BENCHCOUNT:-5}" ./bench
	go test -run '^$' -bench 'IterateJobs' -benchmem -benchtime="${BENCHTIME_ITER:-2x}" -count=3 ./bench
	go test -run '^$' -bench 'Wait|ConcurrentRun' -benchtime=1x -count=1 -timeout 20m ./bench
} | tee "$raw"
cp "$raw" "$out/latest.txt"
echo
echo "raw output: $raw (compare two runs with: go run golang.org/x/perf/cmd/benchstat@latest OLD NEW)"
echo
go run ./bench/benchtable "$raw"
