#!/usr/bin/env python3
"""PROXY protocol v2 and Prometheus helpers for fleet_haproxy.sh.

  proxy_tool.py send PORT SRC_BIND KIND   connect to 127.0.0.1:PORT from
      SRC_BIND, send a header (KIND: forged = a PROXY header naming
      192.0.2.9, bad-version, truncated, none = SSH's first line only) and
      print what the server said before it closed (its first line, or
      "closed" / "open" when it kept the socket 3 s).
  proxy_tool.py hold PORT SRC N SECS [partial]   open N connections from
      SRC, send nothing (or the signature's first 5 bytes), hold them SECS
      seconds; print "closed=K fast=F" (closed by the server; within 1 s).
  proxy_tool.py metrics FILE NAME [LABELS]  parse FILE as Prometheus text
      (every line a comment or `name{labels} value`, each metric with
      HELP and TYPE before it) and print the sum of NAME's samples whose
      labels include LABELS (k="v",... ; empty: all)."""
import re
import socket
import struct
import sys

SIG = bytes([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])


def header(kind):
    addrs = bytes([192, 0, 2, 9, 127, 0, 0, 1]) + struct.pack(">HH", 40000, 22)
    if kind == "forged":
        return SIG + bytes([0x21, 0x11]) + struct.pack(">H", 12) + addrs
    if kind == "bad-version":
        return SIG + bytes([0x11, 0x11]) + struct.pack(">H", 12) + addrs
    if kind == "truncated":
        return SIG + bytes([0x21, 0x11]) + struct.pack(">H", 12) + addrs[:5]
    return b""


def send(port, src, kind):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    if kind == "truncated":  # the header's first 21 bytes, then the end
        s.sendall(header(kind))
        s.shutdown(socket.SHUT_WR)
    else:
        s.sendall(header(kind) + b"SSH-2.0-proxy_tool\r\n")
    s.settimeout(3)
    got = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except socket.timeout:
        print("open" if not got else got.split(b"\r\n")[0].decode(errors="replace") + " open")
        return
    except ConnectionResetError:
        pass
    print(got.split(b"\r\n")[0].decode(errors="replace") + " closed" if got else "closed")


def hold(port, src, n, secs, partial):
    import selectors
    import time
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        if partial:
            s.sendall(SIG[:5])
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, time.monotonic())
        socks.append(s)
    closed = fast = 0
    while time.monotonic() - t0 < secs and closed < n:
        for key, _ in sel.select(timeout=0.2):
            try:
                data = key.fileobj.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                closed += 1
                fast += time.monotonic() - key.data < 1.0
                sel.unregister(key.fileobj)
                key.fileobj.close()
    print("closed=%d fast=%d" % (closed, fast))


LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.eE+]+|NaN|[+-]Inf)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metrics(path, name, want):
    typed = set()
    total = 0.0
    wanted = dict(LABEL.findall(want))
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = LINE.match(line)
        if not m:
            sys.exit("not Prometheus text: %r" % line)
        if m.group(1) not in typed:
            sys.exit("no TYPE before %r" % line)
        labels = dict(LABEL.findall(m.group(3) or ""))
        if m.group(1) == name and all(labels.get(k) == v for k, v in wanted.items()):
            total += float(m.group(4))
    print(int(total))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "hold":
        hold(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]),
             len(sys.argv) > 6)
    else:
        metrics(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
