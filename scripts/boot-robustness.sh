#!/usr/bin/env bash
# boot-robustness.sh - an appliance boots before its WAN: i2pgate starts with
# no network (and, in the last phases, a clock 2 hours off) and must reach a
# working state once the network appears.
#
# i2pgate runs in a namespace of its own (BOOT_NS) that has only loopback; its
# console and proxies listen on that loopback. After BOOT_OFFLINE seconds a veth
# pair joins it to the testnet's namespace (198.18.1.2 on its side, a route to
# 198.18.0.0/24) and the seed zip appears at its --reseed.file path: the
# reseed data comes with the network, so the reseeds before it fail and are
# retried with backoff.
#   Phase "late network": fresh data dir, clock right. Offline: the router
#     runs, its console answers, reseed fails, no sessions. Online: reseeded,
#     NTCP2 sessions both ways, RouterInfo published, every router known,
#     exploratory tunnels both ways; each milestone timed from the link.
#   Phase "restart offline": the same router restarted while the link is
#     down (a power cut): it loads its netdb, stays up offline, and reconnects,
#     publishes and rebuilds tunnels when the link returns (inbound sessions
#     are reported, not required: i2pd decides when it dials us again).
#   Phase "clock +/-2 h" (each value of BOOT_SKEWS, seconds): i2pgate
#     corrects its clock internally (reseeded RouterInfos' dates, peers'
#     handshake timestamps) and must reach the working state with its
#     clock_skew_s within 2 min of the offset. libfaketime cannot reach a
#     static Go binary, so the offset is applied to the other side: every
#     i2pd router of a fresh testnet runs under libfaketime (LD_PRELOAD,
#     FAKETIME=+S), which is the
#     same relative offset (the network is S seconds ahead of i2pgate). The
#     i2pd routers' own RouterInfo dates are checked to carry the offset. Then
#     as in the first phase, with BOOT_SKEW_TIMEOUT to reach the working state;
#     the router's view (clock_skew_s, network_status, reseed and handshake
#     errors) is printed either way.
#
# Settings: BOOT_OFFLINE (s, default 30), BOOT_TIMEOUT (s to the working state
# after the link, default 300), BOOT_SKEWS (default "7200 -7200"; "" skips the
# clock phases), BOOT_SKEW_TIMEOUT (default 240), BOOT_PHASES (default
# "late restart clock": which phases run), BOOT_NS (default boot-gate),
# I2PGATE_SRC (source tree to build, default this repository), TESTNET_NS
# (default boot-tn), TESTNET_DIR (default /tmp/boot-testnet). Installs
# libfaketime with apt when missing. Always takes both namespaces down and
# ends every process it started (trap).
# Last line: boot-robustness: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
TESTNET=$SCRIPT_DIR/testnet/testnet.sh
SRC=${I2PGATE_SRC:-$REPO_DIR}
NS=${TESTNET_NS:-boot-tn}
DIR=${TESTNET_DIR:-/tmp/boot-testnet}
export NS DIR TESTNET_NS=$NS TESTNET_DIR=$DIR
BOOT_NS=${BOOT_NS:-boot-gate}
OFFLINE=${BOOT_OFFLINE:-30}
TIMEOUT=${BOOT_TIMEOUT:-300}
SKEWS=${BOOT_SKEWS-7200 -7200}
SKEW_TIMEOUT=${BOOT_SKEW_TIMEOUT:-240}
PHASES=" ${BOOT_PHASES:-late restart clock} "
TEST_NAME=boot-robustness

# i2pgate's side of the link, and the testnet's.
GATE_IP=198.18.1.2
PEER_IP=198.18.1.1
GATE_PORT=12201
GATE_CONSOLE=127.0.0.1:7070
VETH_GATE=bootgate0
VETH_NET=bootgate1

# shellcheck source=testnet/lib.sh
source "$SCRIPT_DIR/testnet/lib.sh"

# The router's status comes from its own namespace.
status_json() {
	ip netns exec "$BOOT_NS" "$BIN" status --json --console.address="$GATE_CONSOLE" 2>/dev/null || true
}

