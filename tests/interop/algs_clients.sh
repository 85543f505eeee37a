#!/usr/bin/env bash
# Independent clients that speak only the algorithms added for them:
# paramiko 2.12 (aes*-ctr, hmac-sha2 with or without -etm,
# curve25519@libssh.org or ecdh-sha2-nistp256) runs exec with its exit status
# against the agent and, with an ed25519 certificate, through the relay;
# curl's libssh2 1.10 (aes*-ctr with plain hmac-sha2 only) fetches a file
# with scp:// from the agent; ssh-audit finds nothing to warn about in the
# kex, cipher and MAC lists of agent and relay beyond the three kept on
# purpose (docs/algorithms.md).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PM=$(dirname "$0")/py/paramiko_exec.py
"$PY" -c 'import paramiko' 2>/dev/null || skip "python3-paramiko missing"
command -v ssh-keygen >/dev/null || skip "ssh-keygen (openssh-client) missing"
command -v curl >/dev/null || skip "curl missing"
command -v ssh-audit >/dev/null || skip "ssh-audit missing"
need_nullspace

ssh_keygen "$T/user"
cat "$T/user.pub" >"$T/agent_authorized_keys"
start_agent
start_relay_to_agent sb_clients
sign_user "$T/user.pub" user sb_clients
{
	known_hosts_line "$AGENT_PORT" "$AGENT_HOSTKEY.pub"
	known_hosts_line "$RELAY_PORT" "$RELAY_HOSTKEY.pub"
} >"$T/known_hosts"

# pm NAME PORT USER EXPECT_ALGS [CERT]: paramiko exec, exit status 6.
pm()
{
	local name=$1 port=$2 user=$3 want=$4 out
	shift 4
	out=$(timeout -k 5 60 "$PY" "$PM" 127.0.0.1 "$port" "$user" "$T/user" "$T/known_hosts" \
		'echo from-paramiko; exit 6' "$@" 2>"$T/pm.err")
	assert_eq "paramiko ($name): exit status" 6 $?
	assert_eq "paramiko ($name): output" from-paramiko "$out"
	assert_contains "paramiko ($name): $want" "$want" "$T/pm.err"
}

pm "agent, its defaults" "$AGENT_PORT" root "algs: aes128-ctr hmac-sha2-256"
PARAMIKO_DISABLE="macs=hmac-sha2-256,hmac-sha2-512" \
	pm "agent, -etm MAC" "$AGENT_PORT" root "algs: aes128-ctr hmac-sha2-256-etm@openssh.com"
PARAMIKO_DISABLE="kex=curve25519-sha256@libssh.org;ciphers=aes128-ctr,aes192-ctr" \
	pm "agent, ecdh-sha2-nistp256" "$AGENT_PORT" root "Kex: ecdh-sha2-nistp256"
assert_contains "paramiko: then aes256-ctr" "algs: aes256-ctr hmac-sha2-256" "$T/pm.err"
pm "relay, ed25519 certificate" "$RELAY_PORT" sb_clients "algs: aes128-ctr" "$T/user-cert.pub"
assert_contains "relay: paramiko's certificate accepted" \
	"result=accepted user=sb_clients key=" "$RELAY_LOG"
assert_contains "relay: ... as a certificate" "cert_id=user serial=" "$RELAY_LOG"

# curl (libssh2 1.10) fetches a file with scp:// (the agent runs scp -f).
head -c 1M /dev/urandom >"$T/file"
fp=$(ssh-keygen -lf "$AGENT_HOSTKEY.pub" | awk '{print $2}')
timeout -k 5 60 curl -sS --key "$T/user" --pubkey "$T/user.pub" --hostpubsha256 "${fp#SHA256:}" \
	-o "$T/fetched" "scp://root@127.0.0.1:$AGENT_PORT$T/file" 2>"$T/curl.err"
assert_eq "curl scp:// from the agent: exit code" 0 $?
assert_eq "curl scp:// from the agent: file intact" "$(sha256sum <"$T/file" | cut -d' ' -f1)" \
	"$(sha256sum <"$T/fetched" | cut -d' ' -f1)"
