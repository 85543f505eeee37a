#!/usr/bin/env bash
# Every named limit of `nullspace relay`, each driven past its value with
# small numbers set by flags, refusing with its log reason and (when a user
# can see it) a message naming the limit: --max-unauth-per-source,
# --login-grace-time, --max-connections (pre-auth and logged in),
# --max-auth-tries, --max-channels, --max-connections-per-sandbox,
# --max-channels-per-sandbox, --max-authed-per-source and --max-startups.
# Two attacks of issue 9 rerun: a pre-auth flood from 40 addresses of
# 127.0.0.0/8 with a real ssh login succeeding during it, and one sandbox at
# its cap while a login to another sandbox succeeds. Raw stalled
# connections come from stall_client.py (python3).
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing (the stalling client)"
need_nullspace
STALL=(timeout -k 5 90 python3 "$(dirname "$0")/stall_client.py")

ssh_keygen "$T/ca"
ssh_keygen "$T/user"
ssh_keygen "$T/plain1"
ssh_keygen "$T/plain2"
ssh_keygen "$T/plain3"
ns_keygen "$T/relay_host"
ns_keygen "$T/relay_client"
cp "$T/user.pub" "$T/cert.pub"
ssh-keygen -q -s "$T/ca" -I limits -n sb_a,sb_b,sb_c -V -5m:+1h -z 1 "$T/cert.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"

cat "$T/relay_client.pub" >"$T/agent_authorized_keys"
start_agent
REG=$T/registry
mkdir -p "$REG"
for sb in sb_a sb_b sb_c; do
	printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
		"$(cat "$AGENT_HOSTKEY.pub")" >"$REG/$sb"
done
: >"$T/known_hosts"

# start_relay NAME FLAGS...: a relay of its own (RELAY_PORT, RELAY_PID,
# RELAY_LOG), its host key pinned.
start_relay()
{
	local name=$1
	shift
	RELAY_PORT=$(pick_port)
	RELAY_LOG=$T/relay_$name.log
	NS_LOGS+=("$RELAY_LOG")
	spawn "$RELAY_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$RELAY_PORT" \
		--host-key "$T/relay_host" --ca-keys "$T/ca.pub" --registry "$REG" \
		--client-key "$T/relay_client" --keepalive 0 --drain-timeout 1 "$@"
	RELAY_PID=$SPAWNED
	wait_listen "nullspace relay ($name)" "$RELAY_PID" "$RELAY_PORT"
	known_hosts_line "$RELAY_PORT" "$T/relay_host.pub" >>"$T/known_hosts"
}

relay_alive()
{
	kill -0 "$RELAY_PID" 2>/dev/null || {
		wait "$RELAY_PID"
		die "nullspace relay (pid $RELAY_PID) died (status $?)"
	}
}

# stop_relay: SIGTERM, and it must exit (cleanly: sanitizers report on exit).
stop_relay()
{
	local i
	kill -TERM "$RELAY_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$RELAY_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$RELAY_PID"
	assert_eq "relay exits 0 after SIGTERM" 0 "$?"
}

# rs SRC USER ARGS...: ssh with the certificate from source address SRC.
rs()
{
	local src=$1 user=$2
	shift 2
	timeout -k 5 60 "${SSH[@]}" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" -b "$src" \
		-p "$RELAY_PORT" "$user@127.0.0.1" "$@"
}

# master NAME SRC USER: a ControlMaster connection ($T/cm.NAME) left open.
master()
{
	local name=$1 src=$2 user=$3 i
	spawn "$T/master.$name.log" "${SSH[@]}" -i "$T/user" -o "CertificateFile=$T/cert-cert.pub" \
		-b "$src" -p "$RELAY_PORT" -o ControlMaster=yes -o "ControlPath=$T/cm.$name" -N \
		"$user@127.0.0.1"
	for i in $(seq 150); do
		[ -S "$T/cm.$name" ] && return 0
		kill -0 "$SPAWNED" 2>/dev/null || break
		sleep 0.1
	done
	die "ssh master $name ($user from $src) did not start: $(cat "$T/master.$name.log")"
}

# mux NAME ARGS...: a session on master NAME's connection. When the master
# refuses it, ssh falls back to a connection of its own: port 1 makes that
# fail at once instead of adding a login to the counts under test.
MUX=(ssh -F /dev/null -o BatchMode=yes -o ControlMaster=no -o StrictHostKeyChecking=yes
	-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -p 1)
