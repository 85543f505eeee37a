#!/usr/bin/env python3
"""A small client of the relay's resume preamble, for resume.sh. The relay
writes its SSH version line first on every connection; new/newend/resume
read it before their hello.

  resume_client.py PORT new              NEW; prints "id=N token=HEX", closes
  resume_client.py PORT newend           NEW, then END; waits for the close
  resume_client.py PORT resume ID HEX N  RESUME; prints "accept id=N token=HEX"
                                         or "refuse REASON", closes
  resume_client.py PORT banner           sends nothing: prints the relay's version
                                         line, which must come within 0.4 s
"""
import socket
import struct
import sys

MAGIC = b"NSRESUM1"


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        if not k:
            raise SystemExit("closed after %d bytes" % len(b))
        b += k
    return b


def version_line(s):
    line = b""
    while not line.endswith(b"\n"):
        line += recv_exact(s, 1)
    return line


def reply(s):
    t = recv_exact(s, 1)[0]
    if t == 0x30:
        cid, tok, cnt, grace = struct.unpack(">I32sQI", recv_exact(s, 48))
        return "accept", cid, tok
    if t == 0x31:
        n = recv_exact(s, 1)[0]
        return "refuse", recv_exact(s, n).decode(), None
    raise SystemExit("unexpected frame 0x%02x" % t)


def main():
    port, cmd = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if cmd == "banner":
        # before sending a single byte: the whole line within 0.4 s
        s.settimeout(0.4)
        try:
            line = version_line(s)
        except socket.timeout:
            raise SystemExit("no version line within 0.4 s of connecting")
        print(line.decode().strip())
        return
    line = version_line(s)
    if not line.startswith(b"SSH-2.0-"):
        raise SystemExit("not a version line: %r" % line)
    if cmd in ("new", "newend"):
        s.sendall(MAGIC + b"\x20")
        kind, cid, tok = reply(s)
        print("id=%d token=%s" % (cid, tok.hex()))
        if cmd == "newend":
            s.sendall(b"\x03\x00")
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
    elif cmd == "resume":
        cid, tok, cnt = int(sys.argv[3]), bytes.fromhex(sys.argv[4]), int(sys.argv[5])
        s.sendall(MAGIC + b"\x21" + struct.pack(">I32sQ", cid, tok, cnt))
        kind, a, b = reply(s)
        print("accept id=%d token=%s" % (a, b.hex()) if kind == "accept" else "refuse " + a)
    s.close()


main()
