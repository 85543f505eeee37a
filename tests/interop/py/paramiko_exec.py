#!/usr/bin/python3
"""paramiko (Debian's python3-paramiko) runs one command: exec with the exit
status, as Ansible, Fabric and Netmiko do. Prints the command's stdout and,
on stderr, paramiko's debug log (it names the agreed kex) and
"algs: CIPHER MAC" (what was negotiated); exits with the remote exit status.
PARAMIKO_DISABLE="kex=a,b;macs=c" turns algorithms off (paramiko's
disabled_algorithms), to make it choose the others.
Usage: paramiko_exec.py HOST PORT USER KEY KNOWN_HOSTS COMMAND [CERT]"""
import logging
import os
import sys

import paramiko


def disabled():
    out = {}
    for part in filter(None, os.environ.get("PARAMIKO_DISABLE", "").split(";")):
        kind, names = part.split("=", 1)
        out[kind] = names.split(",")
    return out


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
    host, port, user, key_path, known, command = sys.argv[1:7]
    cert = sys.argv[7] if len(sys.argv) > 7 else None
    key = paramiko.Ed25519Key.from_private_key_file(key_path)
    if cert:
        key.load_certificate(cert)
    client = paramiko.SSHClient()
    client.load_host_keys(known)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, port=int(port), username=user, pkey=key, allow_agent=False,
                   look_for_keys=False, timeout=20, banner_timeout=20, auth_timeout=20,
                   disabled_algorithms=disabled())
    t = client.get_transport()
    sys.stderr.write("algs: %s %s\n" % (t.local_cipher, t.local_mac))
    chan = t.open_session()
    chan.exec_command(command)
    out = b""
    while True:
        data = chan.recv(65536)
        if not data:
            break
        out += data
    status = chan.recv_exit_status()
    sys.stdout.write(out.decode("utf-8", "replace"))
    client.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