mux()
{
	local name=$1
	shift
	timeout -k 5 60 "${MUX[@]}" -o "ControlPath=$T/cm.$name" x@127.0.0.1 "$@"
}

end_master()
{
	timeout 10 "${MUX[@]}" -o "ControlPath=$T/cm.$1" -O exit x@127.0.0.1 2>/dev/null
}

# count NEEDLE FILE: lines of FILE holding NEEDLE.
count()
{
	grep -cF -- "$1" "$2"
}

# field NAME LINE: the value of NAME=... in a stall_client.py line.
field()
{
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# ---- flags --------------------------------------------------------------------

for bad in 10:30:5 10:0:100 10:101:100 10:30 10:30:100:1 x 0 1:1:1000001; do
	"$NULLSPACE" relay --max-startups "$bad" --host-key "$T/relay_host" --ca-keys "$T/ca.pub" \
		--registry "$REG" --client-key "$T/relay_client" </dev/null >"$T/bad.out" 2>&1
	rc=$?
	[ "$rc" = 255 ] && grep -qF -- "--max-startups $bad" "$T/bad.out" ||
		fail "--max-startups $bad: exit $rc, $(head -c 300 "$T/bad.out")"
done
ok "--max-startups refuses bad values (START > FULL, RATE 0 or > 100, missing or extra fields)"
for flag in --max-connections-per-sandbox --max-channels-per-sandbox --max-authed-per-source; do
	"$NULLSPACE" relay "$flag" 0 --host-key "$T/relay_host" --ca-keys "$T/ca.pub" \
		--registry "$REG" --client-key "$T/relay_client" </dev/null >"$T/bad.out" 2>&1
	assert_eq "$flag 0 is refused" 255 "$?"
done
"$NULLSPACE" relay --help >"$T/help.out" 2>&1
assert_contains "--help gives the MaxStartups default" "default 1000:30:3000" "$T/help.out"

# ---- pre-auth limits, auth tries, channels per connection --------------------

start_relay basic --max-connections 12 --max-unauth-per-source 4 --login-grace-time 2 \
	--max-auth-tries 2 --max-channels 2

# --max-unauth-per-source 4: six stalled connections from one address, two closed at once
out=$("${STALL[@]}" "$RELAY_PORT" --net 127.0.3 --per 6 --secs 1.5)
assert_eq "--max-unauth-per-source 4: 2 of 6 connections from one address closed at once" \
	"2 2" "$(field closed "$out") $(field fast "$out")"
assert_eq "--max-unauth-per-source: each refusal logged" 2 \
	"$(count "peer=127.0.3.1 reason=unauth-per-source" "$RELAY_LOG")"

# --login-grace-time 2: a connection that never logs in is closed after 2 s
out=$("${STALL[@]}" "$RELAY_PORT" --net 127.0.4 --per 1 --secs 6)
t=$(field first_close "$out")
assert_eq "--login-grace-time 2: the stalled connection was closed" 1 "$(field closed "$out")"
awk -v t="$t" 'BEGIN { exit !(t >= 1.5 && t <= 4.5) }' ||
	fail "--login-grace-time 2: closed after ${t}s, not about 2 s"
ok "--login-grace-time 2: closed after ${t}s"
assert_contains "--login-grace-time: logged" "event=login-timeout" "$RELAY_LOG"

# --max-connections 12: 14 stalled connections from 14 addresses, 12 stay
out=$("${STALL[@]}" "$RELAY_PORT" --net 127.0.5 --addrs 14 --per 1 --secs 1.5)
assert_eq "--max-connections 12: 12 of 14 connections stay open" "12 2" \
	"$(field open "$out") $(field closed "$out")"
assert_eq "--max-connections: each refusal logged" 2 \
	"$(count "reason=max-connections" "$RELAY_LOG")"

# --max-auth-tries 2: three keys without certificate, the third is never tried
timeout -k 5 60 "${SSH[@]}" -i "$T/plain1" -i "$T/plain2" -i "$T/plain3" -p "$RELAY_PORT" \
	sb_a@127.0.0.1 true </dev/null >/dev/null 2>"$T/tries.err"
assert_eq "--max-auth-tries 2: ssh exits 255" 255 "$?"
assert_contains "--max-auth-tries 2: ssh is told" "too many authentication failures" \
	"$T/tries.err"
assert_contains "--max-auth-tries: logged" "msg=too?many?authentication?failures" "$RELAY_LOG"
assert_eq "--max-auth-tries 2: two keys tried, not three" 2 \
	"$(count "reason=not-a-certificate" "$RELAY_LOG")"

# --max-channels 2: a third session on one connection is refused, the two run
master basic 127.0.0.1 sb_a
for i in 1 2 3; do
	mux basic "sleep 2; echo chan $i" </dev/null >"$T/ch.$i.out" 2>"$T/ch.$i.err" &
	pids[i]=$!
	sleep 0.3
done
good=0
for i in 1 2 3; do
	wait "${pids[i]}" && [ "$(cat "$T/ch.$i.out")" = "chan $i" ] && good=$((good + 1))
done
assert_eq "--max-channels 2: two of three concurrent sessions ran" 2 "$good"
cat "$T"/ch.*.err "$T/master.basic.log" >"$T/ch.all"
assert_contains "--max-channels 2: the third open is refused for shortage" "too many channels" \
	"$T/ch.all"
assert_contains "--max-channels 2: the refusal names the limit" \
	"too many channels: this connection has 2 sessions open, the limit" "$T/ch.all"
assert_contains "--max-channels 2: logged" "user=sb_a reason=max-channels open=2 limit=2" "$RELAY_LOG"
out=$(mux basic "echo again" </dev/null 2>&1)
assert_eq "--max-channels: a session runs once the others ended" "again" "$out"
end_master basic
relay_alive
stop_relay

# ---- logged-in caps: per sandbox, per address, total --------------------------

start_relay caps --max-connections 4 --max-connections-per-sandbox 2 \
	--max-channels-per-sandbox 3 --max-authed-per-source 3
master a1 127.0.0.1 sb_a
master a2 127.0.0.1 sb_a

# --max-connections-per-sandbox 2: a third login to sb_a is refused, naming the limit
rs 127.0.0.1 sb_a "echo SHOULD-NOT-RUN" </dev/null >"$T/sb.out" 2>"$T/sb.err"
assert_eq "--max-connections-per-sandbox 2: third login to sb_a: ssh exits 255" 255 "$?"
assert_eq "--max-connections-per-sandbox: the command did not run" "" "$(cat "$T/sb.out")"
assert_contains "--max-connections-per-sandbox: ssh shows the limit" \
	"sandbox sb_a has 2 connections open, the limit" "$T/sb.err"
assert_contains "--max-connections-per-sandbox: logged" \
	"user=sb_a reason=connections-per-sandbox open=2 limit=2" "$RELAY_LOG"
assert_contains "--max-connections-per-sandbox: the login is logged refused" \
	"reason=connections-per-sandbox" <(grep "event=auth" "$RELAY_LOG" | grep "result=refused")
# ... while a login to another sandbox succeeds
out=$(rs 127.0.0.1 sb_b "echo other sandbox" </dev/null 2>"$T/sb_b.err")
assert_eq "sb_a at its cap: a login to sb_b succeeds" "other sandbox" "$out"

# --max-channels-per-sandbox 3: three sessions of sb_a over two connections, a fourth refused
mux a1 "sleep 3" </dev/null >/dev/null 2>&1 &
s1=$!
mux a1 "sleep 3" </dev/null >/dev/null 2>&1 &
s2=$!
mux a2 "sleep 3" </dev/null >/dev/null 2>&1 &
s3=$!
sleep 1
mux a2 "echo SHOULD-NOT-RUN" </dev/null >"$T/chsb.out" 2>"$T/chsb.err"
rc=$?
[ "$rc" -ne 0 ] || fail "--max-channels-per-sandbox 3: a fourth session of sb_a ran"
ok "--max-channels-per-sandbox 3: a fourth session of sb_a fails (exit $rc)"
cat "$T/chsb.err" "$T/master.a2.log" >"$T/chsb.all"
assert_contains "--max-channels-per-sandbox: the refusal names the limit" \
	"sandbox sb_a has 3 sessions open, the limit" "$T/chsb.all"
assert_contains "--max-channels-per-sandbox: logged" \
	"user=sb_a reason=channels-per-sandbox open=3 limit=3" "$RELAY_LOG"
out=$(rs 127.0.0.1 sb_b "echo b session" </dev/null 2>&1)
assert_eq "sb_a at its session cap: a session in sb_b runs" "b session" "$out"
wait "$s1" "$s2" "$s3"
out=$(mux a2 "echo freed" </dev/null 2>&1)
assert_eq "--max-channels-per-sandbox: sessions count again once they ended" "freed" "$out"

# --max-authed-per-source 3: a fourth logged-in connection from 127.0.0.1 is refused
master b1 127.0.0.1 sb_b
rs 127.0.0.1 sb_c "echo SHOULD-NOT-RUN" </dev/null >"$T/src.out" 2>"$T/src.err"
assert_eq "--max-authed-per-source 3: fourth login from 127.0.0.1: ssh exits 255" 255 "$?"
assert_contains "--max-authed-per-source: ssh shows the limit" \
	"address 127.0.0.1 has 3 connections open, the limit" "$T/src.err"
assert_contains "--max-authed-per-source: logged" \
	"peer=127.0.0.1 user=sb_c reason=authed-per-source open=3 limit=3" "$RELAY_LOG"
out=$(rs 127.0.0.8 sb_c "echo from another address" </dev/null 2>"$T/src2.err")
assert_eq "--max-authed-per-source: a login from another address succeeds" \
	"from another address" "$out"

# --max-connections 4 with every slot logged in: the next connection is closed at once
master c1 127.0.0.9 sb_c
sleep 0.5
rs 127.0.0.10 sb_c "echo SHOULD-NOT-RUN" </dev/null >"$T/full.out" 2>"$T/full.err"
assert_eq "--max-connections 4, all logged in: a fifth connection fails" 255 "$?"
assert_contains "--max-connections: logged" "peer=127.0.0.10 reason=max-connections" "$RELAY_LOG"
for m in a1 a2 b1 c1; do
	end_master "$m"
done
sleep 0.5
out=$(rs 127.0.0.1 sb_a "echo after" </dev/null 2>&1)
assert_eq "every cap released once the connections closed" "after" "$out"
relay_alive
stop_relay

# ---- the many-address pre-auth flood (issue 9, item 3), scaled down ----------
# 40 addresses x 8 stalled connections, each reopened when closed, against
# 200 slots with a 30 s grace time: without a total pre-auth cap they hold
# every slot and no one can log in. --max-startups 20:30:100 keeps the
# waiting ones at 100 and drops from the addresses holding most.

start_relay flood --max-connections 200 --max-unauth-per-source 8 --login-grace-time 30 \
	--max-startups 20:30:100
"${STALL[@]}" "$RELAY_PORT" --net 127.0.1 --addrs 40 --per 8 --secs 25 --reconnect \
	--rate 300 --ready "$T/flood.ready" >"$T/flood.out" 2>&1 &
flood=$!
for i in $(seq 100); do
	[ -e "$T/flood.ready" ] && break
	sleep 0.1
done
sleep 2
good=0
for i in 1 2 3 4 5; do
	out=$(rs 127.0.0.1 sb_a "echo login $i" </dev/null 2>"$T/flood.$i.err")
	[ "$out" = "login $i" ] && good=$((good + 1))
done
assert_eq "pre-auth flood from 40 addresses: 5 of 5 ssh logins succeed during it" 5 "$good"
wait "$flood"
out=$(cat "$T/flood.out")
echo "flood: $out"
[ "$(field opened "$out")" -gt 320 ] || fail "the flood did not reopen dropped connections: $out"
[ "$(field max_open "$out")" -ge 100 ] || fail "the flood did not reach the cap: $out"
ok "the flood reopened what was dropped ($(field opened "$out") connections opened)"
drops=$(count "reason=max-startups" "$RELAY_LOG")
[ "$drops" -gt 0 ] || fail "--max-startups: no drop logged"
ok "--max-startups: $drops drops logged as reason=max-startups"
assert_eq "--max-startups 20:30:100 below the 200 slots: no max-connections refusal" 0 \
	"$(count "reason=max-connections" "$RELAY_LOG")"
assert_not_contains "--max-startups: the login's address was never dropped" \
	"peer=127.0.0.1 " <(grep "reason=max-startups" "$RELAY_LOG")
relay_alive
stop_relay

pass
