#!/usr/bin/python3
# Test helper for ws_relay.sh, independent of nullspace's code:
#   url SECRET_FILE PORT SANDBOX EXP      a signed URL (HMAC-SHA256 here)
#   probe PORT TARGET MODE                one raw request; prints status=N or
#                                         close=CODE. MODE: plain (GET without
#                                         upgrade), upgrade (then close 1000),
#                                         unmasked, oversize, text, disconnect
#                                         (an SSH DISCONNECT: the relay ends).
# With WS_TOOL_PIN=SHA256HEX in the environment, probe speaks wss:// and
# refuses a server certificate whose DER does not hash to it.
import base64, hashlib, hmac, os, socket, ssl, struct, sys

def url(secret_file, port, sb, exp):
    key = open(secret_file, 'rb').read().rstrip(b'\n')
    sig = hmac.new(key, b'nullspace-ws-v1\n' + sb.encode() + b'\n' + exp.encode(),
                   hashlib.sha256).hexdigest()
    print(f'ws://127.0.0.1:{port}/v1/sandboxes/{sb}/ssh?exp={exp}&sig={sig}')

def frame(op, payload, mask=True, length=None):
    n = len(payload) if length is None else length
    h = bytes([0x80 | op])
    b = 0x80 if mask else 0
    if n < 126:
        h += bytes([b | n])
    elif n < 65536:
        h += bytes([b | 126]) + struct.pack('>H', n)
    else:
        h += bytes([b | 127]) + struct.pack('>Q', n)
    if not mask:
        return h + payload
    m = os.urandom(4)
    return h + m + bytes(c ^ m[i % 4] for i, c in enumerate(payload))

def recv(s, n):
    try:
        return s.recv(n)
    except (ssl.SSLEOFError, ConnectionResetError):  # an end all the same: what was
        return b''                                   # read before it is judged

def read_head(s):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = recv(s, 4096)
        if not chunk:
            break
        data += chunk
    return data

def connect(port):
    s = socket.create_connection(('127.0.0.1', int(port)), timeout=10)
    pin = os.environ.get('WS_TOOL_PIN')
    if not pin:
        return s
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the pin below is the check
    s = ctx.wrap_socket(s)
    got = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
    if got != pin:
        sys.exit(f'ws_tool: the server certificate {got} is not the pinned {pin}')
    return s

def probe(port, target, mode):
    s = connect(port)
    if mode == 'fill':  # a head of exactly the cap whose last line never ends
        head = f'GET {target} HTTP/1.1\r\n'.encode()
        while len(head) < 8192 - 1000:
            head += b'X-A: ' + b'b' * 900 + b'\r\n'
        head += b'X-B: ' + b'c' * (8192 - len(head) - 5)
        s.sendall(head)
        reply = read_head(s)
        body = reply.split(b'\r\n\r\n', 1)[1] if b'\r\n\r\n' in reply else b''
        print(f'status={reply.split(b" ", 2)[1].decode() if reply else "none"} body={body.decode().strip()}')
        return
    req = f'GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n'
    if mode != 'plain':
        key = base64.b64encode(os.urandom(16)).decode()
        req += ('Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                f'Sec-WebSocket-Key: {key}\r\n')
    s.sendall((req + '\r\n').encode())
    head = read_head(s)
    status = head.split(b' ', 2)[1].decode() if head.startswith(b'HTTP/1.1 ') else 'none'
    if status != '101':
        body = head.split(b'\r\n\r\n', 1)[1] if b'\r\n\r\n' in head else b''
        print(f'status={status} body={body.decode().strip()}')
        return
    want = hashlib.sha1((key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest()
    assert base64.b64encode(want).decode().encode() in head, 'bad Sec-WebSocket-Accept'
    rest = head.split(b'\r\n\r\n', 1)[1]
    if mode == 'upgrade':
        s.sendall(frame(8, struct.pack('>H', 1000)))
    elif mode == 'unmasked':
        s.sendall(frame(2, b'SSH-2.0-x\r\n', mask=False))
    elif mode == 'oversize':
        s.sendall(frame(2, b'', length=2 * 1024 * 1024))
    elif mode == 'text':
        s.sendall(frame(1, b'hello'))
    elif mode == 'disconnect':  # our banner, then SSH_MSG_DISCONNECT (RFC 4253 11.1)
        payload = b'\x01' + struct.pack('>I', 11) + struct.pack('>I', 3) + b'bye' + b'\0' * 4
        pad = 8 - (5 + len(payload)) % 8
        pad += 8 if pad < 4 else 0
        pkt = struct.pack('>IB', 1 + len(payload) + pad, pad) + payload + b'\0' * pad
        s.sendall(frame(2, b'SSH-2.0-probe\r\n' + pkt))
    data = rest
    while True:  # skip binary frames (the SSH banner, KEXINIT) up to the close frame
        need = 2
        while True:
            if len(data) >= 2:
                n7 = data[1] & 0x7f
                ext = 2 if n7 == 126 else 8 if n7 == 127 else 0
                if len(data) >= 2 + ext:
                    n = int.from_bytes(data[2:2 + ext], 'big') if ext else n7
                    need = 2 + ext + n
                    if len(data) >= need:
                        break
            chunk = recv(s, 65536)
            if not chunk:
                print('close=none')
                return
            data += chunk
        if data[0] & 0x0f == 8:
            print(f'close={struct.unpack(">H", data[2 + ext:4 + ext])[0]}')
            return
        data = data[need:]

if sys.argv[1] == 'url':
    url(*sys.argv[2:6])
else:
    probe(*sys.argv[2:5])
