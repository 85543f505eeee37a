#!/usr/bin/env bash
# Certificate renewal over the resumable transport (issue 18), through
# `nullspace up --end-sessions-at-expiry --expiry-warning 30` with 1-minute
# certificates (the API's shortest): (a) `nullspace ssh --no-renew`: a busy
# session is warned on stderr, then ended with the message at expiry; (b)
# `nullspace ssh` (renewal on by default): the same session runs past twice
# the lifetime, every line out, the relay logs cert-renewed, no warning;
# (c) a proxy that renews with another sandbox's (valid, same key)
# certificate: each CERT refused with its reason (logged, one stderr line a
# try), the session not extended: it ends at expiry; (d) on a second relay
# with live revocation, revoking the access of the renewed certificate (not
# the login's) ends the session; (e) `nullspace ssh --websocket` renews the
# same way through the WebSocket listener. The five run at once (about 140 s).
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
need_nullspace
start_up --end-sessions-at-expiry --expiry-warning 30
SB=$("$NULLSPACE" sandbox create --timeout 900) || die "sandbox create failed"
SB2=$("$NULLSPACE" sandbox create --timeout 900) || die "sandbox create failed"

# (c)'s files: a certificate of SB2 (what its proxy renews with) and one of
# SB (what its ssh logs in with), both 1 minute long
timeout -k 5 60 "$NULLSPACE" ssh "$SB2" --expires-in 1 --no-resume -- true </dev/null 2>"$T/sb2.err" ||
	die "nullspace ssh $SB2 failed: $(cat "$T/sb2.err")"
timeout -k 5 60 "$NULLSPACE" ssh "$SB" --expires-in 1 --no-resume -- true </dev/null 2>"$T/sb.err" ||
	die "nullspace ssh $SB failed: $(cat "$T/sb.err")"
cp "$NULLSPACE_HOME/ssh/$SB-cert.pub" "$T/c-cert.pub"
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts"
cp "$T/c-cert.pub" "$T/d-cert.pub"

# (d)'s relay: live revocation from the API, every second
ST=$NULLSPACE_HOME/state
sed -n 's/^ *api_key *= *//p' "$NULLSPACE_HOME/config" >"$T/apikey"
chmod 600 "$T/apikey"
RP=$(pick_port)
NS_LOGS+=("$T/live.log")
spawn "$T/live.log" "$NULLSPACE" relay --listen "127.0.0.1:$RP" --routing cert \
	--host-key "$ST/relay_host_key" --ca-keys "$ST/ca.pub" --client-key "$ST/relay_client_key" \
	--revocations-url "http://127.0.0.1:$API_PORT/v1/revocations" --revocations-key "$T/apikey" \
	--revocations-interval 1 --revocations-max-stale 30
wait_listen "the live-revocation relay" "$SPAWNED" "$RP"
ssh-keygen -y -f "$ST/relay_host_key" >"$T/relay.pub"
known_hosts_line "$RP" "$T/relay.pub" >>"$T/known_hosts"
for i in $(seq 100); do
	grep -q "event=revocations-loaded" "$T/live.log" && break
	sleep 0.1
done
grep -q "event=revocations-loaded" "$T/live.log" || die "the live-revocation relay loaded no list"
TICKS='for i in $(seq 1 130); do echo tick $i; sleep 1; done; echo all-done'

# (c) another sandbox's certificate as the renewal: refused, not extended
timeout -k 5 200 "${SSH[@]}" -i "$NULLSPACE_HOME/ssh/id_ed25519" -o CertificateFile="$T/c-cert.pub" \
	-o "ProxyCommand='$NULLSPACE' proxy --renew $SB2 --expires-in 1 tcp://127.0.0.1:$RELAY_PORT" \
	-p "$RELAY_PORT" "$SB@127.0.0.1" "$TICKS" </dev/null >"$T/c.out" 2>"$T/c.err" &
C=$!
# (d) renewed, then the renewed certificate's access revoked
timeout -k 5 200 "${SSH[@]}" -i "$NULLSPACE_HOME/ssh/id_ed25519" -o CertificateFile="$T/d-cert.pub" \
	-o "ProxyCommand='$NULLSPACE' proxy --renew $SB --expires-in 1 tcp://127.0.0.1:$RP" \
	-p "$RP" "$SB@127.0.0.1" "$TICKS" </dev/null >"$T/d.out" 2>"$T/d.err" &
D=$!
# (a) no renewal
timeout -k 5 200 "$NULLSPACE" ssh "$SB" --expires-in 1 --no-renew -- "$TICKS" \
	</dev/null >"$T/a.out" 2>"$T/a.err" &
A=$!
sleep 2
# (b) renewal, the default
timeout -k 5 200 "$NULLSPACE" ssh "$SB" --expires-in 1 -- "$TICKS" \
	</dev/null >"$T/b.out" 2>"$T/b.err" &
B=$!

# (e) renewal over the WebSocket listener (another sandbox: its own count)
timeout -k 5 200 "$NULLSPACE" ssh "$SB2" --websocket --expires-in 1 -- "$TICKS" \
	</dev/null >"$T/e.out" 2>"$T/e.err" &
E=$!

