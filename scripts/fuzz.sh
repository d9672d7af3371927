#!/usr/bin/env bash
# Runs every native fuzz target of the module for FUZZTIME (default 10s) each.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
fail=0
n=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  for f in $targets; do
    n=$((n + 1))
    echo "== $pkg $f"
    if ! go test -run='^$' -fuzz="^$f\$" -fuzztime="$fuzztime" "$pkg"; then
      fail=$((fail + 1))
    fi
  done
done
echo "fuzz: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
