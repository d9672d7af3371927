#!/usr/bin/env bash
# testnet.sh - a private I2P network of real i2pd 2.45.1 routers on this machine.
#
# Everything runs inside a network namespace that has only `lo`, carrying
# 198.18.0.K/32 for i2pd router K and 198.18.0.(100+K)/32 for i2pgate router K,
# so nothing can ever leave the machine. See /work/shared/INTEROP.md for the
# i2pd facts this is built on.
#
# Usage: testnet.sh up|down [--clean]|status|env|wait-eepsite|logs [NAME]
#                   |add-i2pgate K [--key=value ...]|remove-i2pgate K
#                   |eepsite-peers HASH[,HASH...]|eepsite-dest
#
# Settings (environment): TESTNET_N (routers, 4..99, default 5), TESTNET_NS (namespace,
# default i2pgate-tn), TESTNET_DIR (work dir, default /tmp/i2pgate-testnet),
# TESTNET_BANDWIDTH (i2pd bandwidth, default X), TESTNET_LOGLEVEL (i2pd, default
# info), TESTNET_PORT_BASE (router K uses port BASE+K for NTCP2 and SSU2, default
# 12000), TESTNET_I2PGATE_SLOTS (spare i2pgate addresses, default 4),
# TESTNET_WAIT_TIMEOUT (wait-eepsite bound in s, default 240), TESTNET_CLIENT_ROUTER
# (router whose HTTP proxy wait-eepsite uses, default the first of
# TESTNET_CLIENT_ROUTERS), TESTNET_EEPSITE_ROUTER (default N),
# TESTNET_EEPSITE_OUTBOUND_LENGTH (default 0), TESTNET_RESTART_AFTER (default 60),
# I2PGATE_BIN (the i2pgate binary add-i2pgate runs; default: built from the work
# tree into $TESTNET_DIR/i2pgate).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

NS=${TESTNET_NS:-i2pgate-tn}
DIR=${TESTNET_DIR:-/tmp/i2pgate-testnet}
N=${TESTNET_N:-5}
NETID=99
PORT_BASE=${TESTNET_PORT_BASE:-12000}
BANDWIDTH=${TESTNET_BANDWIDTH:-X}
LOGLEVEL=${TESTNET_LOGLEVEL:-info}
I2PGATE_SLOTS=${TESTNET_I2PGATE_SLOTS:-4}
WAIT_TIMEOUT=${TESTNET_WAIT_TIMEOUT:-240}
# wait-eepsite restarts the eepsite's router when the eepsite has not been
# reachable and no floodfill has listed its LeaseSet for this many seconds.
RESTART_AFTER=${TESTNET_RESTART_AFTER:-60}
# 0 avoids the LeaseSet publish race of i2pd 2.45.1 (INTEROP.md); 1-2 provoke it.
EEPSITE_OUTBOUND_LENGTH=${TESTNET_EEPSITE_OUTBOUND_LENGTH:-0}
FLOODFILLS="1 2"
WEB_ADDR=127.0.0.1:8080
CONSOLE_PORT=7070
HTTPPROXY_PORT=4444
SOCKS_PORT=4447
ENV_FILE=$DIR/testnet.env
PID_DIR=$DIR/pids
MARKER=.i2pgate-testnet

