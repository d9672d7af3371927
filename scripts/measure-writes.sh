#!/usr/bin/env bash
# measure-writes.sh - how much i2pgate writes to storage per hour at steady
# state (flash wear on an appliance; the target is under 1 MB/h). Two i2pgate
# routers join the same private i2pd testnet at once: slot 1 with
# --storage.mode=disk, slot 2 with --storage.mode=ram. After a warm-up
# (MEASURE_WARMUP_MINUTES, default 3, counted from their start, and at least
# until both hold exploratory tunnels), /proc/PID/io write_bytes of each
# i2pgate process is read at the start and the end of a steady window of
# MEASURE_MINUTES (default 10), with a sample every minute, while each fetches
# the testnet eepsite through its SOCKS proxy once a minute.
#
# write_bytes counts the bytes a process caused to be sent to a block device
# (a page is counted when it turns dirty, so rewriting a dirty page before
# writeback is counted once; file system journal and metadata are not). The
# i2pgate logs go to a tmpfs file (on the box they go to logd/journald in RAM)
# so the figure is the data directory's writes; the log volume at loglevel
# info is printed separately. The data directories must be on a block device
# (checked: not tmpfs).
#
# Settings: MEASURE_MINUTES (default 10), MEASURE_WARMUP_MINUTES (default 3),
# MEASURE_LIMIT (bytes per hour, default 1000000), MEASURE_MODES (default
# "disk ram"), MEASURE_ARGS (more i2pgate flags for both), I2PGATE_SRC (source
# tree to build, default this repository), TESTNET_NS (default measure-tn),
# TESTNET_DIR (default /tmp/measure-testnet). Always takes the net down (trap).
# Last line: measure-writes: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
TESTNET=$SCRIPT_DIR/testnet/testnet.sh
# The source tree the i2pgate binaries are built from.
SRC=${I2PGATE_SRC:-$REPO_DIR}
NS=${TESTNET_NS:-measure-tn}
DIR=${TESTNET_DIR:-/tmp/measure-testnet}
export NS DIR TESTNET_NS=$NS TESTNET_DIR=$DIR
MINUTES=${MEASURE_MINUTES:-10}
WARMUP=${MEASURE_WARMUP_MINUTES:-3}
LIMIT=${MEASURE_LIMIT:-1000000}
MODES=${MEASURE_MODES:-disk ram}
# Extra i2pgate flags for both routers, e.g. --addressbook.subscriptions= to
# see the writes without the address book's subscription attempts.
read -r -a EXTRA <<<"${MEASURE_ARGS:-}"
TUNNELS_TIMEOUT=${MEASURE_TUNNELS_TIMEOUT:-300}
TEST_NAME=measure-writes

# shellcheck source=testnet/lib.sh
source "$SCRIPT_DIR/testnet/lib.sh"

[[ $MINUTES =~ ^[0-9]+$ && $MINUTES -ge 1 ]] || { echo "MEASURE_MINUTES must be a whole number >= 1" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "MEASURE_WARMUP_MINUTES must be a whole number" >&2; exit 2; }
[[ $LIMIT =~ ^[0-9]+$ ]] || { echo "MEASURE_LIMIT must be bytes per hour" >&2; exit 2; }

# Logs and wrappers live in RAM so that they are not counted as writes.
WORK=$(mktemp -d /dev/shm/measure-writes.XXXXXX)

cleanup() {
	local rc=$? f
	trap - EXIT
	if ((FAILED > 0 || rc != 0)); then
		for f in "$WORK"/i2pgate-*.log; do
			[[ -f $f ]] || continue
			log "last lines of $f:"
			tail -n 20 "$f" >&2 || true
		done
	fi
	rm -rf "$WORK"
	# finish (lib.sh) reads $? and returns non-zero on failures; an EXIT
	# trap's own status is not the script's, so exit with it explicitly.
	set +e
	(exit "$rc")
	finish
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# io FIELD PID: a /proc/PID/io counter (empty when gone).
io() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/io" 2>/dev/null || true; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
per_hour() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b * 3600 / s }'; }
human() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.2f MiB", b / 1048576; else printf "%.1f KiB", b / 1024 }'; }

CURRENT=build
BIN=$WORK/i2pgate
(cd "$SRC" && CGO_ENABLED=0 go build -o "$BIN" ./cmd/i2pgate) || { fail "go build ./cmd/i2pgate failed"; exit 1; }

CURRENT=up
"$TESTNET" up
ENV_FILE=$("$TESTNET" env)
fstype=$(stat -f -c %T "$DIR")
if [[ $fstype == tmpfs || $fstype == ramfs ]]; then
	fail "$DIR is on $fstype: write_bytes would not count its writes; set TESTNET_DIR to a disk"
	exit 1
fi
log "data directories under $DIR ($fstype); logs in $WORK (tmpfs)"

declare -A SLOT PID LOGF
k=0
for mode in $MODES; do
	k=$((k + 1))
	SLOT[$mode]=$k
	LOGF[$mode]=$WORK/i2pgate-$mode.log
	printf '#!/bin/sh\n# i2pgate with its log in RAM (scripts/measure-writes.sh)\nexec %q "$@" >>%q 2>&1\n' \
		"$BIN" "${LOGF[$mode]}" >"$WORK/run-$mode"
	chmod 755 "$WORK/run-$mode"
	I2PGATE_BIN=$WORK/run-$mode "$TESTNET" add-i2pgate "$k" --loglevel=info --storage.mode="$mode" --lan.allow=198.18.0.0/15 "${EXTRA[@]}"