# (d): at its first renewal, revoke the access the new certificate came from
for i in $(seq 600); do
	grep -q "event=cert-renewed" "$T/live.log" && break
	sleep 0.1
done
ACC=$(sed -n "s/.*event=cert-renewed .* cert_id=nullspace:\(acc_[a-z0-9]*\):$SB .*/\1/p" "$T/live.log" | head -n 1)
[ -n "$ACC" ] || fail "(d) no renewal logged by the live-revocation relay within 60 s"
grep -q "cert_id=nullspace:$ACC:" <(grep "event=auth conn=.* result=accepted" "$T/live.log") &&
	fail "(d) the renewed certificate is the login's"
code=$(curl -s -o "$T/del.out" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $(cat "$T/apikey")" \
	"http://127.0.0.1:$API_PORT/v1/sandboxes/$SB/ssh-access/$ACC")
assert_eq "(d) DELETE of the renewed certificate's access" 200 "$code"

wait "$A"
assert_eq "(a) --no-renew: ssh exits 255 at expiry" 255 "$?"
assert_contains "(a) warned on stderr" "nullspace relay: the certificate expires in" "$T/a.err"
assert_contains "(a) ... saying why it was not renewed" "renews it unless run with --no-renew" "$T/a.err"
assert_contains "(a) the end's message" "nullspace relay: the certificate has expired: the session ends" "$T/a.err"
assert_not_contains "(a) the session did not run on" all-done "$T/a.out"
n=$(grep -c '^tick' "$T/a.out")
[ "$n" -ge 45 ] && [ "$n" -le 70 ] || fail "(a) the session ran $n s, want about 60"
[ "$(grep -n 'expires in' "$T/a.err" | head -1 | cut -d: -f1)" -lt "$(grep -n 'has expired' "$T/a.err" | head -1 | cut -d: -f1)" ] ||
	fail "(a) the warning did not come before the end"
ok "--no-renew: warned, then ended at expiry after $n s"

wait "$C"
assert_eq "(c) a forged renewal: ssh exits 255 at expiry" 255 "$?"
assert_contains "(c) the end's message" "nullspace relay: the certificate has expired: the session ends" "$T/c.err"
assert_contains "(c) the proxy says the relay refused it, and why" "certificate renewal failed (the relay refused it: wrong-principal)" "$T/c.err"
n=$(grep -c '^tick' "$T/c.out")
[ "$n" -le 70 ] || fail "(c) the session ran $n s: the forged renewal extended it"
grep -q "event=cert-renew-refused conn=[0-9]* user=$SB reason=wrong-principal" "$UP_LOG" ||
	fail "(c) the refusal is not logged"
ok "another sandbox's certificate as a renewal: refused (wrong-principal), the session ended at expiry after $n s"

wait "$D"
assert_eq "(d) the revoked renewal ends the session (exit 255)" 255 "$?"
assert_contains "(d) with the revocation message" "the certificate of this session has been revoked" "$T/d.err"
grep -q "event=revoked conn=[0-9]* sandbox=$SB" "$T/live.log" || fail "(d) the revocation is not logged"
n=$(grep -c '^tick' "$T/d.out")
[ "$n" -ge 15 ] && [ "$n" -le 40 ] ||
	fail "(d) the session ran $n s, want about 20 (its first renewal, then the revocation)"
ok "revoking the renewed certificate's access (not the login's) ends the session (after $n s)"

wait "$B"
assert_eq "(b) renewal on: the session ran to its end (exit 0)" 0 "$?"
assert_eq "(b) every line out" 130 "$(grep -c '^tick' "$T/b.out")"
assert_contains "(b) the last line" all-done "$T/b.out"
assert_not_contains "(b) no expiry end" "has expired" "$T/b.err"
assert_not_contains "(b) renewed before the warning" "expires in" "$T/b.err"
assert_not_contains "(b) no renewal failure" "renewal failed" "$T/b.err"
r=$(grep -c "event=cert-renewed conn=[0-9]* user=$SB cert_id=nullspace:acc_[a-z0-9]*:$SB serial=[0-9]* valid_before=[0-9]*" "$UP_LOG")
[ "$r" -ge 2 ] || fail "(b) the relay logged $r renewals, want 2 or more"
ok "renewal on: a 130 s session on 1-minute certificates ran to its end ($r renewals, none refused)"

wait "$E"
assert_eq "(e) --websocket, renewal on: the session ran to its end (exit 0)" 0 "$?"
assert_eq "(e) every line out" 130 "$(grep -c '^tick' "$T/e.out")"
assert_not_contains "(e) no expiry end" "has expired" "$T/e.err"
assert_not_contains "(e) no renewal failure" "renewal failed" "$T/e.err"
grep -q "event=ws-upgrade conn=[0-9]* peer=[^ ]* sandbox=$SB2" "$UP_LOG" ||
	fail "(e) the session did not come through the WebSocket listener"
r=$(grep -c "event=cert-renewed conn=[0-9]* user=$SB2 " "$UP_LOG")
[ "$r" -ge 2 ] || fail "(e) the relay logged $r renewals over WebSocket, want 2 or more"
ok "--websocket: a 130 s session on 1-minute certificates renewed $r times and ran to its end"
pass
