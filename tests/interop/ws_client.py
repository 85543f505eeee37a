#!/usr/bin/python3
# An independent WebSocket client (Debian's python3-websockets) used as an
# ssh ProxyCommand: stdin goes out in binary frames, frames come to stdout.
import asyncio, os, sys, websockets

async def main(url):
    async with websockets.connect(url, max_size=None, compression=None) as ws:
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

asyncio.run(main(sys.argv[1]))
