#!/usr/bin/env bash
# Port forwarding through the relay to the agent (issue 15), with OpenSSH's
# ssh through `nullspace up`: -L to an HTTP server inside the sandbox (curl),
# -D (curl --socks5-hostname), -W, a Unix-socket forward, 50 MB through a
# forward both ways at once (sha256), -R reaching the user's server from
# inside the sandbox (port 0 too, -N, the listener gone with the user), a VS Code Remote-SSH style session
# (an exec printing the port of a server it starts, then several
# direct-tcpip channels to it at once over one connection); a certificate
# without permit-port-forwarding is refused with a message and the shell
# still works; each forward is logged without payload.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
NS=$NULLSPACE
PY=$(dirname "$0")/py/fwd_echo.py

start_up
SB=$("$NS" sandbox create --timeout 600) || die "sandbox create failed"
"$NS" ssh "$SB" -- true >"$T/first.out" 2>&1 || die "nullspace ssh failed: $(cat "$T/first.out")"
D=$NULLSPACE_HOME/ssh

# Certificates from up's CA: ssh-keygen's defaults (permit-port-forwarding
# among them), and one with only permit-pty.
cp "$D/id_ed25519.pub" "$T/fwd.pub"
ssh-keygen -q -s "$NULLSPACE_HOME/state/ca" -I fwd -n "$SB" -V -1m:+60m "$T/fwd.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"
cp "$D/id_ed25519.pub" "$T/nofwd.pub"
ssh-keygen -q -s "$NULLSPACE_HOME/state/ca" -I nofwd -n "$SB" -V -1m:+60m -O clear \
	-O permit-pty "$T/nofwd.pub" </dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"

S=(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes
	-o "UserKnownHostsFile=$D/known_hosts" -o GlobalKnownHostsFile=/dev/null
	-o IdentitiesOnly=yes -i "$D/id_ed25519" -p "$RELAY_PORT" -o ConnectTimeout=20
	-o ExitOnForwardFailure=yes)
F=("${S[@]}" -o "CertificateFile=$T/fwd-cert.pub")
N=("${S[@]}" -o "CertificateFile=$T/nofwd-cert.pub")
AT=$SB@127.0.0.1

# the helper and a web root inside the sandbox
timeout -k 5 60 "${F[@]}" "$AT" 'cat >/tmp/fwd_echo.py' <"$PY" || die "copy of the helper failed"
timeout -k 5 60 "${F[@]}" "$AT" \
	'mkdir -p /tmp/www && echo "hello from $(hostname)" >/tmp/www/index.txt' </dev/null ||
	die "web root failed"

# wait_in CHECK: until `CHECK` (run in the sandbox) succeeds, 20 s.
wait_in()
{
	local i
	for i in $(seq 100); do
		timeout -k 5 30 "${F[@]}" "$AT" "$1" </dev/null >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "not ready in the sandbox: $1"
}
# servers inside the sandbox, each held by an ssh session (ended at cleanup)
HTTP=$(pick_port 31000 500)
ECHO=$(pick_port 31500 500)
spawn "$T/http.log" "${F[@]}" "$AT" "cd /tmp/www && exec python3 -m http.server --bind 127.0.0.1 $HTTP"
spawn "$T/echo.log" "${F[@]}" "$AT" "exec python3 /tmp/fwd_echo.py serve tcp 127.0.0.1 $ECHO"
spawn "$T/uecho.log" "${F[@]}" "$AT" "exec python3 /tmp/fwd_echo.py serve unix /tmp/fwd.sock"
wait_in "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $HTTP))'"
wait_in "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $ECHO))'"
wait_in "test -S /tmp/fwd.sock"
WANT="hello from $SB"

# ---- ssh -L to the HTTP server, fetched with curl ----------------------------
LP=$(pick_port)
spawn "$T/L.log" "${F[@]}" -N -L "$LP:127.0.0.1:$HTTP" "$AT"
wait_listen "ssh -L" "$SPAWNED" "$LP"
assert_eq "ssh -L: curl fetches the page served in the sandbox" "$WANT" \
	"$(curl -s --max-time 30 "http://127.0.0.1:$LP/index.txt")"
assert_eq "ssh -L: a second fetch over the same forward" "$WANT" \
	"$(curl -s --max-time 30 "http://127.0.0.1:$LP/index.txt")"
assert_contains "the relay logs the forward's start" \
	"event=forward-start conn=" "$UP_LOG"
assert_contains "... its kind and target" "kind=direct-tcpip target=127.0.0.1:$HTTP" "$UP_LOG"

# ---- ssh -D (SOCKS), curl --socks5-hostname -----------------------------------
DP=$(pick_port)
spawn "$T/D.log" "${F[@]}" -N -D "127.0.0.1:$DP" "$AT"
wait_listen "ssh -D" "$SPAWNED" "$DP"
assert_eq "ssh -D: curl --socks5-hostname reaches localhost in the sandbox" "$WANT" \
	"$(curl -s --max-time 30 --socks5-hostname "127.0.0.1:$DP" "http://localhost:$HTTP/index.txt")"
