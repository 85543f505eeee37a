#!/usr/bin/python3
"""asyncssh (Debian's python3-asyncssh) as an independent SSH peer for the
interop tests, with a small rekey_bytes so that key re-exchanges happen
while data flows both ways.

client: runs COMMAND, writes INPUT to its stdin while reading its stdout,
        prints "BYTES SHA256 EXIT_STATUS KEX_COUNT" (key exchanges asyncssh
        completed, the first included).
server: accepts the keys in AUTHORIZED, runs every exec request as `cat`
        (stdin echoed to stdout, exit status 0), writes "ready" to READY,
        and "kex N" on stderr at the end of each (key exchanges so far).
"""
import argparse
import asyncio
import hashlib
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402

CHUNK = 65536


class KexCounter(logging.Handler):
    """Counts asyncssh's "Completed key exchange" debug lines."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "Completed key exchange" in record.getMessage():
            self.count += 1


KEX = KexCounter()


async def pump_in(path, stdin):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            stdin.write(chunk)
            await stdin.drain()
    stdin.write_eof()


async def pump_out(stdout):
    h, n = hashlib.sha256(), 0
    while True:
        chunk = await stdout.read(CHUNK)
        if not chunk:
            return n, h.hexdigest()
        h.update(chunk)
        n += len(chunk)


async def client(a):
    key = asyncssh.read_private_key(a.key)
    keys = [(key, asyncssh.read_certificate(a.cert))] if a.cert else [key]
    async with asyncssh.connect(
        "127.0.0.1", port=a.port, username=a.user, client_keys=keys,
        known_hosts=a.known_hosts, rekey_bytes=a.rekey_bytes, agent_path=None,
        config=None, preferred_auth="publickey",
    ) as conn:
        proc = await conn.create_process(a.command, encoding=None)
        _, (n, digest) = await asyncio.gather(pump_in(a.input, proc.stdin),
                                              pump_out(proc.stdout))
        await proc.wait()
        print(n, digest, proc.exit_status, KEX.count)


async def echo(process):
    while True:
        chunk = await process.stdin.read(CHUNK)
        if not chunk:
            break
        process.stdout.write(chunk)
        await process.stdout.drain()
    print(f"kex {KEX.count}", file=sys.stderr, flush=True)
    process.exit(0)


async def server(a):
    await asyncssh.create_server(
        asyncssh.SSHServer, "127.0.0.1", a.port, server_host_keys=[a.host_key],
        authorized_client_keys=a.authorized, process_factory=echo, encoding=None,
        rekey_bytes=a.rekey_bytes, allow_scp=False,
    )
    with open(a.ready, "w") as f:
        f.write("ready\n")
    await asyncio.Event().wait()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("client")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--user", required=True)
    c.add_argument("--key", required=True)
    c.add_argument("--cert")
    c.add_argument("--known-hosts", required=True)
    c.add_argument("--input", required=True)
    c.add_argument("--rekey-bytes", type=int, default=1 << 20)
    c.add_argument("command")
    s = sub.add_parser("server")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--host-key", required=True)
    s.add_argument("--authorized", required=True)
    s.add_argument("--ready", required=True)
    s.add_argument("--rekey-bytes", type=int, default=1 << 20)
    a = p.parse_args()
    log = logging.getLogger("asyncssh")
    log.setLevel(logging.DEBUG)
    log.addHandler(KEX)
    log.propagate = False
    try:
        asyncio.run(client(a) if a.mode == "client" else server(a))
    except (OSError, asyncssh.Error) as e:
        print(f"asyncssh: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
