#!/usr/bin/env bash
# Idle sessions at scale through `nullspace relay`, and what the agent is
# told about each. (a) IDLE_N `sleep` sessions to ONE sandbox, each its own
# OpenSSH connection, opened in waves under the per-source pre-auth cap: all
# held on one agent connection, a new login works while they are, and the
# relay's and the agent's heaps (Pss_Anon, ASan's quarantine off) grow by at
# most NS_RELAY_IDLE_SESSION_BUDGET (transport/relay/relay.h) a session; the first
# session, which opens the agent connection, by at most four times that
# (the engines' channel tables were sized for their limit: 772 KiB). (b) The
# agent logs the user's certificate key id, serial and address on its session
# lines (the relay's nullspace-session@nullspace.dev request). (c) The same
# request straight to the agent from a certificate login is refused and
# logged as such (asyncssh sends it); from a plain authorized key, as the
# relay logs in, it is taken. (d) An agent's --max-channels reached behind
# the relay: the user is told which sandbox and which limit. (e) A session's
# pipes hold NS_SESSION_PIPE_IDLE until bulk data flows, then
# NS_SESSION_PIPE_BULK.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
command -v ss >/dev/null || skip "ss (iproute2) missing"
need_nullspace

IDLE_N=${IDLE_N:-300}
WAVE=24 # logins started together: under the relay's 32 unauthenticated per source
BUDGET=$(awk '$2 == "NS_RELAY_IDLE_SESSION_BUDGET" { gsub(/[()]/, ""); print $3 * $5 }' \
	"$NS_ROOT/transport/relay/relay.h")
[ -n "$BUDGET" ] || die "NS_RELAY_IDLE_SESSION_BUDGET not found in transport/relay/relay.h"
# freed memory ASan keeps in quarantine is not what a session costs
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0"
# ASan's allocator (redzones, shadow memory, size classes) takes about 2.5
# times the heap of the release build for these small objects (measured: 20
# KiB a session against 7.8): an ASan build is held to twice the budget,
# the release build (NULLSPACE=bin/nullspace, bench/relay.sh) to the budget.
ASAN=0
if grep -qa __asan_init "$NULLSPACE"; then
	ASAN=1
	BUDGET=$((BUDGET * 2))
	echo "# ASan build: heap budget per session doubled to $BUDGET B"
fi

ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent --max-channels 1000 --ca-keys "$T/ca.pub"
MAIN_AGENT_PORT=$AGENT_PORT

REG=$T/registry
mkdir -p "$REG"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$REG/sb_idle"

RELAY_PORT=$(pick_port)
RELAY_LOG=$T/relay.log
NS_LOGS+=("$RELAY_LOG")
spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
	--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --registry "$REG" \
	--client-key "$T/relay_client" --max-connections-per-sandbox 1000 \
	--max-authed-per-source 1000
RELAY_PID=$SPAWNED
wait_listen "nullspace relay" "$RELAY_PID" "$RELAY_PORT"
known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >"$T/known_hosts"

cp "$T/user.pub" "$T/good.pub"
ssh-keygen -q -s "$T/ca" -I 'ci runner=7' -n sb_idle,sb_small,root -V -5m:+1h -z 4242 \
	"$T/good.pub" </dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"
R=("${SSH[@]}" -i "$T/user" -p "$RELAY_PORT" -o "CertificateFile=$T/good-cert.pub")

anon() { awk '$1 == "Pss_Anon:" { print $2 }' "/proc/$1/smaps_rollup"; }

"${R[@]}" sb_idle@127.0.0.1 true </dev/null || die "a first login through the relay failed"

# ---- (a) IDLE_N idle sessions, one connection each -----------------------------

# the first login's agent connection closes (NS_RELAY_INNER_IDLE_MS, 5 s)
wait_log_line()
{
	local w
	for ((w = 0; w < 100; w++)); do
		grep -q -- "$1" "$RELAY_LOG" && return 0
		sleep 0.1
	done
	return 1
}
wait_log_line "event=agent-close sandbox=sb_idle inner=1 reason=idle" ||
	die "the first agent connection did not close when idle"
