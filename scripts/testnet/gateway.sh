#!/usr/bin/env bash
# gateway.sh - the LAN gateway acceptance test (make test-gateway): i2pgate as
# the I2P gateway of a LAN client, against the i2pd testnet.
#
# Layout (built on testnet.sh; every address is inside network namespaces):
#   - the testnet namespace ($TESTNET_NS, default gw-tn) with the i2pd routers
#     and i2pgate in slot 1 at GW=198.18.0.101: SOCKS GW:4447, HTTP proxy
#     GW:4444, .i2p DNS GW:5353, console GW:7070 (testnet.sh add-i2pgate), and
#     the transparent proxy on the LAN address 192.168.77.1:7040, where the
#     shipped ruleset's `redirect` delivers (as on OpenWrt);
#   - a LAN client namespace ($TESTNET_NS-lan) joined by a veth pair: lan0
#     192.168.77.1/24 (gateway side) - eth0 192.168.77.2/24 (client), routes
#     to GW/32 and to the automap range 10.192.0.0/10 via 192.168.77.1, no
#     default route; its resolv.conf (/etc/netns/NAME/resolv.conf, which
#     `ip netns exec` mounts) names GW, whose port 53 is DNATed to :5353;
#     192.168.78.1/24 - 192.168.78.2/24 on the same veth is a client outside
#     lan.allow (192.168.77.0/24 and GW/32, for the console);
#   - nftables in the testnet namespace: configs/nftables-i2pgate.nft with
#     br-lan replaced by lan0 (table inet i2pgate), and table inet gwtest: the
#     DNS DNAT and a leak counter of every packet the namespace sends to an
#     address that is neither local nor on the LAN. So that a leak would be
#     a packet (and not a failed route lookup), the testnet namespace gets a
#     default route towards the client, which does not forward: nothing can
#     leave the machine, and the counter sees every attempt;
#   - the eepsite's www root serves hosts.txt naming testsite.i2p, and
#     i2pgate subscribes to http://<eepsite b32>/hosts.txt.
# Checks, each bounded, with a message that names what did not happen:
#   1. SOCKS (socks5-hostname) by name and by b32 returns index.html byte-exact;
#   2. the HTTP proxy returns it too; http://example.com/ through it gets the
#      "Not an I2P address" page (403), through SOCKS a refusal, and the leak
#      counter stays 0;
#   3. `dig testsite.i2p` through the client's resolver answers an automap
#      address, plain `curl http://testsite.i2p/` (no proxy) returns the page
#      through the transparent proxy (by b32 too);
#   4. the outsider is refused by SOCKS, the HTTP proxy, DNS (UDP REFUSED,
#      TCP closed), the transparent proxy and the console (403);
#   6. (before 5) headless chromium in the LAN client namespace, with the
#      HTTP proxy as its proxy, shows http://testsite.i2p/ (DOM checked,
#      screenshot) and the "Not an I2P address" page for example.com (no
#      packet out), and takes a screenshot of every console page
#      (scripts/console-screenshots.sh on the live console);
#   5. 200 concurrent SOCKS streams to the eepsite complete intact (the
#      front-ends hold up to gateway.DefaultMaxConns = 512 connections, so
#      all 200 run at once); the gateway's VmRSS before and after, VmHWM;
#   then i2pgate exits within 20 s of SIGTERM (else SIGQUIT puts its
#   goroutines in its log) and restarts on the same data dir: the address the
#   client kept reaches the eepsite before any DNS query (automap addresses
#   are hashes of the names, so only this shows the table came back from the
#   database), and dig answers the same address; over the whole run the leak
#   counter stays 0.
# Always takes everything down (trap). Last line:
#   testnet-gateway: N passed, M failed
#
# Settings: TESTNET_NS (default gw-tn), TESTNET_DIR (default /tmp/gw-testnet)
# and the other TESTNET_* of testnet.sh; GW_TIMEOUT (s, default 300): bound of
# each wait for the gateway to reach the eepsite; GW_NAME_TIMEOUT (s, default
# 480): bound of the wait for the subscription to bring testsite.i2p;
# GW_INITIALDELAY (addressbook.initialdelay, default 5); GW_PARALLEL (default
# 200) concurrent streams of check 5; GW_BROWSER (1: check 6 needs chromium,
# 0: skip it, default auto: run it when chromium is installed); CHROMIUM
# (default /usr/bin/chromium); GW_ARTIFACTS (default $TESTNET_DIR/artifacts):
# screenshots, DOMs, the streams' results and RSS figures, copied at the end
# to dist/test-artifacts/gateway in the repository (git-ignored; CI keeps it).
#
# demo.sh sources this file for its setup functions (gw_up, gw_down, ...);
# run directly, it runs the test.
set -euo pipefail

GW_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT_DIR=$GW_SCRIPT_DIR
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
TESTNET=$SCRIPT_DIR/testnet.sh

# The LAN (addresses live in the two namespaces only).
GW_IF=lan0
CLIENT_IF=eth0
GW_LAN_ADDR=192.168.77.1
CLIENT_ADDR=192.168.77.2
LAN_ALLOW=192.168.77.0/24
GW_OUT_ADDR=192.168.78.1
OUTSIDER_ADDR=192.168.78.2
AUTOMAP_NET=10.192.0.0/10
TRANSPARENT_PORT=7040
GATE_SLOT=1
TESTSITE=testsite.i2p

