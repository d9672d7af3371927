#!/usr/bin/env bash
# Takes a screenshot of every web console page into ARTIFACTS (default
# dist/screenshots), with headless chromium (scripts/install-deps.sh --chromium
# installs it). By default the pages are served with sample data by
# gateway/console/consoletest/consoledemo; with CONSOLE_URL set they are those
# of a running console (scripts/testnet/gateway.sh uses this). Fails when a
# page's PNG is missing or empty. Without chromium it only checks that every
# page answers 200, and says so.
#
#   scripts/console-screenshots.sh [ARTIFACTS]
#
# Settings: CHROMIUM (default /usr/bin/chromium); CONSOLE_URL (a running
# console, e.g. http://198.18.0.101:7070; empty: start consoledemo);
# CONSOLE_NETNS (run chromium and curl in this network namespace); SEARCH (the
# address book search of the addressbook-search page, default "script");
# JOBS (chromium processes at once, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/screenshots}
chromium=${CHROMIUM:-/usr/bin/chromium}
search=${SEARCH:-script}
jobs=${JOBS:-2}
pages=(overview:/ peers:/peers tunnels:/tunnels transit:/transit destinations:/destinations
  addressbook:/addressbook "addressbook-search:/addressbook?q=$search" automap:/automap
  subscriptions:/subscriptions)

# inns CMD...: CMD in CONSOLE_NETNS, if set.
inns() {
  if [ -n "${CONSOLE_NETNS:-}" ]; then
    ip netns exec "$CONSOLE_NETNS" "$@"
  else
    "$@"
  fi
}

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

base=${CONSOLE_URL:-}
if [ -z "$base" ]; then
  CGO_ENABLED=0 go build -o "$work/consoledemo" ./gateway/console/consoletest/consoledemo
  "$work/consoledemo" -addr 127.0.0.1:0 >"$work/url" 2>"$work/demo.log" &
  demo_pid=$!
  for _ in $(seq 1 100); do
    base=$(head -n1 "$work/url" 2>/dev/null || true)
    [ -n "$base" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "console-screenshots: demo exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$base" ] || { echo "console-screenshots: demo did not start" >&2; exit 1; }
  echo "console-screenshots: demo at $base"
fi
base=${base%/}

if [ ! -x "$chromium" ]; then
  for p in "${pages[@]}"; do
    code=$(inns curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "$base${p#*:}")
    [ "$code" = 200 ] || { echo "console-screenshots: ${p#*:} answered $code" >&2; exit 1; }
  done
  echo "console-screenshots: $chromium not found: pages checked, no screenshots taken" >&2
  exit 0
fi

# shot NAME PATH: one page's screenshot, $out/NAME.png.
shot() {
  local name=$1 path=$2 profile
  profile=$(mktemp -d -p "$work")
  rm -f "$out/$name.png"
  inns timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-proxy-server --user-data-dir="$profile" --screenshot="$out/$name.png" --window-size=1280,900 \
    "$base$path" >"$work/chromium-$name.log" 2>&1 || true
}

# JOBS at a time; each batch is waited for by PID (consoledemo runs too).
shots=()
for p in "${pages[@]}"; do
  shot "${p%%:*}" "${p#*:}" &
  shots+=($!)
  if [ "${#shots[@]}" -ge "$jobs" ]; then
    wait "${shots[@]}" || true
    shots=()
  fi
done
[ "${#shots[@]}" -eq 0 ] || wait "${shots[@]}" || true

fail=0
for p in "${pages[@]}"; do
  name=${p%%:*}
  png="$out/$name.png"
  if [ -s "$png" ]; then
    echo "console-screenshots: $png ($(wc -c <"$png") bytes)"
  else
    echo "console-screenshots: no screenshot of ${p#*:}; chromium said:" >&2
    tail -n 5 "$work/chromium-$name.log" >&2
    fail=1
  fi
done
exit "$fail"
