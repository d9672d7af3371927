#!/usr/bin/env bash
# smoke.sh - smoke test of the i2pd testnet harness: up, wait for the eepsite,
# fetch it through another router's HTTP proxy and byte-compare it, down, then
# check that no process the harness started is alive and the namespace is gone.
# Always takes the testnet down (trap). Last line:
#   testnet-smoke: 1 passed, 0 failed     (exit 0)
#   testnet-smoke: 0 passed, 1 failed     (exit 1)
# Uses the TESTNET_* settings of testnet.sh.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTNET=$SCRIPT_DIR/testnet.sh
NS=${TESTNET_NS:-i2pgate-tn} # used by lib.sh
export NS
DIR=${TESTNET_DIR:-/tmp/i2pgate-testnet}
FETCH_TIMEOUT=${SMOKE_FETCH_TIMEOUT:-90}
T0=$SECONDS
FAILED=

log() { printf 'testnet-smoke: %s\n' "$*" >&2; }
fail() {
	log "FAIL: $*"
	FAILED=1
}

# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"

finish() {
	local rc=$?
	trap - EXIT
	((rc == 0)) || fail "a step failed (exit status $rc)"
	RESTARTS=$(grep -E '^TESTNET_EEPSITE_RESTARTS=' "$DIR/testnet.env" 2>/dev/null | cut -d= -f2) || true
	down_and_verify
	log "took $((SECONDS - T0)) s, eepsite router restarts: ${RESTARTS:-?}"
	if [[ -n $FAILED ]]; then
		echo "testnet-smoke: 0 passed, 1 failed"
		exit 1
	fi
	echo "testnet-smoke: 1 passed, 0 failed"
	exit 0
}
trap finish EXIT
trap 'exit 130' INT TERM

"$TESTNET" up
ENV_FILE=$("$TESTNET" env)
# shellcheck disable=SC1090
source "$ENV_FILE"
"$TESTNET" wait-eepsite

# Fetch through the last client router's proxy (wait-eepsite used the first):
# with the default 5 routers a second client destination must find the
# LeaseSet on its own. Floodfills' proxies are avoided (see testnet.sh
# client_routers).
J=${TESTNET_CLIENT_ROUTERS##* }
proxy_var=TESTNET_ROUTER${J}_HTTPPROXY
body=$DIR/smoke.body
ok=
t1=$SECONDS
while ((SECONDS - t1 < FETCH_TIMEOUT)); do
	code=$(ip netns exec "$TESTNET_NS" curl -sS -m 30 -o "$body" -w '%{http_code}' \
		-x "http://${!proxy_var}" "http://$TESTNET_EEPSITE_B32/" 2>/dev/null) || true
	if [[ $code == 200 ]] && cmp -s "$body" "$TESTNET_WEB_ROOT/index.html"; then
		ok=1
		break
	fi
	sleep 2
done
if [[ -n $ok ]]; then
	log "eepsite page fetched through router $J's proxy in $((SECONDS - t1)) s and matches index.html byte for byte"
else
	fail "eepsite page through router $J's proxy: last HTTP status ${code:-none}, body differs from $TESTNET_WEB_ROOT/index.html"
fi
