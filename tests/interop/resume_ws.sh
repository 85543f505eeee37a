#!/usr/bin/env bash
# Resumable connections over the WebSocket path (issue 18): `nullspace up`
# (wss:// by default), stock OpenSSH with `nullspace proxy --pin-sha256 PIN
# URL` as its ProxyCommand and cut_fwd.py between the proxy and the relay's
# WebSocket listener: an `ssh -tt` shell with a counter out and lines in
# survives a 10 s cut, every line once and in order, the same shell; 20 MiB
# each way at once across a cut, by sha256; a URL whose exp passed before
# the cut still resumes (the resume-only upgrade), while a NEW or a plain
# stream on that upgrade is refused; a stolen token, a TCP connection's
# token and a token through another sandbox's URL refused on the WebSocket
# path; a plain client (SSH bytes, no NSRESUM1) still served; --no-resume
# (proxy, nullspace ssh --websocket) connects without it.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
GRACE=40
start_up --resume-grace "$GRACE"
WS_PORT=
for i in $(seq 100); do
	WS_PORT=$(sed -n 's/.*WebSocket listener on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$UP_LOG" | head -1)
	[ -n "$WS_PORT" ] && break
	sleep 0.1
done
[ -n "$WS_PORT" ] || die "up logged no WebSocket listener"
PIN=$(cat "$NULLSPACE_HOME/state/ws_tls_cert.sha256")
SECRET=$NULLSPACE_HOME/state/ws_secret
export WS_TOOL_PIN=$PIN
SB=$("$NULLSPACE" sandbox create --timeout 900) || die "sandbox create failed"
"$NULLSPACE" sandbox ssh-access "$SB" --json >"$T/acc.json" 2>"$T/acc.err" ||
	die "ssh-access --json failed: $(cat "$T/acc.err")"
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["websocket_url"])' "$T/acc.json")
[[ $URL == wss://127.0.0.1:$WS_PORT/v1/sandboxes/$SB/ssh\?* ]] || die "websocket_url: [$URL]"
TARGET=/${URL#wss://*/}
n0=$(grep -c "event=resume-new" "$UP_LOG")
out=$(timeout -k 5 60 "$NULLSPACE" ssh "$SB" --websocket -- 'echo via-ns-ssh; exit 5' </dev/null 2>"$T/nss.err")
assert_eq "nullspace ssh --websocket: exit 5" 5 "$?"
assert_eq "nullspace ssh --websocket: output" via-ns-ssh "$out"
assert_eq "nullspace ssh --websocket is resumable" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
out=$(timeout -k 5 60 "$NULLSPACE" ssh "$SB" --websocket --no-resume -- 'echo nr; exit 6' </dev/null 2>"$T/nsnr.err")
assert_eq "nullspace ssh --websocket --no-resume: exit 6" 6 "$?"
assert_eq "nullspace ssh --websocket --no-resume: output" nr "$out"
assert_eq "nullspace ssh --websocket --no-resume is not resumable" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
# the ProxyCommands nullspace ssh --websocket builds (cmd_ssh.c proxy_command),
# taken from the printed command as the shell splits it
proxy_of()
{
	local line a
	line=$("$NULLSPACE" ssh "$SB" --websocket "$@" --print-command 2>/dev/null) ||
		die "ssh --websocket $* --print-command failed"
	eval "set -- $line"
	for a; do
		[[ $a == ProxyCommand=* ]] && printf '%s\n' "${a#ProxyCommand=}"
	done
}
proxy_of --no-resume >"$T/pc-nr"
assert_contains "--no-resume: one plain connection, the pin kept" "'proxy' '--no-resume' '--pin-sha256' '" "$T/pc-nr"
assert_not_contains "--no-resume: no renewal" "--renew" "$T/pc-nr"
proxy_of >"$T/pc-r"
assert_contains "resumable: renewing, the pin kept" "'proxy' '--renew' '$SB' '--expires-in' '10' '--pin-sha256' '" "$T/pc-r"
KEY=$NULLSPACE_HOME/ssh/id_ed25519
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts"

FWD=$(pick_port)
spawn "$T/fwd.log" python3 "$HERE/cut_fwd.py" "$FWD" "$WS_PORT"
FWD_PID=$SPAWNED
wait_listen cut_fwd "$FWD_PID" "$FWD"
fwd_cut() { kill -USR1 "$FWD_PID"; }
fwd_restore() { kill -USR2 "$FWD_PID"; }
DEST=(-p "$RELAY_PORT" "$SB@127.0.0.1")
# ssh through the forwarder: the URL's port is the forwarder's (the
# signature covers the sandbox and exp, the pin the certificate)
wssh()
{
	local url=${WURL:-$URL}
	url=wss://127.0.0.1:$FWD/${url#wss://*/}
	timeout -k 5 180 "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" \
		-o "ProxyCommand='$NULLSPACE' proxy ${PXOPT:-} --pin-sha256 $PIN '$url'" "$@"
}

# ---- plain clients, and --no-resume ---------------------------------------------
n0=$(grep -c "event=resume-new" "$UP_LOG")
out=$(wssh "${DEST[@]}" 'echo via-ws; exit 3' </dev/null 2>"$T/first.err")
assert_eq "ssh over the URL (resumable by default): exit 3" 3 "$?"
assert_eq "ssh over the URL: output" via-ws "$out"
assert_eq "the proxy used the resumable transport over WebSocket" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
out=$(PXOPT=--no-resume wssh "${DEST[@]}" 'echo no-resume; exit 4' </dev/null 2>"$T/nr.err")
assert_eq "proxy --no-resume: exit 4" 4 "$?"
assert_eq "proxy --no-resume: output" no-resume "$out"
assert_eq "proxy --no-resume: not resumable" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
assert_eq "a plain WebSocket client (SSH bytes, no NSRESUM1) is served" open \
	"$(RC_WS=$TARGET python3 "$HERE/resume_client.py" "$WS_PORT" plain)"
ok "over WebSocket: resumable by default (proxy, nullspace ssh), --no-resume and plain clients served"

# ---- a 10 s cut under an ssh -tt shell (counter out, lines in) -------------------
feed()
{
	for i in $(seq 1 30); do
		echo "in$i"
		sleep 0.5
	done
	sleep 1
	echo quit
}
REMOTE='stty -echo; echo "pid=$$"; (i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo "n=$i"; sleep 0.5; done) & while read l; do [ "$l" = quit ] && break; echo "got $l"; done; wait; echo "pid=$$"'
feed | wssh -tt "${DEST[@]}" "$REMOTE" >"$T/tt.out" 2>"$T/tt.err" &
TT=$!
# a URL that expires 6 s from now, for a session cut after that
EXP=$(($(date +%s) + 6))
SHORT=$(python3 "$HERE/ws_tool.py" url "$SECRET" "$WS_PORT" "$SB" "$EXP")
SHORT=wss://${SHORT#ws://}
WURL=$SHORT wssh "${DEST[@]}" 'echo started; for i in $(seq 1 30); do echo "e=$i"; sleep 1; done' \
	</dev/null >"$T/exp.out" 2>"$T/exp.err" &
EXPS=$!
for i in $(seq 100); do
	grep -q started "$T/exp.out" 2>/dev/null && break
	sleep 0.1
done
sleep $((EXP + 2 - $(date +%s)))
[ "$(date +%s)" -gt "$EXP" ] || die "the short URL has not expired yet"
fwd_cut
sleep 10
fwd_restore
wait "$TT"
assert_eq "ssh -tt across the cut: exit 0" 0 "$?"
tr -d '\r' <"$T/tt.out" >"$T/tt.txt"
assert_eq "the counter: every line once, in order" "$(seq 1 40 | tr '\n' ' ')" \
	"$(sed -n 's/^n=\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
assert_eq "the lines typed: every one once, in order" "$(seq 1 30 | tr '\n' ' ')" \
	"$(sed -n 's/^got in\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
assert_eq "the same shell before and after (one pid, printed twice)" "1 2" \
	"$(sed -n 's/^pid=\([0-9]*\)$/\1/p' "$T/tt.txt" | sort -u | wc -l) $(grep -c '^pid=' "$T/tt.txt")"
assert_contains "the proxy said it lost the connection" "connection to the relay lost" "$T/tt.err"
assert_contains "the proxy said it resumed" "nullspace proxy: resumed after" "$T/tt.err"
assert_contains "the relay took the resume-only upgrade" "resume_only=1" "$UP_LOG"
ok "ssh -tt over wss:// across a 10 s cut: the same shell, 40 lines out and 30 in, none lost or twice"
wait "$EXPS"
assert_eq "the session whose URL expired before the cut: exit 0" 0 "$?"
assert_eq "... every line once, in order" "$(seq 1 30 | tr '\n' ' ')" \
	"$(sed -n 's/^e=\([0-9]*\)$/\1/p' "$T/exp.out" | tr '\n' ' ')"
assert_contains "... it resumed" "nullspace proxy: resumed after" "$T/exp.err"
STARGET=/${SHORT#wss://*/}
RT=${STARGET%%\?*}/resume?${STARGET#*\?}
assert_eq "the expired URL opens no new connection" "http 410 expired" \
	"$(RC_WS=$STARGET python3 "$HERE/resume_client.py" "$WS_PORT" new)"
assert_eq "a NEW on the resume-only upgrade is refused" "refuse resume-only" \
	"$(RC_WS=$RT python3 "$HERE/resume_client.py" "$WS_PORT" new)"
assert_eq "a plain stream on the resume-only upgrade is closed" closed \
	"$(RC_WS=$RT python3 "$HERE/resume_client.py" "$WS_PORT" plain)"
ok "a URL expired before the cut resumes; it opens nothing new (410, NEW refused, plain closed)"

# ---- 20 MiB each way at once, across a cut ----------------------------------------
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
wssh "${DEST[@]}" 'exec 3<&0; sha256sum <&3 >&2 & head -c 20971520 /dev/urandom | tee d.bin; sha256sum d.bin >&2; rm -f d.bin; wait' \
	<"$T/up.bin" >"$T/down.out" 2>"$T/big.err" &
BIG=$!
for i in $(seq 100); do
	[ "$(stat -c %s "$T/down.out" 2>/dev/null || echo 0)" -gt 1000000 ] && break
	sleep 0.1
done
fwd_cut
sleep 10
fwd_restore
wait "$BIG"
assert_eq "20 MiB both ways across a cut: exit 0" 0 "$?"
assert_eq "20 MiB down: size" $((20 * 1024 * 1024)) "$(stat -c %s "$T/down.out")"
assert_contains "20 MiB up: sha256 equal" "$(sha256sum <"$T/up.bin" | cut -d' ' -f1)" "$T/big.err"
assert_contains "20 MiB down: sha256 equal" "$(sha256sum <"$T/down.out" | cut -d' ' -f1)  d.bin" "$T/big.err"
assert_contains "the transfer was cut and resumed" "resumed after" "$T/big.err"
rm -f "$T/up.bin" "$T/down.out"
ok "20 MiB each way at once over wss:// across a 10 s cut, sha256 equal"

# ---- tokens on the WebSocket path -------------------------------------------------
RC=(python3 "$HERE/resume_client.py")
A=$(RC_WS=$TARGET "${RC[@]}" "$WS_PORT" new) || die "resume_client new (ws) failed"
B=$(RC_WS=$TARGET "${RC[@]}" "$WS_PORT" new) || die "resume_client new (ws) failed"
C=$("${RC[@]}" "$RELAY_PORT" new) || die "resume_client new (tcp) failed"
AID=$(echo "$A" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
ATOK=$(echo "$A" | sed -n 's/.*token=\([0-9a-f]*\)$/\1/p')
BID=$(echo "$B" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
CID=$(echo "$C" | sed -n 's/^id=\([0-9]*\) .*/\1/p')
CTOK=$(echo "$C" | sed -n 's/.*token=\([0-9a-f]*\)$/\1/p')
[ ${#ATOK} = 64 ] && [ ${#CTOK} = 64 ] || die "no tokens: [$A] [$C]"
assert_eq "a stolen token (A's, for B) over WebSocket is refused" "refuse bad-token" \
	"$(RC_WS=$RT "${RC[@]}" "$WS_PORT" resume "$BID" "$ATOK" 0)"
assert_eq "a TCP connection's token over WebSocket is refused" "refuse wrong-transport" \
	"$(RC_WS=$TARGET "${RC[@]}" "$WS_PORT" resume "$CID" "$CTOK" 0)"
assert_eq "a WebSocket connection's token over TCP is refused" "refuse wrong-transport" \
	"$("${RC[@]}" "$RELAY_PORT" resume "$AID" "$ATOK" 0)"
SB2=$("$NULLSPACE" sandbox create --timeout 300) || die "second sandbox create failed"
U2=$(python3 "$HERE/ws_tool.py" url "$SECRET" "$WS_PORT" "$SB2" $(($(date +%s) + 300)))
U2=/${U2#ws://*/}
assert_eq "A's own token through another sandbox's URL is refused" "refuse wrong-sandbox" \
	"$(RC_WS=${U2%%\?*}/resume?${U2#*\?} "${RC[@]}" "$WS_PORT" resume "$AID" "$ATOK" 0)"
R1=$(RC_WS=$RT "${RC[@]}" "$WS_PORT" resume "$AID" "$ATOK" 0)
[[ $R1 == "accept id=$AID token="* ]] || fail "A's own token did not resume over WebSocket: [$R1]"
grep -q "event=resume-refused .*target=$BID reason=bad-token" "$UP_LOG" || fail "stolen token not logged"
grep -q "event=resume-refused .*target=$CID reason=wrong-transport" "$UP_LOG" || fail "wrong transport not logged"
grep -q "event=resume-refused .*target=$AID reason=wrong-sandbox" "$UP_LOG" || fail "wrong sandbox not logged"
for tok in "$ATOK" "$CTOK"; do
	assert_not_contains "no token in the log" "$tok" "$UP_LOG"
done
ok "tokens over WebSocket: a stolen one, one from the other door or through another sandbox's URL refused and logged; the own one resumes"
pass
