#!/usr/bin/env bash
# systemd-test.sh - the i2pgate .deb under a real systemd (make systemd-test).
#
# A minimal Debian bookworm with systemd (debootstrap, cached in
# $SYSTEMD_TEST_CACHE) is booted with `systemd-nspawn --boot` inside the network
# namespace of a private i2pd testnet (scripts/testnet/testnet.sh), the .deb is
# installed with dpkg -i, and the container's systemd is asked through nsenter
# + systemctl. Checks, in order:
#   install   the postinst creates the i2pgate system user and enables and
#             starts the unit; the daemon runs as i2pgate; with the shipped
#             configuration (live network, unreachable here) the unit stays
#             "activating" while its STATUS= says it has no tunnels, and
#             `dpkg -i` waits on that start job.
#   ready     /etc/i2pgate/i2pgate.toml edited for the testnet (netid 99,
#             host 198.18.0.101, reseed from the testnet's seed.zip); after a
#             restart the unit is "activating" until the router has exploratory
#             tunnels both ways, then "active", and STATUS= shows those tunnels.
#   watchdog  a drop-in (Environment=I2PGATE_FAULTS=1, WatchdogSec=10): healthy,
#             the daemon pings and is not restarted for 2.5 watchdog periods;
#             with /var/lib/i2pgate/wedge its health loop blocks, systemd logs
#             a watchdog timeout and restarts it (NRestarts + 1); without the
#             file it is active again.
#   upgrade   dpkg -i of the same package with a higher version keeps the edited
#             configuration (no prompt) and restarts the daemon with the same
#             router identity; one whose default configuration changed, with
#             --force-confdef --force-confold, keeps it too and leaves the new
#             default in i2pgate.toml.dpkg-dist.
#   purge     dpkg --purge stops the daemon and removes /etc/i2pgate and
#             /var/lib/i2pgate.
# The upgrade packages are the tested one repacked with dpkg-deb (version
# raised, the second with a changed default configuration), so both sides of
# an upgrade hold the same binary, unit and maintainer scripts.
#
# Usage: scripts/systemd-test.sh [DEB]   (default: the newest dist/i2pgate_*_amd64.deb)
# Settings (environment): SYSTEMD_TEST_CACHE (rootfs cache, default
# /var/cache/i2pgate-nspawn), SYSTEMD_TEST_DIR (work dir, default
# /tmp/i2pgate-systemd-test), SYSTEMD_TEST_NS (testnet namespace, default
# i2pgate-sdtest), SYSTEMD_TEST_MACHINE (container name, default
# i2pgate-sdtest), SYSTEMD_TEST_MIRROR (default http://deb.debian.org/debian),
# SYSTEMD_TEST_READY_TIMEOUT (s, default 240), SYSTEMD_TEST_KEEP=1 (keep the
# container's root file system after the run).
#
# Cleans up what it started (container powered off, nspawn by PID, testnet
# down). When systemd-nspawn cannot run or boot here (not root, no amd64, the
# mirror unreachable, cgroups or permissions), it prints
# "systemd-test: SKIP: <reason>" and exits 0. Last line otherwise:
# systemd-test: N passed, M failed
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
TESTNET=$SCRIPT_DIR/testnet/testnet.sh

