#!/usr/bin/env bash
# Hostile and broken clients against `nullspace agent`: malformed version
# lines, an oversized packet length, random bytes after a valid version line,
# a client that vanishes mid-handshake, 200 connections opened and dropped.
# After each: the agent is alive, closed the bad connection itself within a
# bound (no hang), logged why, and still serves a normal ssh login; no file
# descriptors leak.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
need_nullspace
# A short login grace time, so the case that only sends SSH_MSG_IGNORE (which
# RFC 4253 section 11 says to accept at any time) ends within the test.
GRACE=6
start_agent --login-grace-time "$GRACE"

ns_keygen "$T/id_ns"
cat "$T/id_ns.pub" >>"$AGENT_AUTH"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
S=("${SSH[@]}" -p "$AGENT_PORT" -i "$T/id_ns")

# The agent logs one line per event (docs/agent.md, "Log format"):
#   agent event=connect peer=127.0.0.1 conn=N
#   agent event=disconnect conn=N by=peer|agent reason=R error="..." msg=...
#   agent event=closed conn=N
log_lines() { wc -l <"$AGENT_LOG"; }

# Connection ids the agent accepted since log line FROM.
conns_since() { tail -n +"$(($1 + 1))" "$AGENT_LOG" | sed -n 's/^agent event=connect .*conn=\([0-9]*\).*/\1/p'; }

# still_serving CASE: the agent survived CASE and a normal login works, and
# that login too ends with a logged reason.
still_serving()
{
	agent_alive
	local out from
	from=$(log_lines)
	out=$(timeout 60 "${S[@]}" root@127.0.0.1 "echo ok-after-$1" </dev/null 2>"$T/login.err")
	assert_eq "$1: agent alive and a normal ssh login still works" "ok-after-$1" "$out"
	logged_reason "$1: the normal login after it" "$from" 1
}

# logged_reason CASE FROM COUNT: COUNT connections were accepted since log
# line FROM, and each has a disconnect line with its reason and a closed
# line (the agent writes them when it is done: waits up to 10 s).
logged_reason()
{
	local name=$1 from=$2 want=$3 ids id i missing reasons
	for i in $(seq 100); do
		ids=$(conns_since "$from")
		missing=
		for id in $ids; do
			grep -q "^agent event=disconnect conn=$id " "$AGENT_LOG" &&
				grep -q "^agent event=closed conn=$id\$" "$AGENT_LOG" || missing+=" $id"
		done
		[ -z "$missing" ] && [ "$(echo "$ids" | grep -c .)" -ge "$want" ] && break
		sleep 0.1
	done
	if [ "$(echo "$ids" | grep -c .)" -lt "$want" ]; then
		fail "$name: the agent logged $(echo "$ids" | grep -c .) connects, expected $want" || return 1
	fi
	if [ -n "$missing" ]; then
		echo "---- agent log since the case started:" >&2
		tail -n +"$((from + 1))" "$AGENT_LOG" | head -n 20 >&2
		fail "$name: no disconnect reason and close logged for connection(s)$missing" || return 1
	fi
	reasons=$(for id in $ids; do
		sed -n "s/^agent event=disconnect conn=$id \(.*\)/\1/p" "$AGENT_LOG"
	done | sed 's/ msg=.*//' | sort | uniq -c | sort -rn | head -n 3 | awk '{$1 = $1 "x"; print}' | paste -sd ';')
	ok "$name: disconnect reason logged ($reasons)"
}

# raw CASE SECONDS: connects, reads the agent's version line, runs the
# payload function send_CASE with fd 3 as the socket, then reads until the
# agent closes. The agent must close within SECONDS; what it sent is saved in
# $T/CASE.resp.
raw()
{
	local name=$1 secs=$2 rc
	NAME=$name PORT=$AGENT_PORT OUT="$T/$name.resp" VERSION=$VERSION \
		timeout -k 2 "$secs" bash -c "$(declare -f "send_$name"); "'
		trap "" PIPE
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 99
		IFS= read -r -t 5 line <&3
		printf "%s\n" "$line" >"$OUT"
		send_$NAME 2>/dev/null
		cat <&3 >>"$OUT"' 2>/dev/null
	rc=$?
	case $rc in
	0) ok "$name: the agent closed the connection" ;;
	124 | 137) fail "$name: the agent kept the connection open for ${secs}s" ;;
	99) fail "$name: could not connect to the agent" ;;
	*) ok "$name: connection ended (status $rc)" ;;
	esac
}

# Every case first checks the agent sends its own version line.
assert_banner()
{
	local first
	first=$(head -n 1 "$T/$1.resp" | tr -d '\r')
	case $first in
	SSH-2.0-*) ok "$1: agent sent its version line ($first)" ;;
	*) fail "$1: expected an SSH-2.0- version line first, got [$(printf '%s' "$first" | head -c 80 | od -c | head -n 2)]" ;;
	esac
}

VERSION='SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n'

# --- malformed version lines ---
send_http() { printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >&3; }
send_ssh1() { printf 'SSH-1.5-ancient\r\n' >&3; }
send_longline() { head -c 4000 /dev/zero | tr '\0' A >&3; }
send_nul() { printf 'SSH-2.0-a\0b\r\n' >&3; }
for c in http ssh1 longline nul; do
	from=$(log_lines)
	raw "$c" 15
	assert_banner "$c"
	logged_reason "$c" "$from" 1
	still_serving "$c"
