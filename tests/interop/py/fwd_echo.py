"""Forwarding test helpers (tests/interop/forward.sh), standard library only.

  fwd_echo.py serve tcp HOST PORT   echo server (PORT 0: prints the port)
  fwd_echo.py serve unix PATH       echo server on a Unix socket
  fwd_echo.py vscode                prints the port of an echo server it
                                    starts, then waits for stdin to end
                                    (what VS Code's server script does)
  fwd_echo.py push HOST PORT FILE   sends FILE while reading the echo back,
                                    both at once; prints the sha256 of what
                                    came back and the byte count
"""
import hashlib
import os
import socket
import sys
import threading


def echo(conn):
    with conn:
        while True:
            b = conn.recv(65536)
            if not b:
                break
            conn.sendall(b)
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(sock, announce=None):
    sock.listen(64)
    if announce is not None:
        print(announce(sock), flush=True)
    while True:
        c, _ = sock.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def main():
    cmd = sys.argv[1]
    if cmd == "serve" and sys.argv[2] == "tcp":
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((sys.argv[3], int(sys.argv[4])))
        serve(s, (lambda k: k.getsockname()[1]) if sys.argv[4] == "0" else None)
    elif cmd == "serve":
        try:
            os.unlink(sys.argv[3])
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX)
        s.bind(sys.argv[3])
        serve(s)
    elif cmd == "vscode":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        print("listeningOn==%d==" % s.getsockname()[1], flush=True)
        threading.Thread(target=serve, args=(s,), daemon=True).start()
        sys.stdin.read()  # the connection's life
    elif cmd == "push":
        c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=120)
        h, n = hashlib.sha256(), [0]

        def reader():
            while True:
                b = c.recv(65536)
                if not b:
                    break
                h.update(b)
                n[0] += len(b)

        t = threading.Thread(target=reader)
        t.start()
        with open(sys.argv[4], "rb") as f:
            while True:
                b = f.read(65536)
                if not b:
                    break
                c.sendall(b)
        c.shutdown(socket.SHUT_WR)
        t.join()
        print(h.hexdigest(), n[0])


if __name__ == "__main__":
    main()
