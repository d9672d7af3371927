#!/usr/bin/env bash
# rss-compare.sh - resident memory of i2pgate next to each i2pd 2.45.1 router
# of the same private testnet, read at the same moment, after i2pgate holds
# exploratory tunnels and has carried some traffic: RSS_FETCHES fetches of the
# eepsite's page and RSS_MB_FETCHES fetches of 1 MB from it, all through
# i2pgate's SOCKS5 proxy (socks5h, .b32.i2p), checked byte-equal / by sha256.
# Prints a table (VmRSS now, VmHWM peak, RssAnon: private memory, RssFile:
# mapped files, i.e. the static i2pgate binary, or i2pd and its shared
# libraries, threads) and the ratios of i2pgate's VmRSS and RssAnon to the
# median i2pd router's. (No Pss: the i2pd processes share their libraries with
# each other here, which a box running one i2pd does not.)
#
# The i2pd routers run as the testnet configures them (bandwidth X, routers 1-2
# floodfills, the eepsite on the last one, HTTP and SOCKS proxies each with
# their own client tunnels); i2pgate runs its defaults plus the testnet's
# addresses, loglevel info.
#
# Settings: RSS_FETCHES (default 5), RSS_MB_FETCHES (default 2),
# RSS_SETTLE (s after the traffic, default 30), RSS_TIMEOUT (s, default 300),
# I2PGATE_SRC (source tree to build, default this repository), TESTNET_NS
# (default rss-tn), TESTNET_DIR (default /tmp/rss-testnet). Always takes the
# net down (trap). Last line: rss-compare: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
TESTNET=$SCRIPT_DIR/testnet/testnet.sh
SRC=${I2PGATE_SRC:-$REPO_DIR}
NS=${TESTNET_NS:-rss-tn}
DIR=${TESTNET_DIR:-/tmp/rss-testnet}
export NS DIR TESTNET_NS=$NS TESTNET_DIR=$DIR
FETCHES=${RSS_FETCHES:-5}
MB_FETCHES=${RSS_MB_FETCHES:-2}
SETTLE=${RSS_SETTLE:-30}
TIMEOUT=${RSS_TIMEOUT:-300}
TEST_NAME="rss-compare"

# shellcheck source=testnet/lib.sh
source "$SCRIPT_DIR/testnet/lib.sh"