sleep 1
r0=$(anon "$RELAY_PID")
a0=$(anon "$AGENT_PID")
mkdir -p "$T/up"
HOLD_PIDS=()
t0=$(date +%s)
# start_wave FROM TO: sessions FROM..TO-1 started, waited for
start_wave()
{
	local j
	for ((j = $1; j < $2; j++)); do
		"${R[@]}" sb_idle@127.0.0.1 'echo up; exec sleep 300' </dev/null >"$T/up/$j" \
			2>"$T/up/$j.err" &
		HOLD_PIDS+=($!)
		NS_PIDS+=($!)
	done
	for ((j = $1; j < $2; j++)); do
		while [ ! -s "$T/up/$j" ] && kill -0 "${HOLD_PIDS[j]}" 2>/dev/null &&
			[ $(($(date +%s) - t0)) -lt 240 ]; do
			sleep 0.05
		done
	done
}
start_wave 0 1 # the first session opens the agent connection
sleep 1
first=$((($(anon "$RELAY_PID") - r0 + $(anon "$AGENT_PID") - a0) * 1024))
for ((i = 1; i < IDLE_N; i += WAVE)); do
	start_wave "$i" $((i + WAVE < IDLE_N ? i + WAVE : IDLE_N))
done
up=0
for ((j = 0; j < IDLE_N; j++)); do
	[ -s "$T/up/$j" ] && kill -0 "${HOLD_PIDS[j]}" 2>/dev/null && up=$((up + 1))
done
echo "# $up of $IDLE_N sessions up in $(($(date +%s) - t0)) s"
assert_eq "$IDLE_N idle sessions held at once through the relay to one sandbox" "$IDLE_N" "$up"
assert_eq "on one agent connection" 1 \
	"$(ss -Htn state established "( sport = :$AGENT_PORT )" | wc -l)"
sleep 2
r1=$(anon "$RELAY_PID")
a1=$(anon "$AGENT_PID")
per=$((((r1 - r0) + (a1 - a0)) * 1024 / IDLE_N))
echo "# heap per idle session: relay $(((r1 - r0) * 1024 / IDLE_N)) B + agent" \
	"$(((a1 - a0) * 1024 / IDLE_N)) B = $per B (budget $BUDGET B)"
[ "$per" -le "$BUDGET" ] && ok "relay + agent heap per idle session: $per B, within $BUDGET" ||
	fail "relay + agent heap per idle session: $per B, over NS_RELAY_IDLE_SESSION_BUDGET ($BUDGET)"
# the first session opened the agent connection: a few KiB a side for its
# engines, never a table sized for the channel limit. (Release build only:
# ASan's allocator maps fresh regions for the first objects of each size,
# 176 KiB here; tests/test_chan.c test_table_on_demand holds the tables.)
echo "# heap of the first session, with the agent connection it opened: $first B"
if [ "$ASAN" = 0 ]; then
	[ "$first" -le $((BUDGET * 4)) ] &&
		ok "the first session, with the agent connection: $first B, within $((BUDGET * 4))" ||
		fail "the first session, with the agent connection: $first B, over $((BUDGET * 4))"
fi
t1=$(date +%s%N)
out=$(timeout 60 "${R[@]}" sb_idle@127.0.0.1 'echo fresh' </dev/null)
echo "# new login with $IDLE_N sessions held: $((($(date +%s%N) - t1) / 1000000)) ms"
assert_eq "a new login works with $IDLE_N sessions held" fresh "$out"
kill "${HOLD_PIDS[@]}" 2>/dev/null
wait "${HOLD_PIDS[@]}" 2>/dev/null

# ---- (b) the agent logs who each session is for ----------------------------------

out=$(timeout 60 "${R[@]}" sb_idle@127.0.0.1 'echo who' </dev/null)
assert_eq "a session after them" who "$out"
# the key id 'ci runner=7' has a space and '=': sanitised to 'ci?runner?7'
assert_contains "session-start carries the certificate's key id, serial and address" \
	"kind=exec pty=no key_id=ci?runner?7 serial=4242 src=127.0.0.1" \
	<(grep "event=session-start" "$AGENT_LOG")
assert_contains "session-end carries them too" "key_id=ci?runner?7 serial=4242 src=127.0.0.1" \
	<(grep "event=session-end" "$AGENT_LOG")
assert_eq "every session of the relay's was told (1 + $IDLE_N + 2 starts)" $((IDLE_N + 3)) \
	"$(grep "event=session-start" "$AGENT_LOG" | grep -c "key_id=ci?runner?7 serial=4242")"
assert_not_contains "the agent refused none of the relay's" "type=nullspace-session" "$AGENT_LOG"

# ---- (c) from anyone but a relay's login, refused ----------------------------------

