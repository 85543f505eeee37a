#!/usr/bin/env python3
"""A TCP forwarder for resume.sh: 127.0.0.1:LISTEN -> 127.0.0.1:TARGET.

SIGUSR1 cuts: every forwarded connection is dropped (both sockets closed)
and the listening socket is closed, so new connections are refused. SIGUSR2
restores: the listener opens again. One line per event on stderr."""
import os
import signal
import socket
import sys
import threading

LISTEN, TARGET = int(sys.argv[1]), int(sys.argv[2])
lock = threading.Lock()
conns = []
state = {"cut": False, "lsock": None}


def log(msg):
    sys.stderr.write("cut_fwd: %s\n" % msg)
    sys.stderr.flush()


def pipe(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c):
    try:
        u = socket.create_connection(("127.0.0.1", TARGET))
    except OSError:
        c.close()
        return
    with lock:
        if state["cut"]:
            c.close()
            u.close()
            return
        conns.append((c, u))
    a = threading.Thread(target=pipe, args=(c, u), daemon=True)
    b = threading.Thread(target=pipe, args=(u, c), daemon=True)
    a.start()
    b.start()
    a.join()
    b.join()
    with lock:
        if (c, u) in conns:
            conns.remove((c, u))
    c.close()
    u.close()


def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", LISTEN))
    s.listen(64)
    state["lsock"] = s
    return s


def accept_loop():
    while True:
        s = state["lsock"]
        if s is None:
            threading.Event().wait(0.05)
            continue
        try:
            c, _ = s.accept()
        except OSError:
            threading.Event().wait(0.05)
            continue
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def cut(*_):
    with lock:
        state["cut"] = True
        if state["lsock"] is not None:
            state["lsock"].close()
            state["lsock"] = None
        n = len(conns)
        for c, u in conns:
            for s in (c, u):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
    log("cut (%d connections dropped, new ones refused)" % n)


def restore(*_):
    with lock:
        state["cut"] = False
        if state["lsock"] is None:
            listen()
    log("restored")


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, restore)
listen()
log("listening on %d -> %d (pid %d)" % (LISTEN, TARGET, os.getpid()))
threading.Thread(target=accept_loop, daemon=True).start()
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
while True:
    signal.pause()