cleanup() {
	local rc=$?
	trap - EXIT
	# finish (lib.sh) reads $? and returns non-zero on failures; an EXIT
	# trap's own status is not the script's, so exit with it explicitly.
	set +e
	(exit "$rc")
	finish
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kb FIELD PID: a /proc/PID/status field in kB (empty when gone).
kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/status" 2>/dev/null || true; }
mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

CURRENT=up
"$TESTNET" up
BIN=$DIR/i2pgate
(cd "$SRC" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN" ./cmd/i2pgate) ||
	{ fail "go build ./cmd/i2pgate failed"; exit 1; }
ENV_FILE=$("$TESTNET" env)
I2PGATE_BIN=$BIN "$TESTNET" add-i2pgate 1 --loglevel=info --lan.allow=198.18.0.0/15
# shellcheck disable=SC1090
source "$ENV_FILE"
GATE_LOG=$TESTNET_I2PGATE1_LOG
CONSOLE=$TESTNET_I2PGATE1_CONSOLE
SOCKS=$TESTNET_I2PGATE1_SOCKS
T0=$SECONDS

has_exploratory() {
	st=$(status_json)
	(($(num exploratory_in "$st") >= 2 && $(num exploratory_out "$st") >= 2))
}
CURRENT=tunnels
wait_for "i2pgate holds 2 inbound and 2 outbound exploratory tunnels" "$TIMEOUT" has_exploratory
"$TESTNET" wait-eepsite >/dev/null || fail "the eepsite never became reachable through i2pd"

CURRENT=traffic
# socks_get PATH OUT: the eepsite's PATH through i2pgate's SOCKS proxy.
socks_get() {
	ip netns exec "$NS" curl -s -m 120 --socks5-hostname "$SOCKS" -o "$2" \
		"http://$TESTNET_EEPSITE_B32$1" 2>/dev/null
}
first_page() { socks_get / "$DIR/rss.body" && cmp -s "$DIR/rss.body" "$TESTNET_WEB_ROOT/index.html"; }
wait_for "first eepsite page through i2pgate's SOCKS proxy, byte-equal" "$TIMEOUT" first_page
ok=0
for ((i = 1; i < FETCHES; i++)); do
	first_page && ok=$((ok + 1))
done
if ((FETCHES <= 1 || ok == FETCHES - 1)); then
	pass "$((FETCHES - 1)) more page fetches through SOCKS, all byte-equal"
else
	fail "only $ok of $((FETCHES - 1)) more page fetches through SOCKS were byte-equal"
fi
want=$(ip netns exec "$NS" curl -s -m 30 "http://$TESTNET_WEB_ADDR/sha256/1048576" | tr -d ' \n')
ok=0
for ((i = 1; i <= MB_FETCHES; i++)); do
	if socks_get /size/1048576 "$DIR/rss-mb.body" && [[ $(sha256sum "$DIR/rss-mb.body" | cut -d' ' -f1) == "$want" ]]; then
		ok=$((ok + 1))
	fi
done
if ((ok == MB_FETCHES)); then
	pass "$MB_FETCHES fetches of 1 MB through SOCKS, sha256 equal"
else
	fail "only $ok of $MB_FETCHES fetches of 1 MB through SOCKS were intact"
fi
log "settling $SETTLE s after the traffic"
sleep "$SETTLE"

CURRENT=measure
# One pass over /proc for every process, so the figures are of one moment.
names=() roles=() pids=()
: "${TESTNET_N:?not in the env file}"
for ((k = 1; k <= TESTNET_N; k++)); do
	v=TESTNET_ROUTER${k}_PID
	f=TESTNET_ROUTER${k}_FLOODFILL
	role=router
	[[ ${!f} == 1 ]] && role=floodfill
	[[ $k == "$TESTNET_EEPSITE_ROUTER" ]] && role="$role+eepsite"
	[[ " $TESTNET_CLIENT_ROUTERS " == *" $k "* ]] && role="$role (client)"
	names+=("i2pd r$k") roles+=("$role") pids+=("${!v}")
done
names+=("i2pgate 1") roles+=("router+gateway") pids+=("$TESTNET_I2PGATE1_PID")
declare -a rss hwm anon file thr
for i in "${!pids[@]}"; do
	rss[i]=$(kb VmRSS "${pids[i]}")
	hwm[i]=$(kb VmHWM "${pids[i]}")
	anon[i]=$(kb RssAnon "${pids[i]}")
	file[i]=$(kb RssFile "${pids[i]}")
	thr[i]=$(awk '$1 == "Threads:" {print $2}' "/proc/${pids[i]}/status" 2>/dev/null || true)
done
st=$(status_json)
log "i2pgate at the snapshot ($((SECONDS - T0)) s after its start): exploratory in/out $(num exploratory_in "$st")/$(num exploratory_out "$st"), transit $(num transit_tunnels "$st"), known routers $(num known_routers "$st")"

echo
printf '%-10s %-26s %8s %10s %10s %11s %11s %8s\n' process role pid VmRSS_MiB VmHWM_MiB RssAnon_MiB RssFile_MiB threads
i2pd_rss=()
for i in "${!pids[@]}"; do
	if [[ -z ${rss[i]} ]]; then
		fail "${names[i]} (PID ${pids[i]}) is not running at the snapshot"
		continue
	fi
	printf '%-10s %-26s %8s %10s %10s %11s %11s %8s\n' "${names[i]}" "${roles[i]}" "${pids[i]}" \
		"$(mib "${rss[i]}")" "$(mib "${hwm[i]}")" "$(mib "${anon[i]}")" "$(mib "${file[i]}")" "${thr[i]}"
	[[ ${names[i]} == i2pd* ]] && i2pd_rss+=("${rss[i]}")
done
echo
gate=${rss[${#pids[@]} - 1]}
if [[ -n $gate && ${#i2pd_rss[@]} -gt 0 ]]; then
	median=$(printf '%s\n' "${i2pd_rss[@]}" | sort -n | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	log "i2pgate VmRSS $(mib "$gate") MiB; median i2pd router $(mib "$median") MiB; ratio $(awk -v a="$gate" -v b="$median" 'BEGIN { printf "%.2f", a / b }')"
	gate_anon=${anon[${#pids[@]} - 1]}
	median_anon=$(for i in "${!pids[@]}"; do if [[ ${names[i]} == i2pd* && -n ${anon[i]} ]]; then echo "${anon[i]}"; fi; done |
		sort -n | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	log "i2pgate RssAnon $(mib "$gate_anon") MiB; median i2pd router $(mib "$median_anon") MiB; ratio $(awk -v a="$gate_anon" -v b="$median_anon" 'BEGIN { printf "%.2f", a / b }')"
	pass "RSS snapshot of i2pgate and ${#i2pd_rss[@]} i2pd routers taken"
fi
