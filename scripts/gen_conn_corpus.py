#!/usr/bin/env python3
"""Seed corpus of fuzz/fuzz_conn.c: message sequences of real sessions
(OpenSSH's order for a shell with a PTY, exec, data both ways, eow,
keepalives, rekey, close) in the target's input format. Writes
fuzz/corpus/conn/<name>. Run from the repository root."""
import os
import struct

def u32(n): return struct.pack('>I', n)
def s(b):
    b = b.encode() if isinstance(b, str) else b
    return u32(len(b)) + b
def msg(t, *parts): return bytes([t]) + b''.join(parts)
def rec(payload): return struct.pack('>H', len(payload)) + payload
TICK = struct.pack('>H', 0)
REKEY_PEER = rec(b'\xff')
REKEY_TARGET = rec(b'\xfe')

SERVER, CLIENT = 0, 1
PRE_AUTH, POST_AUTH, SESSION = 0, 2, 6

def chan_req(ch, name, want, *parts): return msg(98, u32(ch), s(name), bytes([want]), *parts)
def data(ch, b): return msg(94, u32(ch), s(b))

KEXINIT = msg(20, b'\x11' * 16, s('curve25519-sha256'), s('ssh-ed25519'),
              s('chacha20-poly1305@openssh.com'), s('chacha20-poly1305@openssh.com'),
              s('hmac-sha2-256-etm@openssh.com'), s('hmac-sha2-256-etm@openssh.com'),
              s('none'), s('none'), s(''), s(''), b'\x00', u32(0))
MODES = bytes([1]) + u32(3) + bytes([53]) + u32(1) + b'\x00'

seeds = {
    # server under test
    'shell_pty': (SESSION, [
        chan_req(0, 'pty-req', 1, s('xterm-256color'), u32(80), u32(24), u32(0), u32(0), s(MODES)),
        chan_req(0, 'env', 0, s('LANG'), s('C.UTF-8')),
        chan_req(0, 'shell', 1),
        data(0, 'ls -l\n'),
        chan_req(0, 'window-change', 0, u32(120), u32(40), u32(0), u32(0)),
        msg(93, u32(0), u32(65536)),
        msg(96, u32(0)), msg(97, u32(0))]),
    'exec_data': (SESSION, [
        chan_req(0, 'exec', 1, s('cat')),
        data(0, b'x' * 4000), data(0, b'y' * 32768),
        chan_req(0, 'eow@openssh.com', 0),
        chan_req(0, 'signal', 0, s('TERM')),
        msg(96, u32(0)), msg(97, u32(0))]),
    'open_many': (POST_AUTH, [
        msg(90, s('session'), u32(i), u32(2 * 1024 * 1024), u32(32768)) for i in range(5)] + [
        msg(90, s('direct-tcpip'), u32(9), u32(65536), u32(32768), s('localhost'), u32(22),
            s('127.0.0.1'), u32(5555)),
        chan_req(1, 'subsystem', 1, s('sftp')),
        msg(97, u32(2)), msg(97, u32(2))]),
    'global': (POST_AUTH, [
        msg(80, s('keepalive@openssh.com'), b'\x01'),
        msg(80, s('tcpip-forward'), b'\x01', s('0.0.0.0'), u32(8080)),
        msg(80, s('no-more-sessions@openssh.com'), b'\x00'),
        msg(2, s('ignored')), msg(4, b'\x01', s('debug message'), s('')),
        msg(3, u32(7)), TICK, TICK, TICK]),
    'rekey': (SESSION, [
        chan_req(0, 'exec', 1, s('cat')), data(0, b'a' * 1000), REKEY_PEER,
        data(0, b'b' * 1000), REKEY_TARGET, data(0, b'c' * 1000), KEXINIT]),
    'userauth': (PRE_AUTH, [
        msg(50, s('user'), s('ssh-connection'), s('none')),
        msg(50, s('user'), s('ssh-connection'), s('password'), b'\x00', s('hunter2')),
        msg(50, s('user'), s('ssh-connection'), s('keyboard-interactive'), s(''), s('')),
        msg(50, s('user'), s('ssh-connection'), s('publickey'), b'\x00', s('ssh-ed25519'),
            s(s('ssh-ed25519') + s(b'\x01' * 32))),
        msg(90, s('session'), u32(0), u32(65536), u32(32768))]),
    # client under test
    'client_session': (CLIENT | SESSION, [
        msg(93, u32(0), u32(1 << 20)),
        msg(99, u32(0)),
        data(0, 'hello\n'), msg(95, u32(0), u32(1), s('oops\n')),
        chan_req(0, 'exit-status', 0, u32(3)),
        chan_req(0, 'exit-signal', 0, s('KILL'), b'\x01', s('killed'), s('')),
        msg(96, u32(0)), msg(97, u32(0))]),
    'client_open_fail': (CLIENT | POST_AUTH, [
        msg(92, u32(0), u32(2), s('no'), s('')),
        msg(80, s('hostkeys-00@openssh.com'), b'\x00', s('blob')),
        msg(81), msg(82), REKEY_TARGET, TICK]),
    'client_userauth': (CLIENT | PRE_AUTH, [
        msg(53, s('Welcome\n'), s('')),
        msg(51, s('publickey,password'), b'\x00'),
        msg(60, s('ssh-ed25519'), s(s('ssh-ed25519') + s(b'\x02' * 32))),
        msg(52)]),
}

os.makedirs('fuzz/corpus/conn', exist_ok=True)
for name, (mode, msgs) in seeds.items():
    with open(os.path.join('fuzz/corpus/conn', name), 'wb') as f:
        f.write(bytes([mode]) + b''.join(m if m in (TICK, REKEY_PEER, REKEY_TARGET) else rec(m)
                                          for m in msgs))
print('wrote', len(seeds), 'seeds to fuzz/corpus/conn')