assert_contains "the agent resolved the name it was given" "target=localhost:$HTTP" "$UP_LOG"

# ---- ssh -W ------------------------------------------------------------------
out=$(printf 'GET /index.txt HTTP/1.0\r\n\r\n' | timeout -k 5 60 "${F[@]}" -W "127.0.0.1:$HTTP" "$AT" 2>"$T/W.err")
assert_contains "ssh -W: the HTTP answer through stdin/stdout" "$WANT" <(printf '%s' "$out")
timeout -k 5 60 "${F[@]}" -W "127.0.0.1:1" "$AT" </dev/null >/dev/null 2>"$T/W1.err"
assert_eq "ssh -W to a closed port: exit 255" 255 $?
assert_contains "... the reason: connect failed, naming the target" \
	"connect to 127.0.0.1:1 failed: Connection refused" "$T/W1.err"
timeout -k 5 60 "${F[@]}" -W "no-such-host.invalid:80" "$AT" </dev/null >/dev/null 2>"$T/W2.err"
assert_contains "ssh -W to an unknown host: says so" "unknown host no-such-host.invalid" "$T/W2.err"

# ---- Unix socket: -L /tmp/x.sock:/path/in/sandbox.sock ------------------------
printf 'unix-echo-%s\n' "$SB" >"$T/small"
spawn "$T/LU.log" "${F[@]}" -N -L "$T/x.sock:/tmp/fwd.sock" "$AT"
for i in $(seq 100); do [ -S "$T/x.sock" ] && break; sleep 0.1; done
out=$(python3 - "$T/x.sock" "$T/small" <<'PY'
import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
c.sendall(open(sys.argv[2], "rb").read()); c.shutdown(socket.SHUT_WR)
b = b""
while True:
    x = c.recv(65536)
    if not x: break
    b += x
print(b.decode().strip())
PY
)
assert_eq "a Unix-socket forward echoes through the sandbox's socket" "unix-echo-$SB" "$out"
assert_contains "... logged as a streamlocal forward with its path" \
	"kind=direct-streamlocal@openssh.com target=/tmp/fwd.sock" "$UP_LOG"

# ---- 50 MB both ways at once, sha256 -----------------------------------------
head -c $((50 * 1024 * 1024)) /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
EP=$(pick_port)
spawn "$T/LE.log" "${F[@]}" -N -L "$EP:127.0.0.1:$ECHO" "$AT"
wait_listen "ssh -L (echo)" "$SPAWNED" "$EP"
start=$(date +%s.%N)
got=$(timeout -k 5 300 python3 "$PY" push 127.0.0.1 "$EP" "$T/blob")
secs=$(echo "$(date +%s.%N) - $start" | bc)
assert_eq "50 MB out and echoed back at once: same sha256 and size" "$want $((50 * 1024 * 1024))" "$got"
echo "note: 50 MB each way at once through -L in ${secs}s"
grep -q "event=forward-end .*target=127.0.0.1:$ECHO bytes_in=52428800 bytes_out=52428800" "$UP_LOG" &&
	ok "the relay logs the bytes each way and the duration" ||
	fail "no forward-end line with 52428800 bytes each way: $(grep forward-end "$UP_LOG" | tail -3)"
ALOG=$NULLSPACE_HOME/state/sandboxes/$SB/agent.log
grep -q "agent event=forward-end .*target=127.0.0.1:$ECHO bytes_in=52428800 bytes_out=52428800 duration_ms=" "$ALOG" &&
	ok "the agent logs it too" || fail "no agent forward-end line: $(grep forward "$ALOG" | tail -3)"

# ---- VS Code Remote-SSH style: an exec printing a port, then several channels ------
spawn "$T/cm.log" "${F[@]}" -N -o ControlMaster=yes -o "ControlPath=$T/cm" "$AT"
for i in $(seq 100); do [ -S "$T/cm" ] && break; sleep 0.1; done
[ -S "$T/cm" ] || die "ControlMaster did not start: $(cat "$T/cm.log")"
# the exec's stdin stays open (a fifo held here) for the life of the "server"
mkfifo "$T/vs.in"
exec 7<>"$T/vs.in"
setsid "${F[@]}" -o "ControlPath=$T/cm" "$AT" 'python3 /tmp/fwd_echo.py vscode' \
	<"$T/vs.in" >"$T/vs.out" 2>&1 &
VS_PID=$!
NS_PIDS+=("$VS_PID")
for i in $(seq 100); do grep -q 'listeningOn==' "$T/vs.out" 2>/dev/null && break; sleep 0.1; done
VP=$(sed -n 's/.*listeningOn==\([0-9]*\)==.*/\1/p' "$T/vs.out" | head -1)
[ -n "$VP" ] && ok "the exec printed its server's port ($VP)" || die "no port from the exec: $(cat "$T/vs.out")"
VL=$(pick_port)
timeout -k 5 30 "${F[@]}" -o "ControlPath=$T/cm" -O forward -L "$VL:127.0.0.1:$VP" "$AT" 2>"$T/vsf.err" ||
	fail "ssh -O forward failed: $(cat "$T/vsf.err")"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/vsblob"
