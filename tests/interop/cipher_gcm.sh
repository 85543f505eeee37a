#!/usr/bin/env bash
# aes256-gcm@openssh.com with real OpenSSH both ways: `ssh -c aes256-gcm` to
# `nullspace agent`, and `nullspace connect` to sshd (which it must prefer
# over chacha20-poly1305 when sshd offers both). Each way moves 16 MiB up and
# down with a 1 MiB rekey limit on the OpenSSH side, so several rekeys happen
# under the new cipher (sha256 checked). Skipped without AES-NI and PCLMUL.
. "$(dirname "$0")/lib.sh"

command -v ssh >/dev/null || skip "ssh (openssh-client) missing"
grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo ||
	skip "no AES-NI/PCLMUL here: aes256-gcm@openssh.com is not offered"
need_root
need_nullspace
start_agent
start_sshd "RekeyLimit 1M"

ns_keygen "$T/id_ns"
cat "$T/id_ns.pub" >>"$AGENT_AUTH"
cat "$T/id_ns.pub" >>"$SSHD_AUTH"
{
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$SSHD_PORT" "$SSHD_HOSTKEY.pub"
} >"$T/known_hosts"
U=root@127.0.0.1
MIB=16
head -c "${MIB}M" /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)

# check A OP B WHAT: a numeric comparison as one check.
check()
{
	if [ "$1" "$2" "$3" ]; then
		ok "$4"
	else
		fail "$4: expected $2 $3"
	fi
}

# count_kex FILE: the key exchanges OpenSSH logged there (one cipher line
# per direction per exchange).
count_kex()
{
	grep -c "kex: client->server cipher: aes256-gcm@openssh.com" "$1"
}

# --- ssh -c aes256-gcm@openssh.com -> nullspace agent ---
S=("${SSH[@]}" -p "$AGENT_PORT" -i "$T/id_ns" -c aes256-gcm@openssh.com)
timeout 60 "${S[@]}" -vvv "$U" 'echo hello' </dev/null >"$T/v.out" 2>"$T/v.err"
assert_eq "ssh -c aes256-gcm: login and exec" 0 $?
assert_eq "ssh -c aes256-gcm: output" hello "$(cat "$T/v.out")"
assert_contains "client->server cipher" "kex: client->server cipher: aes256-gcm@openssh.com MAC: <implicit>" "$T/v.err"
assert_contains "server->client cipher" "kex: server->client cipher: aes256-gcm@openssh.com MAC: <implicit>" "$T/v.err"
assert_contains "strict kex with aes256-gcm" "will use strict KEX ordering" "$T/v.err"

got=$(timeout 300 "${S[@]}" -v -o RekeyLimit=1M "$U" 'sha256sum' <"$T/blob" 2>"$T/up.err" | cut -d' ' -f1)
assert_eq "ssh -> agent: $MIB MiB up under aes256-gcm with rekeys intact" "$want" "$got"
n=$(count_kex "$T/up.err")
check "$n" -ge 4 "ssh -> agent upload: $n key exchanges (rekeys every MiB by ssh)"
got=$(timeout 300 "${S[@]}" -v -o RekeyLimit=1M "$U" "cat $T/blob" </dev/null 2>"$T/down.err" |
	sha256sum | cut -d' ' -f1)
assert_eq "ssh -> agent: $MIB MiB down under aes256-gcm with rekeys intact" "$want" "$got"
n=$(count_kex "$T/down.err")
check "$n" -ge 4 "ssh -> agent download: $n key exchanges (rekeys every MiB by ssh)"
timeout 60 "${S[@]}" "$U" 'exit 5' </dev/null
assert_eq "ssh -> agent under aes256-gcm: exit code" 5 $?

# The default ssh client still gets chacha20-poly1305 first from the agent
# (OpenSSH lists it first too: this shows our server did not move it).
timeout 60 "${SSH[@]}" -p "$AGENT_PORT" -i "$T/id_ns" -v "$U" true </dev/null 2>"$T/def.err"
assert_contains "default ssh -> agent: chacha20-poly1305" "kex: client->server cipher: chacha20-poly1305@openssh.com" "$T/def.err"

# --- nullspace connect -> sshd (sshd offers its default list, chacha first) ---
C=(-p "$SSHD_PORT" -k "$T/known_hosts" -i "$T/id_ns")
got=$(ns_connect "${C[@]}" "$U" -- 'sha256sum' <"$T/blob" | cut -d' ' -f1)
assert_eq "connect -> sshd: $MIB MiB up intact" "$want" "$got"
got=$(ns_connect "${C[@]}" "$U" -- "cat $T/blob" </dev/null | sha256sum | cut -d' ' -f1)
assert_eq "connect -> sshd: $MIB MiB down intact" "$want" "$got"
ns_connect "${C[@]}" "$U" -- 'exit 6' </dev/null
assert_eq "connect -> sshd: exit code" 6 $?
n=$(count_kex "$SSHD_LOG")
check "$n" -ge 3 "connect chose aes256-gcm over sshd's chacha20-poly1305 ($n kex lines in sshd's log)"
assert_not_contains "connect never chose chacha20-poly1305" \
	"kex: client->server cipher: chacha20-poly1305@openssh.com" "$SSHD_LOG"
n=$(grep -c "SSH2_MSG_KEXINIT sent" "$SSHD_LOG")
check "$n" -ge 10 "sshd rekeyed our client under aes256-gcm ($n KEXINITs sent for 3 connections)"
n=$(grep -cE "Corrupted MAC|message authentication code incorrect|padding error" "$SSHD_LOG")
assert_eq "no MAC or padding error in sshd's log" 0 "$n"

# --- nullspace connect -> nullspace agent (both ours, aes256-gcm) ---
got=$(ns_connect -p "$AGENT_PORT" -k "$T/known_hosts" -i "$T/id_ns" "$U" -- 'sha256sum' <"$T/blob" |
	cut -d' ' -f1)
assert_eq "connect -> agent: $MIB MiB up intact" "$want" "$got"

rm -f "$T/blob"
pass
