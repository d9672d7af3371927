#!/usr/bin/env bash
# qemu-smoke.sh - the armv7 and mipsle (softfloat) builds of i2pgate run as real
# routers in the private i2pd testnet, each under qemu-user-static
# (qemu-arm-static, qemu-mipsel-static), in slots 1 and 2 at the same time.
# For each one, with bounded waits (emulation is slow):
#   - the binary is the target architecture (`i2pgate version` under the
#     emulator says linux/arm or linux/mipsle) and the running process is the
#     emulator;
#   - it builds exploratory tunnels (at least one each way) through i2pd;
#   - the testnet eepsite is fetched through its SOCKS5 proxy
#     (curl --socks5-hostname, a .b32.i2p name), byte-equal to index.html.
# It prints each one's resident memory (VmRSS and peak VmHWM of the emulator
# process, which includes the emulator's own code and translation cache: an
# upper bound for the native binary on the real box), next to a native amd64
# i2pgate that joins at the same time in the next slot as the baseline
# (QEMU_NATIVE=0 leaves it out). The proxies accept the testnet's addresses
# (--lan.allow=198.18.0.0/15).
#
# Settings: QEMU_TARGETS (default "armv7 mipsle"; also armv6 mips arm64),
# QEMU_NATIVE (default 1), QEMU_TUNNELS_TIMEOUT (s,
# default 600), QEMU_FETCH_TIMEOUT (s, default 420), QEMU_LOGLEVEL (default
# info), I2PGATE_SRC (source tree to build, default this repository),
# TESTNET_NS (default qemu-tn), TESTNET_DIR (default /tmp/qemu-testnet).
# Always takes the net down (trap). Last line: qemu-smoke: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
TESTNET=$SCRIPT_DIR/testnet/testnet.sh
# The source tree the i2pgate binaries are built from.
SRC=${I2PGATE_SRC:-$REPO_DIR}
NS=${TESTNET_NS:-qemu-tn}
DIR=${TESTNET_DIR:-/tmp/qemu-testnet}
export NS DIR TESTNET_NS=$NS TESTNET_DIR=$DIR
TARGETS=${QEMU_TARGETS:-armv7 mipsle}
TUNNELS_TIMEOUT=${QEMU_TUNNELS_TIMEOUT:-600}
FETCH_TIMEOUT=${QEMU_FETCH_TIMEOUT:-420}
LOGLEVEL=${QEMU_LOGLEVEL:-info}
NATIVE=${QEMU_NATIVE:-1}
TEST_NAME=qemu-smoke

# shellcheck source=testnet/lib.sh
source "$SCRIPT_DIR/testnet/lib.sh"

BUILD=$(mktemp -d /tmp/qemu-smoke-build.XXXXXX)
GATE_LOGS=()

cleanup() {
	local rc=$? f
	trap - EXIT
	if ((FAILED > 0 || rc != 0)); then
		for f in "${GATE_LOGS[@]}"; do
			[[ -f $f ]] || continue
			log "last lines of $f:"
			grep -v 'level=DEBUG' "$f" | tail -n 20 >&2 || true
		done
	fi
	rm -rf "$BUILD"
	# finish (lib.sh) reads $? and returns non-zero on failures; an EXIT
	# trap's own status is not the script's, so exit with it explicitly.
	set +e
	(exit "$rc")
	finish
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# target_env NAME: GOARCH/GOARM/GOMIPS and the emulator for a target.
target_env() {
	case $1 in
	armv7) GOENV=(GOARCH=arm GOARM=7) QEMU=qemu-arm-static WANT_ARCH=linux/arm ;;
	armv6) GOENV=(GOARCH=arm GOARM=6) QEMU=qemu-arm-static WANT_ARCH=linux/arm ;;
	mipsle) GOENV=(GOARCH=mipsle GOMIPS=softfloat) QEMU=qemu-mipsel-static WANT_ARCH=linux/mipsle ;;
	mips) GOENV=(GOARCH=mips GOMIPS=softfloat) QEMU=qemu-mips-static WANT_ARCH=linux/mips ;;
	arm64) GOENV=(GOARCH=arm64) QEMU=qemu-aarch64-static WANT_ARCH=linux/arm64 ;;
	native) GOENV=() QEMU="(native)" WANT_ARCH=linux/amd64 ;;
	*)
		log "unknown target $1 (armv7 armv6 mipsle mips arm64)"
		return 1
		;;
	esac
	# MIPS boxes run OpenWrt: build what its package ships (the Makefile's
	# OPENWRT_TAGS and MIPS_LDFLAGS: no TLS, 4 KiB segment alignment).
	case $1 in
	mips | mipsle) GOTAGS=nethttpomithttp2,notls LDEXTRA="-R 0x1000" ;;
	*) GOTAGS=nethttpomithttp2 LDEXTRA="" ;;
	esac
}