vwant=$(sha256sum <"$T/vsblob" | cut -d' ' -f1)
pids=()
for n in 1 2 3 4 5 6; do
	timeout -k 5 120 python3 "$PY" push 127.0.0.1 "$VL" "$T/vsblob" >"$T/vs$n.got" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
good=0
for n in 1 2 3 4 5 6; do
	[ "$(cat "$T/vs$n.got")" = "$vwant $((2 * 1024 * 1024))" ] && good=$((good + 1))
done
assert_eq "six direct-tcpip channels at once over one connection, each echoed whole" 6 "$good"
conns=$(grep "event=forward-start .*target=127.0.0.1:$VP" "$UP_LOG" | sed 's/.*conn=\([0-9]*\).*/\1/' | sort -u | wc -l)
assert_eq "... all on the one connection of the ControlMaster" 1 "$conns"
exec 7>&- # stdin ends: the exec ends
for i in $(seq 100); do kill -0 "$VS_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$VS_PID" 2>/dev/null && fail "the exec did not end with its stdin" ||
	ok "the exec ends when its stdin does"

# ---- ssh -R: a server on the user's side reached from inside the sandbox --------------
LS=$(pick_port)
spawn "$T/ls.log" python3 "$PY" serve tcp 127.0.0.1 "$LS"
wait_listen "local echo server" "$SPAWNED" "$LS"
CLIENT="import socket,sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
c.sendall(b'hello-r'); c.shutdown(socket.SHUT_WR)
b = b''
while True:
    x = c.recv(100)
    if not x: break
    b += x
print(b.decode())"
RP=$(pick_port 33000 500)
out=$(timeout -k 5 60 "${F[@]}" -R "$RP:127.0.0.1:$LS" "$AT" "python3 -c \"$CLIENT\" $RP" \
	</dev/null 2>"$T/R.err")
assert_eq "ssh -R: exits 0 once the command ended" 0 $?
assert_eq "ssh -R: the sandbox reached the user's server through the relay" "hello-r" "$out"
assert_contains "the relay logs the listener" "event=forward-listen conn=" "$UP_LOG"
assert_contains "... and the forwarded channel" "kind=forwarded-tcpip target=localhost:$RP" "$UP_LOG"
out=$(timeout -k 5 60 "${F[@]}" -R "0:127.0.0.1:$LS" "$AT" 'echo port0' </dev/null 2>"$T/R0.err")
assert_eq "ssh -R 0: the command runs" "port0" "$out"
assert_contains "ssh -R 0: ssh reports the port allocated in the sandbox" "Allocated port" "$T/R0.err"
# -N: only the forward on the connection (the agent connection dialled for it)
spawn "$T/RN.log" "${F[@]}" -N -R "$RP:127.0.0.1:$LS" "$AT"
RN_PID=$SPAWNED
wait_in "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $RP))'"
out=$(timeout -k 5 60 "${F[@]}" "$AT" "python3 -c \"$CLIENT\" $RP" </dev/null 2>"$T/RN.err")
assert_eq "ssh -N -R: another connection's command reaches the user's server" "hello-r" "$out"
kill "$RN_PID"
for i in $(seq 100); do
	timeout -k 5 30 "${F[@]}" "$AT" "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $RP))'" \
		</dev/null >/dev/null 2>&1 || break
	sleep 0.2
done
timeout -k 5 30 "${F[@]}" "$AT" "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $RP))'" \
	</dev/null >/dev/null 2>&1 && fail "the listener outlived the user's connection" ||
	ok "the listener goes when the user's connection does"

# ---- a certificate without permit-port-forwarding ------------------------------
timeout -k 5 60 "${N[@]}" -W "127.0.0.1:$HTTP" "$AT" </dev/null >/dev/null 2>"$T/nofwd.err"
assert_eq "no permit-port-forwarding: ssh -W exits 255" 255 $?
assert_contains "... with the message" "port forwarding is not permitted by this certificate" "$T/nofwd.err"
assert_contains "... logged with the reason" \
	"event=forward-refused conn=" "$UP_LOG"
assert_contains "... reason named" "reason=no-permit-port-forwarding" "$UP_LOG"
timeout -k 5 60 "${N[@]}" -R "0:127.0.0.1:$LS" "$AT" true </dev/null >/dev/null 2>"$T/nofwdR.err"
assert_eq "no permit-port-forwarding: ssh -R refused" 255 $?
assert_contains "... logged" "kind=tcpip-forward reason=no-permit-port-forwarding" "$UP_LOG"
NP=$(pick_port)
out=$(timeout -k 5 60 "${N[@]}" -o ExitOnForwardFailure=no -L "$NP:127.0.0.1:$HTTP" "$AT" \
	"curl -s http://127.0.0.1:$HTTP/index.txt >/dev/null 2>&1; echo shell-ok" </dev/null 2>"$T/nofwd2.err")
assert_eq "... and the session on the same certificate still works" "shell-ok" "$out"

pass
