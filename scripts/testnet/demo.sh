#!/usr/bin/env bash
# demo.sh - i2pgate as the I2P gateway of a LAN, to try by hand (make demo,
# make demo-down).
#
#   demo.sh up      the i2pd testnet, i2pgate as its LAN gateway and a LAN
#                   client namespace (the layout of gateway.sh), then the
#                   commands to try; everything keeps running
#   demo.sh down    takes it all down: the processes testnet.sh started (by
#                   PID), the namespaces, the client's resolv.conf
#   demo.sh status  testnet.sh status and i2pgate's status
#
# Settings: TESTNET_NS (default gw-demo), TESTNET_DIR (default /tmp/gw-demo),
# GW_TIMEOUT (s, default 300: how long up waits for the gateway to reach the
# eepsite), GW_INITIALDELAY (addressbook.initialdelay, default 5) and the
# other TESTNET_* settings of testnet.sh.
set -euo pipefail

DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TESTNET_NS=${TESTNET_NS:-gw-demo}
export TESTNET_DIR=${TESTNET_DIR:-/tmp/gw-demo}
TEST_NAME=demo

# shellcheck source=gateway.sh
source "$DEMO_DIR/gateway.sh"
gw_settings
# shellcheck source=lib.sh
source "$DEMO_DIR/lib.sh"

# on_fail is the EXIT trap while up runs: a failed start leaves nothing behind.
on_fail() {
	local rc=$?
	trap - EXIT
	((rc == 0)) && return 0
	log "up failed (exit status $rc); taking everything down"
	gw_down || true
	exit "$rc"
}

demo_up() {
	trap on_fail EXIT
	trap 'exit 130' INT TERM
	local t0=$SECONDS
	gw_up 0
	log "waiting up to $GW_TIMEOUT s for the gateway to reach the eepsite through SOCKS"
	if wait_page "SOCKS by b32" "$GW_TIMEOUT" "$DIR/demo-warmup" --socks5-hostname "$SOCKS" "http://$TESTNET_EEPSITE_B32/"; then
		log "the gateway reaches the eepsite ($((SECONDS - t0)) s since up)"
	else
		log "warning: the gateway did not reach the eepsite yet ($LAST); it keeps trying"
	fi
	local i
	for ((i = 0; i < 60; i++)); do
		name_known && break
		sleep 5
	done
	name_known || log "warning: $TESTSITE is not in the address book yet (the subscription retries every few minutes)"
	trap - EXIT
	cat <<EOF

i2pgate is the I2P gateway of the LAN client namespace $LAN_NS ($CLIENT_ADDR).
The eepsite is $TESTSITE = $TESTNET_EEPSITE_B32
(from the subscription http://$TESTNET_EEPSITE_B32/hosts.txt).

Try, as root:
  # SOCKS5
  ip netns exec $LAN_NS curl --socks5-hostname $SOCKS http://$TESTSITE/
  # HTTP proxy (and its "Not an I2P address" page)
  ip netns exec $LAN_NS curl -x http://$HTTPPROXY http://$TESTSITE/
  ip netns exec $LAN_NS curl -x http://$HTTPPROXY http://example.com/
  # .i2p DNS (the client's resolv.conf names $GW; port 53 goes to :$DNS_PORT)
  ip netns exec $LAN_NS dig $TESTSITE
  ip netns exec $LAN_NS dig @$GW -p $DNS_PORT $TESTNET_EEPSITE_B32
  # no proxy at all: DNS + nftables redirect + transparent proxy ($GW_LAN_ADDR:$TRANSPARENT_PORT)
  ip netns exec $LAN_NS curl http://$TESTSITE/
  ip netns exec $LAN_NS curl http://$TESTSITE/size/1048576 | sha256sum
  # a shell on the LAN client
  ip netns exec $LAN_NS bash
  # console and status
  ip netns exec $LAN_NS curl http://$CONSOLE/
  ip netns exec $NS $BIN status --console.address=$CONSOLE
  # nftables of the gateway
  ip netns exec $NS nft list ruleset

Logs: $GATE_LOG (i2pgate), $DIR/r*/i2pd.log (i2pd)
Take it down with: make demo-down   (or $DEMO_DIR/demo.sh down)
EOF
}

demo_down() {
	local pids pid left=0
	ENV_FILE=$DIR/testnet.env
	pids=$(started_pids)
	gw_down
	for pid in $pids; do
		if alive "$pid"; then
			log "PID $pid is still alive after down"
			left=1
		fi
	done
	if lan_ns_exists || ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$NS"; then
		log "a namespace ($NS or $LAN_NS) is still there"
		left=1
	fi
	((left == 0)) || exit 1
	log "down: namespaces $NS and $LAN_NS removed, no process of the demo left"
}

demo_status() {
	"$TESTNET" status
	BIN=$DIR/i2pgate
	CONSOLE=$(grep -E '^TESTNET_I2PGATE1_CONSOLE=' "$DIR/testnet.env" | cut -d= -f2)
	[[ -n $CONSOLE ]] && gwns "$BIN" status --console.address="$CONSOLE"
}

case ${1:-} in
up) demo_up ;;
down) demo_down ;;
status) demo_status ;;
*)
	sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
