#!/usr/bin/env bash
# Takes a screenshot of every web console page, served with sample data by
# gateway/console/consoletest/consoledemo, into ARTIFACTS (default dist/screenshots), with
# headless chromium (scripts/install-deps.sh --chromium installs it). Fails when
# a page's PNG is missing or empty. Without /usr/bin/chromium it only checks that
# every page answers 200, and says so.
#
#   scripts/console-screenshots.sh [ARTIFACTS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/screenshots}
chromium=${CHROMIUM:-/usr/bin/chromium}
pages=(overview:/ peers:/peers tunnels:/tunnels transit:/transit destinations:/destinations
  addressbook:/addressbook "addressbook-search:/addressbook?q=script" automap:/automap
  subscriptions:/subscriptions)

mkdir -p "$out"
work=$(mktemp -d)
demo_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$demo_pid" ]; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$work/consoledemo" ./gateway/console/consoletest/consoledemo
"$work/consoledemo" -addr 127.0.0.1:0 >"$work/url" 2>"$work/demo.log" &
demo_pid=$!
base=
for _ in $(seq 1 100); do
  base=$(head -n1 "$work/url" 2>/dev/null || true)
  [ -n "$base" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "console-screenshots: demo exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "console-screenshots: demo did not start" >&2; exit 1; }
base=${base%/}
echo "console-screenshots: demo at $base"

if [ ! -x "$chromium" ]; then
  for p in "${pages[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base${p#*:}")
    [ "$code" = 200 ] || { echo "console-screenshots: ${p#*:} answered $code" >&2; exit 1; }
  done
  echo "console-screenshots: $chromium not found: pages checked, no screenshots taken" >&2
  exit 0
fi

fail=0
for p in "${pages[@]}"; do
  name=${p%%:*}
  png="$out/$name.png"
  rm -f "$png"
  profile=$(mktemp -d -p "$work")
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$png" --window-size=1280,900 \
    "$base${p#*:}" >"$work/chromium-$name.log" 2>&1 || true
  if [ -s "$png" ]; then
    echo "console-screenshots: $png ($(wc -c <"$png") bytes)"
  else
    echo "console-screenshots: no screenshot of ${p#*:}; chromium said:" >&2
    tail -n 5 "$work/chromium-$name.log" >&2
    fail=1
  fi
done
exit "$fail"
