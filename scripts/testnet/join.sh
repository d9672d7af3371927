#!/usr/bin/env bash
# join.sh - i2pgate joins the private i2pd testnet (the NTCP2/NetDB issue's
# acceptance test). Builds i2pgate, brings the net up, adds one i2pgate router on
# 198.18.0.101 reseeded from the net's seed zip, and checks within JOIN_TIMEOUT
# (default 120 s) that:
#   - i2pgate holds NTCP2 sessions it opened and sessions i2pd routers opened;
#   - a floodfill confirmed storing its RouterInfo (DeliveryStatus: "published"),
#     and every i2pd floodfill holds it in its netDb directory;
#   - its netdb holds every router of the net, more than the seed gave it;
#   - `i2pgate status --json` shows all of it.
# Then it restarts i2pgate and checks: same router hash, netdb loaded from the
# database, no reseed, sessions again. Always takes the net down (trap). Last line:
#   testnet-join: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
TESTNET=$SCRIPT_DIR/testnet.sh
NS=${TESTNET_NS:-i2pgate-tn} # used by lib.sh
DIR=${TESTNET_DIR:-/tmp/i2pgate-testnet}
export NS DIR
JOIN_TIMEOUT=${JOIN_TIMEOUT:-120}

TEST_NAME=testnet-join

# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"

trap finish EXIT
trap 'exit 130' INT TERM

up_with_gate --loglevel=debug

seed_count=$(unzip -l "$TESTNET_SEED_ZIP" | grep -c 'routerInfo-' || true)

has_out() { st=$(status_json); (($(num ntcp2_out "$st") > 0)); }
has_in() { st=$(status_json); (($(num ntcp2_in "$st") > 0)); }
is_published() { st=$(status_json); grep -q '"published": *true' <<<"$st"; }
knows_all() { st=$(status_json); (($(num known_routers "$st") >= TESTNET_N)); }
floodfills_hold_ri() {
	local k d
	for k in $TESTNET_FLOODFILLS; do
		d=TESTNET_ROUTER${k}_DATADIR
		compgen -G "${!d}/netDb/r*/routerInfo-$HASH.dat" >/dev/null || return 1
	done
}

CURRENT="join"
t_start=$SECONDS
wait_for "status API answers" 30 has_out
st=$(status_json)
HASH=$(str router_hash "$st")
[[ -n $HASH ]] || fail "no router_hash in status"
[[ $(num netid "$st") == "$TESTNET_NETID" ]] || fail "netid $(num netid "$st") in status"
left=$((JOIN_TIMEOUT - (SECONDS - t_start)))
wait_for "NTCP2 sessions opened by i2pd routers to i2pgate" $((left > 10 ? left : 10)) has_in
wait_for "floodfill confirmed our RouterInfo (DeliveryStatus)" 60 is_published
wait_for "netdb holds all $TESTNET_N routers (seed gave $seed_count)" 60 knows_all
# i2pd writes netDb/ every 60 s.
wait_for "every i2pd floodfill ($TESTNET_FLOODFILLS) stores our RouterInfo" 90 floodfills_hold_ri
st=$(status_json)
log "status: $(tr -d '\n ' <<<"$st")"
((seed_count < TESTNET_N)) || fail "the seed already held every router: the test proves nothing"

CURRENT="restart"
"$TESTNET" remove-i2pgate 1
marker=$(wc -l <"$GATE_LOG")
"$TESTNET" add-i2pgate 1
wait_for "reconnects after a restart" 60 has_out
st=$(status_json)
if [[ $(str router_hash "$st") == "$HASH" ]]; then
	pass "same router hash after restart"
else
	fail "router hash changed: $HASH -> $(str router_hash "$st")"
fi
after=$(tail -n +"$((marker + 1))" "$GATE_LOG")
if grep -q "msg=\"loaded routerinfos\".* routers=$TESTNET_N " <<<"$after"; then
	pass "netdb of $TESTNET_N routers loaded from the database"
else
	fail "netdb not loaded from the database: $(grep 'loaded routerinfos' <<<"$after")"
fi
if grep -q 'msg=reseeded' <<<"$after"; then
	fail "reseeded after the restart"
else
	pass "no reseed after the restart"
fi
