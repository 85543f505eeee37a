#!/usr/bin/env bash
# The relay's wss:// listener (issue 13): a certificate made by `nullspace
# tls-cert` (parsed by openssl, verified as its own CA); OpenSSH's ssh with
# an independent wss client (python3-websockets over OpenSSL) as the
# ProxyCommand; ssh through `nullspace proxy --pin-sha256` (exit codes, 20
# MiB both ways at once by sha256); refusals: a client offering only weak
# suites or an old version (logged with its reason, while a session
# keeps working), a wrong pin, an untrusted self-signed certificate
# without a pin; an RSA certificate served too.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v openssl >/dev/null || skip "openssl missing"
/usr/bin/python3 -c 'import websockets' 2>/dev/null || skip "python3-websockets missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
TOOL=(/usr/bin/python3 "$HERE/ws_tool.py")

# ---- the certificate -------------------------------------------------------------
"$NULLSPACE" tls-cert 127.0.0.1 "$T/wss.pem" "$T/wss.key" >"$T/fp.out" 2>"$T/fp.err"
assert_eq "tls-cert exit" 0 "$?"
FP=$(cat "$T/fp.out")
assert_eq "fingerprint file = printed" "$FP" "$(cat "$T/wss.pem.sha256")"
assert_eq "the key is 0600" 600 "$(stat -c %a "$T/wss.key")"
openssl x509 -in "$T/wss.pem" -noout -text >"$T/x509.txt" 2>&1
assert_eq "openssl x509 parses it" 0 "$?"
assert_contains "ECDSA P-256" "NIST CURVE: P-256" "$T/x509.txt"
assert_contains "subjectAltName IP" "IP Address:127.0.0.1" "$T/x509.txt"
assert_contains "CN" "Subject: CN = 127.0.0.1" "$T/x509.txt"
openssl verify -CAfile "$T/wss.pem" "$T/wss.pem" >"$T/verify.txt" 2>&1
assert_eq "openssl verify -CAfile cert cert" 0 "$?"
want=$(openssl x509 -in "$T/wss.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : |
	tr A-F a-f)
assert_eq "fingerprint = openssl's SHA-256 of the DER" "$want" "$FP"
"$NULLSPACE" tls-cert 127.0.0.1 "$T/wss.pem" "$T/wss.key" >"$T/fp2.out" 2>/dev/null
assert_eq "a second run keeps the certificate" "$FP" "$(cat "$T/fp2.out")"
"$NULLSPACE" tls-cert localhost "$T/name.pem" "$T/name.key" >/dev/null 2>&1
openssl x509 -in "$T/name.pem" -noout -text | grep -q "DNS:localhost" || fail "no DNS SAN"
ok "tls-cert: openssl parses and verifies it, fingerprint file, key 0600, kept"

# ---- the relay -------------------------------------------------------------------
ssh_keygen "$T/user"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/ws_secret"
start_agent
WS_PORT=$(pick_port)
start_relay_to_agent sb_test --websocket-listen "127.0.0.1:$WS_PORT" \
	--websocket-secret "$T/ws_secret" --tls-cert "$T/wss.pem" --tls-key "$T/wss.key"
wait_listen "relay websocket" "$RELAY_PID" "$WS_PORT"
assert_contains "listener says tls" "tls=ecdsa-p256" "$RELAY_LOG"
sign_user "$T/user.pub" wsuser sb_test
read -r kt kb _ <"$RELAY_HOSTKEY.pub"
echo "wsrelay $kt $kb" >"$T/known_hosts"
EXP=$(($(date +%s) + 600))
URL=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_test "$EXP")
URL=wss://${URL#ws://}

# wss_ssh PROXYCOMMAND USER CMD...
wss_ssh()
{
	local pc=$1 user=$2
	shift 2
	timeout -k 5 120 "${SSH[@]}" -i "$T/user" -o CertificateFile="$T/wsuser-cert.pub" \
		-o HostKeyAlias=wsrelay -o "ProxyCommand=$pc" "$user@wsrelay" "$@"
}
PY="/usr/bin/python3 $HERE/wss_client.py $T/wss.pem '$URL'"
NS="$NULLSPACE proxy --pin-sha256 $FP '$URL'"

