#!/usr/bin/python3
# An independent wss:// client (Debian's python3-websockets and Python's
# ssl, i.e. OpenSSL) used as an ssh ProxyCommand: the server certificate is
# checked against CAFILE (host name included); stdin goes out in binary
# frames, frames come to stdout.   usage: wss_client.py CAFILE URL
import asyncio, os, ssl, sys, websockets

async def main(cafile, url):
    ctx = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(url, ssl=ctx, max_size=None, compression=None) as ws:
        loop = asyncio.get_running_loop()
        async def up():
            while data := await loop.run_in_executor(None, os.read, 0, 65536):
                await ws.send(data)
            await ws.close()
        async def down():
            async for msg in ws:
                sys.stdout.buffer.write(msg)
                sys.stdout.buffer.flush()
        await asyncio.wait([asyncio.create_task(up()), asyncio.create_task(down())],
                           return_when=asyncio.FIRST_COMPLETED)

asyncio.run(main(sys.argv[1], sys.argv[2]))
