#!/usr/bin/env bash
# Every named limit of `nullspace agent`, each reached and logged: the
# unauthenticated connections per source (the attack of issue 9 rerun: one
# address holding 300 idle connections while `ssh` from another address logs
# in), that unix-socket peers are not counted, the login grace time, max
# connections, channels per connection and authentication attempts; and a
# pty-req with a 30,000-byte TERM fails alone, the connection kept; packets
# over 32 KiB are taken.
# Bounded: at most 300 connections, all on 127.0.0.0/8, about 40 s.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
HOLD=$(dirname "$0")/py/hold_conns.py

ns_keygen "$T/id_ns"

# agent_up [ARGS...]: a fresh agent (the previous one stopped), with the test
# key authorized; S is the ssh command line for it.
RUNS=0
agent_up()
{
	agent_down
	: >"$T/agent_authorized_keys"
	start_agent "$@"
	cat "$T/id_ns.pub" >>"$AGENT_AUTH"
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
	S=("${SSH[@]}" -p "$AGENT_PORT" -i "$T/id_ns")
}

# agent_down: stop the agent, and keep its log aside (each run has its own).
agent_down()
{
	if [ -n "${AGENT_PID:-}" ]; then
		kill -TERM "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
		RUNS=$((RUNS + 1))
		mv "$AGENT_LOG" "$T/agent.run$RUNS.log"
		NS_LOGS+=("$T/agent.run$RUNS.log")
	fi
	AGENT_PID=
}

# holder NAME ARGS...: hold_conns.py in the background, output to $T/NAME.out;
# returns once it has printed its held/refused line (at most 20 s).
holder()
{
	local name=$1 i
	shift
	spawn "$T/$name.out" python3 "$HOLD" "$@"
	HOLDER_PID=$SPAWNED
	for i in $(seq 200); do
		grep -q '^held=' "$T/$name.out" && return 0
		sleep 0.1
	done
	die "$name: hold_conns.py printed no verdict: $(cat "$T/$name.out")"
}

holder_stop()
{
	kill -TERM "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
}