# gw_settings: names derived from TESTNET_NS and TESTNET_DIR (call after
# setting them).
gw_settings() {
	NS=$TESTNET_NS
	DIR=$TESTNET_DIR
	export NS DIR TESTNET_NS TESTNET_DIR
	LAN_NS=${GW_LAN_NS:-$NS-lan}
	NETNS_ETC=/etc/netns/$LAN_NS
	CONF=$DIR/gateway-i2pgate.toml
	GW_TIMEOUT=${GW_TIMEOUT:-300}
	GW_NAME_TIMEOUT=${GW_NAME_TIMEOUT:-480}
	GW_INITIALDELAY=${GW_INITIALDELAY:-5}
	ARTIFACTS=${GW_ARTIFACTS:-$DIR/artifacts}
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
}

# ---------------------------------------------------------------- helpers

gwns() { ip netns exec "$NS" "$@"; }
client() { ip netns exec "$LAN_NS" "$@"; }

# ccurl ARGS...: curl in the LAN client namespace with no proxy from the
# environment.
ccurl() {
	client env -u http_proxy -u https_proxy -u all_proxy -u HTTP_PROXY \
		-u HTTPS_PROXY -u ALL_PROXY -u no_proxy -u NO_PROXY curl "$@"
}

lan_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$LAN_NS"; }

