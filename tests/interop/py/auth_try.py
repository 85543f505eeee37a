#!/usr/bin/python3
"""One publickey login with asyncssh (Debian's python3-asyncssh): another
client's choice of algorithm names (asyncssh 2.10 names an RSA certificate
ssh-rsa-cert-v01@openssh.com whatever it signs with).

usage: auth_try.py PORT USER KEY [CERT]
Prints "accepted" or "denied" and exits 0; anything else exits 1.
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402


async def main(port, user, key, cert):
    k = asyncssh.read_private_key(key)
    keys = [(k, asyncssh.read_certificate(cert))] if cert else [k]
    try:
        async with asyncssh.connect(
            "127.0.0.1", port, username=user, client_keys=keys, known_hosts=None,
            agent_path=None, preferred_auth="publickey", connect_timeout=30,
        ):
            print("accepted")
    except asyncssh.PermissionDenied:
        print("denied")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    try:
        asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3],
                         sys.argv[4] if len(sys.argv) == 5 else None))
    except Exception as e:  # noqa: BLE001 - any other failure is the test's
        print(f"error: {e!r}", file=sys.stderr)
        sys.exit(1)
