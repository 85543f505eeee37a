#!/usr/bin/env bash
# `nullspace up` serves wss:// by default: the first start makes the relay's
# certificate (self-signed ECDSA P-256 for the public host, key 0600, its
# SHA-256 beside it) and URL secret, the relay serves wss:// with them, a
# second start keeps them (the pin stays valid; --websocket-tls, the old
# flag, still accepted), and real OpenSSH reaches a sandbox through
# `nullspace proxy --pin-sha256` with the state folder's pin; the access
# object carries the wss:// URL and the pin, and `nullspace ssh --websocket`
# uses both. A certificate with fewer than 30 days left is renewed at the
# next start (a new pin, handed out at once); one with more is kept.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v openssl >/dev/null || skip "openssl missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
NS=$NULLSPACE
WS_PORT=$(pick_port)
start_up --websocket-listen "127.0.0.1:$WS_PORT"
wait_listen "nullspace up (wss)" "$UP_PID" "$WS_PORT" 30
S=$NULLSPACE_HOME/state
mode() { stat -c '%a' "$1"; }

# ---- the files ---------------------------------------------------------------------
assert_eq "certificate 0644" 644 "$(mode "$S/ws_tls_cert.pem")"
assert_eq "key 0600" 600 "$(mode "$S/ws_tls_key.pem")"
assert_eq "URL secret 0600" 600 "$(mode "$S/ws_secret")"
FP=$(cat "$S/ws_tls_cert.sha256")
want=$(openssl x509 -in "$S/ws_tls_cert.pem" -noout -fingerprint -sha256 | cut -d= -f2 |
	tr -d : | tr A-F a-f)
assert_eq "the pin file is the DER's SHA-256" "$want" "$FP"
openssl x509 -in "$S/ws_tls_cert.pem" -noout -text >"$T/x509.txt" 2>&1
assert_eq "openssl x509 parses it" 0 "$?"
assert_contains "for the public host" "IP Address:127.0.0.1" "$T/x509.txt"
assert_contains "a year" "$(date -u -d '+365 days -1 hour' '+%b %e')" "$T/x509.txt"
openssl verify -CAfile "$S/ws_tls_cert.pem" "$S/ws_tls_cert.pem" >/dev/null 2>&1
assert_eq "openssl verify -CAfile cert cert" 0 "$?"
assert_contains "up logs the listener" "WebSocket listener on 127.0.0.1:$WS_PORT (signed URLs name wss://" "$UP_LOG"
assert_contains "up logs the pin" "wss:// certificate SHA-256 $FP" "$UP_LOG"
assert_contains "the relay serves wss" "tls=ecdsa-p256" "$UP_LOG"
ok "up made the certificate, its key, its pin file and the URL secret"

# ---- ssh through nullspace proxy with the pin -------------------------------------
"$NS" sandbox create --timeout 300 >"$T/sb" 2>"$T/sb.err" || die "create: $(cat "$T/sb.err")"
SB=$(cat "$T/sb")
CMD=$("$NS" sandbox ssh-access "$SB" --print-command 2>/dev/null) || die "ssh-access failed"
URL=$(/usr/bin/python3 "$HERE/ws_tool.py" url "$S/ws_secret" "$WS_PORT" "$SB" \
	$(($(date +%s) + 600)))
URL=wss://${URL#ws://}
timeout -k 5 60 sh -c "$CMD -o ProxyCommand=\"$NS proxy --pin-sha256 $FP '$URL'\" \
	'echo via-wss; exit 3'" </dev/null >"$T/out" 2>"$T/err"
assert_eq "exit code through up's wss" 3 "$?"
assert_eq "output through up's wss" via-wss "$(cat "$T/out")"
ok "OpenSSH to a sandbox of up over wss://, pinned with the state folder's pin file"

