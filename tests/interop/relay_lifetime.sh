#!/usr/bin/env bash
# How long a session lasts at the relay (issue 18), with OpenSSH's ssh: by
# default a session outlives its certificate (as with OpenSSH); with
# --end-sessions-at-expiry a session is warned on its stderr
# --expiry-warning seconds before the certificate ends, then ended with a
# message; with --idle-timeout 1 a session that moves no byte for a minute
# is closed with a message, while one that prints every few seconds lives
# on. The four sessions run at once (about 80 s).
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace

ssh_keygen "$T/user"
start_agent
start_relay_to_agent sb_life --idle-timeout 1 --end-sessions-at-expiry --expiry-warning 20
LIFE_PORT=$RELAY_PORT
LIFE_LOG=$RELAY_LOG
# a second relay with the defaults, to the same agent
R2=$(pick_port)
spawn "$T/relay2.log" "$NULLSPACE" relay --listen "127.0.0.1:$R2" --host-key "$RELAY_HOSTKEY" \
	--ca-keys "$T/ca.pub" --registry "$T/registry" --client-key "$T/relay_client"
NS_LOGS+=("$T/relay2.log")
wait_listen "the default relay" "$SPAWNED" "$R2"
{
	known_hosts_line "$LIFE_PORT" "$RELAY_HOSTKEY.pub"
	known_hosts_line "$R2" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"
# certificates: one that ends in 40 s, one for an hour
cp "$T/user.pub" "$T/short.pub"
ssh-keygen -q -s "$T/ca" -I short -n sb_life -V -5m:+40s "$T/short.pub" </dev/null >/dev/null 2>&1 ||
	die "ssh-keygen -s failed"
sign_user "$T/user.pub" long sb_life
run()
{
	local port=$1 cert=$2
	shift 2
	timeout -k 5 150 "${SSH[@]}" -i "$T/user" -o CertificateFile="$cert" -p "$port" \
		sb_life@127.0.0.1 "$@"
}

# (a) --end-sessions-at-expiry: busy, so only the expiry can end it
run "$LIFE_PORT" "$T/short-cert.pub" 'for i in $(seq 1 90); do echo tick $i; sleep 1; done; echo never' \
	</dev/null >"$T/a.out" 2>"$T/a.err" &
A=$!
# (b) the default relay: the same certificate, the session outlives it
run "$R2" "$T/short-cert.pub" 'sleep 55; echo still-here' </dev/null >"$T/b.out" 2>"$T/b.err" &
B=$!
# (c) idle: no byte either way
run "$LIFE_PORT" "$T/long-cert.pub" 'sleep 100; echo never' </dev/null >"$T/c.out" 2>"$T/c.err" &
C=$!
# (d) a byte every 10 s: never idle for a minute
run "$LIFE_PORT" "$T/long-cert.pub" 'for i in $(seq 1 8); do echo beat; sleep 10; done; exit 5' \
	</dev/null >"$T/d.out" 2>"$T/d.err" &
D=$!

wait "$A"
assert_eq "at expiry: ssh exits 255" 255 "$?"
assert_contains "at expiry: warned on stderr first" "nullspace relay: the certificate expires in" "$T/a.err"
assert_contains "at expiry: the end's message on stderr" "nullspace relay: the certificate has expired: the session ends" "$T/a.err"
assert_contains "at expiry: ssh shows the disconnect" "the certificate has expired" "$T/a.err"
assert_not_contains "at expiry: the session did not run on" never "$T/a.out"
n=$(grep -c '^tick' "$T/a.out")
[ "$n" -ge 25 ] && [ "$n" -le 50 ] || fail "the expiring session ran $n s, want about 40"
[ "$(grep -n 'expires in' "$T/a.err" | cut -d: -f1)" -lt "$(grep -n 'has expired' "$T/a.err" | head -1 | cut -d: -f1)" ] ||
	fail "the warning did not come before the end"
grep -q "event=expiry-warning conn=.* user=sb_life" "$LIFE_LOG" || fail "expiry warning not logged"
grep -q "event=expiry-end conn=.* user=sb_life" "$LIFE_LOG" || fail "expiry end not logged"
ok "--end-sessions-at-expiry: warned $(sed -n 's/.*expires in \([0-9]*\) s.*/\1/p' "$T/a.err" | head -1) s before, then ended with a message"

wait "$B"
assert_eq "the default: the session outlives its certificate (exit 0)" 0 "$?"
assert_eq "the default: it ran to its end" still-here "$(cat "$T/b.out")"
ok "by default a session outlives its certificate, as with OpenSSH"

wait "$C"
assert_eq "idle: ssh exits 255" 255 "$?"
assert_contains "idle: the message on stderr" "nullspace relay: no traffic for 1 minutes: the connection is closed" "$T/c.err"
assert_not_contains "idle: the command did not finish" never "$T/c.out"
grep -q "event=idle-timeout conn=.* user=sb_life minutes=1" "$LIFE_LOG" || fail "idle timeout not logged"
ok "--idle-timeout 1: a silent session is closed after a minute with a message"

wait "$D"
assert_eq "a session with a byte every 10 s is not idle (exit 5)" 5 "$?"
assert_eq "it printed every beat" 8 "$(grep -c beat "$T/d.out")"
ok "a session with traffic outlives the idle timeout"
pass
