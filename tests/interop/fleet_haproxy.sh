#!/usr/bin/env bash
# Three relays behind Debian's HAProxy (mode tcp, send-proxy-v2, health
# checks on each relay's /healthz through --admin-listen), one CA, one
# registry and agent. HAProxy connects to the relays from 127.0.0.3, the
# only address in --proxy-protocol-from; the client is 127.0.0.1. Checks:
# 50 OpenSSH logins through HAProxy all succeed, spread over the three; a
# certificate with source-address 127.0.0.1 (the client) passes and one
# with 127.0.0.3 (HAProxy) fails, so the relay used the PROXY header's
# address; a forged header from an unlisted address, a bad one and a
# missing one from the listed address are refused with their reasons; one
# relay killed mid-run: sessions on the others go on, HAProxy marks it
# down, new logins succeed; SIGTERM drains another: /healthz 503, its
# session ends normally, it exits 0; /metrics parses and its counters
# match what the test did.
. "$(dirname "$0")/lib.sh"

command -v haproxy >/dev/null || skip "haproxy missing (Debian package haproxy)"
command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
TOOL=(timeout -k 5 30 python3 "$(dirname "$0")/proxy_tool.py")
LOGINS=${FLEET_LOGINS:-50}

. "$(dirname "$0")/fleet.bash"
fleet_keys_agent
sign src_client -O source-address=127.0.0.1/32
sign src_lb -O source-address=$LB/32
for i in 1 2 3; do
	start_relay $i --drain-timeout 20
done
start_haproxy 3
ok "HAProxy's health checks see the three relays UP through /healthz"

accepted() { grep -c "event=auth .*result=accepted" "${RLOGS[$1]}"; }

# A balancer's connection that stalls inside its header, held meanwhile.
"${TOOL[@]}" hold "${PORTS[3]}" $LB 1 $((GRACE + 6)) partial >"$T/stall.out" &
STALL=$!

# ---- 50 logins, spread ------------------------------------------------------
: >"$T/logins.out"
n=0
while [ "$n" -lt "$LOGINS" ]; do
	batch=()
	for k in 1 2 3 4 5; do
		[ "$n" -lt "$LOGINS" ] || break
		n=$((n + 1))
		(out=$(login user "echo login-$n") && echo "$out" >>"$T/logins.out") &
		batch+=($!)
	done
	wait "${batch[@]}" # not a bare wait: the servers are children too
done
assert_eq "all $LOGINS logins through HAProxy succeed" "$LOGINS" "$(grep -c '^login-' "$T/logins.out")"
total=0
for i in 1 2 3; do
	c=$(accepted "$i")
	total=$((total + c))
	echo "relay $i: $c logins"
	[ "$c" -ge $((LOGINS / 6)) ] || fail "relay $i took $c of $LOGINS logins: not spread"
done
assert_eq "the relays' logs count $LOGINS logins" "$LOGINS" "$total"
assert_eq "each login came via HAProxy with the client's address" "$LOGINS" \
	"$(cat "${RLOGS[@]}" | grep -c "event=connect peer=127.0.0.1 conn=[0-9]* via=$LB")"

# ---- source-address sees the client, not HAProxy ------------------------------
assert_eq "source-address=127.0.0.1 (the client) passes" "src-ok" "$(login src_client echo src-ok)"
login src_lb echo src-bad >"$T/src_lb.out" 2>&1
assert_eq "source-address=$LB (HAProxy's address) is refused" 255 $?
assert_contains "the user reads why" "does not allow this source address" "$T/src_lb.out"
assert_eq "the refusal is logged once as source-address" 1 \
	"$(cat "${RLOGS[@]}" | grep -c 'result=refused .*reason=source-address')"

# ---- headers the relay must not take -------------------------------------------
P1=${PORTS[1]}
assert_eq "a forged header from 127.0.0.1 (unlisted) is closed" closed \
	"$("${TOOL[@]}" send "$P1" 127.0.0.1 forged | sed 's/^SSH-[^ ]* //')"