# ---- the access object and the CLI ---------------------------------------------------
"$NS" sandbox ssh-access "$SB" --json >"$T/acc.json" 2>/dev/null || die "ssh-access --json failed"
got=$(/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(a["websocket_url"].split(":")[0], a["websocket_tls_sha256"])' "$T/acc.json")
assert_eq "the access object: a wss:// URL and the certificate's pin" "wss $FP" "$got"
"$NS" sandbox ssh-access "$SB" --print-command --websocket >"$T/pc" 2>/dev/null
head -1 "$T/pc" >"$T/pc1"
assert_contains "--print-command --websocket pins the certificate" "pin-sha256" "$T/pc1"
assert_contains "... with the access object's pin" "$FP" "$T/pc1"
timeout -k 5 60 "$NS" ssh --websocket "$SB" -- 'echo via-cli; exit 4' </dev/null >"$T/out" 2>"$T/err"
assert_eq "nullspace ssh --websocket over wss: the exit code" 4 "$?"
assert_eq "nullspace ssh --websocket over wss: the output" via-cli "$(cat "$T/out")"

# ---- a second start keeps them --------------------------------------------------------
kill -TERM "$UP_PID"
wait "$UP_PID"
NS_PIDS=()
start_up --websocket-listen "127.0.0.1:$WS_PORT" --websocket-tls
wait_listen "nullspace up (wss, again)" "$UP_PID" "$WS_PORT" 30
assert_eq "the pin survives a restart" "$FP" "$(cat "$S/ws_tls_cert.sha256")"
"$NS" up --websocket-listen nonsense >"$T/bad.out" 2>&1
assert_eq "a bad --websocket-listen: exit 2" 2 "$?"
ok "a restart keeps the certificate; a bad address is refused"

# ---- renewal: fewer than 30 days left, a new certificate; more, kept -------------------
# restart PEM_DAYS: up stopped, a self-signed openssl certificate of that
# many days put in place of up's, up started again
restart_with()
{
	kill -TERM "$UP_PID"
	wait "$UP_PID"
	NS_PIDS=()
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$1" \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$S/ws_tls_key.pem" -out "$S/ws_tls_cert.pem" >/dev/null 2>&1 ||
		die "openssl could not make a $1-day certificate"
	PLANTED=$(openssl x509 -in "$S/ws_tls_cert.pem" -noout -fingerprint -sha256 | cut -d= -f2 |
		tr -d : | tr A-F a-f)
	: >"$UP_LOG"
	start_up --websocket-listen "127.0.0.1:$WS_PORT"
	wait_listen "nullspace up (wss, $1 days)" "$UP_PID" "$WS_PORT" 30
}
restart_with 40
assert_eq "40 days left: kept" "$PLANTED" "$(cat "$S/ws_tls_cert.sha256")"
assert_not_contains "40 days left: not renewed" "renewed" "$UP_LOG"
restart_with 10
NEW=$(cat "$S/ws_tls_cert.sha256")
[ "$NEW" != "$PLANTED" ] && [ "$NEW" != "$FP" ] || fail "10 days left: the pin did not change"
assert_eq "the new pin is the new certificate's" "$NEW" \
	"$(openssl x509 -in "$S/ws_tls_cert.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)"
openssl x509 -in "$S/ws_tls_cert.pem" -noout -checkend $((300 * 86400)) >/dev/null
assert_eq "the renewed certificate has a year" 0 "$?"
assert_eq "the renewed key is 0600" 600 "$(mode "$S/ws_tls_key.pem")"
assert_contains "up says it renewed and why" "renewed the WebSocket listener's certificate" "$UP_LOG"
assert_contains "... fewer than 30 days" "fewer than 30 days left" "$UP_LOG"
SBR=$("$NS" sandbox create --timeout 300) || die "create after the renewal failed"
timeout -k 5 60 "$NS" ssh --websocket "$SBR" -- 'echo renewed; exit 6' </dev/null >"$T/out" 2>"$T/err"
assert_eq "nullspace ssh --websocket with the renewed pin: exit 6" 6 "$?"
assert_eq "nullspace ssh --websocket with the renewed pin: output" renewed "$(cat "$T/out")"
CMD=$("$NS" sandbox ssh-access "$SBR" --print-command 2>/dev/null) || die "ssh-access failed"
URL=$(/usr/bin/python3 "$HERE/ws_tool.py" url "$S/ws_secret" "$WS_PORT" "$SBR" \
	$(($(date +%s) + 600)))
URL=wss://${URL#ws://}
timeout -k 5 60 sh -c "$CMD -o ProxyCommand=\"$NS proxy --pin-sha256 $NEW '$URL'\" true" \
	</dev/null >/dev/null 2>"$T/err"
assert_eq "the new pin passes" 0 "$?"
timeout -k 5 60 sh -c "$CMD -o ProxyCommand=\"$NS proxy --pin-sha256 $FP '$URL'\" true" \
	</dev/null >/dev/null 2>"$T/err"
assert_eq "the old pin no longer passes" 255 "$?"
assert_contains "... the proxy says why" "certificate" "$T/err"
ok "renewal: 40 days left kept, 10 days left renewed (new pin served, the old one refused)"
pass