# ---- an independent client: python3-websockets over OpenSSL ----------------------
out=$(wss_ssh "$PY" sb_test 'echo hello-wss; exit 7' 2>"$T/err1")
assert_eq "exit status through wss (python)" 7 "$?"
assert_eq "output through wss (python)" hello-wss "$out"
grep -q "event=tls conn=.* version=TLS1.2 suite=ECDHE-ECDSA-" "$RELAY_LOG" ||
	fail "the handshake is not logged"
ok "ssh over wss with python3-websockets (OpenSSL checks the certificate)"

# ---- nullspace proxy --pin-sha256: exit codes, 20 MiB both ways at once ----------
out=$(wss_ssh "$NS" sb_test 'echo hello-pin; exit 9' 2>"$T/err2")
assert_eq "exit status through nullspace proxy (pinned)" 9 "$?"
assert_eq "output through nullspace proxy (pinned)" hello-pin "$out"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/down.bin"
wss_ssh "$NS" sb_test "cat $T/down.bin & sha256sum >&2; wait" <"$T/up.bin" \
	>"$T/down.out" 2>"$T/err3"
assert_eq "20 MiB bulk exit" 0 "$?"
assert_eq "20 MiB down sha256" "$(sha256sum <"$T/down.bin")" "$(sha256sum <"$T/down.out")"
assert_contains "20 MiB up sha256" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/err3"
COLON=$(echo "$FP" | sed 's/../&:/g; s/:$//' | tr a-f A-F)
out=$(wss_ssh "$NULLSPACE proxy --pin-sha256 $COLON '$URL'" sb_test 'echo colon' 2>/dev/null)
assert_eq "a pin as openssl prints it (colons, capitals)" colon "$out"
ok "nullspace proxy --pin-sha256 over wss: exit codes, 20 MiB each way at once"

# ---- refusals on the client side --------------------------------------------------
WRONG=$(printf '%s' "$FP" | tr 0-9a-f 1-9a-f0)
"$NULLSPACE" proxy --pin-sha256 "$WRONG" "$URL" </dev/null >/dev/null 2>"$T/perr"
assert_eq "wrong pin: exit 79" 79 "$?"
assert_contains "wrong pin: one clear line" "does not match --pin-sha256" "$T/perr"
assert_eq "wrong pin: one line" 1 "$(wc -l <"$T/perr")"
"$NULLSPACE" proxy "$URL" </dev/null >/dev/null 2>"$T/perr"
assert_eq "an IP host without a pin: 79" 79 "$?"
assert_contains "an IP host without a pin: why" "needs --pin-sha256" "$T/perr"
LURL=wss://localhost:$WS_PORT/${URL#wss://*/}
SSL_CERT_FILE=$T/wss.pem "$NULLSPACE" proxy "$LURL" </dev/null >/dev/null 2>"$T/perr"
assert_eq "trusted, but for 127.0.0.1, not localhost: 79" 79 "$?"
assert_contains "name mismatch: why" "certificate-name-mismatch" "$T/perr"
assert_not_contains "no signature in the messages" "${URL##*sig=}" "$T/perr"
ok "refused: wrong pin, IP without pin, wrong name (79)"

# ---- the URL's refusals come back through TLS --------------------------------------
BAD=${URL%?}0
[ "$BAD" != "$URL" ] || BAD=${URL%?}1
"$NULLSPACE" proxy --pin-sha256 "$FP" "$BAD" </dev/null >/dev/null 2>"$T/perr"
assert_eq "a bad signature over wss: 77" 77 "$?"
assert_contains "its reason through TLS" "HTTP 403: bad-signature" "$T/perr"
NONE=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_none "$EXP")
"$NULLSPACE" proxy --pin-sha256 "$FP" "wss://${NONE#ws://}" </dev/null >/dev/null 2>"$T/perr"
assert_eq "an unknown sandbox over wss: 68" 68 "$?"
grep -q "event=ws-refused .*status=403 reason=bad-signature" "$RELAY_LOG" ||
	fail "the wss refusal is not logged"
assert_not_contains "no signature in the log" "${BAD##*sig=}" "$RELAY_LOG"
ok "signed-URL refusals answered through TLS: 77, 68; logged without the signature"

# ---- weak clients refused and logged, while a session goes on ---------------------
wss_ssh "$NS" sb_test 'sleep 4; echo survived' >"$T/long.out" 2>&1 &
LONG=$!
sleep 1
openssl s_client -connect "127.0.0.1:$WS_PORT" -tls1_2 -cipher AES128-SHA </dev/null \
	>"$T/weak1.out" 2>&1
