#!/usr/bin/env python3
"""Stalled pre-auth SSH connections for relay_limits.sh: opens PER
connections from each of ADDRS source addresses NET.1, NET.2, ... (past
.254 on into the next /24; all of 127.0.0.0/8 is on lo), never sends a byte, and holds them for SECS seconds.
With --reconnect a connection the server closes is opened again (at most
--rate new connections a second in all): the many-address pre-auth flood.
Prints one line: opened=N closed=N fast=N (closed within 1 s of opening)
open=N (still open at the end) max_open=N first_close=S last_close=S."""
import argparse
import selectors
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--net", default="127.0.9")
    ap.add_argument("--addrs", type=int, default=1)
    ap.add_argument("--per", type=int, default=1)
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--reconnect", action="store_true")
    ap.add_argument("--rate", type=float, default=400)
    ap.add_argument("--ready", help="file written once every connection was tried")
    a = ap.parse_args()
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    st = {"opened": 0, "closed": 0, "fast": 0, "max_open": 0}
    closes = []
    want = []  # source addresses owed a connection
    o = [int(x) for x in a.net.split(".")]  # NET.1 .. NET.254, then on into NET+1
    for i in range(a.addrs):
        want += ["%d.%d.%d.%d" % (o[0], o[1], o[2] + i // 254, i % 254 + 1)] * a.per
    tokens = 0.0
    last = t0

    def open_one(src):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((src, 0))
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", a.port))
        except OSError:
            s.close()
            return False
        sel.register(s, selectors.EVENT_READ, (src, time.monotonic()))
        st["opened"] += 1
        return True

    ready_done = False
    while True:
        now = time.monotonic()
        if now - t0 >= a.secs:
            break
        tokens = min(a.rate, tokens + (now - last) * a.rate)
        last = now
        while want and (tokens >= 1 or not a.reconnect):
            if not open_one(want.pop()):
                break
            tokens -= 1
        if not want and not ready_done and a.ready:
            open(a.ready, "w").close()
            ready_done = True
        st["max_open"] = max(st["max_open"], len(sel.get_map()))
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                continue  # the server's version line: never answered
            src, born = key.data
            sel.unregister(s)
            s.close()
            t = time.monotonic()
            st["closed"] += 1
            st["fast"] += (t - born) < 1.0
            closes.append(t - born)
            if a.reconnect:
                want.append(src)
    st["open"] = len(sel.get_map())
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    print("opened=%d closed=%d fast=%d open=%d max_open=%d first_close=%.1f last_close=%.1f"
          % (st["opened"], st["closed"], st["fast"], st["open"], st["max_open"],
             min(closes) if closes else -1, max(closes) if closes else -1), flush=True)


if __name__ == "__main__":
    main()
