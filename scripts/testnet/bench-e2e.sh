#!/usr/bin/env bash
# bench-e2e.sh - end-to-end benchmark of i2pgate next to i2pd 2.45.1 in one
# private testnet run:
#   - throughput of one stream: BENCH_SIZE bytes of /size/N fetched from the
#     i2pd eepsite (a) through an i2pgate client tunnel ([tunnels.bench],
#     type client) and (b) through an HTTP proxy of an i2pd client router (a
#     `type = httpproxy` tunnel added to its tunnels.conf and loaded with
#     SIGHUP, because the testnet's main HTTP proxy uses 1-hop tunnels);
#     both with BENCH_HOPS-hop inbound and outbound tunnels (default 2). The
#     eepsite's own tunnels are the testnet's: inbound 1 hop, outbound 0.
#   - CPU seconds per MB of the i2pgate process and of the i2pd client
#     router's process: utime+stime deltas from /proc/PID/stat around each
#     fetch. The other routers' transit work is not counted (and the measured
#     process may itself carry transit tunnels of the others meanwhile).
#   - cold start: from the i2pgate process start (empty data directory, only
#     the seed zip) to its first successful eepsite fetch through the client
#     tunnel, polled every 2 s. The i2pd routers are up and the eepsite is
#     reachable through i2pd before i2pgate starts.
# Each fetch is done BENCH_RUNS times (default 3), i2pgate and i2pd
# alternating, sha256-checked. Prints a table (MB/s, CPU s/MB, the 1-minute
# load average at each fetch, medians) and writes it to
# $TESTNET_DIR/bench-e2e.txt. The machine's load from other work skews every
# figure: compare the two columns of one run, not runs on different days.
#
# Settings: BENCH_SIZE (bytes, default 20000000), BENCH_RUNS (default 3),
# BENCH_HOPS (default 2), BENCH_TIMEOUT (s, cold start and proxy bound, default
# 300), BENCH_FETCH_MAX (s per fetch, default 600), BENCH_IDLE (s of idle CPU
# sampling before the fetches, default 20), BENCH_LOGLEVEL (i2pgate's, default
# info; debug shows why packets were dropped but costs CPU), I2PGATE_SRC (tree to build, default
# this repository), TESTNET_NS (default h2), TESTNET_DIR (default /tmp/h2).
# Not part of make test. Always takes the net down (trap).
# Last line: bench-e2e: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
TESTNET=$SCRIPT_DIR/testnet.sh
SRC=${I2PGATE_SRC:-$REPO_DIR}
NS=${TESTNET_NS:-h2}
DIR=${TESTNET_DIR:-/tmp/h2}
export NS DIR TESTNET_NS=$NS TESTNET_DIR=$DIR
SIZE=${BENCH_SIZE:-20000000}
RUNS=${BENCH_RUNS:-3}
HOPS=${BENCH_HOPS:-2}
TIMEOUT=${BENCH_TIMEOUT:-300}
FETCH_MAX=${BENCH_FETCH_MAX:-600}
IDLE=${BENCH_IDLE:-20}
LOGLEVEL=${BENCH_LOGLEVEL:-info}
GATE_PORT=8081
PROXY_PORT=4480
TEST_NAME=bench-e2e

# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"

cleanup() {
	local rc=$?
	trap - EXIT
	set +e
	(exit "$rc")
	finish
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for v in SIZE RUNS HOPS TIMEOUT FETCH_MAX IDLE; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { fail "BENCH_$v must be a whole number"; exit 2; }
done

TICK=$(getconf CLK_TCK)
# cpu_ticks PID: utime+stime of the whole process, in clock ticks (the fields
# after the command name, which may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
now() { date +%s.%N; }
# start_epoch PID: when PID started, in seconds since the epoch.
start_epoch() {
	local ticks btime
	ticks=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{print $20}')
	btime=$(awk '$1 == "btime" {print $2}' /proc/stat)
	awk -v b="$btime" -v t="$ticks" -v hz="$TICK" 'BEGIN { printf "%.2f", b + t / hz }'
}
# real_pid PID NAME: PID, or its child when PID is a wrapper (setsid forks
# when it leads a process group) rather than NAME itself.
real_pid() {
	local pid=$1 name=$2 c kids=()
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] && { echo "$pid"; return; }
	read -ra kids <"/proc/$pid/task/$pid/children" 2>/dev/null || true
	for c in "${kids[@]}"; do
		[[ $(cat "/proc/$c/comm" 2>/dev/null) == "$name" ]] && { echo "$c"; return; }
	done
	echo "$pid"
}
# ee_timeouts: how often the eepsite's i2pd has resent a second time or more
# with no ACK in between: i2pd 2.45.1 halves its window at the first timeout
# and logs only from the second on, when it changes lease or outbound tunnel.
ee_timeouts() {
	local n
	n=$(grep -cE 'Another (remote lease|outbound tunnel) has been selected' "$EE_LOG" 2>/dev/null) || true
	echo "${n:-0}"
}
# dest_json: the bench destination's entry of i2pgate's /api/status, one line.
dest_json() { status_json | tr -d '\n ' | grep -o '{"name":"bench"[^}]*}' || true; }
calc() { awk "BEGIN { printf \"%.${1}f\", $2 }"; }
median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