CACHE=${SYSTEMD_TEST_CACHE:-/var/cache/i2pgate-nspawn}
WORK=${SYSTEMD_TEST_DIR:-/tmp/i2pgate-systemd-test}
MACHINE=${SYSTEMD_TEST_MACHINE:-i2pgate-sdtest}
MIRROR=${SYSTEMD_TEST_MIRROR:-http://deb.debian.org/debian}
READY_TIMEOUT=${SYSTEMD_TEST_READY_TIMEOUT:-240}
SUITE=bookworm
INCLUDE=systemd,systemd-sysv,dbus,adduser
ROOTFS_CACHE=$CACHE/$SUITE-amd64
STAMP=.i2pgate-systemd-test
ROOTFS=$WORK/rootfs
LOGS=$WORK/logs
MARKER=.i2pgate-systemd-test-work

export TESTNET_NS=${SYSTEMD_TEST_NS:-i2pgate-sdtest}
export TESTNET_DIR=$WORK/testnet
# i2pgate slot 1 of the testnet: 198.18.0.101, port 12101 (testnet.sh layout).
GATE_ADDR=198.18.0.101
GATE_PORT=12101
SEED=/usr/local/share/i2pgate-test/seed.zip
CONF=/etc/i2pgate/i2pgate.toml
DROPIN=/etc/systemd/system/i2pgate.service.d/systemd-test-faults.conf
WATCHDOG_SEC=10
# The health loop looks every 5 s and counts as healthy for 3 looks; then the
# watchdog needs WatchdogSec without a ping, and Restart waits RestartSec=5.
WEDGE_TIMEOUT=$((3 * 5 + WATCHDOG_SEC + 5 + 30))

PASSED=0
FAILED=0
NSPAWN_PID=
LEADER=
DPKG_PID=
TESTNET_STARTED=

log() { printf 'systemd-test: %s\n' "$*" >&2; }
pass() {
	log "ok: $*"
	PASSED=$((PASSED + 1))
}
fail() {
	log "FAIL: $*"
	FAILED=$((FAILED + 1))
}
# skip REASON: nothing was proven; exit 0 after cleaning up.
skip() {
	log "SKIP: $*"
	SKIPPED=1
	exit 0
}
die() {
	fail "$*"
	exit 1
}

# ---------------------------------------------------------------- container access

# in_ct CMD...: run CMD inside the container (all its namespaces, its root),
# with a clean environment.
in_ct() {
	nsenter --target "$LEADER" --all -- /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}

# prop NAME: one property of i2pgate.service.
prop() { in_ct systemctl show -P "$1" i2pgate.service 2>/dev/null || true; }

# sample: "ActiveState SubState MainPID NRestarts|StatusText" of the unit.
sample() {
	in_ct systemctl show -p ActiveState,SubState,MainPID,NRestarts,StatusText i2pgate.service 2>/dev/null |
		awk -F= '{v[$1]=substr($0, length($1) + 2)}
			END {printf "%s %s %s %s|%s\n", v["ActiveState"], v["SubState"], v["MainPID"], v["NRestarts"], v["StatusText"]}'
}

# tunnels_both STATUS: true when the STATUS= line shows exploratory tunnels in
# both directions ("... tunnels expl I/O ..." with I and O above 0).
tunnels_both() {
	[[ $1 =~ expl\ ([0-9]+)/([0-9]+) ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[2] > 0))
}

# wait_active OLDPID SECS: poll until the unit is active with a main PID other
# than OLDPID; every sample goes to $LOGS/states.log. Sets SEEN_ACTIVATING (a
# sample of the new process before READY), SEEN_NO_TUNNELS (such a sample whose
# STATUS= showed no tunnels in some direction), ACTIVE_STATUS and ACTIVE_AFTER (s).
wait_active() {
	local old=$1 secs=$2 t0=$SECONDS s state sub pid
	SEEN_ACTIVATING=0 SEEN_NO_TUNNELS=0 ACTIVE_STATUS='' ACTIVE_AFTER=''
	while ((SECONDS - t0 < secs)); do
		s=$(sample)
		printf '%s %s\n' "$(date +%T.%N | cut -c1-12)" "$s" >>"$LOGS/states.log"
		read -r state sub pid _ <<<"${s%%|*}"
		if [[ $pid != 0 && $pid != "$old" ]]; then
			if [[ $state == activating ]]; then
				SEEN_ACTIVATING=1
				tunnels_both "${s#*|}" || SEEN_NO_TUNNELS=1
			elif [[ $state == active && $sub == running ]]; then
				ACTIVE_STATUS=${s#*|}
				ACTIVE_AFTER=$((SECONDS - t0))
				return 0
			fi
		fi
		sleep 0.5
	done
	return 1
}

# pkg_state: dpkg's status and version of the installed i2pgate package.
pkg_state() {
	# shellcheck disable=SC2016 # dpkg-query's own ${Field} syntax
	in_ct dpkg-query -W -f '${Status} ${Version}' i2pgate 2>&1 || true
}

# ---------------------------------------------------------------- cleanup

alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $state != Z ]]
}

