#!/usr/bin/env bash
# The resumable tcp:// transport behind an HTTP proxy (issue 18): Debian's
# tinyproxy on 127.0.0.1 allowing CONNECT to the relay's SSH port only;
# `nullspace ssh` (resumable by default) through it with HTTPS_PROXY; an
# `ssh -tt` shell through it (https_proxy, lower case) across a 10 s cut of
# the path to the proxy (cut_fwd.py in front of tinyproxy), every line once
# and in order, each reconnect a new CONNECT; a CONNECT the proxy refuses
# is exit 70 with the proxy's status; NO_PROXY sends it straight.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v tinyproxy >/dev/null || skip "tinyproxy missing (scripts/deps.sh installs tinyproxy-bin)"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
HERE=$(cd "$(dirname "$0")" && pwd)
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY no_proxy NO_PROXY
start_up --resume-grace 30 --no-websocket
SB=$("$NULLSPACE" sandbox create --timeout 600) || die "sandbox create failed"
timeout -k 5 60 "$NULLSPACE" ssh "$SB" --no-resume -- true </dev/null 2>"$T/first.err" ||
	die "first nullspace ssh failed: $(cat "$T/first.err")"
KEY=$NULLSPACE_HOME/ssh/id_ed25519
CERT=$NULLSPACE_HOME/ssh/$SB-cert.pub
cp "$NULLSPACE_HOME/ssh/known_hosts" "$T/known_hosts"

# tinyproxy, as ws_proxy.sh starts it: CONNECT to the relay's SSH port only
mkdir -p "$T/tp"
P1=$(pick_port)
{
	echo "Port $P1"
	echo "Listen 127.0.0.1"
	echo "Allow 127.0.0.1"
	echo "Timeout 60"
	echo "MaxClients 16"
	echo "LogLevel Info"
	echo "LogFile \"$T/tp/tp.log\""
	echo "ConnectPort $RELAY_PORT"
} >"$T/tp.conf"
if [ "$(id -u)" = 0 ]; then # tinyproxy drops root: its log folder is open to nobody
	echo "User nobody" >>"$T/tp.conf"
	echo "Group nogroup" >>"$T/tp.conf"
	chmod 0711 "$T"
	chmod 0777 "$T/tp"
fi
spawn "$T/tp.out" tinyproxy -d -c "$T/tp.conf"
NS_LOGS+=("$T/tp/tp.log")
wait_listen tinyproxy "$SPAWNED" "$P1"
FWD=$(pick_port)
spawn "$T/fwd.log" python3 "$HERE/cut_fwd.py" "$FWD" "$P1"
FWD_PID=$SPAWNED
wait_listen cut_fwd "$FWD_PID" "$FWD"
connects() { grep -c "CONNECT 127.0.0.1:$RELAY_PORT" "$T/tp/tp.log" 2>/dev/null; }

# ---- nullspace ssh through the proxy ------------------------------------------------
c0=$(connects)
n0=$(grep -c "event=resume-new" "$UP_LOG")
out=$(HTTPS_PROXY=http://127.0.0.1:$P1 timeout -k 5 60 "$NULLSPACE" ssh "$SB" -- 'echo via-proxy; exit 4' \
	</dev/null 2>"$T/ns.err")
assert_eq "nullspace ssh through tinyproxy: exit 4" 4 "$?"
assert_eq "nullspace ssh through tinyproxy: output" via-proxy "$out"
assert_eq "it went through the proxy's CONNECT" $((c0 + 1)) "$(connects)"
assert_eq "and was resumable" $((n0 + 1)) "$(grep -c "event=resume-new" "$UP_LOG")"
ok "nullspace ssh (resumable) through HTTPS_PROXY: a CONNECT to the relay's SSH port"

# ---- a 10 s cut of the path to the proxy ---------------------------------------------
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
c0=$(connects)
feed | https_proxy=http://127.0.0.1:$FWD timeout -k 5 180 "${SSH[@]}" -i "$KEY" -o CertificateFile="$CERT" \
	-o "ProxyCommand='$NULLSPACE' proxy tcp://127.0.0.1:$RELAY_PORT" -tt -p "$RELAY_PORT" "$SB@127.0.0.1" \
	"$REMOTE" >"$T/tt.out" 2>"$T/tt.err" &
TT=$!
sleep 4
kill -USR1 "$FWD_PID"
sleep 10
kill -USR2 "$FWD_PID"
wait "$TT"
assert_eq "ssh -tt through the proxy across the cut: exit 0" 0 "$?"
tr -d '\r' <"$T/tt.out" >"$T/tt.txt"
assert_eq "the counter: every line once, in order" "$(seq 1 40 | tr '\n' ' ')" \
	"$(sed -n 's/^n=\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
assert_eq "the lines typed: every one once, in order" "$(seq 1 30 | tr '\n' ' ')" \
	"$(sed -n 's/^got in\([0-9]*\)$/\1/p' "$T/tt.txt" | tr '\n' ' ')"
assert_eq "the same shell before and after (one pid, printed twice)" "1 2" \
	"$(sed -n 's/^pid=\([0-9]*\)$/\1/p' "$T/tt.txt" | sort -u | wc -l) $(grep -c '^pid=' "$T/tt.txt")"
assert_contains "the proxy said it lost the connection" "connection to the relay lost" "$T/tt.err"
assert_contains "the proxy said it resumed" "nullspace proxy: resumed after" "$T/tt.err"
assert_eq "the resume came through a new CONNECT" $((c0 + 2)) "$(connects)"
ok "ssh -tt through https_proxy across a 10 s cut: the same shell, every line once, a new CONNECT"

# ---- a refused CONNECT, NO_PROXY ------------------------------------------------------
HTTPS_PROXY=http://127.0.0.1:$P1 "$NULLSPACE" proxy tcp://127.0.0.1:$API_PORT </dev/null >/dev/null 2>"$T/e1"
assert_eq "a CONNECT the proxy refuses: exit 70" 70 "$?"
assert_contains "a CONNECT the proxy refuses: its status shown" \
	"the HTTP proxy 127.0.0.1:$P1 (HTTPS_PROXY) refused the tunnel: HTTP/1.1 403" "$T/e1"
assert_eq "one line" 1 "$(wc -l <"$T/e1")"
DEAD=$(pick_port)
out=$(HTTPS_PROXY=http://127.0.0.1:$DEAD NO_PROXY=127.0.0.1 timeout -k 5 60 "$NULLSPACE" ssh "$SB" -- 'echo straight' \
	</dev/null 2>"$T/np.err")
assert_eq "NO_PROXY: straight to the relay" straight "$out"
HTTPS_PROXY=http://127.0.0.1:$DEAD "$NULLSPACE" proxy tcp://127.0.0.1:$RELAY_PORT </dev/null >/dev/null 2>"$T/e2"
assert_eq "a dead proxy: exit 69" 69 "$?"
assert_contains "a dead proxy: named" "cannot reach the HTTP proxy 127.0.0.1:$DEAD (HTTPS_PROXY)" "$T/e2"
ok "a refused CONNECT is exit 70 with one line; NO_PROXY goes straight; a dead proxy is 69"
pass
