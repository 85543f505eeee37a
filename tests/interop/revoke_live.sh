#!/usr/bin/env bash
# Live revocation (issue 17): a relay polls the API's GET /v1/revocations
# (--revocations-url, every second here, If-None-Match: the API answers 304
# while nothing changed); DELETE /v1/sandboxes/ID/ssh-access/ACC revokes an
# access: within the interval its open session ends with a message and a new
# login with that certificate is refused, while another access goes on. With
# the API unreachable, --revocations-fail closed refuses new logins once the
# list is older than --revocations-max-stale, open lets them in; both logged.
# A restart of the API keeps its revocations.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v jq >/dev/null || skip "jq missing"
need_nullspace

start_up
NS=$NULLSPACE
API=http://127.0.0.1:$API_PORT
ST=$NULLSPACE_HOME/state
sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config" >"$T/apikey"
chmod 600 "$T/apikey"
KEY=$(cat "$T/apikey")
"$NS" sandbox create --timeout 300 >"$T/create.out" 2>"$T/create.err" ||
	die "sandbox create failed: $(cat "$T/create.err")"
SB=$(cat "$T/create.out")

# two accesses for the CLI's key (their certificates carry the route)
mint()
{
	"$NS" sandbox ssh-access "$SB" --json >"$T/$1.json" 2>/dev/null || die "ssh-access $1"
	jq -r .certificate "$T/$1.json" >"$T/$1-cert.pub"
	jq -r .access_id "$T/$1.json"
}
ACC1=$(mint one)
ACC2=$(mint two)
USERKEY=$NULLSPACE_HOME/ssh/id_ed25519

