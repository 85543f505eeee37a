#!/usr/bin/env bash
# Remote forwarding at the agent, with OpenSSH's ssh logged in straight to
# `nullspace agent` with a certificate (the relay's side: forward.sh):
# ssh -R reaches a server on the user's side from inside the agent's host,
# port 0 is answered with the port bound, a half-closed stream (EOF one
# way, data still coming back) completes, the listener goes with the
# connection; an address other than loopback is refused unless
# --forward-bind any, and a certificate without permit-port-forwarding is
# refused (-L and -R) while its shell works.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
PY=$(dirname "$0")/py/fwd_echo.py

ssh_keygen "$T/ca"
start_agent --ca-keys "$T/ca.pub"
ssh_keygen "$T/user"
ME=$(id -un)
sign_user "$T/user.pub" u "$ME"
cp "$T/user.pub" "$T/nofwd.pub"
ssh-keygen -q -s "$T/ca" -I nofwd -n "$ME" -V -5m:+1h -O clear -O permit-pty "$T/nofwd.pub" \
	</dev/null >/dev/null 2>&1 || die "ssh-keygen -s failed"
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
A=("${SSH[@]}" -i "$T/user" -p "$AGENT_PORT" -o ExitOnForwardFailure=yes)
U=("${A[@]}" -o "CertificateFile=$T/u-cert.pub")
NF=("${A[@]}" -o "CertificateFile=$T/nofwd-cert.pub")

LS=$(pick_port)
spawn "$T/ls.log" python3 "$PY" serve tcp 127.0.0.1 "$LS"
wait_listen "echo server" "$SPAWNED" "$LS"
CLIENT="import socket,sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
c.sendall(b'hello-r'); c.shutdown(socket.SHUT_WR)
b = b''
while True:
    x = c.recv(100)
    if not x: break
    b += x
print(b.decode())"

# ---- ssh -R to a fixed port ----------------------------------------------------
RP=$(pick_port)
out=$(timeout -k 5 60 "${U[@]}" -R "$RP:127.0.0.1:$LS" "$ME@127.0.0.1" \
	"python3 -c \"$CLIENT\" $RP" </dev/null 2>"$T/r1.err")
rc=$?
assert_eq "ssh -R: exits 0 once the command ended (the forward closed)" 0 "$rc"
assert_eq "ssh -R: the sandbox side reached the user's server, half-close and all" "hello-r" "$out"
assert_contains "the agent logs the listener" "event=forward-listen conn=1 kind=tcpip-forward target=localhost:$RP bound=$RP" "$AGENT_LOG"
assert_contains "... and the forwarded channel with its bytes" \
	"kind=forwarded-tcpip target=localhost:$RP bytes_in=7 bytes_out=7" "$AGENT_LOG"
port_listening "$RP" && fail "the listener outlived its connection" || ok "the listener went with its connection"

# ---- port 0: the bound port comes back -------------------------------------------
out=$(timeout -k 5 60 "${U[@]}" -R "0:127.0.0.1:$LS" "$ME@127.0.0.1" 'echo port0' </dev/null 2>"$T/r0.err")
assert_eq "ssh -R 0: the command runs" "port0" "$out"
assert_contains "ssh -R 0: ssh reports the port the agent allocated" "Allocated port" "$T/r0.err"
bound=$(sed -n 's/.*Allocated port \([0-9]*\) .*/\1/p' "$T/r0.err")
assert_contains "... the one the agent bound" "target=localhost:0 bound=$bound" "$AGENT_LOG"

# ---- not loopback: refused (the deployment decides) --------------------------------
timeout -k 5 60 "${U[@]}" -R "0.0.0.0:0:127.0.0.1:$LS" "$ME@127.0.0.1" true </dev/null 2>"$T/any.err"
assert_eq "ssh -R 0.0.0.0:...: refused (exit 255 with ExitOnForwardFailure)" 255 $?
assert_contains "... ssh says the forward failed" "remote port forwarding failed" "$T/any.err"
assert_contains "... logged with the reason" "kind=tcpip-forward target=0.0.0.0:0 reason=not-loopback" "$AGENT_LOG"

# ---- without permit-port-forwarding ----------------------------------------------------
timeout -k 5 60 "${NF[@]}" -R "0:127.0.0.1:$LS" "$ME@127.0.0.1" true </dev/null 2>"$T/nf.err"
assert_eq "no permit-port-forwarding: ssh -R refused" 255 $?
assert_contains "... logged" "kind=tcpip-forward target=localhost:0 reason=no-permit-port-forwarding" "$AGENT_LOG"
timeout -k 5 60 "${NF[@]}" -W "127.0.0.1:$LS" "$ME@127.0.0.1" </dev/null >/dev/null 2>"$T/nfw.err"
assert_contains "... ssh -W refused with the message" "port forwarding is not permitted by this certificate" "$T/nfw.err"
out=$(timeout -k 5 60 "${NF[@]}" "$ME@127.0.0.1" 'echo shell-ok' </dev/null 2>/dev/null)
assert_eq "... the shell on that certificate works" "shell-ok" "$out"

# ---- --forward-bind any allows other addresses --------------------------------------
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
start_agent --ca-keys "$T/ca.pub" --forward-bind any
known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub" >"$T/known_hosts"
A=("${SSH[@]}" -i "$T/user" -p "$AGENT_PORT" -o ExitOnForwardFailure=yes -o "CertificateFile=$T/u-cert.pub")
out=$(timeout -k 5 60 "${A[@]}" -R "0.0.0.0:0:127.0.0.1:$LS" "$ME@127.0.0.1" 'echo any-ok' </dev/null 2>"$T/any2.err")
assert_eq "--forward-bind any: ssh -R 0.0.0.0 binds" "any-ok" "$out"

pass