# kb FIELD PID: a /proc/PID/status field in kB (empty when gone).
kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/status" 2>/dev/null || true; }
mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

CURRENT=build
n=0
for t in $TARGETS; do
	n=$((n + 1))
	((n <= 4)) || { fail "at most 4 targets (testnet slots)"; exit 1; }
	target_env "$t"
	command -v "$QEMU" >/dev/null || { fail "$QEMU is missing (scripts/install-deps.sh installs qemu-user-static)"; exit 1; }
	log "building i2pgate for $t (${GOENV[*]}, tags $GOTAGS)"
	(cd "$SRC" && env GOOS=linux "${GOENV[@]}" CGO_ENABLED=0 go build -trimpath -tags "$GOTAGS" -ldflags "-s -w $LDEXTRA" \
		-o "$BUILD/i2pgate-$t" ./cmd/i2pgate) || { fail "go build for $t failed"; exit 1; }
	out=$("$QEMU" "$BUILD/i2pgate-$t" version 2>&1) || true
	if [[ $out == *"$WANT_ARCH"* ]]; then
		pass "$t binary runs under $QEMU: $out"
	else
		fail "$t binary under $QEMU printed: $out"
	fi
	printf '#!/bin/sh\n# i2pgate %s under %s (scripts/qemu-smoke.sh)\nexec %q %q "$@"\n' \
		"$t" "$QEMU" "$(command -v "$QEMU")" "$BUILD/i2pgate-$t" >"$BUILD/run-$t"
	chmod 755 "$BUILD/run-$t"
done
# The status client runs natively: it only reads the console's JSON.
(cd "$SRC" && CGO_ENABLED=0 go build -o "$BUILD/i2pgate" ./cmd/i2pgate) || { fail "native go build failed"; exit 1; }
BIN=$BUILD/i2pgate
# The native build joins too, as the baseline for the memory figures.
ALL=$TARGETS
[[ $NATIVE == 1 ]] && ALL+=" native"
((n + NATIVE <= 4)) || { fail "at most 4 routers (testnet slots), targets and the native one"; exit 1; }

CURRENT=up
"$TESTNET" up
ENV_FILE=$("$TESTNET" env)
declare -A START
k=0
for t in $ALL; do
	k=$((k + 1))
	bin=$BUILD/run-$t
	[[ $t == native ]] && bin=$BUILD/i2pgate
	START[$t]=$SECONDS
	I2PGATE_BIN=$bin "$TESTNET" add-i2pgate "$k" --loglevel="$LOGLEVEL" --lan.allow=198.18.0.0/15
done
T0=$SECONDS
# shellcheck disable=SC1090
source "$ENV_FILE"
k=0
for t in $ALL; do
	k=$((k + 1))
	v=TESTNET_I2PGATE${k}_LOG
	GATE_LOGS+=("${!v}")
	v=TESTNET_I2PGATE${k}_PID
	target_env "$t"
	exe=$(readlink "/proc/${!v}/exe" 2>/dev/null || true)
	if [[ $t == native && $exe == "$BUILD/i2pgate" ]]; then
		pass "slot $k (native baseline) runs as PID ${!v}"
	elif [[ $exe == */"$QEMU" ]]; then
		pass "slot $k ($t) runs as PID ${!v} under $exe"
	else
		fail "slot $k ($t): PID ${!v} runs $exe, not $QEMU"
	fi
done

# slot_var T NAME: TESTNET_I2PGATE<slot of T>_NAME.
slot_var() {
	local k=0 x v
	for x in $ALL; do
		k=$((k + 1))
		[[ $x == "$1" ]] || continue
		v=TESTNET_I2PGATE${k}_$2
		echo "${!v}"
		return
	done
}