assert_contains "... logged as untrusted" "reason=proxy-header-untrusted" "${RLOGS[1]}"
assert_eq "a bad version from $LB is closed before SSH" closed "$("${TOOL[@]}" send "$P1" $LB bad-version)"
assert_contains "... logged" "reason=proxy-header-malformed error=bad-version" "${RLOGS[1]}"
assert_eq "plain SSH from $LB (no header) is closed" closed "$("${TOOL[@]}" send "$P1" $LB none)"
assert_contains "... logged" "reason=proxy-header-malformed error=bad-signature" "${RLOGS[1]}"
assert_eq "a truncated header from $LB is closed" closed "$("${TOOL[@]}" send "$P1" $LB truncated)"
assert_contains "... logged" "reason=proxy-header-truncated" "${RLOGS[1]}"

wait "$STALL"
assert_eq "a header stalled past the login grace time is closed" "closed=1 fast=0" "$(cat "$T/stall.out")"
assert_contains "... logged" "reason=proxy-header-timeout error=login-grace-time" "${RLOGS[3]}"

# ---- the WebSocket listener reads the header too ------------------------------------
W1=${WSPORTS[1]}
"${TOOL[@]}" send "$W1" $LB forged >"$T/ws_forged.out"
assert_contains "a header from $LB on the WebSocket listener is taken: the HTTP answer" \
	"HTTP/1.1 400" "$T/ws_forged.out"
assert_contains "... and the connection is the header's client 192.0.2.9" \
	"transport=websocket via=$LB" "${RLOGS[1]}"
assert_contains "... whose address the WebSocket refusal names" "ws-refused conn=" "${RLOGS[1]}"
grep "ws-refused" "${RLOGS[1]}" | grep -q "peer=192.0.2.9 " ||
	fail "the WebSocket refusal does not name 192.0.2.9: $(grep ws-refused "${RLOGS[1]}")"
assert_eq "a header from 127.0.0.1 on the WebSocket listener is refused" closed \
	"$("${TOOL[@]}" send "$W1" 127.0.0.1 forged)"
assert_eq "... logged as untrusted (twice now on relay 1)" 2 \
	"$(grep -c 'reason=proxy-header-untrusted' "${RLOGS[1]}")"

# ---- /metrics against what happened ---------------------------------------------
sum_metric()
{
	local i s=0 v
	for i in "$@"; do
		curl -sf "http://127.0.0.1:${ADMINS[i]}/metrics" >"$T/metrics$i" || die "GET /metrics of relay $i failed"
	done
	for i in "$@"; do
		v=$("${TOOL[@]}" metrics "$T/metrics$i" "$METRIC" "$LABELS") || die "relay $i /metrics: $v"
		s=$((s + v))
	done
	echo "$s"
}
METRIC=nullspace_relay_logins_total LABELS='result="accepted"'
assert_eq "/metrics: logins accepted, three relays" $((LOGINS + 1)) "$(sum_metric 1 2 3)"
METRIC=nullspace_relay_logins_total LABELS='result="refused",reason="source-address"'
assert_eq "/metrics: the source-address refusal" 1 "$(sum_metric 1 2 3)"
METRIC=nullspace_relay_proxy_headers_total LABELS='result="proxy"'
assert_eq "/metrics: PROXY headers taken (one per connection via HAProxy)" \
	"$(cat "${RLOGS[@]}" | grep -c "via=$LB")" "$(sum_metric 1 2 3)"
METRIC=nullspace_relay_proxy_headers_total LABELS='reason="proxy-header-untrusted"'
assert_eq "/metrics: the untrusted headers" 2 "$(sum_metric 1)"
METRIC=nullspace_relay_connections_total LABELS=
assert_eq "/metrics: connections of relay 1 as its log has them" \
	"$(grep -c 'event=connect ' "${RLOGS[1]}")" "$(sum_metric 1)"
METRIC=nullspace_relay_bytes_total LABELS='direction="to_user"'
[ "$(sum_metric 1 2 3)" -ge $((LOGINS * 8)) ] || fail "/metrics: bytes to users below the output sent"
ok "/metrics: bytes to users cover the $LOGINS outputs"
assert_eq "/healthz of a serving relay" ok "$(curl -s "http://127.0.0.1:${ADMINS[2]}/healthz")"

# ---- kill one relay mid-run ------------------------------------------------------
# Six held sessions, each with its own certificate id to find its relay.
for k in 1 2 3 4 5 6; do
	sign "hold$k"
	(login "hold$k" "sleep 6; echo held-$k" >"$T/hold$k.out" 2>&1; echo $? >"$T/hold$k.rc") &
	sleep 0.3
done
for k in $(seq 100); do
	[ "$(cat "${RLOGS[@]}" | grep -c 'result=accepted .*cert_id=hold')" -ge 6 ] && break
	sleep 0.1