WORK=$(mktemp -d /tmp/boot-robustness.XXXXXX)
BIN=$WORK/i2pgate
GATE_PID=
SUMMARY=()

boot_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$BOOT_NS"; }

# stop_gate: SIGTERM to the router this script started, SIGKILL after 20 s.
stop_gate() {
	local i
	[[ -n $GATE_PID ]] || return 0
	if alive "$GATE_PID"; then
		kill -TERM "$GATE_PID" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			alive "$GATE_PID" || break
			sleep 0.1
		done
		if alive "$GATE_PID"; then
			log "i2pgate PID $GATE_PID did not stop on SIGTERM; SIGKILL"
			kill -KILL "$GATE_PID" 2>/dev/null || true
			sleep 0.5
		fi
	fi
	wait "$GATE_PID" 2>/dev/null || true
	GATE_PID=
}

drop_boot_ns() {
	stop_gate
	if boot_ns_exists; then
		local left
		left=$(ip netns pids "$BOOT_NS" 2>/dev/null | tr '\n' ' ')
		[[ -z ${left// /} ]] || fail "processes left in $BOOT_NS: $left"
		ip netns del "$BOOT_NS" || fail "could not delete namespace $BOOT_NS"
	fi
}

cleanup() {
	local rc=$?
	trap - EXIT
	set +e
	if ((FAILED > 0 || rc != 0)) && [[ -n ${GATE_LOG:-} && -f $GATE_LOG ]]; then
		log "last lines of $GATE_LOG:"
		grep -v 'level=DEBUG' "$GATE_LOG" | tail -n 25 >&2
	fi
	drop_boot_ns
	rm -rf "$WORK"
	((${#SUMMARY[@]})) && printf '%s\n' "" "boot timings (seconds after the link appeared):" "${SUMMARY[@]}" ""
	GATE_LOG= # printed above
	# finish (lib.sh) reads $? and returns non-zero on failures; an EXIT
	# trap's own status is not the script's, so exit with it explicitly.
	(exit "$rc")
	finish
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_gate DATADIR SEEDFILE: i2pgate in the offline namespace.
start_gate() {
	local d=$1 seed=$2
	mkdir -p "$d"
	GATE_LOG=$d/i2pgate.log
	printf '=== %s boot-robustness start\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$GATE_LOG"
	ip netns exec "$BOOT_NS" setsid "$BIN" run --datadir="$d" --netid=99 --reservedrange=false \
		--host="$GATE_IP" --port="$GATE_PORT" --ntcp2.port="$GATE_PORT" \
		--reseed.file="$seed" --reseed.urls= \
		--console.address="$GATE_CONSOLE" --httpproxy.address=127.0.0.1:4444 \
		--socks.address=127.0.0.1:4447 --dns.address=127.0.0.1:5353 \
		--loglevel=debug </dev/null >>"$GATE_LOG" 2>&1 &
	GATE_PID=$!
	T_START=$SECONDS
}

make_boot_ns() {
	boot_ns_exists && ip netns del "$BOOT_NS"
	ip netns add "$BOOT_NS"
	ip -n "$BOOT_NS" link set lo up
}

# link_up: the veth between the two namespaces, with addresses and a route.
link_up() {
	ip link add "$VETH_GATE" netns "$BOOT_NS" type veth peer name "$VETH_NET" netns "$NS"
	ip -n "$BOOT_NS" addr add "$GATE_IP/24" dev "$VETH_GATE"
	ip -n "$BOOT_NS" link set "$VETH_GATE" up
	ip -n "$NS" addr add "$PEER_IP/24" dev "$VETH_NET"
	ip -n "$NS" link set "$VETH_NET" up
	ip -n "$BOOT_NS" route add 198.18.0.0/24 via "$PEER_IP"
}
link_down() { ip -n "$BOOT_NS" link del "$VETH_GATE" 2>/dev/null || true; }

# offline_checks SEEDSTATE: the router runs with no route out.
offline_checks() {
	local st
	if ip netns exec "$BOOT_NS" ip route get 198.18.0.1 >/dev/null 2>&1; then
		fail "$BOOT_NS has a route to the testnet while it should be offline"
	fi
	sleep $((OFFLINE - (SECONDS - T_START) > 0 ? OFFLINE - (SECONDS - T_START) : 0))
	if ! alive "$GATE_PID"; then
		fail "i2pgate exited while offline"
		return 1
	fi
	st=$(status_json)
	if [[ -z $st ]]; then
		fail "console does not answer while offline"
		return 0
	fi
	pass "offline ${OFFLINE} s: running, console answers (network_status $(str network_status "$st"), known routers $(num known_routers "$st"), sessions out/in $(num ntcp2_out "$st")/$(num ntcp2_in "$st"))"
	if (($(num ntcp2_out "$st") + $(num ntcp2_in "$st") > 0)); then
		fail "sessions while offline: the namespace is not isolated"
	fi
	if [[ $1 == absent ]]; then
		local n
		n=$(grep -c 'msg="reseed failed"' "$GATE_LOG" || true)
		if ((n > 0)); then
			pass "reseed failed $n times while offline (retried with backoff)"
		else
			fail "no failed reseed logged while offline"
		fi
	fi
}

# milestones LABEL LIMIT WANT_RESEED [OPTIONAL...]: poll until every milestone
# held once or LIMIT s pass; record when each first held (s after the link).
# OPTIONAL milestones are reported, not required.
declare -A MS
# shellcheck disable=SC2153 # TESTNET_N comes from the env file
milestones() {
	local label=$1 limit=$2 want_reseed=$3 t0=$SECONDS st m all
	local optional=" ${*:4} "
	local names=(sessions_out sessions_in published all_routers exploratory)
	[[ $want_reseed == yes ]] && names=(reseeded "${names[@]}")
	MS=()
	while ((SECONDS - t0 < limit)); do
		alive "$GATE_PID" || break
		st=$(status_json)
		[[ -z ${MS[reseeded]:-} ]] && grep -q 'msg=reseeded component=netdb' <(tail -n +"$LOG_MARK" "$GATE_LOG") && MS[reseeded]=$((SECONDS - t0))
		[[ -z ${MS[sessions_out]:-} ]] && (($(num ntcp2_out "$st") > 0)) && MS[sessions_out]=$((SECONDS - t0))
		[[ -z ${MS[sessions_in]:-} ]] && (($(num ntcp2_in "$st") > 0)) && MS[sessions_in]=$((SECONDS - t0))
		[[ -z ${MS[published]:-} ]] && grep -q '"published": *true' <<<"$st" && MS[published]=$((SECONDS - t0))
		[[ -z ${MS[all_routers]:-} ]] && (($(num known_routers "$st") >= TESTNET_N)) && MS[all_routers]=$((SECONDS - t0))
		[[ -z ${MS[exploratory]:-} ]] && (($(num exploratory_in "$st") >= 2 && $(num exploratory_out "$st") >= 2)) &&
			MS[exploratory]=$((SECONDS - t0))
		all=1
		for m in "${names[@]}"; do [[ -n ${MS[$m]:-} || $optional == *" $m "* ]] || all=0; done
		((all)) && break
		sleep 2
	done
	st=$(status_json)
	local line
	line=$(printf '  %-22s' "$label")
	for m in "${names[@]}"; do
		line+=$(printf ' %s=%s' "$m" "${MS[$m]:-never}")
		if [[ -n ${MS[$m]:-} ]]; then
			pass "$m ${MS[$m]} s after the link appeared"
		elif [[ $optional == *" $m "* ]]; then
			log "$label: $m not seen by the time the rest held ($((SECONDS - t0)) s; reported, not required)"
		else
			fail "$m not within $limit s after the link appeared"
		fi
	done
	SUMMARY+=("$line")
	log "$label: status: network_status $(str network_status "$st"), clock_skew_s $(grep -o '"clock_skew_s": *[-0-9.e+]*' <<<"$st" | grep -o '[-0-9.e+]*$'), known routers $(num known_routers "$st"), sessions out/in $(num ntcp2_out "$st")/$(num ntcp2_in "$st"), exploratory in/out $(num exploratory_in "$st")/$(num exploratory_out "$st"), published $(grep -o '"published": *[a-z]*' <<<"$st" | grep -o '[a-z]*$'), clock $(tr -d ' \n' <<<"$st" | grep -o '"clock":{[^}]*}' || echo none)"
}

# net_up [ENV...]: a fresh testnet; ENV goes to testnet.sh (TESTNET_I2PD).
net_up() {
	drop_boot_ns
	"$TESTNET" down >/dev/null 2>&1 || true
	env "$@" "$TESTNET" up
	ENV_FILE=$("$TESTNET" env)
	# shellcheck disable=SC1090
	source "$ENV_FILE"
	make_boot_ns
}

CURRENT=build
(cd "$SRC" && CGO_ENABLED=0 go build -o "$BIN" ./cmd/i2pgate) || { fail "go build ./cmd/i2pgate failed"; exit 1; }

# ---------------------------------------------------------------- late network
if [[ $PHASES == *" late "* ]]; then
CURRENT="late network"
net_up
GD=$DIR/boot-gate
SEED=$WORK/seed-late.zip
start_gate "$GD" "$SEED"
LOG_MARK=1
offline_checks absent || exit 1
cp "$TESTNET_SEED_ZIP" "$SEED"
link_up
log "link up after $((SECONDS - T_START)) s offline; seed zip in place"
milestones "late network" "$TIMEOUT" yes
grep -E 'msg="reseed failed"|msg=reseeded component=netdb' "$GATE_LOG" | sed 's/^time=\([^ ]*\) .*msg=\("reseed failed"\|reseeded\).*/  \1 \2/' >&2 || true

fi

# ---------------------------------------------------------------- restart offline
if [[ $PHASES == *" late "* && $PHASES == *" restart "* ]]; then
CURRENT="restart offline"
stop_gate
link_down
LOG_MARK=$(($(wc -l <"$GATE_LOG") + 1))
start_gate "$GD" "$SEED"
offline_checks present || exit 1
st=$(status_json)
if (($(num known_routers "$st") >= TESTNET_N)); then
	pass "restart offline: netdb of $(num known_routers "$st") routers loaded from the database"
else
	fail "restart offline: only $(num known_routers "$st") routers known after the restart"
fi
link_up
log "link up after $((SECONDS - T_START)) s offline"
# Whether the i2pd routers dial us again is their choice: one that failed to
# reach us while we were offline may keep us marked unreachable for a while.
milestones "restart offline" "$TIMEOUT" no sessions_in
if grep -q 'msg=reseeded component=netdb' <(tail -n +"$LOG_MARK" "$GATE_LOG"); then
	log "restart offline: the router reseeded after the restart (its netdb of $TESTNET_N is under reseed.threshold)"
fi
fi

# ---------------------------------------------------------------- clock skew
[[ $PHASES == *" clock "* ]] || SKEWS=
if [[ -n ${SKEWS// /} ]]; then
	FAKELIB=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | grep -v MT | head -n 1 || true)
	if [[ -z $FAKELIB ]]; then
		log "installing libfaketime"
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq libfaketime >/dev/null ||
			{ apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libfaketime >/dev/null; } || true
		FAKELIB=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | grep -v MT | head -n 1 || true)
	fi
	I2PD=$(command -v i2pd || echo /usr/sbin/i2pd)
fi
for skew in $SKEWS; do
	CURRENT="clock ${skew} s"
	if [[ -z ${FAKELIB:-} ]]; then
		fail "libfaketime is not installed (apt-get install libfaketime)"
		break
	fi
	if ! [[ $skew =~ ^-?[0-9]+$ ]]; then
		fail "BOOT_SKEWS takes whole seconds, not $skew"
		continue
	fi
	wrapper=$WORK/i2pd-skew${skew}
	printf '#!/bin/sh\n# i2pd with its clock %s s off (scripts/boot-robustness.sh)\nLD_PRELOAD=%q FAKETIME=%q FAKETIME_DONT_FAKE_MONOTONIC=1 exec %q "$@"\n' \
		"$skew" "$FAKELIB" "$(printf '%+d' "$skew")" "$I2PD" >"$wrapper"
	chmod 755 "$wrapper"
	net_up TESTNET_I2PD="$wrapper"
	# The offset must show in the i2pd RouterInfos (published date after the
	# identity: 387 bytes plus the certificate's payload).
	ri=$TESTNET_ROUTER1_DATADIR/router.info
	certlen=$(od -An -tu2 --endian=big -j385 -N2 "$ri" | tr -d ' ')
	pub=$(od -An -tu8 --endian=big -j $((387 + certlen)) -N8 "$ri" | tr -d ' ')
	seen=$((pub / 1000 - $(date +%s)))
	if ((seen - skew < 120 && skew - seen < 120)); then
		pass "i2pd routers run ${skew} s off (router 1's RouterInfo is dated ${seen} s from now)"
	else
		fail "libfaketime did not shift i2pd's clock: router 1's RouterInfo is dated ${seen} s from now, want ${skew}"
		continue
	fi
	GD=$DIR/boot-gate-skew$skew
	SEED=$WORK/seed-skew$skew.zip
	start_gate "$GD" "$SEED"
	LOG_MARK=1
	offline_checks absent || continue
	cp "$TESTNET_SEED_ZIP" "$SEED"
	link_up
	log "link up after $((SECONDS - T_START)) s offline; network clock ${skew} s off ours"
	milestones "clock ${skew} s" "$SKEW_TIMEOUT" yes
	# The router's clock offset must have learned the network's.
	st=$(status_json)
	got=$(grep -o '"clock_skew_s": *[-0-9.e+]*' <<<"$st" | grep -o '[-0-9.e+]*$' | cut -d. -f1)
	if [[ $got =~ ^-?[0-9]+$ ]] && ((got - skew < 120 && skew - got < 120)); then
		pass "clock corrected by ${got} s (source $(tr -d ' \n' <<<"$st" | grep -o '"source":"[a-z]*"' | cut -d'"' -f4))"
	else
		fail "clock offset ${got:-unknown} s, want about ${skew}"
	fi
	# What each side saw: reseeds whose RouterInfos the netdb did not add (the
	# reseeder accepted them, the netdb added none), failed NTCP2 handshakes,
	# and i2pd's clock-skew refusals.
	log "clock ${skew} s: i2pgate: $(grep -c 'msg="reseed failed" component=netdb err="" received=[1-9]' "$GATE_LOG" || true) reseeds whose RouterInfos the netdb did not add (refused or known), $(grep -c 'msg="reseed failed"' "$GATE_LOG" || true) failed reseeds in all; $(grep -c 'ntcp2: handshake with' "$GATE_LOG" || true) failed NTCP2 handshakes ($(grep -c 'message 2: noise: decryption failed' "$GATE_LOG" || true) on SessionCreated decryption, $(grep -ci 'clock skew' "$GATE_LOG" || true) naming clock skew)"
	log "clock ${skew} s: i2pgate's clock corrections: $(grep -E 'msg="clock corrected|msg="clock offset moved|msg="clock is off|msg=sntp' "$GATE_LOG" | sed 's/^time=\([^ ]*\) level=[A-Z]* msg=\("[^"]*"\|[^ ]*\)\(.*\)/\1 \2\3;/' | tr '\n' ' ' || echo none)"
	log "clock ${skew} s: i2pd: $(cat "$DIR"/r*/i2pd.log 2>/dev/null | grep -c 'exceeds clock skew' || true) NTCP2 handshakes refused for clock skew, e.g. $(cat "$DIR"/r*/i2pd.log 2>/dev/null | grep -m 1 'exceeds clock skew' || echo none)"
	stop_gate
	drop_boot_ns
done