log() { printf 'testnet: %s\n' "$*" >&2; }
die() { printf 'testnet: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites

apt_install() {
	log "installing $*"
	if ! apt-get -o DPkg::Lock::Timeout=600 install -y "$@" >&2; then
		apt-get -o DPkg::Lock::Timeout=600 update >&2
		apt-get -o DPkg::Lock::Timeout=600 install -y "$@" >&2 || die "apt-get install $* failed"
	fi
}

ensure_deps() {
	local missing=() cmd pkg
	for cmd in i2pd:i2pd ip:iproute2 curl:curl zip:zip; do
		pkg=${cmd#*:}
		cmd=${cmd%%:*}
		if ! command -v "$cmd" >/dev/null 2>&1 && ! [[ -x /usr/sbin/$cmd ]]; then
			missing+=("$pkg")
		fi
	done
	if ((${#missing[@]})); then
		apt_install "${missing[@]}"
	fi
	command -v go >/dev/null 2>&1 || die "the Go toolchain (go) is not on PATH"
	[[ $(id -u) == 0 ]] || die "must run as root (network namespaces)"
}

i2pd_bin() {
	if [[ -n ${TESTNET_I2PD:-} ]]; then
		echo "$TESTNET_I2PD"
	elif [[ -x /usr/bin/i2pd ]]; then
		echo /usr/bin/i2pd
	elif [[ -x /usr/sbin/i2pd ]]; then
		echo /usr/sbin/i2pd
	else
		command -v i2pd || die "i2pd not found"
	fi
}

# ---------------------------------------------------------------- helpers

router_addr() { echo "198.18.0.$1"; }
router_port() { echo $((PORT_BASE + $1)); }
router_dir() { echo "$DIR/r$1"; }
gate_addr() { echo "198.18.0.$((100 + $1))"; }
gate_port() { echo $((PORT_BASE + 100 + $1)); }
gate_dir() { echo "$DIR/i2pgate-$1"; }
is_floodfill() { [[ " $FLOODFILLS " == *" $1 "* ]]; }

nsexec() { ip netns exec "$NS" "$@"; }

# env_set KEY VALUE: set one line in the env file.
env_set() {
	local tmp
	tmp=$(mktemp "$ENV_FILE.XXXXXX")
	if [[ -f $ENV_FILE ]]; then
		grep -v "^$1=" "$ENV_FILE" >"$tmp" || true
	fi
	printf '%s=%q\n' "$1" "$2" >>"$tmp"
	mv "$tmp" "$ENV_FILE"
}

# env_add KEY VALUE: append a line to the env file (for the fresh file of up).
env_add() { printf '%s=%q\n' "$1" "$2" >>"$ENV_FILE"; }

env_unset() {
	[[ -f $ENV_FILE ]] || return 0
	local tmp
	tmp=$(mktemp "$ENV_FILE.XXXXXX")
	grep -v "^$1=" "$ENV_FILE" >"$tmp" || true
	mv "$tmp" "$ENV_FILE"
}

# env_get KEY: value of KEY from the env file, empty when absent.
env_get() {
	[[ -f $ENV_FILE ]] || return 0
	(
		set +u
		# shellcheck disable=SC1090
		source "$ENV_FILE"
		printf '%s' "${!1:-}"
	)
}

# pid_ours PID: true when PID is alive (not a zombie) and its command line
# names our work dir, so a recycled PID is never touched.
pid_ours() {
	local pid=$1 state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/cmdline ]] || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/"
}

# stop_pids PID...: SIGTERM, wait up to 15 s, then SIGKILL; waits until gone.
stop_pids() {
	local pids=() pid i
	for pid in "$@"; do
		pid_ours "$pid" && pids+=("$pid")
	done
	((${#pids[@]})) || return 0
	kill -TERM "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		local alive=0
		for pid in "${pids[@]}"; do
			pid_ours "$pid" && alive=1
		done
		((alive)) || return 0
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		if pid_ours "$pid"; then
			log "PID $pid did not exit on SIGTERM, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for ((i = 0; i < 50; i++)); do
		local alive=0
		for pid in "${pids[@]}"; do
			pid_ours "$pid" && alive=1
		done
		((alive)) || return 0
		sleep 0.1
	done
	die "PIDs still alive after SIGKILL: ${pids[*]}"
}

# start_bg NAME LOGFILE CMD...: start CMD inside the namespace in its own
# session, record its PID in $PID_DIR/NAME.pid and print it.
start_bg() {
	local name=$1 logf=$2 pid
	shift 2
	ip netns exec "$NS" setsid "$@" </dev/null >>"$logf" 2>&1 &
	pid=$!
	echo "$pid" >"$PID_DIR/$name.pid"
	echo "$pid"
}

# ident_hash FILE: I2P base64 of SHA-256 of the RouterIdentity/Destination at
# the start of FILE (router.info, router.keys or a destination keys file).
ident_hash_bin() {
	local f=$1 certlen
	certlen=$(od -An -tu2 --endian=big -j385 -N2 "$f" | tr -d ' ')
	[[ $certlen =~ ^[0-9]+$ ]] || die "$f: too short for an identity"
	head -c $((387 + certlen)) "$f" | openssl dgst -sha256 -binary
}
ident_hash() { ident_hash_bin "$1" | base64 -w0 | tr '+/' '-~'; }
ident_b32() { ident_hash_bin "$1" | base32 -w0 | tr '[:upper:]' '[:lower:]' | tr -d '='; }

console() { nsexec curl -sS -m 10 "http://$(router_addr "$1"):$CONSOLE_PORT/$2"; }

# ---------------------------------------------------------------- configuration

write_i2pd_conf() {
	local k=$1 zip=$2 d addr port ff
	d=$(router_dir "$k")
	addr=$(router_addr "$k")
	port=$(router_port "$k")
	ff=false
	is_floodfill "$k" && ff=true
	cat >"$d/i2pd.conf" <<EOF
# i2pd router $k of the i2pgate testnet (generated by scripts/testnet/testnet.sh)
log = file
logfile = $d/i2pd.log
loglevel = $LOGLEVEL
ipv4 = true
ipv6 = false
host = $addr
address4 = $addr
port = $port
nat = false
netid = $NETID
floodfill = $ff
bandwidth = $BANDWIDTH
reservedrange = false
notransit = false

[ntcp2]
enabled = true
published = true
port = $port

[ssu2]
enabled = true
published = true
port = $port

[http]
enabled = true
address = $addr
port = $CONSOLE_PORT
strictheaders = false

[httpproxy]
enabled = true
address = $addr
port = $HTTPPROXY_PORT
addresshelper = true
inbound.length = 1
outbound.length = 1
inbound.quantity = 2
outbound.quantity = 2

[socksproxy]
enabled = true
address = $addr
port = $SOCKS_PORT
inbound.length = 1
outbound.length = 1
inbound.quantity = 2
outbound.quantity = 2
outproxy.enabled = false

[sam]
enabled = false

[bob]
enabled = false

[i2cp]
enabled = false

[i2pcontrol]
enabled = false

[upnp]
enabled = false

[nettime]
enabled = false
frompeers = false

[reseed]
verify = false
urls =
yggurls =
zipfile = $zip

[addressbook]
enabled = false
defaulturl =
subscriptions =

[exploratory]
inbound.length = 1
outbound.length = 2
inbound.quantity = 3
outbound.quantity = 3

[meshnets]
yggdrasil = false

[persist]
profiles = true
EOF
	if [[ -z $zip ]]; then
		sed -i '/^zipfile = $/d' "$d/i2pd.conf"
	fi
}

write_tunnels_conf() {
	local k=$1 d
	d=$(router_dir "$k")
	mkdir -p "$d/tunnels.d"
	if [[ $k != "$(eepsite_router)" ]]; then
		: >"$d/tunnels.conf"
		return
	fi
	# Outbound length 0 avoids the 2.45.1 LeaseSet publish race (INTEROP.md).
	cat >"$d/tunnels.conf" <<EOF
[eepsite]
type = http
host = ${WEB_ADDR%:*}
port = ${WEB_ADDR##*:}
inport = 80
keys = eepsite.dat
inbound.length = 1
outbound.length = $EEPSITE_OUTBOUND_LENGTH
inbound.quantity = 2
outbound.quantity = 2
EOF
	if [[ -n ${EEPSITE_PEERS:-} ]]; then
		# i2pd builds no zero-hop tunnel from explicit peers: the outbound
		# side gets one hop too (through those peers).
		sed -i 's/^outbound.length = 0$/outbound.length = 1/' "$d/tunnels.conf"
		echo "explicitPeers = $EEPSITE_PEERS" >>"$d/tunnels.conf"
	fi
}

# cmd_eepsite_peers HASH[,HASH...]: the eepsite builds its tunnels only through
# these routers (i2pd explicitPeers); its router is restarted to apply it.
cmd_eepsite_peers() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	[[ ${1:-} =~ ^[A-Za-z0-9~=,-]+$ ]] || die "eepsite-peers needs base64 router hashes, comma-separated"
	local recorded ee
	recorded=$(env_get TESTNET_NS)
	[[ -n $recorded ]] && NS=$recorded
	EEPSITE_PEERS=$1
	ee=$(eepsite_router)
	write_tunnels_conf "$ee"
	env_set TESTNET_EEPSITE_PEERS "$EEPSITE_PEERS"
	restart_router "$ee"
	log "eepsite on router $ee now builds its tunnels through $EEPSITE_PEERS"
}

eepsite_router() { echo "${TESTNET_EEPSITE_ROUTER:-$N}"; }

# cmd_eepsite_dest: the eepsite's full destination in I2P base64, as a
# hosts.txt line names it (the Destination that starts eepsite.dat: 384 bytes
# of keys, then a certificate of 3 + its length bytes).
cmd_eepsite_dest() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	local f certlen b64
	f=$(env_get TESTNET_EEPSITE_KEYS)
	[[ -s $f ]] || die "no eepsite keys file ($f)"
	certlen=$(od -An -tu2 --endian=big -j385 -N2 "$f" | tr -d ' ')
	[[ $certlen =~ ^[0-9]+$ ]] || die "$f: too short for a destination"
	b64=$(head -c $((387 + certlen)) "$f" | base64 -w0 | tr '+/' '-~')
	[[ $(ident_b32 "$f").b32.i2p == "$(env_get TESTNET_EEPSITE_B32)" ]] ||
		die "$f does not hash to the eepsite's b32 $(env_get TESTNET_EEPSITE_B32)"
	echo "$b64"
}

# client_routers: routers whose HTTP proxy tests should use: neither floodfill
# nor the eepsite's. In i2pd 2.45.1 a client destination on a floodfill that
# looks up a LeaseSet2 the floodfill stores re-parses the stored copy as a
# LeaseSet1 ("LeaseSet: 680 exceeds buffer size 843"), marks it invalid, and the
# floodfill drops it ("expired or invalid") until the owner republishes.
client_routers() {
	local k picks=() ee
	ee=$(eepsite_router)
	for ((k = 1; k <= N; k++)); do
		is_floodfill "$k" || [[ $k == "$ee" ]] || picks+=("$k")
	done
	echo "${picks[*]}"
}

# ---------------------------------------------------------------- namespace

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$NS"; }

ns_create() {
	local k
	ip netns add "$NS"
	nsexec ip link set lo up
	for ((k = 1; k <= N; k++)); do
		nsexec ip addr add "$(router_addr "$k")/32" dev lo
	done
	for ((k = 1; k <= I2PGATE_SLOTS; k++)); do
		nsexec ip addr add "$(gate_addr "$k")/32" dev lo
	done
	if nsexec ip route show | grep -v '^local' | grep -q .; then
		die "namespace $NS unexpectedly has routes: $(nsexec ip route show)"
	fi
}

# ---------------------------------------------------------------- processes

start_router() {
	local k=$1 d pid bin
	d=$(router_dir "$k")
	bin=$(i2pd_bin)
	pid=$(start_bg "r$k" "$d/stdout.log" "$bin" --datadir="$d" --conf="$d/i2pd.conf" \
		--tunconf="$d/tunnels.conf" --tunnelsdir="$d/tunnels.d" --pidfile="$d/i2pd.pid")
	sleep 0.3
	pid_ours "$pid" || die "i2pd router $k exited at start; see $d/stdout.log and $d/i2pd.log: $(tail -n 5 "$d/stdout.log" "$d/i2pd.log" 2>/dev/null)"
	env_set "TESTNET_ROUTER${k}_PID" "$pid"
	echo "$pid"
}

wait_file() {
	local f=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		[[ -s $f ]] && return 0
		sleep 0.1
	done
	return 1
}

# make_seed K...: copy the router.info of routers K... into the seed dir and
# zip them (stored, no compression) for reseed.zipfile.
make_seed() {
	local seed=$DIR/seed k name tmp
	rm -rf "$seed"
	mkdir -p "$seed/routerInfo"
	for k in "$@"; do
		name=routerInfo-$(ident_hash "$(router_dir "$k")/router.info").dat
		cp "$(router_dir "$k")/router.info" "$seed/routerInfo/$name"
	done
	tmp=$DIR/seed.zip.tmp
	rm -f "$tmp"
	(cd "$seed/routerInfo" && zip -q -0 -X "$tmp" routerInfo-*.dat)
	mv "$tmp" "$DIR/seed.zip"
}

build_webserver() {
	log "building the eepsite web server"
	(cd "$REPO_DIR" && CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off go build -o "$DIR/bin/webserver" ./scripts/testnet/webserver) ||
		die "go build of scripts/testnet/webserver failed"
}

write_www() {
	mkdir -p "$DIR/www"
	cat >"$DIR/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>i2pgate testnet eepsite</title></head>
<body><h1>i2pgate testnet eepsite</h1>
<p>Served by scripts/testnet/webserver through an i2pd HTTP server tunnel.</p>
<p>Generated bodies: /size/N, their SHA-256: /sha256/N.</p>
</body></html>
EOF
}

start_webserver() {
	local pid
	pid=$(start_bg web "$DIR/webserver.log" "$DIR/bin/webserver" -addr "$WEB_ADDR" -root "$DIR/www")
	local i
	for ((i = 0; i < 50; i++)); do
		if nsexec curl -sS -m 2 -o /dev/null "http://$WEB_ADDR/" 2>/dev/null; then
			env_set TESTNET_WEB_PID "$pid"
			return 0
		fi
		pid_ours "$pid" || break
		sleep 0.1
	done
	die "web server did not start; see $DIR/webserver.log: $(tail -n 5 "$DIR/webserver.log")"
}

# ---------------------------------------------------------------- subcommands

cmd_up() {
	local t0=$SECONDS k d ee
	ensure_deps
	if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 4 || N > 99)); then
		die "TESTNET_N must be 4..99 (2 floodfills, an eepsite router, a client router)"
	fi
	ee=$(eepsite_router)
	if ! [[ $ee =~ ^[0-9]+$ ]] || is_floodfill "$ee" || ((ee > N)); then
		die "TESTNET_EEPSITE_ROUTER must be a non-floodfill router 3..$N"
	fi
	cmd_down quiet
	if [[ -e $DIR ]]; then
		[[ -f $DIR/$MARKER ]] || die "$DIR exists and is not a testnet work dir; remove it or set TESTNET_DIR"
		rm -rf "$DIR"
	fi
	mkdir -p "$DIR" "$PID_DIR" "$DIR/bin"
	touch "$DIR/$MARKER"
	build_webserver
	log "web server built ($((SECONDS - t0)) s)"
	write_www
	ns_create
	write_env_static

	start_webserver
	for ((k = 1; k <= N; k++)); do
		d=$(router_dir "$k")
		mkdir -p "$d"
		write_tunnels_conf "$k"
	done
	# Router 1 starts with no seed; its router.info seeds router 2; both seed the rest.
	write_i2pd_conf 1 ""
	start_router 1 >/dev/null
	wait_file "$(router_dir 1)/router.info" 20 || die "router 1 wrote no router.info"
	make_seed 1
	write_i2pd_conf 2 "$DIR/seed.zip"
	start_router 2 >/dev/null
	wait_file "$(router_dir 2)/router.info" 20 || die "router 2 wrote no router.info"
	# shellcheck disable=SC2086
	make_seed $FLOODFILLS
	write_i2pd_conf 1 "$DIR/seed.zip" # for restarts
	for ((k = 3; k <= N; k++)); do
		write_i2pd_conf "$k" "$DIR/seed.zip"
		start_router "$k" >/dev/null
	done
	log "routers started ($((SECONDS - t0)) s)"
	for ((k = 1; k <= N; k++)); do
		wait_file "$(router_dir "$k")/router.info" 20 || die "router $k wrote no router.info"
		env_set "TESTNET_ROUTER${k}_HASH" "$(ident_hash "$(router_dir "$k")/router.info")"
	done
	wait_file "$(router_dir "$ee")/eepsite.dat" 20 || die "router $ee wrote no eepsite.dat"
	local b32
	b32=$(console_b32 "$ee") || die "router $ee console does not list the eepsite"
	[[ $b32 == "$(ident_b32 "$(router_dir "$ee")/eepsite.dat").b32.i2p" ]] ||
		die "console b32 $b32 differs from the b32 computed from eepsite.dat"
	env_set TESTNET_EEPSITE_B32 "$b32"
	log "up: $N routers, eepsite $b32 on router $ee, in $((SECONDS - t0)) s; env: $ENV_FILE"
}

# console_b32 K: the b32 of the HTTP server tunnel as router K's console shows it.
console_b32() {
	local i b32
	for ((i = 0; i < 50; i++)); do
		b32=$(console "$1" '?page=i2p_tunnels' 2>/dev/null |
			grep -oE 'b32=[a-z2-7]{52}">eepsite<' | head -n 1) || true
		if [[ -n $b32 ]]; then
			b32=${b32#b32=}
			echo "${b32%%\"*}.b32.i2p"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

write_env_static() {
	local k d ee
	ee=$(eepsite_router)
	env_add TESTNET_NS "$NS"
	env_add TESTNET_DIR "$DIR"
	env_add TESTNET_N "$N"
	env_add TESTNET_NETID "$NETID"
	env_add TESTNET_I2PD_VERSION "$("$(i2pd_bin)" --version 2>/dev/null | head -n 1 | awk '{print $3}')"
	env_add TESTNET_FLOODFILLS "$FLOODFILLS"
	env_add TESTNET_CLIENT_ROUTERS "$(client_routers)"
	for ((k = 1; k <= N; k++)); do
		d=$(router_dir "$k")
		env_add "TESTNET_ROUTER${k}_ADDR" "$(router_addr "$k")"
		env_add "TESTNET_ROUTER${k}_NTCP2_PORT" "$(router_port "$k")"
		env_add "TESTNET_ROUTER${k}_SSU2_PORT" "$(router_port "$k")"
		env_add "TESTNET_ROUTER${k}_DATADIR" "$d"
		env_add "TESTNET_ROUTER${k}_CONSOLE" "$(router_addr "$k"):$CONSOLE_PORT"
		env_add "TESTNET_ROUTER${k}_HTTPPROXY" "$(router_addr "$k"):$HTTPPROXY_PORT"
		env_add "TESTNET_ROUTER${k}_SOCKS" "$(router_addr "$k"):$SOCKS_PORT"
		env_add "TESTNET_ROUTER${k}_FLOODFILL" "$(is_floodfill "$k" && echo 1 || echo 0)"
	done
	env_add TESTNET_EEPSITE_ROUTER "$ee"
	env_add TESTNET_EEPSITE_KEYS "$(router_dir "$ee")/eepsite.dat"
	env_add TESTNET_WEB_ADDR "$WEB_ADDR"
	env_add TESTNET_WEB_ROOT "$DIR/www"
	env_add TESTNET_WEB_BIN "$DIR/bin/webserver"
	env_add TESTNET_SEED_ZIP "$DIR/seed.zip"
	env_add TESTNET_SEED_DIR "$DIR/seed/routerInfo"
	env_add TESTNET_I2PGATE_SLOTS "$I2PGATE_SLOTS"
	for ((k = 1; k <= I2PGATE_SLOTS; k++)); do
		env_add "TESTNET_I2PGATE_ADDR$k" "$(gate_addr "$k")"
	done
}

# our_pids: every PID recorded in the pid dir that is still ours.
our_pids() {
	local f pid
	[[ -d $PID_DIR ]] || return 0
	for f in "$PID_DIR"/*.pid; do
		[[ -e $f ]] || continue
		pid=$(<"$f")
		pid_ours "$pid" && echo "$pid"
	done
	return 0
}

cmd_down() {
	local quiet=${1:-} clean=0 pids=() pid
	[[ $quiet == --clean ]] && clean=1 && quiet=
	# Use the namespace that `up` recorded, if any.
	local recorded
	recorded=$(env_get TESTNET_NS)
	[[ -n $recorded ]] && NS=$recorded
	mapfile -t pids < <(our_pids)
	# Processes of ours inside the namespace that a crashed run did not record.
	if ns_exists; then
		for pid in $(ip netns pids "$NS" 2>/dev/null); do
			if pid_ours "$pid" && [[ " ${pids[*]} " != *" $pid "* ]]; then
				pids+=("$pid")
			fi
		done
	fi
	if ((${#pids[@]})); then
		[[ -n $quiet ]] || log "stopping PIDs ${pids[*]}"
		stop_pids "${pids[@]}"
	fi
	rm -f "$PID_DIR"/*.pid 2>/dev/null || true
	if ns_exists; then
		local others
		others=$(ip netns pids "$NS" 2>/dev/null | tr '\n' ' ')
		[[ -z ${others// /} ]] || log "warning: processes not started by testnet.sh remain in $NS: $others"
		ip netns del "$NS" || die "could not delete namespace $NS"
	fi
	if ((clean)) && [[ -f $DIR/$MARKER ]]; then
		rm -rf "$DIR"
	fi
	[[ -n $quiet ]] || log "down"
}

cmd_status() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	local recorded k pid main rss
	recorded=$(env_get TESTNET_NS)
	[[ -n $recorded ]] && NS=$recorded
	ns_exists && echo "namespace $NS: present" || echo "namespace $NS: absent"
	N=$(env_get TESTNET_N)
	for ((k = 1; k <= N; k++)); do
		pid=$(env_get "TESTNET_ROUTER${k}_PID")
		if pid_ours "$pid"; then
			rss=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$pid/status")
			main=$(console "$k" '' 2>/dev/null | sed 's/<[^>]*>/ /g' | tr -s ' \r\n' ' ') || main=
			printf 'router %d %s pid %s rss %s |%s\n' "$k" "$(router_addr "$k")" "$pid" "$rss" \
				"$(grep -oE '(Network status|Tunnel creation success rate|Routers|Floodfills|LeaseSets|Client Tunnels|Transit Tunnels): *[^ ]+' <<<"$main" | tr '\n' '|')"
		else
			printf 'router %d %s: not running\n' "$k" "$(router_addr "$k")"
		fi
	done
	pid=$(env_get TESTNET_WEB_PID)
	pid_ours "$pid" && echo "web server $WEB_ADDR pid $pid" || echo "web server: not running"
	for ((k = 1; k <= I2PGATE_SLOTS; k++)); do
		pid=$(env_get "TESTNET_I2PGATE${k}_PID")
		[[ -n $pid ]] || continue
		pid_ours "$pid" && echo "i2pgate $k $(gate_addr "$k") pid $pid" || echo "i2pgate $k: not running"
	done
	echo "eepsite $(env_get TESTNET_EEPSITE_B32) on router $(env_get TESTNET_EEPSITE_ROUTER)"
}

cmd_logs() {
	local name=${1:-} f
	if [[ -n $name ]]; then
		case $name in
		web) f=$DIR/webserver.log ;;
		i2pgate-*) f=$DIR/$name/i2pgate.log ;;
		r[0-9]* | [0-9]*) f=$DIR/r${name#r}/i2pd.log ;;
		*) die "logs: unknown name $name (use K, rK, web or i2pgate-K)" ;;
		esac
		[[ -f $f ]] || die "no log file $f"
		cat "$f"
		return
	fi
	for f in "$DIR"/r*/i2pd.log "$DIR"/webserver.log "$DIR"/i2pgate-*/i2pgate.log; do
		[[ -f $f ]] || continue
		printf '==> %s <==\n' "$f"
		tail -n 20 "$f"
	done
}

# ---------------------------------------------------------------- eepsite wait

# fetch_eepsite J OUT: fetch the eepsite's / through router J's HTTP proxy into
# OUT; prints the HTTP status code.
fetch_eepsite() {
	local j=$1 out=$2 b32
	b32=$(env_get TESTNET_EEPSITE_B32)
	nsexec curl -sS -m 30 -o "$out" -w '%{http_code}' \
		-x "http://$(router_addr "$j"):$HTTPPROXY_PORT" "http://$b32/" 2>/dev/null || true
}

# floodfill_has_leaseset: true when a floodfill's console lists the eepsite's LeaseSet.
floodfill_has_leaseset() {
	local b32 ff page
	b32=$(env_get TESTNET_EEPSITE_B32)
	for ff in $FLOODFILLS; do
		page=$(console "$ff" '?page=leasesets' 2>/dev/null) || continue
		grep -qF -- "${b32%.b32.i2p}" <<<"$page" && return 0
	done
	return 1
}

restart_router() {
	local k=$1 pid
	pid=$(env_get "TESTNET_ROUTER${k}_PID")
	log "restarting router $k (PID $pid)"
	stop_pids "$pid"
	start_router "$k" >/dev/null
}

cmd_wait_eepsite() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	local recorded ee j t0=$SECONDS last_restart=$SECONDS code out restarts=0 seen=
	recorded=$(env_get TESTNET_NS)
	[[ -n $recorded ]] && NS=$recorded
	N=$(env_get TESTNET_N)
	ee=$(env_get TESTNET_EEPSITE_ROUTER)
	j=${TESTNET_CLIENT_ROUTER:-$(env_get TESTNET_CLIENT_ROUTERS)}
	j=${j%% *}
	[[ -n $j ]] || die "no client router (TESTNET_CLIENT_ROUTER or TESTNET_CLIENT_ROUTERS in the env file)"
	out=$DIR/wait-eepsite.body
	while ((SECONDS - t0 < WAIT_TIMEOUT)); do
		code=$(fetch_eepsite "$j" "$out")
		if [[ $code == 200 ]] && cmp -s "$out" "$DIR/www/index.html"; then
			env_set TESTNET_EEPSITE_RESTARTS "$restarts"
			log "eepsite reachable through router $j after $((SECONDS - t0)) s ($restarts restarts of router $ee)"
			return 0
		fi
		seen="HTTP $code from router $j's proxy"
		if floodfill_has_leaseset; then
			seen+=", a floodfill holds the LeaseSet"
			# The LeaseSet a floodfill holds may be the one from before a
			# restart, naming tunnels that are gone, while the new one was
			# lost to the same race: restart anyway after twice as long.
			if ((SECONDS - last_restart >= 2 * RESTART_AFTER)); then
				log "a floodfill holds a LeaseSet but the eepsite stayed unreachable for $((SECONDS - last_restart)) s"
				restart_router "$ee"
				restarts=$((restarts + 1))
				last_restart=$SECONDS
			fi
		else
			seen+=", no floodfill holds the LeaseSet"
			# LeaseSet publish race (INTEROP.md): restart the eepsite's router.
			if ((SECONDS - last_restart >= RESTART_AFTER)); then
				restart_router "$ee"
				restarts=$((restarts + 1))
				last_restart=$SECONDS
			fi
		fi
		sleep 3
	done
	env_set TESTNET_EEPSITE_RESTARTS "$restarts"
	die "eepsite not reachable after $WAIT_TIMEOUT s; last seen: $seen; $restarts restarts of router $ee; logs: $(router_dir "$ee")/i2pd.log"
}

# ---------------------------------------------------------------- i2pgate

i2pgate_bin() {
	if [[ -n ${I2PGATE_BIN:-} ]]; then
		[[ -x $I2PGATE_BIN ]] || die "I2PGATE_BIN=$I2PGATE_BIN is not an executable file"
		echo "$I2PGATE_BIN"
		return
	fi
	# Built from the work tree each time, so a stale binary is never tested.
	local bin=$DIR/i2pgate
	log "building $bin"
	(cd "$REPO_DIR" && CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off go build -o "$bin" ./cmd/i2pgate) >&2 ||
		die "go build ./cmd/i2pgate failed (set I2PGATE_BIN to use another binary)"
	echo "$bin"
}

check_slot() {
	if ! [[ ${1:-} =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > I2PGATE_SLOTS)); then
		die "i2pgate slot must be 1..$I2PGATE_SLOTS (TESTNET_I2PGATE_SLOTS)"
	fi
}

cmd_add_i2pgate() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	local k=${1:-} recorded bin d addr port pid
	check_slot "$k"
	shift
	recorded=$(env_get TESTNET_NS)
	[[ -n $recorded ]] && NS=$recorded
	ns_exists || die "namespace $NS is absent (run up first)"
	pid=$(env_get "TESTNET_I2PGATE${k}_PID")
	! pid_ours "$pid" || die "i2pgate $k already runs as PID $pid"
	bin=$(i2pgate_bin)
	d=$(gate_dir "$k")
	addr=$(gate_addr "$k")
	port=$(gate_port "$k")
	mkdir -p "$d"
	local args=(run --datadir="$d" --netid="$NETID" --reservedrange=false
		--host="$addr" --port="$port" --ntcp2.port="$port"
		--reseed.file="$DIR/seed.zip" --reseed.urls=
		--console.address="$addr:$CONSOLE_PORT" --httpproxy.address="$addr:$HTTPPROXY_PORT"
		--socks.address="$addr:$SOCKS_PORT" --dns.address="$addr:5353"
		--lan.allow=198.18.0.0/15,127.0.0.0/8
		--loglevel=debug "$@")
	printf '%q ' "$bin" "${args[@]}" >"$d/cmdline.txt"
	echo >>"$d/cmdline.txt"
	printf '=== %s testnet.sh add-i2pgate %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$k" >>"$d/i2pgate.log"
	pid=$(start_bg "i2pgate-$k" "$d/i2pgate.log" "$bin" "${args[@]}")
	sleep 2
	if ! pid_ours "$pid"; then
		rm -f "$PID_DIR/i2pgate-$k.pid"
		die "i2pgate $k died at start; command: $(<"$d/cmdline.txt")
last log lines ($d/i2pgate.log):
$(tail -n 20 "$d/i2pgate.log")"
	fi
	env_set "TESTNET_I2PGATE${k}_PID" "$pid"
	env_set "TESTNET_I2PGATE${k}_DATADIR" "$d"
	env_set "TESTNET_I2PGATE${k}_PORT" "$port"
	env_set "TESTNET_I2PGATE${k}_CONSOLE" "$addr:$CONSOLE_PORT"
	env_set "TESTNET_I2PGATE${k}_HTTPPROXY" "$addr:$HTTPPROXY_PORT"
	env_set "TESTNET_I2PGATE${k}_SOCKS" "$addr:$SOCKS_PORT"
	env_set "TESTNET_I2PGATE${k}_DNS" "$addr:5353"
	env_set "TESTNET_I2PGATE${k}_LOG" "$d/i2pgate.log"
	log "i2pgate $k runs at $addr (PID $pid), log $d/i2pgate.log"
}

cmd_remove_i2pgate() {
	[[ -f $ENV_FILE ]] || die "no testnet env file at $ENV_FILE (run up first)"
	local k=${1:-} pid key
	check_slot "$k"
	pid=$(env_get "TESTNET_I2PGATE${k}_PID")
	if pid_ours "$pid"; then
		stop_pids "$pid"
		log "i2pgate $k (PID $pid) stopped"
	else
		log "i2pgate $k is not running"
	fi
	rm -f "$PID_DIR/i2pgate-$k.pid"
	for key in PID DATADIR PORT CONSOLE HTTPPROXY SOCKS DNS LOG; do
		env_unset "TESTNET_I2PGATE${k}_$key"
	done
}

usage() {
	sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

main() {
	local cmd=${1:-}
	[[ -n $cmd ]] || usage
	shift
	case $cmd in
	up) cmd_up ;;
	down) cmd_down "${1:-}" ;;
	status) cmd_status ;;
	env)
		echo "$ENV_FILE"
		[[ -f $ENV_FILE ]] || die "$ENV_FILE does not exist yet (run up first)"
		;;
	wait-eepsite) cmd_wait_eepsite ;;
	logs) cmd_logs "${1:-}" ;;
	add-i2pgate) cmd_add_i2pgate "$@" ;;
	eepsite-peers) cmd_eepsite_peers "$@" ;;
	eepsite-dest) cmd_eepsite_dest ;;
	remove-i2pgate) cmd_remove_i2pgate "$@" ;;
	-h | --help | help) usage ;;
	*) die "unknown subcommand $cmd (up|down|status|env|wait-eepsite|logs|add-i2pgate|remove-i2pgate|eepsite-peers|eepsite-dest)" ;;
	esac
}

main "$@"