# wait_gone PID SECS
wait_gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		alive "$1" || return 0
		sleep 0.1
	done
	return 1
}

save_logs() {
	[[ -n $LEADER ]] && alive "$LEADER" || return 0
	in_ct journalctl --no-pager -o short-precise -u i2pgate.service >"$LOGS/i2pgate.journal" 2>&1 || true
	in_ct journalctl --no-pager -o short-precise -b >"$LOGS/container.journal" 2>&1 || true
}

stop_container() {
	[[ -n $NSPAWN_PID ]] || return 0
	if alive "$NSPAWN_PID"; then
		if [[ -n $LEADER ]] && alive "$LEADER"; then
			in_ct systemctl --no-block poweroff >/dev/null 2>&1 || true
		fi
		if ! wait_gone "$NSPAWN_PID" 90; then
			log "the container did not power off in 90 s; SIGTERM to systemd-nspawn (PID $NSPAWN_PID)"
			kill -TERM "$NSPAWN_PID" 2>/dev/null || true
			if ! wait_gone "$NSPAWN_PID" 30; then
				log "SIGKILL to systemd-nspawn (PID $NSPAWN_PID) and the container's init (PID $LEADER)"
				kill -KILL "$NSPAWN_PID" 2>/dev/null || true
				if [[ -n $LEADER ]]; then
					kill -KILL "$LEADER" 2>/dev/null || true
				fi
				wait_gone "$NSPAWN_PID" 10 || log "warning: systemd-nspawn PID $NSPAWN_PID is still alive"
			fi
		fi
	fi
	[[ -n $LEADER ]] && alive "$LEADER" && log "warning: the container's init PID $LEADER is still alive"
	NSPAWN_PID=
}

finish() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	save_logs
	if [[ -n $DPKG_PID ]] && alive "$DPKG_PID"; then
		kill -TERM "$DPKG_PID" 2>/dev/null
		wait_gone "$DPKG_PID" 10
	fi
	stop_container
	if [[ -n $TESTNET_STARTED ]]; then
		"$TESTNET" down >/dev/null 2>&1 || log "warning: testnet.sh down failed"
		if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$TESTNET_NS"; then
			log "warning: namespace $TESTNET_NS still exists"
		fi
	fi
	if [[ -d $ROOTFS && ${SYSTEMD_TEST_KEEP:-} != 1 ]]; then
		if findmnt -rn -o TARGET | grep -q -- "^$ROOTFS"; then
			log "warning: mounts under $ROOTFS remain; not removing it"
		else
			rm -rf --one-file-system "$ROOTFS"
		fi
	fi
	if ((FAILED)) && [[ -s $LOGS/i2pgate.journal ]]; then
		log "last lines of the daemon's journal ($LOGS/i2pgate.journal):"
		tail -n 25 "$LOGS/i2pgate.journal" >&2
	fi
	if [[ -z ${SKIPPED:-} ]]; then
		((rc == 0 && FAILED == 0)) || rc=1
		[[ -d $LOGS ]] && log "logs in $LOGS"
		printf 'systemd-test: %d passed, %d failed\n' "$PASSED" "$FAILED"
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- preparation