CURRENT=up
"$TESTNET" up
ENV_FILE=$("$TESTNET" env)
# shellcheck disable=SC1090
source "$ENV_FILE"
: "${TESTNET_N:?not in the env file}"
BIN=$DIR/i2pgate
(cd "$SRC" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN" ./cmd/i2pgate) ||
	{ fail "go build ./cmd/i2pgate failed"; exit 1; }
export I2PGATE_BIN=$BIN

# The i2pd side: an HTTP proxy with HOPS-hop tunnels on the first client
# router, added to its tunnels.conf and loaded by SIGHUP (no restart).
J=${TESTNET_CLIENT_ROUTERS%% *}
v=TESTNET_ROUTER${J}_ADDR
J_ADDR=${!v}
v=TESTNET_ROUTER${J}_DATADIR
J_DIR=${!v}
v=TESTNET_ROUTER${J}_PID
I2PD_PID=$(real_pid "${!v}" i2pd)
PROXY=$J_ADDR:$PROXY_PORT
v=TESTNET_ROUTER${TESTNET_EEPSITE_ROUTER}_DATADIR
EE_LOG=${!v}/i2pd.log
cat >>"$J_DIR/tunnels.conf" <<EOF
[bench-proxy]
type = httpproxy
address = $J_ADDR
port = $PROXY_PORT
inbound.length = $HOPS
outbound.length = $HOPS
inbound.quantity = 2
outbound.quantity = 2
EOF
kill -HUP "$I2PD_PID"
proxy_listens() { ip netns exec "$NS" curl -s -m 2 -o /dev/null "http://$PROXY/" 2>/dev/null; }
wait_for "i2pd router $J (PID $I2PD_PID) opened its $HOPS-hop HTTP proxy $PROXY after SIGHUP" 30 proxy_listens

CURRENT=eepsite
"$TESTNET" wait-eepsite >/dev/null || { fail "the eepsite never became reachable through i2pd"; exit 1; }
WANT=$(ip netns exec "$NS" curl -s -m 30 "http://$TESTNET_WEB_ADDR/sha256/$SIZE" | tr -d ' \n')
[[ $WANT =~ ^[0-9a-f]{64}$ ]] || { fail "the web server gave no sha256 for /size/$SIZE"; exit 1; }
page_via_proxy() {
	ip netns exec "$NS" curl -s -m 20 -x "http://$PROXY" -o "$DIR/bench-proxy.body" "http://$TESTNET_EEPSITE_B32/" 2>/dev/null &&
		cmp -s "$DIR/bench-proxy.body" "$TESTNET_WEB_ROOT/index.html"
}
wait_for "eepsite page through i2pd's $HOPS-hop HTTP proxy, byte-equal" "$TIMEOUT" page_via_proxy

# The i2pgate side: a cold start with a client tunnel to the eepsite.
CURRENT="cold start"
GATE_ADDR=$TESTNET_I2PGATE_ADDR1
CONF=$DIR/bench-i2pgate.toml
cat >"$CONF" <<CONF
[tunnels.bench]
type = "client"
address = "$GATE_ADDR"
port = $GATE_PORT
destination = "$TESTNET_EEPSITE_B32"
destinationport = 80
inbound.length = $HOPS
outbound.length = $HOPS
inbound.quantity = 2
outbound.quantity = 2
CONF
load_at_start=$(load1)
"$TESTNET" add-i2pgate 1 --config="$CONF" --loglevel="$LOGLEVEL" --addressbook.subscriptions=
# shellcheck disable=SC1090
source "$ENV_FILE"
GATE_LOG=$TESTNET_I2PGATE1_LOG
CONSOLE=$TESTNET_I2PGATE1_CONSOLE
GATE_PID=$(real_pid "$TESTNET_I2PGATE1_PID" i2pgate)
T_START=$(start_epoch "$GATE_PID")
cold=
while [[ -z $cold ]] && (($(calc 0 "$(now) - $T_START") < TIMEOUT)); do
	t=$(now)
	if ip netns exec "$NS" curl -s -m 10 -o "$DIR/bench-cold.body" "http://$GATE_ADDR:$GATE_PORT/" 2>/dev/null &&
		cmp -s "$DIR/bench-cold.body" "$TESTNET_WEB_ROOT/index.html"; then
		cold=$(calc 1 "$(now) - $T_START")
		break
	fi
	alive "$GATE_PID" || break
	sleep "$(calc 2 "2 - ($(now) - $t)" | sed 's/^-.*/0/')"
done
load_cold=$(load1)
if [[ -n $cold ]]; then
	pass "i2pgate cold start to the first eepsite page through its client tunnel: $cold s"
else
	alive "$GATE_PID" || log "i2pgate (PID $GATE_PID) exited; see $GATE_LOG"
	fail "i2pgate fetched no eepsite page through its client tunnel within $TIMEOUT s of its start"
	exit 1
fi

CURRENT=idle
c_gate=$(cpu_ticks "$GATE_PID")
c_i2pd=$(cpu_ticks "$I2PD_PID")
sleep "$IDLE"
idle_gate=$(calc 2 "($(cpu_ticks "$GATE_PID") - $c_gate) / $TICK * 60 / $IDLE")
idle_i2pd=$(calc 2 "($(cpu_ticks "$I2PD_PID") - $c_i2pd) / $TICK * 60 / $IDLE")
log "idle CPU over $IDLE s: i2pgate $idle_gate s/min, i2pd router $J $idle_i2pd s/min"

CURRENT=fetch
MB=$(calc 6 "$SIZE / 1000000")
ROWS=()
declare -A RATE CPU LOAD
# bench WHO RUN: one fetch of /size/SIZE, timed and CPU-measured; appends a row.
bench() {
	local who=$1 run=$2 pid other url proxy=() out=$DIR/bench-$1.body
	local c0 o0 c1 o1 l0 res code bytes raw secs rate cpu ocpu sum d0 d1 k t0 t1 note=''
	if [[ $who == i2pgate ]]; then
		pid=$GATE_PID other=$I2PD_PID url="http://$GATE_ADDR:$GATE_PORT/size/$SIZE"
	else
		pid=$I2PD_PID other=$GATE_PID url="http://$TESTNET_EEPSITE_B32/size/$SIZE" proxy=(-x "http://$PROXY")
	fi
	rm -f "$out"
	[[ $who == i2pgate ]] && d0=$(dest_json)
	l0=$(load1)
	t0=$(ee_timeouts)
	c0=$(cpu_ticks "$pid")
	o0=$(cpu_ticks "$other")
	res=$(ip netns exec "$NS" curl -s -m "$FETCH_MAX" "${proxy[@]}" -o "$out" \
		-w '%{http_code} %{size_download} %{time_total}' "$url" 2>/dev/null) || true
	c1=$(cpu_ticks "$pid")
	o1=$(cpu_ticks "$other")
	t1=$(ee_timeouts)
	read -r code bytes raw <<<"${res:-000 0 0}"
	secs=$(calc 1 "${raw:-0}")
	if [[ $who == i2pgate ]]; then
		d1=$(dest_json)
		for k in received dropped sent resent; do
			note+=" $k +$(($(num "packets_$k" "$d1") - $(num "packets_$k" "$d0")))"
		done
		note="  stream packets:$note"
	fi
	sum=$(sha256sum "$out" 2>/dev/null | cut -d' ' -f1) || sum=
	cpu=$(calc 2 "($c1 - $c0) / $TICK")
	ocpu=$(calc 2 "($o1 - $o0) / $TICK")
	if [[ $code == 200 && $bytes == "$SIZE" && $sum == "$WANT" ]]; then
		rate=$(calc 3 "$SIZE / 1000000 / $raw")
		RATE[$who]+="$rate "
		CPU[$who]+="$(calc 4 "$cpu / $MB") "
		LOAD[$who]+="$l0 "
		ROWS+=("$(printf '%-8s %3s %8s %8s %8s %9s %9s %6s %6s' "$who" "$run" "$secs" "$rate" "$cpu" \
			"$(calc 4 "$cpu / $MB")" "$ocpu" "$((t1 - t0))" "$l0")$note")
		pass "$who fetch $run: $SIZE bytes in $secs s ($rate MB/s), $cpu CPU s, sha256 equal$note"
	else
		ROWS+=("$(printf '%-8s %3s %8s %8s %8s %9s %9s %6s %6s  FAILED: HTTP %s, %s bytes' "$who" "$run" "$secs" - "$cpu" - "$ocpu" "$((t1 - t0))" "$l0" "$code" "$bytes")$note")
		fail "$who fetch $run: HTTP $code, $bytes of $SIZE bytes in $secs s, sha256 ${sum:-none}"
	fi
}
for ((r = 1; r <= RUNS; r++)); do
	bench i2pgate "$r"
	bench i2pd "$r"
done

CURRENT=report
st=$(status_json)
{
	echo "bench-e2e $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git -C "$SRC" describe --tags --always --dirty 2>/dev/null || echo '?')" \
		"i2pd $TESTNET_I2PD_VERSION, $(nproc) cores, $TESTNET_N i2pd routers"
	echo "one stream, /size/$SIZE from the i2pd eepsite (eepsite tunnels: in 1 hop, out 0);"
	echo "client side $HOPS-hop inbound and outbound tunnels, quantity 2:"
	echo "  i2pgate: client tunnel $GATE_ADDR:$GATE_PORT (PID $GATE_PID)"
	echo "  i2pd:    router $J's httpproxy tunnel $PROXY (PID $I2PD_PID)"
	echo "cpu_s: utime+stime of that process during the fetch; other_s: of the other one"
	echo "(its transit or idle work); other routers' transit is not counted. Stream"
	echo "packets: deltas of i2pgate's counters for the bench destination (/api/status)."
	echo "ee_rto: resends #2 and later of the eepsite's i2pd with no ACK in between (it"
	echo "halves its window at #1, then changes lease or tunnel), counted in its log."
	echo "load1: 1-minute load average when the fetch started (2 cores, shared)."
	echo
	printf '%-8s %3s %8s %8s %8s %9s %9s %6s %6s\n' who run time_s MB/s cpu_s cpu_s/MB other_s ee_rto load1
	printf '%s\n' "${ROWS[@]}"
	echo
	printf '%-8s %9s %12s %12s\n' median MB/s cpu_s/MB load1
	for who in i2pgate i2pd; do
		printf '%-8s %9s %12s %12s\n' "$who" \
			"$(tr ' ' '\n' <<<"${RATE[$who]:-}" | grep . | median)" \
			"$(tr ' ' '\n' <<<"${CPU[$who]:-}" | grep . | median)" \
			"$(tr ' ' '\n' <<<"${LOAD[$who]:-}" | grep . | median)"
	done
	echo
	echo "cold start (i2pgate process start, empty datadir + seed, to first eepsite page): $cold s" \
		"(load1 $load_at_start at start, $load_cold at the first page)"
	echo "idle CPU over $IDLE s before the fetches: i2pgate $idle_gate s/min, i2pd router $J $idle_i2pd s/min"
	echo "i2pgate after the fetches: transit $(num transit_tunnels "$st"), client in/out $(num client_in "$st")/$(num client_out "$st")," \
		"build success rate $(grep -o '"build_success_rate": *[0-9.]*' <<<"$st" | grep -o '[0-9.]*$' || echo '?')"
	if [[ $LOGLEVEL == debug ]]; then
		echo "i2pgate debug log: $(grep -c 'msg=garlic' "$GATE_LOG" || true) garlic messages not decrypted or not handled," \
			"$(grep -c 'msg="destination send"' "$GATE_LOG" || true) destination send errors"
	fi
} | tee "$DIR/bench-e2e.txt"
log "results written to $DIR/bench-e2e.txt"