done
T0=$SECONDS
# shellcheck disable=SC1090
source "$ENV_FILE"
for mode in $MODES; do
	v=TESTNET_I2PGATE${SLOT[$mode]}_PID
	PID[$mode]=${!v}
done

# The eepsite must be reachable in i2pd's own view first (2.45.1 publish race).
"$TESTNET" wait-eepsite >/dev/null || fail "the eepsite never became reachable through i2pd"

has_exploratory() {
	st=$(status_json)
	(($(num exploratory_in "$st") >= 1 && $(num exploratory_out "$st") >= 1))
}
console_of() { local v=TESTNET_I2PGATE${SLOT[$1]}_CONSOLE; echo "${!v}"; }
socks_of() { local v=TESTNET_I2PGATE${SLOT[$1]}_SOCKS; echo "${!v}"; }

CURRENT=warm-up
for mode in $MODES; do
	CONSOLE=$(console_of "$mode")
	left=$((TUNNELS_TIMEOUT - (SECONDS - T0)))
	wait_for "storage.mode=$mode: exploratory tunnels both ways" $((left > 30 ? left : 30)) has_exploratory
done
wait_s=$((WARMUP * 60 - (SECONDS - T0)))
if ((wait_s > 0)); then
	log "warm-up: $wait_s s more"
	sleep "$wait_s"
fi

# fetch MODE: the eepsite through MODE's SOCKS proxy, byte-equal.
fetch() {
	ip netns exec "$NS" curl -s -m 25 --socks5-hostname "$(socks_of "$1")" -o "$WORK/fetch-$1.body" \
		"http://$TESTNET_EEPSITE_B32/" 2>/dev/null && cmp -s "$WORK/fetch-$1.body" "$TESTNET_WEB_ROOT/index.html"
}

CURRENT=measure
declare -A W0 C0 L0 WP FETCH_OK FETCH_N RATE
for mode in $MODES; do
	W0[$mode]=$(io write_bytes "${PID[$mode]}")
	C0[$mode]=$(io cancelled_write_bytes "${PID[$mode]}")
	L0[$mode]=$(size "${LOGF[$mode]}")
	WP[$mode]=${W0[$mode]}
	FETCH_OK[$mode]=0
	FETCH_N[$mode]=0
done
t_start=$(now)
((${#EXTRA[@]} == 0)) || log "extra i2pgate flags: ${EXTRA[*]}"
log "steady window of $MINUTES min starts ($((SECONDS - T0)) s after the routers started)"
header=$(printf '%-6s' min)
for mode in $MODES; do header+=$(printf ' %16s' "$mode:written"); done
log "$header"
for ((m = 1; m <= MINUTES; m++)); do
	t_next=$(awk -v s="$t_start" -v m="$m" 'BEGIN { printf "%.3f", s + 60 * m }')
	for mode in $MODES; do
		FETCH_N[$mode]=$((FETCH_N[$mode] + 1))
		fetch "$mode" && FETCH_OK[$mode]=$((FETCH_OK[$mode] + 1))
	done
	rest=$(awk -v a="$t_next" -v b="$(now)" 'BEGIN { d = a - b; printf "%.3f", (d > 0 ? d : 0) }')
	sleep "$rest"
	line=$(printf '%-6s' "$m")
	for mode in $MODES; do
		w=$(io write_bytes "${PID[$mode]}")
		if [[ -z $w ]]; then
			line+=$(printf ' %16s' died)
			continue
		fi
		line+=$(printf ' %16s' "+$((w - WP[$mode]))")
		WP[$mode]=$w
	done
	log "$line"
done
t_end=$(now)
secs=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')

CURRENT=report
printf '\n%-12s %14s %14s %16s %14s %12s %10s\n' storage.mode written_B window_s bytes_per_hour per_hour cancelled_B log_B/h >&2
for mode in $MODES; do
	pid=${PID[$mode]}
	w1=$(io write_bytes "$pid")
	c1=$(io cancelled_write_bytes "$pid")
	if [[ -z $w1 ]]; then
		fail "storage.mode=$mode: i2pgate (PID $pid) died during the window; see ${LOGF[$mode]}"
		continue
	fi
	d=$((w1 - W0[$mode]))
	rate=$(per_hour "$d" "$secs")
	lrate=$(per_hour $(($(size "${LOGF[$mode]}") - L0[$mode])) "$secs")
	printf '%-12s %14s %14s %16s %14s %12s %10s\n' "$mode" "$d" "$secs" "$rate" "$(human "$rate")/h" \
		"$((c1 - C0[$mode]))" "$lrate" >&2
	RATE[$mode]=$rate
done
echo >&2
for mode in $MODES; do
	[[ -n ${RATE[$mode]:-} ]] || continue
	d=TESTNET_I2PGATE${SLOT[$mode]}_DATADIR
	log "storage.mode=$mode data directory: $(du -sb "${!d}" | cut -f1) bytes ($(cd "${!d}" && find . -type f -printf '%f %s\n' | sort | tr '\n' ',' | sed 's/,$//'))"
	log "storage.mode=$mode eepsite fetches through its SOCKS proxy during the window: ${FETCH_OK[$mode]}/${FETCH_N[$mode]} byte-equal"
	if ((RATE[$mode] < LIMIT)); then
		pass "storage.mode=$mode writes $(human "${RATE[$mode]}")/h (${RATE[$mode]} B/h) < $LIMIT B/h"
	else
		fail "storage.mode=$mode writes $(human "${RATE[$mode]}")/h (${RATE[$mode]} B/h), not under $LIMIT B/h"
	fi
done