done
relay_of()
{
	local i
	for i in 1 2 3; do
		grep -q "result=accepted .*cert_id=$1 " "${RLOGS[i]}" && echo "$i" && return
	done
	echo 0
}
sleep 1
kill -KILL "${PIDS[1]}"
wait "${PIDS[1]}" 2>/dev/null
ok "relay 1 killed (SIGKILL) with sessions open"
wait_state r1 DOWN 10 || fail "HAProxy did not mark r1 DOWN ($(server_state r1))"
ok "HAProxy's health check marks relay 1 DOWN"
: >"$T/after.out"
for k in 1 2 3 4 5 6; do
	login user "echo after-$k" >>"$T/after.out" || true
done
assert_eq "new logins through HAProxy succeed after the kill" 6 "$(grep -c '^after-' "$T/after.out")"
wait_sessions()
{
	local k
	for k in 1 2 3 4 5 6; do
		while [ ! -s "$T/hold$k.rc" ]; do sleep 0.2; done
	done
}
wait_sessions
on1=0
for k in 1 2 3 4 5 6; do
	r=$(relay_of "hold$k")
	if [ "$r" = 1 ]; then
		on1=$((on1 + 1))
		assert_eq "hold$k on the killed relay ends with 255" 255 "$(cat "$T/hold$k.rc")"
	elif [ "$r" != 0 ]; then
		assert_eq "hold$k on relay $r runs to its end" "held-$k/0" \
			"$(grep '^held-' "$T/hold$k.out")/$(cat "$T/hold$k.rc")"
	else
		fail "hold$k: no relay logged its login"
	fi
done
[ "$on1" -ge 1 ] || fail "no held session went to relay 1: the kill proved nothing"
ok "held sessions: $on1 on the killed relay, $((6 - on1)) elsewhere"

# ---- drain relay 2 on SIGTERM ----------------------------------------------------
sign drain1
# a session on relay 2 itself, straight (no HAProxy)
timeout -k 5 60 "${SSH[@]}" -i "$T/drain1" -o "CertificateFile=$T/drain1-cert.pub" \
	-b 127.0.0.1 -p "${PORTS[2]}" sb_a@127.0.0.1 'sleep 4; echo drained-ok' \
	>"$T/drain.out" 2>&1 </dev/null &
DRAIN_SSH=$!
# it comes from 127.0.0.1, not a balancer: no header needed
for k in $(seq 100); do
	grep -q "result=accepted .*cert_id=drain1 " "${RLOGS[2]}" && break
	sleep 0.1
done
kill -TERM "${PIDS[2]}"
for k in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ADMINS[2]}/healthz")" = 503 ] && break
	sleep 0.1
done
assert_eq "/healthz answers 503 while draining" "503 draining" \
	"$(curl -s -w ' %{http_code}' "http://127.0.0.1:${ADMINS[2]}/healthz" | tr -d '\n' | sed 's/^\(.*\) \([0-9]*\)$/\2 \1/')"
wait_state r2 DOWN 10 || fail "HAProxy did not take r2 out on 503 ($(server_state r2))"
ok "HAProxy takes the draining relay out"
assert_eq "a login during the drain goes to relay 3" "during" "$(login user echo during)"
wait "$DRAIN_SSH"
assert_eq "the session on the draining relay runs to its end" 0 $?
assert_contains "... with its output" "drained-ok" "$T/drain.out"
for k in $(seq 100); do
	kill -0 "${PIDS[2]}" 2>/dev/null || break
	sleep 0.1
done
wait "${PIDS[2]}"
assert_eq "the drained relay exits 0" 0 $?
assert_contains "drain start logged" "event=drain connections=" "${RLOGS[2]}"
assert_contains "drain end logged" "event=drain-end reason=sessions-ended" "${RLOGS[2]}"
METRIC=nullspace_relay_draining LABELS=
assert_eq "/metrics of relay 3: not draining" 0 "$(sum_metric 3)"
METRIC=nullspace_relay_logins_total LABELS='result="accepted"'
assert_eq "/metrics of relay 3 counts its logins as its log" "$(accepted 3)" "$(sum_metric 3)"