gw_need_tools() {
	local missing=()
	command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
	command -v nft >/dev/null 2>&1 || [[ -x /usr/sbin/nft ]] || missing+=(nftables)
	((${#missing[@]})) || return 0
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2 || {
		apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2
	}
}

# in_automap IP: true for an address of 10.192.0.0/10.
in_automap() {
	local a b
	[[ $1 =~ ^10\.([0-9]+)\.[0-9]+\.[0-9]+$ ]] || return 1
	b=${BASH_REMATCH[1]}
	a=$((b >= 192 && b <= 255))
	((a))
}

# ---------------------------------------------------------------- LAN

# lan_up LEAKCHECK: the client namespace, the veth pair, routes, the
# client's resolv.conf and the nftables rules; LEAKCHECK=1 adds the default
# route that turns leaks into countable packets.
lan_up() {
	local leakcheck=${1:-0} gw=$TESTNET_I2PGATE_ADDR1 rules
	lan_down
	ip netns add "$LAN_NS"
	client ip link set lo up
	ip link add "$GW_IF" netns "$NS" type veth peer name "$CLIENT_IF" netns "$LAN_NS"
	# No IPv6 on the LAN link: no autoconfiguration chatter to count.
	gwns sysctl -qw "net.ipv6.conf.$GW_IF.disable_ipv6=1"
	client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "net.ipv6.conf.$CLIENT_IF.disable_ipv6=1"
	gwns ip addr add "$GW_LAN_ADDR/24" dev "$GW_IF"
	gwns ip addr add "$GW_OUT_ADDR/24" dev "$GW_IF"
	client ip addr add "$CLIENT_ADDR/24" dev "$CLIENT_IF"
	client ip addr add "$OUTSIDER_ADDR/24" dev "$CLIENT_IF"
	gwns ip link set "$GW_IF" up
	client ip link set "$CLIENT_IF" up
	client ip route add "$gw/32" via "$GW_LAN_ADDR" dev "$CLIENT_IF"
	client ip route add "$AUTOMAP_NET" via "$GW_LAN_ADDR" dev "$CLIENT_IF"
	mkdir -p "$NETNS_ETC"
	printf 'nameserver %s\noptions timeout:3 attempts:2\n' "$gw" >"$NETNS_ETC/resolv.conf"

	# The shipped ruleset, on our LAN interface.
	rules=$DIR/gateway-i2pgate.nft
	sed "s/\"br-lan\"/\"$GW_IF\"/g" "$REPO_DIR/configs/nftables-i2pgate.nft" >"$rules"
	grep -q "iifname \"$GW_IF\" ip daddr $AUTOMAP_NET tcp dport 1-65535 redirect to :$TRANSPARENT_PORT" "$rules" ||
		die_gw "configs/nftables-i2pgate.nft no longer has the expected redirect rule for br-lan"
	gwns nft -f "$rules"
	gwns nft -f - <<EOF
table inet gwtest
delete table inet gwtest
table inet gwtest {
	counter leak { }
	set leaked { type ipv4_addr; size 256; flags dynamic; }
	# The client's resolver asks GW:53; i2pgate answers on :5353 (as dnsmasq
	# forwards .i2p on a router).
	chain dns {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "$GW_IF" ip daddr $gw meta l4proto { tcp, udp } th dport 53 dnat ip to $gw:5353
	}
	# Every packet to an address neither local nor on the LAN is a leak.
	chain output {
		type filter hook output priority filter; policy accept;
		oifname "lo" accept
		ip daddr { $GW_LAN_ADDR/24, $GW_OUT_ADDR/24 } accept
		meta nfproto ipv4 counter name "leak" add @leaked { ip daddr }
		meta nfproto ipv6 counter name "leak"
	}
}
EOF
	if ((leakcheck)); then
		gwns ip route add default via "$CLIENT_ADDR" dev "$GW_IF"
	fi
}

# lan_down: the client namespace and its resolv.conf go; processes still in
# the namespace (only this script's) are ended by PID first.
lan_down() {
	local pids pid i
	if lan_ns_exists; then
		pids=$(ip netns pids "$LAN_NS" 2>/dev/null | tr '\n' ' ')
		if [[ -n ${pids// /} ]]; then
			log "ending PIDs left in $LAN_NS: $pids"
			# shellcheck disable=SC2086
			kill -TERM $pids 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				[[ -z $(ip netns pids "$LAN_NS" 2>/dev/null) ]] && break
				sleep 0.1
			done
			for pid in $(ip netns pids "$LAN_NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		fi
		ip netns del "$LAN_NS" || log "warning: could not delete namespace $LAN_NS"
	fi
	if [[ -d $NETNS_ETC ]]; then
		rm -f "$NETNS_ETC/resolv.conf"
		rmdir "$NETNS_ETC" 2>/dev/null || log "warning: $NETNS_ETC is not empty; left in place"
	fi
	return 0
}

die_gw() {
	log "error: $*"
	exit 1
}

leak_packets() {
	gwns nft list counter inet gwtest leak 2>/dev/null | grep -o 'packets [0-9]*' | grep -o '[0-9]*' || echo "?"
}
leaked_addrs() {
	gwns nft list set inet gwtest leaked 2>/dev/null | tr -d '\n\t' | grep -o 'elements = {[^}]*}' || echo "none"
}

# ---------------------------------------------------------------- i2pgate

write_gate_conf() {
	cat >"$CONF" <<CONF
# i2pgate as the LAN gateway of scripts/testnet/gateway.sh; the listeners on
# the testnet address come from testnet.sh add-i2pgate.
[transparent]
address = "$GW_LAN_ADDR:$TRANSPARENT_PORT"

[automap]
network = "$AUTOMAP_NET"

[addressbook]
subscriptions = ["http://$TESTNET_EEPSITE_B32/hosts.txt"]
initialdelay = $GW_INITIALDELAY
CONF
}

# gate_start: i2pgate in its slot with the gateway config; sets the names
# lib.sh uses (BIN, CONSOLE, GATE_LOG) and the front-end addresses.
# lan.allow goes on the command line, after (and so instead of) the testnet
# range that add-i2pgate allows: the LAN, and the gateway's own address, from
# which i2pgate status reaches the console (which applies lan.allow too).
gate_start() {
	"$TESTNET" add-i2pgate "$GATE_SLOT" --config="$CONF" --lan.allow="$LAN_ALLOW,$TESTNET_I2PGATE_ADDR1/32"
	# shellcheck disable=SC1090
	source "$ENV_FILE"
	GATE_LOG=$TESTNET_I2PGATE1_LOG
	CONSOLE=$TESTNET_I2PGATE1_CONSOLE
	SOCKS=$TESTNET_I2PGATE1_SOCKS
	HTTPPROXY=$TESTNET_I2PGATE1_HTTPPROXY
	DNS=$TESTNET_I2PGATE1_DNS
	GATE_PID=$TESTNET_I2PGATE1_PID
	GW=${DNS%:*}
	DNS_PORT=${DNS##*:}
}

gate_stop() { "$TESTNET" remove-i2pgate "$GATE_SLOT"; }

# gw_up LEAKCHECK: testnet up, hosts.txt in the eepsite's www root, the LAN,
# the eepsite reachable through i2pd, i2pgate started.
gw_up() {
	local leakcheck=${1:-0} dest served
	gw_need_tools
	"$TESTNET" up
	ENV_FILE=$("$TESTNET" env)
	# shellcheck disable=SC1090
	source "$ENV_FILE"
	BIN=$DIR/i2pgate
	log "building $BIN"
	(cd "$REPO_DIR" && CGO_ENABLED=0 go build -o "$BIN" ./cmd/i2pgate)
	export I2PGATE_BIN=$BIN

	dest=$("$TESTNET" eepsite-dest)
	printf '%s=%s\n' "$TESTSITE" "$dest" >"$TESTNET_WEB_ROOT/hosts.txt"
	served=$(gwns curl -sS -m 10 "http://$TESTNET_WEB_ADDR/hosts.txt") || true
	[[ $served == "$TESTSITE=$dest" ]] || die_gw "the web server does not serve the hosts.txt just written"
	log "hosts.txt: $TESTSITE = ${dest:0:24}... (${#dest} characters), b32 $TESTNET_EEPSITE_B32"

	lan_up "$leakcheck"
	write_gate_conf
	"$TESTNET" wait-eepsite
	gate_start
	log "i2pgate runs (PID $GATE_PID): SOCKS $SOCKS, HTTP proxy $HTTPPROXY, DNS $DNS, transparent $GW_LAN_ADDR:$TRANSPARENT_PORT, console $CONSOLE; LAN client namespace $LAN_NS ($CLIENT_ADDR)"
}

# gw_down: everything gw_up made, taken down.
gw_down() {
	lan_down
	"$TESTNET" down
}

# ---------------------------------------------------------------- fetches

# get OUT ARGS...: curl in the client namespace into OUT (stderr to OUT.err);
# prints the HTTP status code and the curl exit status.
get() {
	local out=$1 code rc=0
	shift
	code=$(ccurl -sS -o "$out" -w '%{http_code}' "$@" 2>"$out.err") || rc=$?
	echo "${code:-000} $rc"
}

# same_page FILE: FILE is the eepsite's index.html, byte for byte.
same_page() { cmp -s "$1" "$TESTNET_WEB_ROOT/index.html"; }

# fetch_page DESC TRIES OUT ARGS...: fetches the eepsite's page up to TRIES
# times (5 s apart); true when one came back byte-exact. LAST says what the
# last try saw.
LAST=
fetch_page() {
	local desc=$1 tries=$2 out=$3 i r
	shift 3
	for ((i = 1; i <= tries; i++)); do
		r=$(get "$out" "$@")
		if [[ ${r% *} == 200 ]] && same_page "$out"; then
			return 0
		fi
		LAST="HTTP ${r% *}, curl exit ${r#* }, $(stat -c %s "$out" 2>/dev/null || echo 0) bytes, $(tr -d '\n' <"$out.err" 2>/dev/null | cut -c1-160)"
		log "$desc, try $i: $LAST"
		((i < tries)) && sleep 5
	done
	return 1
}

# wait_page DESC SECONDS OUT ARGS...: like fetch_page, bounded by time.
wait_page() {
	local desc=$1 limit=$2 out=$3 t0=$SECONDS r
	shift 3
	while ((SECONDS - t0 < limit)); do
		r=$(get "$out" -m 60 "$@")
		if [[ ${r% *} == 200 ]] && same_page "$out"; then
			return 0
		fi
		LAST="HTTP ${r% *}, curl exit ${r#* }, $(tr -d '\n' <"$out.err" 2>/dev/null | cut -c1-160)"
		sleep 5
	done
	return 1
}

# dig_a NAME [DIG-ARGS...]: the A records the client gets for NAME.
dig_a() {
	local name=$1
	shift
	client dig +short +time=3 +tries=2 "$@" "$name" A 2>/dev/null | grep -E '^[0-9.]+$' || true
}

SAMPLER=
rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# ---------------------------------------------------------------- the test

name_known() { [[ -n $(dig_a "$TESTSITE" "@$GW" -p "$DNS_PORT") ]]; }

check_socks() {
	CURRENT="1 SOCKS"
	local out=$DIR/gw-socks
	if fetch_page "SOCKS by name" 3 "$out.name" -m 90 --socks5-hostname "$SOCKS" "http://$TESTSITE/"; then
		pass "SOCKS5 (socks5-hostname) to http://$TESTSITE/ returns the eepsite's index.html byte-exact"
	else
		fail "SOCKS5 to http://$TESTSITE/ did not return the page byte-exact: $LAST"
	fi
	if fetch_page "SOCKS by b32" 3 "$out.b32" -m 90 --socks5-hostname "$SOCKS" "http://$TESTNET_EEPSITE_B32/"; then
		pass "SOCKS5 to http://<eepsite b32>/ returns the page byte-exact"
	else
		fail "SOCKS5 to the eepsite's b32 did not return the page byte-exact: $LAST"
	fi
}

check_httpproxy() {
	CURRENT="2 HTTP proxy"
	local out=$DIR/gw-http before r
	if fetch_page "HTTP proxy by name" 3 "$out.name" -m 90 -x "http://$HTTPPROXY" "http://$TESTSITE/"; then
		pass "HTTP proxy: http://$TESTSITE/ returns the page byte-exact"
	else
		fail "HTTP proxy did not return http://$TESTSITE/ byte-exact: $LAST"
	fi
	if fetch_page "HTTP proxy by b32" 3 "$out.b32" -m 90 -x "http://$HTTPPROXY" "http://$TESTNET_EEPSITE_B32/"; then
		pass "HTTP proxy: http://<eepsite b32>/ returns the page byte-exact"
	else
		fail "HTTP proxy did not return the eepsite's b32 page byte-exact: $LAST"
	fi

	before=$(leak_packets)
	r=$(get "$out.clearnet" -m 30 -x "http://$HTTPPROXY" http://example.com/)
	sleep 2 # anything the request set off has left by now
	if [[ ${r% *} == 403 ]] && grep -q 'Not an I2P address' "$out.clearnet" && [[ $(leak_packets) == "$before" ]]; then
		pass "HTTP proxy: http://example.com/ gets the 403 'Not an I2P address' page and no packet leaves (leak counter $before)"
	else
		fail "HTTP proxy: http://example.com/ gave HTTP ${r% *} (curl exit ${r#* }), page $(grep -o '<h1>[^<]*' "$out.clearnet" 2>/dev/null | head -n 1), leak counter $before -> $(leak_packets) ($(leaked_addrs))"
	fi
	before=$(leak_packets)
	r=$(get "$out.clearnet-socks" -m 30 --socks5-hostname "$SOCKS" http://example.com/)
	sleep 2
	if [[ ${r#* } != 0 && ${r% *} == 000 && $(leak_packets) == "$before" ]]; then
		pass "SOCKS: example.com is refused ($(tr -d '\n' <"$out.clearnet-socks.err" | cut -c1-80)) and no packet leaves"
	else
		fail "SOCKS: example.com gave HTTP ${r% *} (curl exit ${r#* }), leak counter $before -> $(leak_packets) ($(leaked_addrs))"
	fi
}

VIP=
check_transparent() {
	CURRENT="3 DNS + transparent"
	local out=$DIR/gw-plain ips b32ip
	ips=$(dig_a "$TESTSITE")
	VIP=$(head -n 1 <<<"$ips")
	if [[ $(wc -l <<<"$ips") == 1 ]] && in_automap "$VIP"; then
		pass "dig $TESTSITE through the client's resolver (GW:53 -> :5353) answers $VIP, in $AUTOMAP_NET"
	else
		fail "dig $TESTSITE through the client's resolver answered '$(tr '\n' ' ' <<<"$ips")', not one address in $AUTOMAP_NET"
	fi
	if [[ -n $VIP ]] && fetch_page "plain curl by name" 3 "$out.name" -m 90 --noproxy '*' "http://$TESTSITE/"; then
		pass "plain curl http://$TESTSITE/ (no proxy: resolver + nftables redirect + transparent proxy) returns the page byte-exact"
	else
		fail "plain curl http://$TESTSITE/ did not return the page byte-exact: $LAST"
	fi
	b32ip=$(dig_a "$TESTNET_EEPSITE_B32")
	if in_automap "$b32ip" && fetch_page "plain curl by b32" 3 "$out.b32" -m 90 --noproxy '*' "http://$TESTNET_EEPSITE_B32/"; then
		pass "plain curl http://<eepsite b32>/ (resolved to $b32ip) returns the page byte-exact"
	else
		fail "plain curl of the eepsite's b32 (resolved to '$b32ip') failed: $LAST"
	fi
}

# refused DESC R ERRFILE: pass when curl reached the listener and the
# gateway ended the exchange without an answer (empty reply, reset, SOCKS
# handshake failure), fail on an answer or on an unreachable listener.
refused() {
	local desc=$1 r=$2 err=$3 rc
	rc=${r#* }
	case $rc in
	52 | 56 | 97)
		pass "$desc: refused ($(tr -d '\n' <"$err" | cut -c1-90))"
		;;
	*)
		fail "$desc: not refused as expected: HTTP ${r% *}, curl exit $rc, $(tr -d '\n' <"$err" | cut -c1-120)"
		;;
	esac
}

check_outsider() {
	CURRENT="4 outside lan.allow"
	local out=$DIR/gw-outsider r status tcp
	r=$(get "$out.socks" -m 30 --interface "$OUTSIDER_ADDR" --socks5-hostname "$SOCKS" "http://$TESTSITE/")
	refused "SOCKS from $OUTSIDER_ADDR" "$r" "$out.socks.err"
	r=$(get "$out.http" -m 30 --interface "$OUTSIDER_ADDR" -x "http://$HTTPPROXY" "http://$TESTSITE/")
	refused "HTTP proxy from $OUTSIDER_ADDR" "$r" "$out.http.err"
	r=$(get "$out.transparent" -m 30 --interface "$OUTSIDER_ADDR" --noproxy '*' "http://${VIP:-10.192.0.1}/")
	refused "transparent proxy from $OUTSIDER_ADDR to $TESTSITE's $VIP" "$r" "$out.transparent.err"
	status=$(client dig +time=3 +tries=1 -b "$OUTSIDER_ADDR" "@$GW" -p "$DNS_PORT" "$TESTSITE" A 2>&1 |
		grep -o 'status: [A-Z]*' || true)
	tcp=$(client dig +tcp +time=3 +tries=1 -b "$OUTSIDER_ADDR" "@$GW" -p "$DNS_PORT" "$TESTSITE" A 2>&1 | tr '\n' ' ' || true)
	if [[ $status == "status: REFUSED" ]]; then
		pass "DNS over UDP from $OUTSIDER_ADDR: REFUSED"
	else
		fail "DNS over UDP from $OUTSIDER_ADDR: '$status' instead of REFUSED"
	fi
	if [[ $tcp != *"status: NOERROR"* && $tcp != *"ANSWER SECTION"* && ($tcp == *"connection reset"* || $tcp == *"end of file"* || $tcp == *"EOF"* || $tcp == *"no servers could be reached"* || $tcp == *"REFUSED"*) ]]; then
		pass "DNS over TCP from $OUTSIDER_ADDR: no answer ($(grep -oE ';; [^;]*(reset|end of file|EOF|reached|REFUSED)[^;]*' <<<"$tcp" | head -n 1 | cut -c1-80))"
	else
		fail "DNS over TCP from $OUTSIDER_ADDR: $(cut -c1-200 <<<"$tcp")"
	fi
	# The same requests from the allowed address still work (the refusals are
	# the allow list's, not a broken path).
	if [[ -n $(dig_a "$TESTSITE" +tcp "@$GW" -p "$DNS_PORT") ]]; then
		pass "DNS over TCP from $CLIENT_ADDR answers (contrast)"
	else
		fail "DNS over TCP from $CLIENT_ADDR did not answer either"
	fi
	# The console applies lan.allow too.
	r=$(get "$out.console" -m 30 --interface "$OUTSIDER_ADDR" --noproxy '*' "http://$CONSOLE/")
	status=$(get "$out.console-allowed" -m 30 --noproxy '*' "http://$CONSOLE/")
	if [[ ${r% *} == 403 && ${status% *} == 200 ]]; then
		pass "console: 403 for $OUTSIDER_ADDR, 200 for $CLIENT_ADDR"
	else
		fail "console: HTTP ${r% *} (curl exit ${r#* }) for $OUTSIDER_ADDR, HTTP ${status% *} for $CLIENT_ADDR (want 403 and 200)"
	fi
}

# chrome ARGS...: headless chromium in the LAN client namespace with a fresh
# profile; its messages go to the artifacts' chromium.log.
chrome() {
	local profile
	profile=$(mktemp -d -p "$DIR" chromium-profile.XXXXXX)
	client timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --window-size=1280,900 --user-data-dir="$profile" "$@" \
		2>>"$ARTIFACTS/chromium.log"
}

# browse NAME URL ARGS...: chromium loads URL; its DOM goes to NAME.html and
# a screenshot to NAME.png in the artifacts.
browse() {
	local name=$1 url=$2
	shift 2
	rm -f "$ARTIFACTS/$name.png"
	chrome "$@" --dump-dom --screenshot="$ARTIFACTS/$name.png" "$url" >"$ARTIFACTS/$name.html" || true
}

# check_browser: headless chromium (Debian's) in the LAN client namespace,
# set to the HTTP proxy as a LAN user would, loads http://testsite.i2p/ (its
# DOM must hold the eepsite's heading) and http://example.com/ (the refusal
# page, and still no packet out); then every page of the gateway's console
# (scripts/console-screenshots.sh on it). Screenshots and DOMs go to
# ARTIFACTS. GW_BROWSER: 1 requires chromium, 0 skips the check, auto (the
# default) runs it when chromium is installed.
check_browser() {
	CURRENT="6 browser"
	local want before tries
	case ${GW_BROWSER:-auto} in
	0)
		log "browser check skipped (GW_BROWSER=0)"
		return 0
		;;
	1) ;;
	*)
		if [[ ! -x $CHROMIUM ]]; then
			log "browser check skipped: $CHROMIUM not installed (scripts/install-deps.sh --chromium)"
			return 0
		fi
		;;
	esac
	if [[ ! -x $CHROMIUM ]]; then
		fail "$CHROMIUM is not installed (scripts/install-deps.sh --chromium installs it)"
		return 0
	fi
	mkdir -p "$ARTIFACTS"
	want=$(grep -o '<h1>[^<]*' "$TESTNET_WEB_ROOT/index.html" | head -n 1 | sed 's/<h1>//')
	before=$(leak_packets)
	for ((tries = 1; tries <= 2; tries++)); do
		browse eepsite "http://$TESTSITE/" --proxy-server="http://$HTTPPROXY"
		grep -qF "<h1>$want</h1>" "$ARTIFACTS/eepsite.html" && break
		log "browser: http://$TESTSITE/ try $tries: DOM $(wc -c <"$ARTIFACTS/eepsite.html") bytes, $(grep -o '<h1>[^<]*' "$ARTIFACTS/eepsite.html" | head -n 1)"
	done
	if grep -qF "<h1>$want</h1>" "$ARTIFACTS/eepsite.html" && [[ -s $ARTIFACTS/eepsite.png ]]; then
		pass "chromium through the HTTP proxy shows http://$TESTSITE/ ('$want' in its DOM; screenshot eepsite.png, $(wc -c <"$ARTIFACTS/eepsite.png") bytes)"
	else
		fail "chromium through the HTTP proxy did not show http://$TESTSITE/: DOM $(wc -c <"$ARTIFACTS/eepsite.html") bytes ($(grep -o '<h1>[^<]*' "$ARTIFACTS/eepsite.html" | head -n 1)), screenshot $(stat -c %s "$ARTIFACTS/eepsite.png" 2>/dev/null || echo none); chromium said: $(tail -n 3 "$ARTIFACTS/chromium.log" | tr '\n' ' ' | cut -c1-200)"
	fi
	browse clearnet http://example.com/ --proxy-server="http://$HTTPPROXY"
	sleep 1
	if grep -q 'Not an I2P address' "$ARTIFACTS/clearnet.html" && [[ -s $ARTIFACTS/clearnet.png && $(leak_packets) == "$before" ]]; then
		pass "chromium through the HTTP proxy gets the 'Not an I2P address' page for http://example.com/ (clearnet.png) and nothing leaves, its own background requests included"
	else
		fail "chromium: http://example.com/ showed $(grep -o '<h1>[^<]*' "$ARTIFACTS/clearnet.html" | head -n 1), leak counter $before -> $(leak_packets) ($(leaked_addrs))"
	fi
	if CHROMIUM=$CHROMIUM CONSOLE_URL="http://$CONSOLE" CONSOLE_NETNS=$LAN_NS SEARCH=testsite \
		"$REPO_DIR/scripts/console-screenshots.sh" "$ARTIFACTS/console" >"$ARTIFACTS/console-screenshots.log" 2>&1; then
		pass "chromium from the LAN client took a screenshot of every console page ($(find "$ARTIFACTS/console" -name '*.png' | wc -l) in console/)"
	else
		fail "console screenshots failed: $(grep -v '^console-screenshots: /' "$ARTIFACTS/console-screenshots.log" | tail -n 3 | tr '\n' ' ' | cut -c1-200)"
	fi
	if ccurl -s -m 30 --noproxy '*' "http://$CONSOLE/addressbook?q=testsite" | grep -qF "$TESTSITE"; then
		pass "the console's address book lists $TESTSITE (from the subscription)"
	else
		fail "the console's address book page does not list $TESTSITE"
	fi
}

# save_artifacts: the test's artifacts (screenshots, DOMs, the streams'
# results, the RSS figures) are copied to dist/test-artifacts/gateway in the
# repository (git-ignored; CI keeps them), and both places are printed.
save_artifacts() {
	local keep=$REPO_DIR/dist/test-artifacts/gateway
	[[ -d $ARTIFACTS ]] || return 0
	[[ -f $DIR/gw-par.results ]] && cp "$DIR/gw-par.results" "$ARTIFACTS/concurrent-results.txt"
	rm -rf "$keep"
	mkdir -p "$keep"
	cp -r "$ARTIFACTS/." "$keep/"
	log "artifacts: $ARTIFACTS, copied to $keep"
}

check_concurrent() {
	CURRENT="5 concurrent SOCKS"
	local n=${GW_PARALLEL:-200} size=4096 cfg=$DIR/gw-par.curlrc want rss0 rss1 hwm i ok=0 bad=0 t0 maxconn=0 res
	want=$(gwns curl -s -m 30 "http://$TESTNET_WEB_ADDR/sha256/$size" | tr -d ' \n')
	rm -f "$DIR"/gw-par-*.body
	: >"$cfg"
	for ((i = 1; i <= n; i++)); do
		printf 'url = "http://%s/size/%d?stream=%d"\noutput = "%s/gw-par-%d.body"\n' "$TESTSITE" "$size" "$i" "$DIR" "$i" >>"$cfg"
	done
	rss0=$(rss_kb "$GATE_PID" VmRSS)
	# Sample how many client connections the SOCKS port holds at once.
	touch "$DIR/gw-par.running"
	(
		m=0
		while [[ -f $DIR/gw-par.running ]]; do
			c=$(gwns ss -Htn state established "( sport = :${SOCKS##*:} )" 2>/dev/null | wc -l)
			((c > m)) && m=$c && echo "$m" >"$DIR/gw-par.maxconn"
			sleep 0.5
		done
	) &
	SAMPLER=$!
	t0=$SECONDS
	res=$(ccurl -s --parallel --parallel-immediate --parallel-max "$n" -m 300 \
		--socks5-hostname "$SOCKS" -K "$cfg" -w '%{http_code} %{exitcode} %{url_effective} %{errormsg}\n' 2>/dev/null) || true
	printf '%s\n' "$res" >"$DIR/gw-par.results"
	rm -f "$DIR/gw-par.running"
	wait "$SAMPLER" || true
	SAMPLER=
	maxconn=$(cat "$DIR/gw-par.maxconn" 2>/dev/null || echo "?")
	rss1=$(rss_kb "$GATE_PID" VmRSS)
	hwm=$(rss_kb "$GATE_PID" VmHWM)
	for ((i = 1; i <= n; i++)); do
		if [[ -f $DIR/gw-par-$i.body && $(sha256sum "$DIR/gw-par-$i.body" | cut -d' ' -f1) == "$want" ]]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	log "concurrent: $ok of $n intact in $((SECONDS - t0)) s; HTTP codes: $(cut -d' ' -f1 <<<"$res" | sort | uniq -c | tr -s ' \n' ' '); at most $maxconn established on the SOCKS port at once (accept queue included)"
	{ grep -v '^200 ' <<<"$res" || true; } | head -n 10 | while read -r line; do log "failed transfer: $line"; done
	log "gateway VmRSS before $rss0 kB, after $rss1 kB, VmHWM $hwm kB"
	RSS_REPORT="VmRSS $rss0 kB before, $rss1 kB after, VmHWM $hwm kB"
	mkdir -p "$ARTIFACTS"
	printf 'streams %d intact %d seconds %d max_established %s vmrss_before_kb %s vmrss_after_kb %s vmhwm_kb %s\n' \
		"$n" "$ok" "$((SECONDS - t0))" "$maxconn" "$rss0" "$rss1" "$hwm" >"$ARTIFACTS/rss.txt"
	# The client destination's stream and garlic counters say where packets
	# went missing (dropped_*: streaming; garlic_unknown_tag: messages with a
	# ratchet tag the destination did not expect, lost to it).
	log "after the streams: $(status_json | tr -d '\n ' | grep -o '"streams":[0-9]*,"packets_sent"[^}]*' | head -n 1); streams that ended for want of an ACK: $(grep -c 'no ACK after' "$GATE_LOG" || true)"
	if ((ok == n)); then
		pass "$n concurrent SOCKS streams to the eepsite ($size bytes each) all intact in $((SECONDS - t0)) s; $RSS_REPORT"
	else
		fail "$bad of $n concurrent SOCKS streams failed or differed; $RSS_REPORT"
	fi
}

# stop_checked: SIGTERM to i2pgate, which must be gone within STOP_BOUND s;
# if it is not, SIGQUIT makes the Go runtime write every goroutine's stack
# to its log before it exits.
STOP_BOUND=20
stop_checked() {
	local t0=$SECONDS streams
	streams=$(num streams "$(status_json)")
	log "stopping i2pgate with $streams streams open"
	kill -TERM "$GATE_PID"
	while alive "$GATE_PID" && ((SECONDS - t0 < STOP_BOUND)); do sleep 0.2; done
	if alive "$GATE_PID"; then
		kill -QUIT "$GATE_PID" 2>/dev/null || true
		sleep 3
		fail "i2pgate (PID $GATE_PID) did not exit within $STOP_BOUND s of SIGTERM ($streams streams were open); its goroutines (SIGQUIT) are in $GATE_LOG"
	else
		pass "i2pgate exits within $STOP_BOUND s of SIGTERM after the load ($((SECONDS - t0)) s)"
	fi
	gate_stop
}

check_restart() {
	CURRENT="3 restart"
	local ip t0 out=$DIR/gw-restart
	[[ -n $VIP ]] || VIP=$(dig_a "$TESTSITE" "@$GW" -p "$DNS_PORT" | head -n 1)
	stop_checked
	gate_start
	t0=$SECONDS
	# Before any DNS query: the transparent proxy knows the address only if
	# the table came back from the database (addresses are hashes of the
	# names, so the same answer alone would not show that).
	if [[ -n $VIP ]] && wait_page "plain curl to $VIP after the restart" "$GW_TIMEOUT" "$out" --noproxy '*' "http://$VIP/"; then
		pass "after an i2pgate restart, the address a client kept ($VIP) reaches $TESTSITE before any DNS query ($((SECONDS - t0)) s)"
	else
		fail "after an i2pgate restart, http://${VIP:-?}/ (no DNS query) did not return the page within $GW_TIMEOUT s: $LAST"
	fi
	ip=$(dig_a "$TESTSITE" | head -n 1)
	if [[ -n $ip && $ip == "$VIP" ]]; then
		pass "after the restart, dig $TESTSITE answers the same address $ip"
	else
		fail "after the restart, dig $TESTSITE answers '$ip', before it was $VIP"
	fi
	if fetch_page "plain curl by name after the restart" 3 "$out.name" -m 90 --noproxy '*' "http://$TESTSITE/"; then
		pass "after the restart, plain curl http://$TESTSITE/ returns the page"
	else
		fail "after the restart, plain curl http://$TESTSITE/ failed: $LAST"
	fi
}

gw_finish() {
	local rc=$?
	trap - EXIT
	CURRENT=teardown
	if [[ -n ${NS:-} ]] && ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$NS"; then
		log "leak counter at the end: $(leak_packets) packets ($(leaked_addrs))"
	fi
	if [[ -n $SAMPLER ]] && kill -0 "$SAMPLER" 2>/dev/null; then
		kill "$SAMPLER" 2>/dev/null || true
		wait "$SAMPLER" 2>/dev/null || true
	fi
	save_artifacts || log "warning: could not save the artifacts"
	lan_down
	lan_ns_exists && fail "namespace $LAN_NS still exists after down"
	[[ -e $NETNS_ETC ]] && fail "$NETNS_ETC still exists after down"
	# lib.sh's finish reads the exit status, takes the testnet down, checks
	# that nothing is left and prints the last line.
	set +e
	(exit "$rc")
	finish
	exit $?
}

answers() { status_json | grep -q router_hash; }

gw_test_main() {
	TEST_NAME=testnet-gateway
	export TESTNET_NS=${TESTNET_NS:-gw-tn}
	export TESTNET_DIR=${TESTNET_DIR:-/tmp/gw-testnet}
	gw_settings
	# shellcheck source=lib.sh
	source "$SCRIPT_DIR/lib.sh"
	trap gw_finish EXIT
	trap 'exit 130' INT TERM
	local t0=$SECONDS before after

	CURRENT=setup
	gw_up 1
	# The leak counter counts a packet sent to the outside (so its 0 means
	# something), then starts from 0.
	before=$(leak_packets)
	gwns curl -s -m 2 -o /dev/null http://203.0.113.7/ || true
	after=$(leak_packets)
	if [[ $after =~ ^[0-9]+$ && $before =~ ^[0-9]+$ ]] && ((after > before)); then
		pass "the leak counter sees a packet sent to 203.0.113.7 ($before -> $after)"
	else
		fail "the leak counter did not see a packet sent to 203.0.113.7 ($before -> $after): the no-leak checks mean nothing"
	fi
	gwns nft reset counter inet gwtest leak >/dev/null
	gwns nft flush set inet gwtest leaked

	wait_for "status API answers" 60 answers
	if wait_page "SOCKS by b32 (warm-up)" "$GW_TIMEOUT" "$DIR/gw-warmup" --socks5-hostname "$SOCKS" "http://$TESTNET_EEPSITE_B32/"; then
		log "the gateway reaches the eepsite through SOCKS after $((SECONDS - t0)) s"
	else
		fail "the gateway did not reach the eepsite by b32 through SOCKS within $GW_TIMEOUT s: $LAST"
	fi
	wait_for "the subscription http://<eepsite b32>/hosts.txt brought $TESTSITE (DNS answers it)" "$GW_NAME_TIMEOUT" name_known
	if ! name_known; then
		log "subscriber log: $(grep -i 'subscri' "$GATE_LOG" | grep -v 'level=DEBUG' | tail -n 5 | tr '\n' '|')"
	fi

	check_socks
	check_httpproxy
	check_transparent
	check_outsider
	check_browser
	check_concurrent
	check_restart

	CURRENT="leaks"
	if [[ $(leak_packets) == 0 ]]; then
		pass "nothing was sent from the testnet namespace to any non-testnet, non-LAN address during the whole test"
	else
		fail "$(leak_packets) packets went to non-testnet addresses during the test: $(leaked_addrs)"
	fi
	log "status: $(status_json | tr -d '\n ' | cut -c1-600)"
	log "took $((SECONDS - t0)) s"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	gw_test_main "$@"
fi
