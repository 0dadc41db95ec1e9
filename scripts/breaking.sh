#!/usr/bin/env bash
# Compares openapi.yaml with the version at BASE (default: the newest v* tag)
# and fails on breaking changes. Passes with a notice when there is no tag yet.
set -euo pipefail
base="${1:-}"
if [ -z "$base" ]; then
	base=$(git tag --list 'v*' --sort=-v:refname | head -n 1)
fi
if [ -z "$base" ]; then
	echo "breaking: no v* tag yet and no BASE= given; nothing to compare against (pass)."
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git show "$base:openapi.yaml" > "$tmp/base.yaml" 2>/dev/null; then
	echo "breaking: $base has no openapi.yaml; nothing to compare against (pass)."
	exit 0
fi
echo "breaking: comparing openapi.yaml with $base"
go run github.com/oasdiff/oasdiff@v1.37.0 breaking "$tmp/base.yaml" openapi.yaml --fail-on ERR
