#!/usr/bin/env bash
# make conformance: install the pinned official TypeScript SDK into a temp dir,
# start `llamaextract emulator` on a free loopback port with a required key,
# and drive every operation through the SDK. Needs Go and Node (>= 18) + npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
GO=${GO:-go}
command -v node >/dev/null || { echo "make conformance needs Node.js 18 or newer (and npm)"; exit 2; }

tmp=$(mktemp -d)
emu=""
cleanup() {
	if [ -n "$emu" ]; then kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

cp "$here/package.json" "$here/package-lock.json" "$here/conformance.mjs" "$tmp/"
(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$root" && "$GO" build -o "$tmp/llamaextract" ./cmd/llamaextract)

# openapi.yaml against the SDK's own .d.ts types, field by field.
sdk="$tmp/node_modules/@llamaindex/llama-cloud"
if (cd "$root" && LLAMA_CLOUD_TS_SDK="$sdk" "$GO" test -count=1 -run '^TestSpecMatchesTypeScriptSDK$' . >"$tmp/types.log" 2>&1); then
	types=ok
else
	types=fail
fi

# A free port picked by the kernel, then handed to the emulator.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
key="conformance-$RANDOM$RANDOM"
"$tmp/llamaextract" emulator --addr "127.0.0.1:$port" --api-key "$key" --job-duration 200ms >"$tmp/emulator.out" 2>"$tmp/emulator.err" &
emu=$!
for _ in $(seq 1 100); do
	if [ -s "$tmp/emulator.out" ]; then break; fi
	if ! kill -0 "$emu" 2>/dev/null; then cat "$tmp/emulator.err"; exit 1; fi
	sleep 0.1
done
url=$(head -n1 "$tmp/emulator.out")
echo "emulator at $url; official TypeScript SDK $(node -p 'require(process.argv[1]).version' "$tmp/node_modules/@llamaindex/llama-cloud/package.json")"
cd "$tmp" && SPEC_TYPES="$types" SPEC_TYPES_LOG="$tmp/types.log" EMULATOR_URL="$url" EMULATOR_KEY="$key" node conformance.mjs