timeout -k 5 60 curl -sS --key "$T/user" --pubkey "$T/user.pub" \
	--hostpubsha256 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	-o "$T/fetched2" "scp://root@127.0.0.1:$AGENT_PORT$T/file" 2>"$T/curl2.err"
[ $? -ne 0 ] && ok "curl refuses a wrong host key" || fail "curl accepted a wrong host key"

# ssh-audit: the kex, enc and mac lines with [warn] or [fail], minus those
# kept on purpose: ecdh-sha2-nistp256 (NIST curve; FIPS clients, JSch),
# hmac-sha2-256/512 (encrypt-and-MAC; libssh2 up to 1.10 has nothing else)
# and kex-strict-s-v00@openssh.com (newer than ssh-audit 2.5.0, which calls
# it unknown), and the post-quantum hybrids that ssh-audit 2.5.0 predates:
# mlkem768x25519-sha256 and sntrup761x25519-sha512 "unknown",
# sntrup761x25519-sha512@openssh.com "experimental" (docs/algorithms.md),
# exactly those words. Each of those must still be there, in our order.
audit()
{
	local who=$1 port=$2 bad
	timeout -k 5 60 ssh-audit -n -p "$port" 127.0.0.1 >"$T/audit_$who.out" 2>&1
	grep -q '^(enc) chacha20-poly1305@openssh.com' "$T/audit_$who.out" ||
		fail "ssh-audit ($who): no cipher list: $(head -c 300 "$T/audit_$who.out")"
	bad=$(grep -E '^\((kex|enc|mac)\) ' "$T/audit_$who.out" | grep -E '\[(warn|fail)\]' |
		grep -vE '^\(kex\) (ecdh-sha2-nistp256|kex-strict-s-v00@openssh.com) ' |
		grep -vE '^\(kex\) (mlkem768x25519-sha256|sntrup761x25519-sha512) +-- \[warn\] unknown algorithm$' |
		grep -vE '^\(kex\) sntrup761x25519-sha512@openssh.com +-- \[warn\] using experimental algorithm$' |
		grep -vE '^\(mac\) hmac-sha2-(256|512) ')
	assert_eq "ssh-audit ($who): no other warning or failure in kex/enc/mac" "" "$bad"
	assert_contains "ssh-audit ($who): -etm MACs listed" "(mac) hmac-sha2-512-etm@openssh.com" \
		"$T/audit_$who.out"
	for a in "kex) ecdh-sha2-nistp256 " "mac) hmac-sha2-512 " "mac) hmac-sha2-256 "; do
		assert_contains "ssh-audit ($who): ($a listed" "($a" "$T/audit_$who.out"
	done
	assert_eq "ssh-audit ($who): kex order" \
		"mlkem768x25519-sha256 sntrup761x25519-sha512 sntrup761x25519-sha512@openssh.com curve25519-sha256 curve25519-sha256@libssh.org ecdh-sha2-nistp256" \
		"$(grep -oE '^\(kex\) [^ ]+' "$T/audit_$who.out" | grep -v kex-strict | cut -d' ' -f2 |
			tr '\n' ' ' | sed 's/ $//')"
	assert_eq "ssh-audit ($who): mac order" \
		"hmac-sha2-512-etm@openssh.com hmac-sha2-256-etm@openssh.com hmac-sha2-512 hmac-sha2-256" \
		"$(grep -oE '^\(mac\) [^ ]+' "$T/audit_$who.out" | cut -d' ' -f2 | tr '\n' ' ' |
			sed 's/ $//')"
}
audit agent "$AGENT_PORT"
audit relay "$RELAY_PORT"
if grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo; then
	assert_eq "ssh-audit: cipher order (AES-NI)" \
		"chacha20-poly1305@openssh.com aes256-gcm@openssh.com aes128-gcm@openssh.com aes256-ctr aes128-ctr" \
		"$(grep -oE '^\(enc\) [^ ]+' "$T/audit_agent.out" | cut -d' ' -f2 | tr '\n' ' ' |
			sed 's/ $//')"
fi

pass