# relay NAME URL FAIL: a cert-routed relay with live revocation; sets RP
relay()
{
	RP=$(pick_port)
	NS_LOGS+=("$T/$1.log")
	spawn "$T/$1.log" "$NULLSPACE" relay --listen "127.0.0.1:$RP" --routing cert \
		--host-key "$ST/relay_host_key" --ca-keys "$ST/ca.pub" \
		--client-key "$ST/relay_client_key" --revocations-url "$2" --revocations-key "$T/apikey" \
		--revocations-interval 1 --revocations-max-stale 3 --revocations-fail "$3"
	wait_listen "relay $1" "$SPAWNED" "$RP"
	ssh-keygen -y -f "$ST/relay_host_key" >"$T/relay.pub"
	known_hosts_line "$RP" "$T/relay.pub" >>"$T/known_hosts"
}
# rs CERT PORT ARGS...: OpenSSH through a relay with the CLI's key.
rs()
{
	local cert=$1 port=$2
	shift 2
	timeout -k 5 60 "${SSH[@]}" -i "$USERKEY" -p "$port" -o "CertificateFile=$T/$cert-cert.pub" \
		"$SB@127.0.0.1" "$@"
}
# wait_for WHAT FILE NEEDLE [SECONDS]
wait_for()
{
	local i
	for i in $(seq $((${4:-10} * 10))); do
		grep -qF -- "$3" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ended PID WHERE SECONDS: the revoked session's ssh is gone within SECONDS
# of the DELETE and exited 255
ended()
{
	local i
	for i in $(seq $(($3 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && fail "the revoked session $2 still runs $3 s after the DELETE"
	wait "$1"
	assert_eq "the revoked session $2: ssh exits 255" "255" "$?"
}

relay live "$API/v1/revocations" closed
LIVE=$RP
wait_for "first list" "$T/live.log" "event=revocations-loaded entries=0" 20 ||
	fail "the relay loaded no revocation list"
out=$(rs one "$LIVE" -- echo before </dev/null 2>"$T/before.err")
assert_eq "a login before the revocation" "before" "$out"

# a session that runs until it is ended
rs one "$LIVE" -- 'while :; do echo tick; sleep 0.2; done' </dev/null >"$T/loop.out" \
	2>"$T/loop.err" &
LOOP=$!
NS_PIDS+=("$LOOP")
wait_for "ticks" "$T/loop.out" "tick" || fail "the looping session printed nothing"
rs two "$LIVE" -- 'while :; do echo tock; sleep 0.2; done' </dev/null >"$T/loop2.out" \
	2>"$T/loop2.err" &
LOOP2=$!
NS_PIDS+=("$LOOP2")
wait_for "tocks" "$T/loop2.out" "tock" || fail "the second session printed nothing"
# and one on up's own relay (it polls every 5 s): every relay ends it
known_hosts_line "$RELAY_PORT" "$T/relay.pub" >>"$T/known_hosts"
rs one "$RELAY_PORT" -- 'while :; do echo tuck; sleep 0.2; done' </dev/null >"$T/loop3.out" \
	2>"$T/loop3.err" &
LOOP3=$!
NS_PIDS+=("$LOOP3")
wait_for "tucks" "$T/loop3.out" "tuck" || fail "the session on up's relay printed nothing"
sleep 2.5 # some unchanged polls: 304s
curl -s -o "$T/del.out" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $KEY" \
	"$API/v1/sandboxes/$SB/ssh-access/$ACC1" >"$T/del.code"
assert_eq "DELETE of the access answers 200" "200" "$(cat "$T/del.code")"
assert_contains "... saying it is revoked" '"revoked":true' "$T/del.out"
T0=$(date +%s%N)
ended "$LOOP" "on the test's relay" 5
echo "revoked session ended $((($(date +%s%N) - T0) / 1000000)) ms after the DELETE"
assert_contains "... with the message on the session" \
	"the certificate of this session has been revoked" "$T/loop.err"
assert_contains "... and a log line" "event=revoked conn=" "$T/live.log"
grep "event=revoked conn=" "$T/live.log" >"$T/revoked.lines"
assert_contains "... naming the access" "cert_id=nullspace:$ACC1:$SB" "$T/revoked.lines"
kill -0 "$LOOP2" 2>/dev/null && ok "another access's session goes on" ||
	fail "the other access's session ended too"
rs one "$LIVE" -- echo after </dev/null >"$T/after.out" 2>"$T/after.err"
assert_eq "a new login with the revoked certificate: exit 255" "255" "$?"
assert_contains "... refused as revoked" "has been revoked" "$T/after.err"
out=$(rs two "$LIVE" -- echo still </dev/null 2>"$T/still.err")
assert_eq "the other access still logs in" "still" "$out"
# up's own relay polls its API too (every 5 s): the open session ends
# there as well, the revoked access is refused, the other one is not
ended "$LOOP3" "on up's relay" 10
assert_contains "... with the message" "the certificate of this session has been revoked" \
	"$T/loop3.err"
for i in $(seq 40); do
	rs one "$RELAY_PORT" -- true </dev/null >/dev/null 2>"$T/upr.err" || break
	sleep 0.25
done
assert_contains "up's relay refuses the revoked certificate too" "has been revoked" "$T/upr.err"
out=$(rs two "$RELAY_PORT" -- echo up-still </dev/null 2>"$T/upr2.err")
assert_eq "... and lets the other access in" "up-still" "$out"
grep -E "GET /v1/revocations 304" "$UP_LOG" >"$T/304.lines" || true
assert_contains "unchanged polls got 304 (ETag)" "304" "$T/304.lines"
grep -E "GET /v1/revocations 200" "$UP_LOG" >"$T/200.lines" || true
assert_contains "... a changed list 200" "200" "$T/200.lines"
kill "$LOOP2" 2>/dev/null

# an API that takes the connection and never answers: the fetch gives up
# within half the max staleness (1.5 s here) and tries again, so a hung
# request never holds the list past its time
HP=$(pick_port)
spawn "$T/hangsrv.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$HP"
wait_listen "a server that never answers" "$SPAWNED" "$HP"
relay hang "http://127.0.0.1:$HP/v1/revocations" closed
wait_for "a timed-out fetch" "$T/hang.log" "event=revocations-fetch-failed error=\"Timeout" 5 ||
	fail "a fetch that got no answer was not given up within 5 s"
ok "a fetch with no answer is given up in time"
for i in $(seq 60); do
	[ "$(grep -c "event=revocations-fetch-failed" "$T/hang.log")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c "event=revocations-fetch-failed" "$T/hang.log")" -ge 2 ] ||
	fail "no second try after the fetch with no answer"
ok "... and tried again"

# the API unreachable: a closed port
DEAD=http://127.0.0.1:$(pick_port)/v1/revocations
relay closed "$DEAD" closed
CLOSED=$RP
relay open "$DEAD" open
OPEN=$RP
wait_for "closed logs the failure" "$T/closed.log" "event=revocations-fetch-failed" ||
	fail "no fetch failure logged"
rs two "$CLOSED" -- echo x </dev/null >/dev/null 2>"$T/closed.err"
assert_eq "fail closed: a login is refused (255)" "255" "$?"
assert_contains "... saying why" "revocations-stale" "$T/closed.err"
grep "result=refused" "$T/closed.log" >"$T/closed.refused"
assert_contains "... logged" "reason=revocations-stale" "$T/closed.refused"
out=$(rs two "$OPEN" -- echo open-ok </dev/null 2>"$T/open.err")
assert_eq "fail open: the login goes in" "open-ok" "$out"
assert_contains "... logged as unchecked" "event=revocations-unchecked" "$T/open.log"
assert_contains "... and stale" "event=revocations-stale fail=open" "$T/open.log"

# the API key never reaches a log
assert_not_contains "no API key in the relay log" "$KEY" "$T/live.log"

# up restarted: the access is still revoked (state/revoked), and an ETag a
# relay kept from before the restart does not name the list after it
etag() { sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$1" | tr -d '\r'; }
curl -s -D "$T/rh1" -o /dev/null -H "Authorization: Bearer $KEY" "$API/v1/revocations"
ETAG1=$(etag "$T/rh1")
[ -n "$ETAG1" ] || die "no ETag on GET /v1/revocations"
kill -TERM "$UP_PID"
wait "$UP_PID"
assert_eq "the revocation file is 0600" 600 "$(stat -c %a "$ST/revoked")"
start_up
API=http://127.0.0.1:$API_PORT
curl -s -D "$T/rh2" -o "$T/rl2.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" \
	-H "If-None-Match: $ETAG1" "$API/v1/revocations" >"$T/rl2.code"
assert_eq "the ETag from before the restart: 200, not 304" 200 "$(cat "$T/rl2.code")"
assert_contains "after the restart the access is still revoked" "nullspace:$ACC1:$SB" "$T/rl2.json"
assert_not_contains "... and only it" "nullspace:$ACC2:" "$T/rl2.json"
[ "$(etag "$T/rh2")" != "$ETAG1" ] || fail "the same ETag before and after the restart"
assert_contains "up logs what it read back" "event=revocations-loaded revoked=1 skipped=0" "$UP_LOG"

pass
