#!/usr/bin/env bash
# The built-in client's -L (local TCP forward), -N, -t and -T against a real
# OpenSSH sshd (issue 15; independent of the relay): 20 MB through one
# forwarded connection in both directions at once, checked with sha256;
# several forwarded connections at once; -L beside a command; a forward
# whose target refuses; the limit of 64 connections at once (the 65th
# waits); -t/-T; the refusals of specs the built-in client does not do.
. "$(dirname "$0")/lib.sh"

need_root
need_nullspace
command -v python3 >/dev/null || skip "python3 missing"
start_sshd

ns_keygen "$T/id_ns"
cat "$T/id_ns.pub" >>"$SSHD_AUTH"
known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub" >"$T/known_hosts"
C=(-p "$SSHD_PORT" -k "$T/known_hosts" -i "$T/id_ns")
U=root@127.0.0.1

# A server behind sshd: for each connection it sends the file named on its
# command line while it stores what it receives (to DIR/N), then closes.
cat >"$T/server.py" <<'EOF'
import socket, sys, threading
port, send_file, out_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(64)
n = 0
def serve(c, k):
    def send():
        with open(send_file, "rb") as f:
            while True:
                b = f.read(65536)
                if not b: break
                c.sendall(b)
        c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send); t.start()
    with open("%s/%d" % (out_dir, k), "wb") as o:
        while True:
            b = c.recv(65536)
            if not b: break
            o.write(b)
    t.join(); c.close()
while True:
    c, _ = s.accept(); n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
EOF
# A client: sends FILE while it reads; prints the sha256 of what it read.
cat >"$T/client.py" <<'EOF'
import hashlib, socket, sys, threading, time
port, send_file = int(sys.argv[1]), sys.argv[2]
c = socket.create_connection(("127.0.0.1", port), timeout=120)
def send():
    with open(send_file, "rb") as f:
        while True:
            b = f.read(65536)
            if not b: break
            c.sendall(b)
    c.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send); t.start()
h = hashlib.sha256()
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b)
t.join(); print(h.hexdigest())
EOF

head -c 20M /dev/urandom >"$T/up"
head -c 20M /dev/urandom >"$T/down"
UP=$(sha256sum <"$T/up" | cut -d' ' -f1)
DOWN=$(sha256sum <"$T/down" | cut -d' ' -f1)
mkdir -p "$T/got"
SRV_PORT=$(pick_port)
spawn "$T/server.log" python3 "$T/server.py" "$SRV_PORT" "$T/down" "$T/got"
SRV_PID=$SPAWNED
wait_listen "test server" "$SRV_PID" "$SRV_PORT"

# ---- -N -L: 20 MB both ways at once --------------------------------------------------
FWD=$(pick_port)
spawn "$T/fwd.log" "$NULLSPACE" connect "${C[@]}" -N -L "$FWD:127.0.0.1:$SRV_PORT" "$U"
FWD_PID=$SPAWNED
NS_LOGS+=("$T/fwd.log")
wait_listen "nullspace connect -N -L" "$FWD_PID" "$FWD"
got=$(timeout -k 5 120 python3 "$T/client.py" "$FWD" "$T/up")
assert_eq "-N -L: 20 MB from the far side arrive intact" "$DOWN" "$got"
assert_eq "-N -L: 20 MB to the far side arrive intact (sent at the same time)" "$UP" \
	"$(sha256sum <"$T/got/1" | cut -d' ' -f1)"

# ---- several forwarded connections at once --------------------------------------------
head -c 3M /dev/urandom >"$T/up_small"
head -c 3M /dev/urandom >"$T/down_small"
kill "$SRV_PID" 2>/dev/null
wait "$SRV_PID" 2>/dev/null
rm -rf "$T/got" && mkdir -p "$T/got"
spawn "$T/server2.log" python3 "$T/server.py" "$SRV_PORT" "$T/down_small" "$T/got"
wait_listen "test server" "$SPAWNED" "$SRV_PORT"
N=6
CLIENTS=()
for i in $(seq $N); do
	timeout -k 5 120 python3 "$T/client.py" "$FWD" "$T/up_small" >"$T/c$i.out" 2>&1 &
	CLIENTS+=($!)
done
for p in "${CLIENTS[@]}"; do
	wait "$p"
done
want_down=$(sha256sum <"$T/down_small" | cut -d' ' -f1)
want_up=$(sha256sum <"$T/up_small" | cut -d' ' -f1)
good=0
for i in $(seq $N); do
	[ "$(cat "$T/c$i.out")" = "$want_down" ] && good=$((good + 1))
