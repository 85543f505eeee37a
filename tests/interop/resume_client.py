#!/usr/bin/env python3
"""A small client of the relay's resume preamble, for resume.sh. The relay
writes its SSH version line first on every connection; new/newend/resume
read it before their hello.

  resume_client.py PORT new              NEW; prints "id=N token=HEX" (or "refuse
                                         REASON"), closes
  resume_client.py PORT newend           NEW, then END; waits for the close
  resume_client.py PORT resume ID HEX N  RESUME; prints "accept id=N token=HEX"
                                         or "refuse REASON", closes
  resume_client.py PORT banner           sends nothing: prints the relay's version
                                         line, which must come within 0.4 s
  resume_client.py PORT plain            (RC_WS only) sends an SSH version line, not
                                         the magic: prints "open" when the relay's
                                         SSH goes on, "closed" when it ends the stream

With RC_WS=TARGET (path and query of a signed URL) in the environment, PORT
is the relay's WebSocket listener: the upgrade to TARGET first (wss:// when
WS_TOOL_PIN=SHA256HEX pins the certificate, as ws_tool.py), then the same
bytes in masked binary frames; a refused upgrade prints "http STATUS BODY".
"""
import base64
import hashlib
import os
import socket
import ssl
import struct
import sys


class WS:
    """The resume bytes over a WebSocket: sendall() and recv() as a socket's."""

    def __init__(self, port, target):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        pin = os.environ.get("WS_TOOL_PIN")
        if pin:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # the pin below is the check
            s = ctx.wrap_socket(s)
            got = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
            if got != pin:
                raise SystemExit("certificate %s is not the pinned one" % got)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Key: %s\r\n\r\n" % (target, port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            k = s.recv(4096)
            if not k:
                raise SystemExit("closed before the upgrade's answer")
            head += k
        head, self.raw = head.split(b"\r\n\r\n", 1)
        status = head.split(b" ", 2)[1].decode()
        if status != "101":
            body = self.raw.decode(errors="replace").strip()
            print("http %s %s" % (status, body))
            sys.exit(0)
        self.s, self.data = s, b""

    def sendall(self, b):
        m = os.urandom(4)
        n = len(b)
        h = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else bytes([0xFE]) + struct.pack(">H", n))
        self.s.sendall(h + m + bytes(c ^ m[i % 4] for i, c in enumerate(b)))

    def recv(self, n):
        while not self.data:
            while True:  # one whole server frame in raw
                r = self.raw
                if len(r) >= 2:
                    n7, ext = r[1] & 0x7F, 0
                    ext = 2 if n7 == 126 else 8 if n7 == 127 else 0
                    if len(r) >= 2 + ext:
                        ln = int.from_bytes(r[2:2 + ext], "big") if ext else n7
                        if len(r) >= 2 + ext + ln:
                            break
                try:
                    k = self.s.recv(65536)
                except (ssl.SSLEOFError, ConnectionResetError):
                    k = b""
                if not k:
                    return b""
                self.raw += k
            op, body = r[0] & 0x0F, r[2 + ext:2 + ext + ln]
            self.raw = r[2 + ext + ln:]
            if op == 8:
                return b""
            if op == 2 or op == 0:
                self.data += body
        out, self.data = self.data[:n], self.data[n:]
        return out

    def settimeout(self, t):
        self.s.settimeout(t)

    def close(self):
        self.s.close()

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
    if os.environ.get("RC_WS"):
        s = WS(port, os.environ["RC_WS"])
    else:
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
    if cmd == "plain":
        s.sendall(b"SSH-2.0-plain_client\r\n")
        version_line(s)
        print("open" if s.recv(1) else "closed")  # the relay's KEXINIT, or its close
        return
    line = version_line(s)
    if not line.startswith(b"SSH-2.0-"):
        raise SystemExit("not a version line: %r" % line)
    if cmd in ("new", "newend"):
        s.sendall(MAGIC + b"\x20")
        kind, cid, tok = reply(s)
        if kind == "refuse":
            print("refuse " + cid)
            return
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