preflight() {
	[[ $(id -u) == 0 ]] || skip "needs root (debootstrap, network namespaces, systemd-nspawn)"
	[[ $(uname -m) == x86_64 ]] || skip "the test boots an amd64 Debian and installs the amd64 package; this is $(uname -m)"
	local c missing=()
	for c in systemd-nspawn debootstrap nsenter dpkg-deb ip flock; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	((${#missing[@]} == 0)) || skip "missing ${missing[*]} (scripts/install-deps.sh --nspawn installs debootstrap and systemd-container)"
}

# ensure_rootfs: the cached debootstrapped root file system, made once.
ensure_rootfs() {
	local want="$SUITE minbase $INCLUDE"
	if [[ -f $ROOTFS_CACHE/$STAMP && $(<"$ROOTFS_CACHE/$STAMP") == "$want" ]]; then
		return 0
	fi
	log "debootstrap $SUITE ($INCLUDE) into $ROOTFS_CACHE, once"
	rm -rf --one-file-system "$ROOTFS_CACHE" "$ROOTFS_CACHE.tmp"
	if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS_CACHE.tmp" "$MIRROR" \
		>"$LOGS/debootstrap.log" 2>&1; then
		rm -rf --one-file-system "$ROOTFS_CACHE.tmp"
		skip "debootstrap $SUITE from $MIRROR failed: $(tail -n 3 "$LOGS/debootstrap.log" | tr '\n' ' ')"
	fi
	rm -rf "$ROOTFS_CACHE.tmp/var/cache/apt/archives/"*.deb
	printf '%s\n' "$want" >"$ROOTFS_CACHE.tmp/$STAMP"
	mv "$ROOTFS_CACHE.tmp" "$ROOTFS_CACHE"
}

# repack SRC DST VERSION [CONFLINE]: SRC with its version set to VERSION and, if
# CONFLINE is given, that line appended to the shipped default configuration.
repack() {
	local src=$1 dst=$2 version=$3 confline=${4:-} tree
	tree=$WORK/repack
	rm -rf "$tree"
	dpkg-deb -R "$src" "$tree"
	sed -i "s/^Version: .*/Version: $version/" "$tree/DEBIAN/control"
	if [[ -n $confline ]]; then
		printf '%s\n' "$confline" >>"$tree$CONF"
		(cd "$tree" && md5sum "${CONF#/}") >"$tree/md5.new"
		awk -v conf="${CONF#/}" 'NR == FNR {line = $0; next} $2 == conf {print line; next} {print}' \
			"$tree/md5.new" "$tree/DEBIAN/md5sums" >"$tree/md5.out"
		mv "$tree/md5.out" "$tree/DEBIAN/md5sums"
		rm "$tree/md5.new"
	fi
	dpkg-deb --root-owner-group -Zgzip -b "$tree" "$dst" >/dev/null
	rm -rf "$tree"
}

# testnet_config FILE: the shipped configuration, edited for the testnet.
testnet_config() {
	local f=$1 tmp=$1.tmp
	awk -v host="$GATE_ADDR" -v port="$GATE_PORT" -v seed="$SEED" '
		/^\[/ { sec = $0 }
		skip { if ($0 ~ /^\]/) skip = 0; next }
		sec == "" && /^netid *=/ { print "netid = 99"; n++; next }
		sec == "" && /^host *=/ { print "host = \"" host "\""; n++; next }
		sec == "" && /^port *=/ { print "port = " port; n++; next }
		sec == "" && /^reservedrange *=/ { print "reservedrange = false"; n++; next }
		sec == "[reseed]" && /^urls *= *\[/ { print "urls = []"; skip = ($0 !~ /\]/); n++; next }
		sec == "[reseed]" && /^file *=/ { print "file = \"" seed "\""; n++; next }
		sec == "[addressbook]" && /^subscriptions *=/ { print "subscriptions = []"; n++; next }
		{ print }
		END {
			print "# systemd-test: edited for the private testnet (netid 99, host " host ")"
			if (n != 7) exit 1
		}' "$f" >"$tmp" || {
		rm -f "$tmp"
		return 1
	}
	cat "$tmp" >"$f"
	rm -f "$tmp"
}

boot_container() {
	local args=(--boot --machine="$MACHINE" --directory="$ROOTFS"
		--network-namespace-path="/run/netns/$TESTNET_NS" --console=pipe)
	# Without systemd as the host's init there is no bus to register the
	# machine or make a scope: the container stays in nspawn's own cgroup.
	[[ -d /run/systemd/system ]] || args+=(--register=no --keep-unit)
	setsid systemd-nspawn "${args[@]}" </dev/null >"$LOGS/nspawn.log" 2>&1 &
	NSPAWN_PID=$!
	local i c
	for ((i = 0; i < 300; i++)); do
		alive "$NSPAWN_PID" || break
		for c in $(ps -o pid= --ppid "$NSPAWN_PID" 2>/dev/null); do
			[[ $(cat "/proc/$c/comm" 2>/dev/null) == systemd ]] && LEADER=$c
		done
		[[ -n $LEADER ]] && break
		sleep 0.1
	done
	if [[ -z $LEADER ]]; then
		wait_gone "$NSPAWN_PID" 5 || true
		skip "systemd-nspawn --boot did not start the container's systemd: $(tr '\n' ' ' <"$LOGS/nspawn.log")"
	fi
	local state=
	for ((i = 0; i < 120; i++)); do
		state=$(in_ct systemctl is-system-running 2>/dev/null) || true
		[[ $state == running || $state == degraded ]] && break
		alive "$LEADER" || break
		sleep 0.5
	done
	case $state in
	running) pass "the container's systemd booted ($(in_ct systemctl --version | head -n 1), state running)" ;;
	degraded) pass "the container's systemd booted (degraded: $(in_ct systemctl --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' '))" ;;
	*) skip "the container's systemd did not finish booting in 60 s (state '${state:-none}'); nspawn: $(tr '\n' ' ' <"$LOGS/nspawn.log")" ;;
	esac
}