assert_eq "AES128-SHA only: handshake fails" 1 "$?"
openssl s_client -connect "127.0.0.1:$WS_PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' \
	</dev/null >"$T/weak2.out" 2>&1
assert_eq "TLS 1.1 only: handshake fails" 1 "$?"
openssl s_client -connect "127.0.0.1:$WS_PORT" -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256 \
	</dev/null >"$T/weak3.out" 2>&1
assert_eq "ECDHE with CBC only: handshake fails" 1 "$?"
wait "$LONG"
assert_eq "the session during the refusals" 0 "$?"
assert_eq "its output" survived "$(cat "$T/long.out")"
[ "$(grep -c "event=tls-refused .*reason=no-common-algorithm" "$RELAY_LOG")" -eq 2 ] ||
	fail "the weak suites (AES128-SHA, ECDHE CBC) are not logged"
grep -q "event=tls-refused .*reason=unsupported-version" "$RELAY_LOG" ||
	fail "TLS 1.1 not logged"
ok "weak suites and TLS 1.1 refused and logged; another session kept working"

# ---- plain HTTP and ws:// on the wss:// port ----------------------------------------
curl -s -m 10 "http://127.0.0.1:$WS_PORT/" >/dev/null 2>&1
assert_eq "curl http:// on the wss port fails" 1 "$([ $? -ne 0 ] && echo 1)"
grep -q "event=tls-refused .*reason=not-tls" "$RELAY_LOG" || fail "plain HTTP not logged as not-tls"
"$NULLSPACE" proxy "ws://${URL#wss://}" </dev/null >/dev/null 2>"$T/perr"
assert_eq "nullspace proxy ws:// to the wss port: closed before the upgrade" 69 "$?"
ok "plain HTTP and ws:// on the wss port: refused, logged not-tls"

# ---- an RSA key, and the CA check passing (a host name) --------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -out "$T/rsa.pem" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1 ||
	fail "openssl req failed"
WS2_PORT=$(pick_port)
RELAY2_LOG=$T/relay2.log
NS_LOGS+=("$RELAY2_LOG")
spawn "$RELAY2_LOG" "$NULLSPACE" relay --listen "127.0.0.1:$(pick_port)" \
	--host-key "$RELAY_HOSTKEY" --ca-keys "$T/ca.pub" --registry "$T/registry" \
	--client-key "$T/relay_client" --websocket-listen "127.0.0.1:$WS2_PORT" \
	--websocket-secret "$T/ws_secret" --tls-cert "$T/rsa.pem" --tls-key "$T/rsa.key" \
	--login-grace-time 3 --max-unauth-per-source 2
wait_listen "relay (RSA)" "$SPAWNED" "$WS2_PORT"
assert_contains "listener says rsa" "tls=rsa" "$RELAY2_LOG"
URL2=$("${TOOL[@]}" url "$T/ws_secret" "$WS2_PORT" sb_test "$EXP")
URL2=wss://localhost:$WS2_PORT/${URL2#ws://*/}
out=$(SSL_CERT_FILE=$T/rsa.pem wss_ssh "$NULLSPACE proxy '$URL2'" sb_test 'echo via-ca' \
	2>"$T/err5")
assert_eq "CA mode with a host name: exit" 0 "$?"
assert_eq "CA mode with a host name: output" via-ca "$out"
grep -q "event=tls .*suite=ECDHE-RSA-" "$RELAY2_LOG" || fail "RSA handshake not logged"
SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$NULLSPACE" proxy "$URL2" </dev/null \
	>/dev/null 2>"$T/perr"
assert_eq "a self-signed certificate, the system CAs: 79" 79 "$?"
assert_contains "untrusted: why" "TLS refused: certificate-not-trusted" "$T/perr"
assert_eq "untrusted: one line" 1 "$(wc -l <"$T/perr")"
ok "an RSA certificate; trusted through SSL_CERT_FILE by name, refused by the system CAs"

# ---- the SSH port's limits hold on wss: per source before login, the grace time ----
# two connections that never finish the TLS handshake (half a ClientHello)
/usr/bin/python3 - "$WS2_PORT" >"$T/stall.out" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for _ in range(3):
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
    s.sendall(bytes([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]))  # a record that never ends
    socks.append(s)
    time.sleep(0.3)
