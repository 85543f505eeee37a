#!/usr/bin/env python3
"""Idle pre-authentication connections, as an attacker holds them.

hold_conns.py [--src ADDR] [--unix PATH] [--wait-close] HOST PORT COUNT SECONDS

Opens COUNT TCP connections to HOST:PORT from source address ADDR (any
127.x.y.z on Linux), or COUNT connections to the unix socket PATH, and sends
nothing. A connection the server keeps sends its version line ("SSH-"): held;
one it closes at once: refused. Prints "held=N refused=M" (flushed), then
keeps the held ones open for SECONDS. With --wait-close it instead waits (up
to SECONDS) for the server to close every held one and prints
"closed=N after=S.S" (seconds from the first connect to the last close).
"""
import argparse
import select
import socket
import sys
import time

CLASSIFY_S = 5.0


def connect(args):
    if args.unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(args.unix)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if args.src:
            s.bind((args.src, 0))
        s.connect((args.host, args.port))
    s.setblocking(False)
    return s


def classify(socks):
    """Map each socket to 'held' (version line seen) or 'refused' (EOF)."""
    state = {s: b"" for s in socks}
    verdict = {}
    deadline = time.monotonic() + CLASSIFY_S
    while len(verdict) < len(socks) and time.monotonic() < deadline:
        wait = [s for s in socks if s not in verdict]
        ready, _, _ = select.select(wait, [], [], 0.2)
        for s in ready:
            try:
                data = s.recv(256)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                verdict[s] = "refused"
                continue
            state[s] += data
            if state[s].startswith(b"SSH-"):
                verdict[s] = "held"
    for s in socks:
        verdict.setdefault(s, "refused" if not state[s] else "held")
    return verdict


def wait_close(held, seconds, t0):
    open_ = set(held)
    last = None
    deadline = t0 + seconds
    while open_ and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_), [], [], 0.2)
        for s in ready:
            try:
                data = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                open_.discard(s)
                last = time.monotonic()
    closed = len(held) - len(open_)
    after = (last - t0) if last is not None else -1.0
    print("closed=%d after=%.1f" % (closed, after), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--src")
    p.add_argument("--unix")
    p.add_argument("--wait-close", action="store_true")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("count", type=int)
    p.add_argument("seconds", type=float)
    args = p.parse_args()
    t0 = time.monotonic()
    socks = [connect(args) for _ in range(args.count)]
    verdict = classify(socks)
    held = [s for s in socks if verdict[s] == "held"]
    print("held=%d refused=%d" % (len(held), len(socks) - len(held)), flush=True)
    if args.wait_close:
        wait_close(held, args.seconds, t0)
    else:
        end = t0 + args.seconds
        while time.monotonic() < end:
            time.sleep(0.2)
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