# ---------------------------------------------------------------- checks

check_install() {
	log "dpkg -i $(basename "$DEB") (postinst starts the unit; shipped config: live network, unreachable here)"
	in_ct dpkg -i "/root/debs/$(basename "$DEB")" >"$LOGS/dpkg-install.log" 2>&1 &
	DPKG_PID=$!
	local i s state sub pid=0
	for ((i = 0; i < 120; i++)); do
		s=$(sample)
		read -r state sub pid _ <<<"${s%%|*}"
		[[ $pid != 0 && -n $pid ]] && break
		[[ $state == failed || $sub == auto-restart ]] && break
		alive "$DPKG_PID" || break
		sleep 0.5
	done
	if [[ $pid == 0 || -z $pid ]]; then
		die "the shipped unit does not start (${s%%|*}); the daemon said: $(in_ct journalctl --no-pager -o cat -u i2pgate.service -n 4 | tr '\n' ' ')"
	fi
	local passwd uid enabled
	passwd=$(in_ct getent passwd i2pgate) || true
	if [[ $passwd =~ ^i2pgate:x:([0-9]+):[0-9]+:[^:]*:/var/lib/i2pgate:(/usr/sbin/nologin|/bin/false)$ ]] && ((BASH_REMATCH[1] < 1000)); then
		pass "postinst created the system user: $passwd"
	else
		fail "no i2pgate system user as expected: '$passwd'"
	fi
	enabled=$(in_ct systemctl is-enabled i2pgate.service 2>&1) || true
	if [[ $enabled == enabled ]]; then
		pass "postinst enabled i2pgate.service"
	else
		fail "i2pgate.service is '$enabled', not enabled"
	fi
	uid=$(in_ct grep '^Uid:' "/proc/$pid/status" 2>/dev/null | cut -f2) || true
	if [[ -n $uid && $uid == "$(cut -d: -f3 <<<"$passwd")" ]]; then
		pass "the daemon (PID $pid in the container) runs as i2pgate (uid $uid)"
	else
		fail "the daemon (PID $pid) runs as uid '${uid:-?}', not i2pgate's"
	fi
	local dir
	dir=$(in_ct stat -c '%U %a' /var/lib/i2pgate 2>&1) || true
	if [[ $dir == "i2pgate 700" ]]; then
		pass "StateDirectory /var/lib/i2pgate is i2pgate's, mode 700"
	else
		fail "/var/lib/i2pgate is '$dir', want 'i2pgate 700'"
	fi

	# No tunnels can exist (the live network is unreachable): the unit must stay
	# activating while the health loop reports, for 3 looks and more.
	local t0=$SECONDS ok=1 loop=0 state last=
	while ((SECONDS - t0 < 20)); do
		s=$(sample)
		printf '%s install %s\n' "$(date +%T.%N | cut -c1-12)" "$s" >>"$LOGS/states.log"
		read -r state _ <<<"${s%%|*}"
		last=${s#*|}
		[[ $state == activating ]] || ok=0
		[[ $last == *"tunnels expl "* ]] && loop=1
		sleep 1
	done
	if ((ok && loop)) && ! tunnels_both "$last"; then
		pass "without tunnels the unit stays activating for 20 s; STATUS=$last"
	else
		fail "without tunnels: every sample activating=$ok, health loop status seen=$loop, last STATUS=$last"
	fi
	# postinst starts the unit with --no-block: dpkg must not wait the
	# minutes READY=1 can take.
	if ! alive "$DPKG_PID"; then
		pass "dpkg -i returned without waiting for READY=1 (postinst uses systemctl --no-block)"
	else
		fail "dpkg -i still waits for the start job after 20 s: $(in_ct systemctl list-jobs --no-legend | tr -s ' ' | head -n 1)"
	fi
	OLD_PID=$pid
}

check_ready() {
	local conf=$ROOTFS$CONF
	[[ -f $conf ]] || die "$CONF is missing after dpkg -i"
	cp "$conf" "$LOGS/i2pgate.toml.shipped"
	testnet_config "$conf" || die "$CONF does not have the keys the test edits (netid, host, port, reservedrange, reseed urls/file, addressbook subscriptions)"
	cp "$conf" "$LOGS/i2pgate.toml.edited"
	log "$CONF edited for the testnet; systemctl restart"
	in_ct systemctl --no-block restart i2pgate.service
	if wait_active "$OLD_PID" "$READY_TIMEOUT"; then
		if tunnels_both "$ACTIVE_STATUS" && ((SEEN_ACTIVATING && SEEN_NO_TUNNELS)); then
			pass "READY after tunnels: activating while STATUS= showed no tunnels both ways, active after ${ACTIVE_AFTER} s with STATUS=$ACTIVE_STATUS"
		else
			fail "active after ${ACTIVE_AFTER} s, but STATUS=$ACTIVE_STATUS (activating seen=$SEEN_ACTIVATING, without tunnels=$SEEN_NO_TUNNELS)"
		fi
	else
		die "not active $READY_TIMEOUT s after the restart with the testnet config: $(sample)"
	fi
	# dpkg has long finished (postinst does not wait): it must have
	# succeeded.
	local rc st
	if wait_gone "$DPKG_PID" 30; then
		wait "$DPKG_PID" && rc=0 || rc=$?
		st=$(pkg_state)
		if ((rc == 0)) && [[ $st == "install ok installed "* ]]; then
			pass "dpkg -i finished and the package is installed: $st"
		else
			fail "dpkg -i exited $rc; package state '$st'; $(tail -n 3 "$LOGS/dpkg-install.log")"
		fi
	else
		fail "dpkg -i still runs 30 s after the unit became active"
	fi
	DPKG_PID=
}

check_watchdog() {
	mkdir -p "$(dirname "$ROOTFS$DROPIN")"
	cat >"$ROOTFS$DROPIN" <<EOF
# scripts/systemd-test.sh: the test-only fault switch and a short watchdog.
[Service]
Environment=I2PGATE_FAULTS=1
WatchdogSec=$WATCHDOG_SEC
EOF
	in_ct systemctl daemon-reload
	local pid0
	pid0=$(prop MainPID)
	in_ct systemctl --no-block restart i2pgate.service
	wait_active "$pid0" "$READY_TIMEOUT" || die "not active after the restart with the fault drop-in: $(sample)"
	local wd env
	wd=$(prop WatchdogUSec)
	env=$(prop Environment)
	[[ $wd == "${WATCHDOG_SEC}s" && $env == *I2PGATE_FAULTS=1* ]] ||
		die "the drop-in is not in effect: WatchdogUSec=$wd Environment=$env"
	# Healthy: the daemon's pings keep the watchdog quiet.
	local n0 p0 s
	n0=$(prop NRestarts)
	p0=$(prop MainPID)
	sleep $((WATCHDOG_SEC * 5 / 2))
	s=$(sample)
	if [[ ${s%%|*} == "active running $p0 $n0" ]]; then
		pass "healthy with WatchdogSec=$WATCHDOG_SEC: still PID $p0, NRestarts $n0 after $((WATCHDOG_SEC * 5 / 2)) s"
	else
		fail "restarted while healthy: $s (was PID $p0, NRestarts $n0)"
	fi

	local since
	since=$(in_ct date +'%Y-%m-%d %H:%M:%S')
	in_ct touch /var/lib/i2pgate/wedge
	local t0=$SECONDS n=$n0 wedged_at=$EPOCHREALTIME
	while ((SECONDS - t0 < WEDGE_TIMEOUT)); do
		n=$(prop NRestarts)
		((n > n0)) && break
		sleep 0.5
	done
	local journal timeout_line
	journal=$(in_ct journalctl --no-pager -o short-unix -u i2pgate.service --since "$since" 2>&1) || true
	timeout_line=$(grep -m1 'Watchdog timeout' <<<"$journal") || true
	if ((n > n0)) && [[ -n $timeout_line ]] && grep -q "Failed with result 'watchdog'" <<<"$journal"; then
		local secs
		secs=$(awk -v a="${timeout_line%% *}" -v b="$wedged_at" 'BEGIN {printf "%.1f", a - b}')
		pass "wedged: systemd logged '${timeout_line#* * }' ${secs} s after the wedge file, NRestarts $n0 -> $n"
		grep -m1 'watchdog pings stop' <<<"$journal" >>"$LOGS/watchdog.txt" || true
	else
		fail "no watchdog restart $WEDGE_TIMEOUT s after the wedge file: NRestarts $n0 -> $n; journal: $(tail -n 5 <<<"$journal")"
	fi
	in_ct rm -f /var/lib/i2pgate/wedge
	if wait_active "$p0" "$READY_TIMEOUT"; then
		n=$(prop NRestarts)
		if ((n == n0 + 1)); then
			pass "wedge removed: active again after ${ACTIVE_AFTER} s (NRestarts $n), STATUS=$ACTIVE_STATUS"
		else
			fail "active again, but NRestarts $n0 -> $n (want exactly one restart)"
		fi
	else
		fail "not active again $READY_TIMEOUT s after removing the wedge file: $(sample)"
	fi
}

check_upgrade() {
	local v1 v2 v3 edited keys pid
	v1=$(dpkg-deb -f "$DEB" Version)
	v2=$v1+sdtest2
	v3=$v1+sdtest3
	if ! dpkg --compare-versions "$v2" gt "$v1" || ! dpkg --compare-versions "$v3" gt "$v2"; then
		die "versions $v2 and $v3 do not sort after $v1"
	fi
	repack "$DEB" "$ROOTFS/root/debs/upgrade2.deb" "$v2"
	repack "$DEB" "$ROOTFS/root/debs/upgrade3.deb" "$v3" "# systemd-test: a changed default in $v3"
	edited=$(sha256sum <"$ROOTFS$CONF")
	keys=$(in_ct sha256sum /var/lib/i2pgate/router.keys | cut -d' ' -f1)

	pid=$(prop MainPID)
	log "upgrade $v1 -> $v2 (same default config), plain dpkg -i"
	if timeout $((READY_TIMEOUT + 60)) nsenter --target "$LEADER" --all -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		dpkg -i /root/debs/upgrade2.deb </dev/null >"$LOGS/dpkg-upgrade2.log" 2>&1; then
		pass "dpkg -i $v2 succeeded"
	else
		fail "dpkg -i $v2 failed: $(tail -n 5 "$LOGS/dpkg-upgrade2.log")"
	fi
	check_after_upgrade "$v2" "$edited" "$keys" "$pid"
	local stray
	stray=$(compgen -G "$ROOTFS$CONF.dpkg-*") || true
	[[ -z $stray ]] || fail "an unchanged default left ${stray//$'\n'/ }"

	pid=$(prop MainPID)
	log "upgrade $v2 -> $v3 (changed default config), dpkg -i --force-confdef --force-confold"
	if timeout $((READY_TIMEOUT + 60)) nsenter --target "$LEADER" --all -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		dpkg -i --force-confdef --force-confold /root/debs/upgrade3.deb </dev/null >"$LOGS/dpkg-upgrade3.log" 2>&1; then
		pass "dpkg -i $v3 succeeded"
	else
		fail "dpkg -i $v3 failed: $(tail -n 5 "$LOGS/dpkg-upgrade3.log")"
	fi
	check_after_upgrade "$v3" "$edited" "$keys" "$pid"
	if grep -q "a changed default in $v3" "$ROOTFS$CONF.dpkg-dist" 2>/dev/null; then
		pass "the new default configuration waits in $CONF.dpkg-dist"
	else
		fail "no $CONF.dpkg-dist with the new default"
	fi
}

# check_after_upgrade VERSION CONFSUM KEYSUM OLDPID
check_after_upgrade() {
	local v=$1 st keys
	st=$(pkg_state)
	[[ $st == "install ok installed $v" ]] || fail "package state after the upgrade: '$st'"
	if [[ $(sha256sum <"$ROOTFS$CONF") == "$2" ]] && grep -q '^netid = 99$' "$ROOTFS$CONF"; then
		pass "$v: the edited $CONF survived the upgrade (netid = 99, host = \"$GATE_ADDR\")"
	else
		fail "$v: $CONF changed in the upgrade: $(diff "$LOGS/i2pgate.toml.edited" "$ROOTFS$CONF" | head -n 5 | tr '\n' ' ')"
	fi
	# postinst restarted the daemon; it reads the kept config: back on the testnet.
	if wait_active "$4" 60; then
		keys=$(in_ct sha256sum /var/lib/i2pgate/router.keys | cut -d' ' -f1)
		if [[ $keys == "$3" ]]; then
			pass "$v: postinst restarted the daemon (PID $4 -> $(prop MainPID)), active with STATUS=$ACTIVE_STATUS, same router.keys"
		else
			fail "$v: active again, but router.keys changed"
		fi
	else
		fail "$v: not active again with a new main PID after the upgrade: $(sample)"
	fi
}

check_purge() {
	if in_ct dpkg --purge i2pgate >"$LOGS/dpkg-purge.log" 2>&1; then
		local state left
		state=$(in_ct systemctl is-active i2pgate.service 2>&1) || true
		left=$(in_ct ls -d /etc/i2pgate /var/lib/i2pgate /usr/bin/i2pgate 2>/dev/null) || true
		if [[ $state != active && $state != activating && -z $left ]]; then
			pass "dpkg --purge: unit $state, /etc/i2pgate, /var/lib/i2pgate and the binary gone"
		else
			fail "dpkg --purge: unit '$state', left: $left"
		fi
	else
		fail "dpkg --purge failed: $(tail -n 5 "$LOGS/dpkg-purge.log")"
	fi
}

# ---------------------------------------------------------------- main

main() {
	trap finish EXIT
	trap 'exit 130' INT TERM
	preflight
	DEB=${1:-}
	if [[ -z $DEB ]]; then
		# shellcheck disable=SC2012 # newest first; the names have no blanks
		DEB=$(ls -t "$REPO_DIR"/dist/i2pgate_*_amd64.deb 2>/dev/null | head -n 1) || true
		[[ -n $DEB ]] || die "no dist/i2pgate_*_amd64.deb (make deb)"
	fi
	[[ -f $DEB ]] || die "no package $DEB"
	[[ $(dpkg-deb -f "$DEB" Package)/$(dpkg-deb -f "$DEB" Architecture) == i2pgate/amd64 ]] ||
		die "$DEB is not the amd64 i2pgate package"

	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	flock -n 9 || die "another systemd-test.sh holds $CACHE/lock"
	if [[ -e $WORK && ! -f $WORK/$MARKER ]]; then
		die "$WORK exists and is not this test's work dir; remove it or set SYSTEMD_TEST_DIR"
	fi
	rm -rf --one-file-system "$WORK"
	mkdir -p "$LOGS"
	touch "$WORK/$MARKER"
	ensure_rootfs

	log "testnet up (namespace $TESTNET_NS)"
	TESTNET_STARTED=1
	"$TESTNET" up >"$LOGS/testnet-up.log" 2>&1 || die "testnet.sh up failed: $(tail -n 5 "$LOGS/testnet-up.log")"

	log "copying the root file system from $ROOTFS_CACHE"
	cp -a --reflink=auto "$ROOTFS_CACHE" "$ROOTFS"
	mkdir -p "$ROOTFS/root/debs" "$ROOTFS$(dirname "$SEED")"
	cp "$DEB" "$ROOTFS/root/debs/"
	echo "$MACHINE" >"$ROOTFS/etc/hostname"
	install -m 0644 "$TESTNET_DIR/seed.zip" "$ROOTFS$SEED"

	boot_container
	check_install
	check_ready
	check_watchdog
	check_upgrade
	check_purge
}

main "$@"
