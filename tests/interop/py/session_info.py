#!/usr/bin/python3
"""A session with asyncssh (Debian's python3-asyncssh) that sends our
nullspace-session@nullspace.dev request (key id, serial, source address)
right after the channel opens, before exec, as the relay does; for testing
who `nullspace agent` believes it from.

usage: session_info.py PORT USER KEY CERT|- KEY_ID SERIAL SOURCE COMMAND
Prints the command's output and exits with its exit status.
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402
from asyncssh.channel import SSHClientChannel  # noqa: E402
from asyncssh.packet import String, UInt64  # noqa: E402

INFO = b"nullspace-session@nullspace.dev"


def patch(key_id, serial, source):
    """Send the request once the session channel is open, before exec."""
    orig = SSHClientChannel._open

    async def _open(self, chantype, *args):
        packet = await orig(self, chantype, *args)
        self._send_request(INFO, String(key_id), UInt64(serial), String(source))
        return packet

    SSHClientChannel._open = _open


async def main(port, user, key, cert, command):
    k = asyncssh.read_private_key(key)
    keys = [(k, asyncssh.read_certificate(cert))] if cert != "-" else [k]
    async with asyncssh.connect(
        "127.0.0.1", port, username=user, client_keys=keys, known_hosts=None,
        agent_path=None, preferred_auth="publickey", connect_timeout=30,
    ) as conn:
        r = await conn.run(command, check=False)
        sys.stdout.write(r.stdout)
        return r.exit_status or 0


if __name__ == "__main__":
    port, user, key, cert, key_id, serial, source, command = sys.argv[1:9]
    patch(key_id.encode(), int(serial), source.encode())
    sys.exit(asyncio.run(main(int(port), user, key, cert, command)))
