# Helpers for the interop scripts (sourced, not run): a temp dir, free ports,
# a real sshd and a `nullspace agent` on 127.0.0.1, clean-up of every process
# started, and assertions that say what was expected and what came instead.
# A script exits 0 when every check passed, 77 when it cannot run here, 1 else.
# Environment: NULLSPACE (the binary under test, default build/asan/nullspace),
# KEEP_TMP=1 keeps the temp dir for a post-mortem.

set -u
set -o pipefail

NS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NULLSPACE=${NULLSPACE:-$NS_ROOT/build/asan/nullspace}
case $NULLSPACE in
/*) ;;
*) NULLSPACE=$NS_ROOT/$NULLSPACE ;;
esac
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/ns-$TEST_NAME.XXXXXX") || exit 1
chmod 0700 "$T"
NS_PIDS=()        # every background process started, killed on exit
NS_LOGS=()        # server logs scanned for sanitizer reports on exit
NS_CHECKS=0
NS_DONE=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# ---- reporting --------------------------------------------------------------

# Tail of every server log, so a failure explains itself.
dump_logs()
{
	local f
	for f in "${NS_LOGS[@]}"; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 25 "$f" | cut -c1-300
	done
}

# die MSG: a fatal error (setup failed): ends the script.
die()
{
	echo "FAIL [$TEST_NAME]: $*" >&2
	dump_logs >&2
	exit 1
}

# fail MSG: a failed check. Ends the script, unless NS_KEEP_GOING=1 (for
# debugging a half-working binary: every failure is listed, exit 1 at pass).
NS_FAILS=0
fail()
{
	if [ "${NS_KEEP_GOING:-0}" = 1 ]; then
		NS_FAILS=$((NS_FAILS + 1))
		echo "FAIL [$TEST_NAME]: $*" >&2
		return 1
	fi
	die "$@"
}

skip()
{
	echo "SKIP [$TEST_NAME]: $*"
	exit 77
}

ok()
{
	NS_CHECKS=$((NS_CHECKS + 1))
	echo "ok $NS_CHECKS - $*"
}

# Ends a script that ran to completion.
pass()
{
	NS_DONE=1
	if [ "$NS_FAILS" -gt 0 ]; then
		echo "FAIL [$TEST_NAME]: $NS_FAILS failed, $NS_CHECKS passed" >&2
		dump_logs >&2
		exit 1
	fi
	echo "PASS [$TEST_NAME]: $NS_CHECKS checks"
	exit 0
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq()
{
	if [ "$2" != "$3" ]; then
		fail "$1: expected [$(printf '%s' "$2" | head -c 400)]," \
			"got [$(printf '%s' "$3" | head -c 400)]" || return 1
	fi
	ok "$1"
}

# assert_contains WHAT NEEDLE HAYSTACK-FILE
assert_contains()
{
	if ! grep -qF -- "$2" "$3"; then
		echo "---- $3:" >&2
		tail -c 2000 "$3" >&2
		echo >&2
		fail "$1: '$2' not found in $(basename "$3")" || return 1
	fi
	ok "$1"
}

# assert_not_contains WHAT NEEDLE FILE
assert_not_contains()
{
	if grep -qF -- "$2" "$3"; then
		fail "$1: '$2' unexpectedly found in $(basename "$3")" || return 1
	fi
	ok "$1"
}

# ---- processes --------------------------------------------------------------

# Reports ASan/UBSan/LSan findings in the server logs: a server that ran
# under a sanitizer and printed a report fails the script even if every
# client-side check passed.
sanitizer_findings()
{
	local f
	for f in "${NS_LOGS[@]}"; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$f"; then
			echo "sanitizer report in $f:" >&2
			grep -m1 -B2 -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" >&2
			return 0
		fi
	done
	return 1
}

# Stops every process started by spawn: TERM to its process group (servers
# are started in their own session, so their per-connection children go too),
# KILL after 5 s, and waits for each.
stop_all()
{
	local pid i
	for pid in "${NS_PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${NS_PIDS[@]}"; do
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "[$TEST_NAME] pid $pid ignored SIGTERM, killing" >&2
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	NS_PIDS=()
}

ns_cleanup()
{
	local rc=$?
	trap - EXIT
	stop_all
	if sanitizer_findings; then
		echo "FAIL [$TEST_NAME]: sanitizer report in a server log" >&2
		rc=1
	fi
	if [ "$rc" -eq 0 ] && [ "$NS_DONE" -ne 1 ]; then
		echo "FAIL [$TEST_NAME]: ended without calling pass" >&2
		rc=1
	fi
	if [ "${KEEP_TMP:-0}" = 1 ] || [ "$rc" -ne 0 -a "$rc" -ne 77 -a "${CI:-}" = "" -a -t 2 ]; then
		echo "[$TEST_NAME] kept $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap ns_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# spawn LOG CMD ARGS...: runs CMD in the background in a new session, stdout
# and stderr to LOG; sets SPAWNED to its pid.
spawn()
{
	local log=$1
	shift
	setsid "$@" </dev/null >>"$log" 2>&1 &
	SPAWNED=$!
	NS_PIDS+=("$SPAWNED")
}

# True if something listens on 127.0.0.1:PORT (asks the kernel: no connection
# is made, so server logs stay free of probe connections).
port_listening()
{
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

# pick_port [BASE [COUNT]]: a port nobody listens on and, while the range has
# others, not handed out before in this test. Each script gets its own range
# (derived from its name) so scripts running side by side do not collide;
# all below 32768, where Linux takes its ephemeral source ports.
pick_port()
{
	local base=${1:-} count=${2:-100} p i pass start=$RANDOM
	if [ -z "$base" ]; then
		base=$((20000 + ($(printf '%s' "$TEST_NAME" | cksum | cut -d' ' -f1) % 120) * 100))
	fi
	# A port handed out earlier in this test may not be bound yet (three
	# picks, then three servers): the first pass skips those; only when the
	# range holds no other free port does the second pass reuse one.
	for pass in fresh any; do
		for i in $(seq 0 $((count - 1))); do
			p=$((base + (start + i) % count))
			if [ $pass = fresh ] && grep -qx "$p" "$T/.picked_ports" 2>/dev/null; then
				continue
			fi
			if ! port_listening "$p"; then
				echo "$p" >>"$T/.picked_ports"
				echo "$p"
				return 0
			fi
		done
	done
	die "no free port in $base..$((base + count - 1))"
}

# wait_listen NAME PID PORT [SECONDS]
wait_listen()
{
	local name=$1 pid=$2 port=$3 secs=${4:-20} i
	for i in $(seq $((secs * 10))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			die "$name (pid $pid) exited with status $? before listening on port $port"
		fi
		if port_listening "$port"; then
			return 0
		fi
		sleep 0.1
	done
	die "$name (pid $pid) not listening on 127.0.0.1:$port after ${secs}s"
}

# ---- keys -------------------------------------------------------------------

need_nullspace()
{
	[ -x "$NULLSPACE" ] || die "NULLSPACE=$NULLSPACE is not an executable (build it first)"
}

need_root()
{
	[ "$(id -u)" = 0 ] || skip "needs root (runs a real sshd)"
	[ -x /usr/sbin/sshd ] || skip "/usr/sbin/sshd missing (openssh-server)"
	command -v ssh-keygen >/dev/null || skip "ssh-keygen missing (openssh-client)"
}

# ns_keygen FILE: an ed25519 key made by `nullspace keygen` (FILE, FILE.pub).
ns_keygen()
{
	"$NULLSPACE" keygen -f "$1" -C "nullspace-test" >"$T/keygen.out" 2>&1 </dev/null ||
		die "nullspace keygen -f $1 failed: $(cat "$T/keygen.out")"
	[ -s "$1" ] && [ -s "$1.pub" ] || die "nullspace keygen did not write $1 and $1.pub"
}

# ssh_keygen FILE: an ed25519 key made by OpenSSH's ssh-keygen.
ssh_keygen()
{
	ssh-keygen -q -t ed25519 -N '' -C "openssh-test" -f "$1" </dev/null >/dev/null ||
		die "ssh-keygen -f $1 failed"
}

# known_hosts_line PORT PUBFILE: the OpenSSH known_hosts line for
# [127.0.0.1]:PORT with the key in PUBFILE.
known_hosts_line()
{
	local type blob
	read -r type blob _ <"$2"
	echo "[127.0.0.1]:$1 $type $blob"
}

# ---- servers ----------------------------------------------------------------

# start_sshd: a real OpenSSH sshd on 127.0.0.1 with its own host key,
# config and authorized_keys. Sets SSHD_PORT SSHD_PID SSHD_LOG SSHD_HOSTKEY
# SSHD_AUTH (authorized_keys file, initially empty). Extra sshd_config lines
# may be passed as arguments.
start_sshd()
{
	need_root
	mkdir -p /run/sshd
	chmod 0755 /run/sshd
	SSHD_PORT=$(pick_port)
	SSHD_HOSTKEY=$T/sshd_host_ed25519
	SSHD_AUTH=$T/sshd_authorized_keys
	SSHD_LOG=$T/sshd.log
	[ -f "$SSHD_HOSTKEY" ] || ssh_keygen "$SSHD_HOSTKEY"
	: >>"$SSHD_AUTH"
	{
		echo "ListenAddress 127.0.0.1"
		echo "Port $SSHD_PORT"
		echo "HostKey $SSHD_HOSTKEY"
		echo "AuthorizedKeysFile $SSHD_AUTH"
		echo "PermitRootLogin yes"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "PidFile none"
		echo "PrintMotd no"
		echo "PrintLastLog no"
		echo "MaxStartups 100:30:200"
		echo "MaxSessions 50"
		echo "LogLevel DEBUG3"
		local line
		for line in "$@"; do
			echo "$line"
		done
	} >"$T/sshd_config"
	/usr/sbin/sshd -t -f "$T/sshd_config" >"$T/sshd_t.out" 2>&1 ||
		die "sshd -t rejects the test config: $(cat "$T/sshd_t.out")"
	NS_LOGS+=("$SSHD_LOG")
	spawn "$T/sshd.stderr" /usr/sbin/sshd -D -e -f "$T/sshd_config" -E "$SSHD_LOG"
	SSHD_PID=$SPAWNED
	wait_listen sshd "$SSHD_PID" "$SSHD_PORT"
}

# agent_home: an empty folder for `nullspace agent --home`, printed. Every
# agent a test starts gets one: sessions run the passwd shell as sshd does,
# and bash sources ~/.bashrc for them, so the runner's own dotfiles (a slow
# `pyenv init` in root's) must not be what HOME points at.
agent_home()
{
	mkdir -p "$T/agent_home" && echo "$T/agent_home"
}

# start_agent [EXTRA ARGS...]: `nullspace agent` on 127.0.0.1 with a host key
# made by our keygen. Sets AGENT_PORT AGENT_PID AGENT_LOG AGENT_HOSTKEY
# AGENT_AUTH (authorized_keys, initially empty unless it exists).
start_agent()
{
	need_nullspace
	AGENT_PORT=$(pick_port)
	AGENT_HOSTKEY=$T/agent_host_ed25519
	AGENT_AUTH=$T/agent_authorized_keys
	AGENT_LOG=$T/agent.log
	[ -f "$AGENT_HOSTKEY" ] || ns_keygen "$AGENT_HOSTKEY"
	: >>"$AGENT_AUTH"
	NS_LOGS+=("$AGENT_LOG")
	# an empty home: see agent_home
	case " $* " in
	*" --home "*) ;;
	*) set -- --home "$(agent_home)" "$@" ;;
	esac
	spawn "$AGENT_LOG" "$NULLSPACE" agent --listen "127.0.0.1:$AGENT_PORT" \
		--host-key "$AGENT_HOSTKEY" --authorized-keys "$AGENT_AUTH" "$@"
	AGENT_PID=$SPAWNED
	wait_listen "nullspace agent" "$AGENT_PID" "$AGENT_PORT"
}

# start_up [EXTRA ARGS...]: `nullspace up` with NULLSPACE_HOME=$T/home (exported,
# the API variables unset) on two free ports, waited for. Sets API_PORT
# RELAY_PORT UP_LOG UP_PID.
start_up()
{
	need_nullspace
	export NULLSPACE_HOME=$T/home
	unset NULLSPACE_API_URL NULLSPACE_API_KEY
	API_PORT=$(pick_port)
	RELAY_PORT=$(pick_port)
	[ "$API_PORT" != "$RELAY_PORT" ] || RELAY_PORT=$(pick_port)
	UP_LOG=$T/up.log
	NS_LOGS+=("$UP_LOG")
	spawn "$UP_LOG" env NULLSPACE_HOME="$NULLSPACE_HOME" "$NULLSPACE" up \
		--api-listen "127.0.0.1:$API_PORT" --relay-listen "127.0.0.1:$RELAY_PORT" "$@"
	UP_PID=$SPAWNED
	wait_listen "nullspace up (relay)" "$UP_PID" "$RELAY_PORT" 60
	wait_listen "nullspace up (API)" "$UP_PID" "$API_PORT" 60
	wait_up_config "$UP_LOG" "$UP_PID"
}

# wait_up_config LOG PID: until `up` has written its CLI config (it does so
# once both its API and its relay listen, then logs "CLI config ...").
wait_up_config()
{
	local i
	for i in $(seq 600); do
		grep -q "CLI config .* \(written\|updated\|kept\)" "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || die "nullspace up (pid $2) exited before writing its CLI config"
		sleep 0.1
	done
	die "nullspace up (pid $2) wrote no CLI config in 60 s"
}

agent_alive()
{
	kill -0 "$AGENT_PID" 2>/dev/null || {
		wait "$AGENT_PID"
		die "nullspace agent (pid $AGENT_PID) died (status $?)"
	}
}

# ---- clients ----------------------------------------------------------------

# OpenSSH client options for the tests: no user config (so no ControlMaster), pinned host keys,
# only the given key, never a prompt. Usage: "${SSH[@]}" -i KEY -p PORT ...
SSH=(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes
	-o "UserKnownHostsFile=$T/known_hosts" -o GlobalKnownHostsFile=/dev/null
	-o IdentitiesOnly=yes -o ConnectTimeout=10 -o ServerAliveInterval=0)

# ns_connect ARGS...: our client with a timeout (NSC_TIMEOUT, default 120 s).
ns_connect()
{
	timeout -k 5 "${NSC_TIMEOUT:-120}" "$NULLSPACE" connect "$@"
}

# pty_run ROWS COLS CMD...: runs CMD with a pseudo-terminal of ROWS x COLS as
# its stdin/stdout (through script(1)); prints what it wrote, without CRs.
pty_run()
{
	local rows=$1 cols=$2 q cmd=
	shift 2
	for q in "$@"; do
		cmd+=" $(printf '%q' "$q")"
	done
	timeout -k 5 60 script -qfec "stty rows $rows cols $cols; exec$cmd" /dev/null </dev/null |
		tr -d '\r'
}

# start_relay_to_agent SANDBOX [RELAY_ARGS...]: `nullspace relay` routing
# SANDBOX to the agent of start_agent, with a CA made here ($T/ca). The agent's
# authorized_keys gains the relay's client key. Sets RELAY_PORT RELAY_PID
# RELAY_LOG RELAY_HOSTKEY; sign_user PUB NAME then makes $T/NAME-cert.pub.
start_relay_to_agent()
{
	[ -f "$T/ca" ] || ssh_keygen "$T/ca"
	RELAY_HOSTKEY=$T/relay_host
	ns_keygen "$RELAY_HOSTKEY"
	ns_keygen "$T/relay_client"
	cat "$T/relay_client.pub" >>"$AGENT_AUTH"
	mkdir -p "$T/registry"
	printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
		"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/$1"
	RELAY_PORT=$(pick_port)
	RELAY_LOG=$T/relay.log
	NS_LOGS+=("$RELAY_LOG")
	spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
		--host-key "$RELAY_HOSTKEY" --ca-keys "$T/ca.pub" --registry "$T/registry" \
		--client-key "$T/relay_client" "${@:2}"
	RELAY_PID=$SPAWNED
	wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
}

# sign_user PUB NAME PRINCIPAL: $T/NAME-cert.pub, PUB signed by $T/ca for an hour.
sign_user()
{
	cp "$1" "$T/$2.pub"
	ssh-keygen -q -s "$T/ca" -I "$2" -n "$3" -V -5m:+1h "$T/$2.pub" </dev/null >/dev/null 2>&1 ||
		die "ssh-keygen -s failed for $2"
}
