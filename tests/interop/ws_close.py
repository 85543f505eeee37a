#!/usr/bin/python3
# The close code a python3-websockets client observes when the relay ends
# the SSH connection: it sends an SSH banner and a DISCONNECT (RFC 4253
# 11.1), reads until the WebSocket closes, prints close=CODE (1006: no close
# frame came, only the end of TCP).
import asyncio, struct, sys, websockets

async def main(url):
    payload = b'\x01' + struct.pack('>I', 11) + struct.pack('>I', 3) + b'bye' + b'\0' * 4
    pad = 8 - (5 + len(payload)) % 8 + (8 if 8 - (5 + len(payload)) % 8 < 4 else 0)
    pkt = struct.pack('>IB', 1 + len(payload) + pad, pad) + payload + b'\0' * pad
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        await ws.send(b'SSH-2.0-wsclose\r\n' + pkt)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 20)
        except websockets.ConnectionClosed:
            pass
        print(f'close={ws.close_code}')

asyncio.run(main(sys.argv[1]))
