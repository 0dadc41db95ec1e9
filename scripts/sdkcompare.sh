#!/usr/bin/env bash
# sdkcompare.sh: the official Go SDK (github.com/run-llama/llama-parse-go)
# side by side with the fair floor and the wrapper, for BENCHMARKS.md's "The
# official Go SDK". The SDK is not on the Go module proxy, so it never enters
# this repository's go.mod or `make test`: this script builds a throwaway
# module in a temporary directory that replaces the SDK and this repository
# with local checkouts, copies in bench/'s fixtures and
# scripts/sdkcompare/sdk_test.go.txt, checks that every client decodes the
# same data (TestSDKAgrees), then runs each client of each case alone in its
# own process, rounds interleaved with the order of the clients rotated, and
# prints medians and ratios: first with the loopback server in each client's
# process (as `make bench` measures: CPU time is client, server and GC), then
# the small GET again with the server in a process of its own (CPU time is
# the client's alone). Usage:
#   scripts/sdkcompare.sh SDK_DIR [rounds=7]
# SDK_DIR is a checkout of github.com/run-llama/llama-parse-go (e.g. a
# `git clone` or an unpacked `git archive` of v1.5.1). With the default 7
# rounds: 10 minutes under a load average of 20, about 4 on 2 quiet cores
# (estimated from its CPU time); the SDK's dependencies come from the module
# proxy.
# SDKCMP_KEEP=1 keeps the temporary directory, SDKCMP_RAW=1 prints every run,
# SDKCMP_SMALL_ONLY=1 runs only the small GET (e.g. with more rounds).
set -euo pipefail
if [ $# -lt 1 ] || [ ! -f "$1/go.mod" ]; then
	echo "usage: $0 SDK_DIR [rounds]   (SDK_DIR: a checkout of github.com/run-llama/llama-parse-go)" >&2
	exit 2
fi
sdk=$(cd "$1" && pwd)
nrounds=${2:-7}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
srv=
cleanup() {
	[ -z "$srv" ] || kill "$srv" 2>/dev/null || true
	if [ "${SDKCMP_KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

cp "$repo"/bench/{fixtures,get,cpu_unix,cpu_other}_test.go "$tmp/"
cp "$repo/scripts/sdkcompare/sdk_test.go.txt" "$tmp/sdk_test.go"
gover=$(sed -n 's/^go //p' "$repo/go.mod")
cat > "$tmp/go.mod" <<EOF
module sdkcompare

go $gover

require (
	github.com/extract-go/llamaextract v0.0.0
	github.com/run-llama/llama-parse-go v0.0.0
)

replace github.com/extract-go/llamaextract => $repo

replace github.com/run-llama/llama-parse-go => $sdk
EOF
(cd "$tmp" && go mod tidy >/dev/null && go test -c -o cmp.test . && ./cmp.test -test.run '^TestSDKAgrees$' -test.count=1 >/dev/null) || {
	echo "sdkcompare: build or TestSDKAgrees failed (SDKCMP_KEEP=1 keeps $tmp)" >&2
	exit 1
}
sdkver=$(git -C "$sdk" describe --tags --always 2>/dev/null || sed -n 's/.*"\.": *"\(.*\)".*/v\1/p' "$sdk/.release-please-manifest.json" 2>/dev/null || echo unknown)
echo "SDK: $sdk ($sdkver); wrapper: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- wrapper internal || echo '+dirty'); $(go version)"
echo "TestSDKAgrees: ok (same small job, same 10,000 and 100,000 rows, same 10,000 listed IDs)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

# rounds FILE CASE...: each CASE is "name benchtime client...". Each client
# runs alone in its own process; the order of the clients rotates by round.
rounds() {
	local out=$1 r c name bt clients i client
	shift
	for r in $(seq 1 "$nrounds"); do
		for c in "$@"; do
			read -r name bt clients <<<"$c"
			read -r -a cl <<<"$clients"
			for i in "${!cl[@]}"; do
				client=${cl[$(((i + r) % ${#cl[@]}))]}
				(cd "$tmp" && ./cmp.test -test.run '^$' -test.benchmem -test.bench "^Benchmark$name\$/^$client\$" -test.benchtime "$bt" -test.timeout 20m) |
					grep '^Benchmark' | sed "s|^|$name $client |"
			done
		done
	done >"$out"
	[ "${SDKCMP_RAW:-0}" != 1 ] || cat "$out"
}

small="SDKSmallJob 10000x floor wrapper sdk sdk-ownstruct"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
big=("SDKRows10k 20x floor wrapper sdk sdk-ownstruct" "SDKRows100k 3x floor wrapper sdk sdk-ownstruct" "SDKIterate10k 3x floor wrapper sdk")
[ "${SDKCMP_SMALL_ONLY:-0}" != 1 ] || big=()
rounds "$tmp/raw.txt" "$small roundtrip" "${big[@]}"
echo "load between: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
# The small GET again with the server in a process of its own, so that each
# client's process measures its own CPU time only.
(cd "$tmp" && SDKCMP_SERVE="$tmp/url" exec ./cmp.test -test.run '^TestServeFixtures$' -test.timeout 0 >/dev/null 2>&1) &
srv=$!
for _ in $(seq 1 600); do [ -s "$tmp/url" ] && break; sleep 0.1; done
SDKCMP_URL=$(cat "$tmp/url") rounds "$tmp/raw-apart.txt" "$small"
kill "$srv"
wait "$srv" 2>/dev/null || true
srv=
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

# table FILE TITLE prints the medians and the ratios to the floor.
table() {
	awk -v rounds="$nrounds" -v title="$2" '
	{ key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	  for (i = 5; i < NF; i += 2) v[key, $(i + 1), ++n[key, $(i + 1)]] = $i }
	function median(key, u,   k, m, t, j, x) {
		m = n[key, u]; for (k = 1; k <= m; k++) x[k] = v[key, u, k]
		for (k = 2; k <= m; k++) { t = x[k]; for (j = k - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
		return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
	}
	END {
		split("ns/op cpu-ns/op B/op allocs/op", us, " ")
		for (q = 1; q <= nk; q++) for (k = 1; k <= 4; k++) med[order[q], k] = median(order[q], us[k])
		printf "\n%s: medians of %d rounds, ratios of medians\n\n", title, rounds
		printf "%-14s %-14s %12s %12s %12s %10s %7s %7s %7s %7s\n", "case", "client", "ns/op", "cpu-ns/op", "B/op", "allocs/op", "time", "cpu", "bytes", "allocs"
		for (q = 1; q <= nk; q++) {
			split(order[q], p, SUBSEP); f = p[1] SUBSEP "floor"
			printf "%-14s %-14s %12.0f %12.0f %12.0f %10.0f", p[1], p[2], med[order[q], 1], med[order[q], 2], med[order[q], 3], med[order[q], 4]
			for (k = 1; k <= 4; k++) printf " %6.2fx", med[order[q], k] / med[f, k]
			printf "\n"
		}
		printf "\nSDK / wrapper (how far ahead the wrapper is; the target is at least 2x on every count)\n"
		printf "%-14s %7s %7s %7s %7s\n", "case", "time", "cpu", "bytes", "allocs"
		for (q = 1; q <= nk; q++) {
			split(order[q], p, SUBSEP); if (p[2] != "sdk") continue
			w = p[1] SUBSEP "wrapper"; printf "%-14s", p[1]
			for (k = 1; k <= 4; k++) printf " %6.2fx", med[order[q], k] / med[w, k]
			printf "\n"
		}
		for (q = 1; q <= nk; q++) {
			split(order[q], p, SUBSEP); if (p[2] != "roundtrip") continue
			printf "\n%s less the round trip every client pays alike (the request, the in-process server, the body read):\n", p[1]
			printf "%-14s %7s %7s %7s %7s\n", "client", "time", "cpu", "bytes", "allocs"
			for (c = 1; c <= 2; c++) {
				who = c == 1 ? "wrapper" : "sdk"; x = p[1] SUBSEP who; f = p[1] SUBSEP "floor"; printf "%-14s", who " / floor"
				for (k = 1; k <= 4; k++) printf " %6.2fx", (med[x, k] - med[order[q], k]) / (med[f, k] - med[order[q], k])
				printf "\n"
			}
			x = p[1] SUBSEP "sdk"; w = p[1] SUBSEP "wrapper"; printf "%-14s", "sdk / wrapper"
			for (k = 1; k <= 4; k++) printf " %6.2fx", (med[x, k] - med[order[q], k]) / (med[w, k] - med[order[q], k])
			printf "\n"
		}
	}' "$1"
}
table "$tmp/raw.txt" "One process (client, in-process server, GC: the CPU time is all of it, as in make bench)"
table "$tmp/raw-apart.txt" "The small GET with the server in another process (the CPU time is the client's alone)"
