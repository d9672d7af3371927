# shellcheck shell=bash
# lib.sh - shared by the testnet test scripts (sourced, not run). Expects NS and
# DIR (the testnet's namespace and work dir), TESTNET (path of testnet.sh) and a
# fail function.

# started_pids: PIDs the harness recorded (pid files and env file).
started_pids() {
	{
		cat "$DIR"/pids/*.pid 2>/dev/null || true
		grep -E '^TESTNET_[A-Z0-9_]*_PID=' "$DIR/testnet.env" 2>/dev/null | cut -d= -f2 || true
	} | grep -E '^[0-9]+$' | sort -u
}

alive() {
	local pid=$1 state
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]]
}

# down_and_verify: takes the testnet down and checks that no process it started
# is alive and that the namespace is gone; problems go to fail.
down_and_verify() {
	local pids pid
	pids=$(started_pids)
	"$TESTNET" down || fail "testnet.sh down failed"
	for pid in $pids; do
		alive "$pid" && fail "PID $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) is still alive after down"
	done
	for pid in $(pgrep -f -- "$DIR/" || true); do
		alive "$pid" && [[ $pid != "$$" ]] &&
			fail "PID $pid runs from $DIR after down: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
	if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$NS"; then
		fail "namespace $NS still exists after down"
	fi
	return 0
}