# wait_log PATTERN COUNT: until the agent log has COUNT lines matching (10 s).
wait_log()
{
	local i
	for i in $(seq 100); do
		[ "$(grep -c -- "$1" "$AGENT_LOG")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

login()
{
	timeout 60 "${S[@]}" "$@" root@127.0.0.1 "echo login-ok" </dev/null 2>"$T/login.err"
}

# ---- 1. the attack rerun: defaults, one source holds 300 idle connections --
agent_up
assert_contains "listen line names the per-source cap" "max_unauth_per_source=16" "$AGENT_LOG"
holder attack --src 127.0.0.2 127.0.0.1 "$AGENT_PORT" 300 60
assert_eq "one source keeps only 16 unauthenticated connections" "held=16 refused=284" \
	"$(head -n1 "$T/attack.out")"
assert_contains "refusals logged with their reason" \
	"agent event=reject peer=127.0.0.2 reason=unauth-per-source" "$AGENT_LOG"
out=$(login -b 127.0.0.1)
assert_eq "ssh from another source logs in while they are held" "login-ok" "$out"
holder_stop

# ---- 2. cap set by flag; released on close, on timeout, on authentication --
agent_up --max-unauth-per-source 2 --login-grace-time 3
holder cap --wait-close --src 127.0.0.3 127.0.0.1 "$AGENT_PORT" 3 15
assert_eq "--max-unauth-per-source 2: 2 held, 1 refused" "held=2 refused=1" \
	"$(head -n1 "$T/cap.out")"
wait "$HOLDER_PID"
read -r closed after <<<"$(sed -n 2p "$T/cap.out")"
assert_eq "login grace time closes both" "closed=2" "$closed"
after=${after#after=}
awk -v a="$after" 'BEGIN { exit !(a >= 2.5 && a <= 8) }' &&
	ok "closed after ${after}s (--login-grace-time 3)" ||
	fail "closed after ${after}s, want about 3 s"
wait_log "agent event=login-timeout conn=[0-9]* peer=127.0.0.3" 2 &&
	ok "login-timeout logged for each" || fail "login-timeout not logged twice"
holder cap2 --src 127.0.0.3 127.0.0.1 "$AGENT_PORT" 2 5
assert_eq "the source's count was given back when they closed" "held=2 refused=0" \
	"$(head -n1 "$T/cap2.out")"
holder_stop

for i in 1 2; do
	spawn "$T/authed$i.out" timeout 60 "${S[@]}" -b 127.0.0.4 root@127.0.0.1 "sleep 6; echo done$i"
done
AUTHED=("${NS_PIDS[@]: -2}")
wait_log "agent event=session-start" 2 || fail "the two ssh sessions did not start"
holder cap3 --src 127.0.0.4 127.0.0.1 "$AGENT_PORT" 3 5
assert_eq "authenticated connections do not count against their source" \
	"held=2 refused=1" "$(head -n1 "$T/cap3.out")"
holder_stop
for p in "${AUTHED[@]}"; do
	wait "$p"
done
assert_eq "the authenticated sessions ran to the end" "done1 done2" \
	"$(cat "$T/authed1.out" "$T/authed2.out" | tr '\n' ' ' | sed 's/ $//')"

# a burst of connections opened and closed before the agent reads them (it
# is stopped meanwhile): those that hung up do not count, none is refused
kill -STOP "$AGENT_PID"
python3 -c '
import socket, sys
for i in range(20):
    s = socket.socket()
    s.bind(("127.0.0.6", 0))
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.close()
' "$AGENT_PORT"
kill -CONT "$AGENT_PID"
wait_log "agent event=connect peer=127.0.0.6" 20 || true
assert_eq "20 connections opened and closed in one burst: all accepted" "20" \
	"$(grep -c 'agent event=connect peer=127.0.0.6 ' "$AGENT_LOG")"
assert_not_contains "none refused" "reject peer=127.0.0.6" "$AGENT_LOG"

# ---- 3. unix-socket peers are not counted (the relay's hop in a sandbox) ----
agent_down
AGENT_LOG=$T/agent.log
NS_LOGS+=("$AGENT_LOG")
spawn "$AGENT_LOG" "$NULLSPACE" agent --home "$(agent_home)" --listen "unix:$T/agent.sock" --host-key "$AGENT_HOSTKEY" \
	--authorized-keys "$AGENT_AUTH" --max-unauth-per-source 1
AGENT_PID=$SPAWNED
for i in $(seq 100); do
	[ -S "$T/agent.sock" ] && break
	sleep 0.1
done
holder unix --unix "$T/agent.sock" x 0 4 5
assert_eq "unix socket: 4 idle connections held with --max-unauth-per-source 1" \
	"held=4 refused=0" "$(head -n1 "$T/unix.out")"
holder_stop
assert_not_contains "unix socket: no refusal logged" "event=reject" "$AGENT_LOG"
agent_down

# ---- 4. max connections ----------------------------------------------------
agent_up --max-connections 8 --max-unauth-per-source 100
holder maxconn --src 127.0.0.5 127.0.0.1 "$AGENT_PORT" 10 5
assert_eq "--max-connections 8: 8 held, 2 refused" "held=8 refused=2" \
	"$(head -n1 "$T/maxconn.out")"
assert_contains "refusal logged" "agent event=reject peer=127.0.0.5 reason=max-connections" \
	"$AGENT_LOG"
holder_stop
wait_log "agent event=closed" 8 || fail "the 8 held connections were not closed"
assert_eq "ssh logs in once they are gone" "login-ok" "$(login)"

# ---- 5. channels per connection (OpenSSH multiplexing) ---------------------
agent_up --max-channels 2
CM=(-o ControlPath="$T/cm")
spawn "$T/master.out" "${S[@]}" "${CM[@]}" -o ControlMaster=yes -N root@127.0.0.1
for i in $(seq 100); do
	[ -S "$T/cm" ] && break
	sleep 0.1
done
[ -S "$T/cm" ] || die "ssh control master did not start: $(cat "$T/master.out")"
for i in 1 2; do
	spawn "$T/chan$i.out" timeout 60 "${S[@]}" "${CM[@]}" root@127.0.0.1 "sleep 5; echo chan$i"
done
CHANS=("${NS_PIDS[@]: -2}")
wait_log "agent event=session-start" 2 || fail "the two multiplexed sessions did not start"
timeout 30 "${S[@]}" "${CM[@]}" root@127.0.0.1 "echo third" </dev/null >"$T/chan3.out" 2>&1
# (ssh then falls back to a connection of its own: that one may run it)
assert_contains "a third session on the connection is refused" \
	"session request failed: Session open refused by peer" "$T/chan3.out"
assert_eq "two sessions ran on the multiplexed connection" "2" \
	"$(grep -c 'agent event=session-start conn=1 ' "$AGENT_LOG")"
assert_contains "channel refusal logged" "event=channel-refused conn=1 type=session reason=max-channels max=2" \
	"$AGENT_LOG"
for p in "${CHANS[@]}"; do
	wait "$p"
done
assert_eq "the two sessions ran to the end on the same connection" "chan1 chan2" \
	"$(cat "$T/chan1.out" "$T/chan2.out" | tr '\n' ' ' | sed 's/ $//')"

# ---- 6. authentication attempts ---------------------------------------------
for i in 1 2 3 4 5 6; do
	ns_keygen "$T/wrong$i"
done
wrong() { local i; for i in $(seq "$1"); do printf -- '-i\n%s\n' "$T/wrong$i"; done; }
agent_up
mapfile -t W5 < <(wrong 5)
mapfile -t W6 < <(wrong 6)
# ssh offers keys in the order given: the right one last
SW=("${SSH[@]}" -p "$AGENT_PORT")
out=$(timeout 60 "${SW[@]}" "${W5[@]}" -i "$T/id_ns" root@127.0.0.1 "echo login-ok" </dev/null 2>"$T/tries5.err")
assert_eq "5 wrong keys, then the right one: logged in (limit 6)" "login-ok" "$out"
out=$(timeout 60 "${SW[@]}" "${W6[@]}" -i "$T/id_ns" root@127.0.0.1 "echo login-ok" </dev/null 2>"$T/tries6.err")
assert_eq "6 wrong keys: the right one is never reached" "" "$out"
assert_contains "the client is told why" "too many authentication failures" "$T/tries6.err"
assert_contains "the agent logs why" 'msg="too many authentication failures"' "$AGENT_LOG"
agent_up --max-auth-tries 2
SW=("${SSH[@]}" -p "$AGENT_PORT")
mapfile -t W1 < <(wrong 1)
mapfile -t W2 < <(wrong 2)
out=$(timeout 60 "${SW[@]}" "${W1[@]}" -i "$T/id_ns" root@127.0.0.1 "echo login-ok" </dev/null 2>"$T/tries1.err")
assert_eq "--max-auth-tries 2: 1 wrong key, then the right one: logged in" "login-ok" "$out"
out=$(timeout 60 "${SW[@]}" "${W2[@]}" -i "$T/id_ns" root@127.0.0.1 "echo login-ok" </dev/null 2>"$T/tries2.err")
assert_eq "--max-auth-tries 2: 2 wrong keys end the connection" "" "$out"
assert_contains "the client is told why" "too many authentication failures" "$T/tries2.err"

# ---- 7. request fields over their limits: the request fails, not the login --
# ssh on a terminal (script(1)) with no command asks for a PTY; refused, it
# goes on without one (with -t it would give up by itself): the shell's
# answer to what is typed shows the connection lived on.
term_shell()
{
	(printf 'echo still-$((40 + 2))\nexit\n'; sleep 3) |
		TERM=$1 timeout -k 5 30 script -qfec "$(printf '%q ' "${S[@]}") root@127.0.0.1" /dev/null |
		tr -d '\r'
}
agent_up
term_shell "$(head -c 30000 /dev/zero | tr '\0' x)" >"$T/bigterm.out" 2>&1
assert_contains "30,000-byte TERM: the shell still runs" "still-42" "$T/bigterm.out"
assert_contains "the client is told the PTY request failed" "PTY allocation request failed" \
	"$T/bigterm.out"
assert_contains "the agent logs why" \
	"event=request-refused conn=1 channel=0 type=pty-req reason=field-over-limit" "$AGENT_LOG"
term_shell "$(head -c 100 /dev/zero | tr '\0' x)" >"$T/term100.out" 2>&1
assert_contains "100-byte TERM (the session takes 63): the shell still runs" "still-42" \
	"$T/term100.out"
assert_contains "the agent logs why" \
	"event=request-refused conn=2 channel=0 type=pty-req reason=term-too-long" "$AGENT_LOG"
assert_not_contains "no connection ended on a protocol error" "reason=2 " "$AGENT_LOG"

# ---- 8. packet size: packets over 32 KiB are taken (RFC 4253: 35000 at least) --
# A 32768-byte command (NS_CHAN_COMMAND_MAX) travels in a packet of about
# 32.8 KB; a 34,000-byte env value in one of 34 KB: refused alone, as over
# its field limit, not as an oversized packet.
CMD=": $(head -c $((32768 - 22)) /dev/zero | tr '\0' x); echo long-ok"
out=$(timeout 60 "${S[@]}" root@127.0.0.1 "$CMD" </dev/null 2>"$T/long.err")
assert_eq "a 32768-byte command runs" "long-ok" "$out"
out=$(timeout 60 "${S[@]}" -o "SetEnv=LANG=$(head -c 34000 /dev/zero | tr '\0' x)" \
	root@127.0.0.1 'echo "env-ok ${#LANG}"' </dev/null 2>"$T/bigenv.err")
assert_eq "a 34 KB env packet: the env request alone is refused" "env-ok 0" "$out"
assert_contains "the agent logs why" "type=env reason=field-over-limit" "$AGENT_LOG"
assert_not_contains "no connection ended on a protocol error" "reason=2 " "$AGENT_LOG"

agent_alive
pass
