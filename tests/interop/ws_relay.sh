#!/usr/bin/env bash
# OpenSSH's ssh through the relay's WebSocket listener (issue 13, plain ws):
# an independent client (python3-websockets) as the ProxyCommand; exit
# codes, 20 MiB both ways at once by sha256; the certificate login still
# required and bound to the URL's sandbox; every refusal before the upgrade
# (bad signature, expired, unknown, stopped sandbox, plain GET) with its
# HTTP status and log line, and after it (unmasked, oversize, text frames)
# with its close code; the relay serving throughout; no signature logged.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
/usr/bin/python3 -c 'import websockets' 2>/dev/null || skip "python3-websockets missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
TOOL=(/usr/bin/python3 "$HERE/ws_tool.py")

ssh_keygen "$T/user"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/ws_secret"
echo >>"$T/ws_secret"
start_agent
WS_PORT=$(pick_port)
start_relay_to_agent sb_test --websocket-listen "127.0.0.1:$WS_PORT" \
	--websocket-secret "$T/ws_secret"
wait_listen "relay websocket" "$RELAY_PID" "$WS_PORT"
# sb_two: running, its own entry; sb_off: stopped
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=running\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_two"
printf 'endpoint=127.0.0.1:%s\nhost_key=%s\nstate=stopped\n' "$AGENT_PORT" \
	"$(cat "$AGENT_HOSTKEY.pub")" >"$T/registry/sb_off"
sign_user "$T/user.pub" wsuser sb_test
read -r kt kb _ <"$RELAY_HOSTKEY.pub"
echo "wsrelay $kt $kb" >"$T/known_hosts"

EXP=$(($(date +%s) + 600))
URL=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_test "$EXP")
SIG=${URL##*sig=}
BAD=${URL%?}0
[ "$BAD" != "$URL" ] || BAD=${URL%?}1

# ws_ssh URL USER CMD...: ssh through the python client (PROXY=ns: through
# `nullspace proxy`).
ws_ssh()
{
	local url=$1 user=$2 pc="/usr/bin/python3 $HERE/ws_client.py"
	shift 2
	[ "${PROXY:-py}" = ns ] && pc="$NULLSPACE proxy"
	timeout -k 5 120 "${SSH[@]}" -i "$T/user" -o CertificateFile="$T/wsuser-cert.pub" \
		-o HostKeyAlias=wsrelay -o "ProxyCommand=$pc '$url'" "$user@wsrelay" "$@"
}

# ---- a session, exit codes ----------------------------------------------------
out=$(ws_ssh "$URL" sb_test 'echo hello-ws; exit 7' 2>"$T/err1")
rc=$?
assert_eq "exit status through ws" 7 "$rc"
assert_eq "output through ws" hello-ws "$out"
assert_contains "the upgrade is logged" "event=ws-upgrade" "$RELAY_LOG"
assert_contains "the connection is a websocket one" "transport=websocket" "$RELAY_LOG"
ok "ssh over ws: exit code and output"

# ---- 20 MiB both ways at once ------------------------------------------------
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/down.bin"
ws_ssh "$URL" sb_test "cat $T/down.bin & sha256sum >&2; wait" <"$T/up.bin" >"$T/down.out" \
	2>"$T/err2"
assert_eq "20 MiB bulk exit" 0 "$?"
assert_eq "20 MiB down sha256" "$(sha256sum <"$T/down.bin")" "$(sha256sum <"$T/down.out")"
assert_contains "20 MiB up sha256" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/err2"
ok "20 MiB each way at once, sha256 equal"

# ---- the same through `nullspace proxy` --------------------------------------------
out=$(PROXY=ns ws_ssh "$URL" sb_test 'echo hello-proxy; exit 9' 2>"$T/err4")
assert_eq "exit status through nullspace proxy" 9 "$?"
assert_eq "output through nullspace proxy" hello-proxy "$out"
PROXY=ns ws_ssh "$URL" sb_test "cat $T/down.bin & sha256sum >&2; wait" <"$T/up.bin" \
	>"$T/down2.out" 2>"$T/err5"
assert_eq "proxy: 20 MiB bulk exit" 0 "$?"
assert_eq "proxy: 20 MiB down sha256" "$(sha256sum <"$T/down.bin")" "$(sha256sum <"$T/down2.out")"
assert_contains "proxy: 20 MiB up sha256" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/err5"
# when ssh ends, the relay (seeing the SSH disconnect) and the proxy (seeing
# stdin's EOF) both close, so either may be first: a close 1000 either way
grep -qE "event=ws-close conn=[0-9]* by=(peer|relay) code=1000" "$RELAY_LOG" ||
	fail "no close 1000 after the proxy's sessions"
# the proxy's own close on stdin's EOF, with no SSH end to race it
"$NULLSPACE" proxy "$URL" </dev/null >/dev/null 2>"$T/eofp"
assert_eq "proxy: stdin at its end at once: exit 0" 0 "$?"
grep -q "event=ws-close conn=[0-9]* by=peer code=1000" "$RELAY_LOG" || fail "proxy sent no close 1000"
ok "nullspace proxy: exit codes, 20 MiB each way at once, close 1000"

# its own exit codes
"$NULLSPACE" proxy "$BAD" </dev/null >/dev/null 2>"$T/perr"
assert_eq "proxy: a bad signature" 77 "$?"
assert_contains "proxy: its reason shown" "HTTP 403: bad-signature" "$T/perr"
"$NULLSPACE" proxy "${URL%?}x" </dev/null >/dev/null 2>"$T/perr"
assert_eq "proxy: a malformed URL, 400" 76 "$?"
"$NULLSPACE" proxy "$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_none "$EXP")" \
	</dev/null >/dev/null 2>"$T/perr"
assert_eq "proxy: unknown sandbox" 68 "$?"
assert_contains "proxy: the reason shown" "HTTP 404: sandbox-not-found" "$T/perr"
"$NULLSPACE" proxy "ws://127.0.0.1:$(pick_port)/v1/sandboxes/sb_test/ssh" </dev/null \
	>/dev/null 2>"$T/perr"
assert_eq "proxy: nothing listening" 69 "$?"
"$NULLSPACE" proxy "wss://127.0.0.1:1/x" </dev/null >/dev/null 2>"$T/perr"
assert_eq "proxy: wss, nothing listening" 69 "$?"
"$NULLSPACE" proxy "http://x/" </dev/null >/dev/null 2>"$T/perr"
assert_eq "proxy: not a ws URL" 2 "$?"
ok "nullspace proxy exit codes: 77 76 68 69 69 2"

# ---- the URL alone opens nothing: a certificate for another sandbox --------------
URL_TWO=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_two "$EXP")
ws_ssh "$URL_TWO" sb_test true 2>"$T/err3"
assert_eq "other sandbox's URL: ssh fails" 255 "$?"
assert_contains "other sandbox: ssh's message" "this WebSocket URL is for sandbox sb_two" "$T/err3"
assert_contains "other sandbox: logged" "reason=websocket-other-sandbox" "$RELAY_LOG"
ok "a URL for another sandbox than the certificate's is refused"