t0 = time.time()
closed = []
for s in socks:
    s.settimeout(10)
    try:
        d = s.recv(100)
    except OSError:
        d = b''
    closed.append(round(time.time() - t0, 1))
print('closed-after', closed)
PY
STALL=$!
wait "$STALL"
cat "$T/stall.out" >>"$T/stall.log"
grep -q "event=reject peer=127.0.0.1 reason=unauth-per-source" "$RELAY2_LOG" ||
	fail "the third unauthenticated wss connection was not refused"
[ "$(grep -c "event=login-timeout" "$RELAY2_LOG")" -eq 2 ] ||
	fail "the two stalled handshakes did not end with the login grace time"
[ "$(grep -c "event=tls-refused .*reason=handshake-unfinished" "$RELAY2_LOG")" -ge 2 ] ||
	fail "the stalled handshakes' end is not logged"
out=$(SSL_CERT_FILE=$T/rsa.pem wss_ssh "$NULLSPACE proxy '$URL2'" sb_test 'echo after' \
	2>/dev/null)
assert_eq "a login after the stalled ones" after "$out"
ok "wss: --max-unauth-per-source and --login-grace-time hold during the TLS handshake"

# ---- keys and files the relay refuses at start ----------------------------------------
bad_start()
{
	local name=$1 want=$2 cert=$3 key=$4
	"$NULLSPACE" relay --listen "127.0.0.1:$(pick_port)" --host-key "$RELAY_HOSTKEY" \
		--ca-keys "$T/ca.pub" --registry "$T/registry" --client-key "$T/relay_client" \
		--websocket-listen "127.0.0.1:$(pick_port)" --websocket-secret "$T/ws_secret" \
		--tls-cert "$cert" --tls-key "$key" >"$T/bad.log" 2>&1 </dev/null
	assert_eq "$name: the relay does not start" 1 "$([ $? -ne 0 ] && echo 1)"
	assert_contains "$name: says why" "$want" "$T/bad.log"
}
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$T/rsa1k.key" -out "$T/rsa1k.pem" -days 2 \
	-subj /CN=x >/dev/null 2>&1 || fail "openssl req rsa:1024 failed"
bad_start "RSA 1024" "an RSA key of 1024 bits (2048 at least)" "$T/rsa1k.pem" "$T/rsa1k.key"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/p384.key" \
	-out "$T/p384.pem" -days 2 -subj /CN=x >/dev/null 2>&1 || fail "openssl req P-384 failed"
bad_start "P-384" "an EC key on a curve other than P-256" "$T/p384.pem" "$T/p384.key"
bad_start "a key that is not the certificate's" "does not match the certificate" \
	"$T/rsa.pem" "$T/wss.key"
for i in $(seq 9); do cat "$T/wss.pem"; done >"$T/chain9.pem"
bad_start "a chain of 9" "more than 8 certificates" "$T/chain9.pem" "$T/wss.key"
bad_start "no certificate" "no CERTIFICATE" "$T/wss.key" "$T/wss.key"
ok "refused at start: RSA 1024, P-384, a mismatched key, a chain of 9, no certificate"

# ---- the proxy's handshake deadline -----------------------------------------------------
SILENT=$(pick_port)
/usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT)); s.listen(1); c, _ = s.accept(); time.sleep(30)
" &
SILENT_PID=$!
NS_PIDS+=("$SILENT_PID")
wait_listen "a silent server" "$SILENT_PID" "$SILENT"
t0=$(date +%s)
timeout 40 "$NULLSPACE" proxy --pin-sha256 "$FP" "wss://127.0.0.1:$SILENT/${URL#wss://*/}" \
	</dev/null >/dev/null 2>"$T/perr"
assert_eq "a server that never answers the ClientHello: 79" 79 "$?"
took=$(($(date +%s) - t0))
[ "$took" -ge 14 ] && [ "$took" -le 20 ] || fail "the handshake deadline took ${took}s, not 15"
assert_contains "the deadline's message" "TLS handshake with 127.0.0.1 failed" "$T/perr"
ok "nullspace proxy gives up a handshake after 15 s (NS_TLS_HANDSHAKE_MS): 79"

pass
