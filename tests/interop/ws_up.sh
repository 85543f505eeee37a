#!/usr/bin/env bash
# The legacy signed WebSocket URL through the product (issue 13): `nullspace
# up` turns the relay's wss:// listener on by default (its self-signed
# certificate pinned by the CLI) and the API mints websocket_url and the pin
# into every access; real OpenSSH with `nullspace proxy --pin-sha256 PIN URL`
# as its ProxyCommand: exit codes, a PTY, 50 MiB both ways at once by
# sha256, three channels over one ControlMaster; `nullspace ssh --websocket`
# and `ssh-access --print-command --websocket` from a binary whose path holds
# a space; refusals (bad signature, expired, other sandbox, killed sandbox)
# with their HTTP status and log line while another session keeps working;
# the URL alone opens no shell; no signature or secret in the log;
# `--websocket-plain` serves ws:// and `--no-websocket` nothing.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
TOOL=(/usr/bin/python3 "$HERE/ws_tool.py")

# the binary from a folder whose name holds a space (and a quote)
mkdir -p "$T/bin d'ir"
cp "$NULLSPACE" "$T/bin d'ir/nullspace"
NS="$T/bin d'ir/nullspace"
start_up
WS_PORT=$(sed -n 's/.*WebSocket listener on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$UP_LOG" | head -1)
for i in $(seq 100); do
	[ -n "$WS_PORT" ] && break
	sleep 0.1
	WS_PORT=$(sed -n 's/.*WebSocket listener on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$UP_LOG" | head -1)
done
[ -n "$WS_PORT" ] || die "up logged no WebSocket listener"
port_listening "$WS_PORT" || die "nothing listens on the WebSocket port $WS_PORT"
SECRET=$NULLSPACE_HOME/state/ws_secret
assert_eq "the URL secret is 0600" 600 "$(stat -c %a "$SECRET")"
assert_contains "the relay's WebSocket listener is on" "relay event=websocket-listen" "$UP_LOG"
assert_contains "the relay serves wss:// by default" "tls=ecdsa-p256" "$UP_LOG"
PIN=$(cat "$NULLSPACE_HOME/state/ws_tls_cert.sha256")
[[ $PIN =~ ^[0-9a-f]{64}$ ]] || die "no certificate pin in the state folder: [$PIN]"
export WS_TOOL_PIN=$PIN # ws_tool.py probe speaks wss:// with this pin
ok "up: wss:// listener on a free port ($WS_PORT), secret 0600, certificate pinned"

SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
SB2=$("$NS" sandbox create --timeout 600) || die "second sandbox create failed"
SB3=$("$NS" sandbox create --timeout 600) || die "third sandbox create failed"

# ---- the access object carries the URL --------------------------------------
"$NS" sandbox ssh-access "$SB" --json >"$T/acc.json" 2>"$T/acc.err" ||
	die "ssh-access --json failed: $(cat "$T/acc.err")"
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("null" if v is None else v)' "$@"; }
URL=$(jget "$T/acc.json" websocket_url)
assert_eq "websocket_tls_sha256 is the certificate's pin" "$PIN" "$(jget "$T/acc.json" websocket_tls_sha256)"
[[ $URL =~ ^wss://127\.0\.0\.1:$WS_PORT/v1/sandboxes/$SB/ssh\?exp=([0-9]+)\&sig=[0-9a-f]{64}$ ]] ||
	die "websocket_url has not the documented shape: [$URL]"
EXP=${BASH_REMATCH[1]}
EXPIRES=$(jget "$T/acc.json" expires_at)
assert_eq "the URL expires with the access" "$(date -u -d "@$EXP" +%Y-%m-%dT%H:%M:%SZ)" "$EXPIRES"
assert_eq "the API signed it with the secret" "${URL#wss://}" \
	"$("${TOOL[@]}" url "$SECRET" "$WS_PORT" "$SB" "$EXP" | sed 's,^ws://,,')"
SIG=${URL##*sig=}
ok "the access object carries websocket_url (bound to $SB and expires_at)"

# ---- ssh-access --print-command --websocket (quoting, the websocat line) ------
"$NS" sandbox ssh-access "$SB" --print-command --websocket >"$T/cmd.out" 2>"$T/cmd.err" ||
	die "print-command --websocket failed: $(cat "$T/cmd.err")"
assert_contains "print-command warns: credential" "credential" "$T/cmd.err"
assert_contains "print-command warns: bearer" "bearer credential" "$T/cmd.err"
assert_eq "two lines: the command, the websocat comment" 2 "$(wc -l <"$T/cmd.out")"
sed -n 2p "$T/cmd.out" | grep -q "^# .*websocat.*--binary.*wss://127.0.0.1:$WS_PORT/v1/sandboxes/$SB/ssh" ||
	fail "no websocat comment line: $(sed -n 2p "$T/cmd.out")"
sed -n 2p "$T/cmd.out" | grep -q "websocat cannot pin the certificate" ||
	fail "the websocat line does not say it cannot pin: $(sed -n 2p "$T/cmd.out")"
head -1 "$T/cmd.out" | grep -q -- "--pin-sha256.*$PIN" || fail "the printed command does not pin: $(head -1 "$T/cmd.out")"
CMD=$(head -1 "$T/cmd.out")
timeout -k 5 60 sh -c "$CMD -o BatchMode=yes 'echo via-print; exit 7'" </dev/null >"$T/p.out" 2>"$T/p.err"
assert_eq "the printed command runs (path with a space): exit 7" 7 "$?"
assert_eq "the printed command's output" via-print "$(cat "$T/p.out")"
ok "print-command --websocket: a command that runs as printed, websocat on a comment line"

# ---- nullspace ssh --websocket -----------------------------------------------------
timeout -k 5 60 "$NS" ssh "$SB" --websocket -- 'echo via-ssh; exit 9' </dev/null >"$T/s.out" 2>"$T/s.err"
assert_eq "nullspace ssh --websocket: exit 9" 9 "$?"
assert_eq "nullspace ssh --websocket: output" via-ssh "$(cat "$T/s.out")"
assert_contains "nullspace ssh --websocket warns" "bearer credential" "$T/s.err"
"$NS" ssh --native "$SB" --websocket -- true </dev/null >/dev/null 2>"$T/n.err"
assert_eq "--websocket --native: a usage error" 2 "$?"
assert_contains "--websocket --native: says why" "built-in client does not speak WebSocket" "$T/n.err"
ok "nullspace ssh --websocket: exit code, output, warning; --native refused clearly"

# ---- real OpenSSH with nullspace proxy as the ProxyCommand --------------------
KEY=$NULLSPACE_HOME/ssh/id_ed25519
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts" # "${SSH[@]}" reads this one
RELAY_DEST=(-p "$RELAY_PORT" "$SB@127.0.0.1")
wssh()
{
	local url=$1
	shift
	timeout -k 5 180 "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" \
		-o "ProxyCommand='$NULLSPACE' proxy --pin-sha256 $PIN '$url'" "$@"
}
out=$(wssh "$URL" "${RELAY_DEST[@]}" 'echo hi; exit 7' </dev/null 2>"$T/e1")
assert_eq "ssh over the URL: exit 7" 7 "$?"
assert_eq "ssh over the URL: output" hi "$out"
out=$(wssh "$URL" -tt "${RELAY_DEST[@]}" tty </dev/null 2>"$T/e2" | tr -d '\r')
assert_eq "ssh -tt over the URL: exit 0" 0 "$?"
[[ $out == /dev/pts/* ]] && ok "a PTY over the URL ($out)" || fail "tty printed [$out]"

# 50 MiB each way at once: up, hashed in the sandbox; down, made there and hashed
head -c $((50 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
wssh "$URL" "${RELAY_DEST[@]}" 'exec 3<&0; sha256sum <&3 >&2 & head -c 52428800 /dev/urandom | tee d.bin; sha256sum d.bin >&2; rm -f d.bin; wait' \
	<"$T/up.bin" >"$T/down.out" 2>"$T/e3"
assert_eq "50 MiB both ways: exit 0" 0 "$?"
assert_eq "50 MiB down: size" $((50 * 1024 * 1024)) "$(stat -c %s "$T/down.out")"
assert_contains "50 MiB up: sha256 equal" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/e3"
assert_contains "50 MiB down: sha256 equal" "$(sha256sum <"$T/down.out" | cut -d' ' -f1)  d.bin" "$T/e3"
ok "50 MiB each way at once over the URL, sha256 equal"

# three channels over one ControlMaster connection
CM=$T/cm.sock
wssh "$URL" -o ControlMaster=yes -o ControlPath="$CM" -fN "${RELAY_DEST[@]}" </dev/null 2>"$T/cm.err" ||
	die "ControlMaster did not start: $(cat "$T/cm.err")"
for i in 1 2 3; do
	timeout -k 5 60 "${SSH[@]}" -o ControlPath="$CM" -o ControlMaster=no "${RELAY_DEST[@]}" \
		"sleep 1; echo ch$i; exit 1$i" </dev/null >"$T/ch$i.out" 2>&1 &
	eval "CH$i=\$!"
done
for i in 1 2 3; do
	eval "wait \$CH$i"
	assert_eq "channel $i's exit" "1$i" "$?"
	assert_eq "channel $i's output" "ch$i" "$(cat "$T/ch$i.out")"
done
"${SSH[@]}" -o ControlPath="$CM" -O exit "${RELAY_DEST[@]}" 2>/dev/null
ok "three channels at once over one ControlMaster connection"

# ---- refusals, while another session keeps working -------------------------------
wssh "$URL" "${RELAY_DEST[@]}" 'sleep 4; echo still-alive' </dev/null >"$T/long.out" 2>&1 &
LONG=$!
probe() { "${TOOL[@]}" probe "$WS_PORT" "$@"; }
BAD=${URL%?}0
[ "$BAD" != "$URL" ] || BAD=${URL%?}1
assert_eq "bad signature" "status=403 body=bad-signature" "$(probe "/${BAD#wss://*/}" upgrade)"
OLD=$("${TOOL[@]}" url "$SECRET" "$WS_PORT" "$SB" $(($(date +%s) - 5)))
OLD=wss://${OLD#ws://}
assert_eq "expired" "status=410 body=expired" "$(probe "/${OLD#wss://*/}" upgrade)"
"$NULLSPACE" proxy --pin-sha256 "$PIN" "$OLD" </dev/null >/dev/null 2>"$T/px.err"
assert_eq "nullspace proxy: expired, exit 77" 77 "$?"
assert_contains "nullspace proxy: expired, reason shown" "HTTP 410: expired" "$T/px.err"
# another sandbox's URL with this sandbox's certificate
"$NS" sandbox ssh-access "$SB2" --json >"$T/acc2.json" 2>/dev/null || die "ssh-access $SB2 failed"
URL2=$(jget "$T/acc2.json" websocket_url)
wssh "$URL2" "${RELAY_DEST[@]}" true </dev/null 2>"$T/e4"
assert_eq "other sandbox's URL: ssh fails" 255 "$?"
assert_contains "other sandbox: ssh's message" "this WebSocket URL is for sandbox $SB2" "$T/e4"
# a killed sandbox's URL, minted while it ran
"$NS" sandbox ssh-access "$SB3" --json >"$T/acc3.json" 2>/dev/null || die "ssh-access $SB3 failed"
URL3=$(jget "$T/acc3.json" websocket_url)
"$NS" sandbox kill "$SB3" >/dev/null || die "kill $SB3 failed"
r=$(probe "/${URL3#wss://*/}" upgrade)
case $r in
"status=410 body=sandbox-stopped" | "status=404 body=sandbox-not-found") ok "killed sandbox refused ($r)" ;;
*) fail "killed sandbox: got [$r]" ;;
esac
wait "$LONG"
assert_eq "the long session's exit" 0 "$?"
assert_eq "the long session kept working" still-alive "$(cat "$T/long.out")"
grep -q "event=ws-refused .*status=403 reason=bad-signature sandbox=$SB" "$UP_LOG" || fail "bad signature not logged"
grep -q "event=ws-refused .*status=410 reason=expired" "$UP_LOG" || fail "expired not logged"
grep -q "event=ws-refused .*reason=sandbox-\(stopped\|not-found\) sandbox=$SB3" "$UP_LOG" ||
	fail "killed sandbox not logged"
grep -q "reason=websocket-other-sandbox" "$UP_LOG" || fail "other sandbox not logged"
ok "refusals: 403 410 (and 77 from the proxy), other sandbox, killed sandbox; logged; a session ran on"

# ---- the URL alone opens no shell ---------------------------------------------------
ssh_keygen "$T/stranger"
timeout -k 5 60 "${SSH[@]}" -i "$T/stranger" \
	-o "ProxyCommand='$NULLSPACE' proxy --pin-sha256 $PIN '$URL'" "${RELAY_DEST[@]}" 'echo owned' </dev/null >"$T/x.out" 2>"$T/x.err"
assert_eq "the URL without a certificate: refused" 255 "$?"
assert_not_contains "the URL without a certificate: no shell" owned "$T/x.out"
assert_contains "the URL without a certificate: ssh says so" "Permission denied" "$T/x.err"
ok "the URL alone gives no shell: the certificate login still applies"

# ---- nothing secret in the log -------------------------------------------------------
assert_not_contains "no signature in the log" "$SIG" "$UP_LOG"
assert_not_contains "no signature of the killed sandbox's URL" "${URL3##*sig=}" "$UP_LOG"
assert_not_contains "no secret in the log" "$(head -c 64 "$SECRET")" "$UP_LOG"
ok "no signature or secret in up's log"

# ---- up --no-websocket: no listener, no URL, and --websocket says why -------------------
"$NULLSPACE" up --websocket-listen nonsense >/dev/null 2>"$T/bad.err"
assert_eq "up --websocket-listen nonsense: exit 2" 2 "$?"
assert_contains "up --websocket-listen nonsense: says so" "--websocket-listen nonsense" "$T/bad.err"
H2=$T/home2
A2=$(pick_port)
R2=$(pick_port)
spawn "$T/up2.log" env NULLSPACE_HOME="$H2" "$NULLSPACE" up --api-listen "127.0.0.1:$A2" \
	--relay-listen "127.0.0.1:$R2" --no-websocket
wait_listen "the second up (API)" "$SPAWNED" "$A2" 60
wait_listen "the second up (relay)" "$SPAWNED" "$R2" 60
NS_LOGS+=("$T/up2.log")
SBN=$(NULLSPACE_HOME=$H2 "$NULLSPACE" sandbox create --timeout 120) || die "sandbox create (no ws) failed"
NULLSPACE_HOME=$H2 "$NULLSPACE" sandbox ssh-access "$SBN" --json >"$T/accn.json" 2>/dev/null ||
	die "ssh-access (no ws) failed"
assert_not_contains "--no-websocket: no websocket_url" websocket_url "$T/accn.json"
assert_not_contains "--no-websocket: no listener" "WebSocket listener" "$T/up2.log"
assert_not_contains "--no-websocket: the relay has none" "event=websocket-listen" "$T/up2.log"
[ ! -e "$H2/state/ws_secret" ] || fail "--no-websocket made a secret anyway"
NULLSPACE_HOME=$H2 timeout -k 5 60 "$NULLSPACE" ssh "$SBN" --websocket -- true </dev/null >/dev/null 2>"$T/nows.err"
assert_eq "ssh --websocket without a listener: exit 1" 1 "$?"
assert_contains "ssh --websocket without a listener: says why" "gives no WebSocket URL" "$T/nows.err"
ok "up --no-websocket: no listener, no secret, no URL; ssh --websocket says why"
# ---- up --websocket-plain: ws:// for a TLS front end of the deployment's own -------------
H3=$T/home3
A3=$(pick_port)
R3=$(pick_port)
W3=$(pick_port)
spawn "$T/up3.log" env NULLSPACE_HOME="$H3" "$NULLSPACE" up --api-listen "127.0.0.1:$A3" \
	--relay-listen "127.0.0.1:$R3" --websocket-listen "127.0.0.1:$W3" --websocket-plain
wait_listen "the third up (API)" "$SPAWNED" "$A3" 60
wait_listen "the third up (WebSocket)" "$SPAWNED" "$W3" 60
NS_LOGS+=("$T/up3.log")
SBP=$(NULLSPACE_HOME=$H3 "$NULLSPACE" sandbox create --timeout 120) || die "sandbox create (plain) failed"
NULLSPACE_HOME=$H3 "$NULLSPACE" sandbox ssh-access "$SBP" --json >"$T/accp.json" 2>/dev/null ||
	die "ssh-access (plain) failed"
URLP=$(jget "$T/accp.json" websocket_url)
[[ $URLP == ws://127.0.0.1:$W3/v1/sandboxes/$SBP/ssh\?* ]] || fail "--websocket-plain: URL [$URLP]"
assert_eq "--websocket-plain: no pin" null "$(jget "$T/accp.json" websocket_tls_sha256)"
[ ! -e "$H3/state/ws_tls_cert.pem" ] || fail "--websocket-plain made a certificate anyway"
assert_not_contains "--websocket-plain: the relay serves no TLS" "tls=ecdsa-p256" "$T/up3.log"
assert_eq "--websocket-plain: a bad signature, plain HTTP" "status=403 body=bad-signature" \
	"$(WS_TOOL_PIN= "${TOOL[@]}" probe "$W3" "/v1/sandboxes/$SBP/ssh?exp=9999999999&sig=$(printf '0%.0s' $(seq 64))" upgrade)"
NULLSPACE_HOME=$H3 timeout -k 5 60 "$NULLSPACE" ssh "$SBP" --websocket -- 'echo via-ws; exit 5' \
	</dev/null >"$T/wp.out" 2>"$T/wp.err"
assert_eq "ssh --websocket over plain ws://: exit 5" 5 "$?"
assert_eq "ssh --websocket over plain ws://: output" via-ws "$(cat "$T/wp.out")"
ok "up --websocket-plain: ws:// URL without a pin, no certificate, ssh --websocket through it"
pass