# ---- refusals before the upgrade -------------------------------------------------
probe() { "${TOOL[@]}" probe "$WS_PORT" "$@"; }
T_BAD=/${BAD#ws://*/}
r=$(probe "$T_BAD" upgrade)
assert_eq "bad signature" "status=403 body=bad-signature" "$r"
OLD=$(($(date +%s) - 5))
URL_OLD=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_test "$OLD")
r=$(probe "/${URL_OLD#ws://*/}" upgrade)
assert_eq "expired" "status=410 body=expired" "$r"
URL_NONE=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_none "$EXP")
r=$(probe "/${URL_NONE#ws://*/}" upgrade)
assert_eq "unknown sandbox" "status=404 body=sandbox-not-found" "$r"
URL_OFF=$("${TOOL[@]}" url "$T/ws_secret" "$WS_PORT" sb_off "$EXP")
r=$(probe "/${URL_OFF#ws://*/}" upgrade)
assert_eq "stopped sandbox" "status=410 body=sandbox-stopped" "$r"
r=$(probe "/${URL#ws://*/}" plain)
assert_eq "plain GET" "status=400 body=not-websocket" "$r"
r=$(probe "/v1/sandboxes/sb_test/ssh" upgrade)
assert_eq "no signature" "status=401 body=no-signature" "$r"
r=$(timeout 20 "${TOOL[@]}" probe "$WS_PORT" / fill)
assert_eq "a head that fills the cap without ending" "status=400 body=head-too-large" "$r"
for why in "status=403 reason=bad-signature sandbox=sb_test" "status=410 reason=expired" \
	"status=404 reason=sandbox-not-found sandbox=sb_none" "reason=sandbox-stopped sandbox=sb_off" \
	"status=400 reason=not-websocket" "status=401 reason=no-signature"; do
	assert_contains "refusal logged: $why" "event=ws-refused" "$RELAY_LOG"
	grep -q "event=ws-refused .*$why" "$RELAY_LOG" || fail "no log line with $why"
done
ok "refusals before the upgrade: 403 410 404 410 400 401, each logged"

# ---- refusals after it ----------------------------------------------------------
T_OK="/${URL#ws://*/}"
assert_eq "unmasked frame" close=1002 "$(probe "$T_OK" unmasked)"
assert_eq "oversize frame" close=1009 "$(probe "$T_OK" oversize)"
assert_eq "text frame" close=1003 "$(probe "$T_OK" text)"
assert_eq "close handshake" close=1000 "$(probe "$T_OK" upgrade)"
# the relay ends the SSH connection (the client's DISCONNECT): a close frame
# with 1000 after the last bytes, not a bare TCP close (1006)
assert_eq "the relay's normal end" close=1000 "$(probe "$T_OK" disconnect)"
grep -q "event=ws-close conn=[0-9]* by=relay code=1000" "$RELAY_LOG" || fail "relay close not logged"
assert_eq "python3-websockets sees the relay's close 1000" close=1000 \
	"$(timeout 30 /usr/bin/python3 "$HERE/ws_close.py" "$URL")"
grep -q "event=ws-error .*reason=unmasked-frame code=1002" "$RELAY_LOG" || fail "unmasked not logged"
grep -q "event=ws-error .*reason=frame-too-big code=1009" "$RELAY_LOG" || fail "oversize not logged"
grep -q "event=ws-error .*reason=text-frame code=1003" "$RELAY_LOG" || fail "text not logged"
ok "unmasked 1002, oversize 1009, text 1003, close 1000; logged"

# ---- still serving, nothing secret logged --------------------------------------------
out=$(ws_ssh "$URL" sb_test 'echo still' 2>/dev/null)
assert_eq "relay still serves over ws" still "$out"
assert_not_contains "the signature is never logged" "$SIG" "$RELAY_LOG"
assert_not_contains "the secret is never logged" "$(head -c 64 "$T/ws_secret")" "$RELAY_LOG"
ok "the relay serves after the refusals; no signature or secret in the log"
pass