# ---- drain timeout, and a second SIGTERM ---------------------------------------------
# drain_case I DRAIN_S SIGNALS: a relay of its own with a session of 30 s,
# SIGNALS SIGTERMs a second apart; prints ssh's status and the seconds the
# relay took to exit after the first.
drain_case()
{
	local i=$1 k t0 n
	start_relay "$i" --drain-timeout "$2"
	sign "long$i"
	timeout -k 5 60 "${SSH[@]}" -i "$T/long$i" -o "CertificateFile=$T/long$i-cert.pub" \
		-p "${PORTS[i]}" sb_a@127.0.0.1 'sleep 30; echo never' >"$T/long$i.out" 2>&1 </dev/null &
	LONG=$!
	for k in $(seq 100); do
		grep -q "event=session-start" "${RLOGS[i]}" && break
		sleep 0.1
	done
	grep -q "event=session-start" "${RLOGS[i]}" || fail "relay $i: the session did not start"
	t0=$(date +%s)
	for n in $(seq "$3"); do
		kill -TERM "${PIDS[i]}"
		sleep 1
	done
	for k in $(seq 300); do
		kill -0 "${PIDS[i]}" 2>/dev/null || break
		sleep 0.1
	done
	wait "${PIDS[i]}"
	echo "relay=$? secs=$(($(date +%s) - t0))" >"$T/drain$i.res"
	wait "$LONG"
	echo "ssh=$?" >>"$T/drain$i.res"
}
drain_case 4 3 1
assert_eq "after --drain-timeout 3 the relay exits 0 and ssh gets 255" "relay=0 ssh=255" \
	"$(sed 's/ secs=[0-9]*//' "$T/drain4.res" | tr '\n' ' ' | sed 's/ $//')"
[ "$(sed -n 's/.*secs=\([0-9]*\).*/\1/p' "$T/drain4.res")" -le 6 ] || fail "the drain took $(cat "$T/drain4.res")"
ok "... within the timeout"
assert_contains "ssh reads why" "relay shutting down" "$T/long4.out"
assert_contains "drain end logged as timeout" "event=drain-end reason=timeout connections=1" "${RLOGS[4]}"
drain_case 5 60 2
assert_eq "a second SIGTERM ends a 60 s drain at once" "relay=0 ssh=255" \
	"$(sed 's/ secs=[0-9]*//' "$T/drain5.res" | tr '\n' ' ' | sed 's/ $//')"
[ "$(sed -n 's/.*secs=\([0-9]*\).*/\1/p' "$T/drain5.res")" -le 4 ] || fail "the drain took $(cat "$T/drain5.res")"
ok "... within seconds"
assert_contains "... logged" "event=drain-end reason=second-signal connections=1" "${RLOGS[5]}"

# ---- the limits of the PROXY stage and the admin listener ---------------------------
assert_eq "NS_RELAY_PROXY_PENDING_MAX (256) headers wait; the next is closed at once" \
	"closed=1 fast=1" "$("${TOOL[@]}" hold "${PORTS[3]}" $LB 257 2)"
assert_contains "... logged" "reason=proxy-pending-full" "${RLOGS[3]}"
assert_eq "NS_RELAY_ADMIN_CONNS_MAX (16) admin connections; the next is closed at once," \
	"closed=17 fast=1" "$("${TOOL[@]}" hold "${ADMINS[3]}" 127.0.0.1 17 8)"
assert_contains "... logged" "event=admin-refused reason=admin-connections" "${RLOGS[3]}"
assert_contains "... the 16 idle ones after NS_RELAY_ADMIN_TIMEOUT_MS (5 s)" \
	"event=admin-refused reason=timeout" "${RLOGS[3]}"
bad_request()
{
	exec 3<>"/dev/tcp/127.0.0.1/${ADMINS[3]}" || return
	printf 'GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n' >&3
	timeout 5 head -n 1 <&3 | tr -d '\r'
	exec 3<&-
}
assert_eq "a malformed request gets 400" "HTTP/1.1 400 Bad Request" "$(bad_request)"
assert_contains "... logged" "event=admin-refused reason=bad-header" "${RLOGS[3]}"
assert_eq "another path gets 404" 404 \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ADMINS[3]}/")"
# the full admin listener failed HAProxy's checks of relay 3 meanwhile
wait_state r3 UP 10 || fail "HAProxy never saw r3 UP again ($(server_state r3))"
ok "HAProxy sees relay 3 UP again once its admin listener has room"
assert_eq "relay 3 still serves after all that" "still" "$(login user echo still)"
pass