done
assert_eq "$N concurrent forwarded connections: each got its 3 MB intact" "$N" "$good"
good=0
for f in "$T"/got/*; do
	[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$want_up" ] && good=$((good + 1))
done
assert_eq "... and each sent its 3 MB intact" "$N" "$good"
if kill -0 "$FWD_PID" 2>/dev/null; then ok "-N: still serving after the connections ended"; else fail "-N exited"; fi

# ---- a target that refuses: told on stderr, the forward goes on ----------------------
CLOSED=$(pick_port)
FWD2=$(pick_port)
spawn "$T/fwd2.log" "$NULLSPACE" connect "${C[@]}" -N -L "$FWD2:127.0.0.1:$CLOSED" \
	-L "127.0.0.1:$((FWD2 + 1)):127.0.0.1:$SRV_PORT" "$U"
FWD2_PID=$SPAWNED
wait_listen "nullspace connect -N -L -L" "$FWD2_PID" "$FWD2"
wait_listen "nullspace connect (second -L)" "$FWD2_PID" "$((FWD2 + 1))"
out=$(timeout -k 5 30 python3 -c '
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
print(len(c.recv(10)))' "$FWD2" 2>&1)
assert_eq "a refused target: the local connection is closed" "0" "$out"
sleep 0.5
assert_contains "... and stderr says the open failed" "open failed" "$T/fwd2.log"
got=$(timeout -k 5 60 python3 "$T/client.py" "$((FWD2 + 1))" "$T/up_small")
assert_eq "the second -L of the same client works" "$want_down" "$got"
kill "$FWD2_PID" "$FWD_PID" 2>/dev/null

# ---- NS_CLIENT_FWD_CONN_MAX (64) connections at once: the 65th waits ------------------
cat >"$T/echo.py" <<'EOF'
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128)
def echo(c):
    while True:
        b = c.recv(4096)
        if not b: break
        c.sendall(b)
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
EOF
cat >"$T/limit.py" <<'EOF'
import socket, sys
port = int(sys.argv[1])
def ping(c, t):
    c.settimeout(t); c.sendall(b"ping")
    try: return c.recv(4) == b"ping"
    except socket.timeout: return False
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
print("64-served", all(ping(c, 20) for c in held))
extra = socket.create_connection(("127.0.0.1", port))
print("65th-waits", not ping(extra, 1.5))
held.pop().close()
extra.settimeout(20)
print("65th-served-after-one-ends", extra.recv(4) == b"ping")
EOF
ECHO_PORT=$(pick_port)
spawn "$T/echo.log" python3 "$T/echo.py" "$ECHO_PORT"
wait_listen "echo server" "$SPAWNED" "$ECHO_PORT"
FWD4=$(pick_port)
spawn "$T/fwd4.log" "$NULLSPACE" connect "${C[@]}" -N -L "$FWD4:127.0.0.1:$ECHO_PORT" "$U"
FWD4_PID=$SPAWNED
wait_listen "nullspace connect -N -L (limit)" "$FWD4_PID" "$FWD4"
timeout -k 5 90 python3 "$T/limit.py" "$FWD4" >"$T/limit.out" 2>&1
assert_contains "64 forwarded connections at once are served" "64-served True" "$T/limit.out"
assert_contains "the 65th waits" "65th-waits True" "$T/limit.out"
assert_contains "... and is served once one ends" "65th-served-after-one-ends True" "$T/limit.out"
assert_contains "the limit is told on stderr" "64 forwarded connections open (the limit)" "$T/fwd4.log"
kill "$FWD4_PID" 2>/dev/null

# ---- -L beside a command ----------------------------------------------------------------
FWD3=$(pick_port)
spawn "$T/fwd3.log" "$NULLSPACE" connect "${C[@]}" -L "$FWD3:127.0.0.1:$SRV_PORT" "$U" -- 'sleep 60'
FWD3_PID=$SPAWNED
wait_listen "nullspace connect -L with a command" "$FWD3_PID" "$FWD3"
got=$(timeout -k 5 60 python3 "$T/client.py" "$FWD3" "$T/up_small")
assert_eq "-L beside a running command" "$want_down" "$got"
kill "$FWD3_PID" 2>/dev/null
out=$(ns_connect "${C[@]}" -L "$(pick_port):127.0.0.1:$SRV_PORT" "$U" -- 'echo done; exit 4' </dev/null)
assert_eq "-L with a command: the command's exit code" "done 4" "$out $?"

# ---- -t and -T ------------------------------------------------------------------------
out=$(ns_connect "${C[@]}" -T "$U" -- tty </dev/null)
assert_eq "-T: no tty" "not a tty" "$out"
out=$(ns_connect "${C[@]}" -t "$U" -- tty </dev/null 2>&1 | tr -d '\r')
case $out in
/dev/pts/*) ok "-t: a tty even with stdin not a terminal ($out)" ;;
*) fail "-t: tty printed [$out]" ;;
esac

# ---- refusals --------------------------------------------------------------------------
refused()
{
	local what=$1 needle=$2
	shift 2
	ns_connect "${C[@]}" "$@" "$U" </dev/null >"$T/r.out" 2>&1
	assert_eq "$what: exit 255" 255 "$?"
	assert_contains "$what: says why" "$needle" "$T/r.out"
}
refused "-L on a non-loopback address" "loopback only" -N -L "0.0.0.0:$(pick_port):h:80"
refused "-L of a Unix socket" "not Unix sockets" -N -L "/tmp/x.sock:/tmp/y.sock"
refused "-L without a port" "want [BIND:]PORT:HOST:HOSTPORT" -N -L "h:80"
refused "-L port 0" "ports 1 to 65535" -N -L "0:h:80"
many=()
for i in $(seq 17); do many+=(-L "$((40000 + i)):h:80"); done
refused "more than NS_CLIENT_FWD_MAX (16) forwards" "at most 16 -L forwards" -N "${many[@]}"
ns_connect "${C[@]}" -N "$U" -- true </dev/null >"$T/r.out" 2>&1
assert_eq "-N with a command is refused" 255 "$?"
assert_contains "... saying why" "-N runs no command" "$T/r.out"
BUSY=$SSHD_PORT # sshd listens there
ns_connect "${C[@]}" -N -L "$BUSY:127.0.0.1:1" "$U" </dev/null >"$T/r.out" 2>&1
assert_eq "-L on a port in use: exit 255" 255 "$?"
assert_contains "... saying so" "$BUSY" "$T/r.out"

pass