done

# --- oversized packet length after a valid version line ---
send_biglen() {
	printf "$VERSION" >&3
	printf '\x7f\xff\xff\xff\x0a\x14' >&3
	head -c 64 /dev/zero >&3
}
# --- a length that is not a multiple of the block size ---
send_oddlen() {
	printf "$VERSION" >&3
	printf '\x00\x00\x00\x05\x04\x14abcd' >&3
}
# --- random bytes after a valid version line ---
send_random() {
	printf "$VERSION" >&3
	head -c 5000 /dev/urandom >&3
}
# --- a well-framed packet of random content instead of KEXINIT. Its
# message type is random too, but never 1 to 4: DISCONNECT ends the
# connection by itself, and IGNORE, UNIMPLEMENTED and DEBUG are legal before
# KEXINIT (the ignore case below covers them) ---
export RANDPKT_TYPE=$((5 + RANDOM % 251))
echo "# randpkt: message type $RANDPKT_TYPE"
send_randpkt() {
	printf "$VERSION" >&3
	printf '\x00\x00\x03\xfc' >&3 # packet_length 1020: 1024 bytes in all
	printf '\x08' >&3                # padding_length 8
	printf "\\$(printf '%03o' "$RANDPKT_TYPE")" >&3
	head -c 1018 /dev/urandom >&3
}
for c in biglen oddlen random randpkt; do
	from=$(log_lines)
	raw "$c" 15
	assert_banner "$c"
	logged_reason "$c" "$from" 1
	still_serving "$c"
done

# --- SSH_MSG_IGNORE instead of KEXINIT, then silence: legal input, so the
# agent waits, but only until the login grace time ends ---
send_ignore() {
	printf "$VERSION" >&3
	printf '\x00\x00\x00\x0c\x0a\x02' >&3 # packet_length 12, padding 10, IGNORE
	head -c 10 /dev/zero >&3
}
from=$(log_lines)
start=$SECONDS
raw ignore $((GRACE + 9))
assert_banner ignore
logged_reason ignore "$from" 1
tail -n +"$((from + 1))" "$AGENT_LOG" | grep -q '^agent event=login-timeout ' ||
	fail "ignore: no login-timeout logged: $(tail -n +"$((from + 1))" "$AGENT_LOG")"
[ $((SECONDS - start)) -ge $((GRACE - 1)) ] ||
	fail "ignore: the connection ended after $((SECONDS - start))s, before the ${GRACE}s login grace time"
ok "ignore: closed by the login grace time after $((SECONDS - start))s (grace ${GRACE}s)"
still_serving ignore

# --- a client that disconnects mid-handshake (after the version exchange,
# in the middle of its KEXINIT) ---
send_midway() {
	printf "$VERSION" >&3
	printf '\x00\x00\x03\xfc\x08\x14' >&3
	head -c 100 /dev/urandom >&3
	exec 3>&-
}
from=$(log_lines)
VERSION=$VERSION timeout 15 bash -c "$(declare -f send_midway); trap '' PIPE
	exec 3<>/dev/tcp/127.0.0.1/$AGENT_PORT && IFS= read -r -t 5 line <&3 && send_midway" 2>/dev/null
logged_reason midway "$from" 1
still_serving midway

# --- a real ssh cut off in the middle of its KEXINIT: a ProxyCommand
# passes its first 1200 bytes (version line and part of KEXINIT), then
# closes both ways ---
cut=$T/cut_proxy.sh
cat >"$cut" <<'PROXY'
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
cat <&3 &
head -c 1200 >&3
sleep 0.5
kill $! 2>/dev/null
PROXY
from=$(log_lines)
timeout 30 "${S[@]}" -o "ProxyCommand=bash $cut $AGENT_PORT" root@127.0.0.1 true </dev/null >/dev/null 2>"$T/cut.err"
rc=$?
[ "$rc" = 255 ] || fail "ssh cut off mid-KEXINIT exited $rc, expected 255: $(cat "$T/cut.err")"
ok "ssh cut off mid-KEXINIT fails (255)"
logged_reason "ssh cut off mid-KEXINIT" "$from" 1
still_serving "ssh-cut"

# --- 200 connections opened and dropped ---
fds_before=$(ls /proc/"$AGENT_PID"/fd | wc -l)
from=$(log_lines)
for i in $(seq 200); do
	(exec 3<>"/dev/tcp/127.0.0.1/$AGENT_PORT") 2>/dev/null || fail "connection $i of 200 refused"
done
ok "200 connections opened and dropped"
still_serving "200-drops"
logged_reason "200 drops" "$from" 201
for i in $(seq 50); do
	fds_after=$(ls /proc/"$AGENT_PID"/fd | wc -l)
	[ "$fds_after" -le $((fds_before + 2)) ] && break
	sleep 0.1
done
[ "$fds_after" -le $((fds_before + 2)) ] ||
	fail "agent holds $fds_after fds after 200 dropped connections (had $fds_before)"
ok "no fd leak: $fds_before fds before, $fds_after after"

pass
