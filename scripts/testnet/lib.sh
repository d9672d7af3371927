# shellcheck shell=bash
# lib.sh - shared by the testnet test scripts (sourced, not run). Expects NS and
# DIR (the testnet's namespace and work dir) and TESTNET (path of testnet.sh);
# the i2pgate test scripts also set TEST_NAME (log prefix), and BIN, CONSOLE
# and GATE_LOG once i2pgate runs. smoke.sh brings its own fail function.

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

: "${PASSED=0}" "${FAILED=0}" "${CURRENT=}"

if ! declare -F log >/dev/null; then
	log() { printf '%s: %s\n' "${TEST_NAME:-testnet}" "$*" >&2; }
fi
if ! declare -F fail >/dev/null; then
	fail() {
		log "FAIL: ${CURRENT:+$CURRENT: }$*"
		FAILED=$((FAILED + 1))
	}
fi
pass() {
	log "ok: $*"
	PASSED=$((PASSED + 1))
}

# finish is the EXIT trap of the i2pgate test scripts: report, take the net
# down, print the closing "N passed, M failed" line.
finish() {
	local rc=$?
	trap - EXIT
	((rc == 0)) || fail "a step failed (exit status $rc)"
	if [[ -n ${GATE_LOG:-} && $FAILED -gt 0 ]]; then
		log "last i2pgate log lines:"
		grep -v 'level=DEBUG' "$GATE_LOG" | tail -n 30 >&2 || true
	fi
	CURRENT=teardown
	down_and_verify
	echo "$TEST_NAME: $PASSED passed, $FAILED failed"
	((FAILED == 0))
}

# status_json prints i2pgate's /api/status (empty when it does not answer).
status_json() {
	ip netns exec "$NS" "$BIN" status --json --console.address="$CONSOLE" 2>/dev/null || true
}

# num KEY JSON: the integer value of "KEY" in JSON (0 when absent).
num() {
	local v
	v=$(grep -o "\"$1\": *[0-9]*" <<<"$2" | grep -o '[0-9]*$' | head -n 1)
	echo "${v:-0}"
}

# str KEY JSON: the string value of "KEY" in JSON.
str() { grep -o "\"$1\": *\"[^\"]*\"" <<<"$2" | sed 's/.*: *"\(.*\)"/\1/' | head -n 1; }

# wait_for DESCRIPTION SECONDS CONDITION-FUNCTION: pass when the condition
# holds within the bound, else fail with the last status.
wait_for() {
	local what=$1 limit=$2 cond=$3 t0=$SECONDS
	while ((SECONDS - t0 < limit)); do
		if "$cond"; then
			pass "$what (after $((SECONDS - t0)) s)"
			return 0
		fi
		sleep 2
	done
	fail "$what: not within $limit s; status: $(status_json | tr -d '\n ')"
	return 0
}

# up_with_gate [ARGS...]: brings the testnet up, builds i2pgate from the work
# tree, adds it in slot 1 with ARGS, and sets BIN, ENV_FILE, GATE_LOG, CONSOLE
# (and every TESTNET_* variable of the env file).
up_with_gate() {
	"$TESTNET" up
	BIN=$DIR/i2pgate
	(cd "$REPO_DIR" && CGO_ENABLED=0 go build -o "$BIN" ./cmd/i2pgate)
	export I2PGATE_BIN=$BIN
	ENV_FILE=$("$TESTNET" env)
	"$TESTNET" add-i2pgate 1 "$@"
	# shellcheck disable=SC1090
	source "$ENV_FILE"
	GATE_LOG=$TESTNET_I2PGATE1_LOG
	CONSOLE=$TESTNET_I2PGATE1_CONSOLE
}