# Every router is polled at once, so each one's time to tunnels is its own.
CURRENT=tunnels
declare -A TUN_S FETCH_S
while ((SECONDS - T0 < TUNNELS_TIMEOUT)); do
	all=1
	for t in $ALL; do
		[[ -n ${TUN_S[$t]:-} ]] && continue
		CONSOLE=$(slot_var "$t" CONSOLE)
		st=$(status_json)
		if (($(num exploratory_in "$st") >= 1 && $(num exploratory_out "$st") >= 1)); then
			TUN_S[$t]=$((SECONDS - START[$t]))
		else
			all=0
		fi
	done
	((all)) && break
	sleep 2
done
for t in $ALL; do
	CURRENT=$t
	CONSOLE=$(slot_var "$t" CONSOLE)
	st=$(status_json)
	if [[ -n ${TUN_S[$t]:-} ]]; then
		pass "$t: exploratory tunnels both ways through i2pd, ${TUN_S[$t]} s after its start"
	else
		fail "$t: no exploratory tunnels both ways within $TUNNELS_TIMEOUT s; status: $(tr -d '\n ' <<<"$st")"
	fi
	log "$t: exploratory in/out $(num exploratory_in "$st")/$(num exploratory_out "$st"), known routers $(num known_routers "$st"), transit $(num transit_tunnels "$st")"
done

# The eepsite must be reachable in i2pd's own view first (2.45.1 publish race).
CURRENT=eepsite
"$TESTNET" wait-eepsite >/dev/null || fail "the eepsite never became reachable through i2pd"

# fetch_socks SOCKS OUT: the eepsite's / through SOCKS into OUT, byte-equal;
# prints curl's total time.
fetch_socks() {
	ip netns exec "$NS" curl -sS -m 120 --socks5-hostname "$1" -o "$2" -w '%{time_total}' \
		"http://$TESTNET_EEPSITE_B32/" 2>>"$DIR/qemu-smoke-curl.log" &&
		cmp -s "$2" "$TESTNET_WEB_ROOT/index.html"
}

k=0
for t in $ALL; do
	k=$((k + 1))
	CURRENT=$t
	socks=$(slot_var "$t" SOCKS)
	pid=$(slot_var "$t" PID)
	t1=$SECONDS
	ok=
	tries=0
	while ((SECONDS - t1 < FETCH_TIMEOUT)); do
		tries=$((tries + 1))
		if took=$(fetch_socks "$socks" "$DIR/qemu-smoke-$t.body"); then
			ok=1
			break
		fi
		alive "$pid" || break
		sleep 5
	done
	if [[ -n $ok ]]; then
		FETCH_S[$t]=$took
		pass "$t: eepsite fetched through its SOCKS proxy ($socks), byte-equal to index.html (try $tries, that fetch took $took s)"
	elif ! alive "$pid"; then
		fail "$t: i2pgate (PID $pid) died; see ${GATE_LOGS[k - 1]}"
	else
		fail "$t: no byte-equal eepsite page through $socks within $FETCH_TIMEOUT s ($tries tries; curl errors: $(tail -n 2 "$DIR/qemu-smoke-curl.log" 2>/dev/null | tr '\n' ' '))"
	fi
done

# Memory of every process at the same moment, after the fetches.
CURRENT=memory
log "resident memory of the emulator processes (includes qemu's own code and translation cache) and of the native amd64 build:"
printf '%-8s %-20s %8s %10s %10s %10s %12s\n' target emulator pid VmRSS_MiB VmHWM_MiB tunnels_s first_fetch_s >&2
for t in $ALL; do
	target_env "$t"
	pid=$(slot_var "$t" PID)
	rss=$(kb VmRSS "$pid")
	[[ -n $rss ]] || fail "$t: PID $pid is gone at the memory snapshot"
	printf '%-8s %-20s %8s %10s %10s %10s %12s\n' "$t" "$QEMU" "$pid" "$(mib "$rss")" \
		"$(mib "$(kb VmHWM "$pid")")" "${TUN_S[$t]:--}" "${FETCH_S[$t]:--}" >&2
done
