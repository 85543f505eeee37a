#!/usr/bin/env bash
# Forwards count against the relay's per-connection channel limit (issue 15):
# with `nullspace relay --max-channels 2`, OpenSSH's ssh -N -L holds two
# forwarded connections at once and the third is refused (resource shortage,
# `channel-refused reason=max-channels`), the first two still echo, and
# once they close a new one goes through; the same for the agent's
# forwarded-tcpip channels of an ssh -R (`forward-refused reason=max-channels`).
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
command -v python3 >/dev/null || skip "python3 missing"
need_nullspace
PY=$(dirname "$0")/py/fwd_echo.py
SB=sb_fwdlimits

start_agent
start_relay_to_agent "$SB" --max-channels 2
ssh_keygen "$T/user"
sign_user "$T/user.pub" ucert "$SB" # ssh-keygen's defaults: permit-port-forwarding
known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub" >"$T/known_hosts"
S=("${SSH[@]}" -p "$RELAY_PORT" -i "$T/user" -o "CertificateFile=$T/ucert-cert.pub"
	-o ExitOnForwardFailure=yes)

ECHO=$(pick_port)
spawn "$T/echo.log" python3 "$PY" serve tcp 127.0.0.1 "$ECHO"
wait_listen "echo server" "$SPAWNED" "$ECHO"

# conns.py PORT N: N connections to PORT, opened one after the other and held;
# each sends a line and waits for its echo. Prints "ok=A refused=B".
cat >"$T/conns.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
held, ok, refused = [], 0, 0
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    held.append(s)
    try:
        s.sendall(b"ping %d\n" % i)
        b = s.recv(64)
    except OSError:
        b = b""
    if b == b"ping %d\n" % i:
        ok += 1
    else:
        refused += 1
print("ok=%d refused=%d" % (ok, refused))
PY

# ---- ssh -L: the third direct-tcpip channel is over the limit ----------------------
LP=$(pick_port)
spawn "$T/L.log" "${S[@]}" -N -L "$LP:127.0.0.1:$ECHO" "$SB@127.0.0.1"
wait_listen "ssh -L" "$SPAWNED" "$LP"
assert_eq "-L: two forwarded connections at once echo, the third is refused" \
	"ok=2 refused=1" "$(timeout -k 5 60 python3 "$T/conns.py" "$LP" 3)"
assert_contains "the relay logs the refusal against --max-channels" \
	"reason=max-channels open=2 limit=2" "$RELAY_LOG"
assert_contains "ssh names the refusal" "resource shortage" "$T/L.log"
assert_eq "-L: once they closed, two more go through" \
	"ok=2 refused=0" "$(timeout -k 5 60 python3 "$T/conns.py" "$LP" 2)"

# ---- ssh -R: the agent's third forwarded-tcpip is refused by the relay -------------
RP=$(pick_port)
spawn "$T/R.log" "${S[@]}" -N -R "127.0.0.1:$RP:127.0.0.1:$ECHO" "$SB@127.0.0.1"
wait_listen "ssh -R (the agent's listener)" "$SPAWNED" "$RP"
assert_eq "-R: two forwarded connections at once echo, the third is refused" \
	"ok=2 refused=1" "$(timeout -k 5 60 python3 "$T/conns.py" "$RP" 3)"
assert_contains "the relay logs it" "kind=forwarded-tcpip reason=max-channels" "$RELAY_LOG"
assert_eq "-R: once they closed, two more go through" \
	"ok=2 refused=0" "$(timeout -k 5 60 python3 "$T/conns.py" "$RP" 2)"

pass
