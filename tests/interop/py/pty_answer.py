#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal (its controlling terminal) and type
one answer each time PROMPT appears in its output, as a person would at a
passphrase prompt. Prints everything the command wrote (CRs dropped) and
exits with its exit status (128+N for signal N; 124 after TIMEOUT seconds).

Usage: pty_answer.py TIMEOUT PROMPT [ANSWER...] -- CMD [ARG...]
"""
import os
import pty
import select
import sys
import time


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    timeout, prompt, answers, cmd = float(args[0]), args[1].encode(), args[2:sep], args[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out, seen, deadline = b"", 0, time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
            sys.exit(124)
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
            while out.count(prompt) > seen:
                seen += 1
                if answers:
                    os.write(fd, answers.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