PY=/usr/bin/python3
if "$PY" -c 'import asyncssh' 2>/dev/null; then
	INFO=(timeout 60 "$PY" "$(dirname "$0")/py/session_info.py" "$AGENT_PORT")
	out=$("${INFO[@]}" root "$T/user" "$T/good-cert.pub" forged-admin 1 10.9.9.9 'echo direct' \
		2>"$T/info1.err")
	assert_eq "a certificate login straight to the agent still runs its session" direct "$out"
	assert_contains "... its nullspace-session request is refused, logged" \
		"type=nullspace-session@nullspace.dev reason=not-relay" "$AGENT_LOG"
	assert_not_contains "... and its fields are not logged" "forged-admin" "$AGENT_LOG"
	# a plain authorized key, as the relay logs in
	cat "$T/user.pub" >>"$AGENT_AUTH"
	out=$("${INFO[@]}" root "$T/user" - relay-said 99 192.0.2.1 'echo keyed' 2>"$T/info2.err")
	assert_eq "a plain-key login runs its session" keyed "$out"
	assert_contains "... and its nullspace-session request is logged" \
		"key_id=relay-said serial=99 src=192.0.2.1" <(grep "event=session-start" "$AGENT_LOG")
else
	echo "# (c) skipped: python3-asyncssh missing"
fi

# ---- (e) a session's pipes: small while idle, large once bulk flows ----------------

# F_GETPIPE_SZ (1032) of the command's own stdout, from inside the session
PIPESZ='import fcntl, sys; sys.stderr.write("%d\n" % fcntl.fcntl(1, 1032))'
if [ -x /usr/bin/python3 ]; then
	timeout 60 "${R[@]}" sb_idle@127.0.0.1 "/usr/bin/python3 -c '$PIPESZ'" </dev/null \
		>/dev/null 2>"$T/pipe_idle"
	assert_eq "an idle session's stdout pipe holds NS_SESSION_PIPE_IDLE" 8192 \
		"$(tr -dc 0-9 <"$T/pipe_idle")"
	timeout 60 "${R[@]}" sb_idle@127.0.0.1 "head -c 4M /dev/zero; /usr/bin/python3 -c '$PIPESZ'" \
		</dev/null >/dev/null 2>"$T/pipe_bulk"
	assert_eq "after 4 MiB through it, NS_SESSION_PIPE_BULK" 1048576 "$(tr -dc 0-9 <"$T/pipe_bulk")"
else
	echo "# (e) skipped: no /usr/bin/python3"
fi

# ---- (d) the agent's --max-channels behind the relay names itself -------------------

AGENT_LOG_MAIN=$AGENT_LOG
AGENT_PID_MAIN=$AGENT_PID
AGENT_LOG=$T/agent_small.log
AGENT_PORT=$(pick_port)
NS_LOGS+=("$AGENT_LOG")
spawn "$AGENT_LOG" "$NULLSPACE" agent --home "$(agent_home)" --listen "127.0.0.1:$AGENT_PORT" \
	--host-key "$AGENT_HOSTKEY" --authorized-keys "$AGENT_AUTH" --max-channels 2
wait_listen "nullspace agent (small)" "$SPAWNED" "$AGENT_PORT"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$REG/sb_small"
SMALL=()
for k in 1 2; do
	"${R[@]}" sb_small@127.0.0.1 'echo up; exec sleep 60' </dev/null >"$T/small$k" 2>&1 &
	SMALL+=($!)
	NS_PIDS+=($!)
	for ((w = 0; w < 300; w++)); do
		[ -s "$T/small$k" ] && break
		sleep 0.1
	done
done
timeout 60 "${R[@]}" sb_small@127.0.0.1 'echo SHOULD-NOT-RUN' </dev/null >"$T/small3" 2>&1
assert_not_contains "the third session in sb_small did not run" SHOULD-NOT-RUN "$T/small3"
assert_contains "the user is told the sandbox and the limit" \
	"sandbox sb_small: too many channels: this connection has 2 sessions open, the limit" \
	"$T/small3"
assert_contains "the relay logs the agent's refusal" \
	"user=sb_small reason=agent code=4 msg=too?many?channels:" "$RELAY_LOG"
assert_contains "the agent logs its limit" "reason=max-channels max=2" "$AGENT_LOG"
kill "${SMALL[@]}" 2>/dev/null
wait "${SMALL[@]}" 2>/dev/null
AGENT_LOG=$AGENT_LOG_MAIN
AGENT_PID=$AGENT_PID_MAIN

pass
